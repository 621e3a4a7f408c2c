//! The matched sample (PSM-DID's input): the psmatch2 weight of each row and, when they are
//! returned, the matched pairs.

use super::design::Design;
use super::passes::Core;
use super::{MatchedSample, PsmSpec, PAIR_LIMIT};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};

/// The matched sample and the matching weight of each estimation row (accumulated set by
/// set; the pairs themselves are materialised only when returned), and the pool units used.
pub(super) fn matched_sample(d: &Design, core: &Core, spec: &PsmSpec, diagnostics: &mut Diagnostics) -> (MatchedSample, Vec<f64>, usize) {
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
        // pool weights accumulated by sorted-pool position (sequential memory), each from the
        // unit's running weight, so the sums are the same as unit by unit
        let ids = pass.set.pool_ids();
        for &f in &pass.set.focal {
            wrow[f] += 1.0;
        }
        let mut wp: Vec<f64> = ids.iter().map(|&j| wrow[j]).collect();
        let mut up = vec![false; ids.len()];
        for s in 0..pass.set.focal.len() {
            let f = pass.set.focal[s];
            pass.set.positions(s).for_each(|(p, w)| {
                wp[p] += w;
                up[p] = true;
                if keep_pairs {
                    pairs.0.push(d.rows[f]);
                    pairs.1.push(d.rows[ids[p]]);
                    pairs.2.push(w);
                }
            });
        }
        for (p, &j) in ids.iter().enumerate() {
            wrow[j] = wp[p];
            used[j] |= up[p];
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
