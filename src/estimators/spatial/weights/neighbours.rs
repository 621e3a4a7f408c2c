//! Contiguity from a neighbour list: a dataset of `from,to` pairs (one row per link, as
//! spdep's `nb2lines`/GAL exports or a hand-made edge list). The units are those of the
//! data (distinct values of `unit`, first appearance); a data unit that never appears in
//! the list has no neighbour (an island). A list naming a unit that is not in the data is
//! refused with its name. Links are binary; duplicate pairs and self-links are ignored with
//! a note. With `symmetric: true` a link given one way is added the other way (spdep's
//! `make.sym.nb`); otherwise an asymmetric list is kept as given (noted by the builder).

use std::collections::{BTreeSet, HashMap};

use super::input::{require_unit, unit_rows};
use super::{Raw, WeightsSpec};
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};

/// Builds the binary contiguity links of a neighbour list.
pub(crate) fn build(ds: &Dataset, spec: &WeightsSpec) -> Result<Raw> {
    let unit = require_unit(spec, "contiguity")?;
    let ur = unit_rows(ds, unit)?;
    let nb = spec.neighbors.as_ref().ok_or_else(|| {
        Error::invalid("contiguity weights need `neighbors`: a table of links with a `from` and a `to` column")
    })?;
    let from = spec.from.as_deref().unwrap_or("from");
    let to = spec.to.as_deref().unwrap_or("to");
    let (fc, tc) = (nb.column(from)?, nb.column(to)?);
    let pos: HashMap<&str, usize> = ur.units.iter().enumerate().map(|(i, u)| (u.as_str(), i)).collect();
    let n = ur.units.len();
    let mut sets: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    let (mut dups, mut selfs, mut unknown): (usize, usize, Vec<String>) = (0, 0, Vec::new());
    let mut first_unknown_line = None;
    for r in 0..nb.nrows() {
        if fc.is_missing(r) || tc.is_missing(r) {
            let line = nb.source_line(r).map(|l| format!("line {l}")).unwrap_or_else(|| format!("row {}", r + 1));
            return Err(Error::invalid(format!("the neighbour list has a missing `{from}` or `{to}` at {line}")));
        }
        let (a, b) = (fc.display(r), tc.display(r));
        let (Some(&i), Some(&j)) = (pos.get(a.trim()), pos.get(b.trim())) else {
            for x in [a, b] {
                if !pos.contains_key(x.trim()) && !unknown.contains(&x) {
                    first_unknown_line = first_unknown_line.or(nb.source_line(r));
                    unknown.push(x);
                }
            }
            continue;
        };
        if i == j {
            selfs += 1;
        } else if !sets[i].insert(j) {
            dups += 1;
        }
    }
    if !unknown.is_empty() {
        let names: Vec<&str> = unknown.iter().map(String::as_str).collect();
        let line = first_unknown_line.map(|l| format!(" (first at line {l})")).unwrap_or_default();
        return Err(Error::invalid(format!(
            "the neighbour list names {} unit(s) that are not in column `{unit}` of the data: {}{line}",
            names.len(),
            super::name_list(&names)
        )));
    }
    let mut diagnostics = Diagnostics::new();
    if dups > 0 {
        diagnostics.push(Diagnostic::info(Code::WeightsNote, format!("{dups} duplicate link(s) in the neighbour list were counted once")));
    }
    if selfs > 0 {
        diagnostics.push(Diagnostic::info(Code::WeightsNote, format!("{selfs} self-link(s) in the neighbour list were ignored")));
    }
    if spec.symmetric {
        let mut added = 0;
        for i in 0..n {
            let js: Vec<usize> = sets[i].iter().copied().collect();
            for j in js {
                if sets[j].insert(i) {
                    added += 1;
                }
            }
        }
        if added > 0 {
            diagnostics.push(Diagnostic::info(
                Code::WeightsNote,
                format!("{added} link(s) given one way only were added the other way (symmetric: true)"),
            ));
        }
    }
    let rows = sets.into_iter().map(|s| s.into_iter().map(|j| (j, 1.0)).collect()).collect();
    let geometry = super::input::coordinates(ds, &ur, spec)?;
    Ok(Raw { units: ur.units, rows, geometry, diagnostics })
}
