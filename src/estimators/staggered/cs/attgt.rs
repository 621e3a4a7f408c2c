//! The ATT(g,t) cells: which units and periods each compares, and its estimate with the
//! influence function over all units (see the module docs of [`super`]).

use super::{BasePeriod, ControlGroup, ValidCsSpec};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::Result;
use crate::estimators::staggered::drdid::{fit_cell, Cell};
use crate::inference::dist::norm_cdf;
use crate::inference::estimate::Estimate;
use serde::Serialize;

/// SEs at or below this are reported as missing (R did: `sqrt(.Machine$double.eps) * 10`).
pub(crate) const SE_FLOOR: f64 = 1.490_116_119_384_765_6e-8 * 10.0;

/// One ATT(g,t) as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttGt {
    /// Cohort (adoption period).
    pub group: f64,
    /// Period.
    pub time: f64,
    /// Event time `t − g`.
    pub event_time: f64,
    /// True for post-treatment cells (`t ≥ g`).
    pub post: bool,
    /// Estimate, SE (NaN when missing), z, p-value and interval.
    #[serde(flatten)]
    pub estimate: Estimate,
}

/// An estimated cell with its influence function.
#[derive(Debug, Clone)]
pub(crate) struct CellEst {
    pub group: f64,
    pub time: f64,
    pub post: bool,
    /// NaN when the cell could not be estimated.
    pub att: f64,
    /// Influence function over all units (zeros for the universal reference cell).
    pub inf: Vec<f64>,
    pub se: f64,
}

/// Estimate with a normal interval `± crit·SE`.
pub(crate) fn normal_estimate(term: String, est: f64, se: f64, crit: f64) -> Estimate {
    let stat = est / se;
    let ok = se.is_finite() && se > 0.0;
    Estimate {
        term,
        estimate: est,
        std_error: if ok { se } else { f64::NAN },
        statistic: if ok { stat } else { f64::NAN },
        p_value: if ok { 2.0 * (1.0 - norm_cdf(stat.abs())) } else { f64::NAN },
        conf_low: if ok { est - crit * se } else { f64::NAN },
        conf_high: if ok { est + crit * se } else { f64::NAN },
    }
}

/// `√(Σψ²)/N`, missing at or below the floor.
pub(crate) fn if_se(inf: &[f64]) -> f64 {
    let n = inf.len() as f64;
    let se = (inf.iter().map(|v| v * v).sum::<f64>() / n).sqrt() / n.sqrt();
    if se.is_finite() && se > SE_FLOOR {
        se
    } else {
        f64::NAN
    }
}

impl CellEst {
    pub(crate) fn report(&self, crit: f64) -> AttGt {
        AttGt {
            group: self.group,
            time: self.time,
            event_time: self.time - self.group,
            post: self.post,
            estimate: normal_estimate(format!("ATT({},{})", self.group, self.time), self.att, self.se, crit),
        }
    }
}

/// The periods and units of one cell.
struct Layout {
    /// Period index of the later ("post") outcome and of the base.
    t_post: usize,
    t_base: usize,
    post: bool,
}

/// Index of the last period before `g − anticipation` (None when there is none).
fn base_index(periods: &[f64], g: f64, antic: f64) -> Option<usize> {
    periods.iter().rposition(|&p| p + antic < g)
}

/// Estimates every ATT(g,t).
pub(crate) fn estimate(v: &ValidCsSpec, diagnostics: &mut Diagnostics) -> Result<Vec<CellEst>> {
    let spec = &v.spec;
    let panel = &v.panel;
    let periods = &panel.periods;
    let antic = f64::from(spec.anticipation);
    let universal = spec.base_period == BasePeriod::Universal;
    let (n_cells_t, tfac) = if universal { (periods.len(), 0) } else { (periods.len() - 1, 1) };
    let mut out = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    for &g in &v.groups {
        let Some(pret_g) = base_index(periods, g, antic) else {
            diagnostics.push(Diagnostic::warning(
                Code::CellNotEstimated,
                format!("cohort {g} has no pre-treatment period and gets no ATT(g,t)"),
            ));
            continue;
        };
        for t in 0..n_cells_t {
            let now = periods[t + tfac];
            let post = g <= now;
            let base = if universal || post { pret_g } else { t };
            let lay = Layout { t_post: t + tfac, t_base: base, post };
            if universal && base == t + tfac {
                out.push(CellEst { group: g, time: now, post: false, att: 0.0, inf: vec![0.0; panel.n()], se: f64::NAN });
                continue;
            }
            let threshold = periods[t.max(base) + tfac] + antic;
            let controls = |c: f64| match spec.control_group {
                ControlGroup::Never => c == 0.0,
                ControlGroup::NotYet => c == 0.0 || (c > threshold && c != g),
            };
            let cell = match fit_one(v, g, &lay, &controls) {
                Ok(c) => c,
                Err(e) => {
                    failed.push(format!("ATT({g},{now}): {e}"));
                    CellEst { group: g, time: now, post, att: f64::NAN, inf: vec![0.0; panel.n()], se: f64::NAN }
                }
            };
            out.push(cell);
        }
    }
    if !failed.is_empty() {
        diagnostics.push(
            Diagnostic::warning(
                Code::CellNotEstimated,
                format!(
                    "{} ATT(g,t) could not be estimated and are left out of the aggregations (first: {})",
                    failed.len(),
                    failed[0]
                ),
            )
            .with_detail(failed.join("\n")),
        );
    }
    Ok(out)
}

/// One cell: the 2×2 estimator on cohort `g` against the controls, influence function spread
/// to all units and scaled by `N/n_cell`.
fn fit_one(v: &ValidCsSpec, g: f64, lay: &Layout, controls: &dyn Fn(f64) -> bool) -> Result<CellEst> {
    let panel = &v.panel;
    let (n, p) = (panel.n(), panel.p());
    let kept: Vec<usize> = (0..n).filter(|&i| panel.cohort[i] == g || controls(panel.cohort[i])).collect();
    let d: Vec<bool> = kept.iter().map(|&i| panel.cohort[i] == g).collect();
    let n_treated = d.iter().filter(|&&b| b).count();
    if n_treated == 0 {
        return Err(crate::error::Error::insufficient(format!("no units in cohort {g}")));
    }
    if n_treated == kept.len() {
        return Err(crate::error::Error::insufficient("no available control units"));
    }
    let dy: Vec<f64> = kept.iter().map(|&i| panel.y_at(i, lay.t_post) - panel.y_at(i, lay.t_base)).collect();
    let earlier = lay.t_post.min(lay.t_base);
    let xs = &panel.x[earlier];
    let x: Vec<f64> = kept.iter().flat_map(|&i| xs[i * p..(i + 1) * p].iter().copied()).collect();
    let mut names = vec!["(Intercept)".to_string()];
    names.extend(panel.covariates.iter().cloned());
    let fit = fit_cell(v.spec.method, &Cell { dy: &dy, d: &d, x: &x, p, names: &names })?;
    let scale = n as f64 / kept.len() as f64;
    let mut inf = vec![0.0; n];
    for (k, &i) in kept.iter().enumerate() {
        inf[i] = scale * fit.inf[k];
    }
    let se = if_se(&inf);
    Ok(CellEst { group: g, time: panel.periods[lay.t_post], post: lay.post, att: fit.att, inf, se })
}
