//! Benchmark: entropy-weight composite index on 1,000,000 rows × 60 indicators (every
//! fourth a cost indicator), pooled scope, default shift.
//!
//! The data are generated in-process by the same seeded mulberry32 generator and formula
//! as `bench/entropy.mjs`, so native, wasm and numpy see the same numbers:
//! `x_ij = a_j + s_j · u^(1 + j mod 3)` with `u` uniform on [0, 1) drawn row by row.
//!
//! Run: `cargo run --profile perf --example entropy_bench [rows] [indicators] [reps]`.
//! Prints one line per repetition, the best time, and the first weights.

use quasi::estimators::index::{build_index, IndexMethod, IndexSpec, IndicatorSpec};
use quasi::report::Tables;
use quasi::{Column, Dataset};
use std::time::Instant;

/// mulberry32, as in bench/gen.mjs.
struct Mulberry32(u32);

impl Mulberry32 {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x6d2b_79f5);
        let mut t = self.0;
        t = (t ^ (t >> 15)).wrapping_mul(t | 1);
        t ^= t.wrapping_add((t ^ (t >> 7)).wrapping_mul(t | 61));
        f64::from(t ^ (t >> 14)) / 4_294_967_296.0
    }
}

/// Column j: offset, scale and power (as in bench/entropy.mjs).
fn column_params(j: usize) -> (f64, f64, usize) {
    let a = (j % 7) as f64 - 3.0;
    let s = 1.0 + (j % 5) as f64 * 2.5;
    (a, s, 1 + j % 3)
}

/// The benchmark data set: columns x1..xm.
pub fn data(rows: usize, m: usize, seed: u32) -> Dataset {
    let mut rng = Mulberry32(seed);
    let mut cols: Vec<Vec<f64>> = (0..m).map(|_| Vec::with_capacity(rows)).collect();
    for _ in 0..rows {
        for (j, c) in cols.iter_mut().enumerate() {
            let (a, s, k) = column_params(j);
            let u = rng.next();
            let p = match k {
                1 => u,
                2 => u * u,
                _ => u * u * u,
            };
            c.push(a + s * p);
        }
    }
    Dataset::from_columns(cols.into_iter().enumerate().map(|(j, v)| Column::numeric(format!("x{}", j + 1), v)).collect())
        .expect("data set")
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let rows = args.first().copied().unwrap_or(1_000_000);
    let m = args.get(1).copied().unwrap_or(60);
    let reps = args.get(2).copied().unwrap_or(3);
    let t0 = Instant::now();
    let ds = data(rows, m, 20240601);
    println!("generated {rows} rows × {m} indicators in {:.3} s", t0.elapsed().as_secs_f64());
    let inds = (0..m).map(|j| IndicatorSpec::new(format!("x{}", j + 1), if j % 4 == 3 { -1 } else { 1 })).collect();
    let spec = IndexSpec::new(IndexMethod::Entropy, inds);
    let mut best = f64::INFINITY;
    let mut best_tables = f64::INFINITY;
    for r in 0..reps {
        let t = Instant::now();
        let res = build_index(&ds, &spec).expect("index");
        let s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let tables = res.tables();
        let st = t.elapsed().as_secs_f64();
        best = best.min(s);
        best_tables = best_tables.min(st);
        let quasi::estimators::index::IndexResult::Weighted(w) = &res else { unreachable!() };
        println!(
            "rep {}: {:.3} s  (+ tables {:.3} s, {} tables; w1 = {:.15}, w4 = {:.15}, score[0] = {:.15})",
            r + 1,
            s,
            st,
            tables.len(),
            w.weights[0].weight,
            w.weights[3].weight,
            w.scores[0]
        );
    }
    println!("best {best:.3} s (tables {best_tables:.3} s)");
}
