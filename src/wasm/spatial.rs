//! Bindings of the spatial family: weight matrices (a `SpatialWeights` class), Moran's I,
//! LISA, LM tests, spatial ML models and spatial DID. Options name their weight matrix in
//! `weights`: either a spec (`{ kind: "knn", k: 4, unit, x, y }`, see
//! `estimators::spatial::WeightsSpec`) or a `SpatialWeights` object built before.

use std::rc::Rc;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::handles::{DATASETS, WEIGHTS};
use super::{from_js_required, js_error, to_js, to_js_result, JsDataset};
use crate::data::Dataset;
use crate::estimators::spatial::{self, SpatialWeights, WeightsSpec};

/// A spatial weight matrix over named units.
#[wasm_bindgen(js_name = SpatialWeights)]
pub struct JsSpatialWeights {
    inner: Rc<SpatialWeights>,
    handle: u32,
}

impl JsSpatialWeights {
    fn new(w: SpatialWeights) -> JsSpatialWeights {
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
        self.inner.units().to_vec()
    }
    /// The dense matrix (`number[][]`, rows and columns in `units()` order).
    pub fn matrix(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.dense())
    }
    /// Number of units.
    #[wasm_bindgen(getter)]
    pub fn n(&self) -> usize {
        self.inner.n()
    }
    /// Summary: links, share of non-zeros, neighbours per unit, islands, symmetry, with `tables`.
    pub fn summary(&self) -> Result<JsValue, JsValue> {
        to_js_result(&self.inner.summary())
    }
    /// What building the matrix noticed (islands, asymmetry, repaired inputs).
    pub fn diagnostics(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.diagnostics())
    }
    /// A map of the links (SVG), drawn from the coordinates or polygons the matrix was built from.
    #[wasm_bindgen(js_name = linkMapSvg)]
    pub fn link_map_svg(&self) -> Result<String, JsValue> {
        self.inner.link_map_svg().map_err(js_error)
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

/// A `Dataset` object named in an options object.
fn dataset_of(v: &JsValue, key: &str) -> Result<Dataset, JsValue> {
    DATASETS
        .with(|r| r.lookup(v, "__quasiDataset"))
        .map(|rc| (*rc).clone())
        .ok_or_else(|| invalid(format!("weights: `{key}` must be a quasi.Dataset (read the file with quasi.Dataset.fromBytes)")))
}

/// GeoJSON given as bytes (`Uint8Array`, `ArrayBuffer`) or text.
fn bytes_of(v: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(s) = v.as_string() {
        return Ok(s.into_bytes());
    }
    if v.is_instance_of::<Uint8Array>() || v.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(v).to_vec());
    }
    Err(invalid("weights: `geojson` must be the file's bytes (Uint8Array or ArrayBuffer) or its text".into()))
}

/// A weight-matrix spec from JS, with its dataset, byte and nested inputs attached.
fn weights_spec(spec: &JsValue) -> Result<WeightsSpec, JsValue> {
    if !spec.is_object() {
        return Err(invalid("weights: give a weight-matrix spec such as { kind: \"knn\", k: 4, unit, x, y } or a SpatialWeights object".into()));
    }
    let obj = Object::assign(&Object::new(), &Object::from(spec.clone()));
    let neighbors = take(&obj, "neighbors")?.map(|v| dataset_of(&v, "neighbors")).transpose()?;
    let matrix = take(&obj, "matrix")?.map(|v| dataset_of(&v, "matrix")).transpose()?;
    let geojson = take(&obj, "geojson")?.map(|v| bytes_of(&v)).transpose()?;
    let of = match take(&obj, "of")? {
        Some(v) if Array::is_array(&v) => Array::from(&v).iter().map(|x| weights_spec(&x)).collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err(invalid("weights: `of` must be an array of weight-matrix specs".into())),
        None => Vec::new(),
    };
    let mut s: WeightsSpec = from_js_required(obj.into(), "weights")?;
    s.neighbors = neighbors;
    s.matrix = matrix;
    s.geojson = geojson;
    s.of = of;
    Ok(s)
}

/// The matrix named by `options.weights` (a spec built on `ds`, or a `SpatialWeights`
/// object), and the options without `weights`.
fn resolve(ds: &Dataset, options: &JsValue, what: &str) -> Result<(Rc<SpatialWeights>, JsValue), JsValue> {
    if !options.is_object() {
        return Err(invalid(format!("{what}: options are required")));
    }
    let obj = Object::assign(&Object::new(), &Object::from(options.clone()));
    let w = take(&obj, "weights")?.ok_or_else(|| {
        invalid(format!("{what}: `weights` is required (a weight-matrix spec or a SpatialWeights object)"))
    })?;
    let w = match WEIGHTS.with(|r| r.lookup(&w, "__quasiWeights")) {
        Some(rc) => rc,
        None => Rc::new(spatial::weights::build(ds, &weights_spec(&w)?).map_err(js_error)?),
    };
    Ok((w, obj.into()))
}

/// Builds a weight matrix from the data's units: `{ kind: "contiguity" | "geojson" | "knn" |
/// "inverse_distance" | "distance_band" | "economic_distance" | "matrix" | "product" | "nested",
/// unit, standardise: "row" | "none" | "minmax" | "spectral", … }`.
#[wasm_bindgen(js_name = spatialWeights)]
pub fn spatial_weights(ds: &JsDataset, spec: JsValue) -> Result<JsSpatialWeights, JsValue> {
    let spec = weights_spec(&spec)?;
    Ok(JsSpatialWeights::new(spatial::weights::build(&ds.inner, &spec).map_err(js_error)?))
}

/// Global Moran's I (normality, randomisation, permutations) and Geary's C:
/// `{ y, weights, unit, time, period, permutations, seed }` → `{ I, expectation,
/// variance_normal, z_normal, variance_randomisation, z_randomisation, p_value,
/// p_permutation, geary, by_period, scatter, tables, diagnostics }`.
#[wasm_bindgen]
pub fn moran(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    let (w, rest) = resolve(&ds.inner, &spec, "moran")?;
    let spec: spatial::MoranSpec = from_js_required(rest, "moran")?;
    to_js_result(&spatial::moran(&ds.inner, &spec, &w).map_err(js_error)?)
}

/// The Moran scatter plot (SVG) of `moran`'s options (the shown period).
#[wasm_bindgen(js_name = moranScatterSvg)]
pub fn moran_scatter_svg(ds: &JsDataset, spec: JsValue) -> Result<String, JsValue> {
    let (w, rest) = resolve(&ds.inner, &spec, "moranScatterSvg")?;
    let spec: spatial::MoranSpec = from_js_required(rest, "moranScatterSvg")?;
    Ok(spatial::moran(&ds.inner, &spec, &w).map_err(js_error)?.scatter_svg())
}

/// Local Moran (LISA) with permutation pseudo p-values and HH/LL/HL/LH clusters:
/// `moran`'s options (plus `alpha`) → `{ units: [{ unit, ii, z, p_value, p_permutation,
/// quadrant, cluster }], map_svg (when W has geometry), tables, diagnostics }`.
#[wasm_bindgen]
pub fn lisa(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    let (w, rest) = resolve(&ds.inner, &spec, "lisa")?;
    let spec: spatial::MoranSpec = from_js_required(rest, "lisa")?;
    to_js_result(&spatial::lisa(&ds.inner, &spec, &w).map_err(js_error)?)
}

/// LM tests for the choice of spatial model (LM-lag, LM-error, robust forms, SARMA) on OLS
/// residuals: `{ formula, weights, unit, time, fe }`.
#[wasm_bindgen(js_name = lmTests)]
pub fn lm_tests(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    let (w, rest) = resolve(&ds.inner, &spec, "lmTests")?;
    let spec: spatial::LmTestSpec = from_js_required(rest, "lmTests")?;
    to_js_result(&spatial::lm_tests(&ds.inner, &spec, &w).map_err(js_error)?)
}

/// Spatial ML regression: `{ model: "sar" | "sem" | "sdm" | "slx" | "sdem", formula, weights,
/// unit, time, fe: "none" | "unit" | "time" | "twoways", impacts: { draws, seed } }` →
/// `{ rho, rho_se, lambda, lambda_se, loglik, sigma2, coefficients, impacts, tests, tables,
/// diagnostics }` (Durbin terms are named `W_<regressor>`).
#[wasm_bindgen(js_name = spatialModel)]
pub fn spatial_model(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    let (w, rest) = resolve(&ds.inner, &spec, "spatialModel")?;
    let spec: spatial::SpatialModelSpec = from_js_required(rest, "spatialModel")?;
    to_js_result(&spatial::fit(&ds.inner, &spec, &w).map_err(js_error)?)
}

/// Spatial DID: the DID term from the DID setup (`{ y, unit, time, start, controls, weights,
/// fe, impacts }`) and its spatial lag in a panel SDM → the model plus the policy's direct
/// (own-unit), indirect (spillover) and total effects.
#[wasm_bindgen(js_name = spatialDid)]
pub fn spatial_did(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    let (w, rest) = resolve(&ds.inner, &spec, "spatialDid")?;
    let spec: spatial::SpatialDidSpec = from_js_required(rest, "spatialDid")?;
    to_js_result(&spatial::spatial_did(&ds.inner, &spec, &w).map_err(js_error)?)
}
