//! DID inference: placebo / randomization inference (vs jjj_placebo.json within Monte-Carlo
//! error, and hand-worked enumerable examples), the wild cluster bootstrap (vs a brute-force
//! refit per draw), seeds, cancellation and error messages.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::estimators::did::*;
use quasi::{Column, Dataset, ErrorKind};
use serde_json::{json, Value};

fn jjj() -> Dataset {
    quasi::data::read_bytes(include_bytes!("fixtures/jjj_cities.csv"), &Default::default()).unwrap().dataset
}
fn spec_from(v: Value) -> PlaceboSpec {
    serde_json::from_value(v).unwrap()
}
fn jjj_placebo_spec(reps: usize, seed: u64) -> PlaceboSpec {
    spec_from(json!({
        "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year",
        "controls": ["fe", "lnstru", "urba", "fdi", "pgdp"], "vcov": { "cluster": ["city"] },
        "kind": "permute_units", "reps": reps, "seed": seed
    }))
}

/// Units A, B, C over periods 1, 2; A treated from 2. First differences ΔA = 3, ΔB = 1, ΔC = 2, so
/// with unit and period effects the DID of "unit j treated" is Δ_j − mean(Δ_others):
/// A: 3 − 1.5 = 1.5 (actual), B: 1 − 2.5 = −1.5, C: 2 − 2 = 0.
fn tiny() -> Dataset {
    let unit = ["A", "A", "B", "B", "C", "C"].iter().map(|s| Some(s.to_string())).collect();
    Dataset::from_columns(vec![
        Column::text("u", unit),
        Column::numeric("t", vec![1., 2., 1., 2., 1., 2.]),
        Column::numeric("s", vec![2., 2., 0., 0., 0., 0.]),
        Column::numeric("y", vec![10., 13., 5., 6., 7., 9.]),
    ])
    .unwrap()
}
fn tiny_spec(reps: usize) -> PlaceboSpec {
    spec_from(json!({ "y": "y", "unit": "u", "time": "t", "start": "s", "reps": reps, "seed": 3, "vcov": "iid" }))
}

#[test]
fn permutation_p_value_convention_by_hand() {
    let ds = tiny();
    // Enumerated: 3 assignments ≤ 500 reps; the actual is one of them; |−1.5| ≥ |1.5| ties count.
    let r = placebo(&ds, &tiny_spec(500), &mut |_| true).unwrap();
    assert!((r.actual - 1.5).abs() < 1e-12);
    assert!(r.enumerated);
    assert_eq!(r.n_possible, Some(3));
    assert_eq!(r.reps, 3);
    let mut d = r.draws.clone();
    d.sort_by(f64::total_cmp);
    for (a, b) in d.iter().zip([-1.5, 0.0, 1.5]) {
        assert!((a - b).abs() < 1e-12, "{d:?}");
    }
    assert!((r.p_value - 2.0 / 3.0).abs() < 1e-15);
    assert!(r.diagnostics.iter().any(|m| m.contains("only 3 distinct assignments")));
    // Random draws (2 < 3 assignments): p = share of the draws at least as extreme, actual not counted.
    let r = placebo(&ds, &tiny_spec(2), &mut |_| true).unwrap();
    assert!(!r.enumerated);
    assert_eq!(r.draws.len(), 2);
    let k = r.draws.iter().filter(|d| (d.abs() - 1.5).abs() < 1e-9).count();
    assert_eq!(r.p_value, k as f64 / 2.0);
    for d in &r.draws {
        assert!([-1.5, 0.0, 1.5].iter().any(|v| (v - d).abs() < 1e-9));
    }
}

#[test]
fn placebo_matches_jjj_reference_within_monte_carlo_error() {
    let reference: Value = serde_json::from_str(include_str!("fixtures/jjj_placebo.json")).unwrap();
    let r = placebo(&jjj(), &jjj_placebo_spec(2000, 1), &mut |_| true).unwrap();
    assert!((r.actual - reference["actual"].as_f64().unwrap()).abs() < 1e-9);
    assert_eq!(r.reps, 2000);
    assert!(!r.enumerated);
    assert_eq!(r.n_possible, Some(51480)); // 13! / (7! 4! 1! 1!)
    let (p, m, sd) = (
        reference["p_two_sided"].as_f64().unwrap(),
        reference["placebo_mean"].as_f64().unwrap(),
        reference["placebo_sd"].as_f64().unwrap(),
    );
    assert!((r.p_value - p).abs() <= 0.02, "p {} vs {p}", r.p_value);
    assert!((r.mean - m).abs() <= 0.01, "mean {} vs {m}", r.mean);
    assert!((r.sd / sd - 1.0).abs() <= 0.15, "sd {} vs {sd}", r.sd);
    let q = r.quantiles.as_ref().unwrap();
    assert!(q.p01 <= q.p05 && q.p05 <= q.p50 && q.p50 <= q.p95 && q.p95 <= q.p99);
    assert!(r.svg.starts_with("<svg"));
}

#[test]
fn placebo_draws_equal_full_refits() {
    // FWL draws equal refitting the whole model with the placebo column (first few draws).
    use quasi::estimators::feols::{feols, FeolsSpec, VcovSpec};
    use rand_chacha::rand_core::SeedableRng;
    let ds = jjj();
    let spec = jjj_placebo_spec(5, 11);
    let r = placebo(&ds, &spec, &mut |_| true).unwrap();
    let design = build_design(&ds, &spec.did.treatment).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    for b in 0..5 {
        let col = permute_units(&design, &mut rng);
        let mut d2 = ds.clone();
        d2.add_numeric("PL", col).unwrap();
        let fit = feols(&d2, &FeolsSpec::new("lnHDQ ~ PL + fe + lnstru + urba + fdi + pgdp | city + year", VcovSpec::Iid))
            .unwrap();
        let e = fit.coef("PL").unwrap().estimate;
        assert!((r.draws[b] - e).abs() < 1e-10 * (1.0 + e.abs()), "draw {b}: {} vs {e}", r.draws[b]);
    }
}

#[test]
fn placebo_seeds_are_reproducible() {
    let ds = jjj();
    let a = placebo(&ds, &jjj_placebo_spec(50, 7), &mut |_| true).unwrap();
    let b = placebo(&ds, &jjj_placebo_spec(50, 7), &mut |_| true).unwrap();
    let c = placebo(&ds, &jjj_placebo_spec(50, 8), &mut |_| true).unwrap();
    assert_eq!(a.draws, b.draws);
    assert_ne!(a.draws, c.draws);
    let mut s = jjj_placebo_spec(50, 7);
    s.kind = PlaceboKind::RandomTiming;
    let x = placebo(&ds, &s, &mut |_| true).unwrap();
    let y = placebo(&ds, &s, &mut |_| true).unwrap();
    assert_eq!(x.draws, y.draws);
    assert_eq!(x.kind, PlaceboKind::RandomTiming);
    assert!(x.mean.abs() < 0.1);
}

#[test]
fn placebo_cancel_and_progress() {
    let ds = jjj();
    let mut calls = Vec::new();
    let r = placebo(&ds, &jjj_placebo_spec(120, 1), &mut |f| {
        calls.push(f);
        true
    })
    .unwrap();
    assert_eq!(r.reps, 120);
    assert_eq!(calls.first(), Some(&0.0));
    assert_eq!(calls.last(), Some(&1.0));
    let e = placebo(&ds, &jjj_placebo_spec(500, 1), &mut |f| f < 0.2).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Cancelled);
}

#[test]
fn in_time_placebo() {
    let ds = jjj();
    let mut s = jjj_placebo_spec(500, 1);
    s.kind = PlaceboKind::InTime;
    s.shift = 2;
    let r = placebo(&ds, &s, &mut |_| true).unwrap();
    let it = r.in_time.as_ref().unwrap();
    assert!(it.nobs < 130 && it.nobs > 0);
    assert_eq!(r.p_value, it.p_value);
    assert!(r.draws.is_empty());
    // the true effect 0.19 is not picked up by the fake (earlier) adoption
    assert!(it.estimate.abs() < 0.1, "{}", it.estimate);
    s.shift = 9;
    let e = placebo(&ds, &s, &mut |_| true).unwrap_err().to_string();
    assert!(e.contains("shift"), "{e}");
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn placebo_500_reps_is_fast() {
    let ds = jjj();
    let t = std::time::Instant::now();
    let r = placebo(&ds, &jjj_placebo_spec(500, 1), &mut |_| true).unwrap();
    let el = t.elapsed().as_secs_f64();
    println!("placebo: 500 reps on the 130-row panel in {el:.3} s");
    assert_eq!(r.reps, 500);
    assert!(el < 2.0, "500 placebo reps took {el} s");
}
