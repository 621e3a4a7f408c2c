//! Spatial weight matrices: the shared type ([`SpatialWeights`]), the spec users
//! write ([`WeightsSpec`]) and one builder per kind, reached through [`build`].
//!
//! Every builder produces raw weights over named units; [`build`] then checks islands
//! (units without a neighbour: refused unless `allow_islands`, as spdep's
//! `zero.policy`), notes asymmetry, applies the scaling (row standardisation by default;
//! see [`standardise`](self::Standardise)) and attaches the units' geometry for maps.
//!
//! Unit order: the distinct values of `unit` in order of first appearance in the data for
//! every kind built from data columns (coordinates, means, a neighbour list); the
//! features' order for GeoJSON; the uploaded matrix's rows (or the data's units) for
//! `matrix`; the first component's for `product` and `nested`.

mod combine;
mod contiguity;
mod distance;
mod economic;
mod geojson;
mod geometry;
mod input;
mod kdtree;
mod linkmap;
mod matrix;
mod neighbours;
mod spec;
mod standardise;
mod summary;
mod uploaded;

pub use contiguity::SNAP;
pub use distance::{great_circle_km, EARTH_RADIUS_KM, MAX_DENSE};
pub use geometry::Geometry;
pub(crate) use matrix::name_list;
pub use matrix::{SpatialWeights, Standardise};
pub use spec::{ContiguityRule, WeightsKind, WeightsSpec};
pub use summary::{DegreeCount, WeightsSummary};

use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};

/// Raw weights of a builder, before islands are checked and the scaling applied.
#[derive(Debug, Clone, Default)]
pub(crate) struct Raw {
    pub units: Vec<String>,
    pub rows: standardise::Rows,
    pub geometry: Option<Geometry>,
    pub diagnostics: Diagnostics,
}

/// Builds the weight matrix a spec describes from the data `ds` (which supplies the units,
/// coordinates and columns; it may be a panel).
pub fn build(ds: &Dataset, spec: &WeightsSpec) -> Result<SpatialWeights> {
    let raw = build_raw(ds, spec)?;
    finish(raw, spec)
}

/// The raw weights of a spec (dispatch by kind).
pub(crate) fn build_raw(ds: &Dataset, spec: &WeightsSpec) -> Result<Raw> {
    match spec.kind {
        WeightsKind::Contiguity => neighbours::build(ds, spec),
        WeightsKind::Geojson => geojson::build(ds, spec),
        WeightsKind::Knn => distance::knn(ds, spec),
        WeightsKind::InverseDistance => distance::inverse(ds, spec),
        WeightsKind::DistanceBand => distance::band(ds, spec),
        WeightsKind::EconomicDistance => economic::build(ds, spec),
        WeightsKind::Matrix => uploaded::build(ds, spec),
        WeightsKind::Product => combine::product(ds, spec),
        WeightsKind::Nested => combine::nested(ds, spec),
    }
}

fn island_hint(kind: WeightsKind) -> &'static str {
    match kind {
        WeightsKind::InverseDistance => "; a larger `cutoff` gives them neighbours",
        WeightsKind::DistanceBand => "; a larger `upper` gives them neighbours",
        WeightsKind::Contiguity => "; they never appear in the neighbour list",
        _ => "",
    }
}

/// Islands, asymmetry note, scaling, geometry.
fn finish(raw: Raw, spec: &WeightsSpec) -> Result<SpatialWeights> {
    let Raw { units, mut rows, geometry, mut diagnostics } = raw;
    let style = spec.standardise.unwrap_or_default();
    let islands: Vec<&str> =
        rows.iter().zip(&units).filter(|(r, _)| r.is_empty()).map(|(_, u)| u.as_str()).collect();
    if !islands.is_empty() {
        let list = name_list(&islands);
        if !spec.allow_islands {
            return Err(Error::invalid(format!(
                "{} unit(s) have no neighbour: {list}{}. Set `allow_islands: true` to keep them as zero rows (spdep's zero.policy = TRUE)",
                islands.len(),
                island_hint(spec.kind)
            )));
        }
        let all: Vec<&str> = islands.clone();
        diagnostics.push(
            Diagnostic::warning(
                Code::WeightsIslands,
                format!("{} unit(s) have no neighbour and are kept as zero rows: {list}", islands.len()),
            )
            .with_detail(all.join(", ")),
        );
    }
    if let Some((i, j)) = standardise::first_asymmetry(&rows) {
        let one_way = rows
            .iter()
            .enumerate()
            .map(|(a, r)| r.iter().filter(|&&(b, _)| !rows[b].iter().any(|&(c, _)| c == a)).count())
            .sum::<usize>();
        let msg = if one_way > 0 {
            format!(
                "the weights are not symmetric: {one_way} of {} links have no link back (e.g. `{}` → `{}`)",
                rows.iter().map(Vec::len).sum::<usize>(),
                units[i],
                units[j]
            )
        } else {
            format!("the weights are not symmetric: links go both ways but with different weights (e.g. `{}` ↔ `{}`)", units[i], units[j])
        };
        diagnostics.push(Diagnostic::info(Code::WeightsAsymmetric, msg));
    }
    standardise::apply(&mut rows, style)?;
    let unit_column = spec.unit.clone().or_else(|| spec.of.iter().find_map(|c| c.unit.clone()));
    let mut w = SpatialWeights::from_rows(units, rows, style)?.with_unit_column(unit_column).with_diagnostics(diagnostics.iter().cloned());
    if let Some(g) = geometry {
        w = w.with_geometry(g)?;
    }
    Ok(w)
}

/// Refuses two unit sets that differ, naming the units on each side.
pub(crate) fn check_units(a: &[String], b: &[String], a_name: &str, b_name: &str) -> Result<()> {
    let sa: std::collections::HashSet<&str> = a.iter().map(String::as_str).collect();
    let sb: std::collections::HashSet<&str> = b.iter().map(String::as_str).collect();
    let only_b: Vec<&str> = b.iter().map(String::as_str).filter(|u| !sa.contains(u)).collect();
    if !only_b.is_empty() {
        return Err(Error::invalid(format!(
            "{} unit(s) in {b_name} are not in {a_name}: {}",
            only_b.len(),
            name_list(&only_b)
        )));
    }
    let only_a: Vec<&str> = a.iter().map(String::as_str).filter(|u| !sb.contains(u)).collect();
    if !only_a.is_empty() {
        return Err(Error::invalid(format!(
            "{} unit(s) in {a_name} are not in {b_name}: {}",
            only_a.len(),
            name_list(&only_a)
        )));
    }
    Ok(())
}
