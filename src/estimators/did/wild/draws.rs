//! The draws: cluster weights of draw `b`, the choice between the crosstab and the per-draw
//! strategy, and a block of draws (module docs of [`super`], "Two strategies",
//! "Replications").

use super::crosstab::sums_of_draw;
use super::per_draw::{PerDraw, Scratch};
use super::{WildSpec, WildWeights};
use crate::error::{Error, Result};
use crate::inference::replicate::{draw_rng, DrawBlock, DrawRange};
use crate::inference::rng::below;
use rand::RngCore;

/// How the products `C0 v`, `C1 v` of each draw are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strategy {
    /// Build the `G×G` crosstabs once, then `O(G²)` per draw.
    Crosstab,
    /// One or two demeanings of the `n` rows per draw, no crosstabs.
    PerDraw,
}

/// Cost of one crosstab column (build `z`, demean, `M_X`, cluster sums) per row, in units of
/// one multiply-add of the `O(G²)` draw loop: ≈ 33 ns a row against ≈ 1.4 ns a multiply-add
/// (measured natively on the unit + year panels of `examples/wild_bench.rs`; module docs).
const CROSSTAB_ROW_COST: f64 = 24.0;
/// Cost of one per-draw product `C v` per row, same units (no fitted `Xγ`): ≈ 15–18 ns a row
/// with 100,000 rows, ≈ 24 ns with 4,000 (the demeaning's fixed costs weigh more).
const PER_DRAW_ROW_COST: f64 = 16.0;
/// The crosstabs `C0`, `C1` (16·G² bytes, in every worker) may use at most this much memory.
const CROSSTAB_MEMORY: f64 = 128.0 * 1024.0 * 1024.0;

/// The strategy for `g` clusters, `n` observations, `draws` used draws (`2^G` when
/// enumerating, else `reps`) and `columns` residual vectors (2 with the null imposed, 1
/// without): the cheaper by the cost model of the module docs, and never crosstabs above
/// [`CROSSTAB_MEMORY`]. Depends on the data and the spec only (never on the range of draws
/// or the number of workers), so every worker makes the same choice.
pub(super) fn choose_strategy(g: usize, n: usize, draws: usize, columns: usize) -> Strategy {
    let (g, n, draws, columns) = (g as f64, n as f64, draws as f64, columns as f64);
    if 16.0 * g * g > CROSSTAB_MEMORY {
        return Strategy::PerDraw;
    }
    let crosstab = columns * g * n * CROSSTAB_ROW_COST + draws * 2.0 * g * g;
    let per_draw = draws * (columns * n * PER_DRAW_ROW_COST + 4.0 * g);
    if per_draw < crosstab {
        Strategy::PerDraw
    } else {
        Strategy::Crosstab
    }
}

/// What draws are computed from.
pub(super) enum Engine {
    /// `[(n0, C0), (n1, C1)]`, `C` row-major `G×G`.
    Crosstab([(Vec<f64>, Vec<f64>); 2]),
    /// The projection and residuals, kept for draw time.
    PerDraw(Box<PerDraw>),
}

/// The draws of `range` (module docs, "Replications"): five sums per draw; under
/// enumeration the draws from `2^G` on are five NaN.
pub(super) fn draw_block(
    spec: &WildSpec,
    engine: &Engine,
    g: usize,
    enumerate: bool,
    range: DrawRange,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<DrawBlock> {
    let mut block = DrawBlock::with_capacity(range, 5);
    let mut v = vec![0.0; g];
    // A per-draw draw costs a demeaning or two: report progress more often.
    let every = if matches!(engine, Engine::PerDraw(_)) { 10 } else { 1000 };
    let mut scratch = match engine {
        Engine::PerDraw(p) => p.scratch(),
        Engine::Crosstab(_) => Scratch::default(),
    };
    for b in range.start..range.end {
        let done = b - range.start;
        if done % every == 0 && !progress(done as f64 / range.len() as f64) {
            return Err(Error::new(crate::ErrorKind::Cancelled));
        }
        if enumerate && b >> g != 0 {
            block.push(&[f64::NAN; 5]);
            continue;
        }
        weights_of_draw(spec, enumerate, b, &mut v);
        let sums = match engine {
            Engine::Crosstab([(n0, c0), (n1, c1)]) => sums_of_draw(&v, [(n0, c0), (n1, c1)]),
            Engine::PerDraw(p) => p.sums(&v, &mut scratch)?,
        };
        block.push(&sums);
    }
    Ok(block)
}

/// The cluster weights of draw `b`: the sign vector of the bits of `b` when enumerating, else
/// Rademacher or Webb weights from [`draw_rng`]`(seed, b)`.
pub(super) fn weights_of_draw(spec: &WildSpec, enumerate: bool, b: usize, v: &mut [f64]) {
    if enumerate {
        for (h, vh) in v.iter_mut().enumerate() {
            *vh = if (b >> h) & 1 == 0 { 1.0 } else { -1.0 };
        }
        return;
    }
    let mut rng = draw_rng(spec.seed, b);
    match spec.weights {
        WildWeights::Rademacher => {
            let mut bits = 0u64;
            for (h, vh) in v.iter_mut().enumerate() {
                if h % 64 == 0 {
                    bits = rng.next_u64();
                }
                *vh = if (bits >> (h % 64)) & 1 == 0 { 1.0 } else { -1.0 };
            }
        }
        WildWeights::Webb => {
            let webb = [-(1.5f64).sqrt(), -1.0, -(0.5f64).sqrt(), (0.5f64).sqrt(), 1.0, (1.5f64).sqrt()];
            for vh in v.iter_mut() {
                *vh = webb[below(&mut rng, 6) as usize];
            }
        }
    }
}
