//! What a weight matrix looks like: size, links, the share of non-zero weights (spdep's
//! "Percentage nonzero weights", `100 · links / n²`), neighbours per unit and their
//! distribution (spdep's "Link number distribution"), islands, symmetry, row sums.

use serde::Serialize;

use super::{SpatialWeights, Standardise};
use crate::diagnostics::Diagnostics;
use crate::report::table::{Cell, ResultTable, TableRow};
use crate::report::Tables;

/// How many units have a given number of neighbours.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DegreeCount {
    /// Number of neighbours.
    pub neighbours: usize,
    /// Units with that many.
    pub units: usize,
}

/// Summary of a weight matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightsSummary {
    /// Units.
    pub n: usize,
    /// Non-zero weights.
    pub links: usize,
    /// Percentage of the `n²` cells that are non-zero.
    pub share_nonzero: f64,
    /// Fewest neighbours of a unit.
    pub neighbours_min: usize,
    /// Average number of neighbours.
    pub neighbours_mean: f64,
    /// Most neighbours of a unit.
    pub neighbours_max: usize,
    /// Units per number of neighbours, ascending.
    pub degrees: Vec<DegreeCount>,
    /// Units without a neighbour.
    pub islands: Vec<String>,
    /// Whether `w_ij = w_ji` for all pairs (after scaling).
    pub symmetric: bool,
    /// The scaling.
    pub style: Standardise,
    /// Smallest row sum.
    pub row_sum_min: f64,
    /// Largest row sum.
    pub row_sum_max: f64,
    /// The data column naming the units, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_column: Option<String>,
    /// The builder's diagnostics.
    pub diagnostics: Diagnostics,
}

fn style_name(s: Standardise) -> &'static str {
    match s {
        Standardise::Row => "row-standardised (rows sum to 1)",
        Standardise::None => "none (weights as built)",
        Standardise::Minmax => "min-max (divided by min of largest row and column sums)",
        Standardise::Spectral => "spectral (divided by the largest |eigenvalue|)",
    }
}

impl SpatialWeights {
    /// The summary of the matrix.
    pub fn summary(&self) -> WeightsSummary {
        let n = self.n();
        let deg: Vec<usize> = (0..n).map(|i| self.degree(i)).collect();
        let mut degrees: Vec<DegreeCount> = Vec::new();
        let mut sorted = deg.clone();
        sorted.sort_unstable();
        for d in sorted {
            match degrees.last_mut() {
                Some(last) if last.neighbours == d => last.units += 1,
                _ => degrees.push(DegreeCount { neighbours: d, units: 1 }),
            }
        }
        let sums: Vec<f64> = (0..n).map(|i| self.row_sum(i)).collect();
        let links = self.nnz();
        WeightsSummary {
            n,
            links,
            share_nonzero: if n > 0 { 100.0 * links as f64 / (n as f64 * n as f64) } else { 0.0 },
            neighbours_min: deg.iter().copied().min().unwrap_or(0),
            neighbours_mean: if n > 0 { links as f64 / n as f64 } else { 0.0 },
            neighbours_max: deg.iter().copied().max().unwrap_or(0),
            degrees,
            islands: self.islands().into_iter().map(|i| self.units()[i].clone()).collect(),
            symmetric: self.is_symmetric(),
            style: self.style(),
            row_sum_min: sums.iter().copied().fold(f64::INFINITY, f64::min).min(if n == 0 { 0.0 } else { f64::INFINITY }),
            row_sum_max: sums.iter().copied().fold(0.0, f64::max),
            unit_column: self.unit_column().map(str::to_string),
            diagnostics: self.diagnostics().clone(),
        }
    }
}

impl Tables for WeightsSummary {
    fn tables(&self) -> Vec<ResultTable> {
        let mut t = ResultTable::new("weights.summary", "Spatial weight matrix", &["", "Value"]);
        t.push(TableRow::new("Units", vec![Cell::integer(self.n)]));
        t.push(TableRow::new("Non-zero links", vec![Cell::integer(self.links)]));
        t.push(TableRow::new("Percentage non-zero weights", vec![Cell::number(self.share_nonzero, 4)]));
        t.push(TableRow::new("Average number of links", vec![Cell::number(self.neighbours_mean, 4)]));
        t.push(TableRow::new("Fewest neighbours", vec![Cell::integer(self.neighbours_min)]));
        t.push(TableRow::new("Most neighbours", vec![Cell::integer(self.neighbours_max)]));
        t.push(TableRow::new("Islands (no neighbour)", vec![Cell::integer(self.islands.len())]));
        t.push(TableRow::new("Symmetric", vec![Cell::YesNo { value: self.symmetric }]));
        t.push(TableRow::new("Standardisation", vec![Cell::text(style_name(self.style))]));
        t.push(TableRow::new("Smallest row sum", vec![Cell::number(self.row_sum_min, 4)]));
        t.push(TableRow::new("Largest row sum", vec![Cell::number(self.row_sum_max, 4)]));
        if let Some(u) = &self.unit_column {
            t.notes.push(format!("Units are the values of column `{u}`."));
        }
        if !self.islands.is_empty() {
            let names: Vec<&str> = self.islands.iter().map(String::as_str).collect();
            t.notes.push(format!("Islands: {}.", super::name_list(&names)));
        }
        t.notes.extend(self.diagnostics.iter().map(|d| d.message.clone()));
        let mut d = ResultTable::new("weights.neighbours", "Neighbours per unit", &["Neighbours", "Units"]);
        for c in &self.degrees {
            d.push(TableRow::new(c.neighbours.to_string(), vec![Cell::integer(c.units)]));
        }
        vec![t, d]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_a_path_with_an_island() {
        let units: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let w = SpatialWeights::from_rows(units, vec![vec![(1, 1.0)], vec![(0, 0.5), (2, 0.5)], vec![(1, 1.0)], vec![]], Standardise::Row)
            .expect("valid");
        let s = w.summary();
        assert_eq!((s.n, s.links, s.neighbours_min, s.neighbours_max), (4, 4, 0, 2));
        assert_eq!(s.share_nonzero, 25.0);
        assert_eq!(s.islands, vec!["d".to_string()]);
        assert_eq!(s.degrees, vec![DegreeCount { neighbours: 0, units: 1 }, DegreeCount { neighbours: 1, units: 2 }, DegreeCount { neighbours: 2, units: 1 }]);
        assert_eq!((s.row_sum_min, s.row_sum_max), (0.0, 1.0));
        let tables = s.tables();
        assert_eq!(tables.len(), 2);
        assert!(tables.iter().all(|t| t.check().is_ok()));
        assert_eq!(tables[1].rows.len(), 3);
    }
}
