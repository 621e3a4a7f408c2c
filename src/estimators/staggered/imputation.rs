//! Gardner's two-stage DID (`did2s`) and the Borusyak–Jaravel–Spiess imputation estimator.
//!
//! Both start from the same first stage: unit and period effects (and covariates) fitted by
//! least squares on the **untreated** observations (never-treated units, and treated units
//! before adoption) ([`super::twoway`]); every treated observation's effect is
//! `τ̂ᵢₜ = yᵢₜ − ŷᵢₜ(0)`. The overall ATT is the mean of `τ̂` over treated observations and the
//! effect at event time `e ≥ 0` the mean over treated observations with `t − g = e` — the two
//! estimators give the same point estimates (the second stage of `did2s`, `ỹ` on treatment
//! dummies without intercept, reproduces these means). They differ in the variance:
//!
//! * **did2s** (Gardner 2022; R `did2s`): the GMM sandwich that accounts for the first stage,
//!   `V = (X₂'X₂)⁻¹ Σ_c ψ_c ψ_c' (X₂'X₂)⁻¹` with `ψ_c = Σ_{obs∈c} (γ̂'x₁ ε₁ − x₂ ε₂)`,
//!   `γ̂ = (X₁₀'X₁₀)⁻¹ X₁'X₂`, clustered by unit, no small-sample factor;
//! * **imputation** (Borusyak, Jaravel & Spiess 2024, Theorem 3): the conservative variance
//!   `Σ_c (Σ_{obs∈c} vᵢₜ ε̃ᵢₜ)²` with `v = w` on treated observations, `v = −X₀(X₀'X₀)⁻¹X₁'w`
//!   on untreated ones, `ε̃` the first-stage residual on untreated observations and
//!   `τ̂ − τ̃` on treated ones, `τ̃` the `v`-weighted mean of `τ̂` within cohort × event time
//!   (the default partition of `did_imputation` and diff-diff).
//!
//! The event study reports `e = −1` as the reference (0, SE 0) as diff-diff does. Treated
//! observations in a period with no untreated observation cannot be imputed (no period effect)
//! and are left out with a diagnostic; without never-treated units, event times
//! `e ≥ max g − min g` are not identified (BJS Proposition 5) and are left out too.

use super::panel::{self, PanelSpec, StaggeredPanel};
use super::twoway::TwoWay;
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::inference::dist::{norm_cdf, norm_quantile};
use crate::inference::estimate::Estimate;
use crate::report::table::{ResultTable, TableRow, Tables};
use serde::{Deserialize, Serialize};

/// Specification shared by `did2s` and `didImputation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImputationSpec {
    /// Outcome column.
    pub y: String,
    /// Unit column (also the cluster).
    pub unit: String,
    /// Period column (numeric).
    pub time: String,
    /// Adoption-period column (blank or 0 = never treated).
    pub start: String,
    /// Covariates in both stages (may vary over time).
    #[serde(alias = "covariates")]
    pub controls: Vec<String>,
    /// Confidence level (default 0.95).
    pub conf_level: f64,
}

impl Default for ImputationSpec {
    fn default() -> Self {
        ImputationSpec { y: String::new(), unit: String::new(), time: String::new(), start: String::new(), controls: Vec::new(), conf_level: 0.95 }
    }
}

/// Which variance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImputationKind {
    /// Gardner two-stage GMM variance.
    TwoStage,
    /// BJS conservative variance.
    Imputation,
}

/// One event time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventEffect {
    /// Event time `t − g`.
    pub event_time: f64,
    /// Treated observations averaged.
    pub n_obs: usize,
    /// Estimate and inference.
    #[serde(flatten)]
    pub estimate: Estimate,
}

/// The result of `did2s` or `didImputation`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImputationResult {
    /// Which estimator.
    pub kind: ImputationKind,
    /// Overall ATT (mean over treated observations).
    #[serde(flatten)]
    pub overall: Estimate,
    /// Event-time effects (`e = −1` is the reference).
    pub terms: Vec<EventEffect>,
    /// Treated observations used.
    pub n_treated_obs: usize,
    /// Untreated observations of the first stage.
    pub n_untreated_obs: usize,
    /// Units.
    pub n_units: usize,
    /// Covariates.
    pub controls: Vec<String>,
    /// Confidence level.
    pub conf_level: f64,
    /// Non-fatal findings.
    pub diagnostics: Diagnostics,
}

/// The panel split into untreated and treated observations, with the first stage.
struct Setup {
    p: StaggeredPanel,
    untreated: Vec<bool>,
    /// Treated observations that can be imputed: (i, t, event time).
    treated: Vec<(usize, usize, f64)>,
    /// τ̂ per treated observation (same order).
    tau: Vec<f64>,
    /// First-stage residual per observation (0 where not untreated).
    e1: Vec<f64>,
}

fn setup(ds: &Dataset, spec: &ImputationSpec, diagnostics: &mut Diagnostics) -> Result<Setup> {
    let pspec = PanelSpec::checked("the imputation estimators", [&spec.y, &spec.unit, &spec.time, &spec.start], &spec.controls, 0)?;
    panel::check_conf_level(spec.conf_level)?;
    let p = panel::build(ds, &pspec)?;
    diagnostics.extend(p.diagnostics.iter().cloned());
    let (n, nt) = (p.n(), p.n_periods());
    let treated_at = |i: usize, t: usize| p.cohort[i] > 0.0 && p.periods[t] >= p.cohort[i];
    let untreated: Vec<bool> = (0..n * nt).map(|k| !treated_at(k / nt, k % nt)).collect();
    let period_has_untreated: Vec<bool> = (0..nt).map(|t| (0..n).any(|i| untreated[i * nt + t])).collect();
    let gs = p.cohorts();
    let h_bar = if p.has_never_treated() || gs.len() < 2 { f64::INFINITY } else { gs[gs.len() - 1] - gs[0] };
    let mut treated = Vec::new();
    let (mut no_period, mut prop5) = (0usize, 0usize);
    for i in 0..n {
        for t in 0..nt {
            if !treated_at(i, t) {
                continue;
            }
            let e = p.periods[t] - p.cohort[i];
            if !period_has_untreated[t] {
                no_period += 1;
            } else if e >= h_bar {
                prop5 += 1;
            } else {
                treated.push((i, t, e));
            }
        }
    }
    if no_period > 0 {
        diagnostics.push(Diagnostic::warning(
            Code::CellNotEstimated,
            format!("{no_period} treated observation(s) fall in periods where every unit is treated: no period effect to impute them, left out"),
        ));
    }
    if prop5 > 0 {
        diagnostics.push(Diagnostic::warning(
            Code::CellNotEstimated,
            format!(
                "no never-treated units: event times from {h_bar} on are not identified (Borusyak, Jaravel & Spiess, Proposition 5); {prop5} treated observation(s) left out"
            ),
        ));
    }
    if treated.is_empty() {
        return Err(Error::insufficient("no treated observation can be imputed: the design has no untreated comparison"));
    }
    let x = p.x.clone();
    let tw = TwoWay::new(n, nt, &x, p.p(), &untreated);
    let fit = tw.solve(|i, t| if untreated[i * nt + t] { p.y_at(i, t) } else { 0.0 });
    let tau = treated.iter().map(|&(i, t, _)| p.y_at(i, t) - tw.predict(&fit, i, t)).collect();
    let e1 = (0..n * nt).map(|k| if untreated[k] { p.y_at(k / nt, k % nt) - tw.predict(&fit, k / nt, k % nt) } else { 0.0 }).collect();
    Ok(Setup { p, untreated, treated, tau, e1 })
}

/// Normal-theory estimate with `crit`.
fn estimate(term: String, est: f64, se: f64, crit: f64) -> Estimate {
    let ok = se.is_finite() && se > 0.0;
    let z = est / se;
    Estimate {
        term,
        estimate: est,
        std_error: if se == 0.0 { 0.0 } else if ok { se } else { f64::NAN },
        statistic: if ok { z } else { f64::NAN },
        p_value: if ok { 2.0 * (1.0 - norm_cdf(z.abs())) } else { f64::NAN },
        conf_low: if ok { est - crit * se } else { f64::NAN },
        conf_high: if ok { est + crit * se } else { f64::NAN },
    }
}

/// Mean of τ̂ over the treated observations in `sel` and its SE under `kind`.
fn effect(s: &Setup, tw: &TwoWay, sel: &[usize], kind: ImputationKind) -> (f64, f64) {
    let (n, nt) = (s.p.n(), s.p.n_periods());
    let k = sel.len() as f64;
    let att = sel.iter().map(|&j| s.tau[j]).sum::<f64>() / k;
    // weights w = 1/k on the selected treated observations; v on untreated = −prediction of the
    // projection with right-hand side Σ w x₁ (BJS), which is also did2s's γ̂'x₁ / n_j.
    let mut w = vec![0.0; n * nt];
    for &j in sel {
        let (i, t, _) = s.treated[j];
        w[i * nt + t] = 1.0 / k;
    }
    let proj = tw.solve(|i, t| w[i * nt + t]);
    // residuals of treated observations: τ̂ − β (did2s) or τ̂ − τ̃(cohort, e) (BJS)
    let mut eps_t = vec![0.0; s.treated.len()];
    match kind {
        ImputationKind::TwoStage => sel.iter().for_each(|&j| eps_t[j] = s.tau[j] - att),
        ImputationKind::Imputation => {
            let mut groups: std::collections::BTreeMap<(u64, u64), (f64, f64, f64, usize)> = Default::default();
            for (j, &(i, _, e)) in s.treated.iter().enumerate() {
                let g = groups.entry((s.p.cohort[i].to_bits(), e.to_bits())).or_default();
                let wj = w[s.treated[j].0 * nt + s.treated[j].1];
                g.0 += wj * s.tau[j];
                g.1 += wj;
                g.2 += s.tau[j];
                g.3 += 1;
            }
            for (j, &(i, _, e)) in s.treated.iter().enumerate() {
                let g = groups[&(s.p.cohort[i].to_bits(), e.to_bits())];
                let tilde = if g.1.abs() < 1e-15 { g.2 / g.3 as f64 } else { g.0 / g.1 };
                eps_t[j] = s.tau[j] - tilde;
            }
        }
    }
    let mut by_unit = vec![0.0; n];
    for i in 0..n {
        for t in 0..nt {
            if s.untreated[i * nt + t] {
                by_unit[i] -= tw.predict(&proj, i, t) * s.e1[i * nt + t];
            }
        }
    }
    for (j, &(i, t, _)) in s.treated.iter().enumerate() {
        by_unit[i] += w[i * nt + t] * eps_t[j];
    }
    (att, by_unit.iter().map(|v| v * v).sum::<f64>().sqrt())
}

fn run(ds: &Dataset, spec: &ImputationSpec, kind: ImputationKind) -> Result<ImputationResult> {
    let mut diagnostics = Diagnostics::new();
    let s = setup(ds, spec, &mut diagnostics)?;
    let crit = norm_quantile(0.5 + spec.conf_level / 2.0);
    let all: Vec<usize> = (0..s.treated.len()).collect();
    let tw = TwoWay::new(s.p.n(), s.p.n_periods(), &s.p.x, s.p.p(), &s.untreated);
    let (att, se) = effect(&s, &tw, &all, kind);
    let mut es: Vec<f64> = s.treated.iter().map(|t| t.2).collect();
    es.sort_by(f64::total_cmp);
    es.dedup();
    let mut terms = vec![EventEffect { event_time: -1.0, n_obs: 0, estimate: estimate("e = -1 (reference)".into(), 0.0, 0.0, crit) }];
    for e in es {
        let sel: Vec<usize> = all.iter().copied().filter(|&j| s.treated[j].2 == e).collect();
        let (a, se) = effect(&s, &tw, &sel, kind);
        terms.push(EventEffect { event_time: e, n_obs: sel.len(), estimate: estimate(format!("e = {e}"), a, se, crit) });
    }
    Ok(ImputationResult {
        kind,
        overall: estimate("ATT".into(), att, se, crit),
        terms,
        n_treated_obs: s.treated.len(),
        n_untreated_obs: s.untreated.iter().filter(|&&u| u).count(),
        n_units: s.p.n(),
        controls: spec.controls.clone(),
        conf_level: spec.conf_level,
        diagnostics,
    })
}

/// Gardner's two-stage DID with the GMM-corrected variance (R `did2s`).
pub fn did2s(ds: &Dataset, spec: &ImputationSpec) -> Result<ImputationResult> {
    run(ds, spec, ImputationKind::TwoStage)
}

/// The Borusyak–Jaravel–Spiess imputation estimator with its conservative variance.
pub fn did_imputation(ds: &Dataset, spec: &ImputationSpec) -> Result<ImputationResult> {
    run(ds, spec, ImputationKind::Imputation)
}

impl Tables for ImputationResult {
    fn tables(&self) -> Vec<ResultTable> {
        let (id, name, var) = match self.kind {
            ImputationKind::TwoStage => ("did2s.effects", "Two-stage DID (Gardner)", "GMM-corrected standard errors (Gardner 2022, R did2s)"),
            ImputationKind::Imputation => ("imputation.effects", "Imputation DID (Borusyak, Jaravel & Spiess)", "conservative standard errors (Borusyak, Jaravel & Spiess 2024, Theorem 3)"),
        };
        let mut t = ResultTable::new(id, format!("{name}: ATT and effects by event time"), &["", "Estimate"]);
        t.push(TableRow::new("ATT (all treated observations)", vec![self.overall.cell(4)]));
        for (k, e) in self.terms.iter().filter(|e| e.n_obs > 0).enumerate() {
            let row = TableRow::new(format!("e = {}", e.event_time), vec![e.estimate.cell(4)]);
            t.push(if k == 0 { row.ruled() } else { row });
        }
        t.notes.push(format!(
            "Unit and period effects{} fitted on {} untreated observations; {var}, clustered by unit ({} units); {} treated observations.",
            if self.controls.is_empty() { String::new() } else { format!(" and {}", self.controls.join(", ")) },
            self.n_untreated_obs,
            self.n_units,
            self.n_treated_obs
        ));
        t.conf_level = Some(self.conf_level);
        vec![t]
    }
}
