//! The spatial weight matrix: `n` named units and their weighted links, stored
//! row-compressed (row `i` lists the neighbours `j` with `w_ij ≠ 0`, in increasing
//! `j`). Every statistic and model uses it through [`SpatialWeights::lag`] (the
//! spatial lag `W x`) or [`SpatialWeights::dense`].

use serde::Serialize;

use super::Geometry;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::error::{Error, Result};

/// How the raw weights were scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standardise {
    /// Each row sums to one (spdep style "W"); the default.
    #[default]
    Row,
    /// The weights as built (spdep style "B" for binary links).
    None,
    /// Divided by the smaller of the largest row sum and the largest column sum
    /// (Kelejian–Prucha's min-max normalisation); keeps symmetry.
    Minmax,
    /// Divided by the spectral radius (largest absolute eigenvalue); keeps symmetry.
    Spectral,
}

/// A spatial weight matrix over named units.
#[derive(Debug, Clone, PartialEq)]
pub struct SpatialWeights {
    units: Vec<String>,
    /// The data column that names the units (from the spec), if known.
    unit_column: Option<String>,
    /// Row pointers: row `i` is `idx[ptr[i]..ptr[i + 1]]`.
    ptr: Vec<usize>,
    idx: Vec<usize>,
    val: Vec<f64>,
    style: Standardise,
    /// Where the units are (points, polygons), for maps; `None` for a neighbour list or an
    /// uploaded matrix.
    geometry: Option<Geometry>,
    /// What the builder noted (islands kept, asymmetry, repaired inputs).
    diagnostics: Diagnostics,
}

impl SpatialWeights {
    /// Builds from per-row link lists `(j, w_ij)`. Links are sorted by `j`; zero weights,
    /// duplicate `j` and self-links are refused (builders remove them first and say so).
    pub fn from_rows(units: Vec<String>, rows: Vec<Vec<(usize, f64)>>, style: Standardise) -> Result<SpatialWeights> {
        let n = units.len();
        if rows.len() != n {
            return Err(Error::invalid(format!("weight matrix: {} units but {} rows", n, rows.len())));
        }
        let mut seen = std::collections::HashSet::with_capacity(n);
        if let Some(dup) = units.iter().find(|u| !seen.insert(u.as_str())) {
            return Err(Error::invalid(format!("weight matrix: unit `{dup}` appears twice; every unit needs its own name")));
        }
        let mut ptr = Vec::with_capacity(n + 1);
        let mut idx = Vec::new();
        let mut val = Vec::new();
        ptr.push(0);
        for (i, mut row) in rows.into_iter().enumerate() {
            row.sort_by_key(|&(j, _)| j);
            for (k, &(j, w)) in row.iter().enumerate() {
                if j >= n {
                    return Err(Error::invalid(format!("weight matrix: link {i} → {j} beyond the {n} units")));
                }
                if j == i {
                    return Err(Error::invalid(format!("weight matrix: unit `{}` is linked to itself", units[i])));
                }
                if k > 0 && row[k - 1].0 == j {
                    return Err(Error::invalid(format!(
                        "weight matrix: link `{}` → `{}` given twice",
                        units[i], units[j]
                    )));
                }
                if !w.is_finite() {
                    return Err(Error::invalid(format!(
                        "weight matrix: weight `{}` → `{}` is not a finite number",
                        units[i], units[j]
                    )));
                }
                if w != 0.0 {
                    idx.push(j);
                    val.push(w);
                }
            }
            ptr.push(idx.len());
        }
        Ok(SpatialWeights { units, unit_column: None, ptr, idx, val, style, geometry: None, diagnostics: Diagnostics::new() })
    }

    /// Records the data column whose values name the units.
    pub fn with_unit_column(mut self, column: Option<String>) -> SpatialWeights {
        self.unit_column = column;
        self
    }

    /// Attaches the units' geometry (one point per unit in matrix order; polygons optional).
    /// Refused when the number of points (or of non-empty polygon lists) is not `n`.
    pub fn with_geometry(mut self, geometry: Geometry) -> Result<SpatialWeights> {
        let n = self.n();
        if geometry.points.len() != n || !(geometry.polygons.is_empty() || geometry.polygons.len() == n) {
            return Err(Error::invalid(format!(
                "weight matrix: geometry has {} points and {} polygons for {n} units",
                geometry.points.len(),
                geometry.polygons.len()
            )));
        }
        self.geometry = Some(geometry);
        Ok(self)
    }
    /// The units' geometry, when the matrix was built from coordinates or polygons.
    pub fn geometry(&self) -> Option<&Geometry> {
        self.geometry.as_ref()
    }
    /// The builder's diagnostics (islands, asymmetry, repaired inputs).
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }
    /// Adds a diagnostic (exact duplicates are dropped).
    pub fn push_diagnostic(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }
    /// Adds several diagnostics.
    pub fn with_diagnostics(mut self, ds: impl IntoIterator<Item = Diagnostic>) -> SpatialWeights {
        self.diagnostics.extend(ds);
        self
    }

    /// Number of units.
    pub fn n(&self) -> usize {
        self.units.len()
    }
    /// Unit names, in matrix order.
    pub fn units(&self) -> &[String] {
        &self.units
    }
    /// The data column naming the units, when the matrix was built from a spec that said.
    pub fn unit_column(&self) -> Option<&str> {
        self.unit_column.as_deref()
    }
    /// How the weights were scaled.
    pub fn style(&self) -> Standardise {
        self.style
    }
    /// Number of non-zero weights.
    pub fn nnz(&self) -> usize {
        self.idx.len()
    }
    /// The links of row `i`: `(j, w_ij)` in increasing `j`.
    pub fn row(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let r = self.ptr[i]..self.ptr[i + 1];
        self.idx[r.clone()].iter().copied().zip(self.val[r].iter().copied())
    }
    /// Number of neighbours of unit `i`.
    pub fn degree(&self, i: usize) -> usize {
        self.ptr[i + 1] - self.ptr[i]
    }
    /// Sum of row `i`.
    pub fn row_sum(&self, i: usize) -> f64 {
        self.val[self.ptr[i]..self.ptr[i + 1]].iter().sum()
    }

    /// The spatial lag `out = W x` (`x.len() == out.len() == n`).
    pub fn lag_into(&self, x: &[f64], out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            let mut s = 0.0;
            for k in self.ptr[i]..self.ptr[i + 1] {
                s += self.val[k] * x[self.idx[k]];
            }
            *o = s;
        }
    }
    /// The spatial lag `W x`.
    pub fn lag(&self, x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.n()];
        self.lag_into(x, &mut out);
        out
    }
    /// `W' x`.
    pub fn lag_transpose(&self, x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.n()];
        for i in 0..self.n() {
            for k in self.ptr[i]..self.ptr[i + 1] {
                out[self.idx[k]] += self.val[k] * x[i];
            }
        }
        out
    }
    /// The dense matrix, row-major (`n × n`).
    pub fn dense(&self) -> Vec<Vec<f64>> {
        let n = self.n();
        let mut m = vec![vec![0.0; n]; n];
        for (i, row) in m.iter_mut().enumerate() {
            for (j, w) in self.row(i) {
                row[j] = w;
            }
        }
        m
    }
    /// The dense matrix as nalgebra.
    pub fn to_dmatrix(&self) -> nalgebra::DMatrix<f64> {
        let n = self.n();
        let mut m = nalgebra::DMatrix::zeros(n, n);
        for i in 0..n {
            for (j, w) in self.row(i) {
                m[(i, j)] = w;
            }
        }
        m
    }
    /// The weight `w_ij` (zero when not linked).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        let r = self.ptr[i]..self.ptr[i + 1];
        match self.idx[r.clone()].binary_search(&j) {
            Ok(k) => self.val[r.start + k],
            Err(_) => 0.0,
        }
    }
    /// True when `w_ij == w_ji` for all links (to a relative 1e-12).
    pub fn is_symmetric(&self) -> bool {
        (0..self.n()).all(|i| {
            self.row(i).all(|(j, w)| {
                let t = self.get(j, i);
                (w - t).abs() <= 1e-12 * w.abs().max(t.abs())
            })
        })
    }
    /// Indices of units with no neighbour.
    pub fn islands(&self) -> Vec<usize> {
        (0..self.n()).filter(|&i| self.degree(i) == 0).collect()
    }

    /// Position of each data unit in the matrix: `labels[r]` is the unit name of data row
    /// `r`; the answer maps rows to matrix indices. Units the matrix does not know, and
    /// matrix units absent from the data, are refused with their names.
    pub fn align(&self, labels: &[String]) -> Result<Vec<usize>> {
        let pos: std::collections::HashMap<&str, usize> =
            self.units.iter().enumerate().map(|(i, u)| (u.as_str(), i)).collect();
        let mut missing: Vec<&str> = Vec::new();
        let mut seen = vec![false; self.n()];
        let mut out = Vec::with_capacity(labels.len());
        for l in labels {
            match pos.get(l.as_str()) {
                Some(&i) => {
                    seen[i] = true;
                    out.push(i);
                }
                None => {
                    if !missing.contains(&l.as_str()) {
                        missing.push(l.as_str());
                    }
                }
            }
        }
        if !missing.is_empty() {
            return Err(Error::invalid(format!(
                "{} unit(s) in the data are not in the weight matrix: {}",
                missing.len(),
                name_list(&missing)
            )));
        }
        let absent: Vec<&str> = (0..self.n()).filter(|&i| !seen[i]).map(|i| self.units[i].as_str()).collect();
        if !absent.is_empty() {
            return Err(Error::invalid(format!(
                "{} unit(s) of the weight matrix are not in the data: {}",
                absent.len(),
                name_list(&absent)
            )));
        }
        Ok(out)
    }
}

/// `a`, `b`, `c` and 4 more — at most eight names, back-quoted.
pub(crate) fn name_list(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(8).map(|s| format!("`{s}`")).collect();
    if names.len() > 8 {
        format!("{} and {} more", shown.join(", "), names.len() - 8)
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line3() -> SpatialWeights {
        let units = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        SpatialWeights::from_rows(units, vec![vec![(1, 1.0)], vec![(0, 0.5), (2, 0.5)], vec![(1, 1.0)]], Standardise::Row)
            .expect("valid")
    }

    #[test]
    fn lag_and_dense_agree() {
        let w = line3();
        assert_eq!(w.lag(&[1.0, 2.0, 4.0]), vec![2.0, 2.5, 2.0]);
        assert_eq!(w.dense()[1], vec![0.5, 0.0, 0.5]);
        assert_eq!(w.lag_transpose(&[1.0, 1.0, 1.0]), vec![0.5, 2.0, 0.5]);
        assert!(!w.is_symmetric());
        assert_eq!(w.get(1, 2), 0.5);
        assert_eq!(w.get(0, 2), 0.0);
    }

    #[test]
    fn align_names_missing_units_both_ways() {
        let w = line3();
        assert_eq!(w.align(&["c".into(), "a".into(), "b".into()]).expect("all known"), vec![2, 0, 1]);
        let e = w.align(&["a".into(), "b".into(), "zz".into()]).expect_err("zz unknown").to_string();
        assert!(e.contains("`zz`"), "{e}");
        let e = w.align(&["a".into(), "b".into()]).expect_err("c absent").to_string();
        assert!(e.contains("`c`") && e.contains("not in the data"), "{e}");
    }

    #[test]
    fn refuses_self_links_and_duplicates() {
        let u = vec!["a".to_string(), "b".to_string()];
        assert!(SpatialWeights::from_rows(u.clone(), vec![vec![(0, 1.0)], vec![]], Standardise::None).is_err());
        assert!(SpatialWeights::from_rows(u, vec![vec![(1, 1.0), (1, 2.0)], vec![]], Standardise::None).is_err());
        let twice = vec!["a".to_string(), "a".to_string()];
        let e = SpatialWeights::from_rows(twice, vec![vec![(1, 1.0)], vec![(0, 1.0)]], Standardise::None).expect_err("duplicate");
        assert!(e.to_string().contains("`a` appears twice"), "{e}");
    }
}
