//! Spatial weight matrices: the shared type ([`SpatialWeights`]), the spec users
//! write ([`WeightsSpec`]) and one builder per kind.

mod matrix;
mod spec;

pub use matrix::{SpatialWeights, Standardise};
pub(crate) use matrix::name_list;
pub use spec::{ContiguityRule, WeightsKind, WeightsSpec};
