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
    /// Row label (e.g. "Controls").
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
    /// Marks for present / absent (default "Yes" / "No"; e.g. "✓" / "").
    pub yes: String,
    /// Mark for absent.
    pub no: String,
    /// Statistic rows: any of `nobs`, `r2`, `adj_r2`, `r2_within`, `rmse`, `f_stat`.
    pub stats: Vec<String>,
    /// Show the standard-error type row (with cluster variables).
    pub show_vcov: bool,
    /// Optional title (caption).
    pub title: Option<String>,
    /// Show the explanatory note under the table.
    pub show_notes: bool,
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
            yes: "Yes".into(),
            no: "No".into(),
            stats: vec!["nobs".into(), "r2".into(), "r2_within".into()],
            show_vcov: true,
            title: None,
            show_notes: true,
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
    if o.show_depvar {
        t.push(TableRow::new("Dependent variable", fits.iter().map(|f| Cell::text(rn(&f.depvar))).collect()).header());
    }
    // terms
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
    for term in &ordered {
        let cells = fits
            .iter()
            .map(|f| f.coef(term).map_or(Cell::Empty, |c| c.cell(d)))
            .collect();
        t.push(TableRow::new(rn(term), cells));
    }
    let n_coef_end = t.rows.len();
    let mut extra: Vec<TableRow> = Vec::new();
    for c in &o.controls {
        let v = fits
            .iter()
            .map(|f| Cell::YesNo { value: f.coefficients.iter().any(|x| c.terms.contains(&x.term)) })
            .collect();
        extra.push(TableRow::new(c.label.clone(), v));
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
            extra.push(TableRow::new(format!("{} FE", rn(fe)), v));
        }
    }
    if o.show_vcov {
        extra.push(TableRow::new("S.E. type", fits.iter().map(|f| Cell::text(vcov_label(f))).collect()));
    }
    let has_extra = !extra.is_empty();
    t.rows.extend(extra);
    let n_extra_end = t.rows.len();
    for s in &o.stats {
        let (label, vals): (&str, Vec<Cell>) = match s.as_str() {
            "nobs" | "n" => ("Observations", fits.iter().map(|f| Cell::integer(f.nobs)).collect()),
            "r2" => ("R²", fits.iter().map(|f| Cell::number(f.r2, d)).collect()),
            "adj_r2" => ("Adjusted R²", fits.iter().map(|f| Cell::number(f.adj_r2, d)).collect()),
            "r2_within" => {
                if fits.iter().all(|f| f.r2_within.is_none()) {
                    continue;
                }
                ("Within R²", fits.iter().map(|f| Cell::opt_number(f.r2_within, d)).collect())
            }
            "rmse" => ("RMSE", fits.iter().map(|f| Cell::number(f.rmse, d)).collect()),
            "f_stat" => ("F statistic", fits.iter().map(|f| Cell::opt_number(f.f_stat, d)).collect()),
            other => {
                return Err(Error::invalid(format!(
                    "unknown table statistic `{other}` (nobs, r2, adj_r2, r2_within, rmse, f_stat)"
                )))
            }
        };
        t.push(TableRow::new(rn(label), vals));
    }
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

/// "IID", "Robust (HC1)" or "Clustered (unit, year)".
fn vcov_label(f: &FeolsFit) -> String {
    if f.clusters.is_empty() {
        match f.vcov_type.as_str() {
            "iid" => "IID".to_string(),
            "hetero" => "Robust (HC1)".to_string(),
            other => other.to_string(),
        }
    } else {
        format!("Clustered ({})", f.clusters.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", "))
    }
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
            yes: Some(self.yes.clone()),
            no: Some(self.no.clone()),
            notes: self.show_notes,
            lang: None,
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
    fn number_format() {
        assert_eq!(fmt_num(0.19924916, 3), "0.199");
        assert_eq!(fmt_num(-0.000538, 3), "-0.001");
        assert_eq!(fmt_num(-0.0000538, 3), "-0.0000538");
        assert_eq!(fmt_num(82517.2276, 3), "82517.228");
        assert_eq!(fmt_num(0.0, 3), "0.000");
        assert_eq!(fmt_num(f64::NAN, 3), "NA");
    }
}
