//! The optimal fixed-length confidence interval (FLCI) under `Δ^SD(M)` (Rambachan & Roth 2023,
//! §3.2; Armstrong & Kolesár), HonestDiD's `findOptimalFLCI`.
//!
//! An affine estimator `v'β̂ = l_pre'β̂_pre + l'β̂_post` of `θ = l'τ_post` has standard deviation
//! `h = √(v'Σv)` and, over `Δ^SD(M)`, worst-case bias `M·b(w)` with `w` the cumulative sums of
//! `l_pre` (`l_pre = (w₁, w₂ − w₁, …)`), `Σw = Σ_t t·l_t`, and
//!
//! `b(w) = Σ_{s=1}^{T̄} |Σ_{j=1}^{s} j·l_{T̄−s+j}| − Σ_t t·l_t + Σ_k |Σ_{i≤k} w_i|`.
//!
//! The interval `v'β̂ ± h·cv_α(M·b/h)`, `cv_α(μ)` the `1 − α` quantile of `|N(μ, 1)|`, has
//! coverage `1 − α` over `Δ^SD(M)`. For each `h`, the smallest bias `b*(h)` with `sd ≤ h` is a
//! second-order cone program (solved by Clarabel); the half-length `h·cv_α(M·b*(h)/h)` is then
//! minimised over `h ∈ [h_min, h₀]` (`h_min`: the minimum-variance estimator, a QP; `h₀`: the
//! minimum-bias one, `w = (0, …, 0, Σ t·l_t)`) by golden-section search to
//! `min((h₀ − h_min)/100, 10⁻⁶·h₀)`, as moderndid 0.2 does (HonestDiD 0.2.8 bisects a numerical
//! derivative instead). `cv_α` is computed exactly (HonestDiD simulates it with 10⁶ draws).
//!
//! With `M = 0` the bias term vanishes and the FLCI is `v'β̂ ± z_{1−α/2}·h_min`: the
//! minimum-variance estimator that is unbiased under linear trends.

use super::lp::{Program, Soc};
use super::rm::EventStudy;
use crate::error::{Error, Result};
use crate::inference::dist::{norm_cdf, norm_quantile};
use nalgebra::{DMatrix, DVector};

/// The matrices of the FLCI problems for one event study.
struct Flci<'a> {
    es: &'a EventStudy,
    /// `Σ = FF'`.
    factor: DMatrix<f64>,
    /// `Σ_t t·l_t`.
    target: f64,
    /// The constant of `b(w)`.
    bias_constant: f64,
}

impl<'a> Flci<'a> {
    fn new(es: &'a EventStudy) -> Flci<'a> {
        let l = &es.l_vec;
        let nq = l.len();
        let target: f64 = (0..nq).map(|t| (t + 1) as f64 * l[t]).sum();
        let head: f64 = (1..=nq).map(|s| (1..=s).map(|j| j as f64 * l[nq - s + j - 1]).sum::<f64>().abs()).sum();
        Flci { es, factor: super::arp::psd_factor(&es.sigma), target, bias_constant: head - target }
    }

    /// `v = (D w, l)` as an affine map of `w`: `(S, c₀)` with `v = S w + c₀`.
    fn v_map(&self) -> (DMatrix<f64>, DVector<f64>) {
        let (np, nq) = (self.es.num_pre, self.es.num_post);
        let mut s = DMatrix::zeros(np + nq, np);
        for i in 0..np {
            s[(i, i)] = 1.0;
            if i > 0 {
                s[(i, i - 1)] = -1.0;
            }
        }
        let mut c0 = DVector::zeros(np + nq);
        for t in 0..nq {
            c0[np + t] = self.es.l_vec[t];
        }
        (s, c0)
    }

    /// Standard deviation of `v'β̂` for weights `w`.
    fn sd_of_w(&self, w: &DVector<f64>) -> f64 {
        let (s, c0) = self.v_map();
        let v = s * w + c0;
        (v.transpose() * &self.es.sigma * &v)[(0, 0)].max(0.0).sqrt()
    }

    /// `h₀`: the standard deviation of the minimum-bias estimator.
    fn h_min_bias(&self) -> f64 {
        let np = self.es.num_pre;
        let mut w = DVector::zeros(np);
        w[np - 1] = self.target;
        self.sd_of_w(&w)
    }

    /// `h_min`: the smallest standard deviation with `Σw = target` (a QP in `w`).
    fn h_min_variance(&self) -> Option<f64> {
        let np = self.es.num_pre;
        let (s, c0) = self.v_map();
        let sigma = &self.es.sigma;
        let p = (s.transpose() * sigma * &s) * 2.0;
        let q = (s.transpose() * sigma * &c0) * 2.0;
        let mut prog = Program::new(q).eq(DMatrix::from_element(1, np, 1.0), DVector::from_element(1, self.target));
        prog.p = Some(p);
        let sol = prog.solve()?;
        let w = DVector::from_vec(sol.x);
        Some(self.sd_of_w(&w))
    }

    /// `b*(h)` and its `l_pre`: the smallest worst-case bias (per unit of `M`) with `sd ≤ h`.
    fn min_bias(&self, h: f64) -> Option<(f64, DVector<f64>)> {
        let np = self.es.num_pre;
        // x = (U, w): min ΣU s.t. ±cumsum(w) ≤ U, Σw = target, ‖F'(S w + c₀)‖ ≤ h.
        let mut c = DVector::zeros(2 * np);
        c.rows_mut(0, np).fill(1.0);
        let mut a = DMatrix::zeros(2 * np, 2 * np);
        for k in 0..np {
            for (blk, sign) in [(0, 1.0), (np, -1.0)] {
                a[(blk + k, k)] = -1.0;
                for i in 0..=k {
                    a[(blk + k, np + i)] = sign;
                }
            }
        }
        let mut eq = DMatrix::zeros(1, 2 * np);
        eq.columns_mut(np, np).fill(1.0);
        let (s, c0) = self.v_map();
        let ft = self.factor.transpose();
        let mut g = DMatrix::zeros(ft.nrows(), 2 * np);
        g.columns_mut(np, np).copy_from(&(&ft * s));
        let soc = Soc { f: DVector::zeros(2 * np), t: h, g, h: -(&ft * c0) };
        let mut prog = Program::new(c).ub(a, DVector::zeros(2 * np)).eq(eq, DVector::from_element(1, self.target));
        prog.socs.push(soc);
        let sol = prog.solve()?;
        let w = DVector::from_iterator(np, sol.x[np..].iter().copied());
        let l_pre = DVector::from_fn(np, |i, _| if i == 0 { w[0] } else { w[i] - w[i - 1] });
        Some((self.bias_constant + sol.obj, l_pre))
    }

    /// Half-length at `h` for smoothness `m`, with the estimator's `l_pre`.
    fn half_length(&self, h: f64, m: f64, alpha: f64) -> Option<(f64, DVector<f64>)> {
        let (b, l_pre) = self.min_bias(h)?;
        Some((folded_normal_quantile(1.0 - alpha, m * b / h) * h, l_pre))
    }
}

/// The `p` quantile of `|N(μ, 1)|`.
pub(crate) fn folded_normal_quantile(p: f64, mu: f64) -> f64 {
    let mu = mu.abs();
    if mu == 0.0 {
        return norm_quantile((1.0 + p) / 2.0);
    }
    let cdf = |x: f64| norm_cdf(x - mu) - norm_cdf(-x - mu);
    let mut hi = mu + 8.0;
    while cdf(hi) < p {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-15 * hi.max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The optimal FLCI for `θ` under `Δ^SD(m)`: `(lower, upper)`.
pub(crate) fn optimal_flci(es: &EventStudy, m: f64, alpha: f64) -> Result<(f64, f64)> {
    let f = Flci::new(es);
    let fail = || Error::numerical(format!("the FLCI optimisation failed for M = {m}"));
    let h0 = f.h_min_bias();
    let hmin = f.h_min_variance().ok_or_else(fail)?.min(h0);
    let h = golden_section(hmin, h0, |h| f.half_length(h, m, alpha).map(|r| r.0));
    let (half, l_pre) = match h.and_then(|h| f.half_length(h, m, alpha)) {
        Some(r) => r,
        None => grid_search(&f, hmin, h0, m, alpha).ok_or_else(fail)?,
    };
    let np = es.num_pre;
    let point: f64 = (0..np).map(|i| l_pre[i] * es.betahat[i]).sum::<f64>() + es.theta_hat();
    Ok((point - half, point + half))
}

/// Golden-section minimisation of a convex `f` on `[a, b]` (moderndid's `_optimize_h_bisection`).
fn golden_section(a: f64, b: f64, mut f: impl FnMut(f64) -> Option<f64>) -> Option<f64> {
    let tol = ((b - a) / 100.0).min(b.abs() * 1e-6);
    let phi = (1.0 + 5f64.sqrt()) / 2.0;
    let (mut lo, mut hi) = (a, b);
    let mut x1 = hi - (hi - lo) / phi;
    let mut x2 = lo + (hi - lo) / phi;
    let (mut f1, mut f2) = (f(x1)?, f(x2)?);
    let mut iters = 0;
    while (hi - lo).abs() > tol && iters < 500 {
        iters += 1;
        if f1 < f2 {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - (hi - lo) / phi;
            f1 = f(x1)?;
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + (hi - lo) / phi;
            f2 = f(x2)?;
        }
    }
    Some((lo + hi) / 2.0)
}

/// Fallback: the best of 100 evenly spaced `h` (HonestDiD's grid search).
fn grid_search(f: &Flci, a: f64, b: f64, m: f64, alpha: f64) -> Option<(f64, DVector<f64>)> {
    (0..100)
        .filter_map(|i| f.half_length(a + (b - a) * i as f64 / 99.0, m, alpha))
        .min_by(|x, y| x.0.total_cmp(&y.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> EventStudy {
        // Two pre-periods (−2, −1), one post-period (1).
        let sigma = DMatrix::from_row_slice(3, 3, &[0.04, 0.01, 0.005, 0.01, 0.03, 0.008, 0.005, 0.008, 0.05]);
        EventStudy { betahat: DVector::from_vec(vec![0.05, -0.02, 0.3]), sigma, num_pre: 2, num_post: 1, l_vec: vec![1.0], first_s: 0 }
    }

    /// Brute force over `w₁` (`w₂ = 1 − w₁`): the smallest half-length and its `w₁`.
    fn brute(es: &EventStudy, m: f64, alpha: f64) -> (f64, f64) {
        let mut best = (f64::INFINITY, 0.0);
        for i in 0..=120_000 {
            let w1 = -3.0 + 6.0 * i as f64 / 120_000.0;
            let v = DVector::from_vec(vec![w1, 1.0 - 2.0 * w1, 1.0]);
            let h = (v.transpose() * &es.sigma * &v)[(0, 0)].sqrt();
            let half = folded_normal_quantile(1.0 - alpha, m * (w1.abs() + 1.0) / h) * h;
            if half < best.0 {
                best = (half, w1);
            }
        }
        best
    }

    #[test]
    fn honest_flci_length_matches_brute_force() {
        let es = tiny();
        for m in [0.0, 0.02, 0.1, 0.5] {
            let (lo, hi) = optimal_flci(&es, m, 0.05).expect("solved");
            let (half, _) = brute(&es, m, 0.05);
            let got = (hi - lo) / 2.0;
            assert!((got - half).abs() <= 1e-5 * half, "M = {m}: half-length {got}, brute force {half}");
        }
    }

    #[test]
    fn honest_flci_m0_is_unbiased_under_linear_trends() {
        // With M = 0 the interval does not move when a linear trend through the reference
        // period (δ_t = c·t) is added to β̂, and its half-length is z·h_min.
        let es = tiny();
        let (lo, hi) = optimal_flci(&es, 0.0, 0.05).expect("solved");
        let mut shifted = tiny();
        for (i, t) in [-2.0, -1.0, 1.0].into_iter().enumerate() {
            shifted.betahat[i] += 0.7 * t;
        }
        let (lo2, hi2) = optimal_flci(&shifted, 0.0, 0.05).expect("solved");
        assert!((lo - lo2).abs() < 1e-7 && (hi - hi2).abs() < 1e-7, "{lo} {hi} vs {lo2} {hi2}");
        let hmin = Flci::new(&es).h_min_variance().expect("solved");
        // The golden-section search stops within 10⁻⁶·h₀ of h_min.
        assert!(((hi - lo) / 2.0 - 1.959963984540054 * hmin).abs() < 1e-5 * hmin);
    }

    #[test]
    fn honest_folded_normal_quantile() {
        assert!((folded_normal_quantile(0.95, 0.0) - 1.959963984540054).abs() < 1e-9);
        // For large μ, |N(μ,1)| ≈ N(μ,1): quantile ≈ μ + z_p.
        assert!((folded_normal_quantile(0.95, 10.0) - (10.0 + 1.6448536269514722)).abs() < 1e-8);
        let q = folded_normal_quantile(0.9, 1.3);
        assert!(((norm_cdf(q - 1.3) - norm_cdf(-q - 1.3)) - 0.9).abs() < 1e-12);
    }
}
