//! Exact two-way demeaning when one of the two dimensions has few levels (a unit + year
//! panel): the small dimension is eliminated exactly instead of iterated.
//!
//! With `B` the dummies of the large dimension (units), `S` those of the small one (years),
//! weights `W` and the partialling-out theorem (FWL),
//!
//! `x̃ = M_B x − M_B S γ`,   `A γ = r`,   `A = S'W M_B S`,   `r = S'W M_B x`.
//!
//! With `c_bt = Σ_{i ∈ b, t} wᵢ` (the weighted crosstab, at most one entry per observation),
//! `W_b`, `W_t` the level weight sums and `x̄_b` the weighted unit means of `x`:
//!
//! * `A = diag(W_t) − Σ_b c_b c_bᵀ / W_b`, a weighted graph Laplacian on the small dimension
//!   (singular: one null direction per connected component), computed once per sample;
//! * `r_t = Σ_{i ∈ t} wᵢ xᵢ − Σ_b c_bt x̄_b`;
//! * `x̃ᵢ = xᵢ − a_{b(i)} − γ_{t(i)}` with `a_b = x̄_b − Σ_t c_bt γ_t / W_b`.
//!
//! So a variable costs two passes over the observations and two over the crosstab, where the
//! alternating projections of [`super::demean`] cost about eighteen passes even when (balanced
//! panels) one sweep is exact — and many more on unbalanced panels. `A` is factored by
//! [`PivotedCholesky`] (one grounded level per component), then one step of iterative
//! refinement; if `A γ = r` still does not hold to `1e-9` relative (a pivot dropped that
//! was not a true null direction: an almost disconnected year), the caller falls back to the
//! iterations, so the result never depends on a doubtful factorisation.
//!
//! Used when the small dimension has at most [`MAX_SMALL`] levels and building `A`
//! (`Σ_b k_b²` for `k_b` the small levels unit `b` meets) costs at most [`MAX_PAIRS_PER_OBS`]
//! per observation.

use super::pivchol::PivotedCholesky;

/// Columns demeaned together (the scratch is `levels × BLOCK`).
pub(super) const BLOCK: usize = 16;
/// Largest small dimension eliminated exactly.
pub(super) const MAX_SMALL: usize = 512;
/// Budget of `Σ_b k_b²` per observation for building `A`.
const MAX_PAIRS_PER_OBS: usize = 64;
/// Pivots below this share of the largest diagonal entry of `A` are null directions.
const PIVOT_TOL: f64 = 1e-10;
/// `A γ = r` must hold to this share of the size of its terms.
const CHECK_TOL: f64 = 1e-9;

/// The two dimensions as the demeaning sees them: codes, level weight sums, weights.
pub(super) struct Dims<'a> {
    pub big: &'a [u32],
    pub big_w: &'a [f64],
    pub small: &'a [u32],
    pub small_w: &'a [f64],
    pub w: Option<&'a [f64]>,
}

/// The sample-level part: the crosstab by unit and the factored `A`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TwoWay {
    /// Crosstab rows: unit `b`'s entries are `offs[b]..offs[b + 1]`.
    offs: Vec<usize>,
    /// Small level of each entry.
    level: Vec<u32>,
    /// Weight of each entry (`c_bt`).
    weight: Vec<f64>,
    /// `A`, row-major `ns × ns`.
    a: Vec<f64>,
    chol: PivotedCholesky,
}

impl TwoWay {
    /// Builds the crosstab and factors `A`; `None` when the small dimension is too large or
    /// building `A` would cost more than the budget.
    pub(super) fn new(d: &Dims) -> Option<TwoWay> {
        let (nb, ns, n) = (d.big_w.len(), d.small_w.len(), d.big.len());
        if ns > MAX_SMALL || ns == 0 || nb == 0 {
            return None;
        }
        let (offs, level, weight) = crosstab(d, nb, ns);
        let pairs: usize = offs.windows(2).map(|o| (o[1] - o[0]) * (o[1] - o[0])).sum();
        if pairs > MAX_PAIRS_PER_OBS * n + 4096 {
            return None;
        }
        let a = laplacian(&offs, &level, &weight, d.big_w, d.small_w);
        let chol = PivotedCholesky::new(&a, ns, PIVOT_TOL);
        Some(TwoWay { offs, level, weight, a, chol })
    }

    /// Demeans the columns `xs` (at most [`BLOCK`] at a time is best) into `outs`, all at
    /// once: every pass over the observations or the crosstab serves every column. Returns,
    /// per column, whether its small system was solved to [`CHECK_TOL`] (its `out` is
    /// unspecified when not).
    pub(super) fn demean_block(&self, d: &Dims, xs: &[&[f64]], outs: &mut [&mut [f64]]) -> Vec<bool> {
        let (nb, ns, kk) = (d.big_w.len(), d.small_w.len(), xs.len());
        // weighted level sums, unit means over them: row-major (level, column)
        let (mut xb, sx) = level_sums(d, xs, nb, ns);
        for (row, &wb) in xb.chunks_exact_mut(kk).zip(d.big_w) {
            row.iter_mut().for_each(|m| *m /= wb);
        }
        // r = Σ_t w x − Cᵀ x̄, and the size of its terms for the check
        let mut scale: Vec<f64> = sx.iter().map(|v| v.abs()).collect();
        let mut r = sx;
        for (b, mb) in xb.chunks_exact(kk).enumerate() {
            for e in self.offs[b]..self.offs[b + 1] {
                let (t, c) = (self.level[e] as usize, self.weight[e]);
                let (rt, st) = (&mut r[t * kk..(t + 1) * kk], &mut scale[t * kk..(t + 1) * kk]);
                for ((rv, sv), &m) in rt.iter_mut().zip(st.iter_mut()).zip(mb) {
                    let v = c * m;
                    *rv -= v;
                    *sv += v.abs();
                }
            }
        }
        // γ per column, stored (level, column)
        let mut gamma = vec![0.0; ns * kk];
        let mut ok = vec![true; kk];
        for k in 0..kk {
            let rk: Vec<f64> = (0..ns).map(|t| r[t * kk + k]).collect();
            let sk: Vec<f64> = (0..ns).map(|t| scale[t * kk + k]).collect();
            match self.solve(&rk, &sk) {
                Some(g) => g.iter().enumerate().for_each(|(t, g)| gamma[t * kk + k] = *g),
                None => ok[k] = false,
            }
        }
        // a_b = x̄_b − (C γ)_b / W_b, stored over x̄
        let mut cg = vec![0.0; kk];
        for (b, ab) in xb.chunks_exact_mut(kk).enumerate() {
            cg.iter_mut().for_each(|v| *v = 0.0);
            for e in self.offs[b]..self.offs[b + 1] {
                let (t, c) = (self.level[e] as usize, self.weight[e]);
                for (s, g) in cg.iter_mut().zip(&gamma[t * kk..(t + 1) * kk]) {
                    *s += c * g;
                }
            }
            for (a, s) in ab.iter_mut().zip(&cg) {
                *a -= s / d.big_w[b];
            }
        }
        for (k, (x, out)) in xs.iter().zip(outs.iter_mut()).enumerate() {
            for (((o, &v), &b), &t) in out.iter_mut().zip(x.iter()).zip(d.big).zip(d.small) {
                *o = v - xb[b as usize * kk + k] - gamma[t as usize * kk + k];
            }
        }
        ok
    }

    /// `γ` with `A γ = r` (one refinement step), or `None` when the check fails.
    fn solve(&self, r: &[f64], scale: &[f64]) -> Option<Vec<f64>> {
        let ns = r.len();
        let mut gamma = self.chol.solve(r);
        let residual = |g: &[f64]| -> (Vec<f64>, Vec<f64>) {
            (0..ns)
                .map(|t| {
                    let row = &self.a[t * ns..(t + 1) * ns];
                    let (mut ag, mut mag) = (0.0, 0.0);
                    for (a, g) in row.iter().zip(g) {
                        ag += a * g;
                        mag += (a * g).abs();
                    }
                    (r[t] - ag, mag)
                })
                .unzip()
        };
        let (res, _) = residual(&gamma);
        for (g, d) in gamma.iter_mut().zip(self.chol.solve(&res)) {
            *g += d;
        }
        let (res, mag) = residual(&gamma);
        let size = scale.iter().zip(&mag).map(|(s, m)| s + m).fold(0.0, f64::max);
        let worst = res.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
        (worst <= CHECK_TOL * size).then_some(gamma)
    }
}

/// Weighted sums of every column by large and by small level, row-major (level, column).
/// Observations of one unit usually come together: a run of equal large levels is summed in
/// registers and added once, so consecutive rows do not wait on one memory cell.
fn level_sums(d: &Dims, xs: &[&[f64]], nb: usize, ns: usize) -> (Vec<f64>, Vec<f64>) {
    let kk = xs.len();
    let (mut xb, mut sx) = (vec![0.0; nb * kk], vec![0.0; ns * kk]);
    let mut acc = vec![0.0; kk];
    let mut prev = d.big.first().map_or(0, |&b| b as usize);
    for (i, (&b, &t)) in d.big.iter().zip(d.small).enumerate() {
        let b = b as usize;
        if b != prev {
            for (s, a) in xb[prev * kk..(prev + 1) * kk].iter_mut().zip(acc.iter_mut()) {
                *s += *a;
                *a = 0.0;
            }
            prev = b;
        }
        let wi = d.w.map_or(1.0, |w| w[i]);
        let st = &mut sx[t as usize * kk..(t as usize + 1) * kk];
        for ((a, s), x) in acc.iter_mut().zip(st.iter_mut()).zip(xs) {
            let v = wi * x[i];
            *a += v;
            *s += v;
        }
    }
    if nb > 0 {
        for (s, a) in xb[prev * kk..(prev + 1) * kk].iter_mut().zip(&acc) {
            *s += *a;
        }
    }
    (xb, sx)
}

/// The weighted crosstab as rows per unit: offsets, small levels, weights (one entry per
/// distinct (unit, small level) pair, in order of first appearance within each unit).
fn crosstab(d: &Dims, nb: usize, ns: usize) -> (Vec<usize>, Vec<u32>, Vec<f64>) {
    // observations grouped by unit: `start[b]..start[b + 1]` in `by_unit` (a counting sort),
    // or directly the rows when the data are sorted by unit (the usual panel layout)
    let mut start = vec![0usize; nb + 1];
    for &b in d.big {
        start[b as usize + 1] += 1;
    }
    for b in 0..nb {
        start[b + 1] += start[b];
    }
    let sorted = d.big.windows(2).all(|p| p[0] <= p[1]);
    let by_unit: Vec<u32> = if sorted {
        Vec::new()
    } else {
        let mut fill = start.clone();
        let mut by_unit = vec![0u32; d.big.len()];
        for (i, &b) in d.big.iter().enumerate() {
            by_unit[fill[b as usize]] = i as u32;
            fill[b as usize] += 1;
        }
        by_unit
    };
    // distinct small levels per unit, summed with a slot map (u32::MAX: not yet in this unit)
    let mut slot = vec![u32::MAX; ns];
    let mut offs = Vec::with_capacity(nb + 1);
    let cap = d.big.len().min(nb.saturating_mul(ns));
    let mut level: Vec<u32> = Vec::with_capacity(cap);
    let mut weight: Vec<f64> = Vec::with_capacity(cap);
    offs.push(0);
    for b in 0..nb {
        let first = level.len();
        for p in start[b]..start[b + 1] {
            let i = if sorted { p } else { by_unit[p] as usize };
            let t = d.small[i];
            let wi = d.w.map_or(1.0, |w| w[i]);
            let s = &mut slot[t as usize];
            if *s == u32::MAX {
                *s = level.len() as u32;
                level.push(t);
                weight.push(wi);
            } else {
                weight[*s as usize] += wi;
            }
        }
        for &t in &level[first..] {
            slot[t as usize] = u32::MAX;
        }
        offs.push(level.len());
    }
    (offs, level, weight)
}

/// `A = diag(W_t) − Σ_b c_b c_bᵀ / W_b`, row-major. Each unordered pair of a unit's entries is
/// accumulated once (into `acc[t][s]` or `acc[s][t]`), then folded symmetric. Consecutive
/// units with the same crosstab row (every unit of a balanced, unweighted panel) are one
/// update with their summed `1 / W_b`.
fn laplacian(offs: &[usize], level: &[u32], weight: &[f64], big_w: &[f64], small_w: &[f64]) -> Vec<f64> {
    let ns = small_w.len();
    let mut acc = vec![0.0; ns * ns];
    let row = |b: usize| (&level[offs[b]..offs[b + 1]], &weight[offs[b]..offs[b + 1]]);
    let mut b = 0;
    while b < big_w.len() {
        let (lv, wt) = row(b);
        let mut inv_w = 1.0 / big_w[b];
        let mut next = b + 1;
        while next < big_w.len() && row(next) == (lv, wt) {
            inv_w += 1.0 / big_w[next];
            next += 1;
        }
        for (p, (&tp, &cp)) in lv.iter().zip(wt).enumerate() {
            let f = cp * inv_w;
            let acc_row = &mut acc[tp as usize * ns..(tp as usize + 1) * ns];
            for (&tq, &cq) in lv[p..].iter().zip(&wt[p..]) {
                acc_row[tq as usize] += f * cq;
            }
        }
        b = next;
    }
    let mut a = vec![0.0; ns * ns];
    for t in 0..ns {
        a[t * ns + t] = small_w[t] - acc[t * ns + t];
        for s in t + 1..ns {
            let v = -(acc[t * ns + s] + acc[s * ns + t]);
            a[t * ns + s] = v;
            a[s * ns + t] = v;
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::demean::tests::brute;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn sums(codes: &[u32], k: usize, w: Option<&[f64]>) -> Vec<f64> {
        let mut s = vec![0.0; k];
        for (i, &c) in codes.iter().enumerate() {
            s[c as usize] += w.map_or(1.0, |w| w[i]);
        }
        s
    }

    /// Random panels: unbalanced, repeated (unit, year) cells, weights, and (`split`) two
    /// disconnected blocks of units and years.
    fn panel(rng: &mut ChaCha8Rng, nb: usize, ns: usize, keep: f64, split: bool) -> (Vec<u32>, Vec<u32>) {
        let (mut big, mut small) = (Vec::new(), Vec::new());
        for b in 0..nb {
            for t in 0..ns {
                let other_block = split && ((b < nb / 2) != (t < ns / 2));
                if other_block || rng.random::<f64>() > keep {
                    continue;
                }
                let reps = if rng.random::<f64>() < 0.1 { 2 } else { 1 };
                for _ in 0..reps {
                    big.push(b as u32);
                    small.push(t as u32);
                }
            }
        }
        (compact(&big), compact(&small))
    }

    /// Codes renumbered `0..levels` in order of appearance.
    fn compact(codes: &[u32]) -> Vec<u32> {
        let mut map = std::collections::HashMap::new();
        codes.iter().map(|c| { let k = map.len() as u32; *map.entry(*c).or_insert(k) }).collect()
    }

    fn levels(codes: &[u32]) -> usize {
        codes.iter().max().map_or(0, |m| *m as usize + 1)
    }

    #[test]
    fn matches_the_dummy_regression() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for case in 0..24 {
            let (nb, ns) = (5 + rng.random_range(0..60), 2 + rng.random_range(0..12));
            let keep = [1.0, 0.7, 0.3][case % 3];
            let (big, small) = panel(&mut rng, nb, ns, keep, case % 4 == 3);
            let (mut big, mut small) = (big, small);
            if case % 5 == 1 {
                // rows not sorted by unit: the crosstab's counting-sort path
                let mut perm: Vec<usize> = (0..big.len()).collect();
                for i in (1..perm.len()).rev() {
                    perm.swap(i, rng.random_range(0..=i));
                }
                big = perm.iter().map(|&i| big[i]).collect();
                small = perm.iter().map(|&i| small[i]).collect();
            }
            let (nb, ns_used, n) = (levels(&big), levels(&small), big.len());
            let x: Vec<f64> = (0..n).map(|i| 100.0 + rng.random::<f64>() * 10.0 + big[i] as f64).collect();
            let wv: Vec<f64> = (0..n).map(|_| 0.2 + rng.random::<f64>()).collect();
            for w in [None, Some(wv.as_slice())] {
                let (bw, sw) = (sums(&big, nb, w), sums(&small, ns_used, w));
                let d = Dims { big: &big, big_w: &bw, small: &small, small_w: &sw, w };
                let tw = TwoWay::new(&d).expect("small panel");
                let mut out = vec![0.0; n];
                let mut twice = vec![0.0; n];
                let x2: Vec<f64> = x.iter().map(|v| 2.0 * v - 7.0).collect();
                let ok = tw.demean_block(&d, &[&x, &x2], &mut [&mut out, &mut twice]);
                assert_eq!(ok, vec![true, true], "case {case}");
                for i in 0..n {
                    assert!((twice[i] - 2.0 * out[i]).abs() < 1e-9, "second column of the block, case {case}");
                }
                let it = brute(&[big.clone(), small.clone()], &[nb, ns_used], w, &x);
                for i in 0..n {
                    assert!((out[i] - it[i]).abs() < 1e-9, "case {case} i={i}: {} vs {}", out[i], it[i]);
                }
            }
        }
    }

    #[test]
    fn residual_sums_vanish_in_both_dimensions() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let (big, small) = panel(&mut rng, 200, 15, 0.6, false);
        let (nb, ns, n) = (levels(&big), levels(&small), big.len());
        let x: Vec<f64> = (0..n).map(|_| rng.random::<f64>() * 1e3).collect();
        let (bw, sw) = (sums(&big, nb, None), sums(&small, ns, None));
        let d = Dims { big: &big, big_w: &bw, small: &small, small_w: &sw, w: None };
        let tw = TwoWay::new(&d).expect("built");
        let mut out = vec![0.0; n];
        assert_eq!(tw.demean_block(&d, &[&x], &mut [&mut out]), vec![true]);
        for (codes, k) in [(&big, nb), (&small, ns)] {
            let mut s = vec![0.0; k];
            for (i, &c) in codes.iter().enumerate() {
                s[c as usize] += out[i];
            }
            assert!(s.iter().all(|v| v.abs() < 1e-8), "{s:?}");
        }
    }

    #[test]
    fn too_many_small_levels_is_declined() {
        let big: Vec<u32> = (0..2000).map(|i| i / 1000).collect();
        let small: Vec<u32> = (0..2000).map(|i| i % 1000).collect();
        let (bw, sw) = (sums(&big, 2, None), sums(&small, 1000, None));
        let d = Dims { big: &big, big_w: &bw, small: &small, small_w: &sw, w: None };
        assert!(TwoWay::new(&d).is_none());
    }
}
