//! A push tokenizer for delimited text with exactly the record rules of the `csv`
//! crate as [`super`] configures it (flexible, no header, `"` quotes with `""`
//! escapes, `\r`, `\n` or `\r\n` ends a record, empty lines are not records, a quote
//! in the middle of an unquoted field is a literal quote, `"a"b` reads `ab`, an
//! unterminated quote runs to the end of the input), but faster: unquoted fields are
//! borrowed from the input (no copy) and line breaks are counted while scanning, so
//! every record knows the 1-based line it starts on (`\n`, `\r\n` and a lone `\r`
//! count as one break each, inside quoted fields too).
//!
//! Input may come in pieces: [`Tokenizer::next`] with `eof = false` answers
//! [`Step::NeedMore`] when the record at `pos` is not complete; the caller keeps the
//! bytes from `pos` on and calls again with more.

use crate::data::infer::leading_decimal;

/// One record: its fields, borrowed from the input or from the tokenizer's scratch space.
#[derive(Debug, Clone, Copy)]
pub struct Rec<'a> {
    bytes: &'a [u8],
    /// End of each field in `bytes`; field `i + 1` starts one byte after field `i` ends.
    ends: &'a [usize],
}

impl<'a> Rec<'a> {
    /// Number of fields (at least one).
    #[inline]
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the record has no field (never, for a record the tokenizer made).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Field `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] + 1 };
        self.bytes.get(start..end)
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        let bytes = self.bytes;
        let mut start = 0usize;
        self.ends.iter().map(move |&e| {
            let f = &bytes[start.min(e)..e];
            start = e + 1;
            f
        })
    }

    /// An owned copy.
    pub fn to_owned(&self) -> OwnedRec {
        OwnedRec { bytes: self.bytes.to_vec(), ends: self.ends.to_vec() }
    }
}

/// An owned record (kept aside, e.g. a possible trailing note).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRec {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl OwnedRec {
    /// Borrows it as a [`Rec`].
    pub fn as_rec(&self) -> Rec<'_> {
        Rec { bytes: &self.bytes, ends: &self.ends }
    }
}

/// What [`Tokenizer::next`] found.
pub enum Step<'a> {
    /// A record and the 1-based line it starts on.
    Record(Rec<'a>, u64),
    /// The record at `pos` is incomplete: more input is needed (only when not at the end).
    NeedMore,
    /// No more records (only at the end of the input).
    End,
}

/// What a field of a quote-free record looks like, seen while tokenizing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scanned {
    /// A plain decimal the number parser reads to this value (and "written as an integer").
    Number(f64, bool),
    /// No bytes at all.
    Empty,
    /// Anything else: classify the field's bytes.
    Other,
}

/// Outcome of the quote-free fast path.
enum Fast {
    Done(usize),
    NeedMore,
    Quoted,
}

/// The tokenizer's state between records: the delimiter and the line count.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    delim: u8,
    /// Bytes that end an unquoted field: the delimiter, `\r`, `\n`.
    special: [bool; 256],
    first_line: u64,
    breaks: u64,
    prev_cr: bool,
    ends: Vec<usize>,
    /// What each field looks like (records read by [`Tokenizer::next_scanned`]).
    cells: Vec<Scanned>,
    scratch: Vec<u8>,
}

impl Tokenizer {
    /// A tokenizer for `delim`; the input starts on line `first_line`.
    pub fn new(delim: u8, first_line: u64) -> Tokenizer {
        let mut special = [false; 256];
        special[usize::from(delim)] = true;
        special[usize::from(b'\r')] = true;
        special[usize::from(b'\n')] = true;
        Tokenizer { delim, special, first_line, breaks: 0, prev_cr: false, ends: Vec::with_capacity(64), cells: Vec::with_capacity(64), scratch: Vec::new() }
    }

    /// The delimiter.
    pub fn delimiter(&self) -> u8 {
        self.delim
    }

    /// The next record of `input` at or after `*pos`; `*pos` moves past what was consumed
    /// (on [`Step::NeedMore`], up to the start of the incomplete record).
    pub fn next<'a>(&'a mut self, input: &'a [u8], pos: &mut usize, eof: bool) -> Step<'a> {
        self.next_with(input, pos, eof, false).0
    }

    /// Like [`Tokenizer::next`], and for a record without quotes also what each field
    /// looks like ([`Scanned`], read in the same scan): plain decimals are parsed on the way.
    pub fn next_scanned<'a>(&'a mut self, input: &'a [u8], pos: &mut usize, eof: bool) -> (Step<'a>, Option<&'a [Scanned]>) {
        self.next_with(input, pos, eof, true)
    }

    fn next_with<'a>(&'a mut self, input: &'a [u8], pos: &mut usize, eof: bool, scan: bool) -> (Step<'a>, Option<&'a [Scanned]>) {
        let n = input.len();
        let i = self.skip_breaks(input, (*pos).min(n));
        *pos = i;
        if i == n {
            return (if eof { Step::End } else { Step::NeedMore }, None);
        }
        let line = self.first_line + self.breaks;
        let fast = if scan { self.fast::<true>(input, i, eof) } else { self.fast::<false>(input, i, eof) };
        match fast {
            Fast::Done(end) => {
                self.prev_cr = false;
                *pos = end;
                let this: &'a Tokenizer = self;
                let cells = if scan { Some(this.cells.as_slice()) } else { None };
                (Step::Record(Rec { bytes: &input[i..end], ends: &this.ends }, line), cells)
            }
            Fast::NeedMore => (Step::NeedMore, None),
            Fast::Quoted => match self.slow(input, i, eof) {
                Some((end, breaks)) => {
                    self.breaks += breaks;
                    self.prev_cr = false;
                    *pos = end;
                    (Step::Record(Rec { bytes: &self.scratch, ends: &self.ends }, line), None)
                }
                None => (Step::NeedMore, None),
            },
        }
    }

    /// Line terminators between records (empty lines are not records), counted; returns
    /// where the next record starts (or `input.len()`).
    #[inline]
    fn skip_breaks(&mut self, input: &[u8], mut i: usize) -> usize {
        while i < input.len() {
            match input[i] {
                b'\r' => {
                    self.breaks += 1;
                    self.prev_cr = true;
                }
                b'\n' => {
                    if !self.prev_cr {
                        self.breaks += 1;
                    }
                    self.prev_cr = false;
                }
                _ => break,
            }
            i += 1;
        }
        i
    }

    /// A record without a quote at the start of any field: fields are slices of the input.
    /// With `SCAN`, each field is also read as a plain decimal while looking for its end
    /// (`cells`); without, only the field ends are found.
    #[inline]
    fn fast<const SCAN: bool>(&mut self, input: &[u8], start: usize, eof: bool) -> Fast {
        self.ends.clear();
        self.cells.clear();
        let n = input.len();
        let mut i = start;
        loop {
            if i < n && input[i] == b'"' {
                return Fast::Quoted;
            }
            let (span, num) = if SCAN { leading_decimal(&input[i..]) } else { (0, None) };
            let mut j = i + span;
            let cell = if j < n && !self.special[usize::from(input[j])] {
                j += input[j..].iter().position(|&c| self.special[usize::from(c)]).unwrap_or(n - j);
                Scanned::Other
            } else {
                match num {
                    Some((v, integer)) => Scanned::Number(v, integer),
                    None if span == 0 => Scanned::Empty,
                    None => Scanned::Other,
                }
            };
            if j == n && !eof {
                return Fast::NeedMore;
            }
            self.ends.push(j - start);
            if SCAN {
                self.cells.push(cell);
            }
            if j < n && input[j] == self.delim {
                i = j + 1;
                continue;
            }
            return Fast::Done(j);
        }
    }

    /// The general case (quoted fields), field bytes copied to `scratch`: the record's end
    /// and the line breaks inside it, or `None` when incomplete.
    fn slow(&mut self, input: &[u8], start: usize, eof: bool) -> Option<(usize, u64)> {
        #[derive(Clone, Copy, PartialEq)]
        enum S {
            StartField,
            InField,
            InQuoted,
            QuoteInQuoted,
        }
        self.ends.clear();
        self.scratch.clear();
        let (mut s, mut breaks, mut prev_cr) = (S::StartField, 0u64, false);
        let mut i = start;
        while i < input.len() {
            let c = input[i];
            let term = c == b'\r' || c == b'\n';
            match s {
                S::StartField if c == b'"' => s = S::InQuoted,
                S::StartField | S::InField => {
                    if c == self.delim {
                        self.end_field();
                        s = S::StartField;
                    } else if term {
                        self.end_field();
                        return Some((i, breaks));
                    } else {
                        self.scratch.push(c);
                        s = S::InField;
                    }
                }
                S::InQuoted => {
                    if c == b'"' {
                        s = S::QuoteInQuoted;
                    } else {
                        if c == b'\r' || (c == b'\n' && !prev_cr) {
                            breaks += 1;
                        }
                        self.scratch.push(c);
                    }
                }
                S::QuoteInQuoted => {
                    if c == b'"' {
                        self.scratch.push(c);
                        s = S::InQuoted;
                    } else if c == self.delim {
                        self.end_field();
                        s = S::StartField;
                    } else if term {
                        self.end_field();
                        return Some((i, breaks));
                    } else {
                        self.scratch.push(c);
                        s = S::InField;
                    }
                }
            }
            prev_cr = c == b'\r';
            i += 1;
        }
        if !eof {
            return None;
        }
        self.end_field();
        Some((input.len(), breaks))
    }

    fn end_field(&mut self) {
        self.ends.push(self.scratch.len());
        self.scratch.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn ours(text: &[u8], delim: u8, chunked: Option<&mut rand_chacha::ChaCha8Rng>) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut tok = Tokenizer::new(delim, 1);
        let mut out = Vec::new();
        let mut buf: Vec<u8> = Vec::new();
        let mut fed = 0;
        let mut rng = chunked;
        loop {
            let eof = fed == text.len();
            let mut pos = 0;
            loop {
                match tok.next(&buf, &mut pos, eof) {
                    Step::Record(r, line) => out.push((line, r.iter().map(<[u8]>::to_vec).collect())),
                    Step::NeedMore => break,
                    Step::End => return out,
                }
            }
            buf.drain(..pos);
            let k = match rng.as_deref_mut() {
                Some(r) => r.random_range(1..=4usize),
                None => text.len(),
            };
            let k = k.min(text.len() - fed);
            buf.extend_from_slice(&text[fed..fed + k]);
            fed += k;
        }
    }

    fn reference(text: &[u8], delim: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut rdr = ::csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delim).from_reader(text);
        let mut rec = ::csv::ByteRecord::new();
        let mut out = Vec::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            // line: breaks before the first byte of the record that is not a line terminator
            let mut b = rec.position().unwrap().byte() as usize;
            while b < text.len() && matches!(text[b], b'\r' | b'\n') {
                b += 1;
            }
            let pre = &text[..b];
            let line = 1 + pre.iter().enumerate().filter(|&(i, &c)| c == b'\n' || (c == b'\r' && pre.get(i + 1) != Some(&b'\n'))).count() as u64;
            out.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    #[test]
    fn agrees_with_the_csv_crate_on_random_text() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let alphabet = b"ab1,;\"\r\n ";
        for _ in 0..20_000 {
            let len = rng.random_range(0..24);
            let text: Vec<u8> = (0..len).map(|_| alphabet[rng.random_range(0..alphabet.len())]).collect();
            let delim = if rng.random_bool(0.8) { b',' } else { b';' };
            let want = reference(&text, delim);
            assert_eq!(ours(&text, delim, None), want, "{:?}", String::from_utf8_lossy(&text));
            let mut r2 = rand_chacha::ChaCha8Rng::seed_from_u64(rng.random());
            assert_eq!(ours(&text, delim, Some(&mut r2)), want, "chunked {:?}", String::from_utf8_lossy(&text));
        }
    }
}
