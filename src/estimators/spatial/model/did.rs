//! Spatial difference-in-differences: the DID term `1[t ≥ adoption]` (0 for units never
//! treated: adoption period 0, blank or missing, as in the DID setup) and its spatial lag
//! in a panel SDM with two-way fixed effects by default. The policy's direct (own-unit)
//! and indirect (spillover) effects are the LeSage–Pace impacts of the DID term.

use serde::{Deserialize, Serialize};

use super::fit::fit_validated;
use super::result::{z_estimate, SpatialModelResult};
use super::spec::{ImpactSpec, SpatialModelKind, SpatialModelSpec};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::estimators::spatial::design::SpatialFe;
use crate::estimators::spatial::logdet::LogdetMethod;
use crate::estimators::spatial::SpatialWeights;
use crate::formula::quote_name;
use crate::inference::dist::norm_quantile;
use crate::inference::estimate::Estimate;
use crate::report::table::{ResultTable, TableRow, Tables};

fn sdm() -> SpatialModelKind {
    SpatialModelKind::Sdm
}
fn twoways() -> SpatialFe {
    SpatialFe::Twoways
}
fn default_impacts() -> Option<ImpactSpec> {
    Some(ImpactSpec { draws: 1000, seed: 1 })
}

/// A spatial DID, as the user writes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpatialDidSpec {
    /// Outcome column.
    pub y: String,
    /// Unit column (the weight matrix's units).
    pub unit: String,
    /// Period column (numeric).
    pub time: String,
    /// Adoption-period column: the first treated period; 0, blank or missing = never treated.
    pub start: String,
    /// Control variables (each also gets a `W_` term in the SDM).
    #[serde(default)]
    pub controls: Vec<String>,
    /// The model (default SDM; SAR, SLX and SDEM also give spillovers; SEM is refused).
    #[serde(default = "sdm")]
    pub model: SpatialModelKind,
    /// Fixed effects (default two-way).
    #[serde(default = "twoways")]
    pub fe: SpatialFe,
    /// Simulated SEs of the impacts (default 1,000 draws, seed 1).
    #[serde(default = "default_impacts")]
    pub impacts: Option<ImpactSpec>,
    /// Name of the DID term (default `DID`).
    #[serde(default)]
    pub did_name: Option<String>,
    /// Confidence level (default 0.95).
    #[serde(default)]
    pub conf_level: Option<f64>,
    /// Log-determinant method.
    #[serde(default)]
    pub method: LogdetMethod,
}

/// A spatial DID: the full model and the policy's effects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpatialDidResult {
    /// Name of the DID term.
    pub did: String,
    /// Direct (own-unit) effect of the policy.
    pub direct: Estimate,
    /// Indirect (spillover) effect.
    pub indirect: Estimate,
    /// Total effect.
    pub total: Estimate,
    /// Units ever treated.
    pub treated_units: usize,
    /// Treated unit-periods.
    pub treated_obs: usize,
    /// The spatial model behind them.
    pub model: SpatialModelResult,
}

/// `1[time ≥ start]` per data row (0 when `start` is 0 or missing).
fn did_column(ds: &Dataset, time: &str, start: &str) -> Result<Vec<f64>> {
    let t = ds.numeric(time)?;
    let s = ds.numeric(start)?;
    Ok(t.iter().zip(s).map(|(&t, &s)| if s.is_finite() && s != 0.0 && t >= s { 1.0 } else { 0.0 }).collect())
}

/// Builds the DID term, fits the spatial model and reports the policy's impacts.
pub fn spatial_did(ds: &Dataset, spec: &SpatialDidSpec, w: &SpatialWeights) -> Result<SpatialDidResult> {
    if spec.model == SpatialModelKind::Sem {
        return Err(Error::invalid("a spatial DID needs spillovers: use model \"sdm\" (default), \"sar\", \"slx\" or \"sdem\", not \"sem\""));
    }
    let name = spec.did_name.clone().unwrap_or_else(|| "DID".to_string());
    let did = did_column(ds, &spec.time, &spec.start)?;
    if ds.has_column(&name) {
        let old = ds.numeric(&name)?;
        if let Some(r) = old.iter().zip(&did).position(|(a, b)| a != b) {
            let line = ds.source_line(r).map(|l| format!(" at line {l}")).unwrap_or_default();
            return Err(Error::invalid(format!(
                "the data already has a column `{name}` that differs from 1[{} ≥ {}]{line}; give another `did_name`",
                spec.time, spec.start
            )));
        }
    }
    let mut data = ds.clone();
    data.add_numeric(&name, did.clone())?;
    let mut formula = format!("{} ~ {}", quote_name(&spec.y)?, quote_name(&name)?);
    for c in &spec.controls {
        formula.push_str(" + ");
        formula.push_str(&quote_name(c)?);
    }
    let mut m = SpatialModelSpec::new(spec.model, formula);
    m.unit = Some(spec.unit.clone());
    m.time = Some(spec.time.clone());
    m.fe = spec.fe;
    m.impacts = spec.impacts;
    m.conf_level = spec.conf_level;
    m.method = spec.method;
    let v = m.validate(w)?;
    let fit = fit_validated(&data, &v, w)?;
    let imp = fit.impact(&name).cloned().ok_or_else(|| Error::numerical(format!("no impacts for `{name}`")))?;
    let crit = norm_quantile(1.0 - (1.0 - v.conf_level) / 2.0);
    let est = |what: &str, x: f64, se: Option<f64>| z_estimate(&format!("{name} ({what})"), x, se.unwrap_or(f64::NAN), crit);
    let treated_units = {
        let units = crate::estimators::spatial::layout::unit_labels(ds, &spec.unit)?;
        let mut set = std::collections::HashSet::new();
        for (u, d) in units.iter().zip(&did) {
            if *d == 1.0 {
                set.insert(u.clone());
            }
        }
        set.len()
    };
    let (direct, indirect, total) =
        (est("direct", imp.direct, imp.direct_se), est("indirect", imp.indirect, imp.indirect_se), est("total", imp.total, imp.total_se));
    Ok(SpatialDidResult {
        did: name,
        direct,
        indirect,
        total,
        treated_units,
        treated_obs: did.iter().filter(|d| **d == 1.0).count(),
        model: fit,
    })
}

impl Tables for SpatialDidResult {
    fn tables(&self) -> Vec<ResultTable> {
        let mut t = ResultTable::new("spatial_did.effects", "Spatial DID: effects of the policy", &["Effect", "Estimate"]);
        for (label, e) in [("Direct (own unit)", &self.direct), ("Indirect (spillover)", &self.indirect), ("Total", &self.total)] {
            t.push(TableRow::new(label, vec![e.cell(4)]));
        }
        t.notes.push(format!(
            "{} = 1 from the adoption period on ({} treated units, {} treated unit-periods); {} with W·{}.",
            self.did,
            self.treated_units,
            self.treated_obs,
            self.model.model.label(),
            self.did
        ));
        t.conf_level = Some(self.model.conf_level);
        let mut out = vec![t];
        out.extend(self.model.tables());
        out
    }
}
