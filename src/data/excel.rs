//! Excel workbooks (`.xlsx`, `.xlsm`, `.xls`, also `.xlsb`/`.ods`) via `calamine`.
//!
//! * **Sheet**: the first one by default; `sheet` selects by exact name, then by
//!   case-insensitive name, then by 0-based index written as text (`"1"`). All sheet
//!   names are listed in the report.
//! * **Header**: the first row with a non-empty cell. Line numbers in messages and
//!   `Dataset::source_line` are Excel's row numbers (1-based). Columns with neither
//!   a header nor any value are dropped; a column with values but no header is named
//!   `column_<position>` with a warning. Rows whose cells are all empty are skipped
//!   and listed in the report as `blank row`.
//! * **Cells**: numbers are numbers (whole floats count as integers); strings go
//!   through the same rules as CSV fields (so `"12"` typed as text is a number and
//!   `NA` is missing); booleans are 1/0; empty cells and every error value
//!   (`#N/A`, `#DIV/0!`, …) are missing (errors counted in a warning); **dates and
//!   date-times become ISO 8601 text** (`2020-03-31`, `2020-03-31 12:30:00`), because
//!   a serial number such as 43921 is meaningless to most analysts; durations
//!   become numbers of days.
//! * **Messy sheets**: a first sheet with no table (no row with two filled cells: a
//!   cover or notes page) is passed over for the first sheet that has one, when no
//!   sheet was asked for (with a warning). Title rows above the header (rows with one
//!   filled cell, when a later row among the first 30 has two or more) are skipped and
//!   listed; so are trailing note rows (one filled text cell starting like `注：`,
//!   `Source:`; see [`super::csv::looks_like_note`]) and a units row under the header
//!   (detected in [`super::read`]).

use super::csv::SkippedRow;
use super::dataset::Dataset;
use super::infer::{classify, Cell, ColumnBuilder, ColumnStats, MissingSet, NumberParser};
use crate::diagnostics::{Code, Diagnostic};
use crate::error::{Error, ErrorKind, Result};
use calamine::{open_workbook_auto_from_rs, Data, Reader};
use std::io::Cursor;

/// What the Excel reader produced.
#[derive(Debug, Clone)]
pub struct ExcelOutput {
    /// The data (source lines = Excel row numbers).
    pub dataset: Dataset,
    /// The sheet read.
    pub sheet: String,
    /// All sheet names, in workbook order.
    pub sheets: Vec<String>,
    /// Rows skipped (blank rows).
    pub rows_skipped: usize,
    /// The skipped rows (first 1000).
    pub skipped: Vec<SkippedRow>,
    /// Per-column statistics.
    pub stats: Vec<ColumnStats>,
    /// Non-fatal remarks.
    pub warnings: Vec<Diagnostic>,
}

fn pick_sheet(sheets: &[String], wanted: Option<&str>) -> Result<String> {
    let Some(first) = sheets.first() else {
        return Err(Error::parse(None, "the workbook has no sheets"));
    };
    let Some(w) = wanted.map(str::trim).filter(|w| !w.is_empty()) else {
        return Ok(first.clone());
    };
    if let Some(s) = sheets.iter().find(|s| s.as_str() == w) {
        return Ok(s.clone());
    }
    if let Some(s) = sheets.iter().find(|s| s.to_lowercase() == w.to_lowercase()) {
        return Ok(s.clone());
    }
    if let Some(s) = w.parse::<usize>().ok().and_then(|i| sheets.get(i)) {
        return Ok(s.clone());
    }
    Err(Error::invalid(format!("no sheet `{w}` in the workbook; its sheets are: {}", sheets.join(", "))))
}

fn iso_date(dt: &calamine::ExcelDateTime) -> String {
    let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    if h == 0 && mi == 0 && s == 0 && ms == 0 {
        format!("{y:04}-{mo:02}-{d:02}")
    } else if ms == 0 {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{ms:03}")
    }
}

/// Number of non-empty cells of a row.
fn filled(r: &[Data]) -> usize {
    r.iter().filter(|c| !matches!(c, Data::Empty) && !matches!(c, Data::String(s) if s.trim().is_empty())).count()
}

fn header_text(c: &Data) -> String {
    match c {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => format!("{i}"),
        Data::Bool(b) => format!("{b}"),
        Data::DateTime(d) => iso_date(d),
    }
}

/// Opens the workbook and the sheet to read: the one asked for, or the first one,
/// passed over (with a warning) for the first later sheet holding a table when it
/// has none and no sheet was asked for.
fn open_sheet(
    bytes: &[u8],
    sheet: Option<&str>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(Vec<String>, String, calamine::Range<Data>)> {
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        Error::new(ErrorKind::Binary { detail: format!("it looks like a spreadsheet but could not be opened ({e})") })
    })?;
    let sheets = wb.sheet_names();
    let mut name = pick_sheet(&sheets, sheet)?;
    let mut range = wb
        .worksheet_range(&name)
        .map_err(|e| Error::parse(None, format!("sheet `{name}` could not be read: {e}")))?;
    let has_table = |r: &calamine::Range<Data>| r.rows().any(|row| filled(row) >= 2);
    if sheet.map_or(true, |s| s.trim().is_empty()) && !has_table(&range) {
        for other in sheets.iter().skip(1) {
            if let Ok(r) = wb.worksheet_range(other) {
                if has_table(&r) {
                    warnings.push(Diagnostic::warning(Code::FileFormatNote, format!(
                        "sheet `{name}` has no table (a cover or notes page?); read sheet `{other}` instead — choose a sheet to override"
                    )));
                    name = other.clone();
                    range = r;
                    break;
                }
            }
        }
    }
    Ok((sheets, name, range))
}

/// Skips title rows above the header (rows with one filled cell, when a later row
/// among the first 30 non-empty ones has two or more); returns the header's index.
fn skip_title_rows(rows: &[&[Data]], hdr_idx: usize, row0: u64, skipped: &mut Vec<SkippedRow>) -> usize {
    let first_wide =
        rows.iter().enumerate().skip(hdr_idx).filter(|(_, r)| filled(r) > 0).take(30).find(|(_, r)| filled(r) >= 2);
    let Some((w, _)) = first_wide else {
        return hdr_idx;
    };
    for (i, r) in rows.iter().enumerate().take(w).skip(hdr_idx) {
        if filled(r) > 0 {
            let title = r.iter().map(header_text).find(|t| !t.is_empty()).unwrap_or_default();
            skipped.push(SkippedRow { line: row0 + i as u64 + 1, reason: format!("title row above the header (`{title}`)") });
        }
    }
    w
}

/// Trailing note rows (last first), and where the rows kept end: blank rows between
/// the last data row and the notes stay, to be skipped as "blank row".
fn trailing_notes(rows: &[&[Data]], hdr_idx: usize, row0: u64) -> (Vec<SkippedRow>, usize) {
    let mut end = rows.len();
    let mut notes = Vec::new();
    while end > hdr_idx + 1 {
        let r = rows[end - 1];
        match filled(r) {
            0 => end -= 1,
            1 => match r.iter().find(|c| !matches!(c, Data::Empty)) {
                Some(Data::String(t)) if super::csv::looks_like_note(t) => {
                    let shown: String = t.trim().chars().take(40).collect();
                    notes.push(SkippedRow { line: row0 + end as u64, reason: format!("trailing note (`{shown}`)") });
                    end -= 1;
                }
                _ => break,
            },
            _ => break,
        }
    }
    let end = if notes.is_empty() { rows.len() } else { notes.last().map_or(rows.len(), |n| (n.line - row0) as usize - 1) };
    (notes, end)
}

/// Column names and the positions of the columns kept: columns with neither a
/// header nor a value are dropped; a nameless one is named `column_<position>`.
fn column_names(
    header: &[String],
    data_rows: &[&[Data]],
    has_header: bool,
    sheet: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(Vec<usize>, Vec<String>)> {
    let mut keep = Vec::new();
    let mut names = Vec::new();
    for (j, h) in header.iter().enumerate() {
        let has_data = data_rows.iter().any(|r| r.get(j).is_some_and(|c| !matches!(c, Data::Empty)));
        if h.is_empty() && has_header && !has_data {
            continue;
        }
        let n = if h.is_empty() {
            let auto = format!("column_{}", j + 1);
            if has_header {
                warnings.push(Diagnostic::warning(Code::HeaderRepaired, format!("column {} has no name in the header; it was named `{auto}`", j + 1)));
            }
            auto
        } else {
            h.clone()
        };
        keep.push(j);
        names.push(n);
    }
    if names.is_empty() {
        return Err(ErrorKind::NoHeader { detail: format!("sheet `{sheet}` has no column names") }.into());
    }
    for j in 0..names.len() {
        if let Some(k) = names[..j].iter().position(|p| *p == names[j]) {
            return Err(ErrorKind::DuplicateColumn { name: names[j].clone(), first: keep[k], second: keep[j] }.into());
        }
    }
    Ok((keep, names))
}

/// One cell as the column builders see it; Excel errors are counted in `errors`,
/// dates are written into `owned` as ISO 8601 text.
fn excel_cell<'a>(
    cell: &'a Data,
    owned: &'a mut String,
    missing: &MissingSet,
    parser: &mut NumberParser,
    errors: &mut usize,
) -> Cell<'a> {
    match cell {
        Data::Empty => Cell::Missing,
        Data::Error(_) => {
            *errors += 1;
            Cell::Missing
        }
        Data::Int(v) => Cell::Number { value: *v as f64, integer: v.unsigned_abs() < 9_000_000_000_000_000, raw: None, flags: 0 },
        Data::Float(v) if v.is_finite() => {
            Cell::Number { value: *v, integer: v.fract() == 0.0 && v.abs() < 9.0e15, raw: None, flags: 0 }
        }
        Data::Float(_) => Cell::Missing,
        Data::Bool(v) => Cell::Number { value: f64::from(u8::from(*v)), integer: true, raw: None, flags: 0 },
        Data::String(s) => classify(s.as_bytes(), missing, parser),
        Data::DateTime(d) if d.is_duration() => Cell::Number { value: d.as_f64(), integer: false, raw: None, flags: 0 },
        Data::DateTime(d) => {
            *owned = iso_date(d);
            Cell::Text(owned.as_str())
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s),
    }
}

/// What reading the data rows produced.
struct DataRows {
    builders: Vec<ColumnBuilder>,
    lines: Vec<u64>,
    rows_skipped: usize,
    errors: usize,
}

/// Reads the data rows into the kept columns, skipping blank rows and
/// `skip_units_rows` units rows (listed in `skipped`).
#[allow(clippy::too_many_arguments)]
fn read_data_rows(
    data_rows: &[&[Data]],
    keep: &[usize],
    names: &[String],
    first_line: u64,
    skip_units_rows: usize,
    decimal_comma: bool,
    missing: &MissingSet,
    skipped: &mut Vec<SkippedRow>,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<DataRows> {
    let mut builders: Vec<ColumnBuilder> =
        names.iter().map(|n| ColumnBuilder::new(n.clone(), data_rows.len())).collect();
    let mut parser = NumberParser::new(decimal_comma);
    let mut lines = Vec::with_capacity(data_rows.len());
    let mut rows_skipped = 0usize;
    let mut units_left = skip_units_rows;
    let mut errors = 0usize;
    let total = data_rows.len().max(1) as f64;
    for (i, r) in data_rows.iter().enumerate() {
        let line = first_line + i as u64;
        if i % 8192 == 8191 && !progress(0.3 + 0.7 * i as f64 / total) {
            return Err(ErrorKind::Cancelled.into());
        }
        if keep.iter().all(|&j| r.get(j).map_or(true, |c| matches!(c, Data::Empty))) {
            rows_skipped += 1;
            if skipped.len() < super::csv::MAX_LISTED_SKIPS {
                skipped.push(SkippedRow { line, reason: "blank row".into() });
            }
            continue;
        }
        if units_left > 0 {
            units_left -= 1;
            rows_skipped += 1;
            let shown: Vec<String> = r.iter().map(header_text).filter(|t| !t.is_empty()).collect();
            skipped.push(SkippedRow { line, reason: format!("units row under the header ({})", shown.join(", ")) });
            continue;
        }
        lines.push(line);
        for (b, &j) in builders.iter_mut().zip(keep) {
            let mut owned = String::new();
            b.push(excel_cell(r.get(j).unwrap_or(&Data::Empty), &mut owned, missing, &mut parser, &mut errors));
        }
    }
    Ok(DataRows { builders, lines, rows_skipped, errors })
}

/// Reads one sheet of a workbook held in memory.
pub fn read_excel(
    bytes: &[u8],
    sheet: Option<&str>,
    has_header: bool,
    skip_units_rows: usize,
    decimal_comma: bool,
    missing: &MissingSet,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<ExcelOutput> {
    let mut warnings = Vec::new();
    let (sheets, name, range) = open_sheet(bytes, sheet, &mut warnings)?;
    if !progress(0.3) {
        return Err(ErrorKind::Cancelled.into());
    }
    let row0 = range.start().map_or(0, |(r, _)| r as u64);
    let rows: Vec<&[Data]> = range.rows().collect();
    let Some(mut hdr_idx) = rows.iter().position(|r| r.iter().any(|c| !matches!(c, Data::Empty))) else {
        return Err(ErrorKind::EmptyFile.into());
    };
    let mut skipped = Vec::new();
    if has_header {
        hdr_idx = skip_title_rows(&rows, hdr_idx, row0, &mut skipped);
    }
    let (mut notes, end) = trailing_notes(&rows, hdr_idx, row0);
    let rows = &rows[..end];
    let width = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let data_rows = if has_header { &rows[hdr_idx + 1..] } else { &rows[hdr_idx..] };
    let header: Vec<String> = if has_header {
        (0..width).map(|j| rows[hdr_idx].get(j).map(header_text).unwrap_or_default()).collect()
    } else {
        vec![String::new(); width]
    };
    let (keep, names) = column_names(&header, data_rows, has_header, &name, &mut warnings)?;
    let listed_before = skipped.len() + notes.len();
    let first_line = row0 + hdr_idx as u64 + 1 + u64::from(has_header);
    let read = read_data_rows(
        data_rows, &keep, &names, first_line, skip_units_rows, decimal_comma, missing, &mut skipped, progress,
    )?;
    if read.errors > 0 {
        warnings.push(Diagnostic::warning(Code::ValuesConverted, format!("{} cell(s) held Excel errors (#N/A, #DIV/0!, …) and were read as missing", read.errors)));
    }
    notes.reverse();
    skipped.extend(notes);
    let (dataset, stats) = ColumnBuilder::finish_all(read.builders, read.lines)?;
    progress(1.0);
    Ok(ExcelOutput { dataset, sheet: name, sheets, rows_skipped: listed_before + read.rows_skipped, skipped, stats, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_selection() {
        let s = vec!["Data".to_string(), "Notes".to_string()];
        assert_eq!(pick_sheet(&s, None).unwrap(), "Data");
        assert_eq!(pick_sheet(&s, Some("notes")).unwrap(), "Notes");
        assert_eq!(pick_sheet(&s, Some("1")).unwrap(), "Notes");
        let e = pick_sheet(&s, Some("x")).unwrap_err().to_string();
        assert!(e.contains("Data, Notes"), "{e}");
        assert!(pick_sheet(&[], None).is_err());
    }

    #[test]
    fn not_a_workbook() {
        let e = read_excel(b"PK\x03\x04garbage", None, true, 0, false, &MissingSet::default_set(), &mut |_| true);
        assert!(matches!(e.unwrap_err().kind(), ErrorKind::Binary { .. }));
    }
}
