//! The DID workbench core: two-way fixed-effects DID and event studies.
//!
//! # DID
//!
//! [`did`] builds the treatment design ([`build_design`]) from the [`TreatmentSpec`] fields of a
//! [`DidSpec`], adds the DID regressor `D_it` as a new column and fits
//!
//! ```text
//! y_it = β·D_it + x_it'γ + α_i + λ_t + ε_it          (fe = [unit, time], the default)
//! ```
//!
//! with the fixed-effects engine ([`feols`]). The regressor is called `DID` (the `start` and
//! `treat` + `post` forms) or keeps the indicator's column name (the `indicator` form, e.g.
//! `FTZ`); `name` overrides either. The default variance is **clustered by the unit column**
//! (CRV1 with fixest's small-sample corrections); `vcov` selects any other engine type.
//! Without fixed effects (`fe: []`) the model has an intercept and, for the 2×2 form, the
//! `treat` and `post` columns are added as regressors (the classic 2×2 regression).
//!
//! Internally the model runs on a reduced copy of the dataset holding only the columns it
//! uses plus the constructed regressors, so a dataset column that happens to be called `DID`
//! (or `ev_m3`) is never overwritten; a name clash with a column the model *uses* is an error.
//!
//! # Event study
//!
//! [`event_study`] replaces `D_it` by event-time dummies `1{t − A_i = k}` for every observed
//! `k` except the reference (default −1), named `ev_m7 … ev_m2, ev_p0 … ev_p7`
//! ([`event_term_name`]); never-treated units have all-zero dummies (they are the controls).
//! A `window: [lo, hi]` bins event times outside it into the endpoints (`binning: "bin"`,
//! default) or drops those rows (`"trim"`); a window reaching beyond the data is clipped to
//! the observed event times (with a diagnostic). Without never-treated units the earliest
//! event time becomes a second reference (see [`event_dummies`]).
//!
//! The pre-trend test is the joint Wald test `F = β̂_pre' V̂_pre⁻ β̂_pre / r` of all estimated
//! lead coefficients (`k < 0`, `k ≠ ref`) with the model's variance, where `r` is the rank of
//! `V̂_pre` (the number of leads `q` unless it is singular — more leads than clusters — when the
//! pseudo-inverse is used and `r < q` is reported in `df1` and a diagnostic). Its reference
//! distribution is `F(r, df2)` with, by default (`pretrend_df: "t"`), the df of the
//! coefficients' t tests: `G − 1` when clustered (Stata's `test` after a clustered regression,
//! pyfixest's `wald_test`), `n − K` otherwise. `pretrend_df: "resid"` uses `n − K` also when
//! clustered (K without fixed effects nested in the cluster), as fixest's `wald()` does.

pub(crate) use super::prepare::{prepare, Prepared};
use super::design::{
    counts_table, event_dummies, event_term_name, Cohort, CountsTable, DidDesign, EventWindow,
    TreatmentForm, TreatmentSpec,
};
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::estimators::feols::{feols, wald_df, Coef, FeolsFit, VcovSpec};
use crate::inference::Estimate;
use crate::report::svg::{coef_plot, ChartOptions, CoefPoint};
use serde::{Deserialize, Serialize};

/// A DID model: how treatment is given (the [`TreatmentSpec`] fields, flattened), the
/// outcome, controls, fixed effects and variance. Deserialises from the JS object
/// `{ y, unit, time, start | treat+post | indicator, controls, fe, vcov, weights, conf_level, name }`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct DidSpec {
    /// Unit / time columns and the treatment (`start`, `treat` + `post`, or `indicator`).
    #[serde(flatten)]
    pub treatment: TreatmentSpec,
    /// Outcome column.
    pub y: String,
    /// Control variables (numeric columns or formula terms such as `log(pgdp)`).
    pub controls: Vec<String>,
    /// Fixed effects; `None` (default) = `[unit, time]`; `[]` = none (pooled OLS with intercept).
    pub fe: Option<Vec<String>>,
    /// Variance; `None` (default) = clustered by the unit column.
    pub vcov: Option<VcovSpec>,
    /// Observation-weight column (analytic weights). (In a wild-bootstrap spec `weights` names the
    /// bootstrap weight distribution instead; observation weights are not supported there.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weights: Option<String>,
    /// Confidence level of the intervals (default 0.95).
    pub conf_level: f64,
    /// Name of the DID term (default `DID`, or the indicator column's name).
    pub name: Option<String>,
}

impl Default for DidSpec {
    fn default() -> Self {
        DidSpec {
            treatment: TreatmentSpec::default(),
            y: String::new(),
            controls: Vec::new(),
            fe: None,
            vcov: None,
            weights: None,
            conf_level: 0.95,
            name: None,
        }
    }
}

impl DidSpec {
    /// The fixed effects actually used.
    pub fn fixed_effects(&self) -> Vec<String> {
        self.fe.clone().unwrap_or_else(|| vec![self.treatment.unit.clone(), self.treatment.time.clone()])
    }
    /// The variance actually used.
    pub fn vcov_spec(&self) -> VcovSpec {
        self.vcov.clone().unwrap_or_else(|| VcovSpec::Cluster(vec![self.treatment.unit.clone()]))
    }
}

/// Summary of the treatment design.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignSummary {
    /// The resolved treatment form.
    pub form: TreatmentForm,
    /// Units with at least one valid row.
    pub n_units: usize,
    /// Units treated within the panel.
    pub n_treated_units: usize,
    /// Never-treated units.
    pub n_never_treated_units: usize,
    /// Of the never-treated units, those adopting after the panel's last period.
    pub n_late_adopter_units: usize,
    /// Units treated from their first observed period.
    pub n_always_treated_units: usize,
    /// Whether those units were dropped (the default; `keep_always_treated` keeps them).
    pub always_treated_dropped: bool,
    /// Distinct periods.
    pub n_periods: usize,
    /// First and last period.
    pub time_range: Option<(f64, f64)>,
    /// Adoption cohorts.
    pub cohorts: Vec<Cohort>,
}

impl DesignSummary {
    /// Summarises a design.
    pub fn of(d: &DidDesign) -> DesignSummary {
        DesignSummary {
            form: d.form.clone(),
            n_units: d.n_units,
            n_treated_units: d.n_treated_units,
            n_never_treated_units: d.n_never_treated_units,
            n_late_adopter_units: d.n_late_adopter_units,
            n_always_treated_units: d.n_always_treated_units,
            always_treated_dropped: d.always_treated_dropped,
            n_periods: d.n_periods,
            time_range: d.time_range,
            cohorts: d.cohorts.clone(),
        }
    }
}

/// Result of [`did`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DidResult {
    /// The DID coefficient β̂ (`term`: its name in `model`), its standard error (the chosen
    /// variance), t statistic, two-sided p-value (t with the model's df) and interval; flat in
    /// JSON, and `r.estimate` etc. in Rust through `Deref`.
    #[serde(flatten)]
    pub coef: Estimate,
    /// Observations used.
    pub nobs: usize,
    /// R².
    pub r2: f64,
    /// Within R² (with fixed effects).
    pub r2_within: Option<f64>,
    /// The full regression.
    pub model: FeolsFit,
    /// Treated / never-treated units and adoption cohorts.
    pub counts: CountsTable,
    /// Design summary.
    pub design_summary: DesignSummary,
    /// Non-fatal findings (design and regression), each once.
    pub diagnostics: Diagnostics,
}

/// The coefficient of `term`, or a clear error when it was dropped.
pub(crate) fn term_coef<'a>(fit: &'a FeolsFit, term: &str) -> Result<&'a Coef> {
    fit.coef(term).ok_or_else(|| {
        Error::insufficient(format!(
            "the DID term `{term}` was dropped as collinear with the fixed effects or controls (no treated unit \
             varies in treatment within the sample)"
        ))
    })
}

/// Runs the DID regression on a prepared design.
pub(crate) fn did_prepared(p: &Prepared, spec: &DidSpec) -> Result<DidResult> {
    let fs = p.feols_spec(spec, &spec.y, std::slice::from_ref(&p.term), &spec.controls)?;
    let model = feols(&p.ds, &fs)?;
    let c = term_coef(&model, &p.term)?.clone();
    let mut diagnostics = p.design.diagnostics.clone();
    diagnostics.extend(staggered_note(&p.design));
    diagnostics.extend(model.diagnostics.iter().cloned());
    Ok(DidResult {
        coef: c,
        nobs: model.nobs,
        r2: model.r2,
        r2_within: model.r2_within,
        counts: counts_table(&p.design),
        design_summary: DesignSummary::of(&p.design),
        model,
        diagnostics,
    })
}

/// The warning that TWFE may be biased under staggered adoption (more than one cohort).
pub(crate) fn staggered_note(design: &DidDesign) -> Option<Diagnostic> {
    staggered_note_with_share(design, None)
}

fn staggered_note_with_share(design: &DidDesign, later_vs_earlier: Option<f64>) -> Option<Diagnostic> {
    if design.cohorts.len() < 2 {
        return None;
    }
    let years: Vec<String> = design.cohorts.iter().map(|c| format!("{}", c.adoption)).collect();
    let share = later_vs_earlier.map_or(String::new(), |s| {
        format!(
            "; in the Goodman-Bacon decomposition (no controls, balanced panel) {:.1}% of the TWFE weight is on \
             later-vs-earlier comparisons",
            100.0 * s
        )
    });
    Some(Diagnostic::warning(Code::StaggeredTwfe, format!(
        "staggered adoption ({} cohorts: {}): when effects differ across cohorts or change over time, two-way fixed \
                 effects can be biased, since it also compares later adopters with units treated earlier{share}; compare \
                 with a staggered-robust estimator (Callaway–Sant'Anna, Sun–Abraham, two-stage DID or imputation)",
        years.len(),
        years.join(", ")
    )))
}

/// The staggered-adoption warning with the Bacon share of "later vs earlier" comparisons,
/// when the treatment is given as an adoption column (the decomposition needs one).
fn with_bacon_share(ds: &Dataset, spec: &DidSpec, design: &DidDesign, diagnostics: &mut Diagnostics) {
    let Some(start) = spec.treatment.start.as_ref().filter(|_| design.cohorts.len() >= 2) else { return };
    let bspec = crate::estimators::staggered::BaconSpec {
        y: spec.y.clone(),
        unit: spec.treatment.unit.clone(),
        time: spec.treatment.time.clone(),
        start: start.clone(),
    };
    let share = crate::estimators::staggered::bacon_decomposition(ds, &bspec).ok().map(|b| {
        b.by_type
            .iter()
            .filter(|t| t.kind == crate::estimators::staggered::bacon::ComparisonType::LaterVsEarlier)
            .map(|t| t.weight)
            .sum::<f64>()
    });
    if let Some(d) = staggered_note_with_share(design, share) {
        diagnostics.replace(d);
    }
}

/// Two-way fixed-effects DID (see the module docs).
pub fn did(ds: &Dataset, spec: &DidSpec) -> Result<DidResult> {
    let p = prepare(ds, spec.validate(ds)?, &[])?;
    let mut r = did_prepared(&p, spec)?;
    with_bacon_share(ds, spec, &p.design, &mut r.diagnostics);
    Ok(r)
}

/// An event-study model: a [`DidSpec`] (flattened) plus the event window
/// (`ref`, default −1; `window: [lo, hi]`; `binning: "bin" | "trim"`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EventStudySpec {
    /// The DID model (its `name` is unused).
    #[serde(flatten)]
    pub did: DidSpec,
    /// Reference period, window and binning.
    #[serde(flatten)]
    pub window: EventWindow,
    /// Denominator df of the pre-trend F test (default `"t"`: the t tests' df, G − 1 when
    /// clustered; `"resid"`: n − K, fixest's `wald()`).
    pub pretrend_df: PretrendDf,
}

/// The denominator degrees of freedom of the pre-trend F test.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PretrendDf {
    /// The model's t-test df: G − 1 when clustered (Stata's `test` after a clustered
    /// regression; pyfixest's `wald_test`), n − K otherwise.
    #[default]
    T,
    /// n − K with K the variance's parameter count (fixest's `wald()`).
    Resid,
}

/// One event-time coefficient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventTerm {
    /// Event time k (periods since adoption).
    pub event_time: i64,
    /// The coefficient (`term`: its name in `model`, `ev_m2`, `ev_p0`, …); flat in JSON.
    #[serde(flatten)]
    pub coef: Estimate,
}

/// Joint test that all lead (pre-period) coefficients are zero.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PretrendTest {
    /// F statistic (Wald / q).
    pub statistic: f64,
    /// Numerator df: the rank of the leads' covariance block (the number of leads tested, unless
    /// that block is singular, e.g. with more leads than clusters).
    pub df1: f64,
    /// Denominator df (see `df2_convention`).
    pub df2: f64,
    /// Which denominator df: `"t"` (the t tests' df) or `"resid"` (n − K).
    pub df2_convention: PretrendDf,
    /// Upper tail of F(df1, df2).
    pub p_value: f64,
    /// The tested terms.
    pub terms: Vec<String>,
}

/// Result of [`event_study`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventStudyResult {
    /// Estimated event-time coefficients, ascending in event time (the reference is not listed).
    pub terms: Vec<EventTerm>,
    /// The reference (omitted) event time; its coefficient is 0 by construction.
    pub reference: i64,
    /// A second omitted event time (no never-treated units and no binning: the earliest lead).
    pub second_reference: Option<i64>,
    /// The window used (after clipping), if any.
    pub window: Option<(i64, i64)>,
    /// Pre-trend test (`None` when no lead coefficient is estimated).
    pub pretrend: Option<PretrendTest>,
    /// The full regression.
    pub model: FeolsFit,
    /// Coefficient plot (SVG): CIs, the reference point at 0 and the adoption line at −0.5.
    pub svg: String,
    /// Non-fatal findings (design, window and regression), each once.
    pub diagnostics: Diagnostics,
}

/// Event study with leads and lags (see the module docs).
pub fn event_study(ds: &Dataset, spec: &EventStudySpec) -> Result<EventStudyResult> {
    let mut p = prepare(ds, spec.did.validate(ds)?, &[])?;
    let ev = event_dummies(&p.design, &spec.window)?;
    let mut names = Vec::with_capacity(ev.columns.len());
    for (k, col) in &ev.columns {
        let name = event_term_name(*k);
        let vals: Vec<f64> = col.iter().zip(&ev.keep_rows).map(|(v, keep)| if *keep { *v } else { f64::NAN }).collect();
        p.add_column(&name, vals)?;
        names.push((*k, name));
    }
    let regs: Vec<String> = names.iter().map(|(_, n)| n.clone()).collect();
    let fs = p.feols_spec(&spec.did, &spec.did.y, &regs, &spec.did.controls)?;
    let model = feols(&p.ds, &fs)?;
    let mut diagnostics = p.design.diagnostics.clone();
    diagnostics.extend(staggered_note(&p.design));
    with_bacon_share(ds, &spec.did, &p.design, &mut diagnostics);
    diagnostics.extend(ev.diagnostics.iter().cloned());
    diagnostics.extend(model.diagnostics.iter().cloned());
    let mut terms = Vec::new();
    for (k, name) in &names {
        match model.coef(name) {
            Some(c) => terms.push(EventTerm { event_time: *k, coef: c.clone() }),
            None => diagnostics.push(Diagnostic::warning(
                Code::EventTermDropped,
                format!("event time {k} (`{name}`) not estimated: collinear, dropped"),
            )),
        }
    }
    let pretrend = pretrend_test(&model, &terms, spec.pretrend_df, &mut diagnostics)?;
    let svg = event_plot(&terms, spec, ev.ref_period);
    Ok(EventStudyResult {
        terms,
        reference: ev.ref_period,
        second_reference: ev.second_reference,
        window: ev.window,
        pretrend,
        model,
        svg,
        diagnostics,
    })
}


/// The joint Wald test of the estimated leads (`None`, with a note, when there is none).
fn pretrend_test(
    model: &FeolsFit,
    terms: &[EventTerm],
    df_convention: PretrendDf,
    diagnostics: &mut Diagnostics,
) -> Result<Option<PretrendTest>> {
    let pre: Vec<&str> = terms.iter().filter(|t| t.event_time < 0).map(|t| t.term.as_str()).collect();
    Ok(if pre.is_empty() {
        diagnostics.push(Diagnostic::warning(
            Code::NoPretrendTest,
            "no lead (pre-period) coefficient is estimated: no pre-trend test",
        ));
        None
    } else {
        let df2 = match df_convention {
            PretrendDf::T => model.df_t,
            PretrendDf::Resid => model.df_resid_vcov,
        };
        let w = wald_df(&model, &pre, df2)?;
        if w.df1 < pre.len() as f64 {
            diagnostics.push(Diagnostic::warning(Code::PretrendRankDeficient, format!(
                "pre-trend test: the covariance of the {} leads has rank {} (more leads than the clusters support), \
                 so the F test has {} numerator degrees of freedom",
                pre.len(),
                w.df1,
                w.df1
            )));
        }
        Some(PretrendTest {
            statistic: w.statistic,
            df1: w.df1,
            df2: w.df2,
            df2_convention: df_convention,
            p_value: w.p_value,
            terms: w.terms,
        })
    })
}

/// The coefficient plot: CIs, the reference point at 0 and the adoption line at −0.5.
fn event_plot(terms: &[EventTerm], spec: &EventStudySpec, ref_period: i64) -> String {
    let points: Vec<CoefPoint> = terms
        .iter()
        .map(|t| CoefPoint {
            x: t.event_time as f64,
            label: String::new(),
            estimate: t.estimate,
            conf_low: t.conf_low,
            conf_high: t.conf_high,
        })
        .collect();
    let opts = ChartOptions {
        x_label: "Periods relative to adoption".into(),
        y_label: format!("Effect on {} ({:.0}% CI)", spec.did.y, 100.0 * spec.did.conf_level),
        ref_period: Some(ref_period as f64),
        adoption_at: Some(-0.5),
        ..Default::default()
    };
    coef_plot(&points, &opts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Column;

    /// The reported formula is the text a user would write for the model (as before the
    /// formula was built as an AST): names quoted, controls as given, fixed effects last.
    #[test]
    fn reported_formula_text() {
        let ds = Dataset::from_columns(vec![
            Column::numeric("u", vec![1., 1., 2., 2., 3., 3., 4., 4.]),
            Column::numeric("t", vec![1., 2., 1., 2., 1., 2., 1., 2.]),
            Column::numeric("s", vec![2., 2., 0., 0., 2., 2., 0., 0.]),
            Column::numeric("ln y", vec![10., 13., 5., 6., 7., 9., 3., 3.5]),
            Column::numeric("x", vec![1., 2., 4., 3., 5., 7., 6., 9.]),
        ])
        .unwrap();
        let spec: DidSpec = serde_json::from_value(serde_json::json!({
            "y": "ln y", "unit": "u", "time": "t", "start": "s", "controls": ["log(x + 1)"]
        }))
        .unwrap();
        let r = did(&ds, &spec).unwrap();
        assert_eq!(r.model.formula, "`ln y` ~ DID + log(x + 1) | u + t");
        assert!(r.model.coef("log(x+1)").is_some());
        // the embedded Estimate stays flat in JSON
        let v = serde_json::to_value(&r).unwrap();
        for k in ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high", "nobs", "r2"] {
            assert!(v.get(k).is_some(), "{k}");
        }
        assert!(v.get("coef").is_none());
        assert_eq!(v["term"], "DID");
        assert_eq!(v["estimate"].as_f64(), Some(r.estimate));
    }
}
