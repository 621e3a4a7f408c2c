//! Reading the records after the header: data rows, blank lines, trailing delimiters,
//! units rows, ragged rows, trailing notes (rules: the parent module), with the line each
//! row starts on; and the second pass that recovers the original text of numbers.

use super::{field_str, parse_error, records, CsvOptions, SkippedRow, MAX_LISTED_SKIPS};
use crate::data::infer::{classify, trim, Cell, ColumnBuilder, NumberParser};
use crate::error::{ErrorKind, Result};
use ::csv::{ByteRecord, Reader};

/// What to do with one record.
pub(super) enum Verdict {
    Row,
    Skip(String),
}

pub(super) fn judge(rec: &ByteRecord, ncols: usize, trailing: &mut usize) -> std::result::Result<Verdict, usize> {
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
pub(super) struct LineCounter<'a> {
    text: &'a [u8],
    byte: usize,
    line: u64,
}

impl LineCounter<'_> {
    /// A counter at the start of `text`, which starts on line `first_line`.
    pub(super) fn new(text: &[u8], first_line: u64) -> LineCounter<'_> {
        LineCounter { text, byte: 0, line: first_line }
    }

    /// Line of the record whose `csv` position is `byte`. That position is where the
    /// previous record ended, before skipped empty lines and a CRLF's `\n`, so
    /// line terminators are skipped first.
    pub(super) fn line_at(&mut self, byte: usize) -> u64 {
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

/// A record that may be a trailing note: (line, fields, its field count if ragged).
type Pending = (u64, ByteRecord, Option<usize>);

/// The data rows as they are read, and the rows skipped on the way.
pub(super) struct Body<'o> {
    opts: &'o CsvOptions,
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
}

impl<'o> Body<'o> {
    /// An empty body under the header `names`; `skipped` are the title lines above it.
    pub(super) fn new(names: &[String], opts: &'o CsvOptions, skipped: Vec<SkippedRow>) -> Body<'o> {
        Body {
            opts,
            ncols: names.len(),
            builders: names.iter().map(|n| ColumnBuilder::new(n.clone(), 0)).collect(),
            lines: Vec::new(),
            rows_skipped: skipped.len(),
            skipped,
            trailing: 0,
            units_left: opts.skip_units_rows,
            pending: Vec::new(),
            parser: NumberParser::new(opts.decimal_comma),
        }
    }

    /// Reads the records after the header to the end. `first_is_data`: the record already
    /// in `rec` is data (no header). `progress(fraction)` every 8192 records; `false` cancels.
    pub(super) fn read(
        &mut self,
        rdr: &mut Reader<&[u8]>,
        rec: &mut ByteRecord,
        first_is_data: bool,
        counter: &mut LineCounter,
        progress: &mut dyn FnMut(f64) -> bool,
    ) -> Result<()> {
        let text_len = counter.text.len();
        let total = text_len.max(1) as f64;
        let mut first = first_is_data;
        let mut count = 0usize;
        loop {
            if !first {
                match rdr.read_byte_record(rec) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => return Err(parse_error(e)),
                }
            }
            first = false;
            count += 1;
            let pos = rec.position();
            let line = counter.line_at(pos.map_or(0, |p| p.byte() as usize));
            if count % 8192 == 0 && !progress(pos.map_or(0.0, |p| p.byte() as f64 / total)) {
                return Err(ErrorKind::Cancelled.into());
            }
            let verdict = judge(rec, self.ncols, &mut self.trailing);
            if self.hold_as_note(rec, &verdict, line)? {
                continue;
            }
            self.take(rec, verdict, line, pos.map_or(0, |p| p.byte() as usize), text_len)?;
        }
        Ok(())
    }

    /// Puts a record that may be a trailing note in `pending` (true), or replays the
    /// pending ones as rows before a data row. Cheap for ordinary rows: only a row whose
    /// first field is non-numeric text is examined.
    fn hold_as_note(&mut self, rec: &ByteRecord, verdict: &std::result::Result<Verdict, usize>, line: u64) -> Result<bool> {
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
                self.pending.push((line, rec.clone(), None));
                return Ok(true);
            }
            Err(found) if first_text && !self.opts.skip_ragged && (note_like || n_non_empty == 1) => {
                self.pending.push((line, rec.clone(), Some(*found)));
                return Ok(true);
            }
            Ok(Verdict::Row) if !self.pending.is_empty() => {
                // Not notes after all: replay them.
                for (pline, prec, ragged) in std::mem::take(&mut self.pending) {
                    if let Some(found) = ragged {
                        return Err(ErrorKind::RaggedRow { line: pline, found, expected: self.ncols }.into());
                    }
                    self.push_row(&prec, pline);
                }
            }
            _ => {}
        }
        Ok(false)
    }

    /// A record by its verdict: a units row, a data row, a skipped row or a ragged-row error.
    /// `byte`: where it starts; `text_len`: the text's length (to reserve for the rows).
    fn take(&mut self, rec: &ByteRecord, verdict: std::result::Result<Verdict, usize>, line: u64, byte: usize, text_len: usize) -> Result<()> {
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

    fn push_row(&mut self, rec: &ByteRecord, line: u64) {
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
    let mut rec = ByteRecord::new();
    let upto = builders.iter().map(ColumnBuilder::needs_recovery).max().unwrap_or(0);
    if upto > 0 {
        let mut rdr = records(delimiter).from_reader(text);
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
