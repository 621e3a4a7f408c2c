//! Spatial autocorrelation statistics and LM tests against spdep 1.2-7.
//!
//! References: `fixtures/spatial/columbus_spatial.json` (Moran's I of CRIME),
//! `fixtures/spatial/provinces_spatial.json` (Moran's I of y in 2011 and 2022, the 1/d²
//! matrix), and `fixtures/spatial/r/autocorrelation.json` (made by
//! `fixtures/spatial/r/autocorrelation.R`: Geary, Moran under normality, localmoran,
//! lm.LMtests cross-section and two-way-demeaned panel, an island case).

use quasi::estimators::spatial::autocorrelation::{
    geary_stats, lisa, local_moran, moran, moran_stats, MoranSpec, Period,
};
use quasi::estimators::spatial::design::SpatialFe;
use quasi::estimators::spatial::lm_tests::{lm_tests, LmTestSpec};
use quasi::estimators::spatial::{SpatialWeights, Standardise};
use quasi::report::Tables;
use quasi::Dataset;
use serde_json::Value;

const COLUMBUS: &[u8] = include_bytes!("fixtures/spatial/columbus.csv");
const COLUMBUS_NB: &str = include_str!("fixtures/spatial/columbus_neighbors.csv");
const COLUMBUS_REF: &str = include_str!("fixtures/spatial/columbus_spatial.json");
const PROVINCES: &[u8] = include_bytes!("fixtures/spatial/provinces_spatial.csv");
const PROVINCES_REF: &str = include_str!("fixtures/spatial/provinces_spatial.json");
const R_REF: &str = include_str!("fixtures/spatial/r/autocorrelation.json");

fn data(bytes: &[u8]) -> Dataset {
    quasi::data::read_bytes(bytes, &Default::default()).expect("csv").dataset
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).expect("json")
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(num).collect()
}

/// `|a − b| ≤ tol · max(|b|, floor)`, named in the failure.
fn close(what: &str, a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol * b.abs().max(1e-300), "{what}: {a} vs reference {b} (rel. tol {tol})");
}

/// A p-value from R's `1 − pchisq`, which loses digits in the far tail: relative `tol`
/// or an absolute 1e-15.
fn close_p(what: &str, a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= (tol * b.abs()).max(1e-15), "{what}: {a} vs reference {b}");
}

/// Row-standardised contiguity from the `from,to` list, units in `columbus.csv` order
/// (POLYID 1..49); links touching `island` are removed (both ways).
fn columbus_w(island: Option<i64>) -> SpatialWeights {
    let ds = data(COLUMBUS);
    let ids: Vec<i64> = ds.numeric("POLYID").expect("POLYID").iter().map(|v| *v as i64).collect();
    let pairs: Vec<(i64, i64)> = COLUMBUS_NB
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut it = l.split(',').map(|s| s.trim().parse::<i64>().expect("id"));
            (it.next().expect("from"), it.next().expect("to"))
        })
        .filter(|(a, b)| Some(*a) != island && Some(*b) != island)
        .collect();
    let rows = ids
        .iter()
        .map(|&u| {
            let nb: Vec<usize> = pairs.iter().filter(|p| p.0 == u).map(|p| ids.iter().position(|&x| x == p.1).expect("known")).collect();
            let k = nb.len() as f64;
            nb.into_iter().map(|j| (j, 1.0 / k)).collect()
        })
        .collect();
    SpatialWeights::from_rows(ids.iter().map(|u| u.to_string()).collect(), rows, Standardise::Row)
        .expect("weights")
        .with_unit_column(Some("POLYID".into()))
}

/// The provinces' 1/d² matrix as stored (already row-standardised) in the JSON.
fn provinces_w() -> SpatialWeights {
    let r = json(PROVINCES_REF);
    let order: Vec<String> = r["weights"]["order"].as_array().expect("order").iter().map(|v| v.as_str().expect("name").to_string()).collect();
    let rows = r["weights"]["matrix"]
        .as_array()
        .expect("matrix")
        .iter()
        .map(|row| nums(row).into_iter().enumerate().filter(|(_, v)| *v != 0.0).collect())
        .collect();
    SpatialWeights::from_rows(order, rows, Standardise::Row).expect("weights").with_unit_column(Some("province".into()))
}

fn spec(y: &str) -> MoranSpec {
    MoranSpec { y: y.into(), ..Default::default() }
}

#[test]
fn columbus_moran_and_geary_match_spdep() {
    let ds = data(COLUMBUS);
    let w = columbus_w(None);
    let r = moran(&ds, &spec("CRIME"), &w).expect("moran");
    let m = &json(COLUMBUS_REF)["moran_crime"];
    // columbus_spatial.json's variance is moran.test's default, under randomisation.
    close("I", r.shown.moran.i, num(&m["I"]), 1e-9);
    close("E[I]", r.shown.moran.expectation, num(&m["expectation"]), 1e-9);
    close("Var (rand.)", r.shown.moran.variance_randomisation, num(&m["variance"]), 1e-9);
    close("z (rand.)", r.shown.moran.z_randomisation, num(&m["z"]), 1e-9);
    close("p greater", r.shown.moran.p_value, num(&m["p_greater"]), 1e-9);
    let c = &json(R_REF)["columbus"];
    let normal = &c["moran_normal"];
    close("Var (normal)", r.shown.moran.variance_normal, nums(&normal["estimate"])[2], 1e-9);
    close("z (normal)", r.shown.moran.z_normal, num(&normal["statistic"]), 1e-9);
    let g = &c["geary_randomisation"];
    close("C", r.shown.geary.c, nums(&g["estimate"])[0], 1e-8);
    close("Var C (rand.)", r.shown.geary.variance_randomisation, nums(&g["estimate"])[2], 1e-8);
    close("z C", r.shown.geary.z, num(&g["statistic"]), 1e-8);
    close("p C", r.shown.geary.p_value, num(&g["p_value"]), 1e-8);
    let gn = geary_stats(ds.numeric("CRIME").expect("CRIME"), &w);
    close("Var C (normal)", gn.variance_normal, nums(&c["geary_normal"]["estimate"])[2], 1e-8);
    assert_eq!((r.shown.n, r.shown.period.clone(), r.shown.p_permutation), (49, None, None));
    assert_eq!(r.by_period.len(), 1);
    // The JSON shape the JS API promises.
    let v = serde_json::to_value(&r).expect("serialise");
    for k in ["I", "expectation", "variance_normal", "z_normal", "variance_randomisation", "z_randomisation", "p_value", "p_permutation", "permutations", "n", "period", "geary", "by_period", "scatter", "diagnostics"] {
        assert!(v.get(k).is_some(), "field {k}");
    }
    for k in ["c", "expectation", "variance_randomisation", "z", "p_value"] {
        assert!(v["geary"].get(k).is_some(), "geary.{k}");
    }
    for t in r.tables() {
        t.check().expect("table shape");
    }
    // Scatter: standardised values, their lag; the slope through the origin is I.
    let s = &r.scatter;
    let slope = s.z.iter().zip(&s.wz).map(|(a, b)| a * b).sum::<f64>() / s.z.iter().map(|a| a * a).sum::<f64>();
    close("scatter slope", slope, r.shown.moran.i, 1e-12);
    let svg = r.scatter_svg();
    assert!(svg.contains("<title>1</title>") && svg.contains("Moran scatter plot of CRIME"));
}

#[test]
fn columbus_with_an_island_follows_zero_policy() {
    let ds = data(COLUMBUS);
    let w = columbus_w(Some(1));
    assert_eq!(w.islands(), vec![0]);
    let x = ds.numeric("CRIME").expect("CRIME").to_vec();
    let m = moran_stats(&x, &w);
    let g = geary_stats(&x, &w);
    let r = &json(R_REF)["columbus_island1"];
    let (mr, mn, gr) = (&r["moran_randomisation"], &r["moran_normal"], &r["geary_randomisation"]);
    close("I", m.i, nums(&mr["estimate"])[0], 1e-9);
    close("E[I]", m.expectation, nums(&mr["estimate"])[1], 1e-9);
    close("Var (rand.)", m.variance_randomisation, nums(&mr["estimate"])[2], 1e-9);
    close("Var (normal)", m.variance_normal, nums(&mn["estimate"])[2], 1e-9);
    close("z (rand.)", m.z_randomisation, num(&mr["statistic"]), 1e-9);
    close("C", g.c, nums(&gr["estimate"])[0], 1e-8);
    close("Var C", g.variance_randomisation, nums(&gr["estimate"])[2], 1e-8);
    close("z C", g.z, num(&gr["statistic"]), 1e-8);
    let res = moran(&ds, &spec("CRIME"), &w).expect("moran");
    assert!(res.diagnostics.has(quasi::Code::WeightsIslands));
}

#[test]
fn provinces_moran_by_year_matches_spdep() {
    let ds = data(PROVINCES);
    let w = provinces_w();
    let refs = json(PROVINCES_REF)["moran"].as_array().expect("moran").clone();
    let all = moran(&ds, &MoranSpec { time: Some("year".into()), ..spec("y") }, &w).expect("panel");
    assert_eq!(all.by_period.len(), 12);
    assert_eq!(all.shown.period.as_deref(), Some("2022"), "the top level is the last period");
    for m in &refs {
        let year = num(&m["year"]);
        let one = moran(&ds, &MoranSpec { time: Some("year".into()), period: Some(Period(format!("{year}"))), ..spec("y") }, &w)
            .expect("one period");
        let from_all = all.by_period.iter().find(|p| p.period.as_deref() == Some(&format!("{year}"))).expect("year in by_period");
        for r in [&one.shown, from_all] {
            let s = &r.moran;
            close("I", s.i, num(&m["I"]), 1e-9);
            close("E[I]", s.expectation, num(&m["expectation"]), 1e-9);
            close("Var normal", s.variance_normal, num(&m["variance_normal"]), 1e-9);
            close("z normal", s.z_normal, num(&m["z_normal"]), 1e-9);
            close("Var rand.", s.variance_randomisation, num(&m["variance_randomisation"]), 1e-9);
            close("z rand.", s.z_randomisation, num(&m["z_randomisation"]), 1e-9);
            close("p rand.", s.p_value, num(&m["p_greater_randomisation"]), 1e-9);
        }
    }
    let g = &json(R_REF)["provinces"]["geary_2022"];
    close("C 2022", all.shown.geary.c, nums(&g["estimate"])[0], 1e-8);
    close("Var C 2022", all.shown.geary.variance_randomisation, nums(&g["estimate"])[2], 1e-8);
    close("p C 2022", all.shown.geary.p_value, num(&g["p_value"]), 1e-8);
    // The period given as a JSON number, as the JS API sends it.
    let s: MoranSpec = serde_json::from_str(r#"{"y":"y","time":"year","period":2022}"#).expect("spec");
    close("I via JSON", moran(&ds, &s, &w).expect("2022").shown.moran.i, num(&refs[1]["I"]), 1e-9);
    let t = all.tables();
    assert_eq!(t[0].rows.len(), 12);
}

fn check_local(r: &quasi::estimators::spatial::autocorrelation::LisaResult, refs: &Value) {
    let cols = [("Ii", 0), ("E_Ii", 1), ("Var_Ii", 2), ("Z_Ii", 3), ("p", 4)];
    for (name, k) in cols {
        let want = nums(&refs[name]);
        assert_eq!(want.len(), r.units.len());
        for (u, b) in r.units.iter().zip(&want) {
            let a = [u.ii, u.expectation, u.variance, u.z, u.p_value][k];
            close(&format!("{name} of {}", u.unit), a, *b, 1e-8);
        }
    }
}

#[test]
fn local_moran_matches_spdep_localmoran() {
    let ds = data(COLUMBUS);
    let w = columbus_w(None);
    let r = lisa(&ds, &spec("CRIME"), &w).expect("lisa");
    let refs = &json(R_REF)["columbus"]["localmoran"];
    check_local(&r, refs);
    let quad: Vec<String> = refs["quadrant_mean"]
        .as_array()
        .expect("quadrants")
        .iter()
        .map(|q| {
            let q = q.as_str().expect("text");
            q.split('-').map(|h| if h == "High" { "H" } else { "L" }).collect()
        })
        .collect();
    let ours: Vec<String> = r.units.iter().map(|u| u.quadrant.clone()).collect();
    assert_eq!(ours, quad);
    for u in &r.units {
        let sig = u.p_value <= 0.05;
        assert_eq!(u.cluster, if sig { u.quadrant.clone() } else { "not significant".into() });
    }
    let fills = r.fills();
    assert_eq!(fills.len(), 49);
    assert!(fills.iter().all(|f| r.legend().iter().any(|(_, c)| c == f)));
    for t in r.tables() {
        t.check().expect("table shape");
    }
    let counts: usize = r.counts().iter().map(|c| c.1).sum();
    assert_eq!(counts, 49);
    // Provinces 2022 (inverse-distance weights).
    let p = lisa(&data(PROVINCES), &MoranSpec { time: Some("year".into()), period: Some(Period("2022".into())), ..spec("y") }, &provinces_w())
        .expect("lisa 2022");
    check_local(&p, &json(R_REF)["provinces"]["localmoran_2022"]);
    // The kernel on slices agrees with the dataset version.
    let k = local_moran(ds.numeric("CRIME").expect("CRIME"), &w);
    assert_eq!(k[3].ii, r.units[3].ii);
}

fn lm_check(got: &quasi::estimators::spatial::lm_tests::LmTests, refs: &Value) {
    let names = ["LMerr", "LMlag", "RLMerr", "RLMlag", "SARMA"];
    assert_eq!(got.tests.iter().map(|t| t.test.as_str()).collect::<Vec<_>>(), names);
    for t in &got.tests {
        let r = &refs[&t.test];
        close(&format!("{} statistic", t.test), t.statistic, num(&r["statistic"]), 1e-8);
        assert_eq!(t.df as f64, num(&r["df"]));
        close_p(&format!("{} p", t.test), t.p_value, num(&r["p_value"]), 1e-8);
    }
}

#[test]
fn lm_tests_match_spdep_cross_section_and_panel() {
    let ds = data(COLUMBUS);
    let got = lm_tests(&ds, &LmTestSpec { formula: "CRIME ~ INC + HOVAL".into(), ..Default::default() }, &columbus_w(None)).expect("lm tests");
    lm_check(&got, &json(R_REF)["columbus"]["lm_tests"]);
    assert_eq!(got.regressors, vec!["(Intercept)", "INC", "HOVAL"]);
    for t in got.tables() {
        t.check().expect("table shape");
    }
    let spec = LmTestSpec { formula: "y ~ DID + INN + URB".into(), time: Some("year".into()), fe: SpatialFe::Twoways, ..Default::default() };
    let panel = lm_tests(&data(PROVINCES), &spec, &provinces_w()).expect("panel lm tests");
    assert_eq!((panel.n, panel.periods, panel.nobs), (31, 12, 372));
    assert_eq!(panel.regressors, vec!["DID", "INN", "URB"]);
    lm_check(&panel, &json(R_REF)["provinces"]["panel_twoways_lm_tests"]);
    let unit = lm_tests(&data(PROVINCES), &LmTestSpec { fe: SpatialFe::Unit, ..spec.clone() }, &provinces_w()).expect("unit fe");
    lm_check(&unit, &json(R_REF)["provinces"]["panel_unit_lm_tests"]);
    let pooled = lm_tests(&data(PROVINCES), &LmTestSpec { fe: SpatialFe::None, ..spec.clone() }, &provinces_w()).expect("pooled");
    assert_eq!(pooled.regressors, vec!["(Intercept)", "DID", "INN", "URB"]);
    lm_check(&pooled, &json(R_REF)["provinces"]["pooled_lm_tests"]);
    let e = lm_tests(&ds, &LmTestSpec { formula: "CRIME ~ INC".into(), fe: SpatialFe::Unit, ..Default::default() }, &columbus_w(None))
        .expect_err("fe without time")
        .to_string();
    assert!(e.contains("time"), "{e}");
    // One period of the panel: nothing is left within the fixed effects.
    let pd = data(PROVINCES);
    let years = pd.numeric("year").expect("year").to_vec();
    let one = pd.filter_rows(&years.iter().map(|&y| y == years[0]).collect::<Vec<_>>()).expect("one year");
    let e = lm_tests(&one, &spec, &provinces_w()).expect_err("fe with one period").to_string();
    assert!(e.contains("two periods"), "{e}");
}

fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut k = 0;
    while k < idx.len() {
        let mut e = k;
        while e + 1 < idx.len() && v[idx[e + 1]] == v[idx[k]] {
            e += 1;
        }
        for &i in &idx[k..=e] {
            r[i] = (k + e) as f64 / 2.0 + 1.0;
        }
        k = e + 1;
    }
    r
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

#[test]
fn permutation_tests_are_seeded_and_sensible() {
    let ds = data(COLUMBUS);
    let w = columbus_w(None);
    let s = MoranSpec { permutations: 999, seed: 1, ..spec("CRIME") };
    let a = moran(&ds, &s, &w).expect("moran");
    let b = moran(&ds, &s, &w).expect("moran again");
    assert_eq!(a.shown.p_permutation, b.shown.p_permutation);
    let p = a.shown.p_permutation.expect("permutations drawn");
    assert!(p <= 0.002, "I = 0.486 is far in the tail: p = {p}");
    assert_eq!(a.shown.permutations, 999);
    // CRIME's values scattered at random over the units: no autocorrelation to find.
    let crime = ds.numeric("CRIME").expect("CRIME").to_vec();
    let mut shuffled = crime.clone();
    {
        use rand_chacha::rand_core::SeedableRng;
        quasi::inference::rng::shuffle(&mut shuffled, &mut rand_chacha::ChaCha8Rng::seed_from_u64(2024));
    }
    let mut ds2 = ds.clone();
    ds2.add_numeric("CRIME_SHUFFLED", shuffled).expect("column");
    let r = moran(&ds2, &MoranSpec { permutations: 999, seed: 7, ..spec("CRIME_SHUFFLED") }, &w).expect("shuffled");
    let pp = r.shown.p_permutation.expect("drawn");
    assert!(pp > 0.05 && r.shown.moran.p_value > 0.05, "shuffled: p perm {pp}, p normal {}", r.shown.moran.p_value);
    // LISA: permutation pseudo p-values rank the units as the analytic ones do.
    let l = lisa(&ds, &MoranSpec { permutations: 999, seed: 3, ..spec("CRIME") }, &w).expect("lisa");
    let l2 = lisa(&ds, &MoranSpec { permutations: 999, seed: 3, ..spec("CRIME") }, &w).expect("lisa again");
    assert_eq!(l, l2);
    let perm: Vec<f64> = l.units.iter().map(|u| u.p_permutation.expect("drawn")).collect();
    let analytic: Vec<f64> = l.units.iter().map(|u| u.p_value).collect();
    let rho = pearson(&ranks(&perm), &ranks(&analytic));
    assert!(rho > 0.8, "Spearman {rho}");
    assert_eq!(l.cluster_p, "permutation");
}

#[test]
fn errors_name_what_is_wrong() {
    let ds = data(PROVINCES);
    let w = provinces_w();
    let e = moran(&ds, &spec("nope"), &w).expect_err("unknown column").to_string();
    assert!(e.contains("nope"), "{e}");
    let s = MoranSpec { time: Some("year".into()), period: Some(Period("2030".into())), ..spec("y") };
    let e = moran(&ds, &s, &w).expect_err("no such period").to_string();
    assert!(e.contains("2030") && e.contains("2011") && e.contains("2022"), "{e}");
    let e = moran(&ds, &MoranSpec { period: Some(Period("2022".into())), ..spec("y") }, &w).expect_err("period without time").to_string();
    assert!(e.contains("time"), "{e}");
    // A missing value of y for Hebei in 2015.
    let text = std::str::from_utf8(PROVINCES).expect("utf8");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let k = lines.iter().position(|l| l.starts_with("Hebei,") && l.contains(",2015,")).expect("Hebei 2015");
    let mut f: Vec<String> = lines[k].split(',').map(str::to_string).collect();
    f[6] = String::new();
    lines[k] = f.join(",");
    let holed = data(lines.join("\n").as_bytes());
    let e = moran(&holed, &MoranSpec { time: Some("year".into()), ..spec("y") }, &w).expect_err("missing").to_string();
    assert!(e.contains("Hebei") && e.contains("2015") && e.contains("`y`"), "{e}");
    let e = moran(&holed, &MoranSpec { time: Some("year".into()), period: Some(Period("2015".into())), ..spec("y") }, &w)
        .expect_err("missing in the period")
        .to_string();
    assert!(e.contains("Hebei") && e.contains("2015"), "{e}");
    assert!(moran(&holed, &MoranSpec { time: Some("year".into()), period: Some(Period("2016".into())), ..spec("y") }, &w).is_ok());
    // No unit column: neither in the spec nor in the weights.
    let bare = SpatialWeights::from_rows(w.units().to_vec(), (0..w.n()).map(|i| w.row(i).collect()).collect(), Standardise::Row).expect("copy");
    let e = moran(&ds, &spec("y"), &bare).expect_err("no unit").to_string();
    assert!(e.contains("unit"), "{e}");
    let e = lisa(&ds, &MoranSpec { alpha: Some(1.5), ..spec("y") }, &w).expect_err("alpha").to_string();
    assert!(e.contains("alpha"), "{e}");
}
