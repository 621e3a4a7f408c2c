//! The ARP conditional test without nuisance parameters (one post-period), HonestDiD's
//! `.testInIdentifiedSet_LF_Hybrid` with `.VLoVUpFN`.
//!
//! For `θ̄`, `y = β̂ − e_post θ̄`; the moments `Ãy − d̃` are `Ay − d` scaled by their standard
//! deviations. The statistic is the largest moment (row `j`); conditional on `j` being the
//! largest, `γ'y` (`γ = Ã_j'`) is a normal with mean `d̃_j` under the null, truncated to
//! `[v_lo, v_up]` from the other rows (polyhedral lemma, Lee et al.). The LF hybrid first
//! rejects when the largest moment exceeds `c_LF`, the `1 − κ` quantile of the largest
//! standardised component of `N(0, AΣA')` (1000 draws), then tests at size
//! `(α − κ)/(1 − κ)`. As in R, only the moments involving the post-period coefficient enter.

use super::arp::{psd_factor, trunc_norm_quantile};
use crate::inference::stats::quantile_type7;
use nalgebra::{DMatrix, DVector};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// `c_LF` without nuisance parameters.
pub(crate) fn lf_cv_simple(sigma_y: &DMatrix<f64>, kappa: f64, seed: u64) -> f64 {
    let n = sigma_y.nrows();
    let factor = psd_factor(sigma_y);
    let sd: Vec<f64> = (0..n).map(|i| sigma_y[(i, i)].max(1e-300).sqrt()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut maxes: Vec<f64> = (0..super::arp::LF_SIMS)
        .map(|_| {
            let z = DVector::from_iterator(n, (0..n).map(|_| super::arp::std_normal(&mut rng)));
            let xi = &factor * z;
            (0..n).map(|i| xi[i] / sd[i]).fold(f64::NEG_INFINITY, f64::max)
        })
        .collect();
    maxes.sort_by(f64::total_cmp);
    quantile_type7(&maxes, 1.0 - kappa)
}

/// The LF-hybrid test at `y`; `true` = reject.
pub(crate) fn lf_test_simple(y: &DVector<f64>, sigma: &DMatrix<f64>, a: &DMatrix<f64>, d: &DVector<f64>, alpha: f64, kappa: f64, lf_cv: f64) -> bool {
    let m = a.nrows();
    let var = a * sigma * a.transpose();
    let sd: Vec<f64> = (0..m).map(|i| var[(i, i)].max(0.0).sqrt().max(1e-10)).collect();
    let at = DMatrix::from_fn(m, a.ncols(), |i, j| a[(i, j)] / sd[i]);
    let dt = DVector::from_fn(m, |i, _| d[i] / sd[i]);
    let moments = &at * y - &dt;
    let Some(j) = (0..m).max_by(|&p, &q| moments[p].total_cmp(&moments[q]).then(q.cmp(&p))) else { return false };
    let max_moment = moments[j];
    if max_moment > lf_cv {
        return true;
    }
    let gamma = at.row(j).transpose();
    let gsg = (gamma.transpose() * sigma * &gamma)[(0, 0)];
    if gsg <= 0.0 {
        return max_moment > 0.0;
    }
    let c = sigma * &gamma / gsg;
    let z = y - &c * gamma.dot(y);
    let (mut vlo, mut vup) = (f64::NEG_INFINITY, f64::INFINITY);
    for i in (0..m).filter(|&i| i != j) {
        // Row i of Ā = Ã − 1·Ã_j, of d̄ = d̃ − d̃_j.
        let abar = at.row(i) - at.row(j);
        let ac = (&abar * &c)[(0, 0)];
        if ac.abs() <= 1e-10 {
            continue;
        }
        let obj = ((dt[i] - dt[j]) - (&abar * &z)[(0, 0)]) / ac;
        if ac < 0.0 {
            vlo = vlo.max(obj);
        } else {
            vup = vup.min(obj);
        }
    }
    let size = (alpha - kappa) / (1.0 - kappa);
    let (mu, sbar) = (dt[j], gsg.sqrt());
    let crit = (mu + sbar * trunc_norm_quantile(1.0 - size, (vlo - mu) / sbar, (vup - mu) / sbar)).max(0.0);
    max_moment + dt[j] > crit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honest_simple_test_rejects_far_values_only() {
        // One pre (−1) and one post (1) coefficient, Δ: |δ₁| ≤ |δ₋₁| written as two rows.
        let sigma = DMatrix::identity(2, 2) * 0.01;
        let a = DMatrix::from_row_slice(2, 2, &[-1.0, 1.0, -1.0, -1.0]);
        let d = DVector::zeros(2);
        let beta = DVector::from_vec(vec![0.05, 0.5]);
        let cv = lf_cv_simple(&(&a * &sigma * a.transpose()), 0.005, 0);
        assert!(cv > 2.0 && cv < 3.5, "{cv}");
        let test = |theta: f64| lf_test_simple(&(&beta - DVector::from_vec(vec![0.0, theta])), &sigma, &a, &d, 0.05, 0.005, cv);
        assert!(!test(0.5));
        assert!(test(2.0) && test(-1.0));
    }
}
