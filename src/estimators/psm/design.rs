//! The propensity model's formula and design matrix, on the crate's shared
//! formula parser ([`crate::formula::parse`]) and model frame
//! ([`crate::formula::ModelFrame`]): every right-hand-side term feols accepts
//! (`age + I(age^2) + log(re74 + 1) + i(race) + factor(x) + a:b + a*b`) works
//! here with the same expansion and names. PSM specifics:
//!
//! * the left-hand side must be a column coded 0/1 (the treatment), and the
//!   treatment cannot also appear on the right;
//! * the intercept is always included (`0 +` / `- 1` are errors), and there are
//!   no fixed-effect (`| fe`) or IV parts;
//! * a bare text column expands to dummies for every level present but the
//!   first (sorted), named `column` + `level` as R's `glm` does (`racehispan`);
//! * a design column exactly collinear with the intercept and the columns
//!   before it (e.g. the last level of `i(race)`, which has no reference) is
//!   removed as feols removes it ([`crate::linalg::qr::Qr`], tolerance 1e-9),
//!   with a note in the diagnostics;
//! * rows with a missing treatment, covariate or outcome are dropped.

use crate::data::Dataset;
use crate::error::{Error, ErrorKind, Result};
use crate::formula::{self, Expr, Formula, FrameOptions, ModelFrame};
use crate::linalg::qr::{norm, Qr};

/// Parses a propensity-model formula; returns it with the treatment's name.
pub(crate) fn parse_formula(text: &str) -> Result<(Formula, String)> {
    let f = formula::parse(text)?;
    let treat = match &f.depvar.expr {
        Expr::Var(v) => v.clone(),
        _ => {
            return Err(Error::formula(
                text,
                f.depvar.position,
                "the left-hand side must be the treatment column (coded 0/1), not an expression",
            ))
        }
    };
    if !f.fixef.is_empty() {
        return Err(Error::formula(
            text,
            text.find('|').unwrap_or(0),
            "a propensity model has no fixed-effect part (`| …`); add categorical covariates as terms instead, e.g. `i(region)` or a text column",
        ));
    }
    if f.is_iv() {
        return Err(Error::formula(text, text.find('|').unwrap_or(0), "a propensity model has no IV part (`| endog ~ instruments`)"));
    }
    if !f.intercept {
        return Err(Error::formula(text, 0, "the propensity model always has an intercept: remove `0 +` / `- 1`"));
    }
    if f.terms.is_empty() {
        return Err(Error::formula(text, text.chars().count(), "the propensity model needs at least one covariate"));
    }
    for t in &f.terms {
        if t.atoms.iter().any(|a| mentions(&a.expr, &treat)) {
            return Err(Error::invalid(format!("`{treat}` is the treatment and cannot also be a covariate")));
        }
    }
    Ok((f, treat))
}

/// True when the expression uses column `name`.
fn mentions(e: &Expr, name: &str) -> bool {
    match e {
        Expr::Var(v) => v == name,
        Expr::Num(_) | Expr::Str(_) => false,
        Expr::Call { args, named, .. } => args.iter().chain(named.iter().map(|(_, e)| e)).any(|a| mentions(a, name)),
        Expr::Bin { lhs, rhs, .. } => mentions(lhs, name) || mentions(rhs, name),
        Expr::Neg(x) => mentions(x, name),
    }
}

/// The design of the propensity model on the complete-case sample.
#[derive(Debug, Clone)]
pub(crate) struct Design {
    /// Row indices (into the dataset) of the estimation sample.
    pub rows: Vec<usize>,
    /// Treatment 0/1 per estimation row.
    pub treat: Vec<bool>,
    /// Column names, first `(Intercept)`.
    pub names: Vec<String>,
    /// Source term of each column (None for the intercept).
    pub term_of: Vec<Option<String>>,
    /// Row-major n × p matrix.
    pub x: Vec<f64>,
    /// Number of columns.
    pub p: usize,
    /// Outcome per estimation row (when requested).
    pub y: Option<Vec<f64>>,
    /// Rows dropped because of missing values.
    pub n_missing: usize,
    /// Design columns removed as exactly collinear (notes for the diagnostics).
    pub removed: Vec<String>,
}

impl Design {
    /// Number of estimation rows.
    pub fn n(&self) -> usize {
        self.rows.len()
    }
    /// Column `j` as a vector.
    #[cfg(test)]
    pub fn col(&self, j: usize) -> Vec<f64> {
        (0..self.n()).map(|i| self.x[i * self.p + j]).collect()
    }
}

/// Builds the design of `f` (from [`parse_formula`], treatment `treat`):
/// complete cases on treatment, covariates and outcome.
pub(crate) fn build_design(ds: &Dataset, f: &Formula, treat: &str, outcome: Option<&str>) -> Result<Design> {
    let tr = ds.numeric(treat).map_err(|e| match e.kind() {
        ErrorKind::NonNumeric { .. } => {
            Error::invalid(format!("the treatment `{treat}` must be coded 0/1; it holds text ({e})"))
        }
        _ => e,
    })?;
    // treatment coding check (on non-missing)
    let mut bad: Vec<f64> = tr.iter().copied().filter(|v| !v.is_nan() && *v != 0.0 && *v != 1.0).collect();
    if !bad.is_empty() {
        bad.sort_by(f64::total_cmp);
        bad.dedup();
        let shown: Vec<String> = bad.iter().take(5).map(|v| format!("{v}")).collect();
        let more = if bad.len() > 5 { format!(" and {} more", bad.len() - 5) } else { String::new() };
        return Err(Error::invalid(format!(
            "the treatment `{treat}` must be 0 (control) or 1 (treated); found {}{more}",
            shown.join(", ")
        )));
    }
    let opts = FrameOptions { text_as_factor: true, required: outcome.map(|o| vec![o.to_string()]).unwrap_or_default() };
    let m = ModelFrame::build_with(ds, f, None, &[], &opts)?;
    for b in &m.exog {
        if b.columns.is_empty() {
            return Err(Error::invalid(format!(
                "covariate `{}` has no variation in the estimation sample (a single level)",
                b.term
            )));
        }
    }
    let n = m.rows.len();
    let mut names = vec!["(Intercept)".to_string()];
    let mut term_of: Vec<Option<String>> = vec![None];
    let ones = vec![1.0; n];
    let mut cols: Vec<&[f64]> = vec![&ones];
    for b in &m.exog {
        for (name, c) in b.names.iter().zip(&b.columns) {
            names.push(name.clone());
            term_of.push(Some(b.term.clone()));
            cols.push(c);
        }
    }
    // Exactly collinear columns are removed as in feols — except constant ones,
    // which stay for the propensity model's clearer "no variation" error.
    let constant = |c: &[f64]| c.iter().all(|v| *v == c[0]);
    let norms: Vec<f64> = cols.iter().map(|c| norm(c, None)).collect();
    let qr = Qr::new(&cols, &norms, 1e-9);
    let drop: Vec<usize> = qr.dropped.iter().copied().filter(|&j| j > 0 && !constant(cols[j])).collect();
    let removed: Vec<String> = drop
        .iter()
        .map(|&j| format!("variable `{}` removed: collinear with the intercept or other covariates", names[j]))
        .collect();
    let keep: Vec<usize> = (0..cols.len()).filter(|j| !drop.contains(j)).collect();
    let p = keep.len();
    let mut x = vec![0.0; n * p];
    for (k, &j) in keep.iter().enumerate() {
        for (i, v) in cols[j].iter().enumerate() {
            x[i * p + k] = *v;
        }
    }
    let names = keep.iter().map(|&j| names[j].clone()).collect();
    let term_of = keep.iter().map(|&j| term_of[j].clone()).collect();
    let treat: Vec<bool> = m.rows.iter().map(|&i| tr[i] == 1.0).collect();
    let y = match outcome {
        Some(o) => {
            let v = ds.numeric(o)?;
            Some(m.rows.iter().map(|&i| v[i]).collect())
        }
        None => None,
    };
    Ok(Design { rows: m.rows, treat, names, term_of, x, p, y, n_missing: m.n_missing, removed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Column;

    fn msg(text: &str) -> String {
        parse_formula(text).unwrap_err().to_string()
    }

    #[test]
    fn parses_with_the_shared_parser() {
        let (f, t) = parse_formula("treat ~ age + educ +race").unwrap();
        assert_eq!(t, "treat");
        let names: Vec<String> = f.terms.iter().map(|t| t.name()).collect();
        assert_eq!(names, ["age", "educ", "race"]);
        let (f, _) = parse_formula("t ~ `GDP growth` + x.1 + I(x.1^2) + log(z + 1) + i(g)").unwrap();
        let names: Vec<String> = f.terms.iter().map(|t| t.name()).collect();
        assert_eq!(names, ["GDP growth", "x.1", "I(x.1^2)", "log(z+1)", "i(g)"]);
        assert!(parse_formula("treat age").is_err());
        assert!(parse_formula("treat ~ ").is_err());
        assert!(parse_formula("treat ~ a +").is_err());
        assert!(msg("treat ~ a | region").contains("no fixed-effect part"));
        assert!(msg("treat ~ a | d ~ z").contains("no IV part"));
        assert!(msg("treat ~ 0 + a").contains("always has an intercept"));
        assert!(msg("log(treat) ~ a").contains("treatment column"));
        assert!(msg("treat ~ a + log(treat + 1)").contains("cannot also be a covariate"));
    }

    #[test]
    fn design_expands_text_and_drops_collinear_levels() {
        let g = |v: &[&str]| v.iter().map(|s| Some(s.to_string())).collect::<Vec<_>>();
        let ds = Dataset::from_columns(vec![
            Column::numeric("t", vec![1.0, 0.0, 1.0, 0.0, 1.0, 0.0, f64::NAN]),
            Column::numeric("x", vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]),
            Column::text("g", g(&["b", "a", "c", "b", "a", "c", "a"])),
            Column::numeric("y", vec![1.0, 2.0, 3.0, 4.0, f64::NAN, 6.0, 7.0]),
        ])
        .unwrap();
        let (f, t) = parse_formula("t ~ x + g + I(x^2)").unwrap();
        let d = build_design(&ds, &f, &t, Some("y")).unwrap();
        assert_eq!(d.rows, [0, 1, 2, 3, 5]);
        assert_eq!(d.n_missing, 2);
        assert_eq!(d.names, ["(Intercept)", "x", "gb", "gc", "I(x^2)"]);
        assert_eq!(d.term_of[2].as_deref(), Some("g"));
        assert_eq!(d.col(2), [1.0, 0.0, 0.0, 1.0, 0.0]);
        assert_eq!(d.col(4), [1.0, 4.0, 9.0, 16.0, 36.0]);
        assert!(d.removed.is_empty());
        // i(g) has every level: the last is collinear with the intercept, as in feols
        let (f, t) = parse_formula("t ~ x + i(g)").unwrap();
        let d = build_design(&ds, &f, &t, None).unwrap();
        assert_eq!(d.names, ["(Intercept)", "x", "g::a", "g::b"]);
        assert_eq!(d.removed.len(), 1);
        assert!(d.removed[0].contains("`g::c`"), "{:?}", d.removed);
    }
}
