//! HonestDiD against moderndid 0.2 (`honest_did`) on mpdta: the Callaway–Sant'Anna event study
//! (dr, never-treated controls, universal base period), relative-magnitudes C-LF bounds of the
//! event-time-0 effect for M̄ = 0.5, 1, 1.5, 2 within 1e-3 relative, and the original interval.
//! Smoothness (FLCI): properties, and moderndid's numbers from `fixtures/staggered/honest_sd.json`
//! (see fixtures/SOURCE-staggered.md).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::estimators::staggered::*;
use quasi::report::table::Tables;
use quasi::Dataset;
use serde_json::Value;

fn mpdta() -> Dataset {
    quasi::data::read_bytes(include_bytes!("fixtures/mpdta.csv"), &Default::default()).unwrap().dataset
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    let err = (got - want).abs() / want.abs().max(1e-3);
    assert!(err < tol, "{what}: got {got}, want {want} (rel err {err:e})");
}

fn spec() -> HonestSpec {
    let mut s = HonestSpec::default();
    s.cs.y = "lemp".into();
    s.cs.unit = "countyreal".into();
    s.cs.time = "year".into();
    s.cs.start = "first_treat".into();
    s.cs.method = CsMethod::Dr;
    s.cs.control_group = ControlGroup::Never;
    s
}

fn parse_original(s: &str) -> (f64, f64) {
    // "OriginalCSResult(lb=np.float64(-0.04…), ub=np.float64(0.003…), …)"
    let num = |key: &str| {
        let at = s.find(key).unwrap() + key.len();
        let rest = &s[at..];
        let end = rest.find(')').unwrap();
        rest[..end].parse::<f64>().unwrap()
    };
    (num("lb=np.float64("), num("ub=np.float64("))
}

fn reference() -> Value {
    serde_json::from_str(include_str!("fixtures/staggered/honest_reference.json")).unwrap()
}

fn check_rows(what: &str, got: &[quasi::estimators::staggered::honest::RobustBound], want: &Value, tol: f64) {
    let rows = want.as_array().unwrap();
    assert_eq!(got.len(), rows.len(), "{what}: number of rows");
    for (g, w) in got.iter().zip(rows) {
        let m = w["m"].as_f64().unwrap();
        close(&format!("{what} {m} parameter"), g.parameter(), m, 1e-9);
        close(&format!("{what} {m} lb"), g.conf_low, w["lb"].as_f64().unwrap(), tol);
        close(&format!("{what} {m} ub"), g.conf_high, w["ub"].as_f64().unwrap(), tol);
    }
}

/// R HonestDiD's union over every pre-period difference (`rm_max_location: "all"`) against
/// moderndid patched to that union.
#[test]
fn honest_rm_matches_honestdid_union_on_mpdta() {
    let mut s = spec();
    s.rm_max_location = RmMaxLocation::All;
    let r = honest_did(&mpdta(), &s).unwrap();
    check_rows("rm all", &r.robust, &reference()["rm_all"], 1e-3);
}

/// The default (moderndid's convention) against the fixture of the reference set.
#[test]
fn honest_rm_matches_moderndid_on_mpdta() {
    let fx: Value = serde_json::from_str(include_str!("fixtures/staggered/mpdta_staggered.json")).unwrap();
    let want = &fx["honest"];
    let s = spec();
    assert_eq!(s.rm_max_location, RmMaxLocation::Moderndid);
    let r = honest_did(&mpdta(), &s).unwrap();
    assert_eq!(r.method, "C-LF");
    assert_eq!((r.num_pre_periods, r.num_post_periods), (3, 4));
    assert_eq!(r.event_times, vec![-4.0, -3.0, -2.0, 0.0, 1.0, 2.0, 3.0]);
    let (lb, ub) = parse_original(want["original_ci"].as_str().unwrap());
    close("original lb", r.original.conf_low, lb, 1e-6);
    close("original ub", r.original.conf_high, ub, 1e-6);
    let rows = want["robust_ci"].as_array().unwrap();
    assert_eq!(r.robust.len(), rows.len());
    for (got, w) in r.robust.iter().zip(rows) {
        let mb = w["m_bar"].as_f64().unwrap();
        assert_eq!(got.m_bar, Some(mb));
        close(&format!("M̄ {mb} lb"), got.conf_low, w["lb"].as_f64().unwrap(), 1e-3);
        close(&format!("M̄ {mb} ub"), got.conf_high, w["ub"].as_f64().unwrap(), 1e-3);
    }
    // Table and plot.
    let t = &r.tables()[0];
    assert_eq!(t.id, "honest.bounds");
    assert_eq!(t.rows.len(), 5);
    assert!(r.svg.starts_with("<svg") && r.svg.contains("Original"));
    assert!(!r.diagnostics.has(quasi::diagnostics::Code::HonestUniversalBase));
}

#[test]
fn honest_varying_base_switches_to_universal() {
    let mut s = spec();
    s.cs.base_period = BasePeriod::Varying;
    s.m_bar = vec![1.0];
    let r = honest_did(&mpdta(), &s).unwrap();
    assert!(r.diagnostics.has(quasi::diagnostics::Code::HonestUniversalBase));
    close("M̄ 1 lb", r.robust[0].conf_low, -0.0700200440267778, 1e-3);
}

fn smooth(event_time: f64, m: Vec<f64>) -> HonestResult {
    let mut s = spec();
    s.sensitivity = Sensitivity::Smoothness;
    s.event_time = event_time;
    s.m = m;
    honest_did(&mpdta(), &s).unwrap()
}

/// moderndid's grid of M (its default upper bound uses only the second differences inside the
/// pre-periods, one sign; HonestDiD's, the default here, also the one through the reference).
fn m_grid(rows: &Value) -> Vec<f64> {
    rows.as_array().unwrap().iter().map(|r| r["m"].as_f64().unwrap()).collect()
}

#[test]
fn honest_sd_flci_matches_moderndid_on_mpdta() {
    let fx = reference();
    for (e, key) in [(0.0, "sd_default"), (1.0, "sd_e1")] {
        let r = smooth(e, m_grid(&fx[key]));
        assert_eq!(r.method, "FLCI");
        check_rows(key, &r.robust, &fx[key], 1e-3);
        let o = &fx[format!("{key}_original")];
        close("original lb", r.original.conf_low, o["lb"].as_f64().unwrap(), 1e-6);
        close("original ub", r.original.conf_high, o["ub"].as_f64().unwrap(), 1e-6);
    }
}

#[test]
fn honest_sd_flci_widens_with_m() {
    let r = smooth(0.0, Vec::new());
    assert_eq!(r.robust.len(), 10);
    for w in r.robust.windows(2) {
        let (a, b) = (w[0].conf_high - w[0].conf_low, w[1].conf_high - w[1].conf_low);
        assert!(b >= a - 1e-9, "length {a} at M = {} > {b} at M = {}", w[0].parameter(), w[1].parameter());
    }
    assert_eq!(r.robust[0].parameter(), 0.0);
}

#[test]
fn honest_rejects_bad_event_time_and_grid() {
    let mut s = spec();
    s.event_time = 7.0;
    assert!(honest_did(&mpdta(), &s).is_err());
    let mut s = spec();
    s.m_bar = vec![-1.0];
    assert!(honest_did(&mpdta(), &s).is_err());
}
