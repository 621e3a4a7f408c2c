//! Regression tables: one or several [`FeolsFit`]s side by side (fixest's
//! `etable`, Stata's `esttab`).
//!
//! Layout (top to bottom): model numbers `(1) (2) …` (or `model_names`), the
//! dependent variable of each model, one row per coefficient with stars and,
//! below it, the standard error (or t statistic) in parentheses; optional
//! "Controls: Yes/No" rows (terms listed in a [`ControlsRow`] are hidden from
//! the coefficient rows); one "Yes/No" row per fixed effect; the standard-error
//! type (with the cluster variables); then the statistics (N, R², within R², …)
//! and a note explaining stars and parentheses.
//!
//! Formats: `csv` (RFC 4180 quoting), `latex` (booktabs; every string
//! escaped), `markdown` (pipe table; `|` and `*` escaped), `html` (a plain
//! `<table>` that pastes cleanly into Word; every string HTML-escaped), and
//! `text` (aligned plain text).
//!
//! Numbers are printed with `digits` decimals; a non-zero number that would
//! print as zero is shown with `digits` significant digits instead.
//!
//! Language: `lang: "zh"` spells the fixed labels as Chinese journals do (观测值, 组内R²,
//! 控制变量, 城市固定效应, 聚类到城市层面, 是/否, …) through [`super::i18n`]; each such row
//! keeps its typed [`Label`], so the renderer can spell it in another language.

use super::i18n::{self, Label, Lang};
use super::render::{render_table, Format, RenderOptions};
use super::table::{Cell, ResultTable, TableRow, Tables};
use crate::error::{Error, Result};
use crate::estimators::feols::FeolsFit;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use super::render::{fmt_num, BelowStat};

/// A "Controls: Yes/No" row hiding a set of terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlsRow {
    /// Row label (empty or left out: the language's "Controls" / 控制变量).
    #[serde(default)]
    pub label: String,
    /// Terms summarised by the row (hidden from the coefficient rows).
    pub terms: Vec<String>,
}

/// Table options (all have defaults; deserialisable from JS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TableOptions {
    /// `latex`, `markdown`, `html`, `csv` or `text`.
    pub format: String,
    /// Decimals.
    pub digits: usize,
    /// Star thresholds, e.g. `[0.1, 0.05, 0.01]`.
    pub star_levels: Vec<f64>,
    /// Symbols for the thresholds, same order, e.g. `["*", "**", "***"]`.
    pub star_symbols: Vec<String>,
    /// Show stars at all.
    pub stars: bool,
    /// Statistic in parentheses.
    pub below: BelowStat,
    /// Keep only terms containing one of these strings (empty = all).
    pub keep: Vec<String>,
    /// Drop terms containing one of these strings.
    pub drop: Vec<String>,
    /// Terms listed here come first, in this order.
    pub order: Vec<String>,
    /// Display names for terms (and for fixed effects / statistics labels).
    pub rename: BTreeMap<String, String>,
    /// Column headers (default `(1)`, `(2)`, …).
    pub model_names: Vec<String>,
    /// Show the dependent-variable row.
    pub show_depvar: bool,
    /// "Controls: Yes/No" rows.
    pub controls: Vec<ControlsRow>,
    /// Show fixed-effect rows.
    pub fixef_rows: bool,
    /// Marks for present / absent (default the language's "Yes" / "No" or 是 / 否; e.g.
    /// "✓" / "").
    pub yes: Option<String>,
    /// Mark for absent.
    pub no: Option<String>,
    /// Statistic rows: any of `nobs`, `r2`, `adj_r2`, `r2_within`, `rmse`, `f_stat`.
    pub stats: Vec<String>,
    /// Show the standard-error type row (with cluster variables).
    pub show_vcov: bool,
    /// Optional title (caption).
    pub title: Option<String>,
    /// Show the explanatory note under the table.
    pub show_notes: bool,
    /// Language of the fixed labels and notes: `"en"` (default) or `"zh"`.
    pub lang: Lang,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            format: "markdown".into(),
            digits: 3,
            star_levels: vec![0.1, 0.05, 0.01],
            star_symbols: vec!["*".into(), "**".into(), "***".into()],
            stars: true,
            below: BelowStat::Se,
            keep: Vec::new(),
            drop: Vec::new(),
            order: Vec::new(),
            rename: BTreeMap::new(),
            model_names: Vec::new(),
            show_depvar: true,
            controls: Vec::new(),
            fixef_rows: true,
            yes: None,
            no: None,
            stats: vec!["nobs".into(), "r2".into(), "r2_within".into()],
            show_vcov: true,
            title: None,
            show_notes: true,
            lang: Lang::En,
        }
    }
}

/// Builds the regression table of `fits` (see the module docs) as a [`ResultTable`]; the
/// rendering options in `o` are not used here.
pub fn regression_result_table(fits: &[&FeolsFit], o: &TableOptions) -> Result<ResultTable> {
    if fits.is_empty() {
        return Err(Error::invalid("a regression table needs at least one model"));
    }
    let k = fits.len();
    let rn = |s: &str| o.rename.get(s).cloned().unwrap_or_else(|| s.to_string());
    let names: Vec<String> =
        (0..k).map(|j| o.model_names.get(j).cloned().unwrap_or_else(|| format!("({})", j + 1))).collect();
    let mut columns: Vec<&str> = vec![""];
    columns.extend(names.iter().map(String::as_str));
    let mut t = ResultTable::new("regression", o.title.clone().unwrap_or_default(), &columns);
    t.conf_level = Some(fits[0].conf_level);
    t.lang = o.lang;
    if o.show_depvar {
        let depvars = fits.iter().map(|f| Cell::text(rn(&f.depvar))).collect();
        t.push(fixed_row(o, Label::DependentVariable, depvars).header());
    }
    t.rows.extend(term_rows(fits, o));
    let n_coef_end = t.rows.len();
    let extra = extra_rows(fits, o);
    let has_extra = !extra.is_empty();
    t.rows.extend(extra);
    let n_extra_end = t.rows.len();
    t.rows.extend(stat_rows(fits, o)?);
    // Panels: coefficients | controls, fixed effects, S.E. type | statistics.
    if let Some(r) = t.rows.get_mut(n_coef_end) {
        r.rule_above = true;
    }
    if has_extra {
        if let Some(r) = t.rows.get_mut(n_extra_end) {
            r.rule_above = true;
        }
    }
    Ok(t)
}

/// A row labelled `key` in the options' language, unless `rename` renames the label (by its
/// English or its translated spelling): then the given name, without a key.
fn fixed_row(o: &TableOptions, key: Label, cells: Vec<Cell>) -> TableRow {
    let shown = i18n::label(o.lang, &key);
    match o.rename.get(&i18n::label(Lang::En, &key)).or_else(|| o.rename.get(&shown)) {
        Some(name) => TableRow::new(name.clone(), cells),
        None => TableRow::labelled(key, o.lang, cells),
    }
}

/// One row per coefficient kept (`keep`, `drop`, `order`; control terms hidden).
fn term_rows(fits: &[&FeolsFit], o: &TableOptions) -> Vec<TableRow> {
    let hidden: Vec<&String> = o.controls.iter().flat_map(|c| c.terms.iter()).collect();
    let mut terms: Vec<String> = Vec::new();
    for f in fits {
        for c in &f.coefficients {
            if !terms.contains(&c.term) {
                terms.push(c.term.clone());
            }
        }
    }
    terms.retain(|t| {
        !hidden.contains(&t)
            && (o.keep.is_empty() || o.keep.iter().any(|p| t.contains(p.as_str())))
            && !o.drop.iter().any(|p| t.contains(p.as_str()))
    });
    let mut ordered: Vec<String> = o.order.iter().filter(|t| terms.contains(t)).cloned().collect();
    ordered.extend(terms.iter().filter(|t| !o.order.contains(t)).cloned());
    let d = o.digits;
    ordered
        .iter()
        .map(|term| {
            let cells = fits.iter().map(|f| f.coef(term).map_or(Cell::Empty, |c| c.cell(d))).collect();
            match o.rename.get(term) {
                Some(name) => TableRow::new(name.clone(), cells),
                None if term == "Intercept" => TableRow::labelled(Label::Constant, o.lang, cells),
                None => TableRow::new(term.clone(), cells),
            }
        })
        .collect()
}

/// The controls rows, one yes/no row per fixed effect and the standard-error type row.
fn extra_rows(fits: &[&FeolsFit], o: &TableOptions) -> Vec<TableRow> {
    let rn = |s: &str| o.rename.get(s).cloned().unwrap_or_else(|| s.to_string());
    let mut extra: Vec<TableRow> = Vec::new();
    for c in &o.controls {
        let v = fits
            .iter()
            .map(|f| Cell::YesNo { value: f.coefficients.iter().any(|x| c.terms.contains(&x.term)) })
            .collect();
        extra.push(if c.label.is_empty() { fixed_row(o, Label::Controls, v) } else { TableRow::new(c.label.clone(), v) });
    }
    if o.fixef_rows {
        let mut fes: Vec<String> = Vec::new();
        for f in fits {
            for fe in &f.fixed_effects {
                if !fes.contains(&fe.name) {
                    fes.push(fe.name.clone());
                }
            }
        }
        for fe in &fes {
            let v = fits.iter().map(|f| Cell::YesNo { value: f.fixed_effects.iter().any(|x| &x.name == fe) }).collect();
            extra.push(TableRow::labelled(Label::FixedEffect(rn(fe)), o.lang, v));
        }
    }
    if o.show_vcov {
        let v = fits.iter().map(|f| Cell::text(vcov_label(f, o.lang))).collect();
        extra.push(fixed_row(o, Label::SeType, v));
    }
    extra
}

/// The statistics rows (`stats`); an unknown statistic is an error.
fn stat_rows(fits: &[&FeolsFit], o: &TableOptions) -> Result<Vec<TableRow>> {
    let d = o.digits;
    let mut rows = Vec::new();
    for s in &o.stats {
        let (key, vals): (Label, Vec<Cell>) = match s.as_str() {
            "nobs" | "n" => (Label::Observations, fits.iter().map(|f| Cell::integer(f.nobs)).collect()),
            "r2" => (Label::R2, fits.iter().map(|f| Cell::number(f.r2, d)).collect()),
            "adj_r2" => (Label::AdjR2, fits.iter().map(|f| Cell::number(f.adj_r2, d)).collect()),
            "r2_within" => {
                if fits.iter().all(|f| f.r2_within.is_none()) {
                    continue;
                }
                (Label::WithinR2, fits.iter().map(|f| Cell::opt_number(f.r2_within, d)).collect())
            }
            "rmse" => (Label::Rmse, fits.iter().map(|f| Cell::number(f.rmse, d)).collect()),
            "f_stat" => (Label::FStat, fits.iter().map(|f| Cell::opt_number(f.f_stat, d)).collect()),
            other => {
                return Err(Error::invalid(format!(
                    "unknown table statistic `{other}` (nobs, r2, adj_r2, r2_within, rmse, f_stat)"
                )))
            }
        };
        rows.push(fixed_row(o, key, vals));
    }
    Ok(rows)
}

impl Tables for FeolsFit {
    /// One table: the fit in the regression-table layout (default options).
    fn tables(&self) -> Vec<ResultTable> {
        let mut t = match regression_result_table(&[self], &TableOptions::default()) {
            Ok(t) => t,
            Err(_) => return Vec::new(),
        };
        t.id = "feols.coefficients".into();
        vec![t]
    }
}

/// "IID", "Robust (HC1)" or "Clustered (unit, year)" (or their Chinese).
fn vcov_label(f: &FeolsFit, lang: Lang) -> String {
    let clusters: Vec<&str> = f.clusters.iter().map(|c| c.name.as_str()).collect();
    i18n::vcov(lang, &f.vcov_type, &clusters)
}

impl TableOptions {
    /// The rendering part of the options.
    pub fn render_options(&self) -> RenderOptions {
        RenderOptions {
            format: self.format.clone(),
            digits: None,
            stars: self.stars,
            star_levels: self.star_levels.clone(),
            star_symbols: self.star_symbols.clone(),
            below: self.below,
            yes: self.yes.clone(),
            no: self.no.clone(),
            notes: self.show_notes,
            lang: Some(self.lang),
        }
    }
}

/// Renders a regression table. `opts.format`: `latex`, `markdown`, `html`, `csv` or `text`.
pub fn regression_table(fits: &[&FeolsFit], opts: &TableOptions) -> Result<String> {
    let r = opts.render_options();
    Format::parse(&r.format)?;
    render_table(&regression_result_table(fits, opts)?, &r)
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Column, Dataset};
    use crate::estimators::feols::{feols, FeolsSpec, VcovSpec};

    fn fits() -> (FeolsFit, FeolsFit) {
        let n = 40;
        let unit: Vec<f64> = (0..n).map(|i| (i / 4) as f64).collect();
        let t: Vec<f64> = (0..n).map(|i| (i % 4) as f64).collect();
        let x: Vec<f64> = (0..n).map(|i| ((i * 7) % 11) as f64).collect();
        let z: Vec<f64> = (0..n).map(|i| ((i * 5) % 13) as f64 / 3.0).collect();
        let y: Vec<f64> = (0..n).map(|i| 1.0 + 0.5 * x[i] - 0.2 * z[i] + unit[i] * 0.1 + ((i * 3) % 7) as f64 * 0.3).collect();
        let ds = Dataset::from_columns(vec![
            Column::numeric("y_var", y),
            Column::numeric("x", x),
            Column::numeric("z", z),
            Column::numeric("unit", unit),
            Column::numeric("t", t),
        ])
        .unwrap();
        let a = feols(&ds, &FeolsSpec::new("y_var ~ x", VcovSpec::Hetero)).unwrap();
        let b = feols(&ds, &FeolsSpec::new("y_var ~ x + z | unit + t", VcovSpec::Cluster(vec!["unit".into()]))).unwrap();
        (a, b)
    }

    #[test]
    fn all_formats() {
        let (a, b) = fits();
        let mut o = TableOptions { title: Some("A & B <test>".into()), ..Default::default() };
        o.controls.push(ControlsRow { label: "Controls".into(), terms: vec!["z".into()] });
        for fmt in ["markdown", "latex", "html", "csv", "text"] {
            o.format = fmt.into();
            let s = regression_table(&[&a, &b], &o).unwrap();
            assert!(s.contains("Observations"), "{fmt}");
            match fmt {
                "latex" => {
                    assert!(s.contains("\\toprule") && s.contains("\\midrule") && s.contains("\\bottomrule"));
                    assert!(s.contains("A \\& B <test>"));
                    assert!(s.contains("y\\_var"));
                    assert!(s.contains("$^{***}$"), "{s}");
                    assert!(s.contains("R$^2$"));
                }
                "html" => {
                    assert!(s.starts_with("<table"));
                    assert!(s.contains("A &amp; B &lt;test&gt;"));
                    assert!(!s.contains("<test>"));
                }
                "markdown" => {
                    assert!(s.contains("| Controls | No | Yes |"), "{s}");
                    assert!(s.contains("| unit FE | No | Yes |"));
                    assert!(s.contains("\\*\\*\\*"));
                }
                "csv" => {
                    assert!(s.lines().any(|l| l == "S.E. type,Robust (HC1),Clustered (unit)"), "{s}");
                }
                _ => {}
            }
            // z is hidden by the controls row
            assert!(!s.lines().any(|l| l.starts_with("| z ") || l.starts_with("z,")));
        }
        o.format = "docx".into();
        assert!(regression_table(&[&a], &o).is_err());
        assert!(regression_table(&[], &TableOptions::default()).is_err());
    }

    #[test]
    fn stars_follow_p_values() {
        let (a, _) = fits();
        let o = TableOptions { format: "csv".into(), below: BelowStat::T, ..Default::default() };
        let s = regression_table(&[&a], &o).unwrap();
        let x = a.coef("x").unwrap();
        let expect = format!("x,{}***", fmt_num(x.estimate, 3));
        assert!(x.p_value < 0.01);
        assert!(s.lines().any(|l| l == expect), "{s}");
        assert!(s.contains(&format!("({})", fmt_num(x.statistic, 3))));
        let o = TableOptions { format: "csv".into(), star_levels: vec![1e-300], star_symbols: vec!["+".into()], ..Default::default() };
        let s = regression_table(&[&a], &o).unwrap();
        assert!(s.lines().any(|l| l == format!("x,{}", fmt_num(x.estimate, 3))), "{s}");
    }

    #[test]
    fn chinese_labels_and_untouched_english() {
        let (a, b) = fits();
        let o = TableOptions { format: "csv".into(), lang: Lang::Zh, ..Default::default() };
        let s = regression_table(&[&a, &b], &o).unwrap();
        assert!(s.lines().any(|l| l.starts_with("常数项,")), "{s}");
        assert!(s.contains("\nunit 固定效应,否,是\nt 固定效应,否,是\n"), "{s}");
        assert!(s.contains("\n标准误类型,稳健标准误（HC1）,聚类到unit层面\n"), "{s}");
        let t = regression_result_table(&[&a], &o).unwrap();
        assert_eq!(t.lang, Lang::Zh);
        assert_eq!(t.rows.last().and_then(|r| r.key.clone()), Some(Label::R2));
        let en = regression_table(&[&a, &b], &TableOptions { format: "csv".into(), ..Default::default() }).unwrap();
        assert!(en.lines().any(|l| l.starts_with("Intercept,")), "{en}");
    }

    #[test]
    fn number_format() {
        assert_eq!(fmt_num(0.19924916, 3), "0.199");
        assert_eq!(fmt_num(-0.000538, 3), "-0.001");
        assert_eq!(fmt_num(-0.0000538, 3), "-0.0000538");
        assert_eq!(fmt_num(82517.2276, 3), "82517.228");
        assert_eq!(fmt_num(0.0, 3), "0.000");
        assert_eq!(fmt_num(f64::NAN, 3), "NA");
    }
}
