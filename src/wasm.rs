//! The only module that touches `wasm-bindgen`: converts between JS values and
//! the core's types, and turns every core error into a JS `Error`. No logic here.

use wasm_bindgen::prelude::*;

/// Turns a core error into a JS `Error` whose message names the problem.
fn js_error(e: crate::Error) -> JsValue {
    js_sys::Error::new(&e.to_string()).into()
}

/// The crate version.
#[wasm_bindgen]
pub fn version() -> String {
    crate::version().to_string()
}
