//! Golden tests of propensity score matching against R Matching 4.10.8
//! (tests/fixtures/lalonde_psm.json), plus properties and error cases.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/psm.rs"]
mod support;

use quasi::estimators::psm::{
    compare_methods, density_svg, psm, CaliperScale, Estimand, Kernel, Link, MatchOn, Method, PsmSpec, SeKind,
};
use quasi::{Column, Dataset, ErrorKind};
use serde_json::Value;

const CSV: &str = include_str!("fixtures/lalonde.csv");
const EXPECTED: &str = include_str!("fixtures/lalonde_psm.json");
const FORMULA: &str = "treat ~ age + educ + race + married + nodegree + re74 + re75";

fn lalonde() -> Dataset {
    support::read_csv(CSV)
}

fn expected() -> Value {
    serde_json::from_str(EXPECTED).unwrap()
}

fn base() -> PsmSpec {
    PsmSpec { formula: FORMULA.into(), outcome: Some("re78".into()), ..PsmSpec::default() }
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

#[test]
fn propensity_model_matches_glm() {
    let e = expected();
    let r = psm(&lalonde(), &base()).unwrap();
    let coefs = e["propensity"]["coefficients"].as_object().unwrap();
    assert_eq!(r.propensity.coefficients.len(), coefs.len());
    for c in &r.propensity.coefficients {
        let want = coefs[&c.term].as_f64().unwrap();
        assert!(rel(c.estimate, want) < 1e-6, "{}: {} vs {want}", c.term, c.estimate);
    }
    let ll = e["propensity"]["loglik"].as_f64().unwrap();
    assert!(rel(r.propensity.loglik, ll) < 1e-6, "{} vs {ll}", r.propensity.loglik);
    let fitted: Vec<f64> = e["propensity"]["fitted"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(fitted.len(), r.scores.len());
    for (a, b) in r.scores.iter().zip(&fitted) {
        assert!(rel(*a, *b) < 1e-6, "{a} vs {b}");
    }
}

fn case_spec(case: &Value) -> PsmSpec {
    let on_logit = case["match_on"].as_str().unwrap().starts_with("linear");
    let cal = case["caliper_sd"].as_f64().unwrap();
    PsmSpec {
        k: case["M"].as_u64().unwrap() as usize,
        match_on: if on_logit { MatchOn::Logit } else { MatchOn::Score },
        caliper: if cal > 0.0 { Some(cal) } else { None },
        ..base()
    }
}

#[test]
fn every_case_matches_r_matching() {
    let e = expected();
    let ds = lalonde();
    for (name, case) in e["cases"].as_object().unwrap() {
        let r = psm(&ds, &case_spec(case)).unwrap();
        let att = case["att"].as_f64().unwrap();
        let se = case["se_ai"].as_f64().unwrap();
        println!(
            "{name}: att {} vs {att}; se {} vs {se}; matched {} dropped {} used {}",
            r.att, r.std_error, r.n_treated_matched, r.n_treated_dropped, r.n_control_used
        );
        assert!(rel(r.att, att) < 1e-6, "{name}: ATT {} vs {att}", r.att);
        assert_eq!(r.n_treated_matched as u64, case["n_treated_matched"].as_u64().unwrap(), "{name}");
        assert_eq!(r.n_treated_dropped as u64, case["n_treated_dropped"].as_u64().unwrap(), "{name}");
        assert_eq!(r.n_control_used as u64, case["n_control_used"].as_u64().unwrap(), "{name}");
        assert!(rel(r.std_error, se) < 1e-4, "{name}: SE {} vs {se}", r.std_error);
        assert_eq!(r.se_kind, SeKind::Ai);
    }
}
