//! The balanced panel the staggered-adoption estimators work on.
//!
//! From the long data (one row per unit and period) it builds, per unit, the outcome in every
//! period, the adoption cohort and the covariates in every period. It follows R `did`'s
//! pre-processing (`pre_process_did`, panel data) and says what it drops:
//!
//! * rows with a missing unit or period leave; a (unit, period) pair that occurs twice is an
//!   error naming it;
//! * the adoption column (`start`) must be constant within a unit; blank or 0 means never
//!   treated; a negative or fractional value is an error naming the unit;
//! * a unit adopting after the last period plus the anticipation is never treated within the
//!   panel (R `did`: "treated as never treated"), with a diagnostic;
//! * a unit treated in the first period (plus anticipation) has no pre-period and is dropped
//!   (R `did` and `csdid` do the same), with a diagnostic;
//! * a unit not observed in every period, or with a missing outcome or covariate in some
//!   period, is dropped so that the panel is balanced (R `did`'s `panel = TRUE` without
//!   `allow_unbalanced_panel`), with a diagnostic listing the first of them;
//! * a covariate that varies over time within a unit is allowed: as in R `did`, each 2×2
//!   comparison uses its value in the earlier of the two periods; a diagnostic says so.

use crate::data::{Dataset, Factor};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};

/// How many unit names a diagnostic lists.
const LISTED: usize = 5;

/// What the panel is built from.
#[derive(Debug, Clone)]
pub(crate) struct PanelSpec<'a> {
    pub y: &'a str,
    pub unit: &'a str,
    pub time: &'a str,
    pub start: &'a str,
    pub covariates: &'a [String],
    pub anticipation: u32,
}

impl<'a> PanelSpec<'a> {
    /// The spec, refusing an empty column name with a message naming the estimator (`who`,
    /// e.g. "Sun & Abraham").
    pub fn checked(
        who: &str,
        [y, unit, time, start]: [&'a str; 4],
        covariates: &'a [String],
        anticipation: u32,
    ) -> Result<PanelSpec<'a>> {
        for (what, name) in [("outcome `y`", y), ("`unit`", unit), ("`time`", time), ("adoption column `start`", start)] {
            if name.trim().is_empty() {
                return Err(Error::invalid(format!("{who} needs the {what} column")));
            }
        }
        Ok(PanelSpec { y, unit, time, start, covariates, anticipation })
    }
}

/// Refuses a confidence level outside (0, 1).
pub(crate) fn check_conf_level(level: f64) -> Result<()> {
    if level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(Error::invalid(format!("conf_level must lie between 0 and 1 (got {level})")))
    }
}

/// A balanced panel of `n` units × `periods.len()` periods.
#[derive(Debug, Clone)]
pub(crate) struct StaggeredPanel {
    /// Unit labels, in the order of the rows below.
    pub units: Vec<String>,
    /// Periods, ascending.
    pub periods: Vec<f64>,
    /// Outcome, unit-major: `y[i * T + t]`.
    pub y: Vec<f64>,
    /// Adoption period per unit; 0 = never treated within the panel.
    pub cohort: Vec<f64>,
    /// Covariate names (without the intercept).
    pub covariates: Vec<String>,
    /// Covariates per period: `x[t]` is `n × (1 + k)` row-major with the intercept first.
    pub x: Vec<Vec<f64>>,
    /// Non-fatal findings of the construction.
    pub diagnostics: Diagnostics,
}

impl StaggeredPanel {
    /// Number of units.
    pub fn n(&self) -> usize {
        self.units.len()
    }
    /// Number of periods.
    pub fn n_periods(&self) -> usize {
        self.periods.len()
    }
    /// Columns of the covariate matrix (intercept included).
    pub fn p(&self) -> usize {
        1 + self.covariates.len()
    }
    /// Outcome of unit `i` in period index `t`.
    pub fn y_at(&self, i: usize, t: usize) -> f64 {
        self.y[i * self.periods.len() + t]
    }
    /// Treated cohorts (adoption periods > 0), ascending.
    pub fn cohorts(&self) -> Vec<f64> {
        let mut g: Vec<f64> = self.cohort.iter().copied().filter(|&c| c > 0.0).collect();
        g.sort_by(f64::total_cmp);
        g.dedup();
        g
    }
    /// Units in cohort `g`.
    pub fn cohort_size(&self, g: f64) -> usize {
        self.cohort.iter().filter(|&&c| c == g).count()
    }
    /// True when some unit is never treated.
    pub fn has_never_treated(&self) -> bool {
        self.cohort.iter().any(|&c| c == 0.0)
    }
}

/// The long data reduced to one record per (unit, period) cell.
struct Cells {
    units: Factor,
    periods: Vec<f64>,
    /// Row of each (unit, period) cell, `usize::MAX` when absent.
    row: Vec<usize>,
    dropped_rows: usize,
}

fn list(names: &[String]) -> String {
    let shown: Vec<String> = names.iter().take(LISTED).map(|n| format!("`{n}`")).collect();
    if names.len() > LISTED {
        format!("{} and {} more", shown.join(", "), names.len() - LISTED)
    } else {
        shown.join(", ")
    }
}

fn period_label(t: f64) -> String {
    format!("{t}")
}

fn cells(ds: &Dataset, spec: &PanelSpec) -> Result<Cells> {
    let units = ds.factor(spec.unit)?;
    let time = ds.numeric(spec.time)?;
    let mut periods: Vec<f64> = time.iter().copied().filter(|v| v.is_finite()).collect();
    periods.sort_by(f64::total_cmp);
    periods.dedup();
    if periods.len() < 2 {
        return Err(Error::insufficient(format!(
            "the time column `{}` has {} distinct value(s); a staggered DID needs at least two periods",
            spec.time,
            periods.len()
        )));
    }
    let nt = periods.len();
    let mut row = vec![usize::MAX; units.n_levels() * nt];
    let mut dropped_rows = 0;
    for (r, (&u, &t)) in units.codes.iter().zip(time).enumerate() {
        if u == Factor::MISSING || !t.is_finite() {
            dropped_rows += 1;
            continue;
        }
        let k = periods.binary_search_by(|p| p.total_cmp(&t)).map_err(|_| Error::invalid("period lookup"))?;
        let cell = u as usize * nt + k;
        if row[cell] != usize::MAX {
            let line = ds.source_line(r).map(|l| format!(" (line {l})")).unwrap_or_default();
            return Err(Error::invalid(format!(
                "unit `{}` appears twice in period {}{line}: each (unit, period) pair must occur once",
                units.levels[u as usize],
                period_label(t)
            )));
        }
        row[cell] = r;
    }
    Ok(Cells { units, periods, row, dropped_rows })
}

/// The adoption period of each unit (NaN for a unit without rows), checked.
fn unit_cohorts(ds: &Dataset, spec: &PanelSpec, c: &Cells) -> Result<Vec<f64>> {
    let start = ds.numeric(spec.start)?;
    let nt = c.periods.len();
    let mut out = vec![f64::NAN; c.units.n_levels()];
    for (u, slot) in out.iter_mut().enumerate() {
        let mut value: Option<f64> = None;
        for t in 0..nt {
            let r = c.row[u * nt + t];
            if r == usize::MAX {
                continue;
            }
            let s = if start[r].is_nan() { 0.0 } else { start[r] };
            if s < 0.0 || s.fract() != 0.0 || !s.is_finite() {
                return Err(Error::invalid(format!(
                    "the adoption column `{}` has the value {s} for unit `{}`: use the adoption period \
                     (a whole number), or blank/0 for never treated",
                    spec.start, c.units.levels[u]
                )));
            }
            match value {
                None => value = Some(s),
                Some(v) if v != s => {
                    return Err(Error::invalid(format!(
                        "the adoption column `{}` changes within unit `{}` ({v} and {s}); it must be the unit's \
                         adoption period in every row",
                        spec.start, c.units.levels[u]
                    )))
                }
                Some(_) => {}
            }
        }
        *slot = value.unwrap_or(f64::NAN);
    }
    Ok(out)
}

/// Recodes late adopters as never treated and marks always-treated units for dropping.
fn classify_timing(
    cohort: &mut [f64],
    keep: &mut [bool],
    labels: &[String],
    periods: &[f64],
    spec: &PanelSpec,
    diagnostics: &mut Diagnostics,
) {
    let antic = f64::from(spec.anticipation);
    let (first, last) = (periods[0], periods[periods.len() - 1]);
    let mut late = Vec::new();
    let mut always = Vec::new();
    for (u, g) in cohort.iter_mut().enumerate() {
        if !keep[u] || *g == 0.0 {
            continue;
        }
        if *g > last + antic {
            late.push(labels[u].clone());
            *g = 0.0;
        } else if *g <= first + antic {
            always.push(labels[u].clone());
            keep[u] = false;
        }
    }
    if !late.is_empty() {
        diagnostics.push(Diagnostic::info(
            Code::LateAdoptersAsControls,
            format!(
                "{} unit(s) adopt after the last period {last}{}: never treated within the panel ({})",
                late.len(),
                if antic > 0.0 { format!(" plus the anticipation {antic}") } else { String::new() },
                list(&late)
            ),
        ));
    }
    if !always.is_empty() {
        diagnostics.push(Diagnostic::warning(
            Code::AlwaysTreated,
            format!(
                "{} unit(s) treated in the first period {first}{} have no pre-treatment period and were dropped, \
                 as R did and csdid do ({})",
                always.len(),
                if antic > 0.0 { format!(" (with anticipation {antic})") } else { String::new() },
                list(&always)
            ),
        ));
    }
}

/// Builds the balanced panel.
pub(crate) fn build(ds: &Dataset, spec: &PanelSpec) -> Result<StaggeredPanel> {
    let c = cells(ds, spec)?;
    let y = ds.numeric(spec.y)?;
    let xs: Vec<&[f64]> = spec.covariates.iter().map(|n| ds.numeric(n)).collect::<Result<_>>()?;
    let mut cohort = unit_cohorts(ds, spec, &c)?;
    let nu = c.units.n_levels();
    let nt = c.periods.len();
    let mut diagnostics = Diagnostics::new();
    if c.dropped_rows > 0 {
        diagnostics.push(Diagnostic::info(
            Code::DesignRowsMissing,
            format!("{} row(s) with a missing unit or period were left out", c.dropped_rows),
        ));
    }
    // balance: every period observed with an outcome and all covariates
    let mut keep = vec![true; nu];
    let mut unbalanced = Vec::new();
    for u in 0..nu {
        let complete = (0..nt).all(|t| {
            let r = c.row[u * nt + t];
            r != usize::MAX && y[r].is_finite() && xs.iter().all(|x| x[r].is_finite())
        });
        if !complete {
            keep[u] = false;
            unbalanced.push(c.units.levels[u].clone());
        }
    }
    if !unbalanced.is_empty() {
        diagnostics.push(Diagnostic::warning(
            Code::PanelUnbalanced,
            format!(
                "{} unit(s) not observed with an outcome{} in every period were dropped to balance the panel, \
                 as R did does for panel data ({})",
                unbalanced.len(),
                if xs.is_empty() { "" } else { " and covariates" },
                list(&unbalanced)
            ),
        ));
    }
    classify_timing(&mut cohort, &mut keep, &c.units.levels, &c.periods, spec, &mut diagnostics);
    let kept: Vec<usize> = (0..nu).filter(|&u| keep[u]).collect();
    if kept.is_empty() {
        return Err(Error::insufficient(
            "no unit is observed in every period with its outcome and covariates: the staggered estimators need a balanced panel",
        ));
    }
    let p = 1 + xs.len();
    let mut yy = Vec::with_capacity(kept.len() * nt);
    let mut x = vec![Vec::with_capacity(kept.len() * p); nt];
    let mut varying = vec![0usize; xs.len()];
    for &u in &kept {
        for t in 0..nt {
            let r = c.row[u * nt + t];
            yy.push(y[r]);
            x[t].push(1.0);
            for (j, col) in xs.iter().enumerate() {
                x[t].push(col[r]);
                if t > 0 && col[r] != col[c.row[u * nt]] {
                    varying[j] += 1;
                }
            }
        }
    }
    for (j, name) in spec.covariates.iter().enumerate() {
        if varying[j] > 0 {
            diagnostics.push(Diagnostic::info(
                Code::CovariateTimeVarying,
                format!(
                    "covariate `{name}` varies over time within units; each 2×2 comparison uses its value in the \
                     earlier of the two periods (the base period for post-treatment effects), as R did does"
                ),
            ));
        }
    }
    Ok(StaggeredPanel {
        units: kept.iter().map(|&u| c.units.levels[u].clone()).collect(),
        periods: c.periods,
        y: yy,
        cohort: kept.iter().map(|&u| cohort[u]).collect(),
        covariates: spec.covariates.to_vec(),
        x,
        diagnostics,
    })
}
