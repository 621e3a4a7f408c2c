//! Replications in pieces: the analyses whose draws a pool of workers can share.
//!
//! [`draw_count`] says how many draws a spec asks for; [`draws`] runs a range of them on any
//! worker holding the data (or a snapshot of the columns the spec reads); [`analyse_with_draws`]
//! joins the blocks and finishes the analysis on the worker that owns the data. Draw `b`
//! depends on the seed and `b` only (see [`crate::inference::replicate`]), so the result
//! equals [`super::analyse`]'s bit for bit whatever the split.

use serde_json::Value;

use super::run::{typed, RecipeOutput};
use super::Recipe;
use crate::data::Dataset;
#[cfg(feature = "full")]
use crate::estimators::staggered;
use crate::estimators::did;
#[cfg(feature = "full")]
use crate::estimators::psm;
use crate::inference::replicate::{DrawBlock, DrawRange};
use crate::{Error, Result};

/// The analyses that can split their draws.
pub const REPLICATING: &[&str] = &["placebo", "wildBootstrap", "mediation", #[cfg(feature = "full")] "psm", #[cfg(feature = "full")] "csdid"];

/// How many draws `spec` asks of analysis `kind`: `None` when it makes none (or the kind
/// cannot split them).
pub fn draw_count(kind: &str, spec: &Value) -> Result<Option<usize>> {
    Ok(match kind {
        "placebo" => did::placebo_draw_count(&typed(spec, kind)?),
        "wildBootstrap" => did::wild_bootstrap_draw_count(&typed(spec, kind)?),
        "mediation" => did::mediation_draw_count(&typed(spec, kind)?),
        #[cfg(feature = "full")]
        "psm" => psm::psm_draw_count(&typed(spec, kind)?),
        #[cfg(feature = "full")]
        "csdid" => staggered::csdid_draw_count(&typed(spec, kind)?),
        _ => None,
    })
}

/// Runs draws `range` of analysis `kind`.
pub fn draws(
    ds: &Dataset,
    kind: &str,
    spec: &Value,
    range: DrawRange,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<DrawBlock> {
    match kind {
        "placebo" => did::placebo_draws(ds, &typed(spec, kind)?, range, progress),
        "wildBootstrap" => did::wild_bootstrap_draws(ds, &typed(spec, kind)?, range, progress),
        "mediation" => did::mediation_draws(ds, &typed(spec, kind)?, range, progress),
        #[cfg(feature = "full")]
        "psm" => psm::psm_draws(ds, &typed(spec, kind)?, range, progress),
        #[cfg(feature = "full")]
        "csdid" => staggered::csdid_draws(ds, &typed(spec, kind)?, range, progress),
        other => Err(not_replicating(other)),
    }
}

/// Finishes analysis `kind` from the blocks of all its draws (in any order) and returns the
/// result with its recipe, as [`super::analyse_with_recipe`] would.
pub fn analyse_with_draws(
    ds: &Dataset,
    kind: &str,
    spec: &Value,
    blocks: Vec<DrawBlock>,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<(RecipeOutput, Recipe)> {
    use RecipeOutput as O;
    let block = DrawBlock::concat(blocks)?;
    let out = match kind {
        "placebo" => O::Placebo(did::placebo_with_draws(ds, &typed(spec, kind)?, &block, progress)?),
        "wildBootstrap" => O::Wild(did::wild_bootstrap_with_draws(ds, &typed(spec, kind)?, &block, progress)?),
        "mediation" => O::Mediation(did::mediation_with_draws(ds, &typed(spec, kind)?, &block, progress)?),
        #[cfg(feature = "full")]
        "psm" => O::Psm(psm::psm_with_draws(ds, &typed(spec, kind)?, &block, progress)?),
        #[cfg(feature = "full")]
        "csdid" => O::Csdid(staggered::csdid_with_draws(ds, &typed(spec, kind)?, &block, progress)?),
        other => return Err(not_replicating(other)),
    };
    Ok((out, Recipe::new(ds, kind, spec)))
}

fn not_replicating(kind: &str) -> Error {
    Error::invalid(format!("`{kind}` has no replications to split (one of: {})", REPLICATING.join(", ")))
}
