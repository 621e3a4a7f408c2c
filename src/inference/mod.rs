//! Inference: distributions, variance estimators, bootstrap.

pub mod dist;
pub mod estimate;
pub mod normal;
pub mod replicate;
pub mod rng;
pub mod stats;
pub mod vcov;

pub use estimate::Estimate;
