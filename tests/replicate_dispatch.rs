//! The replication pool's dispatch (`recipe::replicate`): for every analysis that splits its
//! draws, the draws run in pieces — on a snapshot of the columns the spec reads, as a pool
//! worker holds them — then joined and finished, give the same result (JSON text, so every
//! number to the bit) and the same recipe as the one-call analysis.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::data::{read_bytes, Dataset, ReadOptions};
use quasi::inference::replicate::DrawRange;
use quasi::recipe::{self, columns::used_columns, replicate};
use serde_json::{json, Value};

fn load(text: &str) -> Dataset {
    read_bytes(text.as_bytes(), &ReadOptions::default()).expect("fixture parses").dataset
}

fn jjj() -> Dataset {
    load(include_str!("fixtures/jjj_cities.csv"))
}

fn did() -> Value {
    json!({ "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "controls": ["pgdp", "fdi"] })
}

fn with(base: Value, extra: Value) -> Value {
    let mut o = base.as_object().cloned().unwrap_or_default();
    o.extend(extra.as_object().cloned().unwrap_or_default());
    Value::Object(o)
}

/// One-call result vs draws in three uneven pieces on a snapshot, joined in reverse order.
fn check(ds: &Dataset, kind: &str, spec: Value) {
    let mut yes = |_: f64| true;
    let (one, recipe_one) = recipe::analyse_with_recipe(ds, kind, &spec, None, &mut yes).expect("one call");
    let total = replicate::draw_count(kind, &spec).expect("count").expect("this spec makes draws");
    let cols = used_columns(ds, &spec);
    let worker = Dataset::from_snapshot(&ds.to_snapshot(Some(&cols)).expect("snapshot")).expect("read back");
    let cuts = [0, 1, total / 3, total];
    let mut blocks = Vec::new();
    for w in cuts.windows(2).rev() {
        blocks.push(replicate::draws(&worker, kind, &spec, DrawRange { start: w[0], end: w[1] }, &mut yes).expect("draws"));
    }
    let (pooled, recipe_pooled) = replicate::analyse_with_draws(ds, kind, &spec, blocks, &mut yes).expect("finish");
    assert_eq!(serde_json::to_string(&one).unwrap(), serde_json::to_string(&pooled).unwrap(), "{kind}: same result");
    assert_eq!(recipe_one, recipe_pooled, "{kind}: same recipe");
}

#[test]
fn placebo_permutation_and_random_timing() {
    let ds = jjj();
    check(&ds, "placebo", with(did(), json!({ "kind": "permute_units", "reps": 61, "seed": 3 })));
    check(&ds, "placebo", with(did(), json!({ "kind": "random_timing", "reps": 37, "seed": 8 })));
}

#[test]
fn wild_bootstrap_and_mediation() {
    let ds = jjj();
    check(&ds, "wildBootstrap", with(did(), json!({ "reps": 99, "seed": 3 })));
    check(&ds, "mediation", with(did(), json!({ "mediator": "urba", "bootstrap": 29, "seed": 4 })));
}

#[test]
fn psm_bootstrap() {
    let ds = load(include_str!("fixtures/lalonde.csv"));
    let spec = json!({ "formula": "treat ~ age + educ + married + nodegree + re74 + re75", "outcome": "re78", "se": "bootstrap", "bootstrap_reps": 23, "seed": 9 });
    check(&ds, "psm", spec);
}

#[test]
fn cs_multiplier_bootstrap() {
    let ds = load(include_str!("fixtures/mpdta.csv"));
    let spec = json!({ "y": "lemp", "unit": "countyreal", "time": "year", "start": "first_treat", "bootstrap": { "reps": 101, "seed": 7 } });
    check(&ds, "csdid", spec);
}

#[test]
fn specs_without_draws_and_other_kinds_have_no_count() {
    assert_eq!(replicate::draw_count("psm", &json!({ "formula": "treat ~ age", "outcome": "re78" })).unwrap(), None);
    assert_eq!(replicate::draw_count("did", &did()).unwrap(), None);
    let ds = jjj();
    let mut yes = |_: f64| true;
    assert!(replicate::draws(&ds, "did", &did(), DrawRange { start: 0, end: 1 }, &mut yes).is_err());
    // a block that does not cover every draw is refused, not summarised
    let spec = with(did(), json!({ "kind": "permute_units", "reps": 10, "seed": 1 }));
    let part = replicate::draws(&ds, "placebo", &spec, DrawRange { start: 0, end: 5 }, &mut yes).unwrap();
    assert!(replicate::analyse_with_draws(&ds, "placebo", &spec, vec![part], &mut yes).is_err());
}
