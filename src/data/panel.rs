//! Panel declaration: which column identifies the unit (city, province, firm) and
//! which the period (year), and what the panel looks like.
//!
//! Rows with a missing unit or time are counted and otherwise ignored. Periods are
//! the sorted distinct values of the time column (numerically for numeric columns,
//! as in [`Dataset::factor`]). The panel is **balanced** when no (unit, time) pair
//! repeats and every unit is observed in every period. A **gap** is a period
//! between a unit's first and last observed period in which it is not observed
//! (periods only ever seen for other units count; calendar years absent from the
//! whole file do not). Duplicate (unit, time) pairs make fixed-effect panel
//! estimators ill-defined; here they are only reported, with their rows and lines.

use super::dataset::{ColumnData, Dataset, Factor};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::report::table::{Align, Cell, ResultTable, TableRow, Tables};
use serde::Serialize;

/// How many duplicate pairs / units with gaps are listed individually.
pub const MAX_LISTED: usize = 10;

/// A (unit, time) pair that occurs more than once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicatePair {
    /// Unit label.
    pub unit: String,
    /// Time label.
    pub time: String,
    /// 0-based rows holding it.
    pub rows: Vec<usize>,
    /// Their 1-based file lines, when known.
    pub lines: Vec<u64>,
}

/// A unit with periods missing inside its observed range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelGap {
    /// Unit label.
    pub unit: String,
    /// The missing periods.
    pub missing: Vec<String>,
}

/// Structure of a panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelInfo {
    /// Unit column.
    pub unit: String,
    /// Time column.
    pub time: String,
    /// Rows with both unit and time present.
    pub n_obs: usize,
    /// Distinct units.
    pub n_units: usize,
    /// Distinct periods.
    pub n_periods: usize,
    /// The periods, sorted.
    pub periods: Vec<String>,
    /// First period (numeric time columns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_min: Option<f64>,
    /// Last period (numeric time columns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_max: Option<f64>,
    /// Every unit observed exactly once in every period.
    pub balanced: bool,
    /// Fewest distinct periods of a unit.
    pub min_periods_per_unit: usize,
    /// Most distinct periods of a unit.
    pub max_periods_per_unit: usize,
    /// Rows with a missing unit.
    pub n_missing_unit: usize,
    /// Rows with a missing time.
    pub n_missing_time: usize,
    /// Number of (unit, time) pairs that occur more than once.
    pub n_duplicates: usize,
    /// The first [`MAX_LISTED`] of them.
    pub duplicates: Vec<DuplicatePair>,
    /// Number of units with gaps.
    pub n_units_with_gaps: usize,
    /// The first [`MAX_LISTED`] of them.
    pub gaps: Vec<PanelGap>,
    /// Plain-language summary of every problem found.
    pub diagnostics: Diagnostics,
}

/// Rows with both ids present, as (unit code, time code, row), sorted.
fn sorted_obs(u: &Factor, t: &Factor) -> Vec<(u32, u32, usize)> {
    let mut obs: Vec<(u32, u32, usize)> = u
        .codes
        .iter()
        .zip(&t.codes)
        .enumerate()
        .filter(|(_, (&a, &b))| a != Factor::MISSING && b != Factor::MISSING)
        .map(|(i, (&a, &b))| (a, b, i))
        .collect();
    obs.sort_unstable();
    obs
}

/// First and last period of a numeric time column over the panel's rows.
fn time_range(ds: &Dataset, time: &str, obs: &[(u32, u32, usize)]) -> Result<(Option<f64>, Option<f64>)> {
    Ok(match &ds.column(time)?.data {
        ColumnData::Numeric { values, .. } => {
            let vals = obs.iter().map(|o| values[o.2]);
            let min = vals.clone().fold(f64::INFINITY, f64::min);
            let max = vals.fold(f64::NEG_INFINITY, f64::max);
            if !obs.is_empty() {
                (Some(min), Some(max))
            } else {
                (None, None)
            }
        }
        ColumnData::Text { .. } => (None, None),
    })
}

/// Duplicates, gaps and periods per unit, found unit by unit.
struct UnitScan {
    duplicates: Vec<DuplicatePair>,
    n_duplicates: usize,
    gaps: Vec<PanelGap>,
    n_units_with_gaps: usize,
    min_pp: usize,
    max_pp: usize,
}

impl UnitScan {
    /// The distinct periods of one unit's (sorted) block, recording its duplicate pairs.
    fn distinct_periods(&mut self, ds: &Dataset, u: &Factor, t: &Factor, block: &[(u32, u32, usize)]) -> Vec<u32> {
        let mut distinct: Vec<u32> = Vec::with_capacity(block.len());
        let mut k = 0;
        while k < block.len() {
            let mut l = k + 1;
            while l < block.len() && block[l].1 == block[k].1 {
                l += 1;
            }
            if l - k > 1 {
                self.n_duplicates += 1;
                if self.duplicates.len() < MAX_LISTED {
                    let rows: Vec<usize> = block[k..l].iter().map(|o| o.2).collect();
                    let lines = rows.iter().filter_map(|&r| ds.source_line(r)).collect();
                    self.duplicates.push(DuplicatePair {
                        unit: u.levels[block[k].0 as usize].clone(),
                        time: t.levels[block[k].1 as usize].clone(),
                        rows,
                        lines,
                    });
                }
            }
            distinct.push(block[k].1);
            k = l;
        }
        distinct
    }

    /// Scans the sorted observations unit by unit.
    fn run(ds: &Dataset, u: &Factor, t: &Factor, obs: &[(u32, u32, usize)], used_periods: &[u32]) -> UnitScan {
        // Position of each used period among used periods (for gap detection).
        let rank = |p: u32| used_periods.binary_search(&p).unwrap_or(0);
        let mut scan = UnitScan {
            duplicates: Vec::new(),
            n_duplicates: 0,
            gaps: Vec::new(),
            n_units_with_gaps: 0,
            min_pp: usize::MAX,
            max_pp: 0,
        };
        let mut i = 0;
        while i < obs.len() {
            let unit_code = obs[i].0;
            let mut j = i;
            while j < obs.len() && obs[j].0 == unit_code {
                j += 1;
            }
            let distinct = scan.distinct_periods(ds, u, t, &obs[i..j]);
            scan.min_pp = scan.min_pp.min(distinct.len());
            scan.max_pp = scan.max_pp.max(distinct.len());
            if let (Some(&first), Some(&last)) = (distinct.first(), distinct.last()) {
                let (a, b) = (rank(first), rank(last));
                if b - a + 1 > distinct.len() {
                    scan.n_units_with_gaps += 1;
                    if scan.gaps.len() < MAX_LISTED {
                        let missing = used_periods[a..=b]
                            .iter()
                            .filter(|p| distinct.binary_search(p).is_err())
                            .map(|&p| t.levels[p as usize].clone())
                            .collect();
                        scan.gaps.push(PanelGap { unit: u.levels[unit_code as usize].clone(), missing });
                    }
                }
            }
            i = j;
        }
        scan
    }
}

/// The plain-language summary of the problems found in `info`.
fn panel_diagnostics(info: &PanelInfo, unit_levels: &[String]) -> Diagnostics {
    let (unit, time) = (&info.unit, &info.time);
    let (min_pp, max_pp, n_periods) = (info.min_periods_per_unit, info.max_periods_per_unit, info.n_periods);
    let mut diagnostics = Diagnostics::new();
    if info.n_missing_unit > 0 || info.n_missing_time > 0 {
        diagnostics.push(Diagnostic::warning(Code::PanelIdsMissing, format!(
            "{} row(s) have a missing `{unit}` and {} a missing `{time}`; they are not part of the panel",
            info.n_missing_unit, info.n_missing_time
        )));
    }
    if info.n_duplicates > 0 {
        let n_duplicates = info.n_duplicates;
        let d = &info.duplicates[0];
        let at = if d.lines.is_empty() {
            format!("rows {}", d.rows.iter().map(|r| (r + 1).to_string()).collect::<Vec<_>>().join(", "))
        } else {
            format!("lines {}", d.lines.iter().map(u64::to_string).collect::<Vec<_>>().join(", "))
        };
        diagnostics.push(Diagnostic::warning(Code::PanelDuplicates, format!(
            "{n_duplicates} ({unit}, {time}) pair(s) occur more than once, first ({}, {}) at {at}; panel estimators need unique pairs",
            d.unit, d.time
        )));
    }
    if !info.balanced && info.n_obs > 0 {
        let short = obs_units_short(min_pp, n_periods);
        diagnostics.push(Diagnostic::info(Code::PanelUnbalanced, format!(
            "unbalanced panel: units have {min_pp} to {max_pp} of the {n_periods} periods{short}"
        )));
    }
    if info.n_units_with_gaps > 0 {
        let n_units_with_gaps = info.n_units_with_gaps;
        diagnostics.push(Diagnostic::info(Code::PanelGaps, format!(
            "{n_units_with_gaps} unit(s) have gaps (periods missing between their first and last)"
        )));
    }
    if let Some(note) = near_duplicate_labels(unit, unit_levels) {
        diagnostics.push(Diagnostic::warning(Code::SimilarLabels, note));
    }
    diagnostics
}

/// Describes the panel structure given by `unit` and `time`.
pub fn panel_info(ds: &Dataset, unit: &str, time: &str) -> Result<PanelInfo> {
    if unit == time {
        return Err(Error::invalid(format!("the unit and time columns are the same (`{unit}`)")));
    }
    let u: Factor = ds.factor(unit)?;
    let t: Factor = ds.factor(time)?;
    let n_missing_unit = u.codes.iter().filter(|&&c| c == Factor::MISSING).count();
    let n_missing_time = t.codes.iter().filter(|&&c| c == Factor::MISSING).count();
    let obs = sorted_obs(&u, &t);
    let n_obs = obs.len();
    let used_units: Vec<u32> = {
        let mut v: Vec<u32> = obs.iter().map(|o| o.0).collect();
        v.dedup();
        v
    };
    let mut used_periods: Vec<u32> = obs.iter().map(|o| o.1).collect();
    used_periods.sort_unstable();
    used_periods.dedup();
    let n_units = used_units.len();
    let n_periods = used_periods.len();
    let periods: Vec<String> = used_periods.iter().map(|&p| t.levels[p as usize].clone()).collect();
    let (time_min, time_max) = time_range(ds, time, &obs)?;
    let scan = UnitScan::run(ds, &u, &t, &obs, &used_periods);
    let min_pp = if n_units == 0 { 0 } else { scan.min_pp };
    let balanced = n_obs > 0 && scan.n_duplicates == 0 && min_pp == n_periods;
    let mut info = PanelInfo {
        unit: unit.to_string(),
        time: time.to_string(),
        n_obs,
        n_units,
        n_periods,
        periods,
        time_min,
        time_max,
        balanced,
        min_periods_per_unit: min_pp,
        max_periods_per_unit: scan.max_pp,
        n_missing_unit,
        n_missing_time,
        n_duplicates: scan.n_duplicates,
        duplicates: scan.duplicates,
        n_units_with_gaps: scan.n_units_with_gaps,
        gaps: scan.gaps,
        diagnostics: Diagnostics::new(),
    };
    info.diagnostics = panel_diagnostics(&info, &u.levels);
    Ok(info)
}

impl Tables for PanelInfo {
    /// `panel.info`: the panel's structure, one fact per row.
    fn tables(&self) -> Vec<ResultTable> {
        let mut t = ResultTable::new("panel.info", format!("Panel structure ({} × {})", self.unit, self.time), &["", "Value"])
            .align_values(Align::Right);
        let period = |v: Option<f64>, label: Option<&String>| match (v, label) {
            (Some(x), _) => Cell::number(x, 0),
            (None, Some(l)) => Cell::text(l.clone()),
            (None, None) => Cell::Empty,
        };
        let rows = [
            ("Unit column", Cell::text(self.unit.clone())),
            ("Time column", Cell::text(self.time.clone())),
            ("Observations", Cell::integer(self.n_obs)),
            ("Units", Cell::integer(self.n_units)),
            ("Periods", Cell::integer(self.n_periods)),
            ("First period", period(self.time_min, self.periods.first())),
            ("Last period", period(self.time_max, self.periods.last())),
            ("Balanced", Cell::YesNo { value: self.balanced }),
            ("Fewest periods per unit", Cell::integer(self.min_periods_per_unit)),
            ("Most periods per unit", Cell::integer(self.max_periods_per_unit)),
            ("Rows with a missing unit", Cell::integer(self.n_missing_unit)),
            ("Rows with a missing time", Cell::integer(self.n_missing_time)),
            ("Duplicate (unit, time) pairs", Cell::integer(self.n_duplicates)),
            ("Units with gaps", Cell::integer(self.n_units_with_gaps)),
        ];
        for (label, cell) in rows {
            t.push(TableRow::new(label, vec![cell]));
        }
        vec![t]
    }
}

fn obs_units_short(min_pp: usize, n_periods: usize) -> &'static str {
    if min_pp < n_periods {
        ""
    } else {
        " (some (unit, time) pairs repeat)"
    }
}

/// Unit labels that differ only in letter case or white space (`Beijing`, `beijing `,
/// `Bei jing`) are almost always one unit typed twice; they would silently become
/// separate fixed effects. Returns a note naming the first few such groups.
fn near_duplicate_labels(unit: &str, levels: &[String]) -> Option<String> {
    let key = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect() };
    let mut keyed: Vec<(String, &str)> = levels.iter().map(|l| (key(l), l.as_str())).collect();
    keyed.sort();
    let mut groups: Vec<Vec<&str>> = Vec::new();
    for pair in keyed.windows(2) {
        if pair[0].0 == pair[1].0 {
            match groups.last_mut() {
                Some(g) if g.last() == Some(&pair[0].1) => g.push(pair[1].1),
                _ => groups.push(vec![pair[0].1, pair[1].1]),
            }
        }
    }
    if groups.is_empty() {
        return None;
    }
    let shown: Vec<String> = groups
        .iter()
        .take(3)
        .map(|g| g.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(" / "))
        .collect();
    let more = if groups.len() > 3 { format!(" and {} more", groups.len() - 3) } else { String::new() };
    Some(format!(
        "{} group(s) of `{unit}` values differ only in case or spaces and are treated as different units: {}{more}",
        groups.len(),
        shown.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Column;

    fn t(v: &[&str]) -> Vec<Option<String>> {
        v.iter().map(|s| if s.is_empty() { None } else { Some(s.to_string()) }).collect()
    }

    #[test]
    fn balanced_panel() {
        let ds = Dataset::from_columns(vec![
            Column::text("id", t(&["a", "a", "b", "b"])),
            Column::numeric("year", vec![2001.0, 2000.0, 2000.0, 2001.0]),
        ])
        .unwrap();
        let p = panel_info(&ds, "id", "year").unwrap();
        assert!(p.balanced);
        assert_eq!((p.n_units, p.n_periods, p.time_min, p.time_max), (2, 2, Some(2000.0), Some(2001.0)));
        assert!(p.diagnostics.is_empty());
    }

    #[test]
    fn duplicates_gaps_missing() {
        let ds = Dataset::from_columns(vec![
            Column::text("id", t(&["a", "a", "a", "b", "b", "b", ""])),
            Column::numeric("year", vec![2000.0, 2002.0, 2002.0, 2000.0, 2001.0, 2002.0, 2001.0]),
        ])
        .unwrap()
        .with_source_lines(vec![2, 3, 4, 5, 6, 7, 8]);
        let p = panel_info(&ds, "id", "year").unwrap();
        assert!(!p.balanced);
        assert_eq!((p.n_obs, p.n_missing_unit, p.n_duplicates), (6, 1, 1));
        assert_eq!(p.duplicates[0].lines, vec![3, 4]);
        assert_eq!(p.duplicates[0].time, "2002");
        assert_eq!(p.gaps, vec![PanelGap { unit: "a".into(), missing: vec!["2001".into()] }]);
        assert_eq!((p.min_periods_per_unit, p.max_periods_per_unit), (2, 3));
        assert_eq!(p.diagnostics.len(), 4, "{:?}", p.diagnostics);
        assert!(panel_info(&ds, "id", "id").is_err());
    }

    #[test]
    fn near_duplicate_unit_labels_are_reported() {
        let ds = Dataset::from_columns(vec![
            Column::text(
                "city",
                ["Beijing", "beijing", "Tianjin", "Tian jin", "Handan"].iter().map(|s| Some(s.to_string())).collect(),
            ),
            Column::numeric("year", vec![2015.0, 2016.0, 2015.0, 2016.0, 2015.0]),
        ])
        .unwrap();
        let p = panel_info(&ds, "city", "year").unwrap();
        let note = &p.diagnostics.with_code(Code::SimilarLabels).next().expect("note").message;
        assert!(note.starts_with("2 group(s) of `city` values"), "{note}");
        assert!(note.contains("`Beijing` / `beijing`") && note.contains("`Tian jin` / `Tianjin`"), "{note}");
        assert_eq!(near_duplicate_labels("city", &["a".into(), "b".into()]), None);
    }
}
