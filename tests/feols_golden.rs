//! Golden tests of `feols` against pyfixest 0.60 (jjj_did, provinces_did,
//! mpdta_twfe), statsmodels (kielmc) and linearmodels (mroz_iv).
//! Tolerances: estimates 1e-6 relative, standard errors 1e-4 relative,
//! t statistics 1e-4 relative, p-values 1e-3 relative (when > 1e-12), R² 1e-6.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::estimators::feols::{feols, wald, FeolsFit, FeolsSpec, VcovSpec};
use quasi::Dataset;
use serde_json::Value;
use quasi::data::read_bytes;

fn read_csv(bytes: &[u8]) -> Dataset {
    read_bytes(bytes, &Default::default()).expect("fixture loads").dataset
}

/// Relative difference, with an absolute floor for values near zero.
fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

fn check_case(ds: &Dataset, name: &str, case: &Value, formula: Option<&str>, rename: &dyn Fn(&str) -> String) -> FeolsFit {
    let formula = formula.unwrap_or_else(|| case["formula"].as_str().unwrap());
    let vcov: VcovSpec = serde_json::from_value(case["vcov"].clone()).unwrap();
    let fit = feols(ds, &FeolsSpec::new(formula, vcov)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(fit.nobs as u64, case["nobs"].as_u64().unwrap(), "{name} nobs");
    let coefs = case["coefficients"].as_object().unwrap();
    assert_eq!(fit.coefficients.len(), coefs.len(), "{name}: number of coefficients");
    for (term, exp) in coefs {
        let ours = rename(term);
        let c = fit.coef(&ours).unwrap_or_else(|| panic!("{name}: no coefficient {ours}"));
        let (e, s) = (exp["estimate"].as_f64().unwrap(), exp["std_error"].as_f64().unwrap());
        assert!(rel(c.estimate, e) < 1e-6, "{name} {term}: estimate {} vs {e}", c.estimate);
        assert!(rel(c.std_error, s) < 1e-4, "{name} {term}: se {} vs {s}", c.std_error);
        if let Some(t) = exp.get("t_stat").and_then(Value::as_f64) {
            assert!(rel(c.statistic, t) < 1e-4, "{name} {term}: t {} vs {t}", c.statistic);
        }
        if let Some(p) = exp.get("p_value").and_then(Value::as_f64) {
            if p > 1e-12 {
                assert!(rel(c.p_value, p) < 1e-3, "{name} {term}: p {} vs {p}", c.p_value);
            } else {
                assert!(c.p_value < 1e-10, "{name} {term}: p {} vs {p}", c.p_value);
            }
        }
        assert!(c.conf_low < c.estimate && c.estimate < c.conf_high);
    }
    if let Some(r2) = case.get("r2").and_then(Value::as_f64) {
        assert!(rel(fit.r2, r2) < 1e-6, "{name}: r2 {} vs {r2}", fit.r2);
    }
    match case.get("r2_within") {
        Some(Value::Null) => assert!(fit.r2_within.is_none()),
        Some(v) => {
            let w = v.as_f64().unwrap();
            assert!(rel(fit.r2_within.unwrap(), w) < 1e-6, "{name}: r2_within {:?} vs {w}", fit.r2_within);
        }
        None => {}
    }
    fit
}

fn jjj() -> Dataset {
    read_csv(include_bytes!("fixtures/jjj_cities.csv"))
}

#[test]
fn jjj_did_all_cases() {
    let mut ds = jjj();
    let exp: Value = serde_json::from_str(include_str!("fixtures/jjj_did.json")).unwrap();
    // event-time dummies as the JSON describes them
    let year = ds.numeric("year").unwrap().to_vec();
    let start = ds.numeric("ftz_year").unwrap().to_vec();
    for k in -7i32..=7 {
        if k == -1 {
            continue;
        }
        let name = if k < 0 { format!("ev_m{}", -k) } else { format!("ev_p{k}") };
        let v = year.iter().zip(&start).map(|(y, s)| if !s.is_nan() && y - s == k as f64 { 1.0 } else { 0.0 }).collect();
        ds.add_numeric(&name, v).unwrap();
    }
    let rel_time = year.iter().zip(&start).map(|(y, s)| if s.is_nan() { -1000.0 } else { y - s }).collect();
    ds.add_numeric("rel", rel_time).unwrap();
    let id = |s: &str| s.to_string();
    let cases = exp["cases"].as_object().unwrap();
    assert_eq!(cases.len(), 8);
    for (name, case) in cases {
        let fit = check_case(&ds, name, case, None, &id);
        if name == "twfe_plain_cluster" {
            assert_eq!(fit.clusters[0].n, 13);
            assert_eq!(fit.df_t, 12.0);
            assert_eq!(fit.fixed_effects.len(), 2);
        }
    }
    // The event study written with i(): same numbers, fixest term names.
    let es = &exp["cases"]["event_study_ref_m1"];
    let to_i = |t: &str| {
        let k: i32 = t[4..].parse().unwrap();
        if t.starts_with("ev_m") { format!("rel::{}", -k) } else { format!("rel::{k}") }
    };
    let fit = check_case(&ds, "event_study_i()", es, Some("lnHDQ ~ i(rel, ref = c(-1, -1000)) | city + year"), &to_i);
    // joint pre-trend test runs and is a proper F
    let pre = ["rel::-7", "rel::-6", "rel::-5", "rel::-4", "rel::-3", "rel::-2"];
    let w = wald(&fit, &pre).unwrap();
    assert_eq!(w.df1, 6.0);
    assert_eq!(w.df2, 12.0);
    assert!(w.statistic > 0.0 && w.p_value > 0.0 && w.p_value < 1.0);
    // Wald of one term equals t²
    let w1 = wald(&fit, &["rel::0"]).unwrap();
    let t = fit.coef("rel::0").unwrap().statistic;
    assert!(rel(w1.statistic, t * t) < 1e-10);
}

#[test]
fn provinces_did_all_cases() {
    let mut ds = read_csv(include_bytes!("fixtures/provinces.csv"));
    let did = ds.numeric("DID").unwrap().to_vec();
    let east = ds.numeric("eastern").unwrap().to_vec();
    ds.add_numeric("DID_east", did.iter().zip(&east).map(|(a, b)| a * b).collect()).unwrap();
    let exp: Value = serde_json::from_str(include_str!("fixtures/provinces_did.json")).unwrap();
    for (name, case) in exp["cases"].as_object().unwrap() {
        check_case(&ds, name, case, None, &|s| s.to_string());
    }
    // the interaction written in the formula gives the same DID_east estimate
    let case = &exp["cases"]["heterogeneity_eastern"];
    check_case(&ds, "DID:eastern", case, Some("NQPF ~ DID:eastern + GDP + URB | province + year"), &|s| {
        if s == "DID_east" { "DID:eastern".into() } else { s.to_string() }
    });
}

#[test]
fn mpdta_twfe() {
    let mut ds = read_csv(include_bytes!("fixtures/mpdta.csv"));
    let year = ds.numeric("year").unwrap().to_vec();
    let ft = ds.numeric("first_treat").unwrap().to_vec();
    ds.add_numeric("post", year.iter().zip(&ft).map(|(y, g)| if *g > 0.0 && y >= g { 1.0 } else { 0.0 }).collect())
        .unwrap();
    let exp: Value = serde_json::from_str(include_str!("fixtures/mpdta_twfe.json")).unwrap();
    for (name, case) in exp["cases"].as_object().unwrap() {
        let fit = check_case(&ds, name, case, None, &|s| s.to_string());
        assert_eq!(fit.clusters[0].n, 500);
    }
}

#[test]
fn kielmc_statsmodels() {
    let mut ds = read_csv(include_bytes!("fixtures/kielmc.csv"));
    let y81 = ds.numeric("y81").unwrap().to_vec();
    let near = ds.numeric("nearinc").unwrap().to_vec();
    ds.add_numeric("y81nearinc", y81.iter().zip(&near).map(|(a, b)| a * b).collect()).unwrap();
    let exp: Value = serde_json::from_str(include_str!("fixtures/kielmc.json")).unwrap();
    for (name, case) in exp["cases"].as_object().unwrap() {
        let fit = check_case(&ds, name, case, None, &|s| s.to_string());
        assert!(fit.has_intercept);
    }
    // Wooldridge's published figure, written with an interaction
    let case = &exp["cases"]["did_iid"];
    check_case(&ds, "y81*nearinc", case, Some("rprice ~ y81*nearinc"), &|s| {
        if s == "y81nearinc" { "y81:nearinc".into() } else { s.to_string() }
    });
}

#[test]
fn mroz_iv_linearmodels() {
    let ds = read_csv(include_bytes!("fixtures/mroz.csv"));
    let exp: Value = serde_json::from_str(include_str!("fixtures/mroz_iv.json")).unwrap();
    for (key, vc) in [("unadjusted", VcovSpec::Iid), ("robust_hc1", VcovSpec::Hetero)] {
        let fit = feols(&ds, &FeolsSpec::new("lwage ~ exper + expersq | educ ~ fatheduc + motheduc", vc)).unwrap();
        assert_eq!(fit.nobs, 428);
        assert!(fit.dropped[0].contains("325"), "{:?}", fit.dropped);
        for (term, e) in exp[key].as_object().unwrap() {
            let c = fit.coef(term).unwrap();
            assert!(rel(c.estimate, e["estimate"].as_f64().unwrap()) < 1e-6, "{key} {term}");
            assert!(rel(c.std_error, e["std_error"].as_f64().unwrap()) < 1e-4, "{key} {term} se {}", c.std_error);
        }
        let fs = &fit.first_stage.as_ref().unwrap()[0];
        assert_eq!(fs.endogenous, "educ");
        assert_eq!((fs.df1, fs.df2), (2.0, 423.0));
        let f = exp["first_stage_partial_f"].as_f64().unwrap();
        assert!(rel(fs.f_statistic, f) < 1e-6, "partial F {} vs {f}", fs.f_statistic);
        assert!(fs.p_value < 1e-20);
    }
}
