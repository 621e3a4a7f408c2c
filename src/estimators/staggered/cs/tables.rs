//! The tables of a Callaway–Sant'Anna result: `cs.aggregates` (the four overall effects),
//! `cs.dynamic`, `cs.group`, `cs.calendar` (their terms) and `cs.att_gt` (every cell).

use super::aggte::Aggregate;
use super::{BasePeriod, ControlGroup, CsResult};
use crate::estimators::staggered::drdid::CsMethod;
use crate::report::table::{Cell, ResultTable, TableRow, Tables};

/// Decimals of the estimates.
const DIGITS: usize = 4;

impl CsResult {
    /// The design in one line, for the notes.
    fn design_note(&self) -> String {
        let method = match self.method {
            CsMethod::Dr => "doubly robust",
            CsMethod::Ipw => "inverse probability weighting",
            CsMethod::Reg => "outcome regression",
        };
        let control = match self.control_group {
            ControlGroup::Never => "never-treated units",
            ControlGroup::NotYet => "not-yet-treated units",
        };
        let base = match self.base_period {
            BasePeriod::Varying => "varying",
            BasePeriod::Universal => "universal",
        };
        let covs = if self.covariates.is_empty() { "no covariates".to_string() } else { format!("covariates: {}", self.covariates.join(", ")) };
        format!(
            "Callaway & Sant'Anna (2021), {method}; controls: {control}; {base} base period; anticipation {}; {covs}; {} units, {} periods.",
            self.anticipation, self.n_units, self.n_periods
        )
    }

    fn inference_note(&self) -> String {
        match &self.bootstrap {
            Some(b) => format!(
                "Multiplier bootstrap (Mammen weights, {} draws, seed {}), clustered by unit; intervals of the terms are uniform (simultaneous) bands.",
                b.reps, b.seed
            ),
            None => "Analytic influence-function standard errors clustered by unit; pointwise intervals.".to_string(),
        }
    }

    fn finish(&self, mut t: ResultTable) -> ResultTable {
        t.notes.push(self.design_note());
        t.notes.push(self.inference_note());
        t.conf_level = Some(self.conf_level);
        t
    }

    fn overall_table(&self) -> ResultTable {
        let mut t = ResultTable::new("cs.aggregates", "Callaway–Sant'Anna: aggregated treatment effects", &["Aggregation", "ATT"]);
        let a = &self.aggregate;
        for (label, agg) in [("Simple (weighted by cohort size)", &a.simple), ("Dynamic (mean over e ≥ 0)", &a.dynamic), ("Group (cohort)", &a.group), ("Calendar (period)", &a.calendar)] {
            t.push(TableRow::new(label, vec![agg.estimate.cell(DIGITS)]));
        }
        self.finish(t)
    }

    fn terms_table(&self, id: &str, title: &str, stub: &str, agg: &Aggregate, key: impl Fn(usize) -> String) -> ResultTable {
        let mut t = ResultTable::new(id, title, &[stub, "ATT"]);
        for (k, term) in agg.terms.iter().enumerate() {
            t.push(TableRow::new(key(k), vec![term.estimate.cell(DIGITS)]));
        }
        self.finish(t)
    }

    fn cells_table(&self) -> ResultTable {
        let mut t = ResultTable::new("cs.att_gt", "Callaway–Sant'Anna: group-time effects ATT(g,t)", &["Cohort", "Period", "Event time", "ATT(g,t)"]);
        for c in &self.att_gt {
            t.push(TableRow::new(
                format!("{}", c.group),
                vec![Cell::text(format!("{}", c.time)), Cell::text(format!("{}", c.event_time)), c.estimate.cell(DIGITS)],
            ));
        }
        self.finish(t)
    }
}

fn num(v: Option<f64>) -> String {
    v.map(|x| format!("{x}")).unwrap_or_default()
}

impl Tables for CsResult {
    fn tables(&self) -> Vec<ResultTable> {
        let a = &self.aggregate;
        vec![
            self.overall_table(),
            self.terms_table("cs.dynamic", "Callaway–Sant'Anna: effects by event time", "Event time", &a.dynamic, |k| num(a.dynamic.terms[k].event_time)),
            self.terms_table("cs.group", "Callaway–Sant'Anna: effects by cohort", "Cohort", &a.group, |k| num(a.group.terms[k].group)),
            self.terms_table("cs.calendar", "Callaway–Sant'Anna: effects by period", "Period", &a.calendar, |k| num(a.calendar.terms[k].time)),
            self.cells_table(),
        ]
    }
}
