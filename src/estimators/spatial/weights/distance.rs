//! Weights from distances between unit coordinates: `k` nearest neighbours, inverse
//! distance `1/d^power` (optionally zero beyond a cutoff) and distance bands.
//!
//! Distances are planar Euclidean for `x`/`y`, and great-circle kilometres for `lat`/`lon`
//! in degrees: the haversine formula on a sphere of radius 6371 km (the convention of the
//! shared provinces reference). spdep's `longlat = TRUE` distances use another earth model
//! (they differ from the sphere's by up to about 0.3 %), so neighbour sets agree with
//! spdep's except at near-ties (on the provinces, Shanghai's 4th neighbour: Fujian and
//! Jiangxi are 0.2 % apart).
//!
//! Conventions (spdep): `knn` follows `knearneigh` + `knn2nb` (binary, not symmetric);
//! a band follows `dnearneigh(lower, upper)` with bounds `lower ≤ d ≤ upper`; inverse
//! distance with a cutoff is `dnearneigh(0, cutoff)` + `nbdists` with weights `1/d^power`.
//! Neighbour searches use a k-d tree (`O(n log n)`, no `n × n` matrix); inverse distance
//! without a cutoff is dense and limited to [`MAX_DENSE`] units.

use super::input::{require_coordinates, require_unit, unit_rows};
use super::kdtree::KdTree;
use super::{Geometry, Raw, WeightsSpec};
use crate::data::Dataset;
use crate::diagnostics::Diagnostics;
use crate::error::{Error, Result};

/// Earth radius of the great-circle distances, km.
pub const EARTH_RADIUS_KM: f64 = 6371.0;
/// Most units of a dense (no cutoff) inverse-distance matrix.
pub const MAX_DENSE: usize = 3000;

/// Haversine great-circle distance in km between `[lon, lat]` points in degrees.
pub fn great_circle_km(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (la1, la2) = (a[1].to_radians(), b[1].to_radians());
    let dla = la2 - la1;
    let dlo = (b[0] - a[0]).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// The distance between units `i` and `j` of a geometry (km when geographic).
pub(crate) fn distance(g: &Geometry, i: usize, j: usize) -> f64 {
    let (a, b) = (g.points[i], g.points[j]);
    if g.geographic {
        great_circle_km(a, b)
    } else {
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
    }
}

/// Points for the k-d tree: planar as is, geographic on a sphere of radius 6371 km in 3-D
/// (the chord is monotone in the great-circle distance).
fn embed(g: &Geometry) -> (Vec<[f64; 3]>, usize) {
    if !g.geographic {
        return (g.points.iter().map(|p| [p[0], p[1], 0.0]).collect(), 2);
    }
    let pts = g
        .points
        .iter()
        .map(|p| {
            let (lo, la) = (p[0].to_radians(), p[1].to_radians());
            [EARTH_RADIUS_KM * la.cos() * lo.cos(), EARTH_RADIUS_KM * la.cos() * lo.sin(), EARTH_RADIUS_KM * la.sin()]
        })
        .collect();
    (pts, 3)
}

/// Squared search radius in tree space for a distance `d` (a little wider; callers
/// re-check the exact distance).
fn tree_radius2(g: &Geometry, d: f64) -> f64 {
    let r = if g.geographic {
        let half = (d / (2.0 * EARTH_RADIUS_KM)).min(std::f64::consts::FRAC_PI_2);
        2.0 * EARTH_RADIUS_KM * half.sin()
    } else {
        d
    };
    (r * (1.0 + 1e-9) + 1e-12).powi(2)
}

struct Points {
    units: Vec<String>,
    geometry: Geometry,
}

fn points(ds: &Dataset, spec: &WeightsSpec, what: &str) -> Result<Points> {
    let unit = require_unit(spec, what)?;
    let ur = unit_rows(ds, unit)?;
    let geometry = require_coordinates(ds, &ur, spec, what)?;
    Ok(Points { units: ur.units, geometry })
}

fn raw(p: Points, rows: Vec<Vec<(usize, f64)>>) -> Raw {
    Raw { units: p.units, rows, geometry: Some(p.geometry), diagnostics: Diagnostics::new() }
}

/// `k` nearest neighbours (binary weights before standardisation); with `symmetric: true`
/// a link either way becomes both ways (spdep's `make.sym.nb`).
pub(crate) fn knn(ds: &Dataset, spec: &WeightsSpec) -> Result<Raw> {
    let p = points(ds, spec, "k-nearest-neighbour")?;
    let n = p.units.len();
    let k = spec.k.ok_or_else(|| Error::invalid("k-nearest-neighbour weights need `k`, the number of neighbours"))?;
    if k == 0 || k >= n {
        return Err(Error::invalid(format!(
            "k = {k} nearest neighbours is impossible with {n} units: k must be between 1 and {}",
            n.saturating_sub(1)
        )));
    }
    let (pts, dim) = embed(&p.geometry);
    let tree = KdTree::new(&pts, dim);
    let mut rows: Vec<Vec<(usize, f64)>> =
        (0..n).map(|i| tree.nearest(i, k).into_iter().map(|(_, j)| (j, 1.0)).collect()).collect();
    if spec.symmetric {
        // spdep's make.sym.nb: a link either way becomes both ways.
        let mut sets: Vec<std::collections::BTreeSet<usize>> =
            rows.iter().map(|r| r.iter().map(|x| x.0).collect()).collect();
        for (i, r) in rows.iter().enumerate() {
            for &(j, _) in r {
                sets[j].insert(i);
            }
        }
        rows = sets.into_iter().map(|s| s.into_iter().map(|j| (j, 1.0)).collect()).collect();
    }
    Ok(raw(p, rows))
}

fn positive(v: Option<f64>, name: &str, default: Option<f64>) -> Result<Option<f64>> {
    match v.or(default) {
        Some(x) if !(x.is_finite() && x > 0.0) => {
            Err(Error::invalid(format!("`{name}` must be a positive number, not {x}")))
        }
        x => Ok(x),
    }
}

fn coincident(p: &Points, i: usize, j: usize) -> Error {
    Error::invalid(format!(
        "units `{}` and `{}` have the same coordinates: an inverse distance 1/0 is undefined",
        p.units[i], p.units[j]
    ))
}

/// `1/d^power` (power 1 by default), zero beyond `cutoff` when given.
pub(crate) fn inverse(ds: &Dataset, spec: &WeightsSpec) -> Result<Raw> {
    let p = points(ds, spec, "inverse-distance")?;
    let n = p.units.len();
    let power = positive(spec.power, "power", Some(1.0))?.unwrap_or(1.0);
    let cutoff = positive(spec.cutoff, "cutoff", None)?;
    let weight = |d: f64| if power == 1.0 { 1.0 / d } else if power == 2.0 { 1.0 / (d * d) } else { d.powf(-power) };
    let mut rows: Vec<Vec<(usize, f64)>> = Vec::with_capacity(n);
    match cutoff {
        None => {
            if n > MAX_DENSE {
                return Err(Error::invalid(format!(
                    "inverse distance without a `cutoff` links every pair of the {n} units (more than {MAX_DENSE}): give a `cutoff`, or use k nearest neighbours"
                )));
            }
            for i in 0..n {
                let mut row = Vec::with_capacity(n.saturating_sub(1));
                for j in (0..n).filter(|&j| j != i) {
                    let d = distance(&p.geometry, i, j);
                    if d == 0.0 {
                        return Err(coincident(&p, i, j));
                    }
                    row.push((j, weight(d)));
                }
                rows.push(row);
            }
        }
        Some(c) => {
            let (pts, dim) = embed(&p.geometry);
            let tree = KdTree::new(&pts, dim);
            let r2 = tree_radius2(&p.geometry, c);
            for i in 0..n {
                let mut row = Vec::new();
                for (_, j) in tree.within(i, r2) {
                    let d = distance(&p.geometry, i, j);
                    if d == 0.0 {
                        return Err(coincident(&p, i, j));
                    }
                    if d <= c {
                        row.push((j, weight(d)));
                    }
                }
                rows.push(row);
            }
        }
    }
    Ok(raw(p, rows))
}

/// Binary links for `lower ≤ d ≤ upper` (`lower` 0 by default).
pub(crate) fn band(ds: &Dataset, spec: &WeightsSpec) -> Result<Raw> {
    let p = points(ds, spec, "distance-band")?;
    let upper = positive(spec.upper, "upper", None)?
        .ok_or_else(|| Error::invalid("distance-band weights need `upper`, the largest distance of a link"))?;
    let lower = spec.lower.unwrap_or(0.0);
    if !(lower.is_finite() && lower >= 0.0 && lower < upper) {
        return Err(Error::invalid(format!("the distance band needs 0 ≤ lower < upper; got lower = {lower}, upper = {upper}")));
    }
    let (pts, dim) = embed(&p.geometry);
    let tree = KdTree::new(&pts, dim);
    let r2 = tree_radius2(&p.geometry, upper);
    let rows = (0..p.units.len())
        .map(|i| {
            tree.within(i, r2)
                .into_iter()
                .filter(|&(_, j)| {
                    let d = distance(&p.geometry, i, j);
                    d >= lower && d <= upper
                })
                .map(|(_, j)| (j, 1.0))
                .collect()
        })
        .collect();
    Ok(raw(p, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_of_a_quarter_meridian() {
        let d = great_circle_km([0.0, 0.0], [0.0, 90.0]);
        assert!((d - EARTH_RADIUS_KM * std::f64::consts::FRAC_PI_2).abs() < 1e-9);
        assert_eq!(great_circle_km([116.4, 39.9], [116.4, 39.9]), 0.0);
    }
}
