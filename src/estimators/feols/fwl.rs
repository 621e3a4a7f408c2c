//! Frisch–Waugh–Lovell: the coefficient of one regressor for many candidate columns.

use super::DemeanedDesign;
use crate::error::{Error, Result};
use crate::linalg::qr::Qr;

impl DemeanedDesign {
    /// Projects all other exogenous regressors out once, so that the
    /// coefficient of `target` for any new (demeaned) column is one dot product.
    pub fn fwl(&self, target: &str) -> Result<FwlSolver> {
        let j = self
            .x_names
            .iter()
            .position(|n| n == target)
            .ok_or_else(|| Error::invalid(format!("`{target}` is not a regressor of the model")))?;
        let sw: Option<Vec<f64>> = self.weights.as_ref().map(|w| w.iter().map(|v| v.sqrt()).collect());
        let scale = |v: &[f64]| -> Vec<f64> {
            match &sw {
                Some(s) => v.iter().zip(s).map(|(a, b)| a * b).collect(),
                None => v.to_vec(),
            }
        };
        let others: Vec<Vec<f64>> = self.x.iter().enumerate().filter(|(k, _)| *k != j).map(|(_, c)| scale(c)).collect();
        let norms: Vec<f64> = self.x_norms.iter().enumerate().filter(|(k, _)| *k != j).map(|(_, v)| *v).collect();
        let refs: Vec<&[f64]> = others.iter().map(|c| c.as_slice()).collect();
        let qr = Qr::new(&refs, &norms, self.collin_tol);
        let my = if refs.is_empty() { scale(&self.y) } else { qr.residual(&scale(&self.y)) };
        Ok(FwlSolver { qr, my, sw, empty: refs.is_empty() })
    }

}

/// Frisch–Waugh–Lovell solver for one regressor (see [`DemeanedDesign::fwl`]).
#[derive(Debug, Clone)]
pub struct FwlSolver {
    qr: Qr,
    my: Vec<f64>,
    sw: Option<Vec<f64>>,
    empty: bool,
}

impl FwlSolver {
    /// Coefficient of a new demeaned column `d` (sample length) in the
    /// regression of y on it and the other regressors.
    pub fn coef(&self, d: &[f64]) -> f64 {
        self.coef_and_residual_norm(d).0
    }

    /// `M ỹ`: the (√w-scaled) demeaned outcome less its projection on the other regressors.
    pub fn residual_y(&self) -> &[f64] {
        &self.my
    }

    /// `√w` on the sample (`None` without weights).
    pub fn sqrt_weights(&self) -> Option<&[f64]> {
        self.sw.as_deref()
    }

    /// An orthonormal basis of the (√w-scaled, demeaned) other regressors that were kept, so
    /// that `‖M d‖² = ‖d‖² − Σ_j (q_j'd)²` (empty when there are none).
    pub fn other_basis(&self) -> Vec<Vec<f64>> {
        if self.empty {
            Vec::new()
        } else {
            self.qr.q_columns()
        }
    }

    /// The coefficient of [`Self::coef`] and `‖M d‖`, the (weighted) norm of what is left of
    /// `d` after projecting out the other regressors — near 0 when `d` is collinear with them.
    pub fn coef_and_residual_norm(&self, d: &[f64]) -> (f64, f64) {
        let ds: Vec<f64> = match &self.sw {
            Some(s) => d.iter().zip(s).map(|(a, b)| a * b).collect(),
            None => d.to_vec(),
        };
        let r = if self.empty { ds } else { self.qr.residual(&ds) };
        let num: f64 = r.iter().zip(&self.my).map(|(a, b)| a * b).sum();
        let den: f64 = r.iter().map(|a| a * a).sum();
        (num / den, den.sqrt())
    }
}

