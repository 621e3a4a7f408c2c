//! The per-draw strategy: `C0 v` and `C1 v` straight from the data for each draw's cluster
//! weights `v`, without the `G×G` crosstabs (module docs of [`super`], "Two strategies").
//!
//! By linearity of `M_Z`, `(C v)_g = Σ_h C_gh v_h = Σ_{i∈g} w_i (M_Z (u ⊙ v_{cl(i)}))_i`: one
//! demeaning of `z = u ⊙ v_{cl}` by the fixed effects (the same [`DemeanedDesign`] call the
//! crosstabs make for each of their columns), then `M_X`. The `M_X` step is folded into the
//! cluster sums: with `r` the demeaned `z` and `γ = (X'X)⁻¹X'r`,
//! `Σ_{i∈g} w_i (r − Xγ)_i = Σ_{i∈g} w_i r_i − W_g'γ`, where `W_g = Σ_{i∈g} w_i x_i` (a `G×k`
//! matrix computed once), so a draw never forms the fitted `Xγ`.

use super::crosstab::Projection;
use crate::error::Result;
use crate::estimators::feols::DemeanedDesign;
use nalgebra::{DMatrix, DVectorView};

/// What the per-draw strategy keeps from the set-up: the demeaned design (for its fixed
/// effects), the projection, the cluster codes, both residual vectors and `W`.
pub(super) struct PerDraw {
    dd: DemeanedDesign,
    proj: Projection,
    codes: Vec<u32>,
    g: usize,
    /// `u0`, `u1` (module docs of [`super`]); `u1 = 0` without the null imposed.
    u: [Vec<f64>; 2],
    /// `n_h = Σ_{i∈h} w_i u_i` for `u0`, `u1`.
    nh: [Vec<f64>; 2],
    /// `W_g = Σ_{i∈g} w_i x_i` (`G×k`).
    wx: DMatrix<f64>,
    /// `u1 = 0` (no null imposed): `C1 v = 0` without a demeaning.
    u1_zero: bool,
}

impl PerDraw {
    pub(super) fn new(dd: DemeanedDesign, proj: Projection, codes: Vec<u32>, g: usize, u: [Vec<f64>; 2]) -> PerDraw {
        let k = proj.x.ncols();
        let mut wx = DMatrix::zeros(g, k);
        let mut nh = [vec![0.0; g], vec![0.0; g]];
        for (i, &c) in codes.iter().enumerate() {
            let (c, wi) = (c as usize, proj.w[i]);
            for j in 0..k {
                wx[(c, j)] += wi * proj.x[(i, j)];
            }
            nh[0][c] += wi * u[0][i];
            nh[1][c] += wi * u[1][i];
        }
        let u1_zero = u[1].iter().all(|x| *x == 0.0);
        PerDraw { dd, proj, codes, g, u, nh, wx, u1_zero }
    }

    /// `C v` for residual vector `u` into `out` (length `G`); `z` is scratch of length `n`.
    fn c_times(&self, u: &[f64], v: &[f64], z: &mut [f64], out: &mut [f64]) -> Result<()> {
        out.fill(0.0);
        for ((zi, ui), &c) in z.iter_mut().zip(u).zip(&self.codes) {
            *zi = ui * v[c as usize];
        }
        let r = self.dd.demean_sample(z)?;
        let gamma = self.proj.chol.solve(&self.proj.x.tr_mul(&DVectorView::from_slice(&r, r.len())));
        for ((ri, wi), &c) in r.iter().zip(&self.proj.w).zip(&self.codes) {
            out[c as usize] += wi * ri;
        }
        let corr = &self.wx * gamma;
        for (o, c) in out.iter_mut().zip(corr.iter()) {
            *o -= c;
        }
        Ok(())
    }

    /// The five sums of draw weights `v` (as [`super::crosstab::sums_of_draw`] from the
    /// crosstabs). `u1 = 0` (no null imposed) skips its demeaning: `C1 v = 0`.
    pub(super) fn sums(&self, v: &[f64], scratch: &mut Scratch) -> Result<[f64; 5]> {
        let a: f64 = v.iter().zip(&self.nh[0]).map(|(a, b)| a * b).sum();
        let bb: f64 = v.iter().zip(&self.nh[1]).map(|(a, b)| a * b).sum();
        let Scratch { z, p0, p1 } = scratch;
        self.c_times(&self.u[0], v, z, p0)?;
        if self.u1_zero {
            p1.fill(0.0);
        } else {
            self.c_times(&self.u[1], v, z, p1)?;
        }
        let (mut saa, mut sab, mut sbb) = (0.0, 0.0, 0.0);
        for (x0, x1) in p0.iter().zip(p1.iter()) {
            saa += x0 * x0;
            sab += x0 * x1;
            sbb += x1 * x1;
        }
        Ok([a, bb, saa, sab, sbb])
    }

    /// Scratch vectors for [`Self::sums`].
    pub(super) fn scratch(&self) -> Scratch {
        Scratch { z: vec![0.0; self.proj.n], p0: vec![0.0; self.g], p1: vec![0.0; self.g] }
    }
}

/// Reused buffers of the per-draw strategy.
#[derive(Default)]
pub(super) struct Scratch {
    z: Vec<f64>,
    p0: Vec<f64>,
    p1: Vec<f64>,
}
