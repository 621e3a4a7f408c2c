//! A plain decimal (`[+-]digits[.digits]`) read while the CSV tokenizer looks for the end of
//! its field, eight digits at a time: the bytes it spans, and its value when the number
//! parser's fast path ([`super::number`]) would accept exactly those bytes — with the same
//! result, bit for bit (Clinger's exact case: at most 19 digits forming an integer ≤ 2⁵³,
//! divided by an exact power of ten). Anything else (exponents, long mantissas, text) is
//! left to the full classification of the field.

use super::number::POW10;

/// 10ᵏ for k = 0..=8, as integers.
const POW10_U64: [u64; 9] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

/// The value of eight ASCII digits already reduced to 0..=9 per byte (little-endian: the first
/// digit in the lowest byte). Two multiply-adds (the SWAR reduction of fast_float).
#[inline]
fn eight_digits(v: u64) -> u64 {
    const MASK: u64 = 0x0000_00FF_0000_00FF;
    const MUL1: u64 = 0x000F_4240_0000_0064; // 100 + (1_000_000 << 32)
    const MUL2: u64 = 0x0000_2710_0000_0001; // 1 + (10_000 << 32)
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let v1 = (v & MASK).wrapping_mul(MUL1);
    let v2 = ((v >> 16) & MASK).wrapping_mul(MUL2);
    u64::from((v1.wrapping_add(v2) >> 32) as u32)
}

/// Reads the run of ASCII digits at `b[i..]` into `mant` (wrapping: the caller rejects more
/// than 19 digits); returns how many there were.
#[inline]
fn digit_run(b: &[u8], mut i: usize, mant: &mut u64) -> usize {
    let start = i;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let c = u64::from_le_bytes(w);
        let x = c.wrapping_sub(0x3030_3030_3030_3030);
        let y = c.wrapping_add(0x4646_4646_4646_4646);
        // High bit of each byte that is not '0'..='9'; borrows and carries only run upwards
        // from such a byte, so the bytes below the first one are exact.
        let non_digit = (x | y) & 0x8080_8080_8080_8080;
        let k = (non_digit.trailing_zeros() / 8) as usize;
        if k > 0 {
            // Shift the k digits to the top; the zero bytes below act as leading zeros.
            *mant = mant.wrapping_mul(POW10_U64[k]).wrapping_add(eight_digits(x << (8 * (8 - k))));
            i += k;
        }
        if k < 8 {
            return i - start;
        }
    }
    while let Some(&c) = b.get(i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        *mant = mant.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    i - start
}

/// The plain decimal at the start of `b`: how many bytes it spans (sign, digits, one `.`,
/// digits; 0 when `b` does not start like one), and `Some((value, written_as_integer))`
/// when those bytes alone are a number the fast path reads exactly.
#[inline]
pub fn leading_decimal(b: &[u8]) -> (usize, Option<(f64, bool)>) {
    const MAX: u64 = 1 << 53;
    // Branch-free sign: signs in data are often as unpredictable as coin flips.
    let first = b.first().copied().unwrap_or(0);
    let neg = first == b'-';
    let sign = usize::from(neg | (first == b'+'));
    let mut mant = 0u64;
    let int_digits = digit_run(b, sign, &mut mant);
    let mut i = sign + int_digits;
    let dot = b.get(i) == Some(&b'.');
    let mut frac = 0;
    if dot {
        frac = digit_run(b, i + 1, &mut mant);
        i += 1 + frac;
    }
    let digits = int_digits + frac;
    if digits == 0 || digits > 19 || i - sign > 20 || mant > MAX {
        return (i, None);
    }
    // mant / 10^frac ≥ 0: setting the sign bit negates it (−0 for −0.0, as `-v` gives).
    let v = mant as f64 / POW10[frac];
    (i, Some((f64::from_bits(v.to_bits() | (u64::from(neg) << 63)), !dot)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::infer::NumberParser;
    use rand::{Rng, SeedableRng};

    #[test]
    fn spans_and_values() {
        assert_eq!(leading_decimal(b"12.5,3"), (4, Some((12.5, false))));
        assert_eq!(leading_decimal(b"-7\n"), (2, Some((-7.0, true))));
        assert_eq!(leading_decimal(b"1e5"), (1, Some((1.0, true))));
        assert_eq!(leading_decimal(b"abc"), (0, None));
        assert_eq!(leading_decimal(b"-"), (1, None));
        assert_eq!(leading_decimal(b"."), (1, None));
        assert_eq!(leading_decimal(b"123456789.1234567;"), (17, Some((123456789.1234567, false))));
        assert_eq!(leading_decimal(b"12345678901234567890"), (20, None));
        assert_eq!(leading_decimal(b"9007199254740993"), (16, None));
    }

    /// Wherever the scan spans the whole text, it agrees with the number parser bit for bit
    /// (on random texts over digits, signs, dots and a few other bytes, of every length
    /// around the eight-byte chunks).
    #[test]
    fn agrees_with_the_number_parser() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
        let alphabet = b"0123456789012345678901234567890123456789..-+e ,x";
        let mut parser = NumberParser::new(false);
        let mut whole = 0;
        for _ in 0..300_000 {
            let len = rng.random_range(0..26);
            let mut s: Vec<u8> = (0..len).map(|_| alphabet[rng.random_range(0..alphabet.len())]).collect();
            if rng.random_bool(0.5) {
                // Mostly well-formed numbers too.
                s = format!("{}{}", if rng.random_bool(0.3) { "-" } else { "" }, rng.random_range(0..u64::MAX) as f64 / 10f64.powi(rng.random_range(0..12))).into_bytes();
                s.truncate(rng.random_range(1..=s.len()));
            }
            let (span, got) = leading_decimal(&s);
            assert!(span <= s.len());
            if span == s.len() {
                whole += 1;
                let want = parser.parse(&s).filter(|_| got.is_some());
                assert_eq!(got.map(|(v, i)| (v.to_bits(), i)), want.map(|(v, i)| (v.to_bits(), i)), "{:?}", String::from_utf8_lossy(&s));
            } else if let Some((v, i)) = got {
                // A number followed by something else: the prefix alone reads the same.
                let want = parser.parse(&s[..span]);
                assert_eq!(Some((v.to_bits(), i)), want.map(|(v, i)| (v.to_bits(), i)));
            }
        }
        assert!(whole > 100_000, "{whole}");
    }
}
