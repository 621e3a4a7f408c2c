//! Sparse LU of `A(ρ) = I − ρW` on a pattern fixed once: the rows and columns are
//! permuted symmetrically by a minimum-degree ordering of the symmetrised pattern of W
//! ([`super::ordering`]), whose elimination graph is the pattern of `L` and `Uᵀ`. Every ρ
//! then costs one numeric left-looking factorisation (Gilbert–Peierls without row
//! interchanges) on that fixed pattern: no symbolic work, no allocation beyond the values.
//!
//! Why no pivoting is safe here: for row-standardised W (rows sum to one, no self-links)
//! and `|ρ| < 1`, `A(ρ)` is strictly diagonally dominant by rows, a property a symmetric
//! permutation keeps and Gaussian elimination preserves in every Schur complement, so the
//! pivots stay away from zero and the growth factor is at most 2. When W comes from a
//! symmetric pattern (`W = D⁻¹B`, B symmetric), `A = D⁻¹(D − ρB)` with `D − ρB` positive
//! definite on the whole admissible interval, which again needs no pivoting. Outside
//! those cases the factorisation records its growth ([`Factors::growth`]) and the solves
//! polish the answer by iterative refinement.

use crate::error::{Error, Result};

use super::ordering::Ordering;

/// The ρ-independent part: permutation, the factor patterns and W in permuted columns.
#[derive(Debug, Clone)]
pub struct Symbolic {
    n: usize,
    /// `perm[new] = old`.
    perm: Vec<usize>,
    /// Strict lower factor, by columns (new indices).
    l_ptr: Vec<usize>,
    l_idx: Vec<usize>,
    /// Strict upper factor, by columns: rows `j < k`, increasing.
    u_ptr: Vec<usize>,
    u_idx: Vec<usize>,
    /// Column `k` of `P W Pᵀ`: `(new row, w)`.
    w_ptr: Vec<usize>,
    w_idx: Vec<usize>,
    w_val: Vec<f64>,
}

/// The numeric factors `P A(ρ) Pᵀ = L U` at one ρ (`L` unit lower triangular).
#[derive(Debug, Clone)]
pub struct Factors {
    /// The ρ factorised.
    pub rho: f64,
    l_val: Vec<f64>,
    u_val: Vec<f64>,
    /// Diagonal of `U` (the pivots).
    pub diag: Vec<f64>,
    /// Largest `|u_ij|` over the largest `|a_ij|` (1 to 2 in the diagonally dominant case).
    pub growth: f64,
}

impl Symbolic {
    /// Builds the symbolic structure from the rows of W (`rows[i]` = `(j, w_ij)`) and an
    /// ordering of its symmetrised pattern.
    pub fn new(rows: &[Vec<(usize, f64)>], ord: Ordering) -> Symbolic {
        let n = rows.len();
        let mut l_ptr = Vec::with_capacity(n + 1);
        let mut l_idx = Vec::new();
        l_ptr.push(0);
        let mut u_count = vec![0usize; n];
        for col in &ord.lower {
            l_idx.extend_from_slice(col);
            l_ptr.push(l_idx.len());
            for &i in col {
                u_count[i] += 1;
            }
        }
        let mut u_ptr = Vec::with_capacity(n + 1);
        u_ptr.push(0);
        for c in &u_count {
            let last = u_ptr.last().copied().unwrap_or(0);
            u_ptr.push(last + c);
        }
        let mut u_idx = vec![0; l_idx.len()];
        let mut next: Vec<usize> = u_ptr[..n].to_vec();
        // rows j visited in increasing order, so every column of U ends up sorted
        for (j, col) in ord.lower.iter().enumerate() {
            for &k in col {
                u_idx[next[k]] = j;
                next[k] += 1;
            }
        }
        let mut w_cols: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        for (r, row) in rows.iter().enumerate() {
            for &(c, w) in row {
                w_cols[ord.inv[c]].push((ord.inv[r], w));
            }
        }
        let mut w_ptr = Vec::with_capacity(n + 1);
        let mut w_idx = Vec::new();
        let mut w_val = Vec::new();
        w_ptr.push(0);
        for col in w_cols {
            for (i, w) in col {
                w_idx.push(i);
                w_val.push(w);
            }
            w_ptr.push(w_idx.len());
        }
        Symbolic { n, perm: ord.perm, l_ptr, l_idx, u_ptr, u_idx, w_ptr, w_idx, w_val }
    }

    /// Multiply-adds of one numeric factorisation (`Σ_j |L(:,j)|·|U(j,:)|`).
    pub fn factor_flops(&self) -> usize {
        self.l_ptr.windows(2).map(|w| (w[1] - w[0]) * (w[1] - w[0])).sum()
    }

    /// Number of stored off-diagonal entries of `L` plus `U`.
    pub fn factor_nnz(&self) -> usize {
        self.l_idx.len() + self.u_idx.len()
    }

    /// Numeric factorisation of `I − ρW`. Fails (numerical error) on a zero or non-finite
    /// pivot, i.e. when `I − ρW` is singular for this ρ.
    pub fn factor(&self, rho: f64) -> Result<Factors> {
        let n = self.n;
        let mut l_val = vec![0.0; self.l_idx.len()];
        let mut u_val = vec![0.0; self.u_idx.len()];
        let mut diag = vec![0.0; n];
        let mut x = vec![0.0; n];
        let mut a_max = 1.0f64;
        let mut u_max = 0.0f64;
        for k in 0..n {
            x[k] = 1.0;
            for p in self.w_ptr[k]..self.w_ptr[k + 1] {
                let v = rho * self.w_val[p];
                x[self.w_idx[p]] -= v;
                a_max = a_max.max(v.abs());
            }
            let ucol = self.u_ptr[k]..self.u_ptr[k + 1];
            for (&j, slot) in self.u_idx[ucol.clone()].iter().zip(&mut u_val[ucol]) {
                let ujk = x[j];
                x[j] = 0.0;
                *slot = ujk;
                u_max = u_max.max(ujk.abs());
                let col = self.l_ptr[j]..self.l_ptr[j + 1];
                for (&i, &l) in self.l_idx[col.clone()].iter().zip(&l_val[col]) {
                    x[i] -= l * ujk;
                }
            }
            let d = x[k];
            x[k] = 0.0;
            if d == 0.0 || !d.is_finite() {
                return Err(Error::numerical(format!(
                    "I − ρW is singular at ρ = {rho} (zero pivot in the sparse LU)"
                )));
            }
            diag[k] = d;
            u_max = u_max.max(d.abs());
            let lcol = self.l_ptr[k]..self.l_ptr[k + 1];
            for (&i, slot) in self.l_idx[lcol.clone()].iter().zip(&mut l_val[lcol]) {
                *slot = x[i] / d;
                x[i] = 0.0;
            }
        }
        Ok(Factors { rho, l_val, u_val, diag, growth: u_max / a_max })
    }

    /// `x = A(ρ)⁻¹ b` with the factors of that ρ (no refinement).
    pub fn solve_with(&self, f: &Factors, b: &[f64]) -> Vec<f64> {
        let n = self.n;
        let mut y: Vec<f64> = self.perm.iter().map(|&o| b.get(o).copied().unwrap_or(0.0)).collect();
        for j in 0..n {
            let yj = y[j];
            if yj != 0.0 {
                let col = self.l_ptr[j]..self.l_ptr[j + 1];
                for (&i, &l) in self.l_idx[col.clone()].iter().zip(&f.l_val[col]) {
                    y[i] -= l * yj;
                }
            }
        }
        for j in (0..n).rev() {
            let yj = y[j] / f.diag[j];
            y[j] = yj;
            if yj != 0.0 {
                let col = self.u_ptr[j]..self.u_ptr[j + 1];
                for (&i, &u) in self.u_idx[col.clone()].iter().zip(&f.u_val[col]) {
                    y[i] -= u * yj;
                }
            }
        }
        let mut x = vec![0.0; n];
        for (new, &old) in self.perm.iter().enumerate() {
            x[old] = y[new];
        }
        x
    }

    /// `log |det A(ρ)| = Σ log |u_kk|` from factors.
    pub fn log_det(f: &Factors) -> f64 {
        f.diag.iter().map(|d| d.abs().ln()).sum()
    }
}
