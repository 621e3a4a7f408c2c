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

use crate::error::{Error, Result};
use crate::estimators::feols::FeolsFit;
use super::escape::csv_field;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What goes in parentheses below each coefficient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BelowStat {
    /// Standard error (default).
    #[default]
    Se,
    /// t statistic.
    T,
    /// p-value.
    P,
    /// Confidence interval `[low, high]`.
    Ci,
    /// Nothing.
    None,
}

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

/// Kinds of rows, for per-format rules.
#[derive(Debug, Clone, Copy, PartialEq)]
enum RowKind {
    Header,
    Coef,
    Below,
    Extra,
}

struct Grid {
    rows: Vec<(RowKind, String, Vec<String>)>,
    /// indices of rows before which a rule is drawn
    rules: Vec<usize>,
    note: String,
}

/// Formats a number with `digits` decimals (significant digits for tiny values).
pub fn fmt_num(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return if x.is_nan() { "NA".into() } else if x > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    let s = format!("{x:.digits$}");
    let zero = s.trim_start_matches('-').chars().all(|c| c == '0' || c == '.');
    if x != 0.0 && zero {
        let mag = (-x.abs().log10()).ceil() as usize;
        let d = (mag + digits.max(1) - 1).min(12);
        return format!("{x:.d$}");
    }
    if zero {
        return format!("{:.digits$}", 0.0);
    }
    s
}

fn build_grid(fits: &[&FeolsFit], o: &TableOptions) -> Result<Grid> {
    if fits.is_empty() {
        return Err(Error::invalid("a regression table needs at least one model"));
    }
    if o.star_levels.len() != o.star_symbols.len() {
        return Err(Error::invalid("star_levels and star_symbols must have the same length"));
    }
    let k = fits.len();
    let rn = |s: &str| o.rename.get(s).cloned().unwrap_or_else(|| s.to_string());
    let mut rows: Vec<(RowKind, String, Vec<String>)> = Vec::new();
    let mut rules = Vec::new();
    let names: Vec<String> =
        (0..k).map(|j| o.model_names.get(j).cloned().unwrap_or_else(|| format!("({})", j + 1))).collect();
    rows.push((RowKind::Header, String::new(), names));
    if o.show_depvar {
        rows.push((RowKind::Header, "Dependent variable".into(), fits.iter().map(|f| rn(&f.depvar)).collect()));
    }
    rules.push(rows.len());
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
    let stars = |p: f64| -> String {
        if !o.stars {
            return String::new();
        }
        let mut best: Option<(f64, &String)> = None;
        for (lvl, sym) in o.star_levels.iter().zip(&o.star_symbols) {
            if p < *lvl && best.map_or(true, |(b, _)| *lvl < b) {
                best = Some((*lvl, sym));
            }
        }
        best.map(|(_, s)| s.clone()).unwrap_or_default()
    };
    let d = o.digits;
    for t in &ordered {
        let mut top = Vec::new();
        let mut below = Vec::new();
        for f in fits {
            match f.coef(t) {
                Some(c) => {
                    top.push(format!("{}{}", fmt_num(c.estimate, d), stars(c.p_value)));
                    below.push(match o.below {
                        BelowStat::Se => format!("({})", fmt_num(c.std_error, d)),
                        BelowStat::T => format!("({})", fmt_num(c.statistic, d)),
                        BelowStat::P => format!("({})", fmt_num(c.p_value, d)),
                        BelowStat::Ci => format!("[{}, {}]", fmt_num(c.conf_low, d), fmt_num(c.conf_high, d)),
                        BelowStat::None => String::new(),
                    });
                }
                None => {
                    top.push(String::new());
                    below.push(String::new());
                }
            }
        }
        rows.push((RowKind::Coef, rn(t), top));
        if o.below != BelowStat::None {
            rows.push((RowKind::Below, String::new(), below));
        }
    }
    rules.push(rows.len());
    let mut extra = false;
    for c in &o.controls {
        let v = fits
            .iter()
            .map(|f| if f.coefficients.iter().any(|x| c.terms.contains(&x.term)) { o.yes.clone() } else { o.no.clone() })
            .collect();
        rows.push((RowKind::Extra, c.label.clone(), v));
        extra = true;
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
            let v = fits
                .iter()
                .map(|f| if f.fixed_effects.iter().any(|x| &x.name == fe) { o.yes.clone() } else { o.no.clone() })
                .collect();
            rows.push((RowKind::Extra, format!("{} FE", rn(fe)), v));
            extra = true;
        }
    }
    if o.show_vcov {
        let v = fits
            .iter()
            .map(|f| {
                if f.clusters.is_empty() {
                    match f.vcov_type.as_str() {
                        "iid" => "IID".to_string(),
                        "hetero" => "Robust (HC1)".to_string(),
                        other => other.to_string(),
                    }
                } else {
                    format!("Clustered ({})", f.clusters.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", "))
                }
            })
            .collect();
        rows.push((RowKind::Extra, "S.E. type".into(), v));
        extra = true;
    }
    if extra {
        rules.push(rows.len());
    }
    for s in &o.stats {
        let (label, vals): (&str, Vec<String>) = match s.as_str() {
            "nobs" | "n" => ("Observations", fits.iter().map(|f| f.nobs.to_string()).collect()),
            "r2" => ("R²", fits.iter().map(|f| fmt_num(f.r2, d)).collect()),
            "adj_r2" => ("Adjusted R²", fits.iter().map(|f| fmt_num(f.adj_r2, d)).collect()),
            "r2_within" => {
                if fits.iter().all(|f| f.r2_within.is_none()) {
                    continue;
                }
                ("Within R²", fits.iter().map(|f| f.r2_within.map(|v| fmt_num(v, d)).unwrap_or_default()).collect())
            }
            "rmse" => ("RMSE", fits.iter().map(|f| fmt_num(f.rmse, d)).collect()),
            "f_stat" => ("F statistic", fits.iter().map(|f| f.f_stat.map(|v| fmt_num(v, d)).unwrap_or_default()).collect()),
            other => return Err(Error::invalid(format!("unknown table statistic `{other}` (nobs, r2, adj_r2, r2_within, rmse, f_stat)"))),
        };
        rows.push((RowKind::Extra, rn(label), vals));
    }
    let mut note = match o.below {
        BelowStat::Se => "Standard errors in parentheses.".to_string(),
        BelowStat::T => "t statistics in parentheses.".to_string(),
        BelowStat::P => "p-values in parentheses.".to_string(),
        BelowStat::Ci => format!("{:.0}% confidence intervals in brackets.", fits[0].conf_level * 100.0),
        BelowStat::None => String::new(),
    };
    if o.stars && !o.star_levels.is_empty() {
        let mut pairs: Vec<(f64, &String)> = o.star_levels.iter().copied().zip(&o.star_symbols).collect();
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let s = pairs.iter().map(|(l, sym)| format!("{sym} p<{l}")).collect::<Vec<_>>().join(", ");
        note = format!("{note} {s}").trim().to_string();
    }
    if !o.show_notes {
        note.clear();
    }
    Ok(Grid { rows, rules, note })
}

fn esc_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn esc_latex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '²' => out.push_str("$^2$"),
            '✓' => out.push_str("$\\checkmark$"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes a LaTeX cell, setting trailing star symbols as a superscript.
fn latex_cell(s: &str, kind: RowKind, symbols: &[String]) -> String {
    if kind == RowKind::Coef {
        let core = s.trim_end_matches(|c: char| symbols.iter().any(|sym| sym.contains(c)));
        let tail = &s[core.len()..];
        if !tail.is_empty() {
            return format!("{}$^{{{}}}$", esc_latex(core), esc_latex(tail));
        }
    }
    esc_latex(s)
}

fn esc_md(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace('*', "\\*").replace('_', "\\_")
}

/// Renders a regression table. `opts.format`: `latex`, `markdown`, `html`, `csv` or `text`.
pub fn regression_table(fits: &[&FeolsFit], opts: &TableOptions) -> Result<String> {
    let g = build_grid(fits, opts)?;
    let k = fits.len();
    let mut out = String::new();
    match opts.format.to_ascii_lowercase().as_str() {
        "csv" => {
            for (_, label, cells) in &g.rows {
                let mut line = vec![csv_field(label)];
                line.extend(cells.iter().map(|c| csv_field(c)));
                out.push_str(&line.join(","));
                out.push('\n');
            }
            if !g.note.is_empty() {
                out.push_str(&csv_field(&g.note));
                out.push('\n');
            }
        }
        "markdown" | "md" => {
            if let Some(t) = &opts.title {
                out.push_str(&format!("**{}**\n\n", esc_md(t)));
            }
            for (i, (_, label, cells)) in g.rows.iter().enumerate() {
                let mut line = format!("| {} |", esc_md(label));
                for c in cells {
                    line.push_str(&format!(" {} |", esc_md(c)));
                }
                out.push_str(&line);
                out.push('\n');
                if i == 0 {
                    out.push_str("|:---|");
                    out.push_str(&":---:|".repeat(k));
                    out.push('\n');
                }
            }
            if !g.note.is_empty() {
                out.push_str(&format!("\n{}\n", esc_md(&g.note)));
            }
        }
        "latex" | "tex" => {
            out.push_str("\\begin{table}[htbp]\n\\centering\n");
            if let Some(t) = &opts.title {
                out.push_str(&format!("\\caption{{{}}}\n", esc_latex(t)));
            }
            out.push_str(&format!("\\begin{{tabular}}{{l{}}}\n\\toprule\n", "c".repeat(k)));
            for (i, (kind, label, cells)) in g.rows.iter().enumerate() {
                if i > 0 && g.rules.contains(&i) {
                    out.push_str("\\midrule\n");
                }
                let mut line = esc_latex(label);
                for c in cells {
                    line.push_str(" & ");
                    line.push_str(&latex_cell(c, *kind, &opts.star_symbols));
                }
                out.push_str(&line);
                out.push_str(" \\\\\n");
            }
            out.push_str("\\bottomrule\n\\end{tabular}\n");
            if !g.note.is_empty() {
                out.push_str(&format!(
                    "\\par\\smallskip\\footnotesize {}\n",
                    esc_latex(&g.note)
                ));
            }
            out.push_str("\\end{table}\n");
        }
        "html" => {
            let cellstyle = "style=\"padding:2px 8px;text-align:center\"";
            out.push_str("<table style=\"border-collapse:collapse;border-top:2px solid black;border-bottom:2px solid black\">\n");
            if let Some(t) = &opts.title {
                out.push_str(&format!("<caption>{}</caption>\n", esc_html(t)));
            }
            for (i, (kind, label, cells)) in g.rows.iter().enumerate() {
                let rule = i > 0 && g.rules.contains(&i);
                let tr = if rule { "<tr style=\"border-top:1px solid black\">" } else { "<tr>" };
                out.push_str(tr);
                let tag = if *kind == RowKind::Header { "th" } else { "td" };
                out.push_str(&format!("<{tag} style=\"padding:2px 8px;text-align:left\">{}</{tag}>", esc_html(label)));
                for c in cells {
                    out.push_str(&format!("<{tag} {cellstyle}>{}</{tag}>", esc_html(c)));
                }
                out.push_str("</tr>\n");
            }
            if !g.note.is_empty() {
                out.push_str(&format!(
                    "<tr style=\"border-top:1px solid black\"><td colspan=\"{}\" style=\"padding:2px 8px;font-size:smaller\">{}</td></tr>\n",
                    k + 1,
                    esc_html(&g.note)
                ));
            }
            out.push_str("</table>\n");
        }
        "text" | "txt" => {
            let w0 = g.rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
            let wc = g.rows.iter().flat_map(|r| r.2.iter().map(|c| c.chars().count())).max().unwrap_or(0).max(6);
            let total = w0 + (wc + 2) * k;
            let line = "-".repeat(total);
            out.push_str(&line);
            out.push('\n');
            for (i, (_, label, cells)) in g.rows.iter().enumerate() {
                if i > 0 && g.rules.contains(&i) {
                    out.push_str(&line);
                    out.push('\n');
                }
                out.push_str(&format!("{label:<w0$}"));
                for c in cells {
                    out.push_str(&format!("  {c:>wc$}"));
                }
                out.push('\n');
            }
            out.push_str(&line);
            out.push('\n');
            if !g.note.is_empty() {
                out.push_str(&g.note);
                out.push('\n');
            }
        }
        other => {
            return Err(Error::invalid(format!(
                "unknown table format `{other}` (use latex, markdown, html, csv or text)"
            )))
        }
    }
    Ok(out)
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
