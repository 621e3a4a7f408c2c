//! Column kind inference: each column is built by a small state machine that
//! sees one value at a time and never allocates for numeric cells.
//!
//! ## Values
//! Every field is trimmed of surrounding ASCII whitespace, then:
//!
//! * **missing** if it equals (ASCII case-insensitively) one of the missing
//!   tokens — by default `""`, `NA`, `N/A`, `NaN`, `.`, `null`, `-` and `#N/A`;
//! * **a number** if Rust's `f64` parser accepts it and the result is finite:
//!   leading `+`/`-`, decimals (`1.`, `.5`), exponents (`1e-3`, `2E+05`) are accepted;
//!   `inf`, `infinity` and overflowing literals such as `1e400` are *not* numbers
//!   (they would poison every mean), nor are thousands separators (`1,234` in a
//!   `.`-decimal file). With the decimal-comma option a `,` is the decimal mark
//!   (`1,5` = 1.5) and `.` is accepted only as a thousands separator in strictly
//!   grouped form (`1.234.567,8`); any other value with a `.` is not a number
//!   because it is ambiguous;
//! * **text** otherwise.
//!
//! ## Kinds
//! * no text values → numeric column (`NaN` = missing); it is **integer** when
//!   every number was written without `.`/exponent and is below 9·10¹⁵ in magnitude;
//!   a column with no value at all is numeric (not integer);
//! * otherwise a text column. If it has at least one number and its text values
//!   ("strays") are at most 5 % of its non-missing values — or at most 3 of them
//!   when they are at most 25 % — it is reported as *numeric with strays*
//!   ([`Strays`]): `Dataset::numeric` then fails naming the count, the line and
//!   the first stray instead of silently turning them into `NaN`.
//!
//! When a column turns to text after some numbers, the numbers' original text
//! is needed; the CSV reader recovers it in a second pass over those rows only
//! (so `007` stays `007`), the Excel reader formats the number.

use super::dataset::{Column, ColumnData, Dataset, Strays};
use crate::error::Result;

/// The default missing-value tokens (compared ASCII case-insensitively after trimming).
/// Besides the R/pandas/Stata spellings this covers statistical-yearbook and Excel
/// conventions: `..`/`...`/`n.a.` (OECD, World Bank, yearbooks), dashes `—` `–` `－` `--`,
/// and Excel error values (`#DIV/0!`, `#VALUE!`, `#REF!`, `#NAME?`, `#NUM!`, `#NULL!`).
pub const DEFAULT_MISSING: &[&str] = &[
    "", "NA", "N/A", "NaN", ".", "null", "-", "#N/A", "..", "...", "n.a.", "n.a", "--", "\u{2014}", "\u{2013}",
    "\u{FF0D}", "\u{2014}\u{2014}", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!",
];

/// A set of missing-value tokens.
#[derive(Debug, Clone)]
pub struct MissingSet {
    tokens: Vec<Vec<u8>>,
    max_len: usize,
}

impl MissingSet {
    /// Builds the set (tokens are trimmed and lower-cased).
    pub fn new<S: AsRef<str>>(tokens: &[S]) -> MissingSet {
        let tokens: Vec<Vec<u8>> =
            tokens.iter().map(|t| t.as_ref().trim().to_ascii_lowercase().into_bytes()).collect();
        let max_len = tokens.iter().map(Vec::len).max().unwrap_or(0);
        MissingSet { tokens, max_len }
    }
    /// The default set.
    pub fn default_set() -> MissingSet {
        MissingSet::new(DEFAULT_MISSING)
    }
    /// True when the trimmed field is a missing token.
    #[inline]
    pub fn is_missing(&self, trimmed: &[u8]) -> bool {
        if trimmed.len() > self.max_len {
            return false;
        }
        self.tokens.iter().any(|t| t.eq_ignore_ascii_case(trimmed))
    }
}

/// Removes leading and trailing whitespace: ASCII, and the no-break space U+00A0
/// and ideographic (full-width) space U+3000 that Excel and Chinese exports leave.
#[inline]
pub fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    let mut t = &b[start..end.max(start)];
    // Slow path only when a non-ASCII byte sits at either end.
    while t.first().is_some_and(|&c| c >= 0x80) || t.last().is_some_and(|&c| c >= 0x80) {
        let before = t.len();
        for sp in [&[0xC2u8, 0xA0][..], &[0xE3, 0x80, 0x80][..]] {
            while let Some(r) = t.strip_prefix(sp) {
                t = r;
            }
            while let Some(r) = t.strip_suffix(sp) {
                t = r;
            }
        }
        let s = t.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(t.len());
        let e = t.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(s, |e| e + 1);
        t = &t[s..e.max(s)];
        if t.len() == before {
            break;
        }
    }
    t
}

/// Bit flags: how a number was written, when it needed more than the plain parser.
pub mod num_flags {
    /// Thousands separators (`1,234.5`).
    pub const GROUPED: u8 = 1;
    /// A trailing percent sign (`12.5%` read as 12.5).
    pub const PERCENT: u8 = 2;
    /// A currency sign (`$1,200`, `¥35`).
    pub const CURRENCY: u8 = 4;
    /// Full-width digits or signs (`１２３`, `－5`, `−5`).
    pub const FULLWIDTH: u8 = 8;
}

/// Parses numbers according to the module rules.
#[derive(Debug, Clone, Default)]
pub struct NumberParser {
    decimal_comma: bool,
    buf: Vec<u8>,
}

impl NumberParser {
    /// A parser; `decimal_comma` makes `,` the decimal mark.
    pub fn new(decimal_comma: bool) -> NumberParser {
        NumberParser { decimal_comma, buf: Vec::with_capacity(32) }
    }

    /// `Some((value, written_as_integer))` when the trimmed field is a finite number.
    /// Plain numbers only; [`NumberParser::parse_flagged`] also reads formatted ones.
    #[inline]
    pub fn parse(&mut self, t: &[u8]) -> Option<(f64, bool)> {
        self.parse_plain(t)
    }

    /// Like [`NumberParser::parse`], and when that fails, formatted numbers: full-width
    /// digits and signs, a leading currency sign (`$ ¥ ￥ € £`), strictly grouped
    /// thousands separators (`1,234,567.5`; `，` too) and a trailing `%` (`12.5%` → 12.5,
    /// percentage points, not 0.125). The second value of the triple is "written as
    /// an integer"; the third the [`num_flags`] that were needed (0 for a plain number).
    pub fn parse_flagged(&mut self, t: &[u8]) -> Option<(f64, bool, u8)> {
        if let Some((v, i)) = self.parse_plain(t) {
            return Some((v, i, 0));
        }
        let s = std::str::from_utf8(t).ok()?;
        // Cheap rejection: formatted numbers contain a digit.
        if !s.chars().any(|c| c.is_ascii_digit() || ('\u{FF10}'..='\u{FF19}').contains(&c)) {
            return None;
        }
        let mut flags = 0u8;
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            let m = match c {
                '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFF10 + u32::from(b'0')),
                '\u{FF0E}' => Some('.'),
                '\u{FF0C}' => Some(','),
                '\u{FF0D}' | '\u{2212}' => Some('-'),
                '\u{FF0B}' => Some('+'),
                '\u{FF05}' => Some('%'),
                '\u{FFE5}' => Some('\u{A5}'),
                _ => None,
            };
            match m {
                Some(m) => {
                    flags |= num_flags::FULLWIDTH;
                    out.push(m);
                }
                None => out.push(c),
            }
        }
        let mut body = out.trim();
        let mut neg = false;
        if let Some(r) = body.strip_prefix('-') {
            neg = true;
            body = r.trim_start();
        } else if let Some(r) = body.strip_prefix('+') {
            body = r.trim_start();
        }
        for cur in ["US$", "$", "\u{A5}", "\u{20AC}", "\u{A3}"] {
            if let Some(r) = body.strip_prefix(cur) {
                flags |= num_flags::CURRENCY;
                body = r.trim_start();
                break;
            }
        }
        if !neg {
            if let Some(r) = body.strip_prefix('-') {
                neg = true;
                body = r;
            }
        }
        if let Some(r) = body.strip_suffix('%') {
            flags |= num_flags::PERCENT;
            body = r.trim_end();
        }
        let sep = if self.decimal_comma { '.' } else { ',' };
        let mut plain = String::with_capacity(body.len());
        if body.contains(sep) && (!self.decimal_comma || body.contains(',')) {
            // Strict grouping: d{1,3}(<sep>d{3})+ then the decimal part.
            let dec = if self.decimal_comma { ',' } else { '.' };
            let (int_part, frac) = match body.split_once(dec) {
                Some((a, b)) => (a, Some(b)),
                None => (body, None),
            };
            let mut groups = int_part.split(sep);
            let head = groups.next()?;
            if head.is_empty() || head.len() > 3 || !head.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            plain.push_str(head);
            for g in groups {
                if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                plain.push_str(g);
            }
            if let Some(f) = frac {
                if !f.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                plain.push('.');
                plain.push_str(f);
            }
            flags |= num_flags::GROUPED;
        } else {
            plain.push_str(body);
        }
        if flags == 0 || plain.is_empty() || !plain.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'.' || b == b',') {
            return None;
        }
        let (v, integer) = self.parse_plain(plain.as_bytes())?;
        Some((if neg { -v } else { v }, integer, flags))
    }

    #[inline]
    fn parse_plain(&mut self, t: &[u8]) -> Option<(f64, bool)> {
        let first = *t.first()?;
        if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.' | b',')) {
            return None;
        }
        let bytes: &[u8] = if self.decimal_comma && t.iter().any(|&c| c == b',' || c == b'.') {
            if !self.convert_decimal_comma(t) {
                return None;
            }
            &self.buf
        } else {
            t
        };
        if let Some(fast) = fast_decimal(bytes) {
            return Some(fast);
        }
        let s = std::str::from_utf8(bytes).ok()?;
        let v: f64 = s.parse().ok()?;
        if !v.is_finite() {
            return None;
        }
        let integer = !bytes.iter().any(|&c| matches!(c, b'.' | b'e' | b'E')) && v.abs() < 9.0e15;
        Some((v, integer))
    }

    /// Writes a `.`-decimal version of a decimal-comma number into `buf`.
    fn convert_decimal_comma(&mut self, t: &[u8]) -> bool {
        self.buf.clear();
        let has_dot = t.contains(&b'.');
        if has_dot {
            // Strict thousands grouping: [sign] d{1,3} (. d{3})+ [, digits…] [exponent]
            let body = match t.first() {
                Some(b'+' | b'-') => &t[1..],
                _ => t,
            };
            let int_end = body.iter().position(|&c| c == b',' || c == b'e' || c == b'E').unwrap_or(body.len());
            let int_part = &body[..int_end];
            let mut groups = int_part.split(|&c| c == b'.');
            let Some(head) = groups.next() else { return false };
            if head.is_empty() || head.len() > 3 || !head.iter().all(u8::is_ascii_digit) {
                return false;
            }
            for g in groups {
                if g.len() != 3 || !g.iter().all(u8::is_ascii_digit) {
                    return false;
                }
            }
        }
        let mut commas = 0;
        for &c in t {
            match c {
                b'.' => {}
                b',' => {
                    commas += 1;
                    self.buf.push(b'.');
                }
                _ => self.buf.push(c),
            }
        }
        commas <= 1
    }
}

/// Exact powers of ten (all representable in `f64`).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
    1e20, 1e21, 1e22,
];

/// Clinger's fast path for plain decimals (`[+-]digits[.digits]`, no exponent):
/// when the digits form an integer m ≤ 2⁵³ and there are k ≤ 22 decimals, m and
/// 10ᵏ are exact doubles and the IEEE division m / 10ᵏ is correctly rounded — the
/// same result as the full parser, several times faster. `None` = use the full parser.
#[inline]
fn fast_decimal(b: &[u8]) -> Option<(f64, bool)> {
    const MAX: u64 = 1 << 53;
    let (neg, rest) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let mut mant: u64 = 0;
    let mut frac: usize = 0;
    let mut dot = false;
    let mut digits = false;
    for &c in rest {
        if c.is_ascii_digit() {
            mant = mant * 10 + u64::from(c - b'0');
            if mant > MAX {
                return None;
            }
            digits = true;
            frac += usize::from(dot);
        } else if c == b'.' && !dot {
            dot = true;
        } else {
            return None;
        }
    }
    if !digits || frac >= POW10.len() {
        return None;
    }
    let v = mant as f64 / POW10[frac];
    Some((if neg { -v } else { v }, !dot))
}

/// One classified value handed to a [`ColumnBuilder`].
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// Missing.
    Missing,
    /// A number; `raw` is its original text when known (CSV), else it is formatted;
    /// `flags` ([`num_flags`]) say how it was written when not plainly.
    Number { value: f64, integer: bool, raw: Option<&'a [u8]>, flags: u8 },
    /// Text.
    Text(&'a str),
}

/// Incrementally builds one column and infers its kind.
#[derive(Debug, Clone)]
pub struct ColumnBuilder {
    /// Column name.
    pub name: String,
    nums: Vec<f64>,
    integer: bool,
    texts: Option<Vec<Option<String>>>,
    recover_upto: usize,
    rows: usize,
    n_numbers: usize,
    n_strays: usize,
    n_missing: usize,
    first_stray: Option<(usize, String)>,
    formatted: [usize; 4],
}

/// Summary of a finished column (for the load report).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnStats {
    /// Missing values.
    pub n_missing: usize,
    /// Values that parsed as numbers.
    pub n_numbers: usize,
    /// Non-missing values that did not parse as numbers.
    pub n_text: usize,
    /// True when the column is text only because of a few strays.
    pub has_strays: bool,
    /// 0-based row and text of the first non-number.
    pub first_text: Option<(usize, String)>,
    /// Numbers read with thousands separators, `%`, a currency sign, full-width
    /// characters (indexed by the bit of [`num_flags`]: 0 grouped, 1 percent, 2 currency, 3 full-width).
    pub formatted: [usize; 4],
}

impl ColumnBuilder {
    /// An empty builder; `capacity` is a row-count hint.
    pub fn new(name: impl Into<String>, capacity: usize) -> ColumnBuilder {
        ColumnBuilder {
            name: name.into(),
            nums: Vec::with_capacity(capacity),
            integer: true,
            texts: None,
            recover_upto: 0,
            rows: 0,
            n_numbers: 0,
            n_strays: 0,
            n_missing: 0,
            first_stray: None,
            formatted: [0; 4],
        }
    }

    /// Reserves room for `additional` more values.
    pub fn reserve(&mut self, additional: usize) {
        match &mut self.texts {
            None => self.nums.reserve(additional),
            Some(t) => t.reserve(additional),
        }
    }

    /// True when every value so far is missing.
    pub fn is_all_missing(&self) -> bool {
        self.n_missing == self.rows
    }

    /// Rows `0..n` whose number text must be recovered (0 when none).
    pub fn needs_recovery(&self) -> usize {
        self.recover_upto
    }

    /// Sets the text of row `row < needs_recovery()` (used by the recovery pass).
    pub fn recover(&mut self, row: usize, text: Option<String>) {
        if row < self.recover_upto {
            if let Some(slot) = self.texts.as_mut().and_then(|t| t.get_mut(row)) {
                *slot = text;
            }
        }
    }

    /// Appends one value.
    #[inline]
    pub fn push(&mut self, cell: Cell<'_>) {
        let row = self.rows;
        self.rows += 1;
        match cell {
            Cell::Missing => {
                self.n_missing += 1;
                match &mut self.texts {
                    None => self.nums.push(f64::NAN),
                    Some(t) => t.push(None),
                }
            }
            Cell::Number { value, integer, raw, flags } => {
                self.n_numbers += 1;
                if flags != 0 {
                    for (bit, n) in self.formatted.iter_mut().enumerate() {
                        *n += usize::from(flags & (1 << bit) != 0);
                    }
                }
                self.integer &= integer;
                match &mut self.texts {
                    None => self.nums.push(value),
                    Some(t) => t.push(Some(raw.map_or_else(|| format_number(value), |r| String::from_utf8_lossy(r).into_owned()))),
                }
            }
            Cell::Text(s) => {
                self.n_strays += 1;
                if self.first_stray.is_none() {
                    self.first_stray = Some((row, s.to_string()));
                }
                if self.texts.is_none() {
                    // Switch to text: earlier numbers need their text back.
                    let mut v: Vec<Option<String>> = Vec::with_capacity(self.nums.capacity().max(row + 1));
                    if self.n_numbers > 0 {
                        v.extend(self.nums.iter().map(|x| if x.is_nan() { None } else { Some(format_number(*x)) }));
                        self.recover_upto = row;
                    } else {
                        v.resize(row, None);
                    }
                    self.nums = Vec::new();
                    self.texts = Some(v);
                }
                if let Some(t) = &mut self.texts {
                    t.push(Some(s.to_string()));
                }
            }
        }
    }

    /// Finishes every column into a dataset (rows tagged with their source `lines`)
    /// and the columns' statistics.
    pub fn finish_all(builders: Vec<ColumnBuilder>, lines: Vec<u64>) -> Result<(Dataset, Vec<ColumnStats>)> {
        let (columns, stats): (Vec<Column>, Vec<ColumnStats>) = builders.into_iter().map(ColumnBuilder::finish).unzip();
        Ok((Dataset::from_columns(columns)?.with_source_lines(lines), stats))
    }

    /// Finishes the column.
    pub fn finish(self) -> (Column, ColumnStats) {
        let has_strays = self.texts.is_some() && strays_rule(self.n_numbers, self.n_strays);
        let stats = ColumnStats {
            n_missing: self.n_missing,
            n_numbers: self.n_numbers,
            n_text: self.n_strays,
            has_strays,
            first_text: self.first_stray.clone(),
            formatted: self.formatted,
        };
        let data = match self.texts {
            None => ColumnData::Numeric { values: self.nums, integer: self.integer && self.n_numbers > 0 },
            Some(values) => ColumnData::Text {
                values,
                strays: if has_strays {
                    self.first_stray.map(|(first_row, first_value)| Strays {
                        count: self.n_strays,
                        first_row,
                        first_value,
                    })
                } else {
                    None
                },
            },
        };
        (Column { name: self.name, data }, stats)
    }
}

/// The "numeric with a few strays" rule (see module docs).
pub fn strays_rule(numbers: usize, strays: usize) -> bool {
    let non_missing = numbers + strays;
    numbers > 0 && strays > 0 && (strays * 20 <= non_missing || (strays <= 3 && strays * 4 <= non_missing))
}

/// Shortest text that reads back as the same number (`2013`, `0.5`, `1e-7`).
pub fn format_number(v: f64) -> String {
    format!("{v}")
}

/// Classifies a raw CSV field.
#[inline]
pub fn classify<'a>(field: &'a [u8], missing: &MissingSet, parser: &mut NumberParser) -> Cell<'a> {
    let t = trim(field);
    if missing.is_missing(t) {
        return Cell::Missing;
    }
    match parser.parse_flagged(t) {
        Some((value, integer, flags)) => Cell::Number { value, integer, raw: Some(t), flags },
        None => match std::str::from_utf8(t) {
            Ok(s) => Cell::Text(s),
            Err(_) => Cell::Text("\u{FFFD}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ColumnKind;

    fn build(values: &[&str]) -> (Column, ColumnStats) {
        let missing = MissingSet::default_set();
        let mut p = NumberParser::new(false);
        let mut b = ColumnBuilder::new("x", 0);
        for v in values {
            b.push(classify(v.as_bytes(), &missing, &mut p));
        }
        b.finish()
    }

    #[test]
    fn numbers() {
        let mut p = NumberParser::new(false);
        assert_eq!(p.parse(b"+1.5"), Some((1.5, false)));
        assert_eq!(p.parse(b"-2E+03"), Some((-2000.0, false)));
        assert_eq!(p.parse(b"2013"), Some((2013.0, true)));
        assert_eq!(p.parse(b".5"), Some((0.5, false)));
        assert_eq!(p.parse(b"inf"), None);
        assert_eq!(p.parse(b"-inf"), None);
        assert_eq!(p.parse(b"1e400"), None);
        assert_eq!(p.parse(b"1,234"), None);
        assert_eq!(p.parse(b"12abc"), None);
        assert_eq!(p.parse(b"-0.000"), Some((-0.0, false)));
        assert_eq!(p.parse(b"1.2.3"), None);
        assert_eq!(p.parse(b"-"), None);
        assert_eq!(p.parse(b"9007199254740993"), Some((9007199254740992.0, false)));
        let mut p = NumberParser::new(true);
        assert_eq!(p.parse(b"1,5"), Some((1.5, false)));
        assert_eq!(p.parse(b"-1.234.567,25"), Some((-1234567.25, false)));
        assert_eq!(p.parse(b"1.234"), Some((1234.0, true)));
        assert_eq!(p.parse(b"1.5"), None);
        assert_eq!(p.parse(b"1,2,3"), None);
        assert_eq!(p.parse(b"12"), Some((12.0, true)));
    }

    #[test]
    fn fast_path_agrees_with_std() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for _ in 0..200_000 {
            let int_digits = rng.random_range(0..10);
            let frac_digits = rng.random_range(0..12);
            let mut s = String::new();
            if rng.random_bool(0.3) {
                s.push('-');
            }
            for _ in 0..int_digits {
                s.push(char::from(b'0' + rng.random_range(0..10u8)));
            }
            if frac_digits > 0 || int_digits == 0 {
                s.push('.');
            }
            for _ in 0..frac_digits.max(usize::from(int_digits == 0)) {
                s.push(char::from(b'0' + rng.random_range(0..10u8)));
            }
            let want: f64 = s.parse().unwrap();
            if let Some((got, _)) = fast_decimal(s.as_bytes()) {
                assert_eq!(got.to_bits(), want.to_bits(), "{s}");
            }
        }
    }

    #[test]
    fn kinds() {
        let (c, s) = build(&["1", " 2 ", "NA", "3"]);
        assert_eq!(c.kind(), ColumnKind::Integer);
        assert_eq!(s.n_missing, 1);
        let (c, _) = build(&["1.0", "2"]);
        assert_eq!(c.kind(), ColumnKind::Numeric);
        let (c, _) = build(&["", "null", "-"]);
        assert_eq!(c.kind(), ColumnKind::Numeric);
        let (c, s) = build(&["a", "1", "b"]);
        assert_eq!(c.kind(), ColumnKind::Text);
        assert!(!s.has_strays);
        assert_eq!(c.display(1), "1");
    }

    #[test]
    fn strays_keep_the_text_of_numbers() {
        let mut vals = vec!["007"; 30];
        vals[17] = "n.k.";
        vals.push("1.50");
        let (c, s) = build(&vals);
        assert!(s.has_strays);
        match &c.data {
            ColumnData::Text { strays: Some(st), values } => {
                assert_eq!((st.count, st.first_row, st.first_value.as_str()), (1, 17, "n.k."));
                // builder alone formats numbers before the switch; the CSV recovery pass restores "007".
                assert_eq!(values[30].as_deref(), Some("1.50"));
                assert_eq!(values[0].as_deref(), Some("7"));
            }
            other => panic!("{other:?}"),
        }
        assert!(strays_rule(97, 3));
        assert!(strays_rule(3, 1));
        assert!(!strays_rule(2, 1));
        assert!(!strays_rule(0, 5));
        assert!(!strays_rule(90, 10));
    }
}
