//! Adoption timing in the DID workbench (issue 9): units adopting after the panel are
//! never-treated everywhere; always-treated units are dropped by default; an event study
//! without never-treated units omits the earliest event time deliberately; the pre-trend F
//! test (rank, df conventions) and trimmed windows against pyfixest 0.60
//! (`fixtures/did_timing/expected.json`, made by `generate.py` beside it); the staggered-adoption
//! warning. Tolerances: estimates and Wald statistics 1e-6 relative, SEs 1e-4, p-values 1e-6.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::estimators::did::*;
use quasi::estimators::feols::VcovSpec;
use quasi::Dataset;
use serde_json::Value;

fn jjj() -> Dataset {
    quasi::data::read_bytes(include_bytes!("fixtures/jjj_cities.csv"), &Default::default()).unwrap().dataset
}
fn cases() -> Value {
    serde_json::from_str::<Value>(include_str!("fixtures/did_timing/expected.json")).unwrap()["cases"].clone()
}
fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

const CONTROLS: [&str; 5] = ["fe", "lnstru", "urba", "fdi", "pgdp"];

fn spec(controls: bool) -> DidSpec {
    DidSpec {
        treatment: TreatmentSpec {
            unit: "city".into(),
            time: "year".into(),
            start: Some("ftz_year".into()),
            ..Default::default()
        },
        y: "lnHDQ".into(),
        controls: if controls { CONTROLS.iter().map(|s| s.to_string()).collect() } else { vec![] },
        ..Default::default()
    }
}

fn es_spec(controls: bool) -> EventStudySpec {
    EventStudySpec { did: spec(controls), ..Default::default() }
}

/// The jjj panel with the adoption year of `city` replaced by `year` (NaN = never treated).
fn recode(ds: &Dataset, city: &str, year: f64) -> Dataset {
    let cities = ds.factor("city").unwrap();
    let mut start = ds.numeric("ftz_year").unwrap().to_vec();
    for (i, s) in start.iter_mut().enumerate() {
        if cities.levels[cities.codes[i] as usize] == city {
            *s = year;
        }
    }
    let mut out = ds.clone();
    out.add_numeric("ftz_year", start).unwrap();
    out
}

/// Checks every coefficient of a pyfixest case against an event-study fit.
fn check_terms(name: &str, r: &EventStudyResult, case: &Value) {
    assert_eq!(r.model.nobs as u64, case["nobs"].as_u64().unwrap(), "{name}: nobs");
    let coefs = case["coefficients"].as_object().unwrap();
    assert_eq!(r.model.coefficients.len(), coefs.len(), "{name}: number of coefficients");
    for (term, exp) in coefs {
        let c = r.model.coef(term).unwrap_or_else(|| panic!("{name}: no coefficient {term}"));
        let (e, s) = (exp["estimate"].as_f64().unwrap(), exp["std_error"].as_f64().unwrap());
        assert!(rel(c.estimate, e) < 1e-6, "{name} {term}: estimate {} vs {e}", c.estimate);
        assert!(rel(c.std_error, s) < 1e-4, "{name} {term}: se {} vs {s}", c.std_error);
    }
}

#[test]
fn late_adopter_is_exactly_a_never_treated_unit() {
    let ds = jjj();
    // Handan is never treated; 2030 lies after the panel's last year 2022.
    let late = recode(&ds, "Handan", 2030.0);
    let (a, b) = (did(&ds, &spec(true)).unwrap(), did(&late, &spec(true)).unwrap());
    assert_eq!((a.estimate, a.std_error, a.nobs), (b.estimate, b.std_error, b.nobs));
    assert_eq!(a.model.coefficients, b.model.coefficients);
    assert_eq!(b.design_summary.n_never_treated_units, a.design_summary.n_never_treated_units);
    assert_eq!(b.design_summary.n_late_adopter_units, 1);
    assert_eq!(a.design_summary.cohorts, b.design_summary.cohorts);
    assert!(b.diagnostics.messages().into_iter().any(|m| m.contains("Handan (2030)") && m.contains("treated as never treated")));
    // Counts: Handan among the never-treated, and named once more as a late adopter.
    let never = |c: &CountsTable| c.rows.iter().find(|r| r.group == "Never-treated units").unwrap().units.clone();
    assert_eq!(never(&a.counts), never(&b.counts));
    assert!(b.counts.rows.iter().any(|r| r.group == "of which adopting after the panel" && r.units == ["Handan"]));
    // Event studies: full, binned and trimmed windows.
    for window in [None, Some((-3, 3))] {
        for binning in [Binning::Bin, Binning::Trim] {
            let mut s = es_spec(true);
            s.window = EventWindow { ref_period: -1, window, binning };
            let (ea, eb) = (event_study(&ds, &s).unwrap(), event_study(&late, &s).unwrap());
            assert_eq!(ea.terms, eb.terms, "{window:?} {binning:?}");
            assert_eq!(ea.pretrend, eb.pretrend);
            assert_eq!(ea.model.nobs, eb.model.nobs);
        }
    }
    // Placebo pools: the same draws for a seed.
    for kind in [PlaceboKind::PermuteUnits, PlaceboKind::RandomTiming, PlaceboKind::InTime] {
        let p = PlaceboSpec { did: spec(false), kind, reps: 40, seed: 3, ..Default::default() };
        let (pa, pb) = (placebo(&ds, &p, &mut |_| true).unwrap(), placebo(&late, &p, &mut |_| true).unwrap());
        assert_eq!(pa.draws, pb.draws, "{kind:?}");
        assert_eq!(pa.p_value, pb.p_value, "{kind:?}");
    }
}

#[test]
fn always_treated_units_are_dropped_unless_kept() {
    let ds = jjj();
    // Tianjin adopts in 2015; recoded to 2013 (the first year) it is always treated.
    let always = recode(&ds, "Tianjin", 2013.0);
    let r = did(&always, &spec(true)).unwrap();
    let cities = always.factor("city").unwrap();
    let keep: Vec<bool> = cities.codes.iter().map(|&c| cities.levels[c as usize] != "Tianjin").collect();
    let without = did(&always.filter_rows(&keep).unwrap(), &spec(true)).unwrap();
    assert_eq!((r.nobs, without.nobs), (120, 120));
    assert!(rel(r.estimate, without.estimate) < 1e-12 && rel(r.std_error, without.std_error) < 1e-12);
    assert_eq!((r.design_summary.n_always_treated_units, r.design_summary.always_treated_dropped), (1, true));
    assert!(r.diagnostics.messages().into_iter().any(|m| m.contains("Tianjin (2013)") && m.contains("dropped")), "{:?}", r.diagnostics);
    // Kept on request: 130 rows, a different estimate.
    let mut s = spec(true);
    s.treatment.keep_always_treated = true;
    let k = did(&always, &s).unwrap();
    assert_eq!((k.nobs, k.design_summary.always_treated_dropped), (130, false));
    assert!(rel(k.estimate, r.estimate) > 1e-3);
    // The event study drops them too.
    let e = event_study(&always, &es_spec(true)).unwrap();
    assert_eq!(e.model.nobs, 120);
}

#[test]
fn event_study_without_never_treated_omits_the_earliest_event_time() {
    let case = &cases()["saturated_no_never"];
    let ds = jjj();
    let treated: Vec<bool> = ds.numeric("ftz_year").unwrap().iter().map(|v| !v.is_nan()).collect();
    let sub = ds.filter_rows(&treated).unwrap();
    let r = event_study(&sub, &es_spec(false)).unwrap();
    let kmin = case["second_reference"].as_i64().unwrap();
    assert_eq!(r.second_reference, Some(kmin));
    assert_eq!(r.terms.first().map(|t| t.event_time), Some(kmin + 1));
    assert!(!r.terms.iter().any(|t| t.event_time == kmin || t.event_time == -1));
    assert!(
        r.diagnostics.messages().into_iter().any(|m| m.starts_with("no never-treated units") && m.contains(&format!("event time {kmin}"))),
        "{:?}",
        r.diagnostics
    );
    // Nothing else was dropped for collinearity.
    assert!(!r.diagnostics.messages().into_iter().any(|m| m.contains("collinear, dropped")), "{:?}", r.diagnostics);
    check_terms("saturated_no_never", &r, case);
    // With never-treated units, or with binned endpoints, no second reference.
    assert_eq!(event_study(&ds, &es_spec(false)).unwrap().second_reference, None);
    let mut s = es_spec(false);
    s.window = EventWindow { ref_period: -1, window: Some((-4, 4)), binning: Binning::Bin };
    assert_eq!(event_study(&sub, &s).unwrap().second_reference, None);
}

fn check_pretrend(name: &str, vcov: VcovSpec) {
    let case = &cases()[name];
    let w = &case["wald"];
    let ds = jjj();
    let mut s = es_spec(true);
    s.did.vcov = Some(vcov);
    let r = event_study(&ds, &s).unwrap();
    check_terms(name, &r, case);
    let p = r.pretrend.clone().unwrap();
    let rank = w["rank"].as_f64().unwrap();
    assert_eq!((p.df1, p.df2, p.df2_convention), (rank, w["df2_t"].as_f64().unwrap(), PretrendDf::T), "{name}");
    assert_eq!(p.terms.len(), 6);
    assert!(rel(p.statistic * p.df1, w["wald_W"].as_f64().unwrap()) < 1e-6, "{name}: W {}", p.statistic * p.df1);
    assert!(rel(p.p_value, w["p_t"].as_f64().unwrap()) < 1e-6, "{name}: p {}", p.p_value);
    // fixest's wald(): n − K.
    s.pretrend_df = PretrendDf::Resid;
    let q = event_study(&ds, &s).unwrap().pretrend.unwrap();
    assert_eq!((q.df1, q.df2, q.df2_convention), (rank, w["df2_resid"].as_f64().unwrap(), PretrendDf::Resid));
    assert_eq!(q.statistic, p.statistic);
    assert!(rel(q.p_value, w["p_resid"].as_f64().unwrap()) < 1e-6, "{name}: p {}", q.p_value);
    let rank_note = r.diagnostics.messages().into_iter().any(|m| m.starts_with("pre-trend test: the covariance of the 6 leads has rank"));
    assert_eq!(rank_note, rank < 6.0, "{name}: {:?}", r.diagnostics);
}

#[test]
fn pretrend_test_matches_pyfixest_wald() {
    check_pretrend("pretrend_city", VcovSpec::Cluster(vec!["city".into()]));
}

#[test]
fn pretrend_test_with_more_leads_than_clusters_uses_the_rank() {
    check_pretrend("pretrend_province", VcovSpec::Cluster(vec!["province".into()]));
}

#[test]
fn pretrend_df_parses_from_js_names() {
    let s: EventStudySpec = serde_json::from_str(r#"{"pretrend_df": "resid"}"#).unwrap();
    assert_eq!(s.pretrend_df, PretrendDf::Resid);
    assert_eq!(serde_json::from_str::<EventStudySpec>("{}").unwrap().pretrend_df, PretrendDf::T);
}

#[test]
fn trimmed_window_matches_pyfixest_on_the_trimmed_sample() {
    let mut s = es_spec(true);
    s.window = EventWindow { ref_period: -1, window: Some((-3, 3)), binning: Binning::Trim };
    let r = event_study(&jjj(), &s).unwrap();
    check_terms("trim_m3_p3", &r, &cases()["trim_m3_p3"]);
}

#[test]
fn staggered_adoption_is_flagged_on_twfe_results() {
    let stag = "staggered adoption (3 cohorts: 2015, 2019, 2020)";
    let r = did(&jjj(), &spec(true)).unwrap();
    assert!(r.diagnostics.messages().into_iter().any(|m| m.starts_with(stag) && m.contains("Callaway–Sant'Anna")), "{:?}", r.diagnostics);
    let e = event_study(&jjj(), &es_spec(true)).unwrap();
    assert!(e.diagnostics.messages().into_iter().any(|m| m.starts_with(stag)));
    assert!(r.diagnostics.has(quasi::Code::StaggeredTwfe) && e.diagnostics.has(quasi::Code::StaggeredTwfe));
    assert_eq!(r.diagnostics.with_code(quasi::Code::StaggeredTwfe).count(), 1, "shown once");
    // One cohort: no warning.
    let ds = recode(&recode(&jjj(), "Tianjin", 2019.0), "Beijing", 2019.0);
    let one = did(&ds, &spec(true)).unwrap();
    assert!(!one.diagnostics.messages().into_iter().any(|m| m.starts_with("staggered adoption")), "{:?}", one.diagnostics);
    assert!(!one.diagnostics.has(quasi::Code::StaggeredTwfe));
}
