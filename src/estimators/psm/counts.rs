//! The counts of matched, dropped and off-support focal units, and the diagnostics that
//! say why units were dropped.

use super::passes::Core;
use super::{CaliperScale, Method, PsmSpec, DEFAULT_BANDWIDTH};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};

/// Counts of matched, dropped and off-support focal units, with the diagnostics on the
/// dropped ones; an error when no focal unit found a match.
pub(super) fn match_counts(core: &Core, spec: &PsmSpec, diagnostics: &mut Diagnostics) -> Result<(usize, usize, usize)> {
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

/// A number for a message: six decimals at most, scientific notation when tiny or huge.
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
