//! PSM-DID (src/estimators/psm_did.rs).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::data::{read_bytes, ReadOptions};
use quasi::estimators::psm_did::{psm_did, PsmDidSpec};
use quasi::Dataset;

const JJJ: &[u8] = include_bytes!("fixtures/jjj_cities.csv");

fn jjj() -> Dataset {
    read_bytes(JJJ, &ReadOptions::default()).unwrap().dataset
}

fn spec(json: &str) -> PsmDidSpec {
    serde_json::from_str(json).unwrap()
}

#[test]
fn explore() {
    let ds = jjj();
    for extra in [r#""by_year":false"#, r#""by_year":false,"match":{"caliper":0.05}"#, r#""by_year":false,"match":{"caliper":0.25}"#, r#""by_year":true"#, r#""by_year":true,"match":{"caliper":0.05}"#] {
        let s = spec(&format!(r#"{{"unit":"city","time":"year","y":"lnHDQ","start":"ftz_year","covariates":["pgdp","fdi","urba"],{extra}}}"#));
        match psm_did(&ds, &s) {
            Ok(r) => {
                let mut m = r.matching.clone();
                m.row_weights.clear();
                m.balance = None;
                println!("{extra}: full {} matched {} se {}\n{}\n{:?}\n{}", r.full.estimate, r.matched.estimate, r.matched.std_error, serde_json::to_string(&m).unwrap(), r.diagnostics, r.table);
            }
            Err(e) => println!("{extra}: ERR {e}"),
        }
    }
}
