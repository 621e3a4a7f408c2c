//! Benchmark: two-way fixed-effect regression with cluster-robust SE on a
//! balanced panel of 50,000 units × 20 years (1,000,000 rows), 5 regressors.
//! Data are generated with a seeded ChaCha8 RNG (seed 42), so every run and
//! platform sees the same panel.
//!
//! Run: `cargo run --release --example bench_feols [units] [years] [reps]`, or
//! `cargo run --release --example bench_feols -- --csv FILE [reps]` to time the
//! same CSV panel that `bench/feols.mjs` gives to pyfixest and to the wasm build
//! (columns y, unit, year, x1..x5; loading time is reported separately).
//! Prints one line per repetition and the best time (the integrator wires
//! this into `make bench`).

use quasi::estimators::feols::{feols, FeolsSpec, VcovSpec};
use quasi::{Column, Dataset};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

#[allow(clippy::needless_range_loop)]
fn panel(units: usize, years: usize, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = units * years;
    let ua: Vec<f64> = (0..units).map(|_| rng.random::<f64>() * 2.0 - 1.0).collect();
    let ta: Vec<f64> = (0..years).map(|_| rng.random::<f64>() * 2.0 - 1.0).collect();
    let mut unit = Vec::with_capacity(n);
    let mut year = Vec::with_capacity(n);
    let mut xs: Vec<Vec<f64>> = (0..5).map(|_| Vec::with_capacity(n)).collect();
    let mut y = Vec::with_capacity(n);
    let beta = [0.5, -0.3, 0.2, 1.0, -0.7];
    for u in 0..units {
        for t in 0..years {
            unit.push(u as f64);
            year.push((2000 + t) as f64);
            let mut yi = ua[u] + ta[t];
            for (k, x) in xs.iter_mut().enumerate() {
                let v = rng.random::<f64>() + 0.3 * ua[u] + 0.2 * ta[t];
                x.push(v);
                yi += beta[k] * v;
            }
            y.push(yi + rng.random::<f64>() - 0.5);
        }
    }
    let mut cols = vec![Column::numeric("y", y), Column::numeric("unit", unit), Column::numeric("year", year)];
    for (k, x) in xs.into_iter().enumerate() {
        cols.push(Column::numeric(format!("x{}", k + 1), x));
    }
    Dataset::from_columns(cols).expect("panel")
}

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let csv = raw.iter().position(|a| a == "--csv").and_then(|i| raw.get(i + 1)).cloned();
    let args: Vec<usize> = raw.iter().filter_map(|a| a.parse().ok()).collect();
    let t0 = Instant::now();
    let (ds, reps) = match &csv {
        Some(path) => {
            let bytes = std::fs::read(path).expect("read the CSV");
            let ds = quasi::data::read_bytes(&bytes, &Default::default()).expect("parse the CSV").dataset;
            println!("loaded {} rows from {path} in {:.3} s", ds.nrows(), t0.elapsed().as_secs_f64());
            (ds, args.first().copied().unwrap_or(3))
        }
        None => {
            let units = args.first().copied().unwrap_or(50_000);
            let years = args.get(1).copied().unwrap_or(20);
            let ds = panel(units, years, 42);
            println!("generated {} rows in {:.3} s", ds.nrows(), t0.elapsed().as_secs_f64());
            (ds, args.get(2).copied().unwrap_or(3))
        }
    };
    let units = ds.factor("unit").map(|f| f.n_levels()).unwrap_or(0);
    let years = ds.factor("year").map(|f| f.n_levels()).unwrap_or(0);
    let spec = FeolsSpec::new("y ~ x1 + x2 + x3 + x4 + x5 | unit + year", VcovSpec::Cluster(vec!["unit".into()]));
    let mut best = f64::INFINITY;
    for r in 0..reps {
        let t = Instant::now();
        let fit = feols(&ds, &spec).expect("fit");
        let s = t.elapsed().as_secs_f64();
        best = best.min(s);
        println!(
            "rep {}: {:.3} s  (x1 = {:.6}, se = {:.6}, iterations = {}, n = {})",
            r + 1,
            s,
            fit.coefficients[0].estimate,
            fit.coefficients[0].std_error,
            fit.iterations,
            fit.nobs
        );
    }
    println!("feols twfe {}x{} 5 regressors cluster(unit): best {:.3} s", units, years, best);
}
