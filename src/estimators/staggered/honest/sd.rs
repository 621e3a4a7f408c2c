//! Smoothness `Δ^SD(M)` (Rambachan & Roth 2023, §2.4.2): the slope of the bias changes by at
//! most `M` between consecutive periods,
//!
//! `|(δ_{t+1} − δ_t) − (δ_t − δ_{t−1})| ≤ M` for all `t` (`δ_0 = 0`, the reference period).
//!
//! `M = 0` allows exactly the linear trends through the reference period: the bias after
//! treatment is the linear extrapolation of the pre-period one. The robust interval under
//! `Δ^SD(M)` is HonestDiD's default, the optimal FLCI ([`super::flci`]).
//!
//! The default grid of `M` follows HonestDiD's `createSensitivityResults`: 10 evenly spaced
//! values from 0 to `DeltaSD_upperBound_Mpre` — the largest of `±(second difference of the
//! pre-period coefficients) + z_{1−α}·se` over the pre-period second differences (the
//! reference period, 0, included) — or to `sd(β̂_pre)` with a single pre-period.

use super::rm::EventStudy;
use crate::inference::dist::norm_quantile;
use nalgebra::DMatrix;

/// Second differences of `(β_pre, 0)` (rows) in terms of `β_pre` (columns), HonestDiD's
/// `.create_A_SD(numPrePeriods, 0)` before stacking `±`.
fn pre_second_differences(num_pre: usize) -> DMatrix<f64> {
    let rows = num_pre.saturating_sub(1);
    let mut a = DMatrix::zeros(rows, num_pre);
    for r in 0..rows {
        for (k, c) in [1.0, -2.0, 1.0].into_iter().enumerate() {
            // Position r + k among (β_{−T̲}, …, β_{−1}, 0); the last position is the reference.
            if r + k < num_pre {
                a[(r, r + k)] = c;
            }
        }
    }
    a
}

/// HonestDiD's `DeltaSD_upperBound_Mpre` (needs at least two pre-periods).
pub(crate) fn upper_bound_m(es: &EventStudy, alpha: f64) -> f64 {
    let np = es.num_pre;
    let a = pre_second_differences(np);
    let beta = es.betahat.rows(0, np).into_owned();
    let sig = es.sigma.view((0, 0), (np, np)).into_owned();
    let diffs = &a * beta;
    let var = &a * sig * a.transpose();
    let z = norm_quantile(1.0 - alpha);
    let mut best = f64::NEG_INFINITY;
    for i in 0..a.nrows() {
        let se = var[(i, i)].max(0.0).sqrt();
        best = best.max(diffs[i] + z * se).max(-diffs[i] + z * se);
    }
    best
}

/// HonestDiD's default `Mvec`: 10 values from 0 to the upper bound.
pub(crate) fn default_m_grid(es: &EventStudy, alpha: f64) -> Vec<f64> {
    let hi = if es.num_pre == 1 { es.sigma[(0, 0)].max(0.0).sqrt() } else { upper_bound_m(es, alpha) };
    let hi = if hi.is_finite() && hi > 0.0 { hi } else { 0.0 };
    (0..10).map(|i| hi * i as f64 / 9.0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DVector;

    #[test]
    fn honest_sd_second_differences_include_reference() {
        // Three pre-periods (−3, −2, −1) and the reference 0.
        let a = pre_second_differences(3);
        assert_eq!(a.row(0).iter().copied().collect::<Vec<_>>(), vec![1.0, -2.0, 1.0]);
        assert_eq!(a.row(1).iter().copied().collect::<Vec<_>>(), vec![0.0, 1.0, -2.0]);
    }

    #[test]
    fn honest_sd_default_grid_runs_from_zero() {
        let es = EventStudy {
            betahat: DVector::from_vec(vec![0.3, 0.1, 0.0, 0.2]),
            sigma: DMatrix::identity(4, 4) * 0.01,
            num_pre: 3,
            num_post: 1,
            l_vec: vec![1.0],
            first_s: 0,
        };
        let g = default_m_grid(&es, 0.05);
        assert_eq!(g.len(), 10);
        assert_eq!(g[0], 0.0);
        // Second differences: 0.3 − 0.2 + 0 = 0.1 and 0.1 − 0 + 0 = 0.1; se = √(0.06), √(0.05).
        let expect = 0.1 + norm_quantile(0.95) * 0.06f64.sqrt();
        assert!((g[9] - expect).abs() < 1e-12, "{} {}", g[9], expect);
    }
}
