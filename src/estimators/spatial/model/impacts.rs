//! LeSage–Pace impacts.
//!
//! Lag models (SAR, SDM): for regressor k, `S_k = (I − ρW)⁻¹(β_k I + θ_k W)`;
//! direct = tr(S_k)/n, total = 1'S_k1/n, indirect = total − direct. Computed exactly for
//! any W: the traces `tr(A⁻¹)`, `tr(A⁻¹W)` from the operator, the totals from the solves
//! `A⁻¹1`, `A⁻¹W1` (for a row-standardised W without islands this is spatialreg's
//! `(β_k + θ_k)/(1 − ρ)`; spatialreg prints that formula for any W, so for a W that is not
//! row-standardised its totals and indirect effects differ from these exact ones, its
//! direct effects agree). A panel's impacts are those of its n × n W.
//!
//! Their standard errors (spatialreg's `impacts(fit, R = draws)`): draws of
//! `(σ², ρ, β)` from the asymptotic normal distribution (`MASS::mvrnorm`'s eigen
//! factorisation), draws with ρ outside the interval discarded as spatialreg does, the SE
//! being the sample standard deviation of the impacts over the kept draws. The draws use
//! the seeded ChaCha8 generator (the same natively and in wasm), not R's, so they agree
//! with spatialreg's only up to simulation error.
//!
//! WX models (SLX, SDEM): direct = β_k, indirect = θ_k, total = β_k + θ_k, with analytic
//! standard errors from the coefficients' covariance (spatialreg's `impacts` of `lmSLX`
//! and of an `errorsarlm(Durbin = TRUE)` fit).

use nalgebra::DMatrix;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::data::ModelData;
use crate::error::Result;
use crate::estimators::spatial::logdet::SpatialOperator;
use crate::estimators::spatial::SpatialWeights;
use crate::inference::stats::sd;

/// Impacts of one regressor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Impact {
    /// Regressor.
    pub term: String,
    /// Average direct (own-unit) effect.
    pub direct: f64,
    /// Average indirect (spillover) effect.
    pub indirect: f64,
    /// Average total effect.
    pub total: f64,
    /// SE of the direct effect (simulated for SAR/SDM, analytic for SLX/SDEM; none
    /// without draws).
    pub direct_se: Option<f64>,
    /// SE of the indirect effect.
    pub indirect_se: Option<f64>,
    /// SE of the total effect.
    pub total_se: Option<f64>,
}

/// What the impacts of a lag model need at one ρ: traces and row sums of `A⁻¹`, `A⁻¹W`.
struct ImpactKernel {
    tr_inv: f64,
    tr_w_inv: f64,
    sum_inv: f64,
    sum_w_inv: f64,
}

fn kernel(w: &SpatialWeights, op: &dyn SpatialOperator, rho: f64, row_std: bool) -> Result<ImpactKernel> {
    let n = w.n();
    let tr = op.traces(rho);
    let (sum_inv, sum_w_inv) = if row_std {
        let s = n as f64 / (1.0 - rho);
        (s, s)
    } else {
        op.total_sums(rho, &w.lag(&vec![1.0; n]))?
    };
    Ok(ImpactKernel { tr_inv: tr.inv, tr_w_inv: tr.w_inv, sum_inv, sum_w_inv })
}

/// True when every row of W sums to one (to 1e-12).
fn rows_sum_to_one(w: &SpatialWeights) -> bool {
    (0..w.n()).all(|i| (w.row_sum(i) - 1.0).abs() <= 1e-12)
}

/// `[direct, indirect, total]` of every regressor at `(ρ, β)`.
fn lag_values(d: &ModelData, k: &ImpactKernel, n: f64, beta: &[f64]) -> Vec<[f64; 3]> {
    d.regressors
        .iter()
        .map(|(_, j, wj)| {
            let b = beta.get(*j).copied().unwrap_or(f64::NAN);
            let th = wj.and_then(|i| beta.get(i).copied()).unwrap_or(0.0);
            let direct = (b * k.tr_inv + th * k.tr_w_inv) / n;
            let total = (b * k.sum_inv + th * k.sum_w_inv) / n;
            [direct, total - direct, total]
        })
        .collect()
}

/// Exact impacts of a lag model, with simulated SEs when `draws ≥ 2`; also the number of
/// draws kept (inside the interval), when there were draws.
#[allow(clippy::too_many_arguments)]
pub fn lag_impacts(
    d: &ModelData,
    w: &SpatialWeights,
    op: &dyn SpatialOperator,
    rho: f64,
    beta: &[f64],
    sim: Option<(&DMatrix<f64>, f64, usize, u64)>,
) -> Result<(Vec<Impact>, Option<usize>)> {
    let row_std = rows_sum_to_one(w);
    let n = w.n() as f64;
    let point = lag_values(d, &kernel(w, op, rho, row_std)?, n, beta);
    let ses = match sim {
        Some((vcov, sigma2, draws, seed)) if draws >= 2 => Some(simulate(d, w, op, rho, beta, vcov, sigma2, draws, seed, row_std)?),
        _ => None,
    };
    let kept = ses.as_ref().map(|s| s.1);
    let impacts = d
        .regressors
        .iter()
        .enumerate()
        .map(|(r, (name, _, _))| {
            let v = point[r];
            let se = ses.as_ref().and_then(|s| s.0.get(r).copied());
            Impact {
                term: name.clone(),
                direct: v[0],
                indirect: v[1],
                total: v[2],
                direct_se: se.map(|s| s[0]),
                indirect_se: se.map(|s| s[1]),
                total_se: se.map(|s| s[2]),
            }
        })
        .collect();
    Ok((impacts, kept))
}

/// A standard normal draw (Box–Muller on 53-bit uniforms from `next_u64`).
fn std_normal(rng: &mut ChaCha8Rng) -> f64 {
    let unif = |rng: &mut ChaCha8Rng| (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    let u1 = 1.0 - unif(rng);
    let u2 = unif(rng);
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// `V diag(√max(λ, 0))` of a symmetric covariance (mvrnorm's factor).
fn factor(v: &DMatrix<f64>) -> DMatrix<f64> {
    let sym = (v + v.transpose()) * 0.5;
    let eig = sym.symmetric_eigen();
    let mut f = eig.eigenvectors.clone();
    for (j, &l) in eig.eigenvalues.iter().enumerate() {
        f.column_mut(j).scale_mut(l.max(0.0).sqrt());
    }
    f
}

/// Simulated SEs `[direct, indirect, total]` per regressor, and the number of draws kept.
#[allow(clippy::too_many_arguments)]
fn simulate(
    d: &ModelData,
    w: &SpatialWeights,
    op: &dyn SpatialOperator,
    rho: f64,
    beta: &[f64],
    vcov: &DMatrix<f64>,
    sigma2: f64,
    draws: usize,
    seed: u64,
    row_std: bool,
) -> Result<(Vec<[f64; 3]>, usize)> {
    let p = vcov.nrows();
    let mut mu = Vec::with_capacity(p);
    mu.push(sigma2);
    mu.push(rho);
    mu.extend_from_slice(beta);
    let f = factor(vcov);
    let (lo, hi) = op.interval();
    let n = w.n() as f64;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let nr = d.regressors.len();
    let mut values: Vec<Vec<[f64; 3]>> = vec![Vec::with_capacity(draws); nr];
    let mut z = vec![0.0; p];
    let mut kept = 0;
    for _ in 0..draws {
        for v in z.iter_mut() {
            *v = std_normal(&mut rng);
        }
        let x: Vec<f64> = (0..p).map(|i| mu.get(i).copied().unwrap_or(0.0) + (0..p).map(|j| f[(i, j)] * z[j]).sum::<f64>()).collect();
        let r = x[1];
        if !(r > lo && r < hi) {
            continue;
        }
        kept += 1;
        if nr == 0 {
            continue;
        }
        let k = kernel(w, op, r, row_std)?;
        for (slot, v) in values.iter_mut().zip(lag_values(d, &k, n, &x[2..])) {
            slot.push(v);
        }
    }
    let ses = values
        .iter()
        .map(|vals| {
            let col = |c: usize| sd(&vals.iter().map(|v| v[c]).collect::<Vec<_>>());
            [col(0), col(1), col(2)]
        })
        .collect();
    Ok((ses, kept))
}

/// Impacts of a WX model (SLX, SDEM) from the coefficients and their covariance `v`
/// (k × k, the order of `beta`).
pub fn wx_impacts(d: &ModelData, beta: &[f64], v: &[Vec<f64>]) -> Vec<Impact> {
    let cov = |i: usize, j: usize| v.get(i).and_then(|r| r.get(j)).copied().unwrap_or(f64::NAN);
    d.regressors
        .iter()
        .map(|(name, j, wj)| {
            let b = beta.get(*j).copied().unwrap_or(f64::NAN);
            let (th, th_se, tot_se) = match wj {
                Some(i) => {
                    let th = beta.get(*i).copied().unwrap_or(f64::NAN);
                    (th, Some(cov(*i, *i).sqrt()), Some((cov(*j, *j) + cov(*i, *i) + 2.0 * cov(*j, *i)).sqrt()))
                }
                None => (0.0, None, Some(cov(*j, *j).sqrt())),
            };
            Impact {
                term: name.clone(),
                direct: b,
                indirect: th,
                total: b + th,
                direct_se: Some(cov(*j, *j).sqrt()),
                indirect_se: th_se,
                total_se: tot_se,
            }
        })
        .collect()
}
