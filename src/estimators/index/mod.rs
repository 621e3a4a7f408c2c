//! Composite indices: entropy weights, TOPSIS, CRITIC, coefficient of variation,
//! equal weights, PCA — and industrial-structure measures (location quotient, HHI,
//! Theil index).
//!
//! # Input
//!
//! An [`IndexSpec`] names the indicators (columns of the dataset), each with a
//! direction (`+1` benefit, `-1` cost) and optionally a dimension. Directions are
//! never guessed: [`suggest_directions`] only *suggests* cost indicators by name,
//! with a reason, for the page to show.
//!
//! # Conventions (weighted methods: entropy, CRITIC, CV, equal)
//!
//! 1. **Normalisation** (min–max, cost indicators reversed, then shifted):
//!    benefit `z_ij = (x_ij − min_j)/(max_j − min_j) + s`,
//!    cost `z_ij = (max_j − x_ij)/(max_j − min_j) + s`, with shift `s` (default
//!    `1e-4`) so that `ln z` is defined. With [`Scope::Pooled`] (default) min and max
//!    are taken over all unit-years used; with [`Scope::ByTime`] within each period
//!    of the `time` column, and weights are then computed period by period.
//!    An indicator with no variation (max = min) is an error naming it.
//! 2. **Entropy**: `p_ij = z_ij / Σ_i z_ij`, `e_j = −Σ_i p_ij ln p_ij / ln n`
//!    (`n` rows in the scope, `0·ln 0 = 0`), divergence `d_j = 1 − e_j`, weight
//!    `w_j = d_j / Σ_k d_k`.
//! 3. **CRITIC** (Diakoulaki et al. 1995): on the normalised `z`, `σ_j` the sample
//!    standard deviation (n − 1), `r_jk` Pearson correlations, information
//!    `C_j = σ_j Σ_k (1 − r_jk)`, `w_j = C_j / Σ C_k`.
//! 4. **Coefficient of variation**: on the *raw* values, `v_j = s_j / x̄_j`
//!    (sample SD, n − 1), `w_j = v_j / Σ v_k`; needs non-negative values with a
//!    positive mean (an error names the indicator otherwise).
//! 5. **Equal**: `w_j = 1/m`.
//! 6. **Score**: `S_i = Σ_j w_j z_ij` (×100 with `scale100`). The shift is part of
//!    `z`, as in most published applications (it adds `s` to every score).
//! 7. **Hierarchy**: when indicators carry dimensions, the dimension weight is
//!    `W_d = Σ_{j∈d} w_j`, the within-dimension weights are `w_j / W_d`, and the
//!    sub-index is `S_id = Σ_{j∈d} (w_j/W_d) z_ij` (×100 with `scale100`), so that
//!    `S_i = Σ_d W_d S_id`. For the entropy method the within-dimension weights
//!    equal the entropy weights computed on the dimension's indicators alone
//!    (`d_j / Σ_{k∈d} d_k`). A dimension of weight `W_d = 0` gets equal
//!    within-dimension weights (no 0/0). None of the methods yields one on valid
//!    input: entropy, CV and equal weights are positive for non-constant
//!    indicators, and a CRITIC `C_j = 0` means `r_jk = 1` for every `k`, hence
//!    all indicators perfectly correlated — an error (the check allows for
//!    rounding: `1 − r` is clipped at 0 and `Σ C_j` compared with `10⁻¹²·Σ_j 2(m−1)σ_j`).
//!
//! With [`Scope::ByTime`], the reported `weights` (and dimension weights) are the
//! means over periods of the per-period weights, which are listed in `by_time`;
//! each row's score uses its own period's weights.
//!
//! # TOPSIS
//!
//! Weighted matrix `v_ij = w_j z_ij` (z as above; weights from the entropy method
//! unless `weights` are given, which are rescaled to sum to 1), ideal
//! `v⁺_j = max_i v_ij`, anti-ideal `v⁻_j = min_i v_ij` (cost indicators are already
//! reversed in `z`), Euclidean distances `D⁺_i`, `D⁻_i`, closeness
//! `C_i = D⁻_i / (D⁺_i + D⁻_i)`.
//!
//! # PCA
//!
//! See [`pca`]: standardise (sample SD), eigen-decompose the correlation matrix,
//! keep components with eigenvalue > 1 (or `n_components`), orient each
//! eigenvector so that its coefficients sum to a positive number, and
//! `index = Σ_k (λ_k / Σ_retained λ) F_k` with component scores `F_k = Z v_k`.
//! KMO / MSA and Bartlett's sphericity test are reported.
//!
//! # Missing values
//!
//! Missing indicator values are always reported ([`MissingReport`]). With
//! [`MissingPolicy::Error`] (default) they are an error listing them; with `Drop`
//! the incomplete rows are left out of every computation and get `NaN` scores (the
//! output stays row-aligned); with `Interpolate` each gap is filled linearly in
//! time within its unit (needs `unit` and `time`); values before the first or after
//! the last observation of a unit are filled with the nearest observed value when
//! `extrapolate` is `"nearest"`, and otherwise (default `"none"`) left missing, and
//! those rows are then dropped as with `Drop` (and listed in `diagnostics`).

pub mod pca;
pub mod structure;
pub mod tables;
pub mod weights;

use crate::data::{Dataset, Factor};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

pub use pca::{Bartlett, Loading, Msa, PcaResult};
pub use structure::{
    hhi, location_quotient, theil, HhiResult, HhiRow, HhiSpec, LqResult, LqRow, LqSpec, NamedColumn, TheilResult,
    TheilRow, TheilSpec,
};
pub use tables::{RankingRow, RankingTable, ScoreSummaryRow, ScoreSummaryTable, WeightsTable, WeightsTableRow};

/// Which composite-index method to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum IndexMethod {
    /// Entropy weight method (default).
    #[default]
    Entropy,
    /// TOPSIS closeness (entropy weights unless weights are given).
    Topsis,
    /// Principal-component composite.
    Pca,
    /// CRITIC weights.
    Critic,
    /// Coefficient-of-variation weights.
    Cv,
    /// Equal weights.
    Equal,
}

impl IndexMethod {
    /// The name used in the JS API (`"entropy"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            IndexMethod::Entropy => "entropy",
            IndexMethod::Topsis => "topsis",
            IndexMethod::Pca => "pca",
            IndexMethod::Critic => "critic",
            IndexMethod::Cv => "cv",
            IndexMethod::Equal => "equal",
        }
    }
}

/// Where normalisation and weighting happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Over all unit-years together (default).
    #[default]
    Pooled,
    /// Separately within each period of the `time` column.
    ByTime,
}

/// What to do with missing indicator values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    /// Stop with an error listing them (default).
    #[default]
    Error,
    /// Leave incomplete rows out (their scores are `NaN`).
    Drop,
    /// Interpolate linearly in time within each unit (needs `unit` and `time`).
    Interpolate,
}

/// How interpolation treats gaps before the first / after the last observation of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Extrapolate {
    /// Leave them missing; those rows are then dropped (default).
    #[default]
    None,
    /// Carry the nearest observed value of the unit.
    Nearest,
}

fn default_direction() -> i8 {
    1
}

/// One indicator of the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorSpec {
    /// Column name.
    pub name: String,
    /// `+1` benefit (more is better, default) or `-1` cost.
    #[serde(default = "default_direction")]
    pub direction: i8,
    /// Dimension (sub-index) the indicator belongs to, if any.
    #[serde(default)]
    pub dimension: Option<String>,
}

impl IndicatorSpec {
    /// A benefit/cost indicator without dimension.
    pub fn new(name: impl Into<String>, direction: i8) -> IndicatorSpec {
        IndicatorSpec { name: name.into(), direction, dimension: None }
    }
    /// Sets the dimension.
    pub fn in_dimension(mut self, dimension: impl Into<String>) -> IndicatorSpec {
        self.dimension = Some(dimension.into());
        self
    }
}

fn default_shift() -> f64 {
    1e-4
}

/// What index to build (deserialised from the page's options object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexSpec {
    /// Method (default entropy).
    #[serde(default)]
    pub method: IndexMethod,
    /// The indicators, in output order.
    pub indicators: Vec<IndicatorSpec>,
    /// Pooled (default) or per-period normalisation and weights.
    #[serde(default)]
    pub scope: Scope,
    /// Time column (needed for `by_time` scope and interpolation).
    #[serde(default)]
    pub time: Option<String>,
    /// Unit column (needed for interpolation).
    #[serde(default)]
    pub unit: Option<String>,
    /// Shift added after min–max normalisation (default `1e-4`).
    #[serde(default = "default_shift")]
    pub shift: f64,
    /// Multiply scores and sub-index scores by 100.
    #[serde(default, alias = "scale_100")]
    pub scale100: bool,
    /// Given weights (TOPSIS), one per indicator; rescaled to sum to 1.
    #[serde(default)]
    pub weights: Option<Vec<f64>>,
    /// PCA: number of components (default: those with eigenvalue > 1).
    #[serde(default)]
    pub n_components: Option<usize>,
    /// Missing-value policy (default error).
    #[serde(default)]
    pub missing: MissingPolicy,
    /// Interpolation endpoints (default: leave missing).
    #[serde(default)]
    pub extrapolate: Extrapolate,
}

impl IndexSpec {
    /// A spec with the given method and indicators and every option at its default.
    pub fn new(method: IndexMethod, indicators: Vec<IndicatorSpec>) -> IndexSpec {
        IndexSpec {
            method,
            indicators,
            scope: Scope::Pooled,
            time: None,
            unit: None,
            shift: default_shift(),
            scale100: false,
            weights: None,
            n_components: None,
            missing: MissingPolicy::Error,
            extrapolate: Extrapolate::None,
        }
    }
}

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
    fn bare(ind: &IndicatorSpec, weight: f64) -> IndicatorWeight {
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

/// The result of [`build_index`]; serialises as the inner struct.
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
    /// Diagnostics of the result.
    pub fn diagnostics(&self) -> &Diagnostics {
        match self {
            IndexResult::Weighted(r) => &r.diagnostics,
            IndexResult::Topsis(r) => &r.diagnostics,
            IndexResult::Pca(r) => &r.diagnostics,
        }
    }
}

/// A suggested direction for an indicator, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DirectionSuggestion {
    /// Indicator name.
    pub indicator: String,
    /// Suggested direction (`-1` when a cost keyword matched, else `+1`).
    pub direction: i8,
    /// The matched keyword, if any.
    pub keyword: Option<String>,
    /// Why (for display).
    pub reason: String,
}

/// Name fragments that usually mark cost (negative) indicators.
const COST_KEYWORDS: &[&str] = &[
    "exit",
    "penalt",
    "litigation",
    "lawsuit",
    "pollut",
    "emission",
    "unemploy",
    "energy_consumption",
    "energy consumption",
    "energy_intensity",
    "co2",
    "so2",
    "pm25",
    "pm2.5",
    "waste",
    "wastewater",
    "accident",
    "crime",
    "poverty",
    "debt_ratio",
    "bankrupt",
    "default",
    "inflation",
    "mortality",
    "gini",
    "失业",
    "污染",
    "排放",
    "能耗",
    "能源消耗",
    "退出",
    "注销",
    "处罚",
    "诉讼",
    "废水",
    "废气",
    "烟尘",
    "二氧化硫",
    "事故",
    "犯罪",
    "贫困",
    "负债",
];

/// Suggests directions from indicator names: `-1` with the matched keyword when the
/// name contains a typical cost word (exit, penalty, litigation, pollution, emission,
/// unemployment, energy consumption, 失业, 污染, 排放 …), else `+1` ("no cost
/// keyword"). Only a suggestion for the user to confirm; never applied by
/// [`build_index`].
pub fn suggest_directions<S: AsRef<str>>(names: &[S]) -> Vec<DirectionSuggestion> {
    names
        .iter()
        .map(|n| {
            let name = n.as_ref();
            let lower = name.to_lowercase();
            let norm = lower.replace(['-', '.'], "_");
            let hit = COST_KEYWORDS.iter().find(|k| lower.contains(*k) || norm.contains(&k.replace(' ', "_")));
            match hit {
                Some(k) => DirectionSuggestion {
                    indicator: name.to_string(),
                    direction: -1,
                    keyword: Some((*k).to_string()),
                    reason: format!("name contains `{k}`, usually a cost indicator (less is better); please confirm"),
                },
                None => DirectionSuggestion {
                    indicator: name.to_string(),
                    direction: 1,
                    keyword: None,
                    reason: "no cost keyword in the name; assumed benefit (more is better); please confirm".into(),
                },
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Input preparation
// ---------------------------------------------------------------------------

/// Indicator values of the rows used, and how they were chosen.
pub(crate) struct Prepared {
    /// Dataset rows used, ascending.
    pub rows: Vec<usize>,
    /// `x[j][k]`: indicator j at `rows[k]`.
    pub x: Vec<Vec<f64>>,
    /// Positions into `rows` of each period (one group when pooled).
    pub groups: Vec<Vec<usize>>,
    /// Period labels (empty when pooled).
    pub group_labels: Vec<String>,
    pub dropped: Vec<usize>,
    pub missing: Vec<MissingReport>,
    pub diagnostics: Diagnostics,
}

fn row_ref(ds: &Dataset, row: usize) -> String {
    match ds.source_line(row) {
        Some(l) => format!("line {l}"),
        None => format!("row {}", row + 1),
    }
}

fn list_rows(ds: &Dataset, rows: &[usize]) -> String {
    let shown: Vec<String> = rows.iter().take(5).map(|&r| row_ref(ds, r)).collect();
    let more = if rows.len() > 5 { format!(" and {} more", rows.len() - 5) } else { String::new() };
    format!("{}{more}", shown.join(", "))
}

fn validate_spec(ds: &Dataset, spec: &IndexSpec) -> Result<()> {
    if spec.indicators.len() < 2 {
        return Err(Error::invalid(format!(
            "a composite index needs at least two indicators ({} given)",
            spec.indicators.len()
        )));
    }
    for (k, ind) in spec.indicators.iter().enumerate() {
        if ind.direction != 1 && ind.direction != -1 {
            return Err(Error::invalid(format!(
                "indicator `{}` has direction {}; use 1 (benefit) or -1 (cost)",
                ind.name, ind.direction
            )));
        }
        if spec.indicators[..k].iter().any(|o| o.name == ind.name) {
            return Err(Error::invalid(format!("indicator `{}` is listed twice", ind.name)));
        }
        ds.numeric(&ind.name)?;
    }
    let with_dim = spec.indicators.iter().filter(|i| i.dimension.is_some()).count();
    if with_dim != 0 && with_dim != spec.indicators.len() {
        let missing: Vec<&str> =
            spec.indicators.iter().filter(|i| i.dimension.is_none()).map(|i| i.name.as_str()).collect();
        return Err(Error::invalid(format!(
            "some indicators have a dimension and others not; give a dimension to: {}",
            missing.join(", ")
        )));
    }
    if !(spec.shift.is_finite() && spec.shift >= 0.0) {
        return Err(Error::invalid(format!("shift must be a non-negative number (got {})", spec.shift)));
    }
    if spec.scope == Scope::ByTime && spec.time.is_none() {
        return Err(Error::invalid("scope `by_time` needs the time column (`time`)"));
    }
    Ok(())
}

/// Reads the indicators, applies the missing-value policy and forms the groups.
pub(crate) fn prepare(ds: &Dataset, spec: &IndexSpec) -> Result<Prepared> {
    validate_spec(ds, spec)?;
    let n = ds.nrows();
    let mut cols: Vec<Vec<f64>> = Vec::with_capacity(spec.indicators.len());
    for ind in &spec.indicators {
        let v = ds.numeric(&ind.name)?;
        if let Some(r) = v.iter().position(|x| x.is_infinite()) {
            return Err(Error::invalid(format!(
                "indicator `{}` has an infinite value at {}",
                ind.name,
                row_ref(ds, r)
            )));
        }
        cols.push(v.to_vec());
    }
    let time_factor: Option<Factor> = match (&spec.scope, &spec.time) {
        (Scope::ByTime, Some(t)) => Some(ds.factor(t)?),
        _ => None,
    };

    // Report missing values.
    let mut missing = Vec::new();
    for (ind, col) in spec.indicators.iter().zip(&cols) {
        let rows: Vec<usize> = (0..n).filter(|&i| col[i].is_nan()).collect();
        if !rows.is_empty() {
            missing.push(MissingReport { indicator: ind.name.clone(), count: rows.len(), rows });
        }
    }
    if let (Some(f), Some(t)) = (&time_factor, &spec.time) {
        let rows: Vec<usize> = (0..n).filter(|&i| f.codes[i] == Factor::MISSING).collect();
        if !rows.is_empty() {
            missing.push(MissingReport { indicator: t.clone(), count: rows.len(), rows });
        }
    }
    let mut diagnostics = Diagnostics::new();
    if !missing.is_empty() {
        let listing: Vec<String> =
            missing.iter().map(|m| format!("`{}` ({} missing: {})", m.indicator, m.count, list_rows(ds, &m.rows))).collect();
        match spec.missing {
            MissingPolicy::Error => {
                return Err(Error::insufficient(format!(
                    "missing values in {}; choose missing: \"drop\" to leave those rows out or \"interpolate\" to fill them within unit over time",
                    listing.join("; ")
                )));
            }
            MissingPolicy::Drop => {}
            MissingPolicy::Interpolate => {
                let filled = interpolate(ds, spec, &mut cols)?;
                if filled > 0 {
                    diagnostics.push(Diagnostic::info(Code::IndexInterpolated, format!(
                        "{filled} missing values filled by linear interpolation within unit over time"
                    )));
                }
            }
        }
    }

    let mut rows = Vec::with_capacity(n);
    let mut dropped = Vec::new();
    for i in 0..n {
        let time_ok = time_factor.as_ref().map_or(true, |f| f.codes[i] != Factor::MISSING);
        if time_ok && cols.iter().all(|c| !c[i].is_nan()) {
            rows.push(i);
        } else {
            dropped.push(i);
        }
    }
    if !dropped.is_empty() {
        diagnostics.push(Diagnostic::info(Code::IndexRowsDropped, format!(
            "{} rows with missing values left out (scores are NaN there): {}",
            dropped.len(),
            list_rows(ds, &dropped)
        )));
    }
    let x: Vec<Vec<f64>> = cols.iter().map(|c| rows.iter().map(|&i| c[i]).collect()).collect();

    let (groups, group_labels) = match &time_factor {
        None => (vec![(0..rows.len()).collect::<Vec<usize>>()], Vec::new()),
        Some(f) => {
            let mut groups: Vec<Vec<usize>> = vec![Vec::new(); f.n_levels()];
            for (k, &i) in rows.iter().enumerate() {
                if let Some(g) = groups.get_mut(f.codes[i] as usize) {
                    g.push(k);
                }
            }
            let mut labels = Vec::new();
            let mut kept = Vec::new();
            for (g, lab) in groups.into_iter().zip(&f.levels) {
                if !g.is_empty() {
                    kept.push(g);
                    labels.push(lab.clone());
                }
            }
            (kept, labels)
        }
    };
    for (g, pos) in groups.iter().enumerate() {
        if pos.len() < 2 {
            let at = group_labels.get(g).map(|l| format!(" in period {l}")).unwrap_or_default();
            return Err(Error::insufficient(format!(
                "at least two complete rows are needed{at} ({} available)",
                pos.len()
            )));
        }
    }
    Ok(Prepared { rows, x, groups, group_labels, dropped, missing, diagnostics })
}

/// Linear interpolation within unit over time; returns the number of filled values.
fn interpolate(ds: &Dataset, spec: &IndexSpec, cols: &mut [Vec<f64>]) -> Result<usize> {
    let (unit, time) = match (&spec.unit, &spec.time) {
        (Some(u), Some(t)) => (u, t),
        _ => return Err(Error::invalid("missing: \"interpolate\" needs both the `unit` and the `time` column")),
    };
    let uf = ds.factor(unit)?;
    let tv = ds.numeric(time)?;
    let mut by_unit: Vec<Vec<usize>> = vec![Vec::new(); uf.n_levels()];
    for (i, (&u, t)) in uf.codes.iter().zip(tv).enumerate() {
        if u != Factor::MISSING && !t.is_nan() {
            if let Some(v) = by_unit.get_mut(u as usize) {
                v.push(i);
            }
        }
    }
    let mut filled = 0;
    for (u, rows) in by_unit.iter_mut().enumerate() {
        rows.sort_by(|&a, &b| tv[a].total_cmp(&tv[b]));
        for w in rows.windows(2) {
            if tv[w[0]] == tv[w[1]] {
                return Err(Error::invalid(format!(
                    "unit `{}` has two rows for {} = {} ({} and {}); interpolation needs one row per unit and period",
                    uf.levels[u],
                    time,
                    tv[w[0]],
                    row_ref(ds, w[0]),
                    row_ref(ds, w[1])
                )));
            }
        }
        for col in cols.iter_mut() {
            let obs: Vec<usize> = rows.iter().copied().filter(|&i| !col[i].is_nan()).collect();
            if obs.is_empty() {
                continue;
            }
            for &i in rows.iter() {
                if !col[i].is_nan() {
                    continue;
                }
                let t = tv[i];
                let before = obs.iter().rev().find(|&&o| tv[o] < t).copied();
                let after = obs.iter().find(|&&o| tv[o] > t).copied();
                let v = match (before, after) {
                    (Some(a), Some(b)) => col[a] + (col[b] - col[a]) * (t - tv[a]) / (tv[b] - tv[a]),
                    (Some(a), None) | (None, Some(a)) if spec.extrapolate == Extrapolate::Nearest => col[a],
                    _ => continue,
                };
                col[i] = v;
                filled += 1;
            }
        }
    }
    Ok(filled)
}

// ---------------------------------------------------------------------------
// Build
// ---------------------------------------------------------------------------

/// Builds the composite index described by `spec` on `ds`.
///
/// Errors: unknown or non-numeric indicators, fewer than two indicators, a
/// direction other than ±1, an indicator without variation (named), missing values
/// under the default policy (listed), negative values for CV, PCA in `by_time` scope.
pub fn build_index(ds: &Dataset, spec: &IndexSpec) -> Result<IndexResult> {
    let prep = prepare(ds, spec)?;
    match spec.method {
        IndexMethod::Entropy | IndexMethod::Critic | IndexMethod::Cv | IndexMethod::Equal => {
            weights::build_weighted(ds, spec, prep).map(IndexResult::Weighted)
        }
        IndexMethod::Topsis => weights::build_topsis(ds, spec, prep).map(IndexResult::Topsis),
        IndexMethod::Pca => pca::build_pca(ds, spec, prep).map(IndexResult::Pca),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Column;

    fn ds() -> Dataset {
        Dataset::from_columns(vec![
            Column::text("u", ["a", "a", "a", "b", "b", "b"].iter().map(|s| Some(s.to_string())).collect()),
            Column::numeric("t", vec![1.0, 2.0, 3.0, 1.0, 2.0, 3.0]),
            Column::numeric("x", vec![1.0, f64::NAN, 3.0, f64::NAN, 5.0, 7.0]),
            Column::numeric("y", vec![2.0, 1.0, 4.0, 3.0, 5.0, f64::NAN]),
        ])
        .unwrap()
    }

    #[test]
    fn suggestions_flag_cost_names_only() {
        let s = suggest_directions(&["exit_rate", "patents", "SO2 emission", "失业率", "admin_penalty_rate"]);
        let d: Vec<i8> = s.iter().map(|x| x.direction).collect();
        assert_eq!(d, vec![-1, 1, -1, -1, -1]);
        assert_eq!(s[0].keyword.as_deref(), Some("exit"));
        assert!(s[1].keyword.is_none());
    }

    #[test]
    fn interpolation_fills_inner_gaps_and_optionally_ends() {
        let d = ds();
        let mut spec = IndexSpec::new(
            IndexMethod::Equal,
            vec![IndicatorSpec::new("x", 1), IndicatorSpec::new("y", 1)],
        );
        spec.missing = MissingPolicy::Interpolate;
        spec.unit = Some("u".into());
        spec.time = Some("t".into());
        let p = prepare(&d, &spec).unwrap();
        // x[1] = 2 (between 1 and 3); row 3 (x before first obs) and row 5 (y after last) stay missing.
        assert_eq!(p.rows, vec![0, 1, 2, 4]);
        assert_eq!(p.x[0], vec![1.0, 2.0, 3.0, 5.0]);
        assert_eq!(p.dropped, vec![3, 5]);
        spec.extrapolate = Extrapolate::Nearest;
        let p = prepare(&d, &spec).unwrap();
        assert_eq!(p.rows, vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(p.x[0], vec![1.0, 2.0, 3.0, 5.0, 5.0, 7.0]);
        assert_eq!(p.x[1], vec![2.0, 1.0, 4.0, 3.0, 5.0, 5.0]);
        assert_eq!(p.missing.len(), 2);
        assert_eq!(p.missing[0].rows, vec![1, 3]);
    }

    #[test]
    fn spec_deserialises_with_defaults() {
        let s: IndexSpec = serde_json::from_str(
            r#"{"method":"topsis","indicators":[{"name":"a","direction":-1,"dimension":"d"},{"name":"b"}],"scope":"by_time","time":"year"}"#,
        )
        .unwrap();
        assert_eq!(s.method, IndexMethod::Topsis);
        assert_eq!(s.scope, Scope::ByTime);
        assert_eq!(s.shift, 1e-4);
        assert_eq!(s.indicators[1].direction, 1);
        assert_eq!(s.missing, MissingPolicy::Error);
        assert!(!s.scale100);
    }
}
