//! Validating a [`DidSpec`] against a dataset ([`ValidDidSpec`]) and preparing the model's
//! reduced dataset ([`Prepared`]): the columns the model uses plus the DID regressor.

use super::design::{build_design, DidDesign, TreatmentForm};
use super::workbench::DidSpec;
use crate::data::{Column, Dataset};
use crate::error::{Error, Result};
use crate::estimators::feols::{FeolsSpec, VcovSpec};
use crate::formula::Formula;

/// Column names used by a control term (a bare name or the identifiers inside a call).
fn control_columns(ds: &Dataset, c: &str) -> Vec<String> {
    if ds.has_column(c) {
        return vec![c.to_string()];
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_tick = false;
    for ch in c.chars() {
        if ch == '`' {
            if in_tick {
                out.push(std::mem::take(&mut cur));
            }
            in_tick = !in_tick;
        } else if in_tick || ch.is_alphanumeric() || ch == '_' || ch == '.' {
            cur.push(ch);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out.retain(|n| ds.has_column(n));
    out
}

/// A DID model ready to run: the validated design and a reduced dataset holding the
/// columns the model uses plus the DID regressor (named `term`).
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub ds: Dataset,
    pub design: DidDesign,
    pub term: String,
    pub fe: Vec<String>,
    pub vcov: VcovSpec,
    /// Extra regressors the form needs without fixed effects (`treat`, `post`).
    pub extra_regressors: Vec<String>,
    pub used: Vec<String>,
}

impl Prepared {
    /// The engine spec for `y ~ regressors + controls | fe`, built as a [`Formula`] (controls
    /// may be formula terms such as `log(pgdp)`, parsed as such).
    pub fn feols_spec(&self, spec: &DidSpec, y: &str, regressors: &[String], controls: &[String]) -> Result<FeolsSpec> {
        let mut f = Formula::new(y)?;
        for r in regressors.iter().chain(&self.extra_regressors) {
            f = f.term(r)?;
        }
        for c in controls {
            f = f.control(c)?;
        }
        for fe in &self.fe {
            f = f.fixef(fe)?;
        }
        Ok(FeolsSpec {
            formula: f.into(),
            vcov: self.vcov.clone(),
            weights: spec.weights.clone(),
            conf_level: spec.conf_level,
            ..Default::default()
        })
    }

    /// Adds a constructed column, refusing to shadow a column the model uses.
    pub fn add_column(&mut self, name: &str, values: Vec<f64>) -> Result<()> {
        if self.used.iter().any(|u| u == name) {
            return Err(Error::invalid(format!(
                "the constructed regressor `{name}` has the name of a column the model uses; rename that column \
                 (or set `name` for the DID term)"
            )));
        }
        self.ds.add_numeric(name, values)
    }
}

/// A [`DidSpec`] checked against a dataset ([`DidSpec::validate`]), with its treatment design
/// built; derefs to the spec.
#[derive(Debug, Clone)]
pub struct ValidDidSpec {
    spec: DidSpec,
    design: DidDesign,
    fe: Vec<String>,
    vcov: VcovSpec,
    /// Columns the model uses (outcome, controls' columns, fixed effects, cluster, weights).
    used: Vec<String>,
}

impl std::ops::Deref for ValidDidSpec {
    type Target = DidSpec;
    fn deref(&self) -> &DidSpec {
        &self.spec
    }
}

impl DidSpec {
    /// Checks the spec against `ds`: an outcome is named, the treatment design is valid
    /// ([`build_design`]), every column the model uses exists (outcome, controls, fixed
    /// effects, cluster and weight columns) and the confidence level is in (0, 1).
    pub fn validate(&self, ds: &Dataset) -> Result<ValidDidSpec> {
        if self.y.trim().is_empty() {
            return Err(Error::invalid("the DID model needs an outcome column `y`"));
        }
        let design = build_design(ds, &self.treatment)?;
        let fe = self.fixed_effects();
        let vcov = self.vcov_spec();
        let mut used: Vec<String> = vec![self.y.clone()];
        for c in &self.controls {
            let cols = control_columns(ds, c);
            if cols.is_empty() {
                // Let the column lookup produce its "unknown column" message.
                ds.column(c)?;
            }
            used.extend(cols);
        }
        used.extend(fe.iter().flat_map(|f| f.split('^').map(|s| s.trim().to_string())));
        if let VcovSpec::Cluster(c) = &vcov {
            used.extend(c.iter().cloned());
        }
        used.extend(self.weights.iter().cloned());
        for u in &used {
            ds.column(u)?;
        }
        if !(self.conf_level > 0.0 && self.conf_level < 1.0) {
            return Err(Error::invalid(format!("conf_level must be between 0 and 1 (got {})", self.conf_level)));
        }
        Ok(ValidDidSpec { spec: self.clone(), design, fe, vcov, used })
    }
}

/// Builds the reduced dataset of a validated spec; `extra` names further columns to carry
/// along (a mediator, a group column, …).
pub(crate) fn prepare(ds: &Dataset, spec: ValidDidSpec, extra: &[String]) -> Result<Prepared> {
    let ValidDidSpec { spec, design, fe, vcov, mut used } = spec;
    used.extend(extra.iter().cloned());
    used.push(spec.treatment.unit.clone());
    used.push(spec.treatment.time.clone());
    let mut extra_regressors = Vec::new();
    if fe.is_empty() {
        if let TreatmentForm::TreatPost { treat, post } = &design.form {
            extra_regressors = vec![treat.clone(), post.clone()];
            used.extend(extra_regressors.iter().cloned());
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    used.retain(|u| seen.insert(u.clone()));
    let mut cols: Vec<Column> = Vec::with_capacity(used.len() + 1);
    for u in &used {
        cols.push(ds.column(u)?.clone());
    }
    let mut reduced = Dataset::from_columns(cols)?;
    let lines: Vec<u64> = (0..ds.nrows()).map_while(|i| ds.source_line(i)).collect();
    if lines.len() == ds.nrows() && !lines.is_empty() {
        reduced = reduced.with_source_lines(lines);
    }
    let term = match (&spec.name, &design.form) {
        (Some(n), _) if !n.trim().is_empty() => n.trim().to_string(),
        (_, TreatmentForm::Indicator { column }) => column.clone(),
        _ => "DID".to_string(),
    };
    let mut p = Prepared { ds: reduced, design, term, fe, vcov, extra_regressors, used };
    let term = p.term.clone();
    let did_col = p.design.did.clone();
    p.add_column(&term, did_col)?;
    Ok(p)
}


#[cfg(test)]
mod tests {
    use super::*;

    fn panel() -> Dataset {
        Dataset::from_columns(vec![
            Column::numeric("u", vec![1., 1., 2., 2., 3., 3.]),
            Column::numeric("t", vec![1., 2., 1., 2., 1., 2.]),
            Column::numeric("s", vec![2., 2., 0., 0., 0., 0.]),
            Column::numeric("y", vec![10., 13., 5., 6., 7., 9.]),
        ])
        .unwrap()
    }
    fn spec(v: serde_json::Value) -> DidSpec {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn validate_checks_the_model_columns() {
        let ds = panel();
        let ok = spec(serde_json::json!({ "y": "y", "unit": "u", "time": "t", "start": "s" })).validate(&ds).unwrap();
        assert_eq!(ok.y, "y");
        assert_eq!(ok.used, ["y", "u", "t", "u"]);
        let bad = |v| spec(v).validate(&ds).unwrap_err().to_string();
        assert!(bad(serde_json::json!({ "unit": "u", "time": "t", "start": "s" })).contains("outcome"));
        assert!(bad(serde_json::json!({ "y": "y", "unit": "u", "time": "t", "start": "s", "controls": ["log(zz)"] }))
            .contains("zz"));
        assert!(bad(serde_json::json!({ "y": "y", "unit": "u", "time": "t", "start": "s", "vcov": { "cluster": "c" } }))
            .contains('c'));
        assert!(bad(serde_json::json!({ "y": "y", "unit": "u", "time": "t", "start": "s", "conf_level": 1.5 }))
            .contains("conf_level"));
    }
}
