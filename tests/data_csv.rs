//! Every CSV case of issue 2, through the public entry point `read_bytes`.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::data::{read_bytes, read_bytes_with_progress, ColumnData, ColumnKind, Loaded, ReadOptions};
use quasi::{ErrorKind, Result};

fn read(s: &str) -> Result<Loaded> {
    read_bytes(s.as_bytes(), &ReadOptions::default())
}

fn texts(l: &Loaded, col: &str) -> Vec<Option<String>> {
    match &l.dataset.column(col).unwrap().data {
        ColumnData::Text { values, .. } => values.clone(),
        other => panic!("{col} is not text: {other:?}"),
    }
}

#[test]
fn quotes_doubled_quotes_embedded_newlines_and_delimiters() {
    let l = read("name,note,x\n\"Smith, J.\",\"said \"\"hi\"\"\",1\n\"multi\nline\",\"a,b\",2\nplain,,3\n").unwrap();
    assert_eq!(l.dataset.nrows(), 3);
    assert_eq!(
        texts(&l, "name"),
        vec![Some("Smith, J.".into()), Some("multi\nline".into()), Some("plain".into())]
    );
    assert_eq!(texts(&l, "note"), vec![Some("said \"hi\"".into()), Some("a,b".into()), None]);
    assert_eq!(l.dataset.numeric("x").unwrap(), &[1.0, 2.0, 3.0]);
    // Row 2 starts on line 3, row 3 on line 5 (after the embedded newline).
    assert_eq!((1..3).map(|r| l.dataset.source_line(r).unwrap()).collect::<Vec<_>>(), vec![3, 5]);
}

#[test]
fn ragged_row_line_number_after_embedded_newline() {
    let e = read("a,b,c\n1,\"x\ny\",3\n4,5\n").unwrap_err();
    assert_eq!(e.to_string(), "line 4 has 2 fields, header has 3");
    assert!(matches!(e.kind(), ErrorKind::RaggedRow { line: 4, found: 2, expected: 3 }));
    // Nine fields under an eleven-name header, on line 17.
    let mut s = String::from("c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11\n");
    for i in 2..17 {
        s.push_str(&format!("{i},1,2,3,4,5,6,7,8,9,10\n"));
    }
    s.push_str("1,2,3,4,5,6,7,8,9\n");
    assert_eq!(read(&s).unwrap_err().to_string(), "line 17 has 9 fields, header has 11");
    // With skip_ragged the rows are skipped and listed, never lost silently.
    let opts = ReadOptions { skip_ragged: true, ..Default::default() };
    let l = read_bytes(b"a,b,c\n1,\"x\ny\",3\n4,5\n6,7,8\n9,10,11,12\n", &opts).unwrap();
    assert_eq!((l.report.rows_read, l.report.rows_skipped), (2, 2));
    let skipped: Vec<(u64, &str)> = l.report.skipped.iter().map(|s| (s.line, s.reason.as_str())).collect();
    assert_eq!(skipped, vec![(4, "has 2 fields, header has 3"), (6, "has 4 fields, header has 3")]);
    assert_eq!(l.dataset.numeric("a").unwrap(), &[1.0, 6.0]);
}

#[test]
fn bom_and_crlf() {
    let l = read_bytes(b"\xEF\xBB\xBFcity,year\r\nBeijing,2013\r\n", &ReadOptions::default()).unwrap();
    assert_eq!(l.dataset.column_names(), vec!["city", "year"]);
    assert_eq!(l.report.encoding.as_deref(), Some("utf-8"));
    assert_eq!(texts(&l, "city"), vec![Some("Beijing".into())]);
}

fn utf16(s: &str, le: bool) -> Vec<u8> {
    let mut out = if le { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
    for u in s.encode_utf16() {
        out.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

#[test]
fn utf16_le_and_be_with_bom() {
    for (le, name) in [(true, "utf-16le"), (false, "utf-16be")] {
        // Excel's "Unicode text" is tab-separated UTF-16LE.
        let l = read_bytes(&utf16("城市\t年份\tpgdp\n北京\t2013\t4,5\n", le), &ReadOptions::default()).unwrap();
        assert_eq!(l.report.encoding.as_deref(), Some(name));
        assert_eq!(l.report.delimiter.as_deref(), Some("\t"));
        assert_eq!(l.dataset.column_names(), vec!["城市", "年份", "pgdp"]);
        assert_eq!(texts(&l, "城市"), vec![Some("北京".into())]);
        assert_eq!(l.dataset.numeric("年份").unwrap(), &[2013.0]);
    }
}

#[test]
fn gbk_chinese_headers_detected_and_overridden() {
    let text = "城市,省份,年份,人均GDP\n北京,北京,2013,4.51\n天津,天津,2013,3.2\n";
    let (bytes, _, _) = encoding_rs::GBK.encode(text);
    assert!(std::str::from_utf8(&bytes).is_err());
    let l = read_bytes(&bytes, &ReadOptions::default()).unwrap();
    assert_eq!(l.report.encoding.as_deref(), Some("gb18030"));
    assert_eq!(l.dataset.column_names(), vec!["城市", "省份", "年份", "人均GDP"]);
    assert_eq!(texts(&l, "城市"), vec![Some("北京".into()), Some("天津".into())]);
    assert_eq!(l.dataset.numeric("人均GDP").unwrap(), &[4.51, 3.2]);
    let l = read_bytes(&bytes, &ReadOptions { encoding: Some("gbk".into()), ..Default::default() }).unwrap();
    assert_eq!(l.dataset.column_names()[0], "城市");
    let e = read_bytes(&bytes, &ReadOptions { encoding: Some("nope".into()), ..Default::default() }).unwrap_err();
    assert!(e.to_string().contains("unknown encoding `nope`"));
}

#[test]
fn semicolon_with_decimal_comma() {
    let s = "region;gdp;share\nNord;1.234,5;0,25\nSüd;-2,75;1e-3\nOst;NA;3\n";
    let opts = ReadOptions { decimal_comma: true, ..Default::default() };
    let l = read_bytes(s.as_bytes(), &opts).unwrap();
    assert_eq!(l.report.delimiter.as_deref(), Some(";"));
    let gdp = l.dataset.numeric("gdp").unwrap();
    assert_eq!(&gdp[..2], &[1234.5, -2.75]);
    assert!(gdp[2].is_nan());
    assert_eq!(l.dataset.numeric("share").unwrap(), &[0.25, 0.001, 3.0]);
    // Without the option, `;` and unambiguous comma decimals (`0,25`, `-2,75`) switch it on, with a warning.
    let l = read(s).unwrap();
    assert_eq!(l.dataset.numeric("gdp").unwrap()[..2], [1234.5, -2.75]);
    assert!(l.report.warnings.iter().any(|w| w.code == quasi::diagnostics::Code::DecimalComma), "{:?}", l.report.warnings);
    // A comma delimiter never switches it on: the comma numbers are text, not silently NaN.
    let l = read("region,gdp\nNord,\"1,25\"\nSüd,\"2,5\"\n").unwrap();
    assert_eq!(l.dataset.column("gdp").unwrap().kind(), ColumnKind::Text);
}

#[test]
fn tab_and_pipe_and_explicit_delimiter() {
    let l = read("a\tb\n1\t2\n3\t4\n").unwrap();
    assert_eq!((l.report.delimiter.as_deref(), l.dataset.ncols()), (Some("\t"), 2));
    let l = read("a|b|c\n1|\"x|y\"|2\n").unwrap();
    assert_eq!(l.report.delimiter.as_deref(), Some("|"));
    assert_eq!(texts(&l, "b"), vec![Some("x|y".into())]);
    let opts = ReadOptions { delimiter: Some(b';'), ..Default::default() };
    let l = read_bytes(b"a,b;c\n1,2;3\n", &opts).unwrap();
    assert_eq!(l.dataset.column_names(), vec!["a,b", "c"]);
}

#[test]
fn missing_tokens() {
    let l = read("x,y\n1,a\n,b\nNA,c\nn/a,d\nNaN,e\n.,f\nnull,g\n-,h\n#N/A,i\n  2  ,j\n").unwrap();
    let x = l.dataset.numeric("x").unwrap();
    assert_eq!(x.iter().filter(|v| v.is_nan()).count(), 8);
    assert_eq!((x[0], x[9]), (1.0, 2.0));
    assert_eq!(l.report.columns[0].n_missing, 8);
    assert_eq!(l.dataset.column("x").unwrap().kind(), ColumnKind::Integer);
}

#[test]
fn stray_strings_are_reported_not_nan() {
    let mut s = String::from("id,pgdp\n");
    for i in 0..60 {
        let v = match i {
            15 => "n.k.".to_string(), // (`n.a.` is a default missing token)
            30 | 45 => "?".to_string(),
            _ => format!("{}.5", i),
        };
        s.push_str(&format!("{i},{v}\n"));
    }
    let l = read(&s).unwrap();
    let info = &l.report.columns[1];
    assert_eq!(info.kind, ColumnKind::Text);
    assert_eq!((info.n_stray, info.first_stray_line, info.first_stray_value.as_deref()), (3, Some(17), Some("n.k.")));
    assert!(l.report.warnings.iter().any(|w| w.message.contains("`pgdp`")));
    let e = l.dataset.numeric("pgdp").unwrap_err();
    assert_eq!(e.to_string(), "column `pgdp` has 3 non-numeric values, first at line 17 (`n.k.`)");
    // The numbers keep their text.
    assert_eq!(texts(&l, "pgdp")[0].as_deref(), Some("0.5"));
    // inf is not a number.
    let l = read("x\n1\n2\ninf\n3\n4\n5\n6\n").unwrap();
    assert_eq!(l.report.columns[0].n_stray, 1);
}

#[test]
fn empty_whitespace_and_header_only() {
    for s in ["", "   \n\t\r\n  "] {
        let e = read(s).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::EmptyFile), "{s:?}: {e}");
        assert_eq!(e.to_string(), "the file is empty");
    }
    let l = read("a,b,c\n").unwrap();
    assert_eq!((l.dataset.nrows(), l.dataset.ncols()), (0, 3));
    assert_eq!(l.report.rows_read, 0);
}

#[test]
fn header_problems() {
    let e = read("a,b,a\n1,2,3\n").unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::DuplicateColumn { first: 0, second: 2, .. }));
    assert_eq!(e.to_string(), "duplicate column name `a` (columns 1 and 3)");
    // Trimmed names collide too.
    assert!(matches!(read(" a ,a\n1,2\n").unwrap_err().kind(), ErrorKind::DuplicateColumn { .. }));
    let l = read(" city , year\nx,1\n").unwrap();
    assert_eq!(l.dataset.column_names(), vec!["city", "year"]);
    // A blank name is auto-named with a warning.
    let l = read("a,,c\n1,2,3\n").unwrap();
    assert_eq!(l.dataset.column_names(), vec!["a", "column_2", "c"]);
    assert_eq!(l.report.warnings.len(), 1);
    // A numeric first row is data, not a header.
    let e = read("1,2,3\n4,5,6\n").unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NoHeader { .. }), "{e}");
    let l = read_bytes(b"1,2,3\n4,5,6\n", &ReadOptions { has_header: false, ..Default::default() }).unwrap();
    assert_eq!(l.dataset.column_names(), vec!["column_1", "column_2", "column_3"]);
    assert_eq!(l.dataset.numeric("column_1").unwrap(), &[1.0, 4.0]);
    assert_eq!(l.dataset.source_line(1), Some(2));
}

#[test]
fn binary_garbage_is_rejected() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0\x5c\x72\xa8\x66";
    let e = read_bytes(png, &ReadOptions { filename: Some("photo.csv".into()), ..Default::default() }).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Binary { .. }), "{e}");
    assert!(e.to_string().starts_with("this does not look like a CSV or Excel file"));
    let e = read_bytes(b"PK\x03\x04\x14\0\0\0not really a zip", &ReadOptions::default()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Binary { .. }), "{e}");
    let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0];
    assert!(read_bytes(&ole, &ReadOptions::default()).is_err());
    // A text file named .xlsx is read as text, with a warning.
    let l = read_bytes(b"a,b\n1,2\n", &ReadOptions { filename: Some("x.xlsx".into()), ..Default::default() }).unwrap();
    assert_eq!(l.report.format, "csv");
    assert!(l.report.warnings.messages()[0].contains(".xlsx"));
}

#[test]
fn latin1_fallback_is_flagged() {
    let l = read_bytes(b"caf\xE9,prix\nnoir,1\n", &ReadOptions::default()).unwrap();
    assert_eq!(l.dataset.column_names()[0], "café");
    assert_eq!(l.report.encoding.as_deref(), Some("windows-1252"));
    assert!(!l.report.warnings.is_empty());
}

#[test]
fn progress_and_cancel() {
    let mut s = String::from("a,b\n");
    for i in 0..50_000 {
        s.push_str(&format!("{i},{}\n", i as f64 / 7.0));
    }
    let mut seen = Vec::new();
    let l = read_bytes_with_progress(s.as_bytes(), &ReadOptions::default(), &mut |f| {
        seen.push(f);
        true
    })
    .unwrap();
    assert_eq!(l.dataset.nrows(), 50_000);
    assert!(seen.len() >= 5);
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(seen.last(), Some(&1.0));
    let e = read_bytes_with_progress(s.as_bytes(), &ReadOptions::default(), &mut |f| f < 0.5).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Cancelled));
}

#[test]
fn rows_are_never_lost_silently() {
    // Blank lines inside, trailing delimiters, whitespace-only line.
    let l = read("a,b\n1,2\n\n3,4,\n   \n5,6\n").unwrap();
    assert_eq!(l.report.rows_read + l.report.rows_skipped, 4);
    assert_eq!(l.dataset.numeric("b").unwrap(), &[2.0, 4.0, 6.0]);
    assert_eq!(l.report.skipped[0].line, 5);
    assert!(l.report.warnings.iter().any(|w| w.message.contains("trailing")));
}
