//! The result tables of the DID workbench: each result builds its [`ResultTable`]s here, once,
//! from its typed fields; [`crate::report::render_table`] renders them as CSV, Markdown,
//! LaTeX, HTML or text, so exporting never re-runs an estimator.
//!
//! Ids are stable: `did.main`, `did.counts`, `event_study.terms`, `event_study.pretrend`,
//! `placebo.summary`, `wild.summary`, `mediation.steps`, `mediation.indirect`,
//! `heterogeneity.models`, `robustness.models`.
//!
//! The regression tables (`did.main`, `mediation.steps`, `heterogeneity.models`,
//! `robustness.models`) use the regression-table builder with the workbench's conventions:
//! one column per model, the control terms folded into one "Controls: Yes/No" row.

use super::design::CountsTable;
use super::heterogeneity::HeteroResult;
use super::mediation::MediationResult;
use super::robustness::RobustnessResult;
use super::placebo::{PlaceboKind, PlaceboResult};
use super::wild::{WildResult, WildWeights};
use super::workbench::{DidResult, EventStudyResult};
use crate::estimators::feols::FeolsFit;
use crate::report::regtable::{regression_result_table, ControlsRow, TableOptions};
use crate::report::table::{Align, Cell, ResultTable, TableRow, Tables};

/// Decimals of the summary tables' numbers.
const DIGITS: usize = 4;

/// The "Controls" row of a regression table (none without controls).
pub(crate) fn controls_row(controls: &[String]) -> Vec<ControlsRow> {
    if controls.is_empty() {
        Vec::new()
    } else {
        vec![ControlsRow { label: String::new(), terms: controls.to_vec() }]
    }
}

/// A regression table of `fits` with the given id, title, column names and control terms.
/// An empty table (no columns) only if the builder refuses (no model), which the results
/// never produce.
fn models_table(id: &str, title: &str, fits: &[&FeolsFit], names: Vec<String>, controls: &[String]) -> ResultTable {
    let opts = TableOptions {
        model_names: names,
        controls: controls_row(controls),
        title: Some(title.to_string()),
        ..Default::default()
    };
    let mut t = regression_result_table(fits, &opts).unwrap_or_else(|_| ResultTable::new(id, title, &[""]));
    t.id = id.to_string();
    t
}

/// A two-column (label, value) summary table.
fn summary_table(id: &str, title: &str, rows: Vec<(String, Cell)>) -> ResultTable {
    let mut t = ResultTable::new(id, title, &["", "Value"]).align_values(Align::Right);
    for (label, cell) in rows {
        t.push(TableRow::new(label, vec![cell]));
    }
    t
}

impl CountsTable {
    /// The counts as a result table (`did.counts`): group, adoption time, number of units,
    /// unit names.
    pub fn result_table(&self) -> ResultTable {
        let mut t = ResultTable::new("did.counts", "Treated units, controls and adoption cohorts", &[
            "Group", "Adoption", "Units", "Names",
        ]);
        t.columns[3].align = Align::Left;
        for r in &self.rows {
            t.push(TableRow::new(r.group.clone(), vec![
                Cell::opt_number(r.adoption, 0),
                Cell::integer(r.n_units),
                Cell::text(r.units.join(", ")),
            ]));
        }
        t
    }
}

impl Tables for DidResult {
    /// `did.main` (the regression) and `did.counts`.
    fn tables(&self) -> Vec<ResultTable> {
        vec![
            models_table("did.main", "Difference-in-differences", &[&self.model], vec!["(1)".into()], &[]),
            self.counts.result_table(),
        ]
    }
}

impl Tables for EventStudyResult {
    /// `event_study.terms` (one row per event time, the reference included) and, when there
    /// is one, `event_study.pretrend`.
    fn tables(&self) -> Vec<ResultTable> {
        let mut t = ResultTable::new("event_study.terms", "Event study", &[
            "Event time", "Term", "Estimate", "Std. error", "t", "p-value", "CI low", "CI high",
        ])
        .align_values(Align::Right);
        t.columns[1].align = Align::Left;
        t.conf_level = Some(self.model.conf_level);
        let omitted = |k: i64| TableRow::new(k.to_string(), vec![
            Cell::text("reference"),
            Cell::number(0.0, DIGITS),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ]);
        let mut refs: Vec<i64> = std::iter::once(self.reference).chain(self.second_reference).collect();
        refs.sort_unstable();
        let mut refs = refs.into_iter().peekable();
        for e in &self.terms {
            while let Some(k) = refs.next_if(|k| *k < e.event_time) {
                t.push(omitted(k));
            }
            t.push(TableRow::new(e.event_time.to_string(), vec![
                Cell::text(e.term.clone()),
                Cell::number(e.estimate, DIGITS),
                Cell::number(e.std_error, DIGITS),
                Cell::number(e.statistic, 3),
                Cell::number(e.p_value, DIGITS),
                Cell::number(e.conf_low, DIGITS),
                Cell::number(e.conf_high, DIGITS),
            ]));
        }
        for k in refs {
            t.push(omitted(k));
        }
        let mut out = vec![t];
        if let Some(p) = &self.pretrend {
            out.push(summary_table("event_study.pretrend", "Joint pre-trend test (all leads = 0)", vec![
                ("F statistic".into(), Cell::number(p.statistic, 3)),
                ("df1".into(), Cell::number(p.df1, 0)),
                ("df2".into(), Cell::number(p.df2, 0)),
                ("p-value".into(), Cell::number(p.p_value, DIGITS)),
                ("Leads tested".into(), Cell::text(p.terms.join(", "))),
            ]));
        }
        out
    }
}

impl Tables for PlaceboResult {
    /// `placebo.summary`.
    fn tables(&self) -> Vec<ResultTable> {
        let mut rows = vec![("Actual estimate".to_string(), Cell::number(self.actual, DIGITS))];
        if let (PlaceboKind::InTime, Some(t)) = (self.kind, &self.in_time) {
            rows.push((
                format!("Placebo estimate (adoption {} earlier)", t.shift),
                t.coef.cell(DIGITS),
            ));
            rows.push(("p-value".into(), Cell::number(t.p_value, DIGITS)));
            rows.push(("CI low".into(), Cell::number(t.conf_low, DIGITS)));
            rows.push(("CI high".into(), Cell::number(t.conf_high, DIGITS)));
            rows.push(("Observations".into(), Cell::integer(t.nobs)));
            return vec![summary_table("placebo.summary", "In-time placebo", rows)];
        }
        let kind = match self.kind {
            PlaceboKind::RandomTiming => "Random timing",
            _ => "Permuted units",
        };
        rows.push(("Permutation p (two-sided)".into(), Cell::number(self.p_value_corrected, DIGITS)));
        rows.push(("Share of draws at least as extreme".into(), Cell::number(self.p_value, DIGITS)));
        rows.push(("Draws".into(), Cell::integer(self.reps)));
        rows.push(("Degenerate draws left out".into(), Cell::integer(self.n_degenerate)));
        rows.push(("All assignments enumerated".into(), Cell::YesNo { value: self.enumerated }));
        if let Some(n) = self.n_possible {
            // The count saturates at u64::MAX (more assignments than that).
            let count = if n == u64::MAX { Cell::text(format!("more than {}", u64::MAX - 1)) } else { Cell::big_count(n) };
            rows.push(("Distinct assignments".into(), count));
        }
        rows.push(("Mean of draws".into(), Cell::number(self.mean, DIGITS)));
        rows.push(("SD of draws".into(), Cell::number(self.sd, DIGITS)));
        if let Some(q) = &self.quantiles {
            rows.push(("5% quantile".into(), Cell::number(q.p05, DIGITS)));
            rows.push(("95% quantile".into(), Cell::number(q.p95, DIGITS)));
        }
        rows.push(("Seed".into(), Cell::text(self.seed.to_string())));
        vec![summary_table("placebo.summary", &format!("Placebo test ({kind})"), rows)]
    }
}

impl Tables for WildResult {
    /// `wild.summary`.
    fn tables(&self) -> Vec<ResultTable> {
        let level = format!("{:.0}%", 100.0 * self.conf_level);
        let rows = vec![
            ("Estimate".to_string(), Cell::number(self.estimate, DIGITS)),
            ("t statistic".into(), Cell::number(self.t_stat, 3)),
            ("Bootstrap p".into(), Cell::number(self.p_value, DIGITS)),
            (format!("{level} CI low"), Cell::number(self.conf_low, DIGITS)),
            (format!("{level} CI high"), Cell::number(self.conf_high, DIGITS)),
            ("Null value".into(), Cell::number(self.null, DIGITS)),
            ("Null imposed".into(), Cell::YesNo { value: self.impose_null }),
            (
                "Weights".into(),
                Cell::text(match self.weights {
                    WildWeights::Rademacher => "Rademacher",
                    WildWeights::Webb => "Webb",
                }),
            ),
            ("Draws".into(), Cell::integer(self.reps)),
            ("All sign vectors enumerated".into(), Cell::YesNo { value: self.enumerated }),
            (format!("Clusters ({})", self.cluster), Cell::integer(self.n_clusters)),
        ];
        vec![summary_table("wild.summary", "Wild cluster bootstrap", rows)]
    }
}

impl Tables for MediationResult {
    /// `mediation.steps` (the three regressions) and `mediation.indirect`.
    fn tables(&self) -> Vec<ResultTable> {
        let fits: Vec<&FeolsFit> = self.steps.iter().collect();
        let names = self.steps.iter().enumerate().map(|(i, f)| format!("({}) {}", i + 1, f.depvar)).collect();
        let steps = models_table("mediation.steps", "Mechanism: three-step regressions", &fits, names, &self.controls);
        let s = &self.sobel;
        let level = format!("{:.0}%", 100.0 * self.indirect.conf_level);
        let mut rows = vec![
            ("Total effect".to_string(), Cell::number(self.total, DIGITS)),
            ("Direct effect".into(), Cell::number(self.direct, DIGITS)),
            ("a (DID → mediator)".into(), Cell::number(s.a, DIGITS)),
            ("b (mediator → outcome)".into(), Cell::number(s.b, DIGITS)),
            ("Indirect effect a·b".into(), Cell::number(s.indirect, DIGITS)),
            ("Sobel SE".into(), Cell::number(s.se, DIGITS)),
            ("Sobel z".into(), Cell::number(s.z, 3)),
            ("Sobel p".into(), Cell::number(s.p_value, DIGITS)),
        ];
        if self.indirect.reps > 0 {
            rows.push((format!("Bootstrap {level} CI low"), Cell::number(self.indirect.conf_low, DIGITS)));
            rows.push((format!("Bootstrap {level} CI high"), Cell::number(self.indirect.conf_high, DIGITS)));
            rows.push(("Bootstrap draws".into(), Cell::integer(self.indirect.reps)));
        }
        rows.push(("Share mediated".into(), Cell::number(self.share_mediated, DIGITS)));
        vec![steps, summary_table("mediation.indirect", "Indirect effect", rows)]
    }
}

impl Tables for HeteroResult {
    /// `heterogeneity.models`: the interaction model and the split samples side by side.
    fn tables(&self) -> Vec<ResultTable> {
        let mut fits: Vec<&FeolsFit> = vec![&self.interaction];
        fits.extend(self.split.iter().map(|s| &s.result.model));
        let mut names = vec!["Interaction".to_string()];
        names.extend(self.split.iter().map(|s| format!("{} = {}", self.group, s.level)));
        vec![models_table("heterogeneity.models", "Heterogeneity", &fits, names, &self.controls)]
    }
}

impl Tables for RobustnessResult {
    /// `robustness.models`: the baseline and each check, one column each.
    fn tables(&self) -> Vec<ResultTable> {
        let fits: Vec<&FeolsFit> = self.fits.iter().map(|f| &f.model).collect();
        let names = self.fits.iter().map(|f| f.label.clone()).collect();
        vec![models_table("robustness.models", "Robustness checks", &fits, names, &self.controls)]
    }
}
