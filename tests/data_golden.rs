//! Golden tests of data loading, describe and panel_info against pandas
//! (tests/fixtures/data/describe_expected.json, made by make_describe_expected.py).
//! Fixtures are embedded with include_str!/include_bytes! so these run under wasm too.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::data::{describe, panel_info, read_bytes, ColumnKind, DescribeSpec, ReadOptions};
use serde_json::Value;

const JJJ: &[u8] = include_bytes!("fixtures/data/jjj_cities.csv");
const PROVINCES: &[u8] = include_bytes!("fixtures/data/provinces.csv");
const XLSX: &[u8] = include_bytes!("fixtures/data/panel.xlsx");
const EXPECTED: &str = include_str!("fixtures/data/describe_expected.json");

fn expected() -> Value {
    serde_json::from_str(EXPECTED).unwrap()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1.0)
}

fn check_rows(got: &quasi::data::Describe, want: &Value) {
    let want = want.as_array().unwrap();
    assert_eq!(got.rows.len(), want.len());
    for (g, w) in got.rows.iter().zip(want) {
        assert_eq!(g.variable, w["variable"].as_str().unwrap());
        assert_eq!(g.group.as_deref(), w.get("group").and_then(Value::as_str));
        assert_eq!(g.n as u64, w["n"].as_u64().unwrap(), "{}", g.variable);
        let pairs = [
            ("mean", g.mean),
            ("sd", g.sd),
            ("min", g.min),
            ("max", g.max),
            ("p25", g.p25.unwrap()),
            ("median", g.median.unwrap()),
            ("p75", g.p75.unwrap()),
        ];
        for (k, v) in pairs {
            let e = w[k].as_f64().unwrap();
            assert!(close(v, e, 1e-9), "{} {:?} {k}: got {v}, pandas {e}", g.variable, g.group);
        }
    }
}

#[test]
fn jjj_loads_with_right_kinds() {
    let l = read_bytes(JJJ, &ReadOptions { filename: Some("jjj_cities.csv".into()), ..Default::default() }).unwrap();
    let ds = &l.dataset;
    let exp = expected();
    assert_eq!(ds.nrows(), 130);
    assert_eq!(ds.ncols(), 30);
    let r = &l.report;
    assert_eq!((r.format.as_str(), r.encoding.as_deref(), r.delimiter.as_deref()), ("csv", Some("utf-8"), Some(",")));
    assert_eq!((r.rows_read, r.rows_skipped), (130, 0));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let numeric: Vec<String> = ds
        .columns()
        .iter()
        .filter(|c| c.kind() != ColumnKind::Text)
        .map(|c| c.name.clone())
        .collect();
    let pandas: Vec<String> = serde_json::from_value(exp["jjj_numeric_columns"].clone()).unwrap();
    assert_eq!(numeric, pandas);
    assert_eq!(ds.column("city").unwrap().kind(), ColumnKind::Text);
    assert_eq!(ds.column("year").unwrap().kind(), ColumnKind::Integer);
    assert_eq!(ds.column("ftz_year").unwrap().kind(), ColumnKind::Integer);
    assert_eq!(ds.column("lnHDQ").unwrap().kind(), ColumnKind::Numeric);
    let info = r.columns.iter().find(|c| c.name == "ftz_year").unwrap();
    assert_eq!(info.n_missing, 70);
    assert_eq!(r.columns.iter().map(|c| c.n_missing).sum::<usize>(), 70);
    assert_eq!(ds.source_line(0), Some(2));
    assert_eq!(ds.source_line(129), Some(131));
    let p = ds.preview(2);
    assert_eq!(p.len(), 2);
    assert_eq!(&p[0][..5], &["Beijing", "Beijing", "2013", "2020", "0"]);
    assert_eq!(p[0][29], "4.20074");
    assert_eq!(ds.preview(1000).len(), 130);
}

#[test]
fn jjj_describe_matches_pandas() {
    let ds = read_bytes(JJJ, &ReadOptions::default()).unwrap().dataset;
    let exp = expected();
    let d = describe(&ds, &DescribeSpec { quantiles: true, ..Default::default() }).unwrap();
    check_rows(&d, &exp["jjj_overall"]);
    let d = describe(
        &ds,
        &DescribeSpec { columns: Some(vec!["lnHDQ".into(), "pgdp".into()]), by: Some("province".into()), quantiles: true },
    )
    .unwrap();
    check_rows(&d, &exp["jjj_by_province"]);
    // The JS shape: {rows: [{variable, n, mean, sd, min, max}], diagnostics: []}.
    let d = ds.describe(&DescribeSpec { columns: Some(vec!["lnHDQ".into(), "pgdp".into()]), ..Default::default() }).unwrap();
    let json = serde_json::to_value(&d).unwrap();
    let keys: Vec<&String> = json["rows"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
    assert_eq!(json["rows"][1]["variable"], "pgdp");
    use quasi::report::{render_table, RenderOptions, Tables};
    let t = &d.tables()[0];
    let csv = render_table(t, &RenderOptions { format: "csv".into(), ..Default::default() }).unwrap();
    assert!(csv.starts_with("Variable,N,Mean,SD,Min,Max\nlnHDQ,130,"), "{csv}");
    let md = render_table(t, &RenderOptions { format: "markdown".into(), ..Default::default() }).unwrap();
    assert_eq!(md.lines().filter(|l| l.starts_with('|')).count(), 4, "{md}");
}

#[test]
fn provinces_describe_and_panel() {
    let ds = read_bytes(PROVINCES, &ReadOptions::default()).unwrap().dataset;
    let exp = expected();
    assert_eq!(ds.nrows() as u64, exp["provinces_nrows"].as_u64().unwrap());
    let d = describe(&ds, &DescribeSpec { quantiles: true, ..Default::default() }).unwrap();
    check_rows(&d, &exp["provinces_overall"]);
    let p = panel_info(&ds, "province", "year").unwrap();
    assert_eq!((p.n_units, p.n_periods, p.n_obs), (31, 11, 341));
    assert_eq!((p.time_min, p.time_max), (Some(2012.0), Some(2022.0)));
    assert!(p.balanced && p.n_duplicates == 0 && p.diagnostics.is_empty());
}

#[test]
fn jjj_panel_and_a_broken_copy() {
    let ds = read_bytes(JJJ, &ReadOptions::default()).unwrap().dataset;
    let p = panel_info(&ds, "city", "year").unwrap();
    assert_eq!((p.n_units, p.n_periods, p.balanced), (13, 10, true));
    // Duplicate line 3 at the end and drop line 5: unbalanced, one duplicate, one gap.
    let text = std::str::from_utf8(JJJ).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut broken: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| *i != 4).map(|(_, l)| *l).collect();
    broken.push(lines[2]);
    let ds = read_bytes(broken.join("\n").as_bytes(), &ReadOptions::default()).unwrap().dataset;
    let p = panel_info(&ds, "city", "year").unwrap();
    assert!(!p.balanced);
    assert_eq!(p.n_duplicates, 1);
    assert_eq!((p.duplicates[0].unit.as_str(), p.duplicates[0].time.as_str()), ("Beijing", "2014"));
    assert_eq!(p.duplicates[0].lines, vec![3, 131]);
    assert_eq!(p.gaps[0].unit, "Beijing");
    assert_eq!(p.gaps[0].missing, vec!["2016"]);
}

#[test]
fn xlsx_first_and_named_sheet() {
    let opts = ReadOptions { filename: Some("panel.xlsx".into()), ..Default::default() };
    let l = read_bytes(XLSX, &opts).unwrap();
    let (ds, r) = (&l.dataset, &l.report);
    assert_eq!(r.format, "xlsx");
    assert_eq!(r.sheet.as_deref(), Some("Panel"));
    assert_eq!(r.sheets, vec!["Panel", "Notes"]);
    assert_eq!(ds.column_names(), vec!["city", "year", "pgdp", "treated", "date", "note"]);
    assert_eq!((r.rows_read, r.rows_skipped), (4, 1));
    assert_eq!((r.skipped[0].line, r.skipped[0].reason.as_str()), (5, "blank row"));
    assert_eq!(ds.source_line(3), Some(6));
    assert_eq!(ds.column("year").unwrap().kind(), ColumnKind::Integer);
    assert_eq!(ds.column("treated").unwrap().kind(), ColumnKind::Integer);
    assert_eq!(ds.numeric("treated").unwrap(), &[1.0, 0.0, 0.0, 1.0]);
    let pgdp = ds.numeric("pgdp").unwrap();
    assert_eq!(pgdp[0], 4.5134);
    assert!(pgdp[2].is_nan(), "#N/A error cell is missing");
    assert!(r.warnings.iter().any(|w| w.code == quasi::diagnostics::Code::ValuesConverted && w.message.contains("Excel errors")), "{:?}", r.warnings);
    let date = ds.column("date").unwrap();
    assert_eq!(date.kind(), ColumnKind::Text);
    assert_eq!(date.display(0), "2013-12-31");
    assert_eq!(date.display(2), "2014-06-30 12:00:00");
    assert_eq!(ds.column("note").unwrap().n_missing(), 1);
    for sheet in ["Notes", "1"] {
        let l = read_bytes(XLSX, &ReadOptions { sheet: Some(sheet.into()), ..Default::default() }).unwrap();
        assert_eq!(l.report.sheet.as_deref(), Some("Notes"));
        assert_eq!(l.dataset.column_names(), vec!["key", "value"]);
        assert_eq!(l.dataset.numeric("value").unwrap(), &[1.0, 2.0]);
    }
    let e = read_bytes(XLSX, &ReadOptions { sheet: Some("Missing".into()), ..Default::default() }).unwrap_err();
    assert!(e.to_string().contains("Panel, Notes"), "{e}");
}

#[test]
fn report_serializes_for_js() {
    let l = read_bytes(b"a;b\n1,5;x\n", &ReadOptions { decimal_comma: true, ..Default::default() }).unwrap();
    let v = serde_json::to_value(&l.report).unwrap();
    assert_eq!(v["delimiter"], ";");
    assert_eq!(v["columns"][0]["kind"], "numeric");
    assert_eq!(v["columns"][1]["kind"], "text");
    assert!(v.get("sheet").is_none());
    assert_eq!(l.dataset.numeric("a").unwrap(), &[1.5]);
}
