//! Where each (unit, period) of a spatial analysis sits in the data: the rows of a
//! cross-section or a balanced panel put in weight-matrix order, period by period
//! (`rows[t * n + i]` is the data row of matrix unit `i` in period `t`), so that `W`
//! applies within each period. Duplicates, gaps and units unknown to `W` are refused
//! with their names.

use std::collections::HashMap;

use super::SpatialWeights;
use crate::data::Dataset;
use crate::error::{Error, Result};

/// Rows of the data in weight-matrix order, period by period.
#[derive(Debug, Clone, PartialEq)]
pub struct SpatialLayout {
    /// Units (the matrix's order).
    pub n: usize,
    /// Periods, ascending (one "period" for a cross-section).
    pub periods: Vec<String>,
    /// `rows[t * n + i]`: the data row of unit `i` in period `t`.
    pub rows: Vec<usize>,
}

impl SpatialLayout {
    /// Number of periods.
    pub fn t(&self) -> usize {
        self.periods.len()
    }
    /// The values of a numeric column in layout order, refusing missing values with the
    /// unit and period named (a spatial model cannot drop a row without breaking W).
    pub fn column(&self, ds: &Dataset, name: &str, w: &SpatialWeights) -> Result<Vec<f64>> {
        let values = ds.numeric(name)?;
        let mut out = Vec::with_capacity(self.rows.len());
        for (k, &r) in self.rows.iter().enumerate() {
            let v = values[r];
            if !v.is_finite() {
                let (t, i) = (k / self.n, k % self.n);
                let when = if self.t() > 1 { format!(" in period {}", self.periods[t]) } else { String::new() };
                let line = ds.source_line(r).map(|l| format!(" (line {l})")).unwrap_or_default();
                return Err(Error::invalid(format!(
                    "column `{name}` is missing for unit `{}`{when}{line}; spatial models need every unit in every period",
                    w.units()[i]
                )));
            }
            out.push(v);
        }
        Ok(out)
    }
}

/// Unit labels of every data row (display text; numeric ids print as `1`, not `1.0`).
pub fn unit_labels(ds: &Dataset, unit: &str) -> Result<Vec<String>> {
    let col = ds.column(unit)?;
    (0..ds.nrows())
        .map(|r| {
            if col.is_missing(r) {
                let line = ds.source_line(r).map(|l| format!(" at line {l}")).unwrap_or_default();
                Err(Error::invalid(format!("column `{unit}` has a missing unit id{line}")))
            } else {
                Ok(col.display(r))
            }
        })
        .collect()
}

/// Distinct unit labels in order of first appearance.
pub fn distinct_units(ds: &Dataset, unit: &str) -> Result<Vec<String>> {
    let mut seen = std::collections::HashSet::new();
    Ok(unit_labels(ds, unit)?.into_iter().filter(|u| seen.insert(u.clone())).collect())
}

/// Lays out a cross-section (`time = None`) or a balanced panel. With `period`, only the
/// rows of that period are used (a cross-section of a panel).
pub fn layout(ds: &Dataset, w: &SpatialWeights, unit: &str, time: Option<&str>, period: Option<&str>) -> Result<SpatialLayout> {
    let labels = unit_labels(ds, unit)?;
    let times: Vec<String> = match time {
        Some(t) => {
            let col = ds.column(t)?;
            (0..ds.nrows()).map(|r| col.display(r)).collect()
        }
        None => vec![String::new(); ds.nrows()],
    };
    let keep: Vec<usize> = (0..ds.nrows()).filter(|&r| period.map_or(true, |p| times[r] == p)).collect();
    if keep.is_empty() {
        return Err(Error::invalid(format!(
            "no rows for period `{}` in column `{}`",
            period.unwrap_or_default(),
            time.unwrap_or_default()
        )));
    }
    let mut periods: Vec<String> = keep.iter().map(|&r| times[r].clone()).collect();
    periods.sort_by(|a, b| match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        _ => a.cmp(b),
    });
    periods.dedup();
    if periods.iter().any(String::is_empty) && time.is_some() {
        return Err(Error::invalid(format!("column `{}` has missing periods", time.unwrap_or_default())));
    }
    let kept_labels: Vec<String> = keep.iter().map(|&r| labels[r].clone()).collect();
    let distinct: Vec<String> = {
        let mut seen = std::collections::HashSet::new();
        kept_labels.iter().filter(|u| seen.insert((*u).clone())).cloned().collect()
    };
    w.align(&distinct)?;
    let pos: HashMap<&str, usize> = w.units().iter().enumerate().map(|(i, u)| (u.as_str(), i)).collect();
    let tpos: HashMap<&str, usize> = periods.iter().enumerate().map(|(t, p)| (p.as_str(), t)).collect();
    let n = w.n();
    let mut rows = vec![usize::MAX; n * periods.len()];
    for &r in &keep {
        let (i, t) = (pos[labels[r].as_str()], tpos[times[r].as_str()]);
        let slot = &mut rows[t * n + i];
        if *slot != usize::MAX {
            let when = if time.is_some() { format!(" in period {}", times[r]) } else { String::new() };
            return Err(Error::invalid(format!("unit `{}` appears twice{when}", labels[r])));
        }
        *slot = r;
    }
    if let Some(k) = rows.iter().position(|&r| r == usize::MAX) {
        let missing = rows.iter().filter(|&&r| r == usize::MAX).count();
        return Err(Error::invalid(format!(
            "the panel is unbalanced: unit `{}` has no row for period {} ({missing} unit-period(s) missing); spatial panel models need every unit in every period",
            w.units()[k % n],
            periods[k / n]
        )));
    }
    Ok(SpatialLayout { n, periods, rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Column;
    use crate::estimators::spatial::Standardise;

    fn w2() -> SpatialWeights {
        SpatialWeights::from_rows(vec!["a".into(), "b".into()], vec![vec![(1, 1.0)], vec![(0, 1.0)]], Standardise::Row)
            .expect("valid")
    }

    fn panel(units: &[&str], years: &[f64]) -> Dataset {
        Dataset::from_columns(vec![
            Column::text("id", units.iter().map(|u| Some(u.to_string())).collect()),
            Column::numeric("year", years.to_vec()),
            Column::numeric("y", (0..units.len()).map(|k| k as f64).collect()),
        ])
        .expect("dataset")
    }

    #[test]
    fn orders_rows_by_period_then_matrix_unit() {
        let ds = panel(&["b", "a", "a", "b"], &[2001.0, 2001.0, 2000.0, 2000.0]);
        let l = layout(&ds, &w2(), "id", Some("year"), None).expect("balanced");
        assert_eq!(l.periods, vec!["2000", "2001"]);
        assert_eq!(l.rows, vec![2, 3, 1, 0]);
        assert_eq!(l.column(&ds, "y", &w2()).expect("numeric"), vec![2.0, 3.0, 1.0, 0.0]);
        let one = layout(&ds, &w2(), "id", Some("year"), Some("2001")).expect("one period");
        assert_eq!(one.rows, vec![1, 0]);
    }

    #[test]
    fn refuses_gaps_duplicates_and_unknown_units() {
        let gap = panel(&["a", "b", "a"], &[2000.0, 2000.0, 2001.0]);
        let e = layout(&gap, &w2(), "id", Some("year"), None).expect_err("gap").to_string();
        assert!(e.contains("unbalanced") && e.contains("`b`") && e.contains("2001"), "{e}");
        let dup = panel(&["a", "b", "a"], &[2000.0, 2000.0, 2000.0]);
        assert!(layout(&dup, &w2(), "id", Some("year"), None).expect_err("dup").to_string().contains("twice"));
        let unknown = panel(&["a", "b", "zz"], &[2000.0, 2000.0, 2000.0]);
        assert!(layout(&unknown, &w2(), "id", Some("year"), None).expect_err("zz").to_string().contains("`zz`"));
    }
}
