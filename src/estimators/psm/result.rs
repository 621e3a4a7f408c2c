//! What a PSM fit returns: [`PsmResult`] with the propensity model, the matched sample, the
//! balance table and the score densities.

use super::design::Design;
use super::propensity::BinaryFit;
use super::{BalanceTable, DensityData, Estimand, Link, SeKind};
use crate::diagnostics::Diagnostics;
use crate::inference::dist::{chi2_sf, norm_cdf};
use serde::Serialize;

/// One propensity-model coefficient.
#[derive(Debug, Clone, Serialize)]
pub struct Coefficient {
    pub term: String,
    pub estimate: f64,
    pub std_error: f64,
    pub statistic: f64,
    pub p_value: f64,
}

/// The fitted propensity model.
#[derive(Debug, Clone, Serialize)]
pub struct PropensityModel {
    pub link: Link,
    pub coefficients: Vec<Coefficient>,
    pub loglik: f64,
    pub loglik_null: f64,
    /// McFadden: 1 − ℓ/ℓ₀.
    pub pseudo_r2: f64,
    /// 2(ℓ − ℓ₀).
    pub lr_chi2: f64,
    /// Its p-value (df = number of slopes).
    pub lr_p_value: f64,
    pub nobs: usize,
    pub iterations: usize,
}

/// The matched sample: what a weighted regression (PSM-DID) needs.
#[derive(Debug, Clone, Serialize, Default)]
pub struct MatchedSample {
    /// Dataset row indices of every unit with positive weight, ascending.
    pub rows: Vec<usize>,
    /// psmatch2-style weights (matched focal: 1; pool unit: Σᵢ wᵢⱼ).
    pub weights: Vec<f64>,
    /// Treatment of each row.
    pub treated: Vec<bool>,
    /// Matched pairs: focal dataset row, matched dataset row, pair weight (empty when
    /// there are more than [`super::PAIR_LIMIT`] pairs, unless `return_pairs = true`).
    pub pair_focal: Vec<usize>,
    pub pair_match: Vec<usize>,
    pub pair_weight: Vec<f64>,
}

/// Result of [`super::psm`].
#[derive(Debug, Clone, Serialize)]
pub struct PsmResult {
    /// The requested estimand's estimate (named `att` for the JS API).
    pub att: f64,
    /// Same as `att`.
    pub estimate: f64,
    /// "ATT" | "ATE" | "ATC".
    pub estimand: Estimand,
    pub std_error: f64,
    /// "ai" | "bootstrap" | "none": what `std_error` is.
    pub se_kind: SeKind,
    pub statistic: f64,
    pub p_value: f64,
    pub conf_low: f64,
    pub conf_high: f64,
    pub n_treated: usize,
    pub n_control: usize,
    pub n_treated_matched: usize,
    pub n_treated_dropped: usize,
    pub n_control_used: usize,
    /// Focal units outside the pool's score range (dropped only if `common_support`).
    pub n_off_support: usize,
    /// The caliper on the matching-variable scale (None: no caliper).
    pub caliper_abs: Option<f64>,
    /// Kernel bandwidth used (kernel matching).
    pub bandwidth: Option<f64>,
    pub propensity: PropensityModel,
    pub balance: BalanceTable,
    pub density: DensityData,
    pub matched: MatchedSample,
    /// Propensity score per dataset row (NaN where the row was dropped).
    pub scores: Vec<f64>,
    /// Non-fatal findings (typed: code, severity, message).
    pub diagnostics: Diagnostics,
}

impl PropensityModel {
    /// The fitted propensity model's table: coefficients with z tests, ℓ, ℓ₀, pseudo-R², LR χ².
    pub(super) fn from_fit(d: &Design, fit: &BinaryFit, link: Link) -> PropensityModel {
        let coefficients = (0..d.p)
            .map(|j| {
                let z = fit.beta[j] / fit.se[j];
                Coefficient {
                    term: d.names[j].clone(),
                    estimate: fit.beta[j],
                    std_error: fit.se[j],
                    statistic: z,
                    p_value: 2.0 * norm_cdf(-z.abs()),
                }
            })
            .collect();
        let lr = 2.0 * (fit.loglik - fit.loglik_null);
        PropensityModel {
            link,
            coefficients,
            loglik: fit.loglik,
            loglik_null: fit.loglik_null,
            pseudo_r2: 1.0 - fit.loglik / fit.loglik_null,
            lr_chi2: lr,
            lr_p_value: chi2_sf(lr, (d.p - 1) as f64),
            nobs: d.n(),
            iterations: fit.iterations,
        }
    }
}
