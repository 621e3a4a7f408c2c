//! A deliberately minimal formula parser (`y ~ a + b + c`, intercept always
//! included) and the design matrix it implies. Private to PSM until the
//! crate-wide fixest-style parser lands; then this module is swapped out.

use crate::data::{ColumnData, Dataset, Factor};
use crate::error::{Error, Result};

/// A parsed `treatment ~ x1 + x2 + ...` formula.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SimpleFormula {
    pub lhs: String,
    pub rhs: Vec<String>,
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

/// Parses `y ~ a + b + c`. Names are identifiers (letters, digits, `_`, `.`)
/// or back-quoted (`` `GDP growth` ``).
pub(crate) fn parse_formula(formula: &str) -> Result<SimpleFormula> {
    let chars: Vec<char> = formula.chars().collect();
    let mut pos = 0usize;
    let skip_ws = |pos: &mut usize| {
        while *pos < chars.len() && chars[*pos].is_whitespace() {
            *pos += 1;
        }
    };
    let read_name = |pos: &mut usize| -> Result<String> {
        skip_ws(pos);
        if *pos >= chars.len() {
            return Err(Error::formula(formula, *pos, "expected a variable name"));
        }
        if chars[*pos] == '`' {
            let start = *pos;
            *pos += 1;
            let mut name = String::new();
            while *pos < chars.len() && chars[*pos] != '`' {
                name.push(chars[*pos]);
                *pos += 1;
            }
            if *pos >= chars.len() {
                return Err(Error::formula(formula, start, "unclosed back-quote"));
            }
            *pos += 1;
            if name.is_empty() {
                return Err(Error::formula(formula, start, "empty back-quoted name"));
            }
            return Ok(name);
        }
        let start = *pos;
        while *pos < chars.len() && is_name_char(chars[*pos]) {
            *pos += 1;
        }
        if *pos == start {
            return Err(Error::formula(
                formula,
                start,
                format!("expected a variable name, found `{}`", chars[start]),
            ));
        }
        Ok(chars[start..*pos].iter().collect())
    };

    let lhs = read_name(&mut pos)?;
    skip_ws(&mut pos);
    if pos >= chars.len() || chars[pos] != '~' {
        return Err(Error::formula(formula, pos, "expected `~` after the treatment variable"));
    }
    pos += 1;
    let mut rhs: Vec<String> = Vec::new();
    loop {
        let name = read_name(&mut pos)?;
        if name == "1" {
            // explicit intercept: always included anyway
        } else if name.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            return Err(Error::formula(formula, pos.saturating_sub(name.len()), "a term must be a column name"));
        } else if !rhs.contains(&name) {
            rhs.push(name);
        }
        skip_ws(&mut pos);
        if pos >= chars.len() {
            break;
        }
        if chars[pos] != '+' {
            return Err(Error::formula(
                formula,
                pos,
                format!("only `+` between column names is supported here, found `{}`", chars[pos]),
            ));
        }
        pos += 1;
    }
    if rhs.is_empty() {
        return Err(Error::formula(formula, formula.len(), "the propensity model needs at least one covariate"));
    }
    Ok(SimpleFormula { lhs, rhs })
}

/// One covariate as it enters the design.
#[derive(Debug, Clone)]
pub(crate) enum TermData {
    Numeric(Vec<f64>),
    Factor(Factor),
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
}

impl Design {
    /// Number of estimation rows.
    pub fn n(&self) -> usize {
        self.rows.len()
    }
    /// Column `j` as a vector.
    pub fn col(&self, j: usize) -> Vec<f64> {
        (0..self.n()).map(|i| self.x[i * self.p + j]).collect()
    }
}

/// Builds the design: complete cases on treatment, covariates and outcome;
/// text columns become dummies for every level but the first (sorted).
pub(crate) fn build_design(ds: &Dataset, f: &SimpleFormula, outcome: Option<&str>) -> Result<Design> {
    let n_all = ds.nrows();
    let tr = ds.numeric(&f.lhs).map_err(|e| match e.kind() {
        crate::error::ErrorKind::NonNumeric { .. } => Error::invalid(format!(
            "the treatment `{}` must be coded 0/1; it holds text ({e})",
            f.lhs
        )),
        _ => e,
    })?;
    let mut terms: Vec<(String, TermData)> = Vec::new();
    for name in &f.rhs {
        if name == &f.lhs {
            return Err(Error::invalid(format!("`{name}` is the treatment and cannot also be a covariate")));
        }
        let col = ds.column(name)?;
        match &col.data {
            ColumnData::Numeric { values, .. } => terms.push((name.clone(), TermData::Numeric(values.clone()))),
            ColumnData::Text { .. } => terms.push((name.clone(), TermData::Factor(ds.factor(name)?))),
        }
    }
    let yv = match outcome {
        Some(o) => Some(ds.numeric(o)?),
        None => None,
    };
    // treatment coding check (on non-missing)
    let mut bad: Vec<f64> = tr.iter().copied().filter(|v| !v.is_nan() && *v != 0.0 && *v != 1.0).collect();
    if !bad.is_empty() {
        bad.sort_by(f64::total_cmp);
        bad.dedup();
        let shown: Vec<String> = bad.iter().take(5).map(|v| format!("{v}")).collect();
        let more = if bad.len() > 5 { format!(" and {} more", bad.len() - 5) } else { String::new() };
        return Err(Error::invalid(format!(
            "the treatment `{}` must be 0 (control) or 1 (treated); found {}{more}",
            f.lhs,
            shown.join(", ")
        )));
    }
    let mut rows = Vec::with_capacity(n_all);
    for i in 0..n_all {
        if tr[i].is_nan() {
            continue;
        }
        if let Some(y) = yv {
            if y[i].is_nan() {
                continue;
            }
        }
        let ok = terms.iter().all(|(_, t)| match t {
            TermData::Numeric(v) => v[i].is_finite(),
            TermData::Factor(fc) => fc.codes[i] != Factor::MISSING,
        });
        if ok {
            rows.push(i);
        }
    }
    let n_missing = n_all - rows.len();
    if rows.is_empty() {
        return Err(Error::insufficient("no row has the treatment, all covariates and the outcome observed"));
    }
    // columns
    let mut names = vec!["(Intercept)".to_string()];
    let mut term_of: Vec<Option<String>> = vec![None];
    let mut cols: Vec<Vec<f64>> = vec![vec![1.0; rows.len()]];
    for (name, t) in &terms {
        match t {
            TermData::Numeric(v) => {
                names.push(name.clone());
                term_of.push(Some(name.clone()));
                cols.push(rows.iter().map(|&i| v[i]).collect());
            }
            TermData::Factor(fc) => {
                // levels present in the sample, sorted (codes are sorted already)
                let mut present = vec![false; fc.n_levels()];
                for &i in &rows {
                    present[fc.codes[i] as usize] = true;
                }
                let levels: Vec<usize> = (0..fc.n_levels()).filter(|&l| present[l]).collect();
                if levels.len() < 2 {
                    return Err(Error::invalid(format!(
                        "covariate `{name}` has no variation in the estimation sample (only level `{}`)",
                        levels.first().map(|&l| fc.levels[l].as_str()).unwrap_or("")
                    )));
                }
                for &l in &levels[1..] {
                    names.push(format!("{name}{}", fc.levels[l]));
                    term_of.push(Some(name.clone()));
                    cols.push(rows.iter().map(|&i| if fc.codes[i] as usize == l { 1.0 } else { 0.0 }).collect());
                }
            }
        }
    }
    let p = cols.len();
    let n = rows.len();
    let mut x = vec![0.0; n * p];
    for (j, c) in cols.iter().enumerate() {
        for i in 0..n {
            x[i * p + j] = c[i];
        }
    }
    let treat: Vec<bool> = rows.iter().map(|&i| tr[i] == 1.0).collect();
    let y = yv.map(|y| rows.iter().map(|&i| y[i]).collect());
    Ok(Design { rows, treat, names, term_of, x, p, y, n_missing })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_simple_formulas() {
        let f = parse_formula("treat ~ age + educ +race").unwrap();
        assert_eq!(f.lhs, "treat");
        assert_eq!(f.rhs, vec!["age", "educ", "race"]);
        let f = parse_formula("t ~ `GDP growth` + x.1").unwrap();
        assert_eq!(f.rhs, vec!["GDP growth", "x.1"]);
        assert!(parse_formula("treat ~ age * educ").is_err());
        assert!(parse_formula("treat age").is_err());
        assert!(parse_formula("treat ~ ").is_err());
        assert!(parse_formula("treat ~ a +").is_err());
    }
}
