//! Spatial regressions against spatialreg 1.2-6 (`method = "eigen"`):
//! Columbus (CRIME ~ INC + HOVAL, row-standardised contiguity) SAR/SEM/SDM — ρ/λ and
//! coefficients 1e-5 relative, SEs 1e-3, log-likelihood 1e-6, impacts 1e-5;
//! provinces (two-way FE panel, y ~ DID + INN + URB, row-standardised 1/d²) SDM/SAR/SEM —
//! estimates, σ², log-likelihood and impacts 1e-5, SEs 1e-3, simulated impact SEs within
//! 10 % (5,000 draws; the tolerance). SLX/SDEM, one-way FE panels and the LR test
//! against R scripts in fixtures/spatial/r/ (see fixtures/SOURCE-spatial.md).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::estimators::spatial::design::SpatialFe;
use quasi::estimators::spatial::model::{
    fit, spatial_did, ImpactSpec, SpatialDidSpec, SpatialModelKind, SpatialModelResult, SpatialModelSpec,
};
use quasi::estimators::spatial::{SpatialWeights, Standardise};
use quasi::report::Tables;
use quasi::Dataset;
use serde_json::Value;

const COLUMBUS: &[u8] = include_bytes!("fixtures/spatial/columbus.csv");
const COLUMBUS_NB: &str = include_str!("fixtures/spatial/columbus_neighbors.csv");
const COLUMBUS_JSON: &str = include_str!("fixtures/spatial/columbus_spatial.json");
const PROVINCES: &[u8] = include_bytes!("fixtures/spatial/provinces_spatial.csv");
const PROVINCES_JSON: &str = include_str!("fixtures/spatial/provinces_spatial.json");

fn data(bytes: &[u8]) -> Dataset {
    quasi::data::read_bytes(bytes, &Default::default()).expect("csv").dataset
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    let err = (got - want).abs() / want.abs().max(1e-12);
    assert!(err < tol, "{what}: got {got}, want {want} (rel err {err:e})");
}

/// Row-standardised contiguity from the `from,to` pairs (POLYID 1..49).
fn columbus_w() -> SpatialWeights {
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); 49];
    for line in COLUMBUS_NB.lines().skip(1) {
        let mut it = line.split(',').map(|s| s.trim().parse::<usize>().expect("id"));
        let (a, b) = (it.next().expect("from"), it.next().expect("to"));
        rows[a - 1].push(b - 1);
    }
    let units = (1..=49).map(|i| i.to_string()).collect();
    let rows = rows.into_iter().map(|r| {
        let k = r.len() as f64;
        r.into_iter().map(|j| (j, 1.0 / k)).collect()
    });
    SpatialWeights::from_rows(units, rows.collect(), Standardise::Row).expect("W").with_unit_column(Some("POLYID".into()))
}

fn provinces_w(j: &Value) -> SpatialWeights {
    let units: Vec<String> = j["weights"]["order"].as_array().expect("order").iter().map(|u| u.as_str().expect("name").to_string()).collect();
    let rows = j["weights"]["matrix"]
        .as_array()
        .expect("matrix")
        .iter()
        .map(|r| r.as_array().expect("row").iter().enumerate().filter_map(|(k, v)| {
            let v = v.as_f64().expect("number");
            (v != 0.0).then_some((k, v))
        }).collect())
        .collect();
    SpatialWeights::from_rows(units, rows, Standardise::Row).expect("W").with_unit_column(Some("province".into()))
}

fn columbus(kind: SpatialModelKind) -> SpatialModelResult {
    fit(&data(COLUMBUS), &SpatialModelSpec::new(kind, "CRIME ~ INC + HOVAL"), &columbus_w()).expect("fit")
}

fn panel_spec(kind: SpatialModelKind, fe: SpatialFe) -> SpatialModelSpec {
    let mut s = SpatialModelSpec::new(kind, "y ~ DID + INN + URB");
    s.time = Some("year".into());
    s.fe = fe;
    s
}

/// Compares coefficients (`name_map` renames the JSON's terms to ours).
fn check_coefs(model: &str, r: &SpatialModelResult, coefs: &Value, rename: impl Fn(&str) -> String) {
    let obj = coefs.as_object().expect("coefficients");
    assert_eq!(obj.len(), r.coefficients.len(), "{model}: number of coefficients");
    for (term, v) in obj {
        let ours = rename(term);
        let c = r.coefficient(&ours).unwrap_or_else(|| panic!("{model}: no coefficient {ours}"));
        close(&format!("{model} {ours}"), c.estimate, v["estimate"].as_f64().expect("estimate"), 1e-5);
        close(&format!("{model} se {ours}"), c.std_error, v["std_error"].as_f64().expect("se"), 1e-3);
    }
}

fn lag_rename(t: &str) -> String {
    t.strip_prefix("lag.").map_or(t.to_string(), |x| format!("W_{x}"))
}

#[test]
fn columbus_sar_sem_sdm_match_spatialreg() {
    let j: Value = serde_json::from_str(COLUMBUS_JSON).expect("json");
    let sar = columbus(SpatialModelKind::Sar);
    close("SAR rho", sar.rho.expect("rho"), j["sar"]["rho"].as_f64().unwrap(), 1e-5);
    close("SAR rho se", sar.rho_se.expect("se"), j["sar"]["rho_se"].as_f64().unwrap(), 1e-3);
    close("SAR loglik", sar.loglik, j["sar"]["loglik"].as_f64().unwrap(), 1e-6);
    check_coefs("SAR", &sar, &j["sar"]["coefficients"], lag_rename);
    let sem = columbus(SpatialModelKind::Sem);
    close("SEM lambda", sem.lambda.expect("lambda"), j["sem"]["lambda"].as_f64().unwrap(), 1e-5);
    close("SEM lambda se", sem.lambda_se.expect("se"), j["sem"]["lambda_se"].as_f64().unwrap(), 1e-3);
    close("SEM loglik", sem.loglik, j["sem"]["loglik"].as_f64().unwrap(), 1e-6);
    check_coefs("SEM", &sem, &j["sem"]["coefficients"], lag_rename);
    assert!(sem.impacts.is_empty());
    let sdm = columbus(SpatialModelKind::Sdm);
    close("SDM rho", sdm.rho.expect("rho"), j["sdm"]["rho"].as_f64().unwrap(), 1e-5);
    close("SDM loglik", sdm.loglik, j["sdm"]["loglik"].as_f64().unwrap(), 1e-6);
    check_coefs("SDM", &sdm, &j["sdm"]["coefficients"], lag_rename);
    for (name, r) in [("sar", &sar), ("sdm", &sdm)] {
        for (k, term) in ["INC", "HOVAL"].iter().enumerate() {
            let i = r.impact(term).expect("impact");
            for (what, got) in [("direct", i.direct), ("indirect", i.indirect), ("total", i.total)] {
                close(&format!("{name} {what} {term}"), got, j[name]["impacts"][what][k].as_f64().unwrap(), 1e-5);
            }
            assert!(i.direct_se.is_none(), "no draws, no SEs");
        }
    }
    for r in [&sar, &sem, &sdm] {
        assert!(r.tables().iter().all(|t| t.check().is_ok()));
    }
}

#[test]
fn provinces_two_way_panel_matches_spatialreg() {
    let j: Value = serde_json::from_str(PROVINCES_JSON).expect("json");
    let w = provinces_w(&j);
    let ds = data(PROVINCES);
    let p = &j["panel"];
    let mut spec = panel_spec(SpatialModelKind::Sdm, SpatialFe::Twoways);
    spec.impacts = Some(ImpactSpec { draws: 5000, seed: 1 });
    let sdm = fit(&ds, &spec, &w).expect("SDM");
    assert_eq!((sdm.n, sdm.periods, sdm.nobs), (31, 12, 372));
    close("SDM rho", sdm.rho.unwrap(), p["sdm"]["rho"].as_f64().unwrap(), 1e-5);
    close("SDM rho se", sdm.rho_se.unwrap(), p["sdm"]["rho_se"].as_f64().unwrap(), 1e-3);
    close("SDM loglik", sdm.loglik, p["sdm"]["loglik"].as_f64().unwrap(), 1e-5);
    close("SDM sigma2", sdm.sigma2, p["sdm"]["sigma2"].as_f64().unwrap(), 1e-5);
    check_coefs("SDM", &sdm, &p["sdm"]["coefficients"], |t| t.to_string());
    for term in ["DID", "INN", "URB"] {
        let i = sdm.impact(term).expect("impact");
        let r = &p["sdm"]["impacts"][term];
        for (what, got) in [("direct", i.direct), ("indirect", i.indirect), ("total", i.total)] {
            close(&format!("SDM {what} {term}"), got, r[what].as_f64().unwrap(), 1e-5);
        }
        for (what, got) in [("direct_se", i.direct_se), ("indirect_se", i.indirect_se), ("total_se", i.total_se)] {
            close(&format!("SDM {what} {term} (simulated)"), got.expect("se"), r[what].as_f64().unwrap(), 0.10);
        }
    }
    let sar = fit(&ds, &panel_spec(SpatialModelKind::Sar, SpatialFe::Twoways), &w).expect("SAR");
    close("SAR rho", sar.rho.unwrap(), p["sar"]["rho"].as_f64().unwrap(), 1e-5);
    close("SAR rho se", sar.rho_se.unwrap(), p["sar"]["rho_se"].as_f64().unwrap(), 1e-3);
    close("SAR loglik", sar.loglik, p["sar"]["loglik"].as_f64().unwrap(), 1e-5);
    close("SAR sigma2", sar.sigma2, p["sar"]["sigma2"].as_f64().unwrap(), 1e-5);
    check_coefs("SAR", &sar, &p["sar"]["coefficients"], |t| t.to_string());
    for term in ["DID", "INN", "URB"] {
        let i = sar.impact(term).expect("impact");
        let r = &p["sar"]["impacts"][term];
        for (what, got) in [("direct", i.direct), ("indirect", i.indirect), ("total", i.total)] {
            close(&format!("SAR {what} {term}"), got, r[what].as_f64().unwrap(), 1e-5);
        }
    }
    let sem = fit(&ds, &panel_spec(SpatialModelKind::Sem, SpatialFe::Twoways), &w).expect("SEM");
    close("SEM lambda", sem.lambda.unwrap(), p["sem"]["lambda"].as_f64().unwrap(), 1e-5);
    close("SEM lambda se", sem.lambda_se.unwrap(), p["sem"]["lambda_se"].as_f64().unwrap(), 1e-3);
    close("SEM loglik", sem.loglik, p["sem"]["loglik"].as_f64().unwrap(), 1e-5);
    close("SEM sigma2", sem.sigma2, p["sem"]["sigma2"].as_f64().unwrap(), 1e-5);
    check_coefs("SEM", &sem, &p["sem"]["coefficients"], |t| t.to_string());
    // The tests inside the SDM use the nested SAR and SEM fitted above.
    close("LR SDM vs SAR", sdm.test("LR: SDM vs SAR").expect("LR").statistic, 2.0 * (sdm.loglik - sar.loglik), 1e-6);
    close("LR SDM vs SEM", sdm.test("LR: SDM vs SEM").expect("LR").statistic, 2.0 * (sdm.loglik - sem.loglik), 1e-6);
}

#[test]
fn spatial_did_reproduces_the_panel_sdm() {
    let j: Value = serde_json::from_str(PROVINCES_JSON).expect("json");
    let w = provinces_w(&j);
    let ds = data(PROVINCES);
    let spec: SpatialDidSpec = serde_json::from_value(serde_json::json!({
        "y": "y", "unit": "province", "time": "year", "start": "ftz_year", "controls": ["INN", "URB"],
        "impacts": { "draws": 2000, "seed": 3 }
    }))
    .expect("spec");
    // The constructed DID equals the CSV's DID column (else spatial_did refuses).
    let r = spatial_did(&ds, &spec, &w).expect("spatial DID");
    let p = &j["panel"]["sdm"];
    close("rho", r.model.rho.unwrap(), p["rho"].as_f64().unwrap(), 1e-5);
    close("direct", r.direct.estimate, p["impacts"]["DID"]["direct"].as_f64().unwrap(), 1e-5);
    close("indirect", r.indirect.estimate, p["impacts"]["DID"]["indirect"].as_f64().unwrap(), 1e-5);
    close("total", r.total.estimate, p["impacts"]["DID"]["total"].as_f64().unwrap(), 1e-5);
    close("indirect se", r.indirect.std_error, p["impacts"]["DID"]["indirect_se"].as_f64().unwrap(), 0.10);
    close("W_DID", r.model.coefficient("W_DID").unwrap().estimate, p["coefficients"]["W_DID"]["estimate"].as_f64().unwrap(), 1e-5);
    assert!(r.treated_units > 0 && r.treated_obs > 0);
    assert!(r.tables().iter().all(|t| t.check().is_ok()));
    // A DID column that disagrees with the adoption column is refused by name.
    let mut bad = SpatialDidSpec { did_name: Some("INN".into()), ..spec };
    bad.controls = vec!["URB".into()];
    let e = spatial_did(&ds, &bad, &w).expect_err("INN is not the DID").to_string();
    assert!(e.contains("`INN`"), "{e}");
}
