#![cfg(not(target_arch = "wasm32"))]
//! Native only. Throughput check (ignored by default; run with
//! `cargo test --release --test data_perf -- --ignored --nocapture`).
//! A ~100 MB, 1M-row numeric CSV is generated in memory and parsed.

use quasi::data::{read_bytes, ReadOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn numeric_csv(rows: usize) -> Vec<u8> {
    use std::fmt::Write as _;
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut s = String::with_capacity(rows * 100);
    s.push_str("id,year,treat,y,x1,x2,x3,x4,x5,x6,x7\n");
    for i in 0..rows {
        let _ = write!(s, "{},{},{}", i / 10, 2000 + i % 10, i % 2);
        for _ in 0..8 {
            let _ = write!(s, ",{:.6}", rng.random::<f64>() * 1000.0 - 500.0);
        }
        s.push('\n');
    }
    s.into_bytes()
}

#[test]
#[ignore]
fn throughput_100mb() {
    let bytes = numeric_csv(1_000_000);
    let mb = bytes.len() as f64 / 1e6;
    let t = std::time::Instant::now();
    let l = read_bytes(&bytes, &ReadOptions::default()).unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(l.dataset.nrows(), 1_000_000);
    assert_eq!(l.dataset.ncols(), 11);
    println!("{mb:.1} MB in {secs:.3} s = {:.0} MB/s", mb / secs);
}

#[test]
fn small_numeric_file_is_all_numeric() {
    let bytes = numeric_csv(1000);
    let l = read_bytes(&bytes, &ReadOptions::default()).unwrap();
    assert_eq!(l.dataset.nrows(), 1000);
    assert!(l.report.columns.iter().all(|c| c.kind != quasi::ColumnKind::Text));
    assert_eq!(l.report.columns[1].kind, quasi::ColumnKind::Integer);
}

#[test]
#[ignore]
fn phases() {
    let bytes = numeric_csv(1_000_000);
    let t = std::time::Instant::now();
    let _ = std::str::from_utf8(&bytes).unwrap();
    println!("utf8 {:.3}", t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&bytes[..]);
    let mut rec = csv::ByteRecord::new();
    let mut n = 0usize;
    while rdr.read_byte_record(&mut rec).unwrap() {
        n += rec.len();
    }
    println!("csv {:.3} {n}", t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&bytes[..]);
    let mut s = 0.0;
    while rdr.read_byte_record(&mut rec).unwrap() {
        for f in rec.iter() {
            s += std::str::from_utf8(f).unwrap().parse::<f64>().unwrap_or(0.0);
        }
    }
    println!("csv+parse {:.3} {s}", t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    let c = bytes.iter().filter(|&&b| b == b'\n').count();
    println!("count nl {:.3} {c}", t.elapsed().as_secs_f64());
}
