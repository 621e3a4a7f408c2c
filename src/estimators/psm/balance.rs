//! Covariate balance before and after matching, as Stata's `pstest, both`.
//!
//! For each covariate (each column of the propensity design but the
//! intercept, so a categorical covariate gives one row per non-reference level):
//!
//! * means of treated and controls, before (unweighted, whole estimation
//!   sample) and after matching (weighted by the matching weights `wᵢ` of the
//!   matched sample; unmatched units have weight 0);
//! * standardised % bias `100 (x̄_T − x̄_C) / √((s²_T + s²_C)/2)` where the
//!   denominator uses the **unmatched** sample variances both before and after
//!   (pstest's definition, so the two are comparable);
//! * % bias reduction `100 (|B_before| − |B_after|) / |B_before|`;
//! * t-test of equal means: the OLS (after: WLS with the matching weights as
//!   importance weights, residual df = Σw − 2) regression of the covariate on
//!   the treatment dummy, as pstest's `regress v treated [iw=w]`;
//! * variance ratio `s²_T / s²_C` (after: weighted variances
//!   `Σw(x−x̄)²/(Σw−1)`), reported for non-binary covariates only.
//!
//! Overall rows (pstest): a **probit** of treatment on the covariates on the
//! unmatched sample and on the matched sample with the matching weights gives
//! McFadden's pseudo-R² `1 − ℓ/ℓ₀`, the LR χ² `2(ℓ − ℓ₀)` and its p-value; mean
//! and median |% bias|; Rubin's B (the standardised % bias of the probit linear
//! index) and Rubin's R (the ratio of its treated to control variance).

use super::design::Design;
use super::propensity::{fit_binary_with, BinaryFit, FitOptions};
use super::Link;
use crate::inference::dist::{chi2_sf, t_pvalue_two_sided};
use crate::inference::stats::median;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use serde::Serialize;

/// Balance of one covariate.
#[derive(Debug, Clone, Serialize)]
pub struct BalanceRow {
    /// Covariate (design column) name.
    pub variable: String,
    pub mean_treated_before: f64,
    pub mean_control_before: f64,
    pub mean_treated_after: f64,
    pub mean_control_after: f64,
    /// Standardised % bias before matching.
    pub bias_before: f64,
    /// Standardised % bias after matching (unmatched variances in the denominator).
    pub bias_after: f64,
    /// % reduction in |bias|.
    pub bias_reduction: f64,
    pub t_before: f64,
    pub p_before: f64,
    pub t_after: f64,
    pub p_after: f64,
    /// Variance ratio treated/control (NaN → null for binary covariates).
    pub var_ratio_before: f64,
    pub var_ratio_after: f64,
}

/// Overall balance statistics.
#[derive(Debug, Clone, Serialize)]
pub struct BalanceOverall {
    pub pseudo_r2_before: f64,
    pub pseudo_r2_after: f64,
    pub lr_chi2_before: f64,
    pub lr_chi2_after: f64,
    pub p_chi2_before: f64,
    pub p_chi2_after: f64,
    pub mean_bias_before: f64,
    pub mean_bias_after: f64,
    pub median_bias_before: f64,
    pub median_bias_after: f64,
    /// Rubin's B (|standardised % bias| of the linear index).
    pub rubin_b_before: f64,
    pub rubin_b_after: f64,
    /// Rubin's R (variance ratio of the linear index).
    pub rubin_r_before: f64,
    pub rubin_r_after: f64,
}

/// The balance table.
#[derive(Debug, Clone, Serialize)]
pub struct BalanceTable {
    pub rows: Vec<BalanceRow>,
    pub overall: BalanceOverall,
}

struct WStats {
    mean: f64,
    var: f64,
    sw: f64,
}

fn wstats(x: &[f64], w: &[f64], keep: impl Fn(usize) -> bool) -> WStats {
    let (mut sw, mut sx) = (0.0, 0.0);
    for i in 0..x.len() {
        if keep(i) && w[i] > 0.0 {
            sw += w[i];
            sx += w[i] * x[i];
        }
    }
    let mean = if sw > 0.0 { sx / sw } else { f64::NAN };
    let mut ss = 0.0;
    for i in 0..x.len() {
        if keep(i) && w[i] > 0.0 {
            ss += w[i] * (x[i] - mean) * (x[i] - mean);
        }
    }
    let var = if sw > 1.0 { ss / (sw - 1.0) } else { f64::NAN };
    WStats { mean, var, sw }
}

/// The t-test of equal means from the two groups' (weighted) statistics.
fn ttest(s1: &WStats, s0: &WStats) -> (f64, f64) {
    let sw = s1.sw + s0.sw;
    let rss = s1.var * (s1.sw - 1.0) + s0.var * (s0.sw - 1.0);
    let df = sw - 2.0;
    if df.is_nan() || df <= 0.0 || s1.sw <= 0.0 || s0.sw <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let se = (rss / df * (1.0 / s1.sw + 1.0 / s0.sw)).sqrt();
    let t = (s1.mean - s0.mean) / se;
    (t, t_pvalue_two_sided(t, df))
}


/// [`wstats`] of every design column (index 0, the intercept, included but unused) in the
/// groups [treated, controls] × [before (unit weights), after (`w_after`)], as
/// `[before treated, before controls, after treated, after controls]`, and whether each
/// column is binary (0/1): two passes over the rows for all of them, each sum adding the
/// rows in order with the same terms as `wstats` column by column.
fn column_stats(d: &Design, w_after: &[f64]) -> (Vec<[WStats; 4]>, Vec<bool>) {
    let p = d.p;
    let rows = || d.x.chunks_exact(p).take(d.n()).zip(d.treat.iter().zip(w_after));
    let group = |t: bool| if t { (0, 2) } else { (1, 3) };
    let mut sw = [0.0; 4];
    let mut sx = vec![[0.0; 4]; p];
    let mut binary = vec![true; p];
    for (row, (&t, &wa)) in rows() {
        let (gb, ga) = group(t);
        sw[gb] += 1.0;
        if wa > 0.0 {
            sw[ga] += wa;
        }
        for (j, &x) in row.iter().enumerate() {
            binary[j] &= x == 0.0 || x == 1.0;
            sx[j][gb] += 1.0 * x;
            if wa > 0.0 {
                sx[j][ga] += wa * x;
            }
        }
    }
    let mean: Vec<[f64; 4]> = sx.iter().map(|s| std::array::from_fn(|g| if sw[g] > 0.0 { s[g] / sw[g] } else { f64::NAN })).collect();
    let mut ss = vec![[0.0; 4]; p];
    for (row, (&t, &wa)) in rows() {
        let (gb, ga) = group(t);
        for (j, &x) in row.iter().enumerate() {
            let m = &mean[j];
            ss[j][gb] += 1.0 * (x - m[gb]) * (x - m[gb]);
            if wa > 0.0 {
                ss[j][ga] += wa * (x - m[ga]) * (x - m[ga]);
            }
        }
    }
    let stats = (0..p)
        .map(|j| std::array::from_fn(|g| WStats { mean: mean[j][g], var: if sw[g] > 1.0 { ss[j][g] / (sw[g] - 1.0) } else { f64::NAN }, sw: sw[g] }))
        .collect();
    (stats, binary)
}

/// Pseudo-R², LR χ², p, Rubin's B and R from a (weighted) probit. Rows with zero weight
/// (unmatched units) add nothing to any sum of the fit, so it runs on the others only.
/// `prior` is a fit of the propensity model on all rows with unit weights: reused as is
/// when it is this very probit, else (logit coefficients × 0.625 ≈ the probit's) Newton's
/// starting point, and its column checks (same rows, same weights) are not repeated.
fn overall_fit(d: &Design, w: &[f64], prior: Option<(&BinaryFit, Link)>, diagnostics: &mut Diagnostics, stage: &str) -> [f64; 5] {
    let keep: Vec<usize> = (0..d.n()).filter(|&i| w[i] != 0.0).collect();
    let compact = keep.len() < d.n();
    let (x, treat, wk): (std::borrow::Cow<[f64]>, std::borrow::Cow<[bool]>, std::borrow::Cow<[f64]>) = if compact {
        let mut x = Vec::with_capacity(keep.len() * d.p);
        for &i in &keep {
            x.extend_from_slice(&d.x[i * d.p..(i + 1) * d.p]);
        }
        (x.into(), keep.iter().map(|&i| d.treat[i]).collect::<Vec<_>>().into(), keep.iter().map(|&i| w[i]).collect::<Vec<_>>().into())
    } else {
        (d.x.as_slice().into(), d.treat.as_slice().into(), w.into())
    };
    let unit = !compact && w.iter().all(|&v| v == 1.0);
    let fitted;
    let f = match prior {
        Some((f, Link::Probit)) if unit && f.eta.len() == d.n() => Ok(f),
        _ => {
            let start: Option<Vec<f64>> = prior.map(|(f, _)| f.beta.iter().map(|b| b * 0.625).collect());
            // the prior's fit checked the columns on these very rows and (unit) weights
            let checked = unit && prior.is_some_and(|(f, _)| f.eta.len() == d.n());
            let opt = FitOptions { start: start.as_deref(), checked, no_mu: true };
            fitted = fit_binary_with(Link::Probit, &x, keep.len(), d.p, &treat, &wk, &d.names, opt);
            fitted.as_ref().map_err(|e| e.to_string())
        }
    };
    match f {
        Ok(f) => {
            let r2 = 1.0 - f.loglik / f.loglik_null;
            let lr = 2.0 * (f.loglik - f.loglik_null);
            let p = chi2_sf(lr, (d.p - 1) as f64);
            let s1 = wstats(&f.eta, &wk, |i| treat[i]);
            let s0 = wstats(&f.eta, &wk, |i| !treat[i]);
            let b = 100.0 * (s1.mean - s0.mean) / ((s1.var + s0.var) / 2.0).sqrt();
            [r2, lr, p, b, s1.var / s0.var]
        }
        Err(e) => {
            diagnostics.push(Diagnostic::warning(
                Code::MatchingNote,
                format!("balance: the probit of treatment on the covariates {stage} matching failed: {e}"),
            ));
            [f64::NAN; 5]
        }
    }
}

/// Computes the balance table; `w_after` is the matching weight of each estimation row and
/// `prop` the propensity model's fit (all estimation rows, unit weights) and link.
pub(crate) fn balance(d: &Design, w_after: &[f64], prop: (&BinaryFit, Link), diagnostics: &mut Diagnostics) -> BalanceTable {
    let ones = vec![1.0; d.n()];
    let (stats, binary) = column_stats(d, w_after);
    let mut rows = Vec::with_capacity(d.p.saturating_sub(1));
    for j in 1..d.p {
        let binary = binary[j];
        let [b1, b0, a1, a0] = &stats[j];
        let denom = ((b1.var + b0.var) / 2.0).sqrt();
        let bias_before = 100.0 * (b1.mean - b0.mean) / denom;
        let bias_after = 100.0 * (a1.mean - a0.mean) / denom;
        let (t_before, p_before) = ttest(b1, b0);
        let (t_after, p_after) = ttest(a1, a0);
        rows.push(BalanceRow {
            variable: d.names[j].clone(),
            mean_treated_before: b1.mean,
            mean_control_before: b0.mean,
            mean_treated_after: a1.mean,
            mean_control_after: a0.mean,
            bias_before,
            bias_after,
            bias_reduction: 100.0 * (bias_before.abs() - bias_after.abs()) / bias_before.abs(),
            t_before,
            p_before,
            t_after,
            p_after,
            var_ratio_before: if binary { f64::NAN } else { b1.var / b0.var },
            var_ratio_after: if binary { f64::NAN } else { a1.var / a0.var },
        });
    }
    let ab: Vec<f64> = rows.iter().map(|r| r.bias_before.abs()).collect();
    let aa: Vec<f64> = rows.iter().map(|r| r.bias_after.abs()).collect();
    let mean = |v: &[f64]| {
        let f: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
        if f.is_empty() {
            f64::NAN
        } else {
            f.iter().sum::<f64>() / f.len() as f64
        }
    };
    let before = overall_fit(d, &ones, Some(prop), diagnostics, "before");
    let after = overall_fit(d, w_after, None, diagnostics, "after");
    let overall = BalanceOverall {
        pseudo_r2_before: before[0],
        pseudo_r2_after: after[0],
        lr_chi2_before: before[1],
        lr_chi2_after: after[1],
        p_chi2_before: before[2],
        p_chi2_after: after[2],
        mean_bias_before: mean(&ab),
        mean_bias_after: mean(&aa),
        median_bias_before: median(&ab),
        median_bias_after: median(&aa),
        rubin_b_before: before[3],
        rubin_b_after: after[3],
        rubin_r_before: before[4],
        rubin_r_after: after[4],
    };
    BalanceTable { rows, overall }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fused per-column statistics are bit for bit those of `wstats` column by column.
    #[test]
    fn column_stats_match_wstats() {
        let n = 257;
        let p = 4;
        let mut x = Vec::new();
        for i in 0..n {
            let t = i as f64;
            x.extend([1.0, (t * 0.37).sin() * 3.0, (i % 2) as f64, ((i * 13) % 7) as f64 - 2.5]);
        }
        let treat: Vec<bool> = (0..n).map(|i| (i * 5) % 7 < 3).collect();
        let w: Vec<f64> = (0..n).map(|i| if i % 4 == 0 { 0.0 } else { (i % 3) as f64 * 0.5 + 0.25 }).collect();
        let d = Design {
            rows: (0..n).collect(),
            treat: treat.clone(),
            names: (0..p).map(|j| format!("x{j}")).collect(),
            term_of: Vec::new(),
            removed: Vec::new(),
            x: x.clone(),
            p,
            y: None,
            n_missing: 0,
        };
        let (stats, binary) = column_stats(&d, &w);
        let ones = vec![1.0; n];
        for j in 1..p {
            let c: Vec<f64> = (0..n).map(|i| x[i * p + j]).collect();
            assert_eq!(binary[j], j == 2);
            let want = [
                wstats(&c, &ones, |i| treat[i]),
                wstats(&c, &ones, |i| !treat[i]),
                wstats(&c, &w, |i| treat[i]),
                wstats(&c, &w, |i| !treat[i]),
            ];
            for (got, want) in stats[j].iter().zip(&want) {
                assert_eq!(got.mean.to_bits(), want.mean.to_bits());
                assert_eq!(got.var.to_bits(), want.var.to_bits());
                assert_eq!(got.sw.to_bits(), want.sw.to_bits());
            }
        }
    }
}
