//! CSV reading (RFC 4180) on top of the `csv` crate, with our own policies.
//!
//! * **Quoting**: `"` quotes, `""` inside quotes is a literal quote, quoted
//!   fields may hold delimiters and newlines. Lines (1-based, as an editor shows
//!   them) therefore differ from rows; every row remembers the line it starts on
//!   (`Dataset::source_line`), so errors point into the file.
//! * **Delimiter**: given, or sniffed among `,` tab `;` `|`: on the first 64 KiB
//!   (quote-aware, up to 100 records) the candidate whose header has ≥ 2 fields and
//!   that gives the most later records with the header's field count wins (ties:
//!   more fields, then the order `,` tab `;` `|`). A file with one column reads as `,`.
//!   The "header" for sniffing is the most common field count of the sample (so a
//!   title line above the header does not decide). Excel's hint line `sep=;` as the
//!   first line sets the delimiter and is not a record (lines still count it).
//! * **Decimal comma**, when not asked for: switched on (with a warning) for a `;`- or
//!   tab-delimited file whose sample has numbers such as `1,5` that are unambiguous
//!   (digits after the comma not exactly three) and no `.`-decimal number such as `1.5`.
//! * **Title lines** above the header (`表1 变量描述`, a report title, blank-padded
//!   `Title,,,`): leading records with at most one non-empty field are skipped and
//!   listed (`title line above the header`) when a later record among the first 30
//!   has two or more non-empty fields.
//! * **Trailing notes** (`注：数据来源…`, `Source: …`, `Note: …`): rows at the end
//!   of the file after the last data row that either have fewer/more fields than the
//!   header and start with a non-numeric text, or have the header's field count but
//!   only one non-empty field that starts like a note (`注`, `说明`, `资料来源`,
//!   `数据来源`, `来源`, `备注`, `note`, `source`, `*`) are skipped and listed as
//!   `trailing note`. A short row followed by more data is still a ragged-row error.
//! * **Header**: the first non-blank record (unless `has_header = false`, then
//!   columns are named `column_1`, `column_2`, …). Names are trimmed. A blank name
//!   is replaced by `column_<position>` with a warning; a header whose names are all
//!   blank, or all numbers (it is data), is a [`ErrorKind::NoHeader`] error;
//!   duplicate names are a [`ErrorKind::DuplicateColumn`] error.
//! * **Ragged rows** (field count ≠ header's): an error `line 17 has 9 fields,
//!   header has 11` by default; with `skip_ragged` the row is skipped and listed in
//!   the report with its line and reason. Two tolerated cases: extra fields that
//!   are all empty (`1,2,3,,` under a 3-name header — trailing delimiters written
//!   by spreadsheets) are ignored with a warning, and a line holding only
//!   whitespace is skipped and listed as `blank line`. Entirely empty lines are
//!   not records at all.
//! * **Values**: see [`super::infer`].

use super::dataset::Dataset;
use super::infer::{classify, trim, Cell, ColumnBuilder, ColumnStats, MissingSet, NumberParser};
use crate::diagnostics::{Code, Diagnostic};
use crate::error::{Error, ErrorKind, Result};
use ::csv::{ByteRecord, ReaderBuilder};
use serde::Serialize;

/// Candidate delimiters, in order of preference on ties.
pub const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];

/// A row left out of the dataset, with its 1-based line and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedRow {
    /// 1-based line where the row starts.
    pub line: u64,
    /// Why it was skipped (`"has 9 fields, header has 11"`, `"blank line"`).
    pub reason: String,
}

/// At most this many skipped rows are listed individually (all are counted).
pub const MAX_LISTED_SKIPS: usize = 1000;

/// Options of the CSV reader.
#[derive(Debug, Clone)]
pub struct CsvOptions {
    /// Field delimiter; `None` = sniff.
    pub delimiter: Option<u8>,
    /// `,` is the decimal mark.
    pub decimal_comma: bool,
    /// Missing-value tokens.
    pub missing: MissingSet,
    /// First record holds the column names.
    pub has_header: bool,
    /// Skip (and report) ragged rows instead of failing.
    pub skip_ragged: bool,
    /// Skip this many first data rows as units rows (set by [`super::read`] after detection).
    pub skip_units_rows: usize,
}

impl Default for CsvOptions {
    fn default() -> CsvOptions {
        CsvOptions {
            delimiter: None,
            decimal_comma: false,
            missing: MissingSet::default_set(),
            has_header: true,
            skip_ragged: false,
            skip_units_rows: 0,
        }
    }
}

/// What the CSV reader produced.
#[derive(Debug, Clone)]
pub struct CsvOutput {
    /// The data (with source lines).
    pub dataset: Dataset,
    /// The delimiter used.
    pub delimiter: u8,
    /// Number of rows skipped.
    pub rows_skipped: usize,
    /// The first [`MAX_LISTED_SKIPS`] skipped rows.
    pub skipped: Vec<SkippedRow>,
    /// Per-column statistics, in column order.
    pub stats: Vec<ColumnStats>,
    /// Non-fatal remarks.
    pub warnings: Vec<Diagnostic>,
    /// The decimal comma was used (asked for or detected).
    pub decimal_comma: bool,
}

/// Guesses the delimiter of a CSV text (see module docs).
pub fn sniff_delimiter(text: &[u8]) -> u8 {
    const LIMIT: usize = 64 * 1024;
    let (sample, truncated) = if text.len() > LIMIT {
        let cut = text[..LIMIT].iter().rposition(|&b| b == b'\n').map_or(LIMIT, |p| p + 1);
        (&text[..cut], true)
    } else {
        (text, false)
    };
    let mut best = (b',', (false, 0usize, 0usize));
    for &d in &CANDIDATES {
        let mut rdr = ReaderBuilder::new().has_headers(false).flexible(true).delimiter(d).from_reader(sample);
        let mut rec = ByteRecord::new();
        let mut lens = Vec::new();
        while lens.len() < 101 {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => lens.push(rec.len()),
                _ => break,
            }
        }
        if truncated && lens.len() > 1 && lens.len() < 101 {
            lens.pop();
        }
        if lens.is_empty() {
            continue;
        }
        // The most common field count (ties: more fields) stands for the header.
        let mut counts: Vec<(usize, usize)> = Vec::new();
        for &l in &lens {
            match counts.iter_mut().find(|(k, _)| *k == l) {
                Some((_, c)) => *c += 1,
                None => counts.push((l, 1)),
            }
        }
        let Some(&(hdr, n_hdr)) = counts.iter().max_by_key(|(k, c)| (*c, *k)) else { continue };
        let consistent = n_hdr - 1;
        let score = (hdr >= 2, consistent, hdr);
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

/// What to do with one record.
enum Verdict {
    Row,
    Skip(String),
}

fn judge(rec: &ByteRecord, ncols: usize, trailing: &mut usize) -> std::result::Result<Verdict, usize> {
    let n = rec.len();
    if n == ncols {
        return Ok(Verdict::Row);
    }
    if n > ncols && rec.iter().skip(ncols).all(|f| trim(f).is_empty()) {
        *trailing += 1;
        return Ok(Verdict::Row);
    }
    if n == 1 && trim(&rec[0]).is_empty() {
        return Ok(Verdict::Skip("blank line".into()));
    }
    Err(n)
}

/// 1-based line numbers from byte offsets, counting `\n`, `\r\n` and a lone `\r`
/// (old Mac files) as one line break each. Queries must not go backwards.
struct LineCounter<'a> {
    text: &'a [u8],
    byte: usize,
    line: u64,
}

impl LineCounter<'_> {
    /// Line of the record whose `csv` position is `byte`. That position is where the
    /// previous record ended, before skipped empty lines and a CRLF's `\n`, so
    /// line terminators are skipped first.
    fn line_at(&mut self, byte: usize) -> u64 {
        let mut end = byte.min(self.text.len());
        while end < self.text.len() && matches!(self.text[end], b'\r' | b'\n') {
            end += 1;
        }
        if end > self.byte {
            let chunk = &self.text[self.byte..end];
            let mut breaks = chunk.iter().filter(|&&b| b == b'\n').count();
            if chunk.contains(&b'\r') {
                breaks += (self.byte..end)
                    .filter(|&i| self.text[i] == b'\r' && self.text.get(i + 1) != Some(&b'\n'))
                    .count();
            }
            self.line += breaks as u64;
            self.byte = end;
        }
        self.line
    }
}

/// Starts like a footnote (`注：`, `Source:`, `* p<0.1`).
pub fn looks_like_note(s: &str) -> bool {
    let t = s.trim_start();
    let lower = t.to_lowercase();
    ["注", "说明", "资料来源", "数据来源", "来源", "备注", "*", "note", "source", "资料", "數據來源", "註"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// `sep=X` (Excel's delimiter hint) as the first line: the delimiter and the rest of the text.
fn sep_hint(text: &[u8]) -> Option<(u8, &[u8])> {
    let end = text.iter().position(|&b| b == b'\n' || b == b'\r')?;
    let line = &text[..end];
    let rest = &text[end..];
    let rest = rest.strip_prefix(b"\r\n").or_else(|| rest.strip_prefix(b"\n")).or_else(|| rest.strip_prefix(b"\r"))?;
    let d = match trim(line) {
        [b's' | b'S', b'e' | b'E', b'p' | b'P', b'=', d] => *d,
        [b'"', b's' | b'S', b'e' | b'E', b'p' | b'P', b'=', d, b'"'] => *d,
        b"sep=\\t" | b"SEP=\\t" => b'\t',
        _ => return None,
    };
    (d.is_ascii() && d != b'"').then_some((d, rest))
}

/// Decimal comma detection on a sample (see module docs).
fn sniff_decimal_comma(text: &[u8], delimiter: u8) -> Option<String> {
    let sample = &text[..text.len().min(64 * 1024)];
    let mut rdr = ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(sample);
    let mut rec = ByteRecord::new();
    let (mut comma, mut dot) = (None, 0usize);
    let mut n = 0;
    while n < 200 && matches!(rdr.read_byte_record(&mut rec), Ok(true)) {
        n += 1;
        for f in rec.iter() {
            let f = trim(f);
            let body = f.strip_prefix(b"-").unwrap_or(f);
            let digits = |b: &[u8]| !b.is_empty() && b.iter().all(u8::is_ascii_digit);
            if let Some(p) = body.iter().position(|&c| c == b',') {
                let (a, b) = (&body[..p], &body[p + 1..]);
                if digits(a) && digits(b) && b.len() != 3 && comma.is_none() {
                    comma = Some(String::from_utf8_lossy(f).into_owned());
                }
            } else if let Some(p) = body.iter().position(|&c| c == b'.') {
                let (a, b) = (&body[..p], &body[p + 1..]);
                if digits(a) && digits(b) && b.len() != 3 {
                    dot += 1;
                }
            }
        }
    }
    if dot == 0 {
        comma
    } else {
        None
    }
}

fn field_str(f: &[u8]) -> String {
    String::from_utf8_lossy(trim(f)).into_owned()
}

/// Reads a UTF-8 CSV text (BOM already removed). `progress(fraction)` is called
/// every few thousand rows; returning `false` cancels with [`ErrorKind::Cancelled`].
pub fn read_csv(text: &[u8], opts: &CsvOptions, progress: &mut dyn FnMut(f64) -> bool) -> Result<CsvOutput> {
    if text.iter().all(u8::is_ascii_whitespace) {
        return Err(ErrorKind::EmptyFile.into());
    }
    let mut warnings = Vec::new();
    let mut first_line = 1u64;
    let mut hinted = None;
    let text = match sep_hint(text) {
        Some((d, rest)) => {
            first_line = 2;
            hinted = Some(d);
            rest
        }
        None => text,
    };
    let delimiter = opts.delimiter.or(hinted).unwrap_or_else(|| sniff_delimiter(text));
    let mut opts = opts.clone();
    if !opts.decimal_comma && matches!(delimiter, b';' | b'\t') {
        if let Some(example) = sniff_decimal_comma(text, delimiter) {
            opts.decimal_comma = true;
            warnings.push(Diagnostic::info(Code::DecimalComma, format!(
                "numbers use a decimal comma (e.g. `{example}`); they were read with `,` as the decimal mark"
            )));
        }
    }
    let opts = &opts;
    // Title lines above the header.
    let mut title_skips: Vec<SkippedRow> = Vec::new();
    let n_titles = if opts.has_header { count_title_lines(text, delimiter) } else { 0 };
    if opts.decimal_comma && delimiter == b',' {
        warnings.push(Diagnostic::warning(Code::DecimalComma,
            "decimal comma with a comma delimiter: numbers such as 1,5 must be quoted, otherwise they split into two fields",
        ));
    }
    let builder = || {
        let mut b = ReaderBuilder::new();
        b.has_headers(false).flexible(true).delimiter(delimiter);
        b
    };
    let mut rdr = builder().from_reader(text);
    let mut rec = ByteRecord::new();
    let mut first = true;
    let mut counter = LineCounter { text, byte: 0, line: first_line };
    let mut titles_left = n_titles;
    let mut unnamed: Vec<bool> = Vec::new();
    // (column, position in `warnings`) of each "column has no name" warning.
    let mut named_at: Vec<(usize, usize)> = Vec::new();
    // Header.
    let names: Vec<String> = loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => return Err(ErrorKind::EmptyFile.into()),
            Err(e) => return Err(Error::parse(e.position().map(|p| p.line()), e.to_string())),
        }
        if rec.iter().all(|f| trim(f).is_empty()) {
            continue; // whitespace-only lines before the header
        }
        if titles_left > 0 {
            titles_left -= 1;
            let line = counter.line_at(rec.position().map_or(0, |p| p.byte() as usize));
            let title = rec.iter().map(field_str).find(|f| !f.is_empty()).unwrap_or_default();
            title_skips.push(SkippedRow { line, reason: format!("title line above the header (`{title}`)") });
            continue;
        }
        if !opts.has_header {
            unnamed = vec![false; rec.len()];
            break (1..=rec.len()).map(|j| format!("column_{j}")).collect();
        }
        first = false;
        let line = counter.line_at(rec.position().map_or(0, |p| p.byte() as usize));
        let raw: Vec<String> = rec.iter().map(field_str).collect();
        let mut parser = NumberParser::new(opts.decimal_comma);
        if raw.iter().all(|n| parser.parse(n.as_bytes()).is_some()) {
            let shown: Vec<&str> = raw.iter().take(3).map(String::as_str).collect();
            return Err(ErrorKind::NoHeader {
                detail: format!(
                    "line {line} looks like data, not column names (`{}`); set has_header to false to name columns column_1, column_2, …",
                    shown.join("`, `")
                ),
            }
            .into());
        }
        let mut names = Vec::with_capacity(raw.len());
        for (j, n) in raw.into_iter().enumerate() {
            unnamed.push(n.is_empty());
            if n.is_empty() {
                let auto = format!("column_{}", j + 1);
                named_at.push((j, warnings.len()));
                warnings.push(Diagnostic::warning(Code::HeaderRepaired, format!("column {} has no name in the header; it was named `{auto}`", j + 1)));
                names.push(auto);
            } else {
                names.push(n);
            }
        }
        break names;
    };
    for j in 0..names.len() {
        if let Some(k) = names[..j].iter().position(|p| *p == names[j]) {
            return Err(ErrorKind::DuplicateColumn { name: names[j].clone(), first: k, second: j }.into());
        }
    }
    near_duplicate_names(&names, &mut warnings);
    let ncols = names.len();
    let total = text.len().max(1) as f64;
    let mut builders: Vec<ColumnBuilder> = names.iter().map(|n| ColumnBuilder::new(n.clone(), 0)).collect();
    let mut lines: Vec<u64> = Vec::new();
    let mut rows_skipped = title_skips.len();
    let mut skipped = title_skips;
    let mut trailing = 0usize;
    let mut units_left = opts.skip_units_rows;
    // Rows that may be trailing notes: (line, fields, ragged field count if ragged).
    let mut pending: Vec<(u64, ByteRecord, Option<usize>)> = Vec::new();
    let mut parser = NumberParser::new(opts.decimal_comma);
    let mut count = 0usize;
    // `first` is true when the already-read record is data (has_header = false).
    loop {
        if !first {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(Error::parse(e.position().map(|p| p.line()), e.to_string())),
            }
        }
        first = false;
        count += 1;
        let pos = rec.position();
        let line = counter.line_at(pos.map_or(0, |p| p.byte() as usize));
        if count % 8192 == 0 && !progress(pos.map_or(0.0, |p| p.byte() as f64 / total)) {
            return Err(ErrorKind::Cancelled.into());
        }
        let verdict = judge(&rec, ncols, &mut trailing);
        // Possible trailing notes wait in `pending` until a data row (then they are
        // rows / ragged errors after all) or the end of the file (then they are notes).
        // Cheap for ordinary rows: only a row whose first field is non-numeric text is examined.
        let head = rec.get(0).map(trim).unwrap_or_default();
        let first_text = !head.is_empty()
            && !head[0].is_ascii_digit()
            && !matches!(classify(head, &opts.missing, &mut parser), Cell::Number { .. } | Cell::Missing);
        let (note_like, n_non_empty) = if first_text && (verdict.is_err() || rec.iter().skip(1).all(|f| trim(f).is_empty())) {
            (std::str::from_utf8(head).is_ok_and(looks_like_note), rec.iter().filter(|f| !trim(f).is_empty()).count())
        } else {
            (false, 2)
        };
        match &verdict {
            Ok(Verdict::Row) if note_like && n_non_empty == 1 => {
                pending.push((line, rec.clone(), None));
                continue;
            }
            Err(found) if first_text && !opts.skip_ragged && (note_like || n_non_empty == 1) => {
                pending.push((line, rec.clone(), Some(*found)));
                continue;
            }
            Ok(Verdict::Row) if !pending.is_empty() => {
                // Not notes after all: replay them.
                for (pline, prec, ragged) in std::mem::take(&mut pending) {
                    if let Some(found) = ragged {
                        return Err(ErrorKind::RaggedRow { line: pline, found, expected: ncols }.into());
                    }
                    for (b, f) in builders.iter_mut().zip(prec.iter()) {
                        b.push(classify(f, &opts.missing, &mut parser));
                    }
                    lines.push(pline);
                }
            }
            _ => {}
        }
        match verdict {
            Ok(Verdict::Row) if units_left > 0 => {
                units_left -= 1;
                rows_skipped += 1;
                let shown: Vec<String> = rec.iter().map(field_str).filter(|f| !f.is_empty()).collect();
                skipped.push(SkippedRow { line, reason: format!("units row under the header ({})", shown.join(", ")) });
            }
            Ok(Verdict::Row) => {
                for (b, f) in builders.iter_mut().zip(rec.iter()) {
                    b.push(classify(f, &opts.missing, &mut parser));
                }
                lines.push(line);
                if lines.len() == 1024 {
                    // Reserve for the whole file, estimated from the bytes per row so far.
                    let used = pos.map_or(0, |p| p.byte() as usize).max(1);
                    let est = (text.len() as f64 / used as f64 * 1024.0 * 1.05) as usize;
                    let extra = est.saturating_sub(1024).min(100_000_000);
                    lines.reserve(extra);
                    for b in &mut builders {
                        b.reserve(extra);
                    }
                }
            }
            Ok(Verdict::Skip(reason)) => {
                rows_skipped += 1;
                if skipped.len() < MAX_LISTED_SKIPS {
                    skipped.push(SkippedRow { line, reason });
                }
            }
            Err(found) => {
                if opts.skip_ragged {
                    rows_skipped += 1;
                    if skipped.len() < MAX_LISTED_SKIPS {
                        skipped.push(SkippedRow { line, reason: format!("has {found} fields, header has {ncols}") });
                    }
                } else {
                    return Err(ErrorKind::RaggedRow { line, found, expected: ncols }.into());
                }
            }
        }
    }
    for (line, rec, _) in pending {
        rows_skipped += 1;
        let text: String = rec.iter().map(field_str).filter(|f| !f.is_empty()).collect::<Vec<_>>().join(" ");
        let shown: String = text.chars().take(40).collect();
        let ell = if shown.len() < text.len() { "…" } else { "" };
        if skipped.len() < MAX_LISTED_SKIPS {
            skipped.push(SkippedRow { line, reason: format!("trailing note (`{shown}{ell}`)") });
        }
    }
    if trailing > 0 {
        warnings.push(Diagnostic::info(Code::FieldsIgnored, format!(
            "{trailing} row(s) had empty fields beyond the {ncols} header columns (trailing delimiters); they were ignored"
        )));
    }
    // Recovery pass: original text of numbers in columns that turned to text late.
    recover_late_text(text, delimiter, n_titles, opts, ncols, &mut builders, &mut parser);
    // Unnamed columns without a single value (a trailing delimiter on every line): dropped.
    if opts.has_header {
        drop_empty_unnamed(&mut builders, &unnamed, &named_at, &mut warnings);
    }
    let (dataset, stats) = ColumnBuilder::finish_all(builders, lines)?;
    progress(1.0);
    Ok(CsvOutput { dataset, delimiter, rows_skipped, skipped, stats, warnings, decimal_comma: opts.decimal_comma })
}

/// Title lines above the header: the non-blank records before the first one with at
/// least two filled fields (among the first 30 non-blank records).
fn count_title_lines(text: &[u8], delimiter: u8) -> usize {
    let mut rdr = ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text);
    let mut rec = ByteRecord::new();
    let mut filled = Vec::new();
    while filled.len() < 30 && matches!(rdr.read_byte_record(&mut rec), Ok(true)) {
        let k = rec.iter().filter(|f| !trim(f).is_empty()).count();
        if k > 0 {
            filled.push(k);
        }
    }
    match filled.iter().position(|&k| k >= 2) {
        Some(p) if p > 0 => p,
        _ => 0,
    }
}

/// Second pass over the text: the original text of the numbers in columns that turned
/// to text after their first rows (so those cells keep what the file said).
fn recover_late_text(
    text: &[u8],
    delimiter: u8,
    n_titles: usize,
    opts: &CsvOptions,
    ncols: usize,
    builders: &mut [ColumnBuilder],
    parser: &mut NumberParser,
) {
    let builder = || {
        let mut b = ReaderBuilder::new();
        b.has_headers(false).flexible(true).delimiter(delimiter);
        b
    };
    let mut rec = ByteRecord::new();
    let upto = builders.iter().map(ColumnBuilder::needs_recovery).max().unwrap_or(0);
    if upto > 0 {
        let mut rdr = builder().from_reader(text);
        let mut row = 0usize;
        let mut started = false;
        let mut dummy = 0usize;
        let mut titles_left = n_titles;
        let mut units_left = opts.skip_units_rows;
        while row < upto {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                _ => break,
            }
            // Same rules as the first pass: blank records before the first one are
            // skipped, and that first one is the header unless has_header is false.
            if !started {
                if rec.iter().all(|f| trim(f).is_empty()) {
                    continue;
                }
                if titles_left > 0 {
                    titles_left -= 1;
                    continue;
                }
                started = true;
                if opts.has_header {
                    continue;
                }
            }
            if let Ok(Verdict::Row) = judge(&rec, ncols, &mut dummy) {
                if units_left > 0 {
                    units_left -= 1;
                    continue;
                }
                for (b, f) in builders.iter_mut().zip(rec.iter()) {
                    if row < b.needs_recovery() {
                        let text = match classify(f, &opts.missing, parser) {
                            Cell::Missing => None,
                            _ => Some(field_str(f)),
                        };
                        b.recover(row, text);
                    }
                }
                row += 1;
            }
        }
    }
}

/// Drops unnamed columns without a single value (a delimiter at the end of every line),
/// with their "no name" warnings (found by position in `named_at`), and says so.
fn drop_empty_unnamed(
    builders: &mut Vec<ColumnBuilder>,
    unnamed: &[bool],
    named_at: &[(usize, usize)],
    warnings: &mut Vec<Diagnostic>,
) {
    let empty: Vec<usize> = (0..builders.len()).filter(|&j| unnamed[j] && builders[j].is_all_missing()).collect();
    if !empty.is_empty() && empty.len() < builders.len() {
        for &j in empty.iter().rev() {
            builders.remove(j);
        }
        // The dropped columns' "no name" warnings go (by position, latest first).
        for &(_, at) in named_at.iter().rev().filter(|(j, _)| empty.contains(j)) {
            warnings.remove(at);
        }
        warnings.push(Diagnostic::warning(
            Code::HeaderRepaired,
            format!("{} unnamed empty column(s) (a delimiter at the end of every line) were dropped", empty.len()),
        ));
    }
}

/// Warns about column names that differ only in case or inner spaces (`GDP`, `gdp`).
pub fn near_duplicate_names(names: &[String], warnings: &mut Vec<Diagnostic>) {
    let key = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    for j in 0..names.len() {
        if let Some(k) = names[..j].iter().position(|p| key(p) == key(&names[j])) {
            warnings.push(Diagnostic::warning(Code::SimilarColumnNames, format!(
                "columns {} (`{}`) and {} (`{}`) have names that differ only in case or spaces; check they are not the same variable",
                k + 1,
                names[k],
                j + 1,
                names[j]
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ColumnData;

    fn read(s: &str) -> Result<CsvOutput> {
        read_csv(s.as_bytes(), &CsvOptions::default(), &mut |_| true)
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2,5;3\n4;5;6,1\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a|b|c\n\"x|y\"|2|3\n"), b'|');
        assert_eq!(sniff_delimiter(b"name,note\nx,\"a;b;c;d\"\n"), b',');
        assert_eq!(sniff_delimiter(b"single\n1\n2\n"), b',');
    }

    #[test]
    fn recovery_keeps_original_text() {
        let mut s = String::from("id,v\n");
        for i in 0..40 {
            s.push_str(&format!("{},{}\n", if i == 30 { "A12".to_string() } else { format!("00{i}") }, i));
        }
        let out = read(&s).unwrap();
        match &out.dataset.column("id").unwrap().data {
            ColumnData::Text { values, strays } => {
                assert_eq!(values[0].as_deref(), Some("000"));
                assert_eq!(values[29].as_deref(), Some("0029"));
                assert_eq!(values[30].as_deref(), Some("A12"));
                let st = strays.as_ref().unwrap();
                assert_eq!((st.count, st.first_row), (1, 30));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(out.dataset.source_line(30), Some(32));
    }

    #[test]
    fn lines_with_blank_lines_and_old_mac_endings() {
        let out = read("a,b\n\n\n1,2\r\n\r\n3,4\r5,6\n").unwrap();
        let lines: Vec<u64> = (0..3).map(|r| out.dataset.source_line(r).unwrap()).collect();
        assert_eq!(lines, vec![4, 6, 7]);
        let e = read("a,b\n\n1\n").unwrap_err();
        assert_eq!(e.to_string(), "line 3 has 1 fields, header has 2");
    }

    #[test]
    fn recovery_without_header_after_blank_lines() {
        let opts = CsvOptions { has_header: false, ..CsvOptions::default() };
        let mut s = String::from("  \n");
        for i in 0..30 {
            s.push_str(&format!("0{i}\n"));
        }
        s.push_str("x\n");
        let out = read_csv(s.as_bytes(), &opts, &mut |_| true).unwrap();
        let c = out.dataset.column("column_1").unwrap();
        assert_eq!((c.display(0), c.display(29), c.display(30)), ("00".into(), "029".into(), "x".into()));
        assert_eq!(out.dataset.source_line(0), Some(2));
    }

    #[test]
    fn trailing_and_blank() {
        let out = read("a,b\n1,2,,\n  \n3,4\n").unwrap();
        assert_eq!(out.dataset.nrows(), 2);
        assert_eq!(out.rows_skipped, 1);
        assert_eq!(out.skipped[0], SkippedRow { line: 3, reason: "blank line".into() });
        assert_eq!(out.warnings.len(), 1);
    }
}
