//! Estimators: each a spec struct → `fit` → a result struct (serialisable, renderable).

pub mod did;
pub mod feols;
pub mod index;
pub mod psm;
pub mod psm_did;
