//! Golden tests of propensity score matching against R Matching 4.10.8
//! (tests/fixtures/lalonde_psm.json), plus properties and error cases.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::estimators::psm::{
    MatchOptions,
    compare_methods, density_svg, psm, CaliperScale, Estimand, Kernel, Link, MatchOn, Method, PsmSpec, SeKind,
};
use quasi::data::read_bytes;
use quasi::report::{render_table, RenderOptions, Tables};
use quasi::{Column, Dataset, ErrorKind};
use serde_json::Value;

const CSV: &[u8] = include_bytes!("fixtures/lalonde.csv");
const EXPECTED: &str = include_str!("fixtures/lalonde_psm.json");
const FORMULA: &str = "treat ~ age + educ + race + married + nodegree + re74 + re75";

fn lalonde() -> Dataset {
    read_bytes(CSV, &Default::default()).expect("fixture loads").dataset
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
        matching: MatchOptions {
            k: case["M"].as_u64().unwrap() as usize,
            match_on: if on_logit { MatchOn::Logit } else { MatchOn::Score },
            caliper: if cal > 0.0 { Some(cal) } else { None },
            ..base().matching
        },
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

#[test]
fn row_order_does_not_change_results() {
    let ds = lalonde();
    let n = ds.nrows();
    // a fixed scrambling permutation (multiplicative step coprime with n = 614)
    let perm: Vec<usize> = (0..n).map(|i| (i * 367 + 11) % n).collect();
    let mut sorted = perm.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..n).collect::<Vec<_>>());
    let shuffled = ds.take_rows(&perm);
    let e = expected();
    for (_, case) in e["cases"].as_object().unwrap() {
        let s = case_spec(case);
        let a = psm(&ds, &s).unwrap();
        let b = psm(&shuffled, &s).unwrap();
        assert!(rel(a.att, b.att) < 1e-9, "{} vs {}", a.att, b.att);
        assert!(rel(a.std_error, b.std_error) < 1e-9);
        assert_eq!(
            (a.n_treated_matched, a.n_treated_dropped, a.n_control_used),
            (b.n_treated_matched, b.n_treated_dropped, b.n_control_used)
        );
        // the matched sample maps back to the same original rows with the same weights
        let mut wa: Vec<(usize, f64)> = a.matched.rows.iter().copied().zip(a.matched.weights.iter().copied()).collect();
        let mut wb: Vec<(usize, f64)> =
            b.matched.rows.iter().map(|&r| perm[r]).zip(b.matched.weights.iter().copied()).collect();
        wa.sort_by_key(|x| x.0);
        wb.sort_by_key(|x| x.0);
        assert_eq!(wa.len(), wb.len());
        for (x, y) in wa.iter().zip(&wb) {
            assert_eq!(x.0, y.0);
            assert!((x.1 - y.1).abs() < 1e-12);
        }
    }
}

/// Treated and controls share exact covariate values, so every treated unit's
/// nearest controls are those with the same x (score distance 0), and two
/// controls at x = 2 tie and share the weight. By hand:
///   treated x=1 (y=10) ↔ control x=1 (y=4):             τ = 6
///   treated x=2 (y=9)  ↔ controls x=2 (y=3, y=5), ½ each: τ = 9 − 4 = 5
///   treated x=3 (y=12) ↔ control x=3 (y=6):             τ = 6
/// ATT = 17/3; controls used = 4; weights: control x=2 rows ½ each.
#[test]
fn tied_controls_share_the_weight() {
    let ds = Dataset::from_columns(vec![
        Column::numeric("t", vec![1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        Column::numeric("x", vec![1.0, 2.0, 3.0, 1.0, 2.0, 2.0, 3.0, 0.0, 4.0, 0.5]),
        Column::numeric("y", vec![10.0, 9.0, 12.0, 4.0, 3.0, 5.0, 6.0, 0.0, 7.0, 1.0]),
    ])
    .unwrap();
    let spec = PsmSpec { formula: "t ~ x".into(), outcome: Some("y".into()), ..PsmSpec::default() };
    let r = psm(&ds, &spec).unwrap();
    assert!((r.att - 17.0 / 3.0).abs() < 1e-12, "{}", r.att);
    assert_eq!((r.n_treated_matched, r.n_treated_dropped, r.n_control_used), (3, 0, 4));
    let w: Vec<(usize, f64)> = r.matched.rows.iter().copied().zip(r.matched.weights.iter().copied()).collect();
    assert_eq!(w, vec![(0, 1.0), (1, 1.0), (2, 1.0), (3, 1.0), (4, 0.5), (5, 0.5), (6, 1.0)]);
    // ties broken: exactly one of rows 4, 5 gets weight 1
    let r = psm(&ds, &PsmSpec { matching: MatchOptions { ties: false, ..spec.clone().matching }, ..spec.clone() }).unwrap();
    assert_eq!(r.n_control_used, 3);
    let w4 = r.matched.rows.iter().position(|&x| x == 4).map(|i| r.matched.weights[i]).unwrap_or(0.0);
    let w5 = r.matched.rows.iter().position(|&x| x == 5).map(|i| r.matched.weights[i]).unwrap_or(0.0);
    assert_eq!(w4 + w5, 1.0);
    assert!(w4 == 0.0 || w5 == 0.0);
    assert!(r.att == 6.0 || r.att == 16.0 / 3.0, "{}", r.att);
}

#[test]
fn without_replacement_uses_each_control_once() {
    let ds = lalonde();
    for order in ["descending", "ascending", "random"] {
        let spec: PsmSpec = serde_json::from_value(serde_json::json!({
            "formula": FORMULA, "outcome": "re78", "replace": false, "order": order, "se": "none"
        }))
        .unwrap();
        let r = psm(&ds, &spec).unwrap();
        assert_eq!(r.n_treated_matched, 185);
        assert_eq!(r.n_control_used, 185);
        assert!(r.matched.weights.iter().all(|&w| w == 1.0));
        let mut m = r.matched.pair_match.clone();
        m.sort_unstable();
        m.dedup();
        assert_eq!(m.len(), 185, "a control was used twice ({order})");
        // ATT = mean of pair differences
        let y = ds.numeric("re78").unwrap();
        let att: f64 = r.matched.pair_focal.iter().zip(&r.matched.pair_match).map(|(&t, &c)| y[t] - y[c]).sum::<f64>() / 185.0;
        assert!(rel(r.att, att) < 1e-12);
    }
}

#[test]
fn atc_and_ate_are_consistent_with_att() {
    let ds = lalonde();
    // flip treatment: ATC on the data = −ATT on the flipped data
    let t = ds.numeric("treat").unwrap().to_vec();
    let mut flipped = ds.clone();
    flipped.add_numeric("treat", t.iter().map(|v| 1.0 - v).collect()).unwrap();
    let atc = psm(&ds, &PsmSpec { estimand: Estimand::Atc, ..base() }).unwrap();
    let att_f = psm(&flipped, &base()).unwrap();
    assert!(rel(atc.att, -att_f.att) < 1e-9, "{} vs {}", atc.att, att_f.att);
    assert!(rel(atc.std_error, att_f.std_error) < 1e-9);
    assert_eq!(atc.n_treated_matched, 429);
    // ATE (no caliper) = (n_t ATT + n_c ATC) / n
    let att = psm(&ds, &base()).unwrap();
    let ate = psm(&ds, &PsmSpec { estimand: Estimand::Ate, ..base() }).unwrap();
    let want = (185.0 * att.att + 429.0 * atc.att) / 614.0;
    assert!(rel(ate.att, want) < 1e-9, "{} vs {want}", ate.att);
    assert!(ate.std_error.is_finite() && ate.std_error > 0.0);
}

#[test]
fn balance_follows_pstest_definitions() {
    let ds = lalonde();
    let r = psm(&ds, &base()).unwrap();
    let t = ds.numeric("treat").unwrap();
    let age = ds.numeric("age").unwrap();
    let stats = |w: &dyn Fn(usize) -> f64, g: f64| {
        let sw: f64 = (0..t.len()).filter(|&i| t[i] == g).map(w).sum();
        let m = (0..t.len()).filter(|&i| t[i] == g).map(|i| w(i) * age[i]).sum::<f64>() / sw;
        let v = (0..t.len()).filter(|&i| t[i] == g).map(|i| w(i) * (age[i] - m).powi(2)).sum::<f64>() / (sw - 1.0);
        (m, v)
    };
    let (m1, v1) = stats(&|_| 1.0, 1.0);
    let (m0, v0) = stats(&|_| 1.0, 0.0);
    let mut wv = vec![0.0; t.len()];
    for (&row, &w) in r.matched.rows.iter().zip(&r.matched.weights) {
        wv[row] = w;
    }
    let (a1, _) = stats(&|i| wv[i], 1.0);
    let (a0, va0) = stats(&|i| wv[i], 0.0);
    let row = r.balance.rows.iter().find(|b| b.variable == "age").unwrap();
    let denom = ((v1 + v0) / 2.0).sqrt();
    assert!(rel(row.mean_treated_before, m1) < 1e-12);
    assert!(rel(row.mean_control_before, m0) < 1e-12);
    assert!(rel(row.mean_treated_after, a1) < 1e-12); // all treated matched
    assert!(rel(row.mean_control_after, a0) < 1e-12);
    assert!(rel(row.bias_before, 100.0 * (m1 - m0) / denom) < 1e-12);
    assert!(rel(row.bias_after, 100.0 * (a1 - a0) / denom) < 1e-12);
    assert!(rel(row.var_ratio_before, v1 / v0) < 1e-12);
    assert!(rel(row.var_ratio_after, v1 / va0) < 1e-12);
    // controls' matching weights sum to the number of treated
    let sw: f64 = r.matched.rows.iter().zip(&r.matched.weights).filter(|(&i, _)| t[i] == 0.0).map(|(_, w)| w).sum();
    assert!((sw - 185.0).abs() < 1e-9);
    // dummies: no variance ratio; categorical levels expanded
    let names: Vec<&str> = r.balance.rows.iter().map(|b| b.variable.as_str()).collect();
    assert_eq!(names, ["age", "educ", "racehispan", "racewhite", "married", "nodegree", "re74", "re75"]);
    assert!(r.balance.rows[2].var_ratio_before.is_nan());
    // matching improves overall balance on lalonde
    let o = &r.balance.overall;
    assert!(o.mean_bias_after < o.mean_bias_before);
    assert!(o.pseudo_r2_after < o.pseudo_r2_before && o.pseudo_r2_before > 0.0);
    assert!(o.rubin_b_before > 25.0);
    // the balance tables, rendered by the one renderer
    let tables = r.tables();
    let bal = tables.iter().find(|t| t.id == "psm.balance").unwrap();
    assert_eq!(bal.columns.len(), 9);
    assert_eq!(bal.rows.len(), 16);
    let csv = render_table(bal, &RenderOptions { format: "csv".into(), ..RenderOptions::default() }).unwrap();
    assert!(csv.starts_with("Variable,Sample,Mean treated,Mean control,"), "{csv}");
    let md = render_table(bal, &RenderOptions::default()).unwrap();
    assert!(md.contains("| racewhite | U |"), "{md}");
    let overall = tables.iter().find(|t| t.id == "psm.balance_overall").unwrap();
    assert_eq!(overall.rows.len(), 2);
}

#[test]
fn density_and_svg() {
    let r = psm(&lalonde(), &base()).unwrap();
    assert_eq!(r.density.curves.len(), 4);
    for c in &r.density.curves {
        assert_eq!(c.x.len(), c.y.len());
        let area: f64 = c.y.iter().sum::<f64>() * (c.x[1] - c.x[0]);
        assert!((area - 1.0).abs() < 0.05, "{} {}: {area}", c.group, c.stage);
    }
    let tables = r.tables();
    let md: String = tables.iter().map(|t| render_table(t, &RenderOptions::default()).unwrap()).collect();
    assert!(md.contains("| ATT | 1933.392 |") && md.contains("| racewhite | -3.065368 |"), "{md}");
    let svg = density_svg(&r.density, "Lalonde <PSM>");
    assert!(svg.starts_with("<svg") && svg.contains("Lalonde &lt;PSM&gt;"));
}

#[test]
fn radius_kernel_and_comparison() {
    let ds = lalonde();
    let radius = PsmSpec { se: SeKind::Bootstrap, bootstrap_reps: 30, matching: MatchOptions { method: Method::Radius, caliper: Some(0.01), caliper_scale: CaliperScale::Absolute, ..base().matching }, ..base() };
    let r = psm(&ds, &radius).unwrap();
    assert_eq!(r.se_kind, SeKind::Bootstrap);
    assert!(r.std_error.is_finite() && r.std_error > 0.0);
    // same seed → same bootstrap SE
    assert_eq!(r.std_error, psm(&ds, &radius).unwrap().std_error);
    let kern = PsmSpec { se: SeKind::None, matching: MatchOptions { method: Method::Kernel, kernel: Kernel::Gaussian, ..base().matching }, ..base() };
    let k = psm(&ds, &kern).unwrap();
    assert_eq!(k.bandwidth, Some(0.06));
    assert!(k.att.is_finite() && k.std_error.is_nan());
    // kernel weights of the controls sum to the number of matched treated
    let t = ds.numeric("treat").unwrap();
    let sw: f64 = k.matched.rows.iter().zip(&k.matched.weights).filter(|(&i, _)| t[i] == 0.0).map(|(_, w)| w).sum();
    assert!((sw - k.n_treated_matched as f64).abs() < 1e-9);
    // "ai" for kernel falls back to the bootstrap, with a diagnostic
    let kb = psm(&ds, &PsmSpec { se: SeKind::Ai, bootstrap_reps: 10, ..kern.clone() }).unwrap();
    assert_eq!(kb.se_kind, SeKind::Bootstrap);
    assert!(kb.diagnostics.iter().any(|d| d.message.contains("bootstrap")));
    // the three families side by side
    let knn = PsmSpec { matching: MatchOptions { k: 4, ..base().matching }, ..base() };
    let cal = PsmSpec { matching: MatchOptions { caliper: Some(0.1), ..base().matching }, ..base() };
    let cal_knn = PsmSpec { matching: MatchOptions { k: 4, caliper: Some(0.1), ..base().matching }, ..base() };
    let table = compare_methods(&ds, &knn, &[cal, cal_knn]).unwrap();
    assert_eq!(table.rows.len(), 3);
    assert_eq!(table.rows[0].label, "nearest k=4");
    assert_eq!(table.rows[2].label, "nearest k=4, caliper 0.1 SD");
    let t = &table.tables()[0];
    let csv = render_table(t, &RenderOptions { format: "csv".into(), ..RenderOptions::default() }).unwrap();
    assert_eq!(csv.lines().filter(|l| !l.is_empty()).count(), 4, "{csv}");
    assert!(render_table(t, &RenderOptions::default()).unwrap().contains("| Controls used |"));
    let e = expected();
    assert!(rel(table.rows[1].estimate, e["cases"]["nn1_ps_caliper"]["att"].as_f64().unwrap()) < 1e-6);
}

#[test]
fn probit_model_runs() {
    let r = psm(&lalonde(), &PsmSpec { matching: MatchOptions { model: Link::Probit, ..base().matching }, ..base() }).unwrap();
    assert_eq!(r.propensity.link, Link::Probit);
    assert!(r.propensity.loglik > r.propensity.loglik_null && r.propensity.pseudo_r2 > 0.0);
    // probit and logit scores are close on these data
    let l = psm(&lalonde(), &base()).unwrap();
    let maxdiff = r.scores.iter().zip(&l.scores).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(maxdiff < 0.1, "{maxdiff}");
}

#[test]
fn missing_rows_are_dropped_and_reported() {
    let ds = lalonde();
    let mut age = ds.numeric("age").unwrap().to_vec();
    age[3] = f64::NAN;
    let mut ds2 = ds.clone();
    ds2.add_numeric("age", age).unwrap();
    let r = psm(&ds2, &base()).unwrap();
    assert!(r.scores[3].is_nan() && r.scores[2].is_finite());
    assert_eq!(r.n_treated, 184);
    assert!(r.diagnostics.iter().any(|d| d.message.starts_with("1 of 614 rows dropped")));
}

fn err_msg(ds: &Dataset, spec: &PsmSpec) -> (ErrorKind, String) {
    match psm(ds, spec) {
        Ok(r) => panic!("expected an error, got a result with estimate {}", r.att),
        Err(e) => (e.kind().clone(), e.to_string()),
    }
}

#[test]
fn clear_errors() {
    let ds = lalonde();
    // treatment not 0/1
    let mut t = ds.numeric("treat").unwrap().to_vec();
    t[0] = 2.0;
    t[5] = -1.0;
    let mut bad = ds.clone();
    bad.add_numeric("treat", t).unwrap();
    let (_, m) = err_msg(&bad, &base());
    assert!(m.contains("0 (control) or 1 (treated)") && m.contains("-1, 2"), "{m}");
    // no treated / no controls
    let mut none = ds.clone();
    none.add_numeric("treat", vec![0.0; 614]).unwrap();
    let (k, m) = err_msg(&none, &base());
    assert!(matches!(k, ErrorKind::InsufficientData { .. }) && m.contains("no treated"), "{m}");
    none.add_numeric("treat", vec![1.0; 614]).unwrap();
    let (_, m) = err_msg(&none, &base());
    assert!(m.contains("no control"), "{m}");
    // unknown covariate
    let (k, _) = err_msg(&ds, &PsmSpec { formula: "treat ~ age + edu".into(), ..base() });
    assert!(matches!(k, ErrorKind::UnknownColumn { ref name, .. } if name == "edu"));
    // a caliper that excludes everyone: error saying how many were dropped
    let small = Dataset::from_columns(vec![
        Column::numeric("t", vec![1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        Column::numeric("x", vec![1.0, 3.0, 5.0, 7.0, 0.0, 2.0, 4.0, 6.0, 8.0, 9.0]),
        Column::numeric("y", vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]),
    ])
    .unwrap();
    let tiny = PsmSpec { formula: "t ~ x".into(), outcome: Some("y".into()), matching: MatchOptions { caliper: Some(1e-6), ..PsmSpec::default().matching }, ..PsmSpec::default() };
    let (k, m) = err_msg(&small, &tiny);
    assert!(matches!(k, ErrorKind::InsufficientData { .. }), "{m}");
    assert!(m.contains("all 4 were dropped") && m.contains("caliper 1e-6 SD"), "{m}");
    // a caliper that excludes some: a diagnostic with the count
    let r = psm(&ds, &PsmSpec { matching: MatchOptions { caliper: Some(0.1), ..base().matching }, ..base() }).unwrap();
    assert!(r.diagnostics.iter().any(|d| d.message.starts_with("2 of 185 treated units dropped")), "{:?}", r.diagnostics);
    // separation: a covariate that perfectly predicts treatment
    let mut sep = ds.clone();
    sep.add_numeric("score_hint", t_plus(&ds)).unwrap();
    let (k, m) = err_msg(&sep, &PsmSpec { formula: "treat ~ age + score_hint".into(), ..base() });
    assert!(matches!(k, ErrorKind::Numerical { .. }), "{m}");
    assert!(m.contains("`score_hint`") && m.contains("separation"), "{m}");
    // a dummy whose value 1 occurs only among the treated (quasi-complete separation)
    let tr = ds.numeric("treat").unwrap();
    let d: Vec<f64> = (0..614).map(|i| if tr[i] == 1.0 && i % 7 == 0 { 1.0 } else { 0.0 }).collect();
    let mut q = ds.clone();
    q.add_numeric("pilot", d).unwrap();
    let (_, m) = err_msg(&q, &PsmSpec { formula: "treat ~ age + pilot".into(), ..base() });
    assert!(m.contains("`pilot`") && m.contains("quasi-complete"), "{m}");
    // a covariate with no variation
    let mut c = ds.clone();
    c.add_numeric("one", vec![1.0; 614]).unwrap();
    let (_, m) = err_msg(&c, &PsmSpec { formula: "treat ~ age + one".into(), ..base() });
    assert!(m.contains("`one` has no variation"), "{m}");
    // bad options
    let (_, m) = err_msg(&ds, &PsmSpec { matching: MatchOptions { method: Method::Radius, ..base().matching }, ..base() });
    assert!(m.contains("radius matching needs a caliper"), "{m}");
    let (_, m) = err_msg(&ds, &PsmSpec { matching: MatchOptions { k: 0, ..base().matching }, ..base() });
    assert!(m.contains("k"), "{m}");
    // (`age * educ` was a formula error under PSM's former private parser; it is
    // valid fixest syntax now — see `formula_terms_as_in_feols`.)
    let (_, m) = err_msg(&ds, &PsmSpec { formula: "treat ~ age + * educ".into(), ..base() });
    assert!(m.contains("formula error"), "{m}");
    let (_, m) = err_msg(&ds, &PsmSpec { formula: "treat ~ age | race".into(), ..base() });
    assert!(m.contains("formula error") && m.contains("no fixed-effect part"), "{m}");
}

/// The shared fixest parser: transforms, `i()`, interactions. The design is the
/// one feols builds (same names); `i(race)` has no reference level, so its last
/// level is removed as collinear with the intercept, as feols removes it.
#[test]
fn formula_terms_as_in_feols() {
    use quasi::estimators::feols::{feols, FeolsSpec, VcovSpec};
    let ds = lalonde();
    let f = "treat ~ age + educ + I(age^2) + log(re74 + 1) + i(race) + age:educ";
    let r = psm(&ds, &PsmSpec { formula: f.into(), ..base() }).unwrap();
    let ours: Vec<&str> = r.propensity.coefficients.iter().map(|c| c.term.as_str()).collect();
    let lpm = feols(&ds, &FeolsSpec::new(f, VcovSpec::Iid)).unwrap();
    let theirs: Vec<&str> = lpm.coefficients.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(ours[1..], theirs[1..], "terms after the intercept");
    assert!(ours.contains(&"race::black") && !ours.contains(&"race::white"), "{ours:?}");
    assert!(r.diagnostics.iter().any(|d| d.message.contains("`race::white` removed")), "{:?}", r.diagnostics);
    // a bare text column and factor() give the same fit (reference = first sorted level)
    let a = psm(&ds, &base()).unwrap();
    let b = psm(&ds, &PsmSpec { formula: FORMULA.replace("race", "factor(race)"), ..base() }).unwrap();
    assert_eq!(a.estimate, b.estimate);
    assert_eq!(b.propensity.coefficients[3].term, "factor(race)hispan");
    assert_eq!(a.propensity.coefficients[3].term, "racehispan");
}

fn t_plus(ds: &Dataset) -> Vec<f64> {
    // treated: 10 + age/100, controls: −age/100 → no overlap
    let t = ds.numeric("treat").unwrap();
    let a = ds.numeric("age").unwrap();
    t.iter().zip(a).map(|(&t, &a)| if t == 1.0 { 10.0 + a / 100.0 } else { -a / 100.0 }).collect()
}

/// 100,000 rows: the whole pipeline (logit, 1:1 NN with replacement and ties,
/// AI SE, balance, densities) and the greedy pass without replacement stay fast.
/// Native only (`Instant` is unavailable on wasm32-unknown-unknown).
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn hundred_thousand_rows() {
    let n = 100_000;
    // deterministic pseudo-random covariates (LCG), treatment from a logit in them
    let mut state: u64 = 12345;
    let mut u = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 11) as f64) / ((1u64 << 53) as f64)
    };
    let (mut t, mut x1, mut x2, mut y) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        let a = u() * 4.0 - 2.0;
        let b = u();
        let p = 1.0 / (1.0 + (-(-1.0 + 0.8 * a - 0.5 * b)).exp());
        let ti = if u() < p { 1.0 } else { 0.0 };
        t.push(ti);
        x1.push(a);
        x2.push(b);
        y.push(1.0 + 2.0 * ti + a + u());
    }
    let ds = Dataset::from_columns(vec![
        Column::numeric("t", t),
        Column::numeric("x1", x1),
        Column::numeric("x2", x2),
        Column::numeric("y", y),
    ])
    .unwrap();
    let spec = PsmSpec { formula: "t ~ x1 + x2".into(), outcome: Some("y".into()), ..PsmSpec::default() };
    let start = std::time::Instant::now();
    let r = psm(&ds, &spec).unwrap();
    let t1 = start.elapsed();
    assert!((r.att - 2.0).abs() < 0.1, "{}", r.att);
    assert!(r.std_error > 0.0 && r.std_error < 0.1);
    let start = std::time::Instant::now();
    let g = psm(&ds, &PsmSpec { se: SeKind::None, matching: MatchOptions { replace: false, caliper: Some(0.05), ..spec.clone().matching }, ..spec.clone() }).unwrap();
    let t2 = start.elapsed();
    assert!(g.n_control_used == g.n_treated_matched);
    println!("100k rows: with replacement + AI SE {t1:?}, greedy without replacement {t2:?}");
    // generous bound for unoptimised test builds on a shared machine
    assert!(t1.as_secs_f64() < 20.0 && t2.as_secs_f64() < 20.0);
}

/// A literal, brute-force transcription of R Matching's `RmatchLoop` +
/// `MatchLoopCfast` + `EstFuncC` (no caliper, Var.calc = 0) for All = 0 (ATT),
/// 1 (ATE) and 2 (ATC), O(n²). Returns (estimate, se).
fn matching_brute_force(score: &[f64], tr: &[f64], y: &[f64], m: usize, all: u8) -> (f64, f64) {
    let n = score.len();
    let tr: Vec<f64> = if all == 2 { tr.iter().map(|t| 1.0 - t).collect() } else { tr.to_vec() };
    let nf = n as f64;
    let mu = score.iter().sum::<f64>() / nf;
    let ss: f64 = score.iter().map(|v| v * v).sum();
    let sig = (ss.max(f64::EPSILON.sqrt()) / nf - mu * mu).sqrt() * (nf / (nf - 1.0)).sqrt();
    let x: Vec<f64> = score.iter().map(|v| (v - mu) / sig).collect();
    let (mut kc, mut kk, mut ycaus) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new(); // (i, match, weight)
    let n1 = tr.iter().filter(|&&t| t == 1.0).count();
    let m = if all == 1 { m.min(n1).min(n - n1) } else { m.min(n - n1) };
    for i in 0..n {
        if !(all == 1 || tr[i] == 1.0) {
            continue;
        }
        let mut d: Vec<(f64, usize)> = (0..n).filter(|&j| tr[j] != tr[i]).map(|j| ((x[j] - x[i]).powi(2), j)).collect();
        let mut ds: Vec<f64> = d.iter().map(|p| p.0).collect();
        ds.sort_by(f64::total_cmp);
        let dmax = ds[m - 1];
        d.retain(|p| p.0 <= dmax + 1e-5);
        let mi = d.len() as f64;
        let mut ymat = 0.0;
        for &(_, j) in &d {
            kc[j] += 1.0 / mi;
            kk[j] += 1.0 / (mi * mi);
            ymat += y[j] / mi;
            pairs.push((i, j, 1.0 / mi));
        }
        ycaus[i] = if tr[i] == 1.0 { y[i] - ymat } else { ymat - y[i] };
    }
    // Tau per pair: treated minus control outcome, in the (possibly flipped) coding
    let tau: Vec<f64> =
        pairs.iter().map(|&(i, j, _)| if tr[i] == 1.0 { y[i] - y[j] } else { y[j] - y[i] }).collect();
    let sw: f64 = pairs.iter().map(|p| p.2).sum();
    let est = pairs.iter().zip(&tau).map(|(p, t)| p.2 * t).sum::<f64>() / sw;
    let sigs = 0.5 * pairs.iter().zip(&tau).map(|(p, t)| p.2 * (t - est).powi(2)).sum::<f64>() / sw;
    let iot_t: Vec<f64> = (0..n).map(|i| if all == 1 { 1.0 } else { tr[i] }).collect();
    let iot_c: Vec<f64> = (0..n).map(|i| if all == 1 { 1.0 } else { 1.0 - tr[i] }).collect();
    let sn: f64 = iot_t.iter().sum();
    let mut var = 0.0;
    for i in 0..n {
        var += if all == 1 {
            sigs * iot_c[i] * (kc[i] * kc[i] + 2.0 * kc[i] - kk[i])
        } else {
            sigs * iot_c[i] * (kc[i] * kc[i] - kk[i])
        };
        var += iot_t[i] * (ycaus[i] - est).powi(2);
    }
    let se = (var / (sn * sn)).sqrt();
    (if all == 2 { -est } else { est }, se)
}

#[test]
fn fast_matching_equals_brute_force_matching_transcription() {
    let ds = lalonde();
    let tr = ds.numeric("treat").unwrap();
    let y = ds.numeric("re78").unwrap();
    for (k, est, all) in [(1, Estimand::Att, 0u8), (3, Estimand::Att, 0), (1, Estimand::Ate, 1), (2, Estimand::Ate, 1), (1, Estimand::Atc, 2), (4, Estimand::Atc, 2)] {
        let r = psm(&ds, &PsmSpec { estimand: est, matching: MatchOptions { k, ..base().matching }, ..base() }).unwrap();
        let (b_est, b_se) = matching_brute_force(&r.scores, tr, y, k, all);
        assert!(rel(r.att, b_est) < 1e-10, "k={k} {est:?}: {} vs {b_est}", r.att);
        assert!(rel(r.std_error, b_se) < 1e-10, "k={k} {est:?}: {} vs {b_se}", r.std_error);
    }
}

/// Deterministic pseudo-random numbers in [0, 1) (LCG).
fn lcg(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 11) as f64) / ((1u64 << 53) as f64)
    }
}

/// probabilities numerically 0 or 1 occurred"; so must we (a diagnostic, not an error).
#[test]
fn converged_logit_with_extreme_linear_predictor_is_a_warning() {
    let mut u = lcg(7);
    let (mut t, mut x, mut y) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..200 {
        let xi = if i == 0 { -40.0 } else { u() * 4.0 - 2.0 };
        let p = 1.0 / (1.0 + (-(xi)).exp());
        let ti = if i == 0 { 0.0 } else if u() < p { 1.0 } else { 0.0 };
        t.push(ti);
        x.push(xi);
        y.push(xi + ti + u());
    }
    let ds = Dataset::from_columns(vec![Column::numeric("t", t), Column::numeric("x", x), Column::numeric("y", y)]).unwrap();
    let spec = PsmSpec { formula: "t ~ x".into(), outcome: Some("y".into()), ..PsmSpec::default() };
    let r = psm(&ds, &spec).expect("a converged logit with one extreme linear predictor is not separation");
    let slope = r.propensity.coefficients[1].estimate;
    assert!(slope > 0.5 && slope < 2.0, "slope {slope}");
    assert!(slope * -40.0 + r.propensity.coefficients[0].estimate < -30.0);
    assert!(r.scores[0] < 1e-13);
    assert!(
        r.diagnostics.iter().any(|d| d.message.contains("numerically 0 or 1") && d.message.contains("1 row")),
        "{:?}",
        r.diagnostics
    );
    // genuine separation is still an error (x2 separates perfectly)
    let ds2 = Dataset::from_columns(vec![
        Column::numeric("t", vec![1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0]),
        Column::numeric("x", vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]),
        Column::numeric("x2", vec![5.0, 6.0, 7.0, 1.0, 2.0, 3.0, 8.0, 0.0]),
    ])
    .unwrap();
    let (_, msg) = err_msg(&ds2, &PsmSpec { formula: "t ~ x + x2".into(), ..PsmSpec::default() });
    assert!(msg.contains("separation"), "{msg}");
}

/// replacement (Abadie & Imbens 2008); it is still computed on request, with a warning.
#[test]
fn bootstrap_for_nearest_neighbour_with_replacement_warns() {
    let ds = lalonde();
    let r = psm(&ds, &PsmSpec { se: SeKind::Bootstrap, bootstrap_reps: 5, ..base() }).unwrap();
    assert_eq!(r.se_kind, SeKind::Bootstrap);
    assert!(r.diagnostics.iter().any(|d| d.message.contains("Abadie") && d.message.contains("2008")), "{:?}", r.diagnostics);
    // not for kernel matching (the bootstrap is the usual choice there)
    let k = psm(&ds, &PsmSpec { se: SeKind::Bootstrap, bootstrap_reps: 5, matching: MatchOptions { method: Method::Kernel, ..base().matching }, ..base() }).unwrap();
    assert!(!k.diagnostics.iter().any(|d| d.message.contains("2008")), "{:?}", k.diagnostics);
}

/// Matching's (caliper in SDs, ties within distance.tolerance = 1e-5).
#[test]
fn psmatch2_preset_absolute_caliper_and_exact_ties() {
    let ds = lalonde();
    let spec: PsmSpec = serde_json::from_value(serde_json::json!({
        "formula": FORMULA, "outcome": "re78", "preset": "psmatch2", "caliper": 0.01
    }))
    .unwrap();
    let r = psm(&ds, &spec).unwrap();
    assert_eq!(r.caliper_abs, Some(0.01));
    let by_hand = psm(&ds, &PsmSpec { matching: MatchOptions { caliper: Some(0.01), caliper_scale: CaliperScale::Absolute, distance_tolerance: 0.0, ..base().matching }, ..base() }).unwrap();
    assert_eq!(r.att.to_bits(), by_hand.att.to_bits());
    assert_eq!(r.n_treated_dropped, by_hand.n_treated_dropped);
    // the default is still R Matching's: caliper 0.01 SD
    let d = psm(&ds, &PsmSpec { matching: MatchOptions { caliper: Some(0.01), ..base().matching }, ..base() }).unwrap();
    assert!(d.caliper_abs.unwrap() < 0.01);
    // ties: controls at x = 1 and x = 1 + 1e-7 are tied for the treated unit at 0.9 under
    // Matching's tolerance, not under psmatch2's exact rule.
    let small = Dataset::from_columns(vec![
        Column::numeric("t", vec![1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        Column::numeric("x", vec![0.9, 2.0, 3.1, 0.5, 1.0, 1.0 + 1e-7, 2.5, 0.2, 3.0, 4.0, 1.8]),
        Column::numeric("y", vec![5.0, 6.0, 7.0, 8.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]),
    ])
    .unwrap();
    let weight_of = |r: &quasi::estimators::psm::PsmResult, row: usize| {
        r.matched.rows.iter().position(|&x| x == row).map(|i| r.matched.weights[i]).unwrap_or(0.0)
    };
    let s = PsmSpec { formula: "t ~ x".into(), outcome: Some("y".into()), ..PsmSpec::default() };
    let m = psm(&small, &s).unwrap();
    assert_eq!((weight_of(&m, 4), weight_of(&m, 5)), (0.5, 0.5));
    let p: PsmSpec = serde_json::from_value(serde_json::json!({
        "formula": "t ~ x", "outcome": "y", "preset": "psmatch2"
    }))
    .unwrap();
    let q = psm(&small, &p).unwrap();
    assert_eq!((weight_of(&q, 4), weight_of(&q, 5)), (1.0, 0.0));
}

/// on request (`return_pairs: true`) or when there are at most 250,000 of them.
#[test]
fn kernel_and_radius_do_not_materialise_every_pair() {
    let mut u = lcg(11);
    let n = 1400;
    let (mut t, mut x, mut y) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        let ti = if i % 2 == 0 { 1.0 } else { 0.0 };
        let xi = u() + 0.2 * ti;
        t.push(ti);
        x.push(xi);
        y.push(xi + ti + u());
    }
    let ds = Dataset::from_columns(vec![Column::numeric("t", t), Column::numeric("x", x), Column::numeric("y", y.clone())]).unwrap();
    let base: PsmSpec = serde_json::from_value(serde_json::json!({
        "formula": "t ~ x", "outcome": "y", "se": "none"
    }))
    .unwrap();
    for method in [Method::Kernel, Method::Radius] {
        let spec = PsmSpec { matching: MatchOptions { method, bandwidth: Some(10.0), caliper: Some(1.0), caliper_scale: CaliperScale::Absolute, ..base.clone().matching }, ..base.clone() };
        let r = psm(&ds, &spec).unwrap();
        assert_eq!(r.n_treated_matched, 700);
        assert_eq!(r.n_control_used, 700);
        assert!(r.matched.pair_focal.is_empty() && r.matched.pair_match.is_empty() && r.matched.pair_weight.is_empty(), "{method:?}");
        assert!(r.diagnostics.iter().any(|d| d.message.contains("490000 matched pairs") && d.message.contains("return_pairs")), "{:?}", r.diagnostics);
        // on request: every pair, and the estimate is their weighted mean difference
        let mut full = spec.clone();
        full = serde_json::from_value({
            let mut v = serde_json::to_value(&full).unwrap();
            v["return_pairs"] = serde_json::json!(true);
            v
        })
        .unwrap();
        let f = psm(&ds, &full).unwrap();
        assert_eq!(f.matched.pair_focal.len(), 490_000);
        assert_eq!(f.att.to_bits(), r.att.to_bits());
        assert_eq!(f.matched.weights, r.matched.weights);
        let att: f64 = f
            .matched
            .pair_focal
            .iter()
            .zip(&f.matched.pair_match)
            .zip(&f.matched.pair_weight)
            .map(|((&i, &j), &w)| w * (y[i] - y[j]))
            .sum::<f64>()
            / 700.0;
        assert!(rel(r.att, att) < 1e-9, "{} vs {att}", r.att);
    }
}

/// cell means: ATT = mean over treated of (yᵢ − mean y of the controls in its cell).
#[test]
fn ties_on_discrete_scores_do_not_materialise_every_pair() {
    let (mut t, mut x, mut y) = (Vec::new(), Vec::new(), Vec::new());
    // cell x = 0: 400 treated, 400 controls; cell x = 1: 300 treated, 300 controls; plus
    // unequal cell shares so that the logit is not flat.
    let mut push = |ti: f64, xi: f64, yi: f64| {
        t.push(ti);
        x.push(xi);
        y.push(yi);
    };
    for i in 0..400 {
        push(1.0, 0.0, 5.0 + (i % 7) as f64);
        push(0.0, 0.0, 2.0 + (i % 5) as f64);
    }
    for i in 0..300 {
        push(1.0, 1.0, 9.0 + (i % 3) as f64);
        push(0.0, 1.0, 1.0 + (i % 11) as f64);
    }
    for _ in 0..100 {
        push(0.0, 1.0, 1.0);
    }
    let ds = Dataset::from_columns(vec![Column::numeric("t", t.clone()), Column::numeric("x", x.clone()), Column::numeric("y", y.clone())]).unwrap();
    let spec = PsmSpec { formula: "t ~ x".into(), outcome: Some("y".into()), ..PsmSpec::default() };
    let r = psm(&ds, &spec).unwrap();
    let mean = |f: &dyn Fn(usize) -> bool| {
        let v: Vec<f64> = (0..y.len()).filter(|&i| f(i)).map(|i| y[i]).collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let c0 = mean(&|i| t[i] == 0.0 && x[i] == 0.0);
    let c1 = mean(&|i| t[i] == 0.0 && x[i] == 1.0);
    let att = (0..y.len()).filter(|&i| t[i] == 1.0).map(|i| y[i] - if x[i] == 0.0 { c0 } else { c1 }).sum::<f64>() / 700.0;
    assert!(rel(r.att, att) < 1e-12, "{} vs {att}", r.att);
    assert_eq!(r.n_control_used, 800);
    assert!(r.matched.pair_focal.is_empty(), "{} pairs materialised", r.matched.pair_focal.len());
    assert!(r.diagnostics.iter().any(|d| d.message.contains("280000 matched pairs")), "{:?}", r.diagnostics);
    // control weights: cell 0 controls 400 · (1/400) = 1 each, cell 1: 300/400 = 0.75
    assert_eq!(r.matched.rows.len(), 1500);
    for (&row, &w) in r.matched.rows.iter().zip(&r.matched.weights) {
        let want = if t[row] == 0.0 && x[row] == 1.0 { 0.75 } else { 1.0 };
        assert!((w - want).abs() < 1e-12, "row {row}: {w} vs {want}");
    }
    assert!(r.std_error.is_finite() && r.std_error > 0.0);
}
