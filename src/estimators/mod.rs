//! Estimators: each a spec struct → `fit` → a result struct (serialisable, renderable).

pub mod feols;
