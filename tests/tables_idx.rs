//! Every table of the index, descriptive-statistics and panel results renders in all five
//! formats (CSV, Markdown, LaTeX, HTML, text) on the sample data, with a well-formed shape.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::data::{describe, panel_info, read_bytes, Dataset, DescribeSpec};
use quasi::estimators::index::*;
use quasi::report::{render_table, RenderOptions, ResultTable, Tables};

const CSV: &[u8] = include_bytes!("fixtures/jjj_cities.csv");

fn ds() -> Dataset {
    read_bytes(CSV, &Default::default()).unwrap().dataset
}

fn indicators() -> Vec<IndicatorSpec> {
    vec![
        IndicatorSpec::new("firms_per_10k", 1).in_dimension("vitality"),
        IndicatorSpec::new("exit_rate", -1).in_dimension("vitality"),
        IndicatorSpec::new("patents_per_10k", 1).in_dimension("innovation"),
        IndicatorSpec::new("trademarks_per_10k", 1).in_dimension("innovation"),
        IndicatorSpec::new("capital_attraction", 1).in_dimension("capital"),
    ]
}

/// Renders `t` in every format; checks the shape and that each output names the first column.
fn render_all(t: &ResultTable) {
    t.check().unwrap();
    assert!(!t.rows.is_empty(), "table `{}` has no rows", t.id);
    for format in ["csv", "markdown", "latex", "html", "text"] {
        let out = render_table(t, &RenderOptions { format: format.into(), ..Default::default() })
            .unwrap_or_else(|e| panic!("{} as {format}: {e}", t.id));
        assert!(!out.trim().is_empty(), "{} as {format} is empty", t.id);
        let label = t.rows[0].cells.first().and_then(|c| match c {
            quasi::report::Cell::Text { text } => Some(text.clone()),
            _ => None,
        });
        if let Some(l) = label.filter(|l| l.is_ascii() && !l.contains('&') && !l.contains('_')) {
            assert!(out.contains(&l), "{} as {format} lacks `{l}`:\n{out}", t.id);
        }
    }
}

fn ids(ts: &[ResultTable]) -> Vec<&str> {
    ts.iter().map(|t| t.id.as_str()).collect()
}

#[test]
fn index_tables_render_in_every_format() {
    let ds = ds();
    let mut spec = IndexSpec::new(IndexMethod::Entropy, indicators());
    spec.time = Some("year".into());
    let entropy = build_index(&ds, &spec).unwrap().tables();
    assert_eq!(ids(&entropy), ["index.weights", "index.dimensions", "index.scores"]);
    let topsis = build_index(&ds, &IndexSpec::new(IndexMethod::Topsis, indicators())).unwrap().tables();
    assert_eq!(ids(&topsis), ["index.weights", "index.scores"]);
    let pca_ind: Vec<IndicatorSpec> = indicators().into_iter().filter(|i| i.direction == 1).collect();
    let pca = build_index(&ds, &IndexSpec::new(IndexMethod::Pca, pca_ind)).unwrap().tables();
    assert_eq!(ids(&pca), ["index.pca.components", "index.pca.loadings", "index.pca.adequacy", "index.scores"]);
    for t in entropy.iter().chain(&topsis).chain(&pca) {
        render_all(t);
    }
    // The weights table holds the result's weights (full precision in the cells).
    let res = build_index(&ds, &spec).unwrap();
    let IndexResult::Weighted(w) = &res else { panic!("weighted") };
    let t = &entropy[0];
    let wcol = t.columns.iter().position(|c| c.label == "Weight").unwrap();
    for (row, iw) in t.rows.iter().zip(&w.weights) {
        assert_eq!(row.cells[wcol], quasi::report::Cell::number(iw.weight, 4));
    }
    // Per-dimension tables of the dataset (weights by dimension, by period, ranking).
    let wt = WeightsTable::from_result(&res).unwrap().to_table();
    render_all(&wt);
    render_all(&ScoreSummaryTable::new(&ds, "year", res.values()).unwrap().to_table());
    render_all(&RankingTable::new(&ds, "city", Some("year"), None, res.values()).unwrap().to_table());
}

#[test]
fn describe_and_panel_tables_render_in_every_format() {
    let ds = ds();
    let plain = describe(&ds, &DescribeSpec { columns: Some(vec!["lnHDQ".into(), "pgdp".into()]), ..Default::default() }).unwrap();
    let by = describe(&ds, &DescribeSpec { columns: Some(vec!["lnHDQ".into(), "pgdp".into()]), by: Some("FTZ".into()), quantiles: true }).unwrap();
    let t = plain.tables();
    assert_eq!(ids(&t), ["describe.stats"]);
    assert_eq!(t[0].rows.len(), 2);
    let tb = by.tables();
    assert_eq!(tb[0].columns.iter().map(|c| c.label.as_str()).collect::<Vec<_>>(), ["Variable", "FTZ", "N", "Mean", "SD", "Min", "Max", "P25", "Median", "P75"]);
    assert_eq!(tb[0].rows.len(), by.rows.len());
    assert!(tb[0].rows[2].rule_above, "a new variable starts a new panel");
    let csv = render_table(&t[0], &RenderOptions { format: "csv".into(), ..Default::default() }).unwrap();
    assert!(csv.starts_with("Variable,N,Mean,SD,Min,Max\nlnHDQ,130,"), "{csv}");
    let p = panel_info(&ds, "city", "year").unwrap().tables();
    assert_eq!(ids(&p), ["panel.info"]);
    for t in t.iter().chain(&tb).chain(&p) {
        render_all(t);
    }
}
