//! Mechanism analysis: the three-step mediation regressions.
//!
//! (1) `y ~ DID + controls`, (2) `M ~ DID + controls` (slope `a`), (3) `y ~ DID + M + controls`
//! (slope `b` of `M`), all with the same fixed effects and variance, and all on **one common
//! sample**: the estimation sample of step 3, i.e. the rows where the outcome, the mediator,
//! the treatment, the controls, the fixed effects (and cluster and weight variables) are all
//! present, after singleton removal. Rows with only the mediator (or only the outcome) missing
//! are therefore left out of step 1 too (counted in `diagnostics`), so the step-1 total can
//! differ from the plain DID's; in exchange the decomposition is exact in-sample:
//! `total = direct + a·b` (OLS omitted-variable algebra on the same demeaned rows).
//! Sobel: `indirect = a·b`, `se = √(a²·se_b² + b²·se_a²)`, `z = indirect / se`, two-sided
//! normal p.
//!
//! Bootstrap CI of `a·b` (nonparametric, at the level the vcov treats as independent): with a
//! clustered vcov (the DID default clusters by unit) whole clusters of the common sample are
//! resampled with replacement (`G` draws out of the `G` clusters, in the order of the cluster
//! variable's levels, each cluster's rows in data order); with a two-way clustered vcov, the
//! first cluster variable (with a diagnostic); with an `iid` or `hetero` vcov, rows (the pairs
//! bootstrap). A unit drawn twice keeps its label: both copies carry identical data, so one
//! fixed effect for both gives the same `a` and `b` as one each. `a` and `b` are re-estimated
//! (iid variance, which the point estimates do not use) and the percentile interval (type-7
//! quantiles at `α/2`, `1 − α/2`) reported; draws in which the DID or the mediator is not
//! estimable are skipped (counted in `diagnostics`). `resample_cluster` names the resampled
//! cluster variable (`None`: rows). The refits reuse one model frame, a resample being a
//! weighted fit of the common sample ([`super::mediation_boot`]).
//!
//! # Replications
//!
//! Draw `b` (of `bootstrap`) uses only [`draw_rng`](crate::inference::replicate::draw_rng)`(seed, b)`,
//! so the draws can be split among workers: [`mediation_draw_count`], [`mediation_draws`] over
//! a range, [`mediation_with_draws`] on the joined [`DrawBlock`]; [`mediation`] is the three in
//! one thread, with a bit-identical result. Each draw stores `a·b`, NaN for a skipped draw.
//! `share_mediated = a·b / β_total` (β_total from step 1).
//!

use super::placebo::quantile_sorted;
use super::workbench::{did_prepared, prepare, term_coef, DidSpec, Prepared};
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::estimators::feols::{feols, Coef, DemeanedDesign, FeolsFit, VcovSpec};
use crate::inference::dist::norm_cdf;
use super::mediation_boot::MediationBoot;
use crate::inference::replicate::{DrawBlock, DrawRange};
use crate::ErrorKind;
use serde::{Deserialize, Serialize};


/// Mediation analysis: the DID model (flattened) plus the mediator and bootstrap settings.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct MediationSpec {
    /// The DID model.
    #[serde(flatten)]
    pub did: DidSpec,
    /// Mediator column (e.g. `IL`).
    pub mediator: String,
    /// Cluster-bootstrap replications for the indirect effect (default 1000; 0 = none).
    pub bootstrap: usize,
    /// RNG seed (default 1).
    pub seed: u64,
}

impl Default for MediationSpec {
    fn default() -> Self {
        MediationSpec { did: DidSpec::default(), mediator: String::new(), bootstrap: 1000, seed: 1 }
    }
}

/// Sobel test of the indirect effect `a·b`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sobel {
    /// Effect of DID on the mediator (step 2).
    pub a: f64,
    /// Effect of the mediator on the outcome given DID (step 3).
    pub b: f64,
    /// SE of `a`.
    pub se_a: f64,
    /// SE of `b`.
    pub se_b: f64,
    /// `a·b`.
    pub indirect: f64,
    /// `√(a² se_b² + b² se_a²)`.
    pub se: f64,
    /// `indirect / se`.
    pub z: f64,
    /// Two-sided normal p-value.
    pub p_value: f64,
}

/// Bootstrap percentile interval of the indirect effect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndirectEffect {
    /// `a·b` on the data.
    pub estimate: f64,
    /// Lower percentile limit (NaN without bootstrap).
    pub conf_low: f64,
    /// Upper percentile limit (NaN without bootstrap).
    pub conf_high: f64,
    /// Usable bootstrap draws.
    pub reps: usize,
    /// Confidence level.
    pub conf_level: f64,
    /// The cluster variable whose clusters the bootstrap resampled (`None`: rows, for an `iid`
    /// or `hetero` vcov; module docs).
    pub resample_cluster: Option<String>,
}

/// Result of [`mediation`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MediationResult {
    /// (1) y ~ DID, (2) M ~ DID, (3) y ~ DID + M (each with the controls and fixed effects),
    /// all on the same rows (module docs).
    pub steps: Vec<FeolsFit>,
    /// DID term name.
    pub term: String,
    /// Total effect (step 1 DID coefficient).
    pub total: f64,
    /// Direct effect (step 3 DID coefficient).
    pub direct: f64,
    /// Sobel test.
    pub sobel: Sobel,
    /// Bootstrap CI of the indirect effect.
    pub indirect: IndirectEffect,
    /// `a·b / total`.
    pub share_mediated: f64,
    /// The control terms (one "Controls" row in the table).
    pub controls: Vec<String>,
    /// Non-fatal findings, each once.
    pub diagnostics: Diagnostics,
}


/// Three-step mediation on one common sample, with Sobel test and a bootstrap at the
/// clustering level of the vcov (see the module docs).
pub fn mediation(ds: &Dataset, spec: &MediationSpec) -> Result<MediationResult> {
    let c = common(ds, spec)?;
    let block = match boot(&c, spec)? {
        Some(bt) => Some(boot_block(&bt, spec, DrawRange::all(spec.bootstrap), &mut |_| true)?),
        None => None,
    };
    summarise(c, spec, block.as_ref())
}

/// The number of bootstrap draws (`None` without bootstrap).
pub fn mediation_draw_count(spec: &MediationSpec) -> Option<usize> {
    (spec.bootstrap > 0).then_some(spec.bootstrap)
}

/// Bootstrap draws `range` of a mediation analysis (module docs, "Replications"): `a·b` per
/// draw. `progress` gets the fraction of the range done; `false` stops with
/// [`ErrorKind::Cancelled`].
pub fn mediation_draws(
    ds: &Dataset,
    spec: &MediationSpec,
    range: DrawRange,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<DrawBlock> {
    let total = mediation_draw_count(spec).ok_or_else(|| Error::invalid("this mediation has no bootstrap (`bootstrap` is 0)"))?;
    range.check(total)?;
    let c = common(ds, spec)?;
    let bt = boot(&c, spec)?.ok_or_else(|| Error::invalid("this mediation has no bootstrap"))?;
    boot_block(&bt, spec, range, progress)
}

/// The mediation analysis from the bootstrap draws `0..bootstrap` of [`mediation_draws`]
/// (joined with [`DrawBlock::concat`]); the same result as [`mediation`].
pub fn mediation_with_draws(
    ds: &Dataset,
    spec: &MediationSpec,
    draws: &DrawBlock,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<MediationResult> {
    let total = mediation_draw_count(spec).ok_or_else(|| Error::invalid("this mediation has no bootstrap (`bootstrap` is 0)"))?;
    draws.check_complete(total, 1)?;
    let r = summarise(common(ds, spec)?, spec, Some(draws));
    progress(1.0);
    r
}

/// The model on the common sample (module docs).
struct Common {
    p: Prepared,
    f3: crate::estimators::feols::FeolsSpec,
    n_step1_alone: usize,
    n_common: usize,
}

fn common(ds: &Dataset, spec: &MediationSpec) -> Result<Common> {
    if spec.mediator.trim().is_empty() {
        return Err(Error::invalid("mediation needs a `mediator` column (e.g. \"IL\")"));
    }
    if spec.mediator == spec.did.y {
        return Err(Error::invalid("the mediator must differ from the outcome"));
    }
    let mut p = prepare(ds, spec.did.validate(ds)?, std::slice::from_ref(&spec.mediator))?;
    let term = p.term.clone();
    let regs3 = vec![term.clone(), spec.mediator.clone()];
    let f3 = p.feols_spec(&spec.did, &spec.did.y, &regs3, &spec.did.controls)?;
    // The common sample: step 3 uses every variable of the other two steps.
    let common = DemeanedDesign::new(&p.ds, &f3)?.rows;
    let f1 = p.feols_spec(&spec.did, &spec.did.y, std::slice::from_ref(&term), &spec.did.controls)?;
    let n_step1_alone = DemeanedDesign::new(&p.ds, &f1)?.nobs();
    p.ds = p.ds.take_rows(&common);
    Ok(Common { p, f3, n_step1_alone, n_common: common.len() })
}

/// The cluster variable the bootstrap resamples (`None`: rows).
fn resample_cluster(p: &Prepared) -> Option<String> {
    match &p.vcov {
        VcovSpec::Cluster(c) if !c.is_empty() => Some(c[0].clone()),
        _ => None,
    }
}

/// The bootstrap's refitting machinery (`None` without bootstrap).
fn boot(c: &Common, spec: &MediationSpec) -> Result<Option<MediationBoot>> {
    if spec.bootstrap == 0 {
        return Ok(None);
    }
    let mut fb3 = c.f3.clone();
    fb3.vcov = VcovSpec::Iid;
    MediationBoot::new(&c.p.ds, &fb3, resample_cluster(&c.p).as_deref()).map(Some)
}

/// The bootstrap draws of `range`.
fn boot_block(
    bt: &MediationBoot,
    spec: &MediationSpec,
    range: DrawRange,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<DrawBlock> {
    let mut block = DrawBlock::with_capacity(range, 1);
    for b in range.start..range.end {
        let done = b - range.start;
        if done % 10 == 0 && !progress(done as f64 / range.len() as f64) {
            return Err(Error::new(ErrorKind::Cancelled));
        }
        block.push(&[bt.draw(spec.seed, b)]);
    }
    Ok(block)
}

/// The three steps, Sobel, and the bootstrap interval from the draws.
fn summarise(c: Common, spec: &MediationSpec, block: Option<&DrawBlock>) -> Result<MediationResult> {
    let Common { p, f3, n_step1_alone, n_common } = c;
    let term = p.term.clone();
    let step1 = did_prepared(&p, &spec.did)?;
    let f2 = p.feols_spec(&spec.did, &spec.mediator, std::slice::from_ref(&term), &spec.did.controls)?;
    let step2 = feols(&p.ds, &f2)?;
    let step3 = feols(&p.ds, &f3)?;
    let ca = term_coef(&step2, &term)?.clone();
    let cb = step3
        .coef(&spec.mediator)
        .ok_or_else(|| Error::insufficient(format!("the mediator `{}` was dropped as collinear in step 3", spec.mediator)))?
        .clone();
    let direct = term_coef(&step3, &term)?.estimate;
    let sobel = Sobel::of(&ca, &cb);
    let indirect = sobel.indirect;
    let mut diagnostics = step1.diagnostics.clone();
    if n_step1_alone > n_common {
        diagnostics.push(Diagnostic::info(Code::MediationCommonSample, format!(
            "{} rows usable for the total effect alone have a missing mediator `{}` (or another variable of step 3) \
             and were left out of all three steps, so that they share one sample ({} rows) and total = direct + \
             indirect holds exactly",
            n_step1_alone - n_common,
            spec.mediator,
            n_common
        )));
    }
    let alpha = 1.0 - spec.did.conf_level;
    let resample_cluster = resample_cluster(&p);
    let draws: Vec<f64> = match block {
        Some(block) => {
            resample_note(&p, resample_cluster.as_deref(), &mut diagnostics);
            let draws: Vec<f64> = block.values.iter().copied().filter(|v| v.is_finite()).collect();
            let skipped = block.values.len() - draws.len();
            if skipped > 0 {
                diagnostics.push(Diagnostic::warning(
                    Code::MediationBootstrap,
                    format!(
                        "{skipped} of {} bootstrap samples skipped (DID or mediator not estimable, e.g. no treated \
                         unit drawn)",
                        spec.bootstrap
                    ),
                ));
            }
            draws
        }
        None => Vec::new(),
    };
    let (conf_low, conf_high) = if draws.is_empty() {
        (f64::NAN, f64::NAN)
    } else {
        let mut s = draws.clone();
        s.sort_by(f64::total_cmp);
        (quantile_sorted(&s, alpha / 2.0), quantile_sorted(&s, 1.0 - alpha / 2.0))
    };
    let total = step1.estimate;
    Ok(MediationResult {
        steps: vec![step1.model.clone(), step2, step3],
        term,
        total,
        direct,
        sobel,
        indirect: IndirectEffect {
            estimate: indirect,
            conf_low,
            conf_high,
            reps: draws.len(),
            conf_level: spec.did.conf_level,
            resample_cluster,
        },
        share_mediated: indirect / total,
        controls: spec.did.controls.clone(),
        diagnostics,
    })
}

impl Sobel {
    /// The Sobel test of `a·b` from the DID coefficient in step 2 (`a`) and the mediator's
    /// coefficient in step 3 (`b`).
    fn of(ca: &Coef, cb: &Coef) -> Sobel {
        let (a, b) = (ca.estimate, cb.estimate);
        let indirect = a * b;
        let se = (a * a * cb.std_error * cb.std_error + b * b * ca.std_error * ca.std_error).sqrt();
        let z = indirect / se;
        Sobel {
            a,
            b,
            se_a: ca.std_error,
            se_b: cb.std_error,
            indirect,
            se,
            z,
            p_value: 2.0 * (1.0 - norm_cdf(z.abs())),
        }
    }
}

/// The note that the bootstrap resamples the first of two cluster variables only.
fn resample_note(p: &Prepared, cluster: Option<&str>, diagnostics: &mut Diagnostics) {
    if let (Some(c), VcovSpec::Cluster(all)) = (cluster, &p.vcov) {
        if all.len() > 1 {
            diagnostics.push(Diagnostic::info(
                Code::MediationBootstrap,
                format!("the bootstrap resamples clusters of `{c}` only (the first of the {} cluster variables)", all.len()),
            ));
        }
    }
}
