//! Maximum-likelihood spatial regressions (spatialreg conventions): SAR, SEM, SDM, SDEM
//! by concentrated ML with the exact eigenvalue log-determinant, SLX by OLS; cross-section
//! or balanced panel with unit, period or two-way fixed effects (Elhorst: demeaned data,
//! W within each period); LeSage–Pace impacts; LR/Wald tests; spatial DID.

pub mod data;
pub mod did;
pub mod fit;
pub mod impacts;
pub mod information;
pub mod likelihood;
pub mod lr_wald;
pub mod optimize;
pub mod result;
pub mod spec;
pub mod tables;

pub use did::{spatial_did, SpatialDidResult, SpatialDidSpec};
pub use fit::fit;
pub use impacts::Impact;
pub use result::{SpatialModelResult, SpatialTest};
pub use spec::{ImpactSpec, SpatialModelKind, SpatialModelSpec, ValidatedSpec};
