//! The numbers a spatial regression works on: `y` and `X` in layout order (period by
//! period, W's unit order), demeaned for panel fixed effects, with the Durbin columns.
//!
//! Panels follow the convention of the provinces reference (spatialreg on demeaned data
//! with `I_T ⊗ W`): `y` and `X` are demeaned; `Wy` is the lag of the demeaned `y` (what
//! `lagsarlm` computes from a Kronecker `listw`); a Durbin column `W_x` is the lag of the
//! raw `x`, then demeaned. (Both orders agree for unit fixed effects; with period or two-way
//! effects and a row-standardised W whose column sums are not one they differ — lagging the
//! demeaned `x` instead moves the provinces SDM's ρ from 0.1292 to 0.2447.)

use super::spec::ValidatedSpec;
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::estimators::spatial::design::{demean, design, lag_panel, SpatialFe};
use crate::estimators::spatial::layout::{layout, SpatialLayout};
use crate::estimators::spatial::weights::name_list;
use crate::estimators::spatial::{SpatialWeights, Standardise};
use crate::linalg::qr::Qr;

/// Relative tolerance of the collinearity check (a column whose part orthogonal to the
/// columns before it is below this fraction of its raw norm is collinear).
const COLLINEAR_TOL: f64 = 1e-8;

/// The intercept's name, as R prints it.
pub const INTERCEPT: &str = "(Intercept)";

/// The data of one fit.
#[derive(Debug, Clone)]
pub struct ModelData {
    /// Dependent variable's name.
    pub depvar: String,
    /// `y` (demeaned for fixed effects).
    pub y: Vec<f64>,
    /// Columns of X: intercept (if any), regressors, then the Durbin columns.
    pub x: Vec<Vec<f64>>,
    /// Their names (`(Intercept)`, `x1`, …, `W_x1`, …).
    pub names: Vec<String>,
    /// Norms of the columns before demeaning (collinearity reference).
    pub ref_norms: Vec<f64>,
    /// Index of the intercept column, if any.
    pub intercept: Option<usize>,
    /// The regressors with an impact: `(name, index of x, index of W_x if any)`.
    pub regressors: Vec<(String, usize, Option<usize>)>,
    /// Number of columns before the Durbin columns.
    pub k_main: usize,
    /// Units.
    pub n: usize,
    /// Periods (1 for a cross-section).
    pub t: usize,
    /// Period labels.
    pub periods: Vec<String>,
    /// Fixed effects.
    pub fe: SpatialFe,
    /// What building the data changed (a `W_(Intercept)` dropped as aliased).
    pub diagnostics: Diagnostics,
}

impl ModelData {
    /// Number of observations `nT`.
    pub fn nobs(&self) -> usize {
        self.y.len()
    }
    /// `(I_T ⊗ W) v`.
    pub fn lag(&self, w: &SpatialWeights, v: &[f64]) -> Vec<f64> {
        lag_panel(w, v)
    }
    /// The columns as slices.
    pub fn cols(&self) -> Vec<&[f64]> {
        self.x.iter().map(Vec::as_slice).collect()
    }
}

/// Lays out the data, evaluates the formula, adds the Durbin columns (when `durbin`),
/// demeans for fixed effects and refuses collinear columns by name.
pub fn model_data(ds: &Dataset, v: &ValidatedSpec, w: &SpatialWeights, durbin: bool) -> Result<ModelData> {
    let spec = &v.spec;
    let lay: SpatialLayout = layout(ds, w, &v.unit, spec.time.as_deref(), None)?;
    if spec.time.is_some() && lay.t() < 2 && spec.fe != SpatialFe::None {
        return Err(Error::insufficient("fixed effects need at least two periods"));
    }
    let d = design(ds, &spec.formula, &lay, w)?;
    let n = lay.n;
    let fe = spec.fe;
    let intercept = d.intercept && fe == SpatialFe::None;
    let mut names = Vec::new();
    let mut raw: Vec<Vec<f64>> = Vec::new();
    if intercept {
        names.push(INTERCEPT.to_string());
        raw.push(vec![1.0; d.y.len()]);
    }
    names.extend(d.names.iter().cloned());
    raw.extend(d.x.iter().cloned());
    let k_main = raw.len();
    let first = usize::from(intercept);
    let lagged: Vec<String> = if durbin { durbin_names(spec.durbin.as_deref(), &d.names)? } else { Vec::new() };
    let mut regressors: Vec<(String, usize, Option<usize>)> =
        d.names.iter().enumerate().map(|(j, nm)| (nm.clone(), first + j, None)).collect();
    let mut diagnostics = Diagnostics::new();
    if durbin && intercept && w.style() != Standardise::Row {
        // spatialreg's create_WX lags the intercept unless W is row-standardised, and drops
        // it (with a warning) when W's row sums are all equal: W·1 is then the intercept.
        let lagged_one = lag_panel(w, &raw[0]);
        if constant(&lagged_one) {
            diagnostics.push(Diagnostic::info(
                Code::SpatialNote,
                format!("W_{INTERCEPT} dropped: every unit's weights sum to the same number, so the lag of the intercept is the intercept (spatialreg drops it too)"),
            ));
        } else {
            names.push(format!("W_{INTERCEPT}"));
            raw.push(lagged_one);
        }
    }
    for nm in &lagged {
        let Some(j) = d.names.iter().position(|x| x == nm) else { continue };
        let col = lag_panel(w, &d.x[j]);
        if let Some(r) = regressors.get_mut(j) {
            r.2 = Some(raw.len());
        }
        names.push(format!("W_{nm}"));
        raw.push(col);
    }
    if raw.is_empty() {
        return Err(Error::invalid(format!("formula `{}` has no regressor", spec.formula)));
    }
    let ref_norms: Vec<f64> = raw.iter().map(|c| c.iter().map(|v| v * v).sum::<f64>().sqrt()).collect();
    let y = demean(&d.y, n, fe);
    let x: Vec<Vec<f64>> = raw.iter().map(|c| demean(c, n, fe)).collect();
    check_collinear(&names, &x, &ref_norms, fe)?;
    if y.len() <= x.len() + 1 {
        return Err(Error::insufficient(format!(
            "{} observations for {} coefficients: too few to fit a spatial model",
            y.len(),
            x.len()
        )));
    }
    Ok(ModelData {
        depvar: d.depvar,
        y,
        x,
        names,
        ref_norms,
        intercept: intercept.then_some(0),
        regressors,
        k_main,
        n,
        t: lay.t(),
        periods: lay.periods,
        fe,
        diagnostics,
    })
}

/// True when every value equals the first to within 1e-10 of its size.
fn constant(v: &[f64]) -> bool {
    let Some(&first) = v.first() else { return true };
    v.iter().all(|x| (x - first).abs() <= 1e-10 * first.abs().max(1e-300))
}

/// The regressors that get a `W_` term: all (default) or the ones named, in formula order.
fn durbin_names(chosen: Option<&[String]>, regressors: &[String]) -> Result<Vec<String>> {
    match chosen {
        None => Ok(regressors.to_vec()),
        Some(list) => {
            let unknown: Vec<&str> = list.iter().filter(|c| !regressors.contains(c)).map(String::as_str).collect();
            if !unknown.is_empty() {
                return Err(Error::invalid(format!(
                    "durbin: {} not among the regressors ({})",
                    name_list(&unknown),
                    regressors.join(", ")
                )));
            }
            Ok(regressors.iter().filter(|r| list.contains(r)).cloned().collect())
        }
    }
}

/// Refuses collinear columns, naming them (and saying when fixed effects absorbed them).
fn check_collinear(names: &[String], x: &[Vec<f64>], ref_norms: &[f64], fe: SpatialFe) -> Result<()> {
    let cols: Vec<&[f64]> = x.iter().map(Vec::as_slice).collect();
    let qr = Qr::new(&cols, ref_norms, COLLINEAR_TOL);
    if qr.dropped.is_empty() {
        return Ok(());
    }
    let bad: Vec<&str> = qr.dropped.iter().filter_map(|&j| names.get(j).map(String::as_str)).collect();
    let why = if fe == SpatialFe::None {
        String::new()
    } else {
        " (or constant within the fixed effects)".to_string()
    };
    Err(Error::invalid(format!(
        "collinear regressors: {} {} a linear combination of the columns before {}{why}; drop {}",
        name_list(&bad),
        if bad.len() == 1 { "is" } else { "are" },
        if bad.len() == 1 { "it" } else { "them" },
        if bad.len() == 1 { "it" } else { "them" }
    )))
}
