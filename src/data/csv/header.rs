//! The header: title lines above it, column names (blank ones named, duplicates refused,
//! near-duplicates warned about) and, after reading, unnamed empty columns dropped.

use super::tokenize::{Step, Tokenizer};
use super::{field_str, CsvOptions, SkippedRow};
use crate::data::infer::{trim, ColumnBuilder, NumberParser};
use crate::diagnostics::{Code, Diagnostic};
use crate::error::{ErrorKind, Result};

/// The header as read: the column names, which were blank in the file, where their
/// "no name" warnings are, and the title lines skipped above it.
#[derive(Debug, Clone)]
pub(super) struct Header {
    pub names: Vec<String>,
    /// Per column: the name was blank (it was named `column_<position>`).
    pub unnamed: Vec<bool>,
    /// (column, position in `warnings`) of each "column has no name" warning.
    pub named_at: Vec<(usize, usize)>,
    pub title_skips: Vec<SkippedRow>,
}

/// Reads up to the header: blank records and `n_titles` title lines are skipped; the
/// next record holds the names (or, with `has_header = false`, is the first data row,
/// left unread at `*pos`, and the columns are named `column_1`, …). A header that looks
/// like data is an error. `input` must hold the header record complete (or `eof`).
pub(super) fn read_header(
    tok: &mut Tokenizer,
    input: &[u8],
    pos: &mut usize,
    eof: bool,
    n_titles: usize,
    opts: &CsvOptions,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Header> {
    let mut titles_left = n_titles;
    let mut title_skips: Vec<SkippedRow> = Vec::new();
    loop {
        let saved = (!opts.has_header).then(|| (tok.clone(), *pos));
        let (rec, line) = match tok.next(input, pos, eof) {
            Step::Record(rec, line) => (rec, line),
            Step::NeedMore | Step::End => return Err(ErrorKind::EmptyFile.into()),
        };
        if rec.iter().all(|f| trim(f).is_empty()) {
            continue; // whitespace-only lines before the header
        }
        if titles_left > 0 {
            titles_left -= 1;
            let title = rec.iter().map(field_str).find(|f| !f.is_empty()).unwrap_or_default();
            title_skips.push(SkippedRow { line, reason: format!("title line above the header (`{title}`)") });
            continue;
        }
        if let Some((t, p)) = saved {
            let n = rec.len();
            (*tok, *pos) = (t, p);
            let names = (1..=n).map(|j| format!("column_{j}")).collect();
            return Ok(Header { names, unnamed: vec![false; n], named_at: Vec::new(), title_skips });
        }
        let raw: Vec<String> = rec.iter().map(field_str).collect();
        let mut parser = NumberParser::new(opts.decimal_comma);
        if raw.iter().all(|n| parser.parse(n.as_bytes()).is_some()) {
            let shown: Vec<&str> = raw.iter().take(3).map(String::as_str).collect();
            return Err(ErrorKind::NoHeader {
                detail: format!(
                    "line {line} looks like data, not column names (`{}`); set has_header to false to name columns column_1, column_2, …",
                    shown.join("`, `")
                ),
            }
            .into());
        }
        let (names, unnamed, named_at) = name_columns(raw, warnings);
        return Ok(Header { names, unnamed, named_at, title_skips });
    }
}

/// The trimmed names, blank ones replaced by `column_<position>` with a warning each.
fn name_columns(raw: Vec<String>, warnings: &mut Vec<Diagnostic>) -> (Vec<String>, Vec<bool>, Vec<(usize, usize)>) {
    let mut names = Vec::with_capacity(raw.len());
    let mut unnamed = Vec::with_capacity(raw.len());
    let mut named_at = Vec::new();
    for (j, n) in raw.into_iter().enumerate() {
        unnamed.push(n.is_empty());
        if n.is_empty() {
            let auto = format!("column_{}", j + 1);
            named_at.push((j, warnings.len()));
            warnings.push(Diagnostic::warning(Code::HeaderRepaired, format!("column {} has no name in the header; it was named `{auto}`", j + 1)));
            names.push(auto);
        } else {
            names.push(n);
        }
    }
    (names, unnamed, named_at)
}

/// Duplicate names are an error; names that differ only in case or spaces, a warning.
pub(super) fn check_names(names: &[String], warnings: &mut Vec<Diagnostic>) -> Result<()> {
    for j in 0..names.len() {
        if let Some(k) = names[..j].iter().position(|p| *p == names[j]) {
            return Err(ErrorKind::DuplicateColumn { name: names[j].clone(), first: k, second: j }.into());
        }
    }
    near_duplicate_names(names, warnings);
    Ok(())
}

/// Drops unnamed columns without a single value (a delimiter at the end of every line),
/// with their "no name" warnings (found by position in `named_at`), and says so.
pub(super) fn drop_empty_unnamed(
    builders: &mut Vec<ColumnBuilder>,
    unnamed: &[bool],
    named_at: &[(usize, usize)],
    warnings: &mut Vec<Diagnostic>,
) {
    let empty: Vec<usize> = (0..builders.len()).filter(|&j| unnamed[j] && builders[j].is_all_missing()).collect();
    if !empty.is_empty() && empty.len() < builders.len() {
        for &j in empty.iter().rev() {
            builders.remove(j);
        }
        // The dropped columns' "no name" warnings go (by position, latest first).
        for &(_, at) in named_at.iter().rev().filter(|(j, _)| empty.contains(j)) {
            warnings.remove(at);
        }
        warnings.push(Diagnostic::warning(
            Code::HeaderRepaired,
            format!("{} unnamed empty column(s) (a delimiter at the end of every line) were dropped", empty.len()),
        ));
    }
}

/// Warns about column names that differ only in case or inner spaces (`GDP`, `gdp`).
pub fn near_duplicate_names(names: &[String], warnings: &mut Vec<Diagnostic>) {
    let key = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    for j in 0..names.len() {
        if let Some(k) = names[..j].iter().position(|p| key(p) == key(&names[j])) {
            warnings.push(Diagnostic::warning(Code::SimilarColumnNames, format!(
                "columns {} (`{}`) and {} (`{}`) have names that differ only in case or spaces; check they are not the same variable",
                k + 1,
                names[k],
                j + 1,
                names[j]
            )));
        }
    }
}
