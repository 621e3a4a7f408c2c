//! Composite indices against `jjj_entropy.json` (1e-9 relative), plus hand-worked
//! and property tests of every method (see tests/fixtures/SOURCE-index.md).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::data::{read_bytes, Column, Dataset};
use quasi::estimators::index::*;
use serde_json::Value;

const CSV: &[u8] = include_bytes!("fixtures/jjj_cities.csv");
const JSON: &str = include_str!("fixtures/jjj_entropy.json");

fn jjj() -> Dataset {
    read_bytes(CSV, &Default::default()).expect("fixture loads").dataset
}

fn reference() -> Value {
    serde_json::from_str(JSON).unwrap()
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn assert_rel(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        let err = (g - w).abs() / w.abs().max(1e-300);
        assert!(err <= tol, "{what}[{k}]: got {g}, want {w} (rel err {err:e})");
    }
}

/// The 18 indicators with the JSON's directions and dimensions.
fn jjj_indicators(r: &Value) -> Vec<IndicatorSpec> {
    let names: Vec<String> = r["indicators"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
    let dirs = nums(&r["directions"]);
    let dims = r["dimension_weights"].as_object().unwrap();
    names
        .iter()
        .zip(dirs)
        .map(|(n, d)| {
            let dim = dims
                .iter()
                .find(|(_, v)| v["indicators"].as_array().unwrap().iter().any(|i| i.as_str() == Some(n)))
                .map(|(k, _)| k.clone())
                .unwrap();
            IndicatorSpec::new(n.clone(), d as i8).in_dimension(dim)
        })
        .collect()
}

fn weighted(r: IndexResult) -> WeightedIndex {
    match r {
        IndexResult::Weighted(w) => w,
        other => panic!("expected a weighted result, got {other:?}"),
    }
}

#[test]
fn entropy_matches_reference() {
    let r = reference();
    let ds = jjj();
    let spec = IndexSpec::new(IndexMethod::Entropy, jjj_indicators(&r));
    let res = weighted(build_index(&ds, &spec).unwrap());
    let e: Vec<f64> = res.weights.iter().map(|w| w.entropy.unwrap()).collect();
    let w: Vec<f64> = res.weights.iter().map(|w| w.weight).collect();
    let d: Vec<f64> = res.weights.iter().map(|w| w.divergence.unwrap()).collect();
    assert_rel(&e, &nums(&r["entropy"]), 1e-9, "entropy");
    assert_rel(&w, &nums(&r["weights"]), 1e-9, "weights");
    let want_d: Vec<f64> = nums(&r["entropy"]).iter().map(|e| 1.0 - e).collect();
    assert_rel(&d, &want_d, 1e-9, "divergence");
    assert_rel(&res.scores, &nums(&r["score"]), 1e-9, "score");
    assert_eq!(res.n_used, 130);
    assert!(res.dropped_rows.is_empty() && res.missing.is_empty());

    // Per-dimension weights.
    let dims = r["dimension_weights"].as_object().unwrap();
    assert_eq!(res.dimensions.len(), 6);
    for dr in &res.dimensions {
        let want = &dims[&dr.dimension];
        let names: Vec<&str> = want["indicators"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        assert_eq!(dr.indicators, names);
        assert_rel(&dr.weights, &nums(&want["weights"]), 1e-9, &format!("dimension {}", dr.dimension));
    }
    // Hierarchy identity: total = Σ_d W_d S_d, dimension weights sum to 1.
    let wsum: f64 = res.dimensions.iter().map(|d| d.weight).sum();
    assert!((wsum - 1.0).abs() < 1e-12);
    for i in 0..ds.nrows() {
        let s: f64 = res.dimensions.iter().map(|d| d.weight * d.scores[i]).sum();
        assert!((s - res.scores[i]).abs() < 1e-12, "row {i}: {s} vs {}", res.scores[i]);
    }
    // ×100 option.
    let mut spec100 = spec.clone();
    spec100.scale100 = true;
    let res100 = weighted(build_index(&ds, &spec100).unwrap());
    let want100: Vec<f64> = nums(&r["score"]).iter().map(|s| s * 100.0).collect();
    assert_rel(&res100.scores, &want100, 1e-9, "score x100");
}

#[test]
fn entropy_serialises_with_js_field_names() {
    let r = reference();
    let ds = jjj();
    let res = build_index(&ds, &IndexSpec::new(IndexMethod::Entropy, jjj_indicators(&r))).unwrap();
    let v = serde_json::to_value(&res).unwrap();
    assert_eq!(v["method"], "entropy");
    assert!(v["weights"][0]["indicator"].is_string());
    assert!(v["weights"][0]["weight"].is_number());
    assert!(v["weights"][0]["entropy"].is_number());
    assert_eq!(v["scores"].as_array().unwrap().len(), 130);
    assert!(v["dimensions"][0]["dimension"].is_string());
    assert!(v["dimensions"][0]["weights"].is_array());
    assert!(v["dimensions"][0]["scores"].is_array());
}

#[test]
fn topsis_matches_reference() {
    let r = reference();
    let ds = jjj();
    let spec = IndexSpec::new(IndexMethod::Topsis, jjj_indicators(&r));
    let res = match build_index(&ds, &spec).unwrap() {
        IndexResult::Topsis(t) => t,
        other => panic!("{other:?}"),
    };
    assert_eq!(res.weight_source, "entropy");
    let w: Vec<f64> = res.weights.iter().map(|w| w.weight).collect();
    assert_rel(&w, &nums(&r["weights"]), 1e-9, "topsis weights");
    assert_rel(&res.closeness, &nums(&r["topsis_closeness"]), 1e-9, "closeness");
    for i in 0..130 {
        let c = res.d_minus[i] / (res.d_plus[i] + res.d_minus[i]);
        assert!((c - res.closeness[i]).abs() < 1e-15);
    }
    // Given weights equal to the entropy weights (unnormalised ×2) reproduce it.
    let mut given = spec.clone();
    given.weights = Some(nums(&r["weights"]).iter().map(|x| 2.0 * x).collect());
    let res2 = match build_index(&ds, &given).unwrap() {
        IndexResult::Topsis(t) => t,
        other => panic!("{other:?}"),
    };
    assert_eq!(res2.weight_source, "given");
    assert!(res2.diagnostics.iter().any(|d| d.code == quasi::diagnostics::Code::WeightsRescaled && d.message.contains("rescaled")));
    assert_rel(&res2.closeness, &nums(&r["topsis_closeness"]), 1e-9, "closeness, given weights");
    let v = serde_json::to_value(IndexResult::Topsis(res2)).unwrap();
    assert!(v["closeness"].is_array() && v["weights"].is_array());
}

#[test]
fn pca_matches_reference() {
    let r = reference();
    let p = &r["pca"];
    let ds = jjj();
    // The reference PCA uses the 15 benefit indicators (df = 105 = 15·14/2).
    let inds: Vec<IndicatorSpec> = jjj_indicators(&r).into_iter().filter(|i| i.direction == 1).collect();
    assert_eq!(inds.len(), 15);
    let res = match build_index(&ds, &IndexSpec::new(IndexMethod::Pca, inds)).unwrap() {
        IndexResult::Pca(x) => x,
        other => panic!("{other:?}"),
    };
    assert_rel(&res.eigenvalues, &nums(&p["eigenvalues"]), 1e-9, "eigenvalues");
    assert_eq!(res.n_components, p["n_components"].as_u64().unwrap() as usize);
    assert_rel(&res.variance_share, &nums(&p["variance_share_retained"]), 1e-9, "variance share");
    // Sign rule (coefficients sum > 0) gives the reference orientation exactly.
    assert_rel(&res.index, &nums(&p["index"]), 1e-9, "pca index");
    assert!(res.loadings.iter().all(|l| l.coefficients[0] > 0.0));
    assert_rel(&[res.kmo], &[p["kmo"].as_f64().unwrap()], 1e-9, "kmo");
    assert_rel(&[res.bartlett.chi2], &[p["bartlett_chi2"].as_f64().unwrap()], 1e-9, "bartlett chi2");
    assert_eq!(res.bartlett.df, p["bartlett_df"].as_f64().unwrap());
    assert!(res.bartlett.p_value < 1e-10);
    assert!(res.msa.iter().all(|m| m.msa > 0.9 && m.msa < 1.0));
    // Loadings are v·√λ.
    let l0 = &res.loadings[0];
    assert!((l0.loadings[0] - l0.coefficients[0] * res.eigenvalues[0].sqrt()).abs() < 1e-14);
    let v = serde_json::to_value(IndexResult::Pca(res)).unwrap();
    for k in ["eigenvalues", "n_components", "variance_share", "index", "kmo"] {
        assert!(!v[k].is_null(), "{k}");
    }
    assert!(v["bartlett"]["chi2"].is_number() && v["bartlett"]["df"].is_number() && v["bartlett"]["p_value"].is_number());
}

#[test]
fn pca_cost_indicator_is_reversed_and_components_selectable() {
    let r = reference();
    let ds = jjj();
    let inds = jjj_indicators(&r);
    let mut spec = IndexSpec::new(IndexMethod::Pca, inds.clone());
    spec.n_components = Some(3);
    let res = match build_index(&ds, &spec).unwrap() {
        IndexResult::Pca(x) => x,
        other => panic!("{other:?}"),
    };
    assert_eq!(res.eigenvalues.len(), 18);
    assert_eq!(res.n_components, 3);
    assert!((res.variance_share.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // Cost indicators enter reversed: their loading on component 1 is positive.
    for (l, i) in res.loadings.iter().zip(&inds) {
        if i.direction == -1 {
            assert!(l.loadings[0] > 0.0, "{}", l.indicator);
        }
    }
    spec.n_components = Some(19);
    assert!(build_index(&ds, &spec).is_err());
}

// ---------------------------------------------------------------------------
// CRITIC and CV against hand computations (numpy, see the note in each test).
// ---------------------------------------------------------------------------

fn small() -> Dataset {
    Dataset::from_columns(vec![
        Column::numeric("a", vec![1.0, 2.0, 4.0, 3.0, 5.0]),
        Column::numeric("b", vec![10.0, 8.0, 9.0, 4.0, 6.0]),
        Column::numeric("c", vec![0.5, 0.1, 0.9, 0.7, 0.3]),
    ])
    .unwrap()
}

fn small_spec(method: IndexMethod) -> IndexSpec {
    IndexSpec::new(
        method,
        vec![IndicatorSpec::new("a", 1), IndicatorSpec::new("b", -1), IndicatorSpec::new("c", 1)],
    )
}

#[test]
fn critic_matches_hand_computation() {
    // numpy 2.4: z = minmax (b reversed) + 1e-4; s = z.std(0, ddof=1);
    // C = s * (1 - corrcoef(z.T)).sum(0); w = C / C.sum(); score = z @ w.
    let res = weighted(build_index(&small(), &small_spec(IndexMethod::Critic)).unwrap());
    let w: Vec<f64> = res.weights.iter().map(|w| w.weight).collect();
    assert_rel(&w, &CRITIC_W, 1e-12, "critic weights");
    assert_rel(&res.scores, &CRITIC_S, 1e-12, "critic scores");
}

#[test]
fn cv_matches_hand_computation() {
    // numpy 2.4: v = x.std(0, ddof=1) / x.mean(0) on the raw values; w = v / v.sum();
    // score = z @ w with z = minmax (b reversed) + 1e-4.
    let res = weighted(build_index(&small(), &small_spec(IndexMethod::Cv)).unwrap());
    let w: Vec<f64> = res.weights.iter().map(|w| w.weight).collect();
    assert_rel(&w, &CV_W, 1e-12, "cv weights");
    assert_rel(&res.scores, &CV_S, 1e-12, "cv scores");
    // Exact by hand: a has mean 3, sd sqrt(2.5).
    assert!((res.weights[0].cv.unwrap() - 2.5f64.sqrt() / 3.0).abs() < 1e-15);
}

#[test]
fn equal_weights_by_hand() {
    let res = weighted(build_index(&small(), &small_spec(IndexMethod::Equal)).unwrap());
    assert!(res.weights.iter().all(|w| (w.weight - 1.0 / 3.0).abs() < 1e-15));
    // Row 0: z = (0, 0, 0.5) + 1e-4 → score = (0.5 + 3e-4)/3.
    assert!((res.scores[0] - (0.5 + 3e-4) / 3.0).abs() < 1e-15);
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

fn entropy_weights(ds: &Dataset, spec: &IndexSpec) -> Vec<f64> {
    weighted(build_index(ds, spec).unwrap()).weights.iter().map(|w| w.weight).collect()
}

#[test]
fn row_order_does_not_change_weights_or_scores() {
    let r = reference();
    let ds = jjj();
    let n = ds.nrows();
    let perm: Vec<usize> = (0..n).map(|i| (i * 37 + 11) % n).collect();
    let shuffled = ds.take_rows(&perm);
    for method in [IndexMethod::Entropy, IndexMethod::Critic, IndexMethod::Cv] {
        let spec = IndexSpec::new(method, jjj_indicators(&r));
        let a = weighted(build_index(&ds, &spec).unwrap());
        let b = weighted(build_index(&shuffled, &spec).unwrap());
        for (x, y) in a.weights.iter().zip(&b.weights) {
            assert!((x.weight - y.weight).abs() < 1e-12, "{method:?}");
        }
        for (k, &i) in perm.iter().enumerate() {
            assert!((b.scores[k] - a.scores[i]).abs() < 1e-12);
        }
    }
}

#[test]
fn positive_scaling_leaves_entropy_weights_unchanged() {
    let r = reference();
    let ds = jjj();
    let spec = IndexSpec::new(IndexMethod::Entropy, jjj_indicators(&r));
    let base = entropy_weights(&ds, &spec);
    let mut scaled = ds.clone();
    let x: Vec<f64> = ds.numeric("patents_per_10k").unwrap().iter().map(|v| v * 1000.0 + 5.0).collect();
    scaled.add_numeric("patents_per_10k", x).unwrap();
    let w = entropy_weights(&scaled, &spec);
    for (a, b) in base.iter().zip(&w) {
        assert!((a - b).abs() < 1e-12);
    }
}

#[test]
fn reversing_a_cost_indicator_equals_negating_it() {
    // A cost indicator x gives the same z as the benefit indicator −x.
    let r = reference();
    let ds = jjj();
    let spec = IndexSpec::new(IndexMethod::Entropy, jjj_indicators(&r));
    let base = weighted(build_index(&ds, &spec).unwrap());
    let mut neg = ds.clone();
    let x: Vec<f64> = ds.numeric("exit_rate").unwrap().iter().map(|v| -v).collect();
    neg.add_numeric("exit_rate", x).unwrap();
    let mut spec2 = spec.clone();
    spec2.indicators[2].direction = 1;
    let other = weighted(build_index(&neg, &spec2).unwrap());
    for (a, b) in base.scores.iter().zip(&other.scores) {
        assert!((a - b).abs() < 1e-12);
    }
    // …and flipping the direction without negating changes the weights.
    let mut spec3 = spec.clone();
    spec3.indicators[2].direction = 1;
    let flipped = entropy_weights(&ds, &spec3);
    assert!((flipped[2] - base.weights[2].weight).abs() > 1e-6);
}

#[test]
fn by_time_scope_computes_weights_per_period() {
    let r = reference();
    let ds = jjj();
    let mut spec = IndexSpec::new(IndexMethod::Entropy, jjj_indicators(&r));
    spec.scope = Scope::ByTime;
    spec.time = Some("year".into());
    let res = weighted(build_index(&ds, &spec).unwrap());
    assert_eq!(res.by_time.len(), 10);
    assert!(res.by_time.iter().all(|p| p.n == 13));
    // The 2013 weights equal a pooled run on the 2013 rows only.
    let year = ds.numeric("year").unwrap();
    let keep: Vec<bool> = year.iter().map(|&y| y == 2013.0).collect();
    let sub = ds.filter_rows(&keep).unwrap();
    let mut pooled = spec.clone();
    pooled.scope = Scope::Pooled;
    let w2013 = weighted(build_index(&sub, &pooled).unwrap());
    for (a, b) in res.by_time[0].weights.iter().zip(&w2013.weights) {
        assert!((a.weight - b.weight).abs() < 1e-12);
    }
    let rows: Vec<usize> = (0..ds.nrows()).filter(|&i| keep[i]).collect();
    for (k, &i) in rows.iter().enumerate() {
        assert!((res.scores[i] - w2013.scores[k]).abs() < 1e-12);
    }
    // Reported weights are the means over periods.
    let mean0: f64 = res.by_time.iter().map(|p| p.weights[0].weight).sum::<f64>() / 10.0;
    assert!((res.weights[0].weight - mean0).abs() < 1e-12);
    // PCA is pooled only.
    spec.method = IndexMethod::Pca;
    assert!(build_index(&ds, &spec).is_err());
}

// ---------------------------------------------------------------------------
// Errors and missing values
// ---------------------------------------------------------------------------

#[test]
fn clear_errors() {
    let r = reference();
    let ds = jjj();
    let mut inds = jjj_indicators(&r);
    inds[0].name = "firms_per_10kk".into();
    let e = build_index(&ds, &IndexSpec::new(IndexMethod::Entropy, inds)).unwrap_err().to_string();
    assert!(e.contains("unknown column `firms_per_10kk`") && e.contains("firms_per_10k"), "{e}");

    let spec = IndexSpec::new(IndexMethod::Entropy, vec![IndicatorSpec::new("city", 1), IndicatorSpec::new("fe", 1)]);
    let e = build_index(&ds, &spec).unwrap_err().to_string();
    assert!(e.contains("`city`") && e.contains("non-numeric"), "{e}");

    let mut flat = ds.clone();
    flat.add_numeric("flat", vec![3.0; ds.nrows()]).unwrap();
    let spec = IndexSpec::new(IndexMethod::Entropy, vec![IndicatorSpec::new("fe", 1), IndicatorSpec::new("flat", 1)]);
    let e = build_index(&flat, &spec).unwrap_err().to_string();
    assert!(e.contains("`flat`") && e.contains("no variation"), "{e}");

    for method in [IndexMethod::Pca, IndexMethod::Entropy, IndexMethod::Topsis] {
        let spec = IndexSpec::new(method, vec![IndicatorSpec::new("fe", 1)]);
        let e = build_index(&ds, &spec).unwrap_err().to_string();
        assert!(e.contains("at least two indicators"), "{e}");
    }
    let spec = IndexSpec::new(IndexMethod::Entropy, vec![IndicatorSpec::new("fe", 2), IndicatorSpec::new("pgdp", 1)]);
    assert!(build_index(&ds, &spec).unwrap_err().to_string().contains("direction 2"));

    // CV needs non-negative values.
    let mut negds = ds.clone();
    let x: Vec<f64> = ds.numeric("fdi").unwrap().iter().map(|v| v - 2.0).collect();
    negds.add_numeric("fdi_c", x).unwrap();
    let spec = IndexSpec::new(IndexMethod::Cv, vec![IndicatorSpec::new("fe", 1), IndicatorSpec::new("fdi_c", 1)]);
    let e = build_index(&negds, &spec).unwrap_err().to_string();
    assert!(e.contains("`fdi_c`") && e.contains("negative"), "{e}");

    // TOPSIS weights of the wrong length.
    let mut spec = IndexSpec::new(IndexMethod::Topsis, vec![IndicatorSpec::new("fe", 1), IndicatorSpec::new("pgdp", 1)]);
    spec.weights = Some(vec![1.0]);
    assert!(build_index(&ds, &spec).is_err());

    // Partial dimensions.
    let spec = IndexSpec::new(
        IndexMethod::Entropy,
        vec![IndicatorSpec::new("fe", 1).in_dimension("x"), IndicatorSpec::new("pgdp", 1)],
    );
    assert!(build_index(&ds, &spec).unwrap_err().to_string().contains("pgdp"));
}

fn with_holes() -> (Dataset, IndexSpec) {
    let (ds, spec) = with_holes_from_file();
    // The holes are made in memory: rebuild without the file's line numbers, so
    // messages count rows (1-based) as for any in-memory dataset.
    (Dataset::from_columns(ds.columns().to_vec()).unwrap(), spec)
}

/// The same holes in the dataset as loaded (it keeps the CSV's line numbers).
fn with_holes_from_file() -> (Dataset, IndexSpec) {
    let r = reference();
    let mut ds = jjj();
    // Beijing 2014 (row 1) and Tianjin 2013 (row 10) lose firms_per_10k; row 45 loses exit_rate.
    let mut x = ds.numeric("firms_per_10k").unwrap().to_vec();
    x[1] = f64::NAN;
    x[10] = f64::NAN;
    ds.add_numeric("firms_per_10k", x).unwrap();
    let mut y = ds.numeric("exit_rate").unwrap().to_vec();
    y[45] = f64::NAN;
    ds.add_numeric("exit_rate", y).unwrap();
    let mut spec = IndexSpec::new(IndexMethod::Entropy, jjj_indicators(&r));
    spec.unit = Some("city".into());
    spec.time = Some("year".into());
    (ds, spec)
}

#[test]
fn missing_values_error_by_default_listing_them() {
    let (ds, spec) = with_holes();
    let e = build_index(&ds, &spec).unwrap_err().to_string();
    assert!(e.contains("`firms_per_10k` (2 missing: row 2, row 11)"), "{e}");
    assert!(e.contains("`exit_rate` (1 missing: row 46)"), "{e}");
    assert!(e.contains("drop") && e.contains("interpolate"), "{e}");
    // Loaded from a file, the message names the file's lines (header = line 1).
    let (ds, spec) = with_holes_from_file();
    let e = build_index(&ds, &spec).unwrap_err().to_string();
    assert!(e.contains("`firms_per_10k` (2 missing: line 3, line 12)"), "{e}");
    assert!(e.contains("`exit_rate` (1 missing: line 47)"), "{e}");
}

#[test]
fn missing_values_dropped_keep_rows_aligned() {
    let (ds, mut spec) = with_holes();
    spec.missing = MissingPolicy::Drop;
    let res = weighted(build_index(&ds, &spec).unwrap());
    assert_eq!(res.scores.len(), 130);
    assert_eq!(res.dropped_rows, vec![1, 10, 45]);
    assert!(res.scores[1].is_nan() && res.scores[10].is_nan() && res.scores[45].is_nan());
    assert_eq!(res.n_used, 127);
    assert_eq!(res.missing.len(), 2);
    assert_eq!(res.missing[0].rows, vec![1, 10]);
    assert!(res.diagnostics.iter().any(|d| d.code == quasi::diagnostics::Code::IndexRowsDropped && d.message.contains("3 rows")));
    // Same as computing on the complete rows only.
    let keep: Vec<bool> = (0..130).map(|i| ![1, 10, 45].contains(&i)).collect();
    let sub = ds.filter_rows(&keep).unwrap();
    let mut s2 = spec.clone();
    s2.missing = MissingPolicy::Error;
    let base = weighted(build_index(&sub, &s2).unwrap());
    let kept: Vec<f64> = res.scores.iter().copied().filter(|v| !v.is_nan()).collect();
    assert_rel(&kept, &base.scores, 1e-14, "dropped vs subset");
    // NaN serialises as null.
    let v = serde_json::to_value(IndexResult::Weighted(res)).unwrap();
    assert!(v["scores"][1].is_null());
}

#[test]
fn missing_values_interpolated_within_unit() {
    let (ds, mut spec) = with_holes();
    spec.missing = MissingPolicy::Interpolate;
    let res = weighted(build_index(&ds, &spec).unwrap());
    // Row 1 (Beijing 2014) is interior: filled; row 10 (Tianjin 2013) is the unit's
    // first year: left missing by default and dropped; row 45 is interior.
    assert_eq!(res.dropped_rows, vec![10]);
    assert!(res.diagnostics.iter().any(|d| d.code == quasi::diagnostics::Code::IndexInterpolated && d.message.contains("2 missing values filled")));
    // Filled value = mean of the neighbours (years 2013 and 2015).
    let mut filled = ds.clone();
    let mut x = ds.numeric("firms_per_10k").unwrap().to_vec();
    x[1] = (x[0] + x[2]) / 2.0;
    x[10] = f64::NAN;
    filled.add_numeric("firms_per_10k", x).unwrap();
    let mut y = ds.numeric("exit_rate").unwrap().to_vec();
    y[45] = (y[44] + y[46]) / 2.0;
    filled.add_numeric("exit_rate", y).unwrap();
    let mut s2 = spec.clone();
    s2.missing = MissingPolicy::Drop;
    let base = weighted(build_index(&filled, &s2).unwrap());
    for i in 0..130 {
        assert!(res.scores[i].is_nan() == base.scores[i].is_nan());
        if !res.scores[i].is_nan() {
            assert!((res.scores[i] - base.scores[i]).abs() < 1e-14);
        }
    }
    spec.extrapolate = Extrapolate::Nearest;
    let res = weighted(build_index(&ds, &spec).unwrap());
    assert!(res.dropped_rows.is_empty());
    // Interpolation needs unit and time.
    spec.unit = None;
    assert!(build_index(&ds, &spec).unwrap_err().to_string().contains("unit"));
}

// ---------------------------------------------------------------------------
// Location quotient, HHI, Theil: hand-worked examples
// ---------------------------------------------------------------------------

fn text(v: &[&str]) -> Vec<Option<String>> {
    v.iter().map(|s| Some(s.to_string())).collect()
}

/// Two regions, two sectors, one year:
///        manuf  serv | E_i
///   A      30    70  | 100
///   B      60    40  | 100
///   E_j    90   110  | 200
/// LQ_A,manuf = (30/100)/(90/200) = 2/3; LQ_A,serv = 0.7/0.55 = 14/11;
/// LQ_B,manuf = 0.6/0.45 = 4/3;          LQ_B,serv = 0.4/0.55 = 8/11.
fn wide_emp() -> Dataset {
    Dataset::from_columns(vec![
        Column::text("region", text(&["A", "B"])),
        Column::numeric("manuf", vec![30.0, 60.0]),
        Column::numeric("serv", vec![70.0, 40.0]),
    ])
    .unwrap()
}

#[test]
fn location_quotient_wide_and_long_by_hand() {
    let spec = LqSpec { unit: "region".into(), time: None, sector: None, value: None, sectors: vec!["manuf".into(), "serv".into()] };
    let r = location_quotient(&wide_emp(), &spec).unwrap();
    let want = [2.0 / 3.0, 14.0 / 11.0, 4.0 / 3.0, 8.0 / 11.0];
    let got: Vec<f64> = r.table.iter().map(|x| x.lq).collect();
    assert_rel(&got, &want, 1e-14, "lq wide");
    assert_eq!(r.columns[0].name, "lq_manuf");
    assert_rel(&r.columns[0].values, &[2.0 / 3.0, 4.0 / 3.0], 1e-14, "lq_manuf column");

    // The same data long, in scrambled order, two years (second year doubled: same LQ).
    let ds = Dataset::from_columns(vec![
        Column::text("region", text(&["B", "A", "A", "B", "A", "B", "B", "A"])),
        Column::numeric("year", vec![1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0]),
        Column::text("sector", text(&["serv", "manuf", "serv", "manuf", "manuf", "manuf", "serv", "serv"])),
        Column::numeric("emp", vec![40.0, 30.0, 70.0, 60.0, 60.0, 120.0, 80.0, 140.0]),
    ])
    .unwrap();
    let spec = LqSpec {
        unit: "region".into(),
        time: Some("year".into()),
        sector: Some("sector".into()),
        value: Some("emp".into()),
        sectors: vec![],
    };
    let r = location_quotient(&ds, &spec).unwrap();
    let want_rows = [8.0 / 11.0, 2.0 / 3.0, 14.0 / 11.0, 4.0 / 3.0, 2.0 / 3.0, 4.0 / 3.0, 8.0 / 11.0, 14.0 / 11.0];
    assert_rel(&r.columns[0].values, &want_rows, 1e-14, "lq long row-aligned");
    assert_eq!(r.table.len(), 8);

    // Negative employment is an error; a duplicate sector row too.
    let mut bad = ds.clone();
    bad.add_numeric("emp", vec![-1.0, 30.0, 70.0, 60.0, 60.0, 120.0, 80.0, 140.0]).unwrap();
    assert!(location_quotient(&bad, &spec).unwrap_err().to_string().contains("non-negative"));
    let dup = ds.take_rows(&[0, 0, 1]);
    assert!(location_quotient(&dup, &spec).unwrap_err().to_string().contains("more than one row"));
}

#[test]
fn hhi_by_hand() {
    // A: shares 0.3, 0.7 → HHI = 0.09 + 0.49 = 0.58, normalised (0.58 − 0.5)/0.5 = 0.16.
    // B: shares 0.6, 0.4 → HHI = 0.52, normalised 0.04.
    let spec = HhiSpec { unit: "region".into(), time: None, sector: None, value: None, sectors: vec!["manuf".into(), "serv".into()] };
    let r = hhi(&wide_emp(), &spec).unwrap();
    assert_rel(&r.table.iter().map(|x| x.hhi).collect::<Vec<_>>(), &[0.58, 0.52], 1e-14, "hhi");
    assert_rel(&r.table.iter().map(|x| x.hhi_normalised).collect::<Vec<_>>(), &[0.16, 0.04], 1e-12, "hhi*");
    assert_eq!(r.columns[1].name, "hhi_normalised");
    // Three sectors, one with everything: HHI = 1, normalised 1; equal thirds: 1/3 and 0.
    let ds = Dataset::from_columns(vec![
        Column::text("u", text(&["x", "y"])),
        Column::numeric("s1", vec![5.0, 2.0]),
        Column::numeric("s2", vec![0.0, 2.0]),
        Column::numeric("s3", vec![0.0, 2.0]),
    ])
    .unwrap();
    let spec = HhiSpec { unit: "u".into(), time: None, sector: None, value: None, sectors: vec!["s1".into(), "s2".into(), "s3".into()] };
    let r = hhi(&ds, &spec).unwrap();
    assert_rel(&[r.table[0].hhi, r.table[0].hhi_normalised], &[1.0, 1.0], 1e-15, "concentrated");
    assert!((r.table[1].hhi - 1.0 / 3.0).abs() < 1e-15 && r.table[1].hhi_normalised.abs() < 1e-15);
}

#[test]
fn theil_by_hand() {
    // Region A: Y = (60, 40), L = (20, 80): Y = 100, L = 100, Y/L = 1.
    //   TL = 0.6 ln(3/1) + 0.4 ln(0.5/1) = 0.6 ln 3 − 0.4 ln 2.
    // Region B: productivity equal in both sectors → TL = 0.
    let ds = Dataset::from_columns(vec![
        Column::text("region", text(&["A", "B"])),
        Column::numeric("y1", vec![60.0, 10.0]),
        Column::numeric("y2", vec![40.0, 30.0]),
        Column::numeric("l1", vec![20.0, 5.0]),
        Column::numeric("l2", vec![80.0, 15.0]),
    ])
    .unwrap();
    let spec = TheilSpec {
        unit: "region".into(),
        time: None,
        sector: None,
        output: None,
        employment: None,
        output_sectors: vec!["y1".into(), "y2".into()],
        employment_sectors: vec!["l1".into(), "l2".into()],
    };
    let r = theil(&ds, &spec).unwrap();
    let want_a = 0.6 * 3f64.ln() - 0.4 * 2f64.ln();
    assert!((r.table[0].theil - want_a).abs() < 1e-15, "{}", r.table[0].theil);
    assert!(r.table[1].theil.abs() < 1e-15);
    assert_eq!(r.columns[0].values.len(), 2);
    // Long form gives the same.
    let long = Dataset::from_columns(vec![
        Column::text("region", text(&["A", "A", "B", "B"])),
        Column::text("sector", text(&["s1", "s2", "s1", "s2"])),
        Column::numeric("y", vec![60.0, 40.0, 10.0, 30.0]),
        Column::numeric("l", vec![20.0, 80.0, 5.0, 15.0]),
    ])
    .unwrap();
    let spec = TheilSpec {
        unit: "region".into(),
        time: None,
        sector: Some("sector".into()),
        output: Some("y".into()),
        employment: Some("l".into()),
        output_sectors: vec![],
        employment_sectors: vec![],
    };
    let r = theil(&long, &spec).unwrap();
    assert!((r.columns[0].values[0] - want_a).abs() < 1e-15);
    assert!((r.columns[0].values[1] - want_a).abs() < 1e-15);
}

#[test]
fn tables_render() {
    let r = reference();
    let ds = jjj();
    let res = build_index(&ds, &IndexSpec::new(IndexMethod::Entropy, jjj_indicators(&r))).unwrap();
    let t = WeightsTable::from_result(&res).unwrap();
    assert_eq!(t.rows.len(), 6 + 18);
    let render = |t: &quasi::report::ResultTable, format: &str| {
        quasi::report::render_table(t, &quasi::report::RenderOptions { format: format.into(), ..Default::default() }).unwrap()
    };
    let csv = render(&t.to_table(), "csv");
    assert!(csv.starts_with("Dimension,Indicator,Direction,Entropy,Weight in dimension,Weight\n"), "{csv}");
    assert!(csv.contains("vitality,exit_rate,-,"), "{csv}");
    let s = ScoreSummaryTable::new(&ds, "year", res.values()).unwrap();
    assert_eq!(s.rows.len(), 10);
    let rk = RankingTable::new(&ds, "city", Some("year"), Some("2022"), res.values()).unwrap();
    assert_eq!(rk.rows.len(), 13);
    assert_eq!(rk.rows[0].unit, "Beijing");
    let md = render(&rk.to_table(), "markdown");
    assert!(md.lines().any(|l| l.starts_with("| 1 ") && l.contains("| Beijing ")), "{md}");
}

#[test]
fn direction_suggestions_for_jjj_names() {
    let r = reference();
    let names: Vec<String> = r["indicators"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
    let s = suggest_directions(&names);
    let dirs: Vec<f64> = s.iter().map(|x| f64::from(x.direction)).collect();
    assert_eq!(dirs, nums(&r["directions"]));
}

// Expected CRITIC / CV numbers on `small()`, computed independently with numpy 2.4.6
// (script in the comments of the two tests above; printed with repr()).
const CRITIC_W: [f64; 3] = [0.2849164431692996, 0.33248203347548977, 0.3826015233552106];
const CRITIC_S: [f64; 5] = [0.19140076167760528, 0.1821564552841548, 0.6518025279781002, 0.7619913975765474, 0.6023215129917621];
const CV_W: [f64; 3] = [0.354925193685592, 0.21916457389169755, 0.42591023242271037];
const CV_S: [f64; 5] = [0.21305511621135517, 0.1618861563852972, 0.7287315566688539, 0.7161598450515263, 0.607612467719068];

#[test]
fn index_columns_append_to_the_dataset() {
    let r = reference();
    let mut ds = jjj();
    let res = build_index(&ds, &IndexSpec::new(IndexMethod::Entropy, jjj_indicators(&r))).unwrap();
    let cols = res.columns("HQD");
    assert_eq!(cols.len(), 7);
    assert_eq!(cols[1].name, "HQD_vitality");
    for c in cols {
        ds.add_numeric(&c.name, c.values).unwrap();
    }
    assert_rel(ds.numeric("HQD").unwrap(), &nums(&r["score"]), 1e-9, "appended column");
}

#[test]
fn pca_with_more_indicators_than_rows_reports_instead_of_failing() {
    let r = reference();
    let ds = jjj();
    let keep: Vec<bool> = (0..ds.nrows()).map(|i| i < 10).collect(); // Beijing only: 10 rows, 18 indicators
    let sub = ds.filter_rows(&keep).unwrap();
    let res = match build_index(&sub, &IndexSpec::new(IndexMethod::Pca, jjj_indicators(&r))).unwrap() {
        IndexResult::Pca(x) => x,
        other => panic!("{other:?}"),
    };
    assert!(res.kmo.is_nan() && res.bartlett.chi2.is_nan());
    assert!(res.diagnostics.iter().any(|d| d.code == quasi::diagnostics::Code::PcaSuitability && d.message.contains("singular")));
    assert!(res.index.iter().all(|v| v.is_finite()));
}

#[test]
fn by_time_names_the_period_of_a_constant_indicator() {
    let ds = Dataset::from_columns(vec![
        Column::numeric("year", vec![1.0, 1.0, 2.0, 2.0]),
        Column::numeric("a", vec![1.0, 2.0, 3.0, 4.0]),
        Column::numeric("b", vec![5.0, 6.0, 7.0, 7.0]),
    ])
    .unwrap();
    let mut spec = IndexSpec::new(IndexMethod::Entropy, vec![IndicatorSpec::new("a", 1), IndicatorSpec::new("b", 1)]);
    spec.scope = Scope::ByTime;
    spec.time = Some("year".into());
    let e = build_index(&ds, &spec).unwrap_err().to_string();
    assert!(e.contains("`b`") && e.contains("period 2"), "{e}");
    // Pooled, b varies: fine.
    spec.scope = Scope::Pooled;
    assert!(build_index(&ds, &spec).is_ok());
    // by_time without a time column.
    spec.scope = Scope::ByTime;
    spec.time = None;
    assert!(build_index(&ds, &spec).is_err());
}

#[test]
fn topsis_by_hand() {
    // Two indicators, equal given weights, no shift: z = [[0,1],[1,0],[0.5,0.5]] ×0.5.
    // Ideal (0.5, 0.5), anti (0, 0): row 3 is at distance √0.125 from both → 0.5;
    // rows 1 and 2 are at distance 0.5 from both → 0.5 too; with b a cost indicator
    // row 1 becomes (0,0) → closeness 0, row 2 (0.5,0.5) → 1.
    let ds = Dataset::from_columns(vec![
        Column::numeric("a", vec![0.0, 2.0, 1.0]),
        Column::numeric("b", vec![4.0, 0.0, 2.0]),
    ])
    .unwrap();
    let mut spec = IndexSpec::new(IndexMethod::Topsis, vec![IndicatorSpec::new("a", 1), IndicatorSpec::new("b", -1)]);
    spec.shift = 0.0;
    spec.weights = Some(vec![0.5, 0.5]);
    let res = match build_index(&ds, &spec).unwrap() {
        IndexResult::Topsis(t) => t,
        other => panic!("{other:?}"),
    };
    assert!(res.closeness[0].abs() < 1e-15 && (res.closeness[1] - 1.0).abs() < 1e-15);
    assert!((res.closeness[2] - 0.5).abs() < 1e-15);
    assert!((res.d_plus[0] - 0.5f64.sqrt()).abs() < 1e-15);
    spec.indicators[1].direction = 1;
    let res = match build_index(&ds, &spec).unwrap() {
        IndexResult::Topsis(t) => t,
        other => panic!("{other:?}"),
    };
    assert!(res.closeness.iter().all(|c| (c - 0.5).abs() < 1e-15));
}

#[test]
fn hhi_long_form_with_periods() {
    let ds = Dataset::from_columns(vec![
        Column::text("u", text(&["A", "A", "A", "A"])),
        Column::numeric("t", vec![1.0, 1.0, 2.0, 2.0]),
        Column::text("s", text(&["x", "y", "x", "y"])),
        Column::numeric("e", vec![1.0, 3.0, 2.0, 2.0]),
    ])
    .unwrap();
    let spec = HhiSpec { unit: "u".into(), time: Some("t".into()), sector: Some("s".into()), value: Some("e".into()), sectors: vec![] };
    let r = hhi(&ds, &spec).unwrap();
    // t=1: shares ¼, ¾ → 0.625; t=2: ½, ½ → 0.5 (normalised 0.25 and 0).
    assert_rel(&r.columns[0].values, &[0.625, 0.625, 0.5, 0.5], 1e-15, "hhi rows");
    assert_rel(&r.table.iter().map(|x| x.hhi_normalised + 1.0).collect::<Vec<_>>(), &[1.25, 1.0], 1e-15, "hhi*");
    assert_eq!(r.table[0].time.as_deref(), Some("1"));
}

/// Issue 9, index: with every indicator perfectly correlated (here exact affine copies,
/// one a cost indicator), every CRITIC information C_j = σ_j Σ_k (1 − r_jk) is 0 in exact
/// arithmetic and the weights are undefined. Rounding left `1 − r_jk` at ±1e-16, the sum
/// slipped past the "all perfectly correlated" check, and the weights were noise (here
/// 0.25, 0.5, 0, 0.25) with a dimension of weight 0 whose sub-index was NaN. Now a
/// clear error, and no NaN sub-index.
#[test]
fn critic_with_all_indicators_perfectly_correlated_is_an_error_not_nan() {
    let a = vec![
        0.4507233460304745, 0.2101662186226858, 0.4112037410880447, 0.586821760467211, 0.2644903566560568,
        0.5589402179076512, 0.4546515586446779, 0.16292333957275174, 0.5021165705526578, 0.8430351118527964,
    ];
    let ds = Dataset::from_columns(vec![
        Column::numeric("a", a.clone()),
        Column::numeric("b", a.iter().map(|v| 3.0 * v + 1.0).collect()),
        Column::numeric("c", a.iter().map(|v| 7.0 - 2.0 * v).collect()),
        Column::numeric("d", a.clone()),
    ])
    .unwrap();
    let spec = IndexSpec::new(
        IndexMethod::Critic,
        vec![
            IndicatorSpec::new("a", 1).in_dimension("A"),
            IndicatorSpec::new("b", 1).in_dimension("A"),
            IndicatorSpec::new("c", -1).in_dimension("B"),
            IndicatorSpec::new("d", 1).in_dimension("C"),
        ],
    );
    match build_index(&ds, &spec) {
        Ok(IndexResult::Weighted(r)) => panic!(
            "expected an error; weights {:?}, dimension weights {:?}, NaN sub-index scores: {}",
            r.weights.iter().map(|w| w.weight).collect::<Vec<_>>(),
            r.dimensions.iter().map(|d| d.weight).collect::<Vec<_>>(),
            r.dimensions.iter().any(|d| d.scores.iter().any(|s| s.is_nan()))
        ),
        Ok(_) => panic!("not a weighted index"),
        Err(e) => assert!(e.to_string().contains("perfectly correlated"), "{e}"),
    }
}
