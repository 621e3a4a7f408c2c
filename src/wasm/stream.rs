//! Bindings for loading a file in chunks (the page streams a `File` from disk into the engine
//! without holding it whole in JS) and for the memory check before it. No logic here.

use wasm_bindgen::prelude::*;

use super::{from_js, js_error, to_js, JsDataset};
use crate::data::{self, CsvStream};

/// A CSV file read chunk by chunk: `new DatasetStream(options)` (the options of
/// `Dataset.fromBytes`), `push(chunk)` for each piece in order, then `finish()` → `Dataset`.
/// An error with code `needs_whole_file` means: read this file whole with `Dataset.fromBytes`.
#[wasm_bindgen(js_name = DatasetStream)]
pub struct JsDatasetStream {
    inner: Option<CsvStream>,
}

#[wasm_bindgen(js_class = DatasetStream)]
impl JsDatasetStream {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsDatasetStream, JsValue> {
        let opts: data::ReadOptions = from_js(options, "read")?;
        Ok(JsDatasetStream { inner: Some(CsvStream::new(&opts)) })
    }

    /// The file's size in bytes, when known: capacity is reserved for its rows.
    #[wasm_bindgen(js_name = sizeHint)]
    pub fn size_hint(&mut self, bytes: f64) {
        if let Some(s) = self.inner.as_mut() {
            s.size_hint(bytes.max(0.0) as u64);
        }
    }

    /// The next piece of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        let s = self.inner.as_mut().ok_or_else(|| JsValue::from(js_sys::Error::new("this stream is finished")))?;
        s.push(chunk).map_err(js_error)
    }

    /// The dataset, once every piece was pushed.
    pub fn finish(&mut self) -> Result<JsDataset, JsValue> {
        let s = self.inner.take().ok_or_else(|| JsValue::from(js_sys::Error::new("this stream is finished")))?;
        let loaded = s.finish().map_err(js_error)?;
        Ok(JsDataset::new(loaded.dataset, Some(loaded.report)))
    }
}

/// What loading a CSV of `fileSize` bytes starting with `head` (its first MiB, say) needs in
/// memory: `{ rows, columns, numeric_columns, column_bytes, peak_bytes, fits_wasm32 }`; a file
/// that cannot fit is refused with an error of code `too_large` naming the memory it needs.
#[wasm_bindgen(js_name = checkMemory)]
pub fn check_memory(file_size: f64, head: &[u8]) -> Result<JsValue, JsValue> {
    to_js(&data::check_memory(file_size.max(0.0) as u64, head).map_err(js_error)?)
}
