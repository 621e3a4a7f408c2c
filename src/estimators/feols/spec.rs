//! What to estimate: [`FeolsSpec`] (formula, variance, weights, tolerances).

use super::VcovSpec;
use serde::{Deserialize, Serialize};

/// What to estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeolsSpec {
    /// fixest formula, e.g. `lnHDQ ~ FTZ + pgdp | city + year`.
    pub formula: String,
    /// Variance type (default iid).
    pub vcov: VcovSpec,
    /// Name of an observation-weight column (analytic weights).
    pub weights: Option<String>,
    /// Remove singleton fixed-effect groups iteratively (default true, like
    /// reghdfe; note fixest's `feols` default is `fixef.rm = "none"`).
    /// Coefficients are unaffected; N and the degrees of freedom change.
    pub fixef_rm_singletons: bool,
    /// Confidence level of the intervals (default 0.95).
    pub conf_level: f64,
    /// Demeaning tolerance on the fixed-effect coefficients (default 1e-8,
    /// tighter than fixest's 1e-6).
    pub fixef_tol: f64,
    /// Demeaning iteration cap (default 10 000).
    pub fixef_maxiter: usize,
    /// Relative tolerance for dropping collinear regressors (default 1e-9).
    pub collin_tol: f64,
}

impl Default for FeolsSpec {
    fn default() -> Self {
        FeolsSpec {
            formula: String::new(),
            vcov: VcovSpec::Iid,
            weights: None,
            fixef_rm_singletons: true,
            conf_level: 0.95,
            fixef_tol: 1e-8,
            fixef_maxiter: 10_000,
            collin_tol: 1e-9,
        }
    }
}

impl FeolsSpec {
    /// A spec with defaults and the given formula and vcov.
    pub fn new(formula: &str, vcov: VcovSpec) -> FeolsSpec {
        FeolsSpec { formula: formula.to_string(), vcov, ..Default::default() }
    }
}
