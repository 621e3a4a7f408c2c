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
use nalgebra::{DMatrix, DVector};
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

/// Per-row log-likelihood contribution, score factor `s` and weight `a`. Each transcendental
/// is evaluated once (logit: one `exp(−|η|)` shared by `μ` and the softplus; probit: one `Φ`
/// shared by `log Φ` and Mills' ratio, see [`normal::log_cdf_and_mills`]).
fn row_terms(link: Link, y: bool, eta: f64) -> (f64, f64, f64) {
    match link {
        Link::Logit => {
            let e = (-eta.abs()).exp();
            let mu = if eta >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) };
            // softplus(x) = max(x, 0) + ln(1 + e^{−|x|}), with x = ∓η
            let sp = |x: f64| if x > 0.0 { x + e.ln_1p() } else { e.ln_1p() };
            let ll = if y { -sp(-eta) } else { -sp(eta) };
            let s = if y { 1.0 - mu } else { -mu };
            (ll, s, mu * (1.0 - mu))
        }
        Link::Probit => {
            let q = if y { 1.0 } else { -1.0 };
            let z = q * eta;
            let (ll, lam) = normal::log_cdf_and_mills(z);
            (ll, q * lam, (lam * (z + lam)).max(0.0))
        }
    }
}

/// The data of a fit: the design matrix `x` (row-major `n × p`, intercept first), the
/// response and the weights (rows with `w = 0` are ignored).
struct Problem<'a> {
    link: Link,
    x: &'a [f64],
    n: usize,
    p: usize,
    y: &'a [bool],
    w: &'a [f64],
}

/// Where the Newton iterations stopped.
struct Newton {
    beta: Vec<f64>,
    eta: Vec<f64>,
    /// `(s, a)` of every row at `eta` (zero for rows with `w = 0`).
    sa: Vec<[f64; 2]>,
    loglik: f64,
    iterations: usize,
    converged: bool,
}

impl Problem<'_> {
    fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.p..(i + 1) * self.p]
    }

    /// ℓ(β), writing the linear predictor into `eta` and each row's `(s, a)` into `sa`.
    fn loglik(&self, beta: &[f64], eta: &mut [f64], sa: &mut [[f64; 2]]) -> f64 {
        let mut ll = 0.0;
        for i in 0..self.n {
            let e: f64 = self.row(i).iter().zip(beta).map(|(a, b)| a * b).sum();
            eta[i] = e;
            if self.w[i] != 0.0 {
                let (l, s, a) = row_terms(self.link, self.y[i], e);
                ll += self.w[i] * l;
                sa[i] = [s, a];
            } else {
                sa[i] = [0.0, 0.0];
            }
        }
        ll
    }

    /// The gradient `g` and the observed information `H` from the rows' `(s, a)`, accumulated
    /// row by row on the lower triangle (packed, `p(p+1)/2` sums) and mirrored.
    fn gradient_and_information(&self, sa: &[[f64; 2]], h: &mut DMatrix<f64>) -> DVector<f64> {
        let p = self.p;
        let mut g = vec![0.0; p];
        let mut tri = vec![0.0; p * (p + 1) / 2];
        for i in 0..self.n {
            if self.w[i] == 0.0 {
                continue;
            }
            let [s, a] = sa[i];
            let row = self.row(i);
            let (ws, wa0) = (self.w[i] * s, self.w[i] * a);
            let mut t = 0;
            for j in 0..p {
                g[j] += ws * row[j];
                let wa = wa0 * row[j];
                for (k, acc) in tri[t..t + j + 1].iter_mut().enumerate() {
                    *acc += wa * row[k];
                }
                t += j + 1;
            }
        }
        let mut t = 0;
        for j in 0..p {
            for k in 0..=j {
                h[(j, k)] = tri[t];
                h[(k, j)] = tri[t];
                t += 1;
            }
        }
        DVector::from_vec(g)
    }

    /// The population SD of each column over the rows with positive weight.
    fn column_sd(&self, j: usize) -> f64 {
        let c: Vec<f64> = (0..self.n).filter(|&i| self.w[i] > 0.0).map(|i| self.x[i * self.p + j]).collect();
        let m = c.iter().sum::<f64>() / c.len() as f64;
        (c.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / c.len() as f64).sqrt()
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
    fit_binary_from(link, x, n, p, y, w, names, None)
}

/// [`fit_binary`] with Newton started at `start` (length `p`) when its log-likelihood is
/// finite and at least the null model's; otherwise (and for `None`) at the null model.
/// Only the path changes, not the convergence criterion.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit_binary_from(
    link: Link,
    x: &[f64],
    n: usize,
    p: usize,
    y: &[bool],
    w: &[f64],
    names: &[String],
    start: Option<&[f64]>,
) -> Result<BinaryFit> {
    let sw: f64 = w.iter().sum();
    let sy: f64 = (0..n).filter(|&i| y[i]).map(|i| w[i]).sum();
    if sy <= 0.0 {
        return Err(Error::insufficient("no treated units (treatment = 1) in the estimation sample"));
    }
    if sy >= sw {
        return Err(Error::insufficient("no control units (treatment = 0) in the estimation sample"));
    }
    check_columns(x, n, p, y, w, names)?;
    let pbar = sy / sw;
    let loglik_null = sy * pbar.ln() + (sw - sy) * (1.0 - pbar).ln();
    let pr = Problem { link, x, n, p, y, w };
    let fit = newton(&pr, pbar, start.filter(|b| b.len() == p && b.iter().all(|v| v.is_finite())), loglik_null);
    // Rows fitted at probability numerically 0 or 1. After convergence this alone is
    // not separation (an outlying covariate value does it): R's glm only warns, and so
    // do we (the caller reports it); genuine separation is caught below.
    let n_extreme = fit.eta.iter().zip(w).filter(|(e, &wi)| wi > 0.0 && e.abs() > 30.0).count();
    if !fit.converged {
        return Err(not_converged(&pr, &fit, n_extreme > 0, names));
    }
    let se = standard_errors(&pr, &fit.sa);
    check_identified(&pr, &fit, &se, loglik_null, names)?;
    let mu = fit.eta.iter().map(|&e| inv_link(link, e)).collect();
    let Newton { beta, eta, loglik, iterations, .. } = fit;
    Ok(BinaryFit { beta, se, loglik, loglik_null, eta, mu, iterations, n_extreme })
}

/// Newton–Raphson with step-halving from `start` if it fits at least as well as the null
/// model (log-likelihood `loglik_null`), else from the null model (intercept at the link of
/// the treated share `pbar`): at most 200 iterations.
fn newton(pr: &Problem, pbar: f64, start: Option<&[f64]>, loglik_null: f64) -> Newton {
    let p = pr.p;
    let mut eta = vec![0.0; pr.n];
    let mut sa = vec![[0.0; 2]; pr.n];
    let warm = start.and_then(|b| {
        let ll = pr.loglik(b, &mut eta, &mut sa);
        (ll.is_finite() && ll >= loglik_null).then(|| (b.to_vec(), ll))
    });
    let (mut beta, mut ll) = match warm {
        Some(bl) => bl,
        None => {
            let mut beta = vec![0.0; p];
            beta[0] = match pr.link {
                Link::Logit => (pbar / (1.0 - pbar)).ln(),
                Link::Probit => crate::inference::dist::norm_quantile(pbar),
            };
            let ll = pr.loglik(&beta, &mut eta, &mut sa);
            (beta, ll)
        }
    };
    let mut iterations = 0;
    let mut converged = false;
    let mut h = DMatrix::<f64>::zeros(p, p);
    for it in 0..200 {
        iterations = it + 1;
        let g = pr.gradient_and_information(&sa, &mut h);
        let Some((step_s, gs, d)) = scaled_step(&h, &g) else { break };
        let step: Vec<f64> = (0..p).map(|j| step_s[j] / d[j]).collect();
        let Some((new_beta, new_eta, new_sa, new_ll)) = halve_step(pr, &beta, &eta, ll, &step) else { break };
        let dec: f64 = step_s.iter().zip(gs.iter()).map(|(a, b)| a * b).sum();
        beta = new_beta;
        eta = new_eta;
        sa = new_sa;
        let dll = new_ll - ll;
        ll = new_ll;
        if dec.abs() < 1e-20 || (dll.abs() < 1e-13 * (ll.abs() + 1.0) && dec.abs() < 1e-12) {
            converged = true;
            break;
        }
    }
    Newton { beta, eta, sa, loglik: ll, iterations, converged }
}

/// The Newton step in the scaled parameters: `H` scaled to unit diagonal by `d`, solved by
/// Cholesky; returns (scaled step, scaled gradient, `d`), None when `H` is not positive definite.
fn scaled_step(h: &DMatrix<f64>, g: &DVector<f64>) -> Option<(DVector<f64>, DVector<f64>, Vec<f64>)> {
    let p = g.len();
    let d: Vec<f64> = (0..p).map(|j| h[(j, j)].max(1e-300).sqrt()).collect();
    let mut hs = h.clone();
    for j in 0..p {
        for k in 0..p {
            hs[(j, k)] /= d[j] * d[k];
        }
    }
    let gs = DVector::from_iterator(p, (0..p).map(|j| g[j] / d[j]));
    let chol = hs.cholesky()?;
    Some((chol.solve(&gs), gs, d))
}

/// Step-halving: the first of `β + t·step`, `t = 1, ½, ¼, …` (60 tries) whose
/// log-likelihood does not decrease; (β, η, ℓ) there, None when none does.
fn halve_step(pr: &Problem, beta: &[f64], eta: &[f64], ll: f64, step: &[f64]) -> Option<(Vec<f64>, Vec<f64>, Vec<[f64; 2]>, f64)> {
    let mut t = 1.0;
    let mut new_beta = beta.to_vec();
    let mut new_eta = eta.to_vec();
    let mut new_sa = vec![[0.0; 2]; pr.n];
    for _ in 0..60 {
        for j in 0..pr.p {
            new_beta[j] = beta[j] + t * step[j];
        }
        let new_ll = pr.loglik(&new_beta, &mut new_eta, &mut new_sa);
        if new_ll.is_finite() && new_ll >= ll - 1e-12 * ll.abs().max(1.0) {
            return Some((new_beta, new_eta, new_sa, new_ll));
        }
        t *= 0.5;
    }
    None
}

/// The error of a fit that did not converge: separation (naming the covariate with the
/// largest standardised coefficient) when the predictors or a coefficient diverge.
fn not_converged(pr: &Problem, fit: &Newton, extreme: bool, names: &[String]) -> Error {
    let mut best = (1usize, 0.0f64);
    for j in 1..pr.p {
        let s = (fit.beta[j] * pr.column_sd(j)).abs();
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

/// Standard errors from the observed information at the optimum (NaN when it is singular).
fn standard_errors(pr: &Problem, sa: &[[f64; 2]]) -> Vec<f64> {
    let p = pr.p;
    let mut full = vec![0.0; p * p];
    for i in 0..pr.n {
        if pr.w[i] == 0.0 {
            continue;
        }
        let a = sa[i][1];
        let row = pr.row(i);
        let wa = pr.w[i] * a;
        for j in 0..p {
            let waj = wa * row[j];
            for (k, acc) in full[j * p..(j + 1) * p].iter_mut().enumerate() {
                *acc += waj * row[k];
            }
        }
    }
    let mut h = DMatrix::<f64>::from_row_slice(p, p, &full);
    let d: Vec<f64> = (0..p).map(|j| h[(j, j)].max(1e-300).sqrt()).collect();
    for j in 0..p {
        for k in 0..p {
            h[(j, k)] /= d[j] * d[k];
        }
    }
    match h.cholesky() {
        Some(c) => {
            let inv = c.inverse();
            (0..p).map(|j| inv[(j, j)].max(0.0).sqrt() / d[j]).collect()
        }
        None => vec![f64::NAN; p],
    }
}

/// Separation that the Newton iterations "converged" through: a perfect fit, or
/// coefficients whose standardised SE explodes.
fn check_identified(pr: &Problem, fit: &Newton, se: &[f64], loglik_null: f64, names: &[String]) -> Result<()> {
    let p = pr.p;
    let sds: Vec<f64> = (0..p).map(|j| pr.column_sd(j)).collect();
    let worst = (1..p).max_by(|&a, &b| (se[a] * sds[a]).total_cmp(&(se[b] * sds[b]))).unwrap_or(0);
    let perfect = fit.loglik > -1e-8 * loglik_null.abs();
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
