//! What an index build returns: weights with the method's intermediate quantities,
//! sub-indices, per-period weights, the missing-value report, and the three result kinds
//! ([`IndexResult`]).

use super::{IndexMethod, IndicatorSpec, NamedColumn, PcaResult};
use crate::diagnostics::Diagnostics;
use serde::Serialize;

/// Missing values of one indicator (or of the time column in `by_time` scope).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingReport {
    /// Indicator (column) name.
    pub indicator: String,
    /// How many values are missing.
    pub count: usize,
    /// Their 0-based row positions in the dataset.
    pub rows: Vec<usize>,
}

/// Weight of one indicator, with the method's intermediate quantities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorWeight {
    /// Indicator name.
    pub indicator: String,
    /// `+1` or `-1`.
    pub direction: i8,
    /// Dimension, if any.
    pub dimension: Option<String>,
    /// Weight (sums to 1 over indicators).
    pub weight: f64,
    /// Entropy `e_j` (entropy method and entropy-weighted TOPSIS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entropy: Option<f64>,
    /// Divergence `1 − e_j`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub divergence: Option<f64>,
    /// Standard deviation used (CRITIC: of `z`; CV: of the raw values).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// CRITIC conflict `Σ_k (1 − r_jk)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict: Option<f64>,
    /// CRITIC information `σ_j · conflict_j`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information: Option<f64>,
    /// CV: mean of the raw values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// CV: coefficient of variation `sd / mean`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cv: Option<f64>,
}

impl IndicatorWeight {
    /// The weight of an indicator without the method's intermediate quantities.
    pub(crate) fn bare(ind: &IndicatorSpec, weight: f64) -> IndicatorWeight {
        IndicatorWeight {
            indicator: ind.name.clone(),
            direction: ind.direction,
            dimension: ind.dimension.clone(),
            weight,
            entropy: None,
            divergence: None,
            sd: None,
            conflict: None,
            information: None,
            mean: None,
            cv: None,
        }
    }
}

/// A dimension (sub-index) of a hierarchical index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionResult {
    /// Dimension name.
    pub dimension: String,
    /// Weight of the dimension, `Σ_{j∈d} w_j`.
    pub weight: f64,
    /// Its indicators, in spec order.
    pub indicators: Vec<String>,
    /// Within-dimension weights `w_j / W_d` (parallel to `indicators`).
    pub weights: Vec<f64>,
    /// Sub-index scores, row-aligned (`NaN` where dropped).
    pub scores: Vec<f64>,
}

/// Weights computed within one period (`by_time` scope).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodWeights {
    /// Period label (as in the time column).
    pub time: String,
    /// Rows used in this period.
    pub n: usize,
    /// Weights of this period.
    pub weights: Vec<IndicatorWeight>,
}

/// Result of the weighted methods (entropy, CRITIC, CV, equal).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedIndex {
    /// `"entropy"`, `"critic"`, `"cv"` or `"equal"`.
    pub method: IndexMethod,
    /// Weights per indicator (means over periods in `by_time` scope).
    pub weights: Vec<IndicatorWeight>,
    /// Composite score per dataset row (`NaN` where the row was dropped).
    pub scores: Vec<f64>,
    /// Sub-indices, in order of first appearance in the spec (empty without dimensions).
    pub dimensions: Vec<DimensionResult>,
    /// Per-period weights (`by_time` scope only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_time: Vec<PeriodWeights>,
    /// Rows used.
    pub n_used: usize,
    /// 0-based rows left out (missing values).
    pub dropped_rows: Vec<usize>,
    /// Missing values found in the input (before interpolation).
    pub missing: Vec<MissingReport>,
    /// Non-fatal notes (dropped rows, interpolated values…).
    pub diagnostics: Diagnostics,
}

/// Result of TOPSIS.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopsisResult {
    /// Always `"topsis"`.
    pub method: IndexMethod,
    /// `"entropy"` or `"given"`.
    pub weight_source: String,
    /// Weights used (means over periods in `by_time` scope).
    pub weights: Vec<IndicatorWeight>,
    /// Relative closeness `D⁻/(D⁺ + D⁻)`, row-aligned.
    pub closeness: Vec<f64>,
    /// Distance to the ideal solution, row-aligned.
    pub d_plus: Vec<f64>,
    /// Distance to the anti-ideal solution, row-aligned.
    pub d_minus: Vec<f64>,
    /// Per-period weights (`by_time` scope only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_time: Vec<PeriodWeights>,
    /// Rows used.
    pub n_used: usize,
    /// 0-based rows left out.
    pub dropped_rows: Vec<usize>,
    /// Missing values found in the input.
    pub missing: Vec<MissingReport>,
    /// Non-fatal notes.
    pub diagnostics: Diagnostics,
}

/// The result of [`super::build_index`]; serialises as the inner struct.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum IndexResult {
    /// Entropy, CRITIC, CV, equal weights.
    Weighted(WeightedIndex),
    /// TOPSIS.
    Topsis(TopsisResult),
    /// PCA composite.
    Pca(PcaResult),
}

impl IndexResult {
    /// The main row-aligned index (scores, closeness or PCA index).
    pub fn values(&self) -> &[f64] {
        match self {
            IndexResult::Weighted(r) => &r.scores,
            IndexResult::Topsis(r) => &r.closeness,
            IndexResult::Pca(r) => &r.index,
        }
    }
    /// Row-aligned columns to append to the dataset: the index under `name`, and
    /// for hierarchical weighted indices one `name_<dimension>` per dimension.
    pub fn columns(&self, name: &str) -> Vec<NamedColumn> {
        let mut out = vec![NamedColumn { name: name.to_string(), values: self.values().to_vec() }];
        if let IndexResult::Weighted(r) = self {
            for d in &r.dimensions {
                out.push(NamedColumn { name: format!("{name}_{}", d.dimension), values: d.scores.clone() });
            }
        }
        out
    }
    /// Diagnostics of the result, to add a note to.
    pub fn diagnostics_mut(&mut self) -> &mut Diagnostics {
        match self {
            IndexResult::Weighted(r) => &mut r.diagnostics,
            IndexResult::Topsis(r) => &mut r.diagnostics,
            IndexResult::Pca(r) => &mut r.diagnostics,
        }
    }
    /// Diagnostics of the result.
    pub fn diagnostics(&self) -> &Diagnostics {
        match self {
            IndexResult::Weighted(r) => &r.diagnostics,
            IndexResult::Topsis(r) => &r.diagnostics,
            IndexResult::Pca(r) => &r.diagnostics,
        }
    }
}
