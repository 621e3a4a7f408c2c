//! NIST StRD linear regression: Longley (LRE ≥ 9 on every coefficient) and
//! Wampler1 (LRE ≥ 6), against the certified values.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::estimators::feols::{feols, FeolsSpec, VcovSpec};
use quasi::data::read_bytes;
use serde_json::Value;

/// Log relative error (absolute when the certified value is 0), capped at 15.
fn lre(x: f64, c: f64) -> f64 {
    let e = if c == 0.0 { (x - c).abs() } else { ((x - c) / c).abs() };
    if e == 0.0 {
        15.0
    } else {
        (-e.log10()).min(15.0)
    }
}

#[test]
fn longley() {
    let ds = read_bytes(include_bytes!("fixtures/longley.csv"), &Default::default()).unwrap().dataset;
    let exp: Value = serde_json::from_str(include_str!("fixtures/nist_longley.json")).unwrap();
    let fit = feols(&ds, &FeolsSpec::new(exp["formula"].as_str().unwrap(), VcovSpec::Iid)).unwrap();
    let cert = &exp["certified"];
    let order = cert["order"].as_array().unwrap();
    for (k, name) in order.iter().enumerate() {
        let c = fit.coef(name.as_str().unwrap()).unwrap();
        let l = lre(c.estimate, cert["params"][k].as_f64().unwrap());
        println!("longley {name}: LRE {l:.1}");
        assert!(l >= 9.0, "{name}: LRE {l}");
        let ls = lre(c.std_error, cert["bse"][k].as_f64().unwrap());
        assert!(ls >= 8.0, "{name} se: LRE {ls}");
    }
    assert!(lre(fit.r2, cert["rsquared"].as_f64().unwrap()) >= 9.0);
    assert!(lre(fit.sigma, cert["resid_sd"].as_f64().unwrap()) >= 8.0);
}

#[test]
fn wampler1() {
    let ds = read_bytes(include_bytes!("fixtures/wampler1.csv"), &Default::default()).unwrap().dataset;
    let exp: Value = serde_json::from_str(include_str!("fixtures/nist_wampler1.json")).unwrap();
    let fit = feols(&ds, &FeolsSpec::new(exp["formula"].as_str().unwrap(), VcovSpec::Iid)).unwrap();
    assert_eq!(fit.coefficients.len(), 6, "{:?}", fit.dropped);
    for (k, c) in fit.coefficients.iter().enumerate() {
        let l = lre(c.estimate, exp["certified"]["params"][k].as_f64().unwrap());
        println!("wampler1 {}: LRE {l:.1}", c.term);
        assert!(l >= 6.0, "{}: LRE {l}", c.term);
        assert!(c.std_error.abs() < 1e-6, "{}: se {}", c.term, c.std_error);
    }
    assert!((fit.r2 - 1.0).abs() < 1e-12);
}
