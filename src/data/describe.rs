//! Descriptive statistics, as in the summary-statistics table of an applied paper:
//! variable, N, mean, SD, min, max and optionally the quartiles, overall or by group.
//!
//! For the `n` non-missing values x₁…xₙ of a variable (in a group):
//!
//! * mean x̄ — by the corrected two-pass algorithm: m = (Σxᵢ)/n with compensated
//!   (Neumaier) summation, then x̄ = m + Σ(xᵢ − m)/n;
//! * sd = √( [Σ(xᵢ − x̄)² − (Σ(xᵢ − x̄))²/n] / (n − 1) ) (sample SD, divisor n − 1,
//!   as pandas `std()` and Stata `summarize`); `NaN` when n < 2;
//! * quantiles (when asked) by R's **type 7** (the R and pandas default): on the sorted
//!   values x₍₁₎ ≤ … ≤ x₍ₙ₎, h = (n − 1)p, Q(p) = x₍⌊h⌋+1₎ + (h − ⌊h⌋)(x₍⌊h⌋+2₎ − x₍⌊h⌋+1₎).
//!
//! Missing values (`NaN`) are left out of every statistic; `n` counts the rest.
//! Statistics of an empty cell are `NaN` (serialized as `null`) with a diagnostic.
//!
//! Columns default to every numeric column (except the `by` column). Asking for a
//! text column is an error naming it. With `by`, rows are grouped by the levels of
//! that column (sorted, as in [`Dataset::factor`]); rows with a missing group are
//! left out and counted in the diagnostics. Output rows are variable-major
//! (each variable's groups together), which is how balance tables are read.

use super::dataset::{ColumnData, ColumnKind, Dataset, Factor};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::report::table::{Align, Cell, ResultTable, TableRow, Tables};
use serde::{Deserialize, Serialize};

/// What to describe.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct DescribeSpec {
    /// Columns to describe; `None` = all numeric columns.
    pub columns: Option<Vec<String>>,
    /// Group column (any kind); `None` = overall.
    pub by: Option<String>,
    /// Also compute p25, median and p75.
    pub quantiles: bool,
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DescribeRow {
    /// Column name.
    pub variable: String,
    /// Group label (with `by`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Non-missing values.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1).
    pub sd: f64,
    /// Minimum.
    pub min: f64,
    /// Maximum.
    pub max: f64,
    /// First quartile (type 7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p25: Option<f64>,
    /// Median.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    /// Third quartile (type 7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p75: Option<f64>,
}

/// The table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Describe {
    /// One row per variable (and group).
    pub rows: Vec<DescribeRow>,
    /// The group column, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Non-fatal remarks (skipped columns, empty cells, rows without a group).
    pub diagnostics: Diagnostics,
}

/// Summary statistics of a slice (missing `NaN`s removed by the caller).
fn stats(values: &mut [f64], quantiles: bool) -> (f64, f64, f64, f64, Option<[f64; 3]>) {
    let n = values.len();
    if n == 0 {
        let q = quantiles.then_some([f64::NAN; 3]);
        return (f64::NAN, f64::NAN, f64::NAN, f64::NAN, q);
    }
    let nf = n as f64;
    // Neumaier summation.
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    for &x in values.iter() {
        let t = sum + x;
        comp += if sum.abs() >= x.abs() { (sum - t) + x } else { (x - t) + sum };
        sum = t;
    }
    let m = (sum + comp) / nf;
    let corr: f64 = values.iter().map(|x| x - m).sum::<f64>() / nf;
    let mean = m + corr;
    let (mut ss, mut s1) = (0.0, 0.0);
    for &x in values.iter() {
        let d = x - mean;
        ss += d * d;
        s1 += d;
    }
    let sd = if n > 1 { ((ss - s1 * s1 / nf).max(0.0) / (nf - 1.0)).sqrt() } else { f64::NAN };
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    for &x in values.iter() {
        min = min.min(x);
        max = max.max(x);
    }
    let q = quantiles.then(|| {
        values.sort_unstable_by(f64::total_cmp);
        [quantile_type7(values, 0.25), quantile_type7(values, 0.5), quantile_type7(values, 0.75)]
    });
    (mean, sd, min, max, q)
}

/// Type-7 quantile of sorted values (kept here for the public path; see [`crate::inference::stats`]).
pub use crate::inference::stats::quantile_type7;

/// Computes the table.
pub fn describe(ds: &Dataset, spec: &DescribeSpec) -> Result<Describe> {
    let mut diagnostics = Diagnostics::new();
    let by = spec.by.as_deref().filter(|b| !b.trim().is_empty());
    let group: Option<Factor> = match by {
        Some(b) => Some(ds.factor(b)?),
        None => None,
    };
    let columns: Vec<String> = match &spec.columns {
        Some(cols) => {
            if cols.is_empty() {
                return Err(Error::invalid("describe: the list of columns is empty"));
            }
            for c in cols {
                let col = ds.column(c)?;
                if let ColumnData::Text { strays: None, .. } = col.data {
                    return Err(Error::invalid(format!(
                        "column `{c}` is text, not numeric: describe needs numeric columns"
                    )));
                }
                ds.numeric(c)?; // numeric with strays: error naming the first stray and its line
            }
            cols.clone()
        }
        None => {
            let mut cols = Vec::new();
            for c in ds.columns() {
                if Some(c.name.as_str()) == by {
                    continue;
                }
                match (&c.data, c.kind()) {
                    (ColumnData::Text { strays: Some(s), .. }, _) => diagnostics.push(Diagnostic::warning(Code::DescribeColumnLeftOut,
                        format!(
                            "column `{}` left out: it is numeric except for {} non-numeric value(s) (first `{}`)",
                            c.name, s.count, s.first_value
                        ),
                    )),
                    (_, ColumnKind::Numeric | ColumnKind::Integer) => cols.push(c.name.clone()),
                    _ => {}
                }
            }
            if cols.is_empty() {
                return Err(Error::insufficient("describe: the dataset has no numeric columns"));
            }
            cols
        }
    };
    if let (Some(g), Some(b)) = (&group, by) {
        let n_missing = g.codes.iter().filter(|&&c| c == Factor::MISSING).count();
        if n_missing > 0 {
            diagnostics.push(Diagnostic::info(Code::DescribeGroupMissing, format!("{n_missing} row(s) with a missing `{b}` were left out")));
        }
    }
    let mut rows = Vec::new();
    for name in &columns {
        let x = ds.numeric(name)?;
        let cells: Vec<(Option<String>, Vec<f64>)> = match &group {
            None => vec![(None, x.iter().copied().filter(|v| !v.is_nan()).collect())],
            Some(g) => {
                let mut buckets: Vec<Vec<f64>> = vec![Vec::new(); g.n_levels()];
                for (v, &c) in x.iter().zip(&g.codes) {
                    if !v.is_nan() {
                        if let Some(b) = buckets.get_mut(c as usize) {
                            b.push(*v);
                        }
                    }
                }
                g.levels.iter().cloned().map(Some).zip(buckets).collect()
            }
        };
        for (label, mut vals) in cells {
            let n = vals.len();
            if n == 0 {
                diagnostics.push(Diagnostic::warning(Code::DescribeEmptyCell, match &label {
                    Some(l) => format!("`{name}` has no non-missing values in group `{l}`"),
                    None => format!("`{name}` has no non-missing values"),
                }));
            }
            let (mean, sd, min, max, q) = stats(&mut vals, spec.quantiles);
            rows.push(DescribeRow {
                variable: name.clone(),
                group: label,
                n,
                mean,
                sd,
                min,
                max,
                p25: q.map(|q| q[0]),
                median: q.map(|q| q[1]),
                p75: q.map(|q| q[2]),
            });
        }
    }
    Ok(Describe { rows, by: by.map(str::to_string), diagnostics })
}

/// Decimals of the statistics in the table.
const DIGITS: usize = 4;

impl Describe {
    fn has_quantiles(&self) -> bool {
        self.rows.iter().any(|r| r.median.is_some())
    }
}

impl Tables for Describe {
    /// `describe.stats`: Variable, (the group column,) N, Mean, SD, Min, Max (, P25,
    /// Median, P75); with `by`, one row per variable and group, variable-major, a rule
    /// above each new variable. Missing statistics print as empty cells.
    fn tables(&self) -> Vec<ResultTable> {
        let q = self.has_quantiles();
        let mut cols = vec!["Variable"];
        if let Some(b) = &self.by {
            cols.push(b.as_str());
        }
        cols.extend(["N", "Mean", "SD", "Min", "Max"]);
        if q {
            cols.extend(["P25", "Median", "P75"]);
        }
        let mut t = ResultTable::new("describe.stats", "Descriptive statistics", &cols).align_values(Align::Right);
        if self.by.is_some() {
            t.columns[1].align = Align::Left;
        }
        let num = |v: f64| if v.is_nan() { Cell::Empty } else { Cell::number(v, DIGITS) };
        let mut prev: Option<&str> = None;
        for r in &self.rows {
            let mut cells = Vec::new();
            if self.by.is_some() {
                cells.push(Cell::text(r.group.clone().unwrap_or_default()));
            }
            cells.push(Cell::integer(r.n));
            cells.extend([r.mean, r.sd, r.min, r.max].map(num));
            if q {
                cells.extend([r.p25, r.median, r.p75].map(|v| num(v.unwrap_or(f64::NAN))));
            }
            let row = TableRow::new(r.variable.clone(), cells);
            let new_var = self.by.is_some() && prev.is_some_and(|p| p != r.variable);
            t.push(if new_var { row.ruled() } else { row });
            prev = Some(&r.variable);
        }
        vec![t]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Column;

    fn ds() -> Dataset {
        Dataset::from_columns(vec![
            Column::numeric("x", vec![1.0, 2.0, 3.0, 4.0, f64::NAN]),
            Column::text("g", vec![Some("b".into()), Some("a".into()), Some("b".into()), None, Some("a".into())]),
            Column::text("name", vec![Some("p".into()); 5]),
        ])
        .unwrap()
    }

    #[test]
    fn hand_worked() {
        let d = describe(&ds(), &DescribeSpec { quantiles: true, ..Default::default() }).unwrap();
        assert_eq!(d.rows.len(), 1);
        let r = &d.rows[0];
        assert_eq!((r.n, r.mean, r.min, r.max), (4, 2.5, 1.0, 4.0));
        assert!((r.sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!((r.p25, r.median, r.p75), (Some(1.75), Some(2.5), Some(3.25)));
        let json = serde_json::to_value(&d).unwrap();
        assert!(json["rows"][0].get("group").is_none());
        assert!(json.get("by").is_none());
    }

    #[test]
    fn by_group_and_errors() {
        let d = describe(&ds(), &DescribeSpec { by: Some("g".into()), ..Default::default() }).unwrap();
        let got: Vec<(Option<&str>, usize, f64)> = d.rows.iter().map(|r| (r.group.as_deref(), r.n, r.mean)).collect();
        assert_eq!(got, vec![(Some("a"), 1, 2.0), (Some("b"), 2, 2.0)]);
        assert!(d.rows[0].sd.is_nan());
        assert_eq!(d.diagnostics.len(), 1, "{:?}", d.diagnostics);
        let csv = crate::report::render_table(&d.tables()[0], &crate::report::RenderOptions { format: "csv".into(), ..Default::default() }).unwrap();
        assert!(csv.starts_with("Variable,g,N,Mean,SD,Min,Max\nx,a,1,2.0000,,2.0000,2.0000\n"), "{csv}");
        let e = describe(&ds(), &DescribeSpec { columns: Some(vec!["name".into()]), ..Default::default() });
        assert_eq!(e.unwrap_err().to_string(), "column `name` is text, not numeric: describe needs numeric columns");
        let e = describe(&ds(), &DescribeSpec { columns: Some(vec!["y".into()]), ..Default::default() });
        assert!(e.unwrap_err().to_string().contains("unknown column `y`"));
    }

    #[test]
    fn numerically_careful() {
        // Large offset: naive one-pass variance fails here.
        let v: Vec<f64> = (0..1000).map(|i| 1e9 + (i % 7) as f64).collect();
        let mut shifted: Vec<f64> = v.iter().map(|x| x - 1e9).collect();
        let (m1, s1, ..) = stats(&mut v.clone(), false);
        let (m2, s2, ..) = stats(&mut shifted, false);
        assert!((m1 - 1e9 - m2).abs() < 1e-6);
        assert!((s1 - s2).abs() < 1e-9 * s2, "{s1} {s2}");
        assert_eq!(quantile_type7(&[5.0], 0.25), 5.0);
    }
}
