//! Reading the records after the header: data rows, blank lines, trailing delimiters,
//! units rows, ragged rows, trailing notes (rules: the parent module), with the line each
//! row starts on; and the second pass that recovers the original text of numbers.

use super::tokenize::{OwnedRec, Rec, Scanned, Step, Tokenizer};
use super::{field_str, CsvOptions, SkippedRow, MAX_LISTED_SKIPS};
use crate::data::infer::{classify, trim, Cell, ColumnBuilder, NumberParser};
use crate::error::{ErrorKind, Result};

/// What to do with one record.
pub(super) enum Verdict {
    Row,
    Skip(String),
}

pub(super) fn judge(rec: &Rec<'_>, ncols: usize, trailing: &mut usize) -> std::result::Result<Verdict, usize> {
    let n = rec.len();
    if n == ncols {
        return Ok(Verdict::Row);
    }
    if n > ncols && rec.iter().skip(ncols).all(|f| trim(f).is_empty()) {
        *trailing += 1;
        return Ok(Verdict::Row);
    }
    if n == 1 && rec.get(0).is_some_and(|f| trim(f).is_empty()) {
        return Ok(Verdict::Skip("blank line".into()));
    }
    Err(n)
}

/// Starts like a footnote (`注：`, `Source:`, `* p<0.1`).
pub fn looks_like_note(s: &str) -> bool {
    let t = s.trim_start();
    let lower = t.to_lowercase();
    ["注", "说明", "资料来源", "数据来源", "来源", "备注", "*", "note", "source", "资料", "數據來源", "註"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// A record that may be a trailing note: (line, fields, its field count if ragged).
type Pending = (u64, OwnedRec, Option<usize>);

/// The data rows as they are read, and the rows skipped on the way.
pub(super) struct Body {
    opts: CsvOptions,
    ncols: usize,
    pub builders: Vec<ColumnBuilder>,
    /// 1-based line of each data row.
    pub lines: Vec<u64>,
    pub rows_skipped: usize,
    pub skipped: Vec<SkippedRow>,
    /// Rows whose extra fields were all empty (trailing delimiters).
    pub trailing: usize,
    units_left: usize,
    /// Possible trailing notes wait here until a data row (then they are rows or ragged
    /// errors after all) or the end of the file (then they are notes).
    pending: Vec<Pending>,
    pub parser: NumberParser,
    /// Records seen (for progress).
    count: usize,
    /// Plain decimals seen by the tokenizer may go straight into the columns: no decimal
    /// comma, and no missing token that reads as a number.
    pub(super) scanned_ok: bool,
    /// The empty field is missing.
    empty_missing: bool,
}

impl Body {
    /// An empty body under the header `names`; `skipped` are the title lines above it.
    pub(super) fn new(names: &[String], opts: &CsvOptions, skipped: Vec<SkippedRow>) -> Body {
        Body {
            opts: opts.clone(),
            ncols: names.len(),
            builders: names.iter().map(|n| ColumnBuilder::new(n.clone(), 0)).collect(),
            lines: Vec::new(),
            rows_skipped: skipped.len(),
            skipped,
            trailing: 0,
            units_left: opts.skip_units_rows,
            pending: Vec::new(),
            parser: NumberParser::new(opts.decimal_comma),
            count: 0,
            scanned_ok: !opts.decimal_comma && !opts.missing.tokens().any(|t| NumberParser::new(false).parse(t).is_some()),
            empty_missing: opts.missing.is_missing(b""),
        }
    }

    /// Reads the complete records of `input` from `*pos` on (all of them when `eof`);
    /// `*pos` ends at the first byte not consumed. `total`: bytes expected overall, and
    /// `offset`: bytes before `input` (for progress and the capacity estimate).
    /// `progress(fraction)` every 8192 records; `false` cancels.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn feed(
        &mut self,
        tok: &mut Tokenizer,
        input: &[u8],
        pos: &mut usize,
        eof: bool,
        offset: usize,
        total: usize,
        progress: &mut dyn FnMut(f64) -> bool,
    ) -> Result<()> {
        let denom = total.max(1) as f64;
        loop {
            let at = *pos;
            let (rec, line, cells) = match tok.next_scanned(input, pos, eof) {
                (Step::Record(rec, line), cells) => (rec, line, cells),
                (Step::NeedMore | Step::End, _) => return Ok(()),
            };
            self.count += 1;
            if self.count % 8192 == 0 && !progress(((offset + at) as f64 / denom).min(1.0)) {
                return Err(ErrorKind::Cancelled.into());
            }
            match cells {
                Some(cells) if self.plain_row(&rec, cells) => {
                    self.push_scanned(&rec, cells, line);
                    if self.lines.len() == 1024 {
                        self.reserve(total, offset + at);
                    }
                }
                _ => self.record(&rec, line, offset + at, total)?,
            }
        }
    }

    /// True when a record whose fields were scanned is an ordinary data row: the header's
    /// field count, a number or nothing first (so not a note), no units row or possible
    /// notes pending — what [`Body::record`] would take as a row without a second look.
    #[inline]
    fn plain_row(&self, rec: &Rec<'_>, cells: &[Scanned]) -> bool {
        self.scanned_ok
            && rec.len() == self.ncols
            && self.units_left == 0
            && self.pending.is_empty()
            && matches!(cells.first(), Some(Scanned::Number(..) | Scanned::Empty))
    }

    /// A data row from its scanned fields: numbers as read, other fields classified.
    fn push_scanned(&mut self, rec: &Rec<'_>, cells: &[Scanned], line: u64) {
        for ((b, f), c) in self.builders.iter_mut().zip(rec.iter()).zip(cells) {
            match *c {
                Scanned::Number(value, integer) => b.push_number(value, integer, f),
                Scanned::Empty if self.empty_missing => b.push_missing(),
                _ => b.push(classify(f, &self.opts.missing, &mut self.parser)),
            }
        }
        self.lines.push(line);
    }

    /// One record after the header, starting on `line` at byte `byte` of `total`.
    pub(super) fn record(&mut self, rec: &Rec<'_>, line: u64, byte: usize, total: usize) -> Result<()> {
        let verdict = judge(rec, self.ncols, &mut self.trailing);
        if self.hold_as_note(rec, &verdict, line)? {
            return Ok(());
        }
        self.take(rec, verdict, line, byte, total)
    }

    /// Puts a record that may be a trailing note in `pending` (true), or replays the
    /// pending ones as rows before a data row. Cheap for ordinary rows: only a row whose
    /// first field is non-numeric text is examined.
    fn hold_as_note(&mut self, rec: &Rec<'_>, verdict: &std::result::Result<Verdict, usize>, line: u64) -> Result<bool> {
        let head = rec.get(0).map(trim).unwrap_or_default();
        let first_text = !head.is_empty()
            && !head[0].is_ascii_digit()
            && !matches!(classify(head, &self.opts.missing, &mut self.parser), Cell::Number { .. } | Cell::Missing);
        let (note_like, n_non_empty) = if first_text && (verdict.is_err() || rec.iter().skip(1).all(|f| trim(f).is_empty())) {
            (std::str::from_utf8(head).is_ok_and(looks_like_note), rec.iter().filter(|f| !trim(f).is_empty()).count())
        } else {
            (false, 2)
        };
        match verdict {
            Ok(Verdict::Row) if note_like && n_non_empty == 1 => {
                self.pending.push((line, rec.to_owned(), None));
                return Ok(true);
            }
            Err(found) if first_text && !self.opts.skip_ragged && (note_like || n_non_empty == 1) => {
                self.pending.push((line, rec.to_owned(), Some(*found)));
                return Ok(true);
            }
            Ok(Verdict::Row) if !self.pending.is_empty() => {
                // Not notes after all: replay them.
                for (pline, prec, ragged) in std::mem::take(&mut self.pending) {
                    if let Some(found) = ragged {
                        return Err(ErrorKind::RaggedRow { line: pline, found, expected: self.ncols }.into());
                    }
                    self.push_row(&prec.as_rec(), pline);
                }
            }
            _ => {}
        }
        Ok(false)
    }

    /// A record by its verdict: a units row, a data row, a skipped row or a ragged-row error.
    /// `byte`: where it starts; `text_len`: the text's length (to reserve for the rows).
    fn take(&mut self, rec: &Rec<'_>, verdict: std::result::Result<Verdict, usize>, line: u64, byte: usize, text_len: usize) -> Result<()> {
        match verdict {
            Ok(Verdict::Row) if self.units_left > 0 => {
                self.units_left -= 1;
                self.rows_skipped += 1;
                let shown: Vec<String> = rec.iter().map(field_str).filter(|f| !f.is_empty()).collect();
                self.skipped.push(SkippedRow { line, reason: format!("units row under the header ({})", shown.join(", ")) });
            }
            Ok(Verdict::Row) => {
                self.push_row(rec, line);
                if self.lines.len() == 1024 {
                    self.reserve(text_len, byte);
                }
            }
            Ok(Verdict::Skip(reason)) => self.skip(line, reason),
            Err(found) => {
                if !self.opts.skip_ragged {
                    return Err(ErrorKind::RaggedRow { line, found, expected: self.ncols }.into());
                }
                let reason = format!("has {found} fields, header has {}", self.ncols);
                self.skip(line, reason);
            }
        }
        Ok(())
    }

    fn push_row(&mut self, rec: &Rec<'_>, line: u64) {
        for (b, f) in self.builders.iter_mut().zip(rec.iter()) {
            b.push(classify(f, &self.opts.missing, &mut self.parser));
        }
        self.lines.push(line);
    }

    /// Reserves for the whole file, estimated from the bytes per row of the first 1024 rows
    /// (`used` bytes).
    fn reserve(&mut self, text_len: usize, used: usize) {
        let used = used.max(1);
        let est = (text_len as f64 / used as f64 * 1024.0 * 1.05) as usize;
        let extra = est.saturating_sub(1024).min(100_000_000);
        self.lines.reserve(extra);
        for b in &mut self.builders {
            b.reserve(extra);
        }
    }

    /// Counts a skipped row, and lists it while fewer than [`MAX_LISTED_SKIPS`] are listed.
    fn skip(&mut self, line: u64, reason: String) {
        self.rows_skipped += 1;
        if self.skipped.len() < MAX_LISTED_SKIPS {
            self.skipped.push(SkippedRow { line, reason });
        }
    }

    /// At the end of the file: the records still pending are trailing notes.
    pub(super) fn skip_trailing_notes(&mut self) {
        for (line, rec, _) in std::mem::take(&mut self.pending) {
            let rec = rec.as_rec();
            let text: String = rec.iter().map(field_str).filter(|f| !f.is_empty()).collect::<Vec<_>>().join(" ");
            let shown: String = text.chars().take(40).collect();
            let ell = if shown.len() < text.len() { "…" } else { "" };
            self.skip(line, format!("trailing note (`{shown}{ell}`)"));
        }
    }
}

/// Second pass over the text: the original text of the numbers in columns that turned
/// to text after their first rows (so those cells keep what the file said).
pub(super) fn recover_late_text(
    text: &[u8],
    delimiter: u8,
    n_titles: usize,
    opts: &CsvOptions,
    ncols: usize,
    builders: &mut [ColumnBuilder],
    parser: &mut NumberParser,
) {
    let upto = builders.iter().map(ColumnBuilder::needs_recovery).max().unwrap_or(0);
    if upto > 0 {
        let mut tok = Tokenizer::new(delimiter, 1);
        let mut pos = 0usize;
        let mut row = 0usize;
        let mut started = false;
        let mut dummy = 0usize;
        let mut titles_left = n_titles;
        let mut units_left = opts.skip_units_rows;
        while row < upto {
            let rec = match tok.next(text, &mut pos, true) {
                Step::Record(rec, _) => rec,
                _ => break,
            };
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
