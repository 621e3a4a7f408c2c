//! Fuzz-style robustness of the public Rust API: every estimator is called on randomly
//! damaged copies of the sample datasets and on absurd specs. Asserts: no call panics
//! (each call runs under `catch_unwind`, and a panic is reported with the damage and the
//! spec that caused it), every error has a message, and errors about a named column name it.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::data::{describe, panel_info, read_bytes, Column, ColumnData, Dataset, DescribeSpec, ReadOptions};
use quasi::estimators::did::{did, event_study, placebo, DidSpec, EventStudySpec, PlaceboSpec};
use quasi::estimators::feols::{feols, FeolsSpec};
use quasi::estimators::index::{build_index, IndexSpec};
use quasi::estimators::psm::{psm, PsmSpec};
use quasi::estimators::psm_did::{psm_did, PsmDidSpec};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};

const JJJ: &[u8] = include_bytes!("fixtures/jjj_cities.csv");
const LALONDE: &[u8] = include_bytes!("fixtures/lalonde.csv");
const PROV: &[u8] = include_bytes!("fixtures/provinces.csv");

fn load(b: &[u8]) -> Dataset {
    read_bytes(b, &ReadOptions::default()).unwrap().dataset
}

/// Replaces (or adds) a column.
fn set(ds: &mut Dataset, col: Column) {
    ds.add_column(col).unwrap();
}

fn numeric_names(ds: &Dataset) -> Vec<String> {
    ds.columns().iter().filter(|c| matches!(c.data, ColumnData::Numeric { .. })).map(|c| c.name.clone()).collect()
}

/// One random damage; returns its description.
fn damage(ds: &mut Dataset, rng: &mut ChaCha8Rng, protect: &[&str]) -> String {
    let n = ds.nrows();
    let nums = numeric_names(ds);
    let pick = |rng: &mut ChaCha8Rng| nums[rng.random_range(0..nums.len())].clone();
    match rng.random_range(0..12) {
        0 => {
            let c = pick(rng);
            let mut v = ds.numeric(&c).unwrap().to_vec();
            for x in v.iter_mut() {
                if rng.random_bool(0.2) {
                    *x = f64::NAN;
                }
            }
            set(ds, Column::numeric(c.clone(), v));
            format!("20% NaN in {c}")
        }
        1 => {
            let c = pick(rng);
            set(ds, Column::numeric(c.clone(), vec![3.0; n]));
            format!("constant {c}")
        }
        2 => {
            let c = pick(rng);
            let v: Vec<Option<String>> = (0..n).map(|i| Some(format!("t{}", i % 3))).collect();
            set(ds, Column::text(c.clone(), v));
            format!("text column {c}")
        }
        3 => {
            let c = pick(rng);
            set(ds, Column::numeric(c.clone(), vec![f64::NAN; n]));
            format!("all-missing {c}")
        }
        4 => {
            let keep: Vec<usize> = (0..n.min(3)).collect();
            *ds = ds.take_rows(&keep);
            "first 3 rows only".into()
        }
        5 => {
            let idx: Vec<usize> = (0..n).chain(0..n).collect();
            *ds = ds.take_rows(&idx);
            "every row duplicated".into()
        }
        6 => {
            let mut idx: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                idx.swap(i, rng.random_range(0..=i));
            }
            *ds = ds.take_rows(&idx);
            "shuffled".into()
        }
        7 => {
            let c = pick(rng);
            let s = if rng.random_bool(0.5) { 1e150 } else { 1e-150 };
            let v: Vec<f64> = ds.numeric(&c).unwrap().iter().map(|x| x * s).collect();
            set(ds, Column::numeric(c.clone(), v));
            format!("{c} scaled by {s:e}")
        }
        8 => {
            *ds = ds.take_rows(&[]);
            "zero rows".into()
        }
        9 => {
            let first = protect.first().copied().unwrap_or("");
            if ds.has_column(first) {
                set(ds, Column::text(first, vec![Some("only".into()); n]));
            }
            format!("one value of {first}")
        }
        10 => {
            let c = pick(rng);
            let mut v = ds.numeric(&c).unwrap().to_vec();
            if n > 0 {
                v[rng.random_range(0..n)] = if rng.random_bool(0.5) { f64::INFINITY } else { f64::NEG_INFINITY };
            }
            set(ds, Column::numeric(c.clone(), v));
            format!("an infinite value in {c}")
        }
        _ => {
            let keep: Vec<usize> = (0..n).filter(|i| i % 7 != 0).collect();
            *ds = ds.take_rows(&keep);
            "every 7th row dropped".into()
        }
    }
}

/// Runs `f`, turning a panic into a test failure naming `what`; checks the error message.
fn call<T>(what: &str, f: impl FnOnce() -> quasi::Result<T>) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("PANIC in {what}: {msg}");
        }
        Ok(Err(e)) => {
            assert!(!e.to_string().trim().is_empty(), "empty error message in {what}");
            None
        }
        Ok(Ok(v)) => Some(v),
    }
}

fn did_spec(v: Value) -> DidSpec {
    serde_json::from_value(v).unwrap()
}

fn run_jjj(ds: &Dataset, tag: &str) {
    let base = json!({"y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "controls": ["pgdp", "fdi"]});
    call(&format!("{tag} feols"), || {
        feols(ds, &FeolsSpec { formula: "lnHDQ ~ FTZ + pgdp + fdi | city + year".into(), ..FeolsSpec::default() })
    });
    call(&format!("{tag} feols cluster"), || {
        let spec: FeolsSpec =
            serde_json::from_value(json!({"formula": "lnHDQ ~ FTZ + log(pgdp) | city", "vcov": {"cluster": ["city"]}}))
                .unwrap_or_default();
        feols(ds, &spec)
    });
    call(&format!("{tag} did"), || did(ds, &did_spec(base.clone())));
    call(&format!("{tag} did indicator"), || {
        did(ds, &did_spec(json!({"y": "lnHDQ", "unit": "city", "time": "year", "indicator": "FTZ"})))
    });
    call(&format!("{tag} event_study"), || {
        let mut v = base.clone();
        v["window"] = json!([-3, 3]);
        event_study(ds, &serde_json::from_value::<EventStudySpec>(v).unwrap())
    });
    for kind in ["permute_units", "random_timing", "in_time"] {
        call(&format!("{tag} placebo {kind}"), || {
            let mut v = base.clone();
            v["kind"] = json!(kind);
            v["reps"] = json!(5);
            placebo(ds, &serde_json::from_value::<PlaceboSpec>(v).unwrap(), &mut |_| true)
        });
    }
    call(&format!("{tag} psm_did"), || {
        let mut v = base.clone();
        v["covariates"] = json!(["pgdp", "fdi", "urba"]);
        psm_did(ds, &serde_json::from_value::<PsmDidSpec>(v).unwrap())
    });
    for method in ["entropy", "topsis", "pca"] {
        call(&format!("{tag} index {method}"), || {
            let spec: IndexSpec = serde_json::from_value(json!({
                "method": method,
                "indicators": [{"name": "firms_per_10k"}, {"name": "exit_rate", "direction": -1},
                               {"name": "patents_per_10k"}, {"name": "pgdp"}],
                "unit": "city", "time": "year"
            }))
            .unwrap();
            build_index(ds, &spec)
        });
    }
    call(&format!("{tag} describe"), || describe(ds, &DescribeSpec { quantiles: true, ..Default::default() }));
    call(&format!("{tag} describe by"), || describe(ds, &DescribeSpec { by: Some("city".into()), ..Default::default() }));
    call(&format!("{tag} panel_info"), || panel_info(ds, "city", "year"));
}

fn run_lalonde(ds: &Dataset, tag: &str) {
    for extra in [json!({}), json!({"method": "radius", "caliper": 0.1}), json!({"method": "kernel"}), json!({"replace": false, "k": 3}), json!({"se": "bootstrap", "bootstrap_reps": 5})] {
        call(&format!("{tag} psm {extra}"), || {
            let mut v = json!({"formula": "treat ~ age + educ + race + married + re74 + re75", "outcome": "re78"});
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            psm(ds, &serde_json::from_value::<PsmSpec>(v).unwrap())
        });
    }
    call(&format!("{tag} describe"), || describe(ds, &DescribeSpec { by: Some("treat".into()), quantiles: true, ..Default::default() }));
}

fn run_prov(ds: &Dataset, tag: &str) {
    let base = json!({"y": "NQPF", "unit": "province", "time": "year", "start": "first_treat", "controls": ["GDP", "URB"]});
    call(&format!("{tag} did"), || did(ds, &did_spec(base.clone())));
    call(&format!("{tag} did 2x2"), || {
        did(ds, &did_spec(json!({"y": "NQPF", "unit": "province", "time": "year", "indicator": "DID", "vcov": "hetero"})))
    });
    call(&format!("{tag} event_study"), || {
        event_study(ds, &serde_json::from_value::<EventStudySpec>(base.clone()).unwrap())
    });
    call(&format!("{tag} placebo"), || {
        let mut v = base.clone();
        v["reps"] = json!(4);
        placebo(ds, &serde_json::from_value::<PlaceboSpec>(v).unwrap(), &mut |_| true)
    });
    call(&format!("{tag} panel_info"), || panel_info(ds, "province", "year"));
}

#[test]
fn damaged_datasets_never_panic() {
    let jjj = load(JJJ);
    let lal = load(LALONDE);
    let prov = load(PROV);
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    for round in 0..12 {
        let mut d = jjj.clone();
        let mut what = Vec::new();
        for _ in 0..rng.random_range(1..3) {
            what.push(damage(&mut d, &mut rng, &["city"]));
        }
        run_jjj(&d, &format!("jjj round {round} [{}]", what.join("; ")));
        let mut d = lal.clone();
        let mut what = Vec::new();
        for _ in 0..rng.random_range(1..3) {
            what.push(damage(&mut d, &mut rng, &["race"]));
        }
        run_lalonde(&d, &format!("lalonde round {round} [{}]", what.join("; ")));
        let mut d = prov.clone();
        let mut what = Vec::new();
        for _ in 0..rng.random_range(1..3) {
            what.push(damage(&mut d, &mut rng, &["province"]));
        }
        run_prov(&d, &format!("provinces round {round} [{}]", what.join("; ")));
    }
}

/// Absurd specs: empty names, unknown columns, negative or zero reps, absurd windows.
#[test]
fn absurd_specs_give_messages_not_panics() {
    let ds = load(JJJ);
    let err = |what: &str, r: Option<()>| {
        assert!(r.is_none(), "{what} should fail");
    };
    // Errors that must name the offending column or option.
    let problems = std::cell::RefCell::new(Vec::<String>::new());
    let named = |what: &str, e: quasi::Result<String>, needle: &str| match e {
        Err(e) if e.to_string().contains(needle) => {}
        Err(e) => problems.borrow_mut().push(format!("{what}: `{e}` should mention `{needle}`")),
        Ok(_) => problems.borrow_mut().push(format!("{what} should fail")),
    };
    let d = |v: Value| did(&ds, &did_spec(v)).map(|r| format!("{:?}", r.estimate));
    named("unknown y", d(json!({"y": "lnHQD", "unit": "city", "time": "year", "start": "ftz_year"})), "lnHQD");
    named("empty y", d(json!({"y": "", "unit": "city", "time": "year", "start": "ftz_year"})), "y");
    named("unknown unit", d(json!({"y": "lnHDQ", "unit": "town", "time": "year", "start": "ftz_year"})), "town");
    named("text time", d(json!({"y": "lnHDQ", "unit": "city", "time": "province", "start": "ftz_year"})), "province");
    named("unknown control", d(json!({"y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "controls": ["zz"]})), "zz");
    named("empty control", d(json!({"y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "controls": [""]})), "empty");
    named("text y", d(json!({"y": "province", "unit": "city", "time": "year", "start": "ftz_year"})), "province");
    named("unknown fe", d(json!({"y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "fe": ["nope"]})), "nope");
    named("unknown cluster", d(json!({"y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "vcov": {"cluster": ["qq"]}})), "qq");
    let conf = d(json!({"y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "conf_level": 1.5}));
    named("conf_level 1.5", conf, "conf");
    for w in [json!([5, -5]), json!([-1000000, 1000000]), json!([0, 0]), json!([-1, -1])] {
        let v: Value = json!({"y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "window": w});
        let r = call(&format!("event_study window {w}"), || event_study(&ds, &serde_json::from_value::<EventStudySpec>(v).unwrap()));
        if let Some(r) = r {
            for t in &r.terms {
                assert!(t.estimate.is_finite(), "window {w}: term {} estimate {}", t.term, t.estimate);
            }
        }
    }
    let p = |reps: i64| -> Option<()> {
        let v = json!({"y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "reps": reps});
        match serde_json::from_value::<PlaceboSpec>(v) {
            Err(_) => None, // a negative count is rejected while deserialising
            Ok(s) => call(&format!("placebo reps {reps}"), || placebo(&ds, &s, &mut |_| true)).map(|_| ()),
        }
    };
    err("negative reps", p(-5));
    err("zero reps", p(0));
    let v = json!({"y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "kind": "in_time", "shift": -3});
    call("in_time negative shift", || placebo(&ds, &serde_json::from_value::<PlaceboSpec>(v).unwrap(), &mut |_| true));
    let v = json!({"y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "kind": "in_time", "shift": 100000});
    call("in_time huge shift", || placebo(&ds, &serde_json::from_value::<PlaceboSpec>(v).unwrap(), &mut |_| true));
    // feols formulas with empty / odd names.
    for f in ["", "~", "lnHDQ ~", " ~ FTZ", "lnHDQ ~ FTZ | ", "lnHDQ ~ `` ", "lnHDQ ~ nope", "lnHDQ ~ FTZ | city^year", "lnHDQ ~ i(year)", "lnHDQ ~ FTZ:province"] {
        call(&format!("feols `{f}`"), || feols(&ds, &FeolsSpec { formula: f.into(), ..FeolsSpec::default() }));
    }
    // PSM with odd options.
    let lal = load(LALONDE);
    for extra in [json!({"k": 0}), json!({"caliper": -1.0}), json!({"caliper": 0.0}), json!({"bandwidth": 0.0, "method": "kernel"}), json!({"outcome": "nope"}), json!({"formula": "treat ~ "}), json!({"formula": "re78 ~ age"}), json!({"formula": "race ~ age"})] {
        call(&format!("psm {extra}"), || {
            let mut v = json!({"formula": "treat ~ age + educ", "outcome": "re78"});
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            psm(&lal, &serde_json::from_value::<PsmSpec>(v).unwrap())
        });
    }
    // Index with odd specs.
    for v in [
        json!({"indicators": []}),
        json!({"indicators": [{"name": ""}]}),
        json!({"indicators": [{"name": "pgdp"}]}),
        json!({"indicators": [{"name": "pgdp"}, {"name": "pgdp"}]}),
        json!({"indicators": [{"name": "pgdp", "direction": 0}, {"name": "fdi"}]}),
        json!({"method": "topsis", "indicators": [{"name": "pgdp"}, {"name": "fdi"}], "weights": [1.0]}),
        json!({"method": "topsis", "indicators": [{"name": "pgdp"}, {"name": "fdi"}], "weights": [0.0, 0.0]}),
        json!({"method": "pca", "indicators": [{"name": "pgdp"}, {"name": "fdi"}], "n_components": 9}),
        json!({"indicators": [{"name": "pgdp"}, {"name": "fdi"}], "scope": "by_time"}),
        json!({"indicators": [{"name": "pgdp"}, {"name": "city"}]}),
        json!({"indicators": [{"name": "pgdp"}, {"name": "fdi"}], "shift": -1.0}),
    ] {
        call(&format!("index {v}"), || build_index(&ds, &serde_json::from_value::<IndexSpec>(v.clone()).unwrap()));
    }
    // describe / panel_info with empty names.
    call("describe empty name", || describe(&ds, &DescribeSpec { columns: Some(vec![String::new()]), ..Default::default() }));
    call("describe by empty", || describe(&ds, &DescribeSpec { by: Some(String::new()), ..Default::default() }));
    call("panel_info empty", || panel_info(&ds, "", "year"));
    let empty = Dataset::default();
    call("describe empty dataset", || describe(&empty, &DescribeSpec::default()));
    call("panel_info empty dataset", || panel_info(&empty, "a", "b"));
    call("did empty dataset", || did(&empty, &did_spec(json!({"y": "y", "unit": "u", "time": "t", "start": "s"}))));
    let problems = problems.into_inner();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
