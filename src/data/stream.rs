//! Streaming CSV: [`CsvStream`] takes a text file in pieces (`push`), so a page can read
//! a `File` slice by slice without holding it whole, and gives the same [`Loaded`] as
//! [`super::read_bytes`] (`finish`). Only the columns are kept, never the text: records
//! split across pieces (quoted newlines, a `\r` then `\n`, a UTF-8 character cut in two)
//! are carried over to the next piece.
//!
//! Decisions that [`super::read_bytes`] takes on the whole file are taken on its start:
//! * **Encoding** on the first 64 KiB (or the whole file when shorter): an `encoding`
//!   option or a BOM decides; else UTF-16 without BOM, a binary file, UTF-8, mostly-UTF-8,
//!   GB18030, Windows-1252 by the rules of [`super::encoding`] applied to that start.
//!   When the start is UTF-8 (or GB18030) and a later piece is not, `push` fails with a
//!   [`ErrorKind::Parse`] error naming the byte offset and advising the `encoding` option
//!   or loading the file whole (read_bytes would then read it in another encoding). A
//!   file with NUL bytes is refused ([`ErrorKind::Binary`]) instead of cleaned.
//! * **Delimiter, decimal comma, title lines, header** on the first 64 KiB and the first
//!   31 non-blank records, as read_bytes does (it looks no further either).
//! * Two cases need a second look at the text, which a stream no longer has: a column
//!   that turns to text after numbers whose text differed from the number's shortest
//!   form... (any number before a later text value), and a units row under the header.
//!   `finish` then fails with an [`ErrorKind::Invalid`] error starting with
//!   [`NEEDS_WHOLE_FILE`]; the caller loads the file whole with read_bytes.
//! * Excel workbooks are not streamed (their zip needs the whole file): `push` fails.

use super::csv::tokenize::{Step, Tokenizer};
use super::csv::{CsvOptions, CsvOutput, Started};
use super::encoding::name_of;
use super::infer::MissingSet;
use super::read::{csv_loaded, detect_format, missing_set, units_row, Format, Loaded, ReadOptions};
use crate::diagnostics::{Code, Diagnostic};
use crate::error::{Error, ErrorKind, Result};
use encoding_rs::{CoderResult, Decoder, DecoderResult, Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// Start of the error message of `finish` when the file must be loaded whole.
pub const NEEDS_WHOLE_FILE: &str = "this file needs the whole-file reader";

/// Bytes of the start on which the encoding and the layout are decided.
const PREFIX: usize = 64 * 1024;

/// How text pieces become UTF-8.
enum Dec {
    /// UTF-8, validated piece by piece (`tail`: an incomplete character at the end of the last
    /// piece; `bom`: a UTF-8 byte-order mark still to drop from the first piece).
    Utf8 { tail: Vec<u8>, bom: bool },
    /// Any other encoding (or UTF-8 with replacement); `strict`: a malformed sequence is an error.
    Other { dec: Decoder, strict: bool, name: &'static str },
}

/// A CSV file read piece by piece (see the module docs).
pub struct CsvStream {
    opts: ReadOptions,
    csv_opts: CsvOptions,
    /// Raw bytes until the encoding is decided.
    raw: Vec<u8>,
    dec: Option<Dec>,
    encoding: &'static str,
    enc_warnings: Vec<Diagnostic>,
    /// U+FFFD written by a replacing decoder (reported like read_bytes does).
    replaced: usize,
    /// Decoded text not consumed yet.
    buf: Vec<u8>,
    /// Decoded bytes consumed before `buf`.
    offset: usize,
    started: Option<Started>,
    next_check: usize,
    raw_seen: u64,
    size_hint: u64,
}

impl CsvStream {
    /// A stream with the same options as [`super::read_bytes`] (`sheet` is ignored).
    pub fn new(opts: &ReadOptions) -> CsvStream {
        let csv_opts = CsvOptions {
            delimiter: opts.delimiter,
            decimal_comma: opts.decimal_comma,
            missing: missing_set(opts),
            has_header: opts.has_header,
            skip_ragged: opts.skip_ragged,
            skip_units_rows: 0,
        };
        CsvStream {
            opts: opts.clone(),
            csv_opts,
            raw: Vec::new(),
            dec: None,
            encoding: "utf-8",
            enc_warnings: Vec::new(),
            replaced: 0,
            buf: Vec::new(),
            offset: 0,
            started: None,
            next_check: PREFIX + 1,
            raw_seen: 0,
            size_hint: 0,
        }
    }

    /// The file's size, when known: capacity is reserved for the rows it will have.
    pub fn size_hint(&mut self, file_bytes: u64) {
        self.size_hint = file_bytes;
    }

    /// The next piece of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        self.raw_seen += chunk.len() as u64;
        if self.dec.is_none() {
            self.raw.extend_from_slice(chunk);
            if self.raw.len() <= PREFIX {
                return Ok(());
            }
            let raw = std::mem::take(&mut self.raw);
            self.decide(&raw, false)?;
            self.decode(&raw, false)?;
        } else {
            self.decode(chunk, false)?;
        }
        self.advance(false)
    }

    /// After the last piece: the dataset and its report, as [`super::read_bytes`] gives them.
    pub fn finish(mut self) -> Result<Loaded> {
        if self.dec.is_none() {
            let raw = std::mem::take(&mut self.raw);
            if raw.is_empty() {
                return Err(ErrorKind::EmptyFile.into());
            }
            self.decide(&raw, true)?;
            self.decode(&raw, true)?;
        } else {
            self.decode(&[], true)?;
        }
        self.advance(true)?;
        let Some(st) = self.started.take() else { return Err(ErrorKind::EmptyFile.into()) };
        if st.needs_recovery() > 0 {
            return Err(Error::new(ErrorKind::NeedsWholeFile {
                reason: "a column turns to text after numbers whose original text must be read again".into(),
            }));
        }
        let out = st.end(None, &mut |_| true)?;
        if self.opts.has_header && units_row(&out.dataset, out.decimal_comma).is_some() {
            return Err(Error::new(ErrorKind::NeedsWholeFile { reason: "the row under the header looks like a units row".into() }));
        }
        Ok(self.report(out))
    }

    fn report(self, out: CsvOutput) -> Loaded {
        let mut warnings = self.enc_warnings;
        if let Some(Dec::Other { strict: false, name, .. }) = &self.dec {
            if self.replaced > 0 {
                warnings.push(Diagnostic::warning(Code::EncodingGuessed, format!(
                    "{} byte sequence(s) are not valid {name} and were replaced by \u{FFFD}",
                    self.replaced
                )));
            }
        }
        let ext = self.opts.filename.as_deref().and_then(|f| f.rsplit_once('.')).map(|(_, e)| e.trim().to_ascii_lowercase()).unwrap_or_default();
        if matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods") {
            warnings.insert(0, Diagnostic::warning(Code::FileFormatNote, format!("the file is named .{ext} but is not an Excel workbook; it was read as text")));
        }
        if self.opts.sheet.is_some() {
            warnings.push(Diagnostic::info(Code::FileFormatNote, "the `sheet` option was ignored: the file is not a workbook"));
        }
        csv_loaded(out, self.encoding, warnings)
    }
}

impl CsvStream {
    /// Decides the encoding from the start of the file (`raw`; all of it when `eof`).
    fn decide(&mut self, raw: &[u8], eof: bool) -> Result<()> {
        if detect_format(raw) != Format::Text {
            return Err(Error::invalid("Excel workbooks are read whole, not streamed: use read_bytes"));
        }
        if let Some(label) = self.opts.encoding.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            let enc = Encoding::for_label(label.as_bytes()).ok_or_else(|| {
                Error::invalid(format!("unknown encoding `{label}` (try utf-8, utf-16le, utf-16be, gb18030, gbk or windows-1252)"))
            })?;
            if let Some((bom_enc, _)) = Encoding::for_bom(raw).filter(|(b, _)| *b != enc) {
                self.enc_warnings.push(Diagnostic::warning(Code::EncodingGuessed, format!(
                    "the file starts with a {} byte-order mark but was decoded as {} as requested",
                    name_of(bom_enc),
                    name_of(enc)
                )));
            }
            return self.other(enc, false, name_of(enc));
        }
        if let Some((enc, _)) = Encoding::for_bom(raw) {
            if enc == UTF_8 {
                // UTF-8 with a BOM (Excel's "CSV UTF-8"): the UTF-8 path, dropping the mark
                self.dec = Some(Dec::Utf8 { tail: Vec::new(), bom: true });
                return Ok(());
            }
            return self.other(enc, false, name_of(enc));
        }
        if raw.contains(&0) {
            let d = super::encoding::decode(raw, None)?;
            let enc = match d.encoding {
                "utf-16le" => UTF_16LE,
                "utf-16be" => UTF_16BE,
                _ => return Err(ErrorKind::Binary { detail: "it contains NUL bytes (load it whole to have them removed)".into() }.into()),
            };
            self.enc_warnings = d.warnings.into_iter().take(1).collect();
            return self.other(enc, false, name_of(enc));
        }
        let sample = &raw[..raw.len().min(8192)];
        let controls = sample.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)).count();
        if controls * 100 > sample.len() {
            return Err(ErrorKind::Binary { detail: format!("{controls} of its first {} bytes are control characters", sample.len()) }.into());
        }
        match std::str::from_utf8(raw) {
            Ok(_) => return Ok(self.dec = Some(Dec::Utf8 { tail: Vec::new(), bom: false })),
            Err(e) if e.error_len().is_none() && !eof => return Ok(self.dec = Some(Dec::Utf8 { tail: Vec::new(), bom: false })),
            Err(_) => {}
        }
        let lossy = String::from_utf8_lossy(raw);
        let bad = lossy.chars().filter(|&c| c == '\u{FFFD}').count();
        let good = lossy.chars().filter(|&c| !c.is_ascii() && c != '\u{FFFD}').count();
        if good >= 10 * bad {
            self.other(UTF_8, false, "UTF-8")?;
            self.encoding = "utf-8";
            return Ok(());
        }
        if !cfg!(feature = "full") {
            return Err(ErrorKind::NotInThisBuild { what: "text that is not UTF-8".into() }.into());
        }
        let mut probe = GB18030.new_decoder_without_bom_handling();
        let mut out = String::with_capacity(probe.max_utf8_buffer_length(raw.len()).unwrap_or(raw.len() * 3));
        if let (DecoderResult::InputEmpty, _) = probe.decode_to_string_without_replacement(raw, &mut out, eof) {
            self.enc_warnings.push(Diagnostic::warning(Code::EncodingGuessed, "the file is not UTF-8; it was read as GB18030/GBK (Chinese)"));
            return self.other(GB18030, true, "gb18030");
        }
        self.enc_warnings.push(Diagnostic::warning(Code::EncodingGuessed,
            "the file is neither UTF-8 nor GB18030; it was read as Windows-1252 (Latin). Pass an explicit encoding if characters look wrong",
        ));
        self.other(WINDOWS_1252, false, "windows-1252")
    }

    /// Decoding from another encoding than UTF-8 (the lean build leaves encoding_rs's decoders
    /// out: `not_in_this_build`, and the page reads the file with the full build).
    fn other(&mut self, enc: &'static Encoding, strict: bool, name: &'static str) -> Result<()> {
        self.encoding = name_of(enc);
        if !cfg!(feature = "full") {
            return Err(ErrorKind::NotInThisBuild { what: format!("text in {}", name_of(enc)) }.into());
        }
        self.dec = Some(Dec::Other { dec: enc.new_decoder_with_bom_removal(), strict, name });
        Ok(())
    }

    /// Decodes a piece into `buf`.
    fn decode(&mut self, bytes: &[u8], last: bool) -> Result<()> {
        let raw_at = self.raw_seen - bytes.len() as u64;
        match &mut self.dec {
            None => Ok(()),
            Some(Dec::Utf8 { tail, bom }) => {
                let start = self.buf.len();
                self.buf.append(tail);
                self.buf.extend_from_slice(bytes);
                if std::mem::take(bom) && self.buf[start..].starts_with(&[0xEF, 0xBB, 0xBF]) {
                    self.buf.drain(start..start + 3);
                }
                if let Err(e) = std::str::from_utf8(&self.buf[start..]) {
                    let valid = start + e.valid_up_to();
                    if e.error_len().is_some() || last {
                        let at = self.offset + valid;
                        return Err(Error::new(ErrorKind::NeedsWholeFile { reason: format!(
                            "byte {at} is not valid UTF-8, though the start of the file is (read whole, mixed encodings are handled)"
                        ) }));
                    }
                    tail.extend_from_slice(&self.buf[valid..]);
                    self.buf.truncate(valid);
                }
                Ok(())
            }
            Some(Dec::Other { .. }) if !cfg!(feature = "full") => {
                Err(ErrorKind::NotInThisBuild { what: format!("text in {}", self.encoding) }.into())
            }
            Some(Dec::Other { dec, strict, .. }) => {
                let cap = dec.max_utf8_buffer_length(bytes.len()).unwrap_or(bytes.len() * 3 + 16);
                let mut out = String::with_capacity(cap);
                if *strict {
                    let (res, read) = dec.decode_to_string_without_replacement(bytes, &mut out, last);
                    if let DecoderResult::Malformed(..) = res {
                        return Err(Error::new(ErrorKind::NeedsWholeFile { reason: format!(
                            "byte {} is not valid {}, though the start of the file is",
                            raw_at + read as u64,
                            self.encoding
                        ) }));
                    }
                } else {
                    let (res, _, _) = dec.decode_to_string(bytes, &mut out, last);
                    debug_assert!(matches!(res, CoderResult::InputEmpty));
                    self.replaced += out.matches('\u{FFFD}').count();
                }
                self.buf.extend_from_slice(out.as_bytes());
                Ok(())
            }
        }
    }

    /// Reads what the decoded text holds: first the layout and header (once the start
    /// is long enough), then complete records.
    fn advance(&mut self, eof: bool) -> Result<()> {
        if self.started.is_none() {
            if !eof {
                if self.buf.len() < self.next_check {
                    return Ok(());
                }
                if !super::csv::layout_ready(&self.buf, &self.csv_opts) {
                    self.next_check = self.buf.len() * 2;
                    return Ok(());
                }
            }
            let st = Started::new(&self.buf, &self.csv_opts, eof)?;
            let consumed = st.skip + st.pos;
            self.buf.drain(..consumed);
            self.offset += consumed;
            self.started = Some(st);
        }
        let total = self.size_hint.max(self.raw_seen) as usize;
        if let Some(st) = &mut self.started {
            let mut pos = 0;
            st.feed(&self.buf, &mut pos, eof, self.offset, total, &mut |_| true)?;
            self.buf.drain(..pos);
            self.offset += pos;
        }
        Ok(())
    }
}

/// What loading a file will need in memory (see [`estimate_memory`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MemoryEstimate {
    /// Estimated data rows.
    pub rows: u64,
    /// Columns in the header.
    pub columns: usize,
    /// Of which look numeric in the first rows.
    pub numeric_columns: usize,
    /// Bytes of the finished columns (8 per number, the text and its bookkeeping for text).
    pub column_bytes: u64,
    /// Peak bytes while streaming (columns, growth slack, the current piece).
    pub peak_bytes: u64,
    /// The peak fits in a 32-bit WebAssembly memory (4 GiB, less room for the rest).
    pub fits_wasm32: bool,
}

/// Estimates the memory the columns of a CSV file of `file_bytes` bytes will need from
/// its first piece (64 KiB or more is plenty): rows from the average length of the first
/// rows, 8 bytes per numeric cell, the text's length plus 32 bytes per text cell, 8 bytes
/// per row for source lines.
pub fn estimate_memory(file_bytes: u64, first_chunk: &[u8]) -> MemoryEstimate {
    let text = match std::str::from_utf8(first_chunk) {
        Ok(_) => std::borrow::Cow::Borrowed(first_chunk),
        Err(e) => std::borrow::Cow::Owned(first_chunk[..e.valid_up_to()].to_vec()),
    };
    let delim = super::csv::sniff_delimiter(&text);
    let mut tok = Tokenizer::new(delim, 1);
    let mut pos = 0usize;
    let missing = MissingSet::default_set();
    let mut parser = super::infer::NumberParser::new(false);
    let (mut columns, mut rows, mut row_bytes) = (0usize, 0u64, 0usize);
    let mut text_cells: Vec<(usize, usize)> = Vec::new(); // per column: text cells, their bytes
    loop {
        let at = pos;
        let Step::Record(rec, _) = tok.next(&text, &mut pos, false) else { break };
        if columns == 0 {
            columns = rec.len();
            text_cells = vec![(0, 0); columns];
            continue;
        }
        rows += 1;
        row_bytes += pos - at;
        for (j, f) in rec.iter().enumerate().take(columns) {
            if let super::infer::Cell::Text(s) = super::infer::classify(f, &missing, &mut parser) {
                text_cells[j].0 += 1;
                text_cells[j].1 += s.len();
            }
        }
    }
    let per_row = if rows > 0 { row_bytes as f64 / rows as f64 } else { 1.0 };
    let est_rows = (file_bytes as f64 / per_row.max(1.0)).ceil() as u64;
    let numeric_columns = text_cells.iter().filter(|(n, _)| *n == 0).count();
    let mut per_row_bytes = 8.0 + 8.0 * numeric_columns as f64;
    for &(n, b) in text_cells.iter().filter(|(n, _)| *n > 0) {
        per_row_bytes += 24.0 + 8.0 + b as f64 / n as f64;
    }
    let column_bytes = (est_rows as f64 * per_row_bytes) as u64;
    let peak_bytes = column_bytes + column_bytes / 8 + 16 * 1024 * 1024;
    MemoryEstimate { rows: est_rows, columns, numeric_columns, column_bytes, peak_bytes, fits_wasm32: peak_bytes < WASM32_LIMIT }
}

/// The most a load may take in a 32-bit WebAssembly memory (4 GiB, less room for the rest).
pub const WASM32_LIMIT: u64 = 3_700_000_000;

/// [`estimate_memory`], refusing at once a file whose peak would not fit in a 32-bit
/// WebAssembly memory: [`ErrorKind::TooLarge`] says how much it would need.
pub fn check_memory(file_bytes: u64, first_chunk: &[u8]) -> Result<MemoryEstimate> {
    let e = estimate_memory(file_bytes, first_chunk);
    if e.fits_wasm32 {
        Ok(e)
    } else {
        Err(ErrorKind::TooLarge { needed: e.peak_bytes, limit: WASM32_LIMIT, rows: e.rows, columns: e.columns }.into())
    }
}
