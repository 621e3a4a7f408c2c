//! Goodman-Bacon (2021) decomposition of the two-way fixed-effects DID estimate.
//!
//! On a balanced panel with staggered adoption and no covariates, the TWFE coefficient of
//! `D_it = 1{t ≥ g_i}` (unit and period effects) is a weighted average of every 2×2 DID
//! between timing groups (Goodman-Bacon 2021, Theorem 1):
//!
//! * **treated vs never** (`k` vs `U`), all periods, weight
//!   `s_kU = (n_k + n_U)² n_kU(1 − n_kU) D̄_k(1 − D̄_k) / V̂ᴰ`;
//! * **earlier vs later** (`k` treated, `l > k` not yet treated as control), the periods before
//!   `l`: `s_kl = ((n_k + n_l)(1 − D̄_l))² n_kl(1 − n_kl) · (D̄_k − D̄_l)/(1 − D̄_l) · (1 − D̄_k)/(1 − D̄_l) / V̂ᴰ`;
//! * **later vs earlier** (`l` treated, the already-treated `k` as control), the periods from
//!   `k` on: `s_lk = ((n_k + n_l) D̄_k)² n_kl(1 − n_kl) · D̄_l/D̄_k · (D̄_k − D̄_l)/D̄_k / V̂ᴰ`;
//!
//! with `n_k` the share of units in group `k`, `n_kl = n_k/(n_k + n_l)`, `D̄_k` the share of
//! periods group `k` is treated, and `V̂ᴰ` the variance of `D` net of unit and period means
//! (`Σ d̃²/(NT)`). The weights sum to one and `Σ s·β̂ = β̂_TWFE` exactly; both are checked and
//! reported. The panel is built as for the other staggered estimators ([`super::panel`]):
//! units treated in the first period are dropped, late adopters are never treated, unbalanced
//! units leave — the TWFE estimate decomposed is the one on that panel (as diff-diff and
//! Stata's `bacondecomp` require a balanced panel).

use super::panel::{self, PanelSpec, StaggeredPanel};
use crate::data::Dataset;
use crate::diagnostics::Diagnostics;
use crate::error::{Error, Result};
use crate::report::svg::{marker_plot, ChartOptions, CoefPoint, MarkerOptions, MarkerSeries};
use crate::report::table::{Cell, ResultTable, TableRow, Tables};
use serde::{Deserialize, Serialize, Serializer};

/// What the decomposition runs on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct BaconSpec {
    /// Outcome column.
    pub y: String,
    /// Unit column.
    pub unit: String,
    /// Period column (numeric).
    pub time: String,
    /// Adoption-period column (blank or 0 = never treated).
    pub start: String,
}

/// The kind of a 2×2 comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComparisonType {
    /// A timing group against the never-treated.
    TreatedVsNever,
    /// An earlier group against a later one before the later is treated.
    EarlierVsLater,
    /// A later group against an earlier, already treated one ("forbidden" comparison).
    LaterVsEarlier,
}

impl ComparisonType {
    fn label(self) -> &'static str {
        match self {
            ComparisonType::TreatedVsNever => "Treated vs never treated",
            ComparisonType::EarlierVsLater => "Earlier vs later treated",
            ComparisonType::LaterVsEarlier => "Later vs earlier treated",
        }
    }
}

/// The control group of a comparison: a cohort or the never-treated (`"never_treated"` in JSON).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BaconControl {
    /// Never-treated units.
    Never,
    /// A timing group (its adoption period).
    Cohort(f64),
}

impl Serialize for BaconControl {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            BaconControl::Never => s.serialize_str("never_treated"),
            BaconControl::Cohort(g) => s.serialize_f64(*g),
        }
    }
}

/// One 2×2 comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The treated timing group (adoption period).
    pub treated: f64,
    /// The control group.
    pub control: BaconControl,
    /// Kind.
    #[serde(rename = "type")]
    pub kind: ComparisonType,
    /// The 2×2 DID estimate.
    pub estimate: f64,
    /// Its weight in the TWFE estimate.
    pub weight: f64,
}

/// Totals by comparison type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeTotal {
    /// Kind.
    #[serde(rename = "type")]
    pub kind: ComparisonType,
    /// Sum of the weights.
    pub weight: f64,
    /// Weighted average of the estimates (NaN without weight).
    pub estimate: f64,
}

/// The decomposition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaconResult {
    /// TWFE coefficient of the treatment dummy (unit and period effects) on the panel.
    pub twfe_estimate: f64,
    /// Every comparison.
    pub comparisons: Vec<Comparison>,
    /// Weight and average estimate by type.
    pub by_type: Vec<TypeTotal>,
    /// `Σ weight·estimate` (equals `twfe_estimate`).
    pub weighted_sum: f64,
    /// Units and periods of the panel.
    pub n_units: usize,
    /// Periods.
    pub n_periods: usize,
    /// Scatter of weight vs estimate by type, with the TWFE estimate as a line (SVG).
    pub svg: String,
    /// Non-fatal findings.
    pub diagnostics: Diagnostics,
}

/// Timing groups of the panel: adoption period (0 = never), unit share, share of periods treated.
struct Group {
    g: f64,
    n: f64,
    d: f64,
}

/// Mean outcome of the units with cohort `g` over the period indices `ts`.
fn mean_y(p: &StaggeredPanel, g: f64, ts: &[usize]) -> f64 {
    let units: Vec<usize> = (0..p.n()).filter(|&i| p.cohort[i] == g).collect();
    let s: f64 = units.iter().flat_map(|&i| ts.iter().map(move |&t| (i, t))).map(|(i, t)| p.y_at(i, t)).sum();
    s / (units.len() * ts.len()) as f64
}

/// The 2×2 DID of `treated` against `control` within `window`, switching at `switch`.
fn did_2x2(p: &StaggeredPanel, treated: f64, control: f64, window: &[usize], switch: f64) -> f64 {
    let pre: Vec<usize> = window.iter().copied().filter(|&t| p.periods[t] < switch).collect();
    let post: Vec<usize> = window.iter().copied().filter(|&t| p.periods[t] >= switch).collect();
    (mean_y(p, treated, &post) - mean_y(p, treated, &pre)) - (mean_y(p, control, &post) - mean_y(p, control, &pre))
}

/// TWFE coefficient and `V̂ᴰ` on the balanced panel: `β = Σ d̃ y / Σ d̃²`.
fn twfe(p: &StaggeredPanel) -> (f64, f64) {
    let (n, nt) = (p.n(), p.n_periods());
    let d = |i: usize, t: usize| if p.cohort[i] > 0.0 && p.periods[t] >= p.cohort[i] { 1.0 } else { 0.0 };
    let di: Vec<f64> = (0..n).map(|i| (0..nt).map(|t| d(i, t)).sum::<f64>() / nt as f64).collect();
    let dt: Vec<f64> = (0..nt).map(|t| (0..n).map(|i| d(i, t)).sum::<f64>() / n as f64).collect();
    let dbar = di.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for i in 0..n {
        for t in 0..nt {
            let dd = d(i, t) - di[i] - dt[t] + dbar;
            sxy += dd * p.y_at(i, t);
            sxx += dd * dd;
        }
    }
    (sxy / sxx, sxx / (n * nt) as f64)
}

fn groups(p: &StaggeredPanel) -> Vec<Group> {
    let (n, nt) = (p.n() as f64, p.n_periods() as f64);
    let mut gs: Vec<f64> = p.cohort.clone();
    gs.sort_by(f64::total_cmp);
    gs.dedup();
    gs.into_iter()
        .map(|g| Group {
            g,
            n: p.cohort_size(g) as f64 / n,
            d: if g == 0.0 { 0.0 } else { p.periods.iter().filter(|&&t| t >= g).count() as f64 / nt },
        })
        .collect()
}

fn comparisons(p: &StaggeredPanel, vd: f64) -> Vec<Comparison> {
    let gs = groups(p);
    let all: Vec<usize> = (0..p.n_periods()).collect();
    let mut out = Vec::new();
    let never = gs.iter().find(|g| g.g == 0.0);
    let timing: Vec<&Group> = gs.iter().filter(|g| g.g > 0.0).collect();
    for k in &timing {
        if let Some(u) = never {
            let nku = k.n / (k.n + u.n);
            let w = (k.n + u.n).powi(2) * nku * (1.0 - nku) * k.d * (1.0 - k.d) / vd;
            let est = did_2x2(p, k.g, 0.0, &all, k.g);
            out.push(Comparison { treated: k.g, control: BaconControl::Never, kind: ComparisonType::TreatedVsNever, estimate: est, weight: w });
        }
    }
    for (a, k) in timing.iter().enumerate() {
        for l in &timing[a + 1..] {
            let nkl = k.n / (k.n + l.n);
            let base = nkl * (1.0 - nkl);
            let before: Vec<usize> = all.iter().copied().filter(|&t| p.periods[t] < l.g).collect();
            let w_kl = ((k.n + l.n) * (1.0 - l.d)).powi(2) * base * ((k.d - l.d) / (1.0 - l.d)) * ((1.0 - k.d) / (1.0 - l.d)) / vd;
            let est = did_2x2(p, k.g, l.g, &before, k.g);
            out.push(Comparison { treated: k.g, control: BaconControl::Cohort(l.g), kind: ComparisonType::EarlierVsLater, estimate: est, weight: w_kl });
            let after: Vec<usize> = all.iter().copied().filter(|&t| p.periods[t] >= k.g).collect();
            let w_lk = ((k.n + l.n) * k.d).powi(2) * base * (l.d / k.d) * ((k.d - l.d) / k.d) / vd;
            let est = did_2x2(p, l.g, k.g, &after, l.g);
            out.push(Comparison { treated: l.g, control: BaconControl::Cohort(k.g), kind: ComparisonType::LaterVsEarlier, estimate: est, weight: w_lk });
        }
    }
    out
}

fn totals(cs: &[Comparison]) -> Vec<TypeTotal> {
    [ComparisonType::TreatedVsNever, ComparisonType::EarlierVsLater, ComparisonType::LaterVsEarlier]
        .into_iter()
        .filter(|k| cs.iter().any(|c| c.kind == *k))
        .map(|kind| {
            let of: Vec<&Comparison> = cs.iter().filter(|c| c.kind == kind).collect();
            let w: f64 = of.iter().map(|c| c.weight).sum();
            let e = of.iter().map(|c| c.weight * c.estimate).sum::<f64>() / w;
            TypeTotal { kind, weight: w, estimate: if w > 0.0 { e } else { f64::NAN } }
        })
        .collect()
}

fn chart(cs: &[Comparison], twfe: f64) -> String {
    let series: Vec<MarkerSeries> = [ComparisonType::TreatedVsNever, ComparisonType::EarlierVsLater, ComparisonType::LaterVsEarlier]
        .into_iter()
        .filter(|k| cs.iter().any(|c| c.kind == *k))
        .map(|k| MarkerSeries {
            label: k.label().to_string(),
            points: cs
                .iter()
                .filter(|c| c.kind == k)
                .map(|c| CoefPoint { x: c.weight, label: String::new(), estimate: c.estimate, conf_low: f64::NAN, conf_high: f64::NAN })
                .collect(),
        })
        .collect();
    let opts = ChartOptions { x_label: "Weight".into(), y_label: "2×2 DID estimate".into(), title: "Goodman-Bacon decomposition".into(), ..Default::default() };
    let m = MarkerOptions { hline: Some(twfe), hline_label: format!("TWFE = {twfe:.4}"), zero_line: true, x_from_zero: true, ..Default::default() };
    marker_plot(&series, &opts, &m)
}

/// Runs the decomposition.
pub fn bacon_decomposition(ds: &Dataset, spec: &BaconSpec) -> Result<BaconResult> {
    let pspec = PanelSpec::checked("the Bacon decomposition", [&spec.y, &spec.unit, &spec.time, &spec.start], &[], 0)?;
    let p = panel::build(ds, &pspec)?;
    if p.cohorts().is_empty() {
        return Err(Error::insufficient("no unit adopts within the panel: there is nothing to decompose"));
    }
    let (beta, vd) = twfe(&p);
    if !(vd > 0.0) {
        return Err(Error::insufficient("the treatment does not vary net of unit and period effects"));
    }
    let comparisons = comparisons(&p, vd);
    let weighted_sum = comparisons.iter().map(|c| c.weight * c.estimate).sum();
    Ok(BaconResult {
        twfe_estimate: beta,
        by_type: totals(&comparisons),
        svg: chart(&comparisons, beta),
        comparisons,
        weighted_sum,
        n_units: p.n(),
        n_periods: p.n_periods(),
        diagnostics: p.diagnostics.clone(),
    })
}

impl Tables for BaconResult {
    fn tables(&self) -> Vec<ResultTable> {
        let mut t = ResultTable::new("bacon.comparisons", "Goodman-Bacon decomposition of the TWFE estimate", &["Treated", "Control", "Type", "Estimate", "Weight"]);
        for c in &self.comparisons {
            let control = match c.control {
                BaconControl::Never => "Never treated".to_string(),
                BaconControl::Cohort(g) => format!("{g}"),
            };
            t.push(TableRow::new(format!("{}", c.treated), vec![Cell::text(control), Cell::text(c.kind.label()), Cell::number(c.estimate, 4), Cell::number(c.weight, 4)]));
        }
        let mut s = ResultTable::new("bacon.summary", "Goodman-Bacon decomposition by comparison type", &["Type", "Weight", "Average estimate"]);
        for b in &self.by_type {
            s.push(TableRow::new(b.kind.label(), vec![Cell::number(b.weight, 4), Cell::number(b.estimate, 4)]));
        }
        s.push(TableRow::new("TWFE estimate", vec![Cell::number(1.0, 4), Cell::number(self.twfe_estimate, 4)]).ruled());
        let note = format!(
            "Two-way fixed-effects DID on a balanced panel of {} units and {} periods; the weights sum to 1 and the weighted estimates to the TWFE coefficient (Goodman-Bacon 2021).",
            self.n_units, self.n_periods
        );
        t.notes.push(note.clone());
        s.notes.push(note);
        vec![s, t]
    }
}
