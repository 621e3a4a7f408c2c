//! The fitted model ([`FeolsFit`]) and its parts (coefficients, clusters, fixed effects,
//! first stages).

use crate::diagnostics::Diagnostics;
use crate::inference::dist::{t_pvalue_two_sided, t_quantile};
use serde::{Deserialize, Serialize};

/// One coefficient row (the shared [`Estimate`]).
pub use crate::inference::Estimate as Coef;

/// A cluster variable and its number of clusters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterInfo {
    /// Variable name.
    pub name: String,
    /// Number of clusters in the sample.
    pub n: usize,
}

/// A fixed-effect dimension and its number of levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixedEffectInfo {
    /// Name (`city`, `id^year`).
    pub name: String,
    /// Levels in the sample.
    pub n_levels: usize,
}

/// First-stage results for one endogenous variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirstStage {
    /// The endogenous variable.
    pub endogenous: String,
    /// Classical (iid) partial F of the excluded instruments.
    pub f_statistic: f64,
    /// Its p-value.
    pub p_value: f64,
    /// Number of excluded instruments tested.
    pub df1: f64,
    /// Residual degrees of freedom of the first stage.
    pub df2: f64,
    /// Wald F of the excluded instruments with the model's vcov type.
    pub wald_statistic: f64,
    /// Its p-value.
    pub wald_p_value: f64,
    /// Partial R² of the excluded instruments.
    pub partial_r2: f64,
    /// First-stage coefficients (model's vcov type).
    pub coefficients: Vec<Coef>,
}

/// A fitted model. Serialises to the JS result object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeolsFit {
    /// The formula.
    pub formula: String,
    /// Dependent variable.
    pub depvar: String,
    /// Coefficients (exogenous regressors, then endogenous ones for IV).
    pub coefficients: Vec<Coef>,
    /// Observations used.
    pub nobs: usize,
    /// R².
    pub r2: f64,
    /// Adjusted R².
    pub adj_r2: f64,
    /// Within R² (models with fixed effects).
    pub r2_within: Option<f64>,
    /// Adjusted within R² (`1 − (1 − r2_within)(n − K_fe)/(n − K)`, fixest's `wr2` adjustment).
    pub adj_r2_within: Option<f64>,
    /// Root mean squared residual `√(RSS/n)`.
    pub rmse: f64,
    /// Residual standard error `√(RSS/(n − K))`.
    pub sigma: f64,
    /// Residual sum of squares (weighted).
    pub rss: f64,
    /// F statistic of all non-intercept regressors (iid; OLS only).
    pub f_stat: Option<f64>,
    /// Its p-value.
    pub f_p_value: Option<f64>,
    /// Its numerator degrees of freedom.
    pub f_df1: Option<f64>,
    /// `n − K`.
    pub df_resid: f64,
    /// Degrees of freedom of the t tests (`n − K`, or `G_min − 1` when clustered).
    pub df_t: f64,
    /// `n − K` with `K` the parameter count of the variance's small-sample correction (fixed
    /// effects nested in the cluster not counted): fixest's `degrees_freedom(fit, "resid")`,
    /// the denominator df of fixest's `wald()`. Equals `df_resid` unless clustered.
    #[serde(default)]
    pub df_resid_vcov: f64,
    /// Number of estimated parameters `K` used in the iid/hetero correction.
    pub n_params: usize,
    /// Confidence level of the intervals.
    pub conf_level: f64,
    /// `iid`, `hetero` or `cluster(...)`.
    pub vcov_type: String,
    /// Cluster variables and their sizes.
    pub clusters: Vec<ClusterInfo>,
    /// Fixed effects and their sizes.
    pub fixed_effects: Vec<FixedEffectInfo>,
    /// Notes on removed observations and terms (missing rows, singletons, collinear terms).
    pub dropped: Vec<String>,
    /// All non-fatal events, typed (missing rows, singletons, collinear variables, demeaning,
    /// variance repairs). `dropped` keeps the same messages as text for older callers.
    pub diagnostics: Diagnostics,
    /// First stages (IV only).
    pub first_stage: Option<Vec<FirstStage>>,
    /// Covariance matrix of the coefficients (in `coefficients` order).
    pub vcov: Vec<Vec<f64>>,
    /// Demeaning iterations (maximum over variables).
    pub iterations: usize,
    /// Demeaning converged for every variable.
    pub converged: bool,
    /// Weight column, if any.
    pub weights: Option<String>,
    /// True when the model has an intercept.
    pub has_intercept: bool,
    /// Residuals (sample order; not serialised).
    #[serde(skip, default)]
    pub residuals: Vec<f64>,
    /// Dataset row of each sample observation (not serialised).
    #[serde(skip, default)]
    pub rows: Vec<usize>,
}

impl FeolsFit {
    /// The coefficient of `term`.
    pub fn coef(&self, term: &str) -> Option<&Coef> {
        self.coefficients.iter().find(|c| c.term == term)
    }
}

/// Coefficient rows with t-based p-values and intervals at `level`.
pub(super) fn make_coefs(names: &[String], beta: &[f64], v: &[Vec<f64>], df: f64, level: f64) -> Vec<Coef> {
    let q = t_quantile(1.0 - (1.0 - level) / 2.0, df);
    names
        .iter()
        .enumerate()
        .map(|(i, nm)| {
            let se = v[i][i].max(0.0).sqrt();
            let t = beta[i] / se;
            Coef {
                term: nm.clone(),
                estimate: beta[i],
                std_error: se,
                statistic: t,
                p_value: t_pvalue_two_sided(t, df),
                conf_low: beta[i] - q * se,
                conf_high: beta[i] + q * se,
            }
        })
        .collect()
}
