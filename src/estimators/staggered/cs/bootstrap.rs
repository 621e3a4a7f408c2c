//! Multiplier bootstrap of every ATT(g,t) and aggregation at once (R `did`'s `mboot`), with
//! Mammen weights and uniform confidence bands.
//!
//! Draw `b` perturbs all influence functions with the same multipliers `vᵢ` (unit `i`) and
//! records `Σᵢ vᵢψᵢ/√N` per estimate. An estimate's SE is the interquartile range of its draws
//! over `Φ⁻¹(.75) − Φ⁻¹(.25)`, times `√N/N`; the uniform critical value of a family of
//! estimates is the `1 − α` quantile (type 1) of `maxⱼ |drawⱼ / σⱼ|`. Estimates whose draws are
//! all (numerically) zero — the reference cell of a universal base period — keep a missing SE
//! and stay out of the band. As R does, a uniform critical value below the pointwise one is
//! replaced by the pointwise one (a diagnostic says so).

use super::aggte::{AggResult, Aggregate};
use super::attgt::{normal_estimate, AttGt, CellEst, SE_FLOOR};
use super::{BootstrapSpec, ValidCsSpec};
use crate::error::{Error, Result};
use crate::inference::dist::norm_quantile;
use crate::inference::replicate::{draw_rng, DrawBlock, DrawRange};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Mammen's two-point multipliers: mean 0, variance 1, third moment 1.
fn mammen(rng: &mut ChaCha8Rng) -> f64 {
    let s5 = 5f64.sqrt();
    let p = (s5 + 1.0) / (2.0 * s5);
    if rng.random::<f64>() < p {
        (1.0 - s5) / 2.0
    } else {
        (1.0 + s5) / 2.0
    }
}

/// Draws per block: the weights of a block are reused for every column while it is in cache.
const BLOCK: usize = 16;

/// The bootstrapped columns, in the order of a draw's statistics: every ATT(g,t), then each
/// aggregation's overall effect followed by its terms (simple, dynamic, group, calendar).
pub(crate) fn columns<'a>(cells: &'a [CellEst], agg: &'a AggResult) -> Vec<&'a [f64]> {
    let mut cols: Vec<&[f64]> = cells.iter().map(|c| c.inf.as_slice()).collect();
    for a in &agg.infs {
        cols.push(&a.overall);
        cols.extend(a.terms.iter().map(Vec::as_slice));
    }
    cols
}

/// The draws `range` of every column: draw `b` holds `Σᵢ vᵢψᵢ/√N` for each column, with the
/// multipliers `vᵢ` of [`draw_rng`]`(seed, b)` alone, so a draw does not depend on the range or
/// the blocking. One pass over the influence functions per block of [`BLOCK`] draws.
pub(crate) fn draws(
    cols: &[&[f64]],
    n: usize,
    seed: u64,
    range: DrawRange,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<DrawBlock> {
    let width = cols.len();
    let mut block = DrawBlock { start: range.start, end: range.end, width, values: vec![0.0; range.len() * width] };
    // unit-major block of multipliers: v[i * BLOCK + j] for draw b0 + j
    let mut v = vec![0.0; n * BLOCK];
    let root = (n as f64).sqrt();
    let mut b0 = range.start;
    while b0 < range.end {
        if !progress((b0 - range.start) as f64 / range.len() as f64) {
            return Err(Error::new(crate::error::ErrorKind::Cancelled));
        }
        let nb = BLOCK.min(range.end - b0);
        for j in 0..nb {
            let mut rng = draw_rng(seed, b0 + j);
            for i in 0..n {
                v[i * BLOCK + j] = mammen(&mut rng);
            }
        }
        let out = &mut block.values[(b0 - range.start) * width..(b0 - range.start + nb) * width];
        for (k, col) in cols.iter().enumerate() {
            let mut acc = [0.0f64; BLOCK];
            for (i, &psi) in col.iter().enumerate() {
                if psi != 0.0 {
                    let row = &v[i * BLOCK..(i + 1) * BLOCK];
                    for j in 0..BLOCK {
                        acc[j] += psi * row[j];
                    }
                }
            }
            for j in 0..nb {
                out[j * width + k] = acc[j] / root;
            }
        }
        b0 += nb;
    }
    progress(1.0);
    Ok(block)
}

/// Normalised IQR of draws (R: `(b[ceiling(.75 nb)] − b[ceiling(.25 nb)]) / (q.75 − q.25)`);
/// None when the draws are degenerate.
fn sigma(draws: &[f64]) -> Option<f64> {
    let ss: f64 = draws.iter().map(|d| d * d).sum();
    if !(ss > SE_FLOOR) {
        return None;
    }
    let mut b = draws.to_vec();
    b.sort_by(f64::total_cmp);
    let nb = b.len() as f64;
    let at = |p: f64| b[((p * nb).ceil() as usize).clamp(1, b.len()) - 1];
    let s = (at(0.75) - at(0.25)) / (norm_quantile(0.75) - norm_quantile(0.25));
    (s > 0.0).then_some(s)
}

/// Uniform critical value over the columns with a sigma.
fn uniform_crit(draws: &[&Vec<f64>], sigmas: &[Option<f64>], level: f64) -> Option<f64> {
    let used: Vec<(&Vec<f64>, f64)> = draws.iter().zip(sigmas).filter_map(|(d, s)| s.map(|s| (*d, s))).collect();
    if used.is_empty() {
        return None;
    }
    let reps = used[0].0.len();
    let mut maxes: Vec<f64> = (0..reps).map(|b| used.iter().map(|(d, s)| (d[b] / s).abs()).fold(0.0, f64::max)).collect();
    maxes.sort_by(f64::total_cmp);
    let k = ((level * reps as f64).ceil() as usize).clamp(1, reps);
    Some(maxes[k - 1])
}

/// Replaces SEs by bootstrap SEs and intervals by uniform bands from the draws `0..reps` of
/// every column (checked); returns the ATT(g,t) band's critical value.
pub(crate) fn apply(
    v: &ValidCsSpec,
    spec: &BootstrapSpec,
    cells: &[CellEst],
    att_gt: &mut [AttGt],
    agg: &mut AggResult,
    block: &DrawBlock,
) -> Result<f64> {
    let n = v.panel.n();
    let level = v.spec.conf_level;
    let z = norm_quantile(0.5 + level / 2.0);
    let width = columns(cells, agg).len();
    block.check_complete(spec.reps, width)?;
    // column-major copy: draws[k][b]
    let mut draws = vec![Vec::with_capacity(spec.reps); width];
    for row in block.rows() {
        for (d, &x) in draws.iter_mut().zip(row) {
            d.push(x);
        }
    }
    let sigmas: Vec<Option<f64>> = draws.iter().map(|d| sigma(d)).collect();
    let se = |k: usize| sigmas[k].map_or(f64::NAN, |s| s * (n as f64).sqrt() / n as f64);
    // ATT(g,t): the cells that were estimated
    let cell_idx: Vec<usize> = (0..cells.len()).filter(|&k| cells[k].att.is_finite()).collect();
    let crit_cells = uniform_crit(
        &cell_idx.iter().map(|&k| &draws[k]).collect::<Vec<_>>(),
        &cell_idx.iter().map(|&k| sigmas[k]).collect::<Vec<_>>(),
        level,
    )
    .map_or(z, |c| c.max(z));
    for (k, a) in att_gt.iter_mut().enumerate() {
        if cells[k].att.is_finite() {
            a.estimate = normal_estimate(a.estimate.term.clone(), a.estimate.estimate, se(k), crit_cells);
        }
    }
    let mut k = cells.len();
    let report = &mut agg.report;
    for (a, inf) in [&mut report.simple, &mut report.dynamic, &mut report.group, &mut report.calendar].into_iter().zip(&agg.infs) {
        let overall = k;
        let terms: Vec<usize> = (overall + 1..overall + 1 + inf.terms.len()).collect();
        k = overall + 1 + inf.terms.len();
        rebuild(a, se(overall), &terms, &draws, &sigmas, &se, level, z);
    }
    Ok(crit_cells)
}

#[allow(clippy::too_many_arguments)]
fn rebuild(
    a: &mut Aggregate,
    se_overall: f64,
    terms: &[usize],
    draws: &[Vec<f64>],
    sigmas: &[Option<f64>],
    se: &dyn Fn(usize) -> f64,
    level: f64,
    z: f64,
) {
    a.estimate = normal_estimate(a.estimate.term.clone(), a.estimate.estimate, se_overall, z);
    if terms.is_empty() {
        return;
    }
    let crit = uniform_crit(
        &terms.iter().map(|&k| &draws[k]).collect::<Vec<_>>(),
        &terms.iter().map(|&k| sigmas[k]).collect::<Vec<_>>(),
        level,
    )
    .map_or(z, |c| c.max(z));
    for (t, &k) in a.terms.iter_mut().zip(terms) {
        t.estimate = normal_estimate(t.estimate.term.clone(), t.estimate.estimate, se(k), crit);
    }
    a.crit_val = crit;
}
