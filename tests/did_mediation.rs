//! Mediation (the three-step mechanism regressions): one common sample for the three steps, so
//! that total = direct + a·b holds exactly in-sample, and the bootstrap of a·b resampling at the
//! clustering level of the vcov (clusters, or rows for iid / hetero), against a brute-force
//! replay of the same draws with the regular feols engine.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::estimators::did::*;
use quasi::estimators::feols::{feols, FeolsSpec, VcovSpec};
use quasi::{Column, Dataset};
use quasi::inference::replicate::draw_rng;
use rand::RngCore;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// 10 units × 5 periods in 5 regions (units 2r and 2r + 1); units 0, 1 adopt in period 3, unit 2
/// in period 4, the rest never. Control x, mediator m (driven by the DID), outcome y (driven by
/// the DID and m). The mediator is missing in rows 3, 17 and 22, the outcome in row 30.
fn data() -> Dataset {
    let (mut u, mut reg, mut t, mut s, mut x, mut m, mut y) = (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut state = 777u64;
    let mut noise = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    for unit in 0..10 {
        let start = match unit {
            0 | 1 => 3.0,
            2 => 4.0,
            _ => 0.0,
        };
        for period in 1..=5 {
            let d = if start > 0.0 && period as f64 >= start { 1.0 } else { 0.0 };
            let xv = noise() * 2.0;
            let mv = 0.8 * d + 0.3 * xv + 0.1 * unit as f64 + noise();
            u.push(Some(format!("u{unit}")));
            reg.push(Some(format!("r{}", unit / 2)));
            t.push(period as f64);
            s.push(start);
            x.push(xv);
            m.push(mv);
            y.push(0.2 * d + 0.5 * mv + 0.4 * xv + 0.05 * period as f64 + noise());
        }
    }
    for i in [3, 17, 22] {
        m[i] = f64::NAN;
    }
    y[30] = f64::NAN;
    Dataset::from_columns(vec![
        Column::text("unit", u),
        Column::text("region", reg),
        Column::numeric("t", t),
        Column::numeric("start", s),
        Column::numeric("x", x),
        Column::numeric("m", m),
        Column::numeric("y", y),
    ])
    .unwrap()
}

fn spec(extra: Value) -> MediationSpec {
    let mut v = json!({ "y": "y", "unit": "unit", "time": "t", "start": "start", "controls": ["x"], "mediator": "m",
                        "bootstrap": 0, "seed": 7 });
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    serde_json::from_value(v).unwrap()
}

#[test]
fn the_three_steps_share_one_sample_and_total_is_direct_plus_indirect() {
    let ds = data();
    for vcov in [json!(null), json!("iid"), json!({ "cluster": ["region"] })] {
        let r = mediation(&ds, &spec(json!({ "vcov": vcov }))).unwrap();
        // 50 rows, 4 with the mediator or the outcome missing.
        let n: Vec<usize> = r.steps.iter().map(|s| s.nobs).collect();
        assert_eq!(n, vec![46, 46, 46], "{vcov}");
        let (a, b) = (r.sobel.a, r.sobel.b);
        assert!((r.total - (r.direct + a * b)).abs() < 1e-10, "{vcov}: {} vs {} + {}", r.total, r.direct, a * b);
        assert!(
            r.diagnostics.messages().into_iter().any(|d| d.contains("3 rows") && d.contains("mediator")),
            "{vcov}: {:?}",
            r.diagnostics
        );
    }
}

/// `extras::below`: uniform integer in 0..n by rejection on `next_u64`.
fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % n;
        }
    }
}

fn quantile7(s: &[f64], p: f64) -> f64 {
    let h = (s.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(s.len() - 1);
    s[lo] + (h - lo as f64) * (s[hi] - s[lo])
}

/// Replays the bootstrap by hand: the common sample (rows with y and m present), groups of rows
/// by `cluster` (None: every row its own group), `reps` draws of as many groups with
/// replacement, draw `b` from `draw_rng(seed, b)`, a and b refitted with feols, and the 95 % percentile limits
/// and the number of usable draws.
fn brute_force_interval(ds: &Dataset, cluster: Option<&str>, reps: usize, seed: u64) -> (f64, f64, usize) {
    let design = build_design(
        ds,
        &TreatmentSpec { unit: "unit".into(), time: "t".into(), start: Some("start".into()), ..Default::default() },
    )
    .unwrap();
    let mut d = ds.clone();
    d.add_numeric("DID", design.did.clone()).unwrap();
    let (y, m) = (ds.numeric("y").unwrap().to_vec(), ds.numeric("m").unwrap().to_vec());
    let keep: Vec<bool> = (0..ds.nrows()).map(|i| y[i].is_finite() && m[i].is_finite()).collect();
    let common = d.filter_rows(&keep).unwrap();
    let groups: Vec<Vec<usize>> = match cluster {
        Some(c) => {
            let f = common.factor(c).unwrap();
            (0..f.n_levels()).map(|l| (0..common.nrows()).filter(|&i| f.codes[i] as usize == l).collect()).collect()
        }
        None => (0..common.nrows()).map(|i| vec![i]).collect(),
    };
    let g = groups.len() as u64;
    let mut draws = Vec::new();
    for b in 0..reps {
        let mut rng = draw_rng(seed, b);
        let mut idx = Vec::new();
        for _ in 0..g {
            idx.extend(&groups[below(&mut rng, g) as usize]);
        }
        let sub = common.take_rows(&idx);
        // A draw without a treated unit (or without variation) is skipped.
        let a = feols(&sub, &FeolsSpec::new("m ~ DID + x | unit + t", VcovSpec::Iid)).ok().and_then(|f| f.coef("DID").map(|c| c.estimate));
        let b = feols(&sub, &FeolsSpec::new("y ~ DID + m + x | unit + t", VcovSpec::Iid)).ok().and_then(|f| f.coef("m").map(|c| c.estimate));
        if let (Some(a), Some(b)) = (a, b) {
            draws.push(a * b);
        }
    }
    draws.sort_by(f64::total_cmp);
    (quantile7(&draws, 0.025), quantile7(&draws, 0.975), draws.len())
}

#[test]
fn bootstrap_resamples_at_the_clustering_level_of_the_vcov() {
    let ds = data();
    // (vcov, what is resampled): the default clusters by unit; a cluster variable; iid and hetero: rows.
    let cases: [(Value, Option<&str>); 4] = [
        (json!(null), Some("unit")),
        (json!({ "cluster": ["region"] }), Some("region")),
        (json!("iid"), None),
        (json!("hetero"), None),
    ];
    for (vcov, level) in cases {
        let r = mediation(&ds, &spec(json!({ "vcov": vcov, "bootstrap": 6, "seed": 11 }))).unwrap();
        assert_eq!(r.indirect.resample_cluster.as_deref(), level, "{vcov}");
        let (lo, hi, used) = brute_force_interval(&ds, level, 6, 11);
        assert!(used >= 3, "{vcov}: {used}");
        assert_eq!(r.indirect.reps, used, "{vcov}");
        assert!((r.indirect.conf_low - lo).abs() < 1e-10, "{vcov}: {} vs {lo}", r.indirect.conf_low);
        assert!((r.indirect.conf_high - hi).abs() < 1e-10, "{vcov}: {} vs {hi}", r.indirect.conf_high);
    }
}
