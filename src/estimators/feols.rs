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

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::formula::{self, ModelFrame};
use crate::inference::dist::{f_sf, t_pvalue_two_sided, t_quantile};
use crate::inference::vcov::{self, WaldTest};
use crate::linalg::demean::{singleton_mask, DemeanInfo, DemeanOptions, FixedEffects};
use crate::linalg::qr::{norm, Qr};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// Variance type.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum VcovSpec {
    /// Homoskedastic.
    #[default]
    Iid,
    /// Heteroskedasticity-robust (HC1).
    Hetero,
    /// Cluster-robust (CRV1) by one or two variables.
    Cluster(Vec<String>),
}

impl VcovSpec {
    /// A short label (`iid`, `hetero`, `cluster(city)`).
    pub fn label(&self) -> String {
        match self {
            VcovSpec::Iid => "iid".into(),
            VcovSpec::Hetero => "hetero".into(),
            VcovSpec::Cluster(c) => format!("cluster({})", c.join(", ")),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawVcov {
    Name(String),
    Obj(BTreeMap<String, OneOrMany>),
}

impl<'de> Deserialize<'de> for VcovSpec {
    /// Accepts `"iid"`, `"hetero"` (aliases `"HC1"`, `"robust"`, `"hc1"`,
    /// `"nonrobust"`, `"unadjusted"`), `{"cluster": ["c1"]}`, `{"cluster": "c1"}`,
    /// `{"cluster": ["c1","c2"]}`, `{"CRV1": "c1"}` and pyfixest's two-way
    /// form `{"CRV1": "c1+c2"}` (also `"~c1 + c2"`).
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        match RawVcov::deserialize(d)? {
            RawVcov::Name(s) => match s.to_ascii_lowercase().as_str() {
                "iid" | "nonrobust" | "unadjusted" | "standard" => Ok(VcovSpec::Iid),
                "hetero" | "hc1" | "robust" | "heteroskedastic" => Ok(VcovSpec::Hetero),
                _ => Err(D::Error::custom(format!(
                    "unknown vcov `{s}`: use \"iid\", \"hetero\" or {{\"cluster\": [\"column\"]}}"
                ))),
            },
            RawVcov::Obj(m) => {
                let mut out = None;
                for (k, v) in m {
                    match k.to_ascii_lowercase().as_str() {
                        "cluster" | "crv1" => {
                            // pyfixest writes two-way clustering as "a+b" (fixest: ~a+b)
                            let split = |s: &str| -> Vec<String> {
                                s.trim()
                                    .trim_start_matches('~')
                                    .split('+')
                                    .map(|p| p.trim().to_string())
                                    .filter(|p| !p.is_empty())
                                    .collect()
                            };
                            out = Some(match v {
                                OneOrMany::One(s) => split(&s),
                                OneOrMany::Many(v) => v.iter().flat_map(|s| split(s)).collect(),
                            })
                        }
                        _ => return Err(D::Error::custom(format!("unknown vcov key `{k}` (use `cluster`)"))),
                    }
                }
                match out {
                    Some(c) if !c.is_empty() && c.len() <= 2 => Ok(VcovSpec::Cluster(c)),
                    _ => Err(D::Error::custom("`cluster` needs one or two column names")),
                }
            }
        }
    }
}

impl Serialize for VcovSpec {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            VcovSpec::Iid => s.serialize_str("iid"),
            VcovSpec::Hetero => s.serialize_str("hetero"),
            VcovSpec::Cluster(c) => {
                let mut m = BTreeMap::new();
                m.insert("cluster", c);
                m.serialize(s)
            }
        }
    }
}

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

/// A model's sample, fixed-effect structure and demeaned variables, ready to
/// be solved (and re-solved with modified columns) cheaply.
#[derive(Debug, Clone)]
pub struct DemeanedDesign {
    /// The formula.
    pub formula: String,
    /// Dependent variable name.
    pub depvar: String,
    /// Rows of the dataset in the sample.
    pub rows: Vec<usize>,
    /// Number of rows of the dataset.
    pub n_data: usize,
    /// Fixed effects on the sample (None without fixed effects).
    pub fe: Option<FixedEffects>,
    /// Weight column name.
    pub weights_name: Option<String>,
    /// Weights on the sample.
    pub weights: Option<Vec<f64>>,
    /// Demeaned (or centred) dependent variable.
    pub y: Vec<f64>,
    /// Exogenous regressor names (with `Intercept` first when there is one).
    pub x_names: Vec<String>,
    /// Demeaned exogenous regressors.
    pub x: Vec<Vec<f64>>,
    /// Endogenous regressor names (IV).
    pub endog_names: Vec<String>,
    /// Demeaned endogenous regressors.
    pub endog: Vec<Vec<f64>>,
    /// Excluded instrument names.
    pub inst_names: Vec<String>,
    /// Demeaned instruments.
    pub inst: Vec<Vec<f64>>,
    /// Cluster variables on the sample: name, codes, number of clusters.
    pub clusters: Vec<(String, Vec<u32>, usize)>,
    /// Explicit intercept column at `x[0]` (no fixed effects).
    pub intercept: bool,
    /// Notes (missing rows, singletons).
    pub notes: Diagnostics,
    /// Demeaning iterations / convergence.
    pub demean_info: DemeanInfo,
    x_norms: Vec<f64>,
    endog_norms: Vec<f64>,
    inst_norms: Vec<f64>,
    /// Weighted means of exog (first entry 0 for the intercept) and endog columns (intercept models).
    x_means: Vec<f64>,
    endog_means: Vec<f64>,
    y_mean: f64,
    tss: f64,
    tss_within: f64,
    opts: DemeanOptions,
    collin_tol: f64,
}

fn weighted_mean(v: &[f64], w: Option<&[f64]>) -> f64 {
    match w {
        Some(w) => v.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / w.iter().sum::<f64>(),
        None => v.iter().sum::<f64>() / v.len() as f64,
    }
}

fn subset_frame(f: &mut ModelFrame, keep: &[bool]) {
    let pick = |v: &Vec<f64>| v.iter().zip(keep).filter(|(_, k)| **k).map(|(x, _)| *x).collect::<Vec<f64>>();
    f.y = pick(&f.y);
    for b in f.exog.iter_mut().chain(f.endog.iter_mut()).chain(f.instruments.iter_mut()) {
        for c in b.columns.iter_mut() {
            *c = pick(c);
        }
    }
    if let Some(w) = &f.weights {
        f.weights = Some(pick(w));
    }
    f.rows = f.rows.iter().zip(keep).filter(|(_, k)| **k).map(|(r, _)| *r).collect();
    let recode = |v: &mut (String, Vec<u32>, usize)| {
        let codes: Vec<u32> = v.1.iter().zip(keep).filter(|(_, k)| **k).map(|(c, _)| *c).collect();
        let mut map = vec![u32::MAX; v.2];
        for &c in &codes {
            map[c as usize] = 0;
        }
        let mut k = 0;
        for m in map.iter_mut() {
            if *m == 0 {
                *m = k;
                k += 1;
            }
        }
        v.1 = codes.iter().map(|&c| map[c as usize]).collect();
        v.2 = k as usize;
    };
    f.fixef.iter_mut().for_each(recode);
    f.clusters.iter_mut().for_each(recode);
}

impl DemeanedDesign {
    /// Parses the formula, builds the sample and demeans every variable.
    pub fn new(ds: &Dataset, spec: &FeolsSpec) -> Result<DemeanedDesign> {
        if !(spec.conf_level > 0.0 && spec.conf_level < 1.0) {
            return Err(Error::invalid(format!("conf_level must be between 0 and 1 (got {})", spec.conf_level)));
        }
        let f = formula::parse(&spec.formula)?;
        let cl: Vec<String> = match &spec.vcov {
            VcovSpec::Cluster(c) => c.clone(),
            _ => Vec::new(),
        };
        let mut frame = ModelFrame::build(ds, &f, spec.weights.as_deref(), &cl)?;
        let mut notes: Diagnostics =
            frame.notes.iter().map(|m| Diagnostic::info(Code::MissingRowsDropped, m.clone())).collect();
        if !frame.fixef.is_empty() && spec.fixef_rm_singletons {
            let dims: Vec<(&[u32], usize)> = frame.fixef.iter().map(|(_, c, k)| (c.as_slice(), *k)).collect();
            let (keep, removed) = singleton_mask(&dims);
            if removed > 0 {
                notes.push(Diagnostic::info(
                    Code::SingletonsDropped,
                    format!("{removed} singleton observation(s) removed (fixed-effect groups with one observation)"),
                ));
                subset_frame(&mut frame, &keep);
                if frame.y.is_empty() {
                    return Err(Error::insufficient("no observations left after removing singleton fixed-effect groups"));
                }
            }
        }
        let n = frame.nobs();
        let w = frame.weights.clone();
        let wr = w.as_deref();
        let opts = DemeanOptions { tol: spec.fixef_tol, maxiter: spec.fixef_maxiter };
        let flat = |blocks: &[formula::TermBlock]| -> (Vec<String>, Vec<Vec<f64>>) {
            let mut names = Vec::new();
            let mut cols = Vec::new();
            for b in blocks {
                names.extend(b.names.iter().cloned());
                cols.extend(b.columns.iter().cloned());
            }
            (names, cols)
        };
        let (mut x_names, xr) = flat(&frame.exog);
        let (endog_names, dr) = flat(&frame.endog);
        let (inst_names, zr) = flat(&frame.instruments);
        let x_norms0: Vec<f64> = xr.iter().map(|c| norm(c, wr)).collect();
        let endog_norms: Vec<f64> = dr.iter().map(|c| norm(c, wr)).collect();
        let inst_norms: Vec<f64> = zr.iter().map(|c| norm(c, wr)).collect();
        let has_fe = !frame.fixef.is_empty();
        let ymean = weighted_mean(&frame.y, wr);
        let mut x_means = Vec::new();
        let mut endog_means = Vec::new();
        let mut demean_info = DemeanInfo { iterations: 0, converged: true };
        let (fe, y, mut x, endog, inst, tss, tss_within);
        if has_fe {
            let fx = FixedEffects::new(frame.fixef.clone(), w.clone())?;
            let mut all: Vec<&[f64]> = vec![&frame.y];
            all.extend(xr.iter().map(|c| c.as_slice()));
            all.extend(dr.iter().map(|c| c.as_slice()));
            all.extend(zr.iter().map(|c| c.as_slice()));
            let (mut dm, info) = fx.demean_many(&all, &opts);
            demean_info = info;
            if !info.converged {
                notes.push(Diagnostic::warning(
                    Code::DemeanNotConverged,
                    format!(
                        "demeaning did not converge in {} iterations (tolerance {:e}); results may be inaccurate",
                        info.iterations, opts.tol
                    ),
                ));
            }
            inst = dm.split_off(1 + xr.len() + dr.len());
            endog = dm.split_off(1 + xr.len());
            x = dm.split_off(1);
            y = dm.pop().unwrap_or_default();
            tss = frame.y.iter().enumerate().map(|(i, v)| wr.map_or(1.0, |w| w[i]) * (v - ymean).powi(2)).sum();
            tss_within = y.iter().enumerate().map(|(i, v)| wr.map_or(1.0, |w| w[i]) * v * v).sum();
            fe = Some(fx);
        } else if frame.intercept {
            let center = |c: &Vec<f64>| -> (Vec<f64>, f64) {
                let m = weighted_mean(c, wr);
                (c.iter().map(|v| v - m).collect(), m)
            };
            y = frame.y.iter().map(|v| v - ymean).collect();
            x = Vec::new();
            for c in &xr {
                let (v, m) = center(c);
                x.push(v);
                x_means.push(m);
            }
            endog = dr
                .iter()
                .map(|c| {
                    let (v, m) = center(c);
                    endog_means.push(m);
                    v
                })
                .collect();
            inst = zr.iter().map(|c| center(c).0).collect();
            tss = y.iter().enumerate().map(|(i, v)| wr.map_or(1.0, |w| w[i]) * v * v).sum();
            tss_within = tss;
            fe = None;
        } else {
            y = frame.y.clone();
            x = xr;
            endog = dr;
            inst = zr;
            // r2 around the mean even without an intercept (fixest/pyfixest);
            // the F test of all coefficients uses the raw sum of squares.
            tss = y.iter().enumerate().map(|(i, v)| wr.map_or(1.0, |w| w[i]) * (v - ymean).powi(2)).sum();
            tss_within = y.iter().enumerate().map(|(i, v)| wr.map_or(1.0, |w| w[i]) * v * v).sum();
            fe = None;
        }
        let mut x_norms = x_norms0;
        if frame.intercept {
            x.insert(0, vec![1.0; n]);
            x_names.insert(0, "Intercept".to_string());
            x_norms.insert(0, norm(&x[0], wr));
            x_means.insert(0, 0.0);
        }
        Ok(DemeanedDesign {
            formula: spec.formula.clone(),
            depvar: frame.depvar.clone(),
            rows: frame.rows.clone(),
            n_data: ds.nrows(),
            fe,
            weights_name: spec.weights.clone(),
            weights: w,
            y,
            x_names,
            x,
            endog_names,
            endog,
            inst_names,
            inst,
            clusters: frame.clusters.clone(),
            intercept: frame.intercept,
            notes,
            demean_info,
            x_norms,
            endog_norms,
            inst_norms,
            x_means,
            endog_means,
            y_mean: ymean,
            tss,
            tss_within,
            opts,
            collin_tol: spec.collin_tol,
        })
    }

    /// Number of observations in the sample.
    pub fn nobs(&self) -> usize {
        self.y.len()
    }

    /// Demeans a new column given for every dataset row (length `n_data`),
    /// using the same sample, weights and fixed effects. Errors if a sample
    /// row is missing.
    pub fn demean_extra(&self, column: &[f64]) -> Result<Vec<f64>> {
        if column.len() != self.n_data {
            return Err(Error::invalid(format!(
                "the new column has {} values, the dataset has {} rows",
                column.len(),
                self.n_data
            )));
        }
        let v: Vec<f64> = self.rows.iter().map(|&i| column[i]).collect();
        self.demean_sample(&v)
    }

    /// Demeans (or centres) a column given on the sample rows.
    pub fn demean_sample(&self, v: &[f64]) -> Result<Vec<f64>> {
        if v.len() != self.nobs() {
            return Err(Error::invalid("the column length differs from the number of observations"));
        }
        if v.iter().any(|x| !x.is_finite()) {
            return Err(Error::invalid("the new column has missing values in the estimation sample"));
        }
        Ok(match &self.fe {
            Some(fe) => fe.demean(v, &self.opts).0,
            None if self.intercept => {
                let m = weighted_mean(v, self.weights.as_deref());
                v.iter().map(|x| x - m).collect()
            }
            None => v.to_vec(),
        })
    }

    /// A copy with the exogenous column `name` replaced by (or, if absent,
    /// extended with) an already-demeaned column (from [`Self::demean_extra`]).
    /// Intercept models: the replacement is treated as centred with mean 0.
    pub fn with_demeaned_column(&self, name: &str, demeaned: Vec<f64>) -> Result<DemeanedDesign> {
        if demeaned.len() != self.nobs() {
            return Err(Error::invalid("the column length differs from the number of observations"));
        }
        let mut d = self.clone();
        let nrm = norm(&demeaned, d.weights.as_deref()).max(f64::MIN_POSITIVE);
        match d.x_names.iter().position(|n| n == name) {
            Some(j) => {
                d.x[j] = demeaned;
                d.x_norms[j] = nrm;
                if d.intercept {
                    d.x_means[j] = 0.0;
                }
            }
            None => {
                d.x_names.push(name.to_string());
                d.x.push(demeaned);
                d.x_norms.push(nrm);
                if d.intercept {
                    d.x_means.push(0.0);
                }
            }
        }
        Ok(d)
    }

    /// Adds (or replaces) a cluster variable, taking its codes on the sample rows.
    pub fn add_cluster(&mut self, ds: &Dataset, name: &str) -> Result<()> {
        let all = formula::frame::group_codes(ds, name)?;
        let n_levels = all.iter().filter(|&&c| c != crate::data::Factor::MISSING).map(|&c| c as usize + 1).max().unwrap_or(0);
        let codes: Vec<u32> = self.rows.iter().map(|&i| all[i]).collect();
        if codes.contains(&crate::data::Factor::MISSING) {
            return Err(Error::invalid(format!("cluster variable `{name}` has missing values in the estimation sample")));
        }
        let mut map = vec![u32::MAX; n_levels];
        let mut k = 0u32;
        let mut out = Vec::with_capacity(codes.len());
        for c in codes {
            let m = &mut map[c as usize];
            if *m == u32::MAX {
                *m = k;
                k += 1;
            }
            out.push(*m);
        }
        self.clusters.retain(|c| c.0 != name);
        self.clusters.push((name.to_string(), out, k as usize));
        Ok(())
    }

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

    /// Free fixed-effect coefficients (0 without fixed effects).
    fn fe_k(&self) -> usize {
        self.fe.as_ref().map_or(0, |f| f.n_coefficients())
    }

    /// `K` adjustment for clustered errors (fixef.K = "nested").
    fn nested_adjust(&self, clusters: &[(&[u32], usize)]) -> usize {
        let Some(fe) = &self.fe else { return 0 };
        let mut sub = 0;
        for d in &fe.dims {
            let nested = clusters.iter().any(|(codes, _)| {
                let mut owner = vec![u32::MAX; d.n_levels];
                d.codes.iter().zip(codes.iter()).all(|(&l, &c)| {
                    let o = &mut owner[l as usize];
                    if *o == u32::MAX {
                        *o = c;
                        true
                    } else {
                        *o == c
                    }
                })
            });
            if nested {
                sub += d.n_levels - 1;
            }
        }
        sub
    }

    /// Solves the model with the given variance type.
    pub fn fit(&self, vcov_spec: &VcovSpec, conf_level: f64) -> Result<FeolsFit> {
        let n = self.nobs();
        let mut diagnostics = self.notes.clone();
        let mut dropped: Vec<String> = self.notes.messages().into_iter().map(String::from).collect();
        let sw: Option<Vec<f64>> = self.weights.as_ref().map(|w| w.iter().map(|v| v.sqrt()).collect());
        let scale = |v: &[f64]| -> Vec<f64> {
            match &sw {
                Some(s) => v.iter().zip(s).map(|(a, b)| a * b).collect(),
                None => v.to_vec(),
            }
        };
        let ys = scale(&self.y);
        let xs: Vec<Vec<f64>> = self.x.iter().map(|c| scale(c)).collect();
        let ds_: Vec<Vec<f64>> = self.endog.iter().map(|c| scale(c)).collect();
        let zs: Vec<Vec<f64>> = self.inst.iter().map(|c| scale(c)).collect();
        let clusters: Vec<(&[u32], usize)> = match vcov_spec {
            VcovSpec::Cluster(names) => names
                .iter()
                .map(|nm| {
                    self.clusters
                        .iter()
                        .find(|c| &c.0 == nm)
                        .map(|c| (c.1.as_slice(), c.2))
                        .ok_or_else(|| Error::invalid(format!("cluster variable `{nm}` was not prepared for this design")))
                })
                .collect::<Result<_>>()?,
            _ => Vec::new(),
        };
        let fe_k = self.fe_k();
        let nested = self.nested_adjust(&clusters);
        let is_iv = !self.endog.is_empty();

        // First stages.
        let mut first_stage = None;
        let mut dhat: Vec<Vec<f64>> = Vec::new();
        if is_iv {
            let mut cols: Vec<&[f64]> = xs.iter().map(|c| c.as_slice()).collect();
            cols.extend(zs.iter().map(|c| c.as_slice()));
            let mut norms = self.x_norms.clone();
            norms.extend(self.inst_norms.iter().copied());
            let fq = Qr::new(&cols, &norms, self.collin_tol);
            let xq = Qr::new(&cols[..xs.len()], &self.x_norms, self.collin_tol);
            let z_idx: Vec<usize> = fq.kept.iter().enumerate().filter(|(_, &j)| j >= xs.len()).map(|(p, _)| p).collect();
            if z_idx.is_empty() {
                let with = if self.fe.is_some() {
                    "the exogenous regressors and the fixed effects (an instrument that is constant within a fixed-effect group is absorbed by it)"
                } else {
                    "the exogenous regressors"
                };
                return Err(Error::insufficient(format!("the excluded instruments are all collinear with {with}")));
            }
            let mut fs_out = Vec::new();
            let names: Vec<String> = {
                let mut v = self.x_names.clone();
                v.extend(self.inst_names.iter().cloned());
                v
            };
            for (k, d) in ds_.iter().enumerate() {
                let res_u = fq.residual(d);
                let res_r = if xs.is_empty() { d.clone() } else { xq.residual(d) };
                let rss_u: f64 = res_u.iter().map(|v| v * v).sum();
                let rss_r: f64 = res_r.iter().map(|v| v * v).sum();
                let q = z_idx.len() as f64;
                let kf = fq.rank() + fe_k;
                let df2 = n as f64 - kf as f64;
                let fstat = ((rss_r - rss_u) / q) / (rss_u / df2);
                dhat.push(d.iter().zip(&res_u).map(|(a, b)| a - b).collect());
                // first-stage coefficients with the model's vcov
                let beta = fq.solve(d);
                let kept_cols: Vec<&[f64]> = fq.kept.iter().map(|&j| cols[j]).collect();
                let core = self.variance(vcov_spec, &fq, &kept_cols, &res_u, &clusters, fe_k, nested)?;
                let fs_names: Vec<String> = fq.kept.iter().map(|&j| names[j].clone()).collect();
                let wt = vcov::wald_test(&beta, &core.0, &z_idx, core.1, Vec::new())?;
                let coefs = make_coefs(&fs_names, &beta, &core.0, core.1, conf_level);
                fs_out.push(FirstStage {
                    endogenous: self.endog_names[k].clone(),
                    f_statistic: fstat,
                    p_value: f_sf(fstat, q, df2),
                    df1: q,
                    df2,
                    wald_statistic: wt.statistic,
                    wald_p_value: wt.p_value,
                    partial_r2: if rss_r > 0.0 { 1.0 - rss_u / rss_r } else { f64::NAN },
                    coefficients: coefs,
                });
            }
            first_stage = Some(fs_out);
        }

        // Main regression: QR on [X, D̂] (IV) or X (OLS).
        let mut names = self.x_names.clone();
        names.extend(self.endog_names.iter().cloned());
        let mut qcols: Vec<&[f64]> = xs.iter().map(|c| c.as_slice()).collect();
        qcols.extend(dhat.iter().map(|c| c.as_slice()));
        let mut acols: Vec<&[f64]> = xs.iter().map(|c| c.as_slice()).collect();
        acols.extend(ds_.iter().map(|c| c.as_slice()));
        let mut norms = self.x_norms.clone();
        norms.extend(self.endog_norms.iter().copied());
        let qr = Qr::new(&qcols, &norms, self.collin_tol);
        for &j in &qr.dropped {
            let why = if self.fe.is_some() {
                "collinear with the fixed effects or other regressors"
            } else if self.intercept {
                "collinear with the intercept or other regressors (or no variation)"
            } else {
                "collinear with other regressors"
            };
            let msg = format!("variable `{}` removed: {why}", names[j]);
            diagnostics.push(Diagnostic::info(Code::CollinearDropped, msg.clone()));
            dropped.push(msg);
        }
        if qr.rank() == 0 {
            return Err(Error::insufficient(format!(
                "no regressor can be estimated: {}",
                if self.x.is_empty() && self.endog.is_empty() {
                    "the model has no regressors".to_string()
                } else {
                    "all regressors are collinear with the fixed effects (or have no variation)".to_string()
                }
            )));
        }
        let k_total = qr.rank() + fe_k;
        if k_total >= n {
            return Err(Error::insufficient(format!(
                "the model has {k_total} parameters (including fixed effects) but only {n} observations"
            )));
        }
        let beta = qr.solve(&ys);
        let kept_q: Vec<&[f64]> = qr.kept.iter().map(|&j| qcols[j]).collect();
        let kept_a: Vec<&[f64]> = qr.kept.iter().map(|&j| acols[j]).collect();
        // residuals in scaled space with the actual columns
        let mut es = ys.clone();
        for (b, c) in beta.iter().zip(&kept_a) {
            for (e, v) in es.iter_mut().zip(c.iter()) {
                *e -= b * v;
            }
        }
        let rss: f64 = es.iter().map(|v| v * v).sum();
        let (mut v, df_t, _gmin, k_vcov) = self.variance(vcov_spec, &qr, &kept_q, &es, &clusters, fe_k, nested)?;
        let kept_names: Vec<String> = qr.kept.iter().map(|&j| names[j].clone()).collect();
        let mut beta = beta;
        // Intercept back-transformation.
        if self.intercept {
            let mut means = self.x_means.clone();
            means.extend(self.endog_means.iter().copied());
            let m: Vec<f64> = qr.kept.iter().map(|&j| means[j]).collect();
            if let Some(p0) = qr.kept.iter().position(|&j| j == 0) {
                let t: Vec<f64> = (0..m.len()).map(|i| if i == p0 { 1.0 } else { -m[i] }).collect();
                beta[p0] = beta.iter().zip(&t).map(|(b, t)| b * t).sum::<f64>() + self.y_mean;
                let tv: Vec<f64> = (0..m.len()).map(|j| (0..m.len()).map(|i| t[i] * v[i][j]).sum()).collect();
                let tvt: f64 = tv.iter().zip(&t).map(|(a, b)| a * b).sum();
                for j in 0..m.len() {
                    v[p0][j] = tv[j];
                    v[j][p0] = tv[j];
                }
                v[p0][p0] = tvt;
            }
        }
        if clusters.len() == 2 && vcov::fix_negative_diagonal(&mut v) {
            let msg = "the two-way clustered variance had a negative diagonal entry; negative eigenvalues were set to \
                       zero (fixest's fix)";
            diagnostics.push(Diagnostic::warning(Code::VcovRepaired, msg));
            dropped.push(msg.into());
        }
        let coefficients = make_coefs(&kept_names, &beta, &v, df_t, conf_level);
        let nf = n as f64;
        let r2 = 1.0 - rss / self.tss;
        let adj_r2 = 1.0 - (1.0 - r2) * (nf - 1.0) / (nf - k_total as f64);
        let (r2_within, adj_r2_within) = if self.fe.is_some() {
            let w = 1.0 - rss / self.tss_within;
            (Some(w), Some(1.0 - (1.0 - w) * (nf - fe_k as f64) / (nf - k_total as f64)))
        } else {
            (None, None)
        };
        let p_slopes = qr.rank() - usize::from(self.intercept);
        let df_resid = nf - k_total as f64;
        let (f_stat, f_p_value, f_df1) = if !is_iv && p_slopes > 0 {
            let f = ((self.tss_within - rss) / p_slopes as f64) / (rss / df_resid);
            (Some(f), Some(f_sf(f, p_slopes as f64, df_resid)), Some(p_slopes as f64))
        } else {
            (None, None, None)
        };
        let residuals: Vec<f64> = match &sw {
            Some(s) => es.iter().zip(s).map(|(e, s)| e / s).collect(),
            None => es,
        };
        let clusters_info = match vcov_spec {
            VcovSpec::Cluster(names) => names
                .iter()
                .zip(&clusters)
                .map(|(nm, (_, g))| ClusterInfo { name: nm.clone(), n: *g })
                .collect(),
            _ => Vec::new(),
        };
        Ok(FeolsFit {
            formula: self.formula.clone(),
            depvar: self.depvar.clone(),
            coefficients,
            nobs: n,
            r2,
            adj_r2,
            r2_within,
            adj_r2_within,
            rmse: (rss / nf).sqrt(),
            sigma: (rss / df_resid).sqrt(),
            rss,
            f_stat,
            f_p_value,
            f_df1,
            df_resid,
            df_resid_vcov: nf - k_vcov as f64,
            df_t,
            n_params: k_total,
            conf_level,
            vcov_type: vcov_spec.label(),
            clusters: clusters_info,
            fixed_effects: self
                .fe
                .as_ref()
                .map(|f| f.dims.iter().map(|d| FixedEffectInfo { name: d.name.clone(), n_levels: d.n_levels }).collect())
                .unwrap_or_default(),
            dropped,
            diagnostics,
            first_stage,
            vcov: v,
            iterations: self.demean_info.iterations,
            converged: self.demean_info.converged,
            weights: self.weights_name.clone(),
            has_intercept: self.intercept,
            residuals,
            rows: self.rows.clone(),
        })
    }

    /// Variance matrix, t degrees of freedom and G_min for a solved system.
    #[allow(clippy::too_many_arguments)]
    fn variance(
        &self,
        spec: &VcovSpec,
        qr: &Qr,
        cols: &[&[f64]],
        es: &[f64],
        clusters: &[(&[u32], usize)],
        fe_k: usize,
        nested: usize,
    ) -> Result<(Vec<Vec<f64>>, f64, usize, usize)> {
        let n = es.len();
        let k = qr.rank() + fe_k;
        let bread = qr.xtx_inv();
        Ok(match spec {
            VcovSpec::Iid => {
                let rss: f64 = es.iter().map(|v| v * v).sum();
                (vcov::vcov_iid(&bread, rss, n, k), n as f64 - k as f64, 0, k)
            }
            VcovSpec::Hetero => (vcov::vcov_hetero(&bread, cols, es, None, k), n as f64 - k as f64, 0, k),
            VcovSpec::Cluster(_) => {
                let (v, g) = vcov::vcov_cluster(&bread, cols, es, None, clusters, k - nested)?;
                (v, g as f64 - 1.0, g, k - nested)
            }
        })
    }
}

fn make_coefs(names: &[String], beta: &[f64], v: &[Vec<f64>], df: f64, level: f64) -> Vec<Coef> {
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
