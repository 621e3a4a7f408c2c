//! The model frame: a [`Formula`] evaluated on a [`Dataset`].
//!
//! Building the frame (1) evaluates every used expression on all rows,
//! (2) drops rows where any used value is missing or non-finite (dependent
//! variable, regressors, endogenous variables, instruments, fixed effects,
//! cluster variables, weights; zero weights are dropped too), and (3) expands
//! categorical terms (`i()`, `factor()`) into dummies using the levels present
//! in the remaining sample. The number of dropped rows is reported in
//! [`ModelFrame::notes`].
//!
//! [`ModelFrame::build_with`] takes [`FrameOptions`]: `text_as_factor` makes a
//! bare text column behave like `factor(col)` but named `col` + level as R's
//! `lm`/`glm` name character columns (`racehispan`); `required` adds numeric
//! columns that take part in the missing-value filter without being in the
//! model (e.g. an outcome evaluated later).

use super::{Atom, Expr, Formula, Term};
use crate::data::{ColumnKind, Dataset, Factor};
use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// The columns a term expands to.
#[derive(Debug, Clone, PartialEq)]
pub struct TermBlock {
    /// The term as written.
    pub term: String,
    /// Names of its columns (one for a numeric term, one per dummy for `i()`).
    pub names: Vec<String>,
    /// The columns (sample rows).
    pub columns: Vec<Vec<f64>>,
}

/// Options for [`ModelFrame::build_with`] (the default is [`ModelFrame::build`]'s behaviour).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameOptions {
    /// A bare text column used as a term expands to dummies for every level present
    /// in the sample but the first (sorted), named `column` + `level`; without this
    /// option it is an error (the column is not numeric).
    pub text_as_factor: bool,
    /// Further numeric columns that must be observed (finite) for a row to be kept.
    pub required: Vec<String>,
}

/// A formula evaluated on the estimation sample.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFrame {
    /// Name of the dependent variable.
    pub depvar: String,
    /// Dependent variable.
    pub y: Vec<f64>,
    /// Exogenous regressor blocks (no intercept column; see `intercept`).
    pub exog: Vec<TermBlock>,
    /// True when an intercept must be added (no fixed effects and not removed).
    pub intercept: bool,
    /// Endogenous regressor blocks (IV).
    pub endog: Vec<TermBlock>,
    /// Excluded-instrument blocks (IV).
    pub instruments: Vec<TermBlock>,
    /// Fixed effects: name, compact codes (0..n_levels) and number of levels.
    pub fixef: Vec<(String, Vec<u32>, usize)>,
    /// Cluster variables: name, compact codes and number of levels.
    pub clusters: Vec<(String, Vec<u32>, usize)>,
    /// Observation weights, if any.
    pub weights: Option<Vec<f64>>,
    /// Row index in the dataset of each sample row.
    pub rows: Vec<usize>,
    /// Rows dropped for missing values (and zero weights).
    pub n_missing: usize,
    /// Human-readable notes (dropped rows).
    pub notes: Vec<String>,
}

impl ModelFrame {
    /// Flattened exogenous column names.
    pub fn exog_names(&self) -> Vec<String> {
        self.exog.iter().flat_map(|b| b.names.iter().cloned()).collect()
    }
    /// Number of sample rows.
    pub fn nobs(&self) -> usize {
        self.y.len()
    }

    /// Evaluates `formula` on `ds`. `weights` names a weight column; `clusters`
    /// the cluster variables (they take part in the missing-value filter).
    pub fn build(ds: &Dataset, formula: &Formula, weights: Option<&str>, clusters: &[String]) -> Result<ModelFrame> {
        Self::build_with(ds, formula, weights, clusters, &FrameOptions::default())
    }

    /// [`ModelFrame::build`] with [`FrameOptions`].
    pub fn build_with(
        ds: &Dataset,
        formula: &Formula,
        weights: Option<&str>,
        clusters: &[String],
        opts: &FrameOptions,
    ) -> Result<ModelFrame> {
        let n = ds.nrows();
        let ctx = Ctx { ds, text: &formula.text, text_as_factor: opts.text_as_factor };
        let y = ctx.eval_atom_numeric(&formula.depvar)?;
        let exog = formula.terms.iter().map(|t| ctx.eval_term(t)).collect::<Result<Vec<_>>>()?;
        let endog = formula.endog.iter().map(|t| ctx.eval_term(t)).collect::<Result<Vec<_>>>()?;
        let inst = formula.instruments.iter().map(|t| ctx.eval_term(t)).collect::<Result<Vec<_>>>()?;
        // Codes of each grouping variable once, whether it is a fixed effect, a cluster or both.
        let mut groups = GroupCache::default();
        let mut fe_raw = Vec::new();
        for combo in &formula.fixef {
            let parts: Vec<&str> = combo.iter().map(String::as_str).collect();
            fe_raw.push((combo.join("^"), groups.combined(ds, &parts)?));
        }
        let mut cl_raw = Vec::new();
        for c in clusters {
            let parts: Vec<&str> = c.split('^').map(str::trim).collect();
            cl_raw.push((c.clone(), groups.combined(ds, &parts)?));
        }
        let w_raw = match weights {
            Some(w) => {
                let v = ds.numeric(w)?;
                if let Some(bad) = v.iter().find(|x| **x < 0.0) {
                    return Err(Error::invalid(format!("weights `{w}` must not be negative (found {bad})")));
                }
                Some(v)
            }
            None => None,
        };
        let required = opts.required.iter().map(|c| ds.numeric(c)).collect::<Result<Vec<_>>>()?;

        // Missing-value mask, one variable at a time.
        let mut keep = vec![true; n];
        and_finite(&mut keep, &y);
        for a in exog.iter().chain(&endog).chain(&inst).flatten() {
            a.and_valid(&mut keep);
        }
        for (_, c) in fe_raw.iter().chain(&cl_raw) {
            for (k, &c) in keep.iter_mut().zip(c.iter()) {
                *k &= c != Factor::MISSING;
            }
        }
        for v in &required {
            and_finite(&mut keep, v);
        }
        let mut zero_w = 0usize;
        if let Some(w) = w_raw {
            for (k, &w) in keep.iter_mut().zip(w) {
                zero_w += usize::from(*k && w == 0.0);
                *k &= w.is_finite() && w > 0.0;
            }
        }
        let rows: Vec<usize> = (0..n).filter(|&i| keep[i]).collect();
        let all = rows.len() == n;
        let n_missing = n - rows.len();
        let mut notes = Vec::new();
        if n_missing > 0 {
            let mut msg = format!("{} observation(s) removed because of missing values", n_missing - zero_w);
            if zero_w > 0 {
                msg = format!("{msg}; {zero_w} removed for zero weight");
            }
            notes.push(msg);
        }
        if rows.is_empty() {
            return Err(Error::insufficient(format!(
                "no observations left: all {n} rows have a missing value in a variable of the model `{}`",
                formula.text
            )));
        }
        let sub = |v: &[f64]| if all { v.to_vec() } else { rows.iter().map(|&i| v[i]).collect::<Vec<f64>>() };
        let expand = |terms: &[Vec<AtomVal>], src: &[Term]| -> Vec<TermBlock> {
            terms.iter().zip(src).map(|(t, s)| expand_term(t, &rows, all, s.name())).collect()
        };
        let fixef = fe_raw.into_iter().map(|(name, c)| recode(name, &c, &rows, all)).collect();
        let clusters = cl_raw.into_iter().map(|(name, c)| recode(name, &c, &rows, all)).collect();
        Ok(ModelFrame {
            depvar: formula.depvar.name.clone(),
            y: sub(&y),
            exog: expand(&exog, &formula.terms),
            intercept: formula.intercept && formula.fixef.is_empty(),
            endog: expand(&endog, &formula.endog),
            instruments: expand(&inst, &formula.instruments),
            fixef,
            clusters,
            weights: w_raw.map(sub),
            rows,
            n_missing,
            notes,
        })
    }
}

/// The codes of the grouping variables of one frame, each computed once (a variable that is
/// both a fixed effect and the cluster, as `unit` usually is).
#[derive(Default)]
struct GroupCache {
    codes: BTreeMap<String, std::rc::Rc<Vec<u32>>>,
}

impl GroupCache {
    fn get(&mut self, ds: &Dataset, name: &str) -> Result<std::rc::Rc<Vec<u32>>> {
        if let Some(c) = self.codes.get(name) {
            return Ok(c.clone());
        }
        let c = std::rc::Rc::new(group_codes(ds, name)?);
        self.codes.insert(name.to_string(), c.clone());
        Ok(c)
    }

    /// The codes of `parts` interacted (`a^b`), or of the one variable.
    fn combined(&mut self, ds: &Dataset, parts: &[&str]) -> Result<std::rc::Rc<Vec<u32>>> {
        if let [one] = parts {
            return self.get(ds, one);
        }
        let facs = parts.iter().map(|v| self.get(ds, v)).collect::<Result<Vec<_>>>()?;
        Ok(std::rc::Rc::new(combine(&facs.iter().map(|f| f.as_slice()).collect::<Vec<_>>())))
    }
}

/// Group codes of a column (order-preserving: same order as
/// [`Dataset::factor`]'s levels). Whole-number numeric columns with a compact
/// range take a fast direct-indexing path (no sort, no level strings).
pub fn group_codes(ds: &Dataset, name: &str) -> Result<Vec<u32>> {
    if let Ok(v) = ds.numeric(name) {
        // plain comparisons, not f64::min/max (a libm call each in wasm); NaN fails both
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut whole = true;
        for &x in v {
            if x < lo {
                lo = x;
            }
            if x > hi {
                hi = x;
            }
            whole &= x.is_nan() || x == x.trunc();
        }
        if whole && lo.is_finite() && hi.is_finite() && hi - lo < (4 * v.len() + 16) as f64 {
            let span = (hi - lo) as usize + 1;
            let mut map = vec![u32::MAX; span];
            for &x in v {
                if !x.is_nan() {
                    map[(x - lo) as usize] = 0;
                }
            }
            let mut k = 0u32;
            for m in map.iter_mut() {
                if *m == 0 {
                    *m = k;
                    k += 1;
                }
            }
            return Ok(v.iter().map(|&x| if x.is_nan() { Factor::MISSING } else { map[(x - lo) as usize] }).collect());
        }
        if lo > hi && !v.is_empty() {
            return Ok(vec![Factor::MISSING; v.len()]);
        }
    }
    Ok(ds.factor(name)?.codes)
}

/// `keep[i] &= v[i]` is finite.
fn and_finite(keep: &mut [bool], v: &[f64]) {
    for (k, x) in keep.iter_mut().zip(v) {
        *k &= x.is_finite();
    }
}

/// Compact codes 0..k for the sample rows (levels in original code order). With every row in
/// the sample and every level present (codes already compact) the codes are kept as they are.
fn recode(name: String, codes: &[u32], rows: &[usize], all: bool) -> (String, Vec<u32>, usize) {
    let max = if all {
        codes.iter().map(|&c| c as usize + 1).max().unwrap_or(0)
    } else {
        rows.iter().map(|&i| codes[i] as usize + 1).max().unwrap_or(0)
    };
    let mut map = vec![u32::MAX; max];
    if all {
        for &c in codes {
            map[c as usize] = 0;
        }
    } else {
        for &i in rows {
            map[codes[i] as usize] = 0;
        }
    }
    let mut k = 0u32;
    for m in map.iter_mut() {
        if *m == 0 {
            *m = k;
            k += 1;
        }
    }
    let out = match (all, k as usize == max) {
        (true, true) => codes.to_vec(),
        (true, false) => codes.iter().map(|&c| map[c as usize]).collect(),
        (false, _) => rows.iter().map(|&i| map[codes[i] as usize]).collect(),
    };
    (name, out, k as usize)
}

/// Combines several factors into one (codes of the tuples, sorted).
fn combine(parts: &[&[u32]]) -> Vec<u32> {
    if parts.len() == 1 {
        return parts[0].to_vec();
    }
    let n = parts.first().map_or(0, |p| p.len());
    let key = |i: usize| -> Option<Vec<u32>> {
        let k: Vec<u32> = parts.iter().map(|p| p[i]).collect();
        if k.contains(&Factor::MISSING) {
            None
        } else {
            Some(k)
        }
    };
    let mut ids: BTreeMap<Vec<u32>, u32> = BTreeMap::new();
    for i in 0..n {
        if let Some(k) = key(i) {
            ids.insert(k, 0);
        }
    }
    for (j, v) in ids.values_mut().enumerate() {
        *v = j as u32;
    }
    (0..n).map(|i| key(i).and_then(|k| ids.get(&k).copied()).unwrap_or(Factor::MISSING)).collect()
}

/// One evaluated atom on all rows.
#[derive(Debug, Clone)]
enum AtomVal {
    Num { name: String, values: Vec<f64> },
    Cat { codes: Vec<u32>, levels: Vec<String>, refs: Vec<String>, prefix: String, fixest: bool, slope: Option<(String, Vec<f64>)> },
}

impl AtomVal {
    /// `keep[i] &= ` the atom is observed on row `i`.
    fn and_valid(&self, keep: &mut [bool]) {
        match self {
            AtomVal::Num { values, .. } => and_finite(keep, values),
            AtomVal::Cat { codes, slope, .. } => {
                for (k, &c) in keep.iter_mut().zip(codes) {
                    *k &= c != Factor::MISSING;
                }
                if let Some((_, s)) = slope {
                    and_finite(keep, s);
                }
            }
        }
    }
}

fn expand_term(atoms: &[AtomVal], rows: &[usize], all: bool, term: String) -> TermBlock {
    if let [AtomVal::Num { name, values }] = atoms {
        // a plain numeric term: its sample rows
        let v = if all { values.clone() } else { rows.iter().map(|&i| values[i]).collect() };
        return TermBlock { term, names: vec![name.clone()], columns: vec![v] };
    }
    let n = rows.len();
    let mut cols: Vec<(String, Vec<f64>)> = vec![(String::new(), vec![1.0; n])];
    for a in atoms {
        let mut next = Vec::new();
        match a {
            AtomVal::Num { name, values } => {
                for (nm, c) in cols {
                    let v: Vec<f64> = c.iter().zip(rows).map(|(x, &i)| x * values[i]).collect();
                    next.push((join(&nm, name), v));
                }
            }
            AtomVal::Cat { codes, levels, refs, prefix, fixest, slope } => {
                let mut present = vec![false; levels.len()];
                for &i in rows {
                    present[codes[i] as usize] = true;
                }
                let mut first = true;
                for (l, lev) in levels.iter().enumerate() {
                    if !present[l] || refs.contains(lev) {
                        continue;
                    }
                    if !*fixest && first {
                        // factor(): the first level is the reference.
                        first = false;
                        continue;
                    }
                    let lname = if *fixest {
                        match slope {
                            Some((sn, _)) => format!("{prefix}::{lev}:{sn}"),
                            None => format!("{prefix}::{lev}"),
                        }
                    } else {
                        format!("{prefix}{lev}")
                    };
                    for (nm, c) in &cols {
                        let v: Vec<f64> = c
                            .iter()
                            .zip(rows)
                            .map(|(x, &i)| {
                                if codes[i] as usize == l {
                                    x * slope.as_ref().map_or(1.0, |(_, s)| s[i])
                                } else {
                                    0.0
                                }
                            })
                            .collect();
                        next.push((join(nm, &lname), v));
                    }
                }
            }
        }
        cols = next;
    }
    let (names, columns) = cols.into_iter().unzip();
    TermBlock { term, names, columns }
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}:{b}")
    }
}

struct Ctx<'a> {
    ds: &'a Dataset,
    text: &'a str,
    text_as_factor: bool,
}

fn fmt_level(e: &Expr) -> Option<String> {
    match e {
        Expr::Num(v) => Some(format!("{v}")),
        Expr::Neg(inner) => match &**inner {
            Expr::Num(v) => Some(format!("{}", -v)),
            _ => None,
        },
        Expr::Str(s) | Expr::Var(s) => Some(s.clone()),
        _ => None,
    }
}

impl Ctx<'_> {
    fn err(&self, pos: usize, msg: impl Into<String>) -> Error {
        Error::formula(self.text, pos, msg)
    }

    fn eval_atom_numeric(&self, a: &Atom) -> Result<Vec<f64>> {
        self.eval(&a.expr, a.position)
    }

    fn eval_term(&self, t: &Term) -> Result<Vec<AtomVal>> {
        t.atoms.iter().map(|a| self.eval_atom(a)).collect()
    }

    fn eval_atom(&self, a: &Atom) -> Result<AtomVal> {
        if let Expr::Call { name, args, named } = &a.expr {
            match name.as_str() {
                "i" => {
                    let var = match args.first() {
                        Some(Expr::Var(v)) => v.clone(),
                        _ => return Err(self.err(a.position, "i() needs a variable name as its first argument")),
                    };
                    let f = self.ds.factor(&var)?;
                    let slope = match args.get(1) {
                        Some(e) => {
                            let nm = match e {
                                Expr::Var(v) => v.clone(),
                                _ => format!("{e:?}"),
                            };
                            Some((nm, self.eval(e, a.position)?))
                        }
                        None => None,
                    };
                    if args.len() > 2 {
                        return Err(self.err(a.position, "i() takes at most two variables"));
                    }
                    let mut refs = Vec::new();
                    for (k, v) in named {
                        match k.as_str() {
                            "ref" => match v {
                                Expr::Call { name, args, .. } if name == "c" => {
                                    for x in args {
                                        refs.push(fmt_level(x).ok_or_else(|| {
                                            self.err(a.position, "ref = must be a level (number or text)")
                                        })?);
                                    }
                                }
                                _ => refs.push(
                                    fmt_level(v)
                                        .ok_or_else(|| self.err(a.position, "ref = must be a level (number or text)"))?,
                                ),
                            },
                            _ => return Err(self.err(a.position, format!("i() has no argument `{k}`"))),
                        }
                    }
                    for r in &refs {
                        if !f.levels.contains(r) {
                            return Err(self.err(
                                a.position,
                                format!("ref = {r} is not a value of `{var}` (values: {})", preview(&f.levels)),
                            ));
                        }
                    }
                    return Ok(AtomVal::Cat { codes: f.codes, levels: f.levels, refs, prefix: var, fixest: true, slope });
                }
                "factor" | "C" | "as.factor" => {
                    let var = match (args.first(), args.len()) {
                        (Some(Expr::Var(v)), 1) => v.clone(),
                        _ => return Err(self.err(a.position, format!("{name}() needs exactly one variable name"))),
                    };
                    let f = self.ds.factor(&var)?;
                    return Ok(AtomVal::Cat {
                        codes: f.codes,
                        levels: f.levels,
                        refs: Vec::new(),
                        prefix: a.name.clone(),
                        fixest: false,
                        slope: None,
                    });
                }
                _ => {}
            }
        }
        if let Expr::Var(var) = &a.expr {
            if self.text_as_factor && self.ds.column(var)?.kind() == ColumnKind::Text {
                // A numeric column spoiled by a few stray strings is not a category:
                // report the strays (with their line) instead of making dummies.
                if let crate::data::ColumnData::Text { strays: Some(_), .. } = &self.ds.column(var)?.data {
                    self.ds.numeric(var)?;
                }
                let f = self.ds.factor(var)?;
                return Ok(AtomVal::Cat {
                    codes: f.codes,
                    levels: f.levels,
                    refs: Vec::new(),
                    prefix: var.clone(),
                    fixest: false,
                    slope: None,
                });
            }
        }
        Ok(AtomVal::Num { name: a.name.clone(), values: self.eval(&a.expr, a.position)? })
    }

    fn eval(&self, e: &Expr, pos: usize) -> Result<Vec<f64>> {
        let n = self.ds.nrows();
        Ok(match e {
            Expr::Var(v) => self.ds.numeric(v)?.to_vec(),
            Expr::Num(x) => vec![*x; n],
            Expr::Str(s) => return Err(self.err(pos, format!("unexpected text \"{s}\" in an expression"))),
            Expr::Neg(x) => self.eval(x, pos)?.into_iter().map(|v| -v).collect(),
            Expr::Bin { op, lhs, rhs } => {
                let a = self.eval(lhs, pos)?;
                let b = self.eval(rhs, pos)?;
                a.iter()
                    .zip(&b)
                    .map(|(x, y)| match op {
                        '+' => x + y,
                        '-' => x - y,
                        '*' => x * y,
                        '/' => x / y,
                        _ => {
                            if *y == 2.0 {
                                x * x
                            } else if y.fract() == 0.0 && y.abs() < 64.0 {
                                x.powi(*y as i32)
                            } else {
                                x.powf(*y)
                            }
                        }
                    })
                    .collect()
            }
            Expr::Call { name, args, named } => {
                if !named.is_empty() || args.len() != 1 {
                    return Err(self.err(pos, format!("{name}() takes exactly one argument here")));
                }
                let x = self.eval(&args[0], pos)?;
                let f: fn(f64) -> f64 = match name.as_str() {
                    "I" => |v| v,
                    "log" | "ln" => f64::ln,
                    "log10" => f64::log10,
                    "log2" => f64::log2,
                    "log1p" => f64::ln_1p,
                    "exp" => f64::exp,
                    "sqrt" => f64::sqrt,
                    "abs" => f64::abs,
                    "i" | "factor" | "C" => {
                        return Err(self.err(pos, format!("{name}() must be a term of its own, not inside an expression")))
                    }
                    _ => return Err(self.err(pos, format!("unknown function `{name}` (known: log, exp, sqrt, abs, I, i, factor)"))),
                };
                x.into_iter().map(f).collect()
            }
        })
    }
}

fn preview(levels: &[String]) -> String {
    let mut s = levels.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
    if levels.len() > 8 {
        s.push_str(", …");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Column;
    use crate::formula::parse;

    fn ds() -> Dataset {
        Dataset::from_columns(vec![
            Column::numeric("y", vec![1.0, 2.0, 3.0, f64::NAN, 5.0, 6.0]),
            Column::numeric("x", vec![1.0, 2.0, 0.0, 4.0, 5.0, 6.0]),
            Column::numeric("rel", vec![-2.0, -1.0, 0.0, 1.0, -1.0, 0.0]),
            Column::text("g", ["a", "b", "a", "b", "c", "c"].iter().map(|s| Some(s.to_string())).collect()),
        ])
        .unwrap()
    }

    #[test]
    fn expands_and_drops_missing() {
        let d = ds();
        let f = parse("y ~ log(x) + I(x^2) + i(rel, ref = -1) + x:rel | g").unwrap();
        let m = ModelFrame::build(&d, &f, None, &[]).unwrap();
        // row 3 (y missing) and row 2 (log(0) = -inf) dropped
        assert_eq!(m.rows, vec![0, 1, 4, 5]);
        assert_eq!(m.n_missing, 2);
        assert_eq!(m.exog_names(), ["log(x)", "I(x^2)", "rel::-2", "rel::0", "x:rel"]);
        assert_eq!(m.exog[1].columns[0], vec![1.0, 4.0, 25.0, 36.0]);
        assert_eq!(m.exog[2].columns[1], vec![0.0, 0.0, 0.0, 1.0]);
        assert_eq!(m.exog[3].columns[0], vec![-2.0, -2.0, -5.0, 0.0]);
        assert_eq!(m.fixef[0].1, vec![0, 1, 2, 2]);
        assert!(!m.intercept);
        let f = parse("y ~ factor(g) + i(g, x, ref = \"a\")").unwrap();
        let m = ModelFrame::build(&d, &f, None, &[]).unwrap();
        assert_eq!(m.exog_names(), ["factor(g)b", "factor(g)c", "g::b:x", "g::c:x"]);
        assert!(m.intercept);
    }

    #[test]
    fn clear_errors() {
        let d = ds();
        let e = ModelFrame::build(&d, &parse("y ~ z").unwrap(), None, &[]).unwrap_err();
        assert!(e.to_string().contains("unknown column `z`"));
        let e = ModelFrame::build(&d, &parse("y ~ g").unwrap(), None, &[]).unwrap_err();
        assert!(e.to_string().contains("non-numeric"), "{e}");
        let e = ModelFrame::build(&d, &parse("y ~ foo(x)").unwrap(), None, &[]).unwrap_err();
        assert!(e.to_string().contains("unknown function `foo`"));
        let e = ModelFrame::build(&d, &parse("y ~ i(rel, ref = 7)").unwrap(), None, &[]).unwrap_err();
        assert!(e.to_string().contains("ref = 7"));
        let opts = FrameOptions { required: vec!["g".into()], ..FrameOptions::default() };
        let e = ModelFrame::build_with(&d, &parse("y ~ x").unwrap(), None, &[], &opts).unwrap_err();
        assert!(e.to_string().contains("non-numeric"), "{e}");
    }

    #[test]
    fn options_text_as_factor_and_required() {
        let d = ds();
        let opts = FrameOptions { text_as_factor: true, required: vec!["rel".into()] };
        let m = ModelFrame::build_with(&d, &parse("y ~ x + g").unwrap(), None, &[], &opts).unwrap();
        // row 3 (y missing) dropped; g's first level `a` is the reference
        assert_eq!(m.rows, vec![0, 1, 2, 4, 5]);
        assert_eq!(m.exog_names(), ["x", "gb", "gc"]);
        assert_eq!(m.exog[1].term, "g");
        assert_eq!(m.exog[1].columns[0], vec![0.0, 1.0, 0.0, 0.0, 0.0]);
        assert_eq!(m.exog[1].columns[1], vec![0.0, 0.0, 0.0, 1.0, 1.0]);
        // a missing value in a required column drops the row
        let mut d2 = d.clone();
        d2.add_numeric("rel", vec![f64::NAN, -1.0, 0.0, 1.0, -1.0, 0.0]).unwrap();
        let m = ModelFrame::build_with(&d2, &parse("y ~ x + g").unwrap(), None, &[], &opts).unwrap();
        assert_eq!(m.rows, vec![1, 2, 4, 5]);
        assert_eq!(m.n_missing, 2);
    }
}
