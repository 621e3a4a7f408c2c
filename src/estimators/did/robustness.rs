//! Robustness checks of the DID: one column per model.
//!
//! [`robustness`] runs the baseline and each check (excluded years or units, another cluster
//! level, other or no controls, another outcome); its table (`robustness.models`, see
//! [`super::tables`]) has a column per model.

use super::workbench::{did, DidResult, DidSpec};
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::estimators::feols::{FeolsFit, VcovSpec};
use crate::inference::Estimate;
use serde::{Deserialize, Serialize};


/// One robustness check: the baseline with some changes.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RobustnessCheck {
    /// Column header (e.g. "Excl. 2020").
    pub label: String,
    /// Time values whose rows are dropped.
    pub exclude_years: Vec<f64>,
    /// Units whose rows are dropped (by name).
    pub exclude_units: Vec<String>,
    /// Other cluster variables (None = as the baseline).
    pub cluster: Option<Vec<String>>,
    /// Other controls (None = as the baseline; `[]` = without controls).
    pub controls: Option<Vec<String>>,
    /// Other outcome (None = as the baseline).
    pub y: Option<String>,
}

/// The robustness table: a baseline DID model and the checks.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RobustnessSpec {
    /// The baseline model (first column, labelled "Baseline").
    pub base: DidSpec,
    /// The checks, one column each.
    pub checks: Vec<RobustnessCheck>,
}

/// One column of the robustness table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RobustnessFit {
    /// Column header.
    pub label: String,
    /// The DID estimate with its inference; flat in JSON.
    #[serde(flatten)]
    pub coef: Estimate,
    /// Observations.
    pub nobs: usize,
    /// The regression.
    pub model: FeolsFit,
    /// Non-fatal findings of this model, each once.
    pub diagnostics: Diagnostics,
}

/// Result of [`robustness`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RobustnessResult {
    /// Baseline first, then the checks.
    pub fits: Vec<RobustnessFit>,
    /// The control terms of all models (one "Controls" row in the table).
    pub controls: Vec<String>,
    /// Notes about the table as a whole (each fit keeps its own diagnostics).
    pub diagnostics: Diagnostics,
}

/// Runs the baseline and every check and renders one table (see the module docs).
pub fn robustness(ds: &Dataset, spec: &RobustnessSpec) -> Result<RobustnessResult> {
    let mut fits = Vec::new();
    let base = did(ds, &spec.base).map_err(|e| Error::invalid(format!("baseline model: {e}")))?;
    let col = |label: String, r: DidResult| RobustnessFit {
        label,
        coef: r.coef,
        nobs: r.nobs,
        model: r.model,
        diagnostics: r.diagnostics,
    };
    fits.push(col("Baseline".into(), base));
    let unit_name = &spec.base.treatment.unit;
    for (k, c) in spec.checks.iter().enumerate() {
        let label = if c.label.trim().is_empty() { format!("Check {}", k + 1) } else { c.label.clone() };
        let mut s = spec.base.clone();
        if let Some(cl) = &c.cluster {
            s.vcov = Some(if cl.is_empty() { VcovSpec::Hetero } else { VcovSpec::Cluster(cl.clone()) });
        }
        if let Some(ctrl) = &c.controls {
            s.controls = ctrl.clone();
        }
        if let Some(y) = &c.y {
            s.y = y.clone();
        }
        let mut extra_diag = Diagnostics::new();
        let sub;
        let data = if c.exclude_years.is_empty() && c.exclude_units.is_empty() {
            ds
        } else {
            let time = ds.numeric(&spec.base.treatment.time)?;
            let unit = ds.factor(unit_name)?;
            let mut drop_codes = Vec::new();
            for u in &c.exclude_units {
                match unit.levels.iter().position(|l| l == u) {
                    Some(j) => drop_codes.push(j as u32),
                    None => {
                        return Err(Error::invalid(format!(
                            "robustness check `{label}`: unit `{u}` is not in column `{unit_name}`"
                        )))
                    }
                }
            }
            for y in &c.exclude_years {
                if !time.contains(y) {
                    extra_diag.push(Diagnostic::warning(
                        Code::ExcludedValueAbsent,
                        format!("{label}: no rows with {} = {y}", spec.base.treatment.time),
                    ));
                }
            }
            let keep: Vec<bool> = (0..ds.nrows())
                .map(|i| !c.exclude_years.contains(&time[i]) && !drop_codes.contains(&unit.codes[i]))
                .collect();
            sub = ds.filter_rows(&keep)?;
            &sub
        };
        let r = did(data, &s).map_err(|e| Error::invalid(format!("robustness check `{label}`: {e}")))?;
        let mut f = col(label, r);
        f.diagnostics.extend(extra_diag.iter().cloned());
        fits.push(f);
    }
    let mut controls: Vec<String> = spec.base.controls.clone();
    for c in &spec.checks {
        for x in c.controls.iter().flatten() {
            if !controls.contains(x) {
                controls.push(x.clone());
            }
        }
    }
    Ok(RobustnessResult { fits, controls, diagnostics: Diagnostics::new() })
}
