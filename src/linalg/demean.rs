//! Fixed-effect demeaning (the "within" transformation) for any number of
//! fixed-effect dimensions.
//!
//! For fixed effects with codes `c_1(i), …, c_Q(i)` and weights `w_i`, the
//! demeaned variable is `x̃ = x − Σ_q α_q[c_q(i)]` where the `α` minimise
//! `Σ_i w_i (x_i − Σ_q α_q[c_q(i)])²`.
//!
//! * One dimension: closed form, `x̃_i = x_i − x̄_{c(i)}` (weighted group mean).
//! * Several: fixest's design (`demeaning.cpp`). The dimensions are ordered by
//!   decreasing number of levels; the iteration runs in the space of the
//!   coefficients of all dimensions but the largest. One map `G` is a
//!   Gauss–Seidel sweep: `α_1 = mean_{c_1}(x − Σ_{q>1} α_q)`, then each other
//!   dimension in turn with the newest values. `G` is accelerated with
//!   Irons–Tuck: from `X, GX = G(X), GGX = G(GX)`,
//!   `X' = GGX − [(Δ GX · Δ²X) / (Δ²X · Δ²X)] (GGX − GX)` with
//!   `Δ GX = GGX − GX`, `Δ²X = GGX − 2 GX + X`.
//!   Convergence (fixest's criterion): every coefficient changes by less than
//!   `tol` absolutely or relatively (`|a − b| / (0.1 + |a|) < tol`). Default
//!   `tol = 1e-8` (pyfixest's default), `maxiter = 10_000`.
//!   For a balanced two-way panel one sweep is exact, so this converges at
//!   the first check.
//! * Fallback for poorly connected fixed effects (e.g. firms linked only by a
//!   long chain of movers), where alternating projections converge very
//!   slowly: when they have stalled (the rate measured every 50 iterations
//!   projects more than 1,000 iterations or more than `maxiter`, see
//!   `StallWatch`) or used `maxiter` without converging, the demeaning goes
//!   on from where they stopped with Jacobi-preconditioned conjugate gradient
//!   on the normal equations of all coefficients ([`super::demean_cg`]);
//!   [`DemeanInfo::krylov_iterations`] tells how many it took.
//!
//! Singletons (a level of any dimension with a single observation) are removed
//! iteratively by [`singleton_mask`] before building [`FixedEffects`].
//!
//! Low-level kernel: [`demean_slice`] on plain slices. High level:
//! [`FixedEffects::demean`] / [`FixedEffects::demean_many`].

#![allow(clippy::needless_range_loop)]

use super::demean_cg::{self, FeSystem};
use super::demean_twoway::{Dims, TwoWay, BLOCK};
use crate::error::{Error, Result};

/// Options of the iterative demeaning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemeanOptions {
    /// Convergence tolerance on the fixed-effect coefficients.
    pub tol: f64,
    /// Maximum number of iterations (applications of the accelerated map; also the budget of
    /// the conjugate-gradient fallback).
    pub maxiter: usize,
    /// Switch to conjugate gradient when the projections stall (default true).
    pub krylov: bool,
}

impl Default for DemeanOptions {
    fn default() -> Self {
        DemeanOptions { tol: 1e-8, maxiter: 10_000, krylov: true }
    }
}

/// How the iteration went for one column.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DemeanInfo {
    /// Iterations used (0 for the closed form).
    pub iterations: usize,
    /// Whether the tolerance was reached.
    pub converged: bool,
    /// Conjugate-gradient iterations of the Krylov fallback (0 when alternating projections
    /// converged by themselves; see [`crate::linalg::demean`]'s stall rule).
    pub krylov_iterations: usize,
}

/// One fixed-effect dimension on the estimation sample.
#[derive(Debug, Clone, PartialEq)]
pub struct FeDim {
    /// Name (`city`, `id^year`).
    pub name: String,
    /// Code of each observation, `0..n_levels`.
    pub codes: Vec<u32>,
    /// Number of levels.
    pub n_levels: usize,
    /// Sum of weights per level.
    sum_w: Vec<f64>,
}

/// The fixed-effect structure of a sample: dimensions and weights.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedEffects {
    n: usize,
    /// Dimensions in the user's order.
    pub dims: Vec<FeDim>,
    /// Processing order (largest first).
    order: Vec<usize>,
    weights: Option<Vec<f64>>,
    /// Two dimensions, the smaller one small: its exact elimination ([`super::demean_twoway`]).
    twoway: Option<TwoWay>,
}

impl FixedEffects {
    /// Builds the structure. Codes must be `< n_levels`; every level should
    /// occur (compact codes). Weights, if given, must be positive.
    pub fn new(dims: Vec<(String, Vec<u32>, usize)>, weights: Option<Vec<f64>>) -> Result<FixedEffects> {
        let n = dims.first().map_or(0, |d| d.1.len());
        let mut out = Vec::with_capacity(dims.len());
        for (name, codes, n_levels) in dims {
            if codes.len() != n {
                return Err(Error::invalid(format!("fixed effect `{name}` has a different length")));
            }
            let mut sum_w = vec![0.0; n_levels];
            for (i, &c) in codes.iter().enumerate() {
                let c = c as usize;
                if c >= n_levels {
                    return Err(Error::invalid(format!("fixed effect `{name}` has an invalid code")));
                }
                sum_w[c] += weights.as_ref().map_or(1.0, |w| w[i]);
            }
            out.push(FeDim { name, codes, n_levels, sum_w });
        }
        if let Some(w) = &weights {
            if w.len() != n {
                return Err(Error::invalid("weights have a different length from the fixed effects"));
            }
        }
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_by(|&a, &b| out[b].n_levels.cmp(&out[a].n_levels).then(a.cmp(&b)));
        let mut fe = FixedEffects { n, dims: out, order, weights, twoway: None };
        fe.twoway = fe.twoway_dims().and_then(|d| TwoWay::new(&d));
        Ok(fe)
    }

    /// The two dimensions, largest first, when there are exactly two.
    fn twoway_dims(&self) -> Option<Dims<'_>> {
        let [big, small] = self.order[..] else { return None };
        let (big, small) = (&self.dims[big], &self.dims[small]);
        Some(Dims {
            big: &big.codes,
            big_w: &big.sum_w,
            small: &small.codes,
            small_w: &small.sum_w,
            w: self.weights.as_deref(),
        })
    }

    /// Number of observations.
    pub fn nobs(&self) -> usize {
        self.n
    }

    /// The weights, if any.
    pub fn weights(&self) -> Option<&[f64]> {
        self.weights.as_deref()
    }

    /// Demeans one column.
    pub fn demean(&self, x: &[f64], opts: &DemeanOptions) -> (Vec<f64>, DemeanInfo) {
        let mut out = vec![0.0; x.len()];
        let info = self.demean_into(x, &mut out, opts);
        (out, info)
    }

    /// Demeans one column into `out`.
    pub fn demean_into(&self, x: &[f64], out: &mut [f64], opts: &DemeanOptions) -> DemeanInfo {
        if let (Some(tw), Some(d)) = (&self.twoway, self.twoway_dims()) {
            if tw.demean_block(&d, &[x], &mut [out]) == [true] {
                return DemeanInfo { iterations: 0, converged: true, krylov_iterations: 0 };
            }
        }
        let codes: Vec<&[u32]> = self.order.iter().map(|&q| self.dims[q].codes.as_slice()).collect();
        let sw: Vec<&[f64]> = self.order.iter().map(|&q| self.dims[q].sum_w.as_slice()).collect();
        demean_kernel(&codes, &sw, self.weights.as_deref(), x, out, opts)
    }

    /// Demeans several columns; returns them and the worst iteration info
    /// (maximum iterations, converged only if all converged).
    pub fn demean_many(&self, cols: &[&[f64]], opts: &DemeanOptions) -> (Vec<Vec<f64>>, DemeanInfo) {
        let mut info = DemeanInfo { iterations: 0, converged: true, krylov_iterations: 0 };
        let mut out: Vec<Vec<f64>> = cols.iter().map(|c| vec![0.0; c.len()]).collect();
        let mut done = vec![false; cols.len()];
        if let (Some(tw), Some(d)) = (&self.twoway, self.twoway_dims()) {
            for (start, block) in (0..cols.len()).step_by(BLOCK).map(|s| (s, &cols[s..(s + BLOCK).min(cols.len())])) {
                let mut outs: Vec<&mut [f64]> = out[start..start + block.len()].iter_mut().map(|v| v.as_mut_slice()).collect();
                let ok = tw.demean_block(&d, block, &mut outs);
                done[start..start + block.len()].copy_from_slice(&ok);
            }
        }
        for ((c, o), _) in cols.iter().zip(out.iter_mut()).zip(&done).filter(|(_, d)| !**d) {
            let i = self.demean_into(c, o, opts);
            info.iterations = info.iterations.max(i.iterations);
            info.krylov_iterations = info.krylov_iterations.max(i.krylov_iterations);
            info.converged &= i.converged;
        }
        (out, info)
    }

    /// Number of fixed-effect coefficients counted in the small-sample
    /// correction: `Σ levels − (Q − 1)` (one restriction per dimension beyond
    /// the first). This is fixest's default (`fixef.force_exact = FALSE`) and
    /// pyfixest's rule; it ignores extra redundancies from nested or
    /// disconnected dimensions (e.g. `unit + region^year` with units nested in
    /// regions), which [`Self::n_coefficients_exact`] would count.
    pub fn n_coefficients(&self) -> usize {
        let total: usize = self.dims.iter().map(|d| d.n_levels).sum();
        (total + 1).saturating_sub(self.dims.len()).max(1)
    }

    /// The exact number of free fixed-effect coefficients when the first two
    /// dimensions may be disconnected (`Σ levels − #components − (Q − 2)`,
    /// fixest's `fixef.force_exact = TRUE` for two dimensions). Not used by
    /// the default small-sample correction (see [`Self::n_coefficients`]).
    pub fn n_coefficients_exact(&self) -> usize {
        let total: usize = self.dims.iter().map(|d| d.n_levels).sum();
        if self.dims.len() < 2 {
            return total;
        }
        let (a, b) = (&self.dims[0], &self.dims[1]);
        let comps = components(&a.codes, a.n_levels, &b.codes, b.n_levels);
        (total + 2).saturating_sub(comps + self.dims.len()).max(1).min(total)
    }
}

/// Connected components of the bipartite graph of two factors.
fn components(a: &[u32], na: usize, b: &[u32], nb: usize) -> usize {
    let mut parent: Vec<usize> = (0..na + nb).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for (&x, &y) in a.iter().zip(b) {
        let (rx, ry) = (find(&mut parent, x as usize), find(&mut parent, na + y as usize));
        if rx != ry {
            parent[rx] = ry;
        }
    }
    (0..na + nb).filter(|&i| find(&mut parent, i) == i).count()
}

/// Low-level kernel on slices: demeans `x` into `out` given the codes of each
/// dimension (`codes[q][i] < n_levels[q]`) and optional weights.
pub fn demean_slice(
    codes: &[&[u32]],
    n_levels: &[usize],
    weights: Option<&[f64]>,
    x: &[f64],
    out: &mut [f64],
    opts: &DemeanOptions,
) -> DemeanInfo {
    let sw: Vec<Vec<f64>> = codes
        .iter()
        .zip(n_levels)
        .map(|(c, &k)| {
            let mut s = vec![0.0; k];
            for (i, &g) in c.iter().enumerate() {
                s[g as usize] += weights.map_or(1.0, |w| w[i]);
            }
            s
        })
        .collect();
    let mut order: Vec<usize> = (0..codes.len()).collect();
    order.sort_by(|&a, &b| n_levels[b].cmp(&n_levels[a]).then(a.cmp(&b)));
    let c: Vec<&[u32]> = order.iter().map(|&q| codes[q]).collect();
    let s: Vec<&[f64]> = order.iter().map(|&q| sw[q].as_slice()).collect();
    demean_kernel(&c, &s, weights, x, out, opts)
}

/// Weighted sums of `v` by level.
fn group_sums(codes: &[u32], w: Option<&[f64]>, v: &[f64], k: usize) -> Vec<f64> {
    let mut s = vec![0.0; k];
    match w {
        Some(w) => {
            for ((&c, &x), &wi) in codes.iter().zip(v).zip(w) {
                s[c as usize] += wi * x;
            }
        }
        None => {
            for (&c, &x) in codes.iter().zip(v) {
                s[c as usize] += x;
            }
        }
    }
    s
}

fn demean_kernel(
    codes: &[&[u32]],
    sw: &[&[f64]],
    w: Option<&[f64]>,
    x: &[f64],
    out: &mut [f64],
    opts: &DemeanOptions,
) -> DemeanInfo {
    let n = x.len();
    let q = codes.len();
    if q == 0 {
        out.copy_from_slice(x);
        return DemeanInfo { iterations: 0, converged: true, krylov_iterations: 0 };
    }
    // Weighted sums of x per level, per dimension (constant).
    let sx: Vec<Vec<f64>> = (0..q).map(|d| group_sums(codes[d], w, x, sw[d].len())).collect();
    if q == 1 {
        let mean: Vec<f64> = sx[0].iter().zip(sw[0]).map(|(s, w)| if *w > 0.0 { s / w } else { 0.0 }).collect();
        for i in 0..n {
            out[i] = x[i] - mean[codes[0][i] as usize];
        }
        return DemeanInfo { iterations: 0, converged: true, krylov_iterations: 0 };
    }
    // State: coefficients of dims 1..q, concatenated.
    let offs: Vec<usize> = {
        let mut o = vec![0usize; q + 1];
        for d in 1..q {
            o[d + 1] = o[d] + sw[d].len();
        }
        o
    };
    let m = offs[q];
    let mut alpha0 = vec![0.0; sw[0].len()];
    let mut tmp = vec![0.0; n];
    // G: state -> new state (also leaves alpha0 consistent with the input state).
    let apply = |state: &[f64], next: &mut [f64], alpha0: &mut [f64], tmp: &mut [f64]| {
        // alpha0 = (sx0 - Σ_i w_i Σ_{d≥1} state_d[c_d(i)]) / sw0
        for v in tmp.iter_mut() {
            *v = 0.0;
        }
        for d in 1..q {
            let st = &state[offs[d]..offs[d + 1]];
            for (t, &c) in tmp.iter_mut().zip(codes[d]) {
                *t += st[c as usize];
            }
        }
        let s = group_sums(codes[0], w, tmp, alpha0.len());
        for ((a, (sx, sw)), s) in alpha0.iter_mut().zip(sx[0].iter().zip(sw[0])).zip(&s) {
            *a = if *sw > 0.0 { (sx - s) / sw } else { 0.0 };
        }
        next.copy_from_slice(state);
        for d in 1..q {
            // sum of all other dims' current coefficients
            for (i, t) in tmp.iter_mut().enumerate() {
                let mut v = alpha0[codes[0][i] as usize];
                for e in 1..q {
                    if e != d {
                        v += next[offs[e] + codes[e][i] as usize];
                    }
                }
                *t = v;
            }
            let s = group_sums(codes[d], w, tmp, sw[d].len());
            for (l, (&sxl, &swl)) in sx[d].iter().zip(sw[d]).enumerate() {
                next[offs[d] + l] = if swl > 0.0 { (sxl - s[l]) / swl } else { 0.0 };
            }
        }
    };
    let converged_fn = |a: &[f64], b: &[f64]| -> bool {
        a.iter().zip(b).all(|(x, y)| {
            let d = (x - y).abs();
            d <= opts.tol || d / (0.1 + x.abs()) <= opts.tol
        })
    };
    let mut xs = vec![0.0; m];
    let mut gx = vec![0.0; m];
    let mut ggx = vec![0.0; m];
    let mut iterations = 0;
    let mut converged = false;
    let mut stall = StallWatch::default();
    while iterations < opts.maxiter.max(1) {
        iterations += 1;
        apply(&xs, &mut gx, &mut alpha0, &mut tmp);
        if iterations % STALL_EVERY == 0 && stall.stalled(iterations, change(&xs, &gx), opts) {
            break;
        }
        if converged_fn(&xs, &gx) {
            xs.copy_from_slice(&gx);
            converged = true;
            break;
        }
        apply(&gx, &mut ggx, &mut alpha0, &mut tmp);
        if converged_fn(&gx, &ggx) {
            xs.copy_from_slice(&ggx);
            converged = true;
            break;
        }
        // Irons–Tuck
        let mut vprod = 0.0;
        let mut ssq = 0.0;
        for j in 0..m {
            let d_gx = ggx[j] - gx[j];
            let d2 = d_gx - gx[j] + xs[j];
            vprod += d_gx * d2;
            ssq += d2 * d2;
        }
        if ssq > 0.0 && vprod.is_finite() {
            let coef = vprod / ssq;
            for j in 0..m {
                xs[j] = ggx[j] - coef * (ggx[j] - gx[j]);
            }
        } else {
            xs.copy_from_slice(&ggx);
        }
    }
    // Final alpha0 consistent with the state, then residuals.
    let mut dummy = vec![0.0; m];
    apply(&xs, &mut dummy, &mut alpha0, &mut tmp);
    if !converged && opts.krylov {
        // stalled or out of budget: conjugate gradient from where the projections stopped
        let mut alpha: Vec<Vec<f64>> = vec![alpha0];
        alpha.extend((1..q).map(|d| xs[offs[d]..offs[d + 1]].to_vec()));
        let sys = FeSystem { codes, sw, w, sx: &sx };
        let cg = demean_cg::solve(&sys, x, &mut alpha, opts.tol, opts.maxiter.max(1));
        for i in 0..n {
            out[i] = x[i] - (0..q).map(|d| alpha[d][codes[d][i] as usize]).sum::<f64>();
        }
        return DemeanInfo { iterations, converged: cg.converged, krylov_iterations: cg.iterations };
    }
    for i in 0..n {
        let mut v = x[i] - alpha0[codes[0][i] as usize];
        for d in 1..q {
            v -= xs[offs[d] + codes[d][i] as usize];
        }
        out[i] = v;
    }
    DemeanInfo { iterations, converged, krylov_iterations: 0 }
}

/// Iterations between two looks at the convergence rate.
const STALL_EVERY: usize = 50;
/// Iterations of alternating projections beyond which the conjugate gradient is preferred.
const STALL_BUDGET: usize = 1_000;

/// The stall rule. Every [`STALL_EVERY`] iterations, the largest coefficient change `d`
/// (fixest's criterion, see [`change`]) is compared with the one [`STALL_EVERY`] iterations
/// earlier: the rate per iteration `ρ = (d / d_prev)^(1/STALL_EVERY)` projects the iterations
/// still needed to reach `tol`, `ln(tol / d) / ln ρ`. The projections have stalled when `ρ ≥ 1`
/// or when the projected total exceeds [`STALL_BUDGET`] or `maxiter`. A well-connected design
/// (balanced panels: one sweep is exact) converges before the first look, so its path is
/// unchanged.
#[derive(Default)]
struct StallWatch {
    prev: Option<f64>,
}

impl StallWatch {
    fn stalled(&mut self, iterations: usize, d: f64, opts: &DemeanOptions) -> bool {
        if !opts.krylov || !(d > opts.tol) {
            return false;
        }
        let Some(prev) = self.prev.replace(d) else { return false };
        let rate = (d / prev).powf(1.0 / STALL_EVERY as f64);
        if !(rate < 1.0) {
            return true;
        }
        let more = (opts.tol / d).ln() / rate.ln();
        iterations as f64 + more > STALL_BUDGET.min(opts.maxiter) as f64
    }
}

/// Largest coefficient change, each measured as `min(|a − b|, |a − b| / (0.1 + |a|))`.
fn change(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| {
        let d = (x - y).abs();
        d.min(d / (0.1 + x.abs()))
    }).fold(0.0, f64::max)
}

/// Marks observations to keep after iteratively removing singletons (levels
/// with a single observation in any dimension), as fixest/reghdfe do.
/// Returns the mask and the number removed.
pub fn singleton_mask(dims: &[(&[u32], usize)]) -> (Vec<bool>, usize) {
    let n = dims.first().map_or(0, |d| d.0.len());
    let mut keep = vec![true; n];
    let mut counts: Vec<Vec<usize>> = dims
        .iter()
        .map(|(c, k)| {
            let mut v = vec![0usize; *k];
            for &g in c.iter() {
                v[g as usize] += 1;
            }
            v
        })
        .collect();
    let mut removed = 0;
    if counts.iter().all(|c| c.iter().all(|&k| k != 1)) {
        return (keep, removed);
    }
    loop {
        let mut changed = false;
        for i in 0..n {
            if keep[i] && dims.iter().enumerate().any(|(d, (c, _))| counts[d][c[i] as usize] == 1) {
                keep[i] = false;
                removed += 1;
                changed = true;
                for (d, (c, _)) in dims.iter().enumerate() {
                    counts[d][c[i] as usize] -= 1;
                }
            }
        }
        if !changed {
            break;
        }
    }
    (keep, removed)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Brute force: residual of the regression on all dummies (Householder QR).
    pub(crate) fn brute(codes: &[Vec<u32>], k: &[usize], w: Option<&[f64]>, x: &[f64]) -> Vec<f64> {
        let n = x.len();
        let sw: Vec<f64> = (0..n).map(|i| w.map_or(1.0, |w| w[i]).sqrt()).collect();
        let mut cols = Vec::new();
        for (c, &kk) in codes.iter().zip(k) {
            for l in 0..kk {
                cols.push((0..n).map(|i| if c[i] as usize == l { sw[i] } else { 0.0 }).collect::<Vec<f64>>());
            }
        }
        let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
        let norms: Vec<f64> = refs.iter().map(|c| crate::linalg::qr::norm(c, None)).collect();
        let qr = crate::linalg::qr::Qr::new(&refs, &norms, 1e-9);
        let xw: Vec<f64> = (0..n).map(|i| x[i] * sw[i]).collect();
        qr.residual(&xw).iter().zip(&sw).map(|(r, s)| r / s).collect()
    }

    #[test]
    fn matches_dummy_regression() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for &(q, n) in &[(1usize, 50usize), (2, 80), (3, 120)] {
            let k: Vec<usize> = (0..q).map(|d| 3 + 4 * d).collect();
            let codes: Vec<Vec<u32>> =
                k.iter().map(|&kk| (0..n).map(|i| if i < kk { i as u32 } else { rng.random_range(0..kk as u32) }).collect()).collect();
            let x: Vec<f64> = (0..n).map(|_| rng.random::<f64>() * 10.0).collect();
            let w: Vec<f64> = (0..n).map(|_| 0.5 + rng.random::<f64>()).collect();
            for wopt in [None, Some(w.as_slice())] {
                let refs: Vec<&[u32]> = codes.iter().map(|c| c.as_slice()).collect();
                let mut out = vec![0.0; n];
                let info = demean_slice(&refs, &k, wopt, &x, &mut out, &DemeanOptions { tol: 1e-13, maxiter: 10_000, krylov: true });
                assert!(info.converged);
                let b = brute(&codes, &k, wopt, &x);
                for i in 0..n {
                    assert!((out[i] - b[i]).abs() < 1e-8, "q={q} i={i} {} {}", out[i], b[i]);
                }
            }
        }
    }

    #[test]
    fn singletons_iterative() {
        // unit 2 has one obs -> removed; then year 2 has one obs left -> removed
        let unit = [0u32, 0, 1, 1, 2, 1];
        let year = [0u32, 1, 0, 1, 2, 2];
        let (keep, r) = singleton_mask(&[(&unit, 3), (&year, 3)]);
        assert_eq!(r, 2);
        assert_eq!(keep, vec![true, true, true, true, false, false]);
    }

    #[test]
    fn fe_coefficient_count() {
        let fe = FixedEffects::new(
            vec![("a".into(), vec![0, 0, 1, 1, 2, 2], 3), ("b".into(), vec![0, 1, 0, 1, 2, 2], 3)],
            None,
        )
        .unwrap();
        // two components: {a0,a1,b0,b1}, {a2,b2}: exact count 4,
        // fixest/pyfixest default count 3 + 3 - 1 = 5
        assert_eq!(fe.n_coefficients_exact(), 4);
        assert_eq!(fe.n_coefficients(), 5);
        let three = FixedEffects::new(
            vec![
                ("a".into(), vec![0, 0, 1, 1], 2),
                ("b".into(), vec![0, 1, 0, 1], 2),
                ("c".into(), vec![0, 1, 2, 0], 3),
            ],
            None,
        )
        .unwrap();
        assert_eq!(three.n_coefficients(), 5);
        let one = FixedEffects::new(vec![("a".into(), vec![0, 1, 1], 2)], None).unwrap();
        assert_eq!(one.n_coefficients(), 2);
    }
}
