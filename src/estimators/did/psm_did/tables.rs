//! The result tables of PSM-DID: the full vs matched DID regression table, the matching
//! summary, per-period counts and (pooled) the propensity model and balance.

use super::{fmt_t, MatchingSummary, PsmDidResult, YearMatch};
use crate::estimators::psm::tables as psm_tables;
use crate::report::regtable::{regression_result_table, TableOptions};
use crate::report::table::{Align, Cell, ResultTable, TableRow, Tables};

impl Tables for PsmDidResult {
    fn tables(&self) -> Vec<ResultTable> {
        let mut out = Vec::new();
        let opts = TableOptions {
            model_names: vec!["(1) Full sample".into(), "(2) PSM-DID".into()],
            ..TableOptions::default()
        };
        if let Ok(mut t) = regression_result_table(&[&self.full.model, &self.matched.model], &opts) {
            t.id = "psm_did.main".into();
            t.title = "DID on the full and on the matched sample".into();
            out.push(t);
        }
        let m = &self.matching;
        out.push(matching_table(m));
        if m.by_year {
            out.push(per_year_table(&m.per_year));
        }
        if let Some(p) = &m.propensity {
            out.push(psm_tables::propensity_table(p, "psm_did"));
        }
        if let Some(b) = &m.balance {
            out.push(psm_tables::balance_table(b, "psm_did"));
            out.push(psm_tables::balance_overall_table(b, "psm_did"));
        }
        out
    }
}

/// The matching summary (`psm_did.matching`): counts in `count_unit`.
fn matching_table(m: &MatchingSummary) -> ResultTable {
    let mut t = ResultTable::new("psm_did.matching", format!("Matching summary ({})", m.count_unit), &["", "Count"])
        .align_values(Align::Right);
    let rows: [(&str, usize); 7] = [
        ("Treated", m.n_treated),
        ("Controls", m.n_control),
        ("Treated matched", m.n_treated_matched),
        ("Treated dropped", m.n_treated_dropped),
        ("Controls used", m.n_control_used),
        ("Units excluded before matching", m.n_units_excluded),
        ("Rows in the matched sample", m.n_rows_matched),
    ];
    for (label, n) in rows {
        t.push(TableRow::new(label, vec![Cell::integer(n)]));
    }
    if let Some(c) = m.caliper_abs {
        t.push(TableRow::new("Caliper (matching-variable scale)", vec![Cell::number(c, 6)]).ruled());
    }
    t
}

/// Per-period counts of period-by-period matching (`psm_did.per_year`).
fn per_year_table(per_year: &[YearMatch]) -> ResultTable {
    let mut t = ResultTable::new(
        "psm_did.per_year",
        "Matching per period (unit-period rows)",
        &["Period", "Treated", "Controls", "Matched", "Dropped", "Controls used", "Note"],
    )
    .align_values(Align::Right);
    for y in per_year {
        t.push(TableRow::new(
            fmt_t(y.year),
            vec![
                Cell::integer(y.n_treated),
                Cell::integer(y.n_control),
                Cell::integer(y.n_matched),
                Cell::integer(y.n_dropped),
                Cell::integer(y.n_control_used),
                y.error.as_ref().map_or(Cell::Empty, |e| Cell::text(format!("matching failed: {e}"))),
            ],
        ));
    }
    t
}
