//! Event-time dummies.
//!
//! [`event_dummies`] builds `1{e_it = k}` for every event time `k` except the reference
//! (default −1); never-treated rows are all zero. With a window `[lo, hi]` event times
//! outside it are either **binned** into the endpoints (`e < lo` counts as `lo`,
//! `e > hi` as `hi`: the "accumulate" convention of Stata's `eventdd`) or **trimmed** (rows of
//! treated units outside the window are dropped via `keep_rows`). A window reaching beyond
//! the data is clipped to the observed event times (with a diagnostic); a window with no
//! overlap is an error.
//!
//! Without never-treated (or late-adopting) units, and when no event time is binned, the full
//! set of dummies is collinear with the unit and period effects (`Σ_k (k − ref)·1{e = k} =
//! t − A_i − ref`). Rather than letting the regression drop an arbitrary dummy, the
//! **earliest event time** becomes a second reference (`second_reference`, with a
//! diagnostic) — the usual choice with fixest's `i(rel, ref = c(-1, min))`; binning the
//! endpoints with a window avoids it.
//!

use super::*;

/// What to do with event times outside the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Binning {
    /// Accumulate them into the endpoint dummies (default).
    #[default]
    Bin,
    /// Drop the rows of treated units outside the window.
    Trim,
}

/// Event-study window. Deserialises from `{ ref: -1, window: [-7, 7], binning: "bin" }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct EventWindow {
    /// Reference (omitted) event time, default −1.
    #[serde(rename = "ref", alias = "ref_period")]
    pub ref_period: i64,
    /// Inclusive window `[lo, hi]`; `None` = every observed event time.
    pub window: Option<(i64, i64)>,
    /// Endpoint binning or trimming (ignored without a window).
    pub binning: Binning,
}

impl Default for EventWindow {
    fn default() -> Self {
        EventWindow { ref_period: -1, window: None, binning: Binning::Bin }
    }
}

/// Event-time dummies aligned with the dataset rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventDummies {
    /// `(k, 1{e_it = k})` for every event time but the reference, ascending in `k`
    /// (NaN where the DID is missing).
    pub columns: Vec<(i64, Vec<f64>)>,
    /// Rows to use (false: missing, or trimmed).
    pub keep_rows: Vec<bool>,
    /// The reference event time.
    pub ref_period: i64,
    /// A second omitted event time, when the dummies would otherwise be collinear with the
    /// unit and period effects (no never-treated units and no binning): the earliest lead.
    pub second_reference: Option<i64>,
    /// The window actually used (after clipping), if any.
    pub window: Option<(i64, i64)>,
    /// Observed event times (min, max) in the data.
    pub data_range: (i64, i64),
    /// Non-fatal findings (clipping, empty event times).
    pub diagnostics: Diagnostics,
}

/// Term name of event time `k`: `ev_m7`, …, `ev_p0`, `ev_p3` (as in the reference fits).
pub fn event_term_name(k: i64) -> String {
    if k < 0 {
        format!("ev_m{}", k.unsigned_abs())
    } else {
        format!("ev_p{k}")
    }
}

/// Builds event-time dummies (see the module docs).
pub fn event_dummies(design: &DidDesign, w: &EventWindow) -> Result<EventDummies> {
    if matches!(design.form, TreatmentForm::TreatPost { .. }) {
        return Err(Error::invalid(
            "an event study needs each unit's adoption time: give `start` (adoption-time column) or `indicator` \
             instead of `treat` + `post`",
        ));
    }
    let n = design.did.len();
    let observed: Vec<i64> = (0..n).filter(|&i| !design.did[i].is_nan()).filter_map(|i| design.rel_time[i]).collect();
    let (emin, emax) = match (observed.iter().min(), observed.iter().max()) {
        (Some(a), Some(b)) => (*a, *b),
        _ => return Err(Error::insufficient("no treated unit has observations: no event times to estimate")),
    };
    let mut diagnostics = Diagnostics::new();
    let window = clip_window(w, emin, emax, &mut diagnostics)?;
    if !(observed.contains(&w.ref_period) || window.is_some() && w.binning == Binning::Bin) {
        return Err(Error::invalid(format!(
            "no treated observation has the reference event time {} (event times in the data run from {emin} to \
             {emax})",
            w.ref_period
        )));
    }
    let (keep, binned, n_binned) = bin_rows(design, w, window, &mut diagnostics);
    let mut ks: Vec<i64> = (0..n).filter(|&i| keep[i]).filter_map(|i| binned[i]).collect();
    ks.sort_unstable();
    ks.dedup();
    if !ks.contains(&w.ref_period) {
        return Err(Error::invalid(format!(
            "no treated observation is left at the reference event time {}",
            w.ref_period
        )));
    }
    if let Some((lo, hi)) = window {
        let missing: Vec<String> = (lo..=hi).filter(|k| !ks.contains(k)).map(|k| k.to_string()).collect();
        if !missing.is_empty() {
            diagnostics.push(Diagnostic::info(
                Code::EventWindow,
                format!(
                    "no observations at event time{} {} (no dummy)",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", ")
                ),
            ));
        }
    }
    // Without never-treated rows, and with every kept event time its own dummy (nothing binned),
    // Σ_k (k − ref)·1{e = k} = t − A_i − ref lies in the span of the unit and period effects:
    // one more dummy must go. Drop the most negative one (the earliest lead) deliberately.
    let second_reference = second_reference(design, w, &keep, &ks, n_binned, &mut diagnostics);
    let columns = ks
        .iter()
        .filter(|&&k| k != w.ref_period && Some(k) != second_reference)
        .map(|&k| {
            let col = (0..n)
                .map(|i| {
                    if design.did[i].is_nan() {
                        f64::NAN
                    } else if binned[i] == Some(k) {
                        1.0
                    } else {
                        0.0
                    }
                })
                .collect();
            (k, col)
        })
        .collect();
    Ok(EventDummies {
        columns,
        keep_rows: keep,
        ref_period: w.ref_period,
        second_reference,
        window,
        data_range: (emin, emax),
        diagnostics,
    })
}

/// The event window clipped to the observed event times (noted), after checking it.
fn clip_window(w: &EventWindow, emin: i64, emax: i64, diagnostics: &mut Diagnostics) -> Result<Option<(i64, i64)>> {
    Ok(match w.window {
        None => None,
        Some((lo, hi)) => {
            if lo > hi {
                return Err(Error::invalid(format!("event window [{lo}, {hi}]: the start is after the end")));
            }
            if w.ref_period < lo || w.ref_period > hi {
                return Err(Error::invalid(format!(
                    "the reference period {} lies outside the event window [{lo}, {hi}]",
                    w.ref_period
                )));
            }
            if hi < emin || lo > emax {
                return Err(Error::invalid(format!(
                    "event window [{lo}, {hi}] but event times in the data run from {emin} to {emax}"
                )));
            }
            let (clo, chi) = (lo.max(emin), hi.min(emax));
            if (clo, chi) != (lo, hi) {
                diagnostics.push(Diagnostic::info(
                    Code::EventWindow,
                    format!(
                        "event window [{lo}, {hi}] clipped to [{clo}, {chi}]: event times in the data run from \
                         {emin} to {emax}"
                    ),
                ));
            }
            Some((clo, chi))
        }
    })
}

/// Rows kept and each row's (binned) event time, binning or trimming outside the window (noted).
#[allow(clippy::type_complexity)]
fn bin_rows(
    design: &DidDesign,
    w: &EventWindow,
    window: Option<(i64, i64)>,
    diagnostics: &mut Diagnostics,
) -> (Vec<bool>, Vec<Option<i64>>, usize) {
    let n = design.did.len();
    let mut keep = vec![true; n];
    let mut binned: Vec<Option<i64>> = vec![None; n];
    let (mut n_binned, mut n_trimmed) = (0usize, 0usize);
    for i in 0..n {
        if design.did[i].is_nan() {
            keep[i] = false;
            continue;
        }
        let Some(e) = design.rel_time[i] else { continue };
        binned[i] = Some(e);
        if let Some((lo, hi)) = window {
            if e < lo || e > hi {
                match w.binning {
                    Binning::Bin => {
                        binned[i] = Some(e.clamp(lo, hi));
                        n_binned += 1;
                    }
                    Binning::Trim => {
                        keep[i] = false;
                        binned[i] = None;
                        n_trimmed += 1;
                    }
                }
            }
        }
    }
    if n_binned > 0 {
        diagnostics.push(Diagnostic::info(
            Code::EventWindow,
            format!("{n_binned} observations outside the window binned into its endpoints"),
        ));
    }
    if n_trimmed > 0 {
        diagnostics.push(Diagnostic::info(
            Code::EventWindow,
            format!("{n_trimmed} observations of treated units outside the window dropped (trimmed)"),
        ));
    }
    (keep, binned, n_binned)
}

/// Without never-treated rows, and with every kept event time its own dummy (nothing binned),
/// `Σ_k (k − ref)·1{e = k} = t − A_i − ref` lies in the span of the unit and period effects:
/// one more dummy must go. The most negative one (the earliest lead) is dropped deliberately.
fn second_reference(
    design: &DidDesign,
    w: &EventWindow,
    keep: &[bool],
    ks: &[i64],
    n_binned: usize,
    diagnostics: &mut Diagnostics,
) -> Option<i64> {
    let n = design.did.len();
    let has_never = (0..n).any(|i| keep[i] && design.rel_time[i].is_none());
    let mut second_reference = None;
    if !has_never && n_binned == 0 {
        if let Some(&k) = ks.iter().find(|&&k| k != w.ref_period) {
            second_reference = Some(k);
            diagnostics.push(Diagnostic::warning(
                Code::SecondReference,
                format!(
                    "no never-treated units: with unit and period effects a full set of event-time dummies is \
                     collinear (event time = period − adoption period), so event time {k}, the earliest, is a \
                     second reference (set to 0 like {}); set a window with binning to estimate it instead",
                    w.ref_period
                ),
            ));
        }
    }
    second_reference
}
