//! Lagrange-multiplier tests for spatial dependence in OLS residuals (Anselin 1988;
//! Anselin, Bera, Florax & Yoon 1996): LM-error, LM-lag, their robust forms and SARMA, as
//! spdep 1.2-7's `lm.LMtests(..., test = "all")` for a cross-section and, for a panel,
//! Elhorst's (2014) panel forms: the same formulas on the (fixed-effect demeaned) stacked
//! data with `I_T ⊗ W`, so that `T_W = tr(W'W + W²)` becomes `T · tr(W'W + W²)`,
//! `σ² = e'e / NT`.

use serde::{Deserialize, Serialize};

use super::design::{demean, design, lag_panel, SpatialFe};
use super::layout::layout;
use super::SpatialWeights;
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::inference::dist::chi2_sf;
use crate::linalg::qr::Qr;
use crate::report::table::{Cell, ResultTable, TableRow, Tables};

/// Spec of [`lm_tests`] (the weights are passed separately).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LmTestSpec {
    /// `y ~ x1 + x2 + …` (an intercept unless removed; dropped under fixed effects).
    pub formula: String,
    /// The column naming the units; defaults to the weights' unit column.
    #[serde(default)]
    pub unit: Option<String>,
    /// The time column of a panel.
    #[serde(default)]
    pub time: Option<String>,
    /// Fixed effects of a panel, removed by demeaning before the OLS.
    #[serde(default)]
    pub fe: SpatialFe,
}

/// One test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LmTest {
    /// spdep's name: "LMerr", "LMlag", "RLMerr", "RLMlag" or "SARMA".
    pub test: String,
    /// The LM statistic.
    pub statistic: f64,
    /// Degrees of freedom of its χ² reference (1; 2 for SARMA).
    pub df: usize,
    /// Upper-tail χ² p-value.
    pub p_value: f64,
}

/// Result of [`lm_tests`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LmTests {
    /// LMerr, LMlag, RLMerr, RLMlag, SARMA.
    pub tests: Vec<LmTest>,
    /// Observations (N·T).
    pub nobs: usize,
    /// Units.
    pub n: usize,
    /// Periods (1 for a cross-section).
    pub periods: usize,
    /// Fixed effects removed.
    pub fe: SpatialFe,
    /// The regressors of the OLS (after dropping collinear ones).
    pub regressors: Vec<String>,
    /// σ² = e'e / NT.
    pub sigma2: f64,
    /// The formula.
    pub formula: String,
    /// Non-fatal events (collinear regressors dropped, islands).
    pub diagnostics: Diagnostics,
}

/// The statistics from residuals `e`, fitted values `yhat`, `y`, the QR of X, and `W`.
struct Parts {
    du_wu: f64,
    du_wy: f64,
    tr_w: f64,
    nj: f64,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `T · tr(W'W + W W)`.
fn trace_term(w: &SpatialWeights, periods: usize) -> f64 {
    let mut t = 0.0;
    for i in 0..w.n() {
        for (j, v) in w.row(i) {
            t += v * v + v * w.get(j, i);
        }
    }
    t * periods as f64
}

fn parts(y: &[f64], qr: &Qr, w: &SpatialWeights, periods: usize) -> (Parts, f64) {
    let e = qr.residual(y);
    let nobs = y.len() as f64;
    let sigma2 = dot(&e, &e) / nobs;
    let yhat: Vec<f64> = y.iter().zip(&e).map(|(a, b)| a - b).collect();
    let wyhat = lag_panel(w, &yhat);
    let m_wyhat = qr.residual(&wyhat);
    let tr_w = trace_term(w, periods);
    let nj = (dot(&m_wyhat, &m_wyhat) + tr_w * sigma2) / sigma2;
    let p = Parts { du_wu: dot(&e, &lag_panel(w, &e)) / sigma2, du_wy: dot(&e, &lag_panel(w, y)) / sigma2, tr_w, nj };
    (p, sigma2)
}

fn tests_from(p: &Parts) -> Vec<LmTest> {
    let lm_err = p.du_wu * p.du_wu / p.tr_w;
    let lm_lag = p.du_wy * p.du_wy / p.nj;
    let r_err = (p.du_wu - p.tr_w / p.nj * p.du_wy).powi(2) / (p.tr_w * (1.0 - p.tr_w / p.nj));
    let r_lag = (p.du_wy - p.du_wu).powi(2) / (p.nj - p.tr_w);
    let mk = |test: &str, statistic: f64, df: usize| LmTest { test: test.into(), statistic, df, p_value: chi2_sf(statistic, df as f64) };
    vec![
        mk("LMerr", lm_err, 1),
        mk("LMlag", lm_lag, 1),
        mk("RLMerr", r_err, 1),
        mk("RLMlag", r_lag, 1),
        mk("SARMA", r_lag + lm_err, 2),
    ]
}

/// LM tests of `spec.formula`'s OLS residuals against a spatial lag and a spatial error.
/// Cross-section (no `time`): spdep `lm.LMtests(lm(formula), listw, test = "all")`.
/// Panel (`time`): the balanced panel's variables are demeaned by `fe` (the intercept is
/// dropped when `fe` is not "none") and the tests use `I_T ⊗ W` (Elhorst 2014). The OLS is
/// solved by Householder QR; collinear regressors are dropped and reported.
pub fn lm_tests(ds: &Dataset, spec: &LmTestSpec, w: &SpatialWeights) -> Result<LmTests> {
    let unit = super::autocorrelation::sample::unit_column(spec.unit.as_deref(), w)?;
    if spec.time.is_none() && spec.fe != SpatialFe::None {
        return Err(Error::invalid("fixed effects (`fe`) need a panel: give `time`"));
    }
    let lay = layout(ds, w, unit, spec.time.as_deref(), None)?;
    if spec.fe != SpatialFe::None && lay.t() < 2 {
        return Err(Error::insufficient("fixed effects need at least two periods; with one period use `fe: \"none\"`"));
    }
    let d = design(ds, &spec.formula, &lay, w)?;
    let periods = lay.t();
    let nobs = d.y.len();
    let (y, mut cols, mut names) = if spec.fe == SpatialFe::None {
        (d.y.clone(), d.x.clone(), d.names.clone())
    } else {
        let x = d.x.iter().map(|c| demean(c, lay.n, spec.fe)).collect();
        (demean(&d.y, lay.n, spec.fe), x, d.names.clone())
    };
    if d.intercept && spec.fe == SpatialFe::None {
        cols.insert(0, vec![1.0; nobs]);
        names.insert(0, "(Intercept)".to_string());
    }
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let raw = if spec.fe == SpatialFe::None { &cols } else { &d.x };
    let mut norms: Vec<f64> = raw.iter().map(|c| dot(c, c).sqrt()).collect();
    if norms.len() < cols.len() {
        norms.insert(0, (nobs as f64).sqrt());
    }
    let qr = Qr::new(&refs, &norms, 1e-10);
    if nobs <= qr.rank() + 1 {
        return Err(Error::insufficient(format!("{nobs} observations for {} regressors: too few for the LM tests", qr.rank())));
    }
    let mut diagnostics = super::autocorrelation::sample::weights_diagnostics(w);
    if w.style() != super::Standardise::Row {
        diagnostics.push(Diagnostic::warning(
            Code::SpatialNote,
            "the weights are not row-standardised; the LM tests assume row-standardised weights (spdep warns likewise)",
        ));
    }
    if !qr.dropped.is_empty() {
        let gone: Vec<&str> = qr.dropped.iter().filter_map(|&k| names.get(k).map(String::as_str)).collect();
        diagnostics.push(Diagnostic::warning(
            Code::SpatialNote,
            format!("collinear regressor(s) dropped from the OLS: {}", gone.join(", ")),
        ));
    }
    let regressors = qr.kept.iter().filter_map(|&k| names.get(k).cloned()).collect();
    let (p, sigma2) = parts(&y, &qr, w, periods);
    if sigma2.is_nan() || sigma2 <= 0.0 {
        return Err(Error::numerical("the OLS residuals are all zero: the LM tests are undefined"));
    }
    Ok(LmTests { tests: tests_from(&p), nobs, n: lay.n, periods, fe: spec.fe, regressors, sigma2, formula: spec.formula.clone(), diagnostics })
}

impl Tables for LmTests {
    fn tables(&self) -> Vec<ResultTable> {
        let mut t = ResultTable::new("lm_tests", "Lagrange-multiplier tests for spatial dependence", &["Test", "Statistic", "df", "p-value"]);
        fn label(s: &str) -> &str {
            match s {
            "LMerr" => "LM-error",
            "LMlag" => "LM-lag",
            "RLMerr" => "Robust LM-error",
            "RLMlag" => "Robust LM-lag",
            "SARMA" => "SARMA (LM-lag robust + LM-error)",
            other => other,
            }
        }
        for x in &self.tests {
            t.push(TableRow::new(label(&x.test), vec![Cell::number(x.statistic, 4), Cell::integer(x.df), Cell::number(x.p_value, 4)]));
        }
        let panel = if self.periods > 1 {
            let fe = match self.fe {
                SpatialFe::None => "pooled, no fixed effects",
                SpatialFe::Unit => "unit fixed effects (demeaned)",
                SpatialFe::Time => "period fixed effects (demeaned)",
                SpatialFe::Twoways => "unit and period fixed effects (two-way demeaned)",
            };
            format!(" Panel of {} units × {} periods, {fe}; W applied within each period (I_T ⊗ W), as Elhorst (2014).", self.n, self.periods)
        } else {
            String::new()
        };
        t.notes.push(format!(
            "OLS of `{}` ({} observations), σ² = e'e/N. Anselin (1988), Anselin et al. (1996); spdep lm.LMtests conventions.{panel} Choose the model whose robust test rejects.",
            self.formula, self.nobs
        ));
        vec![t]
    }
}
