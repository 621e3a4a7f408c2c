//! The standard errors of a matching estimate: Abadie–Imbens (as R Matching's `se`) and the
//! seeded bootstrap (see the module docs of [`super`]); and the estimate itself.

use super::design::Design;
use super::{run_core, Core, PsmSpec};
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

