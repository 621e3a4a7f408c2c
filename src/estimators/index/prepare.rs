//! Input preparation: the indicator values of the rows used, after the missing-value
//! policy (report, error, drop or interpolate), and the periods of `by_time` scope.

use super::{Extrapolate, IndexSpec, MissingPolicy, MissingReport, Scope, ValidIndexSpec};
use crate::data::{Dataset, Factor};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use std::borrow::Cow;

/// The dataset rows of one scope (period, or all rows when pooled).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Group {
    /// Every dataset row, in order (`n` rows): the columns are used as they are.
    All(usize),
    /// These dataset rows, ascending.
    Rows(Vec<usize>),
}

impl Group {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Group::All(n) => *n,
            Group::Rows(r) => r.len(),
        }
    }
    /// The dataset row of the group's `k`-th row.
    #[inline]
    pub fn row(&self, k: usize) -> usize {
        match self {
            Group::All(_) => k,
            Group::Rows(r) => r[k],
        }
    }
    /// The values of `col` at the group's rows: `col` itself for [`Group::All`], else
    /// gathered into `buf` (reused across calls).
    pub fn values<'b>(&self, col: &'b [f64], buf: &'b mut Vec<f64>) -> &'b [f64] {
        match self {
            Group::All(n) => &col[..*n],
            Group::Rows(r) => {
                buf.clear();
                buf.extend(r.iter().map(|&i| col[i]));
                buf
            }
        }
    }
}

/// Indicator values of the rows used, and how they were chosen. The columns are the
/// dataset's own (borrowed) unless interpolation filled some of their values.
pub(crate) struct Prepared<'a> {
    /// Dataset rows used, ascending.
    pub rows: Vec<usize>,
    /// `cols[j][i]`: indicator j at dataset row i (all rows; the missing ones unused).
    pub cols: Vec<Cow<'a, [f64]>>,
    /// The rows of each period (one group when pooled).
    pub groups: Vec<Group>,
    /// Period labels (empty when pooled).
    pub group_labels: Vec<String>,
    pub dropped: Vec<usize>,
    pub missing: Vec<MissingReport>,
    pub diagnostics: Diagnostics,
}

impl Prepared<'_> {
    /// Indicator `j` at the rows used (borrowed when every row is used).
    pub fn used_values(&self, j: usize) -> Cow<'_, [f64]> {
        if self.rows.len() == self.cols[j].len() {
            Cow::Borrowed(&self.cols[j][..])
        } else {
            Cow::Owned(self.rows.iter().map(|&i| self.cols[j][i]).collect())
        }
    }
}

fn row_ref(ds: &Dataset, row: usize) -> String {
    match ds.source_line(row) {
        Some(l) => format!("line {l}"),
        None => format!("row {}", row + 1),
    }
}

fn list_rows(ds: &Dataset, rows: &[usize]) -> String {
    let shown: Vec<String> = rows.iter().take(5).map(|&r| row_ref(ds, r)).collect();
    let more = if rows.len() > 5 { format!(" and {} more", rows.len() - 5) } else { String::new() };
    format!("{}{more}", shown.join(", "))
}

/// Reads the indicators, applies the missing-value policy and forms the groups.
pub(crate) fn prepare<'a>(ds: &'a Dataset, spec: &ValidIndexSpec) -> Result<Prepared<'a>> {
    let spec: &IndexSpec = spec;
    let (mut cols, has_nan) = read_indicators(ds, spec)?;
    let time_factor: Option<Factor> = match (&spec.scope, &spec.time) {
        (Scope::ByTime, Some(t)) => Some(ds.factor(t)?),
        _ => None,
    };
    let missing = missing_reports(spec, &cols, &has_nan, time_factor.as_ref(), ds.nrows());
    let mut diagnostics = Diagnostics::new();
    if !missing.is_empty() {
        apply_missing_policy(ds, spec, &missing, &mut cols, &mut diagnostics)?;
    }
    let (rows, dropped) = if missing.is_empty() {
        ((0..ds.nrows()).collect(), Vec::new())
    } else {
        complete_rows(&cols, time_factor.as_ref(), ds.nrows())
    };
    if !dropped.is_empty() {
        diagnostics.push(Diagnostic::info(Code::IndexRowsDropped, format!(
            "{} rows with missing values left out (scores are NaN there): {}",
            dropped.len(),
            list_rows(ds, &dropped)
        )));
    }
    let (groups, group_labels) = match &time_factor {
        None if dropped.is_empty() => (vec![Group::All(rows.len())], Vec::new()),
        None => (vec![Group::Rows(rows.clone())], Vec::new()),
        Some(f) => period_groups(f, &rows),
    };
    for (g, group) in groups.iter().enumerate() {
        if group.len() < 2 {
            let at = group_labels.get(g).map(|l| format!(" in period {l}")).unwrap_or_default();
            return Err(Error::insufficient(format!(
                "at least two complete rows are needed{at} ({} available)",
                group.len()
            )));
        }
    }
    Ok(Prepared { rows, cols, groups, group_labels, dropped, missing, diagnostics })
}

/// The indicator columns (borrowed); an infinite value is an error naming where it is.
/// Also returns whether each column has a NaN.
fn read_indicators<'a>(ds: &'a Dataset, spec: &IndexSpec) -> Result<(Vec<Cow<'a, [f64]>>, Vec<bool>)> {
    let mut cols = Vec::with_capacity(spec.indicators.len());
    let mut nan = Vec::with_capacity(spec.indicators.len());
    for ind in &spec.indicators {
        let v = ds.numeric(&ind.name)?;
        let dirty = any_non_finite(v);
        if let Some(r) = dirty.then(|| v.iter().position(|x| x.is_infinite())).flatten() {
            return Err(Error::invalid(format!(
                "indicator `{}` has an infinite value at {}",
                ind.name,
                row_ref(ds, r)
            )));
        }
        cols.push(Cow::Borrowed(v));
        nan.push(dirty);
    }
    Ok((cols, nan))
}

/// Whether any value is infinite or NaN (a branch-free scan in blocks).
fn any_non_finite(col: &[f64]) -> bool {
    col.chunks(512).any(|c| c.iter().fold(false, |acc, x| acc | !x.is_finite()))
}

/// Whether any value is NaN.
fn has_nan(col: &[f64]) -> bool {
    any_non_finite(col) && col.iter().any(|x| x.is_nan())
}

/// The missing values of each indicator, then of the time column (`by_time` scope).
/// (`has_nan[j]`: whether indicator j may have a NaN; the others are not scanned again.)
fn missing_reports(
    spec: &IndexSpec,
    cols: &[Cow<[f64]>],
    has_nan: &[bool],
    time_factor: Option<&Factor>,
    n: usize,
) -> Vec<MissingReport> {
    let mut missing = Vec::new();
    for ((ind, col), _) in spec.indicators.iter().zip(cols).zip(has_nan).filter(|(_, &h)| h) {
        let rows: Vec<usize> = (0..n).filter(|&i| col[i].is_nan()).collect();
        if !rows.is_empty() {
            missing.push(MissingReport { indicator: ind.name.clone(), count: rows.len(), rows });
        }
    }
    if let (Some(f), Some(t)) = (time_factor, &spec.time) {
        let rows: Vec<usize> = (0..n).filter(|&i| f.codes[i] == Factor::MISSING).collect();
        if !rows.is_empty() {
            missing.push(MissingReport { indicator: t.clone(), count: rows.len(), rows });
        }
    }
    missing
}

/// The missing-value policy: an error listing them, nothing (their rows are dropped), or
/// interpolation within unit over time.
fn apply_missing_policy(
    ds: &Dataset,
    spec: &IndexSpec,
    missing: &[MissingReport],
    cols: &mut [Cow<[f64]>],
    diagnostics: &mut Diagnostics,
) -> Result<()> {
    match spec.missing {
        MissingPolicy::Error => {
            let listing: Vec<String> = missing
                .iter()
                .map(|m| format!("`{}` ({} missing: {})", m.indicator, m.count, list_rows(ds, &m.rows)))
                .collect();
            return Err(Error::insufficient(format!(
                "missing values in {}; choose missing: \"drop\" to leave those rows out or \"interpolate\" to fill them within unit over time",
                listing.join("; ")
            )));
        }
        MissingPolicy::Drop => {}
        MissingPolicy::Interpolate => {
            // Only the columns with gaps are copied (and filled).
            for c in cols.iter_mut().filter(|c| has_nan(c)) {
                c.to_mut();
            }
            let filled = interpolate(ds, spec, cols)?;
            if filled > 0 {
                diagnostics.push(Diagnostic::info(Code::IndexInterpolated, format!(
                    "{filled} missing values filled by linear interpolation within unit over time"
                )));
            }
        }
    }
    Ok(())
}

/// The rows with every indicator (and the time, in `by_time` scope) present, and the others.
fn complete_rows(cols: &[Cow<[f64]>], time_factor: Option<&Factor>, n: usize) -> (Vec<usize>, Vec<usize>) {
    let mut rows = Vec::with_capacity(n);
    let mut dropped = Vec::new();
    for i in 0..n {
        let time_ok = time_factor.map_or(true, |f| f.codes[i] != Factor::MISSING);
        if time_ok && cols.iter().all(|c| !c[i].is_nan()) {
            rows.push(i);
        } else {
            dropped.push(i);
        }
    }
    (rows, dropped)
}

/// The rows of each period that has rows, with the period labels.
fn period_groups(f: &Factor, rows: &[usize]) -> (Vec<Group>, Vec<String>) {
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); f.n_levels()];
    for &i in rows {
        if let Some(g) = groups.get_mut(f.codes[i] as usize) {
            g.push(i);
        }
    }
    let mut labels = Vec::new();
    let mut kept = Vec::new();
    for (g, lab) in groups.into_iter().zip(&f.levels) {
        if !g.is_empty() {
            kept.push(Group::Rows(g));
            labels.push(lab.clone());
        }
    }
    (kept, labels)
}

/// Linear interpolation within unit over time; returns the number of filled values.
/// Only owned columns are filled (the borrowed ones have no gaps).
fn interpolate(ds: &Dataset, spec: &IndexSpec, cols: &mut [Cow<[f64]>]) -> Result<usize> {
    let (unit, time) = match (&spec.unit, &spec.time) {
        (Some(u), Some(t)) => (u, t),
        _ => return Err(Error::invalid("missing: \"interpolate\" needs both the `unit` and the `time` column")),
    };
    let uf = ds.factor(unit)?;
    let tv = ds.numeric(time)?;
    let mut by_unit: Vec<Vec<usize>> = vec![Vec::new(); uf.n_levels()];
    for (i, (&u, t)) in uf.codes.iter().zip(tv).enumerate() {
        if u != Factor::MISSING && !t.is_nan() {
            if let Some(v) = by_unit.get_mut(u as usize) {
                v.push(i);
            }
        }
    }
    let mut filled = 0;
    for (u, rows) in by_unit.iter_mut().enumerate() {
        rows.sort_by(|&a, &b| tv[a].total_cmp(&tv[b]));
        for w in rows.windows(2) {
            if tv[w[0]] == tv[w[1]] {
                return Err(Error::invalid(format!(
                    "unit `{}` has two rows for {} = {} ({} and {}); interpolation needs one row per unit and period",
                    uf.levels[u],
                    time,
                    tv[w[0]],
                    row_ref(ds, w[0]),
                    row_ref(ds, w[1])
                )));
            }
        }
        for col in cols.iter_mut() {
            let Cow::Owned(col) = col else { continue };
            let obs: Vec<usize> = rows.iter().copied().filter(|&i| !col[i].is_nan()).collect();
            if obs.is_empty() {
                continue;
            }
            for &i in rows.iter() {
                if !col[i].is_nan() {
                    continue;
                }
                let t = tv[i];
                let before = obs.iter().rev().find(|&&o| tv[o] < t).copied();
                let after = obs.iter().find(|&&o| tv[o] > t).copied();
                let v = match (before, after) {
                    (Some(a), Some(b)) => col[a] + (col[b] - col[a]) * (t - tv[a]) / (tv[b] - tv[a]),
                    (Some(a), None) | (None, Some(a)) if spec.extrapolate == Extrapolate::Nearest => col[a],
                    _ => continue,
                };
                col[i] = v;
                filled += 1;
            }
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Column;
    use crate::estimators::index::{IndexMethod, IndicatorSpec};

    fn ds() -> Dataset {
        Dataset::from_columns(vec![
            Column::text("u", ["a", "a", "a", "b", "b", "b"].iter().map(|s| Some(s.to_string())).collect()),
            Column::numeric("t", vec![1.0, 2.0, 3.0, 1.0, 2.0, 3.0]),
            Column::numeric("x", vec![1.0, f64::NAN, 3.0, f64::NAN, 5.0, 7.0]),
            Column::numeric("y", vec![2.0, 1.0, 4.0, 3.0, 5.0, f64::NAN]),
        ])
        .unwrap()
    }

    #[test]
    fn interpolation_fills_inner_gaps_and_optionally_ends() {
        let d = ds();
        let mut spec = IndexSpec::new(
            IndexMethod::Equal,
            vec![IndicatorSpec::new("x", 1), IndicatorSpec::new("y", 1)],
        );
        spec.missing = MissingPolicy::Interpolate;
        spec.unit = Some("u".into());
        spec.time = Some("t".into());
        let p = prepare(&d, &spec.validate(&d).unwrap()).unwrap();
        // x[1] = 2 (between 1 and 3); row 3 (x before first obs) and row 5 (y after last) stay missing.
        assert_eq!(p.rows, vec![0, 1, 2, 4]);
        assert_eq!(p.used_values(0).to_vec(), vec![1.0, 2.0, 3.0, 5.0]);
        assert_eq!(p.dropped, vec![3, 5]);
        spec.extrapolate = Extrapolate::Nearest;
        let p = prepare(&d, &spec.validate(&d).unwrap()).unwrap();
        assert_eq!(p.rows, vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(p.used_values(0).to_vec(), vec![1.0, 2.0, 3.0, 5.0, 5.0, 7.0]);
        assert_eq!(p.used_values(1).to_vec(), vec![2.0, 1.0, 4.0, 3.0, 5.0, 5.0]);
        assert_eq!(p.groups, vec![Group::All(6)]);
        assert_eq!(p.missing.len(), 2);
        assert_eq!(p.missing[0].rows, vec![1, 3]);
    }
}
