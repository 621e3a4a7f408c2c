//! The in-memory table every estimator reads: named, typed columns of equal length.
//!
//! Numeric columns store `f64` with `NaN` for a missing value. Text columns store
//! `Option<String>` (`None` = missing). A column that is *mostly* numeric but
//! holds a few stray strings stays a text column and remembers the strays, so
//! that using it as a number gives a precise error instead of silent `NaN`s.

use crate::error::{Error, ErrorKind, Result};
use serde::Serialize;

/// The inferred kind of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Real numbers.
    Numeric,
    /// Whole numbers (stored as `f64`).
    Integer,
    /// Text / categories.
    Text,
}

/// Non-numeric values found in a column that otherwise looks numeric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Strays {
    /// How many non-missing values failed to parse as numbers.
    pub count: usize,
    /// 0-based row of the first one.
    pub first_row: usize,
    /// Its text.
    pub first_value: String,
}

/// The values of a column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Numbers; `NaN` is missing. `integer` is true when every value is whole.
    Numeric { values: Vec<f64>, integer: bool },
    /// Text; `None` is missing. `strays` is set when the column is numeric but for a few values.
    Text { values: Vec<Option<String>>, strays: Option<Strays> },
}

/// One named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column name (as in the header).
    pub name: String,
    /// Its values.
    pub data: ColumnData,
}

impl Column {
    /// A numeric column; `integer` is inferred from the values.
    pub fn numeric(name: impl Into<String>, values: Vec<f64>) -> Column {
        let integer = values.iter().all(|v| v.is_nan() || (v.fract() == 0.0 && v.abs() < 9.0e15));
        Column { name: name.into(), data: ColumnData::Numeric { values, integer } }
    }
    /// A text column.
    pub fn text(name: impl Into<String>, values: Vec<Option<String>>) -> Column {
        Column { name: name.into(), data: ColumnData::Text { values, strays: None } }
    }
    /// Number of rows.
    pub fn len(&self) -> usize {
        match &self.data {
            ColumnData::Numeric { values, .. } => values.len(),
            ColumnData::Text { values, .. } => values.len(),
        }
    }
    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The inferred kind.
    pub fn kind(&self) -> ColumnKind {
        match &self.data {
            ColumnData::Numeric { integer: true, .. } => ColumnKind::Integer,
            ColumnData::Numeric { .. } => ColumnKind::Numeric,
            ColumnData::Text { .. } => ColumnKind::Text,
        }
    }
    /// Number of missing values.
    pub fn n_missing(&self) -> usize {
        match &self.data {
            ColumnData::Numeric { values, .. } => values.iter().filter(|v| v.is_nan()).count(),
            ColumnData::Text { values, .. } => values.iter().filter(|v| v.is_none()).count(),
        }
    }
    /// True when row `i` is missing.
    pub fn is_missing(&self, i: usize) -> bool {
        match &self.data {
            ColumnData::Numeric { values, .. } => values[i].is_nan(),
            ColumnData::Text { values, .. } => values[i].is_none(),
        }
    }
    /// The value of row `i` as display text (empty for missing).
    pub fn display(&self, i: usize) -> String {
        match &self.data {
            ColumnData::Numeric { values, .. } => {
                let v = values[i];
                if v.is_nan() {
                    String::new()
                } else {
                    format!("{v}")
                }
            }
            ColumnData::Text { values, .. } => values[i].clone().unwrap_or_default(),
        }
    }
}

/// Integer codes of a categorical variable: `codes[i]` indexes `levels`, or is
/// [`Factor::MISSING`] for a missing value. Levels are sorted (numerically for
/// numeric columns, lexically for text) so that results never depend on row order.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// One code per row.
    pub codes: Vec<u32>,
    /// Level labels, in code order.
    pub levels: Vec<String>,
}

impl Factor {
    /// Code of a missing value.
    pub const MISSING: u32 = u32::MAX;
    /// Number of levels.
    pub fn n_levels(&self) -> usize {
        self.levels.len()
    }
}

/// A table of equally long, uniquely named columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    columns: Vec<Column>,
    nrows: usize,
    /// 1-based source line of each row, when the data came from a file.
    source_lines: Option<Vec<u64>>,
    /// Cached SHA-256 of columns by name (recipes' data hash); not part of the data.
    digests: DigestCache,
}

/// Column digests computed so far. Clones and comparisons ignore it: it is a cache.
#[derive(Default)]
struct DigestCache(std::sync::Mutex<std::collections::HashMap<String, [u8; 32]>>);

impl DigestCache {
    fn forget(&mut self, name: &str) {
        if let Ok(m) = self.0.get_mut() {
            m.remove(name);
        }
    }
}

impl Clone for DigestCache {
    fn clone(&self) -> DigestCache {
        DigestCache(std::sync::Mutex::new(self.0.lock().map(|m| m.clone()).unwrap_or_default()))
    }
}

impl PartialEq for DigestCache {
    fn eq(&self, _: &DigestCache) -> bool {
        true
    }
}

impl std::fmt::Debug for DigestCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DigestCache")
    }
}

impl Dataset {
    /// Builds a dataset, checking equal lengths and unique names.
    pub fn from_columns(columns: Vec<Column>) -> Result<Dataset> {
        let nrows = columns.first().map_or(0, Column::len);
        for (j, c) in columns.iter().enumerate() {
            if c.len() != nrows {
                return Err(Error::invalid(format!(
                    "column `{}` has {} rows, column `{}` has {}",
                    c.name,
                    c.len(),
                    columns[0].name,
                    nrows
                )));
            }
            if let Some(k) = columns[..j].iter().position(|p| p.name == c.name) {
                return Err(ErrorKind::DuplicateColumn { name: c.name.clone(), first: k, second: j }.into());
            }
        }
        Ok(Dataset { columns, nrows, source_lines: None, digests: DigestCache::default() })
    }

    /// Attaches the 1-based file line of each row (used in error messages).
    pub fn with_source_lines(mut self, lines: Vec<u64>) -> Dataset {
        if lines.len() == self.nrows {
            self.source_lines = Some(lines);
        }
        self
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.nrows
    }
    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.columns.len()
    }
    /// Column names in order.
    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }
    /// All columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }
    /// The 1-based source line of row `i`, if known.
    pub fn source_line(&self, row: usize) -> Option<u64> {
        self.source_lines.as_ref().and_then(|l| l.get(row).copied())
    }

    /// A column by name, or an error naming the closest existing column.
    ///
    /// A name with surrounding spaces (`" pgdp"`) finds the column `pgdp` when no column
    /// has the untrimmed name; an empty name is an error saying so (not "unknown column ``").
    pub fn column(&self, name: &str) -> Result<&Column> {
        if let Some(c) = self.columns.iter().find(|c| c.name == name) {
            return Ok(c);
        }
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return Err(Error::invalid(
                "a column name in the specification is empty: choose one of the dataset's columns",
            ));
        }
        if trimmed != name {
            if let Some(c) = self.columns.iter().find(|c| c.name == trimmed) {
                return Ok(c);
            }
        }
        Err(ErrorKind::UnknownColumn { name: name.to_string(), suggestion: self.closest_name(name) }.into())
    }

    /// The column of exactly this name (no trimming), or `unknown_column`.
    pub fn column_exact(&self, name: &str) -> Result<&Column> {
        match self.columns.iter().find(|c| c.name == name) {
            Some(c) => Ok(c),
            None => Err(ErrorKind::UnknownColumn { name: name.to_string(), suggestion: self.closest_name(name) }.into()),
        }
    }

    /// True when the dataset has a column of this name.
    pub fn has_column(&self, name: &str) -> bool {
        self.columns.iter().any(|c| c.name == name)
    }

    /// The values of a numeric column (`NaN` = missing). Errors for text columns,
    /// naming how many values are not numbers and where the first one is.
    pub fn numeric(&self, name: &str) -> Result<&[f64]> {
        let col = self.column(name)?;
        match &col.data {
            ColumnData::Numeric { values, .. } => Ok(values),
            ColumnData::Text { values, strays } => {
                let (count, first_row, first_value) = match strays {
                    Some(s) => (s.count, s.first_row, s.first_value.clone()),
                    None => {
                        let count = values.iter().filter(|v| v.is_some()).count();
                        let first = values.iter().position(|v| v.is_some()).unwrap_or(0);
                        let value = values.get(first).cloned().flatten().unwrap_or_default();
                        (count, first, value)
                    }
                };
                Err(ErrorKind::NonNumeric {
                    column: name.to_string(),
                    count,
                    first_line: self.source_line(first_row),
                    first_value,
                }
                .into())
            }
        }
    }

    /// Codes of a column used as a categorical variable (fixed effects, clusters, groups).
    pub fn factor(&self, name: &str) -> Result<Factor> {
        let col = self.column(name)?;
        Ok(match &col.data {
            ColumnData::Numeric { values, .. } => {
                let mut uniq: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
                uniq.sort_by(f64::total_cmp);
                uniq.dedup();
                let codes = values
                    .iter()
                    .map(|v| {
                        if v.is_nan() {
                            Factor::MISSING
                        } else {
                            uniq.binary_search_by(|u| u.total_cmp(v)).map_or(Factor::MISSING, |k| k as u32)
                        }
                    })
                    .collect();
                Factor { codes, levels: uniq.iter().map(|v| format!("{v}")).collect() }
            }
            ColumnData::Text { values, .. } => {
                let mut uniq: Vec<&str> = values.iter().flatten().map(String::as_str).collect();
                uniq.sort_unstable();
                uniq.dedup();
                let codes = values
                    .iter()
                    .map(|v| match v {
                        None => Factor::MISSING,
                        Some(s) => uniq.binary_search(&s.as_str()).map_or(Factor::MISSING, |k| k as u32),
                    })
                    .collect();
                Factor { codes, levels: uniq.iter().map(|s| s.to_string()).collect() }
            }
        })
    }

    /// Adds (or replaces) a numeric column.
    pub fn add_numeric(&mut self, name: &str, values: Vec<f64>) -> Result<()> {
        if values.len() != self.nrows && !self.columns.is_empty() {
            return Err(Error::invalid(format!(
                "new column `{name}` has {} values, the dataset has {} rows",
                values.len(),
                self.nrows
            )));
        }
        if name.trim().is_empty() {
            return Err(Error::invalid("a new column needs a non-empty name"));
        }
        if self.columns.is_empty() {
            self.nrows = values.len();
        }
        let col = Column::numeric(name, values);
        self.digests.forget(name);
        match self.columns.iter_mut().find(|c| c.name == name) {
            Some(c) => *c = col,
            None => self.columns.push(col),
        }
        Ok(())
    }

    /// Adds (or replaces) a column of any kind.
    pub fn add_column(&mut self, col: Column) -> Result<()> {
        if col.len() != self.nrows && !self.columns.is_empty() {
            return Err(Error::invalid(format!(
                "new column `{}` has {} values, the dataset has {} rows",
                col.name,
                col.len(),
                self.nrows
            )));
        }
        if self.columns.is_empty() {
            self.nrows = col.len();
        }
        self.digests.forget(&col.name);
        match self.columns.iter_mut().find(|c| c.name == col.name) {
            Some(c) => *c = col,
            None => self.columns.push(col),
        }
        Ok(())
    }

    /// The digest of column `name`, computed by `compute` on first use and cached
    /// (recipes hash the columns an analysis reads; see `recipe::digest`).
    pub fn cached_digest(&self, name: &str, compute: impl FnOnce() -> [u8; 32]) -> [u8; 32] {
        if let Some(d) = self.digests.0.lock().ok().and_then(|m| m.get(name).copied()) {
            return d;
        }
        let d = compute();
        if let Ok(mut m) = self.digests.0.lock() {
            m.insert(name.to_string(), d);
        }
        d
    }

    /// Stores `digest` as the digest of column `name` (computed elsewhere, e.g. by the browser's
    /// native SHA-256 over `recipe::digest::canonical_bytes`), so `cached_digest` does not hash it.
    /// Only for an existing column (exact name); replacing the column forgets it.
    pub fn seed_digest(&self, name: &str, digest: [u8; 32]) -> Result<()> {
        self.column_exact(name)?;
        if let Ok(mut m) = self.digests.0.lock() {
            m.insert(name.to_string(), digest);
        }
        Ok(())
    }

    /// The rows where `keep[i]` is true, in order.
    pub fn filter_rows(&self, keep: &[bool]) -> Result<Dataset> {
        if keep.len() != self.nrows {
            return Err(Error::invalid("row filter length differs from the number of rows"));
        }
        let idx: Vec<usize> = (0..self.nrows).filter(|&i| keep[i]).collect();
        Ok(self.take_rows(&idx))
    }

    /// The rows at `idx` (may repeat), in that order.
    pub fn take_rows(&self, idx: &[usize]) -> Dataset {
        let columns = self
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                data: match &c.data {
                    ColumnData::Numeric { values, integer } => {
                        ColumnData::Numeric { values: idx.iter().map(|&i| values[i]).collect(), integer: *integer }
                    }
                    ColumnData::Text { values, strays } => ColumnData::Text {
                        values: idx.iter().map(|&i| values[i].clone()).collect(),
                        strays: strays.clone(),
                    },
                },
            })
            .collect();
        let source_lines = self.source_lines.as_ref().map(|l| idx.iter().map(|&i| l[i]).collect());
        Dataset { columns, nrows: idx.len(), source_lines, digests: DigestCache::default() }
    }

    /// The whole table as RFC 4180 CSV text (comma-separated, fields quoted when
    /// needed, numbers in shortest round-trip form, missing values empty), e.g. to
    /// download a dataset after an index column was added.
    pub fn to_csv(&self) -> String {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        // Writing into a Vec cannot fail; a failed record would only lose output, never panic.
        let _ = w.write_record(self.columns.iter().map(|c| c.name.as_str()));
        let mut row: Vec<String> = Vec::with_capacity(self.columns.len());
        for i in 0..self.nrows {
            row.clear();
            row.extend(self.columns.iter().map(|c| c.display(i)));
            let _ = w.write_record(&row);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// The first `n` rows as display strings, row-major (missing = empty string),
    /// for a preview table.
    pub fn preview(&self, n: usize) -> Vec<Vec<String>> {
        (0..n.min(self.nrows)).map(|i| self.columns.iter().map(|c| c.display(i)).collect()).collect()
    }

    /// Descriptive statistics (see [`crate::data::describe`]).
    pub fn describe(&self, spec: &crate::data::DescribeSpec) -> Result<crate::data::Describe> {
        crate::data::describe::describe(self, spec)
    }

    fn closest_name(&self, name: &str) -> Option<String> {
        let lower = name.to_lowercase();
        if let Some(c) = self.columns.iter().find(|c| c.name.to_lowercase() == lower) {
            return Some(c.name.clone());
        }
        self.columns
            .iter()
            .map(|c| (edit_distance(&lower, &c.name.to_lowercase()), &c.name))
            .filter(|(d, _)| *d <= 2.max(name.chars().count() / 3))
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n.clone())
    }
}

/// Levenshtein distance (for "did you mean" suggestions).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Dataset {
        Dataset::from_columns(vec![
            Column::text("city", vec![Some("b".into()), Some("a".into()), None, Some("b".into())]),
            Column::numeric("year", vec![2015.0, 2014.0, 2015.0, f64::NAN]),
            Column::numeric("pgdp", vec![1.5, 2.0, 3.0, 4.0]),
        ])
        .unwrap()
    }

    #[test]
    fn factor_codes_are_sorted_and_missing_aware() {
        let ds = sample();
        let f = ds.factor("city").unwrap();
        assert_eq!(f.levels, vec!["a", "b"]);
        assert_eq!(f.codes, vec![1, 0, Factor::MISSING, 1]);
        let f = ds.factor("year").unwrap();
        assert_eq!(f.levels, vec!["2014", "2015"]);
        assert_eq!(f.codes, vec![1, 0, 1, Factor::MISSING]);
        assert_eq!(ds.column("year").unwrap().kind(), ColumnKind::Integer);
        assert_eq!(ds.column("pgdp").unwrap().kind(), ColumnKind::Numeric);
    }

    #[test]
    fn unknown_column_suggests_a_name() {
        let ds = sample();
        let e = ds.numeric("pgpd").unwrap_err();
        assert_eq!(e.to_string(), "unknown column `pgpd` (did you mean `pgdp`?)");
        let e = ds.numeric("city").unwrap_err();
        assert!(e.to_string().contains("non-numeric"), "{e}");
    }

    #[test]
    fn duplicate_and_ragged_columns_rejected() {
        let e = Dataset::from_columns(vec![Column::numeric("a", vec![1.0]), Column::numeric("a", vec![2.0])]);
        assert!(matches!(e.unwrap_err().kind(), ErrorKind::DuplicateColumn { .. }));
        let e = Dataset::from_columns(vec![Column::numeric("a", vec![1.0]), Column::numeric("b", vec![])]);
        assert!(e.is_err());
    }

    #[test]
    fn to_csv_round_trips_through_the_reader() {
        let ds = Dataset::from_columns(vec![
            Column::text("name", vec![Some("a, \"quoted\"".into()), None]),
            Column::numeric("x", vec![0.1, f64::NAN]),
        ])
        .unwrap();
        let text = ds.to_csv();
        assert_eq!(text, "name,x\r\n\"a, \"\"quoted\"\"\",0.1\r\n,\r\n");
        let back = crate::data::read_bytes(text.as_bytes(), &Default::default()).unwrap().dataset;
        assert_eq!(back.numeric("x").unwrap()[0], 0.1);
        assert_eq!(back.column("name").unwrap().display(0), "a, \"quoted\"");
    }

    #[test]
    fn filter_and_add() {
        let mut ds = sample();
        ds.add_numeric("z", vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!(ds.add_numeric("w", vec![1.0]).is_err());
        let sub = ds.filter_rows(&[true, false, true, false]).unwrap();
        assert_eq!(sub.nrows(), 2);
        assert_eq!(sub.numeric("z").unwrap(), &[1.0, 3.0]);
    }
}
