//! Heterogeneity of the DID effect across groups.
//!
//! [`heterogeneity`] fits one model with the DID term and `DID × 1{group = level}` for every
//! level of `group` but the first (for a 0/1 group: the single term `DID_x_<group>`), and the
//! DID model separately on each level's rows (split samples), shown side by side in one table.
//! `main_effect: false` leaves the DID main effect out (the interaction-only model of some
//! papers, e.g. `NQPF ~ DID_east + … | province + year`).
//!

use super::workbench::{did, prepare, DidResult, DidSpec};
use crate::data::{Dataset, Factor};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::estimators::feols::{feols, FeolsFit};
use serde::{Deserialize, Serialize};

fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_alphanumeric() { c } else { '_' }).collect()
}



/// Heterogeneity by a group column: the DID model (flattened) plus `group`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct HeteroSpec {
    /// The DID model.
    #[serde(flatten)]
    pub did: DidSpec,
    /// Group column (a 0/1 dummy such as `eastern`, or a categorical column).
    pub group: String,
    /// Keep the DID main effect in the interaction model (default true).
    pub main_effect: bool,
}

impl Default for HeteroSpec {
    fn default() -> Self {
        HeteroSpec { did: DidSpec::default(), group: String::new(), main_effect: true }
    }
}

/// One split-sample DID.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SplitFit {
    /// The group level.
    pub level: String,
    /// The DID on that level's rows.
    pub result: DidResult,
}

/// Result of [`heterogeneity`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeteroResult {
    /// The interaction model.
    pub interaction: FeolsFit,
    /// Interaction term names in `interaction` (one per non-reference level).
    pub interaction_terms: Vec<String>,
    /// The reference (first) level of the group.
    pub reference_level: String,
    /// Split-sample DIDs, one per level (levels where the DID is not estimable are skipped).
    pub split: Vec<SplitFit>,
    /// The group column.
    pub group: String,
    /// The control terms (one "Controls" row in the table).
    pub controls: Vec<String>,
    /// Non-fatal findings, each once.
    pub diagnostics: Diagnostics,
}

/// Heterogeneity analysis (see the module docs).
pub fn heterogeneity(ds: &Dataset, spec: &HeteroSpec) -> Result<HeteroResult> {
    if spec.group.trim().is_empty() {
        return Err(Error::invalid("heterogeneity needs a `group` column (e.g. \"eastern\")"));
    }
    let gf: Factor = ds.factor(&spec.group)?;
    if gf.n_levels() < 2 {
        return Err(Error::insufficient(format!(
            "group column `{}` has {} level(s); heterogeneity needs at least two",
            spec.group,
            gf.n_levels()
        )));
    }
    let mut p = prepare(ds, spec.did.validate(ds)?, std::slice::from_ref(&spec.group))?;
    let binary = gf.levels == ["0", "1"];
    let mut inter = Vec::new();
    for (k, level) in gf.levels.iter().enumerate().skip(1) {
        let name = if binary {
            format!("{}_x_{}", p.term, sanitize(&spec.group))
        } else {
            format!("{}_x_{}_{}", p.term, sanitize(&spec.group), sanitize(level))
        };
        let vals: Vec<f64> = p
            .design
            .did
            .iter()
            .zip(&gf.codes)
            .map(|(d, c)| if *c == Factor::MISSING { f64::NAN } else if *c as usize == k { *d } else { 0.0 })
            .collect();
        p.add_column(&name, vals)?;
        inter.push(name);
    }
    let mut regs = Vec::new();
    if spec.main_effect {
        regs.push(p.term.clone());
    }
    regs.extend(inter.iter().cloned());
    let fs = p.feols_spec(&spec.did, &spec.did.y, &regs, &spec.did.controls)?;
    let interaction = feols(&p.ds, &fs)?;
    let mut diagnostics = p.design.diagnostics.clone();
    diagnostics.extend(interaction.diagnostics.iter().cloned());
    let mut split = Vec::new();
    for (k, level) in gf.levels.iter().enumerate() {
        let keep: Vec<bool> = gf.codes.iter().map(|c| *c as usize == k && *c != Factor::MISSING).collect();
        let sub = ds.filter_rows(&keep)?;
        match did(&sub, &spec.did) {
            Ok(r) => split.push(SplitFit { level: level.clone(), result: r }),
            Err(e) => diagnostics.push(Diagnostic::warning(
                Code::SplitSampleSkipped,
                format!("{} = {level}: split-sample DID not estimated: {e}", spec.group),
            )),
        }
    }
    Ok(HeteroResult {
        interaction,
        interaction_terms: inter,
        reference_level: gf.levels[0].clone(),
        split,
        group: spec.group.clone(),
        controls: spec.did.controls.clone(),
        diagnostics,
    })
}
