//! Golden tests of the DID workbench (`did`, `event_study`, `mediation`, `heterogeneity`,
//! `placebo`) against pyfixest 0.60 (jjj_did.json, provinces_did.json) and the permutation
//! reference jjj_placebo.json. Tolerances: estimates 1e-6 relative, standard errors 1e-4
//! relative, t statistics 1e-4 relative, p-values 1e-3 relative (when > 1e-12), R² 1e-6.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::estimators::did::*;
use quasi::estimators::feols::FeolsFit;
use quasi::report::Tables;
use quasi::Dataset;
use serde_json::{json, Value};

fn load(bytes: &[u8]) -> Dataset {
    quasi::data::read_bytes(bytes, &Default::default()).unwrap().dataset
}
fn jjj() -> Dataset {
    load(include_bytes!("fixtures/jjj_cities.csv"))
}
fn provinces() -> Dataset {
    load(include_bytes!("fixtures/provinces.csv"))
}
fn jjj_cases() -> Value {
    serde_json::from_str::<Value>(include_str!("fixtures/jjj_did.json")).unwrap()["cases"].clone()
}
fn prov_cases() -> Value {
    serde_json::from_str::<Value>(include_str!("fixtures/provinces_did.json")).unwrap()["cases"].clone()
}
fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

const CONTROLS: [&str; 5] = ["fe", "lnstru", "urba", "fdi", "pgdp"];

/// Checks every coefficient of a reference case; `rename` maps reference terms to ours.
fn check_fit(name: &str, fit: &FeolsFit, case: &Value, rename: &dyn Fn(&str) -> String) {
    assert_eq!(fit.nobs as u64, case["nobs"].as_u64().unwrap(), "{name} nobs");
    let coefs = case["coefficients"].as_object().unwrap();
    assert_eq!(fit.coefficients.len(), coefs.len(), "{name}: number of coefficients");
    for (term, exp) in coefs {
        let ours = rename(term);
        let c = fit.coef(&ours).unwrap_or_else(|| panic!("{name}: no coefficient {ours}"));
        let (e, s) = (exp["estimate"].as_f64().unwrap(), exp["std_error"].as_f64().unwrap());
        assert!(rel(c.estimate, e) < 1e-6, "{name} {term}: estimate {} vs {e}", c.estimate);
        assert!(rel(c.std_error, s) < 1e-4, "{name} {term}: se {} vs {s}", c.std_error);
        let t = exp["t_stat"].as_f64().unwrap();
        assert!(rel(c.statistic, t) < 1e-4, "{name} {term}: t {} vs {t}", c.statistic);
        let p = exp["p_value"].as_f64().unwrap();
        if p > 1e-12 {
            assert!(rel(c.p_value, p) < 1e-3, "{name} {term}: p {} vs {p}", c.p_value);
        } else {
            assert!(c.p_value < 1e-10, "{name} {term}: p {} vs {p}", c.p_value);
        }
    }
    assert!(rel(fit.r2, case["r2"].as_f64().unwrap()) < 1e-6, "{name} r2");
    if let Some(w) = case["r2_within"].as_f64() {
        assert!(rel(fit.r2_within.unwrap(), w) < 1e-6, "{name} r2_within");
    }
}

/// The DID summary fields equal the model's DID coefficient.
fn check_summary(r: &DidResult) {
    let c = r.model.coef(&r.term).unwrap();
    assert_eq!((r.estimate, r.std_error, r.statistic, r.p_value), (c.estimate, c.std_error, c.statistic, c.p_value));
    assert_eq!((r.conf_low, r.conf_high, r.nobs), (c.conf_low, c.conf_high, r.model.nobs));
}

fn jjj_spec(v: Value) -> DidSpec {
    let mut base = json!({ "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year" });
    for (k, x) in v.as_object().unwrap() {
        base[k] = x.clone();
    }
    serde_json::from_value(base).unwrap()
}

#[test]
fn jjj_twfe_cases_through_did() {
    let ds = jjj();
    let cases = jjj_cases();
    let ren = |t: &str| if t == "FTZ" { "DID".to_string() } else { t.to_string() };
    // Default vcov = cluster by unit.
    let r = did(&ds, &jjj_spec(json!({}))).unwrap();
    assert_eq!(r.term, "DID");
    assert!(r.model.clusters.len() == 1 && r.model.clusters[0].name == "city", "default vcov clusters by unit");
    check_fit("twfe_plain_cluster", &r.model, &cases["twfe_plain_cluster"], &ren);
    check_summary(&r);
    for (case, vcov) in [
        ("twfe_controls_cluster", json!({ "cluster": ["city"] })),
        ("twfe_controls_iid", json!("iid")),
        ("twfe_controls_hc1", json!("hetero")),
    ] {
        let r = did(&ds, &jjj_spec(json!({ "controls": CONTROLS, "vcov": vcov }))).unwrap();
        check_fit(case, &r.model, &cases[case], &ren);
        check_summary(&r);
    }
    // Pooled OLS: fe = [].
    let r = did(&ds, &jjj_spec(json!({ "controls": CONTROLS, "vcov": "hetero", "fe": [] }))).unwrap();
    check_fit("pooled_ols_hc1", &r.model, &cases["pooled_ols_hc1"], &ren);
    // Indicator form keeps the indicator's name.
    let r = did(&ds, &jjj_spec(json!({ "start": null, "indicator": "FTZ", "controls": CONTROLS }))).unwrap();
    assert_eq!(r.term, "FTZ");
    check_fit("twfe_controls_cluster (indicator)", &r.model, &cases["twfe_controls_cluster"], &|t| t.to_string());
    // Counts table.
    assert_eq!(r.counts.rows[0].n_units, 6);
    assert_eq!(r.counts.rows[1].n_units, 7);
    assert_eq!(r.design_summary.cohorts.len(), 3);
}

#[test]
fn provinces_did_cases() {
    let ds = provinces();
    let cases = prov_cases();
    let base = json!({ "y": "NQPF", "unit": "province", "time": "year", "start": "first_treat",
                       "controls": ["GDP", "URB"] });
    let spec: DidSpec = serde_json::from_value(base.clone()).unwrap();
    let r = did(&ds, &spec).unwrap();
    check_fit("twfe_cluster", &r.model, &cases["twfe_cluster"], &|t| t.to_string());
    // The same through the file's own DID indicator (a dataset column named like our term).
    let mut b = base.clone();
    b["start"] = Value::Null;
    b["indicator"] = json!("DID");
    let r2 = did(&ds, &serde_json::from_value(b).unwrap()).unwrap();
    assert_eq!(r2.estimate, r.estimate);
    // Mechanism INN: the outcome swapped.
    let mut b = base.clone();
    b["y"] = json!("INN");
    let r = did(&ds, &serde_json::from_value(b).unwrap()).unwrap();
    check_fit("mechanism_INN", &r.model, &cases["mechanism_INN"], &|t| t.to_string());
}

#[test]
fn jjj_event_study_ref_m1() {
    let ds = jjj();
    let cases = jjj_cases();
    let case = &cases["event_study_ref_m1"];
    for window in [Value::Null, json!([-7, 7])] {
        let spec: EventStudySpec = serde_json::from_value(json!({
            "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "ref": -1, "window": window,
            "vcov": { "cluster": ["city"] }
        }))
        .unwrap();
        let r = event_study(&ds, &spec).unwrap();
        check_fit("event_study_ref_m1", &r.model, case, &|t| t.to_string());
        assert_eq!(r.reference, -1);
        let ks: Vec<i64> = r.terms.iter().map(|t| t.event_time).collect();
        assert_eq!(ks, vec![-7, -6, -5, -4, -3, -2, 0, 1, 2, 3, 4, 5, 6, 7]);
        for t in &r.terms {
            let e = case["coefficients"][&t.term]["estimate"].as_f64().unwrap();
            assert!(rel(t.estimate, e) < 1e-6);
        }
        let pt = r.pretrend.as_ref().unwrap();
        assert_eq!((pt.df1, pt.df2), (6.0, 12.0));
        let w = quasi::estimators::feols::wald(&r.model, &["ev_m7", "ev_m6", "ev_m5", "ev_m4", "ev_m3", "ev_m2"]).unwrap();
        assert!(rel(pt.statistic, w.statistic) < 1e-12 && pt.p_value > 0.0 && pt.p_value < 1.0);
        assert!(r.svg.starts_with("<svg") && r.svg.contains("</svg>"));
    }
}

#[test]
fn event_study_binning_and_trimming() {
    let ds = jjj();
    let mk = |binning: &str| -> EventStudySpec {
        serde_json::from_value(json!({
            "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "window": [-3, 3], "binning": binning
        }))
        .unwrap()
    };
    let b = event_study(&ds, &mk("bin")).unwrap();
    let ks: Vec<i64> = b.terms.iter().map(|t| t.event_time).collect();
    assert_eq!(ks, vec![-3, -2, 0, 1, 2, 3]);
    assert_eq!(b.model.nobs, 130);
    let t = event_study(&ds, &mk("trim")).unwrap();
    assert!(t.model.nobs < 130);
    assert_eq!(t.terms.len(), 6);
    assert_eq!(t.pretrend.as_ref().unwrap().df1, 2.0);
}

#[test]
fn jjj_mediation_steps() {
    let ds = jjj();
    let cases = jjj_cases();
    let spec: MediationSpec = serde_json::from_value(json!({
        "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year",
        "controls": CONTROLS, "vcov": { "cluster": ["city"] }, "mediator": "IL", "bootstrap": 200, "seed": 1
    }))
    .unwrap();
    let r = mediation(&ds, &spec).unwrap();
    let ren = |t: &str| if t == "FTZ" { "DID".to_string() } else { t.to_string() };
    check_fit("step 1 (twfe_controls_cluster)", &r.steps[0], &cases["twfe_controls_cluster"], &ren);
    check_fit("step 2 (mediation_step_IL)", &r.steps[1], &cases["mediation_step_IL"], &ren);
    check_fit("step 3 (mediation_step_outcome)", &r.steps[2], &cases["mediation_step_outcome"], &ren);
    // Sobel by hand from the reference coefficients.
    let a = cases["mediation_step_IL"]["coefficients"]["FTZ"]["estimate"].as_f64().unwrap();
    let sa = cases["mediation_step_IL"]["coefficients"]["FTZ"]["std_error"].as_f64().unwrap();
    let b = cases["mediation_step_outcome"]["coefficients"]["IL"]["estimate"].as_f64().unwrap();
    let sb = cases["mediation_step_outcome"]["coefficients"]["IL"]["std_error"].as_f64().unwrap();
    let se = (a * a * sb * sb + b * b * sa * sa).sqrt();
    assert!(rel(r.sobel.indirect, a * b) < 1e-6);
    assert!(rel(r.sobel.se, se) < 1e-4);
    assert!(rel(r.sobel.z, a * b / se) < 1e-4);
    let total = cases["twfe_controls_cluster"]["coefficients"]["FTZ"]["estimate"].as_f64().unwrap();
    assert!(rel(r.share_mediated, a * b / total) < 1e-6);
    assert!(r.indirect.reps > 150 && r.indirect.conf_low < r.indirect.conf_high);
    let tables = r.tables();
    assert_eq!(tables[0].id, "mediation.steps");
    let md = quasi::report::render_table(&tables[0], &Default::default()).unwrap();
    assert!(md.contains("IL") && md.contains("(2) IL"), "{md}");
    // seeded: reproducible
    let r2 = mediation(&ds, &spec).unwrap();
    assert_eq!((r.indirect.conf_low, r.indirect.conf_high), (r2.indirect.conf_low, r2.indirect.conf_high));
}

#[test]
fn provinces_heterogeneity_eastern() {
    let ds = provinces();
    let cases = prov_cases();
    let spec: HeteroSpec = serde_json::from_value(json!({
        "y": "NQPF", "unit": "province", "time": "year", "start": "first_treat", "controls": ["GDP", "URB"],
        "group": "eastern", "main_effect": false
    }))
    .unwrap();
    let r = heterogeneity(&ds, &spec).unwrap();
    assert_eq!(r.interaction_terms, vec!["DID_x_eastern".to_string()]);
    check_fit("heterogeneity_eastern", &r.interaction, &cases["heterogeneity_eastern"], &|t| {
        if t == "DID_east" { "DID_x_eastern".to_string() } else { t.to_string() }
    });
    // With the main effect: DID + DID×eastern; split samples per level.
    let mut s = spec.clone();
    s.main_effect = true;
    let r = heterogeneity(&ds, &s).unwrap();
    assert!(r.interaction.coef("DID").is_some() && r.interaction.coef("DID_x_eastern").is_some());
    assert_eq!(r.split.len(), 2);
    assert_eq!((r.split[0].level.as_str(), r.split[1].level.as_str()), ("0", "1"));
    assert_eq!(r.split[0].result.nobs + r.split[1].result.nobs, 341);
    let md = quasi::report::render_table(&r.tables()[0], &Default::default()).unwrap();
    assert!(md.contains("eastern = 1"), "{md}");
}

#[test]
fn robustness_table_columns() {
    let ds = jjj();
    let spec: RobustnessSpec = serde_json::from_value(json!({
        "base": { "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "controls": CONTROLS },
        "checks": [
            { "label": "Excl. 2020", "exclude_years": [2020] },
            { "label": "Excl. Beijing", "exclude_units": ["Beijing"] },
            { "label": "Cluster province", "cluster": ["province"] },
            { "label": "No controls", "controls": [] },
            { "label": "IL", "y": "IL" }
        ]
    }))
    .unwrap();
    let r = robustness(&ds, &spec).unwrap();
    let cases = jjj_cases();
    assert_eq!(r.fits.len(), 6);
    let est = |c: &str| cases[c]["coefficients"]["FTZ"]["estimate"].as_f64().unwrap();
    assert!(rel(r.fits[0].estimate, est("twfe_controls_cluster")) < 1e-6);
    assert_eq!(r.fits[1].nobs, 117);
    assert_eq!(r.fits[2].nobs, 120);
    assert!(rel(r.fits[3].estimate, est("twfe_controls_cluster")) < 1e-12);
    assert_ne!(r.fits[3].std_error, r.fits[0].std_error);
    assert!(rel(r.fits[4].estimate, est("twfe_plain_cluster")) < 1e-6);
    assert!(rel(r.fits[5].estimate, est("mediation_step_IL")) < 1e-6);
    let table = &r.tables()[0];
    assert_eq!(table.id, "robustness.models");
    let render = |format: &str| {
        quasi::report::render_table(table, &quasi::report::RenderOptions { format: format.into(), ..Default::default() })
            .unwrap()
    };
    for t in [&render("markdown"), &render("latex"), &render("html"), &render("csv")] {
        assert!(t.contains("Excl. 2020") || t.contains("Excl. 2020".replace(' ', "&nbsp;").as_str()), "{t}");
    }
    let e = robustness(
        &ds,
        &serde_json::from_value(json!({
            "base": { "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year" },
            "checks": [{ "label": "bad", "exclude_units": ["Atlantis"] }]
        }))
        .unwrap(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("Atlantis"), "{e}");
}
