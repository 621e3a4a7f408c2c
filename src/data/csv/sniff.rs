//! Sniffing the layout of a CSV text before it is read: the delimiter, Excel's `sep=`
//! hint, the decimal comma and title lines above the header (rules: the parent module).

use super::{records, CANDIDATES};
use crate::data::infer::trim;
use ::csv::ByteRecord;

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
        let mut rdr = records(d).from_reader(sample);
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

/// `sep=X` (Excel's delimiter hint) as the first line: the delimiter and the rest of the text.
pub(super) fn sep_hint(text: &[u8]) -> Option<(u8, &[u8])> {
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
pub(super) fn sniff_decimal_comma(text: &[u8], delimiter: u8) -> Option<String> {
    let sample = &text[..text.len().min(64 * 1024)];
    let mut rdr = records(delimiter).from_reader(sample);
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

/// Title lines above the header: the non-blank records before the first one with at
/// least two filled fields (among the first 30 non-blank records).
pub(super) fn count_title_lines(text: &[u8], delimiter: u8) -> usize {
    let mut rdr = records(delimiter).from_reader(text);
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
