//! Everything the likelihood needs from `A(ρ) = I − ρW`: its log-determinant, the
//! admissible interval of ρ, a few traces (information matrix, impacts) and solves.
//! One trait, two families of implementations: exact from the eigenvalues of W
//! (small and medium n) and sparse (large n).

use crate::error::Result;

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

/// The operator of `I − ρW` for `w` by `method`.
pub fn prepare(w: &SpatialWeights, method: LogdetMethod) -> Result<Box<dyn SpatialOperator>> {
    let use_eigen = match method {
        LogdetMethod::Eigen => true,
        LogdetMethod::Auto => w.n() <= EIGEN_MAX_N,
        LogdetMethod::Sparse => false,
    };
    if use_eigen {
        return Ok(Box::new(eigen::EigenOperator::new(w)?));
    }
    Ok(Box::new(SparseOperator::new(w)?))
}
