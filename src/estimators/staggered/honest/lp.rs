//! The small dense optimisation problems of HonestDiD, solved by Clarabel (a pure-Rust
//! interior-point solver for LP, QP and SOCP).
//!
//! Clarabel solves `min ½x'Px + q'x` s.t. `Ax + s = b`, `s ∈ K`. Here `K` stacks, in order, a
//! zero cone (equalities), a non-negative cone (inequalities `a_ub x ≤ b_ub`), optional sign
//! constraints `x ≥ 0`, and optional second-order cones. The multipliers of the inequalities
//! are the `z` of Clarabel's KKT conditions `Px + q + A'z = 0`, so they are `≥ 0` and give,
//! for `min c'x s.t. a_ub x ≤ b_ub`, the dual vector `λ` with `c + a_ub'λ = 0` (what HonestDiD
//! reads from its simplex solvers as the negated marginals).
//!
//! An interior-point solution lies in the relative interior of the optimal face; where the
//! ARP test needs a vertex (its binding set), [`super::arp`] polishes it.

use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettingsBuilder, DefaultSolver, IPSolver, SolverStatus, SupportedConeT};
use nalgebra::{DMatrix, DVector};

/// A solved program.
#[derive(Debug, Clone)]
pub(crate) struct Solved {
    /// Primal solution.
    pub x: Vec<f64>,
    /// Optimal value of `c'x` (plus the constant and quadratic terms, when any).
    pub obj: f64,
    /// Multipliers of the inequality rows (`≥ 0`), in the order given.
    pub duals_ub: Vec<f64>,
}

/// A linear (or convex quadratic) program in dense form.
#[derive(Debug, Clone)]
pub(crate) struct Program {
    /// Linear objective.
    pub c: DVector<f64>,
    /// Quadratic objective `½x'Px` (symmetric; `None`: none).
    pub p: Option<DMatrix<f64>>,
    /// Inequalities `a_ub x ≤ b_ub`.
    pub a_ub: DMatrix<f64>,
    pub b_ub: DVector<f64>,
    /// Equalities `a_eq x = b_eq`.
    pub a_eq: DMatrix<f64>,
    pub b_eq: DVector<f64>,
    /// All variables `≥ 0` (otherwise free).
    pub nonneg: bool,
    /// Second-order cones `‖g_i x − h_i‖ ≤ t_i − f_i'x`, given as `(f_i, t_i, g_i, h_i)`.
    pub socs: Vec<Soc>,
}

/// One second-order cone constraint `‖G x − h‖ ≤ t − f'x`.
#[derive(Debug, Clone)]
pub(crate) struct Soc {
    pub f: DVector<f64>,
    pub t: f64,
    pub g: DMatrix<f64>,
    pub h: DVector<f64>,
}

impl Program {
    /// `min c'x` with no constraints yet (`n` free variables).
    pub fn new(c: DVector<f64>) -> Program {
        let n = c.len();
        Program {
            c,
            p: None,
            a_ub: DMatrix::zeros(0, n),
            b_ub: DVector::zeros(0),
            a_eq: DMatrix::zeros(0, n),
            b_eq: DVector::zeros(0),
            nonneg: false,
            socs: Vec::new(),
        }
    }

    /// Adds inequalities.
    pub fn ub(mut self, a: DMatrix<f64>, b: DVector<f64>) -> Program {
        self.a_ub = a;
        self.b_ub = b;
        self
    }

    /// Adds equalities.
    pub fn eq(mut self, a: DMatrix<f64>, b: DVector<f64>) -> Program {
        self.a_eq = a;
        self.b_eq = b;
        self
    }

    /// Solves; `None` when Clarabel does not report an (almost) optimal solution.
    pub fn solve(&self) -> Option<Solved> {
        let n = self.c.len();
        let (m_eq, m_ub) = (self.a_eq.nrows(), self.a_ub.nrows());
        let m_sign = if self.nonneg { n } else { 0 };
        let m_soc: usize = self.socs.iter().map(|s| s.g.nrows() + 1).sum();
        let m = m_eq + m_ub + m_sign + m_soc;
        let mut a = DMatrix::<f64>::zeros(m, n);
        let mut b = DVector::<f64>::zeros(m);
        a.rows_mut(0, m_eq).copy_from(&self.a_eq);
        b.rows_mut(0, m_eq).copy_from(&self.b_eq);
        a.rows_mut(m_eq, m_ub).copy_from(&self.a_ub);
        b.rows_mut(m_eq, m_ub).copy_from(&self.b_ub);
        for j in 0..m_sign {
            a[(m_eq + m_ub + j, j)] = -1.0;
        }
        let mut cones = Vec::new();
        if m_eq > 0 {
            cones.push(SupportedConeT::ZeroConeT(m_eq));
        }
        if m_ub + m_sign > 0 {
            cones.push(SupportedConeT::NonnegativeConeT(m_ub + m_sign));
        }
        let mut row = m_eq + m_ub + m_sign;
        for s in &self.socs {
            // s = b − Ax = (t − f'x, h − (−G)x …): first entry t − f'x, then G x − h up to sign.
            for j in 0..n {
                a[(row, j)] = s.f[j];
            }
            b[row] = s.t;
            for r in 0..s.g.nrows() {
                for j in 0..n {
                    a[(row + 1 + r, j)] = -s.g[(r, j)];
                }
                b[row + 1 + r] = -s.h[r];
            }
            cones.push(SupportedConeT::SecondOrderConeT(s.g.nrows() + 1));
            row += s.g.nrows() + 1;
        }
        let p = match &self.p {
            Some(p) => csc_upper(p),
            None => CscMatrix::zeros((n, n)),
        };
        let settings = DefaultSettingsBuilder::default()
            .verbose(false)
            .tol_gap_abs(1e-11)
            .tol_gap_rel(1e-11)
            .tol_feas(1e-11)
            .max_iter(200)
            .build()
            .ok()?;
        let q: Vec<f64> = self.c.iter().copied().collect();
        let mut solver = DefaultSolver::new(&p, &q, &csc(&a), b.as_slice(), &cones, settings).ok()?;
        solver.solve();
        let sol = &solver.solution;
        if !matches!(sol.status, SolverStatus::Solved | SolverStatus::AlmostSolved) {
            return None;
        }
        if sol.x.iter().any(|v| !v.is_finite()) {
            return None;
        }
        Some(Solved { x: sol.x.clone(), obj: sol.obj_val, duals_ub: sol.z[m_eq..m_eq + m_ub].to_vec() })
    }
}

/// A dense matrix in compressed-column form (exact zeros left out).
fn csc(a: &DMatrix<f64>) -> CscMatrix<f64> {
    let (m, n) = a.shape();
    let mut colptr = vec![0usize; n + 1];
    let (mut rowval, mut nzval) = (Vec::new(), Vec::new());
    for j in 0..n {
        for i in 0..m {
            if a[(i, j)] != 0.0 {
                rowval.push(i);
                nzval.push(a[(i, j)]);
            }
        }
        colptr[j + 1] = rowval.len();
    }
    CscMatrix::new(m, n, colptr, rowval, nzval)
}

/// The upper triangle of a symmetric matrix, as Clarabel wants `P`.
fn csc_upper(p: &DMatrix<f64>) -> CscMatrix<f64> {
    let mut u = p.clone();
    for j in 0..u.ncols() {
        for i in (j + 1)..u.nrows() {
            u[(i, j)] = 0.0;
        }
    }
    csc(&u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honest_lp_small_program_and_duals() {
        // min −x − y s.t. x + 2y ≤ 4, 3x + y ≤ 6: optimum (1.6, 1.2), value −2.8,
        // multipliers (0.4, 0.2).
        let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 1.0]);
        let sol = Program::new(DVector::from_vec(vec![-1.0, -1.0])).ub(a, DVector::from_vec(vec![4.0, 6.0])).solve().expect("solved");
        assert!((sol.x[0] - 1.6).abs() < 1e-7 && (sol.x[1] - 1.2).abs() < 1e-7);
        assert!((sol.obj + 2.8).abs() < 1e-7);
        assert!((sol.duals_ub[0] - 0.4).abs() < 1e-7 && (sol.duals_ub[1] - 0.2).abs() < 1e-7);
    }

    #[test]
    fn honest_lp_second_order_cone() {
        // min x + y s.t. ‖(x, y)‖ ≤ 1: optimum −√2.
        let soc = Soc { f: DVector::zeros(2), t: 1.0, g: DMatrix::identity(2, 2), h: DVector::zeros(2) };
        let mut p = Program::new(DVector::from_vec(vec![1.0, 1.0]));
        p.socs.push(soc);
        let sol = p.solve().expect("solved");
        assert!((sol.obj + 2f64.sqrt()).abs() < 1e-7);
    }

    #[test]
    fn honest_lp_unbounded_is_none() {
        assert!(Program::new(DVector::from_vec(vec![1.0])).solve().is_none());
    }
}
