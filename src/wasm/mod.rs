//! The only module that touches `wasm-bindgen` (with its submodules `handles` and `spatial`): converts between JS values and
//! the core's types, and turns every core error into a JS `Error`. No logic here:
//! each function deserialises its options, calls one core function and
//! serialises the result.

use crate::data::{self, Dataset, LoadReport};
use crate::estimators::feols;
#[cfg(feature = "full")]
use crate::estimators::psm;
use crate::recipe;
use crate::report::{regtable, RenderOptions, ResultTable, Tables};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

mod handles;
mod replicate;
mod stream;
#[cfg(feature = "full")]
mod spatial;

/// The one error bridge: a core error becomes a JS `Error` whose message names the problem.
/// It also carries `code` (`Error::code`, e.g. `"unknown_column"`) and `details` (the error's
/// fields by name), so an interface can word the message in its own language.
fn js_error(e: crate::Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    let details = js_sys::Object::new();
    for (k, v) in e.details() {
        let _ = js_sys::Reflect::set(&details, &JsValue::from_str(k), &JsValue::from_str(&v));
    }
    let _ = js_sys::Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(e.code()));
    let _ = js_sys::Reflect::set(&err, &JsValue::from_str("details"), &details);
    err.into()
}

/// Options objects from JS: `undefined`/`null` mean "all defaults".
fn from_js<T: DeserializeOwned + Default>(value: JsValue, what: &str) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    from_js_required(value, what)
}

/// A required JS object (no defaults).
fn from_js_required<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Err(js_sys::Error::new(&format!("{what}: options are required")).into());
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| js_sys::Error::new(&format!("invalid {what} options: {e}")).into())
}

/// Numbers from JS where `null` means missing (`NaN` in the core).
fn nan_for_missing(values: Vec<Option<f64>>) -> Vec<f64> {
    values.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect()
}

/// Calls a JS progress callback with a fraction in 0..=1; `false` (or a throw) asks to stop.
fn call_progress(f: &js_sys::Function, fraction: f64) -> bool {
    f.call1(&JsValue::NULL, &JsValue::from_f64(fraction)).is_ok_and(|v| v.as_bool() != Some(false))
}

/// A JS options value as JSON, as `JSON.stringify` sees it (`undefined` properties left out).
/// Every analysis reads its spec through this one conversion, and so does `runRecipe`, so a
/// recipe's spec means exactly what the original call's options meant.
fn json_of(value: &JsValue, what: &str) -> Result<serde_json::Value, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Err(js_sys::Error::new(&format!("{what}: options are required")).into());
    }
    // Typed arrays, Maps and BigInts (which serde-wasm-bindgen accepted) become arrays,
    // objects and numbers; everything else is as JSON.stringify writes it.
    let replacer = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(|_key: JsValue, v: JsValue| {
        if js_sys::ArrayBuffer::is_view(&v) {
            js_sys::Array::from(&v).into()
        } else if let Some(map) = v.dyn_ref::<js_sys::Map>() {
            js_sys::Object::from_entries(map).map(JsValue::from).unwrap_or(v)
        } else if v.is_bigint() {
            let text = v.clone().unchecked_into::<js_sys::BigInt>().to_string(10).map(String::from).unwrap_or_default();
            text.parse::<f64>().map(JsValue::from_f64).unwrap_or(v)
        } else {
            v
        }
    });
    let text = js_sys::JSON::stringify_with_replacer(value, replacer.as_ref())
        .map_err(|_| js_sys::Error::new(&format!("invalid {what} options: they cannot be written as JSON")))?;
    let text = text.as_string().unwrap_or_default();
    serde_json::from_str(&text).map_err(|e| js_sys::Error::new(&format!("invalid {what} options: {e}")).into())
}

/// An analysis result with its `tables` and its `recipe`.
fn to_js_analysis(out: &recipe::RecipeOutput, recipe: &recipe::Recipe) -> Result<JsValue, JsValue> {
    let obj = to_js_result(out)?;
    js_sys::Reflect::set(&obj, &JsValue::from_str("recipe"), &to_js(recipe)?)?;
    Ok(obj)
}

/// Runs analysis `kind` (the API function's name) with the JS options `spec`.
fn analysis(ds: &JsDataset, kind: &str, spec: JsValue, progress: Option<&js_sys::Function>) -> Result<JsValue, JsValue> {
    let spec = json_of(&spec, kind)?;
    let mut cb = |fraction: f64| progress.map_or(true, |f| call_progress(f, fraction));
    let (out, recipe) = recipe::analyse_with_recipe(&ds.inner, kind, &spec, None, &mut cb).map_err(js_error)?;
    to_js_analysis(&out, &recipe)
}

/// Runs a recipe (any result's `recipe`) on `ds` and returns a result equal bit for bit to the
/// original. Data whose SHA-256 differs are refused unless `options.accept_different_data`
/// is true, which adds a `recipe_data_changed` diagnostic. `progress(fraction)` may cancel.
#[wasm_bindgen(js_name = runRecipe)]
pub fn run_recipe(ds: &JsDataset, recipe: JsValue, options: JsValue, progress: Option<js_sys::Function>) -> Result<JsValue, JsValue> {
    let recipe: recipe::Recipe = serde_json::from_value(json_of(&recipe, "runRecipe")?)
        .map_err(|e| js_sys::Error::new(&format!("runRecipe: not a Quasi recipe: {e}")))?;
    let opts: recipe::RunOptions = from_js(options, "runRecipe")?;
    let mut cb = |fraction: f64| progress.as_ref().map_or(true, |f| call_progress(f, fraction));
    let ran = recipe::run(&ds.inner, &recipe, &opts, &mut cb).map_err(js_error)?;
    to_js_analysis(&ran.output, &ran.recipe)
}

/// Results become plain JS objects (maps as objects, `None` as `null`).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_sys::Error::new(&format!("could not convert the result: {e}")).into())
}

/// A result object with its tables: the serialised result plus `tables: ResultTable[]`.
fn to_js_result<T: Serialize + Tables>(value: &T) -> Result<JsValue, JsValue> {
    let obj = to_js(value)?;
    js_sys::Reflect::set(&obj, &JsValue::from_str("tables"), &to_js(&value.tables())?)?;
    Ok(obj)
}

/// Renders a result table (any element of a result's `tables`):
/// `{ format: "csv" | "markdown" | "latex" | "html" | "text" | "docx" | "xlsx", digits, stars, below, yes, no, notes, lang: "en" | "zh" }`
/// → text, or for `docx`/`xlsx` (also `word`/`excel`) the file's bytes as a `Uint8Array`.
#[wasm_bindgen(js_name = renderTable)]
pub fn render_table(table: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let table: ResultTable = from_js_required(table, "renderTable")?;
    let opts: RenderOptions = from_js(options, "renderTable")?;
    if crate::report::render::Format::parse(&opts.format).map_err(js_error)?.is_binary() {
        let bytes = crate::report::render_table_bytes(&table, &opts).map_err(js_error)?;
        return Ok(js_sys::Uint8Array::from(bytes.as_slice()).into());
    }
    crate::report::render_table(&table, &opts).map(JsValue::from).map_err(js_error)
}

/// `renderReport`'s options: `renderTable`'s and the report's `title`.
#[cfg(feature = "full")]
#[derive(serde::Deserialize, Default)]
struct ReportOptions {
    #[serde(flatten)]
    render: RenderOptions,
    title: Option<String>,
}

#[cfg(feature = "full")]
/// Renders every table of a session as one file (`tables`: an array of result tables):
/// `{ format: "docx" | "xlsx", title, …renderTable's options }` → the file's bytes as a
/// `Uint8Array`: a Word document with every table in order under `title`, or an Excel
/// workbook with one sheet per table.
#[wasm_bindgen(js_name = renderReport)]
pub fn render_report(tables: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let tables: Vec<ResultTable> = from_js_required(tables, "renderReport")?;
    let opts: ReportOptions = from_js(options, "renderReport")?;
    let bytes = crate::report::render_report_bytes(&tables, &opts.render, opts.title.as_deref()).map_err(js_error)?;
    Ok(js_sys::Uint8Array::from(bytes.as_slice()).into())
}

/// The regression table of fitted models as a `ResultTable` (for `renderTable` and the page);
/// `lang: "zh"` spells its labels in Chinese.
#[wasm_bindgen(js_name = regressionResultTable)]
pub fn regression_result_table(fits: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let fits: Vec<feols::FeolsFit> = from_js_required(fits, "regressionResultTable")?;
    let opts: regtable::TableOptions = from_js(options, "regressionResultTable")?;
    let refs: Vec<&feols::FeolsFit> = fits.iter().collect();
    to_js(&regtable::regression_result_table(&refs, &opts).map_err(js_error)?)
}

/// The crate version.
#[wasm_bindgen]
pub fn version() -> String {
    crate::version().to_string()
}

/// Shows Rust panics (bugs) in the browser console instead of an opaque trap.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&JsValue::from_str(&format!("quasi internal error: {info}")));
    }));
}

/// A loaded table (CSV or Excel).
#[wasm_bindgen(js_name = Dataset)]
pub struct JsDataset {
    inner: Rc<Dataset>,
    report: Option<LoadReport>,
    handle: u32,
}

impl JsDataset {
    fn new(dataset: Dataset, report: Option<LoadReport>) -> JsDataset {
        let inner = Rc::new(dataset);
        let handle = handles::DATASETS.with(|r| r.register(&inner));
        JsDataset { inner, report, handle }
    }
}

impl Drop for JsDataset {
    fn drop(&mut self) {
        handles::DATASETS.with(|r| r.release(self.handle));
    }
}

#[derive(Serialize)]
struct Preview {
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

#[wasm_bindgen(js_class = Dataset)]
impl JsDataset {
    /// Parses a file's bytes. `options`: `{ filename, delimiter, encoding, decimal_comma, missing, sheet, has_header, skip_ragged }`.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8], options: JsValue) -> Result<JsDataset, JsValue> {
        let opts: data::ReadOptions = from_js(options, "read")?;
        let loaded = data::read_bytes(bytes, &opts).map_err(js_error)?;
        Ok(JsDataset::new(loaded.dataset, Some(loaded.report)))
    }

    /// Like `fromBytes`, calling `progress(fraction)` now and then; returning `false` cancels.
    #[wasm_bindgen(js_name = fromBytesWithProgress)]
    pub fn from_bytes_with_progress(
        bytes: &[u8],
        options: JsValue,
        progress: &js_sys::Function,
    ) -> Result<JsDataset, JsValue> {
        let opts: data::ReadOptions = from_js(options, "read")?;
        let mut cb = |fraction: f64| call_progress(progress, fraction);
        let loaded = data::read_bytes_with_progress(bytes, &opts, &mut cb).map_err(js_error)?;
        Ok(JsDataset::new(loaded.dataset, Some(loaded.report)))
    }

    /// Number of rows.
    #[wasm_bindgen(getter)]
    pub fn nrows(&self) -> usize {
        self.inner.nrows()
    }

    /// Number of columns.
    #[wasm_bindgen(getter)]
    pub fn ncols(&self) -> usize {
        self.inner.ncols()
    }

    /// Column names in order.
    #[wasm_bindgen(js_name = columnNames)]
    pub fn column_names(&self) -> Vec<String> {
        self.inner.column_names()
    }

    /// What loading found: encoding, delimiter, column kinds, skipped rows, warnings.
    #[wasm_bindgen(js_name = loadReport)]
    pub fn load_report(&self) -> Result<JsValue, JsValue> {
        match &self.report {
            Some(r) => to_js(r),
            None => Ok(JsValue::NULL),
        }
    }

    /// The first `n` rows as display strings: `{ columns, rows }`.
    pub fn preview(&self, n: usize) -> Result<JsValue, JsValue> {
        to_js(&Preview { columns: self.inner.column_names(), rows: self.inner.preview(n) })
    }

    /// Descriptive statistics: `{ columns?, by?, quantiles? }` →
    /// `{ rows: [{ variable, n, mean, sd, min, max, … }], diagnostics, tables: [describe.stats] }`.
    pub fn describe(&self, spec: JsValue) -> Result<JsValue, JsValue> {
        let spec: data::DescribeSpec = from_js(spec, "describe")?;
        to_js_result(&data::describe(&self.inner, &spec).map_err(js_error)?)
    }

    /// Descriptive statistics as CSV text: exactly `renderTable(describe(spec).tables[0], { format: "csv" })`.
    #[wasm_bindgen(js_name = describeCsv)]
    pub fn describe_csv(&self, spec: JsValue) -> Result<String, JsValue> {
        let spec: data::DescribeSpec = from_js(spec, "describe")?;
        let d = data::describe(&self.inner, &spec).map_err(js_error)?;
        let table = d.tables().into_iter().next().ok_or_else(|| js_error(crate::Error::invalid("describe: no table")))?;
        let opts = RenderOptions { format: "csv".into(), ..RenderOptions::default() };
        crate::report::render_table(&table, &opts).map_err(js_error)
    }

    /// Panel structure for a unit and a time column.
    #[wasm_bindgen(js_name = panelInfo)]
    pub fn panel_info(&self, unit: &str, time: &str) -> Result<JsValue, JsValue> {
        to_js_result(&data::panel_info(&self.inner, unit, time).map_err(js_error)?)
    }

    /// The values of one column: numbers (`NaN` = missing) for numeric columns,
    /// strings (`null` = missing) for text columns.
    #[wasm_bindgen(js_name = columnValues)]
    pub fn column_values(&self, name: &str) -> Result<JsValue, JsValue> {
        match &self.inner.column(name).map_err(js_error)?.data {
            data::ColumnData::Numeric { values, .. } => Ok(js_sys::Float64Array::from(values.as_slice()).into()),
            data::ColumnData::Text { values, .. } => to_js(values),
        }
    }

    /// The current columns (including added ones): `[{ name, kind, n_missing }]`.
    #[wasm_bindgen(js_name = columnInfo)]
    pub fn column_info(&self) -> Result<JsValue, JsValue> {
        #[derive(Serialize)]
        struct Info<'a> {
            name: &'a str,
            kind: data::ColumnKind,
            n_missing: usize,
        }
        let info: Vec<Info> = self
            .inner
            .columns()
            .iter()
            .map(|c| Info { name: &c.name, kind: c.kind(), n_missing: c.n_missing() })
            .collect();
        to_js(&info)
    }

    /// Adds (or replaces) a numeric column; `null`/`NaN` entries are missing.
    #[wasm_bindgen(js_name = addColumn)]
    pub fn add_column(&mut self, name: &str, values: JsValue) -> Result<(), JsValue> {
        let v: Vec<Option<f64>> = from_js_required(values, "addColumn values")?;
        let values = nan_for_missing(v);
        let ds = Rc::make_mut(&mut self.inner);
        let out = ds.add_numeric(name, values).map_err(js_error);
        // make_mut may have copied a dataset another object still shares: re-point the handle.
        handles::DATASETS.with(|r| r.update(self.handle, &self.inner));
        out
    }

    /// Column `name` in the canonical form its recipe digest hashes (`recipe::digest`): the
    /// SHA-256 of these bytes, e.g. from `crypto.subtle.digest`, is what `seedDigest` takes.
    #[wasm_bindgen(js_name = canonicalColumn)]
    pub fn canonical_column(&self, name: &str) -> Result<Vec<u8>, JsValue> {
        Ok(recipe::digest::canonical_bytes(self.inner.column_exact(name).map_err(js_error)?))
    }

    /// Gives the SHA-256 (32 bytes) of `canonicalColumn(name)`, computed outside the engine, so
    /// recipes need not hash that column here. Replacing the column forgets it.
    #[wasm_bindgen(js_name = seedDigest)]
    pub fn seed_digest(&self, name: &str, digest: &[u8]) -> Result<(), JsValue> {
        let digest: [u8; 32] = digest.try_into().map_err(|_| {
            js_error(crate::Error::invalid(format!("seedDigest: a SHA-256 digest has 32 bytes, not {}", digest.len())))
        })?;
        self.inner.seed_digest(name, digest).map_err(js_error)
    }

    /// An opaque id by which options objects refer to this dataset (e.g. a weight
    /// matrix's `neighbors`); not for users.
    #[wasm_bindgen(getter, js_name = __quasiDataset)]
    pub fn quasi_handle(&self) -> u32 {
        self.handle
    }

    /// The dataset as CSV text (e.g. after adding an index column).
    #[wasm_bindgen(js_name = toCsv)]
    pub fn to_csv(&self) -> String {
        self.inner.to_csv()
    }
}

/// Composite index: entropy, TOPSIS, PCA, CRITIC, CV or equal weights.
#[wasm_bindgen(js_name = buildIndex)]
pub fn build_index(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "buildIndex", spec, None)
}

#[cfg(feature = "full")]
/// Location quotients of sectors within units (and years).
#[wasm_bindgen(js_name = locationQuotient)]
pub fn location_quotient(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "locationQuotient", spec, None)
}

#[cfg(feature = "full")]
/// Herfindahl–Hirschman index of shares within each unit(-year).
#[wasm_bindgen]
pub fn hhi(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "hhi", spec, None)
}

#[cfg(feature = "full")]
/// Theil index of industrial structure rationalisation.
#[wasm_bindgen]
pub fn theil(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "theil", spec, None)
}

/// Charts as SVG text. `kind`: `"coef"` (`data`: `[{ x, label, estimate, conf_low, conf_high }]`),
/// `"histogram"` (`data`: `{ draws, actual }`), `"density"` / `"line"` (`data`: `[{ label, xs, ys }]`),
/// `"bar"` (`data`: `{ labels, values }`). `options`: title, axis labels, sizes (see `report::svg::ChartOptions`).
#[wasm_bindgen]
pub fn chart(kind: &str, data: JsValue, options: JsValue) -> Result<String, JsValue> {
    use crate::report::svg;
    #[derive(serde::Deserialize)]
    struct Hist {
        draws: Vec<Option<f64>>,
        actual: Option<f64>,
    }
    #[derive(serde::Deserialize)]
    struct Bars {
        labels: Vec<String>,
        values: Vec<Option<f64>>,
    }
    let opts: svg::ChartOptions = from_js(options, "chart")?;
    Ok(match kind {
        "coef" => svg::coef_plot(&from_js_required::<Vec<svg::CoefPoint>>(data, "chart")?, &opts),
        "histogram" => {
            let h: Hist = from_js_required(data, "chart")?;
            svg::histogram(&nan_for_missing(h.draws), h.actual.unwrap_or(f64::NAN), &opts)
        }
        "density" => svg::density_plot(&from_js_required::<Vec<svg::Series>>(data, "chart")?, &opts),
        "line" => svg::line_chart(&from_js_required::<Vec<svg::Series>>(data, "chart")?, &opts),
        "bar" => {
            let b: Bars = from_js_required(data, "chart")?;
            svg::bar_chart(&b.labels, &nan_for_missing(b.values), &opts)
        }
        other => {
            return Err(js_error(crate::Error::invalid(format!(
                "unknown chart kind `{other}` (use coef, histogram, density, line or bar)"
            ))))
        }
    })
}

#[cfg(feature = "full")]
/// Propensity score matching: `{ formula, outcome, model, method, k, replace, ties, match_on, caliper, estimand, se,
/// preset, return_pairs, … }` (`preset: "psmatch2"` for Stata's conventions; `matched.pair_*` are
/// filled when there are at most 250,000 pairs or with `return_pairs: true`). The result carries
/// `tables` (`psm.effects`, `psm.propensity`, `psm.balance`, `psm.balance_overall`).
#[wasm_bindgen]
pub fn psm(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "psm", spec, None)
}

#[cfg(feature = "full")]
/// Several matching methods side by side (the first spec is the base row):
/// `{ table: { rows }, diagnostics, tables }` (`tables[0]` is `psm.compare`).
#[wasm_bindgen(js_name = psmCompare)]
pub fn psm_compare(ds: &JsDataset, specs: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "psmCompare", specs, None)
}

#[cfg(feature = "full")]
/// The propensity-score density figure of a `psm` result (SVG text).
#[wasm_bindgen(js_name = psmDensitySvg)]
pub fn psm_density_svg(result: JsValue, title: &str) -> Result<String, JsValue> {
    #[derive(serde::Deserialize)]
    struct WithDensity {
        density: psm::DensityData,
    }
    let r: WithDensity = from_js_required(result, "psmDensitySvg")?;
    Ok(psm::density_svg(&r.density, title))
}

/// Linear model with fixed effects (fixest syntax): `{ formula, vcov, weights, fixef_rm_singletons, conf_level }`.
#[wasm_bindgen]
pub fn feols(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "feols", spec, None)
}

/// A column name as formula text: bare when it is a plain name, else back-quoted
/// (`GDP growth` → `` `GDP growth` ``); throws for a name holding a back-quote, or blank.
#[wasm_bindgen(js_name = quoteName)]
pub fn quote_name(name: &str) -> Result<String, JsValue> {
    crate::formula::quote_name(name).map_err(js_error)
}

/// Joint Wald test that the named terms of a fitted model are zero: `{ statistic, df1, df2, p_value }`.
#[wasm_bindgen]
pub fn wald(fit: JsValue, terms: Vec<String>) -> Result<JsValue, JsValue> {
    let fit: feols::FeolsFit = from_js_required(fit, "wald")?;
    let refs: Vec<&str> = terms.iter().map(String::as_str).collect();
    to_js(&feols::wald(&fit, &refs).map_err(js_error)?)
}

/// Side-by-side regression table of fitted models (as returned by `feols`, `did`'s `model`, …):
/// `{ format: "latex" | "markdown" | "html" | "csv" | "text", lang: "en" | "zh", … }` → text.
#[wasm_bindgen(js_name = regressionTable)]
pub fn regression_table(fits: JsValue, options: JsValue) -> Result<String, JsValue> {
    let fits: Vec<feols::FeolsFit> = from_js_required(fits, "regressionTable")?;
    let opts: regtable::TableOptions = from_js(options, "regressionTable")?;
    let refs: Vec<&feols::FeolsFit> = fits.iter().collect();
    regtable::regression_table(&refs, &opts).map_err(js_error)
}

/// Two-way fixed-effects DID: `{ y, unit, time, start | treat+post | indicator, controls, fe, vcov }`.
#[wasm_bindgen]
pub fn did(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "did", spec, None)
}

/// Event study (leads and lags around adoption) with the joint pre-trend test and a coefficient plot.
#[wasm_bindgen(js_name = eventStudy)]
pub fn event_study(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "eventStudy", spec, None)
}

/// Placebo / randomization inference: `{ ...didSpec, kind, reps, seed }`. The optional
/// `progress(fraction)` callback is called now and then; returning `false` cancels.
#[wasm_bindgen]
pub fn placebo(ds: &JsDataset, spec: JsValue, progress: Option<js_sys::Function>) -> Result<JsValue, JsValue> {
    analysis(ds, "placebo", spec, progress.as_ref())
}

#[cfg(feature = "full")]
/// Callaway & Sant'Anna (2021): `{ y, unit, time, start, control_group: "never" | "notyet",
/// method: "dr" | "ipw" | "reg", covariates, base_period: "varying" | "universal", anticipation,
/// bootstrap: { reps, seed }, conf_level, min_e, max_e, balance_e }` →
/// `{ att_gt, aggregate: { simple, dynamic, group, calendar }, cohorts, tables, diagnostics, … }`.
/// `progress(fraction)` is called during the bootstrap; returning `false` cancels.
#[wasm_bindgen]
pub fn csdid(ds: &JsDataset, spec: JsValue, progress: Option<js_sys::Function>) -> Result<JsValue, JsValue> {
    analysis(ds, "csdid", spec, progress.as_ref())
}

#[cfg(feature = "full")]
/// Goodman-Bacon decomposition of the TWFE DID: `{ y, unit, time, start }` →
/// `{ twfe_estimate, comparisons: [{ treated, control, type, estimate, weight }], by_type, svg, tables }`.
#[wasm_bindgen(js_name = baconDecomposition)]
pub fn bacon_decomposition(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "baconDecomposition", spec, None)
}

#[cfg(feature = "full")]
/// Every staggered estimator side by side: `{ y, unit, time, start, controls, control_group,
/// method, base_period, conf_level }` → `{ estimators: [{ key, label, att, terms }],
/// bacon_later_vs_earlier_share, svg, tables, diagnostics }`; `progress(fraction)` may cancel.
#[wasm_bindgen(js_name = staggeredCompare)]
pub fn staggered_compare(ds: &JsDataset, spec: JsValue, progress: Option<js_sys::Function>) -> Result<JsValue, JsValue> {
    analysis(ds, "staggeredCompare", spec, progress.as_ref())
}

#[cfg(feature = "full")]
/// HonestDiD robust confidence sets for an event-time effect of the Callaway–Sant'Anna event
/// study: `{ ...csdidSpec, event_time: 0, sensitivity: "relative_magnitude" | "smoothness",
/// m_bar: [0.5, 1, 1.5, 2] (or m: [...]) }` → `{ original: { conf_low, conf_high },
/// robust: [{ m_bar | m, conf_low, conf_high }], svg, tables, diagnostics }`.
#[wasm_bindgen(js_name = honestDid)]
pub fn honest_did(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "honestDid", spec, None)
}

#[cfg(feature = "full")]
/// Sun & Abraham event study: `{ y, unit, time, start, controls, vcov }` →
/// `{ terms: [{ event_time, estimate, std_error, … }], att, cells, model, tables, diagnostics }`.
#[wasm_bindgen]
pub fn sunab(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "sunab", spec, None)
}

#[cfg(feature = "full")]
/// Gardner's two-stage DID: `{ y, unit, time, start, controls }` →
/// `{ estimate, std_error, terms: [{ event_time, estimate, std_error, … }], tables, diagnostics }`.
#[wasm_bindgen]
pub fn did2s(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "did2s", spec, None)
}

#[cfg(feature = "full")]
/// Borusyak–Jaravel–Spiess imputation: `{ y, unit, time, start, controls }` → as `did2s`,
/// with the conservative variance.
#[wasm_bindgen(js_name = didImputation)]
pub fn did_imputation(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "didImputation", spec, None)
}

/// Wild cluster bootstrap for the DID coefficient: `{ ...didSpec, reps, weights, seed }`.
#[wasm_bindgen(js_name = wildBootstrap)]
pub fn wild_bootstrap(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "wildBootstrap", spec, None)
}

/// Mechanism analysis in three steps, Sobel test and bootstrap CI of the indirect effect.
#[wasm_bindgen]
pub fn mediation(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "mediation", spec, None)
}

/// Heterogeneity: DID × group in one model and split-sample DID per group.
#[wasm_bindgen]
pub fn heterogeneity(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "heterogeneity", spec, None)
}

/// Robustness table: baseline plus each check as a column.
#[wasm_bindgen]
pub fn robustness(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "robustness", spec, None)
}

#[cfg(feature = "full")]
/// PSM-DID: match on pre-treatment covariates (pooled or period by period), then the DID on
/// the matched sample next to the full-sample DID:
/// `{ unit, time, y, start | treat+post | indicator, covariates, controls, match: { method, k, caliper, … },
/// by_year, baseline, sample, fe, vcov, conf_level }` (an old `format` is ignored: the result's `tables`
/// render in every format through `renderTable`).
#[wasm_bindgen(js_name = psmDid)]
pub fn psm_did(ds: &JsDataset, spec: JsValue) -> Result<JsValue, JsValue> {
    analysis(ds, "psmDid", spec, None)
}
