//! Property/fuzz-style tests: random bytes and random CSV-ish text never panic,
//! whenever loading succeeds the dataset and report are consistent, and input that
//! is bad by design (empty, a workbook signature followed by garbage, a truncated
//! workbook) is an error that says what is wrong.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::data::{describe, panel_info, read_bytes, DescribeSpec, ReadOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const XLSX: &[u8] = include_bytes!("fixtures/data/panel.xlsx");

fn random_options(rng: &mut ChaCha8Rng) -> ReadOptions {
    ReadOptions {
        filename: [None, Some("a.csv"), Some("a.xlsx"), Some("a.xls")][rng.random_range(0..4)].map(String::from),
        delimiter: [None, None, Some(b','), Some(b';'), Some(b'\t'), Some(b'|')][rng.random_range(0..6)],
        encoding: [None, None, None, Some("utf-16le"), Some("gbk"), Some("utf-8")][rng.random_range(0..6)]
            .map(String::from),
        decimal_comma: rng.random_bool(0.3),
        missing: None,
        sheet: [None, None, Some("1"), Some("zz")][rng.random_range(0..4)].map(String::from),
        has_header: rng.random_bool(0.8),
        skip_ragged: rng.random_bool(0.5),
    }
}

/// Loads, and checks invariants of anything that loads; returns the error message of
/// anything that does not (never empty).
fn exercise(bytes: &[u8], opts: &ReadOptions) -> Option<String> {
    let l = match read_bytes(bytes, opts) {
        Ok(l) => l,
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.trim().is_empty(), "empty error message for {opts:?}");
            return Some(msg);
        }
    };
    let ds = &l.dataset;
    assert_eq!(l.report.rows_read, ds.nrows());
    assert_eq!(l.report.columns.len(), ds.ncols());
    assert!(l.report.skipped.len() <= l.report.rows_skipped);
    let mut last = 0;
    for r in 0..ds.nrows() {
        let line = ds.source_line(r).expect("every row has a source line");
        assert!(line > last, "lines increase: {line} after {last} in {:?} {opts:?}", String::from_utf8_lossy(bytes));
        last = line;
    }
    for c in ds.columns() {
        assert_eq!(c.len(), ds.nrows());
    }
    let _ = ds.preview(5);
    let _ = describe(ds, &DescribeSpec { quantiles: true, ..Default::default() });
    let names = ds.column_names();
    if names.len() >= 2 {
        let _ = panel_info(ds, &names[0], &names[1]);
        let _ = describe(ds, &DescribeSpec { by: Some(names[0].clone()), ..Default::default() });
    }
    None
}

#[test]
fn random_bytes_never_panic() {
    assert_eq!(exercise(b"", &ReadOptions::default()).as_deref(), Some("the file is empty"));
    let mut rng = ChaCha8Rng::seed_from_u64(20240601);
    let mut signature_cases = 0;
    for case in 0..2000 {
        let len = rng.random_range(0..300);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        let prefix: &[u8] = match case % 5 {
            0 => b"PK\x03\x04",
            1 => &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
            2 => &[0xFF, 0xFE],
            _ => &[],
        };
        bytes.splice(0..0, prefix.iter().copied());
        let opts = random_options(&mut rng);
        let err = exercise(&bytes, &opts);
        // Random text may legitimately load (as a CSV of odd characters) or be refused
        // as binary. Bad by design (besides the empty file above): a workbook signature
        // followed by garbage, which is opened as a workbook, and no workbook fits in
        // 300 random bytes.
        if case % 5 < 2 {
            signature_cases += 1;
            let e = err.unwrap_or_else(|| panic!("case {case}: {} random bytes after a workbook signature loaded", len));
            assert!(e.contains("could not be opened"), "case {case}: {e}");
        }
    }
    assert_eq!(signature_cases, 800);
}

#[test]
fn mutated_workbook_never_panics() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut truncations = 0;
    for _ in 0..300 {
        let mut bytes = XLSX.to_vec();
        for _ in 0..rng.random_range(1..8) {
            let i = rng.random_range(0..bytes.len());
            bytes[i] = rng.random();
        }
        // A changed byte may hit something the reader does not check (a cell's text):
        // such a workbook may still load. A truncated one has lost the zip directory
        // at its end and must be refused.
        let truncated = rng.random_bool(0.2);
        if truncated {
            bytes.truncate(rng.random_range(4..XLSX.len()));
        }
        let err = exercise(&bytes, &ReadOptions::default());
        if truncated {
            truncations += 1;
            let e = err.unwrap_or_else(|| panic!("a workbook truncated to {} of {} bytes loaded", bytes.len(), XLSX.len()));
            assert!(e.contains("could not be opened"), "{e}");
        }
    }
    assert!(truncations >= 30, "only {truncations} truncated workbooks were tried");
}

#[test]
fn random_csvish_text_never_panics() {
    const PIECES: &[&str] = &[
        "a", "b", "1", "2.5", "-3", "1e5", "1,5", ".", "NA", "", " ", ",", ",", ",", ";", "\t", "|", "\"", "\"\"",
        "\n", "\n", "\r\n", "\r", "é", "城市", "\u{FEFF}", "inf", "x y", "#N/A", "+", "1.234,5",
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    for _ in 0..3000 {
        let n = rng.random_range(0..60);
        let s: String = (0..n).map(|_| PIECES[rng.random_range(0..PIECES.len())]).collect();
        let mut opts = random_options(&mut rng);
        opts.encoding = None;
        // Any of these may load or be refused; only consistency and messages are checked.
        exercise(s.as_bytes(), &opts);
        exercise(s.as_bytes(), &ReadOptions::default());
    }
}

#[test]
fn row_order_does_not_change_describe() {
    // Property: permuting the data rows leaves every statistic unchanged (up to rounding).
    let text = std::str::from_utf8(include_bytes!("fixtures/data/jjj_cities.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let a = describe(&read_bytes(text.as_bytes(), &ReadOptions::default()).unwrap().dataset, &DescribeSpec::default())
        .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for i in (2..lines.len()).rev() {
        let j = rng.random_range(1..=i);
        lines.swap(i, j);
    }
    let shuffled = lines.join("\n");
    let b = describe(&read_bytes(shuffled.as_bytes(), &ReadOptions::default()).unwrap().dataset, &DescribeSpec::default())
        .unwrap();
    for (x, y) in a.rows.iter().zip(&b.rows) {
        assert_eq!((x.n, x.min, x.max), (y.n, y.min, y.max));
        assert!((x.mean - y.mean).abs() <= 1e-12 * x.mean.abs().max(1.0));
        assert!((x.sd - y.sd).abs() <= 1e-12 * x.sd.abs().max(1.0));
    }
}
