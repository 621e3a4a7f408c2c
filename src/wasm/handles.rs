//! Options objects sometimes hold engine objects (a weight matrix's `neighbors` dataset,
//! a built `SpatialWeights` passed as `weights`). wasm-bindgen can only take an exported
//! object out of a plain JS object by consuming it, which would invalidate the user's
//! object; instead every such object carries an opaque handle, and these registries map
//! handles back to (weak) shared references. Entries go when the JS object is freed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use wasm_bindgen::JsValue;

/// Handle → weak reference.
pub(crate) struct Registry<T> {
    next: RefCell<u32>,
    map: RefCell<HashMap<u32, Weak<T>>>,
}

impl<T> Registry<T> {
    fn new() -> Registry<T> {
        Registry { next: RefCell::new(1), map: RefCell::new(HashMap::new()) }
    }
    /// A fresh handle for `value`.
    pub(crate) fn register(&self, value: &Rc<T>) -> u32 {
        let mut next = self.next.borrow_mut();
        let h = *next;
        *next = next.wrapping_add(1).max(1);
        self.map.borrow_mut().insert(h, Rc::downgrade(value));
        h
    }
    /// Points `handle` at `value` (after a copy-on-write).
    pub(crate) fn update(&self, handle: u32, value: &Rc<T>) {
        self.map.borrow_mut().insert(handle, Rc::downgrade(value));
    }
    /// Forgets `handle`.
    pub(crate) fn release(&self, handle: u32) {
        self.map.borrow_mut().remove(&handle);
    }
    /// The object behind the handle property `key` of `obj`, if it is one of ours and alive.
    #[cfg_attr(not(feature = "full"), allow(dead_code))]
    pub(crate) fn lookup(&self, obj: &JsValue, key: &str) -> Option<Rc<T>> {
        if !obj.is_object() {
            return None;
        }
        let h = js_sys::Reflect::get(obj, &JsValue::from_str(key)).ok()?.as_f64()?;
        if !(h >= 1.0 && h <= u32::MAX as f64) {
            return None;
        }
        self.map.borrow().get(&(h as u32)).and_then(Weak::upgrade)
    }
}

thread_local! {
    /// Every live `Dataset` object.
    pub(crate) static DATASETS: Registry<crate::data::Dataset> = Registry::new();
    /// Every live `SpatialWeights` object.
    pub(crate) static WEIGHTS: Registry<crate::recipe::inline::WeightsWithSpec> = Registry::new();
}
