//! Recipes: what it takes to run an analysis again and get the same result bit for bit.
//!
//! Every result of the JS API carries a [`Recipe`]: the Quasi version, the analysis `kind`
//! (the API function's name: `"did"`, `"eventStudy"`, `"placebo"`, `"psm"`, `"buildIndex"`,
//! …), the spec exactly as given (as JSON; a spatial analysis's weight matrix inline), its
//! seed, the columns it reads and the SHA-256 of those columns ([`digest`]). [`run`] runs a
//! recipe on a dataset: every estimator is deterministic for a given spec and seed, so the
//! result equals the original bit for bit; data whose hash differs are refused unless
//! [`RunOptions::accept_different_data`] is set, which notes the change in the diagnostics.

pub mod columns;
pub mod digest;
pub mod inline;
pub mod replicate;
mod run;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::data::Dataset;

pub use run::{analyse, analyse_with_recipe, run, PsmCompareResult, RecipeOutput, RecipeRun, RunOptions, KINDS};

/// A reproducible analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipe {
    /// The Quasi version that produced the result.
    pub quasi_version: String,
    /// The API function (`"did"`, `"eventStudy"`, `"placebo"`, …).
    pub kind: String,
    /// The spec as given to that function.
    pub spec: Value,
    /// The spec's random seed (`seed` anywhere in it), `null` when it sets none: the
    /// estimator's documented default seed applies, so a rerun is identical all the same.
    #[serde(default)]
    pub seed: Option<u64>,
    /// SHA-256 (hex) of the columns the analysis reads, in the data's column order.
    pub data_sha256: String,
    /// The columns the analysis reads.
    pub columns: Vec<String>,
}

impl Recipe {
    /// The recipe of running `kind` with `spec` on `ds`.
    pub fn new(ds: &Dataset, kind: &str, spec: &Value) -> Recipe {
        let columns = columns::used_columns(ds, spec);
        Recipe {
            quasi_version: crate::version().to_string(),
            kind: kind.to_string(),
            spec: spec.clone(),
            seed: find_seed(spec),
            data_sha256: digest::data_sha256(ds, &columns),
            columns,
        }
    }
}

/// The first `seed` in the spec (top level first, then nested options such as `bootstrap`).
fn find_seed(spec: &Value) -> Option<u64> {
    let obj = spec.as_object()?;
    if let Some(s) = obj.get("seed").and_then(Value::as_u64) {
        return Some(s);
    }
    obj.values().filter(|v| v.is_object()).find_map(find_seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seed_is_found_at_the_top_or_nested() {
        assert_eq!(find_seed(&json!({ "seed": 7, "bootstrap": { "seed": 3 } })), Some(7));
        assert_eq!(find_seed(&json!({ "y": "a", "bootstrap": { "reps": 9, "seed": 3 } })), Some(3));
        assert_eq!(find_seed(&json!({ "y": "a" })), None);
    }
}
