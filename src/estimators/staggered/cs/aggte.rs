//! The four aggregations of ATT(g,t) (R `did`'s `aggte`: simple, dynamic, group, calendar),
//! each with its influence function, including the estimation effect of the cohort shares
//! (R's `wif`).

use super::attgt::{if_se, normal_estimate, CellEst};
use super::ValidCsSpec;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::inference::dist::norm_quantile;
use crate::inference::estimate::Estimate;
use serde::Serialize;

/// One term of an aggregation (an event time, a cohort or a period).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateTerm {
    /// Event time `e = t − g` (dynamic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_time: Option<f64>,
    /// Cohort (group).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<f64>,
    /// Period (calendar).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<f64>,
    /// Estimate, SE, z, p-value and interval (uniform band under the bootstrap).
    #[serde(flatten)]
    pub estimate: Estimate,
}

/// One aggregation: the overall effect and its terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregate {
    /// Overall effect.
    #[serde(flatten)]
    pub estimate: Estimate,
    /// Terms (empty for `simple`).
    pub terms: Vec<AggregateTerm>,
    /// Critical value of the terms' intervals (normal, or the uniform bootstrap value).
    pub crit_val: f64,
    /// Covariance of the terms, `Σᵢ ψᵢⱼ ψᵢₖ / N²` from their influence functions (analytic even
    /// under the bootstrap; the input of HonestDiD for the dynamic aggregation).
    pub vcov: Vec<Vec<f64>>,
}

/// All four aggregations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregates {
    /// Post-treatment ATT(g,t) weighted by cohort size.
    pub simple: Aggregate,
    /// By event time.
    pub dynamic: Aggregate,
    /// By cohort.
    pub group: Aggregate,
    /// By calendar period.
    pub calendar: Aggregate,
}

/// Influence functions of one aggregation (overall, then one per term).
#[derive(Debug, Clone)]
pub(crate) struct AggInf {
    pub overall: Vec<f64>,
    pub terms: Vec<Vec<f64>>,
}

/// The aggregations with the influence functions the bootstrap needs.
#[derive(Debug, Clone)]
pub(crate) struct AggResult {
    pub report: Aggregates,
    /// simple, dynamic, group, calendar.
    pub infs: [AggInf; 4],
}

/// Cohort shares and the unit cohorts, for the weights and their influence.
struct Shares<'a> {
    cohort: &'a [f64],
    n: f64,
}

impl Shares<'_> {
    fn pg(&self, g: f64) -> f64 {
        self.cohort.iter().filter(|&&c| c == g).count() as f64 / self.n
    }

    /// `wif · att`: the influence of estimating the weights `pg_k / Σpg` of the terms with
    /// cohorts `groups` and estimates `att` (R's `wif(...) %*% att`).
    fn wif_times(&self, groups: &[f64], att: &[f64]) -> Vec<f64> {
        let pg: Vec<f64> = groups.iter().map(|&g| self.pg(g)).collect();
        let s: f64 = pg.iter().sum();
        let pa: f64 = pg.iter().zip(att).map(|(p, a)| p * a).sum();
        self.cohort
            .iter()
            .map(|&gi| {
                let mut first = 0.0;
                let mut centred = 0.0;
                for k in 0..groups.len() {
                    let c = if gi == groups[k] { 1.0 } else { 0.0 } - pg[k];
                    first += c * att[k];
                    centred += c;
                }
                first / s - centred * pa / (s * s)
            })
            .collect()
    }
}

/// `Σ_k w_k ψ_k` over the chosen cells.
fn combine(cells: &[&CellEst], w: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    for (c, &wk) in cells.iter().zip(w) {
        for (o, v) in out.iter_mut().zip(&c.inf) {
            *o += wk * v;
        }
    }
    out
}

fn add(a: &mut [f64], b: &[f64]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
}

/// Cohort-share weighted average of cells with the weights' influence (`with_wif`).
fn weighted(cells: &[&CellEst], shares: &Shares, with_wif: bool) -> (f64, Vec<f64>) {
    let n = shares.cohort.len();
    let pg: Vec<f64> = cells.iter().map(|c| shares.pg(c.group)).collect();
    let s: f64 = pg.iter().sum();
    let w: Vec<f64> = pg.iter().map(|p| p / s).collect();
    let att: f64 = cells.iter().zip(&w).map(|(c, w)| c.att * w).sum();
    let mut inf = combine(cells, &w, n);
    if with_wif {
        let groups: Vec<f64> = cells.iter().map(|c| c.group).collect();
        let atts: Vec<f64> = cells.iter().map(|c| c.att).collect();
        add(&mut inf, &shares.wif_times(&groups, &atts));
    }
    (att, inf)
}

fn mean_of(terms: &[(f64, Vec<f64>)], n: usize) -> (f64, Vec<f64>) {
    let k = terms.len() as f64;
    let mut inf = vec![0.0; n];
    for (_, t) in terms {
        inf.iter_mut().zip(t).for_each(|(o, v)| *o += v / k);
    }
    (terms.iter().map(|t| t.0).sum::<f64>() / k, inf)
}

struct Built {
    agg: Aggregate,
    inf: AggInf,
}

fn build(name: &str, overall: (f64, Vec<f64>), terms: Vec<(AggregateTerm, Vec<f64>)>, z: f64) -> Built {
    let (att, inf) = overall;
    let se = if_se(&inf);
    let mut infs = Vec::with_capacity(terms.len());
    let mut out = Vec::with_capacity(terms.len());
    for (mut t, ti) in terms {
        let se_t = if_se(&ti);
        t.estimate = normal_estimate(t.estimate.term.clone(), t.estimate.estimate, se_t, z);
        out.push(t);
        infs.push(ti);
    }
    let n2 = (inf.len() as f64).powi(2);
    let vcov = infs
        .iter()
        .map(|a| infs.iter().map(|b| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() / n2).collect())
        .collect();
    Built {
        agg: Aggregate { estimate: normal_estimate(name.to_string(), att, se, z), terms: out, crit_val: z, vcov },
        inf: AggInf { overall: inf, terms: infs },
    }
}

fn term(label: String, est: f64, event_time: Option<f64>, group: Option<f64>, time: Option<f64>) -> AggregateTerm {
    AggregateTerm { event_time, group, time, estimate: normal_estimate(label, est, f64::NAN, 0.0) }
}

fn simple(cells: &[&CellEst], shares: &Shares, z: f64) -> Built {
    let post: Vec<&CellEst> = cells.iter().copied().filter(|c| c.post).collect();
    build("simple", weighted(&post, shares, true), Vec::new(), z)
}

fn dynamic(v: &ValidCsSpec, cells: &[&CellEst], shares: &Shares, z: f64) -> Result<Built> {
    let spec = &v.spec;
    let n = shares.cohort.len();
    let max_t = cells.iter().map(|c| c.time).fold(f64::NEG_INFINITY, f64::max);
    let first = cells.iter().map(|c| c.time.min(c.group)).fold(v.panel.periods[0], f64::min);
    let included = |c: &CellEst| spec.balance_e.is_none_or(|b| max_t - c.group >= f64::from(b));
    let mut es: Vec<f64> = cells.iter().filter(|c| included(c)).map(|c| c.time - c.group).collect();
    es.sort_by(f64::total_cmp);
    es.dedup();
    if let Some(b) = spec.balance_e {
        let b = f64::from(b);
        es.retain(|&e| e <= b && e >= b - max_t + first);
    }
    es.retain(|&e| spec.min_e.is_none_or(|m| e >= m) && spec.max_e.is_none_or(|m| e <= m));
    if es.is_empty() {
        return Err(Error::invalid("no event time falls within min_e / max_e / balance_e: widen the window"));
    }
    let mut terms = Vec::new();
    let mut post = Vec::new();
    for &e in &es {
        let which: Vec<&CellEst> = cells.iter().copied().filter(|c| c.time - c.group == e && included(c)).collect();
        let (att, inf) = weighted(&which, shares, true);
        if e >= 0.0 {
            post.push((att, inf.clone()));
        }
        terms.push((term(format!("e = {e}"), att, Some(e), None, None), inf));
    }
    let overall = if post.is_empty() { (f64::NAN, vec![0.0; n]) } else { mean_of(&post, n) };
    Ok(build("dynamic", overall, terms, z))
}

fn group(v: &ValidCsSpec, cells: &[&CellEst], shares: &Shares, z: f64) -> Built {
    let n = shares.cohort.len();
    let mut terms = Vec::new();
    let mut groups = Vec::new();
    let mut atts = Vec::new();
    for &g in &v.groups {
        let which: Vec<&CellEst> = cells.iter().copied().filter(|c| c.group == g && c.post).collect();
        if which.is_empty() {
            continue;
        }
        let w = vec![1.0 / which.len() as f64; which.len()];
        let att: f64 = which.iter().map(|c| c.att).sum::<f64>() / which.len() as f64;
        let inf = combine(&which, &w, n);
        groups.push(g);
        atts.push(att);
        terms.push((term(format!("g = {g}"), att, None, Some(g), None), inf));
    }
    let pg: Vec<f64> = groups.iter().map(|&g| shares.pg(g)).collect();
    let s: f64 = pg.iter().sum();
    let att = pg.iter().zip(&atts).map(|(p, a)| p * a).sum::<f64>() / s;
    let mut inf = vec![0.0; n];
    for ((_, ti), p) in terms.iter().zip(&pg) {
        inf.iter_mut().zip(ti).for_each(|(o, v)| *o += p / s * v);
    }
    add(&mut inf, &shares.wif_times(&groups, &atts));
    build("group", (att, inf), terms, z)
}

fn calendar(cells: &[&CellEst], shares: &Shares, z: f64) -> Built {
    let n = shares.cohort.len();
    let mut times: Vec<f64> = cells.iter().filter(|c| c.post).map(|c| c.time).collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let mut terms = Vec::new();
    let mut means = Vec::new();
    for &t in &times {
        let which: Vec<&CellEst> = cells.iter().copied().filter(|c| c.time == t && c.post).collect();
        let (att, inf) = weighted(&which, shares, true);
        means.push((att, inf.clone()));
        terms.push((term(format!("t = {t}"), att, None, None, Some(t)), inf));
    }
    let overall = if means.is_empty() { (f64::NAN, vec![0.0; n]) } else { mean_of(&means, n) };
    build("calendar", overall, terms, z)
}

/// All four aggregations with pointwise normal intervals.
pub(crate) fn aggregate(v: &ValidCsSpec, cells: &[CellEst], diagnostics: &mut Diagnostics) -> Result<AggResult> {
    let usable: Vec<&CellEst> = cells.iter().filter(|c| c.att.is_finite()).collect();
    if !usable.iter().any(|c| c.post) {
        return Err(Error::insufficient(
            "no post-treatment ATT(g,t) could be estimated, so there is nothing to aggregate (see the diagnostics)",
        ));
    }
    if usable.len() < cells.len() {
        diagnostics.push(Diagnostic::warning(
            Code::CellNotEstimated,
            format!("the aggregations leave out {} ATT(g,t) that could not be estimated", cells.len() - usable.len()),
        ));
    }
    let z = norm_quantile(0.5 + v.spec.conf_level / 2.0);
    let shares = Shares { cohort: &v.panel.cohort, n: v.panel.n() as f64 };
    let s = simple(&usable, &shares, z);
    let d = dynamic(v, &usable, &shares, z)?;
    let g = group(v, &usable, &shares, z);
    let c = calendar(&usable, &shares, z);
    Ok(AggResult {
        report: Aggregates { simple: s.agg, dynamic: d.agg, group: g.agg, calendar: c.agg },
        infs: [s.inf, d.inf, g.inf, c.inf],
    })
}
