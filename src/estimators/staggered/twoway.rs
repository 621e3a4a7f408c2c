//! Least squares with unit and period effects (and covariates) on a subset of a balanced
//! panel's observations — the first stage of the two-stage and imputation estimators.
//!
//! The model `yᵢₜ = aᵢ + c_t + xᵢₜ'β` (`c` for the first period fixed at 0) is fitted on the
//! observations in `used`. Its normal equations `M θ = b` have a diagonal unit block
//! (`nᵢ`, the number of used observations of unit `i`), so the unit effects are eliminated
//! exactly (Schur complement): with `zᵢₜ` the period dummies and covariates and
//! `Bᵢ = Σₜ zᵢₜ`, `S = Σ zz' − Σᵢ BᵢBᵢ'/nᵢ`, `c,β = S⁺(b_z − Σᵢ Bᵢ b_aᵢ/nᵢ)` and
//! `aᵢ = (b_aᵢ − Bᵢ'(c,β))/nᵢ`. `S⁺` is a pseudo-inverse by eigen-decomposition (relative
//! tolerance `dim·ε`), as `did2s`'s `robust_solve_XtX` falls back to. Every right-hand side
//! `b = Σ_obs w_obs x_obs` for any weights over observations can be solved, which gives the
//! first-stage fit and the projections the variances need. A period without any used
//! observation has no effect to estimate; callers leave its observations out first.

use nalgebra::{DMatrix, DVector};

/// The used observations and the factorised normal equations.
pub(crate) struct TwoWay<'a> {
    n: usize,
    nt: usize,
    /// Covariates per period, `n × p` row-major with an intercept first (ignored here).
    x: &'a [Vec<f64>],
    p: usize,
    count: Vec<f64>,
    /// `Bᵢ` per unit (length `m` each).
    b: Vec<DVector<f64>>,
    s_pinv: DMatrix<f64>,
}

/// Coefficients: unit effects, then `(c_1.., β)`.
pub(crate) struct Coefs {
    pub a: Vec<f64>,
    pub cz: DVector<f64>,
}

impl<'a> TwoWay<'a> {
    /// `used[i * nt + t]` marks the observations of the fit.
    pub fn new(n: usize, nt: usize, x: &'a [Vec<f64>], p: usize, used: &'a [bool]) -> TwoWay<'a> {
        let m = nt - 1 + (p - 1);
        let mut tw = TwoWay { n, nt, x, p, count: vec![0.0; n], b: vec![DVector::zeros(m); n], s_pinv: DMatrix::zeros(m, m) };
        let mut c = DMatrix::<f64>::zeros(m, m);
        for i in 0..n {
            for t in 0..nt {
                if !used[i * nt + t] {
                    continue;
                }
                let z = tw.z(i, t);
                tw.count[i] += 1.0;
                tw.b[i] += &z;
                c += &z * z.transpose();
            }
        }
        for i in 0..n {
            if tw.count[i] > 0.0 {
                c -= &tw.b[i] * tw.b[i].transpose() / tw.count[i];
            }
        }
        tw.s_pinv = pinv(&c);
        tw
    }

    fn m(&self) -> usize {
        self.nt - 1 + (self.p - 1)
    }

    /// `z` of observation (i, t): period dummies (first period dropped) and covariates.
    fn z(&self, i: usize, t: usize) -> DVector<f64> {
        let mut z = DVector::zeros(self.m());
        if t > 0 {
            z[t - 1] = 1.0;
        }
        let row = &self.x[t][i * self.p..(i + 1) * self.p];
        for j in 1..self.p {
            z[self.nt - 1 + j - 1] = row[j];
        }
        z
    }

    /// Solves the normal equations for `b = Σ_obs w(i, t) x(i, t)` over the observations with
    /// `w ≠ 0` (any observations, used or not).
    pub fn solve(&self, w: impl Fn(usize, usize) -> f64) -> Coefs {
        let mut ba = vec![0.0; self.n];
        let mut bz = DVector::zeros(self.m());
        for i in 0..self.n {
            for t in 0..self.nt {
                let wi = w(i, t);
                if wi != 0.0 {
                    ba[i] += wi;
                    bz += self.z(i, t) * wi;
                }
            }
        }
        let mut rhs = bz;
        for i in 0..self.n {
            if self.count[i] > 0.0 {
                rhs -= &self.b[i] * (ba[i] / self.count[i]);
            }
        }
        let cz = &self.s_pinv * rhs;
        let a = (0..self.n)
            .map(|i| if self.count[i] > 0.0 { (ba[i] - self.b[i].dot(&cz)) / self.count[i] } else { f64::NAN })
            .collect();
        Coefs { a, cz }
    }

    /// The fitted value `aᵢ + c_t + x'β` at (i, t).
    pub fn predict(&self, c: &Coefs, i: usize, t: usize) -> f64 {
        c.a[i] + self.z(i, t).dot(&c.cz)
    }
}

/// Moore–Penrose inverse of a symmetric matrix.
fn pinv(m: &DMatrix<f64>) -> DMatrix<f64> {
    let k = m.nrows();
    if k == 0 {
        return DMatrix::zeros(0, 0);
    }
    let eig = m.clone().symmetric_eigen();
    let top = eig.eigenvalues.iter().fold(0.0f64, |a, &e| a.max(e.abs()));
    let tol = top * k as f64 * f64::EPSILON;
    let mut out = DMatrix::zeros(k, k);
    for (j, &e) in eig.eigenvalues.iter().enumerate() {
        if e.abs() > tol {
            let v = eig.eigenvectors.column(j);
            out += v * v.transpose() / e;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a full balanced panel without covariates the fit is the two-way decomposition:
    /// residuals y − ȳᵢ − ȳₜ + ȳ.
    #[test]
    fn balanced_two_way_residuals() {
        let (n, nt) = (3, 4);
        let y: Vec<f64> = (0..n * nt).map(|k| ((k * 7 + 3) % 11) as f64).collect();
        let x: Vec<Vec<f64>> = vec![vec![1.0; n]; nt];
        let used = vec![true; n * nt];
        let tw = TwoWay::new(n, nt, &x, 1, &used);
        let c = tw.solve(|i, t| y[i * nt + t]);
        let yi: Vec<f64> = (0..n).map(|i| (0..nt).map(|t| y[i * nt + t]).sum::<f64>() / nt as f64).collect();
        let yt: Vec<f64> = (0..nt).map(|t| (0..n).map(|i| y[i * nt + t]).sum::<f64>() / n as f64).collect();
        let yb = y.iter().sum::<f64>() / (n * nt) as f64;
        for i in 0..n {
            for t in 0..nt {
                let want = yi[i] + yt[t] - yb;
                assert!((tw.predict(&c, i, t) - want).abs() < 1e-12);
            }
        }
    }
}
