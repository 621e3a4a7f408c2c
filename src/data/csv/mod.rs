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

mod header;
mod rows;
mod sniff;
pub mod tokenize;

pub use header::near_duplicate_names;
pub use rows::looks_like_note;
pub use sniff::sniff_delimiter;

use super::dataset::Dataset;
use super::infer::{trim, ColumnBuilder, ColumnStats, MissingSet};
use crate::diagnostics::{Code, Diagnostic};
use crate::error::{ErrorKind, Result};
use ::csv::ReaderBuilder;
use header::{check_names, drop_empty_unnamed, read_header};
use rows::{recover_late_text, Body};
use tokenize::Tokenizer;
use serde::Serialize;
use sniff::{count_title_lines, sep_hint, sniff_decimal_comma};

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

/// A reader of raw records: no header handling, any field count, this delimiter.
fn records(delimiter: u8) -> ReaderBuilder {
    let mut b = ReaderBuilder::new();
    b.has_headers(false).flexible(true).delimiter(delimiter);
    b
}

fn field_str(f: &[u8]) -> String {
    String::from_utf8_lossy(trim(f)).into_owned()
}

/// Reads a UTF-8 CSV text (BOM already removed). `progress(fraction)` is called
/// every few thousand rows; returning `false` cancels with [`ErrorKind::Cancelled`].
pub fn read_csv(text: &[u8], opts: &CsvOptions, progress: &mut dyn FnMut(f64) -> bool) -> Result<CsvOutput> {
    let mut st = Started::new(text, opts, true)?;
    let (body_text, mut pos) = (&text[st.skip..], st.pos);
    st.body.feed(&mut st.tok, body_text, &mut pos, true, 0, body_text.len(), progress)?;
    st.end(Some(body_text), progress)
}

/// True when `text` (the start of a longer text) is long enough for [`Started::new`]:
/// more than 64 KiB and 31 complete non-blank records.
pub(crate) fn layout_ready(text: &[u8], opts: &CsvOptions) -> bool {
    if text.len() <= 64 * 1024 {
        return false;
    }
    let rest = sep_hint(text).map_or(text, |(_, r)| r);
    let delimiter = opts.delimiter.or(sep_hint(text).map(|(d, _)| d)).unwrap_or_else(|| sniff_delimiter(rest));
    let mut tok = Tokenizer::new(delimiter, 1);
    let (mut pos, mut n) = (0usize, 0usize);
    while n < 31 {
        match tok.next(rest, &mut pos, false) {
            tokenize::Step::Record(r, _) => n += usize::from(!r.iter().all(|f| trim(f).is_empty())),
            _ => return false,
        }
    }
    true
}

/// A CSV read under way: the layout decided from the start of the text, the header
/// read, the tokenizer positioned on the first data record.
pub(crate) struct Started {
    pub(crate) tok: Tokenizer,
    /// Bytes of an Excel `sep=` hint line at the start (not part of the records).
    pub(crate) skip: usize,
    /// Where the data records start, in the text after `skip`.
    pub(crate) pos: usize,
    body: Body,
    header: header::Header,
    n_titles: usize,
    /// The options in force (decimal comma possibly detected).
    pub(crate) opts: CsvOptions,
    warnings: Vec<Diagnostic>,
}

impl Started {
    /// Decides the layout from the start of a UTF-8 text (the whole text when `eof`;
    /// otherwise it must hold the first 64 KiB and the first 31 non-blank records) and
    /// reads the header.
    pub(crate) fn new(text: &[u8], opts: &CsvOptions, eof: bool) -> Result<Started> {
        if eof && text.iter().all(u8::is_ascii_whitespace) {
            return Err(ErrorKind::EmptyFile.into());
        }
        let mut warnings = Vec::new();
        let (rest, first_line, hinted) = match sep_hint(text) {
            Some((d, rest)) => (rest, 2, Some(d)),
            None => (text, 1, None),
        };
        let skip = text.len() - rest.len();
        let delimiter = opts.delimiter.or(hinted).unwrap_or_else(|| sniff_delimiter(rest));
        let opts = decimal_mark(opts, rest, delimiter, &mut warnings);
        let n_titles = if opts.has_header { count_title_lines(rest, delimiter) } else { 0 };
        let mut tok = Tokenizer::new(delimiter, first_line);
        let mut pos = 0usize;
        let header = read_header(&mut tok, rest, &mut pos, eof, n_titles, &opts, &mut warnings)?;
        check_names(&header.names, &mut warnings)?;
        let body = Body::new(&header.names, &opts, header.title_skips.clone());
        Ok(Started { tok, skip, pos, body, header, n_titles, opts, warnings })
    }

    /// Feeds more text (after what was fed before; `input[*pos..]` is new, complete
    /// records are consumed and `*pos` moves past them).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn feed(
        &mut self,
        input: &[u8],
        pos: &mut usize,
        eof: bool,
        offset: usize,
        total: usize,
        progress: &mut dyn FnMut(f64) -> bool,
    ) -> Result<()> {
        self.body.feed(&mut self.tok, input, pos, eof, offset, total, progress)
    }

    /// Columns whose earliest numbers' text must be recovered from the text (0: none).
    pub(crate) fn needs_recovery(&self) -> usize {
        self.body.builders.iter().map(ColumnBuilder::needs_recovery).max().unwrap_or(0)
    }

    /// After the last record: trailing notes, warnings, the recovery pass over `text`
    /// (the text after the `sep=` line; required when [`Started::needs_recovery`] is
    /// not 0), unnamed empty columns dropped, the columns finished.
    pub(crate) fn end(mut self, text: Option<&[u8]>, progress: &mut dyn FnMut(f64) -> bool) -> Result<CsvOutput> {
        let body = &mut self.body;
        let (opts, mut warnings) = (&self.opts, self.warnings);
        let ncols = self.header.names.len();
        body.skip_trailing_notes();
        if body.trailing > 0 {
            warnings.push(Diagnostic::info(Code::FieldsIgnored, format!(
                "{} row(s) had empty fields beyond the {ncols} header columns (trailing delimiters); they were ignored",
                body.trailing
            )));
        }
        // Recovery pass: original text of numbers in columns that turned to text late.
        if let Some(text) = text {
            let delimiter = self.tok.delimiter();
            recover_late_text(text, delimiter, self.n_titles, opts, ncols, &mut body.builders, &mut body.parser);
        }
        // Unnamed columns without a single value (a trailing delimiter on every line): dropped.
        if opts.has_header {
            drop_empty_unnamed(&mut body.builders, &self.header.unnamed, &self.header.named_at, &mut warnings);
        }
        let delimiter = self.tok.delimiter();
        let (dataset, stats) = ColumnBuilder::finish_all(std::mem::take(&mut body.builders), std::mem::take(&mut body.lines))?;
        progress(1.0);
        let (rows_skipped, skipped) = (body.rows_skipped, std::mem::take(&mut body.skipped));
        Ok(CsvOutput { dataset, delimiter, rows_skipped, skipped, stats, warnings, decimal_comma: opts.decimal_comma })
    }
}

/// The options with the decimal comma switched on when the sample shows one (`;` or tab
/// delimiter only), with a note; and a warning when a decimal comma meets a `,` delimiter.
fn decimal_mark(opts: &CsvOptions, text: &[u8], delimiter: u8, warnings: &mut Vec<Diagnostic>) -> CsvOptions {
    let mut opts = opts.clone();
    if !opts.decimal_comma && matches!(delimiter, b';' | b'\t') {
        if let Some(example) = sniff_decimal_comma(text, delimiter) {
            opts.decimal_comma = true;
            warnings.push(Diagnostic::info(Code::DecimalComma, format!(
                "numbers use a decimal comma (e.g. `{example}`); they were read with `,` as the decimal mark"
            )));
        }
    }
    if opts.decimal_comma && delimiter == b',' {
        warnings.push(Diagnostic::warning(Code::DecimalComma,
            "decimal comma with a comma delimiter: numbers such as 1,5 must be quoted, otherwise they split into two fields",
        ));
    }
    opts
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

    /// The columns, statistics, skipped rows and warnings of a read, as text (bit-exact numbers).
    fn summary(out: &Result<CsvOutput>) -> String {
        match out {
            Ok(o) => format!("{:?}|{:?}|{:?}|{:?}|{:?}", o.dataset, o.stats, o.skipped, o.warnings, o.rows_skipped),
            Err(e) => format!("error: {e}"),
        }
    }

    /// Numbers read while tokenizing (`Scanned`) give exactly what classifying every field
    /// gives, on random texts full of near-numbers, blanks, quotes, notes and ragged rows.
    #[test]
    fn scanned_numbers_read_like_classified_fields() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(23);
        let atoms = [
            "1", "-2.5", "+3.", ".5", "007", "12345678901234567890", "9007199254740993", "1e3", "-", ".", "NA", "",
            " 4 ", "x", "\"5\"", "1,5", "0.000000000000000000001", "-0", "注：来源", "3.14159265358979", "99999999.99999999",
        ];
        for case in 0..3000 {
            let ncols = rng.random_range(1..5);
            let mut text: String = (0..ncols).map(|j| format!("c{j}")).collect::<Vec<_>>().join(",");
            text.push('\n');
            for _ in 0..rng.random_range(0..40) {
                let n = if rng.random_bool(0.95) { ncols } else { rng.random_range(1..6) };
                let row: Vec<&str> = (0..n).map(|_| atoms[rng.random_range(0..atoms.len())]).collect();
                text.push_str(&row.join(","));
                text.push_str(["\n", "\r\n", "\r"][rng.random_range(0..3)]);
            }
            let mut opts = CsvOptions { skip_ragged: rng.random_bool(0.5), ..CsvOptions::default() };
            if rng.random_bool(0.2) {
                opts.missing = MissingSet::new(&["", "-999", "NA"]);
                text = text.replace("007", "-999");
            }
            let scanned = read_csv(text.as_bytes(), &opts, &mut |_| true);
            let classified = read_unscanned(text.as_bytes(), &opts);
            assert_eq!(summary(&scanned), summary(&classified), "case {case}: {text:?}");
        }
    }

    /// [`read_csv`] with every field classified (no numbers taken from the tokenizer's scan).
    fn read_unscanned(text: &[u8], opts: &CsvOptions) -> Result<CsvOutput> {
        let mut st = Started::new(text, opts, true)?;
        st.body.scanned_ok = false;
        let (body_text, mut pos) = (&text[st.skip..], st.pos);
        st.body.feed(&mut st.tok, body_text, &mut pos, true, 0, body_text.len(), &mut |_| true)?;
        st.end(Some(body_text), &mut |_| true)
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
