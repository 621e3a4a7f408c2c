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
//! cluster variable (`None`: rows). Draws come from `ChaCha8Rng::seed_from_u64(seed)`.
//! `share_mediated = a·b / β_total` (β_total from step 1).
//!

use super::placebo::quantile_sorted;
use super::rows_by_level;
use super::workbench::{did_prepared, prepare, term_coef, DidSpec, Prepared};
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::estimators::feols::{feols, Coef, DemeanedDesign, FeolsFit, VcovSpec};
use crate::inference::dist::norm_cdf;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use crate::inference::rng::below;
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
    if n_step1_alone > common.len() {
        diagnostics.push(Diagnostic::info(Code::MediationCommonSample, format!(
            "{} rows usable for the total effect alone have a missing mediator `{}` (or another variable of step 3) \
             and were left out of all three steps, so that they share one sample ({} rows) and total = direct + \
             indirect holds exactly",
            n_step1_alone - common.len(),
            spec.mediator,
            common.len()
        )));
    }

    // Bootstrap at the clustering level of the vcov (module docs).
    let alpha = 1.0 - spec.did.conf_level;
    let resample_cluster = match &p.vcov {
        VcovSpec::Cluster(c) if !c.is_empty() => Some(c[0].clone()),
        _ => None,
    };
    let draws = if spec.bootstrap > 0 {
        let groups = resample_groups(&p, resample_cluster.as_deref(), &mut diagnostics)?;
        bootstrap(spec, &p, &groups, &regs3, &mut diagnostics)?
    } else {
        Vec::new()
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

/// What the bootstrap resamples: the rows of each cluster of `cluster` (noting when it is the
/// first of two cluster variables), or single rows.
fn resample_groups(p: &Prepared, cluster: Option<&str>, diagnostics: &mut Diagnostics) -> Result<Vec<Vec<usize>>> {
    let groups = match cluster {
        Some(c) => {
            if let VcovSpec::Cluster(all) = &p.vcov {
                if all.len() > 1 {
                    diagnostics.push(Diagnostic::info(
                        Code::MediationBootstrap,
                        format!(
                            "the bootstrap resamples clusters of `{c}` only (the first of the {} cluster variables)",
                            all.len()
                        ),
                    ));
                }
            }
            let mut rows = rows_by_level(&p.ds.factor(c)?);
            rows.retain(|r| !r.is_empty());
            rows
        }
        None => (0..p.ds.nrows()).map(|i| vec![i]).collect(),
    };
    if groups.is_empty() {
        return Err(Error::insufficient("the mediation bootstrap has no rows to resample"));
    }
    Ok(groups)
}

/// The bootstrap draws of `a·b` (iid fits of steps 2 and 3 on each resample; draws where
/// either coefficient is not estimable are skipped and counted in a note).
fn bootstrap(
    spec: &MediationSpec,
    p: &Prepared,
    groups: &[Vec<usize>],
    regs3: &[String],
    diagnostics: &mut Diagnostics,
) -> Result<Vec<f64>> {
    let term = &p.term;
    let g = groups.len() as u64;
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut spec_b = spec.did.clone();
    spec_b.vcov = Some(VcovSpec::Iid);
    let mut pb = p.clone();
    pb.vcov = VcovSpec::Iid;
    let fb2 = pb.feols_spec(&spec_b, &spec.mediator, std::slice::from_ref(term), &spec.did.controls)?;
    let fb3 = pb.feols_spec(&spec_b, &spec.did.y, regs3, &spec.did.controls)?;
    let mut draws = Vec::with_capacity(spec.bootstrap);
    let mut skipped = 0usize;
    for _ in 0..spec.bootstrap {
        let mut idx = Vec::with_capacity(p.ds.nrows());
        for _ in 0..g {
            idx.extend_from_slice(&groups[below(&mut rng, g) as usize]);
        }
        let sub = p.ds.take_rows(&idx);
        let ab = (|| -> Option<f64> {
            let m2 = feols(&sub, &fb2).ok()?;
            let m3 = feols(&sub, &fb3).ok()?;
            Some(m2.coef(term)?.estimate * m3.coef(&spec.mediator)?.estimate)
        })();
        match ab {
            Some(v) if v.is_finite() => draws.push(v),
            _ => skipped += 1,
        }
    }
    if skipped > 0 {
        diagnostics.push(Diagnostic::warning(
            Code::MediationBootstrap,
            format!(
                "{skipped} of {} bootstrap samples skipped (DID or mediator not estimable, e.g. no treated unit \
                 drawn)",
                spec.bootstrap
            ),
        ));
    }
    Ok(draws)
}
