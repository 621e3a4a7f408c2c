//! Benchmark: propensity score matching, 1:1 nearest neighbour with replacement (ties as R
//! Matching) and the Abadie–Imbens SE, on 100,000 rows (treatment ≈ 30%, 5 covariates,
//! treatment from a logit in them, an outcome with a true effect of 2).
//!
//! The data are generated in-process with the same seeded mulberry32 stream and formulas as
//! `bench/psm.mjs` (which writes them to a CSV for the wasm build and R), or read from that
//! CSV:
//!
//!   cargo run --profile perf --example psm_bench [rows] [reps] [--profile]
//!   cargo run --profile perf --example psm_bench -- --csv bench/out/psm_100k.csv [reps]
//!
//! Prints the time of each repetition, the best, the ATT and the SE; `--profile` also times
//! the stages (logit, matching, SE, matched sample, balance, density) one by one.

use quasi::estimators::psm::{psm, PsmSpec};
use quasi::{Column, Dataset};
use std::time::Instant;

/// mulberry32, exactly as bench/gen.mjs's `rng` (uniform in [0, 1)).
fn mulberry32(seed: u32) -> impl FnMut() -> f64 {
    let mut a = seed;
    move || {
        a = a.wrapping_add(0x6d2b_79f5);
        let mut t = a;
        t = (t ^ (t >> 15)).wrapping_mul(t | 1);
        t ^= t.wrapping_add((t ^ (t >> 7)).wrapping_mul(t | 61));
        ((t ^ (t >> 14)) as f64) / 4294967296.0
    }
}

/// Rounds as the CSV does (6 decimals), so in-process and CSV data agree.
fn r6(x: f64) -> f64 {
    format!("{x:.6}").parse().unwrap_or(x)
}

/// The benchmark data (same formulas as bench/psm.mjs).
fn data(n: usize) -> Dataset {
    let mut u = mulberry32(20_240_611);
    let mut cols: Vec<Vec<f64>> = vec![Vec::with_capacity(n); 7];
    for _ in 0..n {
        let x1 = r6((u() + u() + u() - 1.5) * 2.0);
        let x2 = r6(u() * 10.0);
        let x3 = if u() < 0.4 { 1.0 } else { 0.0 };
        let x4 = (u() * 6.0).floor();
        let x5 = r6(u() * u() + 0.5 * x1);
        let eta = -1.2 + 0.5 * x1 + 0.08 * x2 + 0.4 * x3 - 0.15 * x4 + 0.3 * x5;
        let p = 1.0 / (1.0 + (-eta).exp());
        let t = if u() < p { 1.0 } else { 0.0 };
        let y = r6(1.0 + 2.0 * t + x1 + 0.3 * x2 - 0.5 * x3 + 0.2 * x4 + x5 + (u() - 0.5) * 4.0);
        for (c, v) in cols.iter_mut().zip([t, x1, x2, x3, x4, x5, y]) {
            c.push(v);
        }
    }
    let names = ["treat", "x1", "x2", "x3", "x4", "x5", "y"];
    Dataset::from_columns(names.iter().zip(cols).map(|(n, c)| Column::numeric(*n, c)).collect()).expect("data")
}

/// CPU seconds used by this process so far (Linux; 0 elsewhere): on a shared machine a
/// steadier measure than the wall clock.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks: f64 = [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<f64>().ok()).sum();
    ticks / 100.0
}

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let csv = raw.iter().position(|a| a == "--csv").and_then(|i| raw.get(i + 1)).cloned();
    let nums: Vec<usize> = raw.iter().filter_map(|a| a.parse().ok()).collect();
    let (ds, reps) = match &csv {
        Some(path) => {
            let bytes = std::fs::read(path).expect("read the CSV");
            let ds = quasi::data::read_bytes(&bytes, &Default::default()).expect("parse the CSV").dataset;
            (ds, nums.first().copied().unwrap_or(3))
        }
        None => (data(nums.first().copied().unwrap_or(100_000)), nums.get(1).copied().unwrap_or(3)),
    };
    let spec = PsmSpec { formula: "treat ~ x1 + x2 + x3 + x4 + x5".into(), outcome: Some("y".into()), ..PsmSpec::default() };
    let n_t = ds.numeric("treat").expect("treat").iter().filter(|&&t| t == 1.0).count();
    println!("{} rows, {} treated", ds.nrows(), n_t);
    let mut best = f64::INFINITY;
    for r in 0..reps {
        let (t0, c0) = (Instant::now(), cpu_seconds());
        let res = psm(&ds, &spec).expect("psm");
        let s = t0.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - c0;
        best = best.min(s);
        println!("rep {r}: {s:.3} s (cpu {cpu:.2} s)  ATT = {:.10}, se = {:.10}", res.att, res.std_error);
    }
    println!("best {best:.3} s");
    for d in psm(&ds, &spec).expect("psm").diagnostics.iter() {
        println!("  note: {}", d.message);
    }
    // (stage timings are native only: `cargo test --target wasm32…` builds the examples too)
    #[cfg(not(target_arch = "wasm32"))]
    if raw.iter().any(|a| a == "--profile") {
        for (stage, s) in quasi::estimators::psm::profile_stages(&ds, &spec).expect("profile") {
            println!("  {stage:<16} {s:.4} s");
        }
    }
}
