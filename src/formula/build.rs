//! Formulas built in code, and the one quoting rule for column names in formula text.
//!
//! Estimators that assemble a model from column names (the DID family) build the
//! [`Formula`] AST directly: [`Formula::new`] (the response), [`Formula::term`] (a column),
//! [`Formula::control`] (a user's control: a column name or formula text such as
//! `log(pgdp)` or `i(region)`, parsed with the term grammar), [`Formula::fixef`]. Alongside,
//! each step appends to [`Formula::text`] the text a user would write for the same model,
//! `y ~ r1 + r2 + log(pgdp) | unit + year` (terms before fixed effects), which results
//! report and error messages point into; names that are not plain identifiers are
//! back-quoted by [`quote_name`].

use super::{parse_terms, Atom, Expr, Formula, Term};
use crate::error::{Error, Result};

/// A column name as formula text: bare when it reads back as one plain name (letters,
/// digits, `_` and `.`, not starting with a digit or `.digit`), else back-quoted
/// (`` `GDP growth` ``). A name holding a back-quote, or blank, cannot be written in a formula.
pub fn quote_name(name: &str) -> Result<String> {
    let mut chars = name.chars();
    let first = chars.next();
    let second = chars.next();
    let starts_like_name = match first {
        Some('.') => !second.is_some_and(|c| c.is_ascii_digit()),
        Some(c) => c.is_alphabetic() || c == '_',
        None => false,
    };
    let plain = starts_like_name && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.');
    if plain {
        Ok(name.to_string())
    } else if name.contains('`') || name.trim().is_empty() {
        Err(Error::invalid(format!("column name `{name}` cannot be used in a model (rename the column)")))
    } else {
        Ok(format!("`{name}`"))
    }
}

/// A one-atom term: the column `name`, at `position` of the formula text.
fn column_term(name: &str, position: usize) -> Term {
    Term { atoms: vec![Atom { expr: Expr::Var(name.to_string()), name: name.to_string(), position }] }
}

impl Formula {
    /// `y ~ …`: a formula with the column `depvar` as response, an intercept and nothing
    /// else yet (add terms with [`Self::term`] / [`Self::control`] before fitting).
    pub fn new(depvar: &str) -> Result<Formula> {
        let text = format!("{} ~ ", quote_name(depvar)?);
        Ok(Formula {
            text,
            depvar: Atom { expr: Expr::Var(depvar.to_string()), name: depvar.to_string(), position: 0 },
            terms: Vec::new(),
            intercept: true,
            fixef: Vec::new(),
            endog: Vec::new(),
            instruments: Vec::new(),
        })
    }

    /// Adds the column `name` as a regressor.
    pub fn term(mut self, name: &str) -> Result<Formula> {
        let shown = quote_name(name)?;
        let at = self.rhs_offset(&shown)?;
        self.add_terms(vec![column_term(name, at)], None);
        Ok(self)
    }

    /// Adds a control as the user gave it: a plain name, or formula text with a call
    /// (`log(pgdp)`, `i(region)`, `I(x^2)`) parsed with the term grammar; any other text is a
    /// column name (`GDP growth`).
    pub fn control(mut self, control: &str) -> Result<Formula> {
        let plain = quote_name(control).is_ok_and(|q| q == control);
        if plain || !control.contains('(') {
            return self.term(control);
        }
        let at = self.rhs_offset(control)?;
        let (mut terms, intercept) = parse_terms(control).map_err(|e| self.shifted(e, at))?;
        for a in terms.iter_mut().flat_map(|t| t.atoms.iter_mut()) {
            a.position += at;
        }
        self.add_terms(terms, intercept);
        Ok(self)
    }

    /// Adds the column `name` as a fixed effect.
    pub fn fixef(mut self, name: &str) -> Result<Formula> {
        let shown = quote_name(name)?;
        self.text.push_str(if self.fixef.is_empty() { " | " } else { " + " });
        self.text.push_str(&shown);
        let combo = vec![name.to_string()];
        if !self.fixef.contains(&combo) {
            self.fixef.push(combo);
        }
        Ok(self)
    }

    /// Appends `shown` to the right-hand side of the text; returns where it starts.
    fn rhs_offset(&mut self, shown: &str) -> Result<usize> {
        if !self.fixef.is_empty() || self.is_iv() {
            return Err(Error::invalid("formula terms must be added before the fixed effects"));
        }
        if !self.text.ends_with("~ ") {
            self.text.push_str(" + ");
        }
        let at = self.text.chars().count();
        self.text.push_str(shown);
        Ok(at)
    }

    /// Adds terms as the parser would: duplicates dropped, main effects before interactions.
    fn add_terms(&mut self, terms: Vec<Term>, intercept: Option<bool>) {
        for t in terms {
            let n = t.name();
            if !self.terms.iter().any(|u| u.name() == n) {
                self.terms.push(t);
            }
        }
        self.terms.sort_by_key(|t| t.atoms.len());
        if let Some(b) = intercept {
            self.intercept = b;
        }
    }

    /// A syntax error in a control, re-pointed into the formula text.
    fn shifted(&self, e: Error, at: usize) -> Error {
        match e.into_kind() {
            crate::error::ErrorKind::Formula { position, message, .. } => {
                Error::formula(&self.text, at + position, message)
            }
            kind => Error::new(kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formula::parse;

    #[test]
    fn quoting() {
        assert_eq!(quote_name("pgdp").unwrap(), "pgdp");
        assert_eq!(quote_name("x.1").unwrap(), "x.1");
        assert_eq!(quote_name("GDP growth").unwrap(), "`GDP growth`");
        assert_eq!(quote_name("2x").unwrap(), "`2x`");
        assert_eq!(quote_name(".5").unwrap(), "`.5`");
        assert!(quote_name("a`b").is_err());
        assert!(quote_name(" ").is_err());
    }

    #[test]
    fn built_equals_parsed() {
        let f = Formula::new("ln y")
            .and_then(|f| f.term("DID"))
            .and_then(|f| f.control("pgdp"))
            .and_then(|f| f.control("log(pgdp)"))
            .and_then(|f| f.control("a:b"))
            .and_then(|f| f.control("i(region, ref = east)"))
            .and_then(|f| f.fixef("unit"))
            .and_then(|f| f.fixef("year"))
            .unwrap();
        assert_eq!(f.text, "`ln y` ~ DID + pgdp + log(pgdp) + `a:b` + i(region, ref = east) | unit + year");
        assert_eq!(parse(&f.text).unwrap(), f);
        let f = Formula::new("y").and_then(|f| f.term("x")).and_then(|f| f.control("c1*log(z)")).unwrap();
        assert_eq!(parse(&f.text).unwrap(), f);
        assert!(Formula::new("y").and_then(|f| f.fixef("u")).and_then(|f| f.term("x")).is_err());
    }

    #[test]
    fn control_errors_point_into_the_formula() {
        let e = Formula::new("y").and_then(|f| f.term("x")).and_then(|f| f.control("log(z")).unwrap_err();
        match e.into_kind() {
            crate::error::ErrorKind::Formula { formula, position, .. } => {
                assert_eq!(formula, "y ~ x + log(z");
                assert_eq!(position, 11);
            }
            k => panic!("{k:?}"),
        }
    }
}
