//! The mediation bootstrap's refits without rebuilding the model per draw.
//!
//! Resampling whole clusters with replacement, a cluster drawn `m` times keeping its labels, is
//! least squares with each row of the common sample weighted by `m` (times its analytic weight,
//! if any): duplicated rows share their fixed effects, so the objective is the same sum of
//! squares; rows of undrawn clusters get weight 0 and leave the fit. (Singleton groups, which
//! a refit on the resampled data would drop, are fitted exactly by their own fixed effect and
//! change no slope.) The model frame (outcome, mediator, DID, controls, fixed-effect codes) is
//! built once; a draw gathers the rows with positive weight, demeans the columns once with
//! those weights and solves steps 2 and 3 by Householder QR with the engine's collinearity rule
//! (a column is dropped when what is left of it, after the columns before it, is below
//! `collin_tol` times its weighted norm), so a draw in which the DID (step 2) or the mediator
//! (step 3) is collinear is skipped as before.

use super::rows_by_level;
use crate::error::{Error, Result};
use crate::estimators::feols::FeolsSpec;
use crate::formula::ModelFrame;
use crate::inference::replicate::draw_rng;
use crate::inference::rng::below;
use crate::linalg::demean::{DemeanOptions, FixedEffects};
use crate::linalg::qr::{norm, Qr};

/// The resampling bootstrap of `a·b` on a fixed model frame.
pub(crate) struct MediationBoot {
    /// Frame row indices of each resampled group (cluster or row).
    groups: Vec<Vec<usize>>,
    /// Group of each frame row.
    group_of: Vec<usize>,
    /// Outcome, then the regressor columns of step 3: DID, mediator, the rest.
    cols: Vec<Vec<f64>>,
    fixef: Vec<(String, Vec<u32>, usize)>,
    weights: Option<Vec<f64>>,
    intercept: bool,
    opts: DemeanOptions,
    collin_tol: f64,
}

impl MediationBoot {
    /// The frame of step 3 (`f3`: `y ~ DID + M + … | fe`) on the common sample of `ds`, and the
    /// resampled groups: the levels of `cluster` (rows of `ds` in data order), or single rows.
    pub fn new(ds: &crate::data::Dataset, f3: &FeolsSpec, cluster: Option<&str>) -> Result<MediationBoot> {
        let formula = f3.formula.formula()?;
        let frame = ModelFrame::build(ds, &formula, f3.weights.as_deref(), &[])?;
        let mut pos = vec![usize::MAX; ds.nrows()];
        for (k, &i) in frame.rows.iter().enumerate() {
            pos[i] = k;
        }
        let data_groups: Vec<Vec<usize>> = match cluster {
            Some(c) => rows_by_level(&ds.factor(c)?),
            None => (0..ds.nrows()).map(|i| vec![i]).collect(),
        };
        let groups: Vec<Vec<usize>> = data_groups
            .into_iter()
            .map(|g| g.into_iter().filter_map(|i| (pos[i] != usize::MAX).then_some(pos[i])).collect::<Vec<_>>())
            .filter(|g| !g.is_empty())
            .collect();
        if groups.is_empty() {
            return Err(Error::insufficient("the mediation bootstrap has no rows to resample"));
        }
        let mut group_of = vec![0; frame.nobs()];
        for (h, g) in groups.iter().enumerate() {
            for &r in g {
                group_of[r] = h;
            }
        }
        let mut cols = vec![frame.y.clone()];
        cols.extend(frame.exog.iter().flat_map(|b| b.columns.iter().cloned()));
        if frame.exog.len() < 2 || frame.exog[0].columns.len() != 1 || frame.exog[1].columns.len() != 1 {
            return Err(Error::numerical("the mediation model frame lacks the DID or the mediator column"));
        }
        Ok(MediationBoot {
            groups,
            group_of,
            cols,
            fixef: frame.fixef,
            weights: frame.weights,
            intercept: frame.intercept,
            opts: DemeanOptions { tol: f3.fixef_tol, maxiter: f3.fixef_maxiter, ..DemeanOptions::default() },
            collin_tol: f3.collin_tol,
        })
    }

    /// `a·b` of draw `b` of the bootstrap seeded `seed` (NaN when the DID or the mediator is
    /// not estimable in the resample).
    pub fn draw(&self, seed: u64, b: usize) -> f64 {
        let g = self.groups.len() as u64;
        let mut rng = draw_rng(seed, b);
        let mut times = vec![0u32; self.groups.len()];
        for _ in 0..g {
            times[below(&mut rng, g) as usize] += 1;
        }
        self.indirect(&times).unwrap_or(f64::NAN)
    }

    /// `a·b` with group `h` drawn `times[h]` times.
    fn indirect(&self, times: &[u32]) -> Option<f64> {
        let active: Vec<usize> = (0..self.group_of.len()).filter(|&r| times[self.group_of[r]] > 0).collect();
        let w: Vec<f64> = active
            .iter()
            .map(|&r| f64::from(times[self.group_of[r]]) * self.weights.as_ref().map_or(1.0, |w| w[r]))
            .collect();
        let raw: Vec<Vec<f64>> = self.cols.iter().map(|c| active.iter().map(|&r| c[r]).collect()).collect();
        let dm = self.demean(&active, &raw, &w)?;
        let sw: Vec<f64> = w.iter().map(|v| v.sqrt()).collect();
        let scaled: Vec<Vec<f64>> = dm.iter().map(|c| c.iter().zip(&sw).map(|(x, s)| x * s).collect()).collect();
        let norms: Vec<f64> = raw.iter().map(|c| norm(c, Some(&w))).collect();
        // Step 2: M ~ DID + rest; step 3: y ~ DID + M + rest (columns 1, 2, 3.. of `scaled`).
        let rest: Vec<usize> = (3..scaled.len()).collect();
        let a = self.coef(&scaled, &norms, &[&[1][..], &rest].concat(), 2, 0)?;
        let bm = self.coef(&scaled, &norms, &[&[1, 2][..], &rest].concat(), 0, 1)?;
        let ab = a * bm;
        ab.is_finite().then_some(ab)
    }

    /// The coefficient of the `which`-th of columns `x` in the regression of column `y`
    /// (`None` when that column is dropped as collinear).
    fn coef(&self, scaled: &[Vec<f64>], norms: &[f64], x: &[usize], y: usize, which: usize) -> Option<f64> {
        let cols: Vec<&[f64]> = x.iter().map(|&j| scaled[j].as_slice()).collect();
        let ref_norms: Vec<f64> = x.iter().map(|&j| norms[j]).collect();
        let qr = Qr::new(&cols, &ref_norms, self.collin_tol);
        let k = qr.kept.iter().position(|&j| j == which)?;
        Some(qr.solve(&scaled[y])[k])
    }

    /// The columns demeaned with weights `w` on the rows `active` (centred without fixed
    /// effects, raw without an intercept either).
    fn demean(&self, active: &[usize], raw: &[Vec<f64>], w: &[f64]) -> Option<Vec<Vec<f64>>> {
        if self.fixef.is_empty() {
            if !self.intercept {
                return Some(raw.to_vec());
            }
            let sw: f64 = w.iter().sum();
            return Some(
                raw.iter()
                    .map(|c| {
                        let m = c.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() / sw;
                        c.iter().map(|x| x - m).collect()
                    })
                    .collect(),
            );
        }
        let dims: Vec<(String, Vec<u32>, usize)> = self
            .fixef
            .iter()
            .map(|(name, codes, k)| (name.clone(), active.iter().map(|&r| codes[r]).collect(), *k))
            .collect();
        let fe = FixedEffects::new(dims, Some(w.to_vec())).ok()?;
        let refs: Vec<&[f64]> = raw.iter().map(|c| c.as_slice()).collect();
        Some(fe.demean_many(&refs, &self.opts).0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Column, Dataset};
    use crate::estimators::feols::{feols, VcovSpec};

    fn data() -> Dataset {
        let (mut u, mut t, mut d, mut x, mut m, mut y) = (vec![], vec![], vec![], vec![], vec![], vec![]);
        let mut s = 7u64;
        let mut noise = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5
        };
        for unit in 0..8 {
            for period in 0..5 {
                if unit == 3 && period == 2 {
                    continue;
                }
                let di = if unit < 3 && period >= 2 { 1.0 } else { 0.0 };
                let xi = noise();
                let mi = 0.7 * di + 0.3 * xi + noise();
                u.push(unit as f64);
                t.push(period as f64);
                d.push(di);
                x.push(xi);
                m.push(mi);
                y.push(0.1 * unit as f64 + 0.5 * di + 0.8 * mi + noise());
            }
        }
        let cols = vec![
            Column::numeric("u", u),
            Column::numeric("t", t),
            Column::numeric("D", d),
            Column::numeric("x", x),
            Column::numeric("m", m),
            Column::numeric("y", y),
        ];
        Dataset::from_columns(cols).unwrap()
    }

    #[test]
    fn a_weighted_fit_equals_the_refit_on_duplicated_clusters() {
        let ds = data();
        let f3 = FeolsSpec::new("y ~ D + m + x | u + t", VcovSpec::Iid);
        let bt = MediationBoot::new(&ds, &f3, Some("u")).unwrap();
        for times in [vec![1u32; 8], vec![2, 0, 1, 1, 0, 3, 0, 1], vec![0, 1, 2, 1, 1, 0, 2, 1]] {
            let mut idx = Vec::new();
            for (h, &k) in times.iter().enumerate() {
                for _ in 0..k {
                    idx.extend(bt.groups[h].iter().copied());
                }
            }
            let sub = ds.take_rows(&idx);
            let a = feols(&sub, &FeolsSpec::new("m ~ D + x | u + t", VcovSpec::Iid)).unwrap().coef("D").unwrap().estimate;
            let b = feols(&sub, &f3).unwrap().coef("m").unwrap().estimate;
            let got = bt.indirect(&times).unwrap();
            assert!((got - a * b).abs() < 1e-10, "{times:?}: {got} vs {}", a * b);
        }
    }
}
