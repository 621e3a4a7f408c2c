//! Least squares by Householder QR with sequential collinearity detection.
//!
//! Columns are processed in the user's order. Before column `j` gets its
//! Householder reflector, the reflectors of the columns already kept are
//! applied to it; the norm of what remains (the part of column `j` orthogonal
//! to the kept columns) is compared with a reference norm (the column's norm
//! before fixed-effect demeaning / centring). If `remaining ≤ tol · reference`
//! the column is collinear and dropped — so, as in fixest, the *later* column
//! of a collinear set is the one removed.
//!
//! The solution is `β = R⁻¹ Qᵀy` and `(XᵀX)⁻¹ = R⁻¹R⁻ᵀ`; `XᵀX` is never formed.
//! Weighted least squares: rows are multiplied by `√w` by the caller or via
//! [`lstsq`]'s `weights`.

#![allow(clippy::needless_range_loop)]

use crate::error::{Error, Result};

/// A QR factorisation of the kept columns.
#[derive(Debug, Clone)]
pub struct Qr {
    n: usize,
    /// Indices (into the input columns) of the kept columns, in order.
    pub kept: Vec<usize>,
    /// Indices of the dropped (collinear) columns.
    pub dropped: Vec<usize>,
    /// Householder vectors (each of length n − r, starting at row r) and their β.
    reflectors: Vec<(Vec<f64>, f64)>,
    /// R, upper triangular, r × r, row-major.
    r: Vec<f64>,
}

impl Qr {
    /// Factorises the columns `x` (each of length n). `ref_norms[j]` is the
    /// reference norm of column j for the collinearity test (use the column's
    /// own norm when there is nothing better); `tol` the relative tolerance.
    pub fn new(x: &[&[f64]], ref_norms: &[f64], tol: f64) -> Qr {
        let n = x.first().map_or(0, |c| c.len());
        let k = x.len();
        let mut reflectors: Vec<(Vec<f64>, f64)> = Vec::new();
        let mut rcols: Vec<Vec<f64>> = Vec::new();
        let mut kept = Vec::new();
        let mut dropped = Vec::new();
        for j in 0..k {
            let mut a = x[j].to_vec();
            for (r, (v, beta)) in reflectors.iter().enumerate() {
                apply_reflector(&mut a[r..], v, *beta);
            }
            let r = reflectors.len();
            if r >= n {
                dropped.push(j);
                continue;
            }
            let norm = a[r..].iter().map(|v| v * v).sum::<f64>().sqrt();
            let refn = ref_norms.get(j).copied().unwrap_or(0.0);
            if norm.partial_cmp(&(tol * refn)) != Some(std::cmp::Ordering::Greater) || norm == 0.0 || !norm.is_finite() {
                dropped.push(j);
                continue;
            }
            let alpha = if a[r] > 0.0 { -norm } else { norm };
            let mut v = a[r..].to_vec();
            v[0] -= alpha;
            let vtv: f64 = v.iter().map(|t| t * t).sum();
            let beta = if vtv > 0.0 { 2.0 / vtv } else { 0.0 };
            let mut rc = a[..r].to_vec();
            rc.push(alpha);
            rcols.push(rc);
            reflectors.push((v, beta));
            kept.push(j);
        }
        let p = kept.len();
        let mut rm = vec![0.0; p * p];
        for (c, col) in rcols.iter().enumerate() {
            for (row, &v) in col.iter().enumerate() {
                rm[row * p + c] = v;
            }
        }
        Qr { n, kept, dropped, reflectors, r: rm }
    }

    /// Rank (number of kept columns).
    pub fn rank(&self) -> usize {
        self.kept.len()
    }

    /// Qᵀ y (full length n).
    pub fn qt(&self, y: &[f64]) -> Vec<f64> {
        let mut a = y.to_vec();
        for (r, (v, beta)) in self.reflectors.iter().enumerate() {
            apply_reflector(&mut a[r..], v, *beta);
        }
        a
    }

    /// Least-squares coefficients (for the kept columns) of `y`.
    pub fn solve(&self, y: &[f64]) -> Vec<f64> {
        let qty = self.qt(y);
        let p = self.rank();
        let mut b = qty[..p].to_vec();
        for i in (0..p).rev() {
            let mut s = b[i];
            for j in i + 1..p {
                s -= self.r[i * p + j] * b[j];
            }
            b[i] = s / self.r[i * p + i];
        }
        b
    }

    /// The residual of `y` after projection on the kept columns (M y).
    pub fn residual(&self, y: &[f64]) -> Vec<f64> {
        let mut a = self.qt(y);
        let p = self.rank();
        for v in a[..p].iter_mut() {
            *v = 0.0;
        }
        for (r, (v, beta)) in self.reflectors.iter().enumerate().rev() {
            apply_reflector(&mut a[r..], v, *beta);
        }
        a
    }

    /// The orthonormal basis `Q` of the kept columns' span (`rank()` columns of length n).
    pub fn q_columns(&self) -> Vec<Vec<f64>> {
        (0..self.rank())
            .map(|j| {
                let mut e = vec![0.0; self.n];
                e[j] = 1.0;
                for (r, (v, beta)) in self.reflectors.iter().enumerate().rev() {
                    apply_reflector(&mut e[r..], v, *beta);
                }
                e
            })
            .collect()
    }

    /// `(XᵀX)⁻¹ = R⁻¹R⁻ᵀ` for the kept columns (p × p, row-major rows).
    pub fn xtx_inv(&self) -> Vec<Vec<f64>> {
        xtx_inv_from_r(&self.r, self.rank())
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.n
    }
}

/// The inverse of an upper-triangular `p × p` matrix (row-major).
pub fn upper_inverse(r: &[f64], p: usize) -> Vec<f64> {
    let mut ri = vec![0.0; p * p];
    for i in 0..p {
        ri[i * p + i] = 1.0 / r[i * p + i];
    }
    for j in 0..p {
        for i in (0..j).rev() {
            let mut s = 0.0;
            for k in i + 1..=j {
                s += r[i * p + k] * ri[k * p + j];
            }
            ri[i * p + j] = -s / r[i * p + i];
        }
    }
    ri
}

/// `(XᵀX)⁻¹ = R⁻¹R⁻ᵀ` from the upper-triangular `R` (`p × p`, row-major) of `X = QR`.
pub fn xtx_inv_from_r(r: &[f64], p: usize) -> Vec<Vec<f64>> {
    let ri = upper_inverse(r, p);
    let mut out = vec![vec![0.0; p]; p];
    for i in 0..p {
        for j in i..p {
            let mut s = 0.0;
            for k in j..p {
                s += ri[i * p + k] * ri[j * p + k];
            }
            out[i][j] = s;
            out[j][i] = s;
        }
    }
    out
}

fn apply_reflector(a: &mut [f64], v: &[f64], beta: f64) {
    let s: f64 = a.iter().zip(v).map(|(x, y)| x * y).sum();
    let f = beta * s;
    for (x, y) in a.iter_mut().zip(v) {
        *x -= f * y;
    }
}

/// Convenience: weighted least squares of `y` on `x` with collinearity
/// dropping. Returns the factorisation (of the √w-scaled columns) and the
/// coefficients of the kept columns.
pub fn lstsq(x: &[&[f64]], y: &[f64], weights: Option<&[f64]>, ref_norms: &[f64], tol: f64) -> Result<(Qr, Vec<f64>)> {
    let n = y.len();
    if x.iter().any(|c| c.len() != n) {
        return Err(Error::invalid("columns of different lengths"));
    }
    match weights {
        None => {
            let qr = Qr::new(x, ref_norms, tol);
            let b = qr.solve(y);
            Ok((qr, b))
        }
        Some(w) => {
            let sw: Vec<f64> = w.iter().map(|v| v.sqrt()).collect();
            let xs: Vec<Vec<f64>> = x.iter().map(|c| c.iter().zip(&sw).map(|(a, b)| a * b).collect()).collect();
            let ys: Vec<f64> = y.iter().zip(&sw).map(|(a, b)| a * b).collect();
            let refs: Vec<&[f64]> = xs.iter().map(|c| c.as_slice()).collect();
            let qr = Qr::new(&refs, ref_norms, tol);
            let b = qr.solve(&ys);
            Ok((qr, b))
        }
    }
}

/// Euclidean norm (optionally weighted: √(Σ w x²)).
pub fn norm(x: &[f64], w: Option<&[f64]>) -> f64 {
    match w {
        Some(w) => x.iter().zip(w).map(|(a, b)| b * a * a).sum::<f64>().sqrt(),
        None => x.iter().map(|a| a * a).sum::<f64>().sqrt(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_drops_collinear() {
        let one = vec![1.0; 5];
        let x1 = vec![1.0, 2.0, 3.0, 4.0, 5.0];
        let dup = vec![2.0, 4.0, 6.0, 8.0, 10.0];
        let x2 = vec![1.0, 0.0, 1.0, 0.0, 3.0];
        let y: Vec<f64> = (0..5).map(|i| 1.0 + 2.0 * x1[i] - 0.5 * x2[i]).collect();
        let cols: Vec<&[f64]> = vec![&one, &x1, &dup, &x2];
        let norms: Vec<f64> = cols.iter().map(|c| norm(c, None)).collect();
        let (qr, b) = lstsq(&cols, &y, None, &norms, 1e-10).unwrap();
        assert_eq!(qr.kept, vec![0, 1, 3]);
        assert_eq!(qr.dropped, vec![2]);
        for (got, want) in b.iter().zip([1.0, 2.0, -0.5]) {
            assert!((got - want).abs() < 1e-12);
        }
        let res = qr.residual(&y);
        assert!(res.iter().all(|r| r.abs() < 1e-12));
        // (X'X)^-1 for the intercept-only model is 1/n
        let q1 = Qr::new(&[&one], &[norm(&one, None)], 1e-10);
        assert!((q1.xtx_inv()[0][0] - 0.2).abs() < 1e-15);
    }

    #[test]
    fn q_columns_are_an_orthonormal_basis() {
        let x1 = vec![1.0, 2.0, 3.0, 4.0, 5.0];
        let dup = vec![2.0, 4.0, 6.0, 8.0, 10.0];
        let x2 = vec![1.0, 0.0, 1.0, 0.0, 3.0];
        let cols: Vec<&[f64]> = vec![&x1, &dup, &x2];
        let norms: Vec<f64> = cols.iter().map(|c| norm(c, None)).collect();
        let qr = Qr::new(&cols, &norms, 1e-10);
        let q = qr.q_columns();
        assert_eq!(q.len(), 2);
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        assert!((dot(&q[0], &q[0]) - 1.0).abs() < 1e-14 && (dot(&q[1], &q[1]) - 1.0).abs() < 1e-14);
        assert!(dot(&q[0], &q[1]).abs() < 1e-14);
        // M y = y − Q Q'y
        let y = vec![0.3, -1.0, 2.0, 0.5, 1.5];
        let r = qr.residual(&y);
        let (a, b) = (dot(&q[0], &y), dot(&q[1], &y));
        for i in 0..5 {
            assert!((r[i] - (y[i] - a * q[0][i] - b * q[1][i])).abs() < 1e-13);
        }
    }
}
