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

const R_MODELS: &str = include_str!("fixtures/spatial/r/models.json");

fn check_impacts(model: &str, r: &SpatialModelResult, want: &Value) {
    for (term, v) in want.as_object().expect("impacts") {
        let i = r.impact(term).unwrap_or_else(|| panic!("{model}: no impact {term}"));
        for (what, got) in [("direct", i.direct), ("indirect", i.indirect), ("total", i.total)] {
            close(&format!("{model} {what} {term}"), got, v[what].as_f64().unwrap(), 1e-5);
        }
        for (what, got) in [("direct_se", i.direct_se), ("indirect_se", i.indirect_se), ("total_se", i.total_se)] {
            close(&format!("{model} {what} {term}"), got.expect("analytic se"), v[what].as_f64().unwrap(), 1e-3);
        }
    }
}

fn check_ml(model: &str, r: &SpatialModelResult, want: &Value) {
    let (par, se) = if want["param"] == "rho" { (r.rho, r.rho_se) } else { (r.lambda, r.lambda_se) };
    close(&format!("{model} param"), par.expect("param"), want["value"].as_f64().unwrap(), 1e-5);
    close(&format!("{model} param se"), se.expect("se"), want["se"].as_f64().unwrap(), 1e-3);
    close(&format!("{model} loglik"), r.loglik, want["loglik"].as_f64().unwrap(), 1e-6);
    close(&format!("{model} sigma2"), r.sigma2, want["sigma2"].as_f64().unwrap(), 1e-5);
    check_coefs(model, r, &want["coefficients"], |t| t.to_string());
}

#[test]
fn columbus_slx_sdem_and_lr_tests_match_r() {
    let j: Value = serde_json::from_str(R_MODELS).expect("json");
    let c = &j["columbus"];
    let slx = columbus(SpatialModelKind::Slx);
    check_coefs("SLX", &slx, &c["slx"]["coefficients"], |t| t.to_string());
    close("SLX loglik", slx.loglik, c["slx"]["loglik"].as_f64().unwrap(), 1e-6);
    check_impacts("SLX", &slx, &c["slx"]["impacts"]);
    let sdem = columbus(SpatialModelKind::Sdem);
    check_ml("SDEM", &sdem, &c["sdem"]);
    check_impacts("SDEM", &sdem, &c["sdem"]["impacts"]);
    let sdm = columbus(SpatialModelKind::Sdm);
    for (ours, r, res) in [("LR: SDM vs SAR", "sdm_vs_sar", &sdm), ("LR: SDM vs SEM", "sdm_vs_sem", &sdm), ("LR: SDEM vs SEM", "sdem_vs_sem", &sdem)] {
        let t = res.test(ours).unwrap_or_else(|| panic!("no {ours}"));
        close(&format!("{ours} statistic"), t.statistic, c["lr"][r]["statistic"].as_f64().unwrap(), 1e-5);
        close(&format!("{ours} p"), t.p_value, c["lr"][r]["p_value"].as_f64().unwrap(), 1e-5);
        assert_eq!(t.df as f64, c["lr"][r]["df"].as_f64().unwrap());
    }
    assert!(sdm.test("Wald: θ = 0").is_some() && sdm.test("Wald: θ + ρβ = 0").is_some());
    assert!(slx.tables().iter().all(|t| t.check().is_ok()));
}

#[test]
fn provinces_one_way_panels_match_r() {
    let j: Value = serde_json::from_str(PROVINCES_JSON).expect("json");
    let r: Value = serde_json::from_str(R_MODELS).expect("json");
    let w = provinces_w(&j);
    let ds = data(PROVINCES);
    for (fe, key) in [(SpatialFe::Unit, "provinces_unit"), (SpatialFe::Time, "provinces_time")] {
        let want = &r[key];
        for (kind, name) in [(SpatialModelKind::Sar, "sar"), (SpatialModelKind::Sdm, "sdm"), (SpatialModelKind::Sem, "sem"), (SpatialModelKind::Sdem, "sdem")] {
            let got = fit(&ds, &panel_spec(kind, fe), &w).unwrap_or_else(|e| panic!("{key} {name}: {e}"));
            check_ml(&format!("{key} {name}"), &got, &want[name]);
        }
        let slx = fit(&ds, &panel_spec(SpatialModelKind::Slx, fe), &w).expect("SLX");
        check_coefs(&format!("{key} slx"), &slx, &want["slx"]["coefficients"], |t| t.to_string());
        close(&format!("{key} slx loglik"), slx.loglik, want["slx"]["loglik"].as_f64().unwrap(), 1e-6);
    }
}

/// A ring of `n` units, each linked to its two neighbours (row-standardised).
fn ring(n: usize) -> SpatialWeights {
    let units = (0..n).map(|i| format!("u{i}")).collect();
    let rows = (0..n).map(|i| vec![((i + 1) % n, 0.5), ((i + n - 1) % n, 0.5)]).collect();
    SpatialWeights::from_rows(units, rows, Standardise::Row).expect("ring").with_unit_column(Some("id".into()))
}

#[test]
fn clear_errors_and_diagnostics() {
    let w = columbus_w();
    let mut ds = data(COLUMBUS);
    let inc: Vec<f64> = ds.numeric("INC").expect("INC").iter().map(|v| 2.0 * v + 1.0).collect();
    ds.add_numeric("INC2", inc).expect("add");
    let e = fit(&ds, &SpatialModelSpec::new(SpatialModelKind::Sar, "CRIME ~ INC + HOVAL + INC2"), &w).expect_err("collinear").to_string();
    assert!(e.contains("collinear") && e.contains("`INC2`"), "{e}");
    let e = fit(&ds, &SpatialModelSpec::new(SpatialModelKind::Sdm, "CRIME ~ INC | POLYID"), &w).expect_err("bar").to_string();
    assert!(e.contains("`fe`"), "{e}");
    let unknown = serde_json::from_value::<SpatialModelSpec>(serde_json::json!({ "model": "sac", "formula": "CRIME ~ INC" }));
    assert!(unknown.expect_err("sac").to_string().contains("unknown variant"));
    let extra = serde_json::from_value::<SpatialModelSpec>(serde_json::json!({ "model": "sar", "formula": "CRIME ~ INC", "weights": {} }));
    assert!(extra.is_err(), "unknown fields are refused");
    let mut lee = SpatialModelSpec::new(SpatialModelKind::Sar, "CRIME ~ INC");
    lee.lee_yu = true;
    assert!(fit(&ds, &lee, &w).expect_err("lee-yu").to_string().contains("not available"));
    let mut fe = SpatialModelSpec::new(SpatialModelKind::Sar, "CRIME ~ INC");
    fe.fe = SpatialFe::Unit;
    assert!(fit(&ds, &fe, &w).expect_err("fe without time").to_string().contains("time"));
    // Impacts asked of a SEM: none, with a note.
    let mut sem = SpatialModelSpec::new(SpatialModelKind::Sem, "CRIME ~ INC + HOVAL");
    sem.impacts = Some(ImpactSpec { draws: 100, seed: 1 });
    let r = fit(&ds, &sem, &w).expect("SEM");
    assert!(r.impacts.is_empty());
    let diags = serde_json::to_value(&r.diagnostics).expect("json");
    assert!(diags.to_string().contains("spatial_note"), "{diags}");
    // An unbalanced panel is refused by name.
    let j: Value = serde_json::from_str(PROVINCES_JSON).expect("json");
    let pw = provinces_w(&j);
    let pd = data(PROVINCES);
    let keep: Vec<bool> = (0..pd.nrows()).map(|r| r != 5).collect();
    let e = fit(&pd.filter_rows(&keep).expect("rows"), &panel_spec(SpatialModelKind::Sdm, SpatialFe::Twoways), &pw).expect_err("gap").to_string();
    assert!(e.contains("unbalanced"), "{e}");
}

#[test]
fn rho_at_the_bound_is_flagged() {
    // y alternates in sign around an even ring: Wy = −y, the likelihood rises towards
    // ρ = −1 = 1/λ_min, the lower end of the interval.
    let n = 12;
    let ds = Dataset::from_columns(vec![
        quasi::data::Column::text("id", (0..n).map(|i| Some(format!("u{i}"))).collect()),
        quasi::data::Column::numeric("y", (0..n).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect()),
        quasi::data::Column::numeric("x", (0..n).map(|i| ((i * 7) % 5) as f64).collect()),
    ])
    .expect("data");
    let r = fit(&ds, &SpatialModelSpec::new(SpatialModelKind::Sar, "y ~ x"), &ring(n)).expect("fit with a warning");
    assert!((r.rho.expect("rho") + 1.0).abs() < 1e-6, "{:?}", r.rho);
    let diags = serde_json::to_value(&r.diagnostics).expect("json").to_string();
    assert!(diags.contains("spatial_parameter_at_bound"), "{diags}");
}

/// Binary (unstandardised) Columbus contiguity.
fn columbus_binary() -> SpatialWeights {
    let w = columbus_w();
    let rows = (0..w.n()).map(|i| w.row(i).map(|(j, _)| (j, 1.0)).collect()).collect();
    SpatialWeights::from_rows(w.units().to_vec(), rows, Standardise::None).expect("B").with_unit_column(Some("POLYID".into()))
}

#[test]
fn binary_weights_match_r_and_impacts_match_dense_algebra() {
    let j: Value = serde_json::from_str(R_MODELS).expect("json");
    let w = columbus_binary();
    let ds = data(COLUMBUS);
    let sdm = fit(&ds, &SpatialModelSpec::new(SpatialModelKind::Sdm, "CRIME ~ INC + HOVAL"), &w).expect("SDM");
    check_ml("binary SDM", &sdm, &j["columbus"]["binary"]["sdm"]);
    let sem = fit(&ds, &SpatialModelSpec::new(SpatialModelKind::Sem, "CRIME ~ INC + HOVAL"), &w).expect("SEM");
    check_ml("binary SEM", &sem, &j["columbus"]["binary"]["sem"]);
    // S = (I − ρW)⁻¹(βI + θW): direct = tr(S)/n, total = 1'S1/n, by dense algebra.
    let n = w.n();
    let wm = w.to_dmatrix();
    let rho = sdm.rho.expect("rho");
    let ai = (nalgebra::DMatrix::<f64>::identity(n, n) - &wm * rho).try_inverse().expect("invertible");
    for term in ["INC", "HOVAL"] {
        let b = sdm.coefficient(term).expect("b").estimate;
        let th = sdm.coefficient(&format!("W_{term}")).expect("theta").estimate;
        let s = &ai * (nalgebra::DMatrix::<f64>::identity(n, n) * b + &wm * th);
        let i = sdm.impact(term).expect("impact");
        close(&format!("{term} direct"), i.direct, s.trace() / n as f64, 1e-10);
        close(&format!("{term} total"), i.total, s.sum() / n as f64, 1e-10);
    }
}

#[test]
fn result_serialises_to_the_js_field_names() {
    let mut spec: SpatialModelSpec = serde_json::from_value(serde_json::json!({
        "model": "sdm", "formula": "CRIME ~ INC + HOVAL", "impacts": { "draws": 200, "seed": 7 }
    }))
    .expect("spec");
    let r = fit(&data(COLUMBUS), &spec, &columbus_w()).expect("SDM");
    let v = serde_json::to_value(&r).expect("json");
    for key in ["model", "fe", "rho", "rho_se", "lambda", "lambda_se", "loglik", "aic", "sigma2", "coefficients", "impacts", "tests", "interval", "diagnostics"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["model"], "sdm");
    let c = &v["coefficients"][1];
    for key in ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"] {
        assert!(c.get(key).is_some(), "coefficient field {key}");
    }
    assert_eq!(v["coefficients"][3]["term"], "W_INC");
    let i = &v["impacts"][0];
    for key in ["term", "direct", "indirect", "total", "direct_se", "indirect_se", "total_se"] {
        assert!(i.get(key).is_some() && !i[key].is_null(), "impact field {key}");
    }
    assert!(v["tests"][0].get("p_value").is_some() && v["tests"][0].get("df").is_some());
    // The same seed gives the same simulated SEs; another seed different ones.
    let again = fit(&data(COLUMBUS), &spec, &columbus_w()).expect("SDM");
    assert_eq!(again.impacts, r.impacts);
    spec.impacts = Some(ImpactSpec { draws: 200, seed: 8 });
    let other = fit(&data(COLUMBUS), &spec, &columbus_w()).expect("SDM");
    assert_ne!(other.impacts[0].direct_se, r.impacts[0].direct_se);
}

#[test]
fn durbin_subset_matches_r() {
    let j: Value = serde_json::from_str(R_MODELS).expect("json");
    let want = &j["columbus"]["sdm_durbin_inc"];
    let mut spec = SpatialModelSpec::new(SpatialModelKind::Sdm, "CRIME ~ INC + HOVAL");
    spec.durbin = Some(vec!["INC".into()]);
    let r = fit(&data(COLUMBUS), &spec, &columbus_w()).expect("SDM");
    check_ml("SDM durbin INC", &r, want);
    for (term, v) in want["impacts"].as_object().expect("impacts") {
        let i = r.impact(term).expect("impact");
        for (what, got) in [("direct", i.direct), ("indirect", i.indirect), ("total", i.total)] {
            close(&format!("{what} {term}"), got, v[what].as_f64().unwrap(), 1e-5);
        }
    }
    assert_eq!(r.test("LR: SDM vs SAR").expect("LR").df, 1);
    spec.durbin = Some(vec!["NOPE".into()]);
    let e = fit(&data(COLUMBUS), &spec, &columbus_w()).expect_err("unknown").to_string();
    assert!(e.contains("`NOPE`"), "{e}");
}

/// The large-n path (sparse LU log-determinant, power-series traces) gives the eigenvalue
/// path's answers: Columbus SAR/SEM/SDM and the provinces two-way panel SDM with impacts
/// (estimates 1e-7 relative; SEs 1e-4, the traces being series; impacts 1e-7).
#[test]
fn sparse_log_determinant_reproduces_the_eigen_path() {
    use quasi::estimators::spatial::logdet::LogdetMethod;
    let j: Value = serde_json::from_str(PROVINCES_JSON).expect("json");
    let cases: Vec<(Dataset, SpatialModelSpec, SpatialWeights)> = vec![
        (data(COLUMBUS), SpatialModelSpec::new(SpatialModelKind::Sar, "CRIME ~ INC + HOVAL"), columbus_w()),
        (data(COLUMBUS), SpatialModelSpec::new(SpatialModelKind::Sem, "CRIME ~ INC + HOVAL"), columbus_w()),
        (data(COLUMBUS), SpatialModelSpec::new(SpatialModelKind::Sdm, "CRIME ~ INC + HOVAL"), columbus_w()),
        (data(PROVINCES), panel_spec(SpatialModelKind::Sdm, SpatialFe::Twoways), provinces_w(&j)),
    ];
    for (ds, spec, w) in cases {
        let eigen = fit(&ds, &SpatialModelSpec { method: LogdetMethod::Eigen, ..spec.clone() }, &w).expect("eigen");
        let sparse = fit(&ds, &SpatialModelSpec { method: LogdetMethod::Sparse, ..spec.clone() }, &w).expect("sparse");
        let m = format!("{:?}", spec.model);
        for (what, a, b) in [("rho", sparse.rho, eigen.rho), ("lambda", sparse.lambda, eigen.lambda)] {
            if let (Some(a), Some(b)) = (a, b) {
                close(&format!("{m} {what}"), a, b, 1e-7);
            }
        }
        assert_eq!(sparse.rho.is_some(), eigen.rho.is_some());
        close(&format!("{m} loglik"), sparse.loglik, eigen.loglik, 1e-9);
        assert_eq!(sparse.coefficients.len(), eigen.coefficients.len());
        for (a, b) in sparse.coefficients.iter().zip(&eigen.coefficients) {
            close(&format!("{m} {}", b.term), a.estimate, b.estimate, 1e-7);
            close(&format!("{m} se {}", b.term), a.std_error, b.std_error, 1e-4);
        }
        assert_eq!(sparse.impacts.len(), eigen.impacts.len());
        for (a, b) in sparse.impacts.iter().zip(&eigen.impacts) {
            for (what, x, y) in [("direct", a.direct, b.direct), ("indirect", a.indirect, b.indirect), ("total", a.total, b.total)] {
                close(&format!("{m} {what} {}", b.term), x, y, 1e-7);
            }
        }
    }
}

const R_EDGE: &str = include_str!("fixtures/spatial/r/edge_cases.json");

/// k = 3 nearest neighbours on Columbus X/Y, scaled as `style`.
fn columbus_knn3(style: Standardise) -> SpatialWeights {
    use quasi::estimators::spatial::weights::{build, WeightsKind, WeightsSpec};
    let spec = WeightsSpec {
        kind: WeightsKind::Knn,
        k: Some(3),
        unit: Some("POLYID".into()),
        x: Some("X".into()),
        y: Some("Y".into()),
        standardise: Some(style),
        ..Default::default()
    };
    build(&data(COLUMBUS), &spec).expect("knn")
}

/// Compares ρ, log-likelihood, coefficients and direct impacts with the edge-case
/// reference, and indirect/total too when `row_std` (spatialreg's total is (β + θ)/(1 − ρ)
/// for any W, exact only when rows sum to one).
fn check_edge(model: &str, r: &SpatialModelResult, want: &Value, row_std: bool) {
    close(&format!("{model} rho"), r.rho.expect("rho"), want["rho"].as_f64().unwrap(), 1e-5);
    close(&format!("{model} rho se"), r.rho_se.expect("se"), want["rho_se"].as_f64().unwrap(), 1e-3);
    close(&format!("{model} loglik"), r.loglik, want["loglik"].as_f64().unwrap(), 1e-6);
    let est = want["estimate"].as_object().expect("estimates");
    assert_eq!(est.len(), r.coefficients.len(), "{model}: terms {:?}", r.coefficients.iter().map(|c| &c.term).collect::<Vec<_>>());
    for (term, v) in est {
        let c = r.coefficient(term).unwrap_or_else(|| panic!("{model}: no {term}"));
        close(&format!("{model} {term}"), c.estimate, v.as_f64().unwrap(), 1e-5);
        close(&format!("{model} se {term}"), c.std_error, want["std_error"][term].as_f64().unwrap(), 1e-3);
    }
    for term in ["INC", "HOVAL"] {
        let i = r.impact(term).expect("impact");
        let all = [("direct", i.direct), ("indirect", i.indirect), ("total", i.total)];
        for (what, got) in all.into_iter().take(if row_std { 3 } else { 1 }) {
            close(&format!("{model} {what} {term}"), got, want[what][term].as_f64().unwrap(), 1e-5);
        }
    }
}

/// A row-standardised knn W is not similar to a symmetric matrix: its eigenvalues are
/// complex, and nalgebra's unbounded Schur iterations once cycled for ever on such
/// matrices. The fit now finishes (bounded iterations, sparse fallback) with spatialreg's
/// numbers; unstandardised knn weights (rows summing to k) drop the aliased W_(Intercept)
/// with a note, as spatialreg does.
#[test]
fn knn_weights_fit_and_match_spatialreg() {
    let j: Value = serde_json::from_str(R_EDGE).expect("json");
    let ds = data(COLUMBUS);
    let w = columbus_knn3(Standardise::Row);
    let sar = fit(&ds, &SpatialModelSpec::new(SpatialModelKind::Sar, "CRIME ~ INC + HOVAL"), &w).expect("SAR");
    check_edge("knn3 SAR", &sar, &j["knn3_row"]["sar"], true);
    assert_eq!(sar.logdet.as_deref(), Some("eigen"), "complex eigenvalues, exact path");
    let sdm = fit(&ds, &SpatialModelSpec::new(SpatialModelKind::Sdm, "CRIME ~ INC + HOVAL"), &w).expect("SDM");
    check_edge("knn3 SDM", &sdm, &j["knn3_row"]["sdm"], true);
    let wb = columbus_knn3(Standardise::None);
    let sdm_b = fit(&ds, &SpatialModelSpec::new(SpatialModelKind::Sdm, "CRIME ~ INC + HOVAL"), &wb).expect("binary SDM");
    check_edge("knn3 binary SDM", &sdm_b, &j["knn3_binary"]["sdm"], false);
    // Every row of W sums to 3: 1'S1/n = (β + 3θ)/(1 − 3ρ) exactly.
    let rho = sdm_b.rho.expect("rho");
    for term in ["INC", "HOVAL"] {
        let (b, th) = (sdm_b.coefficient(term).expect("b").estimate, sdm_b.coefficient(&format!("W_{term}")).expect("θ").estimate);
        close(&format!("knn3 binary total {term}"), sdm_b.impact(term).expect("impact").total, (b + 3.0 * th) / (1.0 - 3.0 * rho), 1e-10);
    }
    assert!(sdm_b.coefficient("W_(Intercept)").is_none());
    let diags = serde_json::to_value(&sdm_b.diagnostics).expect("json").to_string();
    assert!(diags.contains("W_(Intercept) dropped"), "{diags}");
}

/// With binary W, the SDM's W_(Intercept) is a Durbin parameter too: LR against SAR and
/// SEM on 3 df (spatialreg's LR.Sarlm), not 2.
#[test]
fn lr_tests_count_the_lagged_intercept() {
    let j: Value = serde_json::from_str(R_EDGE).expect("json");
    let sdm = fit(&data(COLUMBUS), &SpatialModelSpec::new(SpatialModelKind::Sdm, "CRIME ~ INC + HOVAL"), &columbus_binary()).expect("SDM");
    for (ours, r) in [("LR: SDM vs SAR", "sdm_vs_sar"), ("LR: SDM vs SEM", "sdm_vs_sem")] {
        let t = sdm.test(ours).unwrap_or_else(|| panic!("no {ours}"));
        let want = &j["binary_lr"][r];
        assert_eq!(t.df as f64, want["df"].as_f64().unwrap(), "{ours} df");
        close(&format!("{ours} statistic"), t.statistic, want["statistic"].as_f64().unwrap(), 1e-5);
        close(&format!("{ours} p"), t.p_value, want["p_value"].as_f64().unwrap(), 1e-5);
    }
}
