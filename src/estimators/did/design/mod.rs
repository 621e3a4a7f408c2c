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
mod counts;
mod event;

pub use assignments::*;
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

/// Builds and validates the DID design (see the module docs for conventions and errors).
pub fn build_design(ds: &Dataset, spec: &TreatmentSpec) -> Result<DidDesign> {
    let form = spec.form()?;
    if spec.unit.trim().is_empty() {
        return Err(Error::invalid("the DID design needs a `unit` column (the panel id, e.g. \"city\")"));
    }
    if spec.time.trim().is_empty() {
        return Err(Error::invalid("the DID design needs a numeric `time` column (e.g. \"year\")"));
    }
    let n = ds.nrows();
    let unit = ds.factor(&spec.unit)?;
    let time: Vec<f64> = ds.numeric(&spec.time)?.to_vec();
    let n_levels = unit.n_levels();
    let mut diagnostics = Diagnostics::new();

    // Valid rows: a unit and a finite time.
    let valid: Vec<bool> = (0..n).map(|i| unit.codes[i] != Factor::MISSING && time[i].is_finite()).collect();
    let n_invalid = valid.iter().filter(|v| !**v).count();
    if n_invalid > 0 {
        diagnostics.push(Diagnostic::info(
            Code::DesignRowsMissing,
            format!(
                "{n_invalid} row{} with a missing `{}` or `{}` left out of the design (DID is missing there)",
                if n_invalid == 1 { "" } else { "s" },
                spec.unit,
                spec.time
            ),
        ));
    }
    if n_invalid == n {
        return Err(Error::insufficient(format!(
            "no row has both a `{}` and a `{}` value",
            spec.unit, spec.time
        )));
    }
    let needs_integer_time = !matches!(form, TreatmentForm::TreatPost { .. });
    if needs_integer_time {
        if let Some(i) = (0..n).find(|&i| valid[i] && time[i].fract() != 0.0) {
            return Err(Error::invalid(format!(
                "time column `{}` must hold whole numbers (years or period numbers) to build adoption and event \
                 times; found {} at {}",
                spec.time,
                fmt_num(time[i]),
                loc(ds, i)
            )));
        }
    }

    // Rows of each unit, in time order; duplicates.
    let mut unit_rows: Vec<Vec<usize>> = vec![Vec::new(); n_levels];
    for i in 0..n {
        if valid[i] {
            unit_rows[unit.codes[i] as usize].push(i);
        }
    }
    let mut dups: Vec<String> = Vec::new();
    let mut n_dups = 0usize;
    for (u, rows) in unit_rows.iter_mut().enumerate() {
        rows.sort_by(|&a, &b| time[a].total_cmp(&time[b]).then(a.cmp(&b)));
        let mut k = 0;
        while k < rows.len() {
            let mut j = k + 1;
            while j < rows.len() && time[rows[j]] == time[rows[k]] {
                j += 1;
            }
            if j - k > 1 {
                n_dups += 1;
                if dups.len() < 3 {
                    let where_: Vec<String> = rows[k..j].iter().map(|&r| loc(ds, r)).collect();
                    dups.push(format!("`{}` at {} ({})", unit.levels[u], fmt_num(time[rows[k]]), where_.join(", ")));
                }
            }
            k = j;
        }
    }
    if n_dups > 0 {
        return Err(Error::invalid(format!(
            "{n_dups} duplicate ({}, {}) pair{}: {}{} — each unit may appear only once per period",
            spec.unit,
            spec.time,
            if n_dups == 1 { "" } else { "s" },
            dups.join("; "),
            if n_dups > dups.len() { "; …" } else { "" }
        )));
    }
    let mut unit_present: Vec<bool> = unit_rows.iter().map(|r| !r.is_empty()).collect();
    // The data's last period (late adopters are judged against it).
    let last_period = (0..n).filter(|&i| valid[i]).map(|i| time[i]).fold(f64::NEG_INFINITY, f64::max);
    let all_valid: Vec<usize> = (0..n).filter(|&i| valid[i]).collect();

    let mut did = vec![f64::NAN; n];
    let mut unit_adoption: Vec<Option<f64>> = vec![None; n_levels];
    let mut unit_treated = vec![false; n_levels];
    let mut post_col = None;

    match &form {
        TreatmentForm::Start { column } => {
            let a = ds.numeric(column)?;
            for (u, rows) in unit_rows.iter().enumerate() {
                // `None` = never (blank or 0).
                let mut seen: Option<(Option<f64>, usize)> = None;
                for &i in rows {
                    let v = a[i];
                    let val = if v.is_nan() || v == 0.0 {
                        None
                    } else if !v.is_finite() || v < 0.0 || v.fract() != 0.0 {
                        return Err(Error::invalid(format!(
                            "adoption column `{column}`: {} at {} is not a valid adoption time (use a whole \
                             number such as a year, or blank / 0 for never treated)",
                            fmt_num(v),
                            loc(ds, i)
                        )));
                    } else {
                        Some(v)
                    };
                    match seen {
                        None => seen = Some((val, i)),
                        Some((prev, j)) if prev != val => {
                            let show = |o: Option<f64>| o.map_or("blank/0 (never treated)".to_string(), fmt_num);
                            return Err(Error::invalid(format!(
                                "unit `{}` has different adoption times in `{column}`: {} ({}) and {} ({}); the \
                                 adoption time must be the same in every row of a unit",
                                unit.levels[u],
                                show(prev),
                                loc(ds, j),
                                show(val),
                                loc(ds, i)
                            )));
                        }
                        _ => {}
                    }
                }
                if let Some((val, _)) = seen {
                    unit_adoption[u] = val;
                }
            }
            for i in 0..n {
                if valid[i] {
                    did[i] = match unit_adoption[unit.codes[i] as usize] {
                        Some(adopt) if time[i] >= adopt => 1.0,
                        _ => 0.0,
                    };
                }
            }
        }
        TreatmentForm::Indicator { column } => {
            let d = ds.numeric(column)?;
            check_binary(ds, column, d, &all_valid)?;
            let mut switchers: Vec<String> = Vec::new();
            for (u, rows) in unit_rows.iter().enumerate() {
                let mut on_at: Option<usize> = None;
                for &i in rows {
                    if d[i] == 1.0 && on_at.is_none() {
                        on_at = Some(i);
                    } else if d[i] == 0.0 {
                        if let Some(j) = on_at {
                            if !spec.allow_switching_off {
                                return Err(Error::invalid(format!(
                                    "unit `{}` switches treatment off: `{column}` is 1 in {} ({}) but 0 later in {} \
                                     ({}); a staggered DID assumes that treated units stay treated (set \
                                     `allow_switching_off` to use the indicator as given)",
                                    unit.levels[u],
                                    fmt_num(time[j]),
                                    loc(ds, j),
                                    fmt_num(time[i]),
                                    loc(ds, i)
                                )));
                            }
                            if switchers.last() != Some(&unit.levels[u]) {
                                switchers.push(unit.levels[u].clone());
                            }
                        }
                    }
                }
                unit_adoption[u] = on_at.map(|i| time[i]);
            }
            if !switchers.is_empty() {
                diagnostics.push(Diagnostic::warning(
                    Code::TreatmentSwitchesOff,
                    format!(
                        "{} unit{} switch{} treatment off ({}); the indicator is used as given, event times count \
                         from the first treated period",
                        switchers.len(),
                        if switchers.len() == 1 { "" } else { "s" },
                        if switchers.len() == 1 { "es" } else { "" },
                        list_names(&switchers, 5)
                    ),
                ));
            }
            for i in 0..n {
                if valid[i] {
                    did[i] = d[i];
                }
            }
        }
        TreatmentForm::TreatPost { treat, post } => {
            let t = ds.numeric(treat)?;
            let p = ds.numeric(post)?;
            check_binary(ds, treat, t, &all_valid)?;
            check_binary(ds, post, p, &all_valid)?;
            for (u, rows) in unit_rows.iter().enumerate() {
                let mut seen: Option<(f64, usize)> = None;
                for &i in rows {
                    if t[i].is_nan() {
                        continue;
                    }
                    match seen {
                        None => seen = Some((t[i], i)),
                        Some((v, j)) if v != t[i] => {
                            return Err(Error::invalid(format!(
                                "unit `{}` has `{treat}` = {} ({}) and {} ({}); the treated-group column must be \
                                 constant within a unit (for a column that turns on at adoption use `indicator`)",
                                unit.levels[u],
                                fmt_num(v),
                                loc(ds, j),
                                fmt_num(t[i]),
                                loc(ds, i)
                            )));
                        }
                        _ => {}
                    }
                }
                unit_treated[u] = matches!(seen, Some((v, _)) if v == 1.0);
            }
            let post_vals: Vec<f64> = all_valid.iter().map(|&i| p[i]).filter(|v| !v.is_nan()).collect();
            if !post_vals.is_empty() && post_vals.iter().all(|&v| v == post_vals[0]) {
                return Err(Error::insufficient(format!(
                    "`{post}` is {} in every row: the 2×2 design needs both pre (0) and post (1) periods",
                    fmt_num(post_vals[0])
                )));
            }
            for i in 0..n {
                if valid[i] {
                    did[i] = t[i] * p[i];
                }
            }
            post_col = Some(p.to_vec());
        }
    }

    // Unit classification. Late adopters are never treated within the panel: their adoption
    // time is forgotten, so every estimator, placebo pool and table treats them exactly like
    // never-treated units. Always-treated units are dropped unless kept.
    let timing = !matches!(form, TreatmentForm::TreatPost { .. });
    let mut late_adopters: Vec<(String, f64)> = Vec::new();
    let mut always_treated: Vec<(String, f64)> = Vec::new();
    let drop_always = timing && !spec.keep_always_treated;
    for u in 0..n_levels {
        if !unit_present[u] {
            continue;
        }
        if !timing {
            continue;
        }
        let Some(a) = unit_adoption[u] else { continue };
        if a > last_period {
            late_adopters.push((unit.levels[u].clone(), a));
            unit_adoption[u] = None;
            for &i in &unit_rows[u] {
                did[i] = 0.0;
            }
            continue;
        }
        if a <= time[unit_rows[u][0]] {
            always_treated.push((unit.levels[u].clone(), a));
            if drop_always {
                unit_adoption[u] = None;
                unit_present[u] = false;
                for &i in &unit_rows[u] {
                    did[i] = f64::NAN;
                }
                continue;
            }
        }
        unit_treated[u] = true;
    }
    let named = |v: &[(String, f64)]| -> Vec<String> { v.iter().map(|(n, a)| format!("{n} ({})", fmt_num(*a))).collect() };
    let n_units = unit_present.iter().filter(|p| **p).count();
    let never_units: Vec<String> = (0..n_levels)
        .filter(|&u| unit_present[u] && !unit_treated[u])
        .map(|u| unit.levels[u].clone())
        .collect();
    let n_treated_units = unit_treated.iter().zip(&unit_present).filter(|(t, p)| **t && **p).count();

    if n_treated_units == 0 && !always_treated.is_empty() {
        return Err(Error::insufficient(format!(
            "no treated unit is observed both before and after its treatment starts: the treated unit{} {} {} \
             treated from {} first observed period (always treated), so the DID effect cannot be separated from \
             the unit effects",
            if always_treated.len() == 1 { "" } else { "s" },
            list_names(&named(&always_treated), 8),
            if always_treated.len() == 1 { "is" } else { "are" },
            if always_treated.len() == 1 { "its" } else { "their" },
        )));
    }
    if n_treated_units == 0 {
        return Err(Error::insufficient(match &form {
            TreatmentForm::Start { column } => match late_adopters.first() {
                Some((name, a)) => format!(
                    "no treated units within the panel: adoption year {} of unit `{name}` is after the panel's last \
                     period {}{}",
                    fmt_num(*a),
                    fmt_num(last_period),
                    if late_adopters.len() > 1 { " (as are all other adoption years)" } else { "" }
                ),
                None => format!("no treated units: `{column}` is blank or 0 for every unit"),
            },
            TreatmentForm::Indicator { column } => format!("no treated units: `{column}` is never 1"),
            TreatmentForm::TreatPost { treat, .. } => format!("no treated units: `{treat}` is never 1"),
        }));
    }
    let all_valid: Vec<usize> = all_valid.into_iter().filter(|&i| unit_present[unit.codes[i] as usize]).collect();
    // Some period must hold both treated and untreated observations.
    let mut status: BTreeMap<i64, (bool, bool)> = BTreeMap::new();
    for &i in &all_valid {
        let d = did[i];
        if d.is_nan() {
            continue;
        }
        let e = status.entry(time[i].to_bits() as i64).or_insert((false, false));
        if d == 1.0 {
            e.0 = true;
        } else {
            e.1 = true;
        }
    }
    if !status.values().any(|(t, c)| *t && *c) {
        let detail = if never_units.is_empty() {
            "every unit is treated and all adopt at the same time".to_string()
        } else {
            "treated and untreated observations never share a period".to_string()
        };
        return Err(Error::insufficient(format!(
            "no never-treated or not-yet-treated controls: {detail}, so the DID effect cannot be separated from \
             the period effects"
        )));
    }
    let in_sample = |i: usize| valid[i] && unit_present[unit.codes[i] as usize];
    if !some_unit_switches(&unit.codes, &did, &in_sample, n_levels) {
        if timing {
            return Err(Error::insufficient(
                "no treated unit is observed both before and after its treatment starts (all treated units are \
                 treated in every observed period), so the DID effect cannot be separated from the unit effects",
            ));
        }
        diagnostics.push(Diagnostic::warning(
            Code::DidTermNotIdentified,
            "no treated unit is observed in both pre and post periods: with unit fixed effects the DID term is not \
             identified; use the treated-group and post dummies instead of unit effects (repeated cross-sections)",
        ));
    }
    if !late_adopters.is_empty() {
        let k = late_adopters.len();
        diagnostics.push(Diagnostic::warning(
            Code::LateAdoptersAsControls,
            format!(
                "{k} unit{} adopt{} after the panel's last period {} and {} treated as never treated (controls \
                 throughout, no event-time dummies, never-treated in placebo draws): {}",
                if k == 1 { "" } else { "s" },
                if k == 1 { "s" } else { "" },
                fmt_num(last_period),
                if k == 1 { "is" } else { "are" },
                list_names(&named(&late_adopters), 8)
            ),
        ));
    }
    if !always_treated.is_empty() {
        let k = always_treated.len();
        diagnostics.push(Diagnostic::warning(Code::AlwaysTreated, if drop_always {
            format!(
                "{k} always-treated unit{} (treated from {} first observed period, so no pre-period) dropped from \
                 the sample, as R did and csdid do: {}; set `keep_always_treated` to keep {}",
                if k == 1 { "" } else { "s" },
                if k == 1 { "its" } else { "their" },
                list_names(&named(&always_treated), 8),
                if k == 1 { "it" } else { "them" },
            )
        } else {
            format!(
                "always-treated units kept (treated from their first observed period, so they provide no \
                 pre-period and act as implicit controls in TWFE): {}",
                list_names(&named(&always_treated), 8)
            )
        }));
    }
    let mut periods: Vec<f64> = all_valid.iter().map(|&i| time[i]).collect();
    periods.sort_by(f64::total_cmp);
    periods.dedup();
    let (first_period, last_period) = (periods[0], periods[periods.len() - 1]);

    // Per-row adoption and event time.
    let mut adoption = vec![None; n];
    let mut rel_time = vec![None; n];
    if timing {
        for i in 0..n {
            if valid[i] {
                if let Some(a) = unit_adoption[unit.codes[i] as usize] {
                    adoption[i] = Some(a);
                    rel_time[i] = Some((time[i] - a) as i64);
                }
            }
        }
    }
    // Cohorts.
    let mut by_time: BTreeMap<u64, (f64, Vec<String>)> = BTreeMap::new();
    for u in 0..n_levels {
        if let (true, Some(a)) = (unit_present[u], unit_adoption[u]) {
            // Adoption times are whole, non-negative numbers: their bit patterns sort like the values.
            by_time.entry(a.to_bits()).or_insert((a, Vec::new())).1.push(unit.levels[u].clone());
        }
    }
    let cohorts: Vec<Cohort> =
        by_time.into_values().map(|(a, units)| Cohort { adoption: a, n_units: units.len(), units }).collect();
    let always_treated_dropped = drop_always && !always_treated.is_empty();

    Ok(DidDesign {
        form,
        unit,
        time,
        did,
        adoption,
        rel_time,
        unit_adoption,
        unit_treated,
        unit_present,
        post: post_col,
        cohorts,
        n_treated_units,
        n_never_treated_units: never_units.len(),
        n_late_adopter_units: late_adopters.len(),
        late_adopters,
        n_always_treated_units: always_treated.len(),
        always_treated,
        always_treated_dropped,
        n_units,
        n_periods: periods.len(),
        time_range: Some((first_period, last_period)),
        periods,
        diagnostics,
    })
}
