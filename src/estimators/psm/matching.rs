//! Matching algorithms on a scalar matching variable (score or its logit).
//!
//! All algorithms sort the pool (the units that can serve as matches) once by
//! the matching variable, so that the neighbours of any focal value are found
//! by binary search and a walk outward: O((n_focal + n_pool) log n_pool) plus
//! the size of the matched sets. Matched sets that are a contiguous run of the
//! sorted pool (ties, radius, kernel) are stored as that run, not member by
//! member, so memory stays O(n_focal + n_pool) even when the sets hold
//! n_focal × n_pool pairs in total (see [`MatchSet`]).
//!
//! * Nearest neighbour **with replacement** follows R `Matching::Match`: the
//!   distance is the squared difference of the variable standardised by its
//!   sample SD over the whole estimation sample, `d = ((vᵢ−v̄)/s − (vⱼ−v̄)/s)²`;
//!   `D` is the k-th smallest `d` among eligible pool units, and with
//!   `ties = true` every eligible unit with `d ≤ D + tol` (default `tol = 1e-5`,
//!   Matching's `distance.tolerance`) is a match, all sharing weight `1/mᵢ`.
//!   With `ties = false` exactly k are kept: those strictly nearer than
//!   `D − tol`, completed by a seeded random draw among the tied ones.
//!   (Because the tolerance is on the standardised scale, large samples with
//!   dense scores tie many controls per treated unit — faithful to Matching,
//!   and the reason `ties = false` is much cheaper there.)
//!   Eligible = within the caliper `|vᵢ − vⱼ| ≤ c`. A focal unit with no
//!   eligible unit is dropped; with fewer than k eligible units it keeps those
//!   it has (psmatch2 / MatchIt semantics; R Matching would drop it — the two
//!   agree for k = 1).
//! * Nearest neighbour **without replacement**: greedy. Focal units are
//!   processed in descending (default), ascending or seeded-random order of the
//!   matching variable (equal values keep data order); each takes its k nearest
//!   still-unused pool units within the caliper (equal distances: the one with
//!   the lower value first). Used units are skipped with union–find "next free"
//!   pointers in both directions, so the whole pass is near-linear.
//! * **Radius**: every pool unit within the caliper, equal weights.
//! * **Kernel**: every pool unit (within the caliper, if one is given), weight `K((vⱼ−vᵢ)/h) / Σ K`, Epanechnikov
//!   `K(u) = ¾(1−u²)` on `|u| < 1` or Gaussian `φ(u)` (evaluated for `|u| ≤ 8`,
//!   beyond which φ < 5e-15 of its peak). A focal unit with zero total weight is dropped.

use super::{Kernel, Method, Order};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Settings of one matching pass.
#[derive(Debug, Clone)]
pub(crate) struct MatchConfig {
    pub method: Method,
    pub k: usize,
    pub replace: bool,
    pub ties: bool,
    /// Absolute caliper on the matching variable (None = no caliper).
    pub caliper: Option<f64>,
    /// Mean and SD used to standardise the matching variable (NN distance).
    pub center: f64,
    pub scale: f64,
    /// Tie tolerance on the standardised squared distance.
    pub tol: f64,
    pub order: Order,
    pub kernel: Kernel,
    pub bandwidth: f64,
    pub seed: u64,
}

/// The result of matching focal units to a pool.
///
/// A matched set is stored compactly whenever its members are a contiguous run of
/// the sorted pool (nearest neighbour with ties, radius, kernel): as that run plus
/// the rule for the weights, which are recomputed on the fly by [`MatchSet::members`].
/// Memory is then O(n_focal + n_pool) however many (focal, pool) pairs there are
/// (kernel or radius matching with a wide bandwidth, ties on discrete scores: up to
/// n_focal × n_pool). Sets without that structure (greedy matching, ties broken at
/// random) are stored member by member; they have at most k members.
#[derive(Debug, Clone, Default)]
pub(crate) struct MatchSet {
    /// Focal unit (index into the value vector) of each matched set.
    pub focal: Vec<usize>,
    /// Where the members of each set are.
    sets: Vec<SetRep>,
    /// Members of explicitly stored sets (sorted-pool positions).
    idx: Vec<usize>,
    /// Their weights (sum to 1 within each set).
    w: Vec<f64>,
    /// The pool sorted by value (unit ids and values) that runs refer to.
    pool_id: Vec<usize>,
    pool_v: Vec<f64>,
    /// Kernel and bandwidth of kernel runs.
    kernel: Option<(Kernel, f64)>,
    /// Focal units without any match.
    pub dropped: Vec<usize>,
}

#[derive(Debug, Clone, Copy)]
enum SetRep {
    /// `idx[a..b]`, `w[a..b]`.
    Explicit { a: usize, b: usize },
    /// Sorted pool positions `lo..hi`, each with weight `1/(hi − lo)`.
    Equal { lo: usize, hi: usize },
    /// Sorted pool positions `lo..hi` with `K((v − vf)/h) > 0` (`m` of them), weight `K/total`.
    Kernel { lo: usize, hi: usize, m: usize, vf: f64, total: f64 },
}

/// Iterator over the members of one matched set: (position in the sorted pool, weight).
pub(crate) struct Positions<'a> {
    set: &'a MatchSet,
    rep: SetRep,
    pos: usize,
}

impl Iterator for Positions<'_> {
    type Item = (usize, f64);
    #[inline]
    fn next(&mut self) -> Option<(usize, f64)> {
        let s = self.set;
        match self.rep {
            SetRep::Explicit { b, .. } => (self.pos < b).then(|| {
                self.pos += 1;
                (s.idx[self.pos - 1], s.w[self.pos - 1])
            }),
            SetRep::Equal { lo, hi } => (self.pos < hi).then(|| {
                self.pos += 1;
                (self.pos - 1, 1.0 / (hi - lo) as f64)
            }),
            SetRep::Kernel { hi, vf, total, .. } => {
                let (kern, h) = s.kernel.unwrap_or((Kernel::Epanechnikov, 1.0));
                while self.pos < hi {
                    let p = self.pos;
                    self.pos += 1;
                    let kv = kernel_value(kern, (s.pool_v[p] - vf) / h);
                    if kv > 0.0 {
                        return Some((p, kv / total));
                    }
                }
                None
            }
        }
    }

    /// The remaining members in the order `next` gives them, in one loop that calls `f` at a
    /// single place (so it is inlined) with the set's kind matched per member (a branch that
    /// always goes the same way): the hot passes over every pair use it (`sum`, `for_each`).
    #[inline]
    fn fold<B, F: FnMut(B, (usize, f64)) -> B>(self, init: B, mut f: F) -> B {
        let s = self.set;
        let end = match self.rep {
            SetRep::Explicit { b, .. } => b,
            SetRep::Equal { hi, .. } | SetRep::Kernel { hi, .. } => hi,
        };
        let w_equal = match self.rep {
            SetRep::Equal { lo, hi } => 1.0 / (hi - lo) as f64,
            _ => 0.0,
        };
        let (kern, h) = s.kernel.unwrap_or((Kernel::Epanechnikov, 1.0));
        let mut acc = init;
        for q in self.pos..end {
            let item = match self.rep {
                SetRep::Explicit { .. } => (s.idx[q], s.w[q]),
                SetRep::Equal { .. } => (q, w_equal),
                SetRep::Kernel { vf, total, .. } => {
                    let kv = kernel_value(kern, (s.pool_v[q] - vf) / h);
                    if kv <= 0.0 || kv.is_nan() {
                        continue;
                    }
                    (q, kv / total)
                }
            };
            acc = f(acc, item);
        }
        acc
    }
}

/// Iterator over the members of one matched set: (pool unit, weight).
#[cfg(test)]
pub(crate) struct Members<'a>(Positions<'a>);

#[cfg(test)]
impl Iterator for Members<'_> {
    type Item = (usize, f64);
    #[inline]
    fn next(&mut self) -> Option<(usize, f64)> {
        self.0.next().map(|(p, w)| (self.0.set.pool_id[p], w))
    }
}

impl MatchSet {
    /// Records a set given as (sorted-pool position, weight) pairs.
    fn push(&mut self, f: usize, members: &[(usize, f64)]) {
        let a = self.idx.len();
        for &(j, w) in members {
            self.idx.push(j);
            self.w.push(w);
        }
        self.focal.push(f);
        self.sets.push(SetRep::Explicit { a, b: self.idx.len() });
    }
    fn push_rep(&mut self, f: usize, rep: SetRep) {
        self.focal.push(f);
        self.sets.push(rep);
    }
    /// Members of the s-th matched set as (sorted-pool position, weight), in pool order for
    /// runs (the order [`MatchSet::members`] gives them in).
    pub fn positions(&self, s: usize) -> Positions<'_> {
        let rep = self.sets[s];
        let pos = match rep {
            SetRep::Explicit { a, .. } => a,
            SetRep::Equal { lo, .. } | SetRep::Kernel { lo, .. } => lo,
        };
        Positions { set: self, rep, pos }
    }
    /// Members of the s-th matched set.
    #[cfg(test)]
    pub fn members(&self, s: usize) -> Members<'_> {
        Members(self.positions(s))
    }
    /// The pool unit at each sorted-pool position.
    pub fn pool_ids(&self) -> &[usize] {
        &self.pool_id
    }
    /// `values` of the pool units, in sorted-pool order.
    pub fn gather(&self, values: &[f64]) -> Vec<f64> {
        self.pool_id.iter().map(|&j| values[j]).collect()
    }
    /// Number of members of the s-th matched set.
    pub fn len_of(&self, s: usize) -> usize {
        match self.sets[s] {
            SetRep::Explicit { a, b } => b - a,
            SetRep::Equal { lo, hi } => hi - lo,
            SetRep::Kernel { m, .. } => m,
        }
    }
    /// Number of (focal, member) pairs over all sets.
    pub fn n_pairs(&self) -> usize {
        (0..self.focal.len()).map(|s| self.len_of(s)).sum()
    }
}

/// Kernel value at `u` (Epanechnikov ¾(1−u²) on |u| < 1, Gaussian exp(−u²/2)).
fn kernel_value(kernel: Kernel, u: f64) -> f64 {
    match kernel {
        Kernel::Epanechnikov => {
            if u.abs() < 1.0 {
                0.75 * (1.0 - u * u)
            } else {
                0.0
            }
        }
        Kernel::Gaussian => (-0.5 * u * u).exp(),
    }
}

/// First index in `lo..hi` where the monotone predicate `ok` (false … false true … true) holds.
fn first_true(mut lo: usize, mut hi: usize, ok: impl Fn(usize) -> bool) -> usize {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

struct SortedPool {
    /// Pool unit ids sorted by value.
    id: Vec<usize>,
    v: Vec<f64>,
    z: Vec<f64>,
}

fn sort_pool(values: &[f64], pool: &[usize], cfg: &MatchConfig) -> SortedPool {
    let mut id = pool.to_vec();
    id.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let v: Vec<f64> = id.iter().map(|&j| values[j]).collect();
    let z: Vec<f64> = v.iter().map(|&x| (x - cfg.center) / cfg.scale).collect();
    SortedPool { id, v, z }
}

fn within(cfg: &MatchConfig, a: f64, b: f64) -> bool {
    match cfg.caliper {
        Some(c) => (a - b).abs() <= c,
        None => true,
    }
}

/// Matches every focal unit (indices into `values`) to units of `pool`.
pub(crate) fn match_units(values: &[f64], focal: &[usize], pool: &[usize], cfg: &MatchConfig) -> MatchSet {
    let sp = sort_pool(values, pool, cfg);
    let mut out = match cfg.method {
        Method::Nearest if cfg.replace => nn_replace(values, focal, &sp, cfg),
        Method::Nearest => nn_greedy(values, focal, &sp, cfg),
        Method::Radius => radius(values, focal, &sp, cfg),
        Method::Kernel => kernel(values, focal, &sp, cfg),
    };
    if cfg.method == Method::Kernel {
        out.kernel = Some((cfg.kernel, cfg.bandwidth));
    }
    out.pool_id = sp.id;
    out.pool_v = sp.v;
    out
}

fn nn_replace(values: &[f64], focal: &[usize], sp: &SortedPool, cfg: &MatchConfig) -> MatchSet {
    let n = sp.v.len();
    let k = cfg.k.max(1).min(n.max(1));
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let mut out = MatchSet::default();
    let mut members: Vec<(usize, f64)> = Vec::new();
    let mut cand: Vec<(usize, f64)> = Vec::new();
    for &f in focal {
        let vf = values[f];
        let zf = (vf - cfg.center) / cfg.scale;
        let dist = |j: usize| {
            let d = sp.z[j] - zf;
            d * d
        };
        let p = sp.v.partition_point(|&x| x < vf);
        // walk outward to the k-th nearest eligible unit
        let (mut l, mut r) = (p, p); // next left is l-1, next right is r
        let mut picked = 0usize;
        let mut dmax = f64::NAN;
        while picked < k {
            let left = if l > 0 && within(cfg, vf, sp.v[l - 1]) { Some(dist(l - 1)) } else { None };
            let right = if r < n && within(cfg, vf, sp.v[r]) { Some(dist(r)) } else { None };
            match (left, right) {
                (None, None) => break,
                (Some(dl), Some(dr)) if dl <= dr => {
                    dmax = dl;
                    l -= 1;
                }
                (Some(dl), None) => {
                    dmax = dl;
                    l -= 1;
                }
                (_, Some(dr)) => {
                    dmax = dr;
                    r += 1;
                }
            }
            picked += 1;
        }
        if picked == 0 {
            out.dropped.push(f);
            continue;
        }
        // all eligible units with d <= dmax + tol: a contiguous range around p (the
        // distance and the caliper test are monotone on each side of p, so binary search)
        let lim = dmax + cfg.tol;
        let ok = |j: usize| within(cfg, vf, sp.v[j]) && dist(j) <= lim;
        let lo = first_true(0, p, ok);
        let hi = first_true(p, n, |j| !ok(j));
        if cfg.ties || hi - lo <= picked {
            out.push_rep(f, SetRep::Equal { lo, hi });
            continue;
        }
        members.clear();
        {
            // keep the certain ones, draw the rest among the tied
            cand.clear();
            let mut certain: Vec<usize> = Vec::new();
            for j in lo..hi {
                if dist(j) < dmax - cfg.tol {
                    certain.push(j);
                } else {
                    cand.push((j, 0.0));
                }
            }
            cand.shuffle(&mut rng);
            let need = picked.saturating_sub(certain.len());
            certain.extend(cand.iter().take(need).map(|c| c.0));
            let m = certain.len() as f64;
            members.extend(certain.iter().map(|&j| (j, 1.0 / m)));
        }
        out.push(f, &members);
    }
    out
}

/// Union–find "next free" pointers over 0..n (index n is a sentinel = none).
struct NextFree {
    parent: Vec<usize>,
}

impl NextFree {
    fn new(n: usize) -> Self {
        NextFree { parent: (0..=n).collect() }
    }
    fn find(&mut self, mut x: usize) -> usize {
        let mut root = x;
        while self.parent[root] != root {
            root = self.parent[root];
        }
        while self.parent[x] != root {
            let nx = self.parent[x];
            self.parent[x] = root;
            x = nx;
        }
        root
    }
    /// Marks x used: it now points past itself.
    fn remove(&mut self, x: usize) {
        self.parent[x] = x + 1;
    }
}

fn focal_order(values: &[f64], focal: &[usize], order: Order, seed: u64) -> Vec<usize> {
    let mut f = focal.to_vec();
    match order {
        Order::Descending => f.sort_by(|&a, &b| values[b].total_cmp(&values[a])),
        Order::Ascending => f.sort_by(|&a, &b| values[a].total_cmp(&values[b])),
        Order::Random => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            f.shuffle(&mut rng);
        }
    }
    f
}

fn nn_greedy(values: &[f64], focal: &[usize], sp: &SortedPool, cfg: &MatchConfig) -> MatchSet {
    let n = sp.v.len();
    // right[i]: next free index >= i (n = none); left over mirrored indices.
    let mut right = NextFree::new(n);
    let mut left = NextFree::new(n); // mirrored: position i <-> n-1-i
    let k = cfg.k.max(1);
    let mut sets: Vec<(usize, Vec<(usize, f64)>)> = Vec::new();
    let mut dropped = Vec::new();
    for f in focal_order(values, focal, cfg.order, cfg.seed) {
        let vf = values[f];
        let p = sp.v.partition_point(|&x| x < vf);
        let mut got: Vec<usize> = Vec::new();
        while got.len() < k {
            let r = right.find(p);
            let l = if p == 0 {
                None
            } else {
                let m = left.find(n - p); // mirrored index of p-1 is n-p
                if m < n {
                    Some(n - 1 - m)
                } else {
                    None
                }
            };
            let rc = if r < n && within(cfg, vf, sp.v[r]) { Some(r) } else { None };
            let lc = match l {
                Some(l) if within(cfg, vf, sp.v[l]) => Some(l),
                _ => None,
            };
            let pick = match (lc, rc) {
                (None, None) => break,
                (Some(l), None) => l,
                (None, Some(r)) => r,
                (Some(l), Some(r)) => {
                    if (vf - sp.v[l]).abs() <= (sp.v[r] - vf).abs() {
                        l
                    } else {
                        r
                    }
                }
            };
            right.remove(pick);
            left.remove(n - 1 - pick);
            got.push(pick);
        }
        if got.is_empty() {
            dropped.push(f);
        } else {
            let m = got.len() as f64;
            sets.push((f, got.iter().map(|&j| (j, 1.0 / m)).collect()));
        }
    }
    // report sets in the input order of focal units
    let mut pos = vec![usize::MAX; values.len()];
    for (s, (f, _)) in sets.iter().enumerate() {
        pos[*f] = s;
    }
    let mut out = MatchSet::default();
    for &f in focal {
        if pos[f] != usize::MAX {
            out.push(f, &sets[pos[f]].1);
        }
    }
    let mut is_dropped = vec![false; values.len()];
    for &d in &dropped {
        is_dropped[d] = true;
    }
    out.dropped = focal.iter().copied().filter(|&f| is_dropped[f]).collect();
    out
}

fn radius(values: &[f64], focal: &[usize], sp: &SortedPool, cfg: &MatchConfig) -> MatchSet {
    let c = cfg.caliper.unwrap_or(f64::INFINITY);
    let mut out = MatchSet::default();
    for &f in focal {
        let vf = values[f];
        let lo = sp.v.partition_point(|&x| x < vf - c);
        let hi = sp.v.partition_point(|&x| x <= vf + c);
        // guard the edges with the exact caliper test used elsewhere (it is monotone on
        // each side of vf, so the units passing it are a contiguous run)
        let (mut lo, mut hi) = (lo.saturating_sub(1), (hi + 1).min(sp.v.len()));
        while lo < hi && (vf - sp.v[lo]).abs() > c {
            lo += 1;
        }
        while hi > lo && (vf - sp.v[hi - 1]).abs() > c {
            hi -= 1;
        }
        if lo == hi {
            out.dropped.push(f);
            continue;
        }
        out.push_rep(f, SetRep::Equal { lo, hi });
    }
    out
}

fn kernel(values: &[f64], focal: &[usize], sp: &SortedPool, cfg: &MatchConfig) -> MatchSet {
    let h = cfg.bandwidth;
    let reach = match cfg.kernel {
        Kernel::Epanechnikov => h,
        Kernel::Gaussian => 8.0 * h,
    };
    let mut out = MatchSet::default();
    for &f in focal {
        let vf = values[f];
        let mut lo = sp.v.partition_point(|&x| x < vf - reach);
        let mut hi = sp.v.partition_point(|&x| x <= vf + reach);
        // the caliper (if any) cuts a contiguous run too
        while lo < hi && !within(cfg, vf, sp.v[lo]) {
            lo += 1;
        }
        while hi > lo && !within(cfg, vf, sp.v[hi - 1]) {
            hi -= 1;
        }
        let (mut total, mut m) = (0.0, 0usize);
        for j in lo..hi {
            let kv = kernel_value(cfg.kernel, (sp.v[j] - vf) / h);
            if kv > 0.0 {
                total += kv;
                m += 1;
            }
        }
        if total <= 0.0 {
            out.dropped.push(f);
            continue;
        }
        out.push_rep(f, SetRep::Kernel { lo, hi, m, vf, total });
    }
    out
}

/// A plain configuration for unit tests (no centring/scaling, tolerance 1e-9,
/// descending order, Epanechnikov kernel with bandwidth 0.06, seed 1).
#[cfg(test)]
pub(crate) fn test_config(method: Method, k: usize, replace: bool, ties: bool, caliper: Option<f64>) -> MatchConfig {
    MatchConfig {
        method,
        k,
        replace,
        ties,
        caliper,
        center: 0.0,
        scale: 1.0,
        tol: 1e-9,
        order: Order::Descending,
        kernel: Kernel::Epanechnikov,
        bandwidth: 0.06,
        seed: 1,
    }
}

#[cfg(test)]
#[path = "matching_tests.rs"]
mod tests;
