//! The variable of a Moran / LISA analysis, period by period, in weight-matrix order —
//! with the errors an analyst needs: unknown columns, a period that is not in the data
//! (with the periods that are), a missing value (unit and period named), no unit column.

use super::super::layout::{layout, unit_labels};
use super::super::SpatialWeights;
use super::MoranSpec;
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::estimators::spatial::weights::name_list;

/// One period's values (`period` is `None` for a cross-section).
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodValues {
    /// The period's display text.
    pub period: Option<String>,
    /// The variable, unit `i` of W at position `i`.
    pub values: Vec<f64>,
}

/// The unit column: the spec's, else the weights'.
pub fn unit_column<'a>(spec_unit: Option<&'a str>, w: &'a SpatialWeights) -> Result<&'a str> {
    spec_unit.or(w.unit_column()).ok_or_else(|| {
        Error::invalid(
            "no unit column: give `unit` (the column whose values name the units of the weight matrix)",
        )
    })
}

/// The variable `spec.y` per period (one entry for a cross-section or a chosen period).
pub fn period_values(ds: &Dataset, spec: &MoranSpec, w: &SpatialWeights) -> Result<Vec<PeriodValues>> {
    let unit = unit_column(spec.unit.as_deref(), w)?;
    ds.column(unit)?;
    let y = ds.numeric(&spec.y)?;
    let period = spec.period.as_ref().map(|p| p.0.as_str());
    if period.is_some() && spec.time.is_none() {
        return Err(Error::invalid("`period` needs `time`: name the column that holds the periods"));
    }
    if let (Some(t), Some(p)) = (spec.time.as_deref(), period) {
        check_period(ds, t, p)?;
    }
    let lay = layout(ds, w, unit, spec.time.as_deref(), period)?;
    let labels = unit_labels(ds, unit)?;
    let n = lay.n;
    let mut out = Vec::with_capacity(lay.t());
    for (t, name) in lay.periods.iter().enumerate() {
        let rows = lay.rows.get(t * n..(t + 1) * n).unwrap_or(&[]);
        let mut values = Vec::with_capacity(n);
        for &r in rows {
            let v = y.get(r).copied().unwrap_or(f64::NAN);
            if !v.is_finite() {
                let when = spec.time.as_ref().map(|_| format!(" in period {name}")).unwrap_or_default();
                let line = ds.source_line(r).map(|l| format!(" (line {l})")).unwrap_or_default();
                let who = labels.get(r).map(String::as_str).unwrap_or("?");
                return Err(Error::invalid(format!(
                    "column `{}` is missing for unit `{who}`{when}{line}; spatial statistics need every unit",
                    spec.y
                )));
            }
            values.push(v);
        }
        out.push(PeriodValues { period: spec.time.as_ref().map(|_| name.clone()), values });
    }
    Ok(out)
}

/// Refuses a period the time column does not hold, listing the ones it does.
fn check_period(ds: &Dataset, time: &str, period: &str) -> Result<()> {
    let col = ds.column(time)?;
    let mut have: Vec<String> = (0..ds.nrows()).filter(|&r| !col.is_missing(r)).map(|r| col.display(r)).collect();
    if have.iter().any(|p| p == period) {
        return Ok(());
    }
    have.sort_by(|a, b| match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        _ => a.cmp(b),
    });
    have.dedup();
    let range = match (have.first(), have.last()) {
        (Some(a), Some(b)) if have.len() > 8 => format!("{a} to {b}"),
        _ => name_list(&have.iter().map(String::as_str).collect::<Vec<_>>()),
    };
    Err(Error::invalid(format!("period `{period}` is not in column `{time}` (its periods: {range})")))
}

/// Refuses a variable that is constant in a period (Moran's I and Geary's C are 0/0) and
/// a matrix with fewer than four connected units (the moments divide by n − 3).
pub fn check_usable(y: &str, p: &PeriodValues, w: &SpatialWeights) -> Result<()> {
    let when = p.period.as_ref().map(|t| format!(" in period {t}")).unwrap_or_default();
    let first = p.values.first().copied().unwrap_or(0.0);
    if p.values.iter().all(|v| *v == first) {
        return Err(Error::insufficient(format!("column `{y}` is constant{when}: spatial autocorrelation is undefined")));
    }
    let connected = (0..w.n()).filter(|&i| w.degree(i) > 0).count();
    if connected < 4 {
        return Err(Error::insufficient(format!(
            "only {connected} unit(s) have neighbours; the moments of Moran's I and Geary's C need at least 4"
        )));
    }
    Ok(())
}

/// Diagnostics about the weights: islands (spdep's `zero.policy = TRUE` conventions).
pub fn weights_diagnostics(w: &SpatialWeights) -> Diagnostics {
    let mut d = Diagnostics::new();
    let islands = w.islands();
    if !islands.is_empty() {
        let names: Vec<&str> = islands.iter().filter_map(|&i| w.units().get(i).map(String::as_str)).collect();
        d.push(Diagnostic::warning(
            Code::WeightsIslands,
            format!(
                "{} unit(s) have no neighbours ({}); as spdep with zero.policy = TRUE, their lag is 0 and n, S0, S1, S2 count only the {} units with neighbours",
                islands.len(),
                name_list(&names),
                w.n() - islands.len()
            ),
        ));
    }
    d
}
