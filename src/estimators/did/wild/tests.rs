//! The two strategies (crosstab, per-draw) give the same five sums per draw to rounding, the
//! same p-values and intervals, and the per-draw strategy splits bit-identically.

use super::*;
use crate::data::Column;
use crate::inference::replicate::DrawRange;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// A staggered panel of `units` × 8 years, units in `units / 4` states, two controls.
fn panel(units: usize) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut cols: [Vec<f64>; 7] = std::array::from_fn(|_| Vec::new());
    for u in 0..units {
        let ua = rng.random::<f64>() - 0.5;
        let adopt = if u % 3 == 0 { 2003.0 + (u % 4) as f64 } else { 0.0 };
        for t in 0..8 {
            let yr = 2000.0 + t as f64;
            let d = if adopt > 0.0 && yr >= adopt { 1.0 } else { 0.0 };
            let (a, b) = (rng.random::<f64>() + 0.3 * ua, rng.random::<f64>() + 0.1 * t as f64);
            let y = ua + 0.2 * t as f64 + 0.25 * d + 0.5 * a - 0.3 * b + rng.random::<f64>() - 0.5;
            for (c, x) in cols.iter_mut().zip([u as f64, (u / 4) as f64, yr, adopt, y, a, b]) {
                c.push(x);
            }
        }
    }
    let names = ["unit", "state", "year", "start", "y", "x1", "x2"];
    Dataset::from_columns(names.iter().zip(cols).map(|(nm, c)| Column::numeric(*nm, c)).collect()).unwrap()
}

fn spec(extra: Value) -> WildSpec {
    let mut base = json!({
        "y": "y", "unit": "unit", "time": "year", "start": "start", "controls": ["x1", "x2"], "seed": 5
    });
    for (k, x) in extra.as_object().unwrap() {
        base[k] = x.clone();
    }
    serde_json::from_value(base).unwrap()
}

fn draws(ds: &Dataset, s: &WildSpec, range: DrawRange, strategy: Strategy) -> DrawBlock {
    wild_bootstrap_draws_using(ds, s, range, &mut |_| true, Some(strategy)).unwrap()
}

/// Both strategies on one spec: five sums per draw to 1e-10 relative (of the draw's largest
/// sum of squares, the scale of the cancellation), equal p-values, intervals to 1e-8 SE.
fn check_agree(ds: &Dataset, s: &WildSpec) -> (WildResult, WildResult) {
    let all = DrawRange::all(s.reps);
    let (a, b) = (draws(ds, s, all, Strategy::Crosstab), draws(ds, s, all, Strategy::PerDraw));
    let mut used = 0;
    for (ra, rb) in a.rows().zip(b.rows()) {
        if ra[0].is_nan() {
            assert!(rb.iter().all(|x| x.is_nan()));
            continue;
        }
        used += 1;
        let scale_ab = ra[..2].iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-300);
        let scale_s = ra[2..].iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-300);
        for k in 0..5 {
            let scale = if k < 2 { scale_ab } else { scale_s };
            assert!((ra[k] - rb[k]).abs() <= 1e-10 * scale, "sum {k}: {} vs {}", ra[k], rb[k]);
        }
    }
    assert!(used > 0);
    let ra = wild_bootstrap_using(ds, s, Need::Draws(Some(Strategy::Crosstab))).unwrap();
    let rb = wild_bootstrap_using(ds, s, Need::Draws(Some(Strategy::PerDraw))).unwrap();
    assert_eq!(ra.p_value, rb.p_value);
    let prep = wild_prepare(ds, s, Need::Summary).unwrap();
    for (x, y) in [(ra.conf_low, rb.conf_low), (ra.conf_high, rb.conf_high)] {
        assert!(x == y || (x - y).abs() <= 1e-8 * prep.se_raw, "{x} vs {y}");
    }
    (ra, rb)
}

#[test]
fn strategies_agree_rademacher_webb_wcr_wcu() {
    let ds = panel(48);
    for (weights, impose) in [("rademacher", true), ("webb", true), ("webb", false), ("rademacher", false)] {
        // Cluster = unit (G = 48, nested in the unit fixed effect) and = state (G = 12).
        for cluster in ["unit", "state"] {
            let s = spec(json!({
                "reps": 299, "weights": weights, "impose_null": impose, "vcov": { "cluster": [cluster] }
            }));
            let (r, _) = check_agree(&ds, &s);
            assert!(!r.enumerated);
            assert_eq!(r.n_clusters, if cluster == "unit" { 48 } else { 12 });
        }
    }
}

#[test]
fn strategies_agree_enumerated_and_away_from_zero() {
    let ds = panel(32);
    // 8 states, 2^8 = 256 ≤ 300: enumeration (the draws past 256 are NaN in both).
    let s = spec(json!({ "reps": 300, "vcov": { "cluster": ["state"] } }));
    let (r, _) = check_agree(&ds, &s);
    assert!(r.enumerated);
    // A null near the estimate (p-value away from 0), Webb weights.
    let s = spec(json!({ "reps": 499, "weights": "webb", "null": 0.2 }));
    let (r, _) = check_agree(&ds, &s);
    assert!(r.p_value > 0.0 && r.p_value < 1.0 && r.conf_low.is_finite() && r.conf_high.is_finite());
}

#[test]
fn per_draw_strategy_splits_bit_identically() {
    let ds = panel(40);
    for s in [spec(json!({ "reps": 201, "weights": "webb" })), spec(json!({ "reps": 200, "impose_null": false }))] {
        let whole = wild_bootstrap_using(&ds, &s, Need::Draws(Some(Strategy::PerDraw))).unwrap();
        let one = draws(&ds, &s, DrawRange::all(s.reps), Strategy::PerDraw);
        let k = s.reps / 3;
        let (p1, p2) = (
            draws(&ds, &s, DrawRange { start: 0, end: k }, Strategy::PerDraw),
            draws(&ds, &s, DrawRange { start: k, end: s.reps }, Strategy::PerDraw),
        );
        let joined = DrawBlock::concat(vec![p2, p1]).unwrap();
        let bits = |b: &DrawBlock| b.rows().flat_map(|r| r.iter().map(|x| x.to_bits()).collect::<Vec<_>>()).collect::<Vec<_>>();
        assert_eq!(bits(&one), bits(&joined));
        let finished = wild_bootstrap_with_draws(&ds, &s, &joined, &mut |_| true).unwrap();
        assert_eq!(finished, whole);
    }
}

#[test]
fn strategy_rule() {
    // Many clusters: per-draw (5,000 units × 20 years, 999 draws; and any reps past the
    // memory cap).
    assert_eq!(choose_strategy(5000, 100_000, 999, 2), Strategy::PerDraw);
    assert_eq!(choose_strategy(5000, 100_000, 99_999, 2), Strategy::PerDraw);
    // Few clusters, many draws: crosstabs.
    assert_eq!(choose_strategy(50, 1000, 9999, 2), Strategy::Crosstab);
    assert_eq!(choose_strategy(13, 1000, 8192, 2), Strategy::Crosstab);
    assert_eq!(choose_strategy(200, 100_000, 9999, 2), Strategy::Crosstab);
    // More clusters than draws: per-draw.
    assert_eq!(choose_strategy(1000, 20_000, 999, 2), Strategy::PerDraw);
}
