//! Economic distance: `w_ij = 1 / |m_i − m_j|` for `i ≠ j`, where `m_i` is the mean of
//! `column` over all rows (periods) of unit `i`, missing values skipped — the "economic
//! distance" matrix of the Chinese regional literature (e.g. per-capita GDP). Every pair
//! is linked (dense); two units with equal means are refused by name (1/0). Coordinates
//! in the spec (`x`/`y` or `lat`/`lon`) are optional and only used for the link map.

use super::distance::MAX_DENSE;
use super::input::{coordinates, mean_per_unit, require_unit, unit_rows};
use super::{Raw, WeightsSpec};
use crate::data::Dataset;
use crate::diagnostics::Diagnostics;
use crate::error::{Error, Result};

/// Builds `1/|m_i − m_j|`.
pub(crate) fn build(ds: &Dataset, spec: &WeightsSpec) -> Result<Raw> {
    let unit = require_unit(spec, "economic-distance")?;
    let column = spec
        .column
        .as_deref()
        .ok_or_else(|| Error::invalid("economic-distance weights need `column`: the variable averaged per unit (e.g. GDP per capita)"))?;
    let ur = unit_rows(ds, unit)?;
    let n = ur.units.len();
    if n > MAX_DENSE {
        return Err(Error::invalid(format!(
            "economic distance links every pair of the {n} units (more than {MAX_DENSE})"
        )));
    }
    let m = mean_per_unit(ds, &ur, column)?;
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let mut row = Vec::with_capacity(n.saturating_sub(1));
        for j in (0..n).filter(|&j| j != i) {
            let d = (m[i] - m[j]).abs();
            if d == 0.0 {
                return Err(Error::invalid(format!(
                    "units `{}` and `{}` have the same mean of `{column}` ({}): their economic distance 1/|m_i − m_j| is undefined",
                    ur.units[i], ur.units[j], m[i]
                )));
            }
            row.push((j, 1.0 / d));
        }
        rows.push(row);
    }
    let geometry = coordinates(ds, &ur, spec)?;
    Ok(Raw { units: ur.units, rows, geometry, diagnostics: Diagnostics::new() })
}
