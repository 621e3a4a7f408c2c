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

/// An estimator call under [`call`], recorded as (what, succeeded).
fn est<T>(out: &mut Vec<(String, bool)>, what: String, f: impl FnOnce() -> quasi::Result<T>) {
    let ok = call(&what, f).is_some();
    out.push((what, ok));
}

fn did_spec(v: Value) -> DidSpec {
    serde_json::from_value(v).unwrap()
}

fn run_jjj(ds: &Dataset, tag: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let base = json!({"y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "controls": ["pgdp", "fdi"]});
    est(&mut out, format!("{tag} feols"), || {
        feols(ds, &FeolsSpec { formula: "lnHDQ ~ FTZ + pgdp + fdi | city + year".into(), ..FeolsSpec::default() })
    });
    est(&mut out, format!("{tag} feols cluster"), || {
        let spec: FeolsSpec =
            serde_json::from_value(json!({"formula": "lnHDQ ~ FTZ + log(pgdp) | city", "vcov": {"cluster": ["city"]}}))
                .unwrap_or_default();
        feols(ds, &spec)
    });
    est(&mut out, format!("{tag} did"), || did(ds, &did_spec(base.clone())));
    est(&mut out, format!("{tag} did indicator"), || {
        did(ds, &did_spec(json!({"y": "lnHDQ", "unit": "city", "time": "year", "indicator": "FTZ"})))
    });
    est(&mut out, format!("{tag} event_study"), || {
        let mut v = base.clone();
        v["window"] = json!([-3, 3]);
        event_study(ds, &serde_json::from_value::<EventStudySpec>(v).unwrap())
    });
    for kind in ["permute_units", "random_timing", "in_time"] {
        est(&mut out, format!("{tag} placebo {kind}"), || {
            let mut v = base.clone();
            v["kind"] = json!(kind);
            v["reps"] = json!(5);
            placebo(ds, &serde_json::from_value::<PlaceboSpec>(v).unwrap(), &mut |_| true)
        });
    }
    est(&mut out, format!("{tag} psm_did"), || {
        let mut v = base.clone();
        v["covariates"] = json!(["pgdp", "fdi", "urba"]);
        psm_did(ds, &serde_json::from_value::<PsmDidSpec>(v).unwrap())
    });
    for method in ["entropy", "topsis", "pca"] {
        est(&mut out, format!("{tag} index {method}"), || {
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
    out
}

fn run_lalonde(ds: &Dataset, tag: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for extra in [json!({}), json!({"method": "radius", "caliper": 0.1}), json!({"method": "kernel"}), json!({"replace": false, "k": 3}), json!({"se": "bootstrap", "bootstrap_reps": 5})] {
        est(&mut out, format!("{tag} psm {extra}"), || {
            let mut v = json!({"formula": "treat ~ age + educ + race + married + re74 + re75", "outcome": "re78"});
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            psm(ds, &serde_json::from_value::<PsmSpec>(v).unwrap())
        });
    }
    call(&format!("{tag} describe"), || describe(ds, &DescribeSpec { by: Some("treat".into()), quantiles: true, ..Default::default() }));
    out
}

fn run_prov(ds: &Dataset, tag: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let base = json!({"y": "NQPF", "unit": "province", "time": "year", "start": "first_treat", "controls": ["GDP", "URB"]});
    est(&mut out, format!("{tag} did"), || did(ds, &did_spec(base.clone())));
    est(&mut out, format!("{tag} did 2x2"), || {
        did(ds, &did_spec(json!({"y": "NQPF", "unit": "province", "time": "year", "indicator": "DID", "vcov": "hetero"})))
    });
    est(&mut out, format!("{tag} event_study"), || {
        event_study(ds, &serde_json::from_value::<EventStudySpec>(base.clone()).unwrap())
    });
    est(&mut out, format!("{tag} placebo"), || {
        let mut v = base.clone();
        v["reps"] = json!(4);
        placebo(ds, &serde_json::from_value::<PlaceboSpec>(v).unwrap(), &mut |_| true)
    });
    call(&format!("{tag} panel_info"), || panel_info(ds, "province", "year"));
    out
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

/// Zero rows: every estimator must refuse (there is nothing to estimate); describe and
/// panel_info may legitimately report an empty table, so they are only run.
#[test]
fn zero_rows_are_an_error_for_every_estimator() {
    let mut failed_as_expected = 0;
    for (name, bytes) in [("jjj", JJJ), ("lalonde", LALONDE), ("provinces", PROV)] {
        let ds = load(bytes).take_rows(&[]);
        assert_eq!(ds.nrows(), 0);
        let outcomes = match name {
            "jjj" => run_jjj(&ds, "jjj zero rows"),
            "lalonde" => run_lalonde(&ds, "lalonde zero rows"),
            _ => run_prov(&ds, "provinces zero rows"),
        };
        assert!(!outcomes.is_empty());
        for (what, ok) in outcomes {
            assert!(!ok, "{what} succeeded on a dataset with no rows");
            failed_as_expected += 1;
        }
    }
    assert_eq!(failed_as_expected, 12 + 5 + 4);
}

/// Absurd specs: empty names, unknown columns, negative or zero reps, absurd windows.
/// Each is bad input by design and must be an error whose message names the problem;
/// the few that may legitimately succeed are asserted to succeed (and say why).
#[test]
fn absurd_specs_give_messages_not_panics() {
    let ds = load(JJJ);
    let err = |what: &str, r: Option<()>| {
        assert!(r.is_none(), "{what} should fail");
    };
    // Errors that must name the offending column or option. Every call also runs under
    // `call` (a panic fails the test naming the case).
    let problems = std::cell::RefCell::new(Vec::<String>::new());
    let named = |what: &str, e: quasi::Result<String>, needle: &str| match e {
        Err(e) if e.to_string().contains(needle) => {}
        Err(e) => problems.borrow_mut().push(format!("{what}: `{e}` should mention `{needle}`")),
        Ok(_) => problems.borrow_mut().push(format!("{what} should fail")),
    };
    /// Runs `f` under `call` (no panic, non-empty message), keeping the error for `named`.
    fn guarded<T>(what: &str, f: impl FnOnce() -> quasi::Result<T>) -> quasi::Result<String> {
        let mut kept = None;
        call(what, || match f() {
            Ok(_) => Ok(()),
            Err(e) => {
                kept = Some(e.to_string());
                Err(e)
            }
        });
        match kept {
            None => Ok(String::new()),
            Some(m) => Err(quasi::Error::invalid(m)),
        }
    }
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
    // Event windows: inverted, without the reference period, or only the reference period.
    let es = |w: Value| {
        let v: Value = json!({"y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "window": w});
        guarded(&format!("event_study window {w}"), || event_study(&ds, &serde_json::from_value::<EventStudySpec>(v).unwrap()))
    };
    named("event_study window [5, -5]", es(json!([5, -5])), "the start is after the end");
    named("event_study window [0, 0]", es(json!([0, 0])), "outside the event window");
    named("event_study window [-1, -1]", es(json!([-1, -1])), "no regressors");
    // May legitimately succeed: a huge window is the whole range of observed event times.
    let v: Value = json!({"y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "window": [-1000000, 1000000]});
    let wide = call("event_study window [-1e6, 1e6]", || event_study(&ds, &serde_json::from_value::<EventStudySpec>(v).unwrap()))
        .expect("a window wider than the data is the whole data");
    assert!(!wide.terms.is_empty());
    for t in &wide.terms {
        assert!(t.estimate.is_finite(), "wide window: term {} estimate {}", t.term, t.estimate);
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
    for (shift, needle) in [(-3, "shift must be at least 1"), (100000, "shift of 100000")] {
        let v = json!({"y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "kind": "in_time", "shift": shift});
        let r = guarded(&format!("in_time shift {shift}"), || placebo(&ds, &serde_json::from_value::<PlaceboSpec>(v).unwrap(), &mut |_| true));
        named(&format!("in_time shift {shift}"), r, needle);
    }
    // feols formulas with empty / odd names.
    for (f, needle) in [
        ("", "the formula is empty"),
        ("~", "formula error at position 1"),
        ("lnHDQ ~", "expected a term after `~`"),
        (" ~ FTZ", "formula error"),
        ("lnHDQ ~ FTZ | ", "expected a fixed-effect variable"),
        ("lnHDQ ~ `` ", "column name in the specification is empty"),
        ("lnHDQ ~ nope", "`nope`"),
        ("lnHDQ ~ FTZ:province", "`province`"),
        // every (city, year) is its own group in this panel: all singletons
        ("lnHDQ ~ FTZ | city^year", "singleton"),
    ] {
        let r = guarded(&format!("feols `{f}`"), || feols(&ds, &FeolsSpec { formula: f.into(), ..FeolsSpec::default() }));
        named(&format!("feols `{f}`"), r, needle);
    }
    // May legitimately succeed: year dummies (fixest's i()).
    call("feols `lnHDQ ~ i(year)`", || feols(&ds, &FeolsSpec { formula: "lnHDQ ~ i(year)".into(), ..FeolsSpec::default() }))
        .expect("lnHDQ ~ i(year) is a valid formula");
    // PSM with odd options.
    let lal = load(LALONDE);
    for (extra, needle) in [
        (json!({"k": 0}), "k (neighbours per unit) must be at least 1"),
        (json!({"caliper": -1.0}), "caliper"),
        (json!({"caliper": 0.0}), "caliper"),
        (json!({"bandwidth": 0.0, "method": "kernel"}), "bandwidth"),
        (json!({"outcome": "nope"}), "`nope`"),
        (json!({"formula": "treat ~ "}), "expected a term after `~`"),
        (json!({"formula": "re78 ~ age"}), "`re78` must be 0 (control) or 1"),
        (json!({"formula": "race ~ age"}), "`race`"),
    ] {
        let r = guarded(&format!("psm {extra}"), || {
            let mut v = json!({"formula": "treat ~ age + educ", "outcome": "re78"});
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            psm(&lal, &serde_json::from_value::<PsmSpec>(v).unwrap())
        });
        named(&format!("psm {extra}"), r, needle);
    }
    // Index with odd specs.
    for (v, needle) in [
        (json!({"indicators": []}), "at least two indicators"),
        (json!({"indicators": [{"name": ""}]}), "at least two indicators"),
        (json!({"indicators": [{"name": "pgdp"}]}), "at least two indicators"),
        (json!({"indicators": [{"name": "pgdp"}, {"name": "pgdp"}]}), "`pgdp` is listed twice"),
        (json!({"indicators": [{"name": "pgdp", "direction": 0}, {"name": "fdi"}]}), "direction 0"),
        (json!({"method": "topsis", "indicators": [{"name": "pgdp"}, {"name": "fdi"}], "weights": [1.0]}), "1 weights given for 2 indicators"),
        (json!({"method": "topsis", "indicators": [{"name": "pgdp"}, {"name": "fdi"}], "weights": [0.0, 0.0]}), "weights sum to 0"),
        (json!({"method": "pca", "indicators": [{"name": "pgdp"}, {"name": "fdi"}], "n_components": 9}), "n_components"),
        // by_time without a time column
        (json!({"indicators": [{"name": "pgdp"}, {"name": "fdi"}], "scope": "by_time"}), "`time`"),
        (json!({"indicators": [{"name": "pgdp"}, {"name": "city"}]}), "`city`"),
        (json!({"indicators": [{"name": "pgdp"}, {"name": "fdi"}], "shift": -1.0}), "shift"),
    ] {
        let r = guarded(&format!("index {v}"), || build_index(&ds, &serde_json::from_value::<IndexSpec>(v.clone()).unwrap()));
        named(&format!("index {v}"), r, needle);
    }
    // describe / panel_info with empty names.
    let empty_name = "column name in the specification is empty";
    named("describe empty name", guarded("describe empty name", || describe(&ds, &DescribeSpec { columns: Some(vec![String::new()]), ..Default::default() })), empty_name);
    named("panel_info empty", guarded("panel_info empty", || panel_info(&ds, "", "year")), empty_name);
    // May legitimately succeed: an empty `by` is documented as "no grouping" (the page
    // sends it for the empty choice); the result equals the ungrouped one.
    let by_empty = call("describe by empty", || describe(&ds, &DescribeSpec { by: Some(String::new()), ..Default::default() }))
        .expect("an empty `by` means no grouping");
    assert_eq!(by_empty, describe(&ds, &DescribeSpec::default()).unwrap());
    let empty = Dataset::default();
    // May legitimately go either way (an empty table or "nothing to describe"): only run.
    call("describe empty dataset", || describe(&empty, &DescribeSpec::default()));
    named("panel_info empty dataset", guarded("panel_info empty dataset", || panel_info(&empty, "a", "b")), "unknown column `a`");
    named(
        "did empty dataset",
        guarded("did empty dataset", || did(&empty, &did_spec(json!({"y": "y", "unit": "u", "time": "t", "start": "s"})))),
        "unknown column",
    );
    let problems = problems.into_inner();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
