//! The result tables of the matching estimators, built here and only here: a PSM result's
//! effect, propensity model and pstest balance tables, and the method comparison. Every
//! format (CSV, Markdown, LaTeX, HTML, text) comes from [`crate::report::render_table`].

use super::{BalanceTable, ComparisonTable, Estimand, PropensityModel, PsmResult, SeKind};
use crate::report::table::{Align, Cell, ResultTable, TableRow, Tables};

/// "ATT" | "ATE" | "ATC".
pub(crate) fn estimand_name(e: Estimand) -> &'static str {
    match e {
        Estimand::Att => "ATT",
        Estimand::Ate => "ATE",
        Estimand::Atc => "ATC",
    }
}

/// "ai" | "bootstrap" | "none".
pub(crate) fn se_name(s: SeKind) -> &'static str {
    match s {
        SeKind::Ai => "ai",
        SeKind::Bootstrap => "bootstrap",
        SeKind::None => "none",
    }
}

/// The columns of [`effect_cells`].
const EFFECT_COLUMNS: [&str; 7] = ["Estimate", "Std. error", "SE", "z", "p-value", "CI low", "CI high"];

/// The matching counts both tables show.
const COUNT_COLUMNS: [&str; 3] = ["Treated matched", "Treated dropped", "Controls used"];

/// A matching estimate's inference in separate columns (estimate, standard error, what the
/// SE is, z, p-value, 95% interval), as the effect and comparison tables show it. The six
/// numbers are `[estimate, std_error, statistic, p_value, conf_low, conf_high]`.
fn effect_cells(e: [f64; 6], se_kind: SeKind) -> Vec<Cell> {
    let [estimate, std_error, statistic, p_value, conf_low, conf_high] = e;
    vec![
        Cell::number(estimate, 3),
        Cell::number(std_error, 3),
        Cell::text(se_name(se_kind)),
        Cell::number(statistic, 2),
        Cell::number(p_value, 3),
        Cell::number(conf_low, 3),
        Cell::number(conf_high, 3),
    ]
}

/// Counts as integer cells.
fn integer_cells(counts: &[usize]) -> Vec<Cell> {
    counts.iter().map(|&n| Cell::integer(n)).collect()
}

/// The effect table (`psm.effects`): the estimand's estimate with its inference and the counts.
pub fn effects_table(r: &PsmResult) -> ResultTable {
    let mut t = ResultTable::new(
        "psm.effects",
        "Matching estimate",
        &[&["Estimand"][..], &EFFECT_COLUMNS[..], &["Treated", "Controls"][..], &COUNT_COLUMNS[..]].concat(),
    )
    .align_values(Align::Right);
    t.push(TableRow::new(
        estimand_name(r.estimand),
        [
            effect_cells([r.estimate, r.std_error, r.statistic, r.p_value, r.conf_low, r.conf_high], r.se_kind),
            integer_cells(&[r.n_treated, r.n_control, r.n_treated_matched, r.n_treated_dropped, r.n_control_used]),
        ]
        .concat(),
    ));
    t.conf_level = Some(0.95);
    t
}

/// The propensity model (`<prefix>.propensity`): coefficients, then the fit statistics.
pub fn propensity_table(p: &PropensityModel, prefix: &str) -> ResultTable {
    let link = match p.link {
        super::Link::Logit => "logit",
        super::Link::Probit => "probit",
    };
    let mut t = ResultTable::new(
        format!("{prefix}.propensity"),
        format!("Propensity model ({link})"),
        &["Term", "Estimate", "Std. error", "z", "p-value"],
    )
    .align_values(Align::Right);
    for c in &p.coefficients {
        t.push(TableRow::new(
            c.term.clone(),
            vec![
                Cell::number(c.estimate, 6),
                Cell::number(c.std_error, 6),
                Cell::number(c.statistic, 2),
                Cell::number(c.p_value, 3),
            ],
        ));
    }
    let stat = |label: &str, cell: Cell| TableRow::new(label, vec![cell, Cell::Empty, Cell::Empty, Cell::Empty]);
    t.push(stat("Observations", Cell::integer(p.nobs)).ruled());
    t.push(stat("Log-likelihood", Cell::number(p.loglik, 3)));
    t.push(stat("Pseudo R²", Cell::number(p.pseudo_r2, 4)));
    t.push(stat("LR χ²", Cell::number(p.lr_chi2, 2)));
    t.push(stat("p > χ²", Cell::number(p.lr_p_value, 4)));
    t
}

/// The pstest balance table (`<prefix>.balance`): per covariate an unmatched (U) and a
/// matched (M) row.
pub fn balance_table(b: &BalanceTable, prefix: &str) -> ResultTable {
    let mut t = ResultTable::new(
        format!("{prefix}.balance"),
        "Covariate balance before (U) and after (M) matching",
        &["Variable", "Sample", "Mean treated", "Mean control", "%bias", "%reduct |bias|", "t", "p>|t|", "V(T)/V(C)"],
    )
    .align_values(Align::Right);
    let ratio = |v: f64| if v.is_finite() { Cell::number(v, 2) } else { Cell::Empty };
    for r in &b.rows {
        t.push(TableRow::new(
            r.variable.clone(),
            vec![
                Cell::text("U"),
                Cell::number(r.mean_treated_before, 4),
                Cell::number(r.mean_control_before, 4),
                Cell::number(r.bias_before, 1),
                Cell::Empty,
                Cell::number(r.t_before, 2),
                Cell::number(r.p_before, 3),
                ratio(r.var_ratio_before),
            ],
        ));
        t.push(TableRow::new(
            r.variable.clone(),
            vec![
                Cell::text("M"),
                Cell::number(r.mean_treated_after, 4),
                Cell::number(r.mean_control_after, 4),
                Cell::number(r.bias_after, 1),
                Cell::number(r.bias_reduction, 1),
                Cell::number(r.t_after, 2),
                Cell::number(r.p_after, 3),
                ratio(r.var_ratio_after),
            ],
        ));
    }
    t
}

/// pstest's overall statistics (`<prefix>.balance_overall`): one row unmatched, one matched.
pub fn balance_overall_table(b: &BalanceTable, prefix: &str) -> ResultTable {
    let o = &b.overall;
    let mut t = ResultTable::new(
        format!("{prefix}.balance_overall"),
        "Overall balance",
        &["Sample", "Ps R2", "LR chi2", "p>chi2", "MeanBias", "MedBias", "B", "R"],
    )
    .align_values(Align::Right);
    let row = |label: &str, v: [f64; 7]| {
        const DIGITS: [usize; 7] = [3, 2, 3, 1, 1, 1, 2];
        TableRow::new(label, v.iter().zip(DIGITS).map(|(&x, d)| Cell::number(x, d)).collect())
    };
    t.push(row(
        "Unmatched",
        [
            o.pseudo_r2_before,
            o.lr_chi2_before,
            o.p_chi2_before,
            o.mean_bias_before,
            o.median_bias_before,
            o.rubin_b_before,
            o.rubin_r_before,
        ],
    ));
    t.push(row(
        "Matched",
        [
            o.pseudo_r2_after,
            o.lr_chi2_after,
            o.p_chi2_after,
            o.mean_bias_after,
            o.median_bias_after,
            o.rubin_b_after,
            o.rubin_r_after,
        ],
    ));
    t
}

impl Tables for PsmResult {
    fn tables(&self) -> Vec<ResultTable> {
        vec![
            effects_table(self),
            propensity_table(&self.propensity, "psm"),
            balance_table(&self.balance, "psm"),
            balance_overall_table(&self.balance, "psm"),
        ]
    }
}

impl Tables for ComparisonTable {
    /// One row per method, the base first.
    fn tables(&self) -> Vec<ResultTable> {
        let mut t = ResultTable::new(
            "psm.compare",
            "Matching methods compared",
            &[&["Method", "Estimand"][..], &EFFECT_COLUMNS[..], &COUNT_COLUMNS[..], &["Mean |bias| after"][..]].concat(),
        )
        .align_values(Align::Right);
        for r in &self.rows {
            t.push(TableRow::new(
                r.label.clone(),
                [
                    vec![Cell::text(estimand_name(r.estimand))],
                    effect_cells([r.estimate, r.std_error, r.statistic, r.p_value, r.conf_low, r.conf_high], r.se_kind),
                    integer_cells(&[r.n_treated_matched, r.n_treated_dropped, r.n_control_used]),
                    vec![Cell::number(r.mean_bias_after, 1)],
                ]
                .concat(),
            ));
        }
        vec![t]
    }
}
