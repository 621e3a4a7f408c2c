//! What the user asks for: one flat spec per weight matrix, as the JS API writes it
//! (`{ kind: "knn", k: 4, unit: "id", x: "X", y: "Y" }`). Inputs that are not plain
//! values (a neighbour-list dataset, an uploaded matrix, GeoJSON bytes) are not
//! deserialised: the caller (the wasm binding, or Rust code) sets them.

use serde::Deserialize;

use super::Standardise;
use crate::data::Dataset;

/// The kinds of weight matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightsKind {
    /// Contiguity from a neighbour list (`neighbors` dataset with `from`, `to` columns).
    #[default]
    Contiguity,
    /// Contiguity from GeoJSON polygons (`geojson`, `id`, `rule`).
    Geojson,
    /// `k` nearest neighbours from coordinates.
    Knn,
    /// `1 / d^power` from coordinates, zero beyond an optional `cutoff`.
    InverseDistance,
    /// Binary links for `lower <= d <= upper` (spdep's `dnearneigh` bounds since 1.1-7).
    DistanceBand,
    /// `1 / |m_i − m_j|`, `m` the mean of `column` over all periods of a unit.
    EconomicDistance,
    /// A full matrix uploaded as a dataset (`matrix`).
    Matrix,
    /// The element-wise product of the matrices in `of` (before standardisation).
    Product,
    /// `phi · A + (1 − phi) · B` for the two matrices in `of` (each row-standardised first).
    Nested,
}

/// Contiguity rule for polygons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContiguityRule {
    /// A shared vertex is enough.
    #[default]
    Queen,
    /// More than one shared boundary point is needed (spdep's `poly2nb(queen = FALSE)` rule;
    /// usually a shared edge).
    Rook,
}

/// A weight-matrix spec.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightsSpec {
    pub kind: WeightsKind,
    /// The data column naming the units.
    #[serde(default)]
    pub unit: Option<String>,
    /// Scaling; row standardisation by default.
    #[serde(default)]
    pub standardise: Option<Standardise>,
    /// Keep units with no neighbour as zero rows (spdep's `zero.policy = TRUE`).
    #[serde(default)]
    pub allow_islands: bool,

    /// Neighbour list: the dataset of links (set by the caller) and its two columns.
    #[serde(skip)]
    pub neighbors: Option<Dataset>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// Make a neighbour list or k-nearest-neighbour links symmetric (a link either way
    /// becomes both ways, spdep's `make.sym.nb`).
    #[serde(default)]
    pub symmetric: bool,

    /// Planar coordinates.
    #[serde(default)]
    pub x: Option<String>,
    #[serde(default)]
    pub y: Option<String>,
    /// Geographic coordinates in degrees (great-circle distances in km).
    #[serde(default)]
    pub lat: Option<String>,
    #[serde(default)]
    pub lon: Option<String>,
    /// Number of neighbours (`knn`).
    #[serde(default)]
    pub k: Option<usize>,
    /// Distance decay power (`inverse_distance`; 1 by default).
    #[serde(default)]
    pub power: Option<f64>,
    /// Zero weight beyond this distance (`inverse_distance`).
    #[serde(default)]
    pub cutoff: Option<f64>,
    /// Distance band bounds (`distance_band`; lower 0 by default).
    #[serde(default)]
    pub lower: Option<f64>,
    #[serde(default)]
    pub upper: Option<f64>,

    /// Economic distance: the column averaged per unit.
    #[serde(default)]
    pub column: Option<String>,

    /// An uploaded matrix (set by the caller).
    #[serde(skip)]
    pub matrix: Option<Dataset>,

    /// GeoJSON bytes (set by the caller), the feature property naming units, the rule.
    #[serde(skip)]
    pub geojson: Option<Vec<u8>>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub rule: Option<ContiguityRule>,

    /// Component matrices (`product`, `nested`); a component without `unit` takes this
    /// spec's. Inputs set by the caller (`neighbors`, `matrix`, `geojson`) go on the
    /// component that uses them.
    #[serde(default)]
    pub of: Vec<WeightsSpec>,
    /// Mixing weight of `nested` (0.5 by default): `phi · A + (1 − phi) · B`.
    #[serde(default)]
    pub phi: Option<f64>,
}
