//! Column kind inference: each column is built by a small state machine that
//! sees one value at a time and never allocates for numeric cells.
//!
//! ## Values
//! Every field is trimmed of surrounding ASCII whitespace, then:
//!
//! * **missing** if it equals (ASCII case-insensitively) one of the missing
//!   tokens — by default `""`, `NA`, `N/A`, `NaN`, `.`, `null`, `-` and `#N/A`;
//! * **a number** if Rust's `f64` parser accepts it and the result is finite:
//!   leading `+`/`-`, decimals (`1.`, `.5`), exponents (`1e-3`, `2E+05`) are accepted;
//!   `inf`, `infinity` and overflowing literals such as `1e400` are *not* numbers
//!   (they would poison every mean), nor are thousands separators (`1,234` in a
//!   `.`-decimal file). With the decimal-comma option a `,` is the decimal mark
//!   (`1,5` = 1.5) and `.` is accepted only as a thousands separator in strictly
//!   grouped form (`1.234.567,8`); any other value with a `.` is not a number
//!   because it is ambiguous;
//! * **text** otherwise.
//!
//! ## Kinds
//! * no text values → numeric column (`NaN` = missing); it is **integer** when
//!   every number was written without `.`/exponent and is below 9·10¹⁵ in magnitude;
//!   a column with no value at all is numeric (not integer);
//! * otherwise a text column. If it has at least one number and its text values
//!   ("strays") are at most 5 % of its non-missing values — or at most 3 of them
//!   when they are at most 25 % — it is reported as *numeric with strays*
//!   ([`Strays`]): `Dataset::numeric` then fails naming the count, the line and
//!   the first stray instead of silently turning them into `NaN`.
//!
//! When a column turns to text after some numbers, the numbers' original text
//! is needed; the CSV reader recovers it in a second pass over those rows only
//! (so `007` stays `007`), the Excel reader formats the number.

mod missing;
mod number;
mod scan;

pub use missing::{trim, MissingSet, DEFAULT_MISSING};
pub use number::{num_flags, NumberParser};
pub use scan::leading_decimal;

use super::dataset::{Column, ColumnData, Dataset, Strays};
use crate::error::Result;

/// One classified value handed to a [`ColumnBuilder`].
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// Missing.
    Missing,
    /// A number; `raw` is its original text when known (CSV), else it is formatted;
    /// `flags` ([`num_flags`]) say how it was written when not plainly.
    Number { value: f64, integer: bool, raw: Option<&'a [u8]>, flags: u8 },
    /// Text.
    Text(&'a str),
}

/// Incrementally builds one column and infers its kind.
#[derive(Debug, Clone)]
pub struct ColumnBuilder {
    /// Column name.
    pub name: String,
    nums: Vec<f64>,
    integer: bool,
    texts: Option<Vec<Option<String>>>,
    recover_upto: usize,
    rows: usize,
    n_numbers: usize,
    n_strays: usize,
    n_missing: usize,
    first_stray: Option<(usize, String)>,
    formatted: [usize; 4],
}

/// Summary of a finished column (for the load report).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnStats {
    /// Missing values.
    pub n_missing: usize,
    /// Values that parsed as numbers.
    pub n_numbers: usize,
    /// Non-missing values that did not parse as numbers.
    pub n_text: usize,
    /// True when the column is text only because of a few strays.
    pub has_strays: bool,
    /// 0-based row and text of the first non-number.
    pub first_text: Option<(usize, String)>,
    /// Numbers read with thousands separators, `%`, a currency sign, full-width
    /// characters (indexed by the bit of [`num_flags`]: 0 grouped, 1 percent, 2 currency, 3 full-width).
    pub formatted: [usize; 4],
}

impl ColumnBuilder {
    /// An empty builder; `capacity` is a row-count hint.
    pub fn new(name: impl Into<String>, capacity: usize) -> ColumnBuilder {
        ColumnBuilder {
            name: name.into(),
            nums: Vec::with_capacity(capacity),
            integer: true,
            texts: None,
            recover_upto: 0,
            rows: 0,
            n_numbers: 0,
            n_strays: 0,
            n_missing: 0,
            first_stray: None,
            formatted: [0; 4],
        }
    }

    /// Reserves room for `additional` more values.
    pub fn reserve(&mut self, additional: usize) {
        match &mut self.texts {
            None => self.nums.reserve(additional),
            Some(t) => t.reserve(additional),
        }
    }

    /// True when every value so far is missing.
    pub fn is_all_missing(&self) -> bool {
        self.n_missing == self.rows
    }

    /// Rows `0..n` whose number text must be recovered (0 when none).
    pub fn needs_recovery(&self) -> usize {
        self.recover_upto
    }

    /// Sets the text of row `row < needs_recovery()` (used by the recovery pass).
    pub fn recover(&mut self, row: usize, text: Option<String>) {
        if row < self.recover_upto {
            if let Some(slot) = self.texts.as_mut().and_then(|t| t.get_mut(row)) {
                *slot = text;
            }
        }
    }

    /// Appends a plain number (its text `raw`, as in the file): [`ColumnBuilder::push`] of
    /// a [`Cell::Number`] without flags, quicker while the column is numeric.
    #[inline]
    pub fn push_number(&mut self, value: f64, integer: bool, raw: &[u8]) {
        if self.texts.is_none() {
            self.rows += 1;
            self.n_numbers += 1;
            self.integer &= integer;
            self.nums.push(value);
        } else {
            self.push(Cell::Number { value, integer, raw: Some(raw), flags: 0 });
        }
    }

    /// Appends a missing value: [`ColumnBuilder::push`] of [`Cell::Missing`].
    #[inline]
    pub fn push_missing(&mut self) {
        if self.texts.is_none() {
            self.rows += 1;
            self.n_missing += 1;
            self.nums.push(f64::NAN);
        } else {
            self.push(Cell::Missing);
        }
    }

    /// Appends one value.
    #[inline]
    pub fn push(&mut self, cell: Cell<'_>) {
        let row = self.rows;
        self.rows += 1;
        match cell {
            Cell::Missing => {
                self.n_missing += 1;
                match &mut self.texts {
                    None => self.nums.push(f64::NAN),
                    Some(t) => t.push(None),
                }
            }
            Cell::Number { value, integer, raw, flags } => {
                self.n_numbers += 1;
                if flags != 0 {
                    for (bit, n) in self.formatted.iter_mut().enumerate() {
                        *n += usize::from(flags & (1 << bit) != 0);
                    }
                }
                self.integer &= integer;
                match &mut self.texts {
                    None => self.nums.push(value),
                    Some(t) => t.push(Some(raw.map_or_else(|| format_number(value), |r| String::from_utf8_lossy(r).into_owned()))),
                }
            }
            Cell::Text(s) => {
                self.n_strays += 1;
                if self.first_stray.is_none() {
                    self.first_stray = Some((row, s.to_string()));
                }
                if self.texts.is_none() {
                    // Switch to text: earlier numbers need their text back.
                    let mut v: Vec<Option<String>> = Vec::with_capacity(self.nums.capacity().max(row + 1));
                    if self.n_numbers > 0 {
                        v.extend(self.nums.iter().map(|x| if x.is_nan() { None } else { Some(format_number(*x)) }));
                        self.recover_upto = row;
                    } else {
                        v.resize(row, None);
                    }
                    self.nums = Vec::new();
                    self.texts = Some(v);
                }
                if let Some(t) = &mut self.texts {
                    t.push(Some(s.to_string()));
                }
            }
        }
    }

    /// Finishes every column into a dataset (rows tagged with their source `lines`)
    /// and the columns' statistics.
    pub fn finish_all(builders: Vec<ColumnBuilder>, lines: Vec<u64>) -> Result<(Dataset, Vec<ColumnStats>)> {
        let (columns, stats): (Vec<Column>, Vec<ColumnStats>) = builders.into_iter().map(ColumnBuilder::finish).unzip();
        Ok((Dataset::from_columns(columns)?.with_source_lines(lines), stats))
    }

    /// Finishes the column.
    pub fn finish(self) -> (Column, ColumnStats) {
        let has_strays = self.texts.is_some() && strays_rule(self.n_numbers, self.n_strays);
        let stats = ColumnStats {
            n_missing: self.n_missing,
            n_numbers: self.n_numbers,
            n_text: self.n_strays,
            has_strays,
            first_text: self.first_stray.clone(),
            formatted: self.formatted,
        };
        let data = match self.texts {
            None => ColumnData::Numeric { values: self.nums, integer: self.integer && self.n_numbers > 0 },
            Some(values) => ColumnData::Text {
                values,
                strays: if has_strays {
                    self.first_stray.map(|(first_row, first_value)| Strays {
                        count: self.n_strays,
                        first_row,
                        first_value,
                    })
                } else {
                    None
                },
            },
        };
        (Column { name: self.name, data }, stats)
    }
}

/// The "numeric with a few strays" rule (see module docs).
pub fn strays_rule(numbers: usize, strays: usize) -> bool {
    let non_missing = numbers + strays;
    numbers > 0 && strays > 0 && (strays * 20 <= non_missing || (strays <= 3 && strays * 4 <= non_missing))
}

/// Shortest text that reads back as the same number (`2013`, `0.5`, `1e-7`).
pub fn format_number(v: f64) -> String {
    format!("{v}")
}

/// Classifies a raw CSV field.
#[inline]
pub fn classify<'a>(field: &'a [u8], missing: &MissingSet, parser: &mut NumberParser) -> Cell<'a> {
    let t = trim(field);
    if missing.is_missing(t) {
        return Cell::Missing;
    }
    match parser.parse_flagged(t) {
        Some((value, integer, flags)) => Cell::Number { value, integer, raw: Some(t), flags },
        None => match std::str::from_utf8(t) {
            Ok(s) => Cell::Text(s),
            Err(_) => Cell::Text("\u{FFFD}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ColumnKind;

    fn build(values: &[&str]) -> (Column, ColumnStats) {
        let missing = MissingSet::default_set();
        let mut p = NumberParser::new(false);
        let mut b = ColumnBuilder::new("x", 0);
        for v in values {
            b.push(classify(v.as_bytes(), &missing, &mut p));
        }
        b.finish()
    }

    #[test]
    fn kinds() {
        let (c, s) = build(&["1", " 2 ", "NA", "3"]);
        assert_eq!(c.kind(), ColumnKind::Integer);
        assert_eq!(s.n_missing, 1);
        let (c, _) = build(&["1.0", "2"]);
        assert_eq!(c.kind(), ColumnKind::Numeric);
        let (c, _) = build(&["", "null", "-"]);
        assert_eq!(c.kind(), ColumnKind::Numeric);
        let (c, s) = build(&["a", "1", "b"]);
        assert_eq!(c.kind(), ColumnKind::Text);
        assert!(!s.has_strays);
        assert_eq!(c.display(1), "1");
    }

    #[test]
    fn strays_keep_the_text_of_numbers() {
        let mut vals = vec!["007"; 30];
        vals[17] = "n.k.";
        vals.push("1.50");
        let (c, s) = build(&vals);
        assert!(s.has_strays);
        match &c.data {
            ColumnData::Text { strays: Some(st), values } => {
                assert_eq!((st.count, st.first_row, st.first_value.as_str()), (1, 17, "n.k."));
                // builder alone formats numbers before the switch; the CSV recovery pass restores "007".
                assert_eq!(values[30].as_deref(), Some("1.50"));
                assert_eq!(values[0].as_deref(), Some("7"));
            }
            other => panic!("{other:?}"),
        }
        assert!(strays_rule(97, 3));
        assert!(strays_rule(3, 1));
        assert!(!strays_rule(2, 1));
        assert!(!strays_rule(0, 5));
        assert!(!strays_rule(90, 10));
    }
}
