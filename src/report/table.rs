//! The result-table model: what every estimator's tables are made of, independent of any
//! output format.
//!
//! A [`ResultTable`] has a stable `id` (e.g. `"did.main"`), a title, optional column groups
//! (spanning headers), columns, rows of typed [`Cell`]s and notes. The first column is the
//! *stub* (row labels). Cells keep their numbers (never pre-formatted strings): a number with
//! the decimals to print, an integer count, an estimate with everything needed to print it
//! with stars and its standard error, t statistic, p-value or interval below, a text, or a
//! yes/no mark. Rendering to CSV, Markdown, LaTeX, HTML or plain text is the job of
//! [`super::render`], with its own options (stars, what goes below an estimate, digits,
//! yes/no words), so a table renders in every format without re-running anything.

use super::i18n::{Label, Lang};
use serde::{Deserialize, Serialize};

/// Horizontal alignment of a column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    /// Left (the stub, text columns).
    Left,
    /// Centred (model columns of a regression table).
    #[default]
    Center,
    /// Right (columns of numbers).
    Right,
}

/// A column: its header and alignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableColumn {
    /// Header text.
    pub label: String,
    /// Alignment.
    #[serde(default)]
    pub align: Align,
}

/// A header spanning `span` consecutive columns, starting after the stub (`first` = index of
/// its first column, ≥ 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnGroup {
    /// Header text.
    pub label: String,
    /// Index of the first column it spans.
    pub first: usize,
    /// Number of columns it spans.
    pub span: usize,
}

/// One cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text, printed as given (escaped per format).
    Text {
        /// The text.
        text: String,
    },
    /// A number printed with `digits` decimals (a non-zero number that would print as zero
    /// gets `digits` significant digits instead); NaN prints as "NA".
    Number {
        /// The value.
        value: f64,
        /// Decimals.
        digits: usize,
    },
    /// A whole number (a count), printed without decimals. Held as a float so every count
    /// crosses into JavaScript as a number (counts beyond 2^53 lose only their last digits).
    Integer {
        /// The value.
        value: f64,
    },
    /// An estimate: printed with stars from its p-value, and (unless the renderer is told
    /// otherwise) its standard error in parentheses on the line below.
    Estimate {
        /// Point estimate.
        estimate: f64,
        /// Standard error.
        std_error: f64,
        /// t (or z) statistic.
        statistic: f64,
        /// Two-sided p-value (for the stars).
        p_value: f64,
        /// Lower confidence limit.
        conf_low: f64,
        /// Upper confidence limit.
        conf_high: f64,
        /// Decimals.
        digits: usize,
    },
    /// A yes/no mark (the renderer's words, e.g. "Yes"/"No" or 是/否).
    YesNo {
        /// The value.
        value: bool,
    },
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text { text: s.into() }
    }
    /// A number with `digits` decimals.
    pub fn number(value: f64, digits: usize) -> Cell {
        Cell::Number { value, digits }
    }
    /// A count.
    pub fn integer(value: usize) -> Cell {
        Cell::Integer { value: value as f64 }
    }
    /// A count that may exceed 2^53: an integer cell up to 2^53, its exact digits as text
    /// beyond (a JavaScript number would round them).
    pub fn big_count(value: u64) -> Cell {
        if value <= 1 << 53 {
            Cell::Integer { value: value as f64 }
        } else {
            Cell::text(value.to_string())
        }
    }
    /// An optional number (`None` → empty).
    pub fn opt_number(value: Option<f64>, digits: usize) -> Cell {
        value.map_or(Cell::Empty, |v| Cell::number(v, digits))
    }
    /// Whether the cell is an estimate.
    pub fn is_estimate(&self) -> bool {
        matches!(self, Cell::Estimate { .. })
    }
}

/// What a row is, for the renderers' rules and header styling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// A header row below the column headers (e.g. "Dependent variable").
    Header,
    /// An ordinary row.
    #[default]
    Body,
}

/// One row: its cells (the stub first) and whether a rule is drawn above it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    /// Cells, one per column (the first is the row label).
    pub cells: Vec<Cell>,
    /// Draw a horizontal rule above this row (a new panel of the table).
    #[serde(default)]
    pub rule_above: bool,
    /// Header or body row.
    #[serde(default)]
    pub kind: RowKind,
    /// The fixed label the row's stub spells, if any (the renderer then spells it in the
    /// language it renders in, e.g. `Observations` → 观测值).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Label>,
}

impl TableRow {
    /// A body row with a text label and the given cells.
    pub fn new(label: impl Into<String>, cells: Vec<Cell>) -> TableRow {
        let mut all = Vec::with_capacity(cells.len() + 1);
        all.push(Cell::text(label));
        all.extend(cells);
        TableRow { cells: all, rule_above: false, kind: RowKind::Body, key: None }
    }
    /// The same row with a rule above it.
    pub fn ruled(mut self) -> TableRow {
        self.rule_above = true;
        self
    }
    /// A row whose stub is the fixed label `key` spelt in `lang`.
    pub fn labelled(key: Label, lang: Lang, cells: Vec<Cell>) -> TableRow {
        let mut row = TableRow::new(super::i18n::label(lang, &key), cells);
        row.key = Some(key);
        row
    }
    /// The same row as a header row.
    pub fn header(mut self) -> TableRow {
        self.kind = RowKind::Header;
        self
    }
}

/// A result table (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultTable {
    /// Stable id, e.g. `"did.main"`, `"psm.balance"`.
    pub id: String,
    /// Title (caption).
    pub title: String,
    /// Spanning headers above the columns (may be empty).
    #[serde(default)]
    pub column_groups: Vec<ColumnGroup>,
    /// Columns, the stub first.
    pub columns: Vec<TableColumn>,
    /// Rows.
    pub rows: Vec<TableRow>,
    /// Notes printed under the table (after the renderer's note on stars and parentheses).
    #[serde(default)]
    pub notes: Vec<String>,
    /// Confidence level of the estimates' intervals (for the note when intervals are shown).
    #[serde(default)]
    pub conf_level: Option<f64>,
    /// The language of the table's fixed labels (`en` unless built with `lang: "zh"`); the
    /// renderer's language defaults to it.
    #[serde(default, skip_serializing_if = "Lang::is_en")]
    pub lang: Lang,
}

impl ResultTable {
    /// An empty table with the given id, title and column headers (the first is the stub,
    /// left-aligned; the others are centred).
    pub fn new(id: impl Into<String>, title: impl Into<String>, columns: &[&str]) -> ResultTable {
        let columns = columns
            .iter()
            .enumerate()
            .map(|(j, c)| TableColumn { label: (*c).to_string(), align: if j == 0 { Align::Left } else { Align::Center } })
            .collect();
        ResultTable {
            id: id.into(),
            title: title.into(),
            column_groups: Vec::new(),
            columns,
            rows: Vec::new(),
            notes: Vec::new(),
            conf_level: None,
            lang: Lang::En,
        }
    }
    /// Sets every column but the stub to `align`.
    pub fn align_values(mut self, align: Align) -> ResultTable {
        for c in self.columns.iter_mut().skip(1) {
            c.align = align;
        }
        self
    }
    /// Appends a row.
    pub fn push(&mut self, row: TableRow) {
        self.rows.push(row);
    }
    /// Whether any cell is an estimate (the renderers then explain stars and parentheses).
    pub fn has_estimates(&self) -> bool {
        self.rows.iter().any(|r| r.cells.iter().any(Cell::is_estimate))
    }
    /// Checks the shape: every row has one cell per column, groups lie within the columns.
    pub fn check(&self) -> Result<(), String> {
        let k = self.columns.len();
        if k == 0 {
            return Err(format!("table `{}` has no columns", self.id));
        }
        if let Some((i, r)) = self.rows.iter().enumerate().find(|(_, r)| r.cells.len() != k) {
            return Err(format!("table `{}`: row {} has {} cells for {k} columns", self.id, i + 1, r.cells.len()));
        }
        if let Some(g) = self.column_groups.iter().find(|g| g.first == 0 || g.span == 0 || g.first + g.span > k) {
            return Err(format!("table `{}`: column group `{}` lies outside the columns", self.id, g.label));
        }
        Ok(())
    }
}

/// A result that presents itself as tables (every result the JS API returns carries them as
/// `tables`).
pub trait Tables {
    /// The result's tables, in display order.
    fn tables(&self) -> Vec<ResultTable>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_serialise_with_a_kind_tag() {
        let c = Cell::number(1.5, 3);
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"kind":"number","value":1.5,"digits":3}"#);
        assert_eq!(serde_json::to_string(&Cell::YesNo { value: true }).unwrap(), r#"{"kind":"yes_no","value":true}"#);
        let back: Cell = serde_json::from_str(r#"{"kind":"text","text":"a"}"#).unwrap();
        assert_eq!(back, Cell::text("a"));
    }

    #[test]
    fn shape_is_checked() {
        let mut t = ResultTable::new("x", "X", &["", "(1)"]);
        t.push(TableRow::new("a", vec![Cell::integer(3)]));
        assert!(t.check().is_ok());
        t.push(TableRow::new("b", vec![]));
        assert_eq!(t.check().unwrap_err(), "table `x`: row 2 has 1 cells for 2 columns");
        let mut t = ResultTable::new("x", "X", &["", "(1)"]);
        t.column_groups.push(ColumnGroup { label: "g".into(), first: 1, span: 2 });
        assert!(t.check().is_err());
    }
}
