//! The standard errors of a matching estimate: Abadie–Imbens (as R Matching's `se`) and the
//! seeded bootstrap (see the module docs of [`super`]); and the estimate itself.

use super::design::Design;
use super::passes::{run_core, Core};
use super::{Estimand, Method, PsmSpec, SeKind};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Per-focal effects τᵢ over all passes: (focal index, τᵢ).
fn focal_effects(core: &Core, y: &[f64]) -> Vec<(usize, f64)> {
    let mut out = Vec::new();
    for pass in &core.passes {
        for s in 0..pass.set.focal.len() {
            let f = pass.set.focal[s];
            let m: f64 = pass.set.members(s).map(|(j, w)| w * y[j]).sum();
            out.push((f, if pass.focal_treated { y[f] - m } else { m - y[f] }));
        }
    }
    out
}

pub(super) fn estimate(core: &Core, y: &[f64]) -> f64 {
    let e = focal_effects(core, y);
    if e.is_empty() {
        return f64::NAN;
    }
    e.iter().map(|x| x.1).sum::<f64>() / e.len() as f64
}

/// Abadie–Imbens SE as R Matching's `se` (Var.calc = 0, no bias adjustment).
pub(super) fn ai_se(core: &Core, y: &[f64], n: usize, ate: bool) -> f64 {
    let effects = focal_effects(core, y);
    if effects.is_empty() {
        return f64::NAN;
    }
    let est = effects.iter().map(|x| x.1).sum::<f64>() / effects.len() as f64;
    let mut kc = vec![0.0; n];
    let mut kk = vec![0.0; n];
    let (mut sw, mut swe) = (0.0, 0.0);
    let mut n_focal = 0usize;
    let mut n_unmatched = 0usize;
    for pass in &core.passes {
        n_focal += pass.n_focal;
        n_unmatched += pass.set.dropped.len();
        for s in 0..pass.set.focal.len() {
            let f = pass.set.focal[s];
            for (j, w) in pass.set.members(s) {
                kc[j] += w;
                kk[j] += w * w;
                let tau = if pass.focal_treated { y[f] - y[j] } else { y[j] - y[f] };
                sw += w;
                swe += w * (tau - est) * (tau - est);
            }
        }
    }
    let sigs = 0.5 * swe / sw;
    let sn = n_focal as f64;
    let kterm: f64 = (0..n)
        .map(|j| if ate { kc[j] * kc[j] + 2.0 * kc[j] - kk[j] } else { kc[j] * kc[j] - kk[j] })
        .sum::<f64>()
        * sigs;
    let dterm: f64 = effects.iter().map(|x| (x.1 - est) * (x.1 - est)).sum::<f64>() + n_unmatched as f64 * est * est;
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

pub(super) fn bootstrap_se(d: &Design, spec: &PsmSpec, diagnostics: &mut Diagnostics) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.matching.seed ^ 0x9E37_79B9_7F4A_7C15);
    let mut ests = Vec::with_capacity(spec.bootstrap_reps);
    let mut failed = 0usize;
    for _ in 0..spec.bootstrap_reps {
        let b = resample(d, &mut rng);
        let est = run_core(&b, spec).ok().and_then(|core| {
            let e = estimate(&core, b.y.as_deref().unwrap_or(&[]));
            e.is_finite().then_some(e)
        });
        match est {
            Some(e) => ests.push(e),
            None => failed += 1,
        }
    }
    if failed > 0 {
        diagnostics.push(Diagnostic::warning(
            Code::MatchingNote,
            format!(
                "bootstrap: {failed} of {} replicates failed (propensity model or no match) and were skipped",
                spec.bootstrap_reps
            ),
        ));
    }
    if ests.len() < 2 {
        diagnostics.push(Diagnostic::warning(Code::MatchingNote, "bootstrap: fewer than 2 successful replicates, no standard error"));
        return f64::NAN;
    }
    crate::inference::stats::sd(&ests)
}

/// The estimate and its standard error (with the SE actually computed), by `spec.se`.
pub(super) fn effect_and_se(d: &Design, core: &Core, spec: &PsmSpec, diagnostics: &mut Diagnostics) -> (f64, f64, SeKind) {
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
