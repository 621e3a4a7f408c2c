//! The one entry point for loading a file held in memory: [`read_bytes`].
//!
//! 1. **Format**, by magic bytes first: `PK\x03\x04` (zip: `.xlsx`) or
//!    `D0 CF 11 E0 A1 B1 1A E1` (OLE: `.xls`) → [`super::excel`]; otherwise text.
//!    A file *named* `.xlsx`/`.xls` that is not a workbook is read as text when it
//!    decodes as text (with a warning), else it is a [`ErrorKind::Binary`] error.
//! 2. **Encoding** for text: [`super::encoding`] (BOM, UTF-8, GB18030, override).
//! 3. **CSV** parsing: [`super::csv`] (RFC 4180, sniffed delimiter, ragged rows).
//! 4. **Kinds**: [`super::infer`] (integer / numeric / text, strays, missing tokens).
//! 5. **Messy layouts**: when the first data row holds no number and dropping it turns
//!    columns from text into numbers, it is a units row / second header (`元, 万人, %`):
//!    the file is read again without it (at most two such rows), the row is listed in
//!    `skipped` and a warning names its values. Columns whose every value is a year
//!    written `2015年`/`2015年度` become integers. Numbers read from formatted text
//!    (thousands separators, `%`, currency, full-width) are counted per column in a warning.
//!
//! Nothing is lost silently: [`LoadReport`] counts rows read and skipped, lists
//! each skipped row with its line and reason, and every column's kind, missing
//! count and stray values.

use super::csv::{read_csv, CsvOptions, SkippedRow};
use super::dataset::{ColumnData, ColumnKind, Dataset};
use super::encoding::decode;
use super::excel::read_excel;
use super::infer::{ColumnStats, MissingSet, NumberParser};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{ErrorKind, Result};
use serde::{Deserialize, Deserializer, Serialize};

/// Options for [`read_bytes`]. Deserializes from a partial object (all fields
/// optional; camelCase aliases accepted for JavaScript).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct ReadOptions {
    /// File name (only its extension is used, as a format hint).
    pub filename: Option<String>,
    /// Field delimiter (`None` = sniff). From JS: `","`, `";"`, `"\t"`, `"tab"`, `"|"` or a byte value.
    #[serde(deserialize_with = "de_delimiter")]
    pub delimiter: Option<u8>,
    /// Encoding override (`"utf-8"`, `"utf-16le"`, `"utf-16be"`, `"gb18030"`, `"gbk"`, `"windows-1252"`, …).
    pub encoding: Option<String>,
    /// `,` is the decimal mark (`1,5` = 1.5; `.` only as strict thousands separator).
    #[serde(alias = "decimalComma")]
    pub decimal_comma: bool,
    /// Missing-value tokens, replacing the default list [`super::infer::DEFAULT_MISSING`]
    /// (`"", NA, N/A, NaN, ., null, -, #N/A, .., ..., n.a., —, –, #DIV/0!, #VALUE!`, …)
    /// (compared case-insensitively after trimming; the empty field is always missing).
    pub missing: Option<Vec<String>>,
    /// Excel sheet: a name, or a 0-based index as text (JS may pass a number).
    #[serde(deserialize_with = "de_sheet")]
    pub sheet: Option<String>,
    /// The first row holds column names (default true).
    #[serde(alias = "hasHeader")]
    pub has_header: bool,
    /// Skip rows whose field count differs from the header's (each one listed in the
    /// report) instead of failing with [`ErrorKind::RaggedRow`] (default false).
    #[serde(alias = "skipRagged")]
    pub skip_ragged: bool,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            filename: None,
            delimiter: None,
            encoding: None,
            decimal_comma: false,
            missing: None,
            sheet: None,
            has_header: true,
            skip_ragged: false,
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrText {
    Num(u64),
    Text(String),
}

fn de_delimiter<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<u8>, D::Error> {
    use serde::de::Error as _;
    Ok(match Option::<NumOrText>::deserialize(d)? {
        None => None,
        Some(NumOrText::Num(n)) => Some(u8::try_from(n).map_err(|_| D::Error::custom("delimiter must be one ASCII character"))?),
        Some(NumOrText::Text(s)) => parse_delimiter(&s).map_err(D::Error::custom)?,
    })
}

fn de_sheet<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    Ok(match Option::<NumOrText>::deserialize(d)? {
        None => None,
        Some(NumOrText::Num(n)) => Some(n.to_string()),
        Some(NumOrText::Text(s)) => Some(s),
    })
}

/// Parses a delimiter given as text: one ASCII character, or `tab`/`\t`, `comma`,
/// `semicolon`, `pipe`, `space`; empty = sniff.
pub fn parse_delimiter(s: &str) -> std::result::Result<Option<u8>, String> {
    let named = match s.to_ascii_lowercase().as_str() {
        "" => return Ok(None),
        "tab" | "\\t" => Some(b'\t'),
        "comma" => Some(b','),
        "semicolon" => Some(b';'),
        "pipe" => Some(b'|'),
        "space" => Some(b' '),
        _ => None,
    };
    if named.is_some() {
        return Ok(named);
    }
    match s.as_bytes() {
        [b] if b.is_ascii() && *b != b'"' && *b != b'\n' && *b != b'\r' => Ok(Some(*b)),
        _ => Err(format!("delimiter `{s}` must be a single ASCII character such as `,`, `;`, `|` or tab")),
    }
}

/// One column as the report describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnInfo {
    /// Column name.
    pub name: String,
    /// Inferred kind.
    pub kind: ColumnKind,
    /// Missing values.
    pub n_missing: usize,
    /// Non-numeric values of a column that is numeric but for them (0 otherwise).
    pub n_stray: usize,
    /// 1-based line of the first stray value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_stray_line: Option<u64>,
    /// The first stray value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_stray_value: Option<String>,
}

/// What happened while loading.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadReport {
    /// `"csv"`, `"xlsx"` or `"xls"` (`"xlsb"`/`"ods"` by file name).
    pub format: String,
    /// Text encoding (CSV only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Delimiter (CSV only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// Sheet read (Excel only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// All sheet names (Excel only; empty for CSV).
    pub sheets: Vec<String>,
    /// Data rows in the dataset.
    pub rows_read: usize,
    /// Rows left out.
    pub rows_skipped: usize,
    /// Each skipped row's line and reason (the first 1000).
    pub skipped: Vec<SkippedRow>,
    /// Every column.
    pub columns: Vec<ColumnInfo>,
    /// Non-fatal remarks (encoding guesses, stray values, unnamed columns, …).
    pub warnings: Diagnostics,
}

/// A loaded dataset and its report.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The data.
    pub dataset: Dataset,
    /// What happened.
    pub report: LoadReport,
}

/// Detected container format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Zip-based workbook (`.xlsx`, `.xlsm`, `.xlsb`, `.ods`).
    Zip,
    /// OLE compound document (`.xls`).
    Ole,
    /// Text (CSV and friends).
    Text,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn extension(filename: Option<&str>) -> String {
    filename
        .and_then(|f| f.rsplit_once('.'))
        .map(|(_, e)| e.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Format by magic bytes.
pub fn detect_format(bytes: &[u8]) -> Format {
    if bytes.starts_with(ZIP_MAGIC) {
        Format::Zip
    } else if bytes.starts_with(OLE_MAGIC) {
        Format::Ole
    } else {
        Format::Text
    }
}

/// Loads a CSV/TSV or Excel file from its bytes.
pub fn read_bytes(bytes: &[u8], opts: &ReadOptions) -> Result<Loaded> {
    read_bytes_with_progress(bytes, opts, &mut |_| true)
}

/// The missing-value markers asked for (the empty field always among them), or the defaults.
pub(super) fn missing_set(opts: &ReadOptions) -> MissingSet {
    match &opts.missing {
        Some(list) => {
            let mut v: Vec<&str> = list.iter().map(String::as_str).collect();
            v.push("");
            MissingSet::new(&v)
        }
        None => MissingSet::default_set(),
    }
}

/// Reads a workbook, dropping up to two units rows under the header.
fn load_workbook(
    bytes: &[u8],
    opts: &ReadOptions,
    format: Format,
    ext: &str,
    missing: &MissingSet,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<Loaded> {
    let read = |skip: usize, progress: &mut dyn FnMut(f64) -> bool| {
        if !cfg!(feature = "full") {
            return Err(ErrorKind::NotInThisBuild { what: "reading Excel and OpenDocument files".into() }.into());
        }
        read_excel(bytes, opts.sheet.as_deref(), opts.has_header, skip, opts.decimal_comma, missing, progress)
    };
    let mut out = read(0, progress)?;
    let mut skip = 0;
    let mut units = Vec::new();
    while skip < 2 && opts.has_header {
        let Some(shown) = units_row(&out.dataset, opts.decimal_comma) else { break };
        skip += 1;
        out = read(skip, progress)?;
        units_warning(&out.dataset, &shown, &mut units);
    }
    out.warnings.extend(units);
    let fmt = match (format, ext) {
        (Format::Ole, _) => "xls",
        (_, "xlsb") => "xlsb",
        (_, "ods") => "ods",
        _ => "xlsx",
    };
    let report = LoadReport {
        format: fmt.into(),
        encoding: None,
        delimiter: None,
        sheet: Some(out.sheet),
        sheets: out.sheets,
        rows_read: 0,
        rows_skipped: out.rows_skipped,
        skipped: out.skipped,
        columns: Vec::new(),
        warnings: out.warnings.into_iter().collect(),
    };
    Ok(loaded(out.dataset, &out.stats, report))
}

/// Reads delimited text (any encoding), dropping up to two units rows under the header.
fn load_text(
    bytes: &[u8],
    opts: &ReadOptions,
    ext: &str,
    excel_ext: bool,
    missing: MissingSet,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<Loaded> {
    let decoded = match decode(bytes, opts.encoding.as_deref()) {
        Ok(d) => d,
        Err(e) if excel_ext => {
            return Err(ErrorKind::Binary {
                detail: format!("the file is named .{ext} but is not an Excel workbook, nor text ({e})"),
            }
            .into())
        }
        Err(e) => return Err(e),
    };
    let mut warnings = decoded.warnings;
    if excel_ext {
        warnings.insert(0, Diagnostic::warning(Code::FileFormatNote, format!("the file is named .{ext} but is not an Excel workbook; it was read as text")));
    }
    if opts.sheet.is_some() {
        warnings.push(Diagnostic::info(Code::FileFormatNote, "the `sheet` option was ignored: the file is not a workbook"));
    }
    let mut csv_opts = CsvOptions {
        delimiter: opts.delimiter,
        decimal_comma: opts.decimal_comma,
        missing,
        has_header: opts.has_header,
        skip_ragged: opts.skip_ragged,
        skip_units_rows: 0,
    };
    let mut out = read_csv(decoded.text.as_bytes(), &csv_opts, progress)?;
    while csv_opts.skip_units_rows < 2 && opts.has_header {
        let Some(shown) = units_row(&out.dataset, out.decimal_comma) else { break };
        csv_opts.skip_units_rows += 1;
        out = read_csv(decoded.text.as_bytes(), &csv_opts, progress)?;
        units_warning(&out.dataset, &shown, &mut warnings);
    }
    Ok(csv_loaded(out, decoded.encoding, warnings))
}

/// Like [`read_bytes`], calling `progress(fraction in 0..=1)` now and then (every
/// 8192 rows); when it returns `false` loading stops with [`ErrorKind::Cancelled`].
pub fn read_bytes_with_progress(
    bytes: &[u8],
    opts: &ReadOptions,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<Loaded> {
    if bytes.is_empty() {
        return Err(ErrorKind::EmptyFile.into());
    }
    let missing = missing_set(opts);
    let ext = extension(opts.filename.as_deref());
    let excel_ext = matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods");
    let format = detect_format(bytes);
    if format != Format::Text {
        return load_workbook(bytes, opts, format, &ext, &missing, progress);
    }
    load_text(bytes, opts, &ext, excel_ext, missing, progress)
}

/// Completes `report` (rows read, column infos, stray-value warnings) for `dataset`.
pub(super) fn loaded(mut dataset: Dataset, stats: &[ColumnStats], mut report: LoadReport) -> Loaded {
    nian_years(&mut dataset, &mut report.warnings);
    report.rows_read = dataset.nrows();
    formatted_warnings(&dataset, stats, &mut report.warnings);
    report.columns = column_infos(&dataset, stats);
    stray_warnings(&report.columns, &mut report.warnings);
    Loaded { dataset, report }
}

fn column_infos(ds: &Dataset, stats: &[ColumnStats]) -> Vec<ColumnInfo> {
    ds.columns()
        .iter()
        .zip(stats)
        .map(|(c, s)| {
            let stray = if s.has_strays { s.first_text.clone() } else { None };
            ColumnInfo {
                name: c.name.clone(),
                kind: c.kind(),
                n_missing: s.n_missing,
                n_stray: if s.has_strays { s.n_text } else { 0 },
                first_stray_line: stray.as_ref().and_then(|(r, _)| ds.source_line(*r)),
                first_stray_value: stray.map(|(_, v)| v),
            }
        })
        .collect()
}

/// The loaded dataset and report of a parsed CSV (`warnings`: the decoder's and the reader's own,
/// before the parser's); shared by the whole-file reader and [`super::CsvStream`].
pub(super) fn csv_loaded(out: super::csv::CsvOutput, encoding: &str, mut warnings: Vec<Diagnostic>) -> Loaded {
    warnings.extend(out.warnings);
    let delimiter = match out.delimiter {
        b'\t' => "\t".to_string(),
        d => char::from(d).to_string(),
    };
    let report = LoadReport {
        format: "csv".into(),
        encoding: Some(encoding.into()),
        delimiter: Some(delimiter),
        sheet: None,
        sheets: Vec::new(),
        rows_read: 0,
        rows_skipped: out.rows_skipped,
        skipped: out.skipped,
        columns: Vec::new(),
        warnings: warnings.into_iter().collect(),
    };
    loaded(out.dataset, &out.stats, report)
}

fn units_warning(ds: &Dataset, shown: &[String], warnings: &mut Vec<Diagnostic>) {
    let _ = ds;
    warnings.push(Diagnostic::warning(Code::UnitsRowSkipped, format!(
        "the row under the header looks like units or a second header (`{}`), not data; it was skipped (see skipped rows) so those columns are numbers",
        shown.join("`, `")
    )));
}

/// Text columns whose every value is a year written `2015年` (or `2015年度`) become
/// integer columns (2015), with a warning: panel and DID code needs numeric time.
fn nian_years(ds: &mut Dataset, warnings: &mut Diagnostics) {
    let mut converted = Vec::new();
    for c in ds.columns() {
        let ColumnData::Text { values, .. } = &c.data else { continue };
        let year = |s: &str| {
            let d = s.strip_suffix("年度").or_else(|| s.strip_suffix('年'))?.trim();
            (d.len() == 4 && d.bytes().all(|b| b.is_ascii_digit())).then(|| d.parse::<f64>().ok()).flatten()
        };
        let mut out = Vec::with_capacity(values.len());
        let mut ok = false;
        for v in values {
            match v {
                None => out.push(f64::NAN),
                Some(s) => match year(s) {
                    Some(y) => {
                        ok = true;
                        out.push(y);
                    }
                    None => {
                        ok = false;
                        break;
                    }
                },
            }
        }
        if ok && out.len() == values.len() {
            converted.push((c.name.clone(), out));
        }
    }
    for (name, v) in converted {
        if ds.add_numeric(&name, v).is_ok() {
            warnings.push(Diagnostic::warning(Code::ValuesConverted, format!("column `{name}`: years written like `2015年` were read as numbers (2015)")));
        }
    }
}

/// Warnings for numbers that were read from formatted text (see [`super::infer::num_flags`]).
fn formatted_warnings(ds: &Dataset, stats: &[ColumnStats], warnings: &mut Diagnostics) {
    for (c, s) in ds.columns().iter().zip(stats) {
        if c.kind() == ColumnKind::Text {
            continue;
        }
        let [grouped, percent, currency, fullwidth] = s.formatted;
        let mut parts = Vec::new();
        if grouped > 0 {
            parts.push(format!("{grouped} with thousands separators (1,234.5 → 1234.5)"));
        }
        if percent > 0 {
            parts.push(format!("{percent} with a % sign, read as percentage points (12.5% → 12.5)"));
        }
        if currency > 0 {
            parts.push(format!("{currency} with a currency sign (dropped)"));
        }
        if fullwidth > 0 {
            parts.push(format!("{fullwidth} in full-width characters (１２ → 12)"));
        }
        if !parts.is_empty() {
            warnings.push(Diagnostic::warning(Code::ValuesConverted, format!(
                "column `{}`: numbers read from formatted text: {}",
                c.name,
                parts.join("; ")
            )));
        }
    }
}

/// The first data row when it is a units row or a second header row (`元`, `万人`, `%`)
/// rather than data: it holds no number, and dropping it turns at least one column
/// (and at least half as many as are numeric anyway) from text into numbers.
/// Returns the row's non-empty values.
pub(super) fn units_row(ds: &Dataset, decimal_comma: bool) -> Option<Vec<String>> {
    if ds.nrows() < 2 {
        return None;
    }
    let mut parser = NumberParser::new(decimal_comma);
    let (mut fixed, mut numeric) = (0usize, 0usize);
    let mut shown = Vec::new();
    for c in ds.columns() {
        match &c.data {
            ColumnData::Numeric { values, .. } => {
                if !values[0].is_nan() {
                    return None;
                }
                numeric += 1;
            }
            ColumnData::Text { values, .. } => {
                let Some(v0) = &values[0] else { continue };
                if parser.parse_flagged(v0.as_bytes()).is_some() {
                    return None;
                }
                shown.push(v0.clone());
                let mut any = false;
                let rest_numeric = values[1..].iter().flatten().all(|v| {
                    any = true;
                    parser.parse_flagged(v.as_bytes()).is_some()
                });
                if rest_numeric && any {
                    fixed += 1;
                }
            }
        }
    }
    (fixed >= 1 && fixed * 2 >= numeric).then_some(shown)
}

fn stray_warnings(columns: &[ColumnInfo], warnings: &mut Diagnostics) {
    for c in columns {
        if c.n_stray > 0 {
            let at = c.first_stray_line.map(|l| format!(" at line {l}")).unwrap_or_default();
            warnings.push(Diagnostic::warning(Code::StrayValues, format!(
                "column `{}` is numeric except for {} non-numeric value(s), first{at} (`{}`); it was kept as text — fix or mark those values as missing to use it as a number",
                c.name,
                c.n_stray,
                c.first_stray_value.as_deref().unwrap_or("")
            )));
        }
    }
}

impl Loaded {
    /// Shorthand for the common case.
    pub fn into_dataset(self) -> Dataset {
        self.dataset
    }
}

impl From<Loaded> for Dataset {
    fn from(l: Loaded) -> Dataset {
        l.dataset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_from_partial_json() {
        let o: ReadOptions = serde_json::from_str(r#"{"filename":"x.csv"}"#).unwrap();
        assert_eq!(o, ReadOptions { filename: Some("x.csv".into()), ..ReadOptions::default() });
        assert!(o.has_header);
        let o: ReadOptions =
            serde_json::from_str(r#"{"delimiter":"tab","decimalComma":true,"sheet":1,"hasHeader":false}"#).unwrap();
        assert_eq!((o.delimiter, o.decimal_comma, o.sheet.as_deref(), o.has_header), (Some(b'\t'), true, Some("1"), false));
        let o: ReadOptions = serde_json::from_str(r#"{"delimiter":";","delimiter_unused":0}"#).unwrap();
        assert_eq!(o.delimiter, Some(b';'));
        assert!(serde_json::from_str::<ReadOptions>(r#"{"delimiter":";;"}"#).is_err());
        let o: ReadOptions = serde_json::from_str(r#"{"delimiter":null,"sheet":null}"#).unwrap();
        assert_eq!(o, ReadOptions::default());
    }

    #[test]
    fn custom_missing_tokens() {
        let opts = ReadOptions { missing: Some(vec!["n.a.".into()]), ..ReadOptions::default() };
        let l = read_bytes(b"a,b\n1,n.a.\n2,\nNA,3\n", &opts).unwrap();
        assert_eq!(l.dataset.numeric("b").unwrap().iter().filter(|v| v.is_nan()).count(), 2);
        assert!(l.dataset.numeric("a").is_err()); // NA is no longer missing
    }
}
