//! Everything the likelihood needs from `A(ρ) = I − ρW`: its log-determinant, the
//! admissible interval of ρ, a few traces (information matrix, impacts) and solves.
//! One trait, two families of implementations: exact from the eigenvalues of W
//! (small and medium n) and sparse (large n).

use crate::error::{Error, Result};

pub mod lu;
pub mod ordering;
pub mod sparse;
pub mod traces;

pub use sparse::SparseOperator;

/// Traces of `A⁻¹ = (I − ρW)⁻¹` at one ρ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Traces {
    /// tr(A⁻¹)
    pub inv: f64,
    /// tr(W A⁻¹)
    pub w_inv: f64,
    /// tr(W A⁻¹ W A⁻¹)
    pub w_inv_sq: f64,
}

/// The operator `A(ρ) = I − ρW` of one `n × n` weight matrix.
pub trait SpatialOperator {
    /// Number of units.
    fn n(&self) -> usize;
    /// `log |det(I − ρW)|`.
    fn log_det(&self, rho: f64) -> f64;
    /// The admissible interval of ρ: `(1/λ_min, 1/λ_max)` over the real eigenvalues.
    fn interval(&self) -> (f64, f64);
    /// Traces of `A⁻¹` at ρ.
    fn traces(&self, rho: f64) -> Traces;
    /// `x = (I − ρW)⁻¹ b`.
    fn solve(&self, rho: f64, b: &[f64]) -> Result<Vec<f64>>;
    /// True when `log_det` and `traces` are exact (not approximated).
    fn exact(&self) -> bool;
    /// `(1'A⁻¹1, 1'A⁻¹W1)`, the sums behind the total impacts; `w_ones` is `W1` for this
    /// operator's `W`. By default two solves; the eigen operator answers from its
    /// decomposition in O(n) or O(n²) per ρ, without factorising `A`.
    fn total_sums(&self, rho: f64, w_ones: &[f64]) -> Result<(f64, f64)> {
        let ones = vec![1.0; self.n()];
        Ok((self.solve(rho, &ones)?.iter().sum(), self.solve(rho, w_ones)?.iter().sum()))
    }
}

pub mod eigen;

use serde::{Deserialize, Serialize};

use crate::estimators::spatial::SpatialWeights;

/// How `log|I − ρW|` and its traces are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogdetMethod {
    /// Eigenvalues up to [`EIGEN_MAX_N`] units, the sparse method beyond.
    #[default]
    Auto,
    /// Exact, from the eigenvalues of W (spatialreg `method = "eigen"`).
    Eigen,
    /// Sparse factorisation / approximation for large n.
    Sparse,
}

/// Largest `n` for which `Auto` uses the eigenvalues (dense O(n³) work).
pub const EIGEN_MAX_N: usize = 1500;

/// Largest `n` for which `Auto` computes the complex eigenvalues of a W that is not similar
/// to a symmetric matrix (k nearest neighbours, say): the Schur form costs several times a
/// symmetric eigen-decomposition (about 1 s natively at 800 units, 7 s at 1,400).
pub const ASYMMETRIC_EIGEN_MAX_N: usize = 800;

/// Largest `n` for which `Eigen` may be asked for explicitly: the dense matrices take
/// 8n² bytes each (128 MB at 4,000 units), more would exhaust a browser's memory.
pub const EIGEN_HARD_MAX_N: usize = 4000;

/// The operator of `I − ρW` for `w` by `method`. `Auto` uses the eigenvalues up to
/// [`EIGEN_MAX_N`] units ([`ASYMMETRIC_EIGEN_MAX_N`] for a W not similar to a symmetric
/// one), and the sparse operator beyond or when the eigenvalues do not converge (its
/// `exact()` is then false); `Eigen`
/// refuses more than [`EIGEN_HARD_MAX_N`] units and errs when they do not converge.
pub fn prepare(w: &SpatialWeights, method: LogdetMethod) -> Result<Box<dyn SpatialOperator>> {
    let n = w.n();
    match method {
        LogdetMethod::Eigen => {
            if n > EIGEN_HARD_MAX_N {
                return Err(Error::invalid(format!(
                    "method \"eigen\" is limited to {EIGEN_HARD_MAX_N} units (its dense matrices would need {} MB for {n}); use method \"sparse\" or \"auto\"",
                    8 * n * n / 1_000_000
                )));
            }
            Ok(Box::new(eigen::EigenOperator::new(w)?))
        }
        LogdetMethod::Auto if n <= EIGEN_MAX_N => match eigen::EigenOperator::try_new(w, ASYMMETRIC_EIGEN_MAX_N)? {
            Some(op) => Ok(Box::new(op)),
            None => Ok(Box::new(SparseOperator::new(w)?)),
        },
        _ => Ok(Box::new(SparseOperator::new(w)?)),
    }
}
