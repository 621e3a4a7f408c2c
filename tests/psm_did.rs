//! PSM-DID (src/estimators/psm_did.rs). No external reference implementation exists, so:
//! a hand-worked panel (matches and pre-treatment means derivable by hand, the weighted
//! DID recomputed through `feols` directly), the property that a matching which keeps
//! every unit with weight 1 reproduces the full-sample DID, count identities of
//! period-by-period matching on the JJJ panel, and error cases. The full-sample column on
//! the JJJ panel is checked against pyfixest (tests/fixtures/jjj_did.json).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::report::Tables;
use quasi::data::{read_bytes, ReadOptions};
use quasi::estimators::feols::{feols, FeolsSpec, VcovSpec};
use quasi::estimators::psm::{psm, PsmSpec, SeKind};
use quasi::estimators::psm_did::{psm_did, PsmDidSpec};
use quasi::{Column, Dataset, ErrorKind};

const JJJ: &[u8] = include_bytes!("fixtures/jjj_cities.csv");
const JJJ_DID: &str = include_str!("fixtures/jjj_did.json");

fn jjj() -> Dataset {
    read_bytes(JJJ, &ReadOptions::default()).unwrap().dataset
}

fn spec(json: &str) -> PsmDidSpec {
    serde_json::from_str(json).unwrap()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

const YEARS: [f64; 5] = [2001., 2002., 2003., 2004., 2005.];

/// One unit of the hand-worked panel: name, adoption (0 = never), x per year.
type UnitDef = (&'static str, f64, [f64; 5]);

/// The hand-worked panel. Pre-treatment means of x over the common window, the years
/// before 2003 (the earliest adoption):
/// A (adopts 2003): (0.5+1.5)/2 = 1.0;  B (adopts 2004): (4+5)/2 = 4.5;
/// C: (0.9+1.0)/2 = 0.95;  D: (5.0+5.1)/2 = 5.05;  E: 3.0;  F: 10.0.
/// Later values are wild (50) so that using them would change every match.
const UNITS: [UnitDef; 6] = [
    ("A", 2003., [0.5, 1.5, 50., 50., 50.]),
    ("B", 2004., [4.0, 5.0, 6.0, 50., 50.]),
    ("C", 0., [0.9, 1.0, 50., 50., 50.]),
    ("D", 0., [5.0, 5.1, 50., 50., 50.]),
    ("E", 0., [3.0, 3.0, 50., 50., 50.]),
    ("F", 0., [10.0, 10.0, 50., 50., 50.]),
];

/// Long panel with outcome y = unit effect + year effect + 0.5·D + a fixed wiggle.
fn panel(units: &[UnitDef]) -> Dataset {
    let (mut unit, mut year, mut start, mut x, mut y, mut d) = (vec![], vec![], vec![], vec![], vec![], vec![]);
    for (u, (name, a, xs)) in units.iter().enumerate() {
        for (t, &yr) in YEARS.iter().enumerate() {
            let treated = *a > 0.0 && yr >= *a;
            let k = (u * 5 + t) as f64;
            unit.push(Some(name.to_string()));
            year.push(yr);
            start.push(if *a > 0.0 { *a } else { f64::NAN });
            x.push(xs[t]);
            d.push(if treated { 1.0 } else { 0.0 });
            y.push(u as f64 * 0.7 + t as f64 * 0.3 + if treated { 0.5 } else { 0.0 } + (k * 7.3).sin() * 0.2);
        }
    }
    Dataset::from_columns(vec![
        Column::text("unit", unit),
        Column::numeric("year", year),
        Column::numeric("start", start),
        Column::numeric("x", x),
        Column::numeric("y", y),
        Column::numeric("D", d),
    ])
    .unwrap()
}

const BASE: &str = r#""unit":"unit","time":"year","y":"y","start":"start","covariates":["x"]"#;

/// DID by the engine directly on the given rows with the given weights (None: unweighted).
fn direct_did(ds: &Dataset, rows: &[usize], w: Option<Vec<f64>>) -> (f64, f64) {
    let mut sub = ds.take_rows(rows);
    let mut fs = FeolsSpec::new("y ~ D | unit + year", VcovSpec::Cluster(vec!["unit".into()]));
    if let Some(w) = w {
        sub.add_numeric("w_test", w).unwrap();
        fs.weights = Some("w_test".into());
    }
    let fit = feols(&sub, &fs).unwrap();
    let c = fit.coef("D").unwrap();
    (c.estimate, c.std_error)
}

fn unit_weight(r: &quasi::estimators::psm_did::PsmDidResult, name: &str) -> f64 {
    r.matching.units.iter().find(|u| u.unit == name).map(|u| u.weight).unwrap()
}

#[test]
fn hand_worked_pooled_k1() {
    let ds = panel(&UNITS);
    let r = psm_did(&ds, &spec(&format!("{{{BASE}}}"))).unwrap();
    // Independent route for the scores: logit on the hand-computed pre-treatment means.
    let uds = Dataset::from_columns(vec![
        Column::numeric("t", vec![1., 1., 0., 0., 0., 0.]),
        Column::numeric("x", vec![1.0, 4.5, 0.95, 5.05, 3.0, 10.0]),
    ])
    .unwrap();
    let p = psm(&uds, &PsmSpec { formula: "t ~ x".into(), se: SeKind::None, ..Default::default() }).unwrap();
    for (i, name) in ["A", "B", "C", "D", "E", "F"].iter().enumerate() {
        let u = r.matching.units.iter().find(|u| u.unit == *name).unwrap();
        assert!(close(u.score, p.scores[i], 1e-12), "{name}: {} vs {}", u.score, p.scores[i]);
    }
    // By hand: A (1.0) → C (0.95), B (4.5) → D (5.05); E and F unused.
    for (name, w) in [("A", 1.0), ("B", 1.0), ("C", 1.0), ("D", 1.0), ("E", 0.0), ("F", 0.0)] {
        assert_eq!(unit_weight(&r, name), w, "weight of {name}");
    }
    assert_eq!((r.matching.n_treated_matched, r.matching.n_treated_dropped, r.matching.n_control_used), (2, 0, 2));
    assert_eq!(r.matching.n_rows_matched, 20);
    // Matched DID = DID on the rows of A–D (weights 1), computed by the engine directly.
    let rows: Vec<usize> = (0..20).collect();
    let (b, se) = direct_did(&ds, &rows, Some(vec![1.0; 20]));
    assert!(close(r.matched.estimate, b, 1e-12) && close(r.matched.std_error, se, 1e-12));
    assert_eq!(r.matched.nobs, 20);
    // The full column is the DID on everything.
    let (bf, sef) = direct_did(&ds, &(0..30).collect::<Vec<_>>(), None);
    assert!(close(r.full.estimate, bf, 1e-12) && close(r.full.std_error, sef, 1e-12));
    let main = r.tables().into_iter().find(|t| t.id == "psm_did.main").unwrap();
    let md = quasi::report::render_table(&main, &quasi::report::RenderOptions::default()).unwrap();
    assert!(md.contains("PSM-DID") && md.contains("Full sample"), "{md}");
}

#[test]
fn hand_worked_pooled_k2_weights() {
    let ds = panel(&UNITS);
    let r = psm_did(&ds, &spec(&format!(r#"{{{BASE},"match":{{"k":2}}}}"#))).unwrap();
    // By hand: A's two nearest are C (0.05 away) and E (2.0); B's are D (0.55) and E (1.5).
    // psmatch2 weights: C = D = 1/2, E = 1/2 + 1/2 = 1, F = 0.
    for (name, w) in [("A", 1.0), ("B", 1.0), ("C", 0.5), ("D", 0.5), ("E", 1.0), ("F", 0.0)] {
        assert!(close(unit_weight(&r, name), w, 1e-12), "weight of {name}: {}", unit_weight(&r, name));
    }
    // Every row of a unit carries the unit's weight.
    let wu = [1.0, 1.0, 0.5, 0.5, 1.0, 0.0];
    for (i, w) in r.matching.row_weights.iter().enumerate() {
        assert!(close(*w, wu[i / 5], 1e-12));
    }
    let rows: Vec<usize> = (0..25).collect();
    let w: Vec<f64> = rows.iter().map(|&i| wu[i / 5]).collect();
    let (b, se) = direct_did(&ds, &rows, Some(w));
    assert!(close(r.matched.estimate, b, 1e-12), "{} vs {b}", r.matched.estimate);
    assert!(close(r.matched.std_error, se, 1e-12));
    // Unweighted "common support" sample: the same rows, no weights.
    let r2 = psm_did(&ds, &spec(&format!(r#"{{{BASE},"match":{{"k":2}},"sample":"common_support"}}"#))).unwrap();
    let (b2, se2) = direct_did(&ds, &rows, None);
    assert!(close(r2.matched.estimate, b2, 1e-12) && close(r2.matched.std_error, se2, 1e-12));
    assert!((r2.matched.estimate - r.matched.estimate).abs() > 1e-6, "weights must matter here");
}

#[test]
fn first_year_baseline_uses_first_period() {
    // First-year values: A 0.5, B 4.0, C 0.9, D 5.0, E 3.0, F 10.0 → A→C, B→D still.
    let ds = panel(&UNITS);
    let r = psm_did(&ds, &spec(&format!(r#"{{{BASE},"baseline":"first_year"}}"#))).unwrap();
    let uds = Dataset::from_columns(vec![
        Column::numeric("t", vec![1., 1., 0., 0., 0., 0.]),
        Column::numeric("x", vec![0.5, 4.0, 0.9, 5.0, 3.0, 10.0]),
    ])
    .unwrap();
    let p = psm(&uds, &PsmSpec { formula: "t ~ x".into(), se: SeKind::None, ..Default::default() }).unwrap();
    for (i, u) in r.matching.units.iter().enumerate() {
        assert!(close(u.score, p.scores[i], 1e-12));
    }
}

#[test]
fn full_matching_with_unit_weights_equals_full_sample_did() {
    // Three treated, three controls, 1:1 without replacement: every control is used once,
    // every weight is 1 and nothing is dropped, so PSM-DID = the full-sample DID.
    let units: [UnitDef; 6] = [
        ("A", 2003., [1.0, 1.0, 9., 9., 9.]),
        ("B", 2004., [3.0, 3.0, 3.0, 9., 9.]),
        ("C", 2003., [5.0, 5.0, 9., 9., 9.]),
        ("D", 0., [2.0, 2.0, 9., 9., 9.]),
        ("E", 0., [4.0, 4.0, 9., 9., 9.]),
        ("F", 0., [6.0, 6.0, 9., 9., 9.]),
    ];
    let ds = panel(&units);
    for sample in ["weights", "common_support"] {
        let r = psm_did(&ds, &spec(&format!(r#"{{{BASE},"match":{{"replace":false}},"sample":"{sample}"}}"#))).unwrap();
        assert!(r.matching.row_weights.iter().all(|&w| w == 1.0));
        assert_eq!((r.matching.n_treated_dropped, r.matching.n_control_used), (0, 3));
        assert!(close(r.matched.estimate, r.full.estimate, 1e-12), "{} vs {}", r.matched.estimate, r.full.estimate);
        assert!(close(r.matched.std_error, r.full.std_error, 1e-12));
        assert_eq!(r.matched.nobs, r.full.nobs);
    }
}

fn jjj_spec(extra: &str) -> PsmDidSpec {
    spec(&format!(
        r#"{{"unit":"city","time":"year","y":"lnHDQ","start":"ftz_year","covariates":["pgdp","fdi","urba"]{extra}}}"#
    ))
}

#[test]
fn jjj_pooled_full_column_matches_pyfixest_and_matched_column_is_the_weighted_did() {
    let ds = jjj();
    let r = psm_did(&ds, &jjj_spec("")).unwrap();
    let v: serde_json::Value = serde_json::from_str(JJJ_DID).unwrap();
    let c = &v["cases"]["twfe_plain_cluster"]["coefficients"]["FTZ"];
    assert!(close(r.full.estimate, c["estimate"].as_f64().unwrap(), 1e-6));
    assert!(close(r.full.std_error, c["std_error"].as_f64().unwrap(), 1e-4));
    assert_eq!((r.matching.n_treated, r.matching.n_control, r.matching.n_treated_matched), (6, 7, 6));
    assert!(r.matching.balance.is_some() && r.matching.propensity.is_some());
    // Independent route: the engine on the positive-weight rows with those weights.
    let rows: Vec<usize> = (0..ds.nrows()).filter(|&i| r.matching.row_weights[i] > 0.0).collect();
    let mut sub = ds.take_rows(&rows);
    sub.add_numeric("w_test", rows.iter().map(|&i| r.matching.row_weights[i]).collect()).unwrap();
    sub.add_numeric("DID_t", {
        let a = sub.numeric("ftz_year").unwrap().to_vec();
        let t = sub.numeric("year").unwrap();
        a.iter().zip(t).map(|(a, t)| if a.is_finite() && a > &0.0 && t >= a { 1.0 } else { 0.0 }).collect()
    })
    .unwrap();
    let mut fs = FeolsSpec::new("lnHDQ ~ DID_t | city + year", VcovSpec::Cluster(vec!["city".into()]));
    fs.weights = Some("w_test".into());
    let fit = feols(&sub, &fs).unwrap();
    let cf = fit.coef("DID_t").unwrap();
    assert!(close(r.matched.estimate, cf.estimate, 1e-12));
    assert!(close(r.matched.std_error, cf.std_error, 1e-12));
    // Every row of a unit carries the same weight; controls' weights are the number of treated they serve.
    let total_control_weight: f64 = r.matching.units.iter().filter(|u| !u.treated).map(|u| u.weight).sum();
    assert!(close(total_control_weight, 6.0, 1e-12));
}

#[test]
fn jjj_by_year_counts_add_up() {
    let ds = jjj();
    let r = psm_did(&ds, &jjj_spec(r#","by_year":true"#)).unwrap();
    let m = &r.matching;
    assert!(m.by_year && m.count_unit == "unit-periods");
    assert_eq!(m.per_year.len(), 10);
    let sum = |f: fn(&quasi::estimators::psm_did::YearMatch) -> usize| m.per_year.iter().map(f).sum::<usize>();
    assert_eq!(sum(|y| y.n_treated), m.n_treated);
    assert_eq!(sum(|y| y.n_control), m.n_control);
    assert_eq!(sum(|y| y.n_matched), m.n_treated_matched);
    assert_eq!(sum(|y| y.n_dropped), m.n_treated_dropped);
    assert_eq!(sum(|y| y.n_control_used), m.n_control_used);
    assert_eq!(m.n_treated_matched + m.n_treated_dropped, m.n_treated);
    assert_eq!((m.n_treated, m.n_control), (60, 70));
    for y in &m.per_year {
        assert_eq!((y.n_treated, y.n_control), (6, 7));
        assert_eq!(y.n_matched + y.n_dropped, y.n_treated);
    }
    let positive = m.row_weights.iter().filter(|&&w| w > 0.0).count();
    assert_eq!(positive, m.n_treated_matched + m.n_control_used);
    assert_eq!(positive, m.n_rows_matched);
    assert_eq!(r.matched.nobs, positive);
    // Within a year, control weights sum to the number of matched treated rows (psmatch2 weights).
    let year = ds.numeric("year").unwrap();
    let a = ds.numeric("ftz_year").unwrap();
    for y in &m.per_year {
        let wc: f64 = (0..ds.nrows())
            .filter(|&i| year[i] == y.year && !(a[i].is_finite() && a[i] > 0.0))
            .map(|i| m.row_weights[i])
            .sum();
        assert!(close(wc, y.n_matched as f64, 1e-12), "{}: {wc}", y.year);
    }
}

#[test]
fn errors_on_covariates() {
    let ds = jjj();
    let e = psm_did(&ds, &spec(r#"{"unit":"city","time":"year","y":"lnHDQ","start":"ftz_year"}"#)).unwrap_err();
    assert!(e.to_string().contains("covariate"), "{e}");
    let with = |c: &str| {
        spec(&format!(r#"{{"unit":"city","time":"year","y":"lnHDQ","start":"ftz_year","covariates":{c}}}"#))
    };
    let e = psm_did(&ds, &with(r#"["pgdp","nope"]"#)).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::UnknownColumn { .. }), "{e}");
    let e = psm_did(&ds, &with(r#"["province"]"#)).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NonNumeric { .. }), "{e}");
}

#[test]
fn unit_treated_in_first_period_is_excluded_with_a_diagnostic() {
    let mut units = UNITS.to_vec();
    units.push(("G", 2001., [1.0, 1.0, 1.0, 1.0, 1.0]));
    let ds = panel(&units);
    let r = psm_did(&ds, &spec(&format!("{{{BASE}}}"))).unwrap();
    assert!(r.diagnostics.iter().any(|d| d.message.contains("without a pre-treatment period") && d.message.contains('G')), "{:?}", r.diagnostics);
    assert!(r.matching.units.iter().all(|u| u.unit != "G"));
    assert!(r.matching.row_weights[30..35].iter().all(|&w| w == 0.0));
    assert_eq!(r.matching.n_units_excluded, 1);
    // The rest is as without G.
    let r0 = psm_did(&panel(&UNITS), &spec(&format!("{{{BASE}}}"))).unwrap();
    assert!(close(r.matched.estimate, r0.matched.estimate, 1e-12));
    // Only always-treated treated units: the design already refuses (no pre-period anywhere).
    let only: Vec<UnitDef> = vec![("G", 2001., [1.0; 5]), ("C", 0., [0.9, 1.0, 50., 50., 50.])];
    let e = psm_did(&panel(&only), &spec(&format!("{{{BASE}}}"))).unwrap_err();
    assert!(e.to_string().contains("both before and after"), "{e}");
}

#[test]
fn caliper_dropping_every_treated_unit_is_a_clear_error() {
    let ds = panel(&UNITS);
    let e = psm_did(&ds, &spec(&format!(r#"{{{BASE},"match":{{"caliper":1e-9,"caliper_scale":"absolute"}}}}"#))).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("all 2 were dropped") && msg.contains("caliper"), "{msg}");
    let e = psm_did(&ds, &spec(&format!(r#"{{{BASE},"by_year":true,"match":{{"caliper":1e-9,"caliper_scale":"absolute"}}}}"#)))
        .unwrap_err();
    assert!(e.to_string().contains("no treated row"), "{e}");
}

#[test]
fn row_order_does_not_matter() {
    let ds = jjj();
    let r = psm_did(&ds, &jjj_spec("")).unwrap();
    let rev: Vec<usize> = (0..ds.nrows()).rev().collect();
    let r2 = psm_did(&ds.take_rows(&rev), &jjj_spec("")).unwrap();
    assert!(close(r.matched.estimate, r2.matched.estimate, 1e-10));
    assert!(close(r.matched.std_error, r2.matched.std_error, 1e-8));
}

/// caliper is then absolute on the score.
#[test]
fn psmatch2_preset_in_the_match_block() {
    let ds = panel(&UNITS);
    let r = psm_did(&ds, &spec(&format!(r#"{{{BASE},"match":{{"preset":"psmatch2","caliper":0.3}}}}"#))).unwrap();
    assert_eq!(r.matching.caliper_abs, Some(0.3));
}

/// match C2 instead), and A matches C3.
#[test]
fn trending_covariate_uses_one_common_pre_window() {
    let tr = |a: f64| [a, a + 1.0, a + 2.0, a + 3.0, a + 4.0];
    let units: [UnitDef; 7] = [
        ("A", 2003., tr(0.0)),
        ("L", 2005., tr(3.0)),
        ("C1", 0., tr(3.0)),
        ("C2", 0., tr(4.0)),
        ("C3", 0., tr(0.1)),
        ("C4", 0., tr(8.0)),
        ("C5", 0., tr(-3.0)),
    ];
    let ds = panel(&units);
    let r = psm_did(&ds, &spec(&format!("{{{BASE}}}"))).unwrap();
    for (name, w) in [("A", 1.0), ("L", 1.0), ("C1", 1.0), ("C2", 0.0), ("C3", 1.0), ("C4", 0.0), ("C5", 0.0)] {
        assert_eq!(unit_weight(&r, name), w, "weight of {name}");
    }
    // the scores are the logit on the common-window means
    let uds = Dataset::from_columns(vec![
        Column::numeric("t", vec![1., 1., 0., 0., 0., 0., 0.]),
        Column::numeric("x", vec![0.5, 3.5, 3.5, 4.5, 0.6, 8.5, -2.5]),
    ])
    .unwrap();
    let p = psm(&uds, &PsmSpec { formula: "t ~ x".into(), se: SeKind::None, ..Default::default() }).unwrap();
    for (i, name) in ["A", "L", "C1", "C2", "C3", "C4", "C5"].iter().enumerate() {
        let u = r.matching.units.iter().find(|u| u.unit == *name).unwrap();
        assert!(close(u.score, p.scores[i], 1e-12), "{name}: {} vs {}", u.score, p.scores[i]);
    }
    assert!(r.diagnostics.iter().any(|d| d.message.contains("before 2003")), "{:?}", r.diagnostics);
}
