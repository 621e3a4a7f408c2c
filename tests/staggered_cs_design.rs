//! Callaway–Sant'Anna beyond the reference cases: the multiplier bootstrap against the analytic
//! SEs, the panel rules (late adopters, always-treated units, unbalanced units), the errors a
//! user can meet, not-yet-treated controls without never-treated units checked by hand, and
//! the tables in every format.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::estimators::staggered::*;
use quasi::report::render::fmt_num;
use quasi::report::{render_table, RenderOptions, Tables};
use quasi::{Code, Dataset};

const MPDTA: &str = include_str!("fixtures/mpdta.csv");

fn read(text: &str) -> Dataset {
    quasi::data::read_bytes(text.as_bytes(), &Default::default()).unwrap().dataset
}

fn spec() -> CsSpec {
    CsSpec { y: "lemp".into(), unit: "countyreal".into(), time: "year".into(), start: "first_treat".into(), ..Default::default() }
}

/// mpdta with each line passed through `f` (header untouched); `None` drops the line.
fn edit(f: impl Fn(&[&str]) -> Option<String>) -> Dataset {
    let mut lines = MPDTA.lines();
    let mut out = vec![lines.next().unwrap().to_string()];
    for l in lines {
        let cells: Vec<&str> = l.split(',').collect();
        if let Some(x) = f(&cells) {
            out.push(x);
        }
    }
    read(&out.join("\n"))
}

fn same(a: &CsResult, b: &CsResult) {
    assert_eq!(a.att_gt, b.att_gt);
    assert_eq!(a.aggregate, b.aggregate);
}

// columns of mpdta.csv: year,countyreal,lpop,lemp,first_treat,treat

#[test]
fn bootstrap_ses_agree_with_analytic_and_repeat_for_a_seed() {
    let ds = read(MPDTA);
    let an = csdid(&ds, &spec()).unwrap();
    let sp = CsSpec { bootstrap: Some(BootstrapSpec { reps: 9999, seed: 7 }), ..spec() };
    let bs = csdid(&ds, &sp).unwrap();
    // The normalised-IQR SE of 9,999 draws has a Monte-Carlo relative SD of about 1.2 %;
    // 4 % is about 3.4 of them.
    let check = |what: String, a: f64, b: f64| {
        assert!((b / a - 1.0).abs() < 0.04, "{what}: bootstrap {b} vs analytic {a}");
    };
    for (a, b) in an.att_gt.iter().zip(&bs.att_gt) {
        assert_eq!(a.estimate.estimate, b.estimate.estimate);
        check(a.estimate.term.clone(), a.estimate.std_error, b.estimate.std_error);
    }
    let pairs = [
        (&an.aggregate.simple, &bs.aggregate.simple),
        (&an.aggregate.dynamic, &bs.aggregate.dynamic),
        (&an.aggregate.group, &bs.aggregate.group),
        (&an.aggregate.calendar, &bs.aggregate.calendar),
    ];
    for (a, b) in pairs {
        check(a.estimate.term.clone(), a.estimate.std_error, b.estimate.std_error);
        for (x, y) in a.terms.iter().zip(&b.terms) {
            check(x.estimate.term.clone(), x.estimate.std_error, y.estimate.std_error);
        }
    }
    // uniform bands: a critical value above the pointwise 1.96, used by every term
    let crit = bs.bootstrap.as_ref().unwrap().crit_att_gt;
    assert!(crit > 2.1 && crit < 4.0, "uniform critical value {crit}");
    let c = &bs.att_gt[3].estimate;
    assert!((c.conf_high - c.estimate - crit * c.std_error).abs() < 1e-12);
    assert!(bs.aggregate.dynamic.crit_val > 2.1);
    // the same seed repeats exactly; another seed differs
    let again = csdid(&ds, &sp).unwrap();
    same(&bs, &again);
    let other = csdid(&ds, &CsSpec { bootstrap: Some(BootstrapSpec { reps: 9999, seed: 8 }), ..spec() }).unwrap();
    assert_ne!(bs.aggregate.simple.estimate.std_error, other.aggregate.simple.estimate.std_error);
}

#[test]
fn bootstrap_can_be_cancelled() {
    let ds = read(MPDTA);
    let sp = CsSpec { bootstrap: Some(BootstrapSpec { reps: 999, seed: 1 }), ..spec() };
    let mut calls = 0;
    let r = csdid_with_progress(&ds, &sp, &mut |f| {
        calls += 1;
        f < 0.5
    });
    assert!(r.is_err() && calls > 2);
    assert!(r.unwrap_err().to_string().to_lowercase().contains("cancel"));
}

#[test]
fn late_adopter_is_never_treated_and_always_treated_unit_is_dropped() {
    let base = csdid(&read(MPDTA), &spec()).unwrap();
    // a never-treated county (13011) recoded to adopt in 2030: nothing changes
    let late = edit(|c| {
        let ft = if c[1] == "13011" { "2030" } else { c[4] };
        Some(format!("{},{},{},{},{},{}", c[0], c[1], c[2], c[3], ft, c[5]))
    });
    let r = csdid(&late, &spec()).unwrap();
    assert!(base.cohorts[0].n > 0);
    same(&base, &r);
    assert!(r.diagnostics.has(Code::LateAdoptersAsControls));
    // a county treated from 2003 (the first period) is dropped: as if it were not in the data
    let always = edit(|c| {
        let ft = if c[1] == "8019" { "2003" } else { c[4] };
        Some(format!("{},{},{},{},{},{}", c[0], c[1], c[2], c[3], ft, c[5]))
    });
    let without = edit(|c| (c[1] != "8019").then(|| c.join(",")));
    let r = csdid(&always, &spec()).unwrap();
    assert!(r.diagnostics.has(Code::AlwaysTreated));
    same(&r, &csdid(&without, &spec()).unwrap());
    assert_eq!(r.n_units, base.n_units - 1);
}

#[test]
fn unit_missing_a_period_is_dropped_with_a_diagnostic() {
    let gap = edit(|c| (!(c[1] == "8019" && c[0] == "2005")).then(|| c.join(",")));
    let without = edit(|c| (c[1] != "8019").then(|| c.join(",")));
    let r = csdid(&gap, &spec()).unwrap();
    let d = r.diagnostics.with_code(Code::PanelUnbalanced).next().expect("diagnostic");
    assert!(d.message.contains("`8019`"), "{}", d.message);
    same(&r, &csdid(&without, &spec()).unwrap());
}

#[test]
fn errors_say_what_to_do() {
    // no never-treated units with never-treated controls: suggest notyet
    let treated_only = edit(|c| (c[4] != "0").then(|| c.join(",")));
    let e = csdid(&treated_only, &spec()).unwrap_err().to_string();
    assert!(e.contains("never-treated") && e.contains("notyet"), "{e}");
    // a one-unit cohort with covariates under IPW/DR: which cohort and unit
    let single = edit(|c| {
        let ft = if c[1] == "8019" { "2005" } else { c[4] };
        Some(format!("{},{},{},{},{},{}", c[0], c[1], c[2], c[3], ft, c[5]))
    });
    for method in [CsMethod::Ipw, CsMethod::Dr] {
        let sp = CsSpec { covariates: vec!["lpop".into()], method, ..spec() };
        let e = csdid(&single, &sp).unwrap_err().to_string();
        assert!(e.contains("cohort 2005") && e.contains("`8019`"), "{e}");
    }
    let sp = CsSpec { covariates: vec!["lpop".into()], method: CsMethod::Reg, ..spec() };
    assert!(csdid(&single, &sp).is_ok());
    // adoption changing within a unit
    let moving = edit(|c| {
        let ft = if c[1] == "8001" && c[0] == "2006" { "2006" } else { c[4] };
        Some(format!("{},{},{},{},{},{}", c[0], c[1], c[2], c[3], ft, c[5]))
    });
    let e = csdid(&moving, &spec()).unwrap_err().to_string();
    assert!(e.contains("`8001`") && e.contains("changes"), "{e}");
    // no adoption inside the panel
    let outside = edit(|c| {
        let ft = if c[4] == "0" { "0" } else { "1999" };
        Some(format!("{},{},{},{},{},{}", c[0], c[1], c[2], c[3], ft, c[5]))
    });
    let e = csdid(&outside, &spec()).unwrap_err().to_string();
    assert!(e.contains("no unit adopts within the panel"), "{e}");
    // an unknown column
    let e = csdid(&read(MPDTA), &CsSpec { y: "lemq".into(), ..spec() }).unwrap_err().to_string();
    assert!(e.contains("lemq"), "{e}");
}

/// Without never-treated units, `notyet` keeps the periods before the last cohort (2007) and
/// compares each cohort with the units adopting after the period; without covariates every
/// method is the difference in mean changes, computed here by hand.
#[test]
fn not_yet_treated_without_never_treated_by_hand() {
    let ds = edit(|c| (c[4] != "0").then(|| c.join(",")));
    let r = csdid(&ds, &CsSpec { control_group: ControlGroup::NotYet, ..spec() }).unwrap();
    assert!(r.diagnostics.has(Code::NoNeverTreated));
    assert_eq!(r.n_periods, 4); // 2003–2006
    let rows: Vec<(f64, f64, f64)> = MPDTA
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[4] != "0")
        .map(|c| (c[0].parse().unwrap(), c[3].parse().unwrap(), c[4].parse().unwrap()))
        .collect();
    // mean of y(t1) − y(t0) over units (identified by order within year) of cohort set
    let mean_change = |t0: f64, t1: f64, keep: &dyn Fn(f64) -> bool| {
        let a: Vec<&(f64, f64, f64)> = rows.iter().filter(|r| r.0 == t0 && keep(r.2)).collect();
        let b: Vec<&(f64, f64, f64)> = rows.iter().filter(|r| r.0 == t1 && keep(r.2)).collect();
        a.iter().zip(&b).map(|(x, y)| y.1 - x.1).sum::<f64>() / a.len() as f64
    };
    for (g, t, base) in [(2004.0, 2004.0, 2003.0), (2004.0, 2005.0, 2003.0), (2006.0, 2005.0, 2004.0), (2006.0, 2006.0, 2005.0)] {
        let want = mean_change(base, t, &|c| c == g) - mean_change(base, t, &|c| c > t.max(base) && c != g);
        let got = r.att_gt.iter().find(|c| c.group == g && c.time == t).unwrap().estimate.estimate;
        assert!((got - want).abs() < 1e-12, "ATT({g},{t}): {got} vs {want}");
    }
    assert!(r.att_gt.iter().all(|c| c.group != 2007.0));
}

#[test]
fn tables_render_in_every_format() {
    let r = csdid(&read(MPDTA), &spec()).unwrap();
    let ts = r.tables();
    let ids: Vec<&str> = ts.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["cs.aggregates", "cs.dynamic", "cs.group", "cs.calendar", "cs.att_gt"]);
    let simple = &r.aggregate.simple.estimate;
    let cell = &r.att_gt[0].estimate;
    for t in &ts {
        t.check().unwrap();
        assert!(!t.rows.is_empty(), "{}", t.id);
        for format in ["csv", "markdown", "latex", "html", "text"] {
            let s = render_table(t, &RenderOptions { format: format.into(), ..Default::default() }).unwrap();
            if t.id == "cs.aggregates" {
                assert!(s.contains(&fmt_num(simple.estimate.abs(), 4)) && s.contains(&fmt_num(simple.std_error, 4)), "{format}\n{s}");
            }
            if t.id == "cs.att_gt" {
                assert!(s.contains(&fmt_num(cell.estimate.abs(), 4)), "{format}\n{s}");
            }
        }
    }
    assert_eq!(ts[1].rows.len(), r.aggregate.dynamic.terms.len());
    assert_eq!(ts[4].rows.len(), r.att_gt.len());
}

/// The comparison runs every estimator on provinces.csv, each column equal to the estimator run
/// alone, with the overlay chart and the side-by-side table.
#[test]
fn compare_runs_every_estimator() {
    let ds = read(include_str!("fixtures/provinces.csv"));
    let spec = CompareSpec { y: "NQPF".into(), unit: "province".into(), time: "year".into(), start: "first_treat".into(), ..Default::default() };
    let r = compare(&ds, &spec, &mut |_| true).unwrap();
    let keys: Vec<&str> = r.estimators.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["twfe", "cs", "sunab", "did2s", "imputation"]);
    let cs = csdid(&ds, &CsSpec { y: "NQPF".into(), unit: "province".into(), time: "year".into(), start: "first_treat".into(), base_period: BasePeriod::Universal, ..Default::default() }).unwrap();
    assert_eq!(r.estimators[1].att, cs.aggregate.simple.estimate);
    let sa = sunab(&ds, &SunabSpec { y: "NQPF".into(), unit: "province".into(), time: "year".into(), start: "first_treat".into(), ..Default::default() }).unwrap();
    assert_eq!(r.estimators[2].att, sa.att);
    let share = r.bacon_later_vs_earlier_share.unwrap();
    assert!(share > 0.0 && share < 1.0);
    let t = &r.tables()[0];
    t.check().unwrap();
    assert_eq!(t.columns.len(), 6);
    assert_eq!(t.rows[0].cells[0], quasi::report::Cell::text("ATT"));
    for c in &r.estimators {
        assert!(r.svg.contains(&c.label.replace('\'', "&apos;")), "{} missing from the chart", c.label);
    }
    // TWFE differs from the robust estimators on this panel (built to show the bias)
    assert!((r.estimators[0].att.estimate - cs.aggregate.simple.estimate.estimate).abs() > 1e-3);
}

/// The TWFE DID on a staggered panel warns and quotes the Bacon share of later-vs-earlier
/// comparisons, the same number the decomposition gives.
#[test]
fn twfe_warning_quotes_the_bacon_share() {
    let ds = read(include_str!("fixtures/provinces.csv"));
    let spec: quasi::estimators::did::DidSpec =
        serde_json::from_value(serde_json::json!({ "y": "NQPF", "unit": "province", "time": "year", "start": "first_treat" })).unwrap();
    let r = quasi::estimators::did::did(&ds, &spec).unwrap();
    let d = r.diagnostics.with_code(Code::StaggeredTwfe).next().expect("staggered warning");
    let b = bacon_decomposition(&ds, &BaconSpec { y: "NQPF".into(), unit: "province".into(), time: "year".into(), start: "first_treat".into() }).unwrap();
    let share: f64 = b.by_type.iter().filter(|t| t.kind == quasi::estimators::staggered::bacon::ComparisonType::LaterVsEarlier).map(|t| t.weight).sum();
    assert!(share > 0.01);
    assert!(d.message.contains(&format!("{:.1}% of the TWFE weight", 100.0 * share)), "{}", d.message);
    assert_eq!(r.diagnostics.with_code(Code::StaggeredTwfe).count(), 1);
}

/// Anticipation δ = 1 is the same as adopting one period earlier with δ = 0: every ATT(g,t)
/// compares the same units over the same periods (base g − 1 − δ), so the cells match with
/// the cohort relabelled (cohort 2004 is then treated in the first period and dropped in both).
#[test]
fn anticipation_is_adoption_one_period_earlier() {
    let ds = read(MPDTA);
    let r1 = csdid(&ds, &CsSpec { anticipation: 1, ..spec() }).unwrap();
    let shifted = edit(|c| {
        let ft: i64 = c[4].parse().unwrap();
        let ft = if ft == 0 { 0 } else { ft - 1 };
        Some(format!("{},{},{},{},{},{}", c[0], c[1], c[2], c[3], ft, c[5]))
    });
    let r0 = csdid(&shifted, &spec()).unwrap();
    assert!(r1.diagnostics.has(Code::AlwaysTreated) && r0.diagnostics.has(Code::AlwaysTreated));
    assert_eq!(r1.att_gt.len(), r0.att_gt.len());
    for (a, b) in r1.att_gt.iter().zip(&r0.att_gt) {
        assert_eq!((a.group - 1.0, a.time), (b.group, b.time));
        assert!((a.estimate.estimate - b.estimate.estimate).abs() < 1e-12);
        assert!((a.estimate.std_error - b.estimate.std_error).abs() < 1e-12);
    }
}

/// The multiplier bootstrap gives the same draws natively and in wasm: a seeded SE pinned to
/// the value computed natively (this test also runs in headless Chromium).
#[test]
fn bootstrap_is_the_same_native_and_wasm() {
    let ds = read(MPDTA);
    let r = csdid(&ds, &CsSpec { bootstrap: Some(BootstrapSpec { reps: 999, seed: 42 }), ..spec() }).unwrap();
    let se = r.aggregate.simple.estimate.std_error;
    let crit = r.bootstrap.as_ref().unwrap().crit_att_gt;
    assert!((se / PINNED_SE - 1.0).abs() < 1e-12, "{se:e}");
    assert!((crit / PINNED_CRIT - 1.0).abs() < 1e-12, "{crit:e}");
}
const PINNED_SE: f64 = 1.180_072_609_521_332_6e-2;
const PINNED_CRIT: f64 = 2.724_310_606_192_716_5;
