//! Smallest end-to-end check of the core, run natively and (via wasm-pack test) in headless Chromium.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::data::{Column, Dataset};

#[test]
fn version_is_the_crate_version() {
    assert_eq!(quasi::version(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn dataset_factor_and_numeric_access() {
    let ds = Dataset::from_columns(vec![
        Column::text("city", vec![Some("Tianjin".into()), Some("Beijing".into())]),
        Column::numeric("y", vec![1.5, f64::NAN]),
    ])
    .unwrap();
    assert_eq!(ds.factor("city").unwrap().codes, vec![1, 0]);
    assert!(ds.numeric("y").unwrap()[1].is_nan());
    assert!(ds.numeric("city").is_err());
}

#[test]
fn student_t_pvalue_matches_r() {
    // R: 2 * pt(-2, 10) = 0.07338803
    assert!((quasi::inference::dist::t_pvalue_two_sided(2.0, 10.0) - 0.073_388_03).abs() < 1e-7);
}
