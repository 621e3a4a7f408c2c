//! Global statistics on plain slices: Moran's I and Geary's C with their moments under
//! normality and randomisation, exactly as spdep 1.2-7's `moran.test` and `geary.test`
//! (Cliff & Ord 1981), and the seeded permutation test of `moran.mc`.
//!
//! Units without neighbours (islands) follow spdep with `zero.policy = TRUE` and
//! `adjust.n = TRUE`: the weight constants `n`, `S0`, `S1`, `S2` count only units with
//! neighbours, the mean and the kurtosis of Moran's test use every unit, and Geary's test
//! mixes the two as spdep does (its full `n` in `3n`, `n + 1` and the divisor).

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::super::SpatialWeights;
use crate::inference::dist::norm_cdf;
use crate::inference::rng;

/// spdep's `spweights.constants`: `n` counts units with at least one neighbour;
/// `S0 = Σ w_ij`, `S1 = ½ Σ (w_ij + w_ji)²`, `S2 = Σ_i (w_i· + w_·i)²`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightsConstants {
    /// Units with at least one neighbour (spdep's adjusted `n`).
    pub n: f64,
    /// All units.
    pub n_all: f64,
    /// Sum of the weights.
    pub s0: f64,
    /// `½ Σ (w_ij + w_ji)²`.
    pub s1: f64,
    /// `Σ_i (row sum + column sum)²`.
    pub s2: f64,
}

impl WeightsConstants {
    /// The constants of `w`.
    pub fn of(w: &SpatialWeights) -> WeightsConstants {
        let n_all = w.n();
        let mut col = vec![0.0; n_all];
        let (mut s0, mut s1) = (0.0, 0.0);
        for i in 0..n_all {
            for (j, v) in w.row(i) {
                s0 += v;
                s1 += v * v + v * w.get(j, i);
                if let Some(c) = col.get_mut(j) {
                    *c += v;
                }
            }
        }
        let s2 = (0..n_all).map(|i| (w.row_sum(i) + col[i]).powi(2)).sum();
        let n = (0..n_all).filter(|&i| w.degree(i) > 0).count() as f64;
        WeightsConstants { n, n_all: n_all as f64, s0, s1, s2 }
    }
}

/// Moran's I and its moments (spdep `moran.test`, alternative "greater").
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MoranStats {
    /// Moran's I = (n / S0) · z'Wz / z'z, `z` the deviations from the mean.
    #[serde(rename = "I")]
    pub i: f64,
    /// E[I] = −1 / (n − 1).
    pub expectation: f64,
    /// Var[I] under normality.
    pub variance_normal: f64,
    /// (I − E[I]) / √Var under normality.
    pub z_normal: f64,
    /// Var[I] under randomisation (spdep's default).
    pub variance_randomisation: f64,
    /// (I − E[I]) / √Var under randomisation.
    pub z_randomisation: f64,
    /// One-sided p-value, alternative "greater" (positive autocorrelation), under
    /// randomisation: spdep `moran.test`'s defaults.
    pub p_value: f64,
}

/// Geary's C and its moments (spdep `geary.test`, alternative "greater").
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GearyStats {
    /// Geary's C = (n − 1) Σ w_ij (x_i − x_j)² / (2 S0 Σ z²).
    pub c: f64,
    /// E[C] = 1.
    pub expectation: f64,
    /// Var[C] under randomisation (spdep's default).
    pub variance_randomisation: f64,
    /// Var[C] under normality (not serialised; for checks).
    #[serde(skip)]
    pub variance_normal: f64,
    /// (E[C] − C) / √Var under randomisation: positive for positive autocorrelation
    /// (small C), as spdep.
    pub z: f64,
    /// Upper-tail p-value of `z` (spdep's alternative "greater": positive autocorrelation).
    pub p_value: f64,
}

fn upper(z: f64) -> f64 {
    if z.is_finite() {
        norm_cdf(-z)
    } else {
        f64::NAN
    }
}

fn deviations(x: &[f64]) -> (Vec<f64>, f64) {
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    let z: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let zz = z.iter().map(|v| v * v).sum();
    (z, zz)
}

fn quad(w: &SpatialWeights, z: &[f64]) -> f64 {
    w.lag(z).iter().zip(z).map(|(a, b)| a * b).sum()
}

/// Moran's I of `x` (in matrix order; `x.len()` must equal `w.n()`, otherwise every field
/// is NaN) with spdep's moments.
pub fn moran_stats(x: &[f64], w: &SpatialWeights) -> MoranStats {
    let k = WeightsConstants::of(w);
    if x.len() != w.n() || x.is_empty() {
        return moran_from(f64::NAN, f64::NAN, &k);
    }
    let (z, zz) = deviations(x);
    let kurt = k.n_all * z.iter().map(|v| v.powi(4)).sum::<f64>() / (zz * zz);
    moran_from(k.n / k.s0 * quad(w, &z) / zz, kurt, &k)
}

fn moran_from(i: f64, kurt: f64, k: &WeightsConstants) -> MoranStats {
    let (n, s02) = (k.n, k.s0 * k.s0);
    let nn = n * n;
    let ei = -1.0 / (n - 1.0);
    let vn = (nn * k.s1 - n * k.s2 + 3.0 * s02) / (s02 * (nn - 1.0)) - ei * ei;
    let a = n * (k.s1 * (nn - 3.0 * n + 3.0) - n * k.s2 + 3.0 * s02);
    let b = kurt * (k.s1 * (nn - n) - 2.0 * n * k.s2 + 6.0 * s02);
    let vr = (a - b) / ((n - 1.0) * (n - 2.0) * (n - 3.0) * s02) - ei * ei;
    let zr = (i - ei) / vr.sqrt();
    MoranStats {
        i,
        expectation: ei,
        variance_normal: vn,
        z_normal: (i - ei) / vn.sqrt(),
        variance_randomisation: vr,
        z_randomisation: zr,
        p_value: upper(zr),
    }
}

/// Geary's C of `x` (matrix order; NaN fields when `x.len() != w.n()`) with spdep's moments.
pub fn geary_stats(x: &[f64], w: &SpatialWeights) -> GearyStats {
    let k = WeightsConstants::of(w);
    if x.len() != w.n() || x.is_empty() {
        return geary_from(f64::NAN, f64::NAN, &k);
    }
    let (z, zz) = deviations(x);
    let kurt = k.n * z.iter().map(|v| v.powi(4)).sum::<f64>() / (zz * zz);
    let mut s = 0.0;
    for (i, zi) in z.iter().enumerate() {
        for (j, v) in w.row(i) {
            s += v * (zi - z[j]).powi(2);
        }
    }
    geary_from((k.n - 1.0) / (2.0 * k.s0) * s / zz, kurt, &k)
}

fn geary_from(c: f64, kurt: f64, k: &WeightsConstants) -> GearyStats {
    let (n, big_n, s02) = (k.n, k.n_all, k.s0 * k.s0);
    let (n1, n2, n3, nn) = (n - 1.0, n - 2.0, n - 3.0, n * n);
    let mut vr = n1 * k.s1 * (nn - 3.0 * big_n + 3.0 - kurt * n1);
    vr -= 0.25 * n1 * k.s2 * (nn + 3.0 * big_n - 6.0 - kurt * (nn - big_n + 2.0));
    vr += s02 * (nn - 3.0 - kurt * n1 * n1);
    vr /= big_n * n2 * n3 * s02;
    let vn = ((2.0 * k.s1 + k.s2) * n1 - 4.0 * s02) / (2.0 * (big_n + 1.0) * s02);
    let z = (1.0 - c) / vr.sqrt();
    GearyStats { c, expectation: 1.0, variance_randomisation: vr, variance_normal: vn, z, p_value: upper(z) }
}

/// The permutation test of spdep's `moran.mc` with alternative "greater": the values are
/// permuted over the units `permutations` times (a ChaCha8 stream seeded with `seed`,
/// Fisher–Yates through [`crate::inference::rng`], so a seed gives the same draws natively
/// and in wasm) and the pseudo p-value is `(1 + #{I_perm ≥ I_obs}) / (R + 1)` (Hope 1968;
/// Davison & Hinkley 1997). spdep's `moran.mc` computes the rank-based
/// `max(#{I_perm > I_obs}, 1) / (R + 1)` instead, which can be smaller by 1/(R + 1); ours
/// never rejects more often than the nominal level. A permuted I within 1e-12 (relative)
/// of the observed one counts as reaching it. `None` when `permutations` is 0 or `x` does
/// not match `w`.
pub fn moran_permutation_p(x: &[f64], w: &SpatialWeights, permutations: usize, rng: &mut ChaCha8Rng) -> Option<f64> {
    if permutations == 0 || x.len() != w.n() || x.is_empty() {
        return None;
    }
    let (mut z, _) = deviations(x);
    let obs = quad(w, &z);
    let tol = 1e-12 * obs.abs().max(f64::MIN_POSITIVE);
    let mut reach = 0usize;
    for _ in 0..permutations {
        rng::shuffle(&mut z, rng);
        if quad(w, &z) >= obs - tol {
            reach += 1;
        }
    }
    Some((1 + reach) as f64 / (permutations + 1) as f64)
}

/// A seeded ChaCha8 generator (the one stream every permutation test of this module uses).
pub fn seeded(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimators::spatial::Standardise;

    /// A ring of `n` units, row-standardised.
    pub(crate) fn ring(n: usize) -> SpatialWeights {
        let units = (0..n).map(|i| format!("u{i}")).collect();
        let rows = (0..n).map(|i| vec![((i + 1) % n, 0.5), ((i + n - 1) % n, 0.5)]).collect();
        SpatialWeights::from_rows(units, rows, Standardise::Row).expect("ring")
    }

    #[test]
    fn constants_of_a_ring() {
        let k = WeightsConstants::of(&ring(6));
        assert_eq!((k.n, k.s0), (6.0, 6.0));
        assert!((k.s1 - 6.0).abs() < 1e-12, "½ Σ (0.5 + 0.5)² over 12 links");
        assert!((k.s2 - 24.0).abs() < 1e-12, "Σ (1 + 1)²");
    }

    #[test]
    fn alternating_values_give_minus_one() {
        let x = [1.0, -1.0, 1.0, -1.0, 1.0, -1.0];
        let m = moran_stats(&x, &ring(6));
        assert!((m.i + 1.0).abs() < 1e-12);
        // C = (n − 1) Σ w (x_i − x_j)² / (2 S0 Σ z²) = 5 · 24 / (2 · 6 · 6).
        assert!((geary_stats(&x, &ring(6)).c - 5.0 / 3.0).abs() < 1e-12);
        assert!(moran_stats(&x[..3], &ring(6)).i.is_nan());
    }

    #[test]
    fn permutation_is_deterministic_for_a_seed() {
        let x: Vec<f64> = (0..12).map(|i| (i as f64).sin()).collect();
        let w = ring(12);
        let a = moran_permutation_p(&x, &w, 99, &mut seeded(3));
        assert_eq!(a, moran_permutation_p(&x, &w, 99, &mut seeded(3)));
        assert!(a.is_some_and(|p| p > 0.0 && p <= 1.0));
        assert_eq!(moran_permutation_p(&x, &w, 0, &mut seeded(3)), None);
    }
}
