//! Treatment designs for difference-in-differences.
//!
//! # Three ways to give treatment
//!
//! A [`TreatmentSpec`] always names the panel's `unit` and (numeric) `time` columns and
//! exactly one of
//!
//! * `start` — each unit's **adoption time** (e.g. the year its free-trade zone opened).
//!   Blank/missing **or 0** means *never treated*. The value must be the same in every row
//!   of a unit. The DID regressor is `D_it = 1{t ≥ A_i}` (0 for never-treated units).
//! * `treat` + `post` — the classic 2×2: a 0/1 treated-group column (constant within a
//!   unit) and a 0/1 post-period column; `D_it = treat_i · post_it`. This form carries no
//!   adoption times, so event studies and timing placebos need one of the other forms.
//! * `indicator` — a ready 0/1 treated×post column. Each unit's adoption time is derived
//!   as the first period in which the indicator is 1. A unit whose indicator goes back
//!   from 1 to 0 ("switches off") is an error unless `allow_switching_off` is set.
//!
//! For the `start` and `indicator` forms time must be whole numbers (years, or period
//! numbers); event time is `e_it = t − A_i` (an integer; `None` for never-treated units).
//!
//! # Validation (errors)
//! * none or several of the three forms given; an unknown or non-numeric column;
//! * duplicate (unit, time) pairs (the first few are listed with their file lines);
//! * non-0/1 values in `treat`, `post` or `indicator` (the values and their lines);
//! * an adoption time that differs between rows of one unit; a negative or fractional one;
//! * no treated units — including the case where every adoption time lies after the
//!   panel's last period;
//! * no control observations: if in every period all units share the same treatment
//!   status, neither never-treated nor not-yet-treated units exist and the DID effect is
//!   collinear with the period effects.
//!
//! Non-fatal findings go to `diagnostics`: rows with a missing unit or time (their DID is
//! NaN), units adopting after the panel, *always-treated* units.
//!
//! # Late adopters and always-treated units
//! * A unit whose adoption time lies **after the panel's last period** is never treated
//!   within the panel and is handled *exactly* like a never-treated unit everywhere: its
//!   adoption time is forgotten (`unit_adoption` = `None`), so it gets no event-time dummies,
//!   counts as never treated in the counts table and `n_never_treated_units`, and carries
//!   "never" in placebo permutations. Recoding a never-treated unit's adoption to a year
//!   after the panel changes no estimate. A diagnostic names these units.
//! * A unit treated from its **first observed period** (always treated: no pre-period) is
//!   **dropped** by default — its rows get a missing DID and leave every model — as R's
//!   `did` and Stata's `csdid` drop units treated in the first period. In a TWFE regression
//!   such units would otherwise act as implicit controls whose treatment never changes.
//!   `keep_always_treated: true` keeps them (the pre-2021 TWFE habit). Both are diagnosed.
//!
//!
//! Event-time dummies are built in [`event`], the counts table in [`counts`], the placebo
//! assignments in [`assignments`]; everything is re-exported here.

use crate::data::{Dataset, Factor};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;


mod assignments;
mod build;
mod counts;
mod event;

pub use assignments::*;
pub use build::build_design;
pub use counts::*;
pub use event::*;
/// How treatment is described: the JS object of the DID API (other fields such as `y`,
/// `controls`, `vcov` are ignored here). Exactly one of `start`, `treat`+`post`,
/// `indicator` must be given.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct TreatmentSpec {
    /// Unit (panel id) column, e.g. `"city"`.
    pub unit: String,
    /// Numeric time column, e.g. `"year"`.
    pub time: String,
    /// Adoption-time column (blank or 0 = never treated).
    pub start: Option<String>,
    /// 0/1 treated-group column (with `post`).
    pub treat: Option<String>,
    /// 0/1 post-period column (with `treat`).
    pub post: Option<String>,
    /// Ready 0/1 treated×post column.
    pub indicator: Option<String>,
    /// Accept indicator units whose treatment switches off (default false: error).
    pub allow_switching_off: bool,
    /// Keep always-treated units (treated from their first observed period) in the sample
    /// (default false: they are dropped, as R `did` / Stata `csdid` do).
    pub keep_always_treated: bool,
}

/// The resolved treatment form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "form")]
pub enum TreatmentForm {
    /// Adoption-time column.
    Start { column: String },
    /// Treated-group × post.
    TreatPost { treat: String, post: String },
    /// 0/1 treated×post indicator.
    Indicator { column: String },
}

impl TreatmentSpec {
    /// Which of the three forms is given; an error when none, several, or half of `treat`+`post`.
    pub fn form(&self) -> Result<TreatmentForm> {
        let nonempty = |o: &Option<String>| o.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        let start = nonempty(&self.start);
        let treat = nonempty(&self.treat);
        let post = nonempty(&self.post);
        let indicator = nonempty(&self.indicator);
        let mut given = Vec::new();
        if start.is_some() {
            given.push("`start`");
        }
        if treat.is_some() || post.is_some() {
            given.push("`treat` + `post`");
        }
        if indicator.is_some() {
            given.push("`indicator`");
        }
        if given.len() > 1 {
            return Err(Error::invalid(format!(
                "treatment is given in several ways ({}); give exactly one of `start` (adoption time), \
                 `treat` + `post`, or `indicator` (0/1 treated×post)",
                given.join(", ")
            )));
        }
        match (start, treat, post, indicator) {
            (Some(c), None, None, None) => Ok(TreatmentForm::Start { column: c }),
            (None, Some(t), Some(p), None) => Ok(TreatmentForm::TreatPost { treat: t, post: p }),
            (None, Some(_), None, None) => {
                Err(Error::invalid("`treat` is given without `post`: the 2×2 form needs both columns"))
            }
            (None, None, Some(_), None) => {
                Err(Error::invalid("`post` is given without `treat`: the 2×2 form needs both columns"))
            }
            (None, None, None, Some(c)) => Ok(TreatmentForm::Indicator { column: c }),
            _ => Err(Error::invalid(
                "no treatment given: set `start` (a column with each unit's adoption time, blank or 0 = never \
                 treated), or `treat` + `post` (0/1 columns), or `indicator` (a 0/1 treated×post column)",
            )),
        }
    }
}

/// Units sharing one adoption time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cohort {
    /// The adoption time.
    pub adoption: f64,
    /// Number of units.
    pub n_units: usize,
    /// Their names (sorted).
    pub units: Vec<String>,
}

/// A validated DID design: the DID regressor and everything derived from the treatment timing.
/// All per-row vectors have `ds.nrows()` entries; per-unit vectors are indexed by `unit` code.
#[derive(Debug, Clone, PartialEq)]
pub struct DidDesign {
    /// The resolved treatment form.
    pub form: TreatmentForm,
    /// Unit codes (levels = unit names, sorted).
    pub unit: Factor,
    /// Numeric time per row (NaN = missing).
    pub time: Vec<f64>,
    /// The 0/1 DID regressor per row (NaN where the unit, time or treatment is missing).
    pub did: Vec<f64>,
    /// Per row: the unit's adoption time (`None` = never treated, and always for the 2×2 form).
    pub adoption: Vec<Option<f64>>,
    /// Per row: event time `t − A_i` (`None` for never-treated units and missing rows).
    pub rel_time: Vec<Option<i64>>,
    /// Per unit: adoption time within the panel (`None` = never treated, adopting after the
    /// panel, not applicable, unit absent or dropped).
    pub unit_adoption: Vec<Option<f64>>,
    /// Per unit: treated within the panel (2×2 form: `treat` = 1).
    pub unit_treated: Vec<bool>,
    /// Per unit: in the design's sample — at least one row with a valid unit and time, and not
    /// a dropped always-treated unit.
    pub unit_present: Vec<bool>,
    /// The `post` column (2×2 form only), for re-randomising `treat`.
    pub post: Option<Vec<f64>>,
    /// Adoption cohorts within the panel (kept units only), sorted by time.
    pub cohorts: Vec<Cohort>,
    /// Units treated within the panel (including kept always-treated units).
    pub n_treated_units: usize,
    /// Units never treated within the panel: adoption blank/0 **or after the panel's last
    /// period** (2×2 form: `treat` = 0; indicator always 0).
    pub n_never_treated_units: usize,
    /// Of the never-treated units, those whose adoption time lies after the panel's last period.
    pub n_late_adopter_units: usize,
    /// The late adopters' names and adoption times.
    pub late_adopters: Vec<(String, f64)>,
    /// Units treated from their first observed period (no pre-period), dropped or kept.
    pub n_always_treated_units: usize,
    /// The always-treated units' names and adoption times.
    pub always_treated: Vec<(String, f64)>,
    /// Whether the always-treated units were dropped from the sample (the default).
    pub always_treated_dropped: bool,
    /// Units in the sample (with at least one valid row, dropped units excluded).
    pub n_units: usize,
    /// Distinct periods.
    pub n_periods: usize,
    /// The distinct periods, sorted.
    pub periods: Vec<f64>,
    /// First and last period (`None` when there is no valid row).
    pub time_range: Option<(f64, f64)>,
    /// Non-fatal findings.
    pub diagnostics: Diagnostics,
}

/// "line 17" when the file line is known, else "row 16" (1-based data row).
fn loc(ds: &Dataset, row: usize) -> String {
    match ds.source_line(row) {
        Some(l) => format!("line {l}"),
        None => format!("row {}", row + 1),
    }
}

fn fmt_num(v: f64) -> String {
    format!("{v}")
}

/// Names a list, shortening after `max` items.
fn list_names(names: &[String], max: usize) -> String {
    if names.len() <= max {
        names.join(", ")
    } else {
        format!("{} and {} more", names[..max].join(", "), names.len() - max)
    }
}

/// Checks a 0/1 column over `rows`, naming other values and where they are.
fn check_binary(ds: &Dataset, name: &str, values: &[f64], rows: &[usize]) -> Result<()> {
    let mut bad: Vec<(f64, usize)> = Vec::new();
    let mut n_bad = 0usize;
    for &i in rows {
        let v = values[i];
        if !v.is_nan() && v != 0.0 && v != 1.0 {
            n_bad += 1;
            if bad.len() < 5 && !bad.iter().any(|(b, _)| b.total_cmp(&v).is_eq()) {
                bad.push((v, i));
            }
        }
    }
    if n_bad == 0 {
        return Ok(());
    }
    let shown: Vec<String> = bad.iter().map(|(v, i)| format!("{} ({})", fmt_num(*v), loc(ds, *i))).collect();
    Err(Error::invalid(format!(
        "column `{name}` must hold 0/1 values (blank = missing), but {n_bad} value{} {} other: {}",
        if n_bad == 1 { "" } else { "s" },
        if n_bad == 1 { "is" } else { "are" },
        shown.join(", ")
    )))
}

/// True when some unit has both 0 and 1 among the rows selected by `keep` (else the DID
/// regressor is collinear with the unit fixed effects).
fn some_unit_switches(codes: &[u32], did: &[f64], keep: &dyn Fn(usize) -> bool, n_levels: usize) -> bool {
    let mut seen = vec![(false, false); n_levels];
    for (i, &c) in codes.iter().enumerate() {
        if c == Factor::MISSING || !keep(i) || did[i].is_nan() {
            continue;
        }
        if let Some(e) = seen.get_mut(c as usize) {
            if did[i] == 1.0 {
                e.0 = true;
            } else {
                e.1 = true;
            }
        }
    }
    seen.iter().any(|(a, b)| *a && *b)
}

