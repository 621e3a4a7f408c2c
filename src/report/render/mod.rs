//! One renderer for every [`ResultTable`]: CSV, Markdown, LaTeX (booktabs), HTML (pastes
//! into Word), aligned plain text, and the binary packages Word (.docx, a three-line table)
//! and Excel (.xlsx, numeric cells) through [`render_table_bytes`], and a whole report (every
//! table of a session in one .docx, or one .xlsx with a sheet per table) through
//! [`render_report_bytes`].
//!
//! Rendering happens in two steps. [`layout`] turns the typed cells into lines of text: every
//! number is formatted here and only here ([`fmt_num`]); a row holding estimates becomes two
//! lines, the estimates with their stars and, below, the standard error (or t statistic,
//! p-value or interval) in parentheses; yes/no cells take the options' words. The format
//! writers in [`formats`], [`docx`] and [`xlsx`] then only escape and lay out those strings
//! (the Excel writer also stores the number behind each printed number, with a number format
//! read off the printed text, so Excel shows exactly what the other formats print).
//!
//! Conventions, shared by every format: stars mark p-values *below* each threshold (default
//! `* p<0.1, ** p<0.05, *** p<0.01`, the economics journals' and Stata `esttab`'s), the
//! smallest threshold passed wins; a note under the table says what the parentheses hold and
//! what the stars mean whenever the table has estimates, followed by the table's own notes.
//! A rule separates the header block from the body, and rows flagged `rule_above` start a new
//! panel.
//!
//! Language: `lang` (`"en"` or `"zh"`; default the table's own, English unless it was built
//! in Chinese) spells the yes/no words, the note and every row carrying a fixed label
//! ([`super::i18n`], the one catalogue of these words); in Chinese the note opens with 注：.

#[cfg(feature = "full")]
mod docx;
mod formats;
#[cfg(feature = "full")]
mod package;
#[cfg(feature = "full")]
mod xlsx;
#[cfg(feature = "full")]
mod xlsx_styles;

use super::i18n::{self, Lang};
use super::table::{Align, Cell, ResultTable, RowKind};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// RFC 4180 CSV.
    Csv,
    /// GitHub-flavoured Markdown pipe table.
    #[default]
    Markdown,
    /// LaTeX `tabular` with booktabs rules inside a `table` float.
    Latex,
    /// A plain HTML `<table>` with inline styles.
    Html,
    /// Aligned plain text.
    Text,
    /// The laid-out table as JSON (`{ title, groups, aligns, lines: [{ kind, rule_above,
    /// cells: [{ text, stars, value }] }], notes }`): every number already formatted, for a
    /// front end that builds its own table element (the `<quasi-result>` embed).
    Grid,
    /// A Word document (.docx) holding the table in the three-line style (binary).
    Docx,
    /// An Excel workbook (.xlsx) with numeric cells (binary).
    Xlsx,
}

impl Format {
    /// Parses a format name (`csv`, `markdown`/`md`, `latex`/`tex`, `html`, `text`/`txt`,
    /// `docx`/`word`, `xlsx`/`excel`).
    pub fn parse(s: &str) -> Result<Format> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Format::Csv,
            "markdown" | "md" => Format::Markdown,
            "latex" | "tex" => Format::Latex,
            "html" => Format::Html,
            "text" | "txt" => Format::Text,
            "grid" | "json" => Format::Grid,
            "docx" | "word" => Format::Docx,
            "xlsx" | "excel" => Format::Xlsx,
            other => {
                return Err(Error::invalid(format!(
                    "unknown table format `{other}` (use latex, markdown, html, csv, text, grid, docx or xlsx)"
                )))
            }
        })
    }
    /// Whether the format is a binary package (docx, xlsx) rather than text.
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Docx | Format::Xlsx)
    }
}

/// What goes in parentheses below each estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BelowStat {
    /// Standard error (default).
    #[default]
    Se,
    /// t statistic.
    T,
    /// p-value.
    P,
    /// Confidence interval `[low, high]`.
    Ci,
    /// Nothing.
    None,
}

/// Rendering options (all have defaults; deserialisable from the JS options object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RenderOptions {
    /// `csv`, `markdown`, `latex`, `html`, `text`, `docx` or `xlsx` (the last two only through
    /// [`render_table_bytes`]).
    pub format: String,
    /// Decimals for every number and estimate (default: each cell's own).
    pub digits: Option<usize>,
    /// Show stars.
    pub stars: bool,
    /// Star thresholds, e.g. `[0.1, 0.05, 0.01]`.
    pub star_levels: Vec<f64>,
    /// Symbols for the thresholds, same order.
    pub star_symbols: Vec<String>,
    /// Statistic in parentheses below an estimate.
    pub below: BelowStat,
    /// Word for a yes cell (default the language's: "Yes" / 是).
    pub yes: Option<String>,
    /// Word for a no cell (default the language's: "No" / 否).
    pub no: Option<String>,
    /// Print the notes under the table.
    pub notes: bool,
    /// Language of the fixed words, `"en"` or `"zh"` (default the table's own).
    pub lang: Option<Lang>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            format: "markdown".into(),
            digits: None,
            stars: true,
            star_levels: vec![0.1, 0.05, 0.01],
            star_symbols: vec!["*".into(), "**".into(), "***".into()],
            below: BelowStat::Se,
            yes: None,
            no: None,
            notes: true,
            lang: None,
        }
    }
}

/// Formats a number with `digits` decimals (significant digits for tiny values); NaN → "NA".
pub fn fmt_num(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return if x.is_nan() { "NA".into() } else if x > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    let s = format!("{x:.digits$}");
    let zero = s.trim_start_matches('-').chars().all(|c| c == '0' || c == '.');
    if x != 0.0 && zero {
        let mag = (-x.abs().log10()).ceil() as usize;
        let d = mag + digits.max(1) - 1;
        if d > 12 {
            // too small for fixed notation (e.g. a p-value of 1e-20): scientific
            let sig = (digits.max(1) - 1).min(3);
            return format!("{x:.sig$e}");
        }
        return format!("{x:.d$}");
    }
    if zero {
        return format!("{:.digits$}", 0.0);
    }
    s
}

/// What a laid-out line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind {
    /// The column headers or a header row.
    Header,
    /// A row of the body (estimates on it carry stars).
    Body,
    /// The parentheses line below a row of estimates.
    Below,
}

/// A formatted cell: its text and, for estimates, the star symbols apart (LaTeX sets them
/// as a superscript), and the finite number the text prints, if it prints one (the Excel
/// writer stores it in a numeric cell).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Text {
    pub text: String,
    pub stars: String,
    pub value: Option<f64>,
}

impl Text {
    fn plain(s: impl Into<String>) -> Text {
        Text { text: s.into(), stars: String::new(), value: None }
    }
    /// A printed number with the value behind it (none when it is not finite).
    fn number(s: impl Into<String>, value: f64) -> Text {
        Text { text: s.into(), stars: String::new(), value: value.is_finite().then_some(value) }
    }
    /// Text and stars together.
    pub fn joined(&self) -> String {
        format!("{}{}", self.text, self.stars)
    }
}

/// A laid-out line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub kind: LineKind,
    pub cells: Vec<Text>,
    pub rule_above: bool,
}

/// A table laid out as text lines, ready for a format writer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grid {
    pub title: String,
    /// `(label, first column, span)`.
    pub groups: Vec<(String, usize, usize)>,
    pub aligns: Vec<Align>,
    /// Column headers, then header rows, then the body.
    pub lines: Vec<Line>,
    /// Number of leading header lines (column headers + header rows).
    pub n_header: usize,
    pub notes: Vec<String>,
}

fn stars(p: f64, o: &RenderOptions) -> String {
    if !o.stars {
        return String::new();
    }
    let mut best: Option<(f64, &String)> = None;
    for (lvl, sym) in o.star_levels.iter().zip(&o.star_symbols) {
        if p < *lvl && best.map_or(true, |(b, _)| *lvl < b) {
            best = Some((*lvl, sym));
        }
    }
    best.map(|(_, s)| s.clone()).unwrap_or_default()
}

fn cell_text(c: &Cell, o: &RenderOptions, lang: Lang) -> Text {
    let d = |own: usize| o.digits.unwrap_or(own);
    match c {
        Cell::Empty => Text::plain(""),
        Cell::Text { text } => Text::plain(text.clone()),
        Cell::Number { value, digits } => Text::number(fmt_num(*value, d(*digits)), *value),
        Cell::Integer { value } => Text::number(format!("{value:.0}"), *value),
        Cell::YesNo { value } => {
            let word = if *value { &o.yes } else { &o.no };
            Text::plain(word.clone().unwrap_or_else(|| i18n::yes_no(lang, *value).to_string()))
        }
        Cell::Estimate { estimate, p_value, digits, .. } => {
            Text { stars: stars(*p_value, o), ..Text::number(fmt_num(*estimate, d(*digits)), *estimate) }
        }
    }
}

fn below_text(c: &Cell, o: &RenderOptions) -> Text {
    let Cell::Estimate { std_error, statistic, p_value, conf_low, conf_high, digits, .. } = c else {
        return Text::plain("");
    };
    let d = o.digits.unwrap_or(*digits);
    let paren = |x: f64| Text::number(format!("({})", fmt_num(x, d)), x);
    match o.below {
        BelowStat::Se => paren(*std_error),
        BelowStat::T => paren(*statistic),
        BelowStat::P => paren(*p_value),
        BelowStat::Ci => Text::plain(format!("[{}, {}]", fmt_num(*conf_low, d), fmt_num(*conf_high, d))),
        BelowStat::None => Text::plain(""),
    }
}

/// The note on parentheses and stars for a table with estimates (`conf_level` for intervals).
fn standard_note(o: &RenderOptions, conf_level: f64, lang: Lang) -> String {
    let stars: Vec<(f64, &String)> =
        if o.stars { o.star_levels.iter().copied().zip(&o.star_symbols).collect() } else { Vec::new() };
    i18n::standard_note(lang, o.below, conf_level, &stars)
}

/// Lays a table out as text lines (see the module docs).
pub(crate) fn layout(t: &ResultTable, o: &RenderOptions) -> Result<Grid> {
    t.check().map_err(Error::invalid)?;
    if o.star_levels.len() != o.star_symbols.len() {
        return Err(Error::invalid("star_levels and star_symbols must have the same length"));
    }
    let mut lines = vec![Line {
        kind: LineKind::Header,
        cells: t.columns.iter().map(|c| Text::plain(c.label.clone())).collect(),
        rule_above: false,
    }];
    let lang = o.lang.unwrap_or(t.lang);
    let mut n_header = 1;
    let mut in_header = true;
    for row in &t.rows {
        let header = in_header && row.kind == RowKind::Header;
        in_header = header;
        if header {
            n_header += 1;
        }
        let kind = if header { LineKind::Header } else { LineKind::Body };
        let mut cells: Vec<Text> = row.cells.iter().map(|c| cell_text(c, o, lang)).collect();
        if let (Some(key), Some(stub)) = (&row.key, cells.first_mut()) {
            if lang != t.lang {
                *stub = Text::plain(i18n::label(lang, key));
            }
        }
        lines.push(Line { kind, cells, rule_above: row.rule_above });
        if o.below != BelowStat::None && row.cells.iter().any(Cell::is_estimate) {
            lines.push(Line {
                kind: LineKind::Below,
                cells: row.cells.iter().map(|c| below_text(c, o)).collect(),
                rule_above: false,
            });
        }
    }
    let mut notes = Vec::new();
    if o.notes {
        if t.has_estimates() {
            let n = standard_note(o, t.conf_level.unwrap_or(0.95), lang);
            if !n.is_empty() {
                notes.push(n);
            }
        }
        notes.extend(t.notes.iter().cloned());
    }
    let notes = i18n::notes(lang, notes);
    Ok(Grid {
        title: t.title.clone(),
        groups: t.column_groups.iter().map(|g| (g.label.clone(), g.first, g.span)).collect(),
        aligns: t.columns.iter().map(|c| c.align).collect(),
        lines,
        n_header,
        notes,
    })
}

/// Renders a table in the options' text format (for `docx`/`xlsx` an error pointing to
/// [`render_table_bytes`]).
pub fn render_table(t: &ResultTable, o: &RenderOptions) -> Result<String> {
    let format = Format::parse(&o.format)?;
    let g = layout(t, o)?;
    Ok(match format {
        Format::Csv => formats::csv(&g),
        Format::Markdown => formats::markdown(&g),
        Format::Latex => formats::latex(&g),
        Format::Html => formats::html(&g),
        Format::Text => formats::text(&g),
        Format::Grid => formats::grid_json(&g),
        Format::Docx | Format::Xlsx => {
            return Err(Error::invalid(format!(
                "table format `{}` is a binary file: render it with render_table_bytes (in JavaScript, renderTable returns a Uint8Array for it)",
                o.format.trim()
            )))
        }
    })
}

/// Renders a table as bytes: the .docx or .xlsx package for `docx`/`xlsx` (the one-table
/// case of [`render_report_bytes`]), the UTF-8 text of every other format. Deterministic: the
/// same table and options give the same bytes.
pub fn render_table_bytes(t: &ResultTable, o: &RenderOptions) -> Result<Vec<u8>> {
    match Format::parse(&o.format)? {
        Format::Docx | Format::Xlsx => render_report_bytes(std::slice::from_ref(t), o, None),
        _ => render_table(t, o).map(String::into_bytes),
    }
}

/// Renders several tables as one file, for `docx` or `xlsx` only: a Word document holding
/// every table in order (each with its caption, three-line table and notes, an empty
/// paragraph between two tables), opened by `title` as a bold centred paragraph when given;
/// or an Excel workbook with one sheet per table, named after the tables' titles (made
/// unique, at most 31 characters; `title` is not used). The same options apply to every
/// table. Refuses an empty list and the text formats. Deterministic.
pub fn render_report_bytes(tables: &[ResultTable], o: &RenderOptions, title: Option<&str>) -> Result<Vec<u8>> {
    let format = Format::parse(&o.format)?;
    if !format.is_binary() {
        return Err(Error::invalid(format!(
            "a report is one Word or Excel file: use format docx or xlsx, not `{}` (render single tables in text formats with render_table)",
            o.format.trim()
        )));
    }
    if tables.is_empty() {
        return Err(Error::invalid("a report needs at least one table, and the list of tables is empty"));
    }
    let grids = tables.iter().map(|t| layout(t, o)).collect::<Result<Vec<Grid>>>()?;
    write_package(format, &grids, title)
}

#[cfg(feature = "full")]
fn write_package(format: Format, grids: &[Grid], title: Option<&str>) -> Result<Vec<u8>> {
    match format {
        Format::Xlsx => xlsx::xlsx(grids),
        _ => docx::docx(grids, title),
    }
}

/// The page's lean engine leaves the Word/Excel writers (and their zip/deflate code) out.
#[cfg(not(feature = "full"))]
fn write_package(format: Format, _: &[Grid], _: Option<&str>) -> Result<Vec<u8>> {
    let what = if format == Format::Xlsx { "Excel (.xlsx) output" } else { "Word (.docx) output" };
    Err(crate::ErrorKind::NotInThisBuild { what: what.into() }.into())
}

#[cfg(test)]
mod tests;
