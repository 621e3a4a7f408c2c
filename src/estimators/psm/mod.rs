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
//!   the treated and within the controls (draw `b` from its own ChaCha8 stream
//!   `draw_rng(seed ^ 0x9E3779B97F4A7C15, b)`, so results are reproducible on
//!   every platform and however the draws are split across workers:
//!   [`psm_draws`], [`psm_with_draws`], [`psm_draw_count`]); the propensity model is re-estimated
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
mod counts;
mod density;
mod design;
mod matching;
mod newton;
mod options;
mod passes;
pub(crate) mod propensity;
mod result;
mod sample;
mod se;
mod spec;
pub mod tables;

pub use balance::{BalanceOverall, BalanceRow, BalanceTable};
pub use density::{density_svg, DensityCurve, DensityData};
pub use compare::{compare_methods, method_label, ComparisonRow, ComparisonTable};
pub use options::{CaliperScale, Estimand, Kernel, Link, MatchOn, MatchOptions, Method, Order, Preset, SeKind};
pub use result::{Coefficient, MatchedSample, PropensityModel, PsmResult};
pub use spec::{PsmSpec, ValidPsmSpec, DEFAULT_BANDWIDTH, PAIR_LIMIT};

use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, ErrorKind, Result};
use crate::inference::replicate::{DrawBlock, DrawRange};
use crate::inference::dist::{norm_cdf, norm_quantile};
use counts::match_counts;
use design::Design;
use passes::run_core;
use propensity::BinaryFit;
use sample::matched_sample;
use se::effect_and_se;

/// Propensity score matching: see the module documentation.
pub fn psm(ds: &Dataset, spec: &PsmSpec) -> Result<PsmResult> {
    fit(ds, &spec.validate()?)
}

/// The fit of a validated spec: the design, the matching run, then the effect, the matched
/// sample, the propensity table, balance and densities (the bootstrap, if any, computed here:
/// [`psm_draws`] over every draw, then [`psm_with_draws`]'s summary).
pub fn fit(ds: &Dataset, spec: &ValidPsmSpec) -> Result<PsmResult> {
    fit_with(ds, spec, None)
}

/// The number of bootstrap draws `spec` asks for: `bootstrap_reps` when its standard error is
/// the bootstrap (`se = "bootstrap"`, or `"ai"` with a method other than nearest neighbour
/// with replacement, which falls back to it) and there is an outcome; None otherwise.
pub fn psm_draw_count(spec: &PsmSpec) -> Option<usize> {
    let s = spec.resolved();
    se::uses_bootstrap(&s).then_some(s.bootstrap_reps)
}

/// Bootstrap draws `range` of `spec` (replications protocol, [`crate::inference::replicate`]):
/// draw `b` resamples within the treated and within the controls with
/// `draw_rng(seed ^ 0x9E3779B97F4A7C15, b)` only, re-estimates the propensity model, rematches
/// and records the estimate (one statistic per draw; NaN when the replicate fails).
/// `progress` gets the fraction of the range done; returning `false` cancels.
pub fn psm_draws(ds: &Dataset, spec: &PsmSpec, range: DrawRange, progress: &mut dyn FnMut(f64) -> bool) -> Result<DrawBlock> {
    let spec = spec.validate()?;
    let total = psm_draw_count(&spec).ok_or_else(|| Error::invalid("this PSM specification asks for no bootstrap (se is not \"bootstrap\")"))?;
    range.check(total)?;
    let (f, treat_name) = design::parse_formula(&spec.formula)?;
    let d = design::build_design(ds, &f, &treat_name, spec.outcome.as_deref())?;
    group_sizes(&d, &treat_name)?;
    se::bootstrap_draws(&d, &spec, range, progress)
}

/// [`psm`] with its bootstrap from `draws` (the blocks of every draw `0..psm_draw_count`,
/// joined with [`DrawBlock::concat`]): bit-identical to `psm` however the draws were split.
pub fn psm_with_draws(ds: &Dataset, spec: &PsmSpec, draws: &DrawBlock, progress: &mut dyn FnMut(f64) -> bool) -> Result<PsmResult> {
    let spec = spec.validate()?;
    let total = psm_draw_count(&spec).ok_or_else(|| Error::invalid("this PSM specification asks for no bootstrap (se is not \"bootstrap\")"))?;
    draws.check_complete(total, 1)?;
    if !progress(0.0) {
        return Err(Error::new(ErrorKind::Cancelled));
    }
    let r = fit_with(ds, &spec, Some(draws))?;
    progress(1.0);
    Ok(r)
}

/// [`fit`] with the bootstrap draws given (None: computed here when the SE needs them).
fn fit_with(ds: &Dataset, spec: &ValidPsmSpec, draws: Option<&DrawBlock>) -> Result<PsmResult> {
    let spec: &PsmSpec = spec;
    let (f, treat_name) = design::parse_formula(&spec.formula)?;
    let d = design::build_design(ds, &f, &treat_name, spec.outcome.as_deref())?;
    let mut diagnostics = design_diagnostics(&d, ds.nrows());
    let (n_treated, n_control) = group_sizes(&d, &treat_name)?;
    let core = run_core(&d, spec)?;
    if let Some(w) = extreme_propensity(&core.fit) {
        diagnostics.push(w);
    }
    let (n_matched, n_dropped, n_off) = match_counts(&core, spec, &mut diagnostics)?;
    let (est, se, se_kind) = effect_and_se(&d, &core, spec, draws, &mut diagnostics)?;
    let z = est / se;
    let p_value = if z.is_finite() { 2.0 * norm_cdf(-z.abs()) } else { f64::NAN };
    let q = norm_quantile(0.975);
    let (matched, wrow, n_control_used) = matched_sample(&d, &core, spec, &mut diagnostics);
    let propensity = PropensityModel::from_fit(&d, &core.fit, spec.matching.model);
    let balance = balance::balance(&d, &wrow, (&core.fit, spec.matching.model), &mut diagnostics);
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

/// The design's notes: rows dropped for missing values, collinear covariates removed.
fn design_diagnostics(d: &Design, nrows: usize) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    if d.n_missing > 0 {
        diagnostics.push(Diagnostic::info(
            Code::MissingRowsDropped,
            format!(
                "{} of {} rows dropped because the treatment, a covariate or the outcome is missing",
                d.n_missing, nrows
            ),
        ));
    }
    diagnostics.extend(d.removed.iter().map(|m| Diagnostic::info(Code::CollinearDropped, m.clone())));
    diagnostics
}

/// The numbers of treated and control rows; an error when either group is empty.
fn group_sizes(d: &Design, treat_name: &str) -> Result<(usize, usize)> {
    let n_treated = d.treat.iter().filter(|&&t| t).count();
    let n_control = d.n() - n_treated;
    if n_treated == 0 {
        return Err(Error::insufficient(format!("no treated units: `{}` is 0 in every usable row", treat_name)));
    }
    if n_control == 0 {
        return Err(Error::insufficient(format!("no control units: `{}` is 1 in every usable row", treat_name)));
    }
    Ok((n_treated, n_control))
}

/// The warning on fitted probabilities numerically 0 or 1 (as R's glm), if any occurred.
fn extreme_propensity(fit: &BinaryFit) -> Option<Diagnostic> {
    (fit.n_extreme > 0).then(|| {
        Diagnostic::warning(
            Code::ExtremePropensity,
            format!(
                "propensity model: fitted probabilities numerically 0 or 1 occurred ({} row{} with a linear predictor beyond ±30; \
                 R's glm warns the same); the model converged, but check those rows for outlying covariate values",
                fit.n_extreme,
                if fit.n_extreme == 1 { "" } else { "s" }
            ),
        )
    })
}

/// The stages of [`fit`] timed one by one (seconds), for performance work (native only).
#[doc(hidden)]
#[cfg(not(target_arch = "wasm32"))]
pub fn profile_stages(ds: &Dataset, spec: &PsmSpec) -> Result<Vec<(String, f64)>> {
    let spec = spec.validate()?;
    let spec: &PsmSpec = &spec;
    let mut out = Vec::new();
    let mut t = std::time::Instant::now();
    let mut lap = |name: &str, out: &mut Vec<(String, f64)>| {
        out.push((name.to_string(), t.elapsed().as_secs_f64()));
        t = std::time::Instant::now();
    };
    let (f, treat_name) = design::parse_formula(&spec.formula)?;
    let d = design::build_design(ds, &f, &treat_name, spec.outcome.as_deref())?;
    lap("design", &mut out);
    let fit = propensity::fit_binary(spec.matching.model, &d.x, d.n(), d.p, &d.treat, &vec![1.0; d.n()], &d.names)?;
    lap(&format!("logit ({} it)", fit.iterations), &mut out);
    let pf = propensity::fit_binary(Link::Probit, &d.x, d.n(), d.p, &d.treat, &vec![1.0; d.n()], &d.names)?;
    lap(&format!("probit ({} it)", pf.iterations), &mut out);
    drop((fit, pf));
    let core = run_core(&d, spec)?;
    lap("fit + matching", &mut out);
    let mut diagnostics = Diagnostics::new();
    let _ = match_counts(&core, spec, &mut diagnostics)?;
    let _ = effect_and_se(&d, &core, spec, None, &mut diagnostics)?;
    lap("effect + se", &mut out);
    let (_, wrow, _) = matched_sample(&d, &core, spec, &mut diagnostics);
    lap("matched sample", &mut out);
    let _ = balance::balance(&d, &wrow, (&core.fit, spec.matching.model), &mut diagnostics);
    lap("balance", &mut out);
    let start: Vec<f64> = core.fit.beta.iter().map(|b| b * 0.625).collect();
    let ones = vec![1.0; d.n()];
    let opt = propensity::FitOptions { start: Some(&start), checked: true, no_mu: true };
    let bf = propensity::fit_binary_with(Link::Probit, &d.x, d.n(), d.p, &d.treat, &ones, &d.names, opt)?;
    lap(&format!("  probit warm ({} it)", bf.iterations), &mut out);
    let af = propensity::fit_binary(Link::Probit, &d.x, d.n(), d.p, &d.treat, &wrow, &d.names)?;
    lap(&format!("  probit after ({} it, uncompacted)", af.iterations), &mut out);
    let _ = density::density(&core.score, &d.treat, &wrow);
    lap("density", &mut out);
    let _ = PropensityModel::from_fit(&d, &core.fit, spec.matching.model);
    lap("propensity table", &mut out);
    Ok(out)
}
