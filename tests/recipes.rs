//! Recipes: every analysis kind reruns from its recipe (saved as JSON text and read back) to
//! a result equal bit for bit to the original (compared as JSON, which prints every number
//! exactly), and data that differ are refused unless accepted. Fixtures: see
//! tests/fixtures/SOURCE-*.md (jjj_cities, mpdta, lalonde, the spatial sets).

use quasi::data::{read_bytes, ReadOptions};
use quasi::recipe::{self, inline, Recipe, RunOptions};
use quasi::report::Tables;
use quasi::{Code, Dataset};
use serde_json::{json, Value};

fn load(text: &str) -> Dataset {
    read_bytes(text.as_bytes(), &ReadOptions::default()).expect("fixture parses").dataset
}

fn jjj() -> Dataset {
    load(include_str!("fixtures/jjj_cities.csv"))
}

const DID: &str = r#"{ "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "controls": ["pgdp", "fdi"] }"#;

fn did_with(extra: Value) -> Value {
    let mut v: Value = serde_json::from_str(DID).unwrap();
    v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    v
}

/// Runs `kind` with `spec`, saves the recipe as text, reads it back, reruns it and compares.
fn round_trip(ds: &Dataset, kind: &str, spec: Value) -> Recipe {
    let mut never = |_: f64| true;
    let (out, recipe) = recipe::analyse_with_recipe(ds, kind, &spec, None, &mut never)
        .unwrap_or_else(|e| panic!("{kind} failed: {e}"));
    assert_eq!(recipe.kind, kind);
    assert_eq!(recipe.data_sha256.len(), 64);
    assert!(!recipe.columns.is_empty(), "{kind}: the recipe names the columns it reads");
    let saved = serde_json::to_string(&recipe).unwrap();
    let back: Recipe = serde_json::from_str(&saved).unwrap();
    let ran = recipe::run(ds, &back, &RunOptions::default(), &mut never).unwrap_or_else(|e| panic!("{kind} rerun: {e}"));
    let (a, b) = (serde_json::to_string(&out).unwrap(), serde_json::to_string(&ran.output).unwrap());
    assert!(a == b, "{kind}: the rerun differs from the original");
    assert_eq!(serde_json::to_string(&out.tables()).unwrap(), serde_json::to_string(&ran.output.tables()).unwrap());
    assert_eq!(ran.recipe, recipe, "{kind}: the rerun's recipe is the original's");
    recipe
}

#[test]
fn did_family_reruns_bit_for_bit() {
    let ds = jjj();
    let r = round_trip(&ds, "did", did_with(json!({})));
    assert_eq!(r.columns, ["city", "year", "ftz_year", "pgdp", "fdi", "lnHDQ"]);
    assert_eq!(r.seed, None);
    round_trip(&ds, "eventStudy", did_with(json!({})));
    let r = round_trip(&ds, "placebo", did_with(json!({ "kind": "permute_units", "reps": 150, "seed": 5 })));
    assert_eq!(r.seed, Some(5));
    round_trip(&ds, "wildBootstrap", did_with(json!({ "reps": 199, "seed": 2 })));
    round_trip(&ds, "mediation", did_with(json!({ "mediator": "urba", "bootstrap": 99, "seed": 4 })));
    round_trip(&ds, "heterogeneity", did_with(json!({ "group": "province" })));
    round_trip(&ds, "robustness", json!({ "base": did_with(json!({})), "checks": [{ "label": "no 2020", "exclude_years": [2020] }] }));
    round_trip(&ds, "psmDid", json!({ "unit": "city", "time": "year", "y": "lnHDQ", "start": "ftz_year", "covariates": ["pgdp", "fdi", "urba"] }));
    round_trip(&ds, "feols", json!({ "formula": "lnHDQ ~ FTZ + log(pgdp) | city + year", "vcov": { "cluster": ["city"] } }));
}

#[test]
fn index_family_reruns_bit_for_bit() {
    let ds = jjj();
    let ind: Vec<Value> = ["firms_per_10k", "new_firm_capital", "exit_rate", "patents_per_10k"]
        .iter()
        .zip([1, 1, -1, 1])
        .map(|(n, d)| json!({ "name": n, "direction": d }))
        .collect();
    let r = round_trip(&ds, "buildIndex", json!({ "method": "entropy", "indicators": ind, "scope": "pooled", "time": "year" }));
    assert_eq!(r.columns, ["year", "firms_per_10k", "new_firm_capital", "exit_rate", "patents_per_10k"]);
    round_trip(&ds, "buildIndex", json!({ "method": "topsis", "indicators": ind }));
    let sectors = json!({ "unit": "city", "time": "year", "sectors": ["firms_per_10k", "new_firm_capital"] });
    round_trip(&ds, "locationQuotient", sectors.clone());
    round_trip(&ds, "hhi", sectors);
    round_trip(
        &ds,
        "theil",
        json!({ "unit": "city", "time": "year", "output_sectors": ["patents_per_10k", "trademarks_per_10k"], "employment_sectors": ["firms_per_10k", "firm_density"] }),
    );
}

#[test]
fn staggered_family_reruns_bit_for_bit() {
    let ds = load(include_str!("fixtures/mpdta.csv"));
    let cols = json!({ "y": "lemp", "unit": "countyreal", "time": "year", "start": "first_treat" });
    let with = |extra: Value| {
        let mut v = cols.clone();
        v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        v
    };
    let r = round_trip(&ds, "csdid", with(json!({ "bootstrap": { "reps": 99, "seed": 7 } })));
    assert_eq!(r.seed, Some(7));
    round_trip(&ds, "baconDecomposition", cols.clone());
    round_trip(&ds, "staggeredCompare", cols.clone());
    round_trip(&ds, "honestDid", with(json!({ "base_period": "universal", "event_time": 0, "m_bar": [0.5, 1] })));
    round_trip(&ds, "sunab", cols.clone());
    round_trip(&ds, "did2s", cols.clone());
    round_trip(&ds, "didImputation", cols);
}

#[test]
fn matching_reruns_bit_for_bit() {
    let ds = load(include_str!("fixtures/lalonde.csv"));
    let spec = json!({ "formula": "treat ~ age + educ + married + nodegree + re74 + re75", "outcome": "re78" });
    let r = round_trip(&ds, "psm", spec.clone());
    assert_eq!(r.columns, ["treat", "age", "educ", "married", "nodegree", "re74", "re75", "re78"]);
    let mut kernel = spec.clone();
    kernel["method"] = json!("kernel");
    round_trip(&ds, "psmCompare", json!([spec, kernel]));
}

#[test]
fn spatial_family_reruns_bit_for_bit_with_the_matrix_inline() {
    let ds = load(include_str!("fixtures/spatial/provinces_spatial.csv"));
    let w = json!({ "kind": "inverse_distance", "power": 2, "unit": "province", "lat": "lat", "lon": "lon" });
    round_trip(&ds, "moran", json!({ "y": "y", "weights": w, "time": "year", "period": 2011, "permutations": 99, "seed": 1 }));
    round_trip(&ds, "lisa", json!({ "y": "y", "weights": w, "time": "year", "period": 2011, "permutations": 99, "seed": 1 }));
    round_trip(&ds, "lmTests", json!({ "formula": "y ~ DID + INN", "weights": w, "unit": "province", "time": "year", "fe": "twoways" }));
    let r = round_trip(
        &ds,
        "spatialModel",
        json!({ "model": "sdm", "formula": "y ~ DID + INN + URB", "weights": w, "unit": "province", "time": "year", "fe": "twoways", "impacts": { "draws": 200, "seed": 3 } }),
    );
    assert!(r.columns.contains(&"lat".to_string()), "the coordinates are part of the data hash");
    round_trip(
        &ds,
        "spatialDid",
        json!({ "y": "y", "unit": "province", "time": "year", "start": "ftz_year", "controls": ["INN"], "weights": w, "fe": "twoways", "impacts": { "draws": 100, "seed": 1 } }),
    );

    // A neighbour list travels inside the recipe; a prebuilt matrix gives the same recipe.
    let columbus = load(include_str!("fixtures/spatial/columbus.csv"));
    let nb = load(include_str!("fixtures/spatial/columbus_neighbors.csv"));
    let wnb = json!({ "kind": "contiguity", "unit": "POLYID", "neighbors": inline::dataset_to_json(&nb), "from": "from", "to": "to" });
    let spec = json!({ "model": "sar", "formula": "CRIME ~ INC + HOVAL", "weights": wnb });
    let r = round_trip(&columbus, "spatialModel", spec.clone());
    let built = inline::build_weights(&columbus, &wnb).unwrap();
    let mut without = spec.clone();
    without.as_object_mut().unwrap().remove("weights");
    let mut never = |_: f64| true;
    let (out, r2) = recipe::analyse_with_recipe(&columbus, "spatialModel", &without, Some(&built), &mut never).unwrap();
    assert_eq!(r2, r);
    let (again, _) = recipe::analyse_with_recipe(&columbus, "spatialModel", &spec, None, &mut never).unwrap();
    assert_eq!(serde_json::to_string(&out).unwrap(), serde_json::to_string(&again).unwrap());
}

#[test]
fn other_data_are_refused_unless_accepted_and_then_noted() {
    let ds = jjj();
    let mut never = |_: f64| true;
    let (_, recipe) = recipe::analyse_with_recipe(&ds, "did", &did_with(json!({})), None, &mut never).unwrap();

    // A column the analysis does not read may change.
    let mut extra = jjj();
    extra.add_numeric("HQD", vec![1.0; extra.nrows()]).unwrap();
    assert!(recipe::run(&extra, &recipe, &RunOptions::default(), &mut never).is_ok());

    // One changed value of a column it reads is refused, with a message that says so.
    let mut y = ds.numeric("lnHDQ").unwrap().to_vec();
    y[17] += 1e-9;
    let mut changed = jjj();
    changed.add_numeric("lnHDQ", y).unwrap();
    let err = recipe::run(&changed, &recipe, &RunOptions::default(), &mut never).unwrap_err().to_string();
    assert!(err.contains("not the data the recipe was saved with") && err.contains("accept_different_data"), "{err}");

    // Accepted on request, with a typed diagnostic and the new hash in the returned recipe.
    let ran = recipe::run(&changed, &recipe, &RunOptions { accept_different_data: true }, &mut never).unwrap();
    let json = serde_json::to_value(&ran.output).unwrap();
    let codes: Vec<&str> = json["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["code"].as_str()).collect();
    assert!(codes.contains(&"recipe_data_changed"), "{codes:?}");
    assert!(ran.output.clone().diagnostics_mut().has(Code::RecipeDataChanged));
    assert_ne!(ran.recipe.data_sha256, recipe.data_sha256);

    // A column the recipe reads that the data lack is named.
    let mut missing = recipe.clone();
    missing.columns.push("pgdp_2".into());
    let err = recipe::run(&ds, &missing, &RunOptions::default(), &mut never).unwrap_err().to_string();
    assert!(err.contains("`pgdp_2`"), "{err}");

    // An unknown kind lists the known ones.
    let mut bad = recipe.clone();
    bad.kind = "didd".into();
    bad.data_sha256 = recipe.data_sha256.clone();
    let err = recipe::run(&ds, &bad, &RunOptions::default(), &mut never).unwrap_err().to_string();
    assert!(err.contains("unknown analysis kind `didd`") && err.contains("eventStudy"), "{err}");
    assert!(recipe::KINDS.len() >= 27);
}
