//! Every DID result on the sample panel (jjj_cities.csv) presents its tables, and every table
//! renders in all five formats with the estimates printed by the renderer's formatting; every
//! diagnostic has a code.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::estimators::did::*;
use quasi::report::render::fmt_num;
use quasi::report::{render_table, RenderOptions, ResultTable, Tables};
use quasi::Dataset;
use serde_json::{json, Value};

fn jjj() -> Dataset {
    quasi::data::read_bytes(include_bytes!("fixtures/jjj_cities.csv"), &Default::default()).unwrap().dataset
}

fn base() -> Value {
    json!({ "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "controls": ["fe", "urba"] })
}

fn spec<T: serde::de::DeserializeOwned>(extra: Value) -> T {
    let mut v = base();
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    serde_json::from_value(v).unwrap()
}

/// Renders `t` in every format; each output is non-empty and contains `numbers` as the
/// renderer prints them (`digits` decimals; in HTML and LaTeX a minus sign may be typeset).
fn render_all(t: &ResultTable, numbers: &[(f64, usize)]) {
    t.check().unwrap();
    assert!(!t.columns.is_empty() && !t.rows.is_empty(), "{}", t.id);
    for format in ["csv", "markdown", "latex", "html", "text"] {
        let s = render_table(t, &RenderOptions { format: format.into(), ..Default::default() }).unwrap();
        assert!(!s.trim().is_empty(), "{} {format}", t.id);
        for &(x, d) in numbers {
            let want = fmt_num(x.abs(), d);
            assert!(s.contains(&want), "{} {format}: {want} not in\n{s}", t.id);
        }
    }
}

fn ids(ts: &[ResultTable]) -> Vec<&str> {
    ts.iter().map(|t| t.id.as_str()).collect()
}

#[test]
fn every_did_result_renders_its_tables() {
    let ds = jjj();
    let r = did(&ds, &spec(json!({}))).unwrap();
    let ts = r.tables();
    assert_eq!(ids(&ts), ["did.main", "did.counts"]);
    render_all(&ts[0], &[(r.estimate, 3), (r.std_error, 3)]);
    render_all(&ts[1], &[(6.0, 0), (7.0, 0)]);
    assert!(r.diagnostics.has(quasi::Code::StaggeredTwfe));

    let e = event_study(&ds, &spec::<EventStudySpec>(json!({}))).unwrap();
    let ts = e.tables();
    assert_eq!(ids(&ts), ["event_study.terms", "event_study.pretrend"]);
    let t0 = &e.terms[0];
    render_all(&ts[0], &[(t0.estimate, 4), (t0.std_error, 4)]);
    let pt = e.pretrend.as_ref().unwrap();
    render_all(&ts[1], &[(pt.statistic, 3), (pt.p_value, 4)]);

    let p = placebo(&ds, &spec(json!({ "reps": 60, "seed": 3 })), &mut |_| true).unwrap();
    let ts = p.tables();
    assert_eq!(ids(&ts), ["placebo.summary"]);
    render_all(&ts[0], &[(p.actual, 4), (p.p_value_corrected, 4)]);
    let it = placebo(&ds, &spec(json!({ "kind": "in_time", "shift": 2 })), &mut |_| true).unwrap();
    let est = it.in_time.as_ref().unwrap().estimate;
    render_all(&it.tables()[0], &[(est, 4)]);
    assert!(it.diagnostics.has(quasi::Code::InTimePlacebo));

    let w = wild_bootstrap(&ds, &spec(json!({ "reps": 99 }))).unwrap();
    let ts = w.tables();
    assert_eq!(ids(&ts), ["wild.summary"]);
    render_all(&ts[0], &[(w.estimate, 4), (w.p_value, 4)]);

    let m = mediation(&ds, &spec(json!({ "mediator": "IL", "bootstrap": 50 }))).unwrap();
    let ts = m.tables();
    assert_eq!(ids(&ts), ["mediation.steps", "mediation.indirect"]);
    render_all(&ts[0], &[(m.total, 3), (m.direct, 3)]);
    render_all(&ts[1], &[(m.sobel.indirect, 4), (m.sobel.p_value, 4)]);

    let h = heterogeneity(&ds, &spec(json!({ "group": "province" }))).unwrap();
    let ts = h.tables();
    assert_eq!(ids(&ts), ["heterogeneity.models"]);
    let c = h.interaction_terms.iter().find_map(|t| h.interaction.coef(t)).unwrap();
    render_all(&ts[0], &[(c.estimate, 3)]);

    let rb: RobustnessSpec = serde_json::from_value(json!({
        "base": base(),
        "checks": [{ "label": "Excl. 2020", "exclude_years": [2020] }, { "label": "No controls", "controls": [] }]
    }))
    .unwrap();
    let rr = robustness(&ds, &rb).unwrap();
    let ts = rr.tables();
    assert_eq!(ids(&ts), ["robustness.models"]);
    render_all(&ts[0], &[(rr.fits[0].estimate, 3), (rr.fits[1].estimate, 3), (rr.fits[2].estimate, 3)]);

    // Diagnostics serialise as objects with a code.
    for v in [serde_json::to_value(&r).unwrap(), serde_json::to_value(&e).unwrap(), serde_json::to_value(&p).unwrap()] {
        for d in v["diagnostics"].as_array().unwrap() {
            assert!(d["code"].is_string() && d["message"].is_string(), "{d}");
        }
    }
}

#[test]
fn old_specs_with_format_still_deserialise() {
    let h: HeteroSpec = spec(json!({ "group": "province", "format": "latex" }));
    assert_eq!(h.group, "province");
    let m: MediationSpec = spec(json!({ "mediator": "IL", "format": "csv" }));
    assert_eq!(m.mediator, "IL");
}

/// Every number in a JSON value can cross into JavaScript exactly as a number: integers (u64 or
/// i64 in serde_json) no larger than 2^53 (serde-wasm-bindgen refuses larger ones).
fn js_safe(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_f64() || n.as_u64().map_or(true, |u| u <= 1 << 53) && n.as_i64().map_or(true, |i| i.unsigned_abs() <= 1 << 53),
        Value::Array(a) => a.iter().all(js_safe),
        Value::Object(o) => o.values().all(js_safe),
        _ => true,
    }
}

#[test]
fn placebo_tables_cross_into_js_with_a_count_beyond_2_pow_53() {
    // 31 provinces: 17,345,754,773,579,232,000 distinct assignments, beyond 2^53.
    let ds = quasi::data::read_bytes(include_bytes!("fixtures/provinces.csv"), &Default::default()).unwrap().dataset;
    let s: PlaceboSpec = serde_json::from_value(json!({
        "y": "NQPF", "unit": "province", "time": "year", "start": "first_treat", "reps": 20, "seed": 18446744073709551615u64
    }))
    .unwrap();
    let r = placebo(&ds, &s, &mut |_| true).unwrap();
    assert!(r.n_possible.is_some_and(|n| n > 1 << 53 && n < u64::MAX));
    let tables = serde_json::to_value(r.tables()).unwrap();
    assert!(js_safe(&tables), "{tables}");
    let csv = render_table(&r.tables()[0], &RenderOptions { format: "csv".into(), ..Default::default() }).unwrap();
    let n = r.n_possible.unwrap_or_default();
    assert!(csv.contains(&format!("Distinct assignments,{n}\n")), "{csv}");
    assert!(csv.contains("Seed,18446744073709551615"), "{csv}");
}
