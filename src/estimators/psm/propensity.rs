//! Binary-response GLM (logit, probit) by Newton–Raphson with step-halving.
//!
//! Log-likelihood `ℓ(β) = Σ wᵢ [yᵢ log F(ηᵢ) + (1−yᵢ) log(1−F(ηᵢ))]`, `η = Xβ`,
//! `F` the logistic or standard normal CDF. Each iteration solves
//! `H δ = g` (gradient `g = X'(w·s)`, observed information `H = X' diag(w·a) X`,
//! logit: `s = y−μ`, `a = μ(1−μ)`; probit with `q = 2y−1`, `z = qη`,
//! `λ = φ(z)/Φ(z)`: `s = qλ`, `a = λ(z+λ)`) after scaling the columns of `H`
//! to unit diagonal, and halves the step while the log-likelihood decreases.
//! Standard errors are the square roots of the diagonal of `H⁻¹` at the
//! optimum (observed information; for the logit it equals the expected one,
//! so they agree with R's `glm`).
//!
//! Before fitting, every covariate is checked for (quasi-)complete separation
//! on its own: a column whose values in the treated and in the controls do not
//! overlap (`max` of one group ≤ `min` of the other), or a dummy one of whose
//! values occurs in only one group. Such a covariate predicts treatment
//! perfectly for some rows, the maximum-likelihood estimate does not exist, and
//! the fit stops with an error naming it. Separation involving several
//! covariates jointly is caught after the fit — a perfect fit (`ℓ ≈ 0`),
//! no convergence (with linear predictors beyond ±30 or a diverging
//! coefficient), or a standardised standard error `SE(βⱼ)·SD(xⱼ)` above 10⁴
//! (the information matrix is numerically singular) — and reported naming the
//! covariate with the largest standardised coefficient (perfect fit) or
//! standard error. A *converged* fit with linear predictors beyond ±30 (an
//! outlying covariate value) is not an error: as R's `glm` ("fitted
//! probabilities numerically 0 or 1 occurred"), the number of such rows is
//! returned (`n_extreme`) for the caller to report as a diagnostic.

use super::Link;
use crate::error::{Error, Result};
use super::newton::{newton, standard_errors, Newton, Problem};
use crate::inference::normal;

/// A fitted binary model.
#[derive(Debug, Clone)]
pub(crate) struct BinaryFit {
    pub beta: Vec<f64>,
    pub se: Vec<f64>,
    pub loglik: f64,
    pub loglik_null: f64,
    /// Linear predictor per row.
    pub eta: Vec<f64>,
    /// Fitted probability per row.
    pub mu: Vec<f64>,
    pub iterations: usize,
    /// Rows (with positive weight) whose linear predictor exceeds ±30: fitted
    /// probabilities numerically 0 or 1 (R's glm warns about these).
    pub n_extreme: usize,
}

/// Link inverse: the probability for a linear predictor.
pub(crate) fn inv_link(link: Link, eta: f64) -> f64 {
    match link {
        Link::Logit => {
            if eta >= 0.0 {
                1.0 / (1.0 + (-eta).exp())
            } else {
                let e = eta.exp();
                e / (1.0 + e)
            }
        }
        Link::Probit => normal::cdf(eta),
    }
}

/// Checks every non-intercept column for zero variance, collinearity with the
/// previous columns, and univariate (quasi-)complete separation.
pub(crate) fn check_columns(x: &[f64], n: usize, p: usize, y: &[bool], w: &[f64], names: &[String]) -> Result<()> {
    let used: Vec<usize> = (0..n).filter(|&i| w[i] > 0.0).collect();
    check_rank(x, p, &used, names)?;
    for j in 1..p {
        if let Some(m) = separation(x, p, j, y, &used, &names[j]) {
            return Err(Error::numerical(format!(
                "covariate `{}` predicts treatment perfectly ({m}); the propensity model cannot be estimated — drop or recode `{}`",
                names[j], names[j]
            )));
        }
    }
    Ok(())
}

/// Zero variance and collinearity: modified Gram–Schmidt on the centred-and-scaled
/// columns (the intercept is column 0).
fn check_rank(x: &[f64], p: usize, used: &[usize], names: &[String]) -> Result<()> {
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for j in 1..p {
        let c: Vec<f64> = used.iter().map(|&i| x[i * p + j]).collect();
        let (lo, hi) = c.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        if hi.is_nan() || lo.is_nan() || hi <= lo {
            return Err(Error::invalid(format!(
                "covariate `{}` has no variation in the estimation sample (every value is {lo})",
                names[j]
            )));
        }
        let m = c.iter().sum::<f64>() / c.len() as f64;
        let mut v: Vec<f64> = c.iter().map(|a| a - m).collect();
        let norm0 = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        v.iter_mut().for_each(|a| *a /= norm0);
        for b in &basis {
            let d: f64 = v.iter().zip(b).map(|(a, c)| a * c).sum();
            v.iter_mut().zip(b).for_each(|(a, c)| *a -= d * c);
        }
        let nr = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if nr < 1e-9 {
            return Err(Error::invalid(format!(
                "covariate `{}` is a linear combination of the other covariates (perfect collinearity); remove it",
                names[j]
            )));
        }
        v.iter_mut().for_each(|a| *a /= nr);
        basis.push(v);
    }
    Ok(())
}

/// Univariate separation of column `j`: what is wrong with it, if anything.
fn separation(x: &[f64], p: usize, j: usize, y: &[bool], used: &[usize], name: &str) -> Option<String> {
    let (mut t_lo, mut t_hi, mut c_lo, mut c_hi) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    let mut distinct: Vec<f64> = Vec::new();
    for &i in used {
        let v = x[i * p + j];
        if y[i] {
            t_lo = t_lo.min(v);
            t_hi = t_hi.max(v);
        } else {
            c_lo = c_lo.min(v);
            c_hi = c_hi.max(v);
        }
        if distinct.len() <= 2 && !distinct.contains(&v) {
            distinct.push(v);
        }
    }
    if !t_lo.is_finite() || !c_lo.is_finite() {
        return None;
    }
    if c_hi < t_lo || t_hi < c_lo {
        Some("complete separation: its values in the treated and in the controls do not overlap".to_string())
    } else if c_hi <= t_lo || t_hi <= c_lo {
        Some("quasi-complete separation: the treated and control values only touch at one value".to_string())
    } else if distinct.len() == 2 {
        dummy_separation(x, p, j, y, used, &distinct, name)
    } else {
        None
    }
}

/// A dummy one of whose values occurs in only one group.
fn dummy_separation(x: &[f64], p: usize, j: usize, y: &[bool], used: &[usize], distinct: &[f64], name: &str) -> Option<String> {
    for &val in distinct {
        let (mut nt, mut nc) = (0usize, 0usize);
        for &i in used {
            if x[i * p + j] == val {
                if y[i] {
                    nt += 1
                } else {
                    nc += 1
                }
            }
        }
        if nt == 0 || nc == 0 {
            let group = if nc == 0 { "treated" } else { "controls" };
            return Some(format!("quasi-complete separation: all {} rows with {} = {val} are {group}", nt + nc, name));
        }
    }
    None
}

/// Fits the model. `w` are frequency/importance weights (rows with `w = 0` are ignored).
pub(crate) fn fit_binary(
    link: Link,
    x: &[f64],
    n: usize,
    p: usize,
    y: &[bool],
    w: &[f64],
    names: &[String],
) -> Result<BinaryFit> {
    fit_binary_with(link, x, n, p, y, w, names, FitOptions::default())
}

/// How [`fit_binary_with`] starts and what it may leave out.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FitOptions<'a> {
    /// Newton's starting point (length `p`), used when its log-likelihood is finite and at
    /// least the null model's; otherwise (and for `None`) Newton starts at the null model.
    /// Only the path changes, not the convergence criterion.
    pub start: Option<&'a [f64]>,
    /// The caller has already run [`check_columns`] on these very `x`, `y` and `w`, and it
    /// passed: it is not repeated.
    pub checked: bool,
    /// Leave `mu` empty (the caller needs only `eta`).
    pub no_mu: bool,
}

/// [`fit_binary`] with the starting point and shortcuts of `opt`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit_binary_with(
    link: Link,
    x: &[f64],
    n: usize,
    p: usize,
    y: &[bool],
    w: &[f64],
    names: &[String],
    opt: FitOptions,
) -> Result<BinaryFit> {
    let sw: f64 = w.iter().sum();
    let sy: f64 = (0..n).filter(|&i| y[i]).map(|i| w[i]).sum();
    if sy <= 0.0 {
        return Err(Error::insufficient("no treated units (treatment = 1) in the estimation sample"));
    }
    if sy >= sw {
        return Err(Error::insufficient("no control units (treatment = 0) in the estimation sample"));
    }
    if !opt.checked {
        check_columns(x, n, p, y, w, names)?;
    }
    let pbar = sy / sw;
    let loglik_null = sy * pbar.ln() + (sw - sy) * (1.0 - pbar).ln();
    let pr = Problem { link, x, n, p, y, w };
    let fit = newton(&pr, pbar, opt.start.filter(|b| b.len() == p && b.iter().all(|v| v.is_finite())), loglik_null);
    // Rows fitted at probability numerically 0 or 1. After convergence this alone is
    // not separation (an outlying covariate value does it): R's glm only warns, and so
    // do we (the caller reports it); genuine separation is caught below.
    let n_extreme = fit.eta.iter().zip(w).filter(|(e, &wi)| wi > 0.0 && e.abs() > 30.0).count();
    if !fit.converged {
        return Err(not_converged(&pr, &fit, n_extreme > 0, names));
    }
    let se = standard_errors(p, &fit.eval.tri);
    check_identified(&pr, &fit, &se, loglik_null, names)?;
    let mu = if opt.no_mu { Vec::new() } else { fit.eta.iter().map(|&e| inv_link(link, e)).collect() };
    let Newton { beta, eta, eval, iterations, .. } = fit;
    Ok(BinaryFit { beta, se, loglik: eval.ll, loglik_null, eta, mu, iterations, n_extreme })
}

/// The error of a fit that did not converge: separation (naming the covariate with the
/// largest standardised coefficient) when the predictors or a coefficient diverge.
fn not_converged(pr: &Problem, fit: &Newton, extreme: bool, names: &[String]) -> Error {
    let sds = pr.column_sds();
    let mut best = (1usize, 0.0f64);
    for (j, (b, sd)) in fit.beta.iter().zip(&sds).enumerate().skip(1) {
        let s = (b * sd).abs();
        if s > best.1 {
            best = (j, s);
        }
    }
    if extreme || !fit.beta.iter().all(|b| b.is_finite()) || best.1 > 20.0 {
        return Error::numerical(format!(
            "the propensity model shows (quasi-)complete separation: the covariates predict treatment perfectly \
             for some rows and the coefficient of `{}` diverges; drop or recode it, or coarsen the covariates",
            names.get(best.0).map(String::as_str).unwrap_or("?")
        ));
    }
    Error::numerical(format!("the propensity model did not converge after {} Newton iterations", fit.iterations))
}

/// Separation that the Newton iterations "converged" through: a perfect fit, or
/// coefficients whose standardised SE explodes.
fn check_identified(pr: &Problem, fit: &Newton, se: &[f64], loglik_null: f64, names: &[String]) -> Result<()> {
    let p = pr.p;
    let sds = pr.column_sds();
    let worst = (1..p).max_by(|&a, &b| (se[a] * sds[a]).total_cmp(&(se[b] * sds[b]))).unwrap_or(0);
    let perfect = fit.eval.ll > -1e-8 * loglik_null.abs();
    if perfect || se[worst] * sds[worst] > 1e4 || !se[worst].is_finite() {
        let beta = &fit.beta;
        let best = (1..p).max_by(|&a, &b| (beta[a] * sds[a]).abs().total_cmp(&(beta[b] * sds[b]).abs())).unwrap_or(0);
        let culprit = if perfect { best } else { worst };
        return Err(Error::numerical(format!(
            "the propensity model shows (quasi-)complete separation{}: the covariates predict treatment \
             (almost) perfectly and the coefficient of `{}` is not identified; drop or recode it, or coarsen the covariates",
            if perfect { "" } else { " or near-perfect collinearity" },
            names.get(culprit).map(String::as_str).unwrap_or("?")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: usize) -> Vec<String> {
        (0..p).map(|j| format!("x{j}")).collect()
    }

    #[test]
    fn logit_two_by_two_closed_form() {
        // y ~ 1 + d with d binary: the MLE reproduces the cell log-odds.
        // d=0: 3 treated of 10, d=1: 6 of 8.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..10 {
            x.extend([1.0, 0.0]);
            y.push(i < 3);
        }
        for i in 0..8 {
            x.extend([1.0, 1.0]);
            y.push(i < 6);
        }
        let w = vec![1.0; 18];
        let f = fit_binary(Link::Logit, &x, 18, 2, &y, &w, &names(2)).unwrap();
        let b0 = (3.0f64 / 7.0).ln();
        let b1 = (6.0f64 / 2.0).ln() - b0;
        assert!((f.beta[0] - b0).abs() < 1e-10);
        assert!((f.beta[1] - b1).abs() < 1e-10);
        // SE of the log odds ratio: sqrt(1/3 + 1/7 + 1/6 + 1/2)
        let se1 = (1.0 / 3.0 + 1.0 / 7.0 + 1.0 / 6.0 + 1.0 / 2.0f64).sqrt();
        assert!((f.se[1] - se1).abs() < 1e-8);
        // probit: cell probabilities reproduced too
        let f = fit_binary(Link::Probit, &x, 18, 2, &y, &w, &names(2)).unwrap();
        assert!((inv_link(Link::Probit, f.beta[0]) - 0.3).abs() < 1e-10);
        assert!((inv_link(Link::Probit, f.beta[0] + f.beta[1]) - 0.75).abs() < 1e-10);
    }

    #[test]
    fn separation_names_the_covariate() {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..20 {
            let t = i % 2 == 0;
            x.extend([1.0, (i as f64).sin(), if t { 5.0 + i as f64 } else { i as f64 - 30.0 }]);
            y.push(t);
        }
        let e = fit_binary(Link::Logit, &x, 20, 3, &y, &[1.0; 20], &names(3)).unwrap_err();
        assert!(e.to_string().contains("`x2`"), "{e}");
        assert!(e.to_string().contains("separation"), "{e}");
    }

    #[test]
    fn joint_separation_is_detected() {
        // treated iff x1 + x2 > 0, while neither covariate separates on its own
        let pts = [
            (1.0, 0.5, true),
            (-0.2, 1.0, true),
            (2.0, -1.0, true),
            (0.3, 0.3, true),
            (-1.0, -0.5, false),
            (0.2, -1.0, false),
            (-2.0, 1.0, false),
            (-0.3, -0.3, false),
        ];
        let x: Vec<f64> = pts.iter().flat_map(|p| [1.0, p.0, p.1]).collect();
        let y: Vec<bool> = pts.iter().map(|p| p.2).collect();
        for link in [Link::Logit, Link::Probit] {
            let e = fit_binary(link, &x, 8, 3, &y, &[1.0; 8], &names(3)).unwrap_err();
            assert!(e.to_string().contains("separation"), "{e}");
            assert!(e.to_string().contains("`x1`") || e.to_string().contains("`x2`"), "{e}");
        }
    }
}
