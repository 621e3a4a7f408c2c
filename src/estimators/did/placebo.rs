//! Placebo tests and randomization inference for the DID coefficient.
//!
//! # Kinds
//!
//! * `permute_units` — reassign the observed unit-level treatment (the multiset of adoption
//!   times, "never" included; the treated flags of the 2×2 form) among the units at random
//!   ([`permute_units`]) and re-estimate the DID coefficient.
//! * `random_timing` — as many fake-treated units as there are treated units, each with a
//!   random adoption period ([`random_timing`]).
//! * `in_time` — pretend the policy started `shift` periods earlier, keeping only pre-policy
//!   rows ([`in_time`]), and estimate once (`reps` is ignored): the in-time estimate, its SE,
//!   t and p are reported in `in_time`, and `p_value` is its regression p-value.
//!
//! # Speed (Frisch–Waugh–Lovell)
//!
//! The sample, the fixed effects, the outcome and the controls do not change between draws.
//! They are demeaned once ([`DemeanedDesign`]); the controls are projected out of `ỹ` once
//! ([`DemeanedDesign::fwl`]). A draw computes `β̂_b = (M d̃)'(M ỹ) / (M d̃)'(M d̃)` for its
//! placebo DID column `d` — identical to refitting the full model — in one pass over the rows
//! without demeaning `d` when the fixed effects allow a closed form (one fixed effect, or a
//! balanced panel with unit and time effects), else demeaning `d` alone
//! ([`super::placebo_solver`]).
//!
//! # Degenerate draws
//!
//! A placebo DID column `d` that lies in the span of the fixed effects and the controls (e.g. a
//! permutation that gives the treatment only to units observed only after the adoption date,
//! whose placebo DID is then constant within each of them and absorbed by the unit effects)
//! identifies nothing. Such a draw is *degenerate* when
//! `‖M d̃‖ / ‖d‖ < 1e-8` ([`DEGENERATE_TOL`]): `d̃` is `d` demeaned by the fixed effects, `M`
//! projects out the (demeaned) controls, `d` is taken on the estimation sample, and both norms
//! use the regression weights if any. The test is on the column, never on the size of the
//! estimate (a legitimately huge placebo estimate is kept). Degenerate draws are left out of
//! `draws`, `B`, the p-values and the summaries, and counted in `n_degenerate` (with a
//! diagnostic).
//!
//! # p-value convention
//!
//! `B` is the number of non-degenerate draws (`reps`); ties within 1e-9 relative count as "≥".
//!
//! * Random draws: `p_value = #{b : |β̂_b| ≥ |β̂|} / B` is the share of the draws at least as
//!   extreme, the actual estimate **not** counted (the `jjj_placebo.json` convention, whose p is
//!   0.0 at 2,000 draws), and `p_value_corrected = (1 + #{b : |β̂_b| ≥ |β̂|}) / (B + 1)` counts
//!   the actual assignment as one more draw — a valid p-value that is never 0 (at least
//!   `1/(B + 1)`; Phipson & Smyth 2010).
//! * Enumeration: when `reps` is at least the number of distinct assignments
//!   ([`n_distinct_permutations`], `permute_units` only), all of them are enumerated instead
//!   (`enumerated = true`), and `B` is the number of non-degenerate distinct assignments. The
//!   actual assignment is one of them (not degenerate, as its DID was estimable — unless its
//!   column sits between the engine's collinearity threshold, 1e-9, and 1e-8, which would be
//!   reported as a degenerate draw), so it is already counted once, and
//!   `p_value = #{a : |β̂_a| ≥ |β̂|} / B` is the exact permutation p-value, at least `1/B`. The
//!   correction must not add it a second time: `p_value_corrected = p_value` there.
//! * `in_time`: both are the in-time regression's p-value.
//!
//! `mean`, `sd` (n − 1) and the quantiles (type 7, linear interpolation) describe the
//! non-degenerate draws.
//!
//! # Replications
//!
//! Draw `b` (of `reps`) uses only [`draw_rng`]`(seed, b)`, natively and in wasm alike, so the
//! draws can be split among workers: [`placebo_draw_count`], [`placebo_draws`] over a range,
//! [`placebo_with_draws`] on the joined [`DrawBlock`]; [`placebo`] is the three in one thread,
//! with a bit-identical result. Each draw stores one number: the placebo estimate, NaN for a
//! degenerate draw, and `+∞` for a draw beyond the enumerated assignments (under enumeration
//! draw `b` is the `b`-th distinct assignment, and the draws from their number to `reps` are
//! unused).

use super::design::{
    enumerated_thresholds, in_time, n_distinct_permutations, permuted_thresholds, random_timing_thresholds,
    Thresholds,
};
use super::placebo_solver::PlaceboSolver;
use super::workbench::{did_prepared, prepare, term_coef, DidSpec, Prepared};
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, ErrorKind, Result};
use crate::estimators::feols::{feols, DemeanedDesign, FeolsFit};
use crate::inference::replicate::{draw_rng, DrawBlock, DrawRange};

/// A placebo draw is degenerate when `‖M d̃‖ / ‖d‖` is below this (module docs).
pub const DEGENERATE_TOL: f64 = 1e-8;
use crate::report::svg::{histogram, ChartOptions};
use crate::inference::Estimate;
use serde::{Deserialize, Serialize};

/// Which placebo.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceboKind {
    /// Permute which units carry the observed treatment (default).
    #[default]
    PermuteUnits,
    /// Random fake treated units and adoption periods.
    RandomTiming,
    /// Policy moved `shift` periods earlier, pre-policy rows only.
    InTime,
}

/// A placebo test: the DID model (flattened) plus the placebo settings.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct PlaceboSpec {
    /// The DID model.
    #[serde(flatten)]
    pub did: DidSpec,
    /// `permute_units` (default), `random_timing` or `in_time`.
    pub kind: PlaceboKind,
    /// Replications (default 500; ignored by `in_time`).
    pub reps: usize,
    /// RNG seed (default 1).
    pub seed: u64,
    /// `in_time`: periods by which adoption is moved earlier (default 2).
    pub shift: i64,
}

impl Default for PlaceboSpec {
    fn default() -> Self {
        PlaceboSpec { did: DidSpec::default(), kind: PlaceboKind::PermuteUnits, reps: 500, seed: 1, shift: 2 }
    }
}

/// Quantiles of the placebo distribution (type 7).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quantiles {
    /// 1 %.
    pub p01: f64,
    /// 5 %.
    pub p05: f64,
    /// 10 %.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90 %.
    pub p90: f64,
    /// 95 %.
    pub p95: f64,
    /// 99 %.
    pub p99: f64,
}

/// The in-time placebo regression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InTimeEstimate {
    /// Periods by which adoption was moved earlier.
    pub shift: i64,
    /// The placebo DID coefficient with its inference; flat in JSON.
    #[serde(flatten)]
    pub coef: Estimate,
    /// Observations (pre-policy rows).
    pub nobs: usize,
    /// The regression.
    pub model: FeolsFit,
}

/// Result of [`placebo`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceboResult {
    /// The placebo kind.
    pub kind: PlaceboKind,
    /// The actual DID estimate (full sample, real treatment).
    pub actual: f64,
    /// Placebo estimates of the non-degenerate draws (empty for `in_time`).
    pub draws: Vec<f64>,
    /// Two-sided permutation p-value: the share of the draws at least as extreme (may be 0 with
    /// random draws; exact under enumeration; module docs). `in_time`: the in-time
    /// regression's p-value.
    pub p_value: f64,
    /// `(1 + #{|draw| ≥ |actual|}) / (B + 1)` with random draws (never 0); equal to `p_value`
    /// under enumeration (the actual assignment is already among the draws) and for `in_time`
    /// (module docs).
    pub p_value_corrected: f64,
    /// Draws left out as degenerate: placebo DID collinear with the fixed effects and controls
    /// (module docs; 0 for `in_time`).
    pub n_degenerate: usize,
    /// Mean of the draws (NaN for `in_time`).
    pub mean: f64,
    /// Standard deviation of the draws (n − 1; NaN for `in_time`).
    pub sd: f64,
    /// Quantiles of the draws (`None` for `in_time`).
    pub quantiles: Option<Quantiles>,
    /// Number of draws used, `B` (degenerate ones excluded).
    pub reps: usize,
    /// All distinct assignments were enumerated.
    pub enumerated: bool,
    /// Number of distinct unit assignments (`permute_units`; saturating). Serialised
    /// as a floating-point number: with many units it exceeds 2^53, which JavaScript
    /// numbers cannot hold exactly (and the JS bridge refuses to round silently).
    #[serde(serialize_with = "serialize_count_as_f64")]
    pub n_possible: Option<u64>,
    /// The seed.
    pub seed: u64,
    /// Histogram of the draws with the actual estimate marked (SVG; empty for `in_time`).
    pub svg: String,
    /// The in-time placebo regression (`in_time` only).
    pub in_time: Option<InTimeEstimate>,
    /// Non-fatal findings.
    pub diagnostics: Diagnostics,
}

/// Type-7 quantile of sorted data.
pub(crate) fn quantile_sorted(s: &[f64], p: f64) -> f64 {
    if s.is_empty() {
        return f64::NAN;
    }
    let h = (s.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(s.len() - 1);
    s[lo] + (h - lo as f64) * (s[hi] - s[lo])
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let m = v.iter().sum::<f64>() / n;
    let sd = if v.len() > 1 { (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() } else { f64::NAN };
    (m, sd)
}

/// `|d| ≥ |actual|` with a relative tie tolerance of 1e-9.
pub(crate) fn at_least_as_extreme(d: f64, actual: f64) -> bool {
    d.abs() >= actual.abs() * (1.0 - 1e-9)
}

fn serialize_count_as_f64<S: serde::Serializer>(n: &Option<u64>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match n {
        Some(n) => s.serialize_f64(*n as f64),
        None => s.serialize_none(),
    }
}

/// Placebo test (see the module docs). `progress(fraction)` is called every 50 draws;
/// returning `false` stops with [`ErrorKind::Cancelled`].
pub fn placebo(ds: &Dataset, spec: &PlaceboSpec, progress: &mut dyn FnMut(f64) -> bool) -> Result<PlaceboResult> {
    let p = prepare(ds, spec.did.validate(ds)?, &[])?;
    let actual_fit = did_prepared(&p, &spec.did)?;
    if spec.kind == PlaceboKind::InTime {
        return in_time_placebo(&p, spec, actual_fit.estimate, actual_fit.diagnostics);
    }
    let plan = plan(&p, spec)?;
    let block = run_draws(&p, spec, &plan, DrawRange::all(spec.reps), progress)?;
    progress(1.0);
    finish(spec, plan, actual_fit.estimate, actual_fit.diagnostics, &block)
}

/// The number of draws of a placebo test (`reps`; `None` for `in_time`, which has none).
pub fn placebo_draw_count(spec: &PlaceboSpec) -> Option<usize> {
    (spec.kind != PlaceboKind::InTime).then_some(spec.reps)
}

/// Draws `range` of a placebo test (module docs, "Replications"): one number per draw.
/// `progress` gets the fraction of the range done; `false` stops with
/// [`ErrorKind::Cancelled`].
pub fn placebo_draws(
    ds: &Dataset,
    spec: &PlaceboSpec,
    range: DrawRange,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<DrawBlock> {
    let total = placebo_draw_count(spec).ok_or_else(|| Error::invalid("an in-time placebo has no replications"))?;
    range.check(total)?;
    let p = prepare(ds, spec.did.validate(ds)?, &[])?;
    let plan = plan(&p, spec)?;
    run_draws(&p, spec, &plan, range, progress)
}

/// The placebo test from the draws `0..reps` of [`placebo_draws`] (joined with
/// [`DrawBlock::concat`]); the same result as [`placebo`].
pub fn placebo_with_draws(
    ds: &Dataset,
    spec: &PlaceboSpec,
    draws: &DrawBlock,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<PlaceboResult> {
    let total = placebo_draw_count(spec).ok_or_else(|| Error::invalid("an in-time placebo has no replications"))?;
    draws.check_complete(total, 1)?;
    let p = prepare(ds, spec.did.validate(ds)?, &[])?;
    let actual_fit = did_prepared(&p, &spec.did)?;
    let plan = plan(&p, spec)?;
    let r = finish(spec, plan, actual_fit.estimate, actual_fit.diagnostics, draws);
    progress(1.0);
    r
}

/// What the draws are: random assignments, or the enumerated ones (with their count).
struct Plan {
    n_possible: Option<u64>,
    enumerated: Option<Vec<Thresholds>>,
    diagnostics: Diagnostics,
}

fn plan(p: &Prepared, spec: &PlaceboSpec) -> Result<Plan> {
    if spec.reps == 0 {
        return Err(Error::invalid("a placebo test needs at least one replication (`reps` ≥ 1)"));
    }
    let mut diagnostics = Diagnostics::new();
    let (n_possible, enumerated) = enumeration(p, spec, &mut diagnostics)?;
    Ok(Plan { n_possible, enumerated, diagnostics })
}

/// The summary of the draws: p-values, moments, quantiles, histogram.
fn finish(
    spec: &PlaceboSpec,
    plan: Plan,
    actual: f64,
    mut diagnostics: Diagnostics,
    block: &DrawBlock,
) -> Result<PlaceboResult> {
    diagnostics.extend(plan.diagnostics.iter().cloned());
    let used: Vec<f64> = block.values.iter().copied().filter(|v| *v != f64::INFINITY).collect();
    let total = used.len();
    let draws: Vec<f64> = used.iter().copied().filter(|v| !v.is_nan()).collect();
    let n_degenerate = total - draws.len();
    if n_degenerate > 0 {
        diagnostics.push(Diagnostic::warning(Code::DegeneratePlaceboDraws, format!(
            "{n_degenerate} of {total} placebo assignments were degenerate (their placebo DID is collinear with the \
             fixed effects and controls, so it identifies nothing) and were left out; the p-values use the other {}",
            total - n_degenerate
        )));
    }
    if draws.is_empty() {
        return Err(Error::insufficient(
            "no placebo assignment was estimable: every placebo DID was collinear with the fixed effects and controls",
        ));
    }
    let enumerated = plan.enumerated.is_some();
    let n_extreme = draws.iter().filter(|d| at_least_as_extreme(**d, actual)).count();
    let b = draws.len();
    let p_value = n_extreme as f64 / b as f64;
    let p_value_corrected = if enumerated { p_value } else { (1 + n_extreme) as f64 / (b + 1) as f64 };
    let (mean, sd) = mean_sd(&draws);
    let quantiles = Quantiles::of(&draws);
    let svg = histogram(
        &draws,
        actual,
        &ChartOptions {
            x_label: "Placebo estimate".into(),
            y_label: "Density".into(),
            actual_label: "Actual estimate".into(),
            ..Default::default()
        },
    );
    Ok(PlaceboResult {
        kind: spec.kind,
        actual,
        reps: draws.len(),
        draws,
        p_value,
        p_value_corrected,
        n_degenerate,
        mean,
        sd,
        quantiles: Some(quantiles),
        enumerated,
        n_possible: plan.n_possible,
        seed: spec.seed,
        svg,
        in_time: None,
        diagnostics,
    })
}

/// The in-time placebo: adoption moved `shift` periods earlier on the pre-policy rows, one
/// regression with the model's inference.
fn in_time_placebo(p: &Prepared, spec: &PlaceboSpec, actual: f64, mut diagnostics: Diagnostics) -> Result<PlaceboResult> {
    let pl = in_time(&p.design, spec.shift)?;
    diagnostics.extend(pl.diagnostics.iter().cloned());
    let mut q = p.clone();
    let vals: Vec<f64> = pl.did.iter().zip(&pl.keep_rows).map(|(d, k)| if *k { *d } else { f64::NAN }).collect();
    q.ds.add_numeric(&q.term, vals)?;
    let fs = q.feols_spec(&spec.did, &spec.did.y, std::slice::from_ref(&q.term), &spec.did.controls)?;
    let model = feols(&q.ds, &fs)?;
    let c = term_coef(&model, &q.term)?.clone();
    diagnostics.extend(model.diagnostics.iter().cloned());
    Ok(PlaceboResult {
        kind: spec.kind,
        actual,
        draws: Vec::new(),
        p_value: c.p_value,
        p_value_corrected: c.p_value,
        n_degenerate: 0,
        mean: f64::NAN,
        sd: f64::NAN,
        quantiles: None,
        reps: 0,
        enumerated: false,
        n_possible: None,
        seed: spec.seed,
        svg: String::new(),
        in_time: Some(InTimeEstimate {
            shift: spec.shift,
            coef: c,
            nobs: model.nobs,
            model,
        }),
        diagnostics,
    })
}

/// For unit permutations: the number of distinct assignments and, when the replications
/// would cover them all, every one of them (the p-value is then exact).
#[allow(clippy::type_complexity)]
fn enumeration(p: &Prepared, spec: &PlaceboSpec, diagnostics: &mut Diagnostics) -> Result<(Option<u64>, Option<Vec<Thresholds>>)> {
    if spec.kind != PlaceboKind::PermuteUnits {
        return Ok((None, None));
    }
    let n = n_distinct_permutations(&p.design);
    if n > spec.reps as u64 {
        return Ok((Some(n), None));
    }
    let all = enumerated_thresholds(&p.design, spec.reps)?;
    diagnostics.push(Diagnostic::info(Code::PlaceboEnumerated, format!(
        "only {n} distinct assignments of the treatment to the units exist (fewer than the {} replications \
         requested): all {n} were enumerated, the actual one included, and the p-value is exact",
        spec.reps
    )));
    Ok((Some(n), Some(all)))
}

/// The placebo estimates of draws `range` (FWL, [`PlaceboSolver`]): NaN for a degenerate
/// draw, `+∞` past the enumerated assignments.
fn run_draws(
    p: &Prepared,
    spec: &PlaceboSpec,
    plan: &Plan,
    range: DrawRange,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<DrawBlock> {
    let fs = p.feols_spec(&spec.did, &spec.did.y, std::slice::from_ref(&p.term), &spec.did.controls)?;
    let dd = DemeanedDesign::new(&p.ds, &fs)?;
    let fwl = dd.fwl(&p.term)?;
    let mut solver = PlaceboSolver::new(&p.design, dd, fwl);
    let mut block = DrawBlock::with_capacity(range, 1);
    for b in range.start..range.end {
        let done = b - range.start;
        if done % 50 == 0 && !progress(done as f64 / range.len() as f64) {
            return Err(Error::new(ErrorKind::Cancelled));
        }
        let value = match &plan.enumerated {
            Some(all) => match all.get(b) {
                Some(thr) => solver.estimate(thr)?.unwrap_or(f64::NAN),
                None => f64::INFINITY,
            },
            None => {
                let mut rng = draw_rng(spec.seed, b);
                let thr = match spec.kind {
                    PlaceboKind::RandomTiming => random_timing_thresholds(&p.design, &mut rng)?,
                    _ => permuted_thresholds(&p.design, &mut rng),
                };
                solver.estimate(&thr)?.unwrap_or(f64::NAN)
            }
        };
        block.push(&[value]);
    }
    Ok(block)
}

impl Quantiles {
    /// The quantiles of the draws.
    fn of(draws: &[f64]) -> Quantiles {
        let mut s = draws.to_vec();
        s.sort_by(f64::total_cmp);
        let q = |x| quantile_sorted(&s, x);
        Quantiles { p01: q(0.01), p05: q(0.05), p10: q(0.10), p50: q(0.50), p90: q(0.90), p95: q(0.95), p99: q(0.99) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantiles() {
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&s, 0.5), 2.5);
        assert_eq!(quantile_sorted(&s, 0.0), 1.0);
        assert_eq!(quantile_sorted(&s, 1.0), 4.0);
        assert!((quantile_sorted(&s, 0.1) - 1.3).abs() < 1e-12);
    }
}
