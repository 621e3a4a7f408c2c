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
//! eigenvalues, each end moved inwards by machine epsilon as spatialreg does (an end
//! without a real eigenvalue of that sign is ∓1/spectral radius). For complex eigenvalues
//! spatialreg takes `1/range(Re λ)` over all of them instead; a complex pair never makes
//! `I − ρW` singular for real ρ, so our interval can be wider at an end, and the two agree
//! whenever the estimate is interior. The
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
    /// What `1'A⁻¹1` and `1'A⁻¹W1` are computed from without factorising `A`.
    totals: Totals,
    lu: RefCell<LuCache>,
}

/// The pieces of `1'(I − ρW)⁻¹1` and `1'(I − ρW)⁻¹W1` that do not depend on ρ.
#[derive(Debug)]
enum Totals {
    /// `W = D^{-1/2} Q Λ Q' D^{1/2}`: `(λ_i, (1'D^{-1/2}q_i)(q_i'D^{1/2}1))`, so that
    /// `1'A⁻¹1 = Σ c_i/(1 − ρλ_i)` and `1'A⁻¹W1 = Σ c_i λ_i/(1 − ρλ_i)`.
    Spectral(Vec<(f64, f64)>),
    /// Real Schur form `W = Q T Q'` (T upper quasi-triangular), `u = Q'1`:
    /// `1'A⁻¹1 = u'x`, `1'A⁻¹W1 = u'Tx` with `(I − ρT)x = u` (a back substitution).
    Schur { t: DMatrix<f64>, u: DVector<f64> },
}

/// Deflation tolerance of the Schur iterations, relative to ‖W‖∞ (see [`decompose`]); at
/// `f64::EPSILON` nalgebra's iterations stagnate on weight matrices, at 1e-13 they converge
/// and the log-determinant keeps about 12 significant digits.
const SCHUR_EPS: f64 = 1e-13;

/// Eigenvalues `(re, im)`, whether they are real by construction, and the totals' pieces;
/// `None` when the QR iterations do not converge within [`max_sweeps`], or when W is not
/// similar to a symmetric matrix and has more than `asymmetric_max_n` units.
fn decompose(w: &SpatialWeights, dense: &DMatrix<f64>, asymmetric_max_n: usize) -> Option<(Vec<(f64, f64)>, bool, Totals)> {
    let n = dense.nrows();
    if let Some((s, d)) = symmetrised(w) {
        let e = nalgebra::SymmetricEigen::try_new(s, f64::EPSILON, max_sweeps(n))?;
        let eig = e.eigenvalues.iter().map(|&l| (l, 0.0)).collect();
        let spectral = (0..n)
            .map(|i| {
                let q = e.eigenvectors.column(i);
                let left: f64 = q.iter().zip(&d).map(|(v, di)| v / di.sqrt()).sum();
                let right: f64 = q.iter().zip(&d).map(|(v, di)| v * di.sqrt()).sum();
                (e.eigenvalues[i], left * right)
            })
            .collect();
        return Some((eig, true, Totals::Spectral(spectral)));
    }
    if n > asymmetric_max_n {
        return None;
    }
    // nalgebra deflates when a subdiagonal entry is below eps·(|t_ii| + |t_jj|): relative
    // to the diagonal, so (near-)zero eigenvalues, common in weight matrices, never deflate
    // and the iterations never end. Decomposing W + cI with c = 2‖W‖∞ (every eigenvalue's
    // real part then at least ‖W‖∞) makes the test relative to the matrix's norm, as
    // LAPACK's is; the Schur vectors are W's, and T_W = T − cI.
    let c = 2.0 * dense.row_iter().map(|r| r.iter().map(|v| v.abs()).sum::<f64>()).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    let shifted = dense + DMatrix::identity(n, n) * c;
    let schur = nalgebra::Schur::try_new(shifted, SCHUR_EPS, max_sweeps(n))?;
    let eig = schur.complex_eigenvalues().iter().map(|z| (z.re - c, z.im)).collect();
    let (q, t) = schur.unpack();
    let t = t - DMatrix::identity(n, n) * c;
    let u = q.transpose() * DVector::from_element(n, 1.0);
    Some((eig, false, Totals::Schur { t, u }))
}

/// `(I − ρT)⁻¹u` for `T` upper quasi-triangular (1×1 and 2×2 diagonal blocks, found as
/// nalgebra's `complex_eigenvalues` finds them); `None` when a block is singular.
fn quasi_triangular_solve(t: &DMatrix<f64>, rho: f64, u: &DVector<f64>) -> Option<DVector<f64>> {
    let n = t.nrows();
    let mut blocks = Vec::new();
    let mut m = 0;
    while m < n {
        let two = m + 1 < n && t[(m + 1, m)] != 0.0;
        blocks.push((m, if two { 2 } else { 1 }));
        m += if two { 2 } else { 1 };
    }
    let a = |i: usize, j: usize| f64::from(u8::from(i == j)) - rho * t[(i, j)];
    let mut x = DVector::zeros(n);
    for &(s, len) in blocks.iter().rev() {
        let rhs = |i: usize, x: &DVector<f64>| u[i] - ((s + len)..n).map(|j| a(i, j) * x[j]).sum::<f64>();
        if len == 1 {
            let d = a(s, s);
            if d == 0.0 {
                return None;
            }
            x[s] = rhs(s, &x) / d;
        } else {
            let (r0, r1) = (rhs(s, &x), rhs(s + 1, &x));
            let (a00, a01, a10, a11) = (a(s, s), a(s, s + 1), a(s + 1, s), a(s + 1, s + 1));
            let det = a00 * a11 - a01 * a10;
            if det == 0.0 {
                return None;
            }
            x[s] = (r0 * a11 - a01 * r1) / det;
            x[s + 1] = (a00 * r1 - a10 * r0) / det;
        }
    }
    Some(x)
}

/// Most QR sweeps the eigen solvers may take (LAPACK's limit, 30 per eigenvalue; nalgebra's
/// solvers have no limit of their own and can cycle for ever).
fn max_sweeps(n: usize) -> usize {
    30 * n.max(10)
}

impl EigenOperator {
    /// Computes the eigenvalues of `w` (O(n³); meant for n up to a few thousand); an error
    /// naming the sparse method when they do not converge.
    pub fn new(w: &SpatialWeights) -> Result<EigenOperator> {
        Self::try_new(w, usize::MAX)?.ok_or_else(|| {
            Error::numerical(
                "the eigenvalues of the weight matrix did not converge; use method \"sparse\" (exact log-determinant by sparse LU, no eigenvalues needed)",
            )
        })
    }

    /// As [`EigenOperator::new`], `None` when the eigenvalue iterations do not converge
    /// within a bounded number of sweeps, or when W is not similar to a symmetric matrix and
    /// has more than `asymmetric_max_n` units (the caller may then use the sparse operator).
    pub fn try_new(w: &SpatialWeights, asymmetric_max_n: usize) -> Result<Option<EigenOperator>> {
        let n = w.n();
        if n < 2 {
            return Err(Error::insufficient("a spatial model needs at least two units"));
        }
        let dense = w.to_dmatrix();
        if dense.iter().any(|v| !v.is_finite()) {
            return Err(Error::numerical("the weight matrix has a non-finite weight"));
        }
        let Some((eig, real, totals)) = decompose(w, &dense, asymmetric_max_n) else {
            return Ok(None);
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
        Ok(Some(EigenOperator { w: dense, eig, real, interval, totals, lu: RefCell::new(None) }))
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

/// `D^{1/2} W D^{-1/2}` and the diagonal of `D` when `W = D⁻¹B` with `B` symmetric (see
/// the module docs).
fn symmetrised(w: &SpatialWeights) -> Option<(DMatrix<f64>, Vec<f64>)> {
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
    Some(((s + st) * 0.5, d))
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
    fn total_sums(&self, rho: f64, _w_ones: &[f64]) -> Result<(f64, f64)> {
        let singular = || Error::numerical(format!("I − ρW is singular at ρ = {rho}"));
        match &self.totals {
            Totals::Spectral(c) => Ok(c.iter().fold((0.0, 0.0), |(a, b), &(l, ci)| {
                let r = ci / (1.0 - rho * l);
                (a + r, b + r * l)
            })),
            Totals::Schur { t, u } => {
                let x = quasi_triangular_solve(t, rho, u).ok_or_else(singular)?;
                Ok((u.dot(&x), u.dot(&(t * &x))))
            }
        }
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

    /// Dense `(1'A⁻¹1, 1'A⁻¹W1)` to check `total_sums` against.
    fn dense_sums(w: &SpatialWeights, rho: f64) -> (f64, f64) {
        let n = w.n();
        let a = DMatrix::identity(n, n) - w.to_dmatrix() * rho;
        let ai = a.try_inverse().expect("invertible");
        let ones = DVector::from_element(n, 1.0);
        ((&ai * &ones).sum(), (&ai * (w.to_dmatrix() * &ones)).sum())
    }

    #[test]
    fn even_directed_cycles_terminate_and_sum_exactly() {
        // A directed 4-cycle (eigenvalues ±1, ±i: equal moduli) made nalgebra's unbounded
        // Schur iterations cycle for ever; now they are bounded and, in `Auto`, fall back
        // to the sparse operator.
        for n in [4usize, 6, 8] {
            let units = (0..n).map(|i| format!("u{i}")).collect();
            let rows = (0..n).map(|i| vec![((i + 1) % n, 1.0)]).collect();
            let w = SpatialWeights::from_rows(units, rows, Standardise::None).expect("cycle");
            let op = super::super::prepare(&w, super::super::LogdetMethod::Auto).expect("operator");
            let rho = 0.35;
            let a = DMatrix::identity(n, n) - w.to_dmatrix() * rho;
            assert!((op.log_det(rho) - a.determinant().abs().ln()).abs() < 1e-10, "n = {n}");
            let (s1, sw) = op.total_sums(rho, &w.lag(&vec![1.0; n])).expect("sums");
            let (d1, dw) = dense_sums(&w, rho);
            assert!((s1 - d1).abs() < 1e-9 && (sw - dw).abs() < 1e-9, "n = {n}: {s1} {sw} vs {d1} {dw}");
        }
    }

    #[test]
    fn total_sums_match_dense_algebra_for_both_decompositions() {
        // Binary path (symmetric: spectral form) and an asymmetric weighted pattern (Schur).
        let units: Vec<String> = (0..5).map(|i| format!("u{i}")).collect();
        let path = vec![vec![(1, 1.0)], vec![(0, 1.0), (2, 1.0)], vec![(1, 1.0), (3, 1.0)], vec![(2, 1.0), (4, 1.0)], vec![(3, 1.0)]];
        let skew = vec![vec![(1, 2.0), (3, 0.5)], vec![(2, 1.0)], vec![(0, 0.7), (4, 1.0)], vec![(1, 0.3)], vec![(0, 1.0), (2, 0.2)]];
        for rows in [path, skew] {
            let w = SpatialWeights::from_rows(units.clone(), rows, Standardise::None).expect("W");
            let op = EigenOperator::new(&w).expect("eigen");
            for rho in [-0.3, 0.2, 0.4] {
                let (s1, sw) = op.total_sums(rho, &w.lag(&[1.0; 5])).expect("sums");
                let (d1, dw) = dense_sums(&w, rho);
                assert!((s1 - d1).abs() < 1e-10 && (sw - dw).abs() < 1e-10, "{s1} {sw} vs {d1} {dw}");
            }
        }
    }

    #[test]
    fn eigen_beyond_its_hard_limit_is_refused_with_the_alternative() {
        let n = super::super::EIGEN_HARD_MAX_N + 1;
        let units = (0..n).map(|i| format!("u{i}")).collect();
        let rows = (0..n).map(|i| vec![((i + 1) % n, 0.5), ((i + n - 1) % n, 0.5)]).collect();
        let w = SpatialWeights::from_rows(units, rows, Standardise::Row).expect("ring");
        let e = super::super::prepare(&w, super::super::LogdetMethod::Eigen).err().expect("refused").to_string();
        assert!(e.contains("sparse"), "{e}");
    }
}
