//! Sun & Abraham (2021) interaction-weighted event study, as fixest's `sunab`.
//!
//! One regression with unit and period effects and a dummy for every treated cohort `g` ×
//! relative period `e = t − g` except the reference `e = −1`
//! (`y ~ Σ_{g,e≠−1} 1{G=g}1{t−g=e} + controls | unit + period`), the controls being the
//! never-treated units — or, without any, the last-treated cohort, with the periods from its
//! adoption on dropped (Sun & Abraham's last-treated control). The coefficients are
//! cohort-specific effects; the effect at event time `e` is their average weighted by each
//! cohort's share of the treated observations at `e`, the overall ATT the average of the
//! `e ≥ 0` coefficients weighted by their numbers of observations. The weights are held fixed
//! and the SEs follow by the delta method from the regression's covariance (default CRV1 by
//! unit with fixest's small-sample factors, through [`crate::estimators::feols`]); intervals use
//! the regression's t degrees of freedom, as fixest's `summary(agg = …)`.

use super::panel::{self, PanelSpec, StaggeredPanel};
use crate::data::{Column, Dataset};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::estimators::feols::{feols, FeolsFit, FeolsSpec, VcovSpec};
use crate::formula::Formula;
use crate::inference::dist::{t_pvalue_two_sided, t_quantile};
use crate::inference::estimate::Estimate;
use crate::report::table::{ResultTable, TableRow, Tables};
use serde::{Deserialize, Serialize};

/// Specification (the JS names are the field names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SunabSpec {
    /// Outcome column.
    pub y: String,
    /// Unit column.
    pub unit: String,
    /// Period column (numeric).
    pub time: String,
    /// Adoption-period column (blank or 0 = never treated).
    pub start: String,
    /// Numeric control columns (may vary over time).
    #[serde(alias = "covariates")]
    pub controls: Vec<String>,
    /// Variance (default: clustered by unit).
    pub vcov: Option<VcovSpec>,
    /// Confidence level (default 0.95).
    pub conf_level: f64,
}

impl Default for SunabSpec {
    fn default() -> Self {
        SunabSpec { y: String::new(), unit: String::new(), time: String::new(), start: String::new(), controls: Vec::new(), vcov: None, conf_level: 0.95 }
    }
}

/// One cohort × relative-period coefficient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SunabCell {
    /// Cohort.
    pub group: f64,
    /// Relative period.
    pub event_time: f64,
    /// Observations in the cell.
    pub n_obs: usize,
    /// Coefficient and inference.
    #[serde(flatten)]
    pub estimate: Estimate,
}

/// One aggregated event time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SunabTerm {
    /// Event time.
    pub event_time: f64,
    /// Estimate and inference.
    #[serde(flatten)]
    pub estimate: Estimate,
}

/// The result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SunabResult {
    /// Interaction-weighted effects by event time.
    pub terms: Vec<SunabTerm>,
    /// Overall ATT (post-treatment cells weighted by observations).
    pub att: Estimate,
    /// The cohort × relative-period coefficients.
    pub cells: Vec<SunabCell>,
    /// The control cohort: 0 = never treated, else the last-treated cohort.
    pub control_cohort: f64,
    /// The regression (interactions named `sa_k<j>` in the order of `cells`).
    pub model: FeolsFit,
    /// Non-fatal findings.
    pub diagnostics: Diagnostics,
}

/// The cells and the regression data.
struct Design {
    cells: Vec<(f64, f64, usize)>,
    ds: Dataset,
    control: f64,
}

fn design(ds: &Dataset, spec: &SunabSpec, p: &StaggeredPanel, diagnostics: &mut Diagnostics) -> Result<Design> {
    let mut cohorts = p.cohorts();
    let mut keep_t: Vec<usize> = (0..p.n_periods()).collect();
    let control = if p.has_never_treated() {
        0.0
    } else {
        let last = cohorts.pop().unwrap_or(0.0);
        keep_t.retain(|&t| p.periods[t] < last);
        diagnostics.push(Diagnostic::warning(
            Code::NoNeverTreated,
            format!("no never-treated units: the last-treated cohort {last} is the control group and the periods from {last} on are dropped (Sun & Abraham 2021)"),
        ));
        last
    };
    if cohorts.is_empty() || keep_t.len() < 2 {
        return Err(Error::insufficient("Sun & Abraham needs a treated cohort and a control cohort observed in at least two periods"));
    }
    let mut cells = Vec::new();
    for &g in &cohorts {
        for &t in &keep_t {
            let e = p.periods[t] - g;
            if e != -1.0 {
                cells.push((g, e, p.cohort_size(g)));
            }
        }
    }
    let (n, nt) = (p.n(), p.n_periods());
    let rows: Vec<(usize, usize)> = (0..n).flat_map(|i| keep_t.iter().map(move |&t| (i, t))).collect();
    let mut cols = vec![
        Column::numeric("sa_y", rows.iter().map(|&(i, t)| p.y[i * nt + t]).collect()),
        Column::numeric("sa_unit", rows.iter().map(|&(i, _)| i as f64).collect()),
        Column::numeric("sa_time", rows.iter().map(|&(_, t)| p.periods[t]).collect()),
    ];
    for (k, &(g, e, _)) in cells.iter().enumerate() {
        let v = rows.iter().map(|&(i, t)| if p.cohort[i] == g && p.periods[t] - g == e { 1.0 } else { 0.0 }).collect();
        cols.push(Column::numeric(format!("sa_k{k}"), v));
    }
    for j in 0..spec.controls.len() {
        cols.push(Column::numeric(format!("sa_x{j}"), rows.iter().map(|&(i, t)| p.x[t][i * p.p() + 1 + j]).collect()));
    }
    if let Some(VcovSpec::Cluster(cl)) = &spec.vcov {
        for (j, name) in cl.iter().enumerate() {
            cols.push(Column::numeric(format!("sa_c{j}"), cluster_codes(ds, spec, p, name, &rows)?));
        }
    }
    Ok(Design { cells, ds: Dataset::from_columns(cols)?, control })
}

/// A cluster column carried to the panel's rows (constant within unit and period cells).
fn cluster_codes(ds: &Dataset, spec: &SunabSpec, p: &StaggeredPanel, name: &str, rows: &[(usize, usize)]) -> Result<Vec<f64>> {
    if name == spec.unit {
        return Ok(rows.iter().map(|&(i, _)| i as f64).collect());
    }
    let f = ds.factor(name)?;
    let units = ds.factor(&spec.unit)?;
    let time = ds.numeric(&spec.time)?;
    let mut at = std::collections::HashMap::new();
    for r in 0..ds.nrows() {
        if units.codes[r] != crate::data::Factor::MISSING {
            at.insert((units.levels[units.codes[r] as usize].clone(), time[r].to_bits()), f.codes[r]);
        }
    }
    rows.iter()
        .map(|&(i, t)| {
            at.get(&(p.units[i].clone(), p.periods[t].to_bits()))
                .filter(|&&c| c != crate::data::Factor::MISSING)
                .map(|&c| f64::from(c))
                .ok_or_else(|| Error::invalid(format!("the cluster column `{name}` is missing for unit `{}`", p.units[i])))
        })
        .collect()
}

fn inference(term: String, est: f64, var: f64, fit: &FeolsFit) -> Estimate {
    let se = var.max(0.0).sqrt();
    let crit = t_quantile(0.5 + fit.conf_level / 2.0, fit.df_t);
    let ok = se > 0.0 && se.is_finite();
    Estimate {
        term,
        estimate: est,
        std_error: if ok { se } else { f64::NAN },
        statistic: if ok { est / se } else { f64::NAN },
        p_value: if ok { t_pvalue_two_sided(est / se, fit.df_t) } else { f64::NAN },
        conf_low: if ok { est - crit * se } else { f64::NAN },
        conf_high: if ok { est + crit * se } else { f64::NAN },
    }
}

/// `w'β` and `w'Vw` over the coefficient indices `idx`.
fn combine(fit: &FeolsFit, idx: &[(usize, f64)]) -> (f64, f64) {
    let est = idx.iter().map(|&(k, w)| w * fit.coefficients[k].estimate).sum();
    let var = idx.iter().flat_map(|&(a, wa)| idx.iter().map(move |&(b, wb)| wa * wb * fit.vcov[a][b])).sum();
    (est, var)
}

/// Runs the Sun–Abraham event study.
pub fn sunab(ds: &Dataset, spec: &SunabSpec) -> Result<SunabResult> {
    let pspec = PanelSpec::checked("Sun & Abraham", [&spec.y, &spec.unit, &spec.time, &spec.start], &spec.controls, 0)?;
    let p = panel::build(ds, &pspec)?;
    let mut diagnostics = p.diagnostics.clone();
    let d = design(ds, spec, &p, &mut diagnostics)?;
    let mut rhs: Vec<String> = (0..d.cells.len()).map(|k| format!("sa_k{k}")).collect();
    rhs.extend((0..spec.controls.len()).map(|j| format!("sa_x{j}")));
    let vcov = match &spec.vcov {
        None => VcovSpec::Cluster(vec!["sa_unit".into()]),
        Some(VcovSpec::Cluster(cl)) => VcovSpec::Cluster((0..cl.len()).map(|j| format!("sa_c{j}")).collect()),
        Some(v) => v.clone(),
    };
    let mut formula = Formula::new("sa_y")?;
    for r in &rhs {
        formula = formula.term(r)?;
    }
    let formula = formula.fixef("sa_unit")?.fixef("sa_time")?;
    let fspec = FeolsSpec { conf_level: spec.conf_level, ..FeolsSpec::built(formula, vcov) };
    let fit = feols(&d.ds, &fspec)?;
    diagnostics.extend(fit.diagnostics.iter().cloned());
    let pos = |k: usize| fit.coefficients.iter().position(|c| c.term == format!("sa_k{k}"));
    let mut cells = Vec::new();
    let mut by_e: std::collections::BTreeMap<i64, Vec<(usize, f64)>> = Default::default();
    let mut post: Vec<(usize, f64)> = Vec::new();
    for (k, &(g, e, n)) in d.cells.iter().enumerate() {
        let Some(j) = pos(k) else { continue };
        let c = &fit.coefficients[j];
        cells.push(SunabCell { group: g, event_time: e, n_obs: n, estimate: inference(format!("g = {g}, e = {e}"), c.estimate, fit.vcov[j][j], &fit) });
        by_e.entry(e as i64).or_default().push((j, n as f64));
        if e >= 0.0 {
            post.push((j, n as f64));
        }
    }
    let normalise = |v: &[(usize, f64)]| {
        let s: f64 = v.iter().map(|x| x.1).sum();
        v.iter().map(|&(j, w)| (j, w / s)).collect::<Vec<_>>()
    };
    let terms = by_e
        .iter()
        .map(|(&e, v)| {
            let (est, var) = combine(&fit, &normalise(v));
            SunabTerm { event_time: e as f64, estimate: inference(format!("e = {e}"), est, var, &fit) }
        })
        .collect();
    if post.is_empty() {
        return Err(Error::insufficient("no post-treatment cohort × period coefficient could be estimated"));
    }
    let (est, var) = combine(&fit, &normalise(&post));
    Ok(SunabResult { terms, att: inference("ATT".into(), est, var, &fit), cells, control_cohort: d.control, model: fit, diagnostics })
}

impl Tables for SunabResult {
    fn tables(&self) -> Vec<ResultTable> {
        let mut t = ResultTable::new("sunab.terms", "Sun & Abraham: interaction-weighted event study", &["", "Estimate"]);
        t.push(TableRow::new("ATT (post-treatment cells)", vec![self.att.cell(4)]));
        for (k, e) in self.terms.iter().enumerate() {
            let row = TableRow::new(format!("e = {}", e.event_time), vec![e.estimate.cell(4)]);
            t.push(if k == 0 { row.ruled() } else { row });
        }
        let control = if self.control_cohort == 0.0 { "never-treated units".to_string() } else { format!("the last-treated cohort ({})", self.control_cohort) };
        t.notes.push(format!(
            "Cohort × relative-period interactions (reference e = −1) with unit and period effects; controls: {control}; weights: cohort shares held fixed (fixest sunab); {} standard errors; {} observations.",
            self.model.vcov_type, self.model.nobs
        ));
        t.conf_level = Some(self.model.conf_level);
        let mut c = ResultTable::new("sunab.cells", "Sun & Abraham: cohort × relative-period coefficients", &["Cohort", "Event time", "Observations", "Estimate"]);
        for x in &self.cells {
            c.push(TableRow::new(format!("{}", x.group), vec![crate::report::table::Cell::text(format!("{}", x.event_time)), crate::report::table::Cell::integer(x.n_obs), x.estimate.cell(4)]));
        }
        c.conf_level = Some(self.model.conf_level);
        vec![t, c]
    }
}
