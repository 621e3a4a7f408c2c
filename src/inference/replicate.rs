//! Replications split across workers: per-draw random streams and blocks of draw results.
//!
//! Every replicating analysis (placebo, wild bootstrap, mediation bootstrap, PSM bootstrap,
//! the Callaway–Sant'Anna multiplier bootstrap) is written as three steps:
//!
//! 1. *prepare*: everything that does not depend on the draws (demeaning, the fit itself);
//! 2. *draws* over a [`DrawRange`]: draw `b` uses only [`draw_rng`]`(seed, b)` and writes its
//!    statistics (a fixed number, `width`, per draw; NaN for a failed draw) into a [`DrawBlock`];
//! 3. *finish* from the [`DrawBlock`] of all draws `0..B`, in draw order.
//!
//! The one-thread call is `prepare → draws(0..B) → finish`. A pool of workers runs `draws` on
//! disjoint ranges and concatenates the blocks ([`DrawBlock::concat`]) before `finish`, so the
//! result is bit-identical whatever the number of workers.

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::{Error, ErrorKind, Result};

/// The random stream of draw `draw` under `seed`: ChaCha8 seeded with `seed`, stream `draw`
/// (independent streams of one key; the same bits natively and in wasm).
pub fn draw_rng(seed: u64, draw: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(draw as u64);
    rng
}

/// A half-open range of draws, `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRange {
    pub start: usize,
    pub end: usize,
}

impl DrawRange {
    /// All `total` draws.
    pub fn all(total: usize) -> DrawRange {
        DrawRange { start: 0, end: total }
    }
    /// Number of draws in the range.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    /// True when the range holds no draw.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Checks the range against the number of draws the spec asks for.
    pub fn check(&self, total: usize) -> Result<()> {
        if self.start > self.end || self.end > total {
            return Err(Error::new(ErrorKind::InvalidArgument {
                message: format!("draw range {}..{} is outside the {total} draws of this analysis", self.start, self.end),
            }));
        }
        Ok(())
    }
}

/// The statistics of draws `start..end`: `width` numbers per draw, draw after draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawBlock {
    pub start: usize,
    pub end: usize,
    pub width: usize,
    pub values: Vec<f64>,
}

impl DrawBlock {
    /// An empty block for `range`, ready for [`DrawBlock::push`].
    pub fn with_capacity(range: DrawRange, width: usize) -> DrawBlock {
        DrawBlock { start: range.start, end: range.start, width, values: Vec::with_capacity(range.len() * width) }
    }
    /// Appends the next draw's statistics (`stats.len()` must be `width`).
    pub fn push(&mut self, stats: &[f64]) {
        debug_assert_eq!(stats.len(), self.width);
        self.values.extend_from_slice(stats);
        self.end += 1;
    }
    /// Number of draws held.
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    /// True when no draw is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The statistics of draw `b` (absolute draw number).
    pub fn draw(&self, b: usize) -> &[f64] {
        let i = b - self.start;
        &self.values[i * self.width..(i + 1) * self.width]
    }
    /// Iterates over the draws in order.
    pub fn rows(&self) -> impl Iterator<Item = &[f64]> {
        self.values.chunks_exact(self.width.max(1)).take(self.len())
    }
    /// Checks that the block is well formed and covers exactly `0..total`.
    pub fn check_complete(&self, total: usize, width: usize) -> Result<()> {
        if self.start != 0 || self.end != total || self.width != width || self.values.len() != total * width {
            return Err(Error::new(ErrorKind::InvalidArgument {
                message: format!(
                    "the replications given cover draws {}..{} with {} statistics each; this analysis needs draws 0..{total} with {width}",
                    self.start, self.end, self.width
                ),
            }));
        }
        Ok(())
    }
    /// Joins blocks of consecutive ranges (in any order) into one block.
    pub fn concat(mut blocks: Vec<DrawBlock>) -> Result<DrawBlock> {
        blocks.sort_by_key(|b| b.start);
        let mut it = blocks.into_iter();
        let Some(mut out) = it.next() else {
            return Err(Error::new(ErrorKind::InvalidArgument { message: "no replications to join".into() }));
        };
        for b in it {
            if b.start != out.end || b.width != out.width || b.values.len() != b.len() * b.width {
                return Err(Error::new(ErrorKind::InvalidArgument {
                    message: format!("replication blocks do not join: draws ..{} then {}..", out.end, b.start),
                }));
            }
            out.end = b.end;
            out.values.extend_from_slice(&b.values);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    #[test]
    fn streams_differ_and_repeat() {
        let a: Vec<u64> = (0..4).map(|b| draw_rng(1, b).next_u64()).collect();
        let again: Vec<u64> = (0..4).map(|b| draw_rng(1, b).next_u64()).collect();
        assert_eq!(a, again);
        for i in 0..4 {
            for j in i + 1..4 {
                assert_ne!(a[i], a[j]);
            }
        }
        assert_ne!(draw_rng(1, 0).next_u64(), draw_rng(2, 0).next_u64());
    }

    #[test]
    fn concat_joins_in_any_order_and_refuses_gaps() {
        let mut x = DrawBlock::with_capacity(DrawRange { start: 0, end: 2 }, 2);
        x.push(&[1.0, 2.0]);
        x.push(&[3.0, 4.0]);
        let mut y = DrawBlock::with_capacity(DrawRange { start: 2, end: 3 }, 2);
        y.push(&[5.0, 6.0]);
        let all = DrawBlock::concat(vec![y.clone(), x.clone()]).unwrap();
        assert_eq!(all.values, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert!(all.check_complete(3, 2).is_ok());
        assert_eq!(all.draw(2), &[5.0, 6.0]);
        let mut z = DrawBlock::with_capacity(DrawRange { start: 3, end: 4 }, 2);
        z.push(&[0.0, 0.0]);
        assert!(DrawBlock::concat(vec![x, z]).is_err());
    }
}
