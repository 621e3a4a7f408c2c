//! Solving a [`DemeanedDesign`]: first stages (IV), the main least-squares fit, the
//! intercept recovery, the variance and the fit statistics.

use super::fit::make_coefs;
use super::{ClusterInfo, DemeanedDesign, FeolsFit, FirstStage, FixedEffectInfo, VcovSpec};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::inference::dist::f_sf;
use crate::inference::vcov;
use crate::linalg::gram::gram_lstsq;
use crate::linalg::qr::{xtx_inv_from_r, Qr};
use std::borrow::Cow;

impl DemeanedDesign {
    /// Free fixed-effect coefficients (0 without fixed effects).
    fn fe_k(&self) -> usize {
        self.fe.as_ref().map_or(0, |f| f.n_coefficients())
    }

    /// `K` adjustment for clustered errors (fixef.K = "nested").
    fn nested_adjust(&self, clusters: &[(&[u32], usize)]) -> usize {
        let Some(fe) = &self.fe else { return 0 };
        let mut sub = 0;
        for d in &fe.dims {
            let nested = clusters.iter().any(|(codes, _)| {
                let mut owner = vec![u32::MAX; d.n_levels];
                d.codes.iter().zip(codes.iter()).all(|(&l, &c)| {
                    let o = &mut owner[l as usize];
                    if *o == u32::MAX {
                        *o = c;
                        true
                    } else {
                        *o == c
                    }
                })
            });
            if nested {
                sub += d.n_levels - 1;
            }
        }
        sub
    }

    /// Solves the model with the given variance type.
    pub fn fit(&self, vcov_spec: &VcovSpec, conf_level: f64) -> Result<FeolsFit> {
        let n = self.nobs();
        let mut diagnostics = self.notes.clone();
        let mut dropped: Vec<String> = self.notes.messages().into_iter().map(String::from).collect();
        let sc = Scaled::new(self);
        let clusters = self.cluster_codes(vcov_spec)?;
        let fe_k = self.fe_k();
        let nested = self.nested_adjust(&clusters);
        let ctx = VarianceCtx { spec: vcov_spec, clusters: &clusters, fe_k, nested };
        let (first_stage, dhat) = if self.endog.is_empty() {
            (None, Vec::new())
        } else {
            let (fs, dhat) = self.first_stages(&sc, &ctx, conf_level)?;
            (Some(fs), dhat)
        };
        // Main regression: QR on [X, D̂] (IV) or X (OLS).
        let MainColumns { names, qcols, acols, norms } = self.main_columns(&sc, &dhat);
        let MainSolve { kept, dropped: collinear, mut beta, bread } = self.solve_main(&qcols, &norms, &sc.y, dhat.is_empty());
        self.collinear_notes(&collinear, &names, &mut diagnostics, &mut dropped);
        let k_total = kept.len() + fe_k;
        self.check_estimable(kept.len(), k_total)?;
        let kept_q: Vec<&[f64]> = kept.iter().map(|&j| qcols[j]).collect();
        let kept_a: Vec<&[f64]> = kept.iter().map(|&j| acols[j]).collect();
        let es = scaled_residuals(&sc.y, &beta, &kept_a);
        let rss: f64 = es.iter().map(|v| v * v).sum();
        let (mut v, df_t, _gmin, k_vcov) = self.variance(&ctx, bread, &kept_q, &es)?;
        let kept_names: Vec<String> = kept.iter().map(|&j| names[j].clone()).collect();
        if self.intercept {
            self.recover_intercept(&kept, &mut beta, &mut v);
        }
        if clusters.len() == 2 && vcov::fix_negative_diagonal(&mut v) {
            let msg = "the two-way clustered variance had a negative diagonal entry; negative eigenvalues were set to \
                       zero (fixest's fix)";
            diagnostics.push(Diagnostic::warning(Code::VcovRepaired, msg));
            dropped.push(msg.into());
        }
        let stats = self.fit_stats(rss, n, k_total, fe_k, kept.len());
        let residuals: Vec<f64> = match &sc.sw {
            Some(s) => es.iter().zip(s).map(|(e, s)| e / s).collect(),
            None => es,
        };
        let clusters_info = cluster_info(vcov_spec, &clusters);
        let nf = n as f64;
        Ok(FeolsFit {
            formula: self.formula.clone(),
            depvar: self.depvar.clone(),
            coefficients: make_coefs(&kept_names, &beta, &v, df_t, conf_level),
            nobs: n,
            r2: stats.r2,
            adj_r2: stats.adj_r2,
            r2_within: stats.r2_within,
            adj_r2_within: stats.adj_r2_within,
            rmse: (rss / nf).sqrt(),
            sigma: (rss / stats.df_resid).sqrt(),
            rss,
            f_stat: stats.f.map(|f| f.0),
            f_p_value: stats.f.map(|f| f.1),
            f_df1: stats.f.map(|f| f.2),
            df_resid: stats.df_resid,
            df_resid_vcov: nf - k_vcov as f64,
            df_t,
            n_params: k_total,
            conf_level,
            vcov_type: vcov_spec.label(),
            clusters: clusters_info,
            fixed_effects: self.fixed_effect_info(),
            dropped,
            diagnostics,
            first_stage,
            vcov: v,
            iterations: self.demean_info.iterations,
            converged: self.demean_info.converged,
            weights: self.weights_name.clone(),
            has_intercept: self.intercept,
            residuals,
            rows: self.rows.clone(),
        })
    }

    /// The main regression's columns: names, the columns factored (`[X, D̂]` for IV),
    /// the actual columns (`[X, D]`) and their norms.
    fn main_columns<'a>(&self, sc: &'a Scaled, dhat: &'a [Vec<f64>]) -> MainColumns<'a> {
        let mut names = self.x_names.clone();
        names.extend(self.endog_names.iter().cloned());
        let mut qcols: Vec<&[f64]> = sc.x.iter().map(|c| c.as_ref()).collect();
        qcols.extend(dhat.iter().map(|c| c.as_slice()));
        let mut acols: Vec<&[f64]> = sc.x.iter().map(|c| c.as_ref()).collect();
        acols.extend(sc.endog.iter().map(|c| c.as_ref()));
        let mut norms = self.x_norms.clone();
        norms.extend(self.endog_norms.iter().copied());
        MainColumns { names, qcols, acols, norms }
    }

    /// The main least-squares solve. OLS with a well-conditioned design: the Gram matrix
    /// ([`gram_lstsq`], one pass over the data, refined); otherwise (IV, collinear or
    /// ill-conditioned columns) Householder QR with its collinearity rule.
    fn solve_main(&self, qcols: &[&[f64]], norms: &[f64], y: &[f64], ols: bool) -> MainSolve {
        if ols {
            if let Some(g) = gram_lstsq(qcols, y, norms, self.collin_tol) {
                let p = qcols.len();
                return MainSolve { kept: (0..p).collect(), dropped: Vec::new(), beta: g.beta, bread: xtx_inv_from_r(&g.r, p) };
            }
        }
        let qr = Qr::new(qcols, norms, self.collin_tol);
        let beta = qr.solve(y);
        MainSolve { bread: qr.xtx_inv(), beta, kept: qr.kept, dropped: qr.dropped }
    }

    /// Name and number of levels of each fixed-effect dimension.
    fn fixed_effect_info(&self) -> Vec<FixedEffectInfo> {
        self.fe
            .as_ref()
            .map(|f| f.dims.iter().map(|d| FixedEffectInfo { name: d.name.clone(), n_levels: d.n_levels }).collect())
            .unwrap_or_default()
    }

    /// The codes and sizes of the cluster variables the variance needs.
    fn cluster_codes(&self, vcov_spec: &VcovSpec) -> Result<Vec<(&[u32], usize)>> {
        match vcov_spec {
            VcovSpec::Cluster(names) => names
                .iter()
                .map(|nm| {
                    self.clusters
                        .iter()
                        .find(|c| &c.0 == nm)
                        .map(|c| (c.1.as_slice(), c.2))
                        .ok_or_else(|| Error::invalid(format!("cluster variable `{nm}` was not prepared for this design")))
                })
                .collect(),
            _ => Ok(Vec::new()),
        }
    }

    /// First stages of 2SLS: each endogenous variable on the exogenous regressors and the
    /// excluded instruments; returns their summaries and the fitted values `D̂` (scaled).
    fn first_stages(
        &self,
        sc: &Scaled,
        ctx: &VarianceCtx,
        conf_level: f64,
    ) -> Result<(Vec<FirstStage>, Vec<Vec<f64>>)> {
        let n = self.nobs();
        let mut cols: Vec<&[f64]> = sc.x.iter().map(|c| c.as_ref()).collect();
        cols.extend(sc.inst.iter().map(|c| c.as_ref()));
        let mut norms = self.x_norms.clone();
        norms.extend(self.inst_norms.iter().copied());
        let fq = Qr::new(&cols, &norms, self.collin_tol);
        let xq = Qr::new(&cols[..sc.x.len()], &self.x_norms, self.collin_tol);
        let z_idx: Vec<usize> = fq.kept.iter().enumerate().filter(|(_, &j)| j >= sc.x.len()).map(|(p, _)| p).collect();
        if z_idx.is_empty() {
            let with = if self.fe.is_some() {
                "the exogenous regressors and the fixed effects (an instrument that is constant within a fixed-effect group is absorbed by it)"
            } else {
                "the exogenous regressors"
            };
            return Err(Error::insufficient(format!("the excluded instruments are all collinear with {with}")));
        }
        let mut names = self.x_names.clone();
        names.extend(self.inst_names.iter().cloned());
        let fs_names: Vec<String> = fq.kept.iter().map(|&j| names[j].clone()).collect();
        let kept_cols: Vec<&[f64]> = fq.kept.iter().map(|&j| cols[j]).collect();
        let mut fs_out = Vec::new();
        let mut dhat = Vec::new();
        for (k, d) in sc.endog.iter().enumerate() {
            let res_u = fq.residual(d);
            let res_r = if sc.x.is_empty() { d.to_vec() } else { xq.residual(d) };
            let rss_u: f64 = res_u.iter().map(|v| v * v).sum();
            let rss_r: f64 = res_r.iter().map(|v| v * v).sum();
            let q = z_idx.len() as f64;
            let df2 = n as f64 - (fq.rank() + ctx.fe_k) as f64;
            let fstat = ((rss_r - rss_u) / q) / (rss_u / df2);
            dhat.push(d.iter().zip(&res_u).map(|(a, b)| a - b).collect());
            // first-stage coefficients with the model's vcov
            let beta = fq.solve(d);
            let core = self.variance(ctx, fq.xtx_inv(), &kept_cols, &res_u)?;
            let wt = vcov::wald_test(&beta, &core.0, &z_idx, core.1, Vec::new())?;
            fs_out.push(FirstStage {
                endogenous: self.endog_names[k].clone(),
                f_statistic: fstat,
                p_value: f_sf(fstat, q, df2),
                df1: q,
                df2,
                wald_statistic: wt.statistic,
                wald_p_value: wt.p_value,
                partial_r2: if rss_r > 0.0 { 1.0 - rss_u / rss_r } else { f64::NAN },
                coefficients: make_coefs(&fs_names, &beta, &core.0, core.1, conf_level),
            });
        }
        Ok((fs_out, dhat))
    }

    /// One note per regressor dropped as collinear.
    fn collinear_notes(&self, collinear: &[usize], names: &[String], diagnostics: &mut Diagnostics, dropped: &mut Vec<String>) {
        let why = if self.fe.is_some() {
            "collinear with the fixed effects or other regressors"
        } else if self.intercept {
            "collinear with the intercept or other regressors (or no variation)"
        } else {
            "collinear with other regressors"
        };
        for &j in collinear {
            let msg = format!("variable `{}` removed: {why}", names[j]);
            diagnostics.push(Diagnostic::info(Code::CollinearDropped, msg.clone()));
            dropped.push(msg);
        }
    }

    /// Errors when nothing can be estimated or there are no residual degrees of freedom.
    fn check_estimable(&self, rank: usize, k_total: usize) -> Result<()> {
        let n = self.nobs();
        if rank == 0 {
            return Err(Error::insufficient(format!(
                "no regressor can be estimated: {}",
                if self.x.is_empty() && self.endog.is_empty() {
                    "the model has no regressors"
                } else {
                    "all regressors are collinear with the fixed effects (or have no variation)"
                }
            )));
        }
        if k_total >= n {
            return Err(Error::insufficient(format!(
                "the model has {k_total} parameters (including fixed effects) but only {n} observations"
            )));
        }
        Ok(())
    }

    /// Intercept back-transformation of the centred fit: `α = a − Σ m_j β_j` and its
    /// covariance row `t'V` with `t = (1, −m)`.
    fn recover_intercept(&self, kept: &[usize], beta: &mut [f64], v: &mut [Vec<f64>]) {
        let mut means = self.x_means.clone();
        means.extend(self.endog_means.iter().copied());
        let m: Vec<f64> = kept.iter().map(|&j| means[j]).collect();
        let Some(p0) = kept.iter().position(|&j| j == 0) else { return };
        let t: Vec<f64> = (0..m.len()).map(|i| if i == p0 { 1.0 } else { -m[i] }).collect();
        beta[p0] = beta.iter().zip(&t).map(|(b, t)| b * t).sum::<f64>() + self.y_mean;
        let tv: Vec<f64> = (0..m.len()).map(|j| (0..m.len()).map(|i| t[i] * v[i][j]).sum()).collect();
        let tvt: f64 = tv.iter().zip(&t).map(|(a, b)| a * b).sum();
        for j in 0..m.len() {
            v[p0][j] = tv[j];
            v[j][p0] = tv[j];
        }
        v[p0][p0] = tvt;
    }

    /// R², within R², residual df and the F test of all slopes (OLS only).
    fn fit_stats(&self, rss: f64, n: usize, k_total: usize, fe_k: usize, rank: usize) -> FitStats {
        let nf = n as f64;
        let r2 = 1.0 - rss / self.tss;
        let adj_r2 = 1.0 - (1.0 - r2) * (nf - 1.0) / (nf - k_total as f64);
        let (r2_within, adj_r2_within) = if self.fe.is_some() {
            let w = 1.0 - rss / self.tss_within;
            (Some(w), Some(1.0 - (1.0 - w) * (nf - fe_k as f64) / (nf - k_total as f64)))
        } else {
            (None, None)
        };
        let p_slopes = rank - usize::from(self.intercept);
        let df_resid = nf - k_total as f64;
        let f = if self.endog.is_empty() && p_slopes > 0 {
            let f = ((self.tss_within - rss) / p_slopes as f64) / (rss / df_resid);
            Some((f, f_sf(f, p_slopes as f64, df_resid), p_slopes as f64))
        } else {
            None
        };
        FitStats { r2, adj_r2, r2_within, adj_r2_within, df_resid, f }
    }

    /// Variance matrix, t degrees of freedom, G_min and the `K` of the small-sample
    /// correction for a solved system.
    fn variance(&self, ctx: &VarianceCtx, bread: Vec<Vec<f64>>, cols: &[&[f64]], es: &[f64]) -> Result<(Vec<Vec<f64>>, f64, usize, usize)> {
        let VarianceCtx { spec, clusters, fe_k, nested } = *ctx;
        let n = es.len();
        let k = cols.len() + fe_k;
        Ok(match spec {
            VcovSpec::Iid => {
                let rss: f64 = es.iter().map(|v| v * v).sum();
                (vcov::vcov_iid(&bread, rss, n, k), n as f64 - k as f64, 0, k)
            }
            VcovSpec::Hetero => (vcov::vcov_hetero(&bread, cols, es, None, k), n as f64 - k as f64, 0, k),
            VcovSpec::Cluster(_) => {
                let (v, g) = vcov::vcov_cluster(&bread, cols, es, None, clusters, k - nested)?;
                (v, g as f64 - 1.0, g, k - nested)
            }
        })
    }
}

/// The main regression solved: kept and dropped (collinear) columns, coefficients of the kept
/// ones and `(X'X)⁻¹` (the variance's bread).
struct MainSolve {
    kept: Vec<usize>,
    dropped: Vec<usize>,
    beta: Vec<f64>,
    bread: Vec<Vec<f64>>,
}

/// The columns of the main regression, see [`DemeanedDesign::main_columns`].
struct MainColumns<'a> {
    names: Vec<String>,
    qcols: Vec<&'a [f64]>,
    acols: Vec<&'a [f64]>,
    norms: Vec<f64>,
}

/// Residuals in scaled space, with the actual (not instrumented) columns.
fn scaled_residuals(y: &[f64], beta: &[f64], cols: &[&[f64]]) -> Vec<f64> {
    let mut es = y.to_vec();
    for (b, c) in beta.iter().zip(cols) {
        for (e, v) in es.iter_mut().zip(c.iter()) {
            *e -= b * v;
        }
    }
    es
}

/// Name and number of clusters of each cluster variable (none unless clustered).
fn cluster_info(vcov_spec: &VcovSpec, clusters: &[(&[u32], usize)]) -> Vec<ClusterInfo> {
    match vcov_spec {
        VcovSpec::Cluster(names) => names
            .iter()
            .zip(clusters)
            .map(|(nm, (_, g))| ClusterInfo { name: nm.clone(), n: *g })
            .collect(),
        _ => Vec::new(),
    }
}

/// What the variance needs besides the solved system.
#[derive(Clone, Copy)]
struct VarianceCtx<'a> {
    spec: &'a VcovSpec,
    clusters: &'a [(&'a [u32], usize)],
    fe_k: usize,
    nested: usize,
}

/// The model's variables scaled by `√w` (weighted least squares); borrowed when unweighted.
struct Scaled<'a> {
    sw: Option<Vec<f64>>,
    y: Cow<'a, [f64]>,
    x: Vec<Cow<'a, [f64]>>,
    endog: Vec<Cow<'a, [f64]>>,
    inst: Vec<Cow<'a, [f64]>>,
}

impl<'a> Scaled<'a> {
    fn new(d: &'a DemeanedDesign) -> Scaled<'a> {
        let sw: Option<Vec<f64>> = d.weights.as_ref().map(|w| w.iter().map(|v| v.sqrt()).collect());
        let scale = |v: &'a [f64]| -> Cow<'a, [f64]> {
            match &sw {
                Some(s) => Cow::Owned(v.iter().zip(s).map(|(a, b)| a * b).collect()),
                None => Cow::Borrowed(v),
            }
        };
        let y = scale(&d.y);
        let x = d.x.iter().map(|c| scale(c)).collect();
        let endog = d.endog.iter().map(|c| scale(c)).collect();
        let inst = d.inst.iter().map(|c| scale(c)).collect();
        Scaled { sw, y, x, endog, inst }
    }
}

/// Fit statistics of [`DemeanedDesign::fit`].
struct FitStats {
    r2: f64,
    adj_r2: f64,
    r2_within: Option<f64>,
    adj_r2_within: Option<f64>,
    df_resid: f64,
    /// F statistic, p-value and numerator df.
    f: Option<(f64, f64, f64)>,
}
