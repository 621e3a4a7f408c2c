//! Asymptotic covariance of the ML estimates as spatialreg reports them with
//! `method = "eigen"` (the analytic information matrix, Ord 1975 / Anselin 1988), for a
//! panel with `A = I_T ⊗ (I − ρW)` so every trace is T times the n × n one.
//!
//! Lag model (`lagsarlm`): the full information matrix of `(σ², ρ, β)`:
//! `I(σ²,σ²) = N/(2σ⁴)`, `I(σ²,ρ) = tr(WA⁻¹)/σ²`, `I(ρ,ρ) = tr((WA⁻¹)²) + tr((WA⁻¹)'WA⁻¹)
//! + ‖WA⁻¹Xβ‖²/σ²`, `I(β,ρ) = X'WA⁻¹Xβ/σ²`, `I(β,β) = X'X/σ²`, `I(σ²,β) = 0`; inverted.
//!
//! Error model (`errorsarlm`): the block-diagonal one: `(σ², λ)` with
//! `I(λ,λ) = tr((WA⁻¹)²) + tr((WA⁻¹)'WA⁻¹)`, and `β` with `σ²(X*'X*)⁻¹`, `X* = X − λWX`.

use nalgebra::DMatrix;

use super::data::ModelData;
use crate::error::{Error, Result};
use crate::estimators::spatial::logdet::SpatialOperator;
use crate::estimators::spatial::SpatialWeights;

/// `‖A⁻¹W‖²_F = tr((A⁻¹W)'A⁻¹W)` of the n × n matrices (n solves).
fn frobenius_sq(w: &SpatialWeights, op: &dyn SpatialOperator, rho: f64) -> Result<f64> {
    let n = w.n();
    let mut total = 0.0;
    let mut e = vec![0.0; n];
    for j in 0..n {
        e[j] = 1.0;
        let col = w.lag(&e);
        e[j] = 0.0;
        if col.iter().all(|v| *v == 0.0) {
            continue;
        }
        let a = op.solve(rho, &col)?;
        total += a.iter().map(|v| v * v).sum::<f64>();
    }
    Ok(total)
}

/// `(I_T ⊗ A⁻¹) v`, period by period.
pub fn solve_panel(op: &dyn SpatialOperator, rho: f64, v: &[f64]) -> Result<Vec<f64>> {
    let n = op.n();
    let mut out = Vec::with_capacity(v.len());
    for chunk in v.chunks(n) {
        out.extend(op.solve(rho, chunk)?);
    }
    Ok(out)
}

fn invert(m: DMatrix<f64>, what: &str) -> Result<DMatrix<f64>> {
    m.try_inverse().ok_or_else(|| {
        Error::numerical(format!("the information matrix of the {what} model is singular; no standard errors"))
    })
}

/// Covariance of `(σ², ρ, β)` of the lag model.
pub fn lag_vcov(d: &ModelData, w: &SpatialWeights, op: &dyn SpatialOperator, rho: f64, beta: &[f64], s2: f64) -> Result<DMatrix<f64>> {
    let k = d.x.len();
    let t = d.t as f64;
    let nobs = d.nobs() as f64;
    let tr = op.traces(rho);
    let fro = t * frobenius_sq(w, op, rho)?;
    let mut xb = vec![0.0; d.nobs()];
    for (c, b) in d.x.iter().zip(beta) {
        for (o, v) in xb.iter_mut().zip(c) {
            *o += b * v;
        }
    }
    let awxb = solve_panel(op, rho, &d.lag(w, &xb))?;
    let xtawxb: Vec<f64> = d.x.iter().map(|c| s2 * c.iter().zip(&awxb).map(|(a, b)| a * b).sum::<f64>()).collect();
    let norm2: f64 = awxb.iter().map(|v| v * v).sum();
    let omega = t * tr.w_inv_sq;
    // spatialreg's matrix, scaled by σ⁴ (its `inf`), then varb = σ⁴ inf⁻¹.
    let mut inf = DMatrix::zeros(k + 2, k + 2);
    inf[(0, 0)] = nobs / 2.0;
    inf[(0, 1)] = s2 * t * tr.w_inv;
    inf[(1, 0)] = inf[(0, 1)];
    inf[(1, 1)] = s2 * (s2 * fro + norm2) + omega * s2 * s2;
    for i in 0..k {
        inf[(1, i + 2)] = xtawxb[i];
        inf[(i + 2, 1)] = xtawxb[i];
        for j in 0..k {
            inf[(i + 2, j + 2)] = s2 * d.x[i].iter().zip(&d.x[j]).map(|(a, b)| a * b).sum::<f64>();
        }
    }
    Ok(invert(inf, "lag")? * (s2 * s2))
}

/// Covariance of `(σ², λ, β)` of the error model (block diagonal).
pub fn error_vcov(d: &ModelData, w: &SpatialWeights, op: &dyn SpatialOperator, lambda: f64, s2: f64, xtx_inv: &[Vec<f64>]) -> Result<DMatrix<f64>> {
    let k = d.x.len();
    let t = d.t as f64;
    let nobs = d.nobs() as f64;
    let tr = op.traces(lambda);
    let fro = t * frobenius_sq(w, op, lambda)?;
    let mut a = DMatrix::zeros(2, 2);
    a[(0, 0)] = nobs / (2.0 * s2 * s2);
    a[(0, 1)] = t * tr.w_inv / s2;
    a[(1, 0)] = a[(0, 1)];
    a[(1, 1)] = t * tr.w_inv_sq + fro;
    let ai = invert(a, "error")?;
    let mut v = DMatrix::zeros(k + 2, k + 2);
    for i in 0..2 {
        for j in 0..2 {
            v[(i, j)] = ai[(i, j)];
        }
    }
    for i in 0..k {
        for j in 0..k {
            let x = xtx_inv.get(i).and_then(|r| r.get(j)).copied().unwrap_or(f64::NAN);
            v[(i + 2, j + 2)] = s2 * x;
        }
    }
    Ok(v)
}
