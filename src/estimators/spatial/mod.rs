//! Spatial econometrics: weight matrices ([`weights`]), global and local spatial
//! autocorrelation, Lagrange-multiplier tests, and maximum-likelihood spatial
//! regressions (SAR, SEM, SDM, SLX, SDEM; cross-section and Elhorst fixed-effects
//! panels) with LeSage–Pace impacts.
//!
//! Conventions follow R's spdep and spatialreg unless a function says otherwise.

pub mod autocorrelation;
pub mod design;
pub mod layout;
pub mod lm_tests;
pub mod logdet;
pub mod model;
pub mod weights;

pub use weights::{SpatialWeights, Standardise, WeightsSpec};
pub use autocorrelation::{lisa, moran, LisaResult, MoranResult, MoranSpec};
pub use lm_tests::{lm_tests, LmTestSpec, LmTests};
pub use model::{fit, spatial_did, SpatialDidResult, SpatialDidSpec, SpatialModelResult, SpatialModelSpec};
