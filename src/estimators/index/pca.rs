//! Principal-component composite index, with KMO and Bartlett's sphericity test.
//!
//! 1. Each indicator is multiplied by its direction (cost indicators become
//!    "more is better") and standardised: `z_ij = (x_ij − x̄_j)/s_j`, `s_j` the
//!    sample standard deviation (n − 1).
//! 2. `R = Z'Z/(n − 1)` (the correlation matrix) is eigen-decomposed
//!    (`nalgebra::SymmetricEigen`); eigenvalues are sorted in descending order.
//! 3. Components retained: those with `λ_k > 1` (at least one), or
//!    `n_components` when given.
//! 4. **Sign rule**: each unit eigenvector `v_k` is oriented so that its
//!    coefficients sum to a positive number (if the sum is 0 to rounding, so that
//!    its largest-magnitude coefficient is positive). With all indicators in the
//!    benefit direction, the first component then increases with the indicators.
//! 5. Component scores `F_ik = Σ_j z_ij v_jk` (variance `λ_k`); the index is
//!    `Σ_k (λ_k / Σ_retained λ) F_ik` (variance-share weights of the retained
//!    components, `variance_share`). Loadings are `v_jk √λ_k` (correlations of
//!    indicator and component).
//! 6. **KMO**: with `R⁻¹ = (r^{jk})`, partial correlations
//!    `q_jk = −r^{jk}/√(r^{jj} r^{kk})`; `KMO = ΣΣ_{j≠k} r²/(ΣΣ_{j≠k} r² + ΣΣ_{j≠k} q²)`,
//!    per-variable `MSA_j` the same sums over row j.
//! 7. **Bartlett**: `χ² = −(n − 1 − (2p + 5)/6) ln|R|`, `df = p(p − 1)/2`,
//!    p-value from χ²(df). If `R` is singular, KMO and Bartlett are `NaN` with a
//!    diagnostic.

use super::{IndexMethod, Prepared, ValidIndexSpec};
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::inference::dist::chi2_sf;
use crate::inference::stats;
use nalgebra::{DMatrix, SymmetricEigen};
use serde::Serialize;

/// Loadings of one indicator on the retained components.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Loading {
    /// Indicator name.
    pub indicator: String,
    /// Loadings `v_jk √λ_k`, one per retained component.
    pub loadings: Vec<f64>,
    /// Eigenvector coefficients `v_jk` (score coefficients on standardised data).
    pub coefficients: Vec<f64>,
}

/// Kaiser's measure of sampling adequacy of one indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Msa {
    /// Indicator name.
    pub indicator: String,
    /// MSA_j.
    pub msa: f64,
}

/// Bartlett's test of sphericity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bartlett {
    /// Test statistic.
    pub chi2: f64,
    /// Degrees of freedom `p(p−1)/2`.
    pub df: f64,
    /// Upper-tail p-value.
    pub p_value: f64,
}

/// Result of the PCA composite.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PcaResult {
    /// Always `"pca"`.
    pub method: IndexMethod,
    /// All eigenvalues of the correlation matrix, descending.
    pub eigenvalues: Vec<f64>,
    /// `λ_k / p` for every component (share of total variance).
    pub explained: Vec<f64>,
    /// Number of retained components.
    pub n_components: usize,
    /// `λ_k / Σ_retained λ` for the retained components (index weights).
    pub variance_share: Vec<f64>,
    /// Loadings and coefficients per indicator.
    pub loadings: Vec<Loading>,
    /// The composite index, row-aligned (`NaN` where dropped).
    pub index: Vec<f64>,
    /// Component scores `F_k`, one row-aligned vector per retained component.
    pub component_scores: Vec<Vec<f64>>,
    /// Overall KMO.
    pub kmo: f64,
    /// Per-indicator MSA.
    pub msa: Vec<Msa>,
    /// Bartlett's sphericity test.
    pub bartlett: Bartlett,
    /// Rows used.
    pub n_used: usize,
    /// 0-based rows left out.
    pub dropped_rows: Vec<usize>,
    /// Missing values found in the input.
    pub missing: Vec<super::MissingReport>,
    /// Non-fatal notes.
    pub diagnostics: Diagnostics,
}

/// The PCA index of a validated spec (pooled scope; `n_components` within 1..=indicators).
pub(crate) fn build_pca(ds: &Dataset, spec: &ValidIndexSpec, prep: Prepared) -> Result<PcaResult> {
    let p = spec.indicators.len();
    let n = prep.rows.len();
    let mut diagnostics = prep.diagnostics.clone();
    if n < 3 {
        return Err(Error::insufficient(format!("PCA needs at least 3 complete rows ({n} available)")));
    }
    let z = standardise(spec, &prep)?;
    let r = (z.transpose() * &z) / (n as f64 - 1.0);
    let eig = SymmetricEigen::new(r.clone());
    let mut order: Vec<usize> = (0..p).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let eigenvalues: Vec<f64> = order.iter().map(|&k| eig.eigenvalues[k]).collect();
    let k = match spec.n_components {
        Some(c) => c,
        None => eigenvalues.iter().filter(|&&l| l > 1.0).count().max(1),
    };
    if spec.n_components.is_none() && eigenvalues.first().is_some_and(|&l| l <= 1.0) {
        diagnostics.push(Diagnostic::info(Code::PcaSuitability, "no eigenvalue exceeds 1; the first component is used"));
    }
    let vecs = oriented_vectors(&eig, &order, k);
    let retained: f64 = eigenvalues.iter().take(k).sum();
    let variance_share: Vec<f64> = eigenvalues.iter().take(k).map(|l| l / retained).collect();
    let total_var: f64 = eigenvalues.iter().sum();
    let explained: Vec<f64> = eigenvalues.iter().map(|l| l / total_var).collect();

    let nrows = ds.nrows();
    let mut index = vec![f64::NAN; nrows];
    let mut component_scores = vec![vec![f64::NAN; nrows]; k];
    for (i, &row) in prep.rows.iter().enumerate() {
        let mut idx = 0.0;
        for c in 0..k {
            let f: f64 = (0..p).map(|j| z[(i, j)] * vecs[c][j]).sum();
            component_scores[c][row] = f;
            idx += variance_share[c] * f;
        }
        index[row] = idx;
    }
    let loadings = spec
        .indicators
        .iter()
        .enumerate()
        .map(|(j, ind)| Loading {
            indicator: ind.name.clone(),
            loadings: (0..k).map(|c| vecs[c][j] * eigenvalues[c].max(0.0).sqrt()).collect(),
            coefficients: (0..k).map(|c| vecs[c][j]).collect(),
        })
        .collect();

    let (kmo, msa, bartlett) = suitability(&r, spec, n, &mut diagnostics);
    if kmo < 0.6 {
        diagnostics.push(Diagnostic::warning(Code::PcaSuitability, format!(
            "KMO = {kmo:.3} is below 0.6: the indicators share little common variance for PCA"
        )));
    }
    Ok(PcaResult {
        method: IndexMethod::Pca,
        eigenvalues,
        explained,
        n_components: k,
        variance_share,
        loadings,
        index,
        component_scores,
        kmo,
        msa,
        bartlett,
        n_used: n,
        dropped_rows: prep.dropped,
        missing: prep.missing,
        diagnostics,
    })
}

/// The indicators standardised (direction applied; sample SD); an indicator without
/// variation is an error naming it.
fn standardise(spec: &ValidIndexSpec, prep: &Prepared) -> Result<DMatrix<f64>> {
    let (n, p) = (prep.rows.len(), spec.indicators.len());
    let mut z = DMatrix::<f64>::zeros(n, p);
    for (j, ind) in spec.indicators.iter().enumerate() {
        let col: Vec<f64> = prep.used_values(j).iter().map(|v| v * f64::from(ind.direction)).collect();
        let (mean, sd) = (stats::mean(&col), stats::sd(&col));
        let scale = mean.abs().max(1e-300);
        if sd.is_nan() || sd <= 1e-14 * scale {
            return Err(Error::insufficient(format!(
                "indicator `{}` has no variation: it cannot be standardised for PCA; remove it",
                ind.name
            )));
        }
        for (i, v) in col.iter().enumerate() {
            z[(i, j)] = (v - mean) / sd;
        }
    }
    Ok(z)
}

/// The eigenvectors of the `k` largest eigenvalues (`order`: descending), each oriented
/// so that its coefficients sum to a positive number (or, summing to 0, its largest
/// coefficient is positive).
fn oriented_vectors(eig: &SymmetricEigen<f64, nalgebra::Dyn>, order: &[usize], k: usize) -> Vec<Vec<f64>> {
    let mut vecs: Vec<Vec<f64>> = Vec::with_capacity(k);
    for &c in order.iter().take(k) {
        let mut v: Vec<f64> = eig.eigenvectors.column(c).iter().copied().collect();
        let s: f64 = v.iter().sum();
        let flip = if s.abs() > 1e-10 {
            s < 0.0
        } else {
            v.iter().copied().max_by(|a, b| a.abs().total_cmp(&b.abs())).is_some_and(|m| m < 0.0)
        };
        if flip {
            v.iter_mut().for_each(|x| *x = -*x);
        }
        vecs.push(v);
    }
    vecs
}

/// Kaiser's KMO with the per-indicator MSA, and Bartlett's sphericity test, from the
/// correlation matrix `r` of `n` rows (undefined, with a warning, when `r` is singular).
fn suitability(r: &DMatrix<f64>, spec: &ValidIndexSpec, n: usize, diagnostics: &mut Diagnostics) -> (f64, Vec<Msa>, Bartlett) {
    let p = spec.indicators.len();
    match r.clone().cholesky() {
        Some(chol) => {
            let inv = chol.inverse();
            let logdet = 2.0 * chol.l().diagonal().iter().map(|d| d.ln()).sum::<f64>();
            let mut r2 = vec![0.0; p];
            let mut q2 = vec![0.0; p];
            for a in 0..p {
                for b in 0..p {
                    if a != b {
                        let q = -inv[(a, b)] / (inv[(a, a)] * inv[(b, b)]).sqrt();
                        r2[a] += r[(a, b)].powi(2);
                        q2[a] += q * q;
                    }
                }
            }
            let (sr, sq): (f64, f64) = (r2.iter().sum(), q2.iter().sum());
            let msa: Vec<Msa> = spec
                .indicators
                .iter()
                .enumerate()
                .map(|(j, ind)| Msa { indicator: ind.name.clone(), msa: r2[j] / (r2[j] + q2[j]) })
                .collect();
            let pf = p as f64;
            let chi2 = -(n as f64 - 1.0 - (2.0 * pf + 5.0) / 6.0) * logdet;
            let df = pf * (pf - 1.0) / 2.0;
            (sr / (sr + sq), msa, Bartlett { chi2, df, p_value: chi2_sf(chi2, df) })
        }
        None => {
            diagnostics.push(Diagnostic::warning(Code::PcaSuitability,
                "the correlation matrix is singular (an indicator is a linear combination of others, or there are fewer rows than indicators): KMO and Bartlett's test are undefined",
            ));
            let pf = p as f64;
            (
                f64::NAN,
                spec.indicators.iter().map(|i| Msa { indicator: i.name.clone(), msa: f64::NAN }).collect(),
                Bartlett { chi2: f64::NAN, df: pf * (pf - 1.0) / 2.0, p_value: f64::NAN },
            )
        }
    }
}
