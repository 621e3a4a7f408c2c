//! DID inference: placebo / randomization inference (vs jjj_placebo.json within Monte-Carlo
//! error, hand-worked enumerable examples, degenerate draws, and every permutation,
//! random-timing and in-time draw against a full refit), the wild cluster bootstrap (vs a
//! brute-force refit per sign vector), seeds, cancellation and error messages.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::estimators::did::*;
use quasi::inference::replicate::draw_rng;
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
    assert!(r.diagnostics.messages().into_iter().any(|m| m.contains("only 3 distinct assignments")));
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
fn corrected_p_value_counts_the_actual_once() {
    let ds = tiny();
    // Enumerated: the actual assignment is among the 3, so the exact p needs no correction.
    let r = placebo(&ds, &tiny_spec(500), &mut |_| true).unwrap();
    assert!(r.enumerated);
    assert_eq!(r.p_value_corrected, r.p_value);
    assert!((r.p_value_corrected - 2.0 / 3.0).abs() < 1e-15);
    // Random draws: (1 + k) / (B + 1).
    for reps in [1, 2] {
        let r = placebo(&ds, &tiny_spec(reps), &mut |_| true).unwrap();
        assert!(!r.enumerated);
        assert_eq!(r.reps, reps);
        let k = r.draws.iter().filter(|d| d.abs() >= 1.5 * (1.0 - 1e-9)).count();
        assert_eq!(r.p_value, k as f64 / reps as f64);
        assert_eq!(r.p_value_corrected, (1 + k) as f64 / (reps + 1) as f64);
    }
    // The JJJ placebo: the share is 0 (no draw as extreme), the corrected value 1/(B + 1).
    let r = placebo(&jjj(), &jjj_placebo_spec(500, 1), &mut |_| true).unwrap();
    assert_eq!(r.p_value, 0.0);
    assert_eq!(r.p_value_corrected, 1.0 / 501.0);
}

/// Like [`tiny`] but with first differences ΔA = 0, ΔB = 2e13, ΔC = −2e13: the actual DID is 0
/// and the placebo DIDs of B and C are ±3e13 — huge, but perfectly estimable.
fn tiny_huge() -> Dataset {
    let unit = ["A", "A", "B", "B", "C", "C"].iter().map(|s| Some(s.to_string())).collect();
    Dataset::from_columns(vec![
        Column::text("u", unit),
        Column::numeric("t", vec![1., 2., 1., 2., 1., 2.]),
        Column::numeric("s", vec![2., 2., 0., 0., 0., 0.]),
        Column::numeric("y", vec![1., 1., 0., 2e13, 0., -2e13]),
    ])
    .unwrap()
}

#[test]
fn huge_placebo_estimates_are_not_degenerate() {
    let r = placebo(&tiny_huge(), &tiny_spec(500), &mut |_| true).unwrap();
    assert!(r.enumerated);
    assert_eq!((r.reps, r.n_degenerate), (3, 0), "{:?}", r.draws);
    let mut d = r.draws.clone();
    d.sort_by(f64::total_cmp);
    for (a, b) in d.iter().zip([-3e13, 0.0, 3e13]) {
        assert!((a - b).abs() <= 1e-9 * 3e13, "{d:?}");
    }
    assert_eq!(r.p_value, 1.0);
    assert!(!r.diagnostics.messages().into_iter().any(|m| m.contains("degenerate")), "{:?}", r.diagnostics);
}

/// Units A and B observed in periods 1–3, C and D only in 2–3; A adopts in period 2. A
/// placebo giving the adoption to C or D makes its DID 1 on all of that unit's rows: absorbed by
/// the unit effect (degenerate). Giving it to A (the actual) or B is estimable.
fn late_entrants() -> Dataset {
    let u = ["A", "A", "A", "B", "B", "B", "C", "C", "D", "D"].iter().map(|s| Some(s.to_string())).collect();
    Dataset::from_columns(vec![
        Column::text("u", u),
        Column::numeric("t", vec![1., 2., 3., 1., 2., 3., 2., 3., 2., 3.]),
        Column::numeric("s", vec![2., 2., 2., 0., 0., 0., 0., 0., 0., 0.]),
        Column::numeric("y", vec![1., 2., 6., 2., 2.5, 3., 4., 4.5, 0., 1.2]),
    ])
    .unwrap()
}

/// The DID with unit `who` (alone) adopting in period 2, by a full refit.
fn late_entrants_did(who: &str) -> f64 {
    let mut ds = late_entrants();
    let u = ds.factor("u").unwrap();
    let s: Vec<f64> = u.codes.iter().map(|&c| if u.levels[c as usize] == who { 2.0 } else { 0.0 }).collect();
    ds.add_numeric("s2", s).unwrap();
    let spec: DidSpec =
        serde_json::from_value(json!({ "y": "y", "unit": "u", "time": "t", "start": "s2", "vcov": "iid" })).unwrap();
    did(&ds, &spec).unwrap().estimate
}

#[test]
fn degenerate_placebo_draws_are_excluded_and_counted() {
    let ds = late_entrants();
    // Enumerated: 4 assignments, 2 degenerate (C, D); B = 2 (A = actual, and B).
    let r = placebo(&ds, &tiny_spec(500), &mut |_| true).unwrap();
    assert!(r.enumerated);
    assert_eq!(r.n_possible, Some(4));
    assert_eq!((r.reps, r.n_degenerate, r.draws.len()), (2, 2, 2), "{:?}", r.draws);
    let (a, b) = (late_entrants_did("A"), late_entrants_did("B"));
    assert!((r.actual - a).abs() < 1e-10);
    let mut d = r.draws.clone();
    d.sort_by(f64::total_cmp);
    let mut want = vec![a, b];
    want.sort_by(f64::total_cmp);
    for (x, y) in d.iter().zip(&want) {
        assert!((x - y).abs() < 1e-10, "{d:?} vs {want:?}");
    }
    let k = [a, b].iter().filter(|v| v.abs() >= a.abs() * (1.0 - 1e-9)).count();
    assert_eq!(r.p_value, k as f64 / 2.0);
    assert_eq!(r.p_value_corrected, r.p_value);
    assert!(r.diagnostics.messages().into_iter().any(|m| m.contains("2 of 4 placebo assignments were degenerate")), "{:?}", r.diagnostics);
    assert!(r.diagnostics.has(quasi::Code::DegeneratePlaceboDraws));

    // Random draws (3 < 4 assignments): the same per-draw streams (draw_rng); a draw is degenerate
    // exactly when it treats C or D.
    let (mut mixed, mut all_degenerate) = (0, 0);
    for seed in 1u64..=12 {
        let mut spec = tiny_spec(3);
        spec.seed = seed;
        let design = build_design(&ds, &spec.did.treatment).unwrap();
        let u = ds.factor("u").unwrap();
        let mut want = Vec::new();
        let mut n_deg = 0;
        for b in 0..3 {
            let col = permute_units(&design, &mut draw_rng(seed, b));
            let who = (0..col.len()).find(|&i| col[i] == 1.0).map(|i| u.levels[u.codes[i] as usize].clone()).unwrap();
            if who == "C" || who == "D" {
                n_deg += 1;
            } else {
                want.push(late_entrants_did(&who));
            }
        }
        match placebo(&ds, &spec, &mut |_| true) {
            Ok(r) => {
                assert_eq!(r.n_degenerate, n_deg, "seed {seed}");
                assert_eq!(r.reps, 3 - n_deg, "seed {seed}");
                assert_eq!(r.draws.len(), want.len());
                for (x, y) in r.draws.iter().zip(&want) {
                    assert!((x - y).abs() < 1e-10, "seed {seed}: {:?} vs {want:?}", r.draws);
                }
                let k = want.iter().filter(|v| v.abs() >= a.abs() * (1.0 - 1e-9)).count();
                assert_eq!(r.p_value_corrected, (1 + k) as f64 / (want.len() + 1) as f64);
                mixed += usize::from(n_deg > 0);
            }
            Err(e) => {
                // Every draw degenerate: a clear error, not a p-value from nothing.
                assert_eq!(n_deg, 3, "seed {seed}: {e}");
                assert!(matches!(e.kind(), ErrorKind::InsufficientData { .. }), "{e}");
                assert!(e.to_string().contains("collinear with the fixed effects"), "{e}");
                all_degenerate += 1;
            }
        }
    }
    // Both situations occurred among the seeds.
    assert!(mixed > 0 && all_degenerate > 0, "{mixed} {all_degenerate}");
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
    let ds = jjj();
    let spec = jjj_placebo_spec(5, 11);
    let r = placebo(&ds, &spec, &mut |_| true).unwrap();
    let design = build_design(&ds, &spec.did.treatment).unwrap();
    for b in 0..5 {
        let col = permute_units(&design, &mut draw_rng(11, b));
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

fn panel_placebo_spec(kind: &str, reps: usize, seed: u64) -> PlaceboSpec {
    spec_from(json!({
        "y": "y", "unit": "unit", "time": "t", "start": "start", "controls": ["x"],
        "kind": kind, "reps": reps, "seed": seed, "shift": 1
    }))
}

/// The DID of `ds` with adoption column `start`, refitted from scratch.
fn refit_did(ds: &Dataset, start: &str) -> DidResult {
    let spec: DidSpec = serde_json::from_value(
        json!({ "y": "y", "unit": "unit", "time": "t", "start": start, "controls": ["x"] }),
    )
    .unwrap();
    did(ds, &spec).unwrap()
}

#[test]
fn random_timing_draws_equal_refits_with_fake_adoption_times() {
    for (ds, seed) in [(small_panel(), 5u64), (panel(10, 0.3, 1), 9)] {
        let spec = panel_placebo_spec("random_timing", 25, seed);
        let r = placebo(&ds, &spec, &mut |_| true).unwrap();
        assert_eq!((r.reps, r.n_degenerate, r.draws.len()), (25, 0, 25));
        let design = build_design(&ds, &spec.did.treatment).unwrap();
        let unit = ds.factor("unit").unwrap();
        let time = ds.numeric("t").unwrap().to_vec();
        for b in 0..25 {
            let col = random_timing(&design, &mut draw_rng(seed, b)).unwrap();
            // Read the fake adoption time of every unit off the column ...
            let mut adopt = vec![f64::INFINITY; unit.n_levels()];
            for i in 0..col.len() {
                if col[i] == 1.0 {
                    let a = &mut adopt[unit.codes[i] as usize];
                    *a = a.min(time[i]);
                }
            }
            // ... check it is a random-timing assignment (3 fake units, adopting in periods 2..=5,
            // treated from then on) ...
            let fake: Vec<f64> = adopt.iter().copied().filter(|a| a.is_finite()).collect();
            assert_eq!(fake.len(), 3, "draw {b}: {adopt:?}");
            assert!(fake.iter().all(|a| (2.0..=5.0).contains(a)), "draw {b}: {adopt:?}");
            for i in 0..col.len() {
                assert_eq!(col[i], f64::from(u8::from(time[i] >= adopt[unit.codes[i] as usize])), "draw {b} row {i}");
            }
            // ... and refit the DID with those adoption times as the data's `start` column.
            let mut d2 = ds.clone();
            let fake_start: Vec<f64> = unit
                .codes
                .iter()
                .map(|&c| if adopt[c as usize].is_finite() { adopt[c as usize] } else { 0.0 })
                .collect();
            d2.add_numeric("fake_start", fake_start).unwrap();
            let e = refit_did(&d2, "fake_start").estimate;
            assert!((r.draws[b] - e).abs() < 1e-10 * (1.0 + e.abs()), "draw {b}: {} vs {e}", r.draws[b]);
        }
    }
}

#[test]
fn in_time_placebo_equals_refit_on_pre_policy_rows() {
    // Adoption 3, 3, 4 (units 0-2), others never; the last in-panel adoption is 4. A shift of 1:
    // treated units keep their rows before the actual adoption and adopt one period earlier;
    // the others keep the rows before period 4.
    for ds in [small_panel(), panel(10, 0.3, 1)] {
        let r = placebo(&ds, &panel_placebo_spec("in_time", 500, 1), &mut |_| true).unwrap();
        let it = r.in_time.as_ref().unwrap();
        let start = ds.numeric("start").unwrap().to_vec();
        let time = ds.numeric("t").unwrap().to_vec();
        let keep: Vec<bool> = (0..ds.nrows()).map(|i| if start[i] > 0.0 { time[i] < start[i] } else { time[i] < 4.0 }).collect();
        let mut d2 = ds.clone();
        d2.add_numeric("fake_start", start.iter().map(|s| if *s > 0.0 { s - 1.0 } else { 0.0 }).collect()).unwrap();
        let d2 = d2.filter_rows(&keep).unwrap();
        let bf = refit_did(&d2, "fake_start");
        assert_eq!(it.nobs, bf.nobs);
        assert_eq!(it.nobs, keep.iter().filter(|k| **k).count());
        for (a, b) in [(it.estimate, bf.estimate), (it.std_error, bf.std_error), (it.p_value, bf.p_value), (it.conf_low, bf.conf_low)] {
            assert!((a - b).abs() < 1e-10 * (1.0 + b.abs()), "{a} vs {b}");
        }
        assert_eq!(r.p_value, it.p_value);
        assert_eq!(r.p_value_corrected, it.p_value);
    }
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

// ---------------------------------------------------------------------------------------------
// Wild cluster bootstrap

/// 7 units × 5 periods, units 0 and 1 treated from period 3, unit 2 from period 4; a control x.
fn small_panel() -> Dataset {
    panel(7, 0.3, 12345)
}

/// `g` units × 5 periods, units 0 and 1 treated from period 3, unit 2 from period 4; a control
/// x; true DID `effect`; noise from an LCG seeded with `seed`.
fn panel(g: usize, effect: f64, seed: u64) -> Dataset {
    let (mut u, mut t, mut s, mut x, mut y) = (vec![], vec![], vec![], vec![], vec![]);
    let mut state = seed;
    let mut noise = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    for unit in 0..g {
        let start = match unit {
            0 | 1 => 3.0,
            2 => 4.0,
            _ => 0.0,
        };
        for period in 1..=5 {
            let xv = noise() * 2.0 + period as f64 * 0.1;
            let d = if start > 0.0 && period as f64 >= start { 1.0 } else { 0.0 };
            u.push(Some(format!("u{unit}")));
            t.push(period as f64);
            s.push(start);
            x.push(xv);
            y.push(effect * d + 0.5 * xv + unit as f64 * 0.2 + period as f64 * 0.1 + noise());
        }
    }
    Dataset::from_columns(vec![
        Column::text("unit", u),
        Column::numeric("t", t),
        Column::numeric("start", s),
        Column::numeric("x", x),
        Column::numeric("y", y),
    ])
    .unwrap()
}

/// Brute force: refit the restricted model, build y* = ŷ_r + u·v_g for every sign vector, refit the
/// full model with CRV1 and count |t*| ≥ |t|.
fn brute_force_p(ds: &Dataset, null: f64, impose_null: bool) -> f64 {
    use quasi::estimators::feols::{feols, FeolsSpec, VcovSpec};
    let design = build_design(ds, &TreatmentSpec { unit: "unit".into(), time: "t".into(), start: Some("start".into()), ..Default::default() }).unwrap();
    let mut d0 = ds.clone();
    d0.add_numeric("D", design.did.clone()).unwrap();
    let y = ds.numeric("y").unwrap().to_vec();
    let cl = VcovSpec::Cluster(vec!["unit".into()]);
    let full = feols(&d0, &FeolsSpec::new("y ~ D + x | unit + t", cl.clone())).unwrap();
    let c = full.coef("D").unwrap();
    let t = (c.estimate - null) / c.std_error;
    let (u, centre) = if impose_null {
        let yr: Vec<f64> = y.iter().zip(&design.did).map(|(a, d)| a - null * d).collect();
        d0.add_numeric("yr", yr).unwrap();
        let r = feols(&d0, &FeolsSpec::new("yr ~ x | unit + t", VcovSpec::Iid)).unwrap();
        (r.residuals.clone(), null)
    } else {
        (full.residuals.clone(), c.estimate)
    };
    let unit = ds.factor("unit").unwrap();
    let g = unit.n_levels();
    let mut count = 0;
    for b in 0..(1usize << g) {
        let ystar: Vec<f64> = (0..y.len())
            .map(|i| {
                let v = if (b >> unit.codes[i]) & 1 == 0 { 1.0 } else { -1.0 };
                y[i] - u[i] + u[i] * v
            })
            .collect();
        let mut d = d0.clone();
        d.add_numeric("ystar", ystar).unwrap();
        let f = feols(&d, &FeolsSpec::new("ystar ~ D + x | unit + t", cl.clone())).unwrap();
        let cs = f.coef("D").unwrap();
        let ts = (cs.estimate - centre) / cs.std_error;
        if ts.abs() >= t.abs() * (1.0 - 1e-9) {
            count += 1;
        }
    }
    count as f64 / (1usize << g) as f64
}

fn wild_spec(v: Value) -> WildSpec {
    let mut base = json!({ "y": "y", "unit": "unit", "time": "t", "start": "start", "controls": ["x"], "reps": 999 });
    for (k, x) in v.as_object().unwrap() {
        base[k] = x.clone();
    }
    serde_json::from_value(base).unwrap()
}

#[test]
fn wild_bootstrap_equals_brute_force_under_enumeration() {
    let ds = small_panel();
    for (h0, impose) in [(0.0, true), (0.3, true), (-0.2, true), (0.0, false), (0.5, false)] {
        let r = wild_bootstrap(&ds, &wild_spec(json!({ "null": h0, "impose_null": impose }))).unwrap();
        assert!(r.enumerated);
        assert_eq!((r.reps, r.n_clusters), (128, 7));
        let bf = brute_force_p(&ds, h0, impose);
        assert_eq!(r.p_value, bf, "null {h0}, impose {impose}");
        assert!(r.p_value >= 2.0 / 128.0);
    }
    // The interval is the acceptance region: p at its ends crosses 0.05.
    let r = wild_bootstrap(&ds, &wild_spec(json!({}))).unwrap();
    assert!(r.conf_low < r.estimate && r.estimate < r.conf_high, "{r:?}");
    let p_at = |b0: f64| wild_bootstrap(&ds, &wild_spec(json!({ "null": b0 }))).unwrap().p_value;
    let w = r.conf_high - r.conf_low;
    assert!(p_at(r.conf_low + 1e-6 * w) >= 0.05 && p_at(r.conf_low - 1e-6 * w) < 0.05);
    assert!(p_at(r.conf_high - 1e-6 * w) >= 0.05 && p_at(r.conf_high + 1e-6 * w) < 0.05);
}

#[test]
fn wild_bootstrap_at_t_near_2_equals_brute_force() {
    // G = 10 clusters, a moderate effect: t ≈ 2, so the p-value is well inside (0, 1), far from
    // its floor 2/2^G, and must equal the count over all 1,024 explicit refits exactly.
    let ds = panel(10, 0.3, 1);
    for impose in [true, false] {
        let r = wild_bootstrap(&ds, &wild_spec(json!({ "reps": 2000, "impose_null": impose }))).unwrap();
        assert!(r.enumerated);
        assert_eq!((r.reps, r.n_clusters), (1024, 10));
        assert!(r.t_stat > 1.8 && r.t_stat < 2.3, "t {}", r.t_stat);
        let bf = brute_force_p(&ds, 0.0, impose);
        assert_eq!(r.p_value, bf, "impose {impose}");
        assert!(r.p_value > 0.02 && r.p_value < 0.3, "p {}", r.p_value);
        // Symmetric under enumeration: v and −v give the same |t*|, so the count is even.
        let k = (r.p_value * 1024.0).round() as usize;
        assert_eq!(k as f64 / 1024.0, r.p_value);
        assert_eq!(k % 2, 0, "{k}");
    }
}

#[test]
fn wild_bootstrap_jjj_sanity_and_seeds() {
    let ds = jjj();
    let spec: WildSpec = serde_json::from_value(json!({
        "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year",
        "controls": ["fe", "lnstru", "urba", "fdi", "pgdp"], "vcov": { "cluster": ["city"] },
        "reps": 9999, "weights": "rademacher", "seed": 1
    }))
    .unwrap();
    // std::time::Instant panics on wasm32-unknown-unknown: time natively only.
    #[cfg(not(target_arch = "wasm32"))]
    let t0 = std::time::Instant::now();
    let r = wild_bootstrap(&ds, &spec).unwrap();
    #[cfg(not(target_arch = "wasm32"))]
    println!("wild bootstrap (2^13 enumerated + CI inversion): {:.3} s", t0.elapsed().as_secs_f64());
    assert!(r.enumerated && r.reps == 8192 && r.n_clusters == 13);
    assert!((r.estimate - 0.20121545032479982).abs() < 1e-9);
    assert!((r.t_stat - 28.71503395588172).abs() < 1e-3);
    // A huge effect: p at its floor 2/2^13 (v and −v reproduce |t|), interval around 0.2.
    assert!((r.p_value - 2.0 / 8192.0).abs() < 1e-15, "{}", r.p_value);
    assert!(r.conf_low > 0.15 && r.conf_high < 0.25 && r.conf_low < r.estimate && r.estimate < r.conf_high, "{r:?}");
    // The true effect 0.19 is not rejected at 1 % ... and far values are.
    let mut s2 = spec.clone();
    s2.null = 0.0;
    s2.weights = WildWeights::Webb;
    let a = wild_bootstrap(&ds, &s2).unwrap();
    let b = wild_bootstrap(&ds, &s2).unwrap();
    assert_eq!(a, b);
    assert!(!a.enumerated && a.reps == 9999);
    assert!(a.p_value < 0.01);
    s2.seed = 2;
    let c = wild_bootstrap(&ds, &s2).unwrap();
    assert!((c.p_value - a.p_value).abs() < 0.01);
}

#[test]
fn wild_bootstrap_errors() {
    let ds = small_panel();
    let e = wild_bootstrap(&ds, &wild_spec(json!({ "vcov": "hetero" }))).unwrap_err().to_string();
    assert!(e.contains("clustered vcov"), "{e}");
    let mut s = wild_spec(json!({}));
    s.did.weights = Some("x".into());
    let e = wild_bootstrap(&ds, &s).unwrap_err().to_string();
    assert!(e.contains("weights"), "{e}");
    let e = wild_bootstrap(&ds, &wild_spec(json!({ "vcov": { "cluster": ["unit", "t"] } }))).unwrap_err().to_string();
    assert!(e.contains("exactly one cluster"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Error messages the issue lists

fn did_err(ds: &Dataset, v: Value) -> String {
    let spec: DidSpec = serde_json::from_value(v).unwrap();
    did(ds, &spec).unwrap_err().to_string()
}

#[test]
fn clear_errors() {
    let ds = tiny();
    // No treated units.
    let mut d = ds.clone();
    d.add_numeric("s0", vec![0.0; 6]).unwrap();
    let e = did_err(&d, json!({ "y": "y", "unit": "u", "time": "t", "start": "s0" }));
    assert!(e.contains("no treated units"), "{e}");
    // Adoption outside the panel (after the last period): no treated units within the panel.
    d.add_numeric("s9", vec![9.0, 9.0, 0., 0., 0., 0.]).unwrap();
    let e = did_err(&d, json!({ "y": "y", "unit": "u", "time": "t", "start": "s9" }));
    assert!(e.contains("after the panel"), "{e}");
    // No never-treated or not-yet-treated controls.
    d.add_numeric("sall", vec![2.0; 6]).unwrap();
    let e = did_err(&d, json!({ "y": "y", "unit": "u", "time": "t", "start": "sall" }));
    assert!(e.contains("no never-treated or not-yet-treated controls"), "{e}");
    // A unit whose treatment switches off.
    d.add_numeric("ind", vec![1., 0., 0., 0., 0., 0.]).unwrap();
    let e = did_err(&d, json!({ "y": "y", "unit": "u", "time": "t", "indicator": "ind" }));
    assert!(e.contains("switches treatment off"), "{e}");
    // Missing outcome.
    let e = did_err(&d, json!({ "unit": "u", "time": "t", "start": "s" }));
    assert!(e.contains("outcome"), "{e}");
    // Unknown control.
    let e = did_err(&d, json!({ "y": "y", "unit": "u", "time": "t", "start": "s", "controls": ["nope"] }));
    assert!(e.contains("nope"), "{e}");
    // Event window entirely beyond the data (event times run from -1 to 0 here).
    let es: EventStudySpec =
        serde_json::from_value(json!({ "y": "y", "unit": "u", "time": "t", "start": "s", "window": [3, 5], "ref": 4 }))
            .unwrap();
    let e = event_study(&ds, &es).unwrap_err().to_string();
    assert!(e.contains("event times in the data run from -1 to 0"), "{e}");
    // A window partly beyond the data is clipped, with a diagnostic.
    let es: EventStudySpec =
        serde_json::from_value(json!({ "y": "y", "unit": "u", "time": "t", "start": "s", "window": [-5, 5] })).unwrap();
    let r = event_study(&jjj(), &{
        let mut s = es.clone();
        s.did.y = "lnHDQ".into();
        s.did.treatment = TreatmentSpec { unit: "city".into(), time: "year".into(), start: Some("ftz_year".into()), ..Default::default() };
        s.window.window = Some((-9, 9));
        s
    })
    .unwrap();
    assert!(r.diagnostics.messages().into_iter().any(|m| m.contains("clipped to [-7, 7]")), "{:?}", r.diagnostics);
    // A DID column name clashing with a used column.
    let e = did_err(&d, json!({ "y": "y", "unit": "u", "time": "t", "start": "s", "controls": ["s0"], "name": "s0" }));
    assert!(e.contains("has the name of a column the model uses"), "{e}");
}

