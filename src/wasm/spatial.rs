//! Bindings of the spatial family: weight matrices (a `SpatialWeights` class), Moran's I,
//! LISA, LM tests, spatial ML models and spatial DID. Options name their weight matrix in
//! `weights`: either a spec (`{ kind: "knn", k: 4, unit, x, y }`, see
//! `estimators::spatial::WeightsSpec`) or a `SpatialWeights` object built before.

use std::rc::Rc;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::handles::{DATASETS, WEIGHTS};
use super::{js_error, json_of, to_js, to_js_analysis, to_js_result, JsDataset};
use crate::recipe::{self, inline, RecipeOutput};

/// A spatial weight matrix over named units.
#[wasm_bindgen(js_name = SpatialWeights)]
pub struct JsSpatialWeights {
    inner: Rc<inline::WeightsWithSpec>,
    handle: u32,
}

impl JsSpatialWeights {
    fn new(w: inline::WeightsWithSpec) -> JsSpatialWeights {
        let inner = Rc::new(w);
        let handle = WEIGHTS.with(|r| r.register(&inner));
        JsSpatialWeights { inner, handle }
    }
}

impl Drop for JsSpatialWeights {
    fn drop(&mut self) {
        WEIGHTS.with(|r| r.release(self.handle));
    }
}

#[wasm_bindgen(js_class = SpatialWeights)]
impl JsSpatialWeights {
    /// Unit names, in matrix order.
    pub fn units(&self) -> Vec<String> {
        self.inner.weights.units().to_vec()
    }
    /// The dense matrix (`number[][]`, rows and columns in `units()` order).
    pub fn matrix(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.weights.dense())
    }
    /// Number of units.
    #[wasm_bindgen(getter)]
    pub fn n(&self) -> usize {
        self.inner.weights.n()
    }
    /// Summary: links, share of non-zeros, neighbours per unit, islands, symmetry, with `tables`.
    pub fn summary(&self) -> Result<JsValue, JsValue> {
        to_js_result(&self.inner.weights.summary())
    }
    /// What building the matrix noticed (islands, asymmetry, repaired inputs).
    pub fn diagnostics(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.weights.diagnostics())
    }
    /// A map of the links (SVG), drawn from the coordinates or polygons the matrix was built from.
    #[wasm_bindgen(js_name = linkMapSvg)]
    pub fn link_map_svg(&self) -> Result<String, JsValue> {
        self.inner.weights.link_map_svg().map_err(js_error)
    }
    /// An opaque id by which options objects refer to this matrix; not for users.
    #[wasm_bindgen(getter, js_name = __quasiWeights)]
    pub fn quasi_handle(&self) -> u32 {
        self.handle
    }
}

fn invalid(message: String) -> JsValue {
    js_error(crate::Error::invalid(message))
}

/// Takes property `key` out of a (copied) options object.
fn take(obj: &Object, key: &str) -> Result<Option<JsValue>, JsValue> {
    let k = JsValue::from_str(key);
    let v = Reflect::get(obj, &k)?;
    Reflect::delete_property(obj, &k)?;
    Ok(if v.is_undefined() || v.is_null() { None } else { Some(v) })
}

/// A table named in a weights spec: a `Dataset` object, or a table already written inline
/// (`{ columns: [...] }`, as recipes store it).
fn table_json(v: &JsValue, key: &str) -> Result<serde_json::Value, JsValue> {
    if let Some(rc) = DATASETS.with(|r| r.lookup(v, "__quasiDataset")) {
        return Ok(inline::dataset_to_json(&rc));
    }
    if v.is_object() && Reflect::has(v, &JsValue::from_str("columns")).unwrap_or(false) {
        return json_of(v, key);
    }
    Err(invalid(format!("weights: `{key}` must be a quasi.Dataset (read the file with quasi.Dataset.fromBytes)")))
}

/// GeoJSON given as bytes (`Uint8Array`, `ArrayBuffer`) or text, as text.
fn geojson_text(v: &JsValue) -> Result<String, JsValue> {
    if let Some(s) = v.as_string() {
        return Ok(s);
    }
    if v.is_instance_of::<Uint8Array>() || v.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(String::from_utf8_lossy(&Uint8Array::new(v).to_vec()).into_owned());
    }
    Err(invalid("weights: `geojson` must be the file's bytes (Uint8Array or ArrayBuffer) or its text".into()))
}

/// A weight-matrix spec from JS as self-contained JSON: datasets written inline, GeoJSON as text.
fn weights_json(spec: &JsValue) -> Result<serde_json::Value, JsValue> {
    if !spec.is_object() {
        return Err(invalid("weights: give a weight-matrix spec such as { kind: \"knn\", k: 4, unit, x, y } or a SpatialWeights object".into()));
    }
    let obj = Object::assign(&Object::new(), &Object::from(spec.clone()));
    let neighbors = take(&obj, "neighbors")?.map(|v| table_json(&v, "neighbors")).transpose()?;
    let matrix = take(&obj, "matrix")?.map(|v| table_json(&v, "matrix")).transpose()?;
    let geojson = take(&obj, "geojson")?.map(|v| geojson_text(&v)).transpose()?;
    let of = match take(&obj, "of")? {
        Some(v) if Array::is_array(&v) => Some(Array::from(&v).iter().map(|x| weights_json(&x)).collect::<Result<Vec<_>, _>>()?),
        Some(_) => return Err(invalid("weights: `of` must be an array of weight-matrix specs".into())),
        None => None,
    };
    let mut json = json_of(&obj.into(), "weights")?;
    if let Some(o) = json.as_object_mut() {
        let entries = [("neighbors", neighbors), ("matrix", matrix), ("geojson", geojson.map(serde_json::Value::String)), ("of", of.map(serde_json::Value::Array))];
        for (k, v) in entries {
            if let Some(v) = v {
                o.insert(k.to_string(), v);
            }
        }
    }
    Ok(json)
}

/// An analysis's options as JSON with its weight matrix: a `SpatialWeights` object is passed
/// on built (its spec goes into the recipe); a spec is written inline into the options.
fn resolve(options: &JsValue, what: &str) -> Result<(serde_json::Value, Option<Rc<inline::WeightsWithSpec>>), JsValue> {
    if !options.is_object() {
        return Err(invalid(format!("{what}: options are required")));
    }
    let obj = Object::assign(&Object::new(), &Object::from(options.clone()));
    let w = take(&obj, "weights")?.ok_or_else(|| {
        invalid(format!("{what}: `weights` is required (a weight-matrix spec or a SpatialWeights object)"))
    })?;
    let mut json = json_of(&obj.into(), what)?;
    let built = WEIGHTS.with(|r| r.lookup(&w, "__quasiWeights"));
    if built.is_none() {
        if let Some(o) = json.as_object_mut() {
            o.insert("weights".into(), weights_json(&w)?);
        }
    }
    Ok((json, built))
}

/// Runs a spatial analysis `kind` on `ds` with its recipe.
fn spatial_analysis(ds: &JsDataset, kind: &str, spec: JsValue) -> Result<(RecipeOutput, recipe::Recipe), JsValue> {
    let (json, built) = resolve(&spec, kind)?;
    let mut never = |_: f64| true;
    recipe::analyse_with_recipe(&ds.inner, kind, &json, built.as_deref(), &mut never).map_err(js_error)
}

/// Builds a weight matrix from the data's units: `{ kind: "contiguity" | "geojson" | "knn" |
/// "inverse_distance" | "distance_band" | "economic_distance" | "matrix" | "product" | "nested",
/// unit, standardise: "row" | "none" | "minmax" | "spectral", … }`.
#[wasm_bindgen(js_name = spatialWeights)]
pub fn spatial_weights(ds: &JsDataset, spec: JsValue) -> Result<JsSpatialWeights, JsValue> {
    let spec = weights_json(&spec)?;
    Ok(JsSpatialWeights::new(inline::build_weights(&ds.inner, &spec).map_err(js_error)?))
}

/// Global Moran's I (normality, randomisation, permutations) and Geary's C:
/// `{ y, weights, unit, time, period, permutations, seed }` → `{ I, expectation,
/// variance_normal, z_normal, variance_randomisation, z_randomisation, p_value,
/// p_permutation, geary, by_period, scatter, tables, diagnostics, recipe }`.
#[wasm_bindgen]
pub fn moran(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    let (out, recipe) = spatial_analysis(ds, "moran", spec)?;
    to_js_analysis(&out, &recipe)
}

/// The Moran scatter plot (SVG) of `moran`'s options (the shown period).
#[wasm_bindgen(js_name = moranScatterSvg)]
pub fn moran_scatter_svg(ds: &JsDataset, spec: JsValue) -> Result<String, JsValue> {
    match spatial_analysis(ds, "moran", spec)?.0 {
        RecipeOutput::Moran(m) => Ok(m.scatter_svg()),
        _ => Err(invalid("moranScatterSvg: not a Moran result".into())),
    }
}

/// Local Moran (LISA) with permutation pseudo p-values and HH/LL/HL/LH clusters:
/// `moran`'s options (plus `alpha`) → `{ units: [{ unit, ii, z, p_value, p_permutation,
/// quadrant, cluster }], map_svg (when W has geometry), tables, diagnostics, recipe }`.
#[wasm_bindgen]
pub fn lisa(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    let (out, recipe) = spatial_analysis(ds, "lisa", spec)?;
    to_js_analysis(&out, &recipe)
}

/// LM tests for the choice of spatial model (LM-lag, LM-error, robust forms, SARMA) on OLS
/// residuals: `{ formula, weights, unit, time, fe }`.
#[wasm_bindgen(js_name = lmTests)]
pub fn lm_tests(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    let (out, recipe) = spatial_analysis(ds, "lmTests", spec)?;
    to_js_analysis(&out, &recipe)
}

/// Spatial ML regression: `{ model: "sar" | "sem" | "sdm" | "slx" | "sdem", formula, weights,
/// unit, time, fe: "none" | "unit" | "time" | "twoways", impacts: { draws, seed } }` →
/// `{ rho, rho_se, lambda, lambda_se, loglik, sigma2, coefficients, impacts, tests, tables,
/// diagnostics, recipe }` (Durbin terms are named `W_<regressor>`).
#[wasm_bindgen(js_name = spatialModel)]
pub fn spatial_model(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    let (out, recipe) = spatial_analysis(ds, "spatialModel", spec)?;
    to_js_analysis(&out, &recipe)
}

/// Spatial DID: the DID term from the DID setup (`{ y, unit, time, start, controls, weights,
/// fe, impacts }`) and its spatial lag in a panel SDM → the model plus the policy's direct
/// (own-unit), indirect (spillover) and total effects.
#[wasm_bindgen(js_name = spatialDid)]
pub fn spatial_did(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    let (out, recipe) = spatial_analysis(ds, "spatialDid", spec)?;
    to_js_analysis(&out, &recipe)
}
