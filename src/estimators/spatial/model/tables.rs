//! Tables of a spatial regression in the layout of the seed papers: `spatial.coefficients`
//! (estimates with stars and SEs, then ρ or λ, σ², log L, AIC, N and the fixed-effect
//! rows), `spatial.impacts` (direct, indirect, total per regressor with SEs) and
//! `spatial.tests`.

use super::result::{z_estimate, SpatialModelResult};
use crate::estimators::spatial::design::SpatialFe;
use crate::inference::dist::norm_quantile;
use crate::report::table::{Cell, ResultTable, TableRow, Tables};

/// Decimals of the estimates.
const DIGITS: usize = 4;

impl SpatialModelResult {
    fn design_note(&self) -> String {
        let fe = match self.fe {
            SpatialFe::None => "no fixed effects",
            SpatialFe::Unit => "unit fixed effects",
            SpatialFe::Time => "period fixed effects",
            SpatialFe::Twoways => "unit and period fixed effects (two-way demeaning, no Lee–Yu correction)",
        };
        let est = match self.logdet.as_deref() {
            Some(m) => format!("maximum likelihood ({m} log-determinant)"),
            None => "OLS".to_string(),
        };
        format!("{} of {} by {est}; {fe}; {} units × {} period(s).", self.model.label(), self.depvar, self.n, self.periods)
    }

    fn coefficient_table(&self) -> ResultTable {
        let mut t = ResultTable::new("spatial.coefficients", format!("Spatial regression ({})", self.model.label()), &["", self.model.label()]);
        t.push(TableRow::new("Dependent variable", vec![Cell::text(self.depvar.clone())]).header());
        for c in &self.coefficients {
            t.push(TableRow::new(c.term.clone(), vec![c.cell(DIGITS)]));
        }
        let crit = norm_quantile(1.0 - (1.0 - self.conf_level) / 2.0);
        let mut first = true;
        for (name, v, se) in [("ρ", self.rho, self.rho_se), ("λ", self.lambda, self.lambda_se)] {
            if let Some(v) = v {
                let row = TableRow::new(name, vec![z_estimate(name, v, se.unwrap_or(f64::NAN), crit).cell(DIGITS)]);
                t.push(if first { row.ruled() } else { row });
                first = false;
            }
        }
        let s = TableRow::new("σ²", vec![Cell::number(self.sigma2, 6)]);
        t.push(if first { s.ruled() } else { s });
        t.push(TableRow::new("Log-likelihood", vec![Cell::number(self.loglik, 3)]));
        t.push(TableRow::new("AIC", vec![Cell::number(self.aic, 3)]));
        t.push(TableRow::new("Observations", vec![Cell::integer(self.nobs)]));
        if self.periods > 1 {
            let unit = matches!(self.fe, SpatialFe::Unit | SpatialFe::Twoways);
            let time = matches!(self.fe, SpatialFe::Time | SpatialFe::Twoways);
            t.push(TableRow::new("Unit FE", vec![Cell::YesNo { value: unit }]));
            t.push(TableRow::new("Time FE", vec![Cell::YesNo { value: time }]));
        }
        t.notes.push(self.design_note());
        t.notes.push(if self.logdet.is_some() {
            "Asymptotic standard errors from the analytic information matrix (spatialreg); z tests.".to_string()
        } else {
            "OLS standard errors; t tests with N − k degrees of freedom.".to_string()
        });
        t.conf_level = Some(self.conf_level);
        t
    }

    fn impacts_table(&self) -> Option<ResultTable> {
        if self.impacts.is_empty() {
            return None;
        }
        let mut t = ResultTable::new(
            "spatial.impacts",
            format!("Direct, indirect and total effects ({})", self.model.label()),
            &["Variable", "Direct", "Indirect", "Total"],
        );
        let crit = norm_quantile(1.0 - (1.0 - self.conf_level) / 2.0);
        let cell = |term: &str, v: f64, se: Option<f64>| match se {
            Some(s) => z_estimate(term, v, s, crit).cell(DIGITS),
            None => Cell::number(v, DIGITS),
        };
        for i in &self.impacts {
            t.push(TableRow::new(
                i.term.clone(),
                vec![cell(&i.term, i.direct, i.direct_se), cell(&i.term, i.indirect, i.indirect_se), cell(&i.term, i.total, i.total_se)],
            ));
        }
        t.notes.push(match (self.impact_draws, self.model.lag()) {
            (Some(r), true) => format!("LeSage–Pace impacts, exact; standard errors from {r} simulated draws of the ML estimates."),
            (None, true) => "LeSage–Pace impacts, exact; no simulated standard errors requested.".to_string(),
            _ => "Direct = β, indirect = θ (coefficient of W·x), total = β + θ; analytic standard errors.".to_string(),
        });
        Some(t)
    }

    fn tests_table(&self) -> Option<ResultTable> {
        if self.tests.is_empty() {
            return None;
        }
        let mut t = ResultTable::new("spatial.tests", "Specification tests", &["Test", "Statistic", "df", "p-value"]);
        for s in &self.tests {
            t.push(TableRow::new(s.test.clone(), vec![Cell::number(s.statistic, 4), Cell::integer(s.df), Cell::number(s.p_value, 4)]));
        }
        t.notes.push("χ² tests: LR = 2(ℓ₁ − ℓ₀); Wald by the delta method on the ML covariance.".to_string());
        Some(t)
    }
}

impl Tables for SpatialModelResult {
    fn tables(&self) -> Vec<ResultTable> {
        let mut out = vec![self.coefficient_table()];
        out.extend(self.impacts_table());
        out.extend(self.tests_table());
        out
    }
}
