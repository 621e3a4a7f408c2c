//! Contiguity from GeoJSON polygons (RFC 7946 `FeatureCollection` of `Polygon` and
//! `MultiPolygon` features), computed in Rust. The units are the features, in file order,
//! named by the property `id` of the spec (or, without it, by each feature's own `id`
//! member). A feature without that property, with a duplicate id, without a geometry or
//! with another geometry type is refused, naming the feature (its 1-based position).
//! With `unit` given and data present, the data's units must be exactly the features'
//! (refused by name both ways); the data may be a panel.
//!
//! Links follow spdep's `poly2nb` (see [`super::contiguity`]). The geometry kept for maps is
//! the outer ring of every part; points are the area-weighted centroids (holes subtracted).
//! The coordinates are taken as longitude/latitude (`geographic`) when all lie within
//! ±180° × ±90°, else as planar.

use serde_json::Value;

use super::contiguity::{contiguity, SNAP};
use super::geometry::centroid;
use super::input::unit_rows;
use super::{check_units, ContiguityRule, Geometry, Raw, WeightsSpec};
use crate::data::Dataset;
use crate::diagnostics::Diagnostics;
use crate::error::{Error, Result};

/// One polygon: its rings, the outer ring first, then holes (closing vertex dropped).
pub(crate) type Polygon = Vec<Vec<[f64; 2]>>;

/// A parsed feature.
pub(crate) struct Feature {
    pub id: String,
    pub parts: Vec<Polygon>,
}

/// Builds queen (default) or rook contiguity from `spec.geojson`.
pub(crate) fn build(ds: &Dataset, spec: &WeightsSpec) -> Result<Raw> {
    let bytes = spec
        .geojson
        .as_deref()
        .ok_or_else(|| Error::invalid("GeoJSON weights need `geojson`: the bytes of a .geojson file"))?;
    let features = parse(bytes, spec.id.as_deref())?;
    let units: Vec<String> = features.iter().map(|f| f.id.clone()).collect();
    if let Some(u) = spec.unit.as_deref().filter(|u| !u.trim().is_empty() && ds.nrows() > 0) {
        let data_units = unit_rows(ds, u)?.units;
        check_units(&units, &data_units, "the GeoJSON features", "the data")?;
    }
    let rings: Vec<Vec<&[[f64; 2]]>> =
        features.iter().map(|f| f.parts.iter().flat_map(|p| p.iter().map(Vec::as_slice)).collect()).collect();
    let rule = spec.rule.unwrap_or_default();
    let rows = contiguity(&rings, rule == ContiguityRule::Queen, SNAP);
    let geographic = features
        .iter()
        .flat_map(|f| f.parts.iter().flatten().flatten())
        .all(|p| p[0].abs() <= 180.0 && p[1].abs() <= 90.0);
    let points = features
        .iter()
        .map(|f| {
            let pieces: Vec<(&[[f64; 2]], f64)> = f
                .parts
                .iter()
                .flat_map(|p| p.iter().enumerate().map(|(k, r)| (r.as_slice(), if k == 0 { 1.0 } else { -1.0 })))
                .collect();
            centroid(&pieces)
        })
        .collect();
    let polygons = features.into_iter().map(|f| f.parts.into_iter().filter_map(|p| p.into_iter().next()).collect()).collect();
    let rows = rows.into_iter().map(|r| r.into_iter().map(|j| (j, 1.0)).collect()).collect();
    Ok(Raw { units, rows, geometry: Some(Geometry { points, polygons, geographic }), diagnostics: Diagnostics::new() })
}

/// The id of a JSON value as data display text (`1`, not `1.0`; strings trimmed).
fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => n.as_f64().map(|x| format!("{x}")),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parses a `FeatureCollection` (or a single `Feature`) into named polygons.
pub(crate) fn parse(bytes: &[u8], id: Option<&str>) -> Result<Vec<Feature>> {
    let root: Value = serde_json::from_slice(bytes).map_err(|e| Error::invalid(format!("the GeoJSON file is not valid JSON: {e}")))?;
    let features: Vec<&Value> = match root.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => root
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::invalid("the GeoJSON FeatureCollection has no `features` list"))?
            .iter()
            .collect(),
        Some("Feature") => vec![&root],
        other => {
            return Err(Error::invalid(format!(
                "the GeoJSON file is a `{}`, not a FeatureCollection of polygons",
                other.unwrap_or("(no type)")
            )))
        }
    };
    if features.is_empty() {
        return Err(Error::insufficient("the GeoJSON file has no features"));
    }
    let mut out: Vec<Feature> = Vec::with_capacity(features.len());
    let mut seen = std::collections::HashMap::new();
    for (k, f) in features.iter().enumerate() {
        let which = format!("feature {} of {}", k + 1, features.len());
        let fid = match id {
            Some(p) => {
                let props = f.get("properties").and_then(Value::as_object);
                match props.and_then(|o| o.get(p)).and_then(id_text) {
                    Some(s) => s,
                    None => {
                        let have: Vec<&str> = props.map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
                        let have = if have.is_empty() { "none".to_string() } else { super::name_list(&have) };
                        return Err(Error::invalid(format!(
                            "GeoJSON {which} has no property `{p}` to name its unit (its properties: {have})"
                        )));
                    }
                }
            }
            None => f.get("id").and_then(id_text).ok_or_else(|| {
                Error::invalid(format!(
                    "GeoJSON {which} has no `id`: say which property names the units (`id: \"…\"` in the spec)"
                ))
            })?,
        };
        if let Some(first) = seen.insert(fid.clone(), k) {
            return Err(Error::invalid(format!("GeoJSON features {} and {} both have the id `{fid}`", first + 1, k + 1)));
        }
        let parts = geometry(f.get("geometry"), &format!("{which} (`{fid}`)"))?;
        out.push(Feature { id: fid, parts });
    }
    Ok(out)
}

fn geometry(g: Option<&Value>, which: &str) -> Result<Vec<Polygon>> {
    let g = g.filter(|g| !g.is_null()).ok_or_else(|| Error::invalid(format!("GeoJSON {which} has no geometry")))?;
    let coords = g.get("coordinates");
    match g.get("type").and_then(Value::as_str) {
        Some("Polygon") => Ok(vec![polygon(coords, which)?]),
        Some("MultiPolygon") => coords
            .and_then(Value::as_array)
            .ok_or_else(|| bad(which))?
            .iter()
            .map(|p| polygon(Some(p), which))
            .collect(),
        other => Err(Error::invalid(format!(
            "GeoJSON {which} is a `{}`: contiguity needs Polygon or MultiPolygon features",
            other.unwrap_or("(no type)")
        ))),
    }
}

fn bad(which: &str) -> Error {
    Error::invalid(format!("GeoJSON {which} has malformed coordinates"))
}

fn polygon(v: Option<&Value>, which: &str) -> Result<Polygon> {
    let rings = v.and_then(Value::as_array).ok_or_else(|| bad(which))?;
    if rings.is_empty() {
        return Err(bad(which));
    }
    rings
        .iter()
        .map(|r| {
            let mut ring: Vec<[f64; 2]> = r
                .as_array()
                .ok_or_else(|| bad(which))?
                .iter()
                .map(|p| {
                    let a = p.as_array().ok_or_else(|| bad(which))?;
                    match (a.first().and_then(Value::as_f64), a.get(1).and_then(Value::as_f64)) {
                        (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok([x, y]),
                        _ => Err(bad(which)),
                    }
                })
                .collect::<Result<_>>()?;
            if ring.len() > 1 && ring.first() == ring.last() {
                ring.pop();
            }
            if ring.len() < 3 {
                return Err(Error::invalid(format!("GeoJSON {which} has a ring with fewer than 3 vertices")));
            }
            Ok(ring)
        })
        .collect()
}
