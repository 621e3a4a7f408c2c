//! Fast placebo refits: the DID coefficient of one placebo assignment without re-demeaning the
//! model (Frisch–Waugh–Lovell).
//!
//! Prepared once: the demeaned outcome and controls of the model ([`DemeanedDesign`]), the
//! residual `r = M ỹ` of the (√w-scaled) outcome on the controls and an orthonormal basis `Q` of
//! the (√w-scaled, demeaned) controls ([`FwlSolver`]). For a placebo column `d` with demeaned
//! `d̃` and `v = √w ⊙ d̃`, the full refit's coefficient is
//!
//! ```text
//! β̂ = v'r / ‖M v‖²,      ‖M v‖² = ‖v‖² − Σ_j (q_j'v)²
//! ```
//!
//! Since `r` and the `q_j` are orthogonal (weighted) to the fixed effects, `v'r = Σ_i d_i √w_i r_i`
//! and `q_j'v = Σ_i d_i √w_i q_ij` need `d` only, not `d̃`; and `‖v‖² = Σ w d² − ‖P d‖²_w` with `P`
//! the projection on the fixed effects, in closed form for
//!
//! * one fixed effect: `‖P d‖² = Σ_g (Σ_{i∈g} w_i d_i)² / Σ_{i∈g} w_i`;
//! * two fixed effects crossed completely (a balanced panel: each pair of levels exactly once),
//!   no weights: `‖P d‖² = Σ_a S_a²/n_b + Σ_b S_b²/n_a − S²/n` (`S_a`, `S_b`: sums of `d` by level).
//!
//! A draw is then one pass over the sample rows (no N-length allocation). Otherwise (more or
//! weighted fixed effects, an unbalanced panel, no fixed effects) `d` is demeaned into a
//! scratch column with the model's own demeaning and the same sums are taken with `d̃`.
//! When `‖M v‖²` is below `1e-4·Σ w d²` the subtraction above could lose digits, so the draw
//! is recomputed the direct way (demeaning and `M v` by Householder reflections), which also
//! decides degeneracy exactly as before.

use super::design::{did_at, DidDesign};
use super::placebo::DEGENERATE_TOL;
use crate::error::Result;
use crate::estimators::feols::{DemeanedDesign, FwlSolver};

/// How `‖P d‖²` (or `d̃`) is obtained.
enum Fe {
    /// One fixed effect: codes and the sum of weights per level.
    OneWay { codes: Vec<u32>, sw: Vec<f64> },
    /// Two completely crossed fixed effects, no weights.
    Crossed { a: Vec<u32>, na: usize, b: Vec<u32>, nb: usize },
    /// Demean `d` with the model's demeaning.
    General,
}

/// The per-draw solver of one placebo test (module docs).
pub(crate) struct PlaceboSolver<'a> {
    design: &'a DidDesign,
    dd: DemeanedDesign,
    fwl: FwlSolver,
    fe: Fe,
    /// Unit code, time and (2×2 form) `post` of each sample row.
    unit: Vec<u32>,
    time: Vec<f64>,
    post: Option<Vec<f64>>,
    /// `√w ⊙ r`, and `√w ⊙ q_j` row-major (`k` per row).
    a: Vec<f64>,
    b: Vec<f64>,
    k: usize,
    /// Scratch: `d` on the sample rows, its demeaned copy, sums by level.
    d: Vec<f64>,
    dt: Vec<f64>,
    sa: Vec<f64>,
    sb: Vec<f64>,
    qv: Vec<f64>,
}

impl<'a> PlaceboSolver<'a> {
    /// Prepares the solver from the model's demeaned design and its FWL solver for the DID term.
    pub fn new(design: &'a DidDesign, dd: DemeanedDesign, fwl: FwlSolver) -> PlaceboSolver<'a> {
        let n = dd.nobs();
        let unit: Vec<u32> = dd.rows.iter().map(|&i| design.unit.codes[i]).collect();
        let time: Vec<f64> = dd.rows.iter().map(|&i| design.time[i]).collect();
        let post = match design.form {
            super::design::TreatmentForm::TreatPost { .. } => {
                design.post.as_ref().map(|p| dd.rows.iter().map(|&i| p[i]).collect())
            }
            _ => None,
        };
        let sw = fwl.sqrt_weights().map(<[f64]>::to_vec);
        let scale = |v: &[f64]| -> Vec<f64> {
            match &sw {
                Some(s) => v.iter().zip(s).map(|(x, s)| x * s).collect(),
                None => v.to_vec(),
            }
        };
        let a = scale(fwl.residual_y());
        let basis: Vec<Vec<f64>> = fwl.other_basis().iter().map(|q| scale(q)).collect();
        let k = basis.len();
        let mut b = vec![0.0; n * k];
        for (j, q) in basis.iter().enumerate() {
            for (i, v) in q.iter().enumerate() {
                b[i * k + j] = *v;
            }
        }
        let fe = fe_kind(&dd);
        let (na, nb) = match &fe {
            Fe::OneWay { sw, .. } => (sw.len(), 0),
            Fe::Crossed { na, nb, .. } => (*na, *nb),
            Fe::General => (0, 0),
        };
        let scratch = if matches!(fe, Fe::General) { n } else { 0 };
        PlaceboSolver {
            design,
            dd,
            fwl,
            fe,
            unit,
            time,
            post,
            a,
            b,
            k,
            d: vec![0.0; scratch],
            dt: vec![0.0; scratch],
            sa: vec![0.0; na],
            sb: vec![0.0; nb],
            qv: vec![0.0; k],
        }
    }

    /// The placebo DID of sample row `r` under thresholds `thr`.
    #[inline]
    fn d_at(&self, thr: &[f64], r: usize) -> f64 {
        let u = self.unit[r] as usize;
        let a = thr[u];
        if self.time[r] >= a || a == f64::NEG_INFINITY {
            self.post.as_ref().map_or(1.0, |p| p[r])
        } else {
            0.0
        }
    }

    /// The placebo estimate of the unit-level assignment `thr` (per unit code, see
    /// [`super::design::did_from_thresholds`]); `None` when the draw is degenerate (module docs
    /// of [`super::placebo`]).
    pub fn estimate(&mut self, thr: &[f64]) -> Result<Option<f64>> {
        let (num, vv, s2) = match self.fe {
            Fe::General => self.sums_demeaned(thr)?,
            _ => self.sums_closed(thr),
        };
        let qq: f64 = self.qv.iter().map(|x| x * x).sum();
        let den = vv - qq;
        let norm = s2.sqrt();
        let (beta, left) = if den > 1e-4 * s2 {
            (num / den, den.sqrt())
        } else {
            self.direct(thr)?
        };
        // NaN-safe: a NaN norm or estimate counts as degenerate.
        Ok((left > DEGENERATE_TOL * norm && beta.is_finite()).then_some(beta))
    }

    /// One pass over the rows: `Σ d √w r`, `Σ d √w q_j` (into `qv`) and, in closed form,
    /// `‖v‖² = Σ w d² − ‖P d‖²`; returns `(v'r, ‖v‖², Σ w d²)`.
    fn sums_closed(&mut self, thr: &[f64]) -> (f64, f64, f64) {
        let k = self.k;
        self.qv.iter_mut().for_each(|v| *v = 0.0);
        self.sa.iter_mut().for_each(|v| *v = 0.0);
        self.sb.iter_mut().for_each(|v| *v = 0.0);
        let w = self.dd.weights.as_deref();
        let (ca, cb): (&[u32], &[u32]) = match &self.fe {
            Fe::OneWay { codes, .. } => (codes, &[]),
            Fe::Crossed { a, b, .. } => (a, b),
            Fe::General => (&[], &[]),
        };
        let (mut num, mut s2) = (0.0, 0.0);
        for r in 0..self.unit.len() {
            let dr = self.d_at(thr, r);
            if dr == 0.0 {
                continue;
            }
            num += dr * self.a[r];
            for (q, b) in self.qv.iter_mut().zip(&self.b[r * k..(r + 1) * k]) {
                *q += dr * b;
            }
            let wd = w.map_or(dr, |w| w[r] * dr);
            s2 += wd * dr;
            self.sa[ca[r] as usize] += wd;
            if let Some(&c) = cb.get(r) {
                self.sb[c as usize] += wd;
            }
        }
        let pd2 = match &self.fe {
            Fe::OneWay { sw, .. } => self.sa.iter().zip(sw).map(|(s, w)| if *w > 0.0 { s * s / w } else { 0.0 }).sum(),
            Fe::Crossed { na, nb, .. } => {
                let total: f64 = self.sa.iter().sum();
                let sq = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>();
                sq(&self.sa) / *nb as f64 + sq(&self.sb) / *na as f64 - total * total / (*na * *nb) as f64
            }
            Fe::General => 0.0,
        };
        (num, s2 - pd2, s2)
    }

    /// `d` demeaned into the scratch column, then `(v'r, ‖v‖², Σ w d²)` and `qv` from `d̃`.
    fn sums_demeaned(&mut self, thr: &[f64]) -> Result<(f64, f64, f64)> {
        for r in 0..self.unit.len() {
            self.d[r] = self.d_at(thr, r);
        }
        self.demean_scratch();
        let k = self.k;
        let w = self.dd.weights.as_deref();
        self.qv.iter_mut().for_each(|v| *v = 0.0);
        let (mut num, mut vv, mut s2) = (0.0, 0.0, 0.0);
        for r in 0..self.d.len() {
            let (dr, tr) = (self.d[r], self.dt[r]);
            let wr = w.map_or(1.0, |w| w[r]);
            s2 += wr * dr * dr;
            vv += wr * tr * tr;
            num += tr * self.a[r];
            for (q, b) in self.qv.iter_mut().zip(&self.b[r * k..(r + 1) * k]) {
                *q += tr * b;
            }
        }
        Ok((num, vv, s2))
    }

    /// `dt` = `d` demeaned as the model's variables were (fixed effects, centring or nothing).
    fn demean_scratch(&mut self) {
        match &self.dd.fe {
            Some(fe) => {
                fe.demean_into(&self.d, &mut self.dt, &self.dd.demean_options());
            }
            None if self.dd.intercept => {
                let w = self.dd.weights.as_deref();
                let (mut sw, mut sd) = (0.0, 0.0);
                for (r, d) in self.d.iter().enumerate() {
                    let wr = w.map_or(1.0, |w| w[r]);
                    sw += wr;
                    sd += wr * d;
                }
                let m = sd / sw;
                for (t, d) in self.dt.iter_mut().zip(&self.d) {
                    *t = d - m;
                }
            }
            None => self.dt.copy_from_slice(&self.d),
        }
    }

    /// The direct computation (the pre-FWL-shortcut path): `d̃` by the model's demeaning and
    /// `‖M v‖` by Householder reflections; returns `(β̂, ‖M v‖)`.
    fn direct(&self, thr: &[f64]) -> Result<(f64, f64)> {
        let d: Vec<f64> = self.dd.rows.iter().map(|&i| did_at(self.design, thr, i)).collect();
        Ok(self.fwl.coef_and_residual_norm(&self.dd.demean_sample(&d)?))
    }
}

/// Which closed form applies to the model's fixed effects.
fn fe_kind(dd: &DemeanedDesign) -> Fe {
    let Some(fe) = &dd.fe else { return Fe::General };
    let n = dd.nobs();
    match fe.dims.as_slice() {
        [one] => {
            let mut sw = vec![0.0; one.n_levels];
            for (r, &c) in one.codes.iter().enumerate() {
                sw[c as usize] += dd.weights.as_ref().map_or(1.0, |w| w[r]);
            }
            Fe::OneWay { codes: one.codes.clone(), sw }
        }
        [a, b] if dd.weights.is_none() && a.n_levels.checked_mul(b.n_levels) == Some(n) => {
            let mut seen = vec![false; n];
            for (&x, &y) in a.codes.iter().zip(&b.codes) {
                let cell = &mut seen[x as usize * b.n_levels + y as usize];
                if *cell {
                    return Fe::General;
                }
                *cell = true;
            }
            Fe::Crossed { a: a.codes.clone(), na: a.n_levels, b: b.codes.clone(), nb: b.n_levels }
        }
        _ => Fe::General,
    }
}
