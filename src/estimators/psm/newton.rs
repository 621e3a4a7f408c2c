//! The Newton–Raphson iterations of [`super::propensity`]: the log-likelihood, its gradient
//! and observed information, the scaled Newton step with step-halving, and the standard
//! errors at the optimum.
//!
//! One pass over the rows evaluates everything at a trial `β`: the linear predictor, the
//! log-likelihood and (for the rows with positive weight) the gradient and the packed lower
//! triangle of the information, so an accepted step needs no second pass, and the
//! information at the optimum, which the standard errors need, is already there. For up to
//! 8 columns the pass is compiled for the exact column count (unrolled loops, sums kept in
//! registers). Every sum adds the rows in order with the same products as a
//! row-by-row loop, so the results do not depend on the path taken.

use super::Link;
use crate::inference::normal;
use nalgebra::{DMatrix, DVector};

/// Per-row log-likelihood contribution, score factor `s` and weight `a`. Each transcendental
/// is evaluated once (logit: one `exp(−|η|)` shared by `μ` and the softplus; probit: one `Φ`
/// shared by `log Φ` and Mills' ratio, see [`normal::log_cdf_and_mills`]).
#[inline]
fn row_terms(link: Link, y: bool, eta: f64) -> (f64, f64, f64) {
    match link {
        Link::Logit => {
            let e = (-eta.abs()).exp();
            let mu = if eta >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) };
            // softplus(x) = max(x, 0) + ln(1 + e^{−|x|}), with x = ∓η
            let sp = |x: f64| if x > 0.0 { x + e.ln_1p() } else { e.ln_1p() };
            let ll = if y { -sp(-eta) } else { -sp(eta) };
            let s = if y { 1.0 - mu } else { -mu };
            (ll, s, mu * (1.0 - mu))
        }
        Link::Probit => {
            let q = if y { 1.0 } else { -1.0 };
            let z = q * eta;
            let (ll, lam) = normal::log_cdf_and_mills(z);
            (ll, q * lam, (lam * (z + lam)).max(0.0))
        }
    }
}

/// The data of a fit: the design matrix `x` (row-major `n × p`, intercept first), the
/// response and the weights (rows with `w = 0` are ignored).
pub(super) struct Problem<'a> {
    pub(super) link: Link,
    pub(super) x: &'a [f64],
    pub(super) n: usize,
    pub(super) p: usize,
    pub(super) y: &'a [bool],
    pub(super) w: &'a [f64],
}

/// The log-likelihood at one `β`, with its gradient `g` and the observed information as the
/// packed lower triangle `tri` (`p(p+1)/2` sums, row `j` holding columns `0..=j`).
pub(super) struct Eval {
    pub(super) ll: f64,
    g: Vec<f64>,
    pub(super) tri: Vec<f64>,
}

impl Eval {
    fn new(p: usize) -> Eval {
        Eval { ll: 0.0, g: vec![0.0; p], tri: vec![0.0; p * (p + 1) / 2] }
    }

    /// The information as a full symmetric matrix.
    fn information(&self, p: usize, h: &mut DMatrix<f64>) {
        let mut t = 0;
        for j in 0..p {
            for k in 0..=j {
                h[(j, k)] = self.tri[t];
                h[(k, j)] = self.tri[t];
                t += 1;
            }
        }
    }
}

/// Where the Newton iterations stopped.
pub(super) struct Newton {
    pub(super) beta: Vec<f64>,
    pub(super) eta: Vec<f64>,
    /// ℓ, gradient and information at `beta`.
    pub(super) eval: Eval,
    pub(super) iterations: usize,
    pub(super) converged: bool,
}

impl Problem<'_> {
    /// ℓ(β), its gradient and information into `ev`, the linear predictor into `eta`.
    fn evaluate(&self, beta: &[f64], eta: &mut [f64], ev: &mut Eval) {
        macro_rules! fixed {
            ($($p:literal)*) => {
                match self.p {
                    $($p => self.evaluate_fixed::<$p>(beta, eta, ev),)*
                    _ => self.evaluate_any(beta, eta, ev),
                }
            };
        }
        fixed!(1 2 3 4 5 6 7 8)
    }

    /// [`Problem::evaluate`] for exactly `P` columns.
    fn evaluate_fixed<const P: usize>(&self, beta: &[f64], eta: &mut [f64], ev: &mut Eval) {
        let mut b = [0.0; P];
        b.copy_from_slice(&beta[..P]);
        let (mut ll, mut g, mut h) = (0.0, [0.0; P], [[0.0; P]; P]);
        for (i, (row, e_out)) in self.x[..self.n * P].chunks_exact(P).zip(eta.iter_mut()).enumerate() {
            // (always a whole row: `chunks_exact`; the array type fixes the length for the compiler)
            let Ok(row) = <&[f64; P]>::try_from(row) else { continue };
            let e: f64 = row.iter().zip(&b).map(|(a, c)| a * c).sum();
            *e_out = e;
            let wi = self.w[i];
            if wi != 0.0 {
                let (l, s, a) = row_terms(self.link, self.y[i], e);
                ll += wi * l;
                let (ws, wa0) = (wi * s, wi * a);
                for j in 0..P {
                    g[j] += ws * row[j];
                    let wa = wa0 * row[j];
                    for k in 0..=j {
                        h[j][k] += wa * row[k];
                    }
                }
            }
        }
        ev.ll = ll;
        ev.g.copy_from_slice(&g);
        let mut t = 0;
        for (j, hj) in h.iter().enumerate() {
            ev.tri[t..t + j + 1].copy_from_slice(&hj[..=j]);
            t += j + 1;
        }
    }

    /// [`Problem::evaluate`] for any number of columns.
    fn evaluate_any(&self, beta: &[f64], eta: &mut [f64], ev: &mut Eval) {
        let p = self.p;
        let mut ll = 0.0;
        ev.g.iter_mut().for_each(|v| *v = 0.0);
        ev.tri.iter_mut().for_each(|v| *v = 0.0);
        for (i, (row, e_out)) in self.x.chunks_exact(p).zip(eta.iter_mut()).enumerate().take(self.n) {
            let e: f64 = row.iter().zip(beta).map(|(a, b)| a * b).sum();
            *e_out = e;
            let wi = self.w[i];
            if wi == 0.0 {
                continue;
            }
            let (l, s, a) = row_terms(self.link, self.y[i], e);
            ll += wi * l;
            let (ws, wa0) = (wi * s, wi * a);
            let mut t = 0;
            for j in 0..p {
                ev.g[j] += ws * row[j];
                let wa = wa0 * row[j];
                for (k, acc) in ev.tri[t..t + j + 1].iter_mut().enumerate() {
                    *acc += wa * row[k];
                }
                t += j + 1;
            }
        }
        ev.ll = ll;
    }

    /// The population SD of each column over the rows with positive weight (one pass for
    /// the sums, one for the squared deviations, each adding the rows in order).
    pub(super) fn column_sds(&self) -> Vec<f64> {
        let p = self.p;
        let mut sum = vec![0.0; p];
        let mut m = 0usize;
        for (row, &w) in self.x.chunks_exact(p).zip(&self.w[..self.n]) {
            if w > 0.0 {
                sum.iter_mut().zip(row).for_each(|(s, v)| *s += v);
                m += 1;
            }
        }
        let mean: Vec<f64> = sum.iter().map(|s| s / m as f64).collect();
        let mut ss = vec![0.0; p];
        for (row, &w) in self.x.chunks_exact(p).zip(&self.w[..self.n]) {
            if w > 0.0 {
                for j in 0..p {
                    ss[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
                }
            }
        }
        ss.iter().map(|s| (s / m as f64).sqrt()).collect()
    }
}

/// A trial point of the step-halving: β, η and the evaluation there.
struct Trial {
    beta: Vec<f64>,
    eta: Vec<f64>,
    eval: Eval,
}

/// Newton–Raphson with step-halving from `start` if it fits at least as well as the null
/// model (log-likelihood `loglik_null`), else from the null model (intercept at the link of
/// the treated share `pbar`): at most 200 iterations.
pub(super) fn newton(pr: &Problem, pbar: f64, start: Option<&[f64]>, loglik_null: f64) -> Newton {
    let p = pr.p;
    let mut cur = Trial { beta: vec![0.0; p], eta: vec![0.0; pr.n], eval: Eval::new(p) };
    let warm = start.is_some_and(|b| {
        pr.evaluate(b, &mut cur.eta, &mut cur.eval);
        cur.eval.ll.is_finite() && cur.eval.ll >= loglik_null
    });
    match start {
        Some(b) if warm => cur.beta.copy_from_slice(b),
        _ => {
            cur.beta[0] = match pr.link {
                Link::Logit => (pbar / (1.0 - pbar)).ln(),
                Link::Probit => crate::inference::dist::norm_quantile(pbar),
            };
            pr.evaluate(&cur.beta, &mut cur.eta, &mut cur.eval);
        }
    }
    let mut next = Trial { beta: vec![0.0; p], eta: vec![0.0; pr.n], eval: Eval::new(p) };
    let mut iterations = 0;
    let mut converged = false;
    let mut h = DMatrix::<f64>::zeros(p, p);
    for it in 0..200 {
        iterations = it + 1;
        cur.eval.information(p, &mut h);
        let g = DVector::from_column_slice(&cur.eval.g);
        let Some((step_s, gs, d)) = scaled_step(&h, &g) else { break };
        let step: Vec<f64> = (0..p).map(|j| step_s[j] / d[j]).collect();
        if !halve_step(pr, &cur, &step, &mut next) {
            break;
        }
        let dec: f64 = step_s.iter().zip(gs.iter()).map(|(a, b)| a * b).sum();
        std::mem::swap(&mut cur, &mut next);
        let (ll, dll) = (cur.eval.ll, cur.eval.ll - next.eval.ll);
        if dec.abs() < 1e-20 || (dll.abs() < 1e-13 * (ll.abs() + 1.0) && dec.abs() < 1e-12) {
            converged = true;
            break;
        }
    }
    let Trial { beta, eta, eval } = cur;
    Newton { beta, eta, eval, iterations, converged }
}

/// The Newton step in the scaled parameters: `H` scaled to unit diagonal by `d`, solved by
/// Cholesky; returns (scaled step, scaled gradient, `d`), None when `H` is not positive definite.
fn scaled_step(h: &DMatrix<f64>, g: &DVector<f64>) -> Option<(DVector<f64>, DVector<f64>, Vec<f64>)> {
    let p = g.len();
    let d: Vec<f64> = (0..p).map(|j| h[(j, j)].max(1e-300).sqrt()).collect();
    let mut hs = h.clone();
    for j in 0..p {
        for k in 0..p {
            hs[(j, k)] /= d[j] * d[k];
        }
    }
    let gs = DVector::from_iterator(p, (0..p).map(|j| g[j] / d[j]));
    let chol = hs.cholesky()?;
    Some((chol.solve(&gs), gs, d))
}

/// Step-halving: the first of `β + t·step`, `t = 1, ½, ¼, …` (60 tries) whose
/// log-likelihood does not decrease, evaluated into `next`; false when none does.
fn halve_step(pr: &Problem, cur: &Trial, step: &[f64], next: &mut Trial) -> bool {
    let ll = cur.eval.ll;
    let mut t = 1.0;
    for _ in 0..60 {
        for (nb, (b, st)) in next.beta.iter_mut().zip(cur.beta.iter().zip(step)) {
            *nb = b + t * st;
        }
        pr.evaluate(&next.beta, &mut next.eta, &mut next.eval);
        let new_ll = next.eval.ll;
        if new_ll.is_finite() && new_ll >= ll - 1e-12 * ll.abs().max(1.0) {
            return true;
        }
        t *= 0.5;
    }
    false
}

/// Standard errors from the observed information at the optimum (its lower triangle `tri`
/// packed as in [`Eval`]; NaN when it is singular).
pub(super) fn standard_errors(p: usize, tri: &[f64]) -> Vec<f64> {
    let mut h = DMatrix::<f64>::zeros(p, p);
    Eval { ll: 0.0, g: Vec::new(), tri: tri.to_vec() }.information(p, &mut h);
    let d: Vec<f64> = (0..p).map(|j| h[(j, j)].max(1e-300).sqrt()).collect();
    for j in 0..p {
        for k in 0..p {
            h[(j, k)] /= d[j] * d[k];
        }
    }
    match h.cholesky() {
        Some(c) => {
            let inv = c.inverse();
            (0..p).map(|j| inv[(j, j)].max(0.0).sqrt() / d[j]).collect()
        }
        None => vec![f64::NAN; p],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small design (intercept + 3 columns, one binary), a response and weights with zeros.
    fn data(n: usize) -> (Vec<f64>, Vec<bool>, Vec<f64>) {
        let mut x = Vec::new();
        let (mut y, mut w) = (Vec::new(), Vec::new());
        for i in 0..n {
            let t = i as f64;
            x.extend([1.0, (t * 0.37).sin() * 2.0, ((i * 7) % 5) as f64, (i % 3 == 0) as u8 as f64]);
            y.push((t * 0.91).cos() + 0.3 * x[4 * i + 1] > 0.1);
            w.push(if i % 11 == 0 { 0.0 } else { 1.0 + (i % 4) as f64 * 0.25 });
        }
        (x, y, w)
    }

    /// The pass compiled for the column count gives bit for bit what the general one gives.
    #[test]
    fn fixed_and_general_evaluations_agree() {
        let (x, y, w) = data(301);
        let beta = [-0.3, 0.7, -0.15, 0.4];
        for link in [Link::Logit, Link::Probit] {
            let pr = Problem { link, x: &x, n: 301, p: 4, y: &y, w: &w };
            let (mut e1, mut e2) = (vec![0.0; 301], vec![0.0; 301]);
            let (mut v1, mut v2) = (Eval::new(4), Eval::new(4));
            pr.evaluate(&beta, &mut e1, &mut v1);
            pr.evaluate_any(&beta, &mut e2, &mut v2);
            let bits = |v: &[f64]| v.iter().map(|a| a.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&e1), bits(&e2));
            assert_eq!(v1.ll.to_bits(), v2.ll.to_bits());
            assert_eq!(bits(&v1.g), bits(&v2.g));
            assert_eq!(bits(&v1.tri), bits(&v2.tri));
            assert!(v1.ll.is_finite() && v1.tri[0] > 0.0);
        }
    }

    /// Newton converges from the null model and from a warm start to the same optimum, where
    /// the gradient vanishes.
    #[test]
    fn newton_converges_from_either_start() {
        let (x, y, w) = data(400);
        let pr = Problem { link: Link::Probit, x: &x, n: 400, p: 4, y: &y, w: &w };
        let sw: f64 = w.iter().sum();
        let sy: f64 = (0..400).filter(|&i| y[i]).map(|i| w[i]).sum();
        let pbar = sy / sw;
        let l0 = sy * pbar.ln() + (sw - sy) * (1.0 - pbar).ln();
        let cold = newton(&pr, pbar, None, l0);
        assert!(cold.converged);
        let start: Vec<f64> = cold.beta.iter().map(|b| b * 0.9).collect();
        let warm = newton(&pr, pbar, Some(&start), l0);
        assert!(warm.converged);
        for j in 0..4 {
            assert!((cold.beta[j] - warm.beta[j]).abs() < 1e-9);
            assert!(cold.eval.g[j].abs() < 1e-6);
        }
        let se = standard_errors(4, &cold.eval.tri);
        assert!(se.iter().all(|s| s.is_finite() && *s > 0.0));
    }
}
