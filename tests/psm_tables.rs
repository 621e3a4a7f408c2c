//! Issue 10: every result table of the matching family (psm with nearest, kernel and radius
//! matching, the method comparison, PSM-DID pooled and by year) on the sample data renders
//! in all five formats through the one renderer, and the diagnostics are typed.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::data::read_bytes;
use quasi::diagnostics::Code;
use quasi::estimators::psm::{compare_methods, psm, MatchOptions, CaliperScale, Kernel, Method, PsmSpec, SeKind};
use quasi::estimators::psm_did::{psm_did, PsmDidSpec};
use quasi::report::{render_table, RenderOptions, ResultTable, Tables};
use quasi::Dataset;

const LALONDE: &[u8] = include_bytes!("fixtures/lalonde.csv");
const JJJ: &[u8] = include_bytes!("fixtures/jjj_cities.csv");
const FORMULA: &str = "treat ~ age + educ + race + married + nodegree + re74 + re75";
const FORMATS: [&str; 5] = ["csv", "markdown", "latex", "html", "text"];

fn load(bytes: &[u8]) -> Dataset {
    read_bytes(bytes, &Default::default()).expect("fixture loads").dataset
}

fn base() -> PsmSpec {
    PsmSpec { formula: FORMULA.into(), outcome: Some("re78".into()), ..PsmSpec::default() }
}

/// Checks the shape of every table and renders it in every format; returns the ids.
fn render_all(tables: &[ResultTable]) -> Vec<String> {
    assert!(!tables.is_empty());
    for t in tables {
        t.check().unwrap();
        assert!(!t.rows.is_empty(), "{}: no rows", t.id);
        for f in FORMATS {
            let out = render_table(t, &RenderOptions { format: f.into(), ..RenderOptions::default() })
                .unwrap_or_else(|e| panic!("{} as {f}: {e}", t.id));
            assert!(!out.trim().is_empty(), "{} as {f} is empty", t.id);
        }
    }
    tables.iter().map(|t| t.id.clone()).collect()
}

#[test]
fn psm_tables_render_for_nearest_kernel_and_radius() {
    let ds = load(LALONDE);
    let specs = [
        PsmSpec { matching: MatchOptions { caliper: Some(0.1), ..base().matching }, ..base() },
        PsmSpec { se: SeKind::None, matching: MatchOptions { method: Method::Kernel, kernel: Kernel::Gaussian, ..base().matching }, ..base() },
        PsmSpec { se: SeKind::None, matching: MatchOptions { method: Method::Radius, caliper: Some(0.01), caliper_scale: CaliperScale::Absolute, ..base().matching }, ..base() },
    ];
    for s in &specs {
        let r = psm(&ds, s).unwrap();
        let ids = render_all(&r.tables());
        assert_eq!(ids, ["psm.effects", "psm.propensity", "psm.balance", "psm.balance_overall"]);
    }
    // the effect table holds the result's numbers, not re-estimated ones
    let r = psm(&ds, &specs[0]).unwrap();
    let md = render_table(&r.tables()[0], &RenderOptions::default()).unwrap();
    assert!(md.contains(&format!("{:.3}", r.estimate)), "{md}");
    assert!(r.diagnostics.has(Code::UnmatchedDropped), "{:?}", r.diagnostics);
    let json = serde_json::to_value(&r.diagnostics).unwrap();
    assert!(json.as_array().unwrap().iter().all(|d| d["code"].is_string() && d["message"].is_string()));
}

#[test]
fn comparison_table_renders() {
    let ds = load(LALONDE);
    let c = compare_methods(&ds, &base(), &[PsmSpec { matching: MatchOptions { k: 3, ..base().matching }, ..base() }, PsmSpec { matching: MatchOptions { caliper: Some(0.1), ..base().matching }, ..base() }]).unwrap();
    let tables = c.tables();
    assert_eq!(render_all(&tables), ["psm.compare"]);
    assert_eq!(tables[0].rows.len(), 3);
    // the runs' diagnostics are carried, prefixed with the method
    assert!(c.diagnostics.with_code(Code::UnmatchedDropped).any(|d| d.message.starts_with("nearest k=1, caliper 0.1 SD: ")));
}

#[test]
fn psm_did_tables_render_pooled_and_by_year() {
    let ds = load(JJJ);
    let spec = |extra: &str| -> PsmDidSpec {
        serde_json::from_str(&format!(
            r#"{{"unit":"city","time":"year","y":"lnHDQ","start":"ftz_year","covariates":["pgdp","fdi","urba"]{extra}}}"#
        ))
        .unwrap()
    };
    let r = psm_did(&ds, &spec("")).unwrap();
    let ids = render_all(&r.tables());
    assert_eq!(ids, ["psm_did.main", "psm_did.matching", "psm_did.propensity", "psm_did.balance", "psm_did.balance_overall"]);
    assert!(!r.diagnostics.has(Code::NoOutcome));
    let y = psm_did(&ds, &spec(r#","by_year":true"#)).unwrap();
    let ids = render_all(&y.tables());
    assert_eq!(ids, ["psm_did.main", "psm_did.matching", "psm_did.per_year"]);
    assert!(!y.diagnostics.has(Code::NoOutcome));
}
