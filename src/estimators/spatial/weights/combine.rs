//! Matrices combined from two or more component specs (`of`), all over the same units
//! (a component whose units are the same set in another order is reordered to the first
//! component's order; different sets are refused by name). A component without `unit`
//! takes the parent's.
//!
//! * `product` — the element-wise (Hadamard) product of the components' raw weights,
//!   before any standardisation: `w_ij = a_ij · b_ij` (e.g. contiguity × economic distance:
//!   economic weights between neighbours only).
//! * `nested` — `phi · A + (1 − phi) · B` of the two components, each row-standardised
//!   first (the economic–geographic nested matrix), `0 ≤ phi ≤ 1`, `phi` 0.5 by default.
//!
//! The spec's own `standardise` then applies to the result (row by default, which leaves a
//! nested matrix unchanged). The geometry is the first component's that has one.

use std::collections::HashMap;

use super::standardise::{row_standardise, Rows};
use super::{build_raw, check_units, Raw, WeightsKind, WeightsSpec};
use crate::data::Dataset;
use crate::error::{Error, Result};

fn components(ds: &Dataset, spec: &WeightsSpec, what: &str) -> Result<Vec<Raw>> {
    if spec.of.len() < 2 {
        return Err(Error::invalid(format!("{what} weights need at least two component matrices in `of`")));
    }
    let mut out: Vec<Raw> = Vec::with_capacity(spec.of.len());
    for (k, c) in spec.of.iter().enumerate() {
        if matches!(c.kind, WeightsKind::Product | WeightsKind::Nested) && c.of.is_empty() {
            return Err(Error::invalid(format!("component {} of the {what} matrix has no components", k + 1)));
        }
        let mut c = c.clone();
        if c.unit.is_none() {
            c.unit = spec.unit.clone();
        }
        let raw = build_raw(ds, &c)?;
        let raw = match out.first() {
            Some(first) => reorder(raw, &first.units, k + 1)?,
            None => raw,
        };
        out.push(raw);
    }
    Ok(out)
}

/// Puts a component's units in `order` (the same set).
fn reorder(raw: Raw, order: &[String], k: usize) -> Result<Raw> {
    if raw.units == order {
        return Ok(raw);
    }
    check_units(&raw.units, order, &format!("component {k}"), "component 1")?;
    let pos: HashMap<&str, usize> = order.iter().enumerate().map(|(i, u)| (u.as_str(), i)).collect();
    let map: Vec<usize> = raw.units.iter().map(|u| pos.get(u.as_str()).copied().unwrap_or(0)).collect();
    let mut rows: Rows = vec![Vec::new(); order.len()];
    for (i, r) in raw.rows.into_iter().enumerate() {
        rows[map[i]] = r.into_iter().map(|(j, w)| (map[j], w)).collect();
    }
    let geometry = raw.geometry.map(|mut g| {
        let mut pts = g.points.clone();
        for (i, p) in g.points.iter().enumerate() {
            pts[map[i]] = *p;
        }
        g.points = pts;
        if !g.polygons.is_empty() {
            let mut polys = vec![Vec::new(); order.len()];
            for (i, p) in std::mem::take(&mut g.polygons).into_iter().enumerate() {
                polys[map[i]] = p;
            }
            g.polygons = polys;
        }
        g
    });
    Ok(Raw { units: order.to_vec(), rows, geometry, diagnostics: raw.diagnostics })
}

fn merge(parts: Vec<Raw>, rows: Rows) -> Raw {
    let mut it = parts.into_iter();
    let mut first = it.next().unwrap_or_default();
    for p in it {
        first.diagnostics.extend(p.diagnostics.iter().cloned());
        if first.geometry.is_none() {
            first.geometry = p.geometry;
        }
    }
    Raw { rows, ..first }
}

/// The element-wise product.
pub(crate) fn product(ds: &Dataset, spec: &WeightsSpec) -> Result<Raw> {
    let parts = components(ds, spec, "product")?;
    let mut rows = parts[0].rows.clone();
    for p in &parts[1..] {
        rows = rows
            .iter()
            .zip(&p.rows)
            .map(|(a, b)| {
                let bm: HashMap<usize, f64> = b.iter().copied().collect();
                a.iter().filter_map(|&(j, w)| bm.get(&j).map(|v| (j, w * v))).filter(|x| x.1 != 0.0).collect()
            })
            .collect();
    }
    Ok(merge(parts, rows))
}

/// `phi · A + (1 − phi) · B` of row-standardised components.
pub(crate) fn nested(ds: &Dataset, spec: &WeightsSpec) -> Result<Raw> {
    let phi = spec.phi.unwrap_or(0.5);
    if !(0.0..=1.0).contains(&phi) {
        return Err(Error::invalid(format!("`phi` of a nested matrix must lie between 0 and 1, not {phi}")));
    }
    if spec.of.len() != 2 {
        return Err(Error::invalid(format!("a nested matrix combines exactly two matrices in `of`, not {}", spec.of.len())));
    }
    let mut parts = components(ds, spec, "nested")?;
    for p in &mut parts {
        row_standardise(&mut p.rows);
    }
    let rows = parts[0]
        .rows
        .iter()
        .zip(&parts[1].rows)
        .map(|(a, b)| {
            let mut m: std::collections::BTreeMap<usize, f64> = std::collections::BTreeMap::new();
            for &(j, w) in a {
                *m.entry(j).or_insert(0.0) += phi * w;
            }
            for &(j, w) in b {
                *m.entry(j).or_insert(0.0) += (1.0 - phi) * w;
            }
            m.into_iter().filter(|x| x.1 != 0.0).collect()
        })
        .collect();
    Ok(merge(parts, rows))
}
