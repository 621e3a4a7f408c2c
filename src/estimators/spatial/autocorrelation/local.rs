//! Local Moran's I (Anselin 1995) on plain slices, as spdep 1.2-7's `localmoran` with its
//! defaults (`conditional = TRUE`, `mlvar = TRUE`, `alternative = "two.sided"`), and the
//! conditional permutation test of `localmoran_perm`.

use rand_chacha::ChaCha8Rng;

use super::super::SpatialWeights;
use crate::inference::dist::norm_cdf;
use crate::inference::rng;

/// Local Moran statistics of one unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalStats {
    /// `I_i = (z_i / m2) Σ_j w_ij z_j`, `z` the deviations from the mean, `m2 = Σ z² / n`.
    pub ii: f64,
    /// E[I_i] = −z_i² w_i· / ((n − 1) m2) (spdep's conditional expectation).
    pub expectation: f64,
    /// Var[I_i] = (z_i / m2)² · n/(n − 2) · (Σ_j w_ij² − w_i·²/(n − 1)) · (m2 − z_i²/(n − 1)).
    pub variance: f64,
    /// (I_i − E) / √Var.
    pub z: f64,
    /// Two-sided normal p-value (NaN for an island, whose variance is 0).
    pub p_value: f64,
    /// `x_i` above the mean (spdep's "mean" quadrant: `x_i > mean(x)`).
    pub high: bool,
    /// The lag above the mean of the lags (`(Wx)_i > mean(Wx)`).
    pub lag_high: bool,
}

fn centred(x: &[f64]) -> (Vec<f64>, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let z: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let m2 = z.iter().map(|v| v * v).sum::<f64>() / n;
    (z, m2)
}

/// Local Moran of every unit (matrix order). Empty when `x.len() != w.n()`.
pub fn local_moran(x: &[f64], w: &SpatialWeights) -> Vec<LocalStats> {
    if x.len() != w.n() || x.is_empty() {
        return Vec::new();
    }
    let n = x.len() as f64;
    let (z, m2) = centred(x);
    let lz = w.lag(&z);
    let lx = w.lag(x);
    let mean_lx = lx.iter().sum::<f64>() / n;
    (0..x.len())
        .map(|i| {
            let (zi, wi) = (z[i], w.row_sum(i));
            let wi2: f64 = w.row(i).map(|(_, v)| v * v).sum();
            let ii = zi / m2 * lz[i];
            let expectation = -(zi * zi * wi) / ((n - 1.0) * m2);
            let variance = (zi / m2).powi(2) * (n / (n - 2.0)) * (wi2 - wi * wi / (n - 1.0)) * (m2 - zi * zi / (n - 1.0));
            let zs = (ii - expectation) / variance.sqrt();
            let p_value = if zs.is_finite() { 2.0 * norm_cdf(-zs.abs()) } else { f64::NAN };
            LocalStats { ii, expectation, variance, z: zs, p_value, high: z[i] > 0.0, lag_high: lx[i] > mean_lx }
        })
        .collect()
}

/// Conditional permutation pseudo p-values (one per unit; `None` for an island or when
/// `permutations` is 0): unit `i`'s value stays, its `k_i` neighbours' values are drawn
/// WITHOUT replacement from the other `n − 1` units (Anselin 1995; GeoDa) — spdep 1.2-7's
/// `localmoran_perm` draws them with replacement — and with `k = #{I_perm ≥ I_i}` the
/// p-value is spdep's folded `Pr(folded) Sim = (min(k, R − k) + 1) / (R + 1)` (also
/// GeoDa's pseudo p-value): one-sided in the direction of the observed statistic.
pub fn local_permutation_p(x: &[f64], w: &SpatialWeights, permutations: usize, rng: &mut ChaCha8Rng) -> Vec<Option<f64>> {
    if permutations == 0 || x.len() != w.n() || x.is_empty() {
        return vec![None; x.len()];
    }
    let (z, m2) = centred(x);
    let lz = w.lag(&z);
    let mut pool: Vec<usize> = Vec::with_capacity(x.len());
    (0..x.len())
        .map(|i| {
            let weights: Vec<f64> = w.row(i).map(|(_, v)| v).collect();
            let k = weights.len();
            if k == 0 || k >= x.len() {
                return None;
            }
            let obs = z[i] / m2 * lz[i];
            let tol = 1e-12 * obs.abs().max(f64::MIN_POSITIVE);
            pool.clear();
            pool.extend((0..x.len()).filter(|&j| j != i));
            let mut reach = 0usize;
            for _ in 0..permutations {
                // Partial Fisher–Yates: the first k entries of `pool` become a uniform draw.
                let mut lag = 0.0;
                for (s, wv) in weights.iter().enumerate() {
                    let pick = s + rng::below(rng, (pool.len() - s) as u64) as usize;
                    pool.swap(s, pick);
                    lag += wv * z[pool[s]];
                }
                if z[i] / m2 * lag >= obs - tol {
                    reach += 1;
                }
            }
            Some((reach.min(permutations - reach) + 1) as f64 / (permutations + 1) as f64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimators::spatial::Standardise;

    #[test]
    fn local_sums_to_n_times_global_for_row_standardised_weights() {
        let n = 8;
        let units = (0..n).map(|i| format!("u{i}")).collect();
        let rows = (0..n).map(|i| vec![((i + 1) % n, 0.5), ((i + n - 1) % n, 0.5)]).collect();
        let w = SpatialWeights::from_rows(units, rows, Standardise::Row).expect("ring");
        let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).cos() + i as f64 * 0.1).collect();
        let l = local_moran(&x, &w);
        let global = super::super::global::moran_stats(&x, &w).i;
        assert!((l.iter().map(|s| s.ii).sum::<f64>() / n as f64 - global).abs() < 1e-12);
        let p = local_permutation_p(&x, &w, 199, &mut super::super::global::seeded(1));
        assert_eq!(p, local_permutation_p(&x, &w, 199, &mut super::super::global::seeded(1)));
        assert!(p.iter().all(|v| v.is_some_and(|p| (0.0..=0.5 + 1e-12).contains(&p))));
    }
}
