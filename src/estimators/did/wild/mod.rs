//! Wild cluster bootstrap for the DID coefficient (few or many clusters).
//!
//! # Method (WCR, "fast and wild": Roodman, MacKinnon, Nielsen & Webb 2019)
//!
//! The model is the DID regression of [`super::did`], clustered by one variable with `G`
//! clusters. Fixed effects are absorbed: `ỹ`, `X̃ = [D̃, controls~]` are the demeaned
//! variables, `w = X̃(X̃'X̃)⁻¹e_D` the weights with `β̂ = w'ỹ`, and `M_Z` the annihilator of
//! all regressors *including the fixed effects* (`M_Z r = M_X̃ (r − FE-means)`).
//!
//! Under `H0: β = β0` (`null`, default 0) with the null imposed (`impose_null`, default true,
//! fwildclusterboot / boottest's default), the restricted residuals are
//! `u(β0) = M_r(ỹ − β0 D̃) = u0 − β0 u1` (`M_r`: controls and fixed effects). A bootstrap
//! sample is `y* = ŷ_r + u ⊙ v_g` with one weight `v_g` per cluster — Rademacher (±1) or Webb
//! (±√(1/2), ±1, ±√(3/2)). Refitting gives
//!
//! ```text
//! β* − β0 = Σ_h v_h n_h,        n_h = Σ_{i∈h} w_i u_i
//! s*²     = Σ_g (Σ_h C_gh v_h)², C_gh = Σ_{i∈g} w_i (M_Z u^{(h)})_i     (u^{(h)}: u on cluster h, 0 elsewhere)
//! t*      = (β* − β0) / s*
//! ```
//!
//! with `C` linear in β0 (`C0 − β0 C1`, from `u0`, `u1`), and for each draw five numbers
//! (`A = v'n0`, `B = v'n1`, and the sums of squares and cross-products of `C0 v`, `C1 v`) give
//! `t*(β0)` for every β0 in `O(1)`. How `C0 v`, `C1 v` are computed is the strategy (next
//! section); everything after the five sums is the same for both.
//! The CRV1 small-sample factor `G/(G−1)·(n−1)/(n−K)` multiplies `s*` and the actual SE alike
//! and cancels from `|t*| ≥ |t|`, so it does not affect the p-value or the interval; the
//! reported `t_stat` is the model's (fixest-corrected) `(β̂ − β0)/se`.
//!
//! * **p-value**: `p(β0) = #{b : |t*_b| ≥ |t(β0)|} / B` (symmetric, two-sided; ties within
//!   1e-9 relative count). With Rademacher weights and `2^G ≤ reps`, all `2^G` sign vectors are
//!   enumerated (`enumerated = true`); the set contains `v = 1`, which reproduces the actual
//!   `t`, and its sign flip `v = −1`, which gives the same `|t*|` (the test is symmetric, and
//!   `−v` negates `β* − β0` and leaves `s*` unchanged), so then `p ≥ 2/2^G`; every count is
//!   even for the same reason. Random draws do not include the actual statistic.
//! * **Confidence interval** by test inversion: the set of β0 with `p(β0) ≥ 1 − conf_level`,
//!   bounded by bisection on brackets found by stepping out from β̂ in multiples of the SE
//!   (same draws for every β0). A bound that is never reached within β̂ ± 2³⁰·SE is ±∞
//!   (with a diagnostic) — typical with very few clusters and Rademacher weights.
//! * `impose_null = false` (WCU): unrestricted residuals; `t*_b = (β*_b − β̂)/s*_b`.
//!
//! Analytic weights are not supported (error).
//!
//! # Two strategies
//!
//! * **Crosstab** (`crosstab.rs`, the "fast and wild" set-up): build `C0`, `C1` once — `2G`
//!   demeanings of an `n`-row column and projections `M_X`, `O(G·n)` time and `16·G²` bytes —
//!   then `O(G²)` per draw. Best with few clusters and many draws.
//! * **Per draw** (`per_draw.rs`): by linearity of `M_Z`,
//!   `(C v)_g = Σ_{i∈g} w_i (M_Z (u ⊙ v_{cl(i)}))_i`, so each draw demeans `u0 ⊙ v` and
//!   `u1 ⊙ v` (only `u0` without the null imposed) with the same fixed effects, projects out
//!   `X̃` and sums by cluster: `O(n)` per draw, no set-up beyond the fit, `O(n + G·k)` memory.
//!   Best with many clusters: 5,000 units × 20 years clustered by unit needed 36 s and 400 MB
//!   of crosstabs before the first draw.
//!
//! The choice (`draws::choose_strategy`) is a cost model in units of one multiply-add of the
//! crosstab draw loop, measured natively with `examples/wild_bench.rs` (unit + year panels,
//! `T = 20`): a crosstab column costs ≈ 33 ns a row (24 units), a per-draw product ≈ 15–24 ns
//! a row (16 units; it never forms the fitted `X̃γ`), a multiply-add ≈ 1.4 ns. With `c`
//! residual vectors (2 with the null imposed, 1 without) and `B` used draws (`2^G` when
//! enumerating, else `reps`):
//!
//! ```text
//! crosstab ≈ 24·c·G·n + 2·B·G²        per draw ≈ B·(16·c·n + 4·G)
//! ```
//!
//! and the per-draw strategy is used when it is cheaper or when the crosstabs would exceed
//! 128 MiB (`G > 2896`; every worker holds its own). Roughly: per draw when `reps ≲ 1.5·G`,
//! or when `G² ≳ 8·c·n` (few observations per cluster: cluster = unit with `G ≳ 8·c·T`) whatever
//! `reps`; crosstabs for few clusters. The rule reads `G`, `n`, `reps`, the weights and
//! `impose_null` only — never the draw range or the number of workers — so every worker
//! makes the same choice and a split stays bit-identical. The two strategies agree to
//! rounding (the unit tests check 1e-10 relative on every sum): with the exact one- and
//! two-way demeaning paths `M_Z` is linear to rounding; with iterated demeaning it is linear
//! only to the demeaning tolerance, and the two then differ by that much.
//!
//! Timings (native, one thread, `reps = 999`, Rademacher, null imposed, cluster = unit, `T =
//! 20`; crosstab → chosen strategy; a shared machine, ±25 %): G = 500: 0.82 → 0.27–0.39 s;
//! G = 1,000: 4.1 → 0.60 s; G = 2,000: 17.9 → 1.3 s; G = 5,000 (n = 100,000): 151 s (36 s
//! set-up, 400 MB) → 3.6–4.4 s (Webb alike; 2.1 s without the null imposed). G = 200 (n =
//! 4,000) stays on crosstabs: 0.13 s, against 0.20 s per draw.
//!
//! # Replications
//!
//! Draw `b` (of `reps`) uses only [`draw_rng`]`(seed, b)`, so the draws can be split among
//! workers: [`wild_bootstrap_draw_count`], [`wild_bootstrap_draws`] over a range,
//! [`wild_bootstrap_with_draws`] on the joined [`DrawBlock`]; [`wild_bootstrap`] is the three in
//! one thread, with a bit-identical result. Each draw stores its five sums `A, B, Σ(C0v)²,
//! Σ(C0v)(C1v), Σ(C1v)²`; under enumeration draw `b < 2^G` is the sign vector of the bits of
//! `b` and the draws from `2^G` to `reps` are unused (five NaN).

mod crosstab;
mod draws;
mod per_draw;
#[cfg(test)]
mod tests;

use super::workbench::{did_prepared, prepare, DidSpec};
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::estimators::feols::{DemeanedDesign, VcovSpec};
use crate::inference::replicate::{DrawBlock, DrawRange};
use crosstab::Projection;
use draws::{choose_strategy, draw_block, Engine, Strategy};
use per_draw::PerDraw;
use serde::{Deserialize, Serialize};

/// Bootstrap weight distribution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WildWeights {
    /// ±1 with probability ½ each (default).
    #[default]
    Rademacher,
    /// Webb's six-point distribution ±√(1/2), ±1, ±√(3/2), each with probability 1/6.
    Webb,
}

/// A wild cluster bootstrap: the DID model (flattened; its `vcov` must cluster by one
/// variable, the default clusters by unit) plus the bootstrap settings.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct WildSpec {
    /// The DID model.
    #[serde(flatten)]
    pub did: DidSpec,
    /// Bootstrap replications (default 9999).
    pub reps: usize,
    /// `rademacher` (default) or `webb`.
    pub weights: WildWeights,
    /// RNG seed (default 1).
    pub seed: u64,
    /// Impose the null hypothesis in the bootstrap DGP (WCR; default true).
    pub impose_null: bool,
    /// Hypothesised value β0 of the DID coefficient (default 0).
    pub null: f64,
}

impl Default for WildSpec {
    fn default() -> Self {
        WildSpec {
            did: DidSpec::default(),
            reps: 9999,
            weights: WildWeights::Rademacher,
            seed: 1,
            impose_null: true,
            null: 0.0,
        }
    }
}

/// Result of [`wild_bootstrap`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WildResult {
    /// DID estimate β̂.
    pub estimate: f64,
    /// The model's t statistic for `H0: β = null` (clustered SE, fixest corrections).
    pub t_stat: f64,
    /// Bootstrap p-value for `H0: β = null` (module docs).
    pub p_value: f64,
    /// Lower limit of the test-inversion interval (−∞ when unbounded).
    pub conf_low: f64,
    /// Upper limit (+∞ when unbounded).
    pub conf_high: f64,
    /// Confidence level.
    pub conf_level: f64,
    /// Number of bootstrap draws.
    pub reps: usize,
    /// All 2^G Rademacher sign vectors were used.
    pub enumerated: bool,
    /// Weight distribution.
    pub weights: WildWeights,
    /// Number of clusters G.
    pub n_clusters: usize,
    /// Cluster variable.
    pub cluster: String,
    /// The hypothesised value.
    pub null: f64,
    /// Null imposed (WCR) or not (WCU).
    pub impose_null: bool,
    /// The seed.
    pub seed: u64,
    /// Non-fatal findings.
    pub diagnostics: Diagnostics,
}

/// Per-draw sufficient statistics: t*(β0) = (a − β0 b) / sqrt(saa − 2β0 sab + β0² sbb).
struct Draw {
    a: f64,
    b: f64,
    saa: f64,
    sab: f64,
    sbb: f64,
}


/// The precomputed bootstrap: draws and the actual statistic as functions of β0.
struct Boot {
    draws: Vec<Draw>,
    beta: f64,
    se_raw: f64,
}

impl Boot {
    fn p_value(&self, b0: f64) -> f64 {
        let t = ((self.beta - b0) / self.se_raw).abs();
        let thr = t * (1.0 - 1e-9);
        let mut k = 0usize;
        for d in &self.draws {
            let num = d.a - b0 * d.b;
            let den2 = d.saa - 2.0 * b0 * d.sab + b0 * b0 * d.sbb;
            let ts = if den2 > 0.0 {
                num.abs() / den2.sqrt()
            } else if num != 0.0 {
                f64::INFINITY
            } else {
                0.0
            };
            if ts >= thr {
                k += 1;
            }
        }
        k as f64 / self.draws.len() as f64
    }

    /// Boundary of {β0 : p(β0) ≥ alpha} on one side (`dir` = ±1).
    fn bound(&self, alpha: f64, dir: f64) -> Option<f64> {
        let mut inner = self.beta;
        let mut outer = None;
        let mut step = self.se_raw.max(1e-300);
        for _ in 0..31 {
            let b0 = self.beta + dir * step;
            if self.p_value(b0) < alpha {
                outer = Some(b0);
                break;
            }
            inner = b0;
            step *= 2.0;
        }
        let mut outer = outer?;
        for _ in 0..200 {
            let mid = 0.5 * (inner + outer);
            if (outer - inner).abs() <= 1e-10 * self.se_raw.max(1e-300) || mid == inner || mid == outer {
                break;
            }
            if self.p_value(mid) < alpha {
                outer = mid;
            } else {
                inner = mid;
            }
        }
        Some(0.5 * (inner + outer))
    }
}

/// Wild cluster bootstrap-t for the DID coefficient (see the module docs).
pub fn wild_bootstrap(ds: &Dataset, spec: &WildSpec) -> Result<WildResult> {
    wild_bootstrap_using(ds, spec, Need::Draws(None))
}

/// [`wild_bootstrap`] with a given strategy (`Need::Draws(Some(_))`; tests).
fn wild_bootstrap_using(ds: &Dataset, spec: &WildSpec, need: Need) -> Result<WildResult> {
    let prep = wild_prepare(ds, spec, need)?;
    let block = wild_draw_block(spec, &prep, DrawRange::all(spec.reps), &mut |_| true)?;
    Ok(wild_finish(spec, prep, &block))
}

/// The number of draws of a wild bootstrap (`reps`; module docs, "Replications").
pub fn wild_bootstrap_draw_count(spec: &WildSpec) -> Option<usize> {
    Some(spec.reps)
}

/// Draws `range` of a wild bootstrap (module docs, "Replications"): five numbers per draw.
/// `progress` gets the fraction of the range done; `false` stops with
/// [`crate::ErrorKind::Cancelled`].
pub fn wild_bootstrap_draws(
    ds: &Dataset,
    spec: &WildSpec,
    range: DrawRange,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<DrawBlock> {
    wild_bootstrap_draws_using(ds, spec, range, progress, None)
}

/// [`wild_bootstrap_draws`] with a given strategy (`Some`; tests) or the chosen one (`None`).
fn wild_bootstrap_draws_using(
    ds: &Dataset,
    spec: &WildSpec,
    range: DrawRange,
    progress: &mut dyn FnMut(f64) -> bool,
    strategy: Option<Strategy>,
) -> Result<DrawBlock> {
    range.check(spec.reps)?;
    let prep = wild_prepare(ds, spec, Need::Draws(strategy))?;
    wild_draw_block(spec, &prep, range, progress)
}

/// The wild bootstrap from the draws `0..reps` of [`wild_bootstrap_draws`] (joined with
/// [`DrawBlock::concat`]); the same result as [`wild_bootstrap`]. Builds no crosstabs.
pub fn wild_bootstrap_with_draws(
    ds: &Dataset,
    spec: &WildSpec,
    draws: &DrawBlock,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<WildResult> {
    draws.check_complete(spec.reps, 5)?;
    let prep = wild_prepare(ds, spec, Need::Summary)?;
    let r = wild_finish(spec, prep, draws);
    progress(1.0);
    Ok(r)
}

/// What [`wild_prepare`] must set up beyond the fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Only the summary (the draws are given).
    Summary,
    /// The draws, by the given strategy or ([`None`]) by [`choose_strategy`].
    Draws(Option<Strategy>),
}

/// Everything but the draws: the fit, the draw engine (crosstabs or per-draw) and whether to
/// enumerate.
struct WildPrep {
    fit: super::workbench::DidResult,
    term: String,
    cluster: String,
    g: usize,
    beta: f64,
    se_raw: f64,
    /// `None` for [`Need::Summary`].
    engine: Option<Engine>,
    enumerate: bool,
}

fn wild_prepare(ds: &Dataset, spec: &WildSpec, need: Need) -> Result<WildPrep> {
    check_spec(spec)?;
    let p = prepare(ds, spec.did.validate(ds)?, &[])?;
    let cluster = single_cluster(&p.vcov)?;
    let fit = did_prepared(&p, &spec.did)?;
    let fs = p.feols_spec(&spec.did, &spec.did.y, std::slice::from_ref(&p.term), &spec.did.controls)?;
    let dd = DemeanedDesign::new(&p.ds, &fs)?;
    let (_, codes, g) = dd
        .clusters
        .iter()
        .find(|c| c.0 == cluster)
        .cloned()
        .ok_or_else(|| Error::invalid(format!("cluster variable `{cluster}` is not available")))?;
    if g < 2 {
        return Err(Error::insufficient("the wild cluster bootstrap needs at least two clusters"));
    }
    // Kept regressors, in the model's order.
    let names: Vec<&str> = fit.model.coefficients.iter().map(|c| c.term.as_str()).collect();
    let proj = Projection::new(&dd, &names, &p.term)?;
    let beta: f64 = proj.w.iter().zip(&dd.y).map(|(a, b)| a * b).sum();
    let uhat = proj.mx(&dd.y);
    let mut sg = vec![0.0; g];
    for i in 0..proj.n {
        sg[codes[i] as usize] += proj.w[i] * uhat[i];
    }
    let se_raw = sg.iter().map(|s| s * s).sum::<f64>().sqrt();
    if se_raw.is_nan() || se_raw <= 0.0 {
        return Err(Error::numerical("the clustered standard error of the DID coefficient is zero"));
    }
    let enumerate = spec.weights == WildWeights::Rademacher && g < 63 && (1u64 << g) <= spec.reps as u64;
    let engine = match need {
        Need::Summary => None,
        Need::Draws(strategy) => Some(wild_engine(spec, dd, proj, codes, g, enumerate, uhat, strategy)?),
    };
    Ok(WildPrep { term: p.term.clone(), fit, cluster, g, beta, se_raw, engine, enumerate })
}

/// The residuals `u0`, `u1` (module docs) and the draw engine of the given strategy or, with
/// `None`, of [`choose_strategy`].
#[allow(clippy::too_many_arguments)]
fn wild_engine(
    spec: &WildSpec,
    dd: DemeanedDesign,
    proj: Projection,
    codes: Vec<u32>,
    g: usize,
    enumerate: bool,
    uhat: Vec<f64>,
    strategy: Option<Strategy>,
) -> Result<Engine> {
    let (u0, u1): (Vec<f64>, Vec<f64>) = if spec.impose_null {
        (proj.mr(&dd.y)?, proj.mr(&proj.d_column())?)
    } else {
        (uhat, vec![0.0; proj.n])
    };
    let draws = if enumerate { 1usize << g } else { spec.reps };
    let columns = if spec.impose_null { 2 } else { 1 };
    Ok(match strategy.unwrap_or_else(|| choose_strategy(g, proj.n, draws, columns)) {
        Strategy::Crosstab => {
            let t0 = proj.crosstab(&dd, &codes, g, &u0)?;
            let t1 = proj.crosstab(&dd, &codes, g, &u1)?;
            Engine::Crosstab([t0, t1])
        }
        Strategy::PerDraw => Engine::PerDraw(Box::new(PerDraw::new(dd, proj, codes, g, [u0, u1]))),
    })
}

/// The draws of `range` (module docs, "Replications").
fn wild_draw_block(
    spec: &WildSpec,
    prep: &WildPrep,
    range: DrawRange,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<DrawBlock> {
    let engine = prep.engine.as_ref().ok_or_else(|| Error::numerical("wild bootstrap: no draw engine prepared"))?;
    draw_block(spec, engine, prep.g, prep.enumerate, range, progress)
}

/// The summary: p-value and test-inversion interval from the used draws.
fn wild_finish(spec: &WildSpec, prep: WildPrep, block: &DrawBlock) -> WildResult {
    let draws: Vec<Draw> = block
        .rows()
        .filter(|r| !r[0].is_nan())
        .map(|r| Draw { a: r[0], b: r[1], saa: r[2], sab: r[3], sbb: r[4] })
        .collect();
    let b_total = draws.len();
    let WildPrep { fit, term, cluster, g, beta, se_raw, enumerate, .. } = prep;
    let mut diagnostics = fit.diagnostics.clone();
    let boot = Boot { draws, beta, se_raw };
    let p_value = boot.p_value(spec.null);
    let alpha = 1.0 - spec.did.conf_level;
    let conf_low = boot.bound(alpha, -1.0).unwrap_or(f64::NEG_INFINITY);
    let conf_high = boot.bound(alpha, 1.0).unwrap_or(f64::INFINITY);
    wild_notes(spec, g, b_total, enumerate, conf_low.is_infinite() || conf_high.is_infinite(), &mut diagnostics);
    let c = fit.model.coef(&term).map(|c| c.std_error).unwrap_or(f64::NAN);
    WildResult {
        estimate: fit.estimate,
        t_stat: (fit.estimate - spec.null) / c,
        p_value,
        conf_low,
        conf_high,
        conf_level: spec.did.conf_level,
        reps: b_total,
        enumerated: enumerate,
        weights: spec.weights,
        n_clusters: g,
        cluster,
        null: spec.null,
        impose_null: spec.impose_null,
        seed: spec.seed,
        diagnostics,
    }
}

/// The checks on the bootstrap options.
fn check_spec(spec: &WildSpec) -> Result<()> {
    if spec.reps == 0 {
        return Err(Error::invalid("the wild bootstrap needs at least one replication (`reps` ≥ 1)"));
    }
    if spec.did.weights.is_some() {
        return Err(Error::invalid("the wild cluster bootstrap does not support observation weights (remove `weights`)"));
    }
    if !spec.null.is_finite() {
        return Err(Error::invalid("`null` (the hypothesised DID coefficient) must be a finite number"));
    }
    Ok(())
}

/// The one cluster variable of a clustered vcov.
fn single_cluster(vcov: &VcovSpec) -> Result<String> {
    match vcov {
        VcovSpec::Cluster(c) if c.len() == 1 => Ok(c[0].clone()),
        VcovSpec::Cluster(_) => {
            Err(Error::invalid("the wild cluster bootstrap needs exactly one cluster variable (got two)"))
        }
        _ => Err(Error::invalid(
            "the wild cluster bootstrap needs a clustered vcov, e.g. { cluster: [\"city\"] } (the default \
             clusters by unit)",
        )),
    }
}

/// Notes on an unbounded interval, enumeration and few clusters.
fn wild_notes(spec: &WildSpec, g: usize, b_total: usize, enumerate: bool, unbounded: bool, diagnostics: &mut Diagnostics) {
    let alpha = 1.0 - spec.did.conf_level;
    if unbounded {
        diagnostics.push(Diagnostic::warning(Code::WildCiUnbounded, format!(
            "the {:.0}% bootstrap confidence interval is unbounded: no hypothesised value is rejected at that level \
             far from the estimate (too few clusters or draws)",
            100.0 * spec.did.conf_level
        )));
    }
    if enumerate {
        diagnostics.push(Diagnostic::info(Code::WildEnumerated, format!(
            "all 2^{g} = {b_total} Rademacher sign vectors enumerated (2^G ≤ reps); the smallest attainable p-value \
             is {:.4}",
            2.0 / b_total as f64
        )));
        if 2.0 / (b_total as f64) > alpha {
            diagnostics.push(Diagnostic::warning(Code::WildCannotReject, format!(
                "with {g} clusters Rademacher weights cannot reject at the {:.0}% level; use Webb weights",
                100.0 * alpha
            )));
        }
    }
    if g < 10 && spec.weights == WildWeights::Rademacher && !enumerate {
        diagnostics.push(Diagnostic::warning(Code::FewClusters, format!("only {g} clusters: consider Webb weights")));
    }
}
