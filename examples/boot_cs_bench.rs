//! Benchmark: Callaway–Sant'Anna on 10,000 units × 20 periods (200,000 rows), five cohorts
//! plus never-treated units, doubly robust, with and without a 1,000-draw multiplier
//! bootstrap (the shape of bench/csdid.mjs; data from a seeded ChaCha8 RNG).
//!
//! Run: `cargo run --profile perf --example boot_cs_bench [runs]`.

use quasi::estimators::staggered::{csdid, BootstrapSpec, CsSpec};
use quasi::{Column, Dataset};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

fn panel(units: usize, periods: usize) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let cohorts = [2005.0, 2008.0, 2011.0, 2014.0, 2017.0];
    let (mut id, mut year, mut y, mut first) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for u in 0..units {
        let k = rng.random_range(0..=cohorts.len());
        let g = if k == cohorts.len() { 0.0 } else { cohorts[k] };
        let a = rng.random::<f64>() * 2.0 - 1.0;
        for t in 0..periods {
            let yr = 2001.0 + t as f64;
            let eff = if g > 0.0 && yr >= g { 0.1 * (1.0 + yr - g) } else { 0.0 };
            id.push(u as f64 + 1.0);
            year.push(yr);
            y.push(a + 0.05 * t as f64 + eff + rng.random::<f64>() - 0.5);
            first.push(g);
        }
    }
    Dataset::from_columns(vec![
        Column::numeric("id", id),
        Column::numeric("year", year),
        Column::numeric("y", y),
        Column::numeric("first_treat", first),
    ])
    .expect("panel")
}

fn best(runs: usize, mut f: impl FnMut() -> f64) -> (f64, f64) {
    let mut t = f64::INFINITY;
    let mut v = 0.0;
    for _ in 0..runs {
        let t0 = Instant::now();
        v = f();
        t = t.min(t0.elapsed().as_secs_f64());
    }
    (t, v)
}

fn main() {
    let runs = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let ds = panel(10_000, 20);
    let spec = CsSpec { y: "y".into(), unit: "id".into(), time: "year".into(), start: "first_treat".into(), ..Default::default() };
    let (t_fit, _) = best(runs, || csdid(&ds, &spec).expect("fit").aggregate.dynamic.estimate.std_error);
    let boot = CsSpec { bootstrap: Some(BootstrapSpec { reps: 1000, seed: 1 }), ..spec.clone() };
    let (t_boot, se) = best(runs, || csdid(&ds, &boot).expect("fit").aggregate.dynamic.estimate.std_error);
    println!("fit only      {t_fit:.3} s");
    println!("fit + 1000 bs {t_boot:.3} s  (bootstrap ≈ {:.3} s)  dynamic SE {se:.6e}", t_boot - t_fit);
}
