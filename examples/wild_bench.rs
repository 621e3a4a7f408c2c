//! Benchmark: the wild cluster bootstrap of a TWFE DID on a balanced panel of `units` × 20
//! years (default 5,000 × 20 = 100,000 rows), unit + year fixed effects, 2 controls,
//! staggered adoption, clustered by unit (G = units). Data come from a seeded ChaCha8 RNG
//! (seed 42), so every run sees the same panel.
//!
//! Run: `cargo run --release --example wild_bench -- [reps] [units] [--webb] [--wcu]`.
//! Prints the set-up time alone (draws over an empty range), the whole bootstrap's time
//! (one thread), the p-value and the interval.

use quasi::estimators::did::{wild_bootstrap, wild_bootstrap_draws, WildSpec};
use quasi::inference::replicate::DrawRange;
use quasi::{Column, Dataset};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use std::time::Instant;

/// The panel: unit, year, start (adoption year, 0 = never), y, x1, x2.
fn panel(units: usize, years: usize, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = units * years;
    let mut cols: [Vec<f64>; 6] = std::array::from_fn(|_| Vec::with_capacity(n));
    let ta: Vec<f64> = (0..years).map(|_| rng.random::<f64>() * 2.0 - 1.0).collect();
    for u in 0..units {
        let ua = rng.random::<f64>() * 2.0 - 1.0;
        let adopt =
            if rng.random::<f64>() < 0.4 { 2000.0 + 5.0 + (rng.random::<f64>() * 11.0).floor() } else { 0.0 };
        for (t, tat) in ta.iter().enumerate() {
            let yr = 2000.0 + t as f64;
            let d = if adopt > 0.0 && yr >= adopt { 1.0 } else { 0.0 };
            let a = rng.random::<f64>() + 0.3 * ua;
            let b = rng.random::<f64>() + 0.2 * tat;
            let y = ua + tat + 0.2 * d + 0.5 * a - 0.3 * b + rng.random::<f64>() - 0.5;
            for (c, x) in cols.iter_mut().zip([u as f64, yr, adopt, y, a, b]) {
                c.push(x);
            }
        }
    }
    let names = ["unit", "year", "start", "y", "x1", "x2"];
    Dataset::from_columns(names.iter().zip(cols).map(|(nm, c)| Column::numeric(*nm, c)).collect()).expect("panel")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reps: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(999);
    let units: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let weights = if args.iter().any(|a| a == "--webb") { "webb" } else { "rademacher" };
    let impose = !args.iter().any(|a| a == "--wcu");
    let ds = panel(units, 20, 42);
    let spec: WildSpec = serde_json::from_value(json!({
        "y": "y", "unit": "unit", "time": "year", "start": "start", "controls": ["x1", "x2"],
        "reps": reps, "weights": weights, "impose_null": impose, "seed": 7
    }))
    .expect("spec");
    let t = Instant::now();
    wild_bootstrap_draws(&ds, &spec, DrawRange { start: 0, end: 0 }, &mut |_| true).expect("set-up");
    let setup = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let r = wild_bootstrap(&ds, &spec).expect("bootstrap");
    let all = t.elapsed().as_secs_f64();
    println!(
        "G = {units}, n = {}, reps = {reps}, {weights}, impose_null = {impose}: set-up {setup:.3} s, whole {all:.3} s; \
         p = {:.6}, CI [{:.6}, {:.6}], estimate {:.6}",
        units * 20,
        r.p_value,
        r.conf_low,
        r.conf_high,
        r.estimate
    );
}
