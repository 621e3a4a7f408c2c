//! One-dimensional maximisation on an interval: Brent's golden-section search with
//! parabolic interpolation, the algorithm of R's `optimize()` (`Brent_fmin` in R's
//! `optimize.c`), which spatialreg uses for ρ and λ.

/// The maximiser of `f` on `[lo, hi]` to within `tol` (plus `√ε·|x|`, as R).
pub fn brent_max(lo: f64, hi: f64, tol: f64, mut f: impl FnMut(f64) -> f64) -> f64 {
    let mut g = |x: f64| {
        let v = -f(x);
        if v.is_nan() {
            f64::INFINITY
        } else {
            v
        }
    };
    let c = (3.0 - 5f64.sqrt()) * 0.5;
    let eps = f64::EPSILON.sqrt();
    let (mut a, mut b) = (lo, hi);
    let mut v = a + c * (b - a);
    let (mut w, mut x) = (v, v);
    let (mut d, mut e) = (0.0f64, 0.0f64);
    let mut fx = g(x);
    let (mut fv, mut fw) = (fx, fx);
    let tol3 = tol / 3.0;
    for _ in 0..10_000 {
        let xm = (a + b) * 0.5;
        let tol1 = eps * x.abs() + tol3;
        let t2 = tol1 * 2.0;
        if (x - xm).abs() <= t2 - (b - a) * 0.5 {
            break;
        }
        let (mut p, mut q, mut r) = (0.0, 0.0, 0.0);
        if e.abs() > tol1 {
            r = (x - w) * (fx - fv);
            q = (x - v) * (fx - fw);
            p = (x - v) * q - (x - w) * r;
            q = (q - r) * 2.0;
            if q > 0.0 {
                p = -p;
            } else {
                q = -q;
            }
            r = e;
            e = d;
        }
        if p.abs() >= (q * 0.5 * r).abs() || p <= q * (a - x) || p >= q * (b - x) {
            e = if x < xm { b - x } else { a - x };
            d = c * e;
        } else {
            d = p / q;
            let u = x + d;
            if u - a < t2 || b - u < t2 {
                d = if x >= xm { -tol1 } else { tol1 };
            }
        }
        let u = if d.abs() >= tol1 {
            x + d
        } else if d > 0.0 {
            x + tol1
        } else {
            x - tol1
        };
        let fu = g(u);
        if fu <= fx {
            if u < x {
                b = x;
            } else {
                a = x;
            }
            v = w;
            w = x;
            x = u;
            fv = fw;
            fw = fx;
            fx = fu;
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                v = w;
                fv = fw;
                w = u;
                fw = fu;
            } else if fu <= fv || v == x || v == w {
                v = u;
                fv = fu;
            }
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_maximum_of_a_smooth_function() {
        let x = brent_max(-1.0, 1.0, 1e-12, |r| -(r - 0.3).powi(2) + (r * 3.0).sin() * 0.01);
        // derivative: -2(x-0.3) + 0.03 cos(3x) = 0
        let g = -2.0 * (x - 0.3) + 0.03 * (3.0 * x).cos();
        assert!(g.abs() < 1e-7, "{x} {g}");
        let edge = brent_max(-1.0, 1.0, 1e-12, |r| r);
        assert!(edge > 1.0 - 1e-6);
    }
}
