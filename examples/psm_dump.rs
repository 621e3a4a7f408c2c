//! Prints the full results of `psm` for several specifications (JSON with shortest
//! round-trip floats, then the diagnostics), so that two builds can be compared byte for byte:
//! performance work must leave every number unchanged.
//!
//!   cargo run --profile perf --example psm_dump -- bench/out/psm_100k.csv [first-n-specs]
//!
//! The CSV is bench/psm.mjs's (columns treat, x1…x5, y); a 5,000-row head of it runs every
//! specification in seconds.

use quasi::estimators::psm::{psm, Estimand, Link, MatchOn, Method, PsmSpec, SeKind};

/// Logit and probit nearest neighbour (ATT), ATE on the logit with a caliper, kernel matching,
/// greedy matching without replacement (bootstrap SE), and a formula with transformations.
fn specs() -> Vec<PsmSpec> {
    let base = PsmSpec {
        formula: "treat ~ x1 + x2 + x3 + x4 + x5".into(),
        outcome: Some("y".into()),
        ..PsmSpec::default()
    };
    let with = |f: &dyn Fn(&mut PsmSpec)| {
        let mut s = base.clone();
        f(&mut s);
        s
    };
    vec![
        base.clone(),
        with(&|s| s.matching.model = Link::Probit),
        with(&|s| {
            s.matching.match_on = MatchOn::Logit;
            s.estimand = Estimand::Ate;
            s.matching.caliper = Some(0.1);
        }),
        with(&|s| {
            s.matching.method = Method::Kernel;
            s.formula = "treat ~ x1 + x2 + x3".into();
            s.se = SeKind::None;
        }),
        with(&|s| {
            s.matching.replace = false;
            s.matching.caliper = Some(0.05);
            s.estimand = Estimand::Atc;
        }),
        with(&|s| s.formula = "treat ~ x1 + x2 + x3 + x4 + x5 + I(x1^2) + x2:x3 + factor(x4)".into()),
    ]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().map(String::as_str).unwrap_or("bench/out/psm_100k.csv");
    let bytes = std::fs::read(path).expect("read the CSV");
    let ds = quasi::data::read_bytes(&bytes, &Default::default()).expect("parse the CSV").dataset;
    let specs = specs();
    let n = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(specs.len()).min(specs.len());
    for spec in &specs[..n] {
        match psm(&ds, spec) {
            Ok(mut r) => {
                let notes = std::mem::take(&mut r.diagnostics);
                println!("{}", serde_json::to_string(&r).expect("serialise"));
                for d in notes.iter() {
                    println!("note {}", d.message);
                }
            }
            Err(e) => println!("error {e}"),
        }
    }
}
