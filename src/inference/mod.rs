//! Inference: distributions, variance estimators, bootstrap.

pub mod dist;
pub mod vcov;
