//! Krylov fallback of the fixed-effect demeaning: preconditioned conjugate gradient on the
//! normal equations of all fixed-effect coefficients,
//!
//! `D'WD α = D'Wx`,   `x̃ = x − Dα`,
//!
//! with `D` the dummies of every dimension stacked (`Σ_q levels` columns) and the diagonal
//! (Jacobi) preconditioner `M = diag(D'WD)` = the weight sum of each level (pyfixest's
//! `within`, reghdfe's `cg`). `D'WD` is singular (one null direction per connected component
//! beyond the first dimension), but the system is consistent and CG started anywhere keeps the
//! null-space part of the start fixed, so `Dα` — hence `x̃` — converges to the unique
//! projection. CG needs about `√κ` iterations where alternating projections need about `κ`
//! (`κ` the condition number of the preconditioned graph Laplacian), which is what makes it the
//! better method on poorly connected fixed-effect graphs (a long chain of movers between firms).
//!
//! Stopping rule: the preconditioned residual `r'M⁻¹r = Σ_levels (Σ_{i∈level} wᵢ x̃ᵢ)² / w_level`
//! (the level means of the current residual, weighted) is below `(tol · 10⁻³)² · Σ wᵢ e₀ᵢ²`,
//! `e₀` the residual at the warm start.

/// Outcome of the solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CgOutcome {
    pub iterations: usize,
    pub converged: bool,
}

/// The problem: the codes and level weight sums of each dimension, the observation weights
/// and the weighted level sums of `x` (the right-hand side `D'Wx`).
pub(crate) struct FeSystem<'a> {
    pub codes: &'a [&'a [u32]],
    pub sw: &'a [&'a [f64]],
    pub w: Option<&'a [f64]>,
    pub sx: &'a [Vec<f64>],
}

impl FeSystem<'_> {
    /// `fit_i = Σ_q α_q[c_q(i)]`.
    fn fitted(&self, alpha: &[Vec<f64>], fit: &mut [f64]) {
        fit.iter_mut().for_each(|f| *f = 0.0);
        for (c, a) in self.codes.iter().zip(alpha) {
            for (f, &g) in fit.iter_mut().zip(c.iter()) {
                *f += a[g as usize];
            }
        }
    }

    /// `out = D'W v` (weighted level sums of `v`, every dimension).
    fn transpose(&self, v: &[f64], out: &mut [Vec<f64>]) {
        for (c, o) in self.codes.iter().zip(out.iter_mut()) {
            o.iter_mut().for_each(|s| *s = 0.0);
            match self.w {
                Some(w) => c.iter().zip(v).zip(w).for_each(|((&g, &x), &wi)| o[g as usize] += wi * x),
                None => c.iter().zip(v).for_each(|(&g, &x)| o[g as usize] += x),
            }
        }
    }

    /// `Σ_levels a·b` over all dimensions.
    fn dot(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
        a.iter().zip(b).map(|(x, y)| x.iter().zip(y).map(|(p, q)| p * q).sum::<f64>()).sum()
    }

    /// `z = M⁻¹ r` (zero for a level without weight).
    fn precondition(&self, r: &[Vec<f64>], z: &mut [Vec<f64>]) {
        for ((zq, rq), sq) in z.iter_mut().zip(r).zip(self.sw) {
            for ((zl, &rl), &sl) in zq.iter_mut().zip(rq).zip(sq.iter()) {
                *zl = if sl > 0.0 { rl / sl } else { 0.0 };
            }
        }
    }
}

/// Solves for `alpha` (all dimensions, warm-started with the values given) by preconditioned
/// conjugate gradient, at most `maxiter` iterations.
pub(crate) fn solve(sys: &FeSystem, x: &[f64], alpha: &mut [Vec<f64>], tol: f64, maxiter: usize) -> CgOutcome {
    let n = x.len();
    let mut fit = vec![0.0; n];
    sys.fitted(alpha, &mut fit);
    let ssr0: f64 = match sys.w {
        Some(w) => x.iter().zip(&fit).zip(w).map(|((a, f), wi)| wi * (a - f) * (a - f)).sum(),
        None => x.iter().zip(&fit).map(|(a, f)| (a - f) * (a - f)).sum(),
    };
    let zeros = || -> Vec<Vec<f64>> { alpha.iter().map(|a| vec![0.0; a.len()]).collect() };
    // r = D'Wx − D'WDα
    let mut r = zeros();
    sys.transpose(&fit, &mut r);
    for (rq, bq) in r.iter_mut().zip(sys.sx) {
        for (rl, &bl) in rq.iter_mut().zip(bq) {
            *rl = bl - *rl;
        }
    }
    let mut z = zeros();
    sys.precondition(&r, &mut z);
    let mut rz = FeSystem::dot(&r, &z);
    let target = (tol * 1e-3).powi(2) * ssr0;
    if !(rz > target) {
        return CgOutcome { iterations: 0, converged: rz.is_finite() };
    }
    let mut p = z.clone();
    let mut ap = zeros();
    for it in 1..=maxiter {
        sys.fitted(&p, &mut fit);
        sys.transpose(&fit, &mut ap);
        let pap = FeSystem::dot(&p, &ap);
        if !(pap > 0.0) {
            return CgOutcome { iterations: it, converged: false };
        }
        let step = rz / pap;
        for q in 0..alpha.len() {
            for l in 0..alpha[q].len() {
                alpha[q][l] += step * p[q][l];
                r[q][l] -= step * ap[q][l];
            }
        }
        sys.precondition(&r, &mut z);
        let rz_new = FeSystem::dot(&r, &z);
        if rz_new <= target {
            return CgOutcome { iterations: it, converged: true };
        }
        let beta = rz_new / rz;
        rz = rz_new;
        for q in 0..p.len() {
            for l in 0..p[q].len() {
                p[q][l] = z[q][l] + beta * p[q][l];
            }
        }
    }
    CgOutcome { iterations: maxiter, converged: false }
}

#[cfg(test)]
mod tests {
    use crate::linalg::demean::{demean_slice, DemeanOptions};
    use nalgebra::{DMatrix, DVector};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Worker–firm panel: `firms` firms in a chain, each with `stayers` workers observed
    /// `periods` times at that firm, and one mover per link who works `periods / 2` periods at
    /// firm k and the rest at firm k + 1 — the firms are connected only through that chain.
    fn mover_chain(firms: usize, stayers: usize, periods: usize) -> (Vec<u32>, Vec<u32>, usize) {
        let (mut worker, mut firm) = (Vec::new(), Vec::new());
        let mut next = 0u32;
        for f in 0..firms {
            for _ in 0..stayers {
                for _ in 0..periods {
                    worker.push(next);
                    firm.push(f as u32);
                }
                next += 1;
            }
            if f + 1 < firms {
                for t in 0..periods {
                    worker.push(next);
                    firm.push((f + usize::from(t >= periods / 2)) as u32);
                }
                next += 1;
            }
        }
        (worker, firm, next as usize)
    }

    /// Dense weighted least squares on the dummies (workers, firms but the first), by QR.
    fn dense(worker: &[u32], firm: &[u32], nw: usize, nf: usize, w: &[f64], x: &[f64]) -> Vec<f64> {
        let n = x.len();
        let k = nw + nf - 1;
        let mut d = DMatrix::<f64>::zeros(n, k);
        for i in 0..n {
            let s = w[i].sqrt();
            d[(i, worker[i] as usize)] = s;
            if firm[i] > 0 {
                d[(i, nw + firm[i] as usize - 1)] = s;
            }
        }
        let b = DVector::from_iterator(n, (0..n).map(|i| x[i] * w[i].sqrt()));
        // thin QR: the fitted values are Q Qᵀ b (D has full column rank: the chain is connected)
        let q = d.qr().q();
        let fit = &q * (q.transpose() * &b);
        (0..n).map(|i| x[i] - fit[i] / w[i].sqrt()).collect()
    }

    #[test]
    fn mover_chain_converges_to_the_exact_projection_where_projections_crawl() {
        let firms = 250;
        let (worker, firm, nw) = mover_chain(firms, 1, 4);
        let n = worker.len();
        assert!(n > 1_500 && n < 2_500, "{n} rows");
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let x: Vec<f64> = (0..n).map(|i| firm[i] as f64 * 0.1 + rng.random::<f64>() * 10.0).collect();
        let wts: Vec<f64> = (0..n).map(|_| 0.5 + rng.random::<f64>()).collect();
        let codes: [&[u32]; 2] = [&worker, &firm];
        let levels = [nw, firms];
        let opts = DemeanOptions::default();
        for weighted in [false, true] {
            let w = weighted.then_some(wts.as_slice());
            let ones = vec![1.0; n];
            let exact = dense(&worker, &firm, nw, firms, w.unwrap_or(&ones), &x);
            let scale = exact.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let mut out = vec![0.0; n];
            let info = demean_slice(&codes, &levels, w, &x, &mut out, &opts);
            assert!(info.converged && info.krylov_iterations > 0, "{info:?}");
            let err = out.iter().zip(&exact).fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
            assert!(err <= 1e-8 * scale, "weighted {weighted}: max error {err:e} (scale {scale})");
            // alternating projections alone
            let mut ap = vec![0.0; n];
            let old = demean_slice(&codes, &levels, w, &x, &mut ap, &DemeanOptions { krylov: false, maxiter: 1_000_000, ..opts });
            let used = info.iterations + info.krylov_iterations;
            eprintln!("weighted {weighted}: projections alone {old:?}; with the fallback {info:?}; error {err:e}");
            assert!(old.converged && old.iterations > 4 * used, "{old:?} vs {info:?}");
        }
    }
}
