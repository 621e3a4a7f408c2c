//! Kernel and radius matching stream their weights: the matched sets are kept as runs of
//! the sorted pool, never as a list of (treated, control) pairs, so problems whose pair list
//! would take gigabytes run in O(n) memory; and the streamed results equal the pair-list ones.

use quasi::estimators::psm::{psm, CaliperScale, Kernel, MatchOptions, Method, PsmSpec, SeKind};
use quasi::{Column, Dataset};

/// Deterministic pseudo-random numbers in [0, 1) (LCG).
fn lcg(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 11) as f64) / ((1u64 << 53) as f64)
    }
}

/// `n_t` treated and `n_c` controls with one covariate (the treated shifted up) and an outcome.
fn data(n_t: usize, n_c: usize, seed: u64) -> (Dataset, Vec<f64>, Vec<f64>) {
    let mut u = lcg(seed);
    let (mut t, mut x, mut y) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n_t + n_c {
        let ti = if i < n_t { 1.0 } else { 0.0 };
        let xi = u() + 0.3 * ti;
        t.push(ti);
        x.push(xi);
        y.push(xi + 2.0 * ti + u());
    }
    let ds = Dataset::from_columns(vec![Column::numeric("t", t.clone()), Column::numeric("x", x), Column::numeric("y", y.clone())]).unwrap();
    (ds, t, y)
}

fn spec(method: Method, kernel: Kernel, width: f64, return_pairs: Option<bool>) -> PsmSpec {
    PsmSpec {
        formula: "t ~ x".into(),
        outcome: Some("y".into()),
        se: SeKind::None,
        return_pairs,
        matching: MatchOptions {
            method,
            kernel,
            bandwidth: Some(width),
            caliper: (method == Method::Radius).then_some(width),
            caliper_scale: CaliperScale::Absolute,
            ..MatchOptions::default()
        },
        ..PsmSpec::default()
    }
}

/// Peak resident memory of this process in kB (Linux; None elsewhere).
fn peak_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

/// 8,200 treated × 8,200 controls, every control within reach of every treated unit:
/// 67 million (treated, control) pairs, whose list would take more than 1 GB (16 bytes a
/// pair, 24 as `matched.pair_*`). The run holds O(n) data: peak memory grows by far less.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn wide_kernel_and_radius_run_in_bounded_memory() {
    let n = 8_200;
    let (ds, _, _) = data(n, n, 3);
    let before = peak_kb();
    for (method, kernel) in [(Method::Radius, Kernel::Epanechnikov), (Method::Kernel, Kernel::Epanechnikov), (Method::Kernel, Kernel::Gaussian)] {
        let r = psm(&ds, &spec(method, kernel, 50.0, None)).unwrap();
        assert_eq!(r.n_treated_matched, n);
        assert_eq!(r.n_control_used, n);
        assert!(r.matched.pair_focal.is_empty());
        assert!(r.diagnostics.iter().any(|d| d.message.contains("67240000 matched pairs")), "{:?}", r.diagnostics);
        assert!((r.att - 2.3).abs() < 0.2, "{method:?} {kernel:?}: {}", r.att);
    }
    if let (Some(a), Some(b)) = (before, peak_kb()) {
        assert!(b.saturating_sub(a) < 200_000, "peak memory grew by {} MB", (b - a) / 1000);
    }
}

/// On a small problem the streamed weights equal those of the explicit pair list, computed
/// here pair by pair from the scores (Epanechnikov and Gaussian kernels, radius).
#[test]
fn streamed_weights_equal_the_pair_list() {
    let (ds, t, y) = data(60, 90, 5);
    for (method, kernel, width) in [(Method::Kernel, Kernel::Epanechnikov, 0.08), (Method::Kernel, Kernel::Gaussian, 0.03), (Method::Radius, Kernel::Epanechnikov, 0.05)] {
        let r = psm(&ds, &spec(method, kernel, width, Some(false))).unwrap();
        let full = psm(&ds, &spec(method, kernel, width, Some(true))).unwrap();
        assert!(r.matched.pair_focal.is_empty() && !full.matched.pair_focal.is_empty());
        assert_eq!(r.att.to_bits(), full.att.to_bits());
        assert_eq!(r.matched.weights, full.matched.weights);
        // the pair list by brute force over all (treated, control) pairs
        let s = &r.scores;
        // radius: |vⱼ − vᵢ| ≤ c, equal weights; Gaussian: evaluated for |u| ≤ 8 (documented)
        let k = |vi: f64, vj: f64| {
            let u = (vj - vi) / width;
            match (method, kernel) {
                (Method::Radius, _) => f64::from((vi - vj).abs() <= width),
                (_, Kernel::Epanechnikov) => if u.abs() < 1.0 { 0.75 * (1.0 - u * u) } else { 0.0 },
                (_, Kernel::Gaussian) => if u.abs() <= 8.0 { (-0.5 * u * u).exp() } else { 0.0 },
            }
        };
        let mut w = vec![0.0; t.len()];
        let (mut att, mut m) = (0.0, 0usize);
        for i in (0..t.len()).filter(|&i| t[i] == 1.0) {
            let ks: Vec<(usize, f64)> = (0..t.len()).filter(|&j| t[j] == 0.0).map(|j| (j, k(s[i], s[j]))).filter(|p| p.1 > 0.0).collect();
            let tot: f64 = ks.iter().map(|p| p.1).sum();
            if tot <= 0.0 {
                continue;
            }
            m += 1;
            w[i] += 1.0;
            att += y[i] - ks.iter().map(|&(j, kv)| kv / tot * y[j]).sum::<f64>();
            for &(j, kv) in &ks {
                w[j] += kv / tot;
            }
        }
        att /= m as f64;
        assert_eq!(r.n_treated_matched, m);
        assert!((r.att - att).abs() < 1e-12 * att.abs().max(1.0), "{method:?} {kernel:?}: {} vs {att}", r.att);
        let rows: Vec<usize> = (0..t.len()).filter(|&i| w[i] > 0.0).collect();
        assert_eq!(r.matched.rows, rows);
        for (&row, &wr) in r.matched.rows.iter().zip(&r.matched.weights) {
            assert!((wr - w[row]).abs() < 1e-12, "row {row}: {wr} vs {}", w[row]);
        }
        assert_eq!(full.matched.pair_focal.len(), full.matched.pair_weight.len());
    }
}
