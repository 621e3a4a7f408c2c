//! Column kernels of the weighted methods and TOPSIS: each a tight loop over one
//! contiguous column (or one block of it), reading the dataset's own columns.
//!
//! The normalised values `z` are never stored for the whole data: [`Norm`] recomputes
//! `z_ij` from `x_ij` wherever it is needed, with the same expression (hence the same bits)
//! as [`super::weights::minmax_normalise`], and every sum runs in the order of the
//! original definitions (over rows for column sums, over indicators for row sums), so the
//! results equal those of the materialised computation bit for bit.

use super::ln::{is_normal_pos, ln, ln_normal};
use super::prepare::Group;
use crate::error::{Error, Result};

/// Rows per block of the row-wise passes (scores, distances): the block's accumulators
/// stay in the L1 cache while the indicators stream by.
const BLOCK: usize = 2048;

/// Min–max normalisation of one indicator within one scope:
/// `z = (x − lo)/range + shift` (benefit) or `(hi − x)/range + shift` (cost).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Norm {
    lo: f64,
    hi: f64,
    range: f64,
    shift: f64,
    cost: bool,
}

/// Minimum and maximum of NaN-free values, with four independent lanes (exact: the
/// order of comparisons cannot change a minimum; a ±0 tie may pick the other zero,
/// which gives the same `z`, since `v − (±0)` and `(±0) − v` only differ for `v = ±0`
/// in the sign of a zero that the `+ shift` (≥ 0) turns into `+0`).
fn min_max(x: &[f64]) -> (f64, f64) {
    let mut lo = [f64::INFINITY; 4];
    let mut hi = [f64::NEG_INFINITY; 4];
    let mut chunks = x.chunks_exact(4);
    for c in &mut chunks {
        for k in 0..4 {
            if c[k] < lo[k] {
                lo[k] = c[k];
            }
            if c[k] > hi[k] {
                hi[k] = c[k];
            }
        }
    }
    for &v in chunks.remainder() {
        if v < lo[0] {
            lo[0] = v;
        }
        if v > hi[0] {
            hi[0] = v;
        }
    }
    let l = lo.iter().copied().fold(f64::INFINITY, f64::min);
    let h = hi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (l, h)
}

impl Norm {
    /// The normalisation of values `x` (NaN-free); an error when they have no variation
    /// (naming the indicator and, if given, the period).
    pub fn fit(x: &[f64], direction: i8, shift: f64, name: &str, period: Option<&str>) -> Result<Norm> {
        let (lo, hi) = min_max(x);
        let range = hi - lo;
        let scale = lo.abs().max(hi.abs());
        if x.is_empty() || !(range.is_finite() && range > 4.0 * f64::EPSILON * scale) {
            // The value shown as the sequential minimum always found it.
            let lo = x.iter().fold(f64::INFINITY, |a, &v| a.min(v));
            let at = period.map(|p| format!(" in period {p}")).unwrap_or_default();
            return Err(Error::insufficient(format!(
                "indicator `{name}` has no variation{at} (every value is {lo}): min–max normalisation and its entropy are undefined; remove it from the index"
            )));
        }
        Ok(Norm { lo, hi, range, shift, cost: direction < 0 })
    }

    /// `z` of one value.
    #[inline(always)]
    pub fn z(&self, v: f64) -> f64 {
        if self.cost {
            (self.hi - v) / self.range + self.shift
        } else {
            (v - self.lo) / self.range + self.shift
        }
    }

    /// `out[k] = z(x[k])` (the test on the direction hoisted out of the loop).
    #[inline]
    pub fn fill(&self, x: &[f64], out: &mut [f64]) {
        let (lo, hi, range, shift) = (self.lo, self.hi, self.range, self.shift);
        if self.cost {
            for (o, &v) in out.iter_mut().zip(x) {
                *o = (hi - v) / range + shift;
            }
        } else {
            for (o, &v) in out.iter_mut().zip(x) {
                *o = (v - lo) / range + shift;
            }
        }
    }

    /// The normalised column.
    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; x.len()];
        self.fill(x, &mut out);
        out
    }
}

/// Entropy `e = −Σ p ln p / ln n` of the normalised values of `x` (`p = z/Σz`,
/// `0 ln 0 = 0`), the same bits as [`super::weights::entropy`] of [`Norm::apply`]: one
/// pass over `x`, `z` recomputed instead of stored.
pub(crate) fn entropy_of(x: &[f64], norm: &Norm) -> f64 {
    let (lo, hi, range, shift) = (norm.lo, norm.hi, norm.range, norm.shift);
    let sums = if norm.cost {
        z_ln_z_sums(x, |v| (hi - v) / range + shift)
    } else {
        z_ln_z_sums(x, |v| (v - lo) / range + shift)
    };
    entropy_from_sums(x.len(), sums)
}

/// The entropy of `n` values `z ≥ 0` from `T = Σz` and `S = Σ z ln z`:
/// `−Σ p ln p = −Σ (z/T)(ln z − ln T) = ln T − S/T`, so no row needs a division or the
/// logarithm of a tiny `p`.
pub(crate) fn entropy_from_sums(n: usize, (t, s): (f64, f64)) -> f64 {
    (ln(t) - s / t) / ln(n as f64)
}

/// `(Σ z, Σ z ln z)` over `z = z(x_i)`, `0 ln 0 = 0`. Each block of [`BLOCK`] rows is
/// summed in four lanes (row `i` in lane `i mod 4`), the lanes added pairwise and the block
/// sums in order: a fixed order, more accurate than one running sum over a million rows.
/// When a lane quad's `z` are all positive normal numbers their logarithms are evaluated
/// by the branch-free [`ln_normal`] as four independent chains the processor overlaps.
#[inline(always)]
pub(crate) fn z_ln_z_sums<F: Fn(f64) -> f64>(x: &[f64], z: F) -> (f64, f64) {
    let (mut t, mut s) = (0.0, 0.0);
    for block in x.chunks(BLOCK) {
        let (mut tl, mut sl) = ([0.0f64; 4], [0.0f64; 4]);
        let mut quads = block.chunks_exact(4);
        for q in &mut quads {
            let zq = [z(q[0]), z(q[1]), z(q[2]), z(q[3])];
            if zq.iter().all(|&v| is_normal_pos(v)) {
                let l = [ln_normal(zq[0]), ln_normal(zq[1]), ln_normal(zq[2]), ln_normal(zq[3])];
                for k in 0..4 {
                    tl[k] += zq[k];
                    sl[k] += zq[k] * l[k];
                }
            } else {
                for k in 0..4 {
                    tl[k] += zq[k];
                    sl[k] += z_ln_z(zq[k]);
                }
            }
        }
        for (k, &v) in quads.remainder().iter().enumerate() {
            let zv = z(v);
            tl[k] += zv;
            sl[k] += z_ln_z(zv);
        }
        t += (tl[0] + tl[1]) + (tl[2] + tl[3]);
        s += (sl[0] + sl[1]) + (sl[2] + sl[3]);
    }
    (t, s)
}

/// `z ln z`, `0` for `z = 0`.
#[inline]
fn z_ln_z(z: f64) -> f64 {
    if z > 0.0 {
        z * ln(z)
    } else {
        0.0
    }
}

/// One block of a group's rows: indicator `j`'s normalised values into `z`.
struct BlockReader<'a> {
    group: &'a Group,
    cols: &'a [std::borrow::Cow<'a, [f64]>],
    xbuf: Vec<f64>,
}

impl BlockReader<'_> {
    fn read(&mut self, j: usize, start: usize, norm: &Norm, z: &mut [f64]) {
        let col = &self.cols[j];
        let x: &[f64] = match self.group {
            Group::All(_) => &col[start..start + z.len()],
            Group::Rows(rows) => {
                self.xbuf.clear();
                self.xbuf.extend(rows[start..start + z.len()].iter().map(|&i| col[i]));
                &self.xbuf
            }
        };
        norm.fill(x, z);
    }
}

/// Weighted sums over indicators per row of a group: the score `Σ_j w_j z_ij` and, for
/// each dimension `d`, `Σ_{j∈d} v_j z_ij` (`dim_of[j] = Some((d, v_j))`), each summed in
/// indicator order and multiplied by `factor`, written at the group's dataset rows.
pub(crate) fn weighted_sums(
    group: &Group,
    cols: &[std::borrow::Cow<'_, [f64]>],
    norms: &[Norm],
    w: &[f64],
    dim_of: &[Option<(usize, f64)>],
    factor: f64,
    scores: &mut [f64],
    dim_scores: &mut [Vec<f64>],
) {
    let mut reader = BlockReader { group, cols, xbuf: Vec::with_capacity(BLOCK) };
    let mut z = vec![0.0; BLOCK];
    let mut acc = vec![0.0; BLOCK];
    let mut dacc = vec![vec![0.0; BLOCK]; dim_scores.len()];
    let n = group.len();
    for start in (0..n).step_by(BLOCK) {
        let len = BLOCK.min(n - start);
        let (z, acc) = (&mut z[..len], &mut acc[..len]);
        acc.fill(0.0);
        dacc.iter_mut().for_each(|d| d[..len].fill(0.0));
        for (j, norm) in norms.iter().enumerate() {
            reader.read(j, start, norm, z);
            let wj = w[j];
            for (a, &zv) in acc.iter_mut().zip(z.iter()) {
                *a += wj * zv;
            }
            if let Some((d, vj)) = dim_of[j] {
                for (a, &zv) in dacc[d].iter_mut().zip(z.iter()) {
                    *a += vj * zv;
                }
            }
        }
        for r in 0..len {
            let row = group.row(start + r);
            scores[row] = factor * acc[r];
            for (ds, da) in dim_scores.iter_mut().zip(&dacc) {
                ds[row] = factor * da[r];
            }
        }
    }
}

/// TOPSIS distances of a group's rows to the ideal and the anti-ideal point of the
/// weighted normalised values `v_ij = w_j z_ij`: `(D⁺, D⁻)` in the group's row order.
pub(crate) fn topsis_distances(
    group: &Group,
    cols: &[std::borrow::Cow<'_, [f64]>],
    norms: &[Norm],
    w: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let m = norms.len();
    let n = group.len();
    let mut buf = Vec::new();
    let mut ideal = vec![f64::NEG_INFINITY; m];
    let mut anti = vec![f64::INFINITY; m];
    for j in 0..m {
        let x = group.values(&cols[j], &mut buf);
        let (norm, wj) = (&norms[j], w[j]);
        for &xv in x {
            let v = wj * norm.z(xv);
            ideal[j] = ideal[j].max(v);
            anti[j] = anti[j].min(v);
        }
    }
    let mut reader = BlockReader { group, cols, xbuf: Vec::with_capacity(BLOCK) };
    let mut z = vec![0.0; BLOCK];
    let mut sp = vec![0.0; n];
    let mut sm = vec![0.0; n];
    for start in (0..n).step_by(BLOCK) {
        let len = BLOCK.min(n - start);
        let z = &mut z[..len];
        let (sp, sm) = (&mut sp[start..start + len], &mut sm[start..start + len]);
        for j in 0..m {
            reader.read(j, start, &norms[j], z);
            let (wj, ij, aj) = (w[j], ideal[j], anti[j]);
            for r in 0..len {
                let v = wj * z[r];
                sp[r] += (v - ij).powi(2);
                sm[r] += (v - aj).powi(2);
            }
        }
    }
    sp.iter_mut().chain(sm.iter_mut()).for_each(|s| *s = s.sqrt());
    (sp, sm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_lanes_cover_every_value() {
        let x: Vec<f64> = (0..11).map(|k| ((k * 7) % 11) as f64 - 3.0).collect();
        assert_eq!(min_max(&x), (-3.0, 7.0));
        assert_eq!(min_max(&[2.0, -1.0]), (-1.0, 2.0));
    }

    /// Both directions, zero `z` (shift 0), lengths that are not multiples of four.
    #[test]
    fn entropy_of_equals_the_materialised_entropy() {
        for (n, shift) in [(2, 0.0), (7, 0.0), (4099, 0.0), (4099, 1e-4), (1000, 3.0)] {
            let x: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64 * 0.5 - 3.0).collect();
            for dir in [1, -1] {
                let norm = Norm::fit(&x, dir, shift, "x", None).unwrap();
                let want = super::super::weights::entropy(&norm.apply(&x));
                assert_eq!(entropy_of(&x, &norm).to_bits(), want.to_bits(), "n {n}, shift {shift}, direction {dir}");
            }
        }
    }

    #[test]
    fn blocked_sums_match_row_sums() {
        let n = 2 * BLOCK + 17;
        let cols: Vec<Vec<f64>> = (0..3).map(|j| (0..n).map(|i| ((i * (j + 3)) % 101) as f64 * 0.37 - j as f64).collect()).collect();
        let cows: Vec<std::borrow::Cow<[f64]>> = cols.iter().map(|c| std::borrow::Cow::Borrowed(&c[..])).collect();
        let norms: Vec<Norm> = cols.iter().enumerate().map(|(j, c)| Norm::fit(c, if j == 1 { -1 } else { 1 }, 1e-4, "x", None).unwrap()).collect();
        let w = [0.2, 0.5, 0.3];
        let dim_of = [Some((0, 0.4)), None, Some((0, 0.6))];
        for group in [Group::All(n), Group::Rows((0..n).filter(|i| i % 3 != 1).collect())] {
            let mut scores = vec![f64::NAN; n];
            let mut dims = vec![vec![f64::NAN; n]];
            weighted_sums(&group, &cows, &norms, &w, &dim_of, 100.0, &mut scores, &mut dims);
            let (dp, dm) = topsis_distances(&group, &cows, &norms, &w);
            for k in 0..group.len() {
                let i = group.row(k);
                let z: Vec<f64> = (0..3).map(|j| norms[j].z(cols[j][i])).collect();
                let s: f64 = w.iter().zip(&z).map(|(a, b)| a * b).sum();
                assert_eq!(scores[i].to_bits(), (100.0 * s).to_bits());
                assert_eq!(dims[0][i].to_bits(), (100.0 * (0.4 * z[0] + 0.6 * z[2])).to_bits());
                assert!(dp[k] >= 0.0 && dm[k] >= 0.0);
            }
            let skipped = (0..n).filter(|i| scores[*i].is_nan()).count();
            assert_eq!(skipped, n - group.len());
        }
    }
}
