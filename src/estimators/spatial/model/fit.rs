//! Fitting a validated spec: the data, the family's estimator, coefficients with their
//! inference, impacts, tests and diagnostics.

use nalgebra::DMatrix;

use super::data::{model_data, ModelData};
use super::impacts::{lag_impacts, wx_impacts};
use super::likelihood::{fit_error, fit_lag, fit_ols, MlFit};
use super::lr_wald::{lr, wald_common_factor, wald_theta};
use super::result::{z_estimate, SpatialModelResult, SpatialTest};
use super::spec::{SpatialModelKind, SpatialModelSpec, ValidatedSpec};
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::Result;
use crate::estimators::spatial::logdet::{prepare, SpatialOperator};
use crate::estimators::spatial::SpatialWeights;
use crate::inference::dist::{norm_quantile, t_pvalue_two_sided, t_quantile};
use crate::inference::estimate::Estimate;

/// Fits a spatial regression (spec → validated → fit → result).
pub fn fit(ds: &Dataset, spec: &SpatialModelSpec, w: &SpatialWeights) -> Result<SpatialModelResult> {
    let v = spec.validate(w)?;
    fit_validated(ds, &v, w)
}

/// Fits a validated spec.
pub fn fit_validated(ds: &Dataset, v: &ValidatedSpec, w: &SpatialWeights) -> Result<SpatialModelResult> {
    let d = model_data(ds, v, w, v.spec.model.durbin())?;
    match v.spec.model {
        SpatialModelKind::Slx => fit_slx(&d, v),
        kind => {
            let op = prepare(w, v.spec.method)?;
            fit_ml(&d, v, w, op.as_ref(), kind)
        }
    }
}

/// The same data without the Durbin columns (the SAR / SEM nested in an SDM / SDEM).
fn without_durbin(d: &ModelData) -> ModelData {
    let mut r = d.clone();
    r.x.truncate(d.k_main);
    r.names.truncate(d.k_main);
    r.ref_norms.truncate(d.k_main);
    for reg in r.regressors.iter_mut() {
        reg.2 = None;
    }
    r
}

fn crit(conf: f64) -> f64 {
    norm_quantile(1.0 - (1.0 - conf) / 2.0)
}

fn se(v: &DMatrix<f64>, i: usize) -> f64 {
    if i < v.nrows() {
        v[(i, i)].sqrt()
    } else {
        f64::NAN
    }
}

fn param_diagnostics(fit: &MlFit, name: &str, diags: &mut Diagnostics) {
    if fit.at_bound {
        diags.push(Diagnostic::warning(
            Code::SpatialParameterAtBound,
            format!(
                "{name} = {:.6} is at an end of its admissible interval ({:.6}, {:.6}); the likelihood has no interior maximum and the estimates should not be used (spatialreg warns the same)",
                fit.param, fit.interval.0, fit.interval.1
            ),
        ));
    }
}

fn fit_ml(d: &ModelData, v: &ValidatedSpec, w: &SpatialWeights, op: &dyn SpatialOperator, kind: SpatialModelKind) -> Result<SpatialModelResult> {
    let spec = &v.spec;
    let mut diags = d.diagnostics.clone();
    let lag = kind.lag();
    let fit = if lag { fit_lag(d, w, op)? } else { fit_error(d, w, op)? };
    param_diagnostics(&fit, if lag { "ρ" } else { "λ" }, &mut diags);
    let c = crit(v.conf_level);
    let coefficients: Vec<Estimate> =
        d.names.iter().enumerate().map(|(i, nm)| z_estimate(nm, fit.beta[i], se(&fit.vcov, i + 2), c)).collect();
    let ll_ols = fit_ols(d)?.loglik;
    let draws = spec.impacts.map(|i| i.draws).filter(|&k| k >= 2);
    let impacts = match kind {
        SpatialModelKind::Sar | SpatialModelKind::Sdm => {
            let sim = spec.impacts.map(|i| (&fit.vcov, fit.sigma2, i.draws, i.seed));
            let (impacts, kept) = lag_impacts(d, w, op, fit.param, &fit.beta, sim)?;
            if let (Some(k), Some(r)) = (kept, draws) {
                if k < r {
                    diags.push(Diagnostic::info(
                        Code::SpatialNote,
                        format!("{} of {r} simulated draws had ρ outside its interval and were discarded (as spatialreg); the impact SEs use the other {k}", r - k),
                    ));
                }
            }
            impacts
        }
        SpatialModelKind::Sdem => {
            // spatialreg takes these from the GLS regression's summary: σ² = e'e/(N − k).
            let nobs = d.nobs() as f64;
            let s2 = fit.sigma2 * nobs / (nobs - d.x.len() as f64);
            let cov: Vec<Vec<f64>> = fit.xtx_inv.iter().map(|r| r.iter().map(|x| x * s2).collect()).collect();
            wx_impacts(d, &fit.beta, &cov)
        }
        _ => {
            if spec.impacts.is_some() {
                diags.push(Diagnostic::info(
                    Code::SpatialNote,
                    "the SEM has no spillovers through y or WX: its impacts are the coefficients themselves (no impacts table)",
                ));
            }
            Vec::new()
        }
    };
    let tests = if spec.tests { ml_tests(d, w, op, kind, &fit, ll_ols)? } else { Vec::new() };
    let (rho, lambda) = if lag { (Some(fit.param), None) } else { (None, Some(fit.param)) };
    let param_se = Some(se(&fit.vcov, 1));
    Ok(SpatialModelResult {
        model: kind,
        fe: d.fe,
        depvar: d.depvar.clone(),
        n: d.n,
        periods: d.t,
        nobs: d.nobs(),
        rho,
        rho_se: if lag { param_se } else { None },
        lambda,
        lambda_se: if lag { None } else { param_se },
        loglik: fit.loglik,
        aic: -2.0 * fit.loglik + 2.0 * (d.x.len() + 2) as f64,
        sigma2: fit.sigma2,
        loglik_ols: ll_ols,
        coefficients,
        impacts,
        impact_draws: if lag { draws } else { None },
        tests,
        interval: Some([fit.interval.0, fit.interval.1]),
        logdet: Some(if op.exact() { "eigen" } else { "approximate" }.to_string()),
        conf_level: v.conf_level,
        diagnostics: diags,
    })
}

fn ml_tests(d: &ModelData, w: &SpatialWeights, op: &dyn SpatialOperator, kind: SpatialModelKind, fit: &MlFit, ll_ols: f64) -> Result<Vec<SpatialTest>> {
    let mut out = Vec::new();
    let name = if kind.lag() { "LR: ρ = 0" } else { "LR: λ = 0" };
    out.push(lr(name, fit.loglik, ll_ols, 1));
    // The LR df is the number of Durbin columns, W_(Intercept) included (spatialreg's
    // LR.Sarlm counts the parameters).
    let k = d.x.len() - d.k_main;
    if k == 0 {
        return Ok(out);
    }
    let restricted = without_durbin(d);
    match kind {
        SpatialModelKind::Sdm => {
            let sar = fit_lag(&restricted, w, op)?;
            out.push(lr("LR: SDM vs SAR", fit.loglik, sar.loglik, k));
            out.extend(wald_theta(d, &fit.vcov, &fit.beta, 2));
            let sem = fit_error(&restricted, w, op)?;
            out.push(lr("LR: SDM vs SEM", fit.loglik, sem.loglik, k));
            out.extend(wald_common_factor(d, &fit.vcov, fit.param, &fit.beta));
        }
        SpatialModelKind::Sdem => {
            let sem = fit_error(&restricted, w, op)?;
            out.push(lr("LR: SDEM vs SEM", fit.loglik, sem.loglik, k));
            out.extend(wald_theta(d, &fit.vcov, &fit.beta, 2));
        }
        _ => {}
    }
    Ok(out)
}

fn fit_slx(d: &ModelData, v: &ValidatedSpec) -> Result<SpatialModelResult> {
    let ols = fit_ols(d)?;
    let (beta, sse, xtx_inv, ll) = (ols.beta, ols.sse, ols.xtx_inv, ols.loglik);
    let nobs = d.nobs() as f64;
    let k = d.x.len();
    let df = nobs - k as f64;
    let s2 = sse / df;
    let cov: Vec<Vec<f64>> = xtx_inv.iter().map(|r| r.iter().map(|x| x * s2).collect()).collect();
    let tcrit = t_quantile(1.0 - (1.0 - v.conf_level) / 2.0, df);
    let coefficients = d
        .names
        .iter()
        .enumerate()
        .map(|(i, nm)| {
            let se = cov[i][i].sqrt();
            let t = beta[i] / se;
            Estimate {
                term: nm.clone(),
                estimate: beta[i],
                std_error: se,
                statistic: t,
                p_value: t_pvalue_two_sided(t, df),
                conf_low: beta[i] - tcrit * se,
                conf_high: beta[i] + tcrit * se,
            }
        })
        .collect();
    let impacts = wx_impacts(d, &beta, &cov);
    let mut tests = Vec::new();
    if v.spec.tests {
        let mut vm = DMatrix::zeros(k + 2, k + 2);
        for i in 0..k {
            for j in 0..k {
                vm[(i + 2, j + 2)] = cov[i][j];
            }
        }
        tests.extend(wald_theta(d, &vm, &beta, 2));
    }
    Ok(SpatialModelResult {
        model: SpatialModelKind::Slx,
        fe: d.fe,
        depvar: d.depvar.clone(),
        n: d.n,
        periods: d.t,
        nobs: d.nobs(),
        rho: None,
        rho_se: None,
        lambda: None,
        lambda_se: None,
        loglik: ll,
        aic: -2.0 * ll + 2.0 * (k + 1) as f64,
        sigma2: s2,
        loglik_ols: ll,
        coefficients,
        impacts,
        impact_draws: None,
        tests,
        interval: None,
        logdet: None,
        conf_level: v.conf_level,
        diagnostics: d.diagnostics.clone(),
    })
}
