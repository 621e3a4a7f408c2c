//! Parse throughput on a CSV file: `cargo run --profile perf --example parse_bench [FILE] [runs]`
//! (default bench/out/numeric_1m.csv). Prints the best time of read_bytes.

use quasi::data::{read_bytes, ReadOptions};
use std::time::Instant;

/// CPU time of this thread in seconds (Linux; 0 elsewhere): the machine may be shared.
fn cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|t| t.parse::<f64>().ok()))
        .map_or(0.0, |ns| ns / 1e9)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).cloned().unwrap_or_else(|| "bench/out/numeric_1m.csv".into());
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(3);
    let bytes = std::fs::read(&path).expect("read file");
    let mb = bytes.len() as f64 / 1e6;
    let mut best = f64::INFINITY;
    for r in 0..runs {
        let t = Instant::now();
        let c = cpu();
        let l = read_bytes(&bytes, &ReadOptions::default()).expect("parse");
        let wall = t.elapsed().as_secs_f64();
        let s = cpu() - c;
        best = best.min(s);
        println!("run {r}: cpu {s:.3} s, wall {wall:.3} s ({} rows × {} cols) {:.0} MB/s", l.dataset.nrows(), l.dataset.ncols(), mb / s);
    }
    println!("best cpu: {best:.3} s = {:.0} MB/s", mb / best);
}
