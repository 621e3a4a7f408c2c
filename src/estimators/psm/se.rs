//! The standard errors of a matching estimate: Abadie–Imbens (as R Matching's `se`) and the
//! seeded bootstrap (see the module docs of [`super`]); and the estimate itself.

use super::design::Design;
use super::passes::{run_core, Core};
use super::{Estimand, Method, PsmSpec, SeKind};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, ErrorKind, Result};
use crate::inference::replicate::{draw_rng, DrawBlock, DrawRange};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Per-focal effects τᵢ over all passes, in pass and set order. The pool's outcomes are
/// read in sorted-pool order (the order the members come in), so the pass over the
/// (focal, member) pairs walks memory sequentially.
fn focal_effects(core: &Core, y: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(core.passes.iter().map(|p| p.set.focal.len()).sum());
    for pass in &core.passes {
        let ys = pass.set.gather(y);
        for s in 0..pass.set.focal.len() {
            let f = pass.set.focal[s];
            let m: f64 = pass.set.positions(s).map(|(p, w)| w * ys[p]).sum();
            out.push(if pass.focal_treated { y[f] - m } else { m - y[f] });
        }
    }
    out
}

/// The mean of the per-focal effects (NaN when none).
fn mean_effect(effects: &[f64]) -> f64 {
    if effects.is_empty() {
        return f64::NAN;
    }
    effects.iter().sum::<f64>() / effects.len() as f64
}

pub(super) fn estimate(core: &Core, y: &[f64]) -> f64 {
    mean_effect(&focal_effects(core, y))
}

/// Abadie–Imbens SE as R Matching's `se` (Var.calc = 0, no bias adjustment).
#[cfg(test)]
pub(super) fn ai_se(core: &Core, y: &[f64], n: usize, ate: bool) -> f64 {
    ai_se_from(core, y, n, ate, &focal_effects(core, y))
}

/// [`ai_se`] given the per-focal effects. `Kⱼ`, `KKⱼ` are accumulated by sorted-pool position
/// (sequential memory), each from the unit's running value, so every sum takes the same
/// terms in the same order as unit by unit.
fn ai_se_from(core: &Core, y: &[f64], n: usize, ate: bool, effects: &[f64]) -> f64 {
    if effects.is_empty() {
        return f64::NAN;
    }
    let est = mean_effect(effects);
    let mut kc = vec![0.0; n];
    let mut kk = vec![0.0; n];
    let (mut sw, mut swe) = (0.0, 0.0);
    let mut n_focal = 0usize;
    let mut n_unmatched = 0usize;
    for pass in &core.passes {
        n_focal += pass.n_focal;
        n_unmatched += pass.set.dropped.len();
        let ids = pass.set.pool_ids();
        let ys = pass.set.gather(y);
        let mut kcp: Vec<f64> = ids.iter().map(|&j| kc[j]).collect();
        let mut kkp: Vec<f64> = ids.iter().map(|&j| kk[j]).collect();
        for s in 0..pass.set.focal.len() {
            let yf = y[pass.set.focal[s]];
            pass.set.positions(s).for_each(|(p, w)| {
                kcp[p] += w;
                kkp[p] += w * w;
                let tau = if pass.focal_treated { yf - ys[p] } else { ys[p] - yf };
                sw += w;
                swe += w * (tau - est) * (tau - est);
            });
        }
        for (p, &j) in ids.iter().enumerate() {
            kc[j] = kcp[p];
            kk[j] = kkp[p];
        }
    }
    let sigs = 0.5 * swe / sw;
    let sn = n_focal as f64;
    let kterm: f64 = (0..n)
        .map(|j| if ate { kc[j] * kc[j] + 2.0 * kc[j] - kk[j] } else { kc[j] * kc[j] - kk[j] })
        .sum::<f64>()
        * sigs;
    let dterm: f64 = effects.iter().map(|x| (x - est) * (x - est)).sum::<f64>() + n_unmatched as f64 * est * est;
    ((kterm + dterm) / (sn * sn)).sqrt()
}

/// Resamples the design within treatment groups.
fn resample(d: &Design, rng: &mut ChaCha8Rng) -> Design {
    let n = d.n();
    let t: Vec<usize> = (0..n).filter(|&i| d.treat[i]).collect();
    let c: Vec<usize> = (0..n).filter(|&i| !d.treat[i]).collect();
    let mut idx = Vec::with_capacity(n);
    for g in [&t, &c] {
        for _ in 0..g.len() {
            idx.push(g[rng.random_range(0..g.len())]);
        }
    }
    let mut x = Vec::with_capacity(n * d.p);
    for &i in &idx {
        x.extend_from_slice(&d.x[i * d.p..(i + 1) * d.p]);
    }
    Design {
        rows: idx.iter().map(|&i| d.rows[i]).collect(),
        treat: idx.iter().map(|&i| d.treat[i]).collect(),
        names: d.names.clone(),
        term_of: d.term_of.clone(),
        removed: d.removed.clone(),
        x,
        p: d.p,
        y: d.y.as_ref().map(|y| idx.iter().map(|&i| y[i]).collect()),
        n_missing: 0,
    }
}

/// True when the SE of `spec` is the bootstrap: asked for, or the fallback of `"ai"` for
/// methods other than nearest neighbour with replacement (with an outcome only).
pub(super) fn uses_bootstrap(spec: &PsmSpec) -> bool {
    let nn_repl = spec.matching.method == Method::Nearest && spec.matching.replace;
    spec.outcome.is_some() && (spec.se == SeKind::Bootstrap || (spec.se == SeKind::Ai && !nn_repl))
}

/// The key of the bootstrap's per-draw streams (apart from the matching's own seed).
fn bootstrap_seed(spec: &PsmSpec) -> u64 {
    spec.matching.seed ^ 0x9E37_79B9_7F4A_7C15
}

/// Bootstrap draws `range` on the design: draw `b` resamples with [`draw_rng`]`(seed, b)`
/// only, refits the propensity model, rematches and records the estimate (NaN when the
/// replicate fails). One statistic per draw.
pub(super) fn bootstrap_draws(d: &Design, spec: &PsmSpec, range: DrawRange, progress: &mut dyn FnMut(f64) -> bool) -> Result<DrawBlock> {
    let mut block = DrawBlock::with_capacity(range, 1);
    let y = d.y.as_deref().unwrap_or(&[]);
    for b in range.start..range.end {
        let mut rng = draw_rng(bootstrap_seed(spec), b);
        let rd = resample(d, &mut rng);
        let est = if y.is_empty() { None } else { run_core(&rd, spec).ok().map(|core| estimate(&core, rd.y.as_deref().unwrap_or(&[]))) };
        block.push(&[est.filter(|e| e.is_finite()).unwrap_or(f64::NAN)]);
        if !progress((b + 1 - range.start) as f64 / range.len() as f64) {
            return Err(Error::new(ErrorKind::Cancelled));
        }
    }
    Ok(block)
}

/// The bootstrap SE from the draws of all replicates: the SD of the successful ones, with
/// diagnostics on the failed ones.
pub(super) fn bootstrap_finish(draws: &DrawBlock, diagnostics: &mut Diagnostics) -> f64 {
    let ests: Vec<f64> = draws.rows().map(|r| r[0]).filter(|e| e.is_finite()).collect();
    let failed = draws.len() - ests.len();
    if failed > 0 {
        diagnostics.push(Diagnostic::warning(
            Code::MatchingNote,
            format!("bootstrap: {failed} of {} replicates failed (propensity model or no match) and were skipped", draws.len()),
        ));
    }
    if ests.len() < 2 {
        diagnostics.push(Diagnostic::warning(Code::MatchingNote, "bootstrap: fewer than 2 successful replicates, no standard error"));
        return f64::NAN;
    }
    crate::inference::stats::sd(&ests)
}

/// The bootstrap SE: from the given draws, or from all draws computed here.
fn bootstrap_se(d: &Design, spec: &PsmSpec, draws: Option<&DrawBlock>, diagnostics: &mut Diagnostics) -> Result<f64> {
    match draws {
        Some(b) => Ok(bootstrap_finish(b, diagnostics)),
        None => Ok(bootstrap_finish(&bootstrap_draws(d, spec, DrawRange::all(spec.bootstrap_reps), &mut |_| true)?, diagnostics)),
    }
}

/// The estimate and its standard error (with the SE actually computed), by `spec.se`; the
/// bootstrap from `draws` when given (they must cover every replicate), else computed here.
pub(super) fn effect_and_se(
    d: &Design,
    core: &Core,
    spec: &PsmSpec,
    draws: Option<&DrawBlock>,
    diagnostics: &mut Diagnostics,
) -> Result<(f64, f64, SeKind)> {
    let ate = spec.estimand == Estimand::Ate;
    let Some(y) = d.y.as_deref() else {
        diagnostics.push(Diagnostic::info(Code::NoOutcome, "no outcome given: matching and balance only, no effect estimate"));
        return Ok((f64::NAN, f64::NAN, SeKind::None));
    };
    let effects = focal_effects(core, y);
    let est = mean_effect(&effects);
    let nn_repl = spec.matching.method == Method::Nearest && spec.matching.replace;
    Ok(match spec.se {
        SeKind::None => (est, f64::NAN, SeKind::None),
        SeKind::Ai if nn_repl => {
            if !spec.matching.ties {
                diagnostics.push(Diagnostic::info(
                    Code::MatchingNote,
                    "Abadie–Imbens SE computed with ties broken (R Matching's se assumes ties = TRUE)",
                ));
            }
            (est, ai_se_from(core, y, d.n(), ate, &effects), SeKind::Ai)
        }
        SeKind::Ai => {
            diagnostics.push(Diagnostic::info(
                Code::MatchingNote,
                "the Abadie–Imbens SE is defined for nearest-neighbour matching with replacement; bootstrap SE reported instead",
            ));
            (est, bootstrap_se(d, spec, draws, diagnostics)?, SeKind::Bootstrap)
        }
        SeKind::Bootstrap => {
            if nn_repl {
                diagnostics.push(Diagnostic::warning(
                    Code::BootstrapInvalid,
                    "the bootstrap standard error is not valid for nearest-neighbour matching with replacement \
                     (Abadie & Imbens 2008, Econometrica): use se = \"ai\" (Abadie–Imbens) instead",
                ));
            }
            (est, bootstrap_se(d, spec, draws, diagnostics)?, SeKind::Bootstrap)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimators::psm::matching::{self, match_units};
    use crate::estimators::psm::passes::Pass;
    use crate::estimators::psm::propensity::BinaryFit;

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
