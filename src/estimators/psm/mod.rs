//! # Propensity score matching
//!
//! `psm(ds, spec)` estimates a propensity score, matches treated and control
//! units on it, and reports the treatment effect with its standard error, the
//! covariate balance before and after matching and the score densities.
//!
//! ## Propensity score
//! `treat ~ x1 + x2 + …` in the crate's fixest syntax (`I(age^2)`,
//! `log(re74 + 1)`, `i(race)`, `factor(x)`, `a:b`, `a*b`; see the private `design` module),
//! treatment coded 0/1, intercept always included, no fixed-effect part; bare
//! text columns expanded to dummies for every level but the first in sorted
//! order, named `column` + `level` as R does, e.g. `racehispan`. Rows with a
//! missing treatment, covariate or outcome are dropped (counted in the
//! diagnostics; their `scores` are NaN). Logit or probit by Newton–Raphson
//! with step-halving ([`propensity`] module docs); coefficients with SEs from
//! the observed information, z and normal p-values, log-likelihood `ℓ`, null
//! log-likelihood `ℓ₀`, McFadden's pseudo-R² `1 − ℓ/ℓ₀` and LR χ² `2(ℓ − ℓ₀)`.
//! Separation and covariates without variation are errors naming the covariate.
//! A converged fit with some linear predictors beyond ±30 (fitted probabilities
//! numerically 0 or 1, e.g. from an outlying covariate value) is not
//! separation: as R's `glm`, it is only a warning (diagnostic).
//!
//! ## Matching variable, caliper, common support
//! `match_on = "score"` matches on `p̂`, `"logit"` on `log(p̂/(1−p̂))` (for a
//! logit model: the linear predictor). With `caliper_scale = "sd"` (default)
//! the caliper is `caliper × SD` of the matching variable over the estimation
//! sample, with the SD divided by `n` (exactly as R `Matching` computes
//! `ecaliper`); `"absolute"` uses the caliper as is. A control is eligible
//! for a focal unit when `|vᵢ − vⱼ| ≤ caliper`. With `common_support = true`,
//! focal units whose score lies outside `[min, max]` of the pool's scores are
//! dropped before matching (psmatch2's `common`); the number off support is
//! always reported.
//!
//! ## Presets
//! The defaults follow R `Matching`. `preset = "psmatch2"` switches to Stata's
//! psmatch2 / `teffects psmatch` conventions, which most applied (e.g. Chinese
//! pilot-policy) replication studies use: the caliper is absolute on the
//! matching variable (`caliper_abs` = the given caliper; overrides
//! `caliper_scale`) and ties are kept only at exactly equal distance
//! (`distance_tolerance = 0`, overridden), e.g. controls with identical scores.
//! `preset = "matching"` (or none) keeps the defaults.
//!
//! ## Methods (see [`matching`] module docs)
//! `nearest` (k ≥ 1, with or without replacement, ties kept with shared weight
//! or broken), `radius` (all within the caliper; a caliper is required) and
//! `kernel` (Epanechnikov or Gaussian, `bandwidth` in units of the matching
//! variable, default 0.06 as psmatch2). Nearest neighbour with replacement and
//! ties reproduces R `Matching::Match(..., replace = TRUE, ties = TRUE,
//! BiasAdjust = FALSE)` including its tie rule (standardised squared distance
//! within `distance_tolerance = 1e-5`).
//!
//! ## Estimands
//! Each focal unit `i` that finds matches `j` with weights `wᵢⱼ` (Σⱼ wᵢⱼ = 1)
//! has `τᵢ = Yᵢ − Σⱼ wᵢⱼ Yⱼ` (treated focal) or `Σⱼ wᵢⱼ Yⱼ − Yᵢ` (control focal).
//! ATT: focal = treated, pool = controls; ATC: the reverse; ATE: both passes,
//! and the estimate is the mean of `τᵢ` over every matched focal unit.
//!
//! ## Standard errors
//! * `"ai"`: Abadie–Imbens (2006), exactly as `Match`'s `se` with
//!   `Var.calc = 0` (homoskedastic conditional variance, no bias adjustment):
//!   with `σ̂² = ½ Σₚ wₚ (Yₜ,ₚ − Y𝒸,ₚ − τ̂)² / Σₚ wₚ` over the matched pairs `p`,
//!   `Kⱼ = Σᵢ wᵢⱼ`, `KKⱼ = Σᵢ wᵢⱼ²` and `N` the number of focal units,
//!   `V = [Σⱼ σ̂²(Kⱼ² − KKⱼ) + Σᵢ (τᵢ − τ̂)²] / N²` (ATE: `Kⱼ² + 2Kⱼ − KKⱼ`).
//!   As in `Matching`, focal units dropped by the caliper stay in `N` and
//!   enter the second sum with `τᵢ = 0`. Defined for nearest-neighbour
//!   matching with replacement only; for other methods `"ai"` falls back to
//!   the bootstrap (with a diagnostic).
//! * `"bootstrap"`: `bootstrap_reps` resamples drawn with replacement within
//!   the treated and within the controls (ChaCha8 seeded by `seed`, so results
//!   are reproducible on every platform); the propensity model is re-estimated
//!   and the matching redone in each; SE = SD of the replicate estimates.
//!   Replicates that fail (e.g. separation) are skipped and counted. For
//!   nearest-neighbour matching with replacement the bootstrap is not valid
//!   (Abadie & Imbens 2008): it is still computed when asked for, with a
//!   diagnostic saying so.
//!
//! z = estimate/SE, normal p-value and 95% interval.
//!
//! ## Counts
//! `n_treated_matched`: focal units with at least one match (for ATC the
//! focal units are the controls; for ATE, both groups); `n_treated_dropped`:
//! focal units without a match (caliper, or off common support);
//! `n_control_used`: distinct pool units used as a match at least once.
//!
//! ## Matched sample (for PSM-DID)
//! `matched.rows` are dataset row indices, `matched.weights` the psmatch2
//! `_weight`: a matched focal unit weighs 1 and a pool unit `Kⱼ = Σᵢ wᵢⱼ`
//! (ATE: both). Regressions on the matched sample use these as weights.
//! The weights are accumulated set by set without materialising the
//! (focal, match) pairs, of which kernel or radius matching with a wide
//! bandwidth, or ties on discrete scores, make up to `n_focal × n_pool` (see
//! [`matching`]). `matched.pair_focal/pair_match/pair_weight` list the pairs
//! (dataset rows and pair weight) only when there are at most [`PAIR_LIMIT`]
//! (250,000) of them, or always with `return_pairs = true` (never with
//! `false`); when they are left out a diagnostic says so. (Until issue 9 they
//! were always returned; small problems return exactly what they did.)
//!
//! ## Balance and density
//! See [`balance`] (pstest) and [`density`] (Gaussian KDE, Silverman bandwidth).

mod balance;
mod compare;
mod density;
mod design;
mod matching;
mod options;
mod propensity;
mod se;
pub mod tables;

pub use balance::{BalanceOverall, BalanceRow, BalanceTable};
pub use density::{density_svg, DensityCurve, DensityData};
pub use compare::{compare_methods, method_label, ComparisonRow, ComparisonTable};
pub use options::{CaliperScale, Estimand, Kernel, Link, MatchOn, MatchOptions, Method, Order, Preset, SeKind};

use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::inference::dist::{norm_cdf, norm_quantile};
use design::Design;
use matching::{match_units, MatchConfig, MatchSet};
use propensity::{fit_binary, BinaryFit};
use se::{ai_se, bootstrap_se, estimate};
use serde::{Deserialize, Serialize};

/// Specification of a PSM run (deserialised from the JS options object; every
/// field but `formula` has a default). The matching options are [`MatchOptions`],
/// flattened, so the JS object stays flat (`{ formula, outcome, method, k, caliper, … }`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PsmSpec {
    /// `treat ~ x1 + x2 + …`.
    pub formula: String,
    /// Outcome column (None: matching and balance only).
    pub outcome: Option<String>,
    /// Propensity model, matching method, caliper, kernel, … (shared with PSM-DID's `match`).
    #[serde(flatten)]
    pub matching: MatchOptions,
    /// "ATT" (default) | "ATE" | "ATC".
    pub estimand: Estimand,
    /// "ai" (default) | "bootstrap" | "none".
    pub se: SeKind,
    /// Bootstrap replications (default 200).
    pub bootstrap_reps: usize,
    /// Return the matched pairs (`matched.pair_*`): None (default) = only when there are
    /// at most [`PAIR_LIMIT`] of them, true = always, false = never.
    pub return_pairs: Option<bool>,
}

/// Most matched pairs returned in `matched.pair_*` unless `return_pairs = true`.
pub const PAIR_LIMIT: usize = 250_000;

impl Default for PsmSpec {
    fn default() -> Self {
        PsmSpec {
            formula: String::new(),
            outcome: None,
            matching: MatchOptions::default(),
            estimand: Estimand::Att,
            se: SeKind::Ai,
            bootstrap_reps: 200,
            return_pairs: None,
        }
    }
}

/// A [`PsmSpec`] that passed [`PsmSpec::validate`], with its preset applied: what the fit takes.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPsmSpec(PsmSpec);

impl std::ops::Deref for ValidPsmSpec {
    type Target = PsmSpec;
    fn deref(&self) -> &PsmSpec {
        &self.0
    }
}

impl PsmSpec {
    /// The spec with its `preset` applied (see [`MatchOptions::resolved`]).
    pub fn resolved(&self) -> PsmSpec {
        PsmSpec { matching: self.matching.resolved(), ..self.clone() }
    }

    /// Checks the options (the one place they are checked) and applies the preset.
    pub fn validate(&self) -> Result<ValidPsmSpec> {
        let s = self.resolved();
        s.matching.validate()?;
        if s.se == SeKind::Bootstrap && s.bootstrap_reps < 2 {
            return Err(Error::invalid("bootstrap_reps must be at least 2"));
        }
        Ok(ValidPsmSpec(s))
    }
}

/// Default kernel bandwidth (psmatch2's).
pub const DEFAULT_BANDWIDTH: f64 = 0.06;

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
    /// there are more than [`PAIR_LIMIT`] pairs, unless `return_pairs = true`).
    pub pair_focal: Vec<usize>,
    pub pair_match: Vec<usize>,
    pub pair_weight: Vec<f64>,
}

/// Result of [`psm`].
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

/// One direction of matching.
struct Pass {
    /// Focal units are treated (ATT direction) or controls (ATC direction).
    focal_treated: bool,
    set: MatchSet,
    /// Focal units considered (after common support).
    n_focal: usize,
    n_off_support: usize,
}

/// Everything the bootstrap needs to recompute.
struct Core {
    fit: BinaryFit,
    score: Vec<f64>,
    passes: Vec<Pass>,
    caliper_abs: Option<f64>,
}

fn logit_of(link: Link, eta: f64) -> f64 {
    match link {
        Link::Logit => eta,
        Link::Probit => crate::inference::dist::norm_log_cdf(eta) - crate::inference::dist::norm_log_cdf(-eta),
    }
}

fn run_core(d: &Design, spec: &PsmSpec) -> Result<Core> {
    let n = d.n();
    let w = vec![1.0; n];
    let fit = fit_binary(spec.matching.model, &d.x, n, d.p, &d.treat, &w, &d.names)?;
    let score = fit.mu.clone();
    let mvar: Vec<f64> = match spec.matching.match_on {
        MatchOn::Score => score.clone(),
        MatchOn::Logit => fit.eta.iter().map(|&e| logit_of(spec.matching.model, e)).collect(),
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
        let set = match_units(&mvar, &focal, &pool, &cfg);
        passes.push(Pass { focal_treated, n_focal: focal.len(), set, n_off_support });
    }
    Ok(Core { fit, score, passes, caliper_abs })
}

fn short(v: f64) -> String {
    if v != 0.0 && (v.abs() < 1e-4 || v.abs() >= 1e6) {
        let s = format!("{v:.4e}");
        match s.split_once('e') {
            Some((m, e)) => format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.')),
            None => s,
        }
    } else {
        format!("{:.6}", v).trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The estimate and its standard error (with the SE actually computed), by `spec.se`.
fn effect_and_se(d: &Design, core: &Core, spec: &PsmSpec, diagnostics: &mut Diagnostics) -> (f64, f64, SeKind) {
    let ate = spec.estimand == Estimand::Ate;
    match d.y.as_deref() {
        None => {
            diagnostics.push(Diagnostic::info(Code::NoOutcome, "no outcome given: matching and balance only, no effect estimate"));
            (f64::NAN, f64::NAN, SeKind::None)
        }
        Some(y) => {
            let est = estimate(core, y);
            let nn_repl = spec.matching.method == Method::Nearest && spec.matching.replace;
            match spec.se {
                SeKind::None => (est, f64::NAN, SeKind::None),
                SeKind::Ai if nn_repl => {
                    if !spec.matching.ties {
                        diagnostics.push(Diagnostic::info(
                            Code::MatchingNote,
                            "Abadie–Imbens SE computed with ties broken (R Matching's se assumes ties = TRUE)",
                        ));
                    }
                    (est, ai_se(core, y, d.n(), ate), SeKind::Ai)
                }
                SeKind::Ai => {
                    diagnostics.push(Diagnostic::info(
                        Code::MatchingNote,
                        "the Abadie–Imbens SE is defined for nearest-neighbour matching with replacement; bootstrap SE reported instead",
                    ));
                    (est, bootstrap_se(d, spec, diagnostics), SeKind::Bootstrap)
                }
                SeKind::Bootstrap => {
                    if nn_repl {
                        diagnostics.push(Diagnostic::warning(
                            Code::BootstrapInvalid,
                            "the bootstrap standard error is not valid for nearest-neighbour matching with replacement \
                             (Abadie & Imbens 2008, Econometrica): use se = \"ai\" (Abadie–Imbens) instead",
                        ));
                    }
                    (est, bootstrap_se(d, spec, diagnostics), SeKind::Bootstrap)
                }
            }
        }
    }
}

/// The matched sample and the matching weight of each estimation row (accumulated set by
/// set; the pairs themselves are materialised only when returned), and the pool units used.
fn matched_sample(d: &Design, core: &Core, spec: &PsmSpec, diagnostics: &mut Diagnostics) -> (MatchedSample, Vec<f64>, usize) {
    let n = d.n();
    // matched sample and weights per estimation row (accumulated set by set; the
    // pairs themselves are materialised only when returned)
    let n_pairs: usize = core.passes.iter().map(|p| p.set.n_pairs()).sum();
    let keep_pairs = match spec.return_pairs {
        Some(b) => b,
        None => n_pairs <= PAIR_LIMIT,
    };
    if !keep_pairs && spec.return_pairs.is_none() {
        diagnostics.push(Diagnostic::info(
            Code::MatchingNote,
            format!(
                "{n_pairs} matched pairs: more than {PAIR_LIMIT}, so the pair lists (matched.pair_*) are left empty; \
                 set return_pairs: true to get them"
            ),
        ));
    }
    let mut wrow = vec![0.0; n];
    let mut used = vec![false; n];
    let cap = if keep_pairs { n_pairs } else { 0 };
    let mut pairs = (Vec::with_capacity(cap), Vec::with_capacity(cap), Vec::with_capacity(cap));
    for pass in &core.passes {
        for s in 0..pass.set.focal.len() {
            let f = pass.set.focal[s];
            wrow[f] += 1.0;
            for (j, w) in pass.set.members(s) {
                wrow[j] += w;
                used[j] = true;
                if keep_pairs {
                    pairs.0.push(d.rows[f]);
                    pairs.1.push(d.rows[j]);
                    pairs.2.push(w);
                }
            }
        }
    }
    let n_control_used = used.iter().filter(|&&u| u).count();
    let matched = {
        let mut order: Vec<usize> = (0..n).filter(|&i| wrow[i] > 0.0).collect();
        order.sort_by_key(|&i| d.rows[i]);
        MatchedSample {
            rows: order.iter().map(|&i| d.rows[i]).collect(),
            weights: order.iter().map(|&i| wrow[i]).collect(),
            treated: order.iter().map(|&i| d.treat[i]).collect(),
            pair_focal: pairs.0,
            pair_match: pairs.1,
            pair_weight: pairs.2,
        }
    };
    (matched, wrow, n_control_used)
}

/// The fitted propensity model's table: coefficients with z tests, ℓ, ℓ₀, pseudo-R², LR χ².
fn propensity_model(d: &Design, core: &Core, spec: &PsmSpec) -> PropensityModel {
    let fit = &core.fit;
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
        link: spec.matching.model,
        coefficients,
        loglik: fit.loglik,
        loglik_null: fit.loglik_null,
        pseudo_r2: 1.0 - fit.loglik / fit.loglik_null,
        lr_chi2: lr,
        lr_p_value: crate::inference::dist::chi2_sf(lr, (d.p - 1) as f64),
        nobs: d.n(),
        iterations: fit.iterations,
    }
}

/// Counts of matched, dropped and off-support focal units, with the diagnostics on the
/// dropped ones; an error when no focal unit found a match.
fn match_counts(core: &Core, spec: &PsmSpec, diagnostics: &mut Diagnostics) -> Result<(usize, usize, usize)> {
    let focal_name = |treated: bool| if treated { "treated" } else { "control" };
    let n_matched: usize = core.passes.iter().map(|p| p.set.focal.len()).sum();
    let n_off: usize = core.passes.iter().map(|p| p.n_off_support).sum();
    let n_focal_all: usize = core.passes.iter().map(|p| p.n_focal + if spec.matching.common_support { p.n_off_support } else { 0 }).sum();
    let n_dropped = n_focal_all - n_matched;
    let cal_text = match (spec.matching.caliper, core.caliper_abs) {
        (Some(c), Some(a)) => match spec.matching.caliper_scale {
            CaliperScale::Sd => format!("caliper {} SD = {} on the matching variable", short(c), short(a)),
            CaliperScale::Absolute => format!("caliper {}", short(a)),
        },
        _ => "no caliper".to_string(),
    };
    if n_matched == 0 {
        let who = core.passes.iter().map(|p| focal_name(p.focal_treated)).collect::<Vec<_>>().join(" and ");
        let why = match spec.matching.method {
            Method::Kernel => format!(
                "no {who} unit has a unit of the other group within the kernel bandwidth {}",
                spec.matching.bandwidth.unwrap_or(DEFAULT_BANDWIDTH)
            ),
            _ => format!("no {who} unit has a unit of the other group within the {cal_text}"),
        };
        return Err(Error::insufficient(format!(
            "{why}: all {n_focal_all} were dropped (including {n_off} off common support); widen the caliper or bandwidth"
        )));
    }
    if spec.matching.common_support && n_off > 0 {
        diagnostics.push(Diagnostic::info(
            Code::UnmatchedDropped,
            format!("{n_off} units outside the common support of the score were dropped before matching"),
        ));
    } else if n_off > 0 {
        diagnostics.push(Diagnostic::warning(
            Code::MatchingNote,
            format!("{n_off} units lie outside the score range of the other group (common support not imposed)"),
        ));
    }
    for p in &core.passes {
        if !p.set.dropped.is_empty() {
            let reason = match spec.matching.method {
                Method::Kernel => "no unit of the other group within the kernel bandwidth".to_string(),
                Method::Nearest if !spec.matching.replace && spec.matching.caliper.is_none() => "no unused unit of the other group left".to_string(),
                _ => format!("no unit of the other group within the {cal_text}"),
            };
            diagnostics.push(Diagnostic::warning(
                Code::UnmatchedDropped,
                format!("{} of {} {} units dropped: {reason}", p.set.dropped.len(), p.n_focal, focal_name(p.focal_treated)),
            ));
        }
    }
    Ok((n_matched, n_dropped, n_off))
}

/// Propensity score matching: see the module documentation.
pub fn psm(ds: &Dataset, spec: &PsmSpec) -> Result<PsmResult> {
    fit(ds, &spec.validate()?)
}

/// The fit of a validated spec.
pub fn fit(ds: &Dataset, spec: &ValidPsmSpec) -> Result<PsmResult> {
    let spec: &PsmSpec = spec;
    let (f, treat_name) = design::parse_formula(&spec.formula)?;
    let d = design::build_design(ds, &f, &treat_name, spec.outcome.as_deref())?;
    let mut diagnostics = Diagnostics::new();
    if d.n_missing > 0 {
        diagnostics.push(Diagnostic::info(
            Code::MissingRowsDropped,
            format!(
                "{} of {} rows dropped because the treatment, a covariate or the outcome is missing",
                d.n_missing,
                ds.nrows()
            ),
        ));
    }
    diagnostics.extend(d.removed.iter().map(|m| Diagnostic::info(Code::CollinearDropped, m.clone())));
    let n = d.n();
    let n_treated = d.treat.iter().filter(|&&t| t).count();
    let n_control = n - n_treated;
    if n_treated == 0 {
        return Err(Error::insufficient(format!(
            "no treated units: `{}` is 0 in every usable row",
            treat_name
        )));
    }
    if n_control == 0 {
        return Err(Error::insufficient(format!(
            "no control units: `{}` is 1 in every usable row",
            treat_name
        )));
    }
    let core = run_core(&d, spec)?;
    if core.fit.n_extreme > 0 {
        diagnostics.push(Diagnostic::warning(Code::ExtremePropensity, format!(
            "propensity model: fitted probabilities numerically 0 or 1 occurred ({} row{} with a linear predictor beyond ±30; \
             R's glm warns the same); the model converged, but check those rows for outlying covariate values",
            core.fit.n_extreme,
            if core.fit.n_extreme == 1 { "" } else { "s" }
        )));
    }
    let (n_matched, n_dropped, n_off) = match_counts(&core, spec, &mut diagnostics)?;
    let (est, se, se_kind) = effect_and_se(&d, &core, spec, &mut diagnostics);
    let z = est / se;
    let p_value = if z.is_finite() { 2.0 * norm_cdf(-z.abs()) } else { f64::NAN };
    let q = norm_quantile(0.975);
    let (matched, wrow, n_control_used) = matched_sample(&d, &core, spec, &mut diagnostics);
    let propensity = propensity_model(&d, &core, spec);
    let balance = balance::balance(&d, &wrow, &mut diagnostics);
    let density = density::density(&core.score, &d.treat, &wrow);
    let mut scores = vec![f64::NAN; ds.nrows()];
    for (i, &r) in d.rows.iter().enumerate() {
        scores[r] = core.score[i];
    }
    Ok(PsmResult {
        att: est,
        estimate: est,
        estimand: spec.estimand,
        std_error: se,
        se_kind,
        statistic: z,
        p_value,
        conf_low: est - q * se,
        conf_high: est + q * se,
        n_treated,
        n_control,
        n_treated_matched: n_matched,
        n_treated_dropped: n_dropped,
        n_control_used,
        n_off_support: n_off,
        caliper_abs: core.caliper_abs,
        bandwidth: (spec.matching.method == Method::Kernel).then(|| spec.matching.bandwidth.unwrap_or(DEFAULT_BANDWIDTH)),
        propensity,
        balance,
        density,
        matched,
        scores,
        diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_deserialises_with_defaults() {
        let s: PsmSpec = serde_json::from_str(
            r#"{"formula":"treat ~ x","outcome":"y","match_on":"logit","caliper":0.2,"estimand":"ATT","se":"ai"}"#,
        )
        .unwrap();
        assert_eq!(s.matching.k, 1);
        assert!(s.matching.replace && s.matching.ties);
        assert_eq!(s.matching.match_on, MatchOn::Logit);
        assert_eq!(s.matching.caliper, Some(0.2));
        assert_eq!(s.matching.caliper_scale, CaliperScale::Sd);
        assert_eq!(s.matching.method, Method::Nearest);
        assert_eq!(s.matching.distance_tolerance, 1e-5);
        let s: PsmSpec = serde_json::from_str(r#"{"formula":"t ~ x","estimand":"ATC","method":"kernel","kernel":"gaussian"}"#).unwrap();
        assert_eq!(s.estimand, Estimand::Atc);
        assert_eq!(s.matching.kernel, Kernel::Gaussian);
        assert!(serde_json::from_str::<PsmSpec>(r#"{"formula":"t ~ x","method":"optimal"}"#).is_err());
    }

    #[test]
    fn validate_applies_the_preset_and_checks_once() {
        let s: PsmSpec = serde_json::from_str(r#"{"formula":"t ~ x","preset":"psmatch2","caliper":0.1}"#).unwrap();
        let v = s.validate().unwrap();
        assert_eq!(v.matching.caliper_scale, CaliperScale::Absolute);
        assert_eq!(v.matching.distance_tolerance, 0.0);
        let bad = PsmSpec { matching: MatchOptions { method: Method::Radius, ..MatchOptions::default() }, ..PsmSpec::default() };
        assert_eq!(bad.validate().unwrap_err().to_string(), "radius matching needs a caliper (the radius)");
        let bad = PsmSpec { se: SeKind::Bootstrap, bootstrap_reps: 1, ..PsmSpec::default() };
        assert!(bad.validate().unwrap_err().to_string().contains("bootstrap_reps must be at least 2"));
    }

    #[test]
    fn ai_se_by_hand() {
        // Treated 0 (v .5, y 10) matches control 2 (v .45, y 4); treated 1 (v .7, y 8)
        // matches control 3 (v .72, y 5); control 4 (v .1, y 0) unused.
        // τ = (6, 3), est = 4.5, pairs: w = 1 each; σ² = ½((6−4.5)² + (3−4.5)²)/2 = 1.125.
        // K = 1, KK = 1 for controls 2 and 3 → K² − KK = 0; Σ(τ−est)² = 4.5; N = 2:
        // V = 4.5/4 = 1.125, SE = 1.0606601717798212.
        let d = Design {
            rows: (0..5).collect(),
            treat: vec![true, true, false, false, false],
            names: vec!["(Intercept)".into()],
            term_of: vec![None],
            x: vec![1.0; 5],
            p: 1,
            y: Some(vec![10.0, 8.0, 4.0, 5.0, 0.0]),
            n_missing: 0,
            removed: Vec::new(),
        };
        let v = vec![0.5, 0.7, 0.45, 0.72, 0.1];
        let cfg = matching::test_config(Method::Nearest, 1, true, true, None);
        let set = match_units(&v, &[0, 1], &[2, 3, 4], &cfg);
        let fit = BinaryFit {
            beta: vec![],
            se: vec![],
            loglik: 0.0,
            loglik_null: 0.0,
            eta: vec![],
            mu: v.clone(),
            iterations: 0,
            n_extreme: 0,
        };
        let core = Core { fit, score: v, passes: vec![Pass { focal_treated: true, set, n_focal: 2, n_off_support: 0 }], caliper_abs: None };
        let y = d.y.clone().unwrap();
        assert!((estimate(&core, &y) - 4.5).abs() < 1e-12);
        assert!((ai_se(&core, &y, 5, false) - 1.125f64.sqrt()).abs() < 1e-12);
        // Now both treated match control 2 (move treated 1 to .46): K₂ = 2, KK₂ = 2 → K²−KK = 2.
        // τ = (6, 4), est = 5, σ² = ½(1 + 1)/2 = .5; V = (.5·2 + 2)/4 = .75.
        let v2 = vec![0.5, 0.46, 0.45, 0.72, 0.1];
        let set = match_units(&v2, &[0, 1], &[2, 3, 4], &cfg);
        let core = Core { passes: vec![Pass { focal_treated: true, set, n_focal: 2, n_off_support: 0 }], ..core };
        assert!((estimate(&core, &y) - 5.0).abs() < 1e-12);
        assert!((ai_se(&core, &y, 5, false) - 0.75f64.sqrt()).abs() < 1e-12);
    }
}
