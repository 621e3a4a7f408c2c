//! Distribution functions used for p-values and critical values (thin wrappers
//! over `statrs`, with the edge cases — infinite or zero degrees of freedom,
//! NaN statistics — handled the way fixest and Stata report them), and the
//! normal tail functions of the probit likelihood. The crate's one home for
//! distribution functions: estimators call these, never `statrs` directly.

use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor, Normal, StudentsT};

/// ln √(2π).
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Standard normal CDF.
pub fn norm_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    Normal::standard().cdf(x)
}

/// Standard normal quantile.
pub fn norm_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    Normal::standard().inverse_cdf(p)
}

/// log Φ(z), accurate far into the lower tail (below −30 the asymptotic series
/// of Mills' ratio, where Φ underflows).
pub fn norm_log_cdf(z: f64) -> f64 {
    if z > -30.0 {
        norm_cdf(z).ln()
    } else {
        let z2 = z * z;
        -0.5 * z2 - LN_SQRT_2PI - (-z).ln() + (1.0 - 1.0 / z2 + 3.0 / (z2 * z2)).ln()
    }
}

/// Inverse Mills ratio φ(z)/Φ(z), accurate far into the lower tail.
pub fn norm_mills(z: f64) -> f64 {
    if z > -30.0 {
        let phi = (-0.5 * z * z - LN_SQRT_2PI).exp();
        phi / norm_cdf(z)
    } else {
        let z2 = z * z;
        -z / (1.0 - 1.0 / z2 + 3.0 / (z2 * z2))
    }
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom
/// (`df` infinite or non-positive falls back to the normal).
pub fn t_pvalue_two_sided(t: f64, df: f64) -> f64 {
    if t.is_nan() {
        return f64::NAN;
    }
    if !df.is_finite() || df <= 0.0 {
        return 2.0 * norm_cdf(-t.abs());
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => 2.0 * d.cdf(-t.abs()),
        Err(_) => f64::NAN,
    }
}

/// Quantile of Student's t (normal when `df` is infinite).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if !df.is_finite() || df <= 0.0 {
        return norm_quantile(p);
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => d.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// Upper-tail probability of F(df1, df2).
pub fn f_sf(f: f64, df1: f64, df2: f64) -> f64 {
    if f.is_nan() || df1 <= 0.0 {
        return f64::NAN;
    }
    if !df2.is_finite() {
        return chi2_sf(f * df1, df1);
    }
    match FisherSnedecor::new(df1, df2) {
        Ok(d) => d.sf(f.max(0.0)),
        Err(_) => f64::NAN,
    }
}

/// Upper-tail probability of χ²(df).
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    match ChiSquared::new(df) {
        Ok(d) => d.sf(x.max(0.0)),
        Err(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // R: 2*pt(-2.0, 10) = 0.07338803; qt(0.975, 10) = 2.228139; pchisq(3.84, 1, lower=F) = 0.05004352
        assert!((t_pvalue_two_sided(2.0, 10.0) - 0.073_388_03).abs() < 1e-7);
        assert!((t_quantile(0.975, 10.0) - 2.228_139).abs() < 1e-6);
        assert!((chi2_sf(3.84, 1.0) - 0.050_043_52).abs() < 1e-7);
        // F(2, d) has the closed-form tail (1 + 2f/d)^(-d/2).
        assert!((f_sf(4.0, 2.0, 20.0) - 1.4f64.powi(-10)).abs() < 1e-12);
        assert!((norm_quantile(0.975) - 1.959_963_985).abs() < 1e-8);
    }

    #[test]
    fn probit_tails_are_finite() {
        assert!(norm_log_cdf(-40.0).is_finite());
        assert!((norm_log_cdf(-29.999) - norm_log_cdf(-30.001)).abs() < 0.1);
        assert!((norm_mills(-29.999) - norm_mills(-30.001)).abs() < 0.01);
        assert!((norm_mills(0.0) - 0.797_884_560_802_865_4).abs() < 1e-12);
    }
}
