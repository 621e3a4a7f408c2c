//! Replications split across workers: the placebo test, the wild cluster bootstrap and the
//! mediation bootstrap give bit-identical results whether their draws are computed in one go
//! or in pieces joined with `DrawBlock::concat`.
use quasi::estimators::did::*;
use quasi::inference::replicate::{DrawBlock, DrawRange};
use quasi::{Dataset, ErrorKind};
use serde_json::{json, Value};

fn jjj() -> Dataset {
    quasi::data::read_bytes(include_bytes!("fixtures/jjj_cities.csv"), &Default::default()).unwrap().dataset
}

/// The splits of `0..total` the tests use: all, two pieces, four uneven pieces.
fn splits(total: usize) -> Vec<Vec<DrawRange>> {
    let r = |start, end| DrawRange { start, end };
    let k = total / 3;
    let (a, b, c) = (1.min(total), (total / 2).max(1).min(total), (total - total / 5).max(1).min(total));
    vec![vec![r(0, total)], vec![r(0, k), r(k, total)], vec![r(0, a), r(a, b), r(b, c), r(c, total)]]
}

/// Runs `draws` over each split (pieces in reverse order, as workers may finish) and checks
/// that `with_draws` of the joined blocks serialises exactly as `whole`.
fn check<R: serde::Serialize>(
    total: usize,
    whole: &R,
    draws: &dyn Fn(DrawRange) -> DrawBlock,
    with: &dyn Fn(&DrawBlock) -> R,
) {
    let want = serde_json::to_string(whole).unwrap();
    for split in splits(total) {
        let blocks: Vec<DrawBlock> = split.iter().rev().map(|r| draws(*r)).collect();
        let joined = DrawBlock::concat(blocks).unwrap();
        let got = serde_json::to_string(&with(&joined)).unwrap();
        assert_eq!(got, want, "split {split:?}");
    }
}

fn placebo_spec(v: Value) -> PlaceboSpec {
    serde_json::from_value(v).unwrap()
}

#[test]
fn placebo_draws_split_bit_identically() {
    let ds = jjj();
    let base = json!({
        "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year",
        "controls": ["fe", "lnstru", "urba", "fdi", "pgdp"], "reps": 97, "seed": 5
    });
    for kind in ["permute_units", "random_timing"] {
        let mut v = base.clone();
        v["kind"] = json!(kind);
        let spec = placebo_spec(v);
        let whole = placebo(&ds, &spec, &mut |_| true).unwrap();
        assert_eq!(placebo_draw_count(&spec), Some(97));
        check(
            97,
            &whole,
            &|r| placebo_draws(&ds, &spec, r, &mut |_| true).unwrap(),
            &|b| placebo_with_draws(&ds, &spec, b, &mut |_| true).unwrap(),
        );
    }
}

#[test]
fn enumerated_placebo_splits_bit_identically() {
    // Units A–D over periods 1, 2; A treated from 2: 4 distinct assignments < 10 reps.
    let unit = ["A", "A", "B", "B", "C", "C", "D", "D"].iter().map(|s| Some(s.to_string())).collect();
    let ds = Dataset::from_columns(vec![
        quasi::Column::text("u", unit),
        quasi::Column::numeric("t", vec![1., 2., 1., 2., 1., 2., 1., 2.]),
        quasi::Column::numeric("s", vec![2., 2., 0., 0., 0., 0., 0., 0.]),
        quasi::Column::numeric("y", vec![10., 13., 5., 6., 7., 9., 4., 4.5]),
    ])
    .unwrap();
    let spec = placebo_spec(json!({ "y": "y", "unit": "u", "time": "t", "start": "s", "reps": 10, "vcov": "iid" }));
    let whole = placebo(&ds, &spec, &mut |_| true).unwrap();
    assert!(whole.enumerated);
    assert_eq!(whole.reps + whole.n_degenerate, 4);
    check(
        10,
        &whole,
        &|r| placebo_draws(&ds, &spec, r, &mut |_| true).unwrap(),
        &|b| placebo_with_draws(&ds, &spec, b, &mut |_| true).unwrap(),
    );
    // The blocks hold +∞ past the 4 enumerated assignments.
    let all = placebo_draws(&ds, &spec, DrawRange::all(10), &mut |_| true).unwrap();
    assert!(all.values[4..].iter().all(|v| *v == f64::INFINITY));
}

#[test]
fn placebo_replications_check_their_input() {
    let ds = jjj();
    let spec = placebo_spec(json!({
        "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "reps": 20, "seed": 1
    }));
    assert!(placebo_draws(&ds, &spec, DrawRange { start: 10, end: 21 }, &mut |_| true).is_err());
    let part = placebo_draws(&ds, &spec, DrawRange { start: 0, end: 10 }, &mut |_| true).unwrap();
    assert!(placebo_with_draws(&ds, &spec, &part, &mut |_| true).is_err());
    let e = placebo_draws(&ds, &spec, DrawRange::all(20), &mut |_| false).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Cancelled));
    let mut it = spec.clone();
    it.kind = PlaceboKind::InTime;
    assert_eq!(placebo_draw_count(&it), None);
}

fn wild_spec(v: Value) -> WildSpec {
    let mut base = json!({
        "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year",
        "controls": ["fe", "lnstru", "urba", "fdi", "pgdp"], "vcov": { "cluster": ["city"] }, "seed": 3
    });
    for (k, x) in v.as_object().unwrap() {
        base[k] = x.clone();
    }
    serde_json::from_value(base).unwrap()
}

#[test]
fn wild_bootstrap_draws_split_bit_identically() {
    let ds = jjj();
    // Webb weights (random draws) and Rademacher with 2^13 = 8192 ≤ 9000 (enumeration, the
    // draws past 8192 unused).
    for (spec, enumerated) in
        [(wild_spec(json!({ "weights": "webb", "reps": 499 })), false), (wild_spec(json!({ "reps": 9000 })), true)]
    {
        let whole = wild_bootstrap(&ds, &spec).unwrap();
        assert_eq!(whole.enumerated, enumerated);
        let total = wild_bootstrap_draw_count(&spec).unwrap();
        assert_eq!(total, spec.reps);
        check(
            total,
            &whole,
            &|r| wild_bootstrap_draws(&ds, &spec, r, &mut |_| true).unwrap(),
            &|b| wild_bootstrap_with_draws(&ds, &spec, b, &mut |_| true).unwrap(),
        );
    }
}

#[test]
fn mediation_draws_split_bit_identically() {
    let ds = jjj();
    let spec: MediationSpec = serde_json::from_value(json!({
        "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "controls": ["lnstru", "urba"],
        "mediator": "fdi", "bootstrap": 59, "seed": 2
    }))
    .unwrap();
    let whole = mediation(&ds, &spec).unwrap();
    assert!(whole.indirect.reps > 0);
    assert_eq!(mediation_draw_count(&spec), Some(59));
    check(
        59,
        &whole,
        &|r| mediation_draws(&ds, &spec, r, &mut |_| true).unwrap(),
        &|b| mediation_with_draws(&ds, &spec, b, &mut |_| true).unwrap(),
    );
}
