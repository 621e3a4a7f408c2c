//! Callaway & Sant'Anna against moderndid 0.2 (R did 2.x conventions) on mpdta and provinces:
//! every case of `fixtures/staggered/*.json` — ATT(g,t) and the four aggregations 1e-6 relative
//! (absolute 1e-9 near zero), analytic SEs 1e-4 relative. See fixtures/SOURCE-staggered.md.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::estimators::staggered::cs::{Aggregate, CsResult};
use quasi::estimators::staggered::*;
use quasi::Dataset;
use serde_json::Value;

fn data(bytes: &[u8]) -> Dataset {
    quasi::data::read_bytes(bytes, &Default::default()).unwrap().dataset
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    let err = (got - want).abs() / want.abs().max(1e-3);
    assert!(err < tol, "{what}: got {got}, want {want} (rel err {err:e})");
}

fn spec_for(case: &Value, cols: &Value) -> CsSpec {
    let s = |k: &str| cols[k].as_str().unwrap().to_string();
    CsSpec {
        y: s("y"),
        unit: s("unit"),
        time: s("time"),
        start: s("cohort"),
        control_group: if case["control_group"] == "nevertreated" { ControlGroup::Never } else { ControlGroup::NotYet },
        method: match case["est_method"].as_str().unwrap() {
            "dr" => CsMethod::Dr,
            "ipw" => CsMethod::Ipw,
            _ => CsMethod::Reg,
        },
        covariates: match case["xformla"].as_str() {
            Some(f) => vec![f.trim_start_matches('~').trim().to_string()],
            None => vec![],
        },
        base_period: if case["base_period"] == "universal" { BasePeriod::Universal } else { BasePeriod::Varying },
        ..Default::default()
    }
}

fn check_agg(name: &str, got: &Aggregate, want: &Value, key: &str) {
    close(&format!("{name} att"), got.estimate.estimate, want["att"].as_f64().unwrap(), 1e-6);
    close(&format!("{name} se"), got.estimate.std_error, want["se"].as_f64().unwrap(), 1e-4);
    if let Some(by) = want["by"].as_array() {
        assert_eq!(got.terms.len(), by.len(), "{name}: number of terms");
        for (t, w) in got.terms.iter().zip(by) {
            let level = w["level"].as_f64().unwrap();
            let have = match key {
                "event_time" => t.event_time,
                "group" => t.group,
                _ => t.time,
            };
            assert_eq!(have, Some(level), "{name}: term order");
            close(&format!("{name} {level} att"), t.estimate.estimate, w["att"].as_f64().unwrap(), 1e-6);
            match w["se"].as_f64() {
                Some(se) => close(&format!("{name} {level} se"), t.estimate.std_error, se, 1e-4),
                None => assert!(t.estimate.std_error.is_nan(), "{name} {level}: se should be missing"),
            }
        }
    }
}

fn check_case(label: &str, res: &CsResult, case: &Value) {
    let want = case["att_gt"].as_array().unwrap();
    assert_eq!(res.att_gt.len(), want.len(), "{label}: number of ATT(g,t)");
    for (g, w) in res.att_gt.iter().zip(want) {
        let (wg, wt) = (w["group"].as_f64().unwrap(), w["time"].as_f64().unwrap());
        assert_eq!((g.group, g.time), (wg, wt), "{label}: cell order");
        let what = format!("{label} ATT({wg},{wt})");
        close(&what, g.estimate.estimate, w["att"].as_f64().unwrap(), 1e-6);
        match w["se"].as_f64() {
            Some(se) => close(&format!("{what} se"), g.estimate.std_error, se, 1e-4),
            None => assert!(g.estimate.std_error.is_nan(), "{what}: se should be missing"),
        }
    }
    let a = &case["aggregate"];
    check_agg(&format!("{label} simple"), &res.aggregate.simple, &a["simple"], "");
    check_agg(&format!("{label} dynamic"), &res.aggregate.dynamic, &a["dynamic"], "event_time");
    check_agg(&format!("{label} group"), &res.aggregate.group, &a["group"], "group");
    check_agg(&format!("{label} calendar"), &res.aggregate.calendar, &a["calendar"], "time");
}

fn run_all(ds: &Dataset, json: &str) -> usize {
    let v: Value = serde_json::from_str(json).unwrap();
    let cols = &v["cs"]["data_columns"];
    let cases = v["cs"]["cases"].as_object().unwrap();
    for (label, case) in cases {
        let res = csdid(ds, &spec_for(case, cols)).unwrap_or_else(|e| panic!("{label}: {e}"));
        check_case(label, &res, case);
    }
    cases.len()
}

#[test]
fn mpdta_every_case() {
    let ds = data(include_bytes!("fixtures/mpdta.csv"));
    assert_eq!(run_all(&ds, include_str!("fixtures/staggered/mpdta_staggered.json")), 10);
}

#[test]
fn provinces_every_case() {
    let ds = data(include_bytes!("fixtures/provinces.csv"));
    assert_eq!(run_all(&ds, include_str!("fixtures/staggered/provinces_staggered.json")), 7);
}

/// Goodman-Bacon decomposition against diff-diff 3.13 on mpdta and provinces: every comparison's
/// estimate and weight 1e-6 relative, the totals by type, and Σ weight·estimate = TWFE to 1e-9.
#[test]
fn bacon_mpdta_and_provinces() {
    bacon_case(&data(include_bytes!("fixtures/mpdta.csv")), include_str!("fixtures/staggered/mpdta_staggered.json"));
    bacon_case(&data(include_bytes!("fixtures/provinces.csv")), include_str!("fixtures/staggered/provinces_staggered.json"));
}

fn bacon_case(ds: &Dataset, json: &str) {
    let v: Value = serde_json::from_str(json).unwrap();
    let want = &v["bacon"];
    let cols = &v["columns"];
    let s = |k: &str| cols[k].as_str().unwrap().to_string();
    let spec = BaconSpec { y: s("y"), unit: s("unit"), time: s("time"), start: s("cohort") };
    let r = bacon_decomposition(ds, &spec).unwrap();
    close("twfe", r.twfe_estimate, want["twfe_estimate"].as_f64().unwrap(), 1e-6);
    assert!((r.weighted_sum - r.twfe_estimate).abs() < 1e-9 * r.twfe_estimate.abs(), "{} vs {}", r.weighted_sum, r.twfe_estimate);
    let wc = want["comparisons"].as_array().unwrap();
    assert_eq!(r.comparisons.len(), wc.len());
    let json = serde_json::to_value(&r.comparisons).unwrap();
    for w in wc {
        let got = json
            .as_array()
            .unwrap()
            .iter()
            .find(|c| {
                let s = |x: &Value| x.as_f64().map(|f| format!("{f}")).or(x.as_str().map(String::from)).unwrap();
                s(&c["treated"]) == s(&w["treated"]) && s(&c["control"]) == s(&w["control"]) && c["type"] == w["type"]
            })
            .unwrap_or_else(|| panic!("no comparison like {w}"));
        close(&format!("{w} estimate"), got["estimate"].as_f64().unwrap(), w["estimate"].as_f64().unwrap(), 1e-6);
        close(&format!("{w} weight"), got["weight"].as_f64().unwrap(), w["weight"].as_f64().unwrap(), 1e-6);
    }
    for t in &r.by_type {
        let key = serde_json::to_value(t.kind).unwrap();
        let w = &want["by_type"][key.as_str().unwrap()];
        close("type weight", t.weight, w["weight"].as_f64().unwrap(), 1e-6);
        close("type estimate", t.estimate, w["estimate"].as_f64().unwrap(), 1e-6);
    }
    assert!(r.svg.starts_with("<svg") && r.svg.contains("TWFE ="));
    use quasi::report::Tables;
    let ts = r.tables();
    assert_eq!(ts.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["bacon.summary", "bacon.comparisons"]);
    assert_eq!(ts[1].rows.len(), wc.len());
}

/// Two-stage DID (diff-diff TwoStageDiD = R did2s) and BJS imputation (diff-diff ImputationDiD)
/// on mpdta and provinces: overall and event-time estimates 1e-6, SEs 1e-4.
#[test]
fn did2s_and_imputation() {
    for (bytes, json) in [
        (&include_bytes!("fixtures/mpdta.csv")[..], include_str!("fixtures/staggered/mpdta_staggered.json")),
        (&include_bytes!("fixtures/provinces.csv")[..], include_str!("fixtures/staggered/provinces_staggered.json")),
    ] {
        let ds = data(bytes);
        let v: Value = serde_json::from_str(json).unwrap();
        let cols = &v["columns"];
        let s = |k: &str| cols[k].as_str().unwrap().to_string();
        let spec = ImputationSpec { y: s("y"), unit: s("unit"), time: s("time"), start: s("cohort"), ..Default::default() };
        for (r, want, overall) in [(did2s(&ds, &spec).unwrap(), &v["did2s"], "static"), (did_imputation(&ds, &spec).unwrap(), &v["imputation"], "overall")] {
            let label = format!("{} {:?}", s("y"), r.kind);
            close(&format!("{label} att"), r.overall.estimate, want[overall]["att"].as_f64().unwrap(), 1e-6);
            close(&format!("{label} se"), r.overall.std_error, want[overall]["se"].as_f64().unwrap(), 1e-4);
            let ev = want["event"].as_array().unwrap();
            assert_eq!(r.terms.len(), ev.len(), "{label} terms");
            for (t, w) in r.terms.iter().zip(ev) {
                assert_eq!(t.event_time, w["event_time"].as_f64().unwrap());
                close(&format!("{label} e={}", t.event_time), t.estimate.estimate, w["estimate"].as_f64().unwrap(), 1e-6);
                close(&format!("{label} e={} se", t.event_time), t.estimate.std_error, w["se"].as_f64().unwrap(), 1e-4);
            }
        }
    }
}

/// Sun & Abraham (fixest sunab convention; diff-diff and pyfixest agree to 1e-12) on mpdta and
/// provinces: event terms 1e-6 / SE 1e-4, overall ATT.
#[test]
fn sunab_event_study() {
    for (bytes, json) in [
        (&include_bytes!("fixtures/mpdta.csv")[..], include_str!("fixtures/staggered/mpdta_staggered.json")),
        (&include_bytes!("fixtures/provinces.csv")[..], include_str!("fixtures/staggered/provinces_staggered.json")),
    ] {
        let ds = data(bytes);
        let v: Value = serde_json::from_str(json).unwrap();
        let cols = &v["columns"];
        let s = |k: &str| cols[k].as_str().unwrap().to_string();
        let spec = SunabSpec { y: s("y"), unit: s("unit"), time: s("time"), start: s("cohort"), ..Default::default() };
        let r = sunab(&ds, &spec).unwrap();
        let want = &v["sunab"];
        let ev = want["event"].as_array().unwrap();
        assert_eq!(r.terms.len(), ev.len());
        for (t, w) in r.terms.iter().zip(ev) {
            assert_eq!(t.event_time, w["event_time"].as_f64().unwrap());
            close(&format!("{} sunab e={}", s("y"), t.event_time), t.estimate.estimate, w["estimate"].as_f64().unwrap(), 1e-6);
            close(&format!("{} sunab e={} se", s("y"), t.event_time), t.estimate.std_error, w["se"].as_f64().unwrap(), 1e-4);
        }
        close("sunab att", r.att.estimate, want["overall"]["att"].as_f64().unwrap(), 1e-6);
        close("sunab att se", r.att.std_error, want["overall"]["se"].as_f64().unwrap(), 1e-4);
    }
}
