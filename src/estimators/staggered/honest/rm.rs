//! Relative magnitudes `Δ^RM(M̄)` (Rambachan & Roth 2023, §2.4.1): post-treatment violations
//! of parallel trends are at most `M̄` times the largest pre-treatment one,
//!
//! `|δ_{t+1} − δ_t| ≤ M̄ · max_{s<0} |δ_{s+1} − δ_s|` for all `t ≥ 0` (`δ_0 = 0`, the reference).
//!
//! `Δ^RM(M̄)` is a union of polyhedra `Δ^RM_{s,±}`: the largest pre-period difference is the
//! one at `s`, with sign `±`. For each, `A_{s,±}δ ≤ 0` stacks `±(δ_{r+1} − δ_r) − v_r ≤ 0` over
//! every first difference `r` (pre and post), with `v_r = ±(δ_{s+1} − δ_s)` for pre-period
//! differences and `M̄` times that for post-period ones (rows that vanish dropped, the
//! reference column removed): HonestDiD's `.create_A_RM`. By Lemma 2.2 the confidence set is
//! the union over `(s, ±)` of the LF-hybrid ARP sets ([`super::arp`]), each using only the
//! moments that involve a post-period coefficient (`postPeriodMomentsOnly = TRUE`); with a
//! single post-period the test has no nuisance parameter ([`super::arp_simple`]) and every grid
//! point is tested.
//!
//! Conventions (HonestDiD's `createSensitivityResults_relativeMagnitudes` with
//! `method = "C-LF"`, as moderndid 0.2 runs it from `honest_did`):
//! * `s` runs over every pre-period difference, `δ_{−T̲+1} − δ_{−T̲}` to `δ_0 − δ_{−1}` (R's
//!   `min_s:0`, and the definition of `Δ^RM`). moderndid 0.2 leaves out the earliest one,
//!   `δ_{−T̲+1} − δ_{−T̲}` (its `range(min_s, 0)` with shifted indices), which can only make the
//!   sets narrower; [`RmMaxLocation::Moderndid`](super::RmMaxLocation) reproduces that.
//! * The `θ` grid has 100 points (the `gridPoints` of `honest_did`) from `lb − 20·sd(θ̂)` to
//!   `ub + 20·sd(θ̂)`, `[lb, ub]` the identified set at `β̂` (moderndid's grid; HonestDiD 0.2.8
//!   uses `±20·sd(θ̂)` around 0). The interval is the first and last accepted grid point.

use super::arp::{nuisance_accept, NuisanceProblem};
use super::arp_simple::{lf_cv_simple, lf_test_simple};
use super::lp::Program;
use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};

/// Grid points of the `θ` grid (HonestDiD's `honest_did` default).
pub(crate) const GRID_POINTS: usize = 100;

/// The event-study inputs of HonestDiD.
#[derive(Debug, Clone)]
pub(crate) struct EventStudy {
    /// Pre-period coefficients then post-period ones (reference left out).
    pub betahat: DVector<f64>,
    pub sigma: DMatrix<f64>,
    pub num_pre: usize,
    pub num_post: usize,
    /// Weights on the post-period coefficients.
    pub l_vec: Vec<f64>,
    /// First pre-period difference that may be the largest (0: all, HonestDiD; 1: moderndid).
    pub first_s: usize,
}

impl EventStudy {
    /// `sd(l'β̂_post)`.
    pub fn sd_theta(&self) -> f64 {
        let np = self.num_pre;
        let mut v = 0.0;
        for i in 0..self.num_post {
            for j in 0..self.num_post {
                v += self.l_vec[i] * self.sigma[(np + i, np + j)] * self.l_vec[j];
            }
        }
        v.max(0.0).sqrt()
    }

    /// `l'β̂_post`.
    pub fn theta_hat(&self) -> f64 {
        (0..self.num_post).map(|i| self.l_vec[i] * self.betahat[self.num_pre + i]).sum()
    }
}

/// `A_{s,±}` for the pre-period difference `s` (0 = the earliest, `δ_{−T̲+1} − δ_{−T̲}`).
pub(crate) fn constraint_matrix(num_pre: usize, num_post: usize, m_bar: f64, s: usize, positive: bool) -> DMatrix<f64> {
    let t = num_pre + num_post;
    let sign = if positive { 1.0 } else { -1.0 };
    // First differences over positions 0..=t (position num_pre is the reference period).
    let diff = |r: usize| {
        let mut v = vec![0.0; t + 1];
        v[r] = -1.0;
        v[r + 1] = 1.0;
        v
    };
    let vmax: Vec<f64> = diff(s).iter().map(|x| sign * x).collect();
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for flip in [1.0, -1.0] {
        for r in 0..t {
            let scale = if r < num_pre { 1.0 } else { m_bar };
            let d = diff(r);
            let row: Vec<f64> = (0..=t).map(|j| flip * d[j] - scale * vmax[j]).collect();
            if row.iter().map(|x| x * x).sum::<f64>() > 1e-10 {
                rows.push(row);
            }
        }
    }
    DMatrix::from_fn(rows.len(), t, |i, j| rows[i][if j < num_pre { j } else { j + 1 }])
}

/// Rows of `A` with a non-zero post-period coefficient.
fn post_rows(a: &DMatrix<f64>, num_pre: usize) -> Vec<usize> {
    (0..a.nrows()).filter(|&i| (num_pre..a.ncols()).any(|j| a[(i, j)] != 0.0)).collect()
}

/// Identified set of `θ` over `Δ^RM_{s,±}(M̄)` at `β = β̂` (Lemma 2.1): `l'β_post` minus the
/// extreme values of `l'δ_post` subject to `Aδ ≤ 0`, `δ_pre = β_pre`.
fn identified_set_fixed(es: &EventStudy, m_bar: f64, s: usize, positive: bool) -> (f64, f64) {
    let (np, nq) = (es.num_pre, es.num_post);
    let a = constraint_matrix(np, nq, m_bar, s, positive);
    let eq = DMatrix::from_fn(np, np + nq, |i, j| if i == j { 1.0 } else { 0.0 });
    let b_eq = es.betahat.rows(0, np).into_owned();
    let mut f = DVector::zeros(np + nq);
    for i in 0..nq {
        f[np + i] = es.l_vec[i];
    }
    let solve = |c: DVector<f64>| Program::new(c).ub(a.clone(), DVector::zeros(a.nrows())).eq(eq.clone(), b_eq.clone()).solve();
    let theta = es.theta_hat();
    match (solve(-&f), solve(f.clone())) {
        (Some(max), Some(min)) => (theta + max.obj, theta - min.obj),
        _ => (theta, theta),
    }
}

/// Identified set of `θ` over `Δ^RM(M̄)`: the union over `(s, ±)`.
pub(crate) fn identified_set(es: &EventStudy, m_bar: f64) -> (f64, f64) {
    let mut lb = f64::INFINITY;
    let mut ub = f64::NEG_INFINITY;
    for s in es.first_s..es.num_pre {
        for positive in [true, false] {
            let (l, u) = identified_set_fixed(es, m_bar, s, positive);
            lb = lb.min(l);
            ub = ub.max(u);
        }
    }
    (lb, ub)
}

/// Bounds of one robust interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bounds {
    pub lb: f64,
    pub ub: f64,
    /// The accepted set touches an end of the grid (the interval may be longer).
    pub open: bool,
}

/// The C-LF confidence set for `θ` under `Δ^RM(M̄)`; `None` bounds when no grid point is accepted.
pub(crate) fn conditional_cs(es: &EventStudy, m_bar: f64, alpha: f64) -> Result<Option<Bounds>> {
    if es.first_s >= es.num_pre {
        return Err(Error::insufficient("relative magnitudes leaving out the earliest pre-period difference (moderndid's convention) need at least two pre-periods"));
    }
    let (id_lb, id_ub) = identified_set(es, m_bar);
    let sd = es.sd_theta();
    let (lo, hi) = (id_lb - 20.0 * sd, id_ub + 20.0 * sd);
    let n = GRID_POINTS;
    let grid: Vec<f64> = (0..n).map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64).collect();
    let mut accept = vec![false; n];
    for s in es.first_s..es.num_pre {
        for positive in [true, false] {
            let a = constraint_matrix(es.num_pre, es.num_post, m_bar, s, positive);
            let rows = post_rows(&a, es.num_pre);
            let acc = if es.num_post == 1 { accept_simple(es, &a, &rows, &grid, alpha) } else { accept_nuisance(es, &a, &rows, &grid, alpha, m_bar)? };
            accept.iter_mut().zip(acc).for_each(|(a, b)| *a |= b);
        }
    }
    let first = accept.iter().position(|&a| a);
    let last = accept.iter().rposition(|&a| a);
    Ok(match (first, last) {
        (Some(f), Some(l)) => Some(Bounds { lb: grid[f], ub: grid[l], open: f == 0 || l == n - 1 }),
        _ => None,
    })
}

/// Accepted grid points of one polyhedron with several post-periods (nuisance parameters).
fn accept_nuisance(es: &EventStudy, a: &DMatrix<f64>, rows: &[usize], grid: &[f64], alpha: f64, m_bar: f64) -> Result<Vec<bool>> {
    let d = DVector::zeros(a.nrows());
    let p = NuisanceProblem { betahat: &es.betahat, sigma: &es.sigma, l_vec: &es.l_vec, a, d: &d, num_pre: es.num_pre, rows };
    nuisance_accept(&p, grid, alpha, alpha / 10.0, 0)
        .ok_or_else(|| Error::numerical(format!("the ARP test failed for M̄ = {m_bar} (a linear program was not solved)")))
}

/// Accepted grid points of one polyhedron with a single post-period: every grid point tested,
/// on the moments that involve the post-period coefficient (R's `postPeriodMomentsOnly`).
fn accept_simple(es: &EventStudy, a: &DMatrix<f64>, rows: &[usize], grid: &[f64], alpha: f64) -> Vec<bool> {
    let a = DMatrix::from_fn(rows.len(), a.ncols(), |i, j| a[(rows[i], j)]);
    let d = DVector::zeros(a.nrows());
    let kappa = alpha / 10.0;
    let lf_cv = lf_cv_simple(&(&a * &es.sigma * a.transpose()), kappa, 0);
    let post = es.num_pre;
    grid.iter()
        .map(|&theta| {
            let mut y = es.betahat.clone();
            y[post] -= theta;
            !lf_test_simple(&y, &es.sigma, &a, &d, alpha, kappa, lf_cv)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honest_rm_constraint_matrix_shape() {
        // Two pre, one post: positions (−2, −1, 0, 1); differences r = 0, 1 (pre), 2 (post).
        let a = constraint_matrix(2, 1, 1.0, 1, true);
        // 2 blocks × 3 differences, minus the vanishing row (r = s in the + block).
        assert_eq!(a.shape(), (5, 3));
        // The post row of the + block: (δ₁ − δ₀) − (δ₀ − δ₋₁) with δ₀ = 0 → δ₁ + δ₋₁.
        let post: Vec<Vec<f64>> = (0..5).map(|i| a.row(i).iter().copied().collect()).filter(|r: &Vec<f64>| r[2] == 1.0).collect();
        assert!(post.contains(&vec![0.0, 1.0, 1.0]));
    }

    #[test]
    fn honest_rm_identified_set_scales_with_mbar() {
        // Pre (0.1, 0), post 0: the largest pre difference is 0.1, so with one post period the
        // identified set of δ₁ is [−M̄·0.1, M̄·0.1] and θ's is β₁ ∓ that.
        let es = EventStudy {
            betahat: DVector::from_vec(vec![-0.1, 0.0, 0.5]),
            sigma: DMatrix::identity(3, 3),
            num_pre: 2,
            num_post: 1,
            l_vec: vec![1.0],
            first_s: 0,
        };
        let (lb, ub) = identified_set(&es, 2.0);
        assert!((lb - 0.3).abs() < 1e-7 && (ub - 0.7).abs() < 1e-7, "{lb} {ub}");
        // Without the earliest difference (moderndid) the largest pre change is 0: a point.
        let (lb, ub) = identified_set(&EventStudy { first_s: 1, ..es }, 2.0);
        assert!((lb - 0.5).abs() < 1e-7 && (ub - 0.5).abs() < 1e-7, "{lb} {ub}");
    }

    #[test]
    fn honest_rm_single_post_period_covers_identified_set() {
        let es = EventStudy {
            betahat: DVector::from_vec(vec![-0.1, 0.0, 0.5]),
            sigma: DMatrix::identity(3, 3) * 1e-4,
            num_pre: 2,
            num_post: 1,
            l_vec: vec![1.0],
            first_s: 0,
        };
        let narrow = conditional_cs(&es, 0.5, 0.05).unwrap().expect("non-empty");
        let wide = conditional_cs(&es, 2.0, 0.05).unwrap().expect("non-empty");
        // Identified sets [0.45, 0.55] and [0.3, 0.7]; the confidence sets contain them.
        assert!(narrow.lb < 0.45 && narrow.ub > 0.55, "{narrow:?}");
        assert!(wide.lb < 0.3 && wide.ub > 0.7 && wide.lb < narrow.lb && wide.ub > narrow.ub, "{wide:?}");
        assert!(wide.lb > 0.1 && wide.ub < 0.9, "{wide:?}");
    }
}
