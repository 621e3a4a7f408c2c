//! The regression part of a spatial model or test: `y ~ x1 + x2 + …` evaluated on the
//! rows of a [`SpatialLayout`] (so row `t * n + i` is unit `i` of W in period `t`), and
//! the within transformations of a balanced panel (Elhorst: unit, time or two-way
//! demeaning, done exactly in closed form).

use serde::{Deserialize, Serialize};

use super::layout::SpatialLayout;
use super::SpatialWeights;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::formula::frame::{FrameOptions, ModelFrame};

/// Fixed effects of a spatial panel model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpatialFe {
    /// No fixed effects (pooled; an intercept unless the formula removes it).
    #[default]
    None,
    /// Unit fixed effects (demeaned by unit).
    Unit,
    /// Period fixed effects (demeaned by period).
    Time,
    /// Unit and period fixed effects (two-way demeaning).
    Twoways,
}

/// `y` and the regressors in layout order.
#[derive(Debug, Clone, PartialEq)]
pub struct SpatialDesign {
    /// Name of the dependent variable.
    pub depvar: String,
    /// Dependent variable.
    pub y: Vec<f64>,
    /// Regressor names (no intercept; see `intercept`).
    pub names: Vec<String>,
    /// Regressor columns.
    pub x: Vec<Vec<f64>>,
    /// True when the formula keeps an intercept (`- 1` or `+ 0` removes it).
    pub intercept: bool,
}

/// Evaluates `formula` (fixest-style terms: columns, `log(x)`, `i(region)`, interactions;
/// no `|` fixed-effects part — use the model's `fe` option) on the layout's rows.
/// A missing value is refused with its unit and period: a spatial model cannot drop a row.
pub fn design(ds: &Dataset, formula: &str, layout: &SpatialLayout, w: &SpatialWeights) -> Result<SpatialDesign> {
    let f = crate::formula::parse(formula)?;
    if !f.fixef.is_empty() {
        return Err(Error::invalid(format!(
            "formula `{formula}`: give fixed effects with the `fe` option (\"unit\", \"time\" or \"twoways\"), not after `|`"
        )));
    }
    if f.is_iv() {
        return Err(Error::invalid(format!("formula `{formula}`: spatial models have no instrumental-variable part")));
    }
    let sample = ds.take_rows(&layout.rows);
    let opts = FrameOptions { text_as_factor: true, required: Vec::new() };
    let frame = ModelFrame::build_with(&sample, &f, None, &[], &opts)?;
    if frame.n_missing > 0 || frame.rows.len() != layout.rows.len() {
        let kept: std::collections::HashSet<usize> = frame.rows.iter().copied().collect();
        let k = (0..layout.rows.len()).find(|k| !kept.contains(k)).unwrap_or(0);
        let when = if layout.t() > 1 { format!(" in period {}", layout.periods[k / layout.n]) } else { String::new() };
        let line = ds.source_line(layout.rows[k]).map(|l| format!(" (line {l})")).unwrap_or_default();
        return Err(Error::invalid(format!(
            "formula `{formula}`: a variable is missing for unit `{}`{when}{line} ({} row(s) in all); spatial models need every unit in every period",
            w.units()[k % layout.n],
            layout.rows.len() - frame.rows.len()
        )));
    }
    let names = frame.exog_names();
    let x: Vec<Vec<f64>> = frame.exog.into_iter().flat_map(|b| b.columns).collect();
    Ok(SpatialDesign { depvar: frame.depvar, y: frame.y, names, x, intercept: frame.intercept })
}

/// The within transformation of a balanced panel stored period by period
/// (`values[t * n + i]`): subtract unit means, period means, or both (adding back the
/// grand mean). Exact for a balanced panel.
pub fn demean(values: &[f64], n: usize, fe: SpatialFe) -> Vec<f64> {
    if n == 0 || values.is_empty() {
        return values.to_vec();
    }
    let t = values.len() / n;
    let unit_mean: Vec<f64> = (0..n).map(|i| (0..t).map(|s| values[s * n + i]).sum::<f64>() / t as f64).collect();
    let time_mean: Vec<f64> = (0..t).map(|s| values[s * n..(s + 1) * n].iter().sum::<f64>() / n as f64).collect();
    let grand = values.iter().sum::<f64>() / values.len() as f64;
    values
        .iter()
        .enumerate()
        .map(|(k, &v)| {
            let (s, i) = (k / n, k % n);
            match fe {
                SpatialFe::None => v,
                SpatialFe::Unit => v - unit_mean[i],
                SpatialFe::Time => v - time_mean[s],
                SpatialFe::Twoways => v - unit_mean[i] - time_mean[s] + grand,
            }
        })
        .collect()
}

/// The spatial lag `(I_T ⊗ W) v` of a panel stored period by period.
pub fn lag_panel(w: &SpatialWeights, values: &[f64]) -> Vec<f64> {
    let n = w.n();
    let mut out = vec![0.0; values.len()];
    for (src, dst) in values.chunks(n).zip(out.chunks_mut(n)) {
        if src.len() == n {
            w.lag_into(src, dst);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twoway_demeaning_removes_unit_and_period_means() {
        // 2 units × 3 periods, period by period.
        let v = [1.0, 4.0, 2.0, 7.0, 6.0, 5.0];
        let d = demean(&v, 2, SpatialFe::Twoways);
        for i in 0..2 {
            assert!((0..3).map(|s| d[s * 2 + i]).sum::<f64>().abs() < 1e-12);
        }
        for s in 0..3 {
            assert!((d[s * 2] + d[s * 2 + 1]).abs() < 1e-12);
        }
        assert_eq!(demean(&v, 2, SpatialFe::None), v.to_vec());
    }
}
