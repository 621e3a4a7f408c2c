//! The exact operator of `A(ρ) = I − ρW` from the eigenvalues of `W` (spatialreg's
//! `method = "eigen"`), for small and medium `n`.
//!
//! Eigenvalues: when `W` is symmetric, or similar to a symmetric matrix — `W = D⁻¹B`
//! with `B` symmetric and `D` diagonal positive, the case of every row-standardised
//! matrix built from symmetric links (contiguity, inverse distance, …) — they are the
//! eigenvalues of the symmetric `D^{1/2} W D^{-1/2}` and exactly real (spatialreg's
//! `similar.listw` route; `D` is recovered from `W` itself: `d_i w_ij = d_j w_ji`).
//! Otherwise they are the complex eigenvalues of the real Schur form of `W`.
//!
//! `log|I − ρW| = Σ log|1 − ρλ|`, the interval is `(1/λ_min, 1/λ_max)` over the real
//! eigenvalues (as spatialreg, which then moves each end inwards by machine epsilon;
//! an end without a real eigenvalue of that sign is ∓1/spectral radius), the
//! traces are `Σ 1/(1 − ρλ)`, `Σ λ/(1 − ρλ)` and `Σ (λ/(1 − ρλ))²` (real parts), and
//! solves use a dense LU of `I − ρW`, kept for the last ρ.

use std::cell::RefCell;

use nalgebra::{DMatrix, DVector};

use super::{SpatialOperator, Traces};
use crate::error::{Error, Result};
use crate::estimators::spatial::SpatialWeights;

/// The LU factorisation of `I − ρW` at the last ρ solved for.
type LuCache = Option<(f64, nalgebra::LU<f64, nalgebra::Dyn, nalgebra::Dyn>)>;

/// `I − ρW` through the eigenvalues of `W` (exact).
#[derive(Debug)]
pub struct EigenOperator {
    w: DMatrix<f64>,
    /// Eigenvalues `(re, im)`.
    eig: Vec<(f64, f64)>,
    /// True when the eigenvalues came from a symmetric (or symmetrised) matrix.
    real: bool,
    interval: (f64, f64),
    lu: RefCell<LuCache>,
}

impl EigenOperator {
    /// Computes the eigenvalues of `w` (O(n³); meant for n up to a few thousand).
    pub fn new(w: &SpatialWeights) -> Result<EigenOperator> {
        let n = w.n();
        if n < 2 {
            return Err(Error::insufficient("a spatial model needs at least two units"));
        }
        let dense = w.to_dmatrix();
        let (eig, real) = match symmetrised(w) {
            Some(s) => (s.symmetric_eigenvalues().iter().map(|&l| (l, 0.0)).collect::<Vec<_>>(), true),
            None => (dense.clone().complex_eigenvalues().iter().map(|c| (c.re, c.im)).collect(), false),
        };
        if eig.iter().any(|(re, im)| !re.is_finite() || !im.is_finite()) {
            return Err(Error::numerical("the eigenvalues of the weight matrix could not be computed"));
        }
        let scale = eig.iter().map(|(re, im)| re.hypot(*im)).fold(0.0, f64::max);
        let tol = if real { 0.0 } else { 1e-10 * scale.max(1.0) };
        let reals: Vec<f64> = eig.iter().filter(|(_, im)| im.abs() <= tol).map(|(re, _)| *re).collect();
        let lo = reals.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = reals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if scale.is_nan() || scale <= 0.0 {
            return Err(Error::invalid("the weight matrix has no non-zero eigenvalue (is it all zeros?)"));
        }
        // Without a negative (positive) real eigenvalue, the end is −1/r (1/r), r the
        // spectral radius: I − ρW is invertible for |ρ| r < 1.
        let lo = if lo < 0.0 { lo } else { -scale };
        let hi = if hi > 0.0 { hi } else { scale };
        let interval = (1.0 / lo + f64::EPSILON, 1.0 / hi - f64::EPSILON);
        Ok(EigenOperator { w: dense, eig, real, interval, lu: RefCell::new(None) })
    }

    /// The eigenvalues `(re, im)` of `W`.
    pub fn eigenvalues(&self) -> &[(f64, f64)] {
        &self.eig
    }

    /// True when every eigenvalue is real by construction (symmetric or symmetrised `W`).
    pub fn is_real(&self) -> bool {
        self.real
    }

    /// `Σ f(1 − ρλ, λ)` over the eigenvalues, real part, with complex arithmetic.
    fn sum_re(&self, rho: f64, f: impl Fn(nalgebra::Complex<f64>, nalgebra::Complex<f64>) -> nalgebra::Complex<f64>) -> f64 {
        self.eig
            .iter()
            .map(|&(re, im)| {
                let l = nalgebra::Complex::new(re, im);
                f(nalgebra::Complex::new(1.0, 0.0) - l * rho, l).re
            })
            .sum()
    }
}

/// `D^{1/2} W D^{-1/2}` when `W = D⁻¹B` with `B` symmetric (see the module docs).
fn symmetrised(w: &SpatialWeights) -> Option<DMatrix<f64>> {
    let n = w.n();
    let mut d = vec![f64::NAN; n];
    for start in 0..n {
        if !d[start].is_nan() {
            continue;
        }
        d[start] = 1.0;
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            for (j, wij) in w.row(i) {
                let wji = w.get(j, i);
                if wji == 0.0 || wij / wji <= 0.0 {
                    return None;
                }
                let dj = d[i] * wij / wji;
                if d[j].is_nan() {
                    d[j] = dj;
                    stack.push(j);
                } else if (d[j] - dj).abs() > 1e-10 * d[j].abs() {
                    return None;
                }
            }
        }
    }
    let mut s = DMatrix::zeros(n, n);
    for i in 0..n {
        for (j, wij) in w.row(i) {
            s[(i, j)] = (d[i] / d[j]).sqrt() * wij;
        }
    }
    // Exact symmetry for the symmetric eigen solver.
    let st = s.transpose();
    Some((s + st) * 0.5)
}

impl SpatialOperator for EigenOperator {
    fn n(&self) -> usize {
        self.w.nrows()
    }
    fn log_det(&self, rho: f64) -> f64 {
        self.eig.iter().map(|&(re, im)| (1.0 - rho * re).hypot(rho * im).ln()).sum()
    }
    fn interval(&self) -> (f64, f64) {
        self.interval
    }
    fn traces(&self, rho: f64) -> Traces {
        Traces {
            inv: self.sum_re(rho, |a, _| a.inv()),
            w_inv: self.sum_re(rho, |a, l| l / a),
            w_inv_sq: self.sum_re(rho, |a, l| (l / a) * (l / a)),
        }
    }
    fn solve(&self, rho: f64, b: &[f64]) -> Result<Vec<f64>> {
        let n = self.n();
        if b.len() != n {
            return Err(Error::invalid(format!("solve: vector of length {} for {n} units", b.len())));
        }
        let mut cache = self.lu.borrow_mut();
        let fresh = !matches!(cache.as_ref(), Some((r, _)) if *r == rho);
        if fresh {
            let a = DMatrix::identity(n, n) - &self.w * rho;
            *cache = Some((rho, a.lu()));
        }
        let lu = match cache.as_ref() {
            Some((_, lu)) => lu,
            None => return Err(Error::numerical("solve: no factorisation")),
        };
        lu.solve(&DVector::from_column_slice(b))
            .map(|x| x.as_slice().to_vec())
            .ok_or_else(|| Error::numerical(format!("I − ρW is singular at ρ = {rho}")))
    }
    fn exact(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimators::spatial::Standardise;

    #[test]
    fn log_det_and_traces_match_dense_algebra() {
        // A path of 4 units, row-standardised (not symmetric, but similar to symmetric).
        let units = (0..4).map(|i| format!("u{i}")).collect();
        let rows = vec![vec![(1, 1.0)], vec![(0, 0.5), (2, 0.5)], vec![(1, 0.5), (3, 0.5)], vec![(2, 1.0)]];
        let w = SpatialWeights::from_rows(units, rows, Standardise::Row).expect("path");
        let op = EigenOperator::new(&w).expect("eigen");
        assert!(op.is_real());
        let rho = 0.4;
        let a = DMatrix::identity(4, 4) - w.to_dmatrix() * rho;
        assert!((op.log_det(rho) - a.determinant().abs().ln()).abs() < 1e-12);
        let ai = a.clone().try_inverse().expect("invertible");
        let wai = w.to_dmatrix() * &ai;
        let t = op.traces(rho);
        assert!((t.inv - ai.trace()).abs() < 1e-12);
        assert!((t.w_inv - wai.trace()).abs() < 1e-12);
        assert!((t.w_inv_sq - (&wai * &wai).trace()).abs() < 1e-12);
        let x = op.solve(rho, &[1.0, 2.0, 3.0, 4.0]).expect("solve");
        let back = &a * DVector::from_column_slice(&x);
        assert!((back[2] - 3.0).abs() < 1e-12);
        // Eigenvalues of a row-standardised matrix lie in [-1, 1]: interval ⊇ (-1, 1).
        let (lo, hi) = op.interval();
        assert!((hi - 1.0).abs() < 1e-12 && lo <= -1.0 + 1e-12);
    }

    #[test]
    fn asymmetric_pattern_uses_complex_eigenvalues() {
        // A directed 3-cycle has complex eigenvalues e^{±2πi/3}.
        let units = (0..3).map(|i| format!("u{i}")).collect();
        let rows = vec![vec![(1, 1.0)], vec![(2, 1.0)], vec![(0, 1.0)]];
        let w = SpatialWeights::from_rows(units, rows, Standardise::Row).expect("cycle");
        let op = EigenOperator::new(&w).expect("eigen");
        assert!(!op.is_real());
        let a = DMatrix::identity(3, 3) - w.to_dmatrix() * 0.3;
        assert!((op.log_det(0.3) - a.determinant().abs().ln()).abs() < 1e-12);
        let ai = a.try_inverse().expect("invertible");
        assert!((op.traces(0.3).inv - ai.trace()).abs() < 1e-12);
        let (lo, hi) = op.interval();
        assert!((lo + 1.0).abs() < 1e-9 && (hi - 1.0).abs() < 1e-9, "{lo} {hi}");
    }
}
