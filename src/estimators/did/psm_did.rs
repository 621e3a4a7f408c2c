//! # PSM-DID: difference-in-differences on a propensity-score-matched sample
//!
//! The applied policy-evaluation literature (e.g. Heckman, Ichimura & Todd 1997's
//! matching DID; in Chinese pilot-zone studies typically "PSM-DID") first matches the
//! treated units to similar control units on pre-treatment covariates, then runs the
//! two-way fixed-effects DID on the matched sample. [`psm_did`] does both and reports
//! the DID on the full sample next to the DID on the matched sample.
//!
//! ## Groups
//! The design comes from the DID workbench ([`build_design`]): the *treated group* is
//! every unit treated within the panel (ever-treated), the *control group* every unit
//! never treated within the panel (adoption blank/0, or after the panel's last period;
//! 2×2 form: `treat = 0`). Not-yet-treated units are **not** used as controls for
//! matching (they are already in the treated group); this keeps every matched control a
//! clean comparison unit throughout the panel. Units treated from their first observed
//! period (*always treated*) have no pre-treatment period: they are excluded from
//! matching and from the matched sample (with a diagnostic), in both modes.
//!
//! ## Pooled matching (`by_year = false`, default)
//! Each unit gets one covariate vector:
//! * `baseline = "pre_mean"` (default): the mean of each covariate over **one common
//!   pre-treatment window for every unit**, treated and control alike: the periods before
//!   the **earliest adoption** among the treated units that have a pre-period,
//!   `t < min_i A_i` (2×2 form: `post = 0`). A common window matters when covariates
//!   trend: averaging a late adopter over its own, longer pre-period and the controls
//!   over the early years only would compare different years and bias the matches.
//!   Missing values are skipped; a unit without any usable value of some covariate in
//!   the window (e.g. one entering the panel after the earliest adoption) is excluded
//!   (diagnostic).
//! * `baseline = "first_year"`: the values in the panel's first period (a unit without a
//!   complete row there is excluded).
//!
//! The propensity score `p(x) = Λ(x'β)` (logit, or probit) is estimated on these units and
//! treated units are matched to control units by the [`psm`] estimator (ATT direction,
//! options in `match`: nearest neighbour with `k`, `caliper`, `replace`, `ties`, radius or
//! kernel, and `preset: "psmatch2"` for Stata's conventions — caliper absolute on the
//! score, ties only at exactly equal distance). The matched sample is every treated unit with at least one match plus every
//! control used as a match, with the psmatch2 `_weight`: a matched treated unit weighs 1,
//! a control `w_j = Σ_i w_ij` (the sum of its shares over the treated units it serves).
//! Each unit's weight is applied to **all** of its rows (every period).
//!
//! ## Period-by-period matching (`by_year = true`)
//! Much of the applied literature matches within each period instead: for every period
//! `t`, the rows of treated-group units are matched to the rows of control-group units on
//! the covariates **of that period** (so `x_it` may be post-treatment for treated units —
//! the convention of those papers, not a recommendation). Row `(i, t)` gets the psmatch2
//! weight of that period's matching; rows with weight 0 (unmatched treated rows, unused
//! control rows) leave the sample. A period whose matching fails (no treated or no control
//! rows, separation, nobody within the caliper) contributes no rows (diagnostic). Counts in
//! this mode are **unit-period rows**, and the per-period counts add up to the totals.
//!
//! ## DID on the matched sample
//! `sample = "weights"` (default): the DID [`did`] on the matched rows with the matching
//! weights as analytic regression weights (`Σ w_it (y_it − β D_it − x_it'γ − α_i − λ_t)²`).
//! `sample = "common_support"`: the same rows without weights (the "common support sample"
//! of many papers). `controls` are the DID's control variables (default **none**: the
//! matching covariates are *not* added automatically — list them in `controls` to do so).
//! Fixed effects (default unit + time), variance (default clustered by unit) and
//! confidence level are those of the DID workbench and apply to both columns.
//!
//! The result holds both DID fits (`full`, `matched`), the matching summary (counts, per
//! period counts, and for pooled matching the propensity model and the pstest balance
//! table); its tables ([`Tables`]) are the two-column regression table (`psm_did.main`), the
//! matching summary (`psm_did.matching`), per-period counts (`psm_did.per_year`, by year) and
//! the propensity model and balance (`psm_did.propensity`, `psm_did.balance`, pooled).

use crate::data::{Column, Dataset, Factor};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use super::{build_design, did, DidDesign, DidResult, DidSpec, TreatmentSpec};
use crate::estimators::feols::VcovSpec;
use crate::estimators::psm::{psm, BalanceTable, MatchOptions, PropensityModel, PsmSpec, SeKind};
use crate::formula::Formula;
use serde::{Deserialize, Serialize};

mod tables;

/// The matching options of `psm`, given here as the `match` block.
fn psm_spec(matching: &MatchOptions, formula: String) -> PsmSpec {
    PsmSpec {
        formula,
        outcome: None,
        matching: matching.clone(),
        se: SeKind::None,
        // the pairs are not used here
        return_pairs: Some(false),
        ..PsmSpec::default()
    }
}

/// Which covariate values describe a unit in pooled matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Baseline {
    /// Mean over the unit's pre-treatment periods (default).
    #[default]
    PreMean,
    /// Values in the panel's first period.
    FirstYear,
}

/// How the matched sample enters the DID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SampleMode {
    /// Matched rows with the matching weights (default).
    #[default]
    Weights,
    /// Matched rows (positive weight), unweighted.
    CommonSupport,
}

/// A PSM-DID specification: the JS object
/// `{ unit, time, y, start | treat+post | indicator, covariates, controls, match, by_year,
/// baseline, sample, fe, vcov, conf_level, name, format }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PsmDidSpec {
    /// Unit, time and treatment (as the DID workbench).
    #[serde(flatten)]
    pub treatment: TreatmentSpec,
    /// Outcome.
    pub y: String,
    /// Matching covariates (numeric columns).
    pub covariates: Vec<String>,
    /// DID control variables (default none).
    pub controls: Vec<String>,
    /// Matching options: the same struct as `psm`'s (same names, defaults and checks).
    #[serde(rename = "match")]
    pub matching: MatchOptions,
    /// Period-by-period matching (default false: pooled).
    pub by_year: bool,
    /// Pooled matching: "pre_mean" (default) | "first_year".
    pub baseline: Baseline,
    /// "weights" (default) | "common_support".
    pub sample: SampleMode,
    /// Fixed effects (default unit + time).
    pub fe: Option<Vec<String>>,
    /// Variance (default clustered by unit).
    pub vcov: Option<VcovSpec>,
    /// Confidence level (default 0.95).
    pub conf_level: f64,
    /// Name of the DID term.
    pub name: Option<String>,
}

impl Default for PsmDidSpec {
    fn default() -> Self {
        PsmDidSpec {
            treatment: TreatmentSpec::default(),
            y: String::new(),
            covariates: Vec::new(),
            controls: Vec::new(),
            matching: MatchOptions::default(),
            by_year: false,
            baseline: Baseline::PreMean,
            sample: SampleMode::Weights,
            fe: None,
            vcov: None,
            conf_level: 0.95,
            name: None,
        }
    }
}

/// A [`PsmDidSpec`] that passed [`PsmDidSpec::validate`]: what [`psm_did`] fits.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPsmDidSpec(PsmDidSpec);

impl std::ops::Deref for ValidPsmDidSpec {
    type Target = PsmDidSpec;
    fn deref(&self) -> &PsmDidSpec {
        &self.0
    }
}

impl PsmDidSpec {
    /// Checks the specification (outcome, covariates, the matching options) in one place.
    pub fn validate(&self) -> Result<ValidPsmDidSpec> {
        if self.y.trim().is_empty() {
            return Err(Error::invalid("PSM-DID needs an outcome column `y`"));
        }
        if self.covariates.is_empty() {
            return Err(Error::invalid(
                "PSM-DID needs at least one matching covariate in `covariates` (pre-treatment characteristics such as \
                 GDP per capita)",
            ));
        }
        self.matching.validate()?;
        Ok(ValidPsmDidSpec(self.clone()))
    }

    /// The DID spec of the full-sample column.
    pub fn did_spec(&self) -> DidSpec {
        DidSpec {
            treatment: self.treatment.clone(),
            y: self.y.clone(),
            controls: self.controls.clone(),
            fe: self.fe.clone(),
            vcov: self.vcov.clone(),
            weights: None,
            conf_level: self.conf_level,
            name: self.name.clone(),
        }
    }
}

/// Matching counts of one period (period-by-period matching).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearMatch {
    /// The period.
    pub year: f64,
    /// Treated-group rows with complete covariates.
    pub n_treated: usize,
    /// Control-group rows with complete covariates.
    pub n_control: usize,
    /// Treated rows matched.
    pub n_matched: usize,
    /// Treated rows without a match (or in a failed period).
    pub n_dropped: usize,
    /// Control rows used as a match.
    pub n_control_used: usize,
    /// Why matching failed in this period (its rows then leave the sample).
    pub error: Option<String>,
}

/// A unit in pooled matching.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitMatch {
    /// Unit name.
    pub unit: String,
    /// Treated group.
    pub treated: bool,
    /// Propensity score.
    pub score: f64,
    /// Matching weight (0: not in the matched sample).
    pub weight: f64,
}

/// Matching summary.
#[derive(Debug, Clone, Serialize)]
pub struct MatchingSummary {
    /// Period-by-period matching.
    pub by_year: bool,
    /// What the counts count: "units" (pooled) or "unit-periods" (by year).
    pub count_unit: String,
    /// Treated units (rows) entering matching.
    pub n_treated: usize,
    /// Control units (rows) entering matching.
    pub n_control: usize,
    /// Treated matched.
    pub n_treated_matched: usize,
    /// Treated without a match.
    pub n_treated_dropped: usize,
    /// Controls used as a match.
    pub n_control_used: usize,
    /// Units left out before matching (no pre-period, missing covariates).
    pub n_units_excluded: usize,
    /// Per-period counts (by year only).
    pub per_year: Vec<YearMatch>,
    /// Caliper on the matching-variable scale (pooled).
    pub caliper_abs: Option<f64>,
    /// Propensity model (pooled).
    pub propensity: Option<PropensityModel>,
    /// Balance before/after matching (pooled).
    pub balance: Option<BalanceTable>,
    /// Units with their scores and weights (pooled).
    pub units: Vec<UnitMatch>,
    /// Matching weight of every dataset row (0 outside the matched sample).
    pub row_weights: Vec<f64>,
    /// Rows in the matched sample (positive weight).
    pub n_rows_matched: usize,
}

/// Result of [`psm_did`].
#[derive(Debug, Clone, Serialize)]
pub struct PsmDidResult {
    /// DID on the full sample (column 1).
    pub full: DidResult,
    /// DID on the matched sample (column 2).
    pub matched: DidResult,
    /// Matching summary.
    pub matching: MatchingSummary,
    /// Non-fatal findings (matching and the matched DID), typed.
    pub diagnostics: Diagnostics,
}

/// A name not used by any of `taken`.
fn fresh_name(base: &str, taken: &[String]) -> String {
    let mut name = base.to_string();
    while taken.iter().any(|t| t == &name) {
        name.push('_');
    }
    name
}

fn fmt_t(v: f64) -> String {
    format!("{v}")
}

fn list(names: &[String], max: usize) -> String {
    if names.len() <= max {
        names.join(", ")
    } else {
        format!("{} and {} more", names[..max].join(", "), names.len() - max)
    }
}

/// A diagnostic of the matching step, passed on with a prefix (PSM's note that no outcome
/// was given is expected here — the outcome enters the DID — and left out by its code).
fn forward(diagnostics: &mut Diagnostics, from: &Diagnostics, prefix: &str) {
    for d in from.iter().filter(|d| d.code != Code::NoOutcome) {
        diagnostics.push(Diagnostic { message: format!("{prefix}: {}", d.message), ..d.clone() });
    }
}

/// Per-unit row lists (valid rows only, in time order).
fn unit_rows(design: &DidDesign) -> Vec<Vec<usize>> {
    let mut rows = vec![Vec::new(); design.unit.n_levels()];
    for (i, &c) in design.unit.codes.iter().enumerate() {
        if c != Factor::MISSING && design.time[i].is_finite() {
            if let Some(r) = rows.get_mut(c as usize) {
                r.push(i);
            }
        }
    }
    for r in &mut rows {
        r.sort_by(|&a, &b| design.time[a].total_cmp(&design.time[b]));
    }
    rows
}

/// Whether row `i` is pre-treatment for its unit (2×2: post = 0; else t < A_i, or for
/// controls t < `control_cut`).
fn is_pre(design: &DidDesign, i: usize, treated: bool, control_cut: Option<f64>) -> bool {
    if let Some(post) = &design.post {
        return post.get(i).is_some_and(|&p| p == 0.0);
    }
    let t = design.time[i];
    if treated {
        design.adoption[i].is_some_and(|a| t < a)
    } else {
        control_cut.is_some_and(|c| t < c)
    }
}

/// PSM-DID: see the module documentation.
pub fn psm_did(ds: &Dataset, spec: &PsmDidSpec) -> Result<PsmDidResult> {
    fit(ds, &spec.validate()?)
}

/// The covariates named in the spec, each once, in order.
fn covariates<'a>(ds: &'a Dataset, spec: &PsmDidSpec) -> Result<Vec<(String, &'a [f64])>> {
    let mut covs: Vec<(String, &[f64])> = Vec::new();
    for c in &spec.covariates {
        let name = c.trim();
        if covs.iter().any(|(n, _)| n == name) {
            continue;
        }
        covs.push((name.to_string(), ds.numeric(name)?));
    }
    Ok(covs)
}

/// Always-treated units: treated with no pre-treatment row (dropped by the design by default,
/// or kept there with `keep_always_treated`); they are excluded, with a warning.
fn always_treated_excluded(design: &DidDesign, rows_of: &[Vec<usize>], diagnostics: &mut Diagnostics) -> Vec<bool> {
    let n_units = design.unit.n_levels();
    let mut excluded = vec![false; n_units];
    let mut no_pre: Vec<String> = Vec::new();
    let dropped: std::collections::HashSet<&str> =
        design.always_treated.iter().filter(|_| design.always_treated_dropped).map(|(n, _)| n.as_str()).collect();
    for u in 0..n_units {
        let no_pre_row = design.unit_present[u]
            && design.unit_treated[u]
            && !rows_of[u].iter().any(|&i| is_pre(design, i, true, None));
        if no_pre_row || dropped.contains(design.unit.levels[u].as_str()) {
            excluded[u] = true;
            no_pre.push(design.unit.levels[u].clone());
        }
    }
    if !no_pre.is_empty() {
        diagnostics.push(Diagnostic::warning(
            Code::AlwaysTreated,
            format!(
                "{} treated unit{} without a pre-treatment period (treated from the first period) excluded from \
                 matching and from the matched sample: {}",
                no_pre.len(),
                if no_pre.len() == 1 { "" } else { "s" },
                list(&no_pre, 8)
            ),
        ));
    }
    excluded
}

/// The name of the treatment indicator (one not taken by a column or covariate) and the
/// matching spec on the covariates.
fn matching_spec(ds: &Dataset, spec: &PsmDidSpec, covs: &[(String, &[f64])]) -> Result<(String, PsmSpec)> {
    let taken: Vec<String> = ds.column_names().into_iter().chain(covs.iter().map(|c| c.0.clone())).collect();
    let treat_name = fresh_name("treated", &taken);
    let mut formula = Formula::new(&treat_name)?;
    for (n, _) in covs {
        formula = formula.term(n)?;
    }
    let mspec = psm_spec(&spec.matching, formula.text);
    Ok((treat_name, mspec))
}

/// The DID on the matched sample (its rows, weighted when `sample` is `weights`);
/// completes the summary's counts of excluded units and matched rows.
fn matched_did(
    ds: &Dataset,
    spec: &PsmDidSpec,
    did_spec: &DidSpec,
    excluded: &[bool],
    row_weights: &[f64],
    summary: &mut MatchingSummary,
) -> Result<DidResult> {
    summary.n_units_excluded = excluded.iter().filter(|e| **e).count();
    let keep: Vec<bool> = row_weights.iter().map(|&w| w > 0.0).collect();
    summary.n_rows_matched = keep.iter().filter(|k| **k).count();
    if summary.n_rows_matched == 0 {
        return Err(Error::insufficient("the matched sample is empty: no treated unit found a match"));
    }
    let mut mds = ds.filter_rows(&keep)?;
    let mut mspec_did = did_spec.clone();
    if spec.sample == SampleMode::Weights {
        let wname = fresh_name("psm_weight", &ds.column_names());
        let w: Vec<f64> = row_weights.iter().copied().filter(|&w| w > 0.0).collect();
        mds.add_column(Column::numeric(wname.clone(), w))?;
        mspec_did.weights = Some(wname);
    }
    did(&mds, &mspec_did).map_err(|e| {
        Error::insufficient(format!("the DID on the matched sample failed: {e}"))
    })
}

/// The fit of a validated spec.
pub fn fit(ds: &Dataset, spec: &ValidPsmDidSpec) -> Result<PsmDidResult> {
    let spec: &PsmDidSpec = spec;
    let covs = covariates(ds, spec)?;
    let design = build_design(ds, &spec.treatment)?;
    let did_spec = spec.did_spec();
    let full = did(ds, &did_spec)?;
    let mut diagnostics = Diagnostics::new();

    let rows_of = unit_rows(&design);
    let n_units = design.unit.n_levels();
    let mut excluded = always_treated_excluded(&design, &rows_of, &mut diagnostics);
    let has_treated = (0..n_units).any(|u| design.unit_present[u] && design.unit_treated[u] && !excluded[u]);
    if !has_treated {
        return Err(Error::insufficient(
            "no treated unit has a pre-treatment period, so none can be matched on pre-treatment covariates",
        ));
    }
    let (treat_name, mspec) = matching_spec(ds, spec, &covs)?;

    let n = ds.nrows();
    let mut row_weights = vec![0.0; n];
    let mut summary = if spec.by_year {
        by_year(ds, &design, &covs, &excluded, &treat_name, &mspec, &mut row_weights, &mut diagnostics)?
    } else {
        pooled(spec, &design, &rows_of, &covs, &mut excluded, &treat_name, &mspec, &mut row_weights, &mut diagnostics)?
    };
    let matched = matched_did(ds, spec, &did_spec, &excluded, &row_weights, &mut summary)?;
    diagnostics.extend(matched.diagnostics.iter().map(|d| Diagnostic {
        message: format!("matched-sample DID: {}", d.message),
        ..d.clone()
    }));
    summary.row_weights = row_weights;
    Ok(PsmDidResult { full, matched, matching: summary, diagnostics })
}

/// Pooled matching: each unit's covariate vector (its baseline), for the units present and
/// not excluded; a unit without a value of some covariate is excluded and listed.
fn unit_baselines(
    baseline: Baseline,
    design: &DidDesign,
    rows_of: &[Vec<usize>],
    covs: &[(String, &[f64])],
    excluded: &mut [bool],
    control_cut: Option<f64>,
) -> (Vec<usize>, Vec<Vec<f64>>, Vec<String>) {
    let n_units = design.unit.n_levels();
    let first_period = design.periods.first().copied();
    let mut units: Vec<usize> = Vec::new();
    let mut xs: Vec<Vec<f64>> = vec![Vec::new(); covs.len()];
    let mut incomplete: Vec<String> = Vec::new();
    for u in 0..n_units {
        if !design.unit_present[u] || excluded[u] {
            continue;
        }
        let treated = design.unit_treated[u];
        let base_rows: Vec<usize> = match baseline {
            // one common window for everyone: before the earliest adoption
            Baseline::PreMean => rows_of[u].iter().copied().filter(|&i| is_pre(design, i, false, control_cut)).collect(),
            Baseline::FirstYear => rows_of[u]
                .iter()
                .copied()
                .filter(|&i| Some(design.time[i]) == first_period && (!treated || design.did[i] == 0.0))
                .collect(),
        };
        let mut vals = Vec::with_capacity(covs.len());
        for (_, x) in covs {
            let (s, m) = base_rows.iter().filter_map(|&i| x.get(i).copied().filter(|v| v.is_finite())).fold((0.0, 0usize), |(s, m), v| (s + v, m + 1));
            vals.push(if m > 0 { s / m as f64 } else { f64::NAN });
        }
        if vals.iter().any(|v| !v.is_finite()) {
            excluded[u] = true;
            incomplete.push(design.unit.levels[u].clone());
            continue;
        }
        units.push(u);
        for (k, v) in vals.into_iter().enumerate() {
            xs[k].push(v);
        }
    }
    (units, xs, incomplete)
}

/// The common pre-period of pooled matching: before the earliest adoption among treated
/// units with a pre-period.
fn common_cut(design: &DidDesign, excluded: &[bool]) -> Option<f64> {
    (0..design.unit.n_levels())
        .filter(|&u| design.unit_treated[u] && !excluded[u])
        .filter_map(|u| design.unit_adoption[u])
        .fold(None, |m: Option<f64>, a| Some(m.map_or(a, |m| m.min(a))))
}

/// Warns about the units left out of pooled matching for a missing baseline covariate.
fn warn_incomplete(baseline: Baseline, incomplete: &[String], diagnostics: &mut Diagnostics) {
    if incomplete.is_empty() {
        return;
    }
    let what = match baseline {
        Baseline::PreMean => "in the common pre-treatment window (before the earliest adoption)",
        Baseline::FirstYear => "in the panel's first period",
    };
    diagnostics.push(Diagnostic::warning(
        Code::MatchingUnitsExcluded,
        format!(
            "{} unit{} without a value of every covariate {what} excluded from matching and from the matched \
             sample: {}",
            incomplete.len(),
            if incomplete.len() == 1 { "" } else { "s" },
            list(incomplete, 8)
        ),
    ));
}

/// Spreads the matched units' weights over their rows; returns the per-unit list.
fn spread_unit_weights(
    design: &DidDesign,
    rows_of: &[Vec<usize>],
    units: &[usize],
    res: &crate::estimators::psm::PsmResult,
    row_weights: &mut [f64],
) -> Vec<UnitMatch> {
    let n_units = design.unit.n_levels();
    let mut unit_w = vec![0.0; n_units];
    for (&r, &w) in res.matched.rows.iter().zip(&res.matched.weights) {
        if let Some(&u) = units.get(r) {
            unit_w[u] = w;
        }
    }
    for u in 0..n_units {
        if unit_w[u] > 0.0 {
            for &i in &rows_of[u] {
                row_weights[i] = unit_w[u];
            }
        }
    }
    units
        .iter()
        .enumerate()
        .map(|(r, &u)| UnitMatch {
            unit: design.unit.levels[u].clone(),
            treated: design.unit_treated[u],
            score: res.scores.get(r).copied().unwrap_or(f64::NAN),
            weight: unit_w[u],
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn pooled(
    spec: &PsmDidSpec,
    design: &DidDesign,
    rows_of: &[Vec<usize>],
    covs: &[(String, &[f64])],
    excluded: &mut [bool],
    treat_name: &str,
    mspec: &PsmSpec,
    row_weights: &mut [f64],
    diagnostics: &mut Diagnostics,
) -> Result<MatchingSummary> {
    let control_cut = common_cut(design, excluded);
    let (units, xs, incomplete) = unit_baselines(spec.baseline, design, rows_of, covs, excluded, control_cut);
    warn_incomplete(spec.baseline, &incomplete, diagnostics);
    let treat: Vec<f64> = units.iter().map(|&u| if design.unit_treated[u] { 1.0 } else { 0.0 }).collect();
    let n_treated = treat.iter().filter(|&&t| t == 1.0).count();
    let n_control = units.len() - n_treated;
    if n_treated == 0 {
        return Err(Error::insufficient("no treated unit has complete pre-treatment covariates"));
    }
    if n_control == 0 {
        return Err(Error::insufficient(
            "no never-treated control unit has complete pre-treatment covariates: PSM-DID matches treated units to \
             never-treated units",
        ));
    }
    let mut cols = vec![Column::numeric(treat_name, treat)];
    for ((name, _), x) in covs.iter().zip(xs) {
        cols.push(Column::numeric(name.clone(), x));
    }
    let uds = Dataset::from_columns(cols)?;
    let res = psm(&uds, mspec).map_err(|e| Error::insufficient(format!("PSM-DID matching failed: {e}")))?;
    forward(diagnostics, &res.diagnostics, "matching");
    let unit_list = spread_unit_weights(design, rows_of, &units, &res, row_weights);
    if let (Baseline::PreMean, Some(c), None) = (spec.baseline, control_cut, &design.post) {
        diagnostics.push(Diagnostic::info(
            Code::MatchingNote,
            format!(
                "pooled matching on pre-treatment means over one common window for treated and control units: the \
                 periods before {} (the earliest adoption)",
                fmt_t(c)
            ),
        ));
    }
    Ok(MatchingSummary {
        by_year: false,
        count_unit: "units".into(),
        n_treated,
        n_control,
        n_treated_matched: res.n_treated_matched,
        n_treated_dropped: res.n_treated_dropped,
        n_control_used: res.n_control_used,
        n_units_excluded: 0,
        per_year: Vec::new(),
        caliper_abs: res.caliper_abs,
        propensity: Some(res.propensity.clone()),
        balance: Some(res.balance.clone()),
        units: unit_list,
        row_weights: Vec::new(),
        n_rows_matched: 0,
    })
}

/// Matches one period's treated-group rows to its control-group rows (those not excluded,
/// with every covariate); returns the period's counts and its number of incomplete rows.
#[allow(clippy::too_many_arguments)]
fn match_period(
    design: &DidDesign,
    n: usize,
    t: f64,
    covs: &[(String, &[f64])],
    excluded: &[bool],
    treat_name: &str,
    mspec: &PsmSpec,
    row_weights: &mut [f64],
    diagnostics: &mut Diagnostics,
) -> (YearMatch, usize) {
    let rows: Vec<usize> = (0..n)
        .filter(|&i| {
            let c = design.unit.codes[i];
            c != Factor::MISSING && design.time[i] == t && !excluded.get(c as usize).copied().unwrap_or(true)
        })
        .collect();
    let complete: Vec<usize> =
        rows.iter().copied().filter(|&i| covs.iter().all(|(_, x)| x.get(i).is_some_and(|v| v.is_finite()))).collect();
    let n_incomplete = rows.len() - complete.len();
    let treat: Vec<f64> = complete
        .iter()
        .map(|&i| if design.unit_treated[design.unit.codes[i] as usize] { 1.0 } else { 0.0 })
        .collect();
    let n_treated = treat.iter().filter(|&&v| v == 1.0).count();
    let n_control = complete.len() - n_treated;
    let mut ym = YearMatch { year: t, n_treated, n_control, n_matched: 0, n_dropped: n_treated, n_control_used: 0, error: None };
    let mut cols = vec![Column::numeric(treat_name, treat)];
    for (name, x) in covs {
        cols.push(Column::numeric(name.clone(), complete.iter().map(|&i| x[i]).collect()));
    }
    let outcome = Dataset::from_columns(cols).and_then(|yds| psm(&yds, mspec));
    match outcome {
        Ok(res) => {
            ym.n_matched = res.n_treated_matched;
            ym.n_dropped = n_treated - res.n_treated_matched;
            ym.n_control_used = res.n_control_used;
            for (&r, &w) in res.matched.rows.iter().zip(&res.matched.weights) {
                if let Some(&i) = complete.get(r) {
                    row_weights[i] = w;
                }
            }
            forward(diagnostics, &res.diagnostics, &format!("matching in {}", fmt_t(t)));
        }
        Err(e) => {
            diagnostics.push(Diagnostic::warning(
                Code::MatchingNote,
                format!("matching in {} failed, its rows leave the matched sample: {e}", fmt_t(t)),
            ));
            ym.error = Some(e.to_string());
        }
    }
    (ym, n_incomplete)
}

#[allow(clippy::too_many_arguments)]
fn by_year(
    ds: &Dataset,
    design: &DidDesign,
    covs: &[(String, &[f64])],
    excluded: &[bool],
    treat_name: &str,
    mspec: &PsmSpec,
    row_weights: &mut [f64],
    diagnostics: &mut Diagnostics,
) -> Result<MatchingSummary> {
    let n = ds.nrows();
    let mut per_year = Vec::new();
    let mut n_incomplete = 0usize;
    for &t in &design.periods {
        let (ym, k) = match_period(design, n, t, covs, excluded, treat_name, mspec, row_weights, diagnostics);
        n_incomplete += k;
        per_year.push(ym);
    }
    if n_incomplete > 0 {
        diagnostics.push(Diagnostic::info(
            Code::MissingRowsDropped,
            format!("{n_incomplete} rows with a missing covariate left out of period-by-period matching"),
        ));
    }
    let sum = |f: &dyn Fn(&YearMatch) -> usize| per_year.iter().map(f).sum::<usize>();
    let n_treated = sum(&|y| y.n_treated);
    let n_matched = sum(&|y| y.n_matched);
    if n_matched == 0 {
        let why: Vec<String> =
            per_year.iter().filter_map(|y| y.error.as_ref().map(|e| format!("{}: {e}", fmt_t(y.year)))).take(3).collect();
        return Err(Error::insufficient(format!(
            "period-by-period matching matched no treated row in any period (all {n_treated} dropped){}",
            if why.is_empty() { String::new() } else { format!("; {}", why.join("; ")) }
        )));
    }
    diagnostics.push(Diagnostic::info(
        Code::MatchingNote,
        "period-by-period matching: each period's treated-group rows are matched to control-group rows on that \
         period's covariates; counts are unit-period rows",
    ));
    Ok(MatchingSummary {
        by_year: true,
        count_unit: "unit-periods".into(),
        n_treated,
        n_control: sum(&|y| y.n_control),
        n_treated_matched: n_matched,
        n_treated_dropped: sum(&|y| y.n_dropped),
        n_control_used: sum(&|y| y.n_control_used),
        n_units_excluded: 0,
        per_year,
        caliper_abs: None,
        propensity: None,
        balance: None,
        units: Vec::new(),
        row_weights: Vec::new(),
        n_rows_matched: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_defaults_and_match_key() {
        let s: PsmDidSpec = serde_json::from_str(
            r#"{"unit":"city","time":"year","y":"y","start":"s","covariates":["a"],"match":{"method":"nearest","k":2,"caliper":0.05}}"#,
        )
        .unwrap();
        assert_eq!(s.matching.k, 2);
        assert_eq!(s.matching.caliper, Some(0.05));
        assert!(s.matching.replace);
        assert!(!s.by_year);
        assert_eq!(s.sample, SampleMode::Weights);
        assert_eq!(s.baseline, Baseline::PreMean);
        assert!(s.controls.is_empty());
        assert_eq!(s.treatment.start.as_deref(), Some("s"));
        // old callers still pass `format` (the table is now rendered from `tables`): ignored
        let old: PsmDidSpec = serde_json::from_str(
            r#"{"unit":"city","time":"year","y":"y","start":"s","covariates":["a"],"format":"latex"}"#,
        )
        .unwrap();
        assert_eq!(old.y, "y");
    }

    #[test]
    fn validate_checks_the_match_block_once() {
        let s: PsmDidSpec = serde_json::from_str(
            r#"{"unit":"city","time":"year","y":"y","start":"s","covariates":["a"],"match":{"k":0}}"#,
        )
        .unwrap();
        assert_eq!(s.validate().unwrap_err().to_string(), MatchOptions { k: 0, ..MatchOptions::default() }.validate().unwrap_err().to_string());
        let s: PsmDidSpec = serde_json::from_str(r#"{"unit":"city","time":"year","start":"s","covariates":["a"]}"#).unwrap();
        assert!(s.validate().unwrap_err().to_string().contains("outcome column `y`"));
        let s: PsmDidSpec = serde_json::from_str(r#"{"unit":"city","time":"year","y":"y","start":"s","covariates":["a"]}"#).unwrap();
        assert_eq!(s.validate().unwrap().matching, MatchOptions::default());
    }

    #[test]
    fn quote_names() {
        use crate::formula::quote_name as quote;
        assert_eq!(quote("pgdp").unwrap(), "pgdp");
        assert_eq!(quote("GDP growth").unwrap(), "`GDP growth`");
        assert!(quote("a`b").is_err());
        assert_eq!(fresh_name("treated", &["treated".into()]), "treated_");
    }
}
