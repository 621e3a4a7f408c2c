//! # Quasi — policy evaluation in the browser
//!
//! A pure-Rust numerical core (data loading, fixest-style formulas, fixed-effect
//! regression, DID and event studies, placebo and randomization inference,
//! propensity score matching, composite indices) with one thin binding module
//! for WebAssembly (`wasm`, compiled only for `wasm32`).
//!
//! The core knows nothing of JavaScript and is tested natively with `cargo test`.

pub mod data;
pub mod diagnostics;
pub mod error;
pub mod estimators;
pub mod formula;
pub mod inference;
pub mod linalg;
pub mod recipe;
pub mod report;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use data::{Column, ColumnKind, Dataset};
pub use diagnostics::{Code, Diagnostic, Diagnostics, Severity};
pub use error::{Error, ErrorKind, Result};

/// The crate version (`quasi.version()` in JavaScript).
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
