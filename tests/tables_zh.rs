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
use std::io::{Cursor, Read};

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
    // The serialised table only gains each row's label key.
    let mut json = serde_json::to_value(&d).unwrap();
    for row in json["rows"].as_array_mut().unwrap() {
        row.as_object_mut().unwrap().remove("key");
    }
    let path = format!("{}/tests/fixtures/tables_en/did_main.json", env!("CARGO_MANIFEST_DIR"));
    let want: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert!(same_up_to_rounding(&json, &want), "did_main.json differs:\n{json}\nwant\n{want}");
}

/// Equal JSON, numbers equal to 1e-12 relative: the snapshot guards labels and structure; the
/// numbers are checked against R/Stata elsewhere and may move in the last bits when an
/// algorithm changes (e.g. the exact two-way demeaning).
fn same_up_to_rounding(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_up_to_rounding(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_up_to_rounding(v, w)))
        }
        _ => a == b,
    }
}

/// The text of a rendered table: the string, or every part of a .docx/.xlsx package.
fn text_of(bytes: &[u8], format: &str) -> String {
    if format != "docx" && format != "xlsx" {
        return String::from_utf8(bytes.to_vec()).unwrap();
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        zip.by_index(i).unwrap().read_to_string(&mut all).unwrap();
    }
    all
}

/// The Chinese table: controls folded into the language's 控制变量 row.
fn chinese() -> ResultTable {
    regression(json!({ "lang": "zh", "controls": [{ "terms": ["fe", "urba"] }] }))
}

#[test]
fn chinese_regression_table_in_every_format() {
    let t = chinese();
    for (format, _) in FORMATS {
        let s = text_of(&render(&t, format, json!({})), format);
        for word in ["被解释变量", "观测值", "控制变量", "城市固定效应", "年份固定效应", "标准误类型", "聚类到城市层面", "稳健标准误（HC1）", "注：括号内为标准误；"] {
            assert!(s.contains(word), "{format}: no {word}:\n{s}");
        }
        for english in ["Observations", "Controls", " FE", "Standard errors", "Yes", "Clustered", "Within"] {
            assert!(!s.contains(english), "{format}: {english} left:\n{s}");
        }
        assert!(s.contains(if format == "latex" { "组内R$^2$" } else { "组内R²" }), "{format}: {s}");
    }
    let md = text_of(&render(&t, "markdown", json!({})), "markdown");
    for line in ["| 控制变量 | 否 | 是 |", "| 城市固定效应 | 是 | 是 |", "| 年份固定效应 | 否 | 是 |", "| 观测值 | 130 | 130 |"] {
        assert!(md.lines().any(|l| l == line), "{line}:\n{md}");
    }
    assert!(md.contains("\n注：括号内为标准误；\\*\\*\\* p<0.01, \\*\\* p<0.05, \\* p<0.1\n"), "{md}");
    let csv = text_of(&render(&t, "csv", json!({})), "csv");
    assert!(csv.lines().any(|l| l == "年份固定效应,否,是"), "{csv}");
    assert!(csv.lines().any(|l| l == "\"注：括号内为标准误；*** p<0.01, ** p<0.05, * p<0.1\""), "{csv}");
    let tex = text_of(&render(&t, "latex", json!({})), "latex");
    assert!(tex.contains("城市固定效应 & 是 & 是 \\\\"), "{tex}");
    // the estimates print as in English: decimal point, stars, standard errors below
    let en = text_of(&render(&regression(json!({})), "csv", json!({})), "csv");
    let numbers = |s: &str| s.lines().filter(|l| l.starts_with("FTZ,") || l.starts_with(",(")).map(String::from).collect::<Vec<_>>();
    assert_eq!(numbers(&csv), numbers(&en));
    // other statements of the note
    let ci = text_of(&render(&t, "csv", json!({ "below": "ci" })), "csv");
    assert!(ci.contains("注：方括号内为95%置信区间；"), "{ci}");
    let t_stat = text_of(&render(&t, "csv", json!({ "below": "t", "stars": false })), "csv");
    assert!(t_stat.lines().any(|l| l == "注：括号内为t值"), "{t_stat}");
}

#[test]
fn chinese_text_table_aligns_wide_characters() {
    let s = text_of(&render(&chinese(), "text", json!({})), "text");
    let width = |l: &str| l.chars().map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 }).sum::<usize>();
    let body: Vec<&str> = s.lines().filter(|l| l.starts_with("观测值") || l.starts_with("FTZ") || l.starts_with("城市固定效应")).collect();
    assert_eq!(body.len(), 3, "{s}");
    assert!(body.iter().all(|l| width(l) == width(body[0])), "{s}");
}

#[test]
fn render_spells_a_built_table_in_the_asked_language() {
    // did.main is built in English; rendered with lang zh its labelled rows, yes/no and note
    // are Chinese (the standard-error cells stay as built).
    let s = text_of(&render(&did_main(), "markdown", json!({ "lang": "zh" })), "markdown");
    for word in ["| 城市固定效应 | 是 |", "| 年份固定效应 | 是 |", "| 观测值 |", "\n注：括号内为标准误；"] {
        assert!(s.contains(word), "no {word}:\n{s}");
    }
    // a Chinese table renders in Chinese by default and back in English when asked
    let t = chinese();
    assert_eq!(render(&t, "csv", json!({})), render(&t, "csv", json!({ "lang": "zh" })));
    let en = text_of(&render(&t, "csv", json!({ "lang": "en" })), "csv");
    assert!(en.contains("city FE,Yes,Yes") && en.contains("Observations,130,130") && en.contains("Controls,No,Yes"), "{en}");
    // explicit yes/no words win over the language's
    let marks = text_of(&render(&t, "csv", json!({ "yes": "✓", "no": "" })), "csv");
    assert!(marks.contains("城市固定效应,✓,✓") && marks.contains("年份固定效应,,✓"), "{marks}");
    // a renamed statistic keeps its name
    let renamed = regression(json!({ "lang": "zh", "rename": { "Observations": "样本量" } }));
    assert!(text_of(&render(&renamed, "csv", json!({})), "csv").contains("样本量,130,130"));
}

#[test]
fn an_unknown_language_is_refused() {
    let e = serde_json::from_value::<RenderOptions>(json!({ "format": "csv", "lang": "fr" })).unwrap_err().to_string();
    assert!(e.contains("unknown table language `fr` (use \"en\" or \"zh\")"), "{e}");
    let e = serde_json::from_value::<TableOptions>(json!({ "lang": "de" })).unwrap_err().to_string();
    assert!(e.contains("unknown table language `de`"), "{e}");
    let t: ResultTable = serde_json::from_value(json!({ "id": "x", "title": "", "columns": [], "rows": [], "lang": "zh" })).unwrap();
    assert_eq!(t.lang, quasi::report::Lang::Zh);
}
