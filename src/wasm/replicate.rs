//! Bindings for a pool of workers sharing an analysis's draws (www/pool.js): the draw count,
//! a range of draws, the finish from every block, and dataset snapshots to hand the columns
//! an analysis reads to the other workers. No logic: each calls one core function.

use wasm_bindgen::prelude::*;

use super::{call_progress, js_error, json_of, to_js_analysis, JsDataset};
use crate::data::Dataset;
use crate::inference::replicate::{DrawBlock, DrawRange};
use crate::recipe::{self, replicate};

/// How many draws analysis `kind` (an API function's name) makes with options `spec`;
/// `undefined` when it makes none or cannot split them across workers.
#[wasm_bindgen(js_name = replicationCount)]
pub fn replication_count(kind: &str, spec: JsValue) -> Result<Option<u32>, JsValue> {
    let spec = json_of(&spec, kind)?;
    let n = replicate::draw_count(kind, &spec).map_err(js_error)?;
    Ok(n.map(|n| n.min(u32::MAX as usize) as u32))
}

/// The columns analysis options `spec` read from `ds` (what a snapshot for another worker needs).
#[wasm_bindgen(js_name = usedColumns)]
pub fn used_columns(ds: &JsDataset, spec: JsValue) -> Result<Vec<String>, JsValue> {
    Ok(recipe::columns::used_columns(&ds.inner, &json_of(&spec, "usedColumns")?))
}

/// The analyses (API functions' names) whose results carry a recipe, in this build.
#[wasm_bindgen(js_name = recipeKinds)]
pub fn recipe_kinds() -> Vec<String> {
    recipe::KINDS.iter().map(|k| k.to_string()).collect()
}

/// Draws `start..end` of analysis `kind`: `{ start, end, width, values: Float64Array }`
/// (`width` statistics per draw, draw after draw). `progress(fraction)` may cancel.
#[wasm_bindgen]
pub fn replicate(
    ds: &JsDataset,
    kind: &str,
    spec: JsValue,
    start: u32,
    end: u32,
    progress: Option<js_sys::Function>,
) -> Result<JsValue, JsValue> {
    let spec = json_of(&spec, kind)?;
    let mut cb = |fraction: f64| progress.as_ref().map_or(true, |f| call_progress(f, fraction));
    let range = DrawRange { start: start as usize, end: end as usize };
    let block = replicate::draws(&ds.inner, kind, &spec, range, &mut cb).map_err(js_error)?;
    let out = js_sys::Object::new();
    js_sys::Reflect::set(&out, &"start".into(), &JsValue::from(block.start as u32))?;
    js_sys::Reflect::set(&out, &"end".into(), &JsValue::from(block.end as u32))?;
    js_sys::Reflect::set(&out, &"width".into(), &JsValue::from(block.width as u32))?;
    js_sys::Reflect::set(&out, &"values".into(), &js_sys::Float64Array::from(&block.values[..]))?;
    Ok(out.into())
}

/// Finishes analysis `kind` from `blocks` (what `replicate` returned for ranges covering
/// every draw, in any order): the same result, recipe included, as the one-call function.
#[wasm_bindgen(js_name = analyseWithDraws)]
pub fn analyse_with_draws(
    ds: &JsDataset,
    kind: &str,
    spec: JsValue,
    blocks: js_sys::Array,
    progress: Option<js_sys::Function>,
) -> Result<JsValue, JsValue> {
    let spec = json_of(&spec, kind)?;
    let blocks = blocks.iter().map(|b| block_of(&b)).collect::<Result<Vec<_>, JsValue>>()?;
    let mut cb = |fraction: f64| progress.as_ref().map_or(true, |f| call_progress(f, fraction));
    let (out, recipe) = replicate::analyse_with_draws(&ds.inner, kind, &spec, blocks, &mut cb).map_err(js_error)?;
    to_js_analysis(&out, &recipe)
}

fn block_of(v: &JsValue) -> Result<DrawBlock, JsValue> {
    let field = |k: &str| js_sys::Reflect::get(v, &JsValue::from_str(k));
    let count = |k: &str| -> Result<usize, JsValue> {
        field(k)?
            .as_f64()
            .filter(|x| *x >= 0.0 && x.fract() == 0.0)
            .map(|x| x as usize)
            .ok_or_else(|| js_sys::Error::new(&format!("a replication block's `{k}` is not a count")).into())
    };
    let values = field("values")?;
    let values = values
        .dyn_ref::<js_sys::Float64Array>()
        .ok_or_else(|| JsValue::from(js_sys::Error::new("a replication block's `values` is not a Float64Array")))?
        .to_vec();
    Ok(DrawBlock { start: count("start")?, end: count("end")?, width: count("width")?, values })
}

#[wasm_bindgen(js_class = Dataset)]
impl JsDataset {
    /// The named columns (all when omitted) as a snapshot (`Uint8Array`) that
    /// `Dataset.fromSnapshot` reads back exactly, e.g. in another worker.
    pub fn snapshot(&self, columns: Option<Vec<String>>) -> Result<Vec<u8>, JsValue> {
        self.inner.to_snapshot(columns.as_deref()).map_err(js_error)
    }

    /// A dataset from a snapshot made by `dataset.snapshot()`.
    #[wasm_bindgen(js_name = fromSnapshot)]
    pub fn from_snapshot(bytes: &[u8]) -> Result<JsDataset, JsValue> {
        Ok(JsDataset::new(Dataset::from_snapshot(bytes).map_err(js_error)?, None))
    }
}
