//! The projection `M_Z` of the wild bootstrap and the crosstab strategy: the `G×G` matrices
//! `C0`, `C1` built once (`2G` demeanings), then `O(G²)` per draw (module docs of
//! [`super`], "Two strategies").

use crate::error::{Error, Result};
use crate::estimators::feols::DemeanedDesign;
use nalgebra::{DMatrix, DVector};

/// The demeaned regressors `X` (model order), the Cholesky factor of `X'X` and the weights
/// `w = X (X'X)⁻¹ e_D` that give `β̂_D = w'y`. Owns its data, so the per-draw strategy can
/// keep it (with the [`DemeanedDesign`]) until draw time.
pub(super) struct Projection {
    pub(super) n: usize,
    /// Column of the DID term in `x`.
    pub(super) jd: usize,
    pub(super) x: DMatrix<f64>,
    pub(super) chol: nalgebra::Cholesky<f64, nalgebra::Dyn>,
    pub(super) w: Vec<f64>,
}

impl Projection {
    pub(super) fn new(dd: &DemeanedDesign, names: &[&str], term: &str) -> Result<Projection> {
        let n = dd.nobs();
        let mut cols: Vec<&[f64]> = Vec::with_capacity(names.len());
        for nm in names {
            let j = dd
                .x_names
                .iter()
                .position(|x| x == nm)
                .ok_or_else(|| Error::numerical(format!("regressor `{nm}` not found in the demeaned design")))?;
            cols.push(&dd.x[j]);
        }
        let k = cols.len();
        let jd = names.iter().position(|nm| *nm == term).ok_or_else(|| Error::numerical("DID term not found"))?;
        let x = DMatrix::from_fn(n, k, |i, j| cols[j][i]);
        let xtx = x.transpose() * &x;
        let chol = xtx
            .clone()
            .cholesky()
            .ok_or_else(|| Error::numerical("the regressors are collinear (X'X is not positive definite)"))?;
        let mut e = DVector::zeros(k);
        e[jd] = 1.0;
        let a = chol.solve(&e);
        let w: Vec<f64> = (x.clone() * a).iter().copied().collect();
        Ok(Projection { n, jd, x, chol, w })
    }

    /// The demeaned DID regressor `D̃`.
    pub(super) fn d_column(&self) -> Vec<f64> {
        self.x.column(self.jd).iter().copied().collect()
    }

    /// `M_X v` for a sample vector (already FE-demeaned).
    pub(super) fn mx(&self, v: &[f64]) -> Vec<f64> {
        let xv = self.x.transpose() * DVector::from_column_slice(v);
        let coef = self.chol.solve(&xv);
        let fitted = &self.x * coef;
        v.iter().zip(fitted.iter()).map(|(a, b)| a - b).collect()
    }

    /// Restricted projection: `v` less its fit on the controls only (columns other than D).
    pub(super) fn mr(&self, v: &[f64]) -> Result<Vec<f64>> {
        let xr_cols: Vec<usize> = (0..self.x.ncols()).filter(|&j| j != self.jd).collect();
        if xr_cols.is_empty() {
            return Ok(v.to_vec());
        }
        let xr = DMatrix::from_fn(self.n, xr_cols.len(), |i, j| self.x[(i, xr_cols[j])]);
        let c = (xr.transpose() * &xr).cholesky().ok_or_else(|| Error::numerical("the controls are collinear"))?;
        let coef = c.solve(&(xr.transpose() * DVector::from_column_slice(v)));
        let fitted = &xr * coef;
        Ok(v.iter().zip(fitted.iter()).map(|(a, b)| a - b).collect())
    }

    /// Crosstabs of a residual vector `u`: `n_h = Σ_{i∈h} w_i u_i` and
    /// `C_gh = Σ_{i∈g} w_i (M_Z u^{(h)})_i` (`c[g·G + h]`; `u^{(h)}`: `u` on cluster `h`, 0
    /// elsewhere; `M_Z`: demean by the fixed effects, then `M_X`).
    pub(super) fn crosstab(
        &self,
        dd: &DemeanedDesign,
        codes: &[u32],
        g: usize,
        u: &[f64],
    ) -> Result<(Vec<f64>, Vec<f64>)> {
        let n = self.n;
        let mut nh = vec![0.0; g];
        let mut c = vec![0.0; g * g];
        if u.iter().all(|v| *v == 0.0) {
            return Ok((nh, c));
        }
        for i in 0..n {
            nh[codes[i] as usize] += self.w[i] * u[i];
        }
        for h in 0..g {
            let z: Vec<f64> = (0..n).map(|i| if codes[i] as usize == h { u[i] } else { 0.0 }).collect();
            let r = self.mx(&dd.demean_sample(&z)?);
            for i in 0..n {
                c[codes[i] as usize * g + h] += self.w[i] * r[i];
            }
        }
        Ok((nh, c))
    }
}

/// The five sums of one weight vector `v` from the crosstabs: `A = v'n0`, `B = v'n1` and the
/// sums of squares and cross-products of `C0 v`, `C1 v`.
pub(super) fn sums_of_draw(v: &[f64], tabs: [(&[f64], &[f64]); 2]) -> [f64; 5] {
    let [(n0, c0), (n1, c1)] = tabs;
    let g = v.len();
    let a: f64 = v.iter().zip(n0).map(|(a, b)| a * b).sum();
    let bb: f64 = v.iter().zip(n1).map(|(a, b)| a * b).sum();
    let (mut saa, mut sab, mut sbb) = (0.0, 0.0, 0.0);
    for gg in 0..g {
        let row0 = &c0[gg * g..(gg + 1) * g];
        let row1 = &c1[gg * g..(gg + 1) * g];
        let p0: f64 = row0.iter().zip(v).map(|(a, b)| a * b).sum();
        let p1: f64 = row1.iter().zip(v).map(|(a, b)| a * b).sum();
        saa += p0 * p0;
        sab += p0 * p1;
        sbb += p1 * p1;
    }
    [a, bb, saa, sab, sbb]
}
