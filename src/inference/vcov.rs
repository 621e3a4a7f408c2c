//! Variance–covariance estimators for (weighted) least squares and 2SLS, with
//! fixest's default small-sample corrections, and joint Wald tests.
//!
//! Notation: `B = (XᵀWX)⁻¹` (the "bread", from the QR factor), residuals `e`,
//! observation weights `w` (1 without weights), scores `sᵢ = wᵢ eᵢ xᵢ` where
//! `xᵢ` is row i of the (demeaned) design — for 2SLS the *fitted* design `X̂`
//! while `e = y − Xβ` uses the actual endogenous variables.
//! `n` observations, `K` estimated parameters.
//!
//! * `iid`: `V = σ² B`, `σ² = Σ wᵢeᵢ² / (n − K)`.
//! * `hetero` (HC1): `V = n/(n − K) · B (Σ sᵢsᵢᵀ) B`.
//! * `cluster` (CRV1), one way with `G` clusters:
//!   `V = G/(G − 1) · (n − 1)/(n − K) · B (Σ_g S_g S_gᵀ) B`, `S_g = Σ_{i∈g} sᵢ`.
//! * Two-way (clusters `a`, `b`): `V = c · B (M_a + M_b − M_{a∩b}) B` with a
//!   single `c = G_min/(G_min − 1) · (n − 1)/(n − K)` (fixest's
//!   `cluster.df = "min"`). If a variance comes out negative, the matrix is
//!   repaired like fixest ([`fix_negative_diagonal`]: negative eigenvalues
//!   set to 0); the caller does this and notes it.
//!
//! This is fixest's default `ssc(adj = TRUE, fixef.K = "nested",
//! cluster.adj = TRUE, cluster.df = "min", t.df = "min")`: `K` counts the
//! slope coefficients plus the free fixed-effect coefficients, **except** that
//! for clustered errors a fixed-effect dimension nested in a cluster variable
//! (every level inside one cluster) is not counted (`fixef.K = "nested"`; the
//! caller computes `K` accordingly). t statistics use `n − K` degrees of
//! freedom for iid/hetero and `G_min − 1` for clustered errors.
//!
//! [`wald_test`] computes `W = (Rβ)ᵀ(R V Rᵀ)⁻¹(Rβ) / q` for a subset of
//! coefficients (`R` selects them), referred to `F(q, df2)`.

#![allow(clippy::needless_range_loop)]

use std::borrow::Cow;
use crate::error::{Error, Result};
use crate::inference::dist::f_sf;
use serde::Serialize;

/// `B M B` for symmetric `B` (p × p) and `M`.
pub fn sandwich(bread: &[Vec<f64>], meat: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let p = bread.len();
    let mut bm = vec![vec![0.0; p]; p];
    for i in 0..p {
        for k in 0..p {
            let b = bread[i][k];
            if b != 0.0 {
                for j in 0..p {
                    bm[i][j] += b * meat[k][j];
                }
            }
        }
    }
    let mut out = vec![vec![0.0; p]; p];
    for i in 0..p {
        for j in 0..p {
            let mut s = 0.0;
            for k in 0..p {
                s += bm[i][k] * bread[k][j];
            }
            out[i][j] = s;
        }
    }
    // symmetrise
    for i in 0..p {
        for j in i + 1..p {
            let v = 0.5 * (out[i][j] + out[j][i]);
            out[i][j] = v;
            out[j][i] = v;
        }
    }
    out
}

/// iid: `σ² B` with `σ² = rss / (n − K)`.
pub fn vcov_iid(bread: &[Vec<f64>], rss: f64, n: usize, k: usize) -> Vec<Vec<f64>> {
    let s2 = rss / (n as f64 - k as f64);
    bread.iter().map(|r| r.iter().map(|v| v * s2).collect()).collect()
}

/// Scores `sᵢ = wᵢ eᵢ xᵢ` in row-major order (n × p).
fn scores(x: &[&[f64]], e: &[f64], w: Option<&[f64]>) -> Vec<f64> {
    let p = x.len();
    let n = e.len();
    let mut s = vec![0.0; n * p];
    for i in 0..n {
        let f = e[i] * w.map_or(1.0, |w| w[i]);
        for j in 0..p {
            s[i * p + j] = f * x[j][i];
        }
    }
    s
}

fn outer_sum_rows(s: &[f64], p: usize) -> Vec<Vec<f64>> {
    let mut m = vec![vec![0.0; p]; p];
    for row in s.chunks_exact(p.max(1)) {
        for a in 0..p {
            let ra = row[a];
            for b in a..p {
                m[a][b] += ra * row[b];
            }
        }
    }
    for a in 0..p {
        for b in 0..a {
            m[a][b] = m[b][a];
        }
    }
    m
}

/// Meat `Σ_g S_g S_gᵀ` for one clustering.
fn cluster_meat(s: &[f64], p: usize, codes: &[u32], g: usize) -> Vec<Vec<f64>> {
    let mut sums = vec![0.0; g * p];
    for (i, &c) in codes.iter().enumerate() {
        let c = c as usize;
        for j in 0..p {
            sums[c * p + j] += s[i * p + j];
        }
    }
    outer_sum_rows(&sums, p)
}

/// `Σ_{i∈g} wᵢ eᵢ xᵢ` for each cluster `g` (row-major `g × p`), column by column.
fn cluster_score_sums(x: &[&[f64]], e: &[f64], w: Option<&[f64]>, codes: &[u32], g: usize) -> Vec<f64> {
    let p = x.len();
    let we: Cow<[f64]> = match w {
        Some(w) => Cow::Owned(e.iter().zip(w).map(|(e, w)| e * w).collect()),
        None => Cow::Borrowed(e),
    };
    let mut sums = vec![0.0; g * p];
    for (j, col) in x.iter().enumerate() {
        for ((&c, &xi), &ei) in codes.iter().zip(col.iter()).zip(we.iter()) {
            sums[c as usize * p + j] += ei * xi;
        }
    }
    sums
}

/// HC1: `n/(n − K) · B (Σ sᵢsᵢᵀ) B`.
pub fn vcov_hetero(bread: &[Vec<f64>], x: &[&[f64]], e: &[f64], w: Option<&[f64]>, k: usize) -> Vec<Vec<f64>> {
    let n = e.len() as f64;
    let p = x.len();
    let meat = outer_sum_rows(&scores(x, e, w), p);
    let adj = n / (n - k as f64);
    sandwich(bread, &meat).into_iter().map(|r| r.into_iter().map(|v| v * adj).collect()).collect()
}

/// CRV1, one- or two-way. `clusters` are (codes, number of clusters).
/// Returns the matrix and `G_min`.
pub fn vcov_cluster(
    bread: &[Vec<f64>],
    x: &[&[f64]],
    e: &[f64],
    w: Option<&[f64]>,
    clusters: &[(&[u32], usize)],
    k: usize,
) -> Result<(Vec<Vec<f64>>, usize)> {
    let n = e.len();
    let p = x.len();
    let nc = clusters.len();
    if nc == 0 || nc > 2 {
        return Err(Error::invalid("clustered standard errors need one or two cluster variables"));
    }
    if let [(codes, g)] = clusters {
        // one-way: cluster sums of the scores without storing the n × p scores
        if *g < 2 {
            return Err(Error::insufficient("clustered standard errors need at least two clusters"));
        }
        let meat = outer_sum_rows(&cluster_score_sums(x, e, w, codes, *g), p);
        let (gf, nf) = (*g as f64, n as f64);
        let adj = gf / (gf - 1.0) * (nf - 1.0) / (nf - k as f64);
        let v = sandwich(bread, &meat).into_iter().map(|r| r.into_iter().map(|v| v * adj).collect()).collect();
        return Ok((v, *g));
    }
    let s = scores(x, e, w);
    let mut meat = vec![vec![0.0; p]; p];
    let mut gmin = usize::MAX;
    for (codes, g) in clusters {
        gmin = gmin.min(*g);
        let m = cluster_meat(&s, p, codes, *g);
        for a in 0..p {
            for b in 0..p {
                meat[a][b] += m[a][b];
            }
        }
    }
    if nc == 2 {
        // intersection clusters
        let (a, ga) = clusters[0];
        let (b, _) = clusters[1];
        let mut ids: std::collections::HashMap<(u32, u32), u32> = std::collections::HashMap::new();
        let mut codes = Vec::with_capacity(n);
        for i in 0..n {
            let key = (a[i], b[i]);
            let next = ids.len() as u32;
            codes.push(*ids.entry(key).or_insert(next));
        }
        let _ = ga;
        let m = cluster_meat(&s, p, &codes, ids.len());
        for a in 0..p {
            for b in 0..p {
                meat[a][b] -= m[a][b];
            }
        }
    }
    if gmin < 2 {
        return Err(Error::insufficient("clustered standard errors need at least two clusters"));
    }
    let g = gmin as f64;
    let nf = n as f64;
    let adj = g / (g - 1.0) * (nf - 1.0) / (nf - k as f64);
    let v = sandwich(bread, &meat).into_iter().map(|r| r.into_iter().map(|v| v * adj).collect()).collect();
    Ok((v, gmin))
}

/// fixest's repair of a two-way clustered matrix that is not positive
/// semi-definite (Cameron, Gelbach & Miller 2011): when a diagonal entry is
/// negative, `V = U diag(max(λ, 0)) Uᵀ`. Returns true when it changed `v`.
/// (pyfixest 0.60 applies no repair; it reports NaN standard errors there.)
pub fn fix_negative_diagonal(v: &mut [Vec<f64>]) -> bool {
    let p = v.len();
    if !(0..p).any(|i| v[i][i] < 0.0) {
        return false;
    }
    let m = nalgebra::DMatrix::from_fn(p, p, |r, c| v[r][c]);
    let eig = m.symmetric_eigen();
    let lam = eig.eigenvalues.map(|l| l.max(0.0));
    let u = &eig.eigenvectors;
    let fixed = u * nalgebra::DMatrix::from_diagonal(&lam) * u.transpose();
    for r in 0..p {
        for c in 0..p {
            v[r][c] = fixed[(r, c)];
        }
    }
    true
}

/// A joint Wald test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaldTest {
    /// The tested terms.
    pub terms: Vec<String>,
    /// `W / r` (an F statistic).
    pub statistic: f64,
    /// `r`: the rank of the tested block of the covariance (`q` = the number of terms unless
    /// that block is singular).
    pub df1: f64,
    /// Denominator degrees of freedom.
    pub df2: f64,
    /// Upper tail of `F(df1, df2)`.
    pub p_value: f64,
}

/// Wald test that the coefficients at `idx` are jointly zero: `F = β̂' V̂⁻ β̂ / r` against
/// `F(r, df2)`, where `r` is the rank of the tested block of the covariance. When that block is
/// singular (e.g. more tested terms than clusters), `V̂⁻` is its Moore–Penrose pseudo-inverse
/// (eigenvalues below 1e-12 × the largest are dropped) and `df1 = r < q`.
pub fn wald_test(beta: &[f64], vcov: &[Vec<f64>], idx: &[usize], df2: f64, terms: Vec<String>) -> Result<WaldTest> {
    let q = idx.len();
    if q == 0 {
        return Err(Error::invalid("a Wald test needs at least one term"));
    }
    let b = nalgebra::DVector::from_iterator(q, idx.iter().map(|&i| beta[i]));
    let v = nalgebra::DMatrix::from_fn(q, q, |r, c| vcov[idx[r]][idx[c]]);
    let eig = v.clone().symmetric_eigen();
    let maxev = eig.eigenvalues.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let rank = eig.eigenvalues.iter().filter(|&&ev| ev > 1e-12 * maxev).count();
    let w = match (rank == q).then(|| v.cholesky()).flatten() {
        Some(ch) => b.dot(&ch.solve(&b)),
        None => {
            let mut s = 0.0;
            for (j, &ev) in eig.eigenvalues.iter().enumerate() {
                if ev > 1e-12 * maxev {
                    let proj = eig.eigenvectors.column(j).dot(&b);
                    s += proj * proj / ev;
                }
            }
            s
        }
    };
    if rank == 0 || w == 0.0 && rank < q {
        return Err(Error::numerical("the covariance matrix of the tested terms is singular"));
    }
    let r = rank as f64;
    Ok(WaldTest { terms, statistic: w / r, df1: r, df2, p_value: f_sf(w / r, r, df2) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hetero_and_cluster_by_hand() {
        // one regressor, x = 1: bread = 1/n; scores = e_i
        let x = vec![1.0; 4];
        let e = vec![1.0, -1.0, 2.0, -2.0];
        let bread = vec![vec![0.25]];
        let v = vcov_hetero(&bread, &[&x], &e, None, 1);
        // (1/16) * 10 * 4/3
        assert!((v[0][0] - 10.0 / 16.0 * 4.0 / 3.0).abs() < 1e-15);
        let codes = [0u32, 0, 1, 1];
        let (v, g) = vcov_cluster(&bread, &[&x], &e, None, &[(&codes, 2)], 1).unwrap();
        assert_eq!(g, 2);
        // cluster sums 0, 0 -> 0
        assert_eq!(v[0][0], 0.0);
        let codes = [0u32, 1, 0, 1];
        let (v, _) = vcov_cluster(&bread, &[&x], &e, None, &[(&codes, 2)], 1).unwrap();
        // sums 3, -3 -> 18/16 * 2 * 3/3
        assert!((v[0][0] - 18.0 / 16.0 * 2.0).abs() < 1e-15);
        // two-way with a negative variance: a = {1,2},{3,4}; b = {1,3},{2,4};
        // e = (1,-1,-1,1): M_a = M_b = 0, M_ab = 4 -> V < 0 -> repaired to 0
        let e = vec![1.0, -1.0, -1.0, 1.0];
        let (a, b) = ([0u32, 0, 1, 1], [0u32, 1, 0, 1]);
        let (mut v, _) = vcov_cluster(&bread, &[&x], &e, None, &[(&a, 2), (&b, 2)], 1).unwrap();
        assert!(v[0][0] < 0.0);
        assert!(fix_negative_diagonal(&mut v));
        assert!(v[0][0].abs() < 1e-15);
        let mut m = vec![vec![2.0, 3.0], vec![3.0, -1.0]];
        assert!(fix_negative_diagonal(&mut m));
        let eig = nalgebra::DMatrix::from_fn(2, 2, |r, c| m[r][c]).symmetric_eigen();
        assert!(eig.eigenvalues.iter().all(|&l| l > -1e-12));
        assert!(m[1][1] >= 0.0 && (m[0][1] - m[1][0]).abs() < 1e-12);
        let mut ok = vec![vec![2.0, 1.0], vec![1.0, 2.0]];
        assert!(!fix_negative_diagonal(&mut ok));
        assert_eq!(ok, vec![vec![2.0, 1.0], vec![1.0, 2.0]]);
        let w = wald_test(&[2.0], &[vec![4.0]], &[0], 10.0, vec!["x".into()]).unwrap();
        assert!((w.statistic - 1.0).abs() < 1e-15);
    }
}
