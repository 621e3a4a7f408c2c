//! Wild cluster bootstrap for the DID coefficient (few clusters).
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
//! so after `2G` demeanings for the `G×G` crosstabs `C` (linear in β0: `C0 − β0 C1`), every
//! draw costs `O(G²)`, and for each draw five numbers (`A = v'n0`, `B = v'n1`, and the
//! sums of squares and cross-products of `C0 v`, `C1 v`) give `t*(β0)` for every β0 in `O(1)`.
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
//! # Replications
//!
//! Draw `b` (of `reps`) uses only [`draw_rng`]`(seed, b)`, so the draws can be split among
//! workers: [`wild_bootstrap_draw_count`], [`wild_bootstrap_draws`] over a range,
//! [`wild_bootstrap_with_draws`] on the joined [`DrawBlock`]; [`wild_bootstrap`] is the three in
//! one thread, with a bit-identical result. Each draw stores its five sums `A, B, Σ(C0v)²,
//! Σ(C0v)(C1v), Σ(C1v)²`; under enumeration draw `b < 2^G` is the sign vector of the bits of
//! `b` and the draws from `2^G` to `reps` are unused (five NaN).

use super::workbench::{did_prepared, prepare, DidSpec};
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::estimators::feols::{DemeanedDesign, VcovSpec};
use crate::inference::replicate::{draw_rng, DrawBlock, DrawRange};
use crate::inference::rng::below;
use nalgebra::{DMatrix, DVector};
use rand::RngCore;
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
    let prep = wild_prepare(ds, spec)?;
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
    range.check(spec.reps)?;
    let prep = wild_prepare(ds, spec)?;
    wild_draw_block(spec, &prep, range, progress)
}

/// The wild bootstrap from the draws `0..reps` of [`wild_bootstrap_draws`] (joined with
/// [`DrawBlock::concat`]); the same result as [`wild_bootstrap`].
pub fn wild_bootstrap_with_draws(
    ds: &Dataset,
    spec: &WildSpec,
    draws: &DrawBlock,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<WildResult> {
    draws.check_complete(spec.reps, 5)?;
    let prep = wild_prepare(ds, spec)?;
    let r = wild_finish(spec, prep, draws);
    progress(1.0);
    Ok(r)
}

/// Everything but the draws: the fit, the cluster crosstabs and whether to enumerate.
struct WildPrep {
    fit: super::workbench::DidResult,
    term: String,
    cluster: String,
    g: usize,
    beta: f64,
    se_raw: f64,
    tabs: [(Vec<f64>, Vec<f64>); 2],
    enumerate: bool,
}

fn wild_prepare(ds: &Dataset, spec: &WildSpec) -> Result<WildPrep> {
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
    let y = &dd.y;
    let beta: f64 = proj.w.iter().zip(y).map(|(a, b)| a * b).sum();
    let uhat = proj.mx(y);
    let mut sg = vec![0.0; g];
    for i in 0..proj.n {
        sg[codes[i] as usize] += proj.w[i] * uhat[i];
    }
    let se_raw = sg.iter().map(|s| s * s).sum::<f64>().sqrt();
    if se_raw.is_nan() || se_raw <= 0.0 {
        return Err(Error::numerical("the clustered standard error of the DID coefficient is zero"));
    }
    let (u0, u1): (Vec<f64>, Vec<f64>) = if spec.impose_null {
        (proj.mr(y)?, proj.mr(proj.cols[proj.jd])?)
    } else {
        (uhat.clone(), vec![0.0; proj.n])
    };
    let t0 = proj.crosstab(&dd, &codes, g, &u0)?;
    let t1 = proj.crosstab(&dd, &codes, g, &u1)?;
    let enumerate = spec.weights == WildWeights::Rademacher && g < 63 && (1u64 << g) <= spec.reps as u64;
    Ok(WildPrep { term: p.term.clone(), fit, cluster, g, beta, se_raw, tabs: [t0, t1], enumerate })
}

/// The draws of `range` (module docs, "Replications").
fn wild_draw_block(
    spec: &WildSpec,
    prep: &WildPrep,
    range: DrawRange,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<DrawBlock> {
    let [(n0, c0), (n1, c1)] = &prep.tabs;
    let mut block = DrawBlock::with_capacity(range, 5);
    let mut v = vec![0.0; prep.g];
    for b in range.start..range.end {
        let done = b - range.start;
        if done % 1000 == 0 && !progress(done as f64 / range.len() as f64) {
            return Err(Error::new(crate::ErrorKind::Cancelled));
        }
        if prep.enumerate && b >> prep.g != 0 {
            block.push(&[f64::NAN; 5]);
            continue;
        }
        weights_of_draw(spec, prep.enumerate, b, &mut v);
        block.push(&sums_of_draw(&v, [(n0, c0), (n1, c1)]));
    }
    Ok(block)
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

/// The demeaned regressors `X` (model order), the Cholesky factor of `X'X` and the weights
/// `w = X (X'X)⁻¹ e_D` that give `β̂_D = w'y`.
struct Projection<'a> {
    n: usize,
    cols: Vec<&'a [f64]>,
    jd: usize,
    x: DMatrix<f64>,
    chol: nalgebra::Cholesky<f64, nalgebra::Dyn>,
    w: Vec<f64>,
}

impl<'a> Projection<'a> {
    fn new(dd: &'a DemeanedDesign, names: &[&str], term: &str) -> Result<Projection<'a>> {
        let n = dd.nobs();
        let mut cols: Vec<&[f64]> = Vec::with_capacity(names.len());
        for nm in names {
            let j = dd
                .x_names
                .iter()
                .position(|x| x == nm)
                .ok_or_else(|| Error::numerical(format!("regressor `{nm}` not found in the demeaned design")))?;
            cols.push(&dd.x[j]);
        }
        let k = cols.len();
        let jd = names.iter().position(|nm| *nm == term).ok_or_else(|| Error::numerical("DID term not found"))?;
        let x = DMatrix::from_fn(n, k, |i, j| cols[j][i]);
        let xtx = x.transpose() * &x;
        let chol = xtx
            .clone()
            .cholesky()
            .ok_or_else(|| Error::numerical("the regressors are collinear (X'X is not positive definite)"))?;
        let mut e = DVector::zeros(k);
        e[jd] = 1.0;
        let a = chol.solve(&e);
        let w: Vec<f64> = (x.clone() * a).iter().copied().collect();
        Ok(Projection { n, cols, jd, x, chol, w })
    }

    /// `M_X v` for a sample vector (already FE-demeaned).
    fn mx(&self, v: &[f64]) -> Vec<f64> {
        let xv = self.x.transpose() * DVector::from_column_slice(v);
        let coef = self.chol.solve(&xv);
        let fitted = &self.x * coef;
        v.iter().zip(fitted.iter()).map(|(a, b)| a - b).collect()
    }

    /// Restricted projection: `v` less its fit on the controls only (columns other than D).
    fn mr(&self, v: &[f64]) -> Result<Vec<f64>> {
        let xr_cols: Vec<usize> = (0..self.cols.len()).filter(|&j| j != self.jd).collect();
        if xr_cols.is_empty() {
            return Ok(v.to_vec());
        }
        let xr = DMatrix::from_fn(self.n, xr_cols.len(), |i, j| self.cols[xr_cols[j]][i]);
        let c = (xr.transpose() * &xr).cholesky().ok_or_else(|| Error::numerical("the controls are collinear"))?;
        let coef = c.solve(&(xr.transpose() * DVector::from_column_slice(v)));
        let fitted = &xr * coef;
        Ok(v.iter().zip(fitted.iter()).map(|(a, b)| a - b).collect())
    }

    /// Crosstabs of a residual vector `u`: `n_h = Σ_{i∈h} w_i u_i` and
    /// `C_gh = Σ_{i∈g} w_i (M_X D̃ 1{h} u)_i` (`c[g·G + h]`).
    fn crosstab(&self, dd: &DemeanedDesign, codes: &[u32], g: usize, u: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
        let n = self.n;
        let mut nh = vec![0.0; g];
        let mut c = vec![0.0; g * g];
        if u.iter().all(|v| *v == 0.0) {
            return Ok((nh, c));
        }
        for i in 0..n {
            nh[codes[i] as usize] += self.w[i] * u[i];
        }
        for h in 0..g {
            let z: Vec<f64> = (0..n).map(|i| if codes[i] as usize == h { u[i] } else { 0.0 }).collect();
            let r = self.mx(&dd.demean_sample(&z)?);
            for i in 0..n {
                c[codes[i] as usize * g + h] += self.w[i] * r[i];
            }
        }
        Ok((nh, c))
    }
}

/// The cluster weights of draw `b`: the sign vector of the bits of `b` when enumerating, else
/// Rademacher or Webb weights from [`draw_rng`]`(seed, b)`.
fn weights_of_draw(spec: &WildSpec, enumerate: bool, b: usize, v: &mut [f64]) {
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

/// The five sums of one weight vector `v`: `A = v'n0`, `B = v'n1` and the sums of squares and
/// cross-products of `C0 v`, `C1 v`.
fn sums_of_draw(v: &[f64], tabs: [(&[f64], &[f64]); 2]) -> [f64; 5] {
    let [(n0, c0), (n1, c1)] = tabs;
    let g = v.len();
    let a: f64 = v.iter().zip(n0).map(|(a, b)| a * b).sum();
    let bb: f64 = v.iter().zip(n1).map(|(a, b)| a * b).sum();
    let (mut saa, mut sab, mut sbb) = (0.0, 0.0, 0.0);
    for gg in 0..g {
        let row0 = &c0[gg * g..(gg + 1) * g];
        let row1 = &c1[gg * g..(gg + 1) * g];
        let p0: f64 = row0.iter().zip(v).map(|(a, b)| a * b).sum();
        let p1: f64 = row1.iter().zip(v).map(|(a, b)| a * b).sum();
        saa += p0 * p0;
        sab += p0 * p1;
        sbb += p1 * p1;
    }
    [a, bb, saa, sab, sbb]
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
