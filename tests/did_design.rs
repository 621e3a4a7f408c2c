//! DID treatment designs: hand-worked panels, every validation message, event dummies,
//! placebo assignments, and the counts of the real sample panel (jjj_cities.csv).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/didprep.rs"]
mod support;

use quasi::estimators::did::*;
use quasi::{Column, Dataset};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

const NAN: f64 = f64::NAN;
const YEARS: [f64; 5] = [2015.0, 2016.0, 2017.0, 2018.0, 2019.0];

/// Balanced panel: one row per (unit, year), units in the given order, years 2015–2019.
fn panel(units: &[(&str, f64)]) -> Dataset {
    let mut u = Vec::new();
    let mut t = Vec::new();
    let mut s = Vec::new();
    for (name, start) in units {
        for y in YEARS {
            u.push(Some(name.to_string()));
            t.push(y);
            s.push(*start);
        }
    }
    Dataset::from_columns(vec![Column::text("unit", u), Column::numeric("year", t), Column::numeric("start", s)])
        .unwrap()
}

fn start_spec() -> TreatmentSpec {
    TreatmentSpec { unit: "unit".into(), time: "year".into(), start: Some("start".into()), ..Default::default() }
}

/// A 2016, B 2018, C blank (never), D 0 (never).
fn staggered() -> DidDesign {
    build_design(&panel(&[("A", 2016.0), ("B", 2018.0), ("C", NAN), ("D", 0.0)]), &start_spec()).unwrap()
}

fn err_of(ds: &Dataset, spec: &TreatmentSpec) -> String {
    build_design(ds, spec).unwrap_err().to_string()
}

#[test]
fn staggered_did_column_is_exact() {
    let d = staggered();
    #[rustfmt::skip]
    let want = [0., 1., 1., 1., 1.,   0., 0., 0., 1., 1.,   0., 0., 0., 0., 0.,   0., 0., 0., 0., 0.];
    assert_eq!(d.did, want);
    assert_eq!(d.rel_time[0..5], [Some(-1), Some(0), Some(1), Some(2), Some(3)]);
    assert_eq!(d.rel_time[5..10], [Some(-3), Some(-2), Some(-1), Some(0), Some(1)]);
    assert!(d.rel_time[10..].iter().all(Option::is_none));
    assert_eq!(d.adoption[7], Some(2018.0));
    assert_eq!(d.adoption[12], None);
    assert_eq!((d.n_treated_units, d.n_never_treated_units, d.n_units, d.n_periods), (2, 2, 4, 5));
    assert_eq!(d.time_range, Some((2015.0, 2019.0)));
    assert_eq!(d.cohorts.len(), 2);
    assert_eq!((d.cohorts[0].adoption, d.cohorts[0].units.clone()), (2016.0, vec!["A".to_string()]));
    assert_eq!((d.cohorts[1].adoption, d.cohorts[1].n_units), (2018.0, 1));
    assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
}

#[test]
fn row_order_does_not_matter() {
    let ds = panel(&[("A", 2016.0), ("B", 2018.0), ("C", NAN), ("D", 0.0)]);
    let idx: Vec<usize> = (0..ds.nrows()).rev().collect();
    let d = build_design(&ds.take_rows(&idx), &start_spec()).unwrap();
    let base = staggered();
    let back: Vec<f64> = idx.iter().map(|&i| base.did[i]).collect();
    assert_eq!(d.did, back);
    assert_eq!(d.cohorts, base.cohorts);
}

#[test]
fn indicator_form_matches_start_form_and_derives_adoption() {
    let base = staggered();
    let mut ds = panel(&[("A", 2016.0), ("B", 2018.0), ("C", NAN), ("D", 0.0)]);
    ds.add_numeric("D_it", base.did.clone()).unwrap();
    let spec = TreatmentSpec { unit: "unit".into(), time: "year".into(), indicator: Some("D_it".into()), ..Default::default() };
    let d = build_design(&ds, &spec).unwrap();
    assert_eq!(d.did, base.did);
    assert_eq!(d.rel_time, base.rel_time);
    assert_eq!(d.cohorts, base.cohorts);
    assert_eq!(d.n_never_treated_units, 2);
}

#[test]
fn treat_post_form_multiplies() {
    let ds = Dataset::from_columns(vec![
        Column::numeric("id", vec![1., 1., 2., 2., 3., 3.]),
        Column::numeric("t", vec![0., 1., 0., 1., 0., 1.]),
        Column::numeric("g", vec![1., 1., 0., 0., 1., 1.]),
        Column::numeric("p", vec![0., 1., 0., 1., 0., NAN]),
    ])
    .unwrap();
    let spec = TreatmentSpec { unit: "id".into(), time: "t".into(), treat: Some("g".into()), post: Some("p".into()), ..Default::default() };
    let d = build_design(&ds, &spec).unwrap();
    assert_eq!(&d.did[..5], &[0., 1., 0., 0., 0.]);
    assert!(d.did[5].is_nan());
    assert!(d.adoption.iter().all(Option::is_none));
    assert_eq!((d.n_treated_units, d.n_never_treated_units), (2, 1));
    let e = event_dummies(&d, &EventWindow::default()).unwrap_err().to_string();
    assert!(e.contains("adoption time"), "{e}");
    // treat not constant within a unit
    let mut bad = ds.clone();
    bad.add_numeric("g", vec![1., 0., 0., 0., 1., 1.]).unwrap();
    let e = err_of(&bad, &spec);
    assert!(e.contains("unit `1` has `g` = 1 (row 1) and 0 (row 2)"), "{e}");
    // post without variation
    let mut bad = ds.clone();
    bad.add_numeric("p", vec![1.; 6]).unwrap();
    assert!(err_of(&bad, &spec).contains("`p` is 1 in every row"));
    // repeated cross-sections (each id once): allowed, with a diagnostic about unit effects
    let rcs = Dataset::from_columns(vec![
        Column::numeric("id", vec![1., 2., 3., 4.]),
        Column::numeric("t", vec![0., 1., 0., 1.]),
        Column::numeric("g", vec![1., 1., 0., 0.]),
        Column::numeric("p", vec![0., 1., 0., 1.]),
    ])
    .unwrap();
    let d_rcs = build_design(&rcs, &spec).unwrap();
    assert_eq!(d_rcs.did, vec![0., 1., 0., 0.]);
    assert!(d_rcs.diagnostics.messages().into_iter().any(|m| m.contains("repeated cross-sections")), "{:?}", d_rcs.diagnostics);
    // permutation count: 3!/(2!1!) = 3
    assert_eq!(n_distinct_permutations(&d), 3);
    let all = enumerate_permutations(&d, 10).unwrap();
    assert_eq!(all.len(), 3);
}

#[test]
fn spec_forms_and_json() {
    let none = TreatmentSpec { unit: "unit".into(), time: "year".into(), ..Default::default() };
    assert!(none.form().unwrap_err().to_string().starts_with("no treatment given"));
    let several = TreatmentSpec { indicator: Some("x".into()), ..start_spec() };
    let e = several.form().unwrap_err().to_string();
    assert!(e.contains("several ways (`start`, `indicator`)"), "{e}");
    let half = TreatmentSpec { treat: Some("g".into()), ..none.clone() };
    assert!(half.form().unwrap_err().to_string().contains("without `post`"));
    // The DID API object, with fields this module ignores.
    let spec: TreatmentSpec = serde_json::from_str(
        r#"{"y":"lnHDQ","unit":"city","time":"year","start":"ftz_year","controls":["fe"],"vcov":{"cluster":["city"]}}"#,
    )
    .unwrap();
    assert_eq!(spec.form().unwrap(), TreatmentForm::Start { column: "ftz_year".into() });
    let w: EventWindow = serde_json::from_str(r#"{"ref":-2,"window":[-3,3],"binning":"trim"}"#).unwrap();
    assert_eq!(w, EventWindow { ref_period: -2, window: Some((-3, 3)), binning: Binning::Trim });
    let w: EventWindow = serde_json::from_str("{}").unwrap();
    assert_eq!(w, EventWindow { ref_period: -1, window: None, binning: Binning::Bin });
}

#[test]
fn validation_messages() {
    let spec = start_spec();
    // no treated units
    let e = err_of(&panel(&[("A", NAN), ("B", 0.0)]), &spec);
    assert_eq!(e, "no treated units: `start` is blank or 0 for every unit");
    // all adoptions after the panel
    let e = err_of(&panel(&[("A", 2030.0), ("B", NAN)]), &spec);
    assert!(e.contains("adoption year 2030 of unit `A` is after the panel's last period 2019"), "{e}");
    // some after the panel: fine, with a diagnostic
    let d = build_design(&panel(&[("A", 2030.0), ("B", 2017.0), ("C", NAN)]), &spec).unwrap();
    // (late adopters count as never treated)
    assert_eq!((d.n_treated_units, d.n_late_adopter_units, d.n_never_treated_units), (1, 1, 2));
    assert!(d.diagnostics.messages().into_iter().any(|m| m.contains("after the panel's last period 2019") && m.contains("A (2030)")));
    assert_eq!(&d.did[0..5], &[0.; 5]);
    assert_eq!((d.unit_adoption[0], d.rel_time[0], d.cohorts.len()), (None, None, 1));
    // no controls: everyone adopts in 2017
    let e = err_of(&panel(&[("A", 2017.0), ("B", 2017.0)]), &spec);
    assert!(e.starts_with("no never-treated or not-yet-treated controls"), "{e}");
    // staggered without never-treated: not-yet-treated controls exist
    assert!(build_design(&panel(&[("A", 2016.0), ("B", 2018.0)]), &spec).is_ok());
    // always-treated unit (adopted before the panel): dropped by default, as R did / csdid
    let ds = panel(&[("A", 2010.0), ("B", 2017.0), ("C", NAN)]);
    let d = build_design(&ds, &spec).unwrap();
    assert_eq!((d.n_always_treated_units, d.always_treated_dropped), (1, true));
    assert!(d.did[0..5].iter().all(|v| v.is_nan()));
    assert_eq!((d.rel_time[0], d.unit_present[0], d.n_units, d.n_treated_units), (None, false, 2, 1));
    assert_eq!(d.cohorts.iter().map(|c| c.adoption).collect::<Vec<_>>(), vec![2017.0]);
    assert!(
        d.diagnostics.messages().into_iter().any(|m| m.starts_with("1 always-treated unit") && m.contains("A (2010)") && m.contains("dropped")),
        "{:?}",
        d.diagnostics
    );
    let counts = counts_table(&d);
    assert!(counts.rows.iter().any(|r| r.group == "Always treated (dropped)" && r.units == ["A"]));
    // ... or kept on request
    let keep = TreatmentSpec { keep_always_treated: true, ..spec.clone() };
    let d = build_design(&ds, &keep).unwrap();
    assert_eq!((d.n_always_treated_units, d.always_treated_dropped), (1, false));
    assert_eq!(&d.did[0..5], &[1.; 5]);
    assert_eq!((d.rel_time[0], d.n_units, d.n_treated_units), (Some(5), 3, 2));
    assert!(d.diagnostics.messages().into_iter().any(|m| m.starts_with("always-treated units kept") && m.contains("A (2010)")), "{:?}", d.diagnostics);
    // only always-treated units: DID collinear with the unit effects (dropped or kept)
    let only = panel(&[("A", 2010.0), ("B", 2015.0), ("C", NAN)]);
    let e = err_of(&only, &spec);
    assert!(e.starts_with("no treated unit is observed both before and after") && e.contains("A (2010), B (2015)"), "{e}");
    let e = err_of(&only, &keep);
    assert!(e.starts_with("no treated unit is observed both before and after"), "{e}");
    // adoption differs within a unit
    let mut ds = panel(&[("A", 2016.0), ("B", NAN)]);
    let mut s = vec![2016.0; 5];
    s[3] = 2017.0;
    s.extend([NAN; 5]);
    ds.add_numeric("start", s).unwrap();
    let e = err_of(&ds, &spec);
    assert!(e.contains("unit `A` has different adoption times in `start`: 2016 (row 1) and 2017 (row 4)"), "{e}");
    // blank in some rows, a year in others
    let mut s = vec![2016.0, NAN, 2016.0, 2016.0, 2016.0];
    s.extend([NAN; 5]);
    ds.add_numeric("start", s).unwrap();
    assert!(err_of(&ds, &spec).contains("blank/0 (never treated)"));
    // negative / fractional adoption
    let e = err_of(&panel(&[("A", -3.0), ("B", NAN)]), &spec);
    assert!(e.contains("-3 at row 1 is not a valid adoption time"), "{e}");
    // fractional time
    let mut ds = panel(&[("A", 2016.0), ("B", NAN)]);
    ds.add_numeric("year", vec![2015.5; 10]).unwrap();
    assert!(err_of(&ds, &spec).contains("must hold whole numbers"));
    // unknown column suggests the right one
    let bad = TreatmentSpec { start: Some("strat".into()), ..start_spec() };
    assert!(err_of(&panel(&[("A", 2016.0)]), &bad).contains("did you mean `start`"));
}

#[test]
fn duplicate_pairs_are_listed_with_lines() {
    let ds = Dataset::from_columns(vec![
        Column::text("unit", ["A", "A", "A", "B", "B", "B"].iter().map(|s| Some(s.to_string())).collect()),
        Column::numeric("year", vec![2015., 2016., 2016., 2015., 2016., 2015.]),
        Column::numeric("start", vec![2016., 2016., 2016., NAN, NAN, NAN]),
    ])
    .unwrap()
    .with_source_lines(vec![2, 3, 4, 5, 6, 7]);
    let e = err_of(&ds, &start_spec());
    assert!(e.starts_with("2 duplicate (unit, year) pairs"), "{e}");
    assert!(e.contains("`A` at 2016 (line 3, line 4)"), "{e}");
    assert!(e.contains("`B` at 2015 (line 5, line 7)"), "{e}");
}

#[test]
fn indicator_validation() {
    let mut ds = panel(&[("A", NAN), ("B", NAN)]);
    let spec = TreatmentSpec { unit: "unit".into(), time: "year".into(), indicator: Some("D".into()), ..Default::default() };
    ds.add_numeric("D", vec![0., 1., 2., 1., 0.5, 0., 0., 0., 0., 0.]).unwrap();
    let e = err_of(&ds, &spec);
    assert!(e.contains("column `D` must hold 0/1 values"), "{e}");
    assert!(e.contains("2 (row 3), 0.5 (row 5)"), "{e}");
    // switching off: A is 1 in 2016, 0 in 2018
    ds.add_numeric("D", vec![0., 1., 1., 0., 1., 0., 0., 0., 0., 0.]).unwrap();
    let e = err_of(&ds, &spec);
    assert!(e.starts_with("unit `A` switches treatment off: `D` is 1 in 2016 (row 2) but 0 later in 2018 (row 4)"), "{e}");
    let allow = TreatmentSpec { allow_switching_off: true, ..spec.clone() };
    let d = build_design(&ds, &allow).unwrap();
    assert_eq!(d.did[3], 0.0);
    assert_eq!(d.unit_adoption[0], Some(2016.0));
    assert!(d.diagnostics.messages().into_iter().any(|m| m.contains("switches treatment off (A)")), "{:?}", d.diagnostics);
    // never 1
    ds.add_numeric("D", vec![0.; 10]).unwrap();
    assert_eq!(err_of(&ds, &spec), "no treated units: `D` is never 1");
}

#[test]
fn event_dummies_ref_minus_one_no_window() {
    let d = staggered();
    let ev = event_dummies(&d, &EventWindow::default()).unwrap();
    let ks: Vec<i64> = ev.columns.iter().map(|c| c.0).collect();
    assert_eq!(ks, vec![-3, -2, 0, 1, 2, 3]);
    assert_eq!(ev.data_range, (-3, 3));
    let col = |k: i64| ev.columns.iter().find(|c| c.0 == k).unwrap().1.clone();
    // k = 0: A in 2016 (row 1), B in 2018 (row 8)
    let mut want = vec![0.0; 20];
    want[1] = 1.0;
    want[8] = 1.0;
    assert_eq!(col(0), want);
    // never-treated rows all zero in every column
    assert!(ev.columns.iter().all(|(_, c)| c[10..].iter().all(|v| *v == 0.0)));
    assert!(ev.keep_rows.iter().all(|k| *k));
    // each treated row has exactly one dummy, except at the reference
    for i in 0..10 {
        let s: f64 = ev.columns.iter().map(|(_, c)| c[i]).sum();
        assert_eq!(s, if d.rel_time[i] == Some(-1) { 0.0 } else { 1.0 }, "row {i}");
    }
    assert_eq!(event_term_name(-7), "ev_m7");
    assert_eq!(event_term_name(0), "ev_p0");
}

#[test]
fn event_dummies_binning_and_trimming() {
    let d = staggered();
    // B 2015 has e = -3 → bin into -2; A 2019 has e = 3 → bin into 2.
    let w = EventWindow { ref_period: -1, window: Some((-2, 2)), binning: Binning::Bin };
    let ev = event_dummies(&d, &w).unwrap();
    assert_eq!(ev.columns.iter().map(|c| c.0).collect::<Vec<_>>(), vec![-2, 0, 1, 2]);
    let col = |ev: &EventDummies, k: i64| ev.columns.iter().find(|c| c.0 == k).unwrap().1.clone();
    let mut m2 = vec![0.0; 20];
    m2[5] = 1.0; // B 2015 (binned)
    m2[6] = 1.0; // B 2016
    assert_eq!(col(&ev, -2), m2);
    let mut p2 = vec![0.0; 20];
    p2[3] = 1.0; // A 2018
    p2[4] = 1.0; // A 2019 (binned)
    assert_eq!(col(&ev, 2), p2);
    assert!(ev.diagnostics.messages().into_iter().any(|m| m.starts_with("2 observations outside the window binned")));
    // trimming drops those two rows instead
    let w = EventWindow { binning: Binning::Trim, ..w };
    let ev = event_dummies(&d, &w).unwrap();
    let dropped: Vec<usize> = (0..20).filter(|&i| !ev.keep_rows[i]).collect();
    assert_eq!(dropped, vec![4, 5]);
    m2[5] = 0.0;
    p2[4] = 0.0;
    assert_eq!(col(&ev, -2), m2);
    assert_eq!(col(&ev, 2), p2);
}

#[test]
fn event_window_clipping_and_errors() {
    let d = staggered();
    let w = EventWindow { ref_period: -1, window: Some((-7, 7)), binning: Binning::Bin };
    let ev = event_dummies(&d, &w).unwrap();
    assert_eq!(ev.window, Some((-3, 3)));
    assert!(ev.diagnostics.messages().into_iter().any(|m| m == "event window [-7, 7] clipped to [-3, 3]: event times in the data run from -3 to 3"), "{:?}", ev.diagnostics);
    assert_eq!(ev.columns.len(), 6);
    let w = EventWindow { ref_period: -6, window: Some((-10, -5)), binning: Binning::Bin };
    assert_eq!(
        event_dummies(&d, &w).unwrap_err().to_string(),
        "event window [-10, -5] but event times in the data run from -3 to 3"
    );
    let w = EventWindow { ref_period: -1, window: Some((0, 3)), binning: Binning::Bin };
    assert!(event_dummies(&d, &w).unwrap_err().to_string().contains("reference period -1 lies outside"));
    let w = EventWindow { ref_period: 9, window: None, binning: Binning::Bin };
    assert!(event_dummies(&d, &w).unwrap_err().to_string().contains("reference event time 9"));
}

/// Recovers each unit's adoption time from a DID column of a balanced panel (None = never 1).
fn adoption_multiset(d: &DidDesign, did: &[f64]) -> Vec<Option<i64>> {
    let mut out: Vec<Option<i64>> = (0..d.unit.n_levels())
        .map(|u| {
            (0..did.len())
                .filter(|&i| d.unit.codes[i] as usize == u && did[i] == 1.0)
                .map(|i| d.time[i] as i64)
                .min()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn permutation_keeps_the_multiset_and_is_reproducible() {
    let d = staggered();
    let want = adoption_multiset(&d, &d.did);
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let draws: Vec<Vec<f64>> = (0..50).map(|_| permute_units(&d, &mut rng)).collect();
    for x in &draws {
        assert_eq!(adoption_multiset(&d, x), want);
    }
    let mut rng2 = ChaCha8Rng::seed_from_u64(42);
    let again: Vec<Vec<f64>> = (0..50).map(|_| permute_units(&d, &mut rng2)).collect();
    assert_eq!(draws, again);
    // the draws actually vary (12 distinct assignments)
    let mut distinct = draws.clone();
    distinct.sort_by(|a, b| a.partial_cmp(b).unwrap());
    distinct.dedup();
    assert!(distinct.len() > 5, "{}", distinct.len());
    let mut rng3 = ChaCha8Rng::seed_from_u64(43);
    assert_ne!((0..50).map(|_| permute_units(&d, &mut rng3)).collect::<Vec<_>>(), draws);
}

#[test]
fn distinct_permutation_counts_and_enumeration() {
    let d = staggered(); // {2016, 2018, never, never}: 4!/2! = 12
    assert_eq!(n_distinct_permutations(&d), 12);
    let all = enumerate_permutations(&d, 12).unwrap();
    assert_eq!(all.len(), 12);
    let mut uniq = all.clone();
    uniq.sort_by(|a, b| a.partial_cmp(b).unwrap());
    uniq.dedup();
    assert_eq!(uniq.len(), 12);
    assert!(all.contains(&d.did));
    assert!(enumerate_permutations(&d, 11).unwrap_err().to_string().contains("12 distinct permutations"));
    // 60 units, 30 treated in one cohort: C(60, 30)
    let units: Vec<(String, f64)> = (0..60).map(|i| (format!("u{i:02}"), if i < 30 { 2017.0 } else { NAN })).collect();
    let refs: Vec<(&str, f64)> = units.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    let d60 = build_design(&panel(&refs), &start_spec()).unwrap();
    assert_eq!(n_distinct_permutations(&d60), 118_264_581_564_861_424);
    // 200 units, half treated: saturates
    let units: Vec<(String, f64)> = (0..200).map(|i| (format!("u{i:03}"), if i < 100 { 2017.0 } else { NAN })).collect();
    let refs: Vec<(&str, f64)> = units.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    let d200 = build_design(&panel(&refs), &start_spec()).unwrap();
    assert_eq!(n_distinct_permutations(&d200), u64::MAX);
}

#[test]
fn random_timing_draws() {
    let d = staggered();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut rng2 = ChaCha8Rng::seed_from_u64(1);
    for _ in 0..30 {
        let x = random_timing(&d, &mut rng).unwrap();
        assert_eq!(x, random_timing(&d, &mut rng2).unwrap());
        let m = adoption_multiset(&d, &x);
        let treated: Vec<i64> = m.iter().flatten().copied().collect();
        assert_eq!(treated.len(), 2);
        assert!(treated.iter().all(|&a| (2016..=2019).contains(&a)), "{treated:?}");
    }
}

#[test]
fn in_time_placebo_hand_worked() {
    let d = staggered(); // A 2016, B 2018, C/D never; last in-panel adoption 2018
    let p = in_time(&d, 1).unwrap();
    let kept: Vec<usize> = (0..20).filter(|&i| p.keep_rows[i]).collect();
    // A: 2015 only; B: 2015–2017; C, D: 2015–2017
    assert_eq!(kept, vec![0, 5, 6, 7, 10, 11, 12, 15, 16, 17]);
    let fake: Vec<f64> = kept.iter().map(|&i| p.did[i]).collect();
    assert_eq!(fake, vec![1., 0., 0., 1., 0., 0., 0., 0., 0., 0.]);
    assert_eq!(p.n_kept, 10);
    assert!(p.diagnostics.messages().into_iter().any(|m| m.contains("no period before the fake adoption: A")), "{:?}", p.diagnostics);
    assert!(in_time(&d, 0).is_err());
    assert!(in_time(&d, 5).unwrap_err().to_string().contains("shift of 5"));
}

#[test]
fn counts_table_exports() {
    let t = counts_table(&staggered());
    let table = t.result_table();
    assert_eq!(table.id, "did.counts");
    let render = |format: &str| {
        quasi::report::render_table(&table, &quasi::report::RenderOptions { format: format.into(), ..Default::default() })
            .unwrap()
    };
    assert_eq!(
        render("csv"),
        "Group,Adoption,Units,Names\nTreated units,,2,\"A, B\"\nNever-treated units,,2,\"C, D\"\nCohort 2016,2016,1,A\nCohort 2018,2018,1,B\n"
    );
    let md = render("markdown");
    assert!(md.contains("| Cohort 2018 | 2018 | 1 | B |"), "{md}");
}

#[test]
fn real_sample_jjj_cities() {
    let ds = support::parse_csv(include_str!("fixtures/jjj_cities.csv"));
    let spec = TreatmentSpec { unit: "city".into(), time: "year".into(), start: Some("ftz_year".into()), ..Default::default() };
    let d = build_design(&ds, &spec).unwrap();
    assert_eq!((d.n_units, d.n_periods, d.n_treated_units, d.n_never_treated_units), (13, 10, 6, 7));
    assert_eq!(d.time_range, Some((2013.0, 2022.0)));
    let cohorts: Vec<(f64, Vec<String>)> = d.cohorts.iter().map(|c| (c.adoption, c.units.clone())).collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        cohorts,
        vec![
            (2015.0, s(&["Tianjin"])),
            (2019.0, s(&["Baoding", "Langfang", "Shijiazhuang", "Tangshan"])),
            (2020.0, s(&["Beijing"])),
        ]
    );
    // the DID built from ftz_year is the file's FTZ column
    assert_eq!(d.did, ds.numeric("FTZ").unwrap());
    // and the indicator form gives the same design
    let ind = TreatmentSpec { unit: "city".into(), time: "year".into(), indicator: Some("FTZ".into()), ..Default::default() };
    let d2 = build_design(&ds, &ind).unwrap();
    assert_eq!(d2.rel_time, d.rel_time);
    // event dummies as in the reference event study: every observed k in -7..7 except -1
    let ev = event_dummies(&d, &EventWindow::default()).unwrap();
    let ks: Vec<i64> = ev.columns.iter().map(|c| c.0).collect();
    assert_eq!(ks, (-7..=7).filter(|&k| k != -1).collect::<Vec<_>>());
    // 13! / (7! 1! 4! 1!) = 51480
    assert_eq!(n_distinct_permutations(&d), 51_480);
    let t = counts_table(&d);
    assert_eq!(t.rows[0].n_units, 6);
    assert_eq!(t.rows[1].n_units, 7);
}
