//! Concentrated maximum likelihood of the lag (SAR, SDM) and error (SEM, SDEM) models,
//! as spatialreg's `lagsarlm` and `errorsarlm` (`method = "eigen"`):
//!
//! `ℓ(ρ) = T·log|I − ρW| − N/2·log(2π) − N/2·log σ̂²(ρ) − N/2`, `σ̂²(ρ) = SSE(ρ)/N`,
//! `N = nT` (a cross-section has T = 1). For the lag model `SSE(ρ)` comes from the OLS
//! residuals of `y` and `Wy` on X (`e₀ − ρe_d`); for the error model from the GLS
//! regression of `y − λWy` on `X − λWX`. ρ (λ) maximises ℓ on the interval of W by
//! Brent's method (R's `optimize`), here to a tolerance of 1e-10 (R: 1.5e-8).

use super::data::ModelData;
use super::information::{error_vcov, lag_vcov};
use super::optimize::brent_max;
use crate::error::{Error, Result};
use crate::estimators::spatial::logdet::SpatialOperator;
use crate::estimators::spatial::SpatialWeights;
use crate::linalg::qr::Qr;

/// Tolerance of the search for ρ or λ.
const TOL: f64 = 1e-10;

/// A fitted lag or error model.
#[derive(Debug, Clone)]
pub struct MlFit {
    /// ρ (lag) or λ (error).
    pub param: f64,
    /// Coefficients of X.
    pub beta: Vec<f64>,
    /// `e'e / N`.
    pub sigma2: f64,
    /// Log-likelihood at the estimates.
    pub loglik: f64,
    /// Asymptotic covariance of `(σ², ρ or λ, β)` (spatialreg's order).
    pub vcov: nalgebra::DMatrix<f64>,
    /// The admissible interval.
    pub interval: (f64, f64),
    /// True when the estimate is at (within 1e-6 of the width of) an end of the interval.
    pub at_bound: bool,
    /// `(X*'X*)⁻¹` of the final regression (for df-corrected error-model impact SEs).
    pub xtx_inv: Vec<Vec<f64>>,
}

/// `−N/2·(log(2π) + log(SSE/N) + 1)`, the profile of the normal log-likelihood.
fn profile(sse: f64, nobs: f64) -> f64 {
    -0.5 * nobs * ((2.0 * std::f64::consts::PI).ln() + (sse / nobs).ln() + 1.0)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn full_rank(cols: &[&[f64]], names: &[String]) -> Result<Qr> {
    let norms: Vec<f64> = cols.iter().map(|c| dot(c, c).sqrt()).collect();
    let qr = Qr::new(cols, &norms, 1e-12);
    if let Some(&j) = qr.dropped.first() {
        let name = names.get(j).map_or("a regressor", String::as_str);
        return Err(Error::numerical(format!("the regressors are numerically collinear at `{name}`")));
    }
    Ok(qr)
}

fn bound_check(x: f64, (lo, hi): (f64, f64)) -> bool {
    let width = hi - lo;
    (x - lo).abs() <= 1e-6 * width || (hi - x).abs() <= 1e-6 * width
}

/// At a bound of the interval the information matrix may be singular: the standard
/// errors are then missing (NaN) and the fit carries a `SpatialParameterAtBound` warning.
fn at_bound_or(v: Result<nalgebra::DMatrix<f64>>, at_bound: bool, k: usize) -> Result<nalgebra::DMatrix<f64>> {
    match v {
        Err(_) if at_bound => Ok(nalgebra::DMatrix::from_element(k + 2, k + 2, f64::NAN)),
        other => other,
    }
}

/// Fits `y = ρWy + Xβ + ε` (SAR; SDM when X has Durbin columns).
pub fn fit_lag(d: &ModelData, w: &SpatialWeights, op: &dyn SpatialOperator) -> Result<MlFit> {
    let cols = d.cols();
    let qr = full_rank(&cols, &d.names)?;
    let wy = d.lag(w, &d.y);
    let (b0, bd) = (qr.solve(&d.y), qr.solve(&wy));
    let (e0, ed) = (qr.residual(&d.y), qr.residual(&wy));
    let (ea, eb, ec) = (dot(&e0, &e0), dot(&ed, &e0), dot(&ed, &ed));
    let nobs = d.nobs() as f64;
    let t = d.t as f64;
    let ll = |rho: f64| {
        let sse = ea - 2.0 * rho * eb + rho * rho * ec;
        t * op.log_det(rho) + profile(sse, nobs)
    };
    let interval = op.interval();
    let rho = brent_max(interval.0, interval.1, TOL, ll);
    let beta: Vec<f64> = b0.iter().zip(&bd).map(|(a, b)| a - rho * b).collect();
    let sse = ea - 2.0 * rho * eb + rho * rho * ec;
    if sse.is_nan() || sse <= 0.0 {
        return Err(Error::numerical("the lag model fits the data exactly (zero residuals); nothing to estimate"));
    }
    let sigma2 = sse / nobs;
    let loglik = ll(rho);
    let at_bound = bound_check(rho, interval);
    let vcov = at_bound_or(lag_vcov(d, w, op, rho, &beta, sigma2), at_bound, d.x.len())?;
    Ok(MlFit { param: rho, beta, sigma2, loglik, vcov, interval, at_bound, xtx_inv: qr.xtx_inv() })
}

/// `y − λWy` and `X − λWX`.
fn filtered(y: &[f64], wy: &[f64], x: &[Vec<f64>], wx: &[Vec<f64>], lambda: f64) -> (Vec<f64>, Vec<Vec<f64>>) {
    let yl = y.iter().zip(wy).map(|(a, b)| a - lambda * b).collect();
    let xl = x.iter().zip(wx).map(|(c, wc)| c.iter().zip(wc).map(|(a, b)| a - lambda * b).collect()).collect();
    (yl, xl)
}

/// Fits `y = Xβ + u`, `u = λWu + ε` (SEM; SDEM when X has Durbin columns).
pub fn fit_error(d: &ModelData, w: &SpatialWeights, op: &dyn SpatialOperator) -> Result<MlFit> {
    full_rank(&d.cols(), &d.names)?;
    let wy = d.lag(w, &d.y);
    let wx: Vec<Vec<f64>> = d.x.iter().map(|c| d.lag(w, c)).collect();
    let nobs = d.nobs() as f64;
    let t = d.t as f64;
    let sse_at = |lambda: f64| -> f64 {
        let (yl, xl) = filtered(&d.y, &wy, &d.x, &wx, lambda);
        let cols: Vec<&[f64]> = xl.iter().map(Vec::as_slice).collect();
        let zeros = vec![0.0; cols.len()];
        let r = Qr::new(&cols, &zeros, 0.0).residual(&yl);
        dot(&r, &r)
    };
    let ll = |lambda: f64| t * op.log_det(lambda) + profile(sse_at(lambda), nobs);
    let interval = op.interval();
    let lambda = brent_max(interval.0, interval.1, TOL, ll);
    let (yl, xl) = filtered(&d.y, &wy, &d.x, &wx, lambda);
    let cols: Vec<&[f64]> = xl.iter().map(Vec::as_slice).collect();
    let qr = full_rank(&cols, &d.names)?;
    let beta = qr.solve(&yl);
    let r = qr.residual(&yl);
    let sse = dot(&r, &r);
    if sse.is_nan() || sse <= 0.0 {
        return Err(Error::numerical("the error model fits the data exactly (zero residuals); nothing to estimate"));
    }
    let sigma2 = sse / nobs;
    let loglik = t * op.log_det(lambda) + profile(sse, nobs);
    let xtx_inv = qr.xtx_inv();
    let at_bound = bound_check(lambda, interval);
    let vcov = at_bound_or(error_vcov(d, w, op, lambda, sigma2, &xtx_inv), at_bound, d.x.len())?;
    Ok(MlFit { param: lambda, beta, sigma2, loglik, vcov, interval, at_bound, xtx_inv })
}

/// An OLS fit.
#[derive(Debug, Clone)]
pub struct OlsFit {
    /// Coefficients.
    pub beta: Vec<f64>,
    /// Sum of squared residuals.
    pub sse: f64,
    /// `(X'X)⁻¹`.
    pub xtx_inv: Vec<Vec<f64>>,
    /// Normal log-likelihood (`lm`'s `logLik`).
    pub loglik: f64,
}

/// OLS of `y` on X.
pub fn fit_ols(d: &ModelData) -> Result<OlsFit> {
    let qr = full_rank(&d.cols(), &d.names)?;
    let beta = qr.solve(&d.y);
    let r = qr.residual(&d.y);
    let sse = dot(&r, &r);
    if sse.is_nan() || sse <= 0.0 {
        return Err(Error::numerical("the regression fits the data exactly (zero residuals)"));
    }
    Ok(OlsFit { beta, sse, xtx_inv: qr.xtx_inv(), loglik: profile(sse, d.nobs() as f64) })
}
