//! Model specification: fixest-style formulas (`y ~ x1 + x2 | unit + year`).
//!
//! # Syntax
//!
//! ```text
//! depvar ~ terms [| fixed effects] [| endog ~ instruments]
//! ```
//!
//! * `terms` are joined by `+` and ordered like R's `terms()` (by degree:
//!   main effects first, then `a:b`, then `a:b:c`; stable otherwise);
//!   `a:b` is the interaction (elementwise product,
//!   or dummies × variable for categorical factors); `a*b` expands to
//!   `a + b + a:b`; `- term` removes a term; `0 +`, `+ 0` and `- 1` remove the
//!   intercept (`+ 1` keeps it). Without a fixed-effect part the model has an
//!   intercept named `Intercept`; with fixed effects it has none (absorbed).
//! * Transforms inside calls are ordinary arithmetic (`+ - * / ^`, unary
//!   minus, numbers): `log(x)`, `exp(x)`, `sqrt(x)`, `abs(x)`, `I(x^2)`,
//!   `I(a*b)`, `I(x/1000)`. Terms are named by their text with blanks removed
//!   (`I(x^2)`, `log(pgdp)`) like fixest.
//! * Categorical expansion: `i(var)` (one dummy per level; with an intercept
//!   or fixed effects the last level is then dropped as collinear, like
//!   fixest — pyfixest drops the first), `i(var, ref = v)`
//!   (all levels but `v`; `ref = c(-1, -1000)` drops several), `i(var, x)` /
//!   `i(var, x, ref = v)` (per-level slopes of `x`). Dummies are named like
//!   fixest: `rel::-3`, `region::east`, `var::level:x`. `factor(var)` / `C(var)`
//!   give one dummy per level except the first (`factor(var)level`).
//! * Fixed effects: `fe1 + fe2`; `fe1^fe2` is the combined (interacted) effect.
//! * IV (fixest): `y ~ exog | fe | endog ~ z1 + z2`, or without fixed effects
//!   `y ~ exog | endog ~ z1 + z2`.
//! * Column names may be quoted with back-ticks: `` `GDP growth` ``.
//!
//! [`parse`] produces a [`Formula`] (an AST); code that assembles a model from column names
//! builds the AST directly ([`Formula::new`], see `build.rs`) and writes names into formula
//! text with [`quote_name`]; [`frame::ModelFrame::build`]
//! evaluates it on a [`Dataset`](crate::data::Dataset), dropping rows with a
//! missing (or non-finite, e.g. `log(0)`) value in any used variable.
//!
//! Syntax errors are [`ErrorKind::Formula`](crate::error::ErrorKind::Formula)
//! with a 0-based character position, e.g. `y ~ x +` → position 7, "expected a
//! term after `+`".

mod build;
pub mod frame;

use crate::error::{Error, Result};

pub use build::quote_name;
pub use frame::{FrameOptions, ModelFrame, TermBlock};

/// An arithmetic expression (the left-hand side, transforms, call arguments).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A column name.
    Var(String),
    /// A number literal.
    Num(f64),
    /// A string literal (`"east"`, used for `ref =`).
    Str(String),
    /// A function call with positional and named arguments.
    Call { name: String, args: Vec<Expr>, named: Vec<(String, Expr)> },
    /// A binary operation: one of `+ - * / ^`.
    Bin { op: char, lhs: Box<Expr>, rhs: Box<Expr> },
    /// Unary minus.
    Neg(Box<Expr>),
}

/// One factor of a model term together with its display name.
#[derive(Debug, Clone, PartialEq)]
pub struct Atom {
    /// The expression.
    pub expr: Expr,
    /// The source text without blanks (`log(x)`, `I(x^2)`).
    pub name: String,
    /// 0-based character position in the formula.
    pub position: usize,
}

/// A model term: the interaction (product) of one or more atoms.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The factors (one for a main effect).
    pub atoms: Vec<Atom>,
}

impl Term {
    /// The term's name (`a:b`).
    pub fn name(&self) -> String {
        self.atoms.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(":")
    }
}

/// A parsed formula.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    /// The formula text as given.
    pub text: String,
    /// The dependent variable.
    pub depvar: Atom,
    /// Right-hand-side terms (exogenous regressors), in order, duplicates removed.
    pub terms: Vec<Term>,
    /// True when the model has an intercept (only meaningful without fixed effects).
    pub intercept: bool,
    /// Fixed effects; each entry is a list of variables combined with `^`.
    pub fixef: Vec<Vec<String>>,
    /// Endogenous regressors (IV part), empty for OLS.
    pub endog: Vec<Term>,
    /// Excluded instruments (IV part).
    pub instruments: Vec<Term>,
}

impl Formula {
    /// True for an IV formula.
    pub fn is_iv(&self) -> bool {
        !self.endog.is_empty()
    }
    /// The fixed-effect names as written (`city`, `city^year`).
    pub fn fixef_names(&self) -> Vec<String> {
        self.fixef.iter().map(|f| f.join("^")).collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(f64),
    Str(String),
    Op(char),
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    pos: usize,
    end: usize,
}

fn tokenize(text: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let s: String = chars[start..i].iter().collect();
            let v: f64 = s.parse().map_err(|_| Error::formula(text, start, format!("`{s}` is not a number")))?;
            out.push(Token { tok: Tok::Num(v), pos: start, end: i });
        } else if c.is_alphabetic() || c == '_' || c == '.' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                i += 1;
            }
            out.push(Token { tok: Tok::Ident(chars[start..i].iter().collect()), pos: start, end: i });
        } else if c == '`' || c == '"' || c == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += 1;
            }
            if i >= chars.len() {
                return Err(Error::formula(text, start, format!("unclosed {c}")));
            }
            let s: String = chars[start + 1..i].iter().collect();
            i += 1;
            let tok = if c == '`' { Tok::Ident(s) } else { Tok::Str(s) };
            out.push(Token { tok, pos: start, end: i });
        } else if "~|+-*:^(),=/".contains(c) {
            i += 1;
            out.push(Token { tok: Tok::Op(c), pos: start, end: i });
        } else {
            return Err(Error::formula(text, start, format!("unexpected character `{c}`")));
        }
    }
    out.push(Token { tok: Tok::End, pos: chars.len(), end: chars.len() });
    Ok(out)
}

struct Parser<'a> {
    text: &'a str,
    chars: Vec<char>,
    toks: Vec<Token>,
    k: usize,
}

/// A term-level item: a proper term, or an intercept marker (`0` / `1`).
#[derive(Debug, Clone)]
enum Item {
    Term(Term),
    Intercept(bool, usize),
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &Tok {
        &self.toks[self.k.min(self.toks.len() - 1)].tok
    }
    fn pos(&self) -> usize {
        self.toks[self.k.min(self.toks.len() - 1)].pos
    }
    fn err<T>(&self, pos: usize, msg: impl Into<String>) -> Result<T> {
        Err(Error::formula(self.text, pos, msg))
    }
    fn is_op(&self, c: char) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == c)
    }
    fn bump(&mut self) -> Token {
        let t = self.toks[self.k.min(self.toks.len() - 1)].clone();
        if self.k < self.toks.len() - 1 {
            self.k += 1;
        }
        t
    }
    fn expect(&mut self, c: char, what: &str) -> Result<Token> {
        if self.is_op(c) {
            Ok(self.bump())
        } else {
            let p = self.pos();
            self.err(p, format!("expected `{c}` {what}"))
        }
    }
    fn source(&self, from: usize, to: usize) -> String {
        self.chars[from..to.min(self.chars.len())].iter().filter(|c| !c.is_whitespace()).collect()
    }
    fn prev_end(&self) -> usize {
        if self.k == 0 {
            0
        } else {
            self.toks[self.k - 1].end
        }
    }

    // ---------- arithmetic grammar ----------
    fn arith(&mut self) -> Result<Expr> {
        let mut lhs = self.muldiv()?;
        while self.is_op('+') || self.is_op('-') {
            let op = if self.is_op('+') { '+' } else { '-' };
            self.bump();
            let rhs = self.muldiv()?;
            lhs = Expr::Bin { op, lhs: Box::new(lhs), rhs: Box::new(rhs) };
        }
        Ok(lhs)
    }
    fn muldiv(&mut self) -> Result<Expr> {
        let mut lhs = self.unary()?;
        while self.is_op('*') || self.is_op('/') || self.is_op(':') {
            let op = if self.is_op('/') { '/' } else { '*' };
            self.bump();
            let rhs = self.unary()?;
            lhs = Expr::Bin { op, lhs: Box::new(lhs), rhs: Box::new(rhs) };
        }
        Ok(lhs)
    }
    fn unary(&mut self) -> Result<Expr> {
        if self.is_op('-') {
            self.bump();
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        if self.is_op('+') {
            self.bump();
            return self.unary();
        }
        let base = self.primary()?;
        if self.is_op('^') {
            self.bump();
            let exp = self.unary()?;
            return Ok(Expr::Bin { op: '^', lhs: Box::new(base), rhs: Box::new(exp) });
        }
        Ok(base)
    }
    fn primary(&mut self) -> Result<Expr> {
        let t = self.bump();
        match t.tok {
            Tok::Num(v) => Ok(Expr::Num(v)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::Ident(name) => {
                if self.is_op('(') {
                    self.call_rest(name)
                } else {
                    Ok(Expr::Var(name))
                }
            }
            Tok::Op('(') => {
                let e = self.arith()?;
                self.expect(')', "to close `(`")?;
                Ok(e)
            }
            Tok::End => self.err(t.pos, "unexpected end of formula: expected a variable or number"),
            Tok::Op(c) => self.err(t.pos, format!("unexpected `{c}`: expected a variable or number")),
        }
    }
    /// After `name`, at `(`.
    fn call_rest(&mut self, name: String) -> Result<Expr> {
        let open = self.bump();
        let mut args = Vec::new();
        let mut named = Vec::new();
        if self.is_op(')') {
            self.bump();
            return Ok(Expr::Call { name, args, named });
        }
        loop {
            // named argument?
            let is_named = matches!(self.peek(), Tok::Ident(_))
                && matches!(self.toks.get(self.k + 1).map(|t| &t.tok), Some(Tok::Op('=')));
            if is_named {
                let key = match self.bump().tok {
                    Tok::Ident(s) => s,
                    _ => String::new(),
                };
                self.bump();
                named.push((key, self.arith()?));
            } else {
                args.push(self.arith()?);
            }
            if self.is_op(',') {
                self.bump();
                continue;
            }
            if self.is_op(')') {
                self.bump();
                break;
            }
            let p = self.pos();
            return match self.peek() {
                Tok::End => self.err(open.pos, format!("unclosed `(` in `{name}(`")),
                _ => self.err(p, format!("expected `,` or `)` in the arguments of `{name}`")),
            };
        }
        Ok(Expr::Call { name, args, named })
    }

    // ---------- term grammar ----------
    fn atom_item(&mut self) -> Result<Vec<Item>> {
        let start_tok = self.toks[self.k.min(self.toks.len() - 1)].clone();
        match &start_tok.tok {
            Tok::Num(v) => {
                self.bump();
                if *v == 0.0 || *v == 1.0 {
                    Ok(vec![Item::Intercept(*v == 1.0, start_tok.pos)])
                } else {
                    self.err(start_tok.pos, "a number can only be 0 or 1 here (to remove or keep the intercept)")
                }
            }
            Tok::Op('(') => {
                self.bump();
                let items = self.sum()?;
                self.expect(')', "to close `(`")?;
                Ok(items)
            }
            Tok::Ident(name) => {
                let name = name.clone();
                self.bump();
                let expr = if self.is_op('(') { self.call_rest(name)? } else { Expr::Var(name) };
                let name = match &expr {
                    Expr::Var(v) => v.clone(),
                    _ => self.source(start_tok.pos, self.prev_end()),
                };
                Ok(vec![Item::Term(Term { atoms: vec![Atom { expr, name, position: start_tok.pos }] })])
            }
            Tok::End => {
                let msg = if self.k > 0 {
                    match &self.toks[self.k - 1].tok {
                        Tok::Op(c) => format!("expected a term after `{c}`"),
                        _ => "expected a term".to_string(),
                    }
                } else {
                    "expected a term".to_string()
                };
                self.err(start_tok.pos, msg)
            }
            Tok::Str(_) => self.err(start_tok.pos, "a quoted string cannot be a term (use back-ticks for column names)"),
            Tok::Op(c) => self.err(start_tok.pos, format!("unexpected `{c}`: expected a term")),
        }
    }
    fn inter(&mut self) -> Result<Vec<Item>> {
        let mut acc = self.atom_item()?;
        while self.is_op(':') {
            let p = self.pos();
            self.bump();
            let rhs = self.atom_item()?;
            acc = cross(self, acc, rhs, p)?;
        }
        Ok(acc)
    }
    fn product(&mut self) -> Result<Vec<Item>> {
        let mut acc = self.inter()?;
        while self.is_op('*') {
            let p = self.pos();
            self.bump();
            let rhs = self.inter()?;
            let both = cross(self, acc.clone(), rhs.clone(), p)?;
            acc.extend(rhs);
            acc.extend(both);
        }
        Ok(acc)
    }
    /// A `+`/`-` separated list; removals are applied here.
    fn sum(&mut self) -> Result<Vec<Item>> {
        let mut out: Vec<Item> = Vec::new();
        let mut sign_plus = true;
        if self.is_op('-') {
            self.bump();
            sign_plus = false;
        } else if self.is_op('+') {
            self.bump();
        }
        loop {
            let items = self.product()?;
            for it in items {
                if sign_plus {
                    out.push(it);
                } else {
                    match it {
                        Item::Intercept(keep, p) => out.push(Item::Intercept(!keep, p)),
                        Item::Term(t) => {
                            let n = t.name();
                            out.retain(|o| !matches!(o, Item::Term(u) if u.name() == n));
                        }
                    }
                }
            }
            if self.is_op('+') {
                self.bump();
                sign_plus = true;
            } else if self.is_op('-') {
                self.bump();
                sign_plus = false;
            } else {
                break;
            }
        }
        Ok(out)
    }
}

fn cross(p: &Parser, a: Vec<Item>, b: Vec<Item>, pos: usize) -> Result<Vec<Item>> {
    let mut out = Vec::new();
    for x in &a {
        for y in &b {
            match (x, y) {
                (Item::Term(t), Item::Term(u)) => {
                    let mut atoms = t.atoms.clone();
                    atoms.extend(u.atoms.iter().cloned());
                    out.push(Item::Term(Term { atoms }));
                }
                _ => return p.err(pos, "0/1 cannot be interacted"),
            }
        }
    }
    Ok(out)
}

fn split_items(items: Vec<Item>, intercept: &mut bool) -> Vec<Term> {
    let mut terms: Vec<Term> = Vec::new();
    for it in items {
        match it {
            Item::Intercept(b, _) => *intercept = b,
            Item::Term(t) => {
                let n = t.name();
                if !terms.iter().any(|u| u.name() == n) {
                    terms.push(t);
                }
            }
        }
    }
    // R / fixest / pyfixest order: main effects first, then two-way
    // interactions, … (stable within a degree), e.g. `y ~ a:b + c` → `c, a:b`.
    terms.sort_by_key(|t| t.atoms.len());
    terms
}

/// Parses a fixest-style formula. See the [module docs](self) for the syntax.
pub fn parse(text: &str) -> Result<Formula> {
    let toks = tokenize(text)?;
    let mut p = Parser { text, chars: text.chars().collect(), toks, k: 0 };
    if matches!(p.peek(), Tok::End) {
        return p.err(0, "the formula is empty (expected `y ~ x`)");
    }
    // left-hand side
    let start = p.pos();
    let lhs = p.arith()?;
    let name = match &lhs {
        Expr::Var(v) => v.clone(),
        _ => p.source(start, p.prev_end()),
    };
    let depvar = Atom { expr: lhs, name, position: start };
    if !p.is_op('~') {
        let pos = p.pos();
        return p.err(pos, "expected `~` after the dependent variable");
    }
    p.bump();
    let mut intercept = true;
    let items = p.sum()?;
    let terms = split_items(items, &mut intercept);
    let mut fixef = Vec::new();
    let mut endog = Vec::new();
    let mut instruments = Vec::new();
    let mut seen_iv = false;
    while p.is_op('|') {
        let bar = p.bump();
        if seen_iv {
            return p.err(bar.pos, "nothing may follow the IV part `endog ~ instruments`");
        }
        // Does this part contain a `~` before the next `|`?
        let mut j = p.k;
        let mut has_tilde = false;
        while j < p.toks.len() {
            match p.toks[j].tok {
                Tok::Op('|') | Tok::End => break,
                Tok::Op('~') => {
                    has_tilde = true;
                    break;
                }
                _ => j += 1,
            }
        }
        if has_tilde {
            seen_iv = true;
            let mut dummy = true;
            let e = p.sum()?;
            endog = split_items(e, &mut dummy);
            p.expect('~', "between endogenous variables and instruments")?;
            let z = p.sum()?;
            instruments = split_items(z, &mut dummy);
            if endog.is_empty() {
                return p.err(bar.pos + 1, "the IV part needs at least one endogenous variable");
            }
            if instruments.is_empty() {
                return p.err(bar.pos + 1, "the IV part needs at least one instrument");
            }
        } else {
            if !fixef.is_empty() {
                return p.err(bar.pos, "only one fixed-effect part is allowed");
            }
            loop {
                let mut combo = Vec::new();
                loop {
                    let t = p.bump();
                    match t.tok {
                        Tok::Ident(s) => combo.push(s),
                        Tok::Num(v) if v == 0.0 && combo.is_empty() => break,
                        Tok::End => return p.err(t.pos, "expected a fixed-effect variable"),
                        _ => return p.err(t.pos, "expected a fixed-effect variable name"),
                    }
                    if p.is_op('^') {
                        p.bump();
                    } else {
                        break;
                    }
                }
                if !combo.is_empty() && !fixef.contains(&combo) {
                    fixef.push(combo);
                }
                if p.is_op('+') {
                    p.bump();
                } else {
                    break;
                }
            }
        }
    }
    if !matches!(p.peek(), Tok::End) {
        let pos = p.pos();
        let what = match p.peek() {
            Tok::Op(c) => format!("unexpected `{c}`"),
            Tok::Ident(s) => format!("unexpected `{s}` (missing `+`?)"),
            Tok::Num(v) => format!("unexpected number {v} (missing `+`?)"),
            _ => "unexpected text".to_string(),
        };
        return p.err(pos, what);
    }
    Ok(Formula { text: text.to_string(), depvar, terms, intercept, fixef, endog, instruments })
}

/// Parses a right-hand side alone (`log(x) + i(g)`, `a*b`): its terms in formula order and,
/// when it holds `0` / `1`, whether the model keeps its intercept.
pub fn parse_terms(text: &str) -> Result<(Vec<Term>, Option<bool>)> {
    let toks = tokenize(text)?;
    let mut p = Parser { text, chars: text.chars().collect(), toks, k: 0 };
    let items = p.sum()?;
    if !matches!(p.peek(), Tok::End) {
        let pos = p.pos();
        return p.err(pos, "unexpected text after the term (missing `+`?)");
    }
    let intercept = items.iter().rev().find_map(|it| match it {
        Item::Intercept(b, _) => Some(*b),
        Item::Term(_) => None,
    });
    let mut dummy = true;
    Ok((split_items(items, &mut dummy), intercept))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn names(f: &Formula) -> Vec<String> {
        f.terms.iter().map(Term::name).collect()
    }
    fn pos_of(s: &str) -> usize {
        match parse(s).unwrap_err().into_kind() {
            ErrorKind::Formula { position, .. } => position,
            k => panic!("not a formula error: {k:?}"),
        }
    }

    #[test]
    fn fixest_syntax() {
        let f = parse("lnHDQ ~ FTZ + pgdp | city + year").unwrap();
        assert_eq!(names(&f), ["FTZ", "pgdp"]);
        assert_eq!(f.fixef, vec![vec!["city".to_string()], vec!["year".to_string()]]);
        assert_eq!(f.depvar.name, "lnHDQ");
        let f = parse("y ~ a*b + log(x) + I(x^2) - b").unwrap();
        // R/fixest order: main effects, then interactions
        assert_eq!(names(&f), ["a", "log(x)", "I(x^2)", "a:b"]);
        let f = parse("y ~ x1:x2 + x3 + i(g) + d:x1:x2 + d:x1").unwrap();
        assert_eq!(names(&f), ["x3", "i(g)", "x1:x2", "d:x1", "d:x1:x2"]);
        assert!(f.intercept);
        assert!(!parse("y ~ 0 + x").unwrap().intercept);
        assert!(!parse("y ~ x - 1").unwrap().intercept);
        assert!(!parse("y ~ x + 0").unwrap().intercept);
        let f = parse("lwage ~ exper + expersq | educ ~ fatheduc + motheduc").unwrap();
        assert!(f.fixef.is_empty());
        assert_eq!(f.endog[0].name(), "educ");
        assert_eq!(f.instruments.len(), 2);
        let f = parse("y ~ x | id^year + firm | d ~ z").unwrap();
        assert_eq!(f.fixef_names(), ["id^year", "firm"]);
        let f = parse("y ~ i(rel, ref = -1) + i(g, x, ref=c(1,2)) | u + t").unwrap();
        assert_eq!(names(&f), ["i(rel,ref=-1)", "i(g,x,ref=c(1,2))"]);
        let f = parse("log(y) ~ `a b`:c").unwrap();
        assert_eq!(f.depvar.name, "log(y)");
        assert_eq!(names(&f), ["a b:c"]);
    }

    #[test]
    fn errors_have_positions() {
        assert_eq!(pos_of("y ~ x +"), 7);
        assert_eq!(pos_of("y ~ x + + z"), 8);
        assert_eq!(pos_of("y x"), 2);
        assert_eq!(pos_of("y ~ log(x"), 7);
        assert_eq!(pos_of("y ~ x $ z"), 6);
        assert_eq!(pos_of("y ~ x z"), 6);
        assert_eq!(pos_of(""), 0);
        assert_eq!(pos_of("y ~ x | "), 8);
        let e = parse("y ~ x +").unwrap_err().to_string();
        assert!(e.contains("expected a term after `+`"), "{e}");
    }
}
