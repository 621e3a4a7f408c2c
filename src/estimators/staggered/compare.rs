//! Every staggered-adoption estimator side by side on one DID setup: TWFE (static and event
//! study), Callaway–Sant'Anna, Sun–Abraham, two-stage DID and BJS imputation — one table
//! (overall ATT, then one row per event time) and one event-study chart with the estimators
//! overlaid, plus the Bacon decomposition's share of "later vs earlier" comparisons, the
//! part of the TWFE estimate that uses already-treated units as controls.
//!
//! The TWFE results come from the DID workbench with the same unit, period, adoption column
//! and controls (clustered by unit). An estimator that fails on the data is left out with a
//! diagnostic; the others still run.

use super::bacon::{bacon_decomposition, BaconSpec, ComparisonType};
use super::cs::{csdid_with_progress, BasePeriod, ControlGroup, CsSpec};
use super::drdid::CsMethod;
use super::imputation::{did2s, did_imputation, ImputationSpec};
use super::sunab::{sunab, SunabSpec};
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::Result;
use crate::estimators::did;
use crate::inference::estimate::Estimate;
use crate::report::svg::{marker_plot, ChartOptions, CoefPoint, MarkerOptions, MarkerSeries};
use crate::report::table::{Cell, ResultTable, TableRow, Tables};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The shared setup (the DID workbench's columns) and the CS options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompareSpec {
    /// Outcome column.
    pub y: String,
    /// Unit column.
    pub unit: String,
    /// Period column.
    pub time: String,
    /// Adoption-period column (blank or 0 = never treated).
    pub start: String,
    /// Numeric controls (covariates of CS, controls of the others).
    pub controls: Vec<String>,
    /// CS control group.
    pub control_group: ControlGroup,
    /// CS method.
    pub method: CsMethod,
    /// CS base period (default universal, so that CS's pre-periods compare with e = −1 like the others).
    pub base_period: BasePeriod,
    /// Confidence level.
    pub conf_level: f64,
}

impl Default for CompareSpec {
    fn default() -> Self {
        CompareSpec {
            y: String::new(),
            unit: String::new(),
            time: String::new(),
            start: String::new(),
            controls: Vec::new(),
            control_group: ControlGroup::Never,
            method: CsMethod::Dr,
            base_period: BasePeriod::Universal,
            conf_level: 0.95,
        }
    }
}

/// One event time of one estimator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareTerm {
    /// Event time.
    pub event_time: f64,
    /// Estimate and inference.
    #[serde(flatten)]
    pub estimate: Estimate,
}

/// One estimator's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareColumn {
    /// Stable key: `twfe`, `cs`, `sunab`, `did2s`, `imputation`.
    pub key: String,
    /// Display name.
    pub label: String,
    /// Overall ATT.
    pub att: Estimate,
    /// Event-study terms.
    pub terms: Vec<CompareTerm>,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareResult {
    /// The estimators that ran, in table order.
    pub estimators: Vec<CompareColumn>,
    /// Share of the TWFE weight on "later vs earlier" comparisons (Bacon), when computed.
    pub bacon_later_vs_earlier_share: Option<f64>,
    /// Event-study chart with every estimator overlaid (SVG).
    pub svg: String,
    /// Confidence level.
    pub conf_level: f64,
    /// Non-fatal findings (including estimators left out).
    pub diagnostics: Diagnostics,
}

fn from_value<T: serde::de::DeserializeOwned>(v: Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| crate::error::Error::invalid(format!("internal specification: {e}")))
}

fn est_from(v: &Value, term: &str) -> Estimate {
    let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    Estimate {
        term: term.to_string(),
        estimate: f("estimate"),
        std_error: f("std_error"),
        statistic: f("statistic"),
        p_value: f("p_value"),
        conf_low: f("conf_low"),
        conf_high: f("conf_high"),
    }
}

fn twfe(ds: &Dataset, spec: &CompareSpec) -> Result<CompareColumn> {
    let base = json!({ "y": spec.y, "unit": spec.unit, "time": spec.time, "start": spec.start, "controls": spec.controls, "conf_level": spec.conf_level });
    let d = serde_json::to_value(did::did(ds, &from_value(base.clone())?)?).unwrap_or(Value::Null);
    let e = serde_json::to_value(did::event_study(ds, &from_value(base)?)?).unwrap_or(Value::Null);
    let terms = e["terms"]
        .as_array()
        .map(|ts| ts.iter().map(|t| CompareTerm { event_time: t["event_time"].as_f64().unwrap_or(f64::NAN), estimate: est_from(t, "") }).collect())
        .unwrap_or_default();
    Ok(CompareColumn { key: "twfe".into(), label: "TWFE".into(), att: est_from(&d, "ATT"), terms })
}

fn run_all(ds: &Dataset, spec: &CompareSpec, progress: &mut dyn FnMut(f64) -> bool, diagnostics: &mut Diagnostics) -> Vec<CompareColumn> {
    let mut out = Vec::new();
    let mut keep = |r: Result<CompareColumn>, name: &str, diagnostics: &mut Diagnostics| match r {
        Ok(c) => out.push(c),
        Err(e) => diagnostics.push(Diagnostic::warning(Code::EstimatorSkipped, format!("{name} could not be estimated: {e}"))),
    };
    keep(twfe(ds, spec), "TWFE", diagnostics);
    progress(0.2);
    let cs = CsSpec {
        y: spec.y.clone(),
        unit: spec.unit.clone(),
        time: spec.time.clone(),
        start: spec.start.clone(),
        covariates: spec.controls.clone(),
        control_group: spec.control_group,
        method: spec.method,
        base_period: spec.base_period,
        conf_level: spec.conf_level,
        ..Default::default()
    };
    let r = csdid_with_progress(ds, &cs, &mut |_| true).map(|r| CompareColumn {
        key: "cs".into(),
        label: "Callaway–Sant'Anna".into(),
        att: r.aggregate.simple.estimate.clone(),
        terms: r.aggregate.dynamic.terms.iter().map(|t| CompareTerm { event_time: t.event_time.unwrap_or(f64::NAN), estimate: t.estimate.clone() }).collect(),
    });
    keep(r, "Callaway–Sant'Anna", diagnostics);
    progress(0.4);
    let sa = SunabSpec { y: spec.y.clone(), unit: spec.unit.clone(), time: spec.time.clone(), start: spec.start.clone(), controls: spec.controls.clone(), vcov: None, conf_level: spec.conf_level };
    let r = sunab(ds, &sa).map(|r| CompareColumn {
        key: "sunab".into(),
        label: "Sun–Abraham".into(),
        att: r.att,
        terms: r.terms.into_iter().map(|t| CompareTerm { event_time: t.event_time, estimate: t.estimate }).collect(),
    });
    keep(r, "Sun–Abraham", diagnostics);
    progress(0.6);
    let im = ImputationSpec { y: spec.y.clone(), unit: spec.unit.clone(), time: spec.time.clone(), start: spec.start.clone(), controls: spec.controls.clone(), conf_level: spec.conf_level };
    for (key, label, r) in [("did2s", "Two-stage DID", did2s(ds, &im)), ("imputation", "Imputation (BJS)", did_imputation(ds, &im))] {
        let r = r.map(|r| CompareColumn {
            key: key.into(),
            label: label.into(),
            att: r.overall,
            terms: r.terms.into_iter().filter(|t| t.n_obs > 0).map(|t| CompareTerm { event_time: t.event_time, estimate: t.estimate }).collect(),
        });
        keep(r, label, diagnostics);
    }
    progress(0.9);
    out
}

fn chart(cols: &[CompareColumn], conf_level: f64) -> String {
    let series: Vec<MarkerSeries> = cols
        .iter()
        .map(|c| MarkerSeries {
            label: c.label.clone(),
            points: c
                .terms
                .iter()
                .map(|t| CoefPoint { x: t.event_time, label: String::new(), estimate: t.estimate.estimate, conf_low: t.estimate.conf_low, conf_high: t.estimate.conf_high })
                .collect(),
        })
        .collect();
    let opts = ChartOptions {
        title: "Event study: estimators compared".into(),
        x_label: "Periods relative to adoption".into(),
        y_label: format!("Estimate and {:.0}% CI", conf_level * 100.0),
        width: 720.0,
        ..Default::default()
    };
    marker_plot(&series, &opts, &MarkerOptions { dodge: 0.12, zero_line: true, vline: Some(-0.5), ..Default::default() })
}

/// Runs every estimator; `progress(fraction)` may return `false` to cancel between them.
pub fn compare(ds: &Dataset, spec: &CompareSpec, progress: &mut dyn FnMut(f64) -> bool) -> Result<CompareResult> {
    let mut diagnostics = Diagnostics::new();
    let estimators = run_all(ds, spec, progress, &mut diagnostics);
    if estimators.is_empty() {
        return Err(crate::error::Error::insufficient(format!(
            "no estimator could run on this setup: {}",
            diagnostics.messages().join("; ")
        )));
    }
    let bacon = bacon_decomposition(ds, &BaconSpec { y: spec.y.clone(), unit: spec.unit.clone(), time: spec.time.clone(), start: spec.start.clone() }).ok();
    let share = bacon.map(|b| b.by_type.iter().filter(|t| t.kind == ComparisonType::LaterVsEarlier).map(|t| t.weight).sum::<f64>());
    progress(1.0);
    Ok(CompareResult { svg: chart(&estimators, spec.conf_level), estimators, bacon_later_vs_earlier_share: share, conf_level: spec.conf_level, diagnostics })
}

impl Tables for CompareResult {
    fn tables(&self) -> Vec<ResultTable> {
        let mut heads = vec![""];
        heads.extend(self.estimators.iter().map(|c| c.label.as_str()));
        let mut t = ResultTable::new("staggered.compare", "Staggered adoption: estimators side by side", &heads);
        t.push(TableRow::new("ATT", self.estimators.iter().map(|c| c.att.cell(4)).collect()));
        let mut es: Vec<f64> = self.estimators.iter().flat_map(|c| c.terms.iter().map(|t| t.event_time)).filter(|e| e.is_finite()).collect();
        es.sort_by(f64::total_cmp);
        es.dedup();
        for (k, e) in es.iter().enumerate() {
            let cells = self
                .estimators
                .iter()
                .map(|c| c.terms.iter().find(|t| t.event_time == *e && t.estimate.std_error > 0.0).map_or(Cell::Empty, |t| t.estimate.cell(4)))
                .collect();
            let label = if *e == -1.0 { "e = -1 (reference)".to_string() } else { format!("e = {e}") };
            let row = TableRow::new(label, cells);
            t.push(if k == 0 { row.ruled() } else { row });
        }
        t.notes.push(
            "ATT: TWFE coefficient; Callaway–Sant'Anna simple aggregation; Sun–Abraham and the imputation estimators average the post-treatment effects over treated observations. Event times relative to adoption; e = −1 is the reference."
                .to_string(),
        );
        if let Some(s) = self.bacon_later_vs_earlier_share {
            t.notes.push(format!("Bacon decomposition: {:.1}% of the TWFE weight is on later-vs-earlier comparisons (already-treated units as controls).", s * 100.0));
        }
        t.conf_level = Some(self.conf_level);
        vec![t]
    }
}
