//! Scaling of the raw weights (spdep's `nb2listw` styles where spdep has them):
//!
//! * `row` (default) — each row divided by its sum (style "W"); a row without neighbours
//!   stays zero (only with `allow_islands`).
//! * `none` — the weights as built (style "B" for binary links).
//! * `minmax` — divided by `min(max row sum, max column sum)` (style "minmax",
//!   Kelejian & Prucha 2010); keeps symmetry.
//! * `spectral` — divided by the spectral radius, the largest |eigenvalue| (not in spdep):
//!   computed with a symmetric eigen-decomposition when the matrix is symmetric (dense,
//!   `O(n³)`). Otherwise weights are non-negative, so the spectral radius is the Perron root:
//!   power iteration on `W + I` until the Collatz–Wielandt bounds agree to 1e-13 (sparse,
//!   certified), and, should that not converge, the complex eigenvalues of a real Schur
//!   decomposition (nalgebra's Schur can stall on some binary matrices, hence not first).

use super::Standardise;
use crate::error::{Error, Result};

/// Row-compressed raw links: `rows[i]` lists `(j, w_ij)`.
pub(crate) type Rows = Vec<Vec<(usize, f64)>>;

/// Whether `w_ij == w_ji` for every link (relative 1e-12), and the first link without an
/// equal link back.
pub(crate) fn first_asymmetry(rows: &Rows) -> Option<(usize, usize)> {
    let get = |i: usize, j: usize| rows.get(i).and_then(|r| r.iter().find(|&&(k, _)| k == j)).map_or(0.0, |&(_, w)| w);
    for (i, r) in rows.iter().enumerate() {
        for &(j, w) in r {
            let t = get(j, i);
            if (w - t).abs() > 1e-12 * w.abs().max(t.abs()) {
                return Some((i, j));
            }
        }
    }
    None
}

/// Divides every row by its sum.
pub(crate) fn row_standardise(rows: &mut Rows) {
    for r in rows.iter_mut() {
        let s: f64 = r.iter().map(|x| x.1).sum();
        if s > 0.0 {
            for x in r.iter_mut() {
                x.1 /= s;
            }
        }
    }
}

fn divide(rows: &mut Rows, d: f64, what: &str) -> Result<()> {
    if !(d.is_finite() && d > 0.0) {
        return Err(Error::numerical(format!("cannot standardise the weights: the {what} is {d}")));
    }
    for x in rows.iter_mut().flatten() {
        x.1 /= d;
    }
    Ok(())
}

/// The spectral radius of a non-negative matrix (see the module docs).
pub(crate) fn spectral_radius(rows: &Rows) -> Result<f64> {
    let n = rows.len();
    if first_asymmetry(rows).is_none() {
        let m = dense(rows);
        return Ok(m.symmetric_eigenvalues().iter().fold(0.0, |a, v| a.max(v.abs())));
    }
    if let Some(r) = perron_root(rows) {
        return Ok(r);
    }
    let schur = nalgebra::linalg::Schur::try_new(dense(rows), f64::EPSILON, 100 * n.max(10));
    schur
        .map(|s| s.complex_eigenvalues().iter().fold(0.0f64, |a, v| a.max(v.norm())))
        .ok_or_else(|| Error::numerical("the eigenvalues of the weight matrix did not converge: use another standardisation"))
}

fn dense(rows: &Rows) -> nalgebra::DMatrix<f64> {
    let n = rows.len();
    let mut m = nalgebra::DMatrix::<f64>::zeros(n, n);
    for (i, r) in rows.iter().enumerate() {
        for &(j, w) in r {
            if j < n {
                m[(i, j)] = w;
            }
        }
    }
    m
}

/// The Perron root of a non-negative matrix `W` by power iteration on `W + I` from a
/// positive vector, stopped when the Collatz–Wielandt bounds
/// `min_i (Ax)_i/x_i ≤ ρ(A) ≤ max_i (Ax)_i/x_i` agree to 1e-13 (relative); `None` when they
/// do not within 20,000 iterations. `ρ(W + I) = ρ(W) + 1` for non-negative `W`.
fn perron_root(rows: &Rows) -> Option<f64> {
    let n = rows.len();
    let mut x = vec![1.0; n];
    for _ in 0..20_000 {
        let y: Vec<f64> = (0..n).map(|i| x[i] + rows[i].iter().map(|&(j, w)| w * x.get(j).copied().unwrap_or(0.0)).sum::<f64>()).collect();
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        for (a, b) in y.iter().zip(&x) {
            let r = a / b;
            lo = lo.min(r);
            hi = hi.max(r);
        }
        if !(lo.is_finite() && hi.is_finite()) {
            return None;
        }
        if hi - lo <= 1e-13 * hi {
            return Some((lo + hi) / 2.0 - 1.0);
        }
        let norm = y.iter().fold(0.0f64, |a, &b| a.max(b));
        x = y.into_iter().map(|v| v / norm).collect();
        if x.iter().any(|&v| v < 1e-280) {
            return None;
        }
    }
    None
}

/// Applies a scaling in place.
pub(crate) fn apply(rows: &mut Rows, style: Standardise) -> Result<()> {
    match style {
        Standardise::None => Ok(()),
        Standardise::Row => {
            row_standardise(rows);
            Ok(())
        }
        Standardise::Minmax => {
            let n = rows.len();
            let mut col = vec![0.0; n];
            let mut max_row: f64 = 0.0;
            for r in rows.iter() {
                max_row = max_row.max(r.iter().map(|x| x.1).sum());
                for &(j, w) in r {
                    if let Some(c) = col.get_mut(j) {
                        *c += w;
                    }
                }
            }
            let max_col = col.iter().fold(0.0f64, |a, &b| a.max(b));
            divide(rows, max_row.min(max_col), "smaller of the largest row and column sums")
        }
        Standardise::Spectral => {
            let r = spectral_radius(rows)?;
            divide(rows, r, "spectral radius")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_on_a_path_of_three() {
        let base: Rows = vec![vec![(1, 1.0)], vec![(0, 1.0), (2, 1.0)], vec![(1, 1.0)]];
        let mut r = base.clone();
        apply(&mut r, Standardise::Row).expect("row");
        assert_eq!(r[1], vec![(0, 0.5), (2, 0.5)]);
        let mut m = base.clone();
        apply(&mut m, Standardise::Minmax).expect("minmax");
        assert_eq!(m[0], vec![(1, 0.5)]);
        // Eigenvalues of the path P3: 0, ±√2.
        let mut s = base.clone();
        apply(&mut s, Standardise::Spectral).expect("spectral");
        assert!((s[0][0].1 - 1.0 / 2f64.sqrt()).abs() < 1e-12);
        // A directed 3-cycle: eigenvalues are the cube roots of unity, radius 1.
        let cyc: Rows = vec![vec![(1, 2.0)], vec![(2, 2.0)], vec![(0, 2.0)]];
        assert!((spectral_radius(&cyc).expect("radius") - 2.0).abs() < 1e-10);
        assert_eq!(first_asymmetry(&cyc), Some((0, 1)));
    }
}
