//! Benchmark: permutation (and random-timing) placebo refits of a TWFE DID on a balanced panel
//! of 5,000 units × 20 years (100,000 rows), unit + year fixed effects, 2 controls, staggered
//! adoption (or common adoption with `--common`). Data come from a seeded ChaCha8 RNG (seed 42),
//! so every run and platform sees the same panel. Also times the mediation bootstrap (500 draws)
//! with `--mediation`.
//!
//! Run: `cargo run --profile perf --example placebo_bench -- [reps] [--common] [--timing]
//! [--unbalanced] [--mediation [draws]] [--csv FILE] [--from FILE] [--profile]` (`--csv` writes
//! the panel and exits; `--from` reads a panel with the same columns, e.g. bench/placebo.mjs's
//! CSV; `--profile` times the parts of the pre-FWL-shortcut draw path).
//! Prints the best of 3 and the p-value.

use quasi::estimators::did::{mediation, placebo, MediationSpec, PlaceboSpec};
use quasi::{Column, Dataset};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use std::time::Instant;

/// The panel: unit, year, start (adoption year, 0 = never), y, x1, x2, m (a mediator).
pub fn panel(units: usize, years: usize, common: bool, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = units * years;
    let (mut unit, mut year, mut start) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut y, mut x1, mut x2, mut m) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let ta: Vec<f64> = (0..years).map(|_| rng.random::<f64>() * 2.0 - 1.0).collect();
    for u in 0..units {
        let ua = rng.random::<f64>() * 2.0 - 1.0;
        // 40 % treated; staggered: adoption in years 5..=15 of the panel; common: year 10.
        let adopt = if rng.random::<f64>() < 0.4 {
            2000.0 + if common { 10.0 } else { 5.0 + (rng.random::<f64>() * 11.0).floor() }
        } else {
            0.0
        };
        for t in 0..years {
            let yr = 2000.0 + t as f64;
            let d = if adopt > 0.0 && yr >= adopt { 1.0 } else { 0.0 };
            let a = rng.random::<f64>() + 0.3 * ua;
            let b = rng.random::<f64>() + 0.2 * ta[t];
            let med = 0.5 * d + 0.3 * a + rng.random::<f64>();
            unit.push(u as f64);
            year.push(yr);
            start.push(adopt);
            x1.push(a);
            x2.push(b);
            m.push(med);
            y.push(ua + ta[t] + 0.2 * d + 0.5 * a - 0.3 * b + 0.4 * med + rng.random::<f64>() - 0.5);
        }
    }
    Dataset::from_columns(vec![
        Column::numeric("unit", unit),
        Column::numeric("year", year),
        Column::numeric("start", start),
        Column::numeric("y", y),
        Column::numeric("x1", x1),
        Column::numeric("x2", x2),
        Column::numeric("m", m),
    ])
    .expect("panel")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reps: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let common = args.iter().any(|a| a == "--common");
    let timing = args.iter().any(|a| a == "--timing");
    let mut ds = match args.iter().position(|a| a == "--from") {
        Some(i) => {
            let bytes = std::fs::read(&args[i + 1]).expect("read the CSV");
            quasi::data::read_bytes(&bytes, &Default::default()).expect("parse the CSV").dataset
        }
        None => panel(5000, 20, common, 42),
    };
    if let Some(i) = args.iter().position(|a| a == "--csv") {
        let file = &args[i + 1];
        let mut out = String::from("unit,year,start,y,x1,x2,m\n");
        let cols: Vec<&[f64]> = ["unit", "year", "start", "y", "x1", "x2", "m"].iter().map(|c| ds.numeric(c).unwrap()).collect();
        for r in 0..ds.nrows() {
            let line: Vec<String> = cols.iter().map(|c| format!("{}", c[r])).collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        std::fs::write(file, out).expect("write the CSV");
        return;
    }
    if args.iter().any(|a| a == "--unbalanced") {
        // Drop every 7th row: the closed-form demeaning no longer applies.
        let keep: Vec<usize> = (0..ds.nrows()).filter(|i| i % 7 != 3).collect();
        ds = ds.take_rows(&keep);
    }
    if args.iter().any(|a| a == "--profile") {
        profile(&ds, reps);
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--mediation") {
        let draws: usize = args.get(i + 1).and_then(|a| a.parse().ok()).unwrap_or(500);
        let spec: MediationSpec = serde_json::from_value(json!({
            "y": "y", "unit": "unit", "time": "year", "start": "start", "controls": ["x1", "x2"],
            "mediator": "m", "bootstrap": draws, "seed": 1
        }))
        .unwrap();
        let t0 = Instant::now();
        let r = mediation(&ds, &spec).expect("mediation");
        println!(
            "mediation bootstrap: {draws} draws on {} rows in {:.3} s; indirect {:.5} [{:.5}, {:.5}], {} usable",
            ds.nrows(),
            t0.elapsed().as_secs_f64(),
            r.indirect.estimate,
            r.indirect.conf_low,
            r.indirect.conf_high,
            r.indirect.reps
        );
        return;
    }
    let spec: PlaceboSpec = serde_json::from_value(json!({
        "y": "y", "unit": "unit", "time": "year", "start": "start", "controls": ["x1", "x2"],
        "kind": if timing { "random_timing" } else { "permute_units" }, "reps": reps, "seed": 1
    }))
    .unwrap();
    let mut best = f64::INFINITY;
    for run in 0..3 {
        let t0 = Instant::now();
        let r = placebo(&ds, &spec, &mut |_| true).expect("placebo");
        let el = t0.elapsed().as_secs_f64();
        best = best.min(el);
        println!(
            "run {run}: {reps} placebo draws on {} rows in {el:.3} s (actual {:.5}, p {:.4}, mean {:.5}, sd {:.5}, degenerate {})",
            ds.nrows(),
            r.actual,
            r.p_value,
            r.mean,
            r.sd,
            r.n_degenerate
        );
    }
    println!("best {best:.3} s");
}

/// Where the time of the old per-draw path goes: assignment, demeaning, FWL solve.
fn profile(ds: &Dataset, reps: usize) {
    use quasi::estimators::did::{build_design, permute_units, TreatmentSpec};
    use quasi::estimators::feols::{DemeanedDesign, FeolsSpec, VcovSpec};
    let t0 = Instant::now();
    let tr: TreatmentSpec =
        serde_json::from_value(json!({ "unit": "unit", "time": "year", "start": "start" })).unwrap();
    let design = build_design(ds, &tr).unwrap();
    let mut d2 = ds.clone();
    d2.add_numeric("DID", design.did.clone()).unwrap();
    let dd = DemeanedDesign::new(&d2, &FeolsSpec::new("y ~ DID + x1 + x2 | unit + year", VcovSpec::Iid)).unwrap();
    let fwl = dd.fwl("DID").unwrap();
    println!("prepare (design, demean y/X, FWL): {:.3} s", t0.elapsed().as_secs_f64());
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let (mut ta, mut td, mut tf) = (0.0, 0.0, 0.0);
    for _ in 0..reps {
        let t = Instant::now();
        let col = permute_units(&design, &mut rng);
        ta += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let dm = dd.demean_extra(&col).unwrap();
        td += t.elapsed().as_secs_f64();
        let t = Instant::now();
        std::hint::black_box(fwl.coef_and_residual_norm(&dm));
        tf += t.elapsed().as_secs_f64();
    }
    println!("{reps} draws: assignment {ta:.3} s, demeaning {td:.3} s, FWL solve {tf:.3} s");
}
