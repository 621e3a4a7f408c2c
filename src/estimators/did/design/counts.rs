//! The counts table: treated and never-treated units, late adopters, dropped always-treated
//! units and adoption cohorts.

use super::*;

/// One row of the counts table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountsRow {
    /// What the row counts ("Treated units", "Cohort 2015", …).
    pub group: String,
    /// The adoption time, for cohort rows.
    pub adoption: Option<f64>,
    /// Number of units.
    pub n_units: usize,
    /// Unit names.
    pub units: Vec<String>,
}

/// Treated / never-treated units and adoption cohorts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountsTable {
    /// Rows in display order.
    pub rows: Vec<CountsRow>,
}

/// The counts table: treated units, never-treated units (late adopters included, and listed
/// again in an "of which" row), dropped always-treated units (if any), then one row per
/// adoption cohort.
pub fn counts_table(design: &DidDesign) -> CountsTable {
    let names = |pred: &dyn Fn(usize) -> bool| -> Vec<String> {
        (0..design.unit.n_levels())
            .filter(|&u| design.unit_present.get(u).copied().unwrap_or(false) && pred(u))
            .map(|u| design.unit.levels[u].clone())
            .collect()
    };
    let treated = names(&|u| design.unit_treated[u]);
    let never = names(&|u| !design.unit_treated[u]);
    let mut rows = vec![
        CountsRow { group: "Treated units".into(), adoption: None, n_units: treated.len(), units: treated },
        CountsRow { group: "Never-treated units".into(), adoption: None, n_units: never.len(), units: never },
    ];
    if !design.late_adopters.is_empty() {
        let late: Vec<String> = design.late_adopters.iter().map(|(n, _)| n.clone()).collect();
        rows.push(CountsRow {
            group: "of which adopting after the panel".into(),
            adoption: None,
            n_units: late.len(),
            units: late,
        });
    }
    if design.always_treated_dropped {
        let dropped: Vec<String> = design.always_treated.iter().map(|(n, _)| n.clone()).collect();
        rows.push(CountsRow {
            group: "Always treated (dropped)".into(),
            adoption: None,
            n_units: dropped.len(),
            units: dropped,
        });
    }
    for c in &design.cohorts {
        rows.push(CountsRow {
            group: format!("Cohort {}", fmt_num(c.adoption)),
            adoption: Some(c.adoption),
            n_units: c.n_units,
            units: c.units.clone(),
        });
    }
    CountsTable { rows }
}
