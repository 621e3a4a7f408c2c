//! Placebo assignments.
//!
//! Each returns a DID column aligned with the dataset rows (rows whose actual DID is
//! missing stay missing, so every replication uses the same sample):
//! * [`permute_units`] reassigns the observed unit-level treatment (the multiset of adoption
//!   times, "never" included; or the treated flags of the 2×2 form) among units at random;
//!   [`n_distinct_permutations`] = `n! / Π m_v!` (saturating) counts the distinct assignments
//!   and [`enumerate_permutations`] lists them all for small designs;
//! * [`random_timing`] picks as many units as are treated in the panel, uniformly without
//!   replacement, and gives each an adoption time drawn uniformly from the panel's periods
//!   except the first (so each fake-treated unit has a pre-period);
//! * [`in_time`] moves every adoption `k` time units earlier and keeps only pre-policy rows.
//!
//! Randomness comes from the caller's RNG (use a seeded `rand_chacha::ChaCha8Rng`); only
//! `next_u64` is used, with rejection sampling for bounded integers, so a seed gives the same
//! draws on every platform, native and wasm.

use super::*;

use crate::inference::rng::{below, shuffle};

fn present_units(design: &DidDesign) -> Vec<usize> {
    (0..design.unit_present.len()).filter(|&u| design.unit_present[u]).collect()
}

/// A unit-level placebo assignment: per unit code, the period from which the unit's placebo DID
/// is "on" (`+∞`: never). Start and indicator forms: the DID is `1{t ≥ threshold}`; 2×2 form:
/// `−∞` for a treated unit, whose DID is then its `post` value, `+∞` otherwise.
pub(crate) type Thresholds = Vec<f64>;

/// The placebo DID of row `i` under thresholds `thr` (NaN wherever the actual DID is NaN).
pub(crate) fn did_at(design: &DidDesign, thr: &[f64], i: usize) -> f64 {
    if design.did[i].is_nan() {
        return f64::NAN;
    }
    let u = design.unit.codes[i] as usize;
    let on = thr.get(u).is_some_and(|&a| design.time[i] >= a || a == f64::NEG_INFINITY);
    match (&design.post, on) {
        (_, false) => 0.0,
        (Some(post), true) if matches!(design.form, TreatmentForm::TreatPost { .. }) => {
            post.get(i).copied().unwrap_or(f64::NAN)
        }
        _ => 1.0,
    }
}

/// The placebo DID column (aligned with the dataset rows) of a unit-level assignment.
pub(crate) fn did_from_thresholds(design: &DidDesign, thr: &[f64]) -> Vec<f64> {
    (0..design.did.len()).map(|i| did_at(design, thr, i)).collect()
}

fn adoption_thresholds(n: usize, units: &[usize], vals: &[Option<f64>]) -> Thresholds {
    let mut thr = vec![f64::INFINITY; n];
    for (&u, v) in units.iter().zip(vals) {
        thr[u] = v.unwrap_or(f64::INFINITY);
    }
    thr
}

fn treated_thresholds(n: usize, units: &[usize], treated: &[bool]) -> Thresholds {
    let mut thr = vec![f64::INFINITY; n];
    for (&u, &t) in units.iter().zip(treated) {
        if t {
            thr[u] = f64::NEG_INFINITY;
        }
    }
    thr
}

/// The unit-level assignment of [`permute_units`].
pub(crate) fn permuted_thresholds<R: RngCore + ?Sized>(design: &DidDesign, rng: &mut R) -> Thresholds {
    let units = present_units(design);
    if matches!(design.form, TreatmentForm::TreatPost { .. }) {
        let mut vals: Vec<bool> = units.iter().map(|&u| design.unit_treated[u]).collect();
        shuffle(&mut vals, rng);
        treated_thresholds(design.unit_treated.len(), &units, &vals)
    } else {
        let mut vals: Vec<Option<f64>> = units.iter().map(|&u| design.unit_adoption[u]).collect();
        shuffle(&mut vals, rng);
        adoption_thresholds(design.unit_adoption.len(), &units, &vals)
    }
}

/// Reassigns the observed unit-level treatment among the units at random (the multiset of
/// adoption times including "never"; for the 2×2 form the treated flags) and returns the
/// placebo DID column.
pub fn permute_units<R: RngCore + ?Sized>(design: &DidDesign, rng: &mut R) -> Vec<f64> {
    did_from_thresholds(design, &permuted_thresholds(design, rng))
}

/// The unit-level assignment of [`random_timing`].
pub(crate) fn random_timing_thresholds<R: RngCore + ?Sized>(design: &DidDesign, rng: &mut R) -> Result<Thresholds> {
    if matches!(design.form, TreatmentForm::TreatPost { .. }) {
        return Err(Error::invalid(
            "a random-timing placebo needs adoption times: give `start` or `indicator` instead of `treat` + `post`",
        ));
    }
    if design.periods.len() < 2 {
        return Err(Error::insufficient("a random-timing placebo needs at least two periods"));
    }
    let mut units = present_units(design);
    let k = design.n_treated_units.min(units.len());
    // Partial Fisher–Yates: the first k entries become a uniform random subset.
    for i in 0..k {
        let j = i + below(rng, (units.len() - i) as u64) as usize;
        units.swap(i, j);
    }
    let choices = &design.periods[1..];
    let vals: Vec<Option<f64>> = (0..k).map(|_| Some(choices[below(rng, choices.len() as u64) as usize])).collect();
    Ok(adoption_thresholds(design.unit_adoption.len(), &units[..k], &vals))
}

/// Random fake adoption times: as many units as are treated in the panel are drawn without
/// replacement, each adopting at a period drawn uniformly from the panel's periods except the
/// first; all other units are never treated. Needs the `start` or `indicator` form.
pub fn random_timing<R: RngCore + ?Sized>(design: &DidDesign, rng: &mut R) -> Result<Vec<f64>> {
    Ok(did_from_thresholds(design, &random_timing_thresholds(design, rng)?))
}

/// The multiset of unit-level assignments as sorted class indices, with the value of each
/// class (`None` = never treated; for the 2×2 form class 1 = treated).
fn assignment_classes(design: &DidDesign) -> (Vec<u64>, Vec<Option<f64>>) {
    let units = present_units(design);
    if matches!(design.form, TreatmentForm::TreatPost { .. }) {
        let mut keys: Vec<u64> = units.iter().map(|&u| u64::from(design.unit_treated[u])).collect();
        keys.sort_unstable();
        return (keys, vec![None, Some(1.0)]);
    }
    let mut values: Vec<Option<f64>> = units.iter().map(|&u| design.unit_adoption[u]).collect();
    values.sort_by(|a, b| match (a, b) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.total_cmp(y),
    });
    let mut classes: Vec<Option<f64>> = values.clone();
    classes.dedup();
    let mut keys = Vec::with_capacity(values.len());
    let mut k = 0u64;
    for (i, v) in values.iter().enumerate() {
        if i > 0 && values[i - 1] != *v {
            k += 1;
        }
        keys.push(k);
    }
    (keys, classes)
}

/// Number of distinct assignments of the observed treatment multiset to the units:
/// `n! / Π m_v!` (multinomial), saturating at `u64::MAX`.
pub fn n_distinct_permutations(design: &DidDesign) -> u64 {
    let (keys, _) = assignment_classes(design);
    let mut counts: Vec<u64> = Vec::new();
    let mut k = 0;
    while k < keys.len() {
        let mut j = k;
        while j < keys.len() && keys[j] == keys[k] {
            j += 1;
        }
        counts.push((j - k) as u64);
        k = j;
    }
    // Product of binomials C(n_so_far + m, m), each built as an exact running product.
    let mut total: u128 = 1;
    let mut placed: u64 = 0;
    for m in counts {
        let mut c: u128 = 1;
        for i in 1..=m {
            // c = C(placed + i, i) = c * (placed + i) / i, exact at every step.
            c = match c.checked_mul(u128::from(placed + i)) {
                Some(x) => x / u128::from(i),
                None => return u64::MAX,
            };
            if c > u128::from(u64::MAX) {
                return u64::MAX;
            }
        }
        placed += m;
        total = match total.checked_mul(c) {
            Some(t) if t <= u128::from(u64::MAX) => t,
            _ => return u64::MAX,
        };
    }
    total as u64
}

/// Every distinct assignment of the observed treatment multiset to the units (the actual one
/// included), as DID columns, in lexicographic order of the unit-level assignment. An error
/// when there are more than `max` of them.
pub fn enumerate_permutations(design: &DidDesign, max: usize) -> Result<Vec<Vec<f64>>> {
    Ok(enumerated_thresholds(design, max)?.iter().map(|t| did_from_thresholds(design, t)).collect())
}

/// The unit-level assignments of [`enumerate_permutations`], in the same order.
pub(crate) fn enumerated_thresholds(design: &DidDesign, max: usize) -> Result<Vec<Thresholds>> {
    let count = n_distinct_permutations(design);
    if count > max as u64 {
        return Err(Error::invalid(format!(
            "{count} distinct permutations is more than the {max} allowed for full enumeration"
        )));
    }
    let units = present_units(design);
    let (mut keys, classes) = assignment_classes(design);
    let mut out = Vec::with_capacity(count as usize);
    let tp = matches!(design.form, TreatmentForm::TreatPost { .. });
    loop {
        out.push(if tp {
            let treated: Vec<bool> = keys.iter().map(|&k| k == 1).collect();
            treated_thresholds(design.unit_treated.len(), &units, &treated)
        } else {
            let vals: Vec<Option<f64>> = keys.iter().map(|&k| classes.get(k as usize).copied().flatten()).collect();
            adoption_thresholds(design.unit_adoption.len(), &units, &vals)
        });
        if !next_permutation(&mut keys) {
            break;
        }
    }
    Ok(out)
}

/// Lexicographic next permutation (multiset-aware); false after the last one.
fn next_permutation(v: &mut [u64]) -> bool {
    if v.len() < 2 {
        return false;
    }
    let mut i = v.len() - 1;
    while i > 0 && v[i - 1] >= v[i] {
        i -= 1;
    }
    if i == 0 {
        return false;
    }
    let mut j = v.len() - 1;
    while v[j] <= v[i - 1] {
        j -= 1;
    }
    v.swap(i - 1, j);
    v[i..].reverse();
    true
}

/// An in-time placebo: the fake DID column and the pre-policy rows it applies to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InTimePlacebo {
    /// Fake DID per row (NaN outside `keep_rows`).
    pub did: Vec<f64>,
    /// Rows to use: pre-policy rows only.
    pub keep_rows: Vec<bool>,
    /// Number of rows kept.
    pub n_kept: usize,
    /// Non-fatal findings.
    pub diagnostics: Diagnostics,
}

/// In-time placebo: every treated unit's adoption moves `shift` time units earlier (`A − k`),
/// and only pre-policy rows are kept — rows of treated units before their actual adoption,
/// and rows of other units before the last in-panel adoption. Always-treated units drop out.
pub fn in_time(design: &DidDesign, shift: i64) -> Result<InTimePlacebo> {
    if matches!(design.form, TreatmentForm::TreatPost { .. }) {
        return Err(Error::invalid(
            "an in-time placebo needs adoption times: give `start` or `indicator` instead of `treat` + `post`",
        ));
    }
    if shift < 1 {
        return Err(Error::invalid(format!("the in-time placebo shift must be at least 1 period (got {shift})")));
    }
    let k = shift as f64;
    let last = design.time_range.map_or(f64::NEG_INFINITY, |r| r.1);
    let cutoff = design
        .unit_adoption
        .iter()
        .zip(&design.unit_present)
        .filter_map(|(a, p)| if *p { *a } else { None })
        .filter(|&a| a <= last)
        .fold(f64::NEG_INFINITY, f64::max);
    let n = design.did.len();
    let mut did = vec![f64::NAN; n];
    let mut keep = vec![false; n];
    for i in 0..n {
        if design.did[i].is_nan() {
            continue;
        }
        let t = design.time[i];
        let u = design.unit.codes[i] as usize;
        match design.unit_adoption.get(u).copied().flatten() {
            Some(a) if a <= last => {
                if t < a {
                    keep[i] = true;
                    did[i] = if t >= a - k { 1.0 } else { 0.0 };
                }
            }
            _ => {
                if t < cutoff {
                    keep[i] = true;
                    did[i] = 0.0;
                }
            }
        }
    }
    let n_kept = keep.iter().filter(|k| **k).count();
    // Need a period with both fake-treated and untreated rows.
    let mut status: BTreeMap<u64, (bool, bool)> = BTreeMap::new();
    for i in 0..n {
        if keep[i] {
            let e = status.entry(design.time[i].to_bits()).or_insert((false, false));
            if did[i] == 1.0 {
                e.0 = true;
            } else {
                e.1 = true;
            }
        }
    }
    if !status.values().any(|(t, c)| *t && *c)
        || !some_unit_switches(&design.unit.codes, &did, &|i| keep[i], design.unit.n_levels())
    {
        return Err(Error::insufficient(format!(
            "in-time placebo with a shift of {shift}: no treated unit has pre-policy periods both before and after \
             its fake adoption (try a smaller shift)"
        )));
    }
    let mut diagnostics = Diagnostics::new();
    diagnostics.push(Diagnostic::info(
        Code::InTimePlacebo,
        format!(
            "in-time placebo: adoption moved {shift} period{} earlier; {n_kept} of {} rows kept (pre-policy only)",
            if shift == 1 { "" } else { "s" },
            design.did.iter().filter(|d| !d.is_nan()).count()
        ),
    ));
    let no_pre: Vec<String> = (0..design.unit_adoption.len())
        .filter(|&u| {
            let rows: Vec<usize> = (0..n).filter(|&i| keep[i] && design.unit.codes[i] as usize == u).collect();
            design.unit_adoption[u].is_some_and(|a| a <= last) && !rows.is_empty() && rows.iter().all(|&i| did[i] == 1.0)
        })
        .map(|u| design.unit.levels[u].clone())
        .collect();
    if !no_pre.is_empty() {
        diagnostics.push(Diagnostic::warning(
            Code::InTimePlacebo,
            format!("units with no period before the fake adoption: {}", list_names(&no_pre, 8)),
        ));
    }
    Ok(InTimePlacebo { did, keep_rows: keep, n_kept, diagnostics })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_permutation_counts_multiset_orders() {
        let mut v = vec![0, 0, 1, 2];
        let mut n = 1;
        while next_permutation(&mut v) {
            n += 1;
        }
        assert_eq!(n, 12); // 4!/2!
        assert_eq!(v, vec![2, 1, 0, 0]);
    }
}
