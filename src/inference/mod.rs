//! Inference: distributions, variance estimators, bootstrap.

pub mod dist;
pub mod stats;
pub mod vcov;
