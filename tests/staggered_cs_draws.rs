//! Callaway–Sant'Anna multiplier bootstrap split across workers: the draws of any split of
//! `0..reps`, joined, give the one-call result bit for bit (replications protocol).

use quasi::estimators::staggered::*;
use quasi::inference::replicate::{DrawBlock, DrawRange};
use quasi::Dataset;

fn mpdta() -> Dataset {
    quasi::data::read_bytes(include_bytes!("fixtures/mpdta.csv"), &Default::default()).unwrap().dataset
}

fn spec(reps: usize) -> CsSpec {
    CsSpec {
        y: "lemp".into(),
        unit: "countyreal".into(),
        time: "year".into(),
        start: "first_treat".into(),
        control_group: ControlGroup::NotYet,
        bootstrap: Some(BootstrapSpec { reps, seed: 42 }),
        ..Default::default()
    }
}

/// The result from the draws of `bounds` (consecutive cut points from 0 to reps), run in
/// reverse order to show that the order of the workers does not matter.
fn via_pieces(ds: &Dataset, sp: &CsSpec, bounds: &[usize]) -> CsResult {
    let blocks: Vec<DrawBlock> = bounds
        .windows(2)
        .rev()
        .map(|w| csdid_draws(ds, sp, DrawRange { start: w[0], end: w[1] }, &mut |_| true).unwrap())
        .collect();
    let all = DrawBlock::concat(blocks).unwrap();
    csdid_with_draws(ds, sp, &all, &mut |_| true).unwrap()
}

#[test]
fn split_draws_give_the_one_call_result_bit_for_bit() {
    let ds = mpdta();
    let reps = 999;
    let sp = spec(reps);
    assert_eq!(csdid_draw_count(&sp), Some(reps));
    let one = serde_json::to_string(&csdid(&ds, &sp).unwrap()).unwrap();
    for bounds in [vec![0, reps], vec![0, 500, reps], vec![0, 1, 17, 430, reps]] {
        let r = via_pieces(&ds, &sp, &bounds);
        assert!(r.bootstrap.is_some());
        assert_eq!(serde_json::to_string(&r).unwrap(), one, "split {bounds:?}");
    }
}

#[test]
fn draws_without_bootstrap_or_incomplete_are_refused() {
    let ds = mpdta();
    let none = CsSpec { bootstrap: None, ..spec(10) };
    assert_eq!(csdid_draw_count(&none), None);
    assert!(csdid_draws(&ds, &none, DrawRange::all(10), &mut |_| true).is_err());
    let sp = spec(40);
    assert!(csdid_draws(&ds, &sp, DrawRange { start: 30, end: 41 }, &mut |_| true).is_err());
    let part = csdid_draws(&ds, &sp, DrawRange { start: 0, end: 30 }, &mut |_| true).unwrap();
    assert!(csdid_with_draws(&ds, &sp, &part, &mut |_| true).is_err());
    assert!(csdid_with_draws(&ds, &none, &part, &mut |_| true).is_err());
    // a block of another width (another specification: fewer event times) is refused too
    let sp30 = spec(30);
    let other = CsSpec { max_e: Some(1.0), ..sp30.clone() };
    let wrong = csdid_draws(&ds, &other, DrawRange::all(30), &mut |_| true).unwrap();
    let mine = csdid_draws(&ds, &sp30, DrawRange::all(30), &mut |_| true).unwrap();
    assert_ne!(wrong.width, mine.width);
    assert!(csdid_with_draws(&ds, &sp30, &wrong, &mut |_| true).is_err());
    assert!(csdid_with_draws(&ds, &sp30, &mine, &mut |_| true).is_ok());
}

#[test]
fn draws_can_be_cancelled_and_report_progress_of_their_range() {
    let ds = mpdta();
    let sp = spec(200);
    let mut seen = Vec::new();
    csdid_draws(&ds, &sp, DrawRange { start: 100, end: 200 }, &mut |f| {
        seen.push(f);
        true
    })
    .unwrap();
    assert_eq!(seen.first(), Some(&0.0));
    assert_eq!(seen.last(), Some(&1.0));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    let e = csdid_draws(&ds, &sp, DrawRange { start: 100, end: 200 }, &mut |f| f < 0.5).unwrap_err();
    assert_eq!(e.to_string(), "cancelled");
}
