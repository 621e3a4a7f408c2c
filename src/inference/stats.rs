//! Small descriptive statistics shared by the estimators and reports.
//!
//! * `mean(x) = Σx / n` (NaN for empty input);
//! * `var(x) = Σ(x − x̄)² / (n − 1)` (two-pass, sample variance; NaN for n < 2), `sd = √var`;
//! * `quantile_type7(sorted, p)`: Hyndman & Fan type 7 (R's default), linear
//!   interpolation between order statistics at `h = (n − 1)·p`;
//! * `median(x)`: type-7 median of the finite values.
//!
//! Inputs are used as given (no NaN filtering) unless a function says otherwise.

/// Arithmetic mean (NaN for empty input).
pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample variance with divisor n − 1 (two-pass; NaN for fewer than 2 values).
pub fn var(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return f64::NAN;
    }
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() as f64 - 1.0)
}

/// Sample standard deviation `√var(x)` (NaN for fewer than 2 values).
pub fn sd(x: &[f64]) -> f64 {
    var(x).sqrt()
}

/// Type-7 quantile of sorted values (NaN when empty; `p` is clamped to [0, 1]).
pub fn quantile_type7(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let (a, b) = (sorted[lo.min(n - 1)], sorted[hi]);
    a + (h - lo as f64) * (b - a)
}

/// Median of the finite values (NaN when there is none); the mean of the two middle
/// values for an even count.
pub fn median(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = x.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_worked() {
        let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&x), 5.0);
        assert_eq!(var(&x), 32.0 / 7.0);
        assert_eq!(sd(&x), (32.0f64 / 7.0).sqrt());
        assert!(var(&[1.0]).is_nan() && mean(&[]).is_nan());
        // R: quantile(c(1, 2, 3, 4, 10), c(.25, .5, .9)) = 2, 3, 7.6
        let s = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile_type7(&s, 0.25), 2.0);
        assert_eq!(quantile_type7(&s, 0.5), 3.0);
        assert!((quantile_type7(&s, 0.9) - 7.6).abs() < 1e-12);
        assert_eq!(quantile_type7(&s, 1.5), 10.0);
        assert!(quantile_type7(&[], 0.5).is_nan());
        assert_eq!(median(&[4.0, f64::NAN, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert!(median(&[f64::NAN]).is_nan());
    }
}
