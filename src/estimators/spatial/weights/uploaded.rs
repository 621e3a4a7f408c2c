//! A full weight matrix uploaded as a table. Two layouts are accepted:
//!
//! * **With ids** — `n` rows and `n + 1` columns: the first column holds the unit ids (its
//!   header is free, e.g. empty or `id`), the other column headers are the same ids in any
//!   order (columns are reordered to the rows' order). The matrix order is the rows' order.
//! * **Square** — `n` rows and `n` numeric columns, no ids. With `unit`, the units are the
//!   data's (distinct values of `unit` in order of first appearance; their number must be
//!   `n`); without it, the column headers name the units.
//!
//! With `unit`, the matrix's units must be exactly the data's (both ways, refused by name).
//! Cells must be finite and non-negative; a missing or non-numeric cell is refused with its
//! row and column. A non-zero diagonal is ignored (self-links), with a note. Zeros are not
//! links.

use std::collections::HashMap;

use super::input::unit_rows;
use super::{check_units, Raw, WeightsSpec};
use crate::data::{ColumnData, Dataset};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};

/// Builds from the uploaded matrix `spec.matrix`.
pub(crate) fn build(ds: &Dataset, spec: &WeightsSpec) -> Result<Raw> {
    let m = spec
        .matrix
        .as_ref()
        .ok_or_else(|| Error::invalid("matrix weights need `matrix`: the uploaded table of weights"))?;
    let (nr, nc) = (m.nrows(), m.ncols());
    let cols = m.columns();
    let data_units = match spec.unit.as_deref().filter(|u| !u.trim().is_empty()) {
        Some(u) => Some(unit_rows(ds, u)?.units),
        None => None,
    };
    let (units, value_cols): (Vec<String>, Vec<usize>) = if nc == nr + 1 && nr > 0 {
        let ids = &cols[0];
        let units: Vec<String> = (0..nr).map(|r| ids.display(r).trim().to_string()).collect();
        let pos: HashMap<&str, usize> = units.iter().enumerate().map(|(i, u)| (u.as_str(), i)).collect();
        if pos.len() != nr {
            let mut seen = std::collections::HashSet::new();
            let dup = units.iter().find(|u| !seen.insert(u.as_str())).cloned().unwrap_or_default();
            return Err(Error::invalid(format!("the uploaded matrix names unit `{dup}` in two rows")));
        }
        let headers: Vec<String> = cols[1..].iter().map(|c| c.name.trim().to_string()).collect();
        check_units(&headers, &units, "the column headers of the uploaded matrix", "its first column")?;
        let mut order = vec![0usize; nr];
        for (k, h) in headers.iter().enumerate() {
            if let Some(&i) = pos.get(h.as_str()) {
                order[i] = k + 1;
            }
        }
        (units, order)
    } else if nc == nr && nr > 0 {
        let units = match &data_units {
            Some(du) if du.len() != nr => {
                return Err(Error::invalid(format!(
                    "the uploaded matrix has {nr} rows but the data have {} units in column `{}`",
                    du.len(),
                    spec.unit.as_deref().unwrap_or_default()
                )))
            }
            Some(du) => du.clone(),
            None => cols.iter().map(|c| c.name.trim().to_string()).collect(),
        };
        (units, (0..nc).collect())
    } else {
        return Err(Error::invalid(format!(
            "the uploaded matrix has {nr} rows and {nc} columns: expected a square matrix ({nr} columns of weights), or the unit ids in the first column and {nr} more columns named by the same ids"
        )));
    };
    if let Some(du) = &data_units {
        check_units(&units, du, "the uploaded matrix", "the data")?;
    }
    let n = units.len();
    let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut diag = 0usize;
    for (j, &c) in value_cols.iter().enumerate() {
        let col = cols.get(c).ok_or_else(|| Error::invalid("the uploaded matrix is malformed"))?;
        for (i, row) in rows.iter_mut().enumerate() {
            let v = cell(m, col, i, &units[i], &units[j])?;
            if i == j {
                diag += usize::from(v != 0.0);
            } else if v != 0.0 {
                row.push((j, v));
            }
        }
    }
    let mut diagnostics = Diagnostics::new();
    if diag > 0 {
        diagnostics.push(Diagnostic::info(
            Code::WeightsNote,
            format!("{diag} non-zero diagonal weight(s) of the uploaded matrix were ignored (a unit is not its own neighbour)"),
        ));
    }
    Ok(Raw { units, rows, geometry: None, diagnostics })
}

fn cell(m: &Dataset, col: &crate::data::Column, r: usize, ru: &str, cu: &str) -> Result<f64> {
    let line = m.source_line(r).map(|l| format!(" (line {l})")).unwrap_or_default();
    let v = match &col.data {
        ColumnData::Numeric { values, .. } => values.get(r).copied().unwrap_or(f64::NAN),
        ColumnData::Text { values, .. } => match values.get(r).cloned().flatten() {
            None => f64::NAN,
            Some(s) => s.trim().parse::<f64>().map_err(|_| {
                Error::invalid(format!("the uploaded matrix has a non-numeric weight `{s}` in row `{ru}`, column `{cu}`{line}"))
            })?,
        },
    };
    if v.is_nan() {
        return Err(Error::invalid(format!("the uploaded matrix has no weight in row `{ru}`, column `{cu}`{line}")));
    }
    if !v.is_finite() || v < 0.0 {
        return Err(Error::invalid(format!(
            "the uploaded matrix has weight {v} in row `{ru}`, column `{cu}`{line}: weights must be finite and non-negative"
        )));
    }
    Ok(v)
}
