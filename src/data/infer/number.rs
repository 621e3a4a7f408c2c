//! Number parsing: plain numbers (with a fast path for short decimals), the decimal comma,
//! and formatted numbers (grouping, `%`, currency signs, full-width characters). The rules:
//! see the parent module's "Values".

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
pub(super) const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
    1e20, 1e21, 1e22,
];

/// Clinger's fast path for plain decimals (`[+-]digits[.digits]`, no exponent):
/// when the digits form an integer m ≤ 2⁵³ and there are k ≤ 22 decimals, m and
/// 10ᵏ are exact doubles and the IEEE division m / 10ᵏ is correctly rounded — the
/// same result as the full parser, several times faster. `None` = use the full parser.
/// Reads ASCII digits four at a time from `b[i..]` into `mant` (SWAR: one multiply-add
/// per four digits); returns where it stopped (at most three digits left before a non-digit).
#[inline]
fn digits4(b: &[u8], mut i: usize, mant: &mut u64) -> usize {
    while let Some(chunk) = b.get(i..i + 4) {
        let c = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        // All four bytes are '0'..='9'.
        if (c & 0xF0F0_F0F0) | (((c.wrapping_add(0x0606_0606)) & 0xF0F0_F0F0) >> 4) != 0x3333_3333 {
            break;
        }
        let v = c - 0x3030_3030;
        let v = v * 10 + (v >> 8);
        let v = (v & 0xFF) * 100 + ((v >> 16) & 0xFF);
        // Wrapping: more than 19 digits are rejected by the caller, and must not panic here.
        *mant = mant.wrapping_mul(10_000).wrapping_add(u64::from(v));
        i += 4;
    }
    i
}

#[inline]
fn fast_decimal(b: &[u8]) -> Option<(f64, bool)> {
    const MAX: u64 = 1 << 53;
    let (neg, rest) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    // At most 19 digits (and a dot): the mantissa cannot overflow a u64.
    let n = rest.len();
    if n > 20 {
        return None;
    }
    let mut mant: u64 = 0;
    let mut i = digits4(rest, 0, &mut mant);
    while i < n {
        let d = rest[i].wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        mant = mant.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    let int_digits = i;
    let mut frac = 0;
    let dot = i < n;
    if dot {
        if rest[i] != b'.' {
            return None;
        }
        i += 1;
        let start = i;
        i = digits4(rest, i, &mut mant);
        while i < n {
            let d = rest[i].wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            mant = mant.wrapping_mul(10).wrapping_add(u64::from(d));
            i += 1;
        }
        frac = i - start;
    }
    let digits = int_digits + frac;
    if digits == 0 || digits > 19 || mant > MAX {
        return None;
    }
    let v = mant as f64 / POW10[frac];
    Some((if neg { -v } else { v }, !dot))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // 20 digits overflow the fast path's mantissa: the full parser reads them (no panic).
        assert_eq!(p.parse(b"99999999999999999999"), Some((1e20, false)));
        assert_eq!(p.parse(b"9999999999.9999999999"), Some((1e10, false)));
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
}
