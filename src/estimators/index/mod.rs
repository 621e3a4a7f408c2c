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
//!    `w_j = d_j / Σ_k d_k`. The logarithms come from a table-driven `ln` (within two
//!    ulps of the exact value, the same bits natively and in wasm, somewhat faster than
//!    wasm's `log`); each column is streamed, never copied.
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

mod directions;
mod kernels;
mod ln;
pub mod pca;
mod prepare;
mod result;
mod spec;
pub mod structure;
pub mod tables;
pub mod weights;

use crate::data::Dataset;
use crate::error::Result;

pub use directions::{suggest_directions, DirectionSuggestion};
pub use pca::{Bartlett, Loading, Msa, PcaResult};
pub(crate) use prepare::{prepare, Prepared};
pub use result::{
    DimensionResult, IndexResult, IndicatorWeight, MissingReport, PeriodWeights, TopsisResult, WeightedIndex,
};
pub use spec::{Extrapolate, IndexMethod, IndexSpec, IndicatorSpec, MissingPolicy, Scope, ValidIndexSpec};
pub use structure::{
    hhi, location_quotient, theil, HhiResult, HhiRow, HhiSpec, LqResult, LqRow, LqSpec, NamedColumn, TheilResult,
    TheilRow, TheilSpec,
};
pub use tables::{RankingRow, RankingTable, ScoreSummaryRow, ScoreSummaryTable, WeightsTable, WeightsTableRow};

/// Builds the composite index described by `spec` on `ds`.
///
/// Errors: unknown or non-numeric indicators, fewer than two indicators, a
/// direction other than ±1, an indicator without variation (named), missing values
/// under the default policy (listed), negative values for CV, PCA in `by_time` scope.
pub fn build_index(ds: &Dataset, spec: &IndexSpec) -> Result<IndexResult> {
    fit(ds, &spec.validate(ds)?)
}

/// The build of a validated spec: the input preparation, then the method.
pub fn fit(ds: &Dataset, spec: &ValidIndexSpec) -> Result<IndexResult> {
    let prep = prepare(ds, spec)?;
    match spec.method {
        IndexMethod::Entropy | IndexMethod::Critic | IndexMethod::Cv | IndexMethod::Equal => {
            weights::build_weighted(ds, spec, prep).map(IndexResult::Weighted)
        }
        IndexMethod::Topsis => weights::build_topsis(ds, spec, prep).map(IndexResult::Topsis),
        IndexMethod::Pca => pca::build_pca(ds, spec, prep).map(IndexResult::Pca),
    }
}
