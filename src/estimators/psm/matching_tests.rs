//! Unit tests of [`super`] (the matching methods by hand, and the pair passes).

use super::*;

use super::test_config as cfg;

fn sets(m: &MatchSet) -> Vec<(usize, Vec<(usize, f64)>)> {
    (0..m.focal.len()).map(|s| (m.focal[s], m.members(s).collect())).collect()
}

#[test]
fn greedy_descending_by_hand() {
    // values: treated 0:0.80, 1:0.50, 2:0.45; controls 3:0.70, 4:0.48, 5:0.40, 6:0.10
    // Descending order: 0 (0.80) takes nearest 3 (0.70, |.10|);
    // 1 (0.50): free 4 (0.48, .02) vs 5 (.10) -> 4;
    // 2 (0.45): free 5 (0.40, .05) vs 6 (.35) -> 5.  Control 6 unused.
    let v = [0.80, 0.50, 0.45, 0.70, 0.48, 0.40, 0.10];
    let m = match_units(&v, &[0, 1, 2], &[3, 4, 5, 6], &cfg(Method::Nearest, 1, false, false, None));
    assert_eq!(sets(&m), vec![(0, vec![(3, 1.0)]), (1, vec![(4, 1.0)]), (2, vec![(5, 1.0)])]);
    // Ascending order instead: 2 (0.45) first takes 4 (0.48, .03 < .05);
    // 1 (0.50): free 3 (.20) vs 5 (.10) -> 5; 0 (0.80): 3.
    let mut c = cfg(Method::Nearest, 1, false, false, None);
    c.order = Order::Ascending;
    let m = match_units(&v, &[0, 1, 2], &[3, 4, 5, 6], &c);
    assert_eq!(sets(&m), vec![(0, vec![(3, 1.0)]), (1, vec![(5, 1.0)]), (2, vec![(4, 1.0)])]);
    // with a caliper of 0.04 (descending): 0 finds nothing within .04 -> dropped;
    // 1 takes 4; 2 finds 5 at .05 > .04 -> dropped.
    let m = match_units(&v, &[0, 1, 2], &[3, 4, 5, 6], &cfg(Method::Nearest, 1, false, false, Some(0.04)));
    assert_eq!(sets(&m), vec![(1, vec![(4, 1.0)])]);
    assert_eq!(m.dropped, vec![0, 2]);
}

#[test]
fn ties_share_weight() {
    // treated 0 at 0.5; controls 1 at 0.4 and 2 at 0.6 are equidistant, 3 at 0.9.
    let v = [0.5, 0.4, 0.6, 0.9];
    let m = match_units(&v, &[0], &[1, 2, 3], &cfg(Method::Nearest, 1, true, true, None));
    assert_eq!(sets(&m), vec![(0, vec![(1, 0.5), (2, 0.5)])]);
    // ties broken: exactly one of them with weight 1
    let m = match_units(&v, &[0], &[1, 2, 3], &cfg(Method::Nearest, 1, true, false, None));
    let s = sets(&m);
    assert_eq!(s[0].1.len(), 1);
    assert!(s[0].1[0].0 == 1 || s[0].1[0].0 == 2);
    assert_eq!(s[0].1[0].1, 1.0);
    // k = 2 with ties kept: 1 and 2 are the two nearest, no tie beyond -> both, 1/2 each
    let m = match_units(&v, &[0], &[1, 2, 3], &cfg(Method::Nearest, 2, true, true, None));
    assert_eq!(sets(&m), vec![(0, vec![(1, 0.5), (2, 0.5)])]);
}

#[test]
fn radius_and_kernel_by_hand() {
    // treated 0 at 0.50; controls 1:0.45, 2:0.52, 3:0.60, 4:0.20
    let v = [0.50, 0.45, 0.52, 0.60, 0.20];
    // radius 0.06: controls 1 (.05) and 2 (.02) -> 1/2 each
    let m = match_units(&v, &[0], &[1, 2, 3, 4], &cfg(Method::Radius, 1, true, true, Some(0.06)));
    assert_eq!(sets(&m), vec![(0, vec![(1, 0.5), (2, 0.5)])]);
    // Epanechnikov, h = 0.06: u = -5/6, 1/3, 5/3 (out), K = .75(1-25/36)=.2291667, .75(1-1/9)=.6666667
    let mut c = cfg(Method::Kernel, 1, true, true, None);
    c.bandwidth = 0.06;
    let m = match_units(&v, &[0], &[1, 2, 3, 4], &c);
    let s = sets(&m);
    let (k1, k2) = (0.75 * (1.0 - 25.0 / 36.0), 0.75 * (1.0 - 1.0 / 9.0));
    assert_eq!(s[0].1.len(), 2);
    assert!((s[0].1[0].1 - k1 / (k1 + k2)).abs() < 1e-12);
    assert!((s[0].1[1].1 - k2 / (k1 + k2)).abs() < 1e-12);
    // Gaussian h = 0.1: weights ∝ exp(-u²/2) for u = -.5, .2, 1, -3
    c.kernel = Kernel::Gaussian;
    c.bandwidth = 0.1;
    let m = match_units(&v, &[0], &[1, 2, 3, 4], &c);
    let s = sets(&m);
    let ks: Vec<f64> = [-3.0f64, -0.5, 0.2, 1.0].iter().map(|u| (-0.5 * u * u).exp()).collect();
    let tot: f64 = ks.iter().sum();
    // pool sorted by value: 4 (0.20), 1, 2, 3
    let ids: Vec<usize> = s[0].1.iter().map(|x| x.0).collect();
    assert_eq!(ids, vec![4, 1, 2, 3]);
    for (i, kv) in ks.iter().enumerate() {
        assert!((s[0].1[i].1 - kv / tot).abs() < 1e-12);
    }
}

/// Every pair pass (`sum`, `for_each`) goes through `Positions::fold`: it must give the same
/// members and weights, in the same order, as `next`, for every kind of set.
#[test]
fn fold_matches_next() {
    let v = [0.50, 0.45, 0.52, 0.60, 0.20, 0.52, 0.48, 0.30, 0.55];
    let (focal, pool) = ([0, 6, 8], [1, 2, 3, 4, 5, 7]);
    let mut configs = vec![
        cfg(Method::Nearest, 1, true, true, None),
        cfg(Method::Nearest, 2, true, false, None),
        cfg(Method::Nearest, 1, false, false, None),
        cfg(Method::Radius, 1, true, true, Some(0.06)),
        cfg(Method::Kernel, 1, true, true, None),
    ];
    let mut gauss = cfg(Method::Kernel, 1, true, true, None);
    gauss.kernel = Kernel::Gaussian;
    gauss.bandwidth = 0.1;
    configs.push(gauss);
    for c in &configs {
        let m = match_units(&v, &focal, &pool, c);
        assert!(!m.focal.is_empty());
        for s in 0..m.focal.len() {
            let mut by_next = Vec::new();
            for x in m.positions(s) {
                by_next.push(x);
            }
            let mut by_fold = Vec::new();
            m.positions(s).for_each(|x| by_fold.push(x));
            assert_eq!(by_next, by_fold, "{:?}", c.method);
            let sum: f64 = m.positions(s).map(|(_, w)| w).sum();
            assert_eq!(sum, by_next.iter().fold(-0.0, |a, x| a + x.1));
        }
    }
}
