//! The PSM bootstrap split into draws (replications protocol): `psm` equals `psm_with_draws`
//! over the draws computed in any split, bit for bit.

use quasi::data::read_bytes;
use quasi::estimators::psm::{psm, psm_draw_count, psm_draws, psm_with_draws, Kernel, MatchOptions, Method, PsmSpec, SeKind};
use quasi::inference::replicate::{DrawBlock, DrawRange};
use quasi::{Dataset, ErrorKind};

const CSV: &[u8] = include_bytes!("fixtures/lalonde.csv");
const FORMULA: &str = "treat ~ age + educ + race + married + nodegree + re74 + re75";

fn lalonde() -> Dataset {
    read_bytes(CSV, &Default::default()).expect("fixture loads").dataset
}

fn spec(method: Method, se: SeKind, reps: usize) -> PsmSpec {
    PsmSpec {
        formula: FORMULA.into(),
        outcome: Some("re78".into()),
        se,
        bootstrap_reps: reps,
        matching: MatchOptions { method, kernel: Kernel::Gaussian, caliper: Some(0.05), ..MatchOptions::default() },
        ..PsmSpec::default()
    }
}

fn draws(ds: &Dataset, s: &PsmSpec, cuts: &[usize]) -> DrawBlock {
    let blocks = cuts
        .windows(2)
        .map(|w| psm_draws(ds, s, DrawRange { start: w[0], end: w[1] }, &mut |_| true).unwrap())
        .collect();
    DrawBlock::concat(blocks).unwrap()
}

#[test]
fn bootstrap_from_draws_is_bit_identical_whatever_the_split() {
    let ds = lalonde();
    for s in [spec(Method::Kernel, SeKind::Bootstrap, 13), spec(Method::Radius, SeKind::Ai, 11), spec(Method::Nearest, SeKind::Bootstrap, 9)] {
        let b = psm_draw_count(&s).unwrap();
        let whole = serde_json::to_string(&psm(&ds, &s).unwrap()).unwrap();
        let k = b / 2;
        for cuts in [vec![0, b], vec![0, k, b], vec![0, 1, 2, b - 3, b]] {
            let block = draws(&ds, &s, &cuts);
            let r = psm_with_draws(&ds, &s, &block, &mut |_| true).unwrap();
            assert_eq!(serde_json::to_string(&r).unwrap(), whole, "{:?} split {cuts:?}", s.matching.method);
            assert!(r.std_error.is_finite() && r.std_error > 0.0);
        }
    }
}

#[test]
fn draw_count_and_checks() {
    let ds = lalonde();
    // Abadie–Imbens for nearest neighbour with replacement, or no SE: no bootstrap
    assert_eq!(psm_draw_count(&spec(Method::Nearest, SeKind::Ai, 50)), None);
    assert_eq!(psm_draw_count(&spec(Method::Kernel, SeKind::None, 50)), None);
    assert_eq!(psm_draw_count(&PsmSpec { outcome: None, ..spec(Method::Kernel, SeKind::Bootstrap, 50) }), None);
    // "ai" for kernel falls back to the bootstrap
    assert_eq!(psm_draw_count(&spec(Method::Kernel, SeKind::Ai, 50)), Some(50));
    let s = spec(Method::Radius, SeKind::Bootstrap, 6);
    assert!(psm_draws(&ds, &spec(Method::Nearest, SeKind::Ai, 6), DrawRange::all(6), &mut |_| true).is_err());
    assert!(psm_draws(&ds, &s, DrawRange { start: 4, end: 7 }, &mut |_| true).is_err());
    let part = psm_draws(&ds, &s, DrawRange { start: 0, end: 4 }, &mut |_| true).unwrap();
    assert!(psm_with_draws(&ds, &s, &part, &mut |_| true).is_err());
    // cancelling
    let e = psm_draws(&ds, &s, DrawRange::all(6), &mut |f| f < 0.5).unwrap_err();
    assert_eq!(*e.kind(), ErrorKind::Cancelled);
}
