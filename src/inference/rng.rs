//! Platform-independent random draws from a seeded RNG: only `next_u64` is used, with
//! rejection sampling for bounded integers, so a seed gives the same draws natively and in
//! wasm. The placebo assignments, the mediation bootstrap and the wild bootstrap's Webb
//! weights all draw through here.

use rand::RngCore;

/// Uniform integer in `0..n` by rejection (`0`, drawing nothing, when `n ≤ 1`).
pub fn below<R: RngCore + ?Sized>(rng: &mut R, n: u64) -> u64 {
    if n <= 1 {
        return 0;
    }
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % n;
        }
    }
}

/// Fisher–Yates shuffle driven by [`below`].
pub fn shuffle<T, R: RngCore + ?Sized>(v: &mut [T], rng: &mut R) {
    for i in (1..v.len()).rev() {
        let j = below(rng, i as u64 + 1) as usize;
        v.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn below_is_in_range_and_deterministic() {
        let mut a = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut b = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for n in 1..50u64 {
            let x = below(&mut a, n);
            assert!(x < n);
            assert_eq!(x, below(&mut b, n));
        }
    }
}
