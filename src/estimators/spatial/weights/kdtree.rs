//! A static k-d tree over points in 2 or 3 dimensions for nearest-neighbour and radius
//! queries in `O(n log n)` time and `O(n)` memory (no `n × n` distance matrix), so that
//! k-nearest-neighbour and distance-band matrices scale to tens of thousands of units.
//! Distances are squared Euclidean; ties are broken by the smaller unit index.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A balanced k-d tree stored implicitly: the node of `perm[lo..hi]` is `perm[mid]` with
/// `mid = (lo + hi) / 2`, split on `axis[mid]`.
pub(crate) struct KdTree<'a> {
    pts: &'a [[f64; 3]],
    perm: Vec<usize>,
    axis: Vec<u8>,
    dim: usize,
}

#[derive(PartialEq)]
struct Cand(f64, usize);
impl Eq for Cand {}
impl PartialOrd for Cand {
    fn partial_cmp(&self, o: &Cand) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Cand {
    fn cmp(&self, o: &Cand) -> Ordering {
        self.0.total_cmp(&o.0).then(self.1.cmp(&o.1))
    }
}

fn d2(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
}

impl<'a> KdTree<'a> {
    /// Builds over `pts` using the first `dim` coordinates (2 or 3).
    pub(crate) fn new(pts: &'a [[f64; 3]], dim: usize) -> KdTree<'a> {
        let mut t = KdTree { pts, perm: (0..pts.len()).collect(), axis: vec![0; pts.len()], dim: dim.clamp(1, 3) };
        t.build(0, pts.len());
        t
    }

    fn build(&mut self, lo: usize, hi: usize) {
        if hi <= lo + 1 {
            return;
        }
        // Split on the widest coordinate of this node.
        let mut best = (0usize, -1.0f64);
        for a in 0..self.dim {
            let (mut mn, mut mx) = (f64::INFINITY, f64::NEG_INFINITY);
            for &p in &self.perm[lo..hi] {
                mn = mn.min(self.pts[p][a]);
                mx = mx.max(self.pts[p][a]);
            }
            if mx - mn > best.1 {
                best = (a, mx - mn);
            }
        }
        let a = best.0;
        let mid = (lo + hi) / 2;
        let pts = self.pts;
        self.perm[lo..hi].select_nth_unstable_by(mid - lo, |&i, &j| pts[i][a].total_cmp(&pts[j][a]).then(i.cmp(&j)));
        self.axis[mid] = a as u8;
        self.build(lo, mid);
        self.build(mid + 1, hi);
    }

    /// The `k` points nearest to point `i` (itself excluded), nearest first, as
    /// `(squared distance, index)`.
    pub(crate) fn nearest(&self, i: usize, k: usize) -> Vec<(f64, usize)> {
        let mut heap: BinaryHeap<Cand> = BinaryHeap::with_capacity(k + 1);
        if k > 0 {
            self.knn_rec(0, self.perm.len(), i, k, &mut heap);
        }
        let mut v: Vec<(f64, usize)> = heap.into_iter().map(|c| (c.0, c.1)).collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        v
    }

    fn knn_rec(&self, lo: usize, hi: usize, i: usize, k: usize, heap: &mut BinaryHeap<Cand>) {
        if lo >= hi {
            return;
        }
        let mid = (lo + hi) / 2;
        let p = self.perm[mid];
        let q = &self.pts[i];
        if p != i {
            let c = Cand(d2(q, &self.pts[p]), p);
            if heap.len() < k {
                heap.push(c);
            } else if heap.peek().is_some_and(|w| c < *w) {
                heap.pop();
                heap.push(c);
            }
        }
        let a = self.axis[mid] as usize;
        let diff = q[a] - self.pts[p][a];
        let (near, far) = if diff <= 0.0 { ((lo, mid), (mid + 1, hi)) } else { ((mid + 1, hi), (lo, mid)) };
        self.knn_rec(near.0, near.1, i, k, heap);
        let worst = heap.peek().map_or(f64::INFINITY, |w| w.0);
        if heap.len() < k || diff * diff <= worst {
            self.knn_rec(far.0, far.1, i, k, heap);
        }
    }

    /// All points `j ≠ i` with squared distance to point `i` at most `r2`.
    pub(crate) fn within(&self, i: usize, r2: f64) -> Vec<(f64, usize)> {
        let mut out = Vec::new();
        self.within_rec(0, self.perm.len(), i, r2, &mut out);
        out
    }

    fn within_rec(&self, lo: usize, hi: usize, i: usize, r2: f64, out: &mut Vec<(f64, usize)>) {
        if lo >= hi {
            return;
        }
        let mid = (lo + hi) / 2;
        let p = self.perm[mid];
        let q = &self.pts[i];
        if p != i {
            let d = d2(q, &self.pts[p]);
            if d <= r2 {
                out.push((d, p));
            }
        }
        let a = self.axis[mid] as usize;
        let diff = q[a] - self.pts[p][a];
        if diff <= 0.0 || diff * diff <= r2 {
            self.within_rec(lo, mid, i, r2, out);
        }
        if diff >= 0.0 || diff * diff <= r2 {
            self.within_rec(mid + 1, hi, i, r2, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_brute_force() {
        // A deterministic scatter with ties.
        let pts: Vec<[f64; 3]> =
            (0..200).map(|i| [((i * 37) % 101) as f64 / 7.0, ((i * 53) % 97) as f64 / 5.0, 0.0]).collect();
        let t = KdTree::new(&pts, 2);
        for i in 0..pts.len() {
            let mut all: Vec<(f64, usize)> =
                (0..pts.len()).filter(|&j| j != i).map(|j| (d2(&pts[i], &pts[j]), j)).collect();
            all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            assert_eq!(t.nearest(i, 5), all[..5].to_vec());
            let mut w = t.within(i, 9.0);
            w.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let want: Vec<(f64, usize)> = all.iter().copied().filter(|x| x.0 <= 9.0).collect();
            assert_eq!(w, want);
        }
    }
}
