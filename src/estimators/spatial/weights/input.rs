//! Reading per-unit inputs from the data: the units (distinct values of the `unit` column
//! in order of first appearance), coordinates that must be the same in every row of a unit
//! (a panel repeats them each period), and means of a column over all rows of a unit.
//!
//! Missing values are skipped (a coordinate given in one period of a unit is enough); a
//! value that is not a number is refused with its unit and line; a unit with no value at
//! all is refused by name. Coordinates of one unit that differ between its rows by more
//! than `1e-9 · max(1, |value|)` are refused with both lines.

use super::{Geometry, WeightsSpec};
use crate::data::{ColumnData, Dataset};
use crate::error::{Error, Result};
use crate::estimators::spatial::layout::unit_labels;

/// The units of the data and which unit each row belongs to.
pub(crate) struct UnitRows {
    /// Distinct units, in order of first appearance.
    pub units: Vec<String>,
    /// `of_row[r]`: the unit index of data row `r`.
    pub of_row: Vec<usize>,
}

/// The `unit` of a spec, or an error saying that this kind needs it.
pub(crate) fn require_unit<'a>(spec: &'a WeightsSpec, what: &str) -> Result<&'a str> {
    match spec.unit.as_deref().map(str::trim) {
        Some(u) if !u.is_empty() => Ok(u),
        _ => Err(Error::invalid(format!("{what} weights need `unit`: the data column naming the units"))),
    }
}

/// The units of the data (see [`UnitRows`]).
pub(crate) fn unit_rows(ds: &Dataset, unit: &str) -> Result<UnitRows> {
    let labels = unit_labels(ds, unit)?;
    let mut pos: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut units = Vec::new();
    let mut of_row = Vec::with_capacity(labels.len());
    for l in labels {
        let next = units.len();
        let i = *pos.entry(l.clone()).or_insert(next);
        if i == next {
            units.push(l);
        }
        of_row.push(i);
    }
    if units.is_empty() {
        return Err(Error::insufficient(format!("column `{unit}` names no unit: the data have no rows")));
    }
    Ok(UnitRows { units, of_row })
}

fn line_of(ds: &Dataset, r: usize) -> String {
    ds.source_line(r).map(|l| format!("line {l}")).unwrap_or_else(|| format!("row {}", r + 1))
}

/// The numeric values of column `name` per row (`None` = missing); text that does not
/// parse as a number is refused with the unit and line.
fn values(ds: &Dataset, ur: &UnitRows, name: &str) -> Result<Vec<Option<f64>>> {
    let col = ds.column(name)?;
    match &col.data {
        ColumnData::Numeric { values, .. } => Ok(values.iter().map(|v| (!v.is_nan()).then_some(*v)).collect()),
        ColumnData::Text { values, .. } => values
            .iter()
            .enumerate()
            .map(|(r, v)| match v.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(s) => match s.parse::<f64>() {
                    Ok(x) if x.is_finite() => Ok(Some(x)),
                    _ => Err(Error::invalid(format!(
                        "unit `{}` has a non-numeric `{name}` value `{s}` at {}",
                        ur.units.get(ur.of_row.get(r).copied().unwrap_or(0)).map_or("", String::as_str),
                        line_of(ds, r)
                    ))),
                },
            })
            .collect(),
    }
}

/// One value per unit that must be the same in all of its rows (coordinates).
pub(crate) fn constant_per_unit(ds: &Dataset, ur: &UnitRows, name: &str) -> Result<Vec<f64>> {
    let vals = values(ds, ur, name)?;
    let mut out: Vec<Option<(f64, usize)>> = vec![None; ur.units.len()];
    for (r, v) in vals.iter().enumerate() {
        let (Some(v), Some(&i)) = (v, ur.of_row.get(r)) else { continue };
        match out[i] {
            None => out[i] = Some((*v, r)),
            Some((first, r0)) => {
                if (first - v).abs() > 1e-9 * first.abs().max(1.0) {
                    return Err(Error::invalid(format!(
                        "unit `{}` has different `{name}` values in different rows: {first} at {} and {v} at {}; coordinates must be the same in every period",
                        ur.units[i],
                        line_of(ds, r0),
                        line_of(ds, r)
                    )));
                }
            }
        }
    }
    collect(out.into_iter().map(|o| o.map(|(v, _)| v)).collect(), ur, name)
}

/// The mean of column `name` over all rows of each unit (missing values skipped).
pub(crate) fn mean_per_unit(ds: &Dataset, ur: &UnitRows, name: &str) -> Result<Vec<f64>> {
    let vals = values(ds, ur, name)?;
    let mut sum = vec![0.0; ur.units.len()];
    let mut cnt = vec![0usize; ur.units.len()];
    for (r, v) in vals.iter().enumerate() {
        if let (Some(v), Some(&i)) = (v, ur.of_row.get(r)) {
            sum[i] += v;
            cnt[i] += 1;
        }
    }
    collect(sum.iter().zip(&cnt).map(|(s, &c)| (c > 0).then(|| s / c as f64)).collect(), ur, name)
}

fn collect(v: Vec<Option<f64>>, ur: &UnitRows, name: &str) -> Result<Vec<f64>> {
    let missing: Vec<&str> = v.iter().zip(&ur.units).filter(|(x, _)| x.is_none()).map(|(_, u)| u.as_str()).collect();
    if !missing.is_empty() {
        return Err(Error::invalid(format!(
            "column `{name}` has no value for {} unit(s): {}",
            missing.len(),
            super::name_list(&missing)
        )));
    }
    Ok(v.into_iter().flatten().collect())
}

/// The coordinates a spec names: `x`/`y` (planar) or `lat`/`lon` (degrees, geographic).
/// `None` when it names none; an error when it names an incomplete or mixed set, or a
/// latitude outside ±90° / a longitude outside −180°…360° (swapped columns).
pub(crate) fn coordinates(ds: &Dataset, ur: &UnitRows, spec: &WeightsSpec) -> Result<Option<Geometry>> {
    let planar = spec.x.is_some() || spec.y.is_some();
    let geo = spec.lat.is_some() || spec.lon.is_some();
    if planar && geo {
        return Err(Error::invalid("give either planar coordinates (`x`, `y`) or geographic ones (`lat`, `lon`), not both"));
    }
    if planar {
        let (Some(x), Some(y)) = (spec.x.as_deref(), spec.y.as_deref()) else {
            return Err(Error::invalid("planar coordinates need both `x` and `y` columns"));
        };
        let (xs, ys) = (constant_per_unit(ds, ur, x)?, constant_per_unit(ds, ur, y)?);
        return Ok(Some(Geometry::from_points(xs.into_iter().zip(ys).map(|(a, b)| [a, b]).collect(), false)));
    }
    if geo {
        let (Some(lat), Some(lon)) = (spec.lat.as_deref(), spec.lon.as_deref()) else {
            return Err(Error::invalid("geographic coordinates need both `lat` and `lon` columns (degrees)"));
        };
        let (la, lo) = (constant_per_unit(ds, ur, lat)?, constant_per_unit(ds, ur, lon)?);
        for (i, (&a, &o)) in la.iter().zip(&lo).enumerate() {
            if !(-90.0..=90.0).contains(&a) || !(-180.0..=360.0).contains(&o) {
                return Err(Error::invalid(format!(
                    "unit `{}` has latitude {a} and longitude {o}: latitudes lie within ±90° and longitudes within −180°…360° (are `{lat}` and `{lon}` swapped?)",
                    ur.units[i]
                )));
            }
        }
        return Ok(Some(Geometry::from_points(lo.into_iter().zip(la).map(|(o, a)| [o, a]).collect(), true)));
    }
    Ok(None)
}

/// The coordinates of a distance-based kind: required.
pub(crate) fn require_coordinates(ds: &Dataset, ur: &UnitRows, spec: &WeightsSpec, what: &str) -> Result<Geometry> {
    coordinates(ds, ur, spec)?.ok_or_else(|| {
        Error::invalid(format!(
            "{what} weights need coordinates: `x` and `y` (planar) or `lat` and `lon` (degrees)"
        ))
    })
}
