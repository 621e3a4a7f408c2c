//! Least squares from the Gram matrix, for well-conditioned designs only.
//!
//! [`super::qr::Qr`] (Householder) reads the `n × p` design about `3p` times; with `n` in the
//! millions that is most of a fixed-effects regression once the demeaning is fast. Here the
//! cross-products `[X y]'[X y]` come from one blocked pass, `R` from the Cholesky factor of
//! `X'X`, and `β` from the semi-normal equations `R'R β = X'y` with one step of iterative
//! refinement (`e = y − Xβ`, `R'R δ = X'e`, `β += δ`: "corrected semi-normal equations",
//! Björck 1987), which brings `β` to the accuracy of a QR solution when `κ(X)² ε ≪ 1`.
//!
//! The result is used only when that holds, else `None` and the caller uses the QR:
//! * every column is clearly not collinear: its Cholesky pivot `R_jj` (the norm of what is left
//!   of column `j` after the earlier ones) exceeds [`MIN_SHARE`] of its own norm and `10³`
//!   times the QR's dropping threshold `tol · ref_j`, so the QR would keep every column too;
//! * the 1-norm condition number of `R` with unit-norm columns is at most [`MAX_COND`], so the
//!   Gram matrix loses at most `κ² ε ≈ 2·10⁻⁸` relative in `(X'X)⁻¹` (the variance's bread);
//! * the refinement step changed no coefficient by more than [`MAX_STEP`] of the scale of
//!   `β` — a posteriori evidence that the first solve was already accurate.

/// A least-squares solution with every column kept.
#[derive(Debug, Clone)]
pub struct GramLs {
    /// `R` (upper triangular, `p × p`, row-major) with `R'R = X'X`.
    pub r: Vec<f64>,
    /// The coefficients.
    pub beta: Vec<f64>,
}

/// Smallest `R_jj / ‖x_j‖` accepted.
const MIN_SHARE: f64 = 1e-4;
/// Largest condition number (1-norm, unit-norm columns) of `R` accepted.
const MAX_COND: f64 = 1e4;
/// Largest refinement step accepted, relative to `max_j |β_j|`.
const MAX_STEP: f64 = 1e-9;
/// Rows per block of the cross-product pass (the block's columns stay in cache).
const ROWS: usize = 2048;

/// Solves `min ‖y − Xβ‖` when the design is well conditioned (see the module doc); `None`
/// otherwise. `ref_norms` and `tol` are the QR's collinearity reference norms and tolerance.
pub fn gram_lstsq(x: &[&[f64]], y: &[f64], ref_norms: &[f64], tol: f64) -> Option<GramLs> {
    let p = x.len();
    if p == 0 || x.iter().any(|c| c.len() != y.len()) {
        return None;
    }
    let mut cols: Vec<&[f64]> = x.to_vec();
    cols.push(y);
    let g = cross_products(&cols);
    let q = p + 1;
    let r = cholesky(&g, q, p, ref_norms, tol)?;
    if condition(&r, p) > MAX_COND {
        return None;
    }
    let xty: Vec<f64> = (0..p).map(|j| g[j * q + p]).collect();
    let mut beta = semi_normal(&r, p, &xty);
    let xte = residual_cross(x, y, &beta);
    let step = semi_normal(&r, p, &xte);
    let scale = beta.iter().fold(0.0, |m: f64, b| m.max(b.abs()));
    if !step.iter().all(|d| d.abs() <= MAX_STEP * scale) {
        return None;
    }
    beta.iter_mut().zip(&step).for_each(|(b, d)| *b += d);
    Some(GramLs { r, beta })
}

/// `C'C` for the columns `C` (row-major `q × q`, symmetric), accumulated over blocks of
/// [`ROWS`] rows with four partial sums per entry (a fixed order, the same in every build).
fn cross_products(cols: &[&[f64]]) -> Vec<f64> {
    let q = cols.len();
    let n = cols.first().map_or(0, |c| c.len());
    let mut g = vec![0.0; q * q];
    let mut start = 0;
    while start < n {
        let end = (start + ROWS).min(n);
        for j in 0..q {
            let a = &cols[j][start..end];
            for k in j..q {
                g[j * q + k] += dot(a, &cols[k][start..end]);
            }
        }
        start = end;
    }
    for j in 0..q {
        for k in 0..j {
            g[j * q + k] = g[k * q + j];
        }
    }
    g
}

/// `a · b` with four interleaved partial sums.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..4 {
            s[l] += x[l] * y[l];
        }
    }
    (s[0] + s[1]) + (s[2] + s[3]) + tail
}

/// Upper Cholesky factor `R` (`p × p`) of the leading block of the `q × q` Gram matrix `g`,
/// or `None` when a pivot fails the collinearity margins.
fn cholesky(g: &[f64], q: usize, p: usize, ref_norms: &[f64], tol: f64) -> Option<Vec<f64>> {
    let mut r = vec![0.0; p * p];
    for j in 0..p {
        let gjj = g[j * q + j];
        let d = gjj - (0..j).map(|k| r[k * p + j] * r[k * p + j]).sum::<f64>();
        let refn = ref_norms.get(j).copied().unwrap_or(0.0);
        if !(d > 0.0) || !gjj.is_finite() {
            return None;
        }
        let rjj = d.sqrt();
        if rjj < MIN_SHARE * gjj.sqrt() || rjj <= 1e3 * tol * refn {
            return None;
        }
        r[j * p + j] = rjj;
        for c in j + 1..p {
            let s = g[j * q + c] - (0..j).map(|k| r[k * p + j] * r[k * p + c]).sum::<f64>();
            r[j * p + c] = s / rjj;
        }
    }
    Some(r)
}

/// `‖S‖₁ ‖S⁻¹‖₁` for `S = R` with unit-norm columns.
fn condition(r: &[f64], p: usize) -> f64 {
    let norms: Vec<f64> = (0..p).map(|c| (0..=c).map(|k| r[k * p + c] * r[k * p + c]).sum::<f64>().sqrt()).collect();
    let s: Vec<f64> = (0..p * p).map(|i| r[i] / norms[i % p]).collect();
    let inv = super::qr::upper_inverse(&s, p);
    let one_norm = |m: &[f64]| (0..p).map(|c| (0..p).map(|k| m[k * p + c].abs()).sum::<f64>()).fold(0.0, f64::max);
    let c = one_norm(&s) * one_norm(&inv);
    if c.is_finite() {
        c
    } else {
        f64::INFINITY
    }
}

/// `β` with `R'R β = b`.
fn semi_normal(r: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
    let mut z = b.to_vec();
    for i in 0..p {
        let s: f64 = (0..i).map(|k| r[k * p + i] * z[k]).sum();
        z[i] = (z[i] - s) / r[i * p + i];
    }
    for i in (0..p).rev() {
        let s: f64 = (i + 1..p).map(|k| r[i * p + k] * z[k]).sum();
        z[i] = (z[i] - s) / r[i * p + i];
    }
    z
}

/// `X'(y − Xβ)`, blockwise (the residual block stays in cache).
fn residual_cross(x: &[&[f64]], y: &[f64], beta: &[f64]) -> Vec<f64> {
    let n = y.len();
    let mut out = vec![0.0; x.len()];
    let mut e = vec![0.0; ROWS.min(n)];
    let mut start = 0;
    while start < n {
        let end = (start + ROWS).min(n);
        let e = &mut e[..end - start];
        e.copy_from_slice(&y[start..end]);
        for (c, b) in x.iter().zip(beta) {
            for (ei, xi) in e.iter_mut().zip(&c[start..end]) {
                *ei -= b * xi;
            }
        }
        for (o, c) in out.iter_mut().zip(x) {
            *o += dot(e, &c[start..end]);
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::qr::{norm, Qr};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn design(rng: &mut ChaCha8Rng, n: usize, p: usize, mix: f64) -> (Vec<Vec<f64>>, Vec<f64>) {
        let base: Vec<Vec<f64>> = (0..p).map(|_| (0..n).map(|_| rng.random::<f64>() - 0.5).collect()).collect();
        // column j = base_j + mix · base_0: nearly collinear as mix grows
        let x: Vec<Vec<f64>> =
            (0..p).map(|j| (0..n).map(|i| base[j][i] + if j > 0 { mix * base[0][i] } else { 0.0 }).collect()).collect();
        let y = (0..n).map(|i| 3.0 + x.iter().enumerate().map(|(j, c)| (j as f64 - 1.5) * c[i]).sum::<f64>() + rng.random::<f64>()).collect();
        (x, y)
    }

    #[test]
    fn agrees_with_householder_when_well_conditioned() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for (n, p) in [(50usize, 1usize), (5_000, 5), (3_001, 8)] {
            let (x, y) = design(&mut rng, n, p, 0.5);
            let refs: Vec<&[f64]> = x.iter().map(|c| c.as_slice()).collect();
            let norms: Vec<f64> = refs.iter().map(|c| norm(c, None)).collect();
            let g = gram_lstsq(&refs, &y, &norms, 1e-9).expect("well conditioned");
            let qr = Qr::new(&refs, &norms, 1e-9);
            for (a, b) in g.beta.iter().zip(qr.solve(&y)) {
                assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "n={n} p={p}: {a} vs {b}");
            }
            let (vg, vq) = (super::super::qr::xtx_inv_from_r(&g.r, p), qr.xtx_inv());
            for (rg, rq) in vg.iter().zip(&vq) {
                for (a, b) in rg.iter().zip(rq) {
                    assert!((a - b).abs() <= 1e-10 * b.abs().max(1e-12), "{a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn declines_ill_conditioned_and_collinear_designs() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let (x, y) = design(&mut rng, 2_000, 3, 1e5);
        let refs: Vec<&[f64]> = x.iter().map(|c| c.as_slice()).collect();
        let norms: Vec<f64> = refs.iter().map(|c| norm(c, None)).collect();
        assert!(gram_lstsq(&refs, &y, &norms, 1e-9).is_none(), "κ ≈ 1e5");
        let dup = [refs[0], refs[1], refs[0]];
        assert!(gram_lstsq(&dup, &y, &norms, 1e-9).is_none(), "a repeated column");
        // a column that the QR's reference-norm test would drop (tiny relative to its reference)
        let (x, y) = design(&mut rng, 500, 2, 0.1);
        let refs: Vec<&[f64]> = x.iter().map(|c| c.as_slice()).collect();
        let mut norms: Vec<f64> = refs.iter().map(|c| norm(c, None)).collect();
        norms[1] *= 1e7;
        assert!(gram_lstsq(&refs, &y, &norms, 1e-9).is_none());
    }
}
