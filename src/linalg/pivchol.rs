//! Pivoted Cholesky factorisation of a small symmetric positive semidefinite matrix,
//! `P A Pᵀ = L Lᵀ` truncated at the numerical rank (LAPACK's `dpstrf` strategy: at each step
//! the largest remaining diagonal entry is the pivot; the factorisation stops when it is at
//! most `tol` times the largest diagonal entry of `A`).
//!
//! [`PivotedCholesky::solve`] returns, for a consistent system `A x = b` (`b` in the range of
//! `A`), the solution whose components on the dropped pivots are zero — the "grounded" solution
//! of a graph Laplacian, which is how [`super::demean_twoway`] uses it.

/// The factor of an `n × n` matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct PivotedCholesky {
    n: usize,
    /// `perm[j]`: the original index of the `j`-th pivot.
    perm: Vec<usize>,
    /// Numerical rank `r`.
    rank: usize,
    /// `L` (row-major `n × n`, lower triangle; only the leading `r` columns are used).
    l: Vec<f64>,
}

impl PivotedCholesky {
    /// Factors the row-major `n × n` symmetric matrix `a`. Pivots at most `tol · max_i a_ii`
    /// (or not positive) end the factorisation.
    pub fn new(a: &[f64], n: usize, tol: f64) -> PivotedCholesky {
        debug_assert_eq!(a.len(), n * n);
        let mut m = a.to_vec();
        let mut perm: Vec<usize> = (0..n).collect();
        let dmax = (0..n).map(|i| m[i * n + i]).fold(0.0, f64::max);
        let floor = tol * dmax;
        let mut rank = 0;
        for j in 0..n {
            let p = (j..n).fold(j, |best, i| if m[i * n + i] > m[best * n + best] { i } else { best });
            let d = m[p * n + p];
            if d.is_nan() || d <= floor || d <= 0.0 {
                break;
            }
            if p != j {
                swap_symmetric(&mut m, n, j, p);
                perm.swap(j, p);
            }
            let ljj = d.sqrt();
            m[j * n + j] = ljj;
            for i in j + 1..n {
                m[i * n + j] /= ljj;
            }
            for i in j + 1..n {
                let lij = m[i * n + j];
                if lij == 0.0 {
                    continue;
                }
                for k in j + 1..=i {
                    m[i * n + k] -= lij * m[k * n + j];
                }
            }
            rank = j + 1;
        }
        PivotedCholesky { n, perm, rank, l: m }
    }

    /// The numerical rank.
    #[cfg(test)]
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// Solves `A x = b` on the leading `rank` pivots; the other components of `x` are zero.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let (n, r, l) = (self.n, self.rank, &self.l);
        let mut z: Vec<f64> = (0..r).map(|j| b[self.perm[j]]).collect();
        for i in 0..r {
            let mut s = z[i];
            for k in 0..i {
                s -= l[i * n + k] * z[k];
            }
            z[i] = s / l[i * n + i];
        }
        for i in (0..r).rev() {
            let mut s = z[i];
            for k in i + 1..r {
                s -= l[k * n + i] * z[k];
            }
            z[i] = s / l[i * n + i];
        }
        let mut x = vec![0.0; n];
        for (j, v) in z.into_iter().enumerate() {
            x[self.perm[j]] = v;
        }
        x
    }
}

/// Swaps rows and columns `i < j` of the lower triangle of a symmetric matrix in place (entries
/// above the diagonal are not kept up to date).
fn swap_symmetric(m: &mut [f64], n: usize, i: usize, j: usize) {
    let at = |r: usize, c: usize| if r >= c { r * n + c } else { c * n + r };
    for k in 0..n {
        if k != i && k != j {
            m.swap(at(i, k), at(j, k));
        }
    }
    m.swap(i * n + i, j * n + j);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn mat_vec(a: &[f64], n: usize, x: &[f64]) -> Vec<f64> {
        (0..n).map(|i| (0..n).map(|k| a[i * n + k] * x[k]).sum()).collect()
    }

    #[test]
    fn solves_positive_definite_systems() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for n in [1usize, 2, 5, 12] {
            let g: Vec<f64> = (0..n * n).map(|_| rng.random::<f64>() - 0.5).collect();
            // A = G Gᵀ + I
            let mut a = vec![0.0; n * n];
            for i in 0..n {
                for k in 0..n {
                    a[i * n + k] = (0..n).map(|j| g[i * n + j] * g[k * n + j]).sum::<f64>() + if i == k { 1.0 } else { 0.0 };
                }
            }
            let x: Vec<f64> = (0..n).map(|_| rng.random::<f64>() * 4.0 - 2.0).collect();
            let b = mat_vec(&a, n, &x);
            let f = PivotedCholesky::new(&a, n, 1e-12);
            assert_eq!(f.rank(), n);
            for (s, t) in f.solve(&b).iter().zip(&x) {
                assert!((s - t).abs() < 1e-10, "n={n}: {s} vs {t}");
            }
        }
    }

    #[test]
    fn grounds_a_singular_laplacian() {
        // Laplacian of two components {0,1,2} and {3,4}: rank 3; any b with zero sum on each
        // component is solved exactly.
        let edges = [(0usize, 1usize, 2.0), (1, 2, 0.5), (0, 2, 1.0), (3, 4, 3.0)];
        let n = 5;
        let mut a = vec![0.0; n * n];
        for &(i, j, w) in &edges {
            a[i * n + i] += w;
            a[j * n + j] += w;
            a[i * n + j] -= w;
            a[j * n + i] -= w;
        }
        let b = [1.0, -3.0, 2.0, 0.7, -0.7];
        let f = PivotedCholesky::new(&a, n, 1e-10);
        assert_eq!(f.rank(), 3);
        let x = f.solve(&b);
        let ax = mat_vec(&a, n, &x);
        for (p, q) in ax.iter().zip(&b) {
            assert!((p - q).abs() < 1e-12, "{p} vs {q}");
        }
        assert_eq!(x.iter().filter(|v| **v == 0.0).count(), 2, "one grounded node per component: {x:?}");
    }

    #[test]
    fn zero_matrix_has_rank_zero() {
        let f = PivotedCholesky::new(&[0.0; 9], 3, 1e-10);
        assert_eq!(f.rank(), 0);
        assert_eq!(f.solve(&[1.0, 2.0, 3.0]), vec![0.0; 3]);
    }
}
