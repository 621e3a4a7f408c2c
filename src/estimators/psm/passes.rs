//! One run of the matching: the propensity fit, the matching variable and its
//! standardisation, and one matching pass per direction of the estimand. The bootstrap
//! repeats it on each resample.

use super::design::Design;
use super::matching::{match_units, MatchConfig, MatchSet};
use super::propensity::{fit_binary, BinaryFit};
use super::{CaliperScale, Estimand, Link, MatchOn, PsmSpec, DEFAULT_BANDWIDTH};
use crate::error::Result;
use crate::inference::normal;

/// One direction of matching.
pub(super) struct Pass {
    /// Focal units are treated (ATT direction) or controls (ATC direction).
    pub(super) focal_treated: bool,
    pub(super) set: MatchSet,
    /// Focal units considered (after common support).
    pub(super) n_focal: usize,
    pub(super) n_off_support: usize,
}

/// Everything the bootstrap needs to recompute.
pub(super) struct Core {
    /// The propensity fit (its `mu` moved to `score`).
    pub(super) fit: BinaryFit,
    pub(super) score: Vec<f64>,
    pub(super) passes: Vec<Pass>,
    pub(super) caliper_abs: Option<f64>,
}

/// The logit of the fitted probability for a linear predictor.
fn logit_of(link: Link, eta: f64) -> f64 {
    match link {
        Link::Logit => eta,
        Link::Probit => normal::log_cdf(eta) - normal::log_cdf(-eta),
    }
}

/// Fits the propensity model and runs the matching passes of the estimand.
pub(super) fn run_core(d: &Design, spec: &PsmSpec) -> Result<Core> {
    let n = d.n();
    let w = vec![1.0; n];
    let mut fit = fit_binary(spec.matching.model, &d.x, n, d.p, &d.treat, &w, &d.names)?;
    // the fitted probabilities move to `score` (nothing reads `fit.mu` after this)
    let score = std::mem::take(&mut fit.mu);
    let logit: Vec<f64>;
    let mvar: &[f64] = match spec.matching.match_on {
        MatchOn::Score => &score,
        MatchOn::Logit => {
            logit = fit.eta.iter().map(|&e| logit_of(spec.matching.model, e)).collect();
            &logit
        }
    };
    // standardisation as R Matching (sample SD via the E[x²] − x̄² formula)
    let nf = n as f64;
    let mean = mvar.iter().sum::<f64>() / nf;
    let ss: f64 = mvar.iter().map(|v| v * v).sum();
    let tol_ccc = f64::EPSILON.sqrt();
    let mut sig = (ss.max(tol_ccc) / nf - mean * mean).max(0.0).sqrt() * (nf / (nf - 1.0)).sqrt();
    if sig.is_nan() || sig < tol_ccc {
        sig = tol_ccc;
    }
    let caliper_abs = spec.matching.caliper.map(|c| match spec.matching.caliper_scale {
        CaliperScale::Absolute => c,
        CaliperScale::Sd => {
            let pop_sd = (mvar.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / nf).sqrt();
            c * pop_sd
        }
    });
    let cfg = MatchConfig {
        method: spec.matching.method,
        k: spec.matching.k,
        replace: spec.matching.replace,
        ties: spec.matching.ties,
        caliper: caliper_abs,
        center: mean,
        scale: sig,
        tol: spec.matching.distance_tolerance,
        order: spec.matching.order,
        kernel: spec.matching.kernel,
        bandwidth: spec.matching.bandwidth.unwrap_or(DEFAULT_BANDWIDTH),
        seed: spec.matching.seed,
    };
    let directions: &[bool] = match spec.estimand {
        Estimand::Att => &[true],
        Estimand::Atc => &[false],
        Estimand::Ate => &[true, false],
    };
    let mut passes = Vec::new();
    for &focal_treated in directions {
        let focal_all: Vec<usize> = (0..n).filter(|&i| d.treat[i] == focal_treated).collect();
        let pool: Vec<usize> = (0..n).filter(|&i| d.treat[i] != focal_treated).collect();
        let (lo, hi) = pool.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &j| (a.min(score[j]), b.max(score[j])));
        let on = |i: &usize| score[*i] >= lo && score[*i] <= hi;
        let n_off_support = focal_all.iter().filter(|i| !on(i)).count();
        let focal: Vec<usize> = if spec.matching.common_support { focal_all.iter().copied().filter(on).collect() } else { focal_all };
        let set = match_units(mvar, &focal, &pool, &cfg);
        passes.push(Pass { focal_treated, n_focal: focal.len(), set, n_off_support });
    }
    Ok(Core { fit, score, passes, caliper_abs })
}
