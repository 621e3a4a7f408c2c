//! The result of a spatial regression, as the JS API returns it.

use serde::Serialize;

use super::impacts::Impact;
use super::spec::SpatialModelKind;
use crate::diagnostics::Diagnostics;
use crate::estimators::spatial::design::SpatialFe;
use crate::inference::dist::norm_cdf;
use crate::inference::estimate::Estimate;

/// One LR or Wald test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpatialTest {
    /// What is tested, e.g. `"LR: SDM vs SAR"`, `"Wald: θ + ρβ = 0"`.
    pub test: String,
    /// χ² statistic.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// Upper-tail χ² p-value.
    pub p_value: f64,
}

/// A fitted spatial regression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpatialModelResult {
    /// The family.
    pub model: SpatialModelKind,
    /// Fixed effects.
    pub fe: SpatialFe,
    /// Dependent variable.
    pub depvar: String,
    /// Units.
    pub n: usize,
    /// Periods (1 for a cross-section).
    pub periods: usize,
    /// Observations `nT`.
    pub nobs: usize,
    /// ρ (SAR, SDM).
    pub rho: Option<f64>,
    /// Asymptotic SE of ρ.
    pub rho_se: Option<f64>,
    /// λ (SEM, SDEM).
    pub lambda: Option<f64>,
    /// Asymptotic SE of λ.
    pub lambda_se: Option<f64>,
    /// Log-likelihood (spatialreg's; on the demeaned data for panels).
    pub loglik: f64,
    /// `−2 log L + 2p`, p = coefficients + ρ/λ + σ² (spatialreg's count; fixed effects
    /// swept out by demeaning are not counted). SLX: `lm`'s AIC.
    pub aic: f64,
    /// `e'e/N` (ML models); SLX: `e'e/(N − k)` as `lm`.
    pub sigma2: f64,
    /// Log-likelihood of the OLS regression on the same (demeaned) data.
    pub loglik_ols: f64,
    /// Coefficients: z statistics and normal intervals for the ML models (spatialreg's
    /// summary), t with N − k df for SLX (`lm`).
    pub coefficients: Vec<Estimate>,
    /// LeSage–Pace impacts (SAR, SDM, SLX, SDEM; empty for SEM).
    pub impacts: Vec<Impact>,
    /// Draws behind simulated impact SEs (SAR, SDM), if any.
    pub impact_draws: Option<usize>,
    /// LR and Wald tests.
    pub tests: Vec<SpatialTest>,
    /// Admissible interval of ρ or λ.
    pub interval: Option<[f64; 2]>,
    /// Log-determinant method (`"eigen"`), none for SLX.
    pub logdet: Option<String>,
    /// Confidence level of the intervals.
    pub conf_level: f64,
    /// Non-fatal events.
    pub diagnostics: Diagnostics,
}

impl SpatialModelResult {
    /// The coefficient named `term`.
    pub fn coefficient(&self, term: &str) -> Option<&Estimate> {
        self.coefficients.iter().find(|e| e.term == term)
    }
    /// The impacts of `term`.
    pub fn impact(&self, term: &str) -> Option<&Impact> {
        self.impacts.iter().find(|e| e.term == term)
    }
    /// The test whose name starts with `prefix`.
    pub fn test(&self, prefix: &str) -> Option<&SpatialTest> {
        self.tests.iter().find(|t| t.test.starts_with(prefix))
    }
}

/// An estimate with a normal (z) test and interval `± crit·SE`.
pub fn z_estimate(term: &str, est: f64, se: f64, crit: f64) -> Estimate {
    let ok = se.is_finite() && se > 0.0;
    let stat = if ok { est / se } else { f64::NAN };
    Estimate {
        term: term.to_string(),
        estimate: est,
        std_error: if ok { se } else { f64::NAN },
        statistic: stat,
        p_value: if ok { 2.0 * norm_cdf(-stat.abs()) } else { f64::NAN },
        conf_low: if ok { est - crit * se } else { f64::NAN },
        conf_high: if ok { est + crit * se } else { f64::NAN },
    }
}
