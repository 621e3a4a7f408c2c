//! Chinese tables (`lang: "zh"`): a regression table of two real fits on the sample panel
//! (jjj_cities.csv; city and year fixed effects, controls folded into one row) rendered in
//! every format carries the journals' labels (观测值, 是/否, 城市固定效应, 年份固定效应,
//! 括号内为标准误, 注：…); the English output is byte-identical to the golden files captured
//! before the language option existed (tests/fixtures/tables_en/); an unknown language is
//! refused. `QUASI_BLESS=1 cargo test --test tables_zh` rewrites the golden files.

use quasi::estimators::did::did;
use quasi::estimators::feols::{feols, FeolsFit, FeolsSpec, VcovSpec};
use quasi::report::regtable::{regression_result_table, ControlsRow, TableOptions};
use quasi::report::{render_table_bytes, RenderOptions, ResultTable, Tables};
use serde_json::json;

const FORMATS: [(&str, &str); 7] =
    [("markdown", "md"), ("latex", "tex"), ("html", "html"), ("csv", "csv"), ("text", "txt"), ("docx", "docx"), ("xlsx", "xlsx")];

fn dataset() -> quasi::data::Dataset {
    quasi::data::read_bytes(include_bytes!("fixtures/jjj_cities.csv"), &Default::default()).unwrap().dataset
}

/// (1) lnHDQ on FTZ with city fixed effects, robust SEs; (2) with controls and city and year
/// fixed effects, clustered by city.
fn fits() -> (FeolsFit, FeolsFit) {
    let ds = dataset();
    let a = feols(&ds, &FeolsSpec::new("lnHDQ ~ FTZ | city", VcovSpec::Hetero)).unwrap();
    let b = feols(&ds, &FeolsSpec::new("lnHDQ ~ FTZ + fe + urba | city + year", VcovSpec::Cluster(vec!["city".into()]))).unwrap();
    (a, b)
}

fn table_options() -> serde_json::Value {
    json!({ "title": "FTZ and lnHDQ", "controls": [{ "label": "Controls", "terms": ["fe", "urba"] }] })
}

fn regression(extra: serde_json::Value) -> ResultTable {
    let (a, b) = fits();
    let mut o = table_options();
    o.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let o: TableOptions = serde_json::from_value(o).unwrap();
    regression_result_table(&[&a, &b], &o).unwrap()
}

fn render(t: &ResultTable, format: &str, extra: serde_json::Value) -> Vec<u8> {
    let mut o = json!({ "format": format });
    o.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let o: RenderOptions = serde_json::from_value(o).unwrap();
    render_table_bytes(t, &o).unwrap()
}

fn did_main() -> ResultTable {
    let spec = json!({ "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "controls": ["fe", "urba"], "vcov": { "cluster": ["city"] } });
    did(&dataset(), &serde_json::from_value(spec).unwrap()).unwrap().tables().remove(0)
}

/// Compares with (or, under QUASI_BLESS=1, writes) a golden file.
fn golden(name: &str, bytes: &[u8]) {
    let path = format!("{}/tests/fixtures/tables_en/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var("QUASI_BLESS").is_ok() {
        std::fs::write(&path, bytes).unwrap();
        return;
    }
    let want = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(want == bytes, "{name} differs from the English golden output:\n{}", String::from_utf8_lossy(bytes));
}

#[test]
fn english_output_is_unchanged() {
    let t = regression(json!({}));
    for (format, ext) in FORMATS {
        golden(&format!("regression.{ext}"), &render(&t, format, json!({})));
    }
    let (a, b) = fits();
    let o = TableOptions { controls: vec![ControlsRow { label: "Controls".into(), terms: vec!["fe".into(), "urba".into()] }], ..Default::default() };
    let s = quasi::report::regtable::regression_table(&[&a, &b], &o).unwrap();
    golden("regression_table.md", s.as_bytes());
    let d = did_main();
    golden("did_main.md", &render(&d, "markdown", json!({})));
    golden("did_main.csv", &render(&d, "csv", json!({ "below": "ci" })));
    golden("did_main.json", serde_json::to_string_pretty(&d).unwrap().as_bytes());
}
