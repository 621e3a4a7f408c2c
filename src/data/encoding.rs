//! Text encoding detection: turning the raw bytes of a text file into UTF-8.
//!
//! Order of decisions (first match wins):
//!
//! 1. A user override (`encoding: "gbk"`, any WHATWG label understood by
//!    `encoding_rs`: `utf-8`, `utf-16le`, `utf-16be`, `gb18030`, `gbk`,
//!    `windows-1252`, …). A matching BOM is stripped; undecodable bytes become
//!    U+FFFD and a warning says how many.
//! 2. A byte-order mark: `EF BB BF` (UTF-8), `FF FE` (UTF-16LE), `FE FF` (UTF-16BE).
//! 3. UTF-16 without BOM, recognised when (in the first 8 KiB) at least 40 % of the
//!    odd (LE) or even (BE) bytes are NUL and almost none of the others are.
//! 4. Binary check on the first 8 KiB: any NUL byte (unless NULs are at most 0.1 % of
//!    the file, or only trailing padding: then they are removed with a warning), or more than 1 % of ASCII
//!    control characters other than tab, LF, CR, FF and ESC → [`ErrorKind::Binary`].
//! 5. Valid UTF-8 (borrowed, no copy).
//!    If it is not valid but at least ten times more valid non-ASCII characters than
//!    invalid sequences are found, it is still read as UTF-8 (bad bytes → U+FFFD, warning).
//! 6. GB18030 (a superset of GBK/GB2312, what Chinese Excel writes for "CSV"),
//!    accepted only if the whole file decodes without a single error.
//! 7. Otherwise Windows-1252 (Latin), which never fails, with a warning.

use crate::diagnostics::{Code, Diagnostic};
use crate::error::{Error, ErrorKind, Result};
use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use std::borrow::Cow;

/// Text decoded to UTF-8, with the name of the encoding it was found in.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The text, without BOM.
    pub text: Cow<'a, str>,
    /// Lower-case encoding name (`"utf-8"`, `"utf-16le"`, `"gb18030"`, …).
    pub encoding: &'static str,
    /// Non-fatal remarks (replacement characters, guessed encodings).
    pub warnings: Vec<Diagnostic>,
}

const SAMPLE: usize = 8192;

pub(crate) fn name_of(enc: &'static Encoding) -> &'static str {
    if enc == UTF_8 {
        "utf-8"
    } else if enc == UTF_16LE {
        "utf-16le"
    } else if enc == UTF_16BE {
        "utf-16be"
    } else if enc == GB18030 {
        "gb18030"
    } else if enc == WINDOWS_1252 {
        "windows-1252"
    } else {
        enc.name()
    }
}

/// True when `bytes` holds a NUL byte. Blocks of 4 KiB reduced with `|` so that the
/// compiler vectorises the scan (wasm `simd128` included; `contains` is byte-wise there).
fn has_nul(bytes: &[u8]) -> bool {
    bytes.chunks(4096).any(|c| c.iter().fold(0u8, |acc, &b| acc | u8::from(b == 0)) != 0)
}

/// Decodes `bytes` to UTF-8 following the rules in the module documentation.
pub fn decode<'a>(bytes: &'a [u8], override_label: Option<&str>) -> Result<Decoded<'a>> {
    if let Some(label) = override_label.map(str::trim).filter(|l| !l.is_empty()) {
        let enc = Encoding::for_label(label.as_bytes()).ok_or_else(|| {
            Error::invalid(format!(
                "unknown encoding `{label}` (try utf-8, utf-16le, utf-16be, gb18030, gbk or windows-1252)"
            ))
        })?;
        return decode_with(bytes, enc, true);
    }
    // 2. BOM.
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return decode_with(bytes, enc, false);
    }
    let sample = &bytes[..bytes.len().min(SAMPLE)];
    // 3. UTF-16 without BOM.
    if sample.len() >= 4 && sample.contains(&0) {
        let even_nul = sample.iter().step_by(2).filter(|&&b| b == 0).count();
        let odd_nul = sample.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
        let half = sample.len() / 2;
        if odd_nul * 10 >= half * 4 && even_nul * 50 <= half {
            let mut d = decode_with(bytes, UTF_16LE, false)?;
            d.warnings.insert(0, Diagnostic::warning(Code::EncodingGuessed, "no byte-order mark; the file looks like UTF-16LE and was read as such"));
            return Ok(d);
        }
        if even_nul * 10 >= half * 4 && odd_nul * 50 <= half {
            let mut d = decode_with(bytes, UTF_16BE, false)?;
            d.warnings.insert(0, Diagnostic::warning(Code::EncodingGuessed, "no byte-order mark; the file looks like UTF-16BE and was read as such"));
            return Ok(d);
        }
    }
    // 4. Binary. A few NUL bytes in an otherwise textual file (a damaged copy, NUL
    // padding at the end) are removed with a warning instead.
    // (`has_nul` is a fast scan; the counts below run only for a file holding a NUL.)
    let n_nul = if has_nul(bytes) { bytes.iter().filter(|&&b| b == 0).count() } else { 0 };
    if n_nul > 0 && n_nul * 1000 <= bytes.len().max(1000) || n_nul > 0 && bytes.iter().rposition(|&b| b != 0).is_some_and(|p| bytes[..=p].iter().all(|&b| b != 0)) {
        if let Some(pos) = bytes.iter().position(|&b| b == 0) {
            let cleaned: Vec<u8> = bytes.iter().copied().filter(|&b| b != 0).collect();
            if !cleaned.is_empty() && !cleaned.contains(&0) {
                if let Ok(d) = decode(&cleaned, None) {
                    let line = 1 + bytes[..pos].iter().filter(|&&b| b == b'\n').count();
                    let mut warnings = vec![Diagnostic::warning(Code::FieldsIgnored, format!(
                        "{n_nul} NUL byte(s) were removed (the first at line {line}, byte offset {pos}); the file may be damaged"
                    ))];
                    warnings.extend(d.warnings);
                    return Ok(Decoded { text: Cow::Owned(d.text.into_owned()), encoding: d.encoding, warnings });
                }
            }
        }
    }
    if let Some(pos) = sample.iter().position(|&b| b == 0) {
        return Err(ErrorKind::Binary { detail: format!("it contains a NUL byte at offset {pos}") }.into());
    }
    let controls = sample.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)).count();
    if controls * 100 > sample.len() {
        return Err(ErrorKind::Binary {
            detail: format!("{controls} of its first {} bytes are control characters", sample.len()),
        }
        .into());
    }
    // 5. UTF-8.
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(Decoded { text: Cow::Borrowed(s), encoding: "utf-8", warnings: Vec::new() });
    }
    // 5b. Mostly UTF-8 with a few damaged bytes (a truncated copy, a stray Latin
    // byte): keep UTF-8 and say so, rather than garbling every character.
    {
        let lossy = String::from_utf8_lossy(bytes);
        let bad = lossy.chars().filter(|&c| c == '\u{FFFD}').count();
        let good = lossy.chars().filter(|&c| !c.is_ascii() && c != '\u{FFFD}').count();
        if good >= 10 * bad {
            return Ok(Decoded {
                encoding: "utf-8",
                warnings: vec![Diagnostic::warning(Code::EncodingGuessed, format!(
                    "{bad} byte sequence(s) are not valid UTF-8 and were replaced by \u{FFFD}"
                ))],
                text: Cow::Owned(lossy.into_owned()),
            });
        }
    }
    // 6. GB18030.
    if !cfg!(feature = "full") {
        return Err(ErrorKind::NotInThisBuild { what: "text that is not UTF-8".into() }.into());
    }
    if let Some(s) = gb18030_strict(bytes) {
        return Ok(Decoded {
            text: Cow::Owned(s.into_owned()),
            encoding: "gb18030",
            warnings: vec![Diagnostic::warning(Code::EncodingGuessed, "the file is not UTF-8; it was read as GB18030/GBK (Chinese)")],
        });
    }
    // 7. Latin fallback.
    Ok(Decoded {
        text: Cow::Owned(decode_other(bytes, WINDOWS_1252)?),
        encoding: "windows-1252",
        warnings: vec![Diagnostic::warning(Code::EncodingGuessed,
            "the file is neither UTF-8 nor GB18030; it was read as Windows-1252 (Latin). Pass an explicit encoding if characters look wrong",
        )],
    })
}

/// Decodes with a known encoding, stripping its BOM if present.
fn decode_with<'a>(bytes: &'a [u8], enc: &'static Encoding, user: bool) -> Result<Decoded<'a>> {
    let mut warnings = Vec::new();
    let body = match Encoding::for_bom(bytes) {
        Some((bom_enc, len)) if bom_enc == enc => &bytes[len..],
        Some((bom_enc, _)) if user => {
            warnings.push(Diagnostic::warning(Code::EncodingGuessed, format!(
                "the file starts with a {} byte-order mark but was decoded as {} as requested",
                name_of(bom_enc),
                name_of(enc)
            )));
            bytes
        }
        _ => bytes,
    };
    let text: Cow<'a, str> = if enc == UTF_8 {
        match std::str::from_utf8(body) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => Cow::Owned(String::from_utf8_lossy(body).into_owned()),
        }
    } else {
        Cow::Owned(decode_other(body, enc)?)
    };
    let bad = if enc == UTF_8 && matches!(text, Cow::Borrowed(_)) {
        0
    } else {
        text.chars().filter(|&c| c == '\u{FFFD}').count()
    };
    if bad > 0 {
        warnings.push(Diagnostic::warning(Code::EncodingGuessed, format!(
            "{bad} byte sequence(s) are not valid {} and were replaced by \u{FFFD}",
            name_of(enc)
        )));
    }
    Ok(Decoded { text, encoding: name_of(enc), warnings })
}

/// Text in an encoding other than UTF-8 (the lean build leaves encoding_rs's decoders and
/// their tables out: `not_in_this_build`, and the page's worker reads the file with the full build).
#[cfg(feature = "full")]
fn decode_other(bytes: &[u8], enc: &'static Encoding) -> Result<String> {
    Ok(enc.decode_without_bom_handling(bytes).0.into_owned())
}

#[cfg(not(feature = "full"))]
fn decode_other(_: &[u8], enc: &'static Encoding) -> Result<String> {
    Err(ErrorKind::NotInThisBuild { what: format!("text in {}", name_of(enc)) }.into())
}

#[cfg(feature = "full")]
fn gb18030_strict(bytes: &[u8]) -> Option<Cow<'_, str>> {
    GB18030.decode_without_bom_handling_and_without_replacement(bytes)
}

#[cfg(not(feature = "full"))]
fn gb18030_strict(_: &[u8]) -> Option<Cow<'_, str>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if le { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
        }
        for u in s.encode_utf16() {
            let b = if le { u.to_le_bytes() } else { u.to_be_bytes() };
            out.extend_from_slice(&b);
        }
        out
    }

    #[test]
    fn nul_anywhere_is_found() {
        let mut b = vec![b'a'; 10_000];
        assert!(!has_nul(&b) && !has_nul(&[]));
        for at in [0, 1, 4095, 4096, 9_999] {
            b[at] = 0;
            assert!(has_nul(&b), "{at}");
            b[at] = b'a';
        }
    }

    #[test]
    fn boms_and_utf16() {
        let d = decode(b"\xEF\xBB\xBFa,b\n1,2\n", None).unwrap();
        assert_eq!((d.text.as_ref(), d.encoding), ("a,b\n1,2\n", "utf-8"));
        for le in [true, false] {
            let bytes = utf16("城市,年\n北京,2013\n", le, true);
            let d = decode(&bytes, None).unwrap();
            assert_eq!(d.text, "城市,年\n北京,2013\n");
            assert_eq!(d.encoding, if le { "utf-16le" } else { "utf-16be" });
            let bytes = utf16("city,year\nBeijing,2013\n", le, false);
            let d = decode(&bytes, None).unwrap();
            assert_eq!(d.text, "city,year\nBeijing,2013\n");
            assert_eq!(d.warnings.len(), 1);
        }
    }

    #[test]
    fn gb18030_and_override() {
        let (bytes, _, _) = GB18030.encode("城市,年份\n北京,2013\n");
        let d = decode(&bytes, None).unwrap();
        assert_eq!((d.text.as_ref(), d.encoding), ("城市,年份\n北京,2013\n", "gb18030"));
        let d = decode(&bytes, Some("gbk")).unwrap();
        assert_eq!(d.text, "城市,年份\n北京,2013\n");
        let d = decode("é,x\n".as_bytes(), Some("windows-1252")).unwrap();
        assert_eq!(d.text, "Ã©,x\n");
        assert!(decode(b"a", Some("klingon")).is_err());
    }

    #[test]
    fn damaged_utf8_stays_utf8() {
        let mut bytes = "城市,年份\n北京,2013\n天津,2014\n".repeat(3).into_bytes();
        bytes.push(0xE5); // truncated last character
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.encoding, "utf-8");
        assert!(d.text.starts_with("城市,年份"));
        assert_eq!(d.warnings.len(), 1);
    }

    #[test]
    fn latin_fallback_and_binary() {
        let d = decode(b"caf\xE9,x\n1,2\n", None).unwrap();
        assert_eq!((d.text.as_ref(), d.encoding), ("café,x\n1,2\n", "windows-1252"));
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
        assert!(matches!(decode(png, None).unwrap_err().kind(), ErrorKind::Binary { .. }));
        assert!(matches!(decode(b"\x01\x02\x03abc", None).unwrap_err().kind(), ErrorKind::Binary { .. }));
    }
}
