//! The demeaned design: sample, fixed effects and demeaned variables of a model, built once
//! and solved (or re-solved with modified columns) cheaply.

use super::{FeolsSpec, VcovSpec};
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::formula::{self, ModelFrame};
use crate::linalg::demean::{singleton_mask, DemeanInfo, DemeanOptions, FixedEffects};
use crate::linalg::qr::norm;

/// A model's sample, fixed-effect structure and demeaned variables, ready to
/// be solved (and re-solved with modified columns) cheaply.
#[derive(Debug, Clone)]
pub struct DemeanedDesign {
    /// The formula.
    pub formula: String,
    /// Dependent variable name.
    pub depvar: String,
    /// Rows of the dataset in the sample.
    pub rows: Vec<usize>,
    /// Number of rows of the dataset.
    pub n_data: usize,
    /// Fixed effects on the sample (None without fixed effects).
    pub fe: Option<FixedEffects>,
    /// Weight column name.
    pub weights_name: Option<String>,
    /// Weights on the sample.
    pub weights: Option<Vec<f64>>,
    /// Demeaned (or centred) dependent variable.
    pub y: Vec<f64>,
    /// Exogenous regressor names (with `Intercept` first when there is one).
    pub x_names: Vec<String>,
    /// Demeaned exogenous regressors.
    pub x: Vec<Vec<f64>>,
    /// Endogenous regressor names (IV).
    pub endog_names: Vec<String>,
    /// Demeaned endogenous regressors.
    pub endog: Vec<Vec<f64>>,
    /// Excluded instrument names.
    pub inst_names: Vec<String>,
    /// Demeaned instruments.
    pub inst: Vec<Vec<f64>>,
    /// Cluster variables on the sample: name, codes, number of clusters.
    pub clusters: Vec<(String, Vec<u32>, usize)>,
    /// Explicit intercept column at `x[0]` (no fixed effects).
    pub intercept: bool,
    /// Notes (missing rows, singletons).
    pub notes: Diagnostics,
    /// Demeaning iterations / convergence.
    pub demean_info: DemeanInfo,
    pub(super) x_norms: Vec<f64>,
    pub(super) endog_norms: Vec<f64>,
    pub(super) inst_norms: Vec<f64>,
    /// Weighted means of exog (first entry 0 for the intercept) and endog columns (intercept models).
    pub(super) x_means: Vec<f64>,
    pub(super) endog_means: Vec<f64>,
    pub(super) y_mean: f64,
    pub(super) tss: f64,
    pub(super) tss_within: f64,
    pub(super) opts: DemeanOptions,
    pub(super) collin_tol: f64,
}

pub(super) fn weighted_mean(v: &[f64], w: Option<&[f64]>) -> f64 {
    match w {
        Some(w) => v.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / w.iter().sum::<f64>(),
        None => v.iter().sum::<f64>() / v.len() as f64,
    }
}

fn subset_frame(f: &mut ModelFrame, keep: &[bool]) {
    let pick = |v: &Vec<f64>| v.iter().zip(keep).filter(|(_, k)| **k).map(|(x, _)| *x).collect::<Vec<f64>>();
    f.y = pick(&f.y);
    for b in f.exog.iter_mut().chain(f.endog.iter_mut()).chain(f.instruments.iter_mut()) {
        for c in b.columns.iter_mut() {
            *c = pick(c);
        }
    }
    if let Some(w) = &f.weights {
        f.weights = Some(pick(w));
    }
    f.rows = f.rows.iter().zip(keep).filter(|(_, k)| **k).map(|(r, _)| *r).collect();
    let recode = |v: &mut (String, Vec<u32>, usize)| {
        let codes: Vec<u32> = v.1.iter().zip(keep).filter(|(_, k)| **k).map(|(c, _)| *c).collect();
        let mut map = vec![u32::MAX; v.2];
        for &c in &codes {
            map[c as usize] = 0;
        }
        let mut k = 0;
        for m in map.iter_mut() {
            if *m == 0 {
                *m = k;
                k += 1;
            }
        }
        v.1 = codes.iter().map(|&c| map[c as usize]).collect();
        v.2 = k as usize;
    };
    f.fixef.iter_mut().for_each(recode);
    f.clusters.iter_mut().for_each(recode);
}

impl DemeanedDesign {
    /// Parses the formula, builds the sample and demeans every variable.
    pub fn new(ds: &Dataset, spec: &FeolsSpec) -> Result<DemeanedDesign> {
        if !(spec.conf_level > 0.0 && spec.conf_level < 1.0) {
            return Err(Error::invalid(format!("conf_level must be between 0 and 1 (got {})", spec.conf_level)));
        }
        let f = spec.formula.formula()?;
        let (mut frame, mut notes) = sample_frame(ds, spec, &f)?;
        let opts = DemeanOptions { tol: spec.fixef_tol, maxiter: spec.fixef_maxiter, krylov: true };
        let (mut x_names, xr) = flat(std::mem::take(&mut frame.exog));
        let (endog_names, dr) = flat(std::mem::take(&mut frame.endog));
        let (inst_names, zr) = flat(std::mem::take(&mut frame.instruments));
        let w = frame.weights.as_deref();
        let mut x_norms: Vec<f64> = xr.iter().map(|c| norm(c, w)).collect();
        let endog_norms: Vec<f64> = dr.iter().map(|c| norm(c, w)).collect();
        let inst_norms: Vec<f64> = zr.iter().map(|c| norm(c, w)).collect();
        let y_mean = weighted_mean(&frame.y, w);
        let mut v = if !frame.fixef.is_empty() {
            demean_by_fixed_effects(&mut frame, [xr, dr, zr], y_mean, &opts, &mut notes)?
        } else if frame.intercept {
            center(&frame, [xr, dr, zr], y_mean)
        } else {
            raw(&frame, [xr, dr, zr], y_mean)
        };
        if frame.intercept {
            v.x.insert(0, vec![1.0; frame.nobs()]);
            x_names.insert(0, "Intercept".to_string());
            x_norms.insert(0, norm(&v.x[0], frame.weights.as_deref()));
            v.x_means.insert(0, 0.0);
        }
        Ok(DemeanedDesign {
            formula: spec.formula.text().to_string(),
            depvar: frame.depvar.clone(),
            rows: std::mem::take(&mut frame.rows),
            n_data: ds.nrows(),
            fe: v.fe,
            weights_name: spec.weights.clone(),
            weights: frame.weights.take(),
            y: v.y,
            x_names,
            x: v.x,
            endog_names,
            endog: v.endog,
            inst_names,
            inst: v.inst,
            clusters: std::mem::take(&mut frame.clusters),
            intercept: frame.intercept,
            notes,
            demean_info: v.info,
            x_norms,
            endog_norms,
            inst_norms,
            x_means: v.x_means,
            endog_means: v.endog_means,
            y_mean,
            tss: v.tss,
            tss_within: v.tss_within,
            opts,
            collin_tol: spec.collin_tol,
        })
    }

    /// Number of observations in the sample.
    pub fn nobs(&self) -> usize {
        self.y.len()
    }

    /// The demeaning options (tolerance, iterations) the design was demeaned with.
    pub fn demean_options(&self) -> DemeanOptions {
        self.opts
    }

    /// Demeans a new column given for every dataset row (length `n_data`),
    /// using the same sample, weights and fixed effects. Errors if a sample
    /// row is missing.
    pub fn demean_extra(&self, column: &[f64]) -> Result<Vec<f64>> {
        if column.len() != self.n_data {
            return Err(Error::invalid(format!(
                "the new column has {} values, the dataset has {} rows",
                column.len(),
                self.n_data
            )));
        }
        let v: Vec<f64> = self.rows.iter().map(|&i| column[i]).collect();
        self.demean_sample(&v)
    }

    /// Demeans (or centres) a column given on the sample rows.
    pub fn demean_sample(&self, v: &[f64]) -> Result<Vec<f64>> {
        if v.len() != self.nobs() {
            return Err(Error::invalid("the column length differs from the number of observations"));
        }
        if v.iter().any(|x| !x.is_finite()) {
            return Err(Error::invalid("the new column has missing values in the estimation sample"));
        }
        Ok(match &self.fe {
            Some(fe) => fe.demean(v, &self.opts).0,
            None if self.intercept => {
                let m = weighted_mean(v, self.weights.as_deref());
                v.iter().map(|x| x - m).collect()
            }
            None => v.to_vec(),
        })
    }

    /// A copy with the exogenous column `name` replaced by (or, if absent,
    /// extended with) an already-demeaned column (from [`Self::demean_extra`]).
    /// Intercept models: the replacement is treated as centred with mean 0.
    pub fn with_demeaned_column(&self, name: &str, demeaned: Vec<f64>) -> Result<DemeanedDesign> {
        if demeaned.len() != self.nobs() {
            return Err(Error::invalid("the column length differs from the number of observations"));
        }
        let mut d = self.clone();
        let nrm = norm(&demeaned, d.weights.as_deref()).max(f64::MIN_POSITIVE);
        match d.x_names.iter().position(|n| n == name) {
            Some(j) => {
                d.x[j] = demeaned;
                d.x_norms[j] = nrm;
                if d.intercept {
                    d.x_means[j] = 0.0;
                }
            }
            None => {
                d.x_names.push(name.to_string());
                d.x.push(demeaned);
                d.x_norms.push(nrm);
                if d.intercept {
                    d.x_means.push(0.0);
                }
            }
        }
        Ok(d)
    }

    /// Adds (or replaces) a cluster variable, taking its codes on the sample rows.
    pub fn add_cluster(&mut self, ds: &Dataset, name: &str) -> Result<()> {
        let all = formula::frame::group_codes(ds, name)?;
        let n_levels = all.iter().filter(|&&c| c != crate::data::Factor::MISSING).map(|&c| c as usize + 1).max().unwrap_or(0);
        let codes: Vec<u32> = self.rows.iter().map(|&i| all[i]).collect();
        if codes.contains(&crate::data::Factor::MISSING) {
            return Err(Error::invalid(format!("cluster variable `{name}` has missing values in the estimation sample")));
        }
        let mut map = vec![u32::MAX; n_levels];
        let mut k = 0u32;
        let mut out = Vec::with_capacity(codes.len());
        for c in codes {
            let m = &mut map[c as usize];
            if *m == u32::MAX {
                *m = k;
                k += 1;
            }
            out.push(*m);
        }
        self.clusters.retain(|c| c.0 != name);
        self.clusters.push((name.to_string(), out, k as usize));
        Ok(())
    }

}

/// The model frame of `f` on `ds` (rows with a missing value dropped) and, with fixed
/// effects and `fixef_rm_singletons`, without singleton groups; with the notes on both.
fn sample_frame(ds: &Dataset, spec: &FeolsSpec, f: &formula::Formula) -> Result<(ModelFrame, Diagnostics)> {
    let cl: Vec<String> = match &spec.vcov {
        VcovSpec::Cluster(c) => c.clone(),
        _ => Vec::new(),
    };
    let mut frame = ModelFrame::build(ds, f, spec.weights.as_deref(), &cl)?;
    let mut notes: Diagnostics =
        frame.notes.iter().map(|m| Diagnostic::info(Code::MissingRowsDropped, m.clone())).collect();
    if !frame.fixef.is_empty() && spec.fixef_rm_singletons {
        let dims: Vec<(&[u32], usize)> = frame.fixef.iter().map(|(_, c, k)| (c.as_slice(), *k)).collect();
        let (keep, removed) = singleton_mask(&dims);
        if removed > 0 {
            notes.push(Diagnostic::info(
                Code::SingletonsDropped,
                format!("{removed} singleton observation(s) removed (fixed-effect groups with one observation)"),
            ));
            subset_frame(&mut frame, &keep);
            if frame.y.is_empty() {
                return Err(Error::insufficient("no observations left after removing singleton fixed-effect groups"));
            }
        }
    }
    Ok((frame, notes))
}

/// The names and columns of term blocks, in order.
fn flat(blocks: Vec<formula::TermBlock>) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut names = Vec::new();
    let mut cols = Vec::new();
    for b in blocks {
        names.extend(b.names);
        cols.extend(b.columns);
    }
    (names, cols)
}

/// The transformed variables of a design (demeaned, centred or raw).
struct Transformed {
    fe: Option<FixedEffects>,
    info: DemeanInfo,
    y: Vec<f64>,
    x: Vec<Vec<f64>>,
    endog: Vec<Vec<f64>>,
    inst: Vec<Vec<f64>>,
    x_means: Vec<f64>,
    endog_means: Vec<f64>,
    tss: f64,
    tss_within: f64,
}

/// `Σ w_i (v_i − m)²`.
fn weighted_ss(v: &[f64], m: f64, w: Option<&[f64]>) -> f64 {
    v.iter().enumerate().map(|(i, x)| w.map_or(1.0, |w| w[i]) * (x - m).powi(2)).sum()
}

/// With fixed effects: every variable demeaned by them (`[x, endog, instruments]` columns).
fn demean_by_fixed_effects(
    frame: &mut ModelFrame,
    [xr, dr, zr]: [Vec<Vec<f64>>; 3],
    y_mean: f64,
    opts: &DemeanOptions,
    notes: &mut Diagnostics,
) -> Result<Transformed> {
    let w = frame.weights.as_deref();
    let fx = FixedEffects::new(std::mem::take(&mut frame.fixef), frame.weights.clone())?;
    let mut all: Vec<&[f64]> = vec![&frame.y];
    all.extend(xr.iter().map(|c| c.as_slice()));
    all.extend(dr.iter().map(|c| c.as_slice()));
    all.extend(zr.iter().map(|c| c.as_slice()));
    let (mut dm, info) = fx.demean_many(&all, opts);
    if info.krylov_iterations > 0 {
        notes.push(Diagnostic::info(
            Code::DemeanKrylov,
            format!(
                "the fixed effects are poorly connected: alternating projections stalled after {} iterations and \
                 the demeaning was finished by conjugate gradient ({} iterations)",
                info.iterations, info.krylov_iterations
            ),
        ));
    }
    if !info.converged {
        notes.push(Diagnostic::warning(
            Code::DemeanNotConverged,
            format!(
                "demeaning did not converge in {} iterations (tolerance {:e}); results may be inaccurate",
                info.iterations, opts.tol
            ),
        ));
    }
    let inst = dm.split_off(1 + xr.len() + dr.len());
    let endog = dm.split_off(1 + xr.len());
    let x = dm.split_off(1);
    let y = dm.pop().unwrap_or_default();
    let tss = weighted_ss(&frame.y, y_mean, w);
    let tss_within = weighted_ss(&y, 0.0, w);
    Ok(Transformed { fe: Some(fx), info, y, x, endog, inst, x_means: Vec::new(), endog_means: Vec::new(), tss, tss_within })
}

/// Without fixed effects but with an intercept: every variable centred at its weighted mean
/// (the intercept is a one-level fixed effect; its estimate is recovered from the means).
fn center(frame: &ModelFrame, [xr, dr, zr]: [Vec<Vec<f64>>; 3], y_mean: f64) -> Transformed {
    let w = frame.weights.as_deref();
    let center = |c: &Vec<f64>| -> (Vec<f64>, f64) {
        let m = weighted_mean(c, w);
        (c.iter().map(|v| v - m).collect(), m)
    };
    let y: Vec<f64> = frame.y.iter().map(|v| v - y_mean).collect();
    let (x, x_means): (Vec<Vec<f64>>, Vec<f64>) = xr.iter().map(center).unzip();
    let (endog, endog_means): (Vec<Vec<f64>>, Vec<f64>) = dr.iter().map(center).unzip();
    let inst = zr.iter().map(|c| center(c).0).collect();
    let tss = weighted_ss(&y, 0.0, w);
    let info = DemeanInfo { iterations: 0, converged: true, krylov_iterations: 0 };
    Transformed { fe: None, info, y, x, endog, inst, x_means, endog_means, tss, tss_within: tss }
}

/// Neither fixed effects nor an intercept: the raw variables.
fn raw(frame: &ModelFrame, [x, endog, inst]: [Vec<Vec<f64>>; 3], y_mean: f64) -> Transformed {
    let w = frame.weights.as_deref();
    let y = frame.y.clone();
    // r2 around the mean even without an intercept (fixest/pyfixest);
    // the F test of all coefficients uses the raw sum of squares.
    let tss = weighted_ss(&y, y_mean, w);
    let tss_within = weighted_ss(&y, 0.0, w);
    let info = DemeanInfo { iterations: 0, converged: true, krylov_iterations: 0 };
    Transformed { fe: None, info, y, x, endog, inst, x_means: Vec::new(), endog_means: Vec::new(), tss, tss_within }
}
