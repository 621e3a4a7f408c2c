//! One-dimensional maximisation on an interval: Brent's golden-section search with
//! parabolic interpolation, the algorithm of R's `optimize()` (`Brent_fmin` in R's
//! `optimize.c`), which spatialreg uses for ρ and λ.

/// Brent's search state (R's names): the bracket `[a, b]`, the best point `x`, the second
/// best `w`, the previous `w` in `v`, their values, and the last two steps `d`, `e`.
struct Brent {
    a: f64,
    b: f64,
    v: f64,
    w: f64,
    x: f64,
    fv: f64,
    fw: f64,
    fx: f64,
    d: f64,
    e: f64,
}

/// The squared inverse of the golden ratio.
const GOLD: f64 = 0.381_966_011_250_105_1;

impl Brent {
    /// The next point to evaluate (parabolic step when acceptable, else golden section).
    fn next(&mut self, xm: f64, tol1: f64, t2: f64) -> f64 {
        let (mut p, mut q, mut r) = (0.0, 0.0, 0.0);
        if self.e.abs() > tol1 {
            r = (self.x - self.w) * (self.fx - self.fv);
            q = (self.x - self.v) * (self.fx - self.fw);
            p = (self.x - self.v) * q - (self.x - self.w) * r;
            q = (q - r) * 2.0;
            if q > 0.0 {
                p = -p;
            } else {
                q = -q;
            }
            r = self.e;
            self.e = self.d;
        }
        if p.abs() >= (q * 0.5 * r).abs() || p <= q * (self.a - self.x) || p >= q * (self.b - self.x) {
            self.e = if self.x < xm { self.b - self.x } else { self.a - self.x };
            self.d = GOLD * self.e;
        } else {
            self.d = p / q;
            let u = self.x + self.d;
            if u - self.a < t2 || self.b - u < t2 {
                self.d = if self.x >= xm { -tol1 } else { tol1 };
            }
        }
        if self.d.abs() >= tol1 {
            self.x + self.d
        } else if self.d > 0.0 {
            self.x + tol1
        } else {
            self.x - tol1
        }
    }

    /// Takes in the value `fu` at `u`.
    fn update(&mut self, u: f64, fu: f64) {
        if fu <= self.fx {
            if u < self.x {
                self.b = self.x;
            } else {
                self.a = self.x;
            }
            (self.v, self.fv) = (self.w, self.fw);
            (self.w, self.fw) = (self.x, self.fx);
            (self.x, self.fx) = (u, fu);
        } else {
            if u < self.x {
                self.a = u;
            } else {
                self.b = u;
            }
            if fu <= self.fw || self.w == self.x {
                (self.v, self.fv) = (self.w, self.fw);
                (self.w, self.fw) = (u, fu);
            } else if fu <= self.fv || self.v == self.x || self.v == self.w {
                (self.v, self.fv) = (u, fu);
            }
        }
    }
}

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
    let eps = f64::EPSILON.sqrt();
    let x0 = lo + GOLD * (hi - lo);
    let f0 = g(x0);
    let mut s = Brent { a: lo, b: hi, v: x0, w: x0, x: x0, fv: f0, fw: f0, fx: f0, d: 0.0, e: 0.0 };
    let tol3 = tol / 3.0;
    for _ in 0..10_000 {
        let xm = (s.a + s.b) * 0.5;
        let tol1 = eps * s.x.abs() + tol3;
        let t2 = tol1 * 2.0;
        if (s.x - xm).abs() <= t2 - (s.b - s.a) * 0.5 {
            break;
        }
        let u = s.next(xm, tol1, t2);
        let fu = g(u);
        s.update(u, fu);
    }
    s.x
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
