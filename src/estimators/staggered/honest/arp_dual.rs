//! Truncation bounds `[v_lo, v_up]` of the ARP test statistic by the dual approach (ARP 2023,
//! Appendix D, Algorithm 1; HonestDiD's `.vlo_vup_dual_fn`), used when the binding set of the
//! `η̂` program is degenerate or rank-deficient.
//!
//! With `γ̃` the multipliers of `η̂`, `b = Σγ̃/γ̃'Σγ̃` and `s = (I − bγ̃')Y`, a value `c` lies in
//! the support iff `c = max{γ'(s + b c) : W'γ = e₁, γ ≥ 0}` (`W = [σ̃, X]`). `v_up` is the
//! largest and `v_lo` the smallest such `c`: infinite when `c = ±max(100, |η̂| + 20σ_B)` is
//! still a solution; otherwise found by the fixed-point shortcut `c = γ's/(1 − γ'b)` (at most
//! 10 steps) and then bisection to `10⁻⁶`, with solutions checked to `10⁻⁶`, as HonestDiD and
//! moderndid do.

use super::lp::Program;
use nalgebra::{DMatrix, DVector};

const TOL_C: f64 = 1e-6;
const TOL_EQUALITY: f64 = 1e-6;
const MAX_ITERS: usize = 10_000;
const SWITCH_ITERS: usize = 10;

/// The data of the max program.
struct MaxProgram<'a> {
    s: &'a DVector<f64>,
    b: DVector<f64>,
    w: &'a DMatrix<f64>,
}

impl MaxProgram<'_> {
    /// `max γ'(s + b c)` s.t. `W'γ = e₁`, `γ ≥ 0`: the optimum and its `γ`.
    fn solve(&self, c: f64) -> Option<(f64, DVector<f64>)> {
        let f = self.s + &self.b * c;
        let mut e1 = DVector::zeros(self.w.ncols());
        e1[0] = 1.0;
        let mut p = Program::new(-f).eq(self.w.transpose(), e1);
        p.nonneg = true;
        let sol = p.solve()?;
        Some((-sol.obj, DVector::from_vec(sol.x)))
    }

    /// Whether `c` is a fixed point, with the program's `γ` (when solved).
    fn check(&self, c: f64) -> (bool, Option<DVector<f64>>) {
        match self.solve(c) {
            Some((v, g)) => ((c - v).abs() <= TOL_EQUALITY, Some(g)),
            None => (false, None),
        }
    }

    /// The shortcut step `c = γ's / (1 − γ'b)`.
    fn step(&self, g: &DVector<f64>) -> f64 {
        round_eps(g.dot(self.s)) / (1.0 - g.dot(&self.b))
    }
}

fn round_eps(x: f64) -> f64 {
    if x.abs() < f64::EPSILON.powf(0.75) {
        0.0
    } else {
        x
    }
}

/// `(v_lo, v_up)` for the statistic `η̂` with multipliers `gamma`.
pub(crate) fn vlo_vup_dual(eta: f64, s: &DVector<f64>, gamma: &DVector<f64>, sigma: &DMatrix<f64>, w: &DMatrix<f64>) -> (f64, f64) {
    let gsg = (gamma.transpose() * sigma * gamma)[(0, 0)];
    let sigma_b = gsg.max(0.0).sqrt();
    let mp = MaxProgram { s, b: sigma * gamma / gsg, w };
    if !mp.check(eta).0 {
        return (eta, f64::INFINITY);
    }
    let high = 100f64.max(eta + 20.0 * sigma_b);
    let low = (-100f64).min(eta - 20.0 * sigma_b);
    let vup = one_side(&mp, eta, high, true);
    let vlo = one_side(&mp, eta, low, false);
    (vlo, vup)
}

/// One end: `upper` searches above `eta` from `start`.
fn one_side(mp: &MaxProgram, eta: f64, start: f64, upper: bool) -> f64 {
    let (ok, g0) = mp.check(start);
    if ok {
        return if upper { f64::INFINITY } else { f64::NEG_INFINITY };
    }
    let mut iters = 1;
    let mut mid = match &g0 {
        Some(g) => mp.step(g),
        None => start,
    };
    while iters < SWITCH_ITERS {
        let (ok, g) = mp.check(mid);
        if ok {
            break;
        }
        iters += 1;
        match g {
            Some(g) => mid = mp.step(&g),
            None => break,
        }
    }
    // Bisection between the solution `eta` and the non-solution `mid`.
    let (mut inside, mut outside) = (eta, mid);
    let mut diff = TOL_C + 1.0;
    while diff > TOL_C && iters < MAX_ITERS {
        iters += 1;
        mid = (inside + outside) / 2.0;
        if mp.check(mid).0 {
            inside = mid;
        } else {
            outside = mid;
        }
        diff = (outside - inside).abs();
    }
    mid
}
