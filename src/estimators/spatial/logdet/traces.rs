//! Traces of powers of W and the LeSage–Pace power series built on them.
//!
//! `tr(Wᵏ)` is exact for `k ≤ K₀`: each `e_iᵀ Wᵏ e_i` is read off the sparse row vector
//! `e_iᵀ Wᵏ`, grown hop by hop from unit i, while the total work stays within a budget
//! ([`EXACT_BUDGET`] multiply-adds; `K₀ ≥ 2` always, at most [`EXACT_MAX`]: 11 for
//! n = 3,000 with six neighbours). Beyond `K₀`, `tr(Wᵏ)` is Hutchinson's Monte-Carlo
//! estimate `(1/p) Σ_r z_rᵀ Wᵏ z_r` over `p` fixed Rademacher probes (±1) drawn from a
//! seeded ChaCha8 stream — the estimator of spatialreg's `trW(type = "MC")` (LeSage & Pace
//! 2009, §4.3), deterministic for the seed, natively and in wasm; its noise enters the
//! series multiplied by `ρᵏ`, `k > K₀`. The powers are extended lazily: only as many as
//! the largest `|ρ|` asked for needs.
//!
//! With `t_k = tr(Wᵏ)` and `A = I − ρW`, for `|ρ|·r(W) < 1`:
//! `tr(A⁻¹) = Σ ρᵏ t_k`, `tr(W A⁻¹) = Σ ρᵏ t_{k+1}`, `tr(W A⁻¹ W A⁻¹) = Σ (k+1) ρᵏ t_{k+2}`.

use rand::RngCore;
use rand_chacha::rand_core::SeedableRng;

/// Number of Monte-Carlo probes (spatialreg's default is 16; more probes, less noise).
pub const PROBES: usize = 50;
/// Seed of the probe stream.
pub const SEED: u64 = 20_090_101;
/// The series stop at this many powers at most.
pub const MAX_POWER: usize = 400;
/// Work budget (multiply-adds) of the exact traces of the first powers.
pub const EXACT_BUDGET: usize = 20_000_000;
/// Highest power traced exactly.
pub const EXACT_MAX: usize = 30;

/// Cached `tr(Wᵏ)`, exact for `k ≤ K₀`, Monte-Carlo beyond.
#[derive(Debug, Clone)]
pub struct PowerTraces {
    /// `t[k] ≈ tr(Wᵏ)`.
    pub t: Vec<f64>,
    /// The probes `z_r`.
    probes: Vec<Vec<f64>>,
    /// `Wᵏ z_r` for the last `k` computed.
    current: Vec<Vec<f64>>,
    /// `K₀`: `t[..=exact]` are exact.
    pub exact: usize,
}

/// Exact `tr(Wᵏ)` for `k = 0..=m`, where `m ≥ 2` is as large as the budget allows (at most
/// `max`): the sparse row vectors `e_iᵀ Wᵏ` grown hop by hop. The cost of each power is
/// measured on the fly and the powers stop, for every unit alike, at the first power whose
/// projected total cost exceeds the budget.
pub fn exact_power_traces(rows: &[Vec<(usize, f64)>], max: usize, budget: usize) -> Vec<f64> {
    let n = rows.len();
    // cost of power k summed over units is estimated from units 0, s, 2s, …
    let sample: Vec<usize> = (0..n).step_by((n / 64).max(1)).collect();
    let mut m = max.max(2);
    {
        let mut per_power = vec![0usize; m + 1];
        let mut walker = Walker::new(n);
        for &i in &sample {
            walker.run(rows, i, m, |k, _, cost| per_power[k] += cost);
        }
        let scale = n as f64 / sample.len().max(1) as f64;
        let mut total = 0.0;
        for (k, c) in per_power.iter().enumerate().skip(1) {
            total += *c as f64 * scale;
            if k > 2 && total > budget as f64 {
                m = k - 1;
                break;
            }
        }
    }
    let mut t = vec![0.0; m + 1];
    t[0] = n as f64;
    let mut walker = Walker::new(n);
    for i in 0..n {
        walker.run(rows, i, m, |k, d, _| t[k] += d);
    }
    t
}

/// Sparse row vector `e_iᵀ Wᵏ` with a marker array (O(n) memory reused across units).
struct Walker {
    cur: Vec<f64>,
    next: Vec<f64>,
    mark: Vec<bool>,
    supp: Vec<usize>,
    next_supp: Vec<usize>,
}

impl Walker {
    fn new(n: usize) -> Walker {
        Walker { cur: vec![0.0; n], next: vec![0.0; n], mark: vec![false; n], supp: Vec::new(), next_supp: Vec::new() }
    }

    /// Calls `f(k, (Wᵏ)_ii, cost of power k)` for `k = 1..=m`.
    fn run(&mut self, rows: &[Vec<(usize, f64)>], i: usize, m: usize, mut f: impl FnMut(usize, f64, usize)) {
        self.supp.clear();
        self.supp.push(i);
        self.cur[i] = 1.0;
        for k in 1..=m {
            let mut cost = 0;
            self.next_supp.clear();
            for &l in &self.supp {
                let v = self.cur[l];
                for &(j, w) in rows.get(l).map(Vec::as_slice).unwrap_or(&[]) {
                    if !self.mark[j] {
                        self.mark[j] = true;
                        self.next_supp.push(j);
                    }
                    self.next[j] += v * w;
                }
                cost += rows.get(l).map_or(0, Vec::len);
            }
            for &l in &self.supp {
                self.cur[l] = 0.0;
            }
            std::mem::swap(&mut self.cur, &mut self.next);
            std::mem::swap(&mut self.supp, &mut self.next_supp);
            for &j in &self.supp {
                self.mark[j] = false;
            }
            f(k, self.cur[i], cost);
        }
        for &l in &self.supp {
            self.cur[l] = 0.0;
        }
    }
}

/// True when the series may stop after term `k`: with `|t_j| ≤ n·rʲ` and `q = |ρ|·r < 1`,
/// every remaining term of the three sums is below `n·(k+3)·q^(k+1)·max(1, r²)`, and they
/// add up to at most that over `1 − q`; stop when this is `tol·n` or less.
fn can_stop(k: usize, q: f64, r: f64, tol: f64) -> bool {
    k >= 2 && (k as f64 + 3.0) * q.powi(k as i32 + 1) * (r * r).max(1.0) / (1.0 - q) <= tol
}

/// The three traces of `A⁻¹` at ρ from the power traces `t` (`r` bounds the spectral
/// radius of W), or `None` when `|ρ|·r ≥ 1` or the powers in `t` do not reach the
/// tolerance (relative to n).
pub fn series(t: &[f64], rho: f64, r: f64, tol: f64) -> Option<(f64, f64, f64)> {
    let q = rho.abs() * r;
    if q.is_nan() || q >= 1.0 {
        return None;
    }
    let (mut inv, mut w_inv, mut w_inv_sq) = (0.0, 0.0, 0.0);
    let mut p = 1.0; // ρᵏ
    for k in 0..t.len().saturating_sub(2) {
        inv += p * t[k];
        w_inv += p * t[k + 1];
        w_inv_sq += (k as f64 + 1.0) * p * t[k + 2];
        p *= rho;
        if can_stop(k, q, r, tol) {
            return Some((inv, w_inv, w_inv_sq));
        }
    }
    None
}

/// The highest power `m` (`tr(Wᵐ)`) the series need at ρ, or `None` when more than
/// [`MAX_POWER`] would be needed (or `|ρ|·r ≥ 1`).
pub fn powers_needed(rho: f64, r: f64, tol: f64) -> Option<usize> {
    let q = rho.abs() * r;
    if q.is_nan() || q >= 1.0 {
        return None;
    }
    (0..=MAX_POWER).find(|&k| can_stop(k, q, r, tol)).map(|k| k + 2)
}

impl PowerTraces {
    /// Exact `tr(Wᵏ)` for `k ≤ K₀` (within `budget`) from the rows of W, and the seeded
    /// probes for the powers beyond.
    pub fn new(rows: &[Vec<(usize, f64)>], budget: usize) -> PowerTraces {
        let n = rows.len();
        let t = exact_power_traces(rows, EXACT_MAX, budget);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED);
        let mut probes = Vec::with_capacity(PROBES);
        for _ in 0..PROBES {
            let mut z = Vec::with_capacity(n);
            let mut bits = 0u64;
            for i in 0..n {
                if i % 64 == 0 {
                    bits = rng.next_u64();
                }
                z.push(if (bits >> (i % 64)) & 1 == 1 { 1.0 } else { -1.0 });
            }
            probes.push(z);
        }
        PowerTraces { exact: t.len() - 1, t, current: Vec::new(), probes }
    }

    /// The probes (for Hutchinson estimates by solves when the series cannot converge).
    pub fn probes(&self) -> &[Vec<f64>] {
        &self.probes
    }

    /// Extends the estimates up to `tr(W^m)` (`lag` computes `W x`).
    pub fn extend_to(&mut self, m: usize, lag: impl Fn(&[f64]) -> Vec<f64>) {
        let m = m.min(MAX_POWER + 2);
        if self.t.len() > m {
            return;
        }
        if self.current.is_empty() {
            // W^K₀ z for every probe: the next power multiplies once more
            self.current = self.probes.clone();
            for _ in 0..self.exact {
                self.current = self.current.iter().map(|v| lag(v)).collect();
            }
        }
        while self.t.len() <= m {
            let mut s = 0.0;
            for (z, v) in self.probes.iter().zip(self.current.iter_mut()) {
                *v = lag(v);
                s += z.iter().zip(v.iter()).map(|(a, b)| a * b).sum::<f64>();
            }
            self.t.push(s / self.probes.len().max(1) as f64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_of_a_scalar_matches_closed_forms() {
        // W = [λ] (1×1): t_k = λᵏ; tr(A⁻¹) = 1/(1−ρλ), tr(WA⁻¹) = λ/(1−ρλ), tr((WA⁻¹)²) = λ²/(1−ρλ)²
        let (lambda, rho) = (0.8, 0.6);
        let t: Vec<f64> = (0..200).map(|k| f64::powi(lambda, k)).collect();
        let (a, b, c) = series(&t, rho, lambda, 1e-15).expect("converges");
        let d = 1.0 - rho * lambda;
        assert!((a - 1.0 / d).abs() < 1e-13);
        assert!((b - lambda / d).abs() < 1e-13);
        assert!((c - lambda * lambda / (d * d)).abs() < 1e-13);
    }

    #[test]
    fn powers_needed_grows_with_rho() {
        let a = powers_needed(0.5, 1.0, 1e-13).expect("finite");
        let b = powers_needed(0.9, 1.0, 1e-13).expect("finite");
        assert!(a < b && b <= MAX_POWER + 2);
        assert!(powers_needed(-1.0, 1.0, 1e-13).is_none());
        assert!(powers_needed(0.99, 1.0, 1e-13).is_none());
    }
}
