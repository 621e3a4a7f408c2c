#![cfg_attr(not(feature = "full"), allow(unused_imports, dead_code))]
//! Running an analysis from its kind and JSON spec: the one dispatch that both the JS API
//! functions and `runRecipe` go through, so a recipe reruns exactly what produced the result.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;

use super::inline::{build_weights, WeightsWithSpec};
use super::{digest, Recipe};
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::estimators::spatial::{self, SpatialWeights};
use crate::estimators::{did, feols, index, psm, psm_did, staggered};
use crate::report::{ResultTable, Tables};
use crate::{Error, Result};

/// `psmCompare`'s result: the comparison table and its diagnostics.
#[derive(Debug, Clone, Serialize)]
pub struct PsmCompareResult {
    pub table: psm::ComparisonTable,
    pub diagnostics: Diagnostics,
}

impl Tables for PsmCompareResult {
    fn tables(&self) -> Vec<ResultTable> {
        self.table.tables()
    }
}

macro_rules! outputs {
    ($($(#[$m:meta])* $kind:literal => $variant:ident($ty:ty), tables: $tabled:tt, diagnostics: $r:ident => $diag:expr;)*) => {
        /// The result of any analysis (serialises as the result itself).
        #[derive(Debug, Clone, Serialize)]
        #[serde(untagged)]
        #[allow(clippy::large_enum_variant)]
        pub enum RecipeOutput { $($(#[$m])* $variant($ty),)* }

        /// Every analysis kind a recipe can name (in this build: see the `full` feature).
        pub const KINDS: &[&str] = &[$($(#[$m])* $kind),*];

        impl Tables for RecipeOutput {
            fn tables(&self) -> Vec<ResultTable> {
                match self { $($(#[$m])* RecipeOutput::$variant(r) => outputs!(@tables $tabled r),)* }
            }
        }

        impl RecipeOutput {
            /// The result's diagnostics, to add a note to.
            pub fn diagnostics_mut(&mut self) -> &mut Diagnostics {
                match self { $($(#[$m])* RecipeOutput::$variant($r) => $diag,)* }
            }
        }
    };
    (@tables yes $r:ident) => { $r.tables() };
    (@tables no $r:ident) => { { let _ = $r; Vec::new() } };
}

outputs! {
    "did" => Did(did::DidResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    "eventStudy" => EventStudy(did::EventStudyResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    "placebo" => Placebo(did::PlaceboResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    "wildBootstrap" => Wild(did::WildResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    "mediation" => Mediation(did::MediationResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    "heterogeneity" => Heterogeneity(did::HeteroResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    "robustness" => Robustness(did::RobustnessResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "psmDid" => PsmDid(psm_did::PsmDidResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "csdid" => Csdid(staggered::CsResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "baconDecomposition" => Bacon(staggered::BaconResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "staggeredCompare" => StaggeredCompare(staggered::CompareResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "honestDid" => Honest(staggered::HonestResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "sunab" => Sunab(staggered::SunabResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "did2s" => Did2s(staggered::ImputationResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "didImputation" => DidImputation(staggered::ImputationResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "psm" => Psm(psm::PsmResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "psmCompare" => PsmCompare(PsmCompareResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    "buildIndex" => Index(index::IndexResult), tables: yes, diagnostics: r => r.diagnostics_mut();
    #[cfg(feature = "full")]
    "locationQuotient" => Lq(index::LqResult), tables: no, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "hhi" => Hhi(index::HhiResult), tables: no, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "theil" => Theil(index::TheilResult), tables: no, diagnostics: r => &mut r.diagnostics;
    "feols" => Feols(feols::FeolsFit), tables: yes, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "moran" => Moran(spatial::MoranResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "lisa" => Lisa(spatial::LisaResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "lmTests" => LmTests(spatial::LmTests), tables: yes, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "spatialModel" => SpatialModel(spatial::SpatialModelResult), tables: yes, diagnostics: r => &mut r.diagnostics;
    #[cfg(feature = "full")]
    "spatialDid" => SpatialDid(spatial::SpatialDidResult), tables: yes, diagnostics: r => &mut r.model.diagnostics;
}

/// The kinds only the full build runs (matching, industrial-structure measures, staggered DID
/// estimators, spatial econometrics): the lean build holds the composite-index and DID
/// workflow the page opens with.
#[cfg_attr(feature = "full", allow(dead_code))]
pub const FULL_ONLY: &[&str] = &[
    "psm", "psmCompare", "psmDid", "locationQuotient", "hhi", "theil",
    "csdid", "baconDecomposition", "staggeredCompare", "honestDid", "sunab", "did2s", "didImputation",
    "moran", "lisa", "lmTests", "spatialModel", "spatialDid",
];

/// The typed spec of a JSON spec.
pub(super) fn typed<T: serde::de::DeserializeOwned>(spec: &Value, kind: &str) -> Result<T> {
    if spec.is_null() {
        return Err(Error::invalid(format!("{kind}: options are required")));
    }
    serde_json::from_value(spec.clone()).map_err(|e| Error::invalid(format!("invalid {kind} options: {e}")))
}

#[cfg(feature = "full")]
/// The spec without its `weights`, and the weight matrix to use: `prebuilt`, or built from the
/// spec's self-contained `weights`.
fn split_weights<'w>(
    ds: &Dataset,
    spec: &Value,
    kind: &str,
    prebuilt: Option<&'w SpatialWeights>,
) -> Result<(Value, Cow<'w, SpatialWeights>)> {
    let mut rest = spec.clone();
    let w = rest.as_object_mut().and_then(|o| o.remove("weights")).filter(|w| !w.is_null());
    let weights = match (prebuilt, w) {
        (Some(w), _) => Cow::Borrowed(w),
        (None, Some(w)) => Cow::Owned(build_weights(ds, &w)?.weights),
        (None, None) => {
            return Err(Error::invalid(format!(
                "{kind}: `weights` is required (a weight-matrix spec or a SpatialWeights object)"
            )))
        }
    };
    Ok((rest, weights))
}

/// Runs analysis `kind` with `spec` on `ds`. Spatial kinds take their matrix from `prebuilt`
/// when given (the JS API's `SpatialWeights` object), else from `spec.weights`.
/// `progress(fraction)` is called by long jobs; `false` cancels.
pub fn analyse(
    ds: &Dataset,
    kind: &str,
    spec: &Value,
    prebuilt: Option<&SpatialWeights>,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<RecipeOutput> {
    use RecipeOutput as O;
    #[cfg(feature = "full")]
    let spatial = |spec: &Value| split_weights(ds, spec, kind, prebuilt);
    #[cfg(not(feature = "full"))]
    let _ = prebuilt;
    Ok(match kind {
        "did" => O::Did(did::did(ds, &typed(spec, kind)?)?),
        "eventStudy" => O::EventStudy(did::event_study(ds, &typed(spec, kind)?)?),
        "placebo" => O::Placebo(did::placebo(ds, &typed(spec, kind)?, progress)?),
        "wildBootstrap" => O::Wild(did::wild_bootstrap(ds, &typed(spec, kind)?)?),
        "mediation" => O::Mediation(did::mediation(ds, &typed(spec, kind)?)?),
        "heterogeneity" => O::Heterogeneity(did::heterogeneity(ds, &typed(spec, kind)?)?),
        "robustness" => O::Robustness(did::robustness(ds, &typed(spec, kind)?)?),
        #[cfg(feature = "full")]
        "psmDid" => O::PsmDid(psm_did::psm_did(ds, &typed(spec, kind)?)?),
        #[cfg(feature = "full")]
        "csdid" => O::Csdid(staggered::csdid_with_progress(ds, &typed(spec, kind)?, progress)?),
        #[cfg(feature = "full")]
        "baconDecomposition" => O::Bacon(staggered::bacon_decomposition(ds, &typed(spec, kind)?)?),
        #[cfg(feature = "full")]
        "staggeredCompare" => O::StaggeredCompare(staggered::compare(ds, &typed(spec, kind)?, progress)?),
        #[cfg(feature = "full")]
        "honestDid" => O::Honest(staggered::honest_did(ds, &typed(spec, kind)?)?),
        #[cfg(feature = "full")]
        "sunab" => O::Sunab(staggered::sunab(ds, &typed(spec, kind)?)?),
        #[cfg(feature = "full")]
        "did2s" => O::Did2s(staggered::did2s(ds, &typed(spec, kind)?)?),
        #[cfg(feature = "full")]
        "didImputation" => O::DidImputation(staggered::did_imputation(ds, &typed(spec, kind)?)?),
        #[cfg(feature = "full")]
        "psm" => O::Psm(psm::psm(ds, &typed(spec, kind)?)?),
        #[cfg(feature = "full")]
        "psmCompare" => {
            let specs: Vec<psm::PsmSpec> = typed(spec, kind)?;
            let (base, rest) =
                specs.split_first().ok_or_else(|| Error::invalid("psmCompare needs at least one specification"))?;
            let table = psm::compare_methods(ds, base, rest)?;
            let diagnostics = table.diagnostics.clone();
            O::PsmCompare(PsmCompareResult { table, diagnostics })
        }
        "buildIndex" => O::Index(index::build_index(ds, &typed(spec, kind)?)?),
        #[cfg(feature = "full")]
        "locationQuotient" => O::Lq(index::location_quotient(ds, &typed(spec, kind)?)?),
        #[cfg(feature = "full")]
        "hhi" => O::Hhi(index::hhi(ds, &typed(spec, kind)?)?),
        #[cfg(feature = "full")]
        "theil" => O::Theil(index::theil(ds, &typed(spec, kind)?)?),
        "feols" => O::Feols(feols::feols(ds, &typed(spec, kind)?)?),
        #[cfg(feature = "full")]
        "moran" | "lisa" | "lmTests" | "spatialModel" | "spatialDid" => {
            let (rest, w) = spatial(spec)?;
            let w = w.as_ref();
            match kind {
                "moran" => O::Moran(spatial::moran(ds, &typed(&rest, kind)?, w)?),
                "lisa" => O::Lisa(spatial::lisa(ds, &typed(&rest, kind)?, w)?),
                "lmTests" => O::LmTests(spatial::lm_tests(ds, &typed(&rest, kind)?, w)?),
                "spatialModel" => O::SpatialModel(spatial::fit(ds, &typed(&rest, kind)?, w)?),
                _ => O::SpatialDid(spatial::spatial_did(ds, &typed(&rest, kind)?, w)?),
            }
        }
        #[cfg(not(feature = "full"))]
        other if FULL_ONLY.contains(&other) => {
            return Err(crate::ErrorKind::NotInThisBuild { what: format!("`{other}`") }.into())
        }
        other => {
            return Err(Error::invalid(format!(
                "unknown analysis kind `{other}` (one of: {})",
                KINDS.join(", ")
            )))
        }
    })
}

/// Runs analysis `kind` and returns the result with its recipe.
pub fn analyse_with_recipe(
    ds: &Dataset,
    kind: &str,
    spec: &Value,
    prebuilt: Option<&WeightsWithSpec>,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<(RecipeOutput, Recipe)> {
    let out = analyse(ds, kind, spec, prebuilt.map(|w| &w.weights), progress)?;
    let recipe_spec = match (prebuilt, spec) {
        (Some(w), Value::Object(o)) => {
            let mut o = o.clone();
            o.insert("weights".into(), w.spec.clone());
            Value::Object(o)
        }
        _ => spec.clone(),
    };
    Ok((out, Recipe::new(ds, kind, &recipe_spec)))
}

/// How [`run`] treats a recipe whose data hash differs.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunOptions {
    /// Run on data whose SHA-256 differs from the recipe's (e.g. updated data), with a note.
    #[serde(default)]
    pub accept_different_data: bool,
}

/// A recipe's result and the recipe (its `data_sha256` that of the data it ran on).
#[derive(Debug, Clone)]
pub struct RecipeRun {
    pub output: RecipeOutput,
    pub recipe: Recipe,
}

/// Runs a recipe on `ds`: refuses data whose hash differs (unless accepted), then runs the spec.
pub fn run(ds: &Dataset, recipe: &Recipe, options: &RunOptions, progress: &mut dyn FnMut(f64) -> bool) -> Result<RecipeRun> {
    let missing: Vec<&str> = recipe.columns.iter().filter(|c| !ds.has_column(c)).map(String::as_str).collect();
    if !missing.is_empty() {
        return Err(Error::invalid(format!(
            "the data lack the column{} the recipe reads: {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
        )));
    }
    let found = digest::data_sha256(ds, &recipe.columns);
    let changed = found != recipe.data_sha256;
    if changed && !options.accept_different_data {
        return Err(Error::invalid(format!(
            "these data are not the data the recipe was saved with: the SHA-256 of its columns ({}) is {}…, the recipe expects {}…; \
             load the same file, or pass {{ accept_different_data: true }} to run it on these data",
            recipe.columns.join(", "),
            &found[..12.min(found.len())],
            &recipe.data_sha256[..12.min(recipe.data_sha256.len())],
        )));
    }
    let mut output = analyse(ds, &recipe.kind, &recipe.spec, None, progress)?;
    // The same recipe, with the hash of the data it ran on (the same columns, by name).
    let mut again = Recipe { data_sha256: found.clone(), ..recipe.clone() };
    if changed {
        output.diagnostics_mut().push(Diagnostic::warning(
            Code::RecipeDataChanged,
            format!(
                "the recipe ran on data that differ from the data it was saved with (SHA-256 {}… instead of {}…), as requested",
                &found[..12.min(found.len())],
                &recipe.data_sha256[..12.min(recipe.data_sha256.len())],
            ),
        ));
    }
    if recipe.quasi_version != crate::version() {
        output.diagnostics_mut().push(Diagnostic::info(
            Code::RecipeVersionDiffers,
            format!(
                "the recipe was saved with Quasi {} and ran with Quasi {}; results can differ where an estimator changed",
                recipe.quasi_version,
                crate::version()
            ),
        ));
        again.quasi_version = crate::version().to_string();
    }
    Ok(RecipeRun { output, recipe: again })
}
