//! Linear models with high-dimensional fixed effects and IV/2SLS (fixest's `feols`).
//!
//! # Method
//!
//! 1. The formula ([`crate::formula`]) is evaluated on the dataset; rows with
//!    a missing value in any used variable (incl. cluster and weight columns)
//!    are dropped; with fixed effects, singletons are then removed iteratively
//!    (`fixef_rm_singletons`, default true).
//! 2. Every variable (y, regressors, endogenous variables, instruments) is
//!    demeaned by the fixed effects ([`crate::linalg::demean`]). Without fixed
//!    effects but with an intercept, variables are centred (the intercept is a
//!    one-level fixed effect) and an explicit `Intercept` column is kept; the
//!    intercept's estimate and covariance are recovered exactly by the
//!    reparametrisation `α = a − Σ m_j β_j`. Centring makes NIST Longley
//!    reproducible to ~12 digits.
//! 3. Weighted least squares on `√w`-scaled columns by Householder QR
//!    ([`crate::linalg::qr`]); a regressor whose remaining norm is below
//!    `collin_tol` (default 1e-9) times its norm *before* demeaning is dropped
//!    and named in `dropped` (collinear with the fixed effects, the intercept,
//!    or earlier regressors; a regressor with no variation is such a case).
//!    Columns are tried in formula order, so of a collinear set the LAST is
//!    dropped (fixest; e.g. `i(g)` with an intercept or FE loses its last
//!    level, where pyfixest's encoding drops the first — pass `ref` to
//!    choose). The check is relative to the column's scale, unlike
//!    fixest/pyfixest's absolute pivot test (`X'X` pivot < 1e-9), which
//!    drops e.g. a regressor measured in units of 1e-6 on a few hundred rows;
//!    Quasi keeps it (pyfixest agrees with `collin_tol = 1e-20`).
//! 4. 2SLS: first stages regress each endogenous variable on the exogenous
//!    regressors and the excluded instruments; the second stage uses the
//!    fitted values; residuals for the variance use the *actual* endogenous
//!    values. First-stage partial F per endogenous variable: `f_statistic` is
//!    the classical (iid) F of the excluded instruments (fixest's `ivf`,
//!    linearmodels' `partial.f_stat` with `debiased`); `wald_statistic` is the
//!    Wald F with the model's vcov type (fixest's `ivwald`).
//! 5. Variance: [`crate::inference::vcov`] with fixest's default small-sample
//!    corrections (documented there). `K` = kept coefficients + FE
//!    coefficients counted as `Σ levels − (Q − 1)` (fixest's default
//!    `fixef.force_exact = FALSE`, pyfixest); for clustered errors a FE dimension nested in a cluster
//!    variable contributes nothing but one (pyfixest/fixest `fixef.K = "nested"`).
//!
//! Fit statistics: `r2 = 1 − RSS/TSS` with TSS around the weighted mean of y
//! — also for a model with neither intercept nor fixed effects, where r2 can
//! be negative (fixest/pyfixest; R's `lm` and statsmodels use the raw sum of
//! squares there), `adj_r2 = 1 − (1 − r2)(n − 1)/(n − K)`, `r2_within = 1 − RSS/Σ w ỹ²`,
//! `rmse = √(RSS/n)`, `f_stat` the iid F test of all non-intercept
//! coefficients (OLS only), with `(p, n − K)` degrees of freedom.
//!
//! # Reuse (DID, placebo, event studies)
//!
//! ```ignore
//! let design = DemeanedDesign::new(&ds, &spec)?;          // demean y and X once
//! let fit = design.fit(&spec.vcov, 0.95)?;                   // = feols(&ds, &spec)
//! // a new treatment column (dataset length), same sample & fixed effects:
//! let d_tilde = design.demean_extra(&fake_treatment)?;
//! let fwl = design.fwl("FTZ")?;                              // controls projected out once
//! let beta = fwl.coef(&d_tilde);                             // O(n·k) per draw
//! // full refit with standard errors, replacing the column:
//! let fit2 = design.with_demeaned_column("FTZ", d_tilde)?.fit(&spec.vcov, 0.95)?;
//! ```

mod design;
mod fit;
mod fwl;
mod solve;
mod spec;
mod vcov_spec;

pub use design::DemeanedDesign;
pub use fit::{ClusterInfo, Coef, FeolsFit, FirstStage, FixedEffectInfo};
pub use fwl::FwlSolver;
pub use spec::{FeolsSpec, ModelFormula};
pub use vcov_spec::VcovSpec;

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::inference::vcov::{self, WaldTest};

/// Fits a linear model (OLS or 2SLS) with fixed effects.
pub fn feols(ds: &Dataset, spec: &FeolsSpec) -> Result<FeolsFit> {
    DemeanedDesign::new(ds, spec)?.fit(&spec.vcov, spec.conf_level)
}

/// Joint Wald test that the named coefficients are all zero, with the model's covariance
/// matrix and `F(r, df_t)` reference distribution (`r` = rank of the tested covariance block,
/// `df_t` = G − 1 when clustered: Stata's `test` after a clustered regression, and pyfixest's
/// `wald_test`).
pub fn wald(fit: &FeolsFit, terms: &[&str]) -> Result<WaldTest> {
    wald_df(fit, terms, fit.df_t)
}

/// [`wald`] with another denominator df, e.g. `fit.df_resid_vcov` (fixest's `wald()`).
pub fn wald_df(fit: &FeolsFit, terms: &[&str], df2: f64) -> Result<WaldTest> {
    let mut idx = Vec::new();
    for t in terms {
        match fit.coefficients.iter().position(|c| c.term == *t) {
            Some(i) => idx.push(i),
            None => {
                return Err(Error::invalid(format!(
                    "`{t}` is not a coefficient of the model (coefficients: {})",
                    fit.coefficients.iter().map(|c| c.term.as_str()).collect::<Vec<_>>().join(", ")
                )))
            }
        }
    }
    let beta: Vec<f64> = fit.coefficients.iter().map(|c| c.estimate).collect();
    vcov::wald_test(&beta, &fit.vcov, &idx, df2, terms.iter().map(|s| s.to_string()).collect())
}
