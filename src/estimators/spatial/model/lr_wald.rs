//! LR and Wald tests of a spatial regression against its restrictions: ρ = 0 (λ = 0)
//! against OLS, SDM against SAR (θ = 0) and against SEM (the common-factor restriction
//! θ = −ρβ), SDEM against SEM, and the Wald tests of θ = 0 and θ + ρβ = 0 (delta method).
//! LR = 2(ℓ₁ − ℓ₀) with the difference in parameters as df (spatialreg's `LR.Sarlm`).

use nalgebra::{DMatrix, DVector};

use super::data::ModelData;
use super::result::SpatialTest;
use crate::inference::dist::chi2_sf;

/// `2(ℓ₁ − ℓ₀)` against χ²(df).
pub fn lr(test: &str, ll1: f64, ll0: f64, df: usize) -> SpatialTest {
    let statistic = 2.0 * (ll1 - ll0);
    SpatialTest { test: test.to_string(), statistic, df, p_value: chi2_sf(statistic.abs(), df as f64) }
}

/// `g'(G V G')⁻¹g` against χ²(len g); NaN when `G V G'` is singular.
pub fn wald(test: &str, g: &[f64], jac: &DMatrix<f64>, v: &DMatrix<f64>) -> SpatialTest {
    let m = jac * v * jac.transpose();
    let gv = DVector::from_column_slice(g);
    let statistic = m.try_inverse().map_or(f64::NAN, |mi| (gv.transpose() * mi * &gv)[(0, 0)]);
    SpatialTest { test: test.to_string(), statistic, df: g.len(), p_value: chi2_sf(statistic, g.len() as f64) }
}

/// The Durbin pairs `(index of x, index of W_x)` (positions in β).
fn pairs(d: &ModelData) -> Vec<(usize, usize)> {
    d.regressors.iter().filter_map(|(_, j, wj)| wj.map(|w| (*j, w))).collect()
}

/// Wald test of θ = 0; `offset` is the position of β in `v` (2 for `(σ², ρ, β)`).
pub fn wald_theta(d: &ModelData, v: &DMatrix<f64>, beta: &[f64], offset: usize) -> Option<SpatialTest> {
    let p = pairs(d);
    if p.is_empty() {
        return None;
    }
    let mut jac = DMatrix::zeros(p.len(), v.nrows());
    let g: Vec<f64> = p.iter().map(|&(_, w)| beta.get(w).copied().unwrap_or(f64::NAN)).collect();
    for (r, &(_, w)) in p.iter().enumerate() {
        jac[(r, offset + w)] = 1.0;
    }
    Some(wald("Wald: θ = 0", &g, &jac, v))
}

/// Wald test of the common factor θ + ρβ = 0 of an SDM (`v` of `(σ², ρ, β)`).
pub fn wald_common_factor(d: &ModelData, v: &DMatrix<f64>, rho: f64, beta: &[f64]) -> Option<SpatialTest> {
    let p = pairs(d);
    if p.is_empty() {
        return None;
    }
    let b = |i: usize| beta.get(i).copied().unwrap_or(f64::NAN);
    let g: Vec<f64> = p.iter().map(|&(j, w)| b(w) + rho * b(j)).collect();
    let mut jac = DMatrix::zeros(p.len(), v.nrows());
    for (r, &(j, w)) in p.iter().enumerate() {
        jac[(r, 1)] = b(j);
        jac[(r, 2 + j)] = rho;
        jac[(r, 2 + w)] = 1.0;
    }
    Some(wald("Wald: θ + ρβ = 0", &g, &jac, v))
}

