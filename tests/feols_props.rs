//! Property tests and error handling for `feols` (no external reference):
//! invariances (constant added to y, row order, scaling a regressor),
//! weights = duplicated rows, singleton removal, the DemeanedDesign/FWL reuse
//! API, and clear errors for bad input.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::estimators::feols::{feols, DemeanedDesign, FeolsFit, FeolsSpec, VcovSpec};
use quasi::{Dataset, ErrorKind};
use quasi::data::read_bytes;

/// Relative difference, with an absolute floor for values near zero.
fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

const F: &str = "lnHDQ ~ FTZ + fe + lnstru + urba + fdi + pgdp | city + year";

fn jjj() -> Dataset {
    read_bytes(include_bytes!("fixtures/jjj_cities.csv"), &Default::default()).expect("fixture loads").dataset
}
fn cl() -> VcovSpec {
    VcovSpec::Cluster(vec!["city".into()])
}
fn same(a: &FeolsFit, b: &FeolsFit, tol: f64) {
    assert_eq!(a.coefficients.len(), b.coefficients.len());
    for (x, y) in a.coefficients.iter().zip(&b.coefficients) {
        assert_eq!(x.term, y.term);
        assert!(rel(x.estimate, y.estimate) < tol, "{} {} {}", x.term, x.estimate, y.estimate);
        assert!(rel(x.std_error, y.std_error) < tol, "{} se {} {}", x.term, x.std_error, y.std_error);
    }
}

#[test]
fn constant_added_to_y_leaves_slopes() {
    let mut ds = jjj();
    let base = feols(&ds, &FeolsSpec::new(F, cl())).unwrap();
    let y: Vec<f64> = ds.numeric("lnHDQ").unwrap().iter().map(|v| v + 100.0).collect();
    ds.add_numeric("lnHDQ", y).unwrap();
    let shifted = feols(&ds, &FeolsSpec::new(F, cl())).unwrap();
    same(&base, &shifted, 1e-9);
    // OLS with intercept: slopes unchanged, intercept moves by 100
    let g = "lnHDQ ~ FTZ + pgdp";
    let a = feols(&jjj(), &FeolsSpec::new(g, VcovSpec::Hetero)).unwrap();
    let b = feols(&ds, &FeolsSpec::new(g, VcovSpec::Hetero)).unwrap();
    assert!((b.coefficients[0].estimate - a.coefficients[0].estimate - 100.0).abs() < 1e-9);
    assert!(rel(b.coefficients[1].estimate, a.coefficients[1].estimate) < 1e-9);
}

#[test]
fn row_order_does_not_matter() {
    let ds = jjj();
    let n = ds.nrows();
    // a deterministic shuffle
    let mut idx: Vec<usize> = (0..n).collect();
    let mut s = 12345u64;
    for i in (1..n).rev() {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        idx.swap(i, (s >> 33) as usize % (i + 1));
    }
    let shuffled = ds.take_rows(&idx);
    for vc in [VcovSpec::Iid, VcovSpec::Hetero, cl(), VcovSpec::Cluster(vec!["city".into(), "year".into()])] {
        let a = feols(&ds, &FeolsSpec::new(F, vc.clone())).unwrap();
        let b = feols(&shuffled, &FeolsSpec::new(F, vc)).unwrap();
        same(&a, &b, 1e-10);
        assert!(rel(a.r2_within.unwrap(), b.r2_within.unwrap()) < 1e-10);
    }
}

#[test]
fn scaling_x_scales_its_coefficient() {
    let mut ds = jjj();
    let base = feols(&ds, &FeolsSpec::new(F, cl())).unwrap();
    let v: Vec<f64> = ds.numeric("pgdp").unwrap().iter().map(|x| x * 1000.0).collect();
    ds.add_numeric("pgdp", v).unwrap();
    let scaled = feols(&ds, &FeolsSpec::new(F, cl())).unwrap();
    let (a, b) = (base.coef("pgdp").unwrap(), scaled.coef("pgdp").unwrap());
    assert!(rel(b.estimate * 1000.0, a.estimate) < 1e-9);
    assert!(rel(b.std_error * 1000.0, a.std_error) < 1e-9);
    assert!(rel(b.statistic, a.statistic) < 1e-9);
    assert!(rel(scaled.coef("FTZ").unwrap().estimate, base.coef("FTZ").unwrap().estimate) < 1e-9);
}

#[test]
fn integer_weights_equal_duplicated_rows() {
    let mut ds = jjj();
    let n = ds.nrows();
    let w: Vec<f64> = (0..n).map(|i| 1.0 + (i % 3) as f64).collect();
    ds.add_numeric("w", w.clone()).unwrap();
    let mut spec = FeolsSpec::new(F, VcovSpec::Iid);
    spec.weights = Some("w".into());
    let wf = feols(&ds, &spec).unwrap();
    let idx: Vec<usize> = (0..n).flat_map(|i| std::iter::repeat(i).take(w[i] as usize)).collect();
    let dup = feols(&ds.take_rows(&idx), &FeolsSpec::new(F, VcovSpec::Iid)).unwrap();
    for (a, b) in wf.coefficients.iter().zip(&dup.coefficients) {
        assert!(rel(a.estimate, b.estimate) < 1e-8, "{}", a.term);
    }
    assert!(rel(wf.r2, dup.r2) < 1e-9);
}

#[test]
fn singletons_removed_and_reported() {
    let mut ds = jjj();
    // give one row its own city -> singleton
    let mut city: Vec<Option<String>> =
        (0..ds.nrows()).map(|i| Some(ds.column("city").unwrap().display(i))).collect();
    city[5] = Some("Lonely".into());
    ds.add_column(quasi::Column::text("city", city)).unwrap();
    let fit = feols(&ds, &FeolsSpec::new(F, VcovSpec::Iid)).unwrap();
    assert_eq!(fit.nobs, 129);
    assert!(fit.dropped.iter().any(|d| d.contains("1 singleton")), "{:?}", fit.dropped);
    let keep: Vec<bool> = (0..ds.nrows()).map(|i| i != 5).collect();
    let other = feols(&ds.filter_rows(&keep).unwrap(), &FeolsSpec::new(F, VcovSpec::Iid)).unwrap();
    same(&fit, &other, 1e-9);
    let mut spec = FeolsSpec::new(F, VcovSpec::Iid);
    spec.fixef_rm_singletons = false;
    assert_eq!(feols(&ds, &spec).unwrap().nobs, 130);
}

#[test]
fn demeaned_design_reuse_and_fwl() {
    let ds = jjj();
    let spec = FeolsSpec::new(F, cl());
    let design = DemeanedDesign::new(&ds, &spec).unwrap();
    assert_eq!(design.fit(&spec.vcov, 0.95).unwrap(), feols(&ds, &spec).unwrap());
    // a fake treatment: FTZ shifted by one year within city (here: use pgdp > median as a stand-in)
    let fake: Vec<f64> = ds.numeric("year").unwrap().iter().map(|y| if *y >= 2018.0 { 1.0 } else { 0.0 }).collect();
    let fake: Vec<f64> = fake.iter().zip(ds.numeric("fe").unwrap()).map(|(a, b)| a * b).collect();
    let mut ds2 = ds.clone();
    ds2.add_numeric("FTZ", fake.clone()).unwrap();
    let full = feols(&ds2, &spec).unwrap();
    let d = design.demean_extra(&fake).unwrap();
    let refit = design.with_demeaned_column("FTZ", d.clone()).unwrap().fit(&spec.vcov, 0.95).unwrap();
    same(&full, &refit, 1e-7);
    let fwl = design.fwl("FTZ").unwrap();
    assert!(rel(fwl.coef(&d), full.coef("FTZ").unwrap().estimate) < 1e-8);
}

#[test]
fn collinear_and_constant_regressors_are_dropped_with_a_note() {
    let mut ds = jjj();
    ds.add_numeric("const", vec![3.0; ds.nrows()]).unwrap();
    let fe2: Vec<f64> = ds.numeric("fe").unwrap().iter().map(|v| 2.0 * v).collect();
    ds.add_numeric("fe2", fe2).unwrap();
    let fit = feols(&ds, &FeolsSpec::new("lnHDQ ~ FTZ + fe + fe2 + const", VcovSpec::Iid)).unwrap();
    assert_eq!(fit.coefficients.iter().map(|c| c.term.as_str()).collect::<Vec<_>>(), ["Intercept", "FTZ", "fe"]);
    assert!(fit.dropped.iter().any(|d| d.contains("`fe2`")));
    assert!(fit.dropped.iter().any(|d| d.contains("`const`")));
    // a unit-invariant regressor is collinear with the unit fixed effect
    let fit = feols(&ds, &FeolsSpec::new("lnHDQ ~ FTZ + ftz_year | city + year", VcovSpec::Iid));
    // ftz_year is missing for never-treated cities: rows dropped, then collinear with city
    let fit = fit.unwrap();
    assert!(fit.dropped.iter().any(|d| d.contains("`ftz_year`")), "{:?}", fit.dropped);
    assert!(fit.dropped.iter().any(|d| d.contains("missing")), "{:?}", fit.dropped);
    let err = feols(&ds, &FeolsSpec::new("lnHDQ ~ const | city + year", VcovSpec::Iid)).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InsufficientData { .. }), "{err}");
}

#[test]
fn bad_input_gives_clear_errors() {
    let ds = jjj();
    let e = feols(&ds, &FeolsSpec::new("lnHDQ ~ FTZ + pgpd | city", VcovSpec::Iid)).unwrap_err();
    match e.kind() {
        ErrorKind::UnknownColumn { name, suggestion } => {
            assert_eq!(name, "pgpd");
            assert_eq!(suggestion.as_deref(), Some("pgdp"));
        }
        k => panic!("{k:?}"),
    }
    let e = feols(&ds, &FeolsSpec::new("lnHDQ ~ FTZ + province", VcovSpec::Iid)).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NonNumeric { .. }), "{e}");
    let e = feols(&ds, &FeolsSpec::new("lnHDQ ~ FTZ + | city", VcovSpec::Iid)).unwrap_err();
    match e.kind() {
        ErrorKind::Formula { position, .. } => assert_eq!(*position, 14),
        k => panic!("{k:?}"),
    }
    let mut d2 = ds.clone();
    d2.add_numeric("allnan", vec![f64::NAN; ds.nrows()]).unwrap();
    let e = feols(&d2, &FeolsSpec::new("lnHDQ ~ FTZ + allnan", VcovSpec::Iid)).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InsufficientData { .. }), "{e}");
    assert!(e.to_string().contains("no observations left"));
    // more parameters than observations
    let small = ds.take_rows(&[0, 1, 2]);
    let e = feols(&small, &FeolsSpec::new("lnHDQ ~ FTZ + fe + lnstru + urba", VcovSpec::Iid)).unwrap_err();
    assert!(e.to_string().contains("parameters"), "{e}");
    let e = feols(&ds, &FeolsSpec::new(F, VcovSpec::Cluster(vec!["nope".into()]))).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::UnknownColumn { .. }));
}

#[test]
fn spec_deserialises_js_forms() {
    let s: FeolsSpec = serde_json::from_str(r#"{"formula": "y ~ x", "vcov": {"cluster": ["city"]}}"#).unwrap();
    assert_eq!(s.vcov, VcovSpec::Cluster(vec!["city".into()]));
    assert!(s.fixef_rm_singletons);
    assert_eq!(s.conf_level, 0.95);
    let s: FeolsSpec = serde_json::from_str(r#"{"formula": "y ~ x", "vcov": "HC1", "weights": "w"}"#).unwrap();
    assert_eq!(s.vcov, VcovSpec::Hetero);
    let s: FeolsSpec = serde_json::from_str(r#"{"formula": "y ~ x", "vcov": {"cluster": ["a", "b"]}}"#).unwrap();
    assert_eq!(s.vcov, VcovSpec::Cluster(vec!["a".into(), "b".into()]));
    assert!(serde_json::from_str::<FeolsSpec>(r#"{"formula": "y ~ x", "vcov": "bogus"}"#).is_err());
    assert_eq!(serde_json::to_string(&VcovSpec::Cluster(vec!["c".into()])).unwrap(), r#"{"cluster":["c"]}"#);
    let fit = feols(&jjj(), &FeolsSpec::new(F, cl())).unwrap();
    let js = serde_json::to_value(&fit).unwrap();
    for key in ["coefficients", "nobs", "r2", "r2_within", "dropped", "vcov", "clusters", "fixed_effects"] {
        assert!(js.get(key).is_some(), "{key}");
    }
    assert!(js["coefficients"][0].get("conf_high").is_some());
}

#[test]
fn fixed_effects_equal_dummies_ols_and_iv() {
    let ds = jjj();
    // one FE dimension: K is the same either way (L levels vs intercept + L-1 dummies)
    for vc in [VcovSpec::Iid, VcovSpec::Hetero] {
        let a = feols(&ds, &FeolsSpec::new("lnHDQ ~ FTZ + pgdp | city", vc.clone())).unwrap();
        let b = feols(&ds, &FeolsSpec::new("lnHDQ ~ FTZ + pgdp + factor(city)", vc.clone())).unwrap();
        for t in ["FTZ", "pgdp"] {
            let (x, y) = (a.coef(t).unwrap(), b.coef(t).unwrap());
            assert!(rel(x.estimate, y.estimate) < 1e-8, "{t}");
            assert!(rel(x.std_error, y.std_error) < 1e-8, "{t} se {} {}", x.std_error, y.std_error);
        }
        assert!(rel(a.r2, b.r2) < 1e-10);
        // IV with a fixed effect = IV with the dummies as exogenous regressors
        let a = feols(&ds, &FeolsSpec::new("lnHDQ ~ pgdp | city | IL ~ FTZ + fdi", vc.clone())).unwrap();
        let b = feols(&ds, &FeolsSpec::new("lnHDQ ~ pgdp + factor(city) | IL ~ FTZ + fdi", vc)).unwrap();
        for t in ["IL", "pgdp"] {
            let (x, y) = (a.coef(t).unwrap(), b.coef(t).unwrap());
            assert!(rel(x.estimate, y.estimate) < 1e-8, "iv {t}");
            assert!(rel(x.std_error, y.std_error) < 1e-8, "iv {t} se {} {}", x.std_error, y.std_error);
        }
        let (fa, fb) = (&a.first_stage.as_ref().unwrap()[0], &b.first_stage.as_ref().unwrap()[0]);
        assert!(rel(fa.f_statistic, fb.f_statistic) < 1e-8);
        assert!(rel(fa.wald_statistic, fb.wald_statistic) < 1e-8);
    }
}

#[test]
fn two_way_clustering_with_an_observation_level_cluster_equals_one_way() {
    let mut ds = jjj();
    ds.add_numeric("obs", (0..ds.nrows()).map(|i| i as f64).collect()).unwrap();
    let one = feols(&ds, &FeolsSpec::new(F, cl())).unwrap();
    let two = feols(&ds, &FeolsSpec::new(F, VcovSpec::Cluster(vec!["city".into(), "obs".into()]))).unwrap();
    same(&one, &two, 1e-10);
    assert_eq!(two.clusters.len(), 2);
    assert_eq!(two.df_t, 12.0);
}

#[test]
fn f_statistic_and_adjusted_r2_by_hand() {
    let ds = jjj();
    let fit = feols(&ds, &FeolsSpec::new("lnHDQ ~ FTZ + fe + pgdp", VcovSpec::Hetero)).unwrap();
    let (n, k, r2) = (fit.nobs as f64, 4.0, fit.r2);
    let f = (r2 / 3.0) / ((1.0 - r2) / (n - k));
    assert!(rel(fit.f_stat.unwrap(), f) < 1e-10);
    assert!(rel(fit.adj_r2, 1.0 - (1.0 - r2) * (n - 1.0) / (n - k)) < 1e-12);
    assert_eq!(fit.df_resid, n - k);
    let fe = feols(&ds, &FeolsSpec::new(F, VcovSpec::Iid)).unwrap();
    // iid df: 130 - 6 slopes - (13 + 10 - 1) FE coefficients
    assert_eq!(fe.df_resid, 102.0);
    assert_eq!(fe.n_params, 28);
    let w = fe.r2_within.unwrap();
    assert!(rel(fe.f_stat.unwrap(), (w / 6.0) / ((1.0 - w) / 102.0)) < 1e-10);
}

#[test]
fn unbalanced_three_way_fixed_effects_match_dummies() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let n = 600;
    let a: Vec<f64> = (0..n).map(|_| rng.random_range(0..40) as f64).collect();
    let b: Vec<f64> = (0..n).map(|_| rng.random_range(0..15) as f64).collect();
    let c: Vec<f64> = (0..n).map(|_| rng.random_range(0..6) as f64).collect();
    let x: Vec<f64> = (0..n).map(|i| rng.random::<f64>() + 0.05 * a[i] + 0.1 * b[i]).collect();
    let z: Vec<f64> = (0..n).map(|i| rng.random::<f64>() * x[i]).collect();
    let y: Vec<f64> = (0..n).map(|i| 2.0 * x[i] - z[i] + 0.3 * a[i] + 0.5 * b[i] - c[i] + rng.random::<f64>()).collect();
    let ds = Dataset::from_columns(vec![
        quasi::Column::numeric("y", y),
        quasi::Column::numeric("x", x),
        quasi::Column::numeric("z", z),
        quasi::Column::numeric("a", a),
        quasi::Column::numeric("b", b),
        quasi::Column::numeric("c", c),
    ])
    .unwrap();
    let mut spec = FeolsSpec::new("y ~ x + z | a + b + c", VcovSpec::Hetero);
    spec.fixef_rm_singletons = false;
    let fe = feols(&ds, &spec).unwrap();
    let dummies = feols(&ds, &FeolsSpec::new("y ~ x + z + factor(a) + factor(b) + factor(c)", VcovSpec::Hetero)).unwrap();
    for t in ["x", "z"] {
        let (p, q) = (fe.coef(t).unwrap(), dummies.coef(t).unwrap());
        assert!(rel(p.estimate, q.estimate) < 1e-7, "{t}: {} vs {}", p.estimate, q.estimate);
        assert!(rel(p.std_error, q.std_error) < 1e-6, "{t}: se {} vs {}", p.std_error, q.std_error);
    }
    assert!(fe.converged && fe.iterations > 1);
    assert!(rel(fe.r2, dummies.r2) < 1e-9);
}

#[test]
fn instrument_absorbed_by_the_fixed_effects_is_named_as_such() {
    // `ftz_year` is constant within each city: with city fixed effects it cannot
    // instrument anything, and the message must say why.
    let ds = jjj();
    let spec = FeolsSpec::new("lnHDQ ~ fe | city + year | FTZ ~ ftz_year", VcovSpec::Iid);
    let e = feols(&ds, &spec).unwrap_err().to_string();
    assert!(e.contains("collinear with the exogenous regressors and the fixed effects"), "{e}");
    // Without fixed effects the instrument is still collinear (it is also an exogenous
    // regressor): an error, and the message does not blame fixed effects.
    let e = feols(&ds, &FeolsSpec::new("lnHDQ ~ fe + ftz_year | FTZ ~ ftz_year", VcovSpec::Iid))
        .unwrap_err()
        .to_string();
    assert!(e.contains("collinear with the exogenous regressors"), "{e}");
    assert!(!e.contains("fixed effects"), "{e}");
}
