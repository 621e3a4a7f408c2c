//! The conditional and hybrid moment-inequality test of Andrews, Roth & Pakes (ARP) with
//! linear nuisance parameters, as HonestDiD uses it to build confidence sets for
//! `θ = l'τ_post` under `δ ∈ Δ = {δ : Aδ ≤ d}`.
//!
//! # Change of basis
//! With `Γ` invertible and `l'` its first row (the other rows unit vectors, leaving out the
//! one at `l`'s largest component, as moderndid does), `A_post Γ⁻¹ = [ã₁, X̃]`. Testing
//! `θ = θ̄` is testing `E[Ỹ(θ̄) − X̃ τ̃] ≤ 0` for some nuisance `τ̃`, with
//! `Ỹ(θ̄) = Aβ̂ − d − ã₁θ̄ ~ N(·, Σ_Y = AΣA')`.
//!
//! # The test
//! `η̂ = min η s.t. Ỹ − X̃τ̃ ≤ η σ̃` (`σ̃ = √diag Σ_Y`), a linear program whose multipliers `γ`
//! satisfy `γ ≥ 0`, `γ'σ̃ = 1`, `γ'X̃ = 0`. Conditional on the binding set, `η̂/σ_B` is a normal
//! truncated to `[v_lo, v_up]`; the test rejects when it exceeds `max(0, c)` with `c` the
//! `1 − α` quantile of that truncated normal.
//!
//! * **Primal** (binding set of `k + 1` moments with full-rank `X̃_B`): `v_lo`, `v_up` in closed
//!   form from the non-binding moments (ARP's Lemma).
//! * **Dual** (degenerate or rank-deficient): `v_lo`, `v_up` by the bisection of ARP's
//!   Appendix D on `c ↦ max{γ's + γ'Σγ̃ c/γ̃'Σγ̃ : W'γ = e₁, γ ≥ 0}` ([`super::arp_dual`]).
//!
//! # Least-favourable hybrid (HonestDiD's `C-LF`, `hybrid_flag = "LF"`)
//! A first stage of size `κ` (default `α/10`) rejects when `η̂ > c_LF`, the `1 − κ` quantile
//! of `η̂` under `Ỹ ~ N(0, Σ_Y)` (1000 simulated draws, linear-interpolated quantile, fixed seed).
//! Otherwise the conditional test runs at size `(α − κ)/(1 − κ)` with `v_up` capped at `c_LF`.
//! The draws are this crate's (ChaCha8, seed 0), not R's or NumPy's: `c_LF` is a Monte-Carlo
//! number, so an interval end can differ from HonestDiD's by one grid step in rare cases.
//!
//! # Interval from the grid
//! `θ` runs over an evenly spaced grid; the accepted set is found as moderndid does: a first
//! accepted point from the middle outwards, then a binary search for each end (the set is
//! taken to be an interval).

use super::arp_dual::vlo_vup_dual;
use super::lp::Program;
use crate::inference::dist::{norm_cdf, norm_quantile};
use crate::inference::stats::quantile_type7;
use nalgebra::{DMatrix, DVector};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Multipliers above this count as binding (HonestDiD's `tol_lambda`).
const TOL_LAMBDA: f64 = 1e-6;
/// Draws of the least-favourable critical value (HonestDiD's `sims`).
pub(crate) const LF_SIMS: usize = 1000;

/// The solution of `η̂ = min η s.t. y − Xδ ≤ η σ̃` at a vertex.
#[derive(Debug, Clone)]
pub(crate) struct EtaLp {
    pub eta: f64,
    /// Multipliers `γ` (one per moment).
    pub lambda: DVector<f64>,
}

/// `W = [σ̃, X]`.
fn w_matrix(sd: &DVector<f64>, x: &DMatrix<f64>) -> DMatrix<f64> {
    let mut w = DMatrix::zeros(x.nrows(), x.ncols() + 1);
    w.column_mut(0).copy_from(sd);
    w.columns_mut(1, x.ncols()).copy_from(x);
    w
}

fn sd_of(sigma: &DMatrix<f64>) -> DVector<f64> {
    DVector::from_iterator(sigma.nrows(), (0..sigma.nrows()).map(|i| sigma[(i, i)].max(0.0).sqrt()))
}

/// Solves the `η̂` program and moves its multipliers to a vertex of the dual (what a simplex
/// solver returns): among the moments with the smallest slack, the `k + 1` with the largest
/// multipliers whose `W_B` is invertible and give `γ_B = W_B'⁻¹e₁ ≥ 0`.
pub(crate) fn eta_lp(y: &DVector<f64>, x: &DMatrix<f64>, sigma: &DMatrix<f64>) -> Option<EtaLp> {
    let w = w_matrix(&sd_of(sigma), x);
    let mut c = DVector::zeros(w.ncols());
    c[0] = 1.0;
    let sol = Program::new(c).ub(-&w, -y).solve()?;
    let lambda = DVector::from_vec(sol.duals_ub);
    let eta = sol.x[0];
    Some(polish(y, &w, eta, lambda))
}

/// Vertex polish of an interior-point solution (see [`eta_lp`]); keeps the solver's values
/// when no vertex is found.
fn polish(y: &DVector<f64>, w: &DMatrix<f64>, eta: f64, lambda: DVector<f64>) -> EtaLp {
    let k1 = w.ncols();
    let mut order: Vec<usize> = (0..lambda.len()).collect();
    order.sort_by(|&a, &b| lambda[b].total_cmp(&lambda[a]));
    if order.len() < k1 {
        return EtaLp { eta, lambda };
    }
    let b: Vec<usize> = order[..k1].to_vec();
    let wb = DMatrix::from_fn(k1, k1, |i, j| w[(b[i], j)]);
    let Some(inv) = wb.clone().try_inverse() else { return EtaLp { eta, lambda } };
    let mut e1 = DVector::zeros(k1);
    e1[0] = 1.0;
    let gamma_b = inv.transpose() * e1;
    let primal = &inv * DVector::from_fn(k1, |i, _| y[b[i]]);
    let scale = lambda.amax().max(1.0);
    let feasible = (0..y.len()).all(|i| y[i] - (w.row(i) * &primal)[(0, 0)] <= 1e-9 * (1.0 + y[i].abs()));
    if gamma_b.iter().any(|&g| g < -1e-9 * scale) || !feasible {
        return EtaLp { eta, lambda };
    }
    let mut exact = DVector::zeros(lambda.len());
    for (i, &r) in b.iter().enumerate() {
        exact[r] = gamma_b[i].max(0.0);
    }
    EtaLp { eta: primal[0], lambda: exact }
}

/// The `1 − κ` quantile of `η̂` when `Ỹ ~ N(0, Σ)` (HonestDiD's `.compute_least_favorable_cv`).
pub(crate) fn least_favorable_cv(x: &DMatrix<f64>, sigma: &DMatrix<f64>, kappa: f64, seed: u64) -> Option<f64> {
    let factor = psd_factor(sigma);
    let w = w_matrix(&sd_of(sigma), x);
    let mut c = DVector::zeros(w.ncols());
    c[0] = 1.0;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = sigma.nrows();
    let mut etas = Vec::with_capacity(LF_SIMS);
    for _ in 0..LF_SIMS {
        let z = DVector::from_iterator(n, (0..n).map(|_| std_normal(&mut rng)));
        let xi = &factor * z;
        if let Some(sol) = Program::new(c.clone()).ub(-&w, -xi).solve() {
            etas.push(sol.x[0]);
        }
    }
    if etas.is_empty() {
        return None;
    }
    etas.sort_by(f64::total_cmp);
    Some(quantile_type7(&etas, 1.0 - kappa))
}

/// `F` with `FF' = Σ` for a positive semi-definite `Σ` (negative eigenvalues set to 0).
pub(crate) fn psd_factor(sigma: &DMatrix<f64>) -> DMatrix<f64> {
    let sym = (sigma + sigma.transpose()) * 0.5;
    let eig = sym.symmetric_eigen();
    let mut f = eig.eigenvectors.clone();
    for (j, &l) in eig.eigenvalues.iter().enumerate() {
        let s = l.max(0.0).sqrt();
        f.column_mut(j).scale_mut(s);
    }
    f
}

/// A standard normal draw (Box–Muller).
pub(crate) fn std_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// The `p` quantile of a standard normal truncated to `[lo, hi]` (stable in the upper tail).
pub(crate) fn trunc_norm_quantile(p: f64, lo: f64, hi: f64) -> f64 {
    if p <= 0.0 {
        return lo;
    }
    if p >= 1.0 {
        return hi;
    }
    let q = if lo > 0.0 {
        // Work with survival probabilities: Φ̄(x) = Φ(−x).
        let (sl, su) = (norm_cdf(-lo), norm_cdf(-hi));
        -norm_quantile(sl - p * (sl - su))
    } else {
        let (pl, pu) = (norm_cdf(lo), norm_cdf(hi));
        norm_quantile(pl + p * (pu - pl))
    };
    if q.is_nan() {
        return if lo.is_finite() { lo } else { hi };
    }
    q.clamp(lo, hi)
}

/// The hybrid settings of one test.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hybrid {
    /// First-stage size `κ`.
    pub kappa: f64,
    /// Least-favourable critical value `c_LF`.
    pub lf_cv: f64,
}

/// ARP's LF-hybrid test of `E[y − Xδ] ≤ 0`; `true` = reject.
pub(crate) fn lf_test(y: &DVector<f64>, x: &DMatrix<f64>, sigma: &DMatrix<f64>, alpha: f64, hybrid: Hybrid) -> bool {
    let Some(lp) = eta_lp(y, x, sigma) else { return false };
    if lp.eta > hybrid.lf_cv {
        return true;
    }
    let size = (alpha - hybrid.kappa) / (1.0 - hybrid.kappa);
    let k = x.ncols();
    let binding: Vec<usize> = (0..lp.lambda.len()).filter(|&i| lp.lambda[i] > TOL_LAMBDA).collect();
    let degenerate = binding.len() != k + 1;
    let full_rank = !binding.is_empty() && {
        let xb = DMatrix::from_fn(binding.len(), k, |i, j| x[(binding[i], j)]);
        xb.rank(1e-10 * xb.amax().max(1e-300)) == binding.len().min(k)
    };
    let (eta, zlo, zup) = if !full_rank || degenerate {
        match dual_bounds(y, x, sigma, &lp) {
            DualOutcome::Degenerate => return lp.eta > 0.0,
            DualOutcome::Bounds { sigma_b, vlo, vup } => (lp.eta / sigma_b, vlo / sigma_b, vup.min(hybrid.lf_cv) / sigma_b),
        }
    } else {
        match primal_bounds(y, x, sigma, &binding) {
            Some((sigma_b, vlo, vup)) => (lp.eta / sigma_b, vlo / sigma_b, vup.min(hybrid.lf_cv) / sigma_b),
            None => return false,
        }
    };
    if !(zlo <= eta && eta <= zup) {
        return false;
    }
    eta > trunc_norm_quantile(1.0 - size, zlo, zup).max(0.0)
}

/// `(σ_B, v_lo, v_up)` of the primal approach for the binding set `b` (`k + 1` moments).
fn primal_bounds(y: &DVector<f64>, x: &DMatrix<f64>, sigma: &DMatrix<f64>, b: &[usize]) -> Option<(f64, f64, f64)> {
    let w = w_matrix(&sd_of(sigma), x);
    let m = y.len();
    let nb: Vec<usize> = (0..m).filter(|i| !b.contains(i)).collect();
    let wb = DMatrix::from_fn(b.len(), w.ncols(), |i, j| w[(b[i], j)]);
    let inv = wb.try_inverse()?;
    // v_B = S_B' W_B^{-T} e₁.
    let mut v = DVector::zeros(m);
    for (i, &r) in b.iter().enumerate() {
        v[r] = inv[(0, i)];
    }
    let sigma2 = (v.transpose() * sigma * &v)[(0, 0)];
    if sigma2.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let sigma_b = sigma2.sqrt();
    let sv = sigma * &v / sigma2;
    let vy = v.dot(y);
    let (mut vlo, mut vup) = (f64::NEG_INFINITY, f64::INFINITY);
    for &r in &nb {
        // Row r of Γ_B = W_{Bc} W_B⁻¹ S_B − S_{Bc}.
        let coef = w.row(r) * &inv;
        let mut g = DVector::zeros(m);
        for (i, &bi) in b.iter().enumerate() {
            g[bi] = coef[(0, i)];
        }
        g[r] -= 1.0;
        let rho = g.dot(&sv);
        let val = -g.dot(y) / rho + vy;
        if rho > 0.0 {
            vlo = vlo.max(val);
        } else if rho < 0.0 {
            vup = vup.min(val);
        }
    }
    Some((sigma_b, vlo, vup))
}

enum DualOutcome {
    /// `γ'Σγ` is 0 to machine precision: reject iff `η̂ > 0`.
    Degenerate,
    Bounds { sigma_b: f64, vlo: f64, vup: f64 },
}

fn dual_bounds(y: &DVector<f64>, x: &DMatrix<f64>, sigma: &DMatrix<f64>, lp: &EtaLp) -> DualOutcome {
    let gamma = &lp.lambda;
    let gsg = (gamma.transpose() * sigma * gamma)[(0, 0)];
    if gsg.abs() < f64::EPSILON || gsg <= f64::EPSILON {
        return DualOutcome::Degenerate;
    }
    let w = w_matrix(&sd_of(sigma), x);
    let sg = sigma * gamma;
    let s = y - &sg * (gamma.dot(y) / gsg);
    let (vlo, vup) = vlo_vup_dual(lp.eta, &s, gamma, sigma, &w);
    DualOutcome::Bounds { sigma_b: gsg.sqrt(), vlo, vup }
}

/// `Γ` with `l'` as first row, then the unit vectors except the one at `l`'s largest `|l_i|`.
pub(crate) fn construct_gamma(l: &[f64]) -> Option<DMatrix<f64>> {
    let n = l.len();
    let drop = (0..n).max_by(|&a, &b| l[a].abs().total_cmp(&l[b].abs()).then(b.cmp(&a)))?;
    let mut g = DMatrix::zeros(n, n);
    for j in 0..n {
        g[(0, j)] = l[j];
    }
    let mut row = 1;
    for i in (0..n).filter(|&i| i != drop) {
        g[(row, i)] = 1.0;
        row += 1;
    }
    (g.determinant().abs() >= 1e-10).then_some(g)
}

/// First and last accepted grid index, assuming the accepted set is an interval (moderndid's
/// `_binary_search_ci_bounds`).
pub(crate) fn binary_search_bounds(n: usize, mut accept: impl FnMut(usize) -> bool) -> Option<(usize, usize)> {
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    let mut seed = None;
    if accept(mid) {
        seed = Some(mid);
    } else {
        for off in 1..n {
            if off <= mid && accept(mid - off) {
                seed = Some(mid - off);
                break;
            }
            if mid + off < n && accept(mid + off) {
                seed = Some(mid + off);
                break;
            }
            if off > mid && mid + off >= n {
                break;
            }
        }
    }
    let seed = seed?;
    let lb = if seed == 0 || !accept(0) {
        let (mut lo, mut hi) = (0, seed);
        while lo < hi {
            let m = (lo + hi) / 2;
            if accept(m) {
                hi = m;
            } else {
                lo = m + 1;
            }
        }
        lo
    } else {
        0
    };
    let ub = if seed == n - 1 || !accept(n - 1) {
        let (mut lo, mut hi) = (seed, n - 1);
        while lo < hi {
            let m = (lo + hi + 1) / 2;
            if accept(m) {
                lo = m;
            } else {
                hi = m - 1;
            }
        }
        lo
    } else {
        n - 1
    };
    Some((lb, ub))
}

/// The inputs of one ARP confidence set with nuisance parameters.
pub(crate) struct NuisanceProblem<'a> {
    pub betahat: &'a DVector<f64>,
    pub sigma: &'a DMatrix<f64>,
    pub l_vec: &'a [f64],
    pub a: &'a DMatrix<f64>,
    pub d: &'a DVector<f64>,
    pub num_pre: usize,
    /// Moments used by the test (HonestDiD's `rowsForARP`).
    pub rows: &'a [usize],
}

/// Accepted grid points of the LF-hybrid ARP confidence set (HonestDiD's `.ARP_computeCI`).
pub(crate) fn nuisance_accept(p: &NuisanceProblem, grid: &[f64], alpha: f64, kappa: f64, seed: u64) -> Option<Vec<bool>> {
    let npost = p.l_vec.len();
    let gamma = construct_gamma(p.l_vec)?;
    let gamma_inv = gamma.try_inverse()?;
    let a_post = p.a.columns(p.num_pre, npost).into_owned();
    let agi = a_post * gamma_inv;
    let rows = p.rows;
    let sub = |v: &DVector<f64>| DVector::from_iterator(rows.len(), rows.iter().map(|&r| v[r]));
    let a1 = sub(&agi.column(0).into_owned());
    let x = DMatrix::from_fn(rows.len(), npost - 1, |i, j| agi[(rows[i], j + 1)]);
    let y = sub(&(p.a * p.betahat - p.d));
    let sigma_y_full = p.a * p.sigma * p.a.transpose();
    let sigma_y = DMatrix::from_fn(rows.len(), rows.len(), |i, j| sigma_y_full[(rows[i], rows[j])]);
    let lf_cv = least_favorable_cv(&x, &sigma_y, kappa, seed)?;
    let hybrid = Hybrid { kappa, lf_cv };
    let mut accepted = vec![false; grid.len()];
    let bounds = binary_search_bounds(grid.len(), |i| {
        let yt = &y - &a1 * grid[i];
        !lf_test(&yt, &x, &sigma_y, alpha, hybrid)
    });
    if let Some((lo, hi)) = bounds {
        accepted[lo..=hi].iter_mut().for_each(|v| *v = true);
    }
    Some(accepted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honest_trunc_norm_quantile_matches_closed_forms() {
        assert!((trunc_norm_quantile(0.975, f64::NEG_INFINITY, f64::INFINITY) - 1.959963984540054).abs() < 1e-9);
        // Half-normal: the p quantile of N(0,1) on [0, ∞) is Φ⁻¹((1 + p)/2).
        assert!((trunc_norm_quantile(0.9, 0.0, f64::INFINITY) - norm_quantile(0.95)).abs() < 1e-9);
        // Deep upper tail stays inside the truncation interval.
        let q = trunc_norm_quantile(0.5, 9.0, 10.0);
        assert!(q > 9.0 && q < 9.2, "{q}");
    }

    #[test]
    fn honest_binary_search_finds_interval() {
        let acc = |i: usize| (23..=61).contains(&i);
        assert_eq!(binary_search_bounds(100, acc), Some((23, 61)));
        assert_eq!(binary_search_bounds(100, |i| i == 3), Some((3, 3)));
        assert_eq!(binary_search_bounds(100, |_| false), None);
        assert_eq!(binary_search_bounds(100, |_| true), Some((0, 99)));
    }

    #[test]
    fn honest_eta_lp_vertex_multipliers() {
        // y = (1, 0.5, −1), X = (1, −1, 0)', σ = I: min η with 1 − δ ≤ η, 0.5 + δ ≤ η, −1 ≤ η
        // ⇒ δ = 0.25, η = 0.75, γ = (0.5, 0.5, 0).
        let y = DVector::from_vec(vec![1.0, 0.5, -1.0]);
        let x = DMatrix::from_column_slice(3, 1, &[1.0, -1.0, 0.0]);
        let lp = eta_lp(&y, &x, &DMatrix::identity(3, 3)).expect("solved");
        assert!((lp.eta - 0.75).abs() < 1e-10);
        assert!((lp.lambda[0] - 0.5).abs() < 1e-10 && (lp.lambda[1] - 0.5).abs() < 1e-10 && lp.lambda[2] == 0.0);
    }

    #[test]
    fn honest_gamma_has_l_first() {
        let g = construct_gamma(&[0.0, 1.0, 0.0]).expect("invertible");
        assert_eq!(g.row(0).iter().copied().collect::<Vec<_>>(), vec![0.0, 1.0, 0.0]);
        assert!(g.determinant().abs() > 0.5);
    }
}
