//! DID workbench vs pyfixest 0.60 on three synthetic staggered panels
//! (tests/fixtures/xcheck/stag{1,2,3}.csv, see generate.py): unbalanced, with
//! never-treated units (`first_treat` = 0), missing outcomes, unit ids as
//! codes (`c001`), Chinese names and integers.
//!
//! * `did()` with `start = first_treat` equals pyfixest's
//!   `feols("y ~ treat_post | unit + year", vcov={"CRV1": "unit"})`;
//! * `event_study()` equals pyfixest's `i(rel, ref=-1)` event study with
//!   never-treated units in the reference bin (the same design as excluding
//!   the sentinel), for every term; with `window: [-4, 4]` (endpoint binning)
//!   it equals the same regression on the event time clipped to [-4, 4].
//!
//! Tolerances: estimates 1e-6 relative (1e-9 absolute), SE 1e-4 relative,
//! nobs exact.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::data::{read_bytes, ReadOptions};
use quasi::estimators::did::{did, event_study, DidSpec, EventStudySpec};
use quasi::Dataset;
use serde_json::{json, Value};

const EXPECTED: &str = include_str!("fixtures/xcheck/expected.json");

fn load(name: &str) -> Dataset {
    let bytes: &[u8] = match name {
        "stag1" => include_bytes!("fixtures/xcheck/stag1.csv"),
        "stag2" => include_bytes!("fixtures/xcheck/stag2.csv"),
        _ => include_bytes!("fixtures/xcheck/stag3.csv"),
    };
    read_bytes(bytes, &ReadOptions::default()).unwrap().dataset
}

fn case(name: &str) -> Value {
    let exp: Value = serde_json::from_str(EXPECTED).unwrap();
    exp["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("{name}")).clone()
}

fn close(a: f64, b: f64, rtol: f64, atol: f64) -> bool {
    (a - b).abs() <= atol || (a - b).abs() <= rtol * b.abs()
}

fn get(c: &Value, key: &str, i: usize) -> f64 {
    c[key][i].as_f64().unwrap()
}

#[test]
fn did_start_equals_twfe_treat_post() {
    for s in ["stag1", "stag2", "stag3"] {
        let ds = load(s);
        let spec: DidSpec =
            serde_json::from_value(json!({"y": "y", "unit": "unit", "time": "year", "start": "first_treat"})).unwrap();
        let r = did(&ds, &spec).unwrap_or_else(|e| panic!("{s}: {e}"));
        let c = case(&format!("{s}_did"));
        assert_eq!(r.nobs as u64, c["nobs"].as_u64().unwrap(), "{s} nobs");
        assert!(close(r.estimate, get(&c, "estimate", 0), 1e-6, 1e-9), "{s}: {} vs {}", r.estimate, c["estimate"]);
        assert!(close(r.std_error, get(&c, "std_error", 0), 1e-4, 0.0), "{s}: se {} vs {}", r.std_error, c["std_error"]);
        assert!(close(r.p_value, get(&c, "p", 0), 1e-3, 1e-12), "{s}: p {} vs {}", r.p_value, c["p"]);
        assert!(close(r.r2, c["r2"].as_f64().unwrap(), 1e-6, 0.0), "{s}: r2");
    }
}

fn check_es(s: &str, extra: Value, case_name: &str) {
    let ds = load(s);
    let mut spec = json!({"y": "y", "unit": "unit", "time": "year", "start": "first_treat"});
    for (k, v) in extra.as_object().unwrap() {
        spec[k] = v.clone();
    }
    let spec: EventStudySpec = serde_json::from_value(spec).unwrap();
    let r = event_study(&ds, &spec).unwrap_or_else(|e| panic!("{case_name}: {e}"));
    let c = case(case_name);
    assert_eq!(r.model.nobs as u64, c["nobs"].as_u64().unwrap(), "{case_name} nobs");
    let names: Vec<&str> = c["names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let n_ev = names.iter().filter(|n| n.contains("::")).count();
    assert_eq!(r.terms.len(), n_ev, "{case_name}: number of event terms");
    for (i, nm) in names.iter().enumerate() {
        let Some((_, k)) = nm.split_once("::") else { continue };
        let k: i64 = k.parse().unwrap();
        let t = r.terms.iter().find(|t| t.event_time == k).unwrap_or_else(|| panic!("{case_name}: no term {k}"));
        assert!(close(t.estimate, get(&c, "estimate", i), 1e-6, 1e-9), "{case_name} k={k}: {} vs {}", t.estimate, get(&c, "estimate", i));
        assert!(close(t.std_error, get(&c, "std_error", i), 1e-4, 0.0), "{case_name} k={k}: se {} vs {}", t.std_error, get(&c, "std_error", i));
    }
}

#[test]
fn event_study_equals_pyfixest_i_rel() {
    check_es("stag1", json!({}), "stag1_es");
    check_es("stag2", json!({"controls": ["x1"], "vcov": {"CRV1": "prov"}}), "stag2_es_x");
    check_es("stag3", json!({}), "stag3_es");
    check_es("stag3", json!({"window": [-4, 4]}), "stag3_es_win");
}
