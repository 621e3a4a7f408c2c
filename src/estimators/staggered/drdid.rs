//! The 2×2 panel DID estimators of Sant'Anna & Zhao (2020) that Callaway–Sant'Anna
//! runs for every (cohort, period) cell, with their influence functions — as R's `DRDID`
//! (`reg_did_panel`, `std_ipw_did_panel`, `drdid_panel`), which R `did` calls.
//!
//! Input per unit `i` of the cell: the outcome change `ΔYᵢ`, the treated indicator `Dᵢ`, the
//! covariate row `xᵢ` (intercept first) and a weight `wᵢ` (normalised to mean 1).
//!
//! * **Outcome regression** (`reg`): `β̂` from weighted OLS of `ΔY` on `x` among controls;
//!   `ATT = Σ w D ΔY / Σ w D − Σ w D x'β̂ / Σ w D`.
//! * **IPW** (`ipw`, Hájek-normalised): logit propensity `p̂(x)` (capped at `1 − 10⁻⁶`;
//!   controls with `p̂ ≥ 0.995` are trimmed), treated weights `w D`, control weights
//!   `w p̂ (1−D)/(1−p̂)`; `ATT` = difference of the weighted means of `ΔY`.
//! * **Doubly robust** (`dr`, the "traditional" DR of `drdid_panel`): the IPW weights applied to
//!   `ΔY − x'β̂`.
//!
//! Each returns the influence function `ψᵢ` with the estimation effect of `β̂` and of the
//! propensity coefficients, exactly as `DRDID` computes it; `Var(ATT) ≈ Σψᵢ²/n²`.

use crate::error::{Error, Result};
use crate::estimators::psm::propensity::fit_binary;
use crate::estimators::psm::Link;
use nalgebra::{DMatrix, DVector};

/// Estimation method of the 2×2 cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CsMethod {
    /// Doubly robust (Sant'Anna & Zhao 2020), R did's default.
    #[default]
    Dr,
    /// Inverse probability weighting (normalised).
    Ipw,
    /// Outcome regression.
    Reg,
}

/// One 2×2 comparison: `n` units with `p` covariate columns (row-major, intercept first).
pub(crate) struct Cell<'a> {
    pub dy: &'a [f64],
    pub d: &'a [bool],
    pub x: &'a [f64],
    pub p: usize,
    /// Covariate names (intercept first), for messages.
    pub names: &'a [String],
}

/// ATT and influence function (length `n`, not yet scaled by `N/n`).
pub(crate) struct CellFit {
    pub att: f64,
    pub inf: Vec<f64>,
}

fn mean(v: impl Iterator<Item = f64>, n: usize) -> f64 {
    v.sum::<f64>() / n as f64
}

impl Cell<'_> {
    fn n(&self) -> usize {
        self.d.len()
    }
    fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.p..(i + 1) * self.p]
    }
    fn dv(&self, i: usize) -> f64 {
        if self.d[i] {
            1.0
        } else {
            0.0
        }
    }

    /// `(1/n) Σ cᵢ xᵢ xᵢ'` over the rows with `cᵢ ≠ 0`.
    fn gram(&self, c: impl Fn(usize) -> f64) -> DMatrix<f64> {
        let (n, p) = (self.n(), self.p);
        let mut m = DMatrix::<f64>::zeros(p, p);
        for i in 0..n {
            let ci = c(i);
            if ci == 0.0 {
                continue;
            }
            let r = self.row(i);
            for j in 0..p {
                for k in 0..=j {
                    m[(j, k)] += ci * r[j] * r[k];
                }
            }
        }
        for j in 0..p {
            for k in 0..j {
                m[(k, j)] = m[(j, k)];
            }
        }
        m / n as f64
    }

    /// `(1/n) Σ cᵢ xᵢ`.
    fn col_means(&self, c: impl Fn(usize) -> f64) -> DVector<f64> {
        let mut m = DVector::<f64>::zeros(self.p);
        for i in 0..self.n() {
            let ci = c(i);
            for (j, v) in self.row(i).iter().enumerate() {
                m[j] += ci * v;
            }
        }
        m / self.n() as f64
    }

    /// Inverse of a symmetric matrix, refusing it when ill-conditioned (R: `rcond < eps`).
    fn inverse(m: &DMatrix<f64>, what: &str) -> Result<DMatrix<f64>> {
        let eig = m.clone().symmetric_eigen();
        let (lo, hi) = eig.eigenvalues.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &e| (lo.min(e), hi.max(e.abs())));
        if !(lo > hi * f64::EPSILON * m.nrows() as f64) {
            return Err(Error::numerical(format!("the {what} is singular (collinear covariates)")));
        }
        m.clone().try_inverse().ok_or_else(|| Error::numerical(format!("the {what} is singular")))
    }

    /// Control-group OLS of ΔY on x: fitted values for everyone and the linear representation
    /// `w(1−D)(ΔY − x'β̂) x' (X'WX/n)⁻¹` (rows × p).
    fn outcome_regression(&self) -> Result<(Vec<f64>, Vec<DVector<f64>>)> {
        let (n, p) = (self.n(), self.p);
        let ctrl = |i: usize| if self.d[i] { 0.0 } else { 1.0 };
        let xtx = self.gram(ctrl);
        let inv = Self::inverse(&xtx, "covariate matrix of the control units")?;
        let mut xty = DVector::<f64>::zeros(p);
        for i in (0..n).filter(|&i| !self.d[i]) {
            for (j, v) in self.row(i).iter().enumerate() {
                xty[j] += v * self.dy[i];
            }
        }
        let beta = &inv * (xty / n as f64);
        let fitted: Vec<f64> = (0..n).map(|i| self.row(i).iter().zip(beta.iter()).map(|(a, b)| a * b).sum()).collect();
        let lin = (0..n)
            .map(|i| {
                let e = ctrl(i) * (self.dy[i] - fitted[i]);
                inv.transpose() * DVector::from_iterator(p, self.row(i).iter().map(|v| e * v))
            })
            .collect();
        Ok((fitted, lin))
    }

    /// Propensity scores (capped at 1 − 1e−6) and the linear representation of the logit
    /// coefficients `w(D − p̂) x' (X'diag(p̂(1−p̂))X / n)⁻¹`.
    fn propensity(&self) -> Result<(Vec<f64>, Vec<DVector<f64>>)> {
        let (n, p) = (self.n(), self.p);
        let ps: Vec<f64> = if p == 1 {
            let share = self.d.iter().filter(|&&d| d).count() as f64 / n as f64;
            vec![share; n]
        } else {
            let fit = fit_binary(Link::Logit, self.x, n, p, self.d, &vec![1.0; n], self.names)?;
            fit.mu
        };
        let ps: Vec<f64> = ps.into_iter().map(|v| v.min(1.0 - 1e-6)).collect();
        let hess = self.gram(|i| ps[i] * (1.0 - ps[i]));
        let inv = Self::inverse(&hess, "propensity-score information matrix")?;
        let lin = (0..n)
            .map(|i| {
                let s = self.dv(i) - ps[i];
                inv.transpose() * DVector::from_iterator(p, self.row(i).iter().map(|v| s * v))
            })
            .collect();
        Ok((ps, lin))
    }

    /// IPW weights (treated, control) with the trimming of `DRDID` (controls with p̂ ≥ 0.995 out).
    fn ipw_weights(&self, ps: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let n = self.n();
        let trim = |i: usize| if self.d[i] || ps[i] < 0.995 { 1.0 } else { 0.0 };
        let wt = (0..n).map(|i| trim(i) * self.dv(i)).collect();
        let wc = (0..n).map(|i| trim(i) * ps[i] * (1.0 - self.dv(i)) / (1.0 - ps[i])).collect();
        (wt, wc)
    }
}

fn dot(a: &DVector<f64>, b: &DVector<f64>) -> f64 {
    a.dot(b)
}

/// Outcome regression (`DRDID::reg_did_panel`).
fn reg(c: &Cell) -> Result<CellFit> {
    let n = c.n();
    let (fitted, lin) = c.outcome_regression()?;
    let wt: Vec<f64> = (0..n).map(|i| c.dv(i)).collect();
    let mwt = mean(wt.iter().copied(), n);
    let eta_t = mean((0..n).map(|i| wt[i] * c.dy[i]), n) / mwt;
    let eta_c = mean((0..n).map(|i| wt[i] * fitted[i]), n) / mwt;
    let m1 = c.col_means(|i| wt[i]);
    let inf = (0..n)
        .map(|i| {
            let treat = (wt[i] * c.dy[i] - wt[i] * eta_t) / mwt;
            let cont = (wt[i] * fitted[i] - wt[i] * eta_c + dot(&lin[i], &m1)) / mwt;
            treat - cont
        })
        .collect();
    Ok(CellFit { att: eta_t - eta_c, inf })
}

/// Normalised IPW (`DRDID::std_ipw_did_panel`).
fn ipw(c: &Cell) -> Result<CellFit> {
    let n = c.n();
    let (ps, lin_ps) = c.propensity()?;
    let (wt, wc) = c.ipw_weights(&ps);
    let (mwt, mwc) = (mean(wt.iter().copied(), n), mean(wc.iter().copied(), n));
    let eta_t = mean((0..n).map(|i| wt[i] * c.dy[i]), n) / mwt;
    let eta_c = mean((0..n).map(|i| wc[i] * c.dy[i]), n) / mwc;
    let m2 = c.col_means(|i| wc[i] * (c.dy[i] - eta_c));
    let inf = (0..n)
        .map(|i| {
            let treat = (wt[i] * c.dy[i] - wt[i] * eta_t) / mwt;
            let cont = (wc[i] * c.dy[i] - wc[i] * eta_c + dot(&lin_ps[i], &m2)) / mwc;
            treat - cont
        })
        .collect();
    Ok(CellFit { att: eta_t - eta_c, inf })
}

/// Doubly robust (`DRDID::drdid_panel`).
fn dr(c: &Cell) -> Result<CellFit> {
    let n = c.n();
    let (ps, lin_ps) = c.propensity()?;
    let (fitted, lin_or) = c.outcome_regression()?;
    let (wt, wc) = c.ipw_weights(&ps);
    let (mwt, mwc) = (mean(wt.iter().copied(), n), mean(wc.iter().copied(), n));
    let resid: Vec<f64> = (0..n).map(|i| c.dy[i] - fitted[i]).collect();
    let eta_t = mean((0..n).map(|i| wt[i] * resid[i]), n) / mwt;
    let eta_c = mean((0..n).map(|i| wc[i] * resid[i]), n) / mwc;
    let m1 = c.col_means(|i| wt[i]);
    let m2 = c.col_means(|i| wc[i] * (resid[i] - eta_c));
    let m3 = c.col_means(|i| wc[i]);
    let inf = (0..n)
        .map(|i| {
            let treat = (wt[i] * resid[i] - wt[i] * eta_t - dot(&lin_or[i], &m1)) / mwt;
            let cont = (wc[i] * resid[i] - wc[i] * eta_c + dot(&lin_ps[i], &m2) - dot(&lin_or[i], &m3)) / mwc;
            treat - cont
        })
        .collect();
    Ok(CellFit { att: eta_t - eta_c, inf })
}

/// Runs the 2×2 estimator of `method` on one cell.
pub(crate) fn fit_cell(method: CsMethod, c: &Cell) -> Result<CellFit> {
    let fit = match method {
        CsMethod::Reg => reg(c),
        CsMethod::Ipw => ipw(c),
        CsMethod::Dr => dr(c),
    }?;
    if !fit.att.is_finite() {
        return Err(Error::numerical("the estimate is not finite (no comparison units with positive weight)"));
    }
    Ok(fit)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without covariates all three methods reduce to the difference of mean changes, and the
    /// influence function to the centred changes scaled by the group shares.
    #[test]
    fn no_covariates_is_difference_in_mean_changes() {
        let dy = [1.0, 2.0, 4.0, 0.5, -1.0, 0.0];
        let d = [true, true, true, false, false, false];
        let x = [1.0; 6];
        let names = vec!["(Intercept)".to_string()];
        let cell = Cell { dy: &dy, d: &d, x: &x, p: 1, names: &names };
        let want = 7.0 / 3.0 - (-0.5 / 3.0);
        for m in [CsMethod::Reg, CsMethod::Ipw, CsMethod::Dr] {
            let f = fit_cell(m, &cell).unwrap();
            assert!((f.att - want).abs() < 1e-12, "{m:?} {}", f.att);
            // ψ for a treated unit: (ΔY − mean_t) / P(D=1)
            assert!((f.inf[0] - (1.0 - 7.0 / 3.0) / 0.5).abs() < 1e-12, "{m:?}");
            // for a control: −(ΔY − mean_c) / P(D=0)
            assert!((f.inf[3] + (0.5 + 0.5 / 3.0) / 0.5).abs() < 1e-12, "{m:?}");
            assert!(f.inf.iter().sum::<f64>().abs() < 1e-12);
        }
    }
}
