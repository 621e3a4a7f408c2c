//! Weighting methods (entropy, CRITIC, coefficient of variation, equal) and
//! TOPSIS, on the prepared indicator matrix. Conventions: see the parent module.

use super::kernels::{entropy_from_sums, entropy_of, topsis_distances, weighted_sums, z_ln_z_sums, Norm};
use super::prepare::Group;
use super::{
    DimensionResult, IndexMethod, IndexSpec, IndicatorSpec, IndicatorWeight, PeriodWeights, Prepared, Scope, ValidIndexSpec,
    TopsisResult, WeightedIndex,
};
use std::borrow::Cow;
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic};
use crate::error::{Error, Result};
use crate::inference::stats::{mean, sd};

/// Min–max normalisation with cost indicators reversed, plus `shift`.
///
/// Errors when the values have no variation (naming the indicator and, if given,
/// the period).
pub fn minmax_normalise(x: &[f64], direction: i8, shift: f64, name: &str, period: Option<&str>) -> Result<Vec<f64>> {
    Ok(Norm::fit(x, direction, shift, name, period)?.apply(x))
}

/// Entropy `e_j` of a positive column: `−Σ p ln p / ln n` with `p = z/Σz`, `0 ln 0 = 0`,
/// evaluated as `ln T − S/T` from `T = Σz` and `S = Σ z ln z` (sums in a fixed blocked
/// order; `ln` by the platform-independent table-driven logarithm, within two ulps).
pub fn entropy(z: &[f64]) -> f64 {
    entropy_from_sums(z.len(), z_ln_z_sums(z, |v| v))
}

fn corr(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (mean(a), mean(b));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    sab / (saa * sbb).sqrt()
}

/// Entropy weights `d_j / Σ d_k` from the entropies `e_j`.
fn entropy_weights(inds: &[IndicatorSpec], e: &[f64], at: &str) -> Result<Vec<IndicatorWeight>> {
    let total: f64 = e.iter().map(|v| 1.0 - v).sum();
    if !(total > 0.0 && total.is_finite()) {
        return Err(Error::numerical(format!("entropy weights are undefined{at}: every indicator has entropy 1")));
    }
    Ok(inds
        .iter()
        .zip(e)
        .map(|(ind, ej)| IndicatorWeight {
            entropy: Some(*ej),
            divergence: Some(1.0 - ej),
            ..IndicatorWeight::bare(ind, (1.0 - ej) / total)
        })
        .collect())
}

/// CRITIC weights from the normalised columns `z`.
fn critic_weights(inds: &[IndicatorSpec], z: &[Vec<f64>], at: &str) -> Result<Vec<IndicatorWeight>> {
    let m = inds.len();
    let mut out: Vec<IndicatorWeight> = inds.iter().map(|i| IndicatorWeight::bare(i, 0.0)).collect();
    let sds: Vec<f64> = z.iter().map(|c| sd(c)).collect();
    let mut info = vec![0.0; m];
    for j in 0..m {
        // 1 − r ≥ 0; rounding can leave ±1e-16 for perfectly correlated columns
        let conflict: f64 = (0..m).map(|k| if k == j { 0.0 } else { (1.0 - corr(&z[j], &z[k])).max(0.0) }).sum();
        info[j] = sds[j] * conflict;
        out[j].sd = Some(sds[j]);
        out[j].conflict = Some(conflict);
        out[j].information = Some(info[j]);
    }
    let total: f64 = info.iter().sum();
    // Every C_j is 0 exactly when all indicators are perfectly correlated (if one
    // C_j is 0, all are); then only rounding noise is left, so compare with the
    // largest possible total, Σ_j σ_j · 2(m − 1).
    let scale: f64 = sds.iter().sum::<f64>() * 2.0 * (m.max(2) - 1) as f64;
    if !(total > 1e-12 * scale && total.is_finite()) {
        return Err(Error::numerical(format!(
            "CRITIC weights are undefined{at}: the indicators carry no information (all perfectly correlated)"
        )));
    }
    for (w, c) in out.iter_mut().zip(&info) {
        w.weight = c / total;
    }
    Ok(out)
}

/// Coefficient-of-variation weights from the raw values of the group's rows.
fn cv_weights(inds: &[IndicatorSpec], group: &Group, cols: &[Cow<[f64]>], at: &str) -> Result<Vec<IndicatorWeight>> {
    let mut out = Vec::with_capacity(inds.len());
    let mut buf = Vec::new();
    for (ind, col) in inds.iter().zip(cols) {
        let x = group.values(col, &mut buf);
        if let Some(neg) = x.iter().find(|&&a| a < 0.0) {
            return Err(Error::invalid(format!(
                "indicator `{}` has negative values (e.g. {neg}){at}: the coefficient-of-variation method needs non-negative values; use entropy or CRITIC weights instead",
                ind.name
            )));
        }
        let mu = mean(x);
        if mu <= 0.0 {
            return Err(Error::invalid(format!("indicator `{}` has mean 0{at}: its coefficient of variation is undefined", ind.name)));
        }
        let s = sd(x);
        out.push(IndicatorWeight { mean: Some(mu), sd: Some(s), cv: Some(s / mu), ..IndicatorWeight::bare(ind, 0.0) });
    }
    let total: f64 = out.iter().map(|w| w.cv.unwrap_or(0.0)).sum();
    for w in out.iter_mut() {
        w.weight = w.cv.unwrap_or(0.0) / total;
    }
    Ok(out)
}

/// Per-group normalisations and weights.
struct GroupFit {
    /// `norms[j]`: how indicator j is normalised within the group.
    norms: Vec<Norm>,
    weights: Vec<IndicatorWeight>,
}

/// The normalisations and weights of one group. The entropy method streams each column
/// once for its range and once for its entropy; only CRITIC keeps the normalised columns.
fn fit_group(spec: &IndexSpec, prep: &Prepared, g: usize, method: IndexMethod) -> Result<GroupFit> {
    let group = &prep.groups[g];
    let period = prep.group_labels.get(g).map(String::as_str);
    let at = period.map(|p| format!(" in period {p}")).unwrap_or_default();
    let inds = &spec.indicators;
    let mut buf = Vec::new();
    let mut norms = Vec::with_capacity(inds.len());
    let mut e = Vec::new();
    for (ind, col) in inds.iter().zip(&prep.cols) {
        let x = group.values(col, &mut buf);
        let norm = Norm::fit(x, ind.direction, spec.shift, &ind.name, period)?;
        if matches!(method, IndexMethod::Entropy | IndexMethod::Topsis) {
            e.push(entropy_of(x, &norm));
        }
        norms.push(norm);
    }
    let weights = match method {
        IndexMethod::Entropy | IndexMethod::Topsis => entropy_weights(inds, &e, &at)?,
        IndexMethod::Critic => {
            let z: Vec<Vec<f64>> =
                norms.iter().zip(&prep.cols).map(|(nm, col)| nm.apply(group.values(col, &mut buf))).collect();
            critic_weights(inds, &z, &at)?
        }
        IndexMethod::Cv => cv_weights(inds, group, &prep.cols, &at)?,
        IndexMethod::Equal => inds.iter().map(|i| IndicatorWeight::bare(i, 1.0 / inds.len() as f64)).collect(),
        IndexMethod::Pca => return Err(Error::invalid("PCA has no indicator weights")),
    };
    Ok(GroupFit { norms, weights })
}

fn fit_groups(spec: &IndexSpec, prep: &Prepared, method: IndexMethod) -> Result<Vec<GroupFit>> {
    (0..prep.groups.len()).map(|g| fit_group(spec, prep, g, method)).collect()
}

/// Mean of the per-group weights (the single group's weights when pooled).
fn average_weights(fits: &[GroupFit]) -> Vec<IndicatorWeight> {
    let Some(first) = fits.first() else { return Vec::new() };
    if fits.len() == 1 {
        return first.weights.clone();
    }
    let g = fits.len() as f64;
    let avg = |f: &dyn Fn(&IndicatorWeight) -> Option<f64>, j: usize| -> Option<f64> {
        let mut s = 0.0;
        for fit in fits {
            s += f(&fit.weights[j])?;
        }
        Some(s / g)
    };
    first
        .weights
        .iter()
        .enumerate()
        .map(|(j, w0)| IndicatorWeight {
            weight: avg(&|w| Some(w.weight), j).unwrap_or(f64::NAN),
            entropy: avg(&|w| w.entropy, j),
            divergence: avg(&|w| w.divergence, j),
            sd: avg(&|w| w.sd, j),
            conflict: avg(&|w| w.conflict, j),
            information: avg(&|w| w.information, j),
            mean: avg(&|w| w.mean, j),
            cv: avg(&|w| w.cv, j),
            ..w0.clone()
        })
        .collect()
}

fn period_weights(prep: &Prepared, fits: &[GroupFit], spec: &IndexSpec) -> Vec<PeriodWeights> {
    if spec.scope != Scope::ByTime {
        return Vec::new();
    }
    fits.iter()
        .zip(&prep.groups)
        .zip(&prep.group_labels)
        .map(|((f, group), lab)| PeriodWeights { time: lab.clone(), n: group.len(), weights: f.weights.clone() })
        .collect()
}

/// Dimension names in order of first appearance, each with its indicator positions.
fn dimension_groups(inds: &[IndicatorSpec]) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for (j, ind) in inds.iter().enumerate() {
        if let Some(d) = &ind.dimension {
            match out.iter_mut().find(|(name, _)| name == d) {
                Some((_, v)) => v.push(j),
                None => out.push((d.clone(), vec![j])),
            }
        }
    }
    out
}

/// Within-dimension weights `w_j / W_d` of the dimension's indicators; equal weights
/// when the dimension weight `W_d` is 0 (its sub-index is then the plain mean of its
/// normalised indicators instead of 0/0; it enters the total with weight 0).
fn within_weights(w: &[f64], members: &[usize]) -> Vec<f64> {
    let wd: f64 = members.iter().map(|&j| w[j]).sum();
    if wd > 0.0 {
        members.iter().map(|&j| w[j] / wd).collect()
    } else {
        vec![1.0 / members.len() as f64; members.len()]
    }
}

pub(crate) fn build_weighted(ds: &Dataset, spec: &ValidIndexSpec, prep: Prepared) -> Result<WeightedIndex> {
    let n = ds.nrows();
    let fits = fit_groups(spec, &prep, spec.method)?;
    let factor = if spec.scale100 { 100.0 } else { 1.0 };
    let dims = dimension_groups(&spec.indicators);
    let mut scores = vec![f64::NAN; n];
    let mut dim_scores = vec![vec![f64::NAN; n]; dims.len()];
    for (fit, group) in fits.iter().zip(&prep.groups) {
        let w: Vec<f64> = fit.weights.iter().map(|w| w.weight).collect();
        let mut dim_of = vec![None; w.len()];
        for (d, (_, members)) in dims.iter().enumerate() {
            for (&j, wj) in members.iter().zip(within_weights(&w, members)) {
                dim_of[j] = Some((d, wj));
            }
        }
        weighted_sums(group, &prep.cols, &fit.norms, &w, &dim_of, factor, &mut scores, &mut dim_scores);
    }
    let weights = average_weights(&fits);
    let g = fits.len() as f64;
    let dimensions = dims
        .iter()
        .zip(dim_scores)
        .map(|((name, members), scores)| {
            // Means over periods of the dimension weight and the within weights.
            let mut wd_mean = 0.0;
            let mut within = vec![0.0; members.len()];
            for fit in &fits {
                let w: Vec<f64> = fit.weights.iter().map(|w| w.weight).collect();
                wd_mean += members.iter().map(|&j| w[j]).sum::<f64>() / g;
                for (k, wk) in within_weights(&w, members).iter().enumerate() {
                    within[k] += wk / g;
                }
            }
            DimensionResult {
                dimension: name.clone(),
                weight: wd_mean,
                indicators: members.iter().map(|&j| spec.indicators[j].name.clone()).collect(),
                weights: within,
                scores,
            }
        })
        .collect();
    Ok(WeightedIndex {
        method: spec.method,
        weights,
        scores,
        dimensions,
        by_time: period_weights(&prep, &fits, spec),
        n_used: prep.rows.len(),
        dropped_rows: prep.dropped,
        missing: prep.missing,
        diagnostics: prep.diagnostics,
    })
}

pub(crate) fn build_topsis(ds: &Dataset, spec: &ValidIndexSpec, prep: Prepared) -> Result<TopsisResult> {
    let n = ds.nrows();
    let mut diagnostics = prep.diagnostics.clone();
    let given: Option<&[f64]> = spec.given_weights().map(|g| {
        if (g.sum - 1.0).abs() > 1e-9 {
            diagnostics.push(Diagnostic::info(Code::WeightsRescaled, format!("given weights summed to {}; rescaled to sum to 1", g.sum)));
        }
        g.weights.as_slice()
    });
    let mut fits = if given.is_some() {
        // Normalise only; weights are replaced below.
        fit_groups(spec, &prep, IndexMethod::Equal)?
    } else {
        fit_groups(spec, &prep, IndexMethod::Entropy)?
    };
    if let Some(w) = given {
        for fit in fits.iter_mut() {
            for (iw, v) in fit.weights.iter_mut().zip(w) {
                iw.weight = *v;
            }
        }
    }
    let mut closeness = vec![f64::NAN; n];
    let mut d_plus = vec![f64::NAN; n];
    let mut d_minus = vec![f64::NAN; n];
    for (fit, group) in fits.iter().zip(&prep.groups) {
        let w: Vec<f64> = fit.weights.iter().map(|w| w.weight).collect();
        let (dps, dms) = topsis_distances(group, &prep.cols, &fit.norms, &w);
        for (k, (dp, dm)) in dps.into_iter().zip(dms).enumerate() {
            let row = group.row(k);
            d_plus[row] = dp;
            d_minus[row] = dm;
            closeness[row] = if dp + dm > 0.0 { dm / (dp + dm) } else { f64::NAN };
        }
    }
    Ok(TopsisResult {
        method: IndexMethod::Topsis,
        weight_source: if given.is_some() { "given".into() } else { "entropy".into() },
        weights: average_weights(&fits),
        closeness,
        d_plus,
        d_minus,
        by_time: period_weights(&prep, &fits, spec),
        n_used: prep.rows.len(),
        dropped_rows: prep.dropped,
        missing: prep.missing,
        diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_reverses_costs_and_names_constant_indicators() {
        let z = minmax_normalise(&[1.0, 3.0, 2.0], -1, 0.0, "a", None).unwrap();
        assert_eq!(z, vec![1.0, 0.0, 0.5]);
        let z = minmax_normalise(&[1.0, 3.0, 2.0], 1, 0.5, "a", None).unwrap();
        assert_eq!(z, vec![0.5, 1.5, 1.0]);
        let e = minmax_normalise(&[2.0, 2.0], 1, 1e-4, "flat", Some("2019")).unwrap_err().to_string();
        assert!(e.contains("`flat`") && e.contains("2019") && e.contains("no variation"), "{e}");
    }

    #[test]
    fn within_weights_of_a_zero_weight_dimension_are_equal() {
        let w = [0.5, 0.0, 0.0, 0.5];
        assert_eq!(within_weights(&w, &[0, 3]), vec![0.5, 0.5]);
        assert_eq!(within_weights(&w, &[1, 2]), vec![0.5, 0.5]);
        assert_eq!(within_weights(&[0.25, 0.75, 0.0], &[0, 1]), vec![0.25, 0.75]);
    }

    #[test]
    fn entropy_of_uniform_is_one_and_of_point_mass_is_zero() {
        assert!((entropy(&[1.0, 1.0, 1.0, 1.0]) - 1.0).abs() < 1e-15);
        assert!(entropy(&[0.0, 0.0, 5.0]).abs() < 1e-15);
        // p = (1/4, 3/4): e = −(¼ ln ¼ + ¾ ln ¾)/ln 2
        let want = -(0.25f64 * 0.25f64.ln() + 0.75 * 0.75f64.ln()) / 2f64.ln();
        assert!((entropy(&[1.0, 3.0]) - want).abs() < 1e-15);
    }

    /// `ln T − S/T` with blocked sums keeps `1 − e` (what the weights are made of, with
    /// `e` near 1) accurate: against `−Σ p ln p` with compensated sums, to 1e-13 relative.
    #[test]
    fn entropy_divergence_is_accurate() {
        let two_sum = |a: f64, b: f64| {
            let s = a + b;
            let bb = s - a;
            (s, (a - (s - bb)) + (b - bb))
        };
        let n = 300_000;
        for power in [1, 3] {
            let z: Vec<f64> = (0..n).map(|i| ((i as f64 * 0.618_033_988_749_895) % 1.0).powi(power) + 1e-4).collect();
            let (mut t, mut te) = (0.0, 0.0);
            for &v in &z {
                let (a, e) = two_sum(t, v);
                (t, te) = (a, te + e);
            }
            let t = t + te;
            let (mut h, mut he) = (0.0, 0.0);
            for &v in &z {
                let p = v / t;
                let (a, e) = two_sum(h, -p * p.ln());
                (h, he) = (a, he + e);
            }
            let want = 1.0 - (h + he) / (n as f64).ln();
            let got = 1.0 - entropy(&z);
            assert!(((got - want) / want).abs() < 1e-13, "power {power}: 1 − e = {got:e}, want {want:e}");
        }
    }

    /// The streaming kernels give the same bits as the materialised definitions
    /// (normalised columns, their entropies, row sums), with dropped rows, periods and
    /// dimensions.
    #[test]
    fn streaming_equals_materialised_bit_for_bit() {
        use crate::data::Column;
        use crate::estimators::index::{build_index, IndexResult, IndicatorSpec, MissingPolicy};
        let n = 5000;
        let f = |i: usize, j: usize| (((i * 7919 + j * 104_729) % 1009) as f64 * 0.013 - 2.0).powi(1 + (j % 3) as i32);
        let mut cols: Vec<Vec<f64>> = (0..4).map(|j| (0..n).map(|i| f(i, j)).collect()).collect();
        cols[2][17] = f64::NAN;
        cols[0][4000] = f64::NAN;
        let year: Vec<f64> = (0..n).map(|i| (2000 + i % 3) as f64).collect();
        let mut all: Vec<Column> = cols.iter().enumerate().map(|(j, c)| Column::numeric(format!("x{j}"), c.clone())).collect();
        all.push(Column::numeric("year", year.clone()));
        let ds = Dataset::from_columns(all).unwrap();
        let inds: Vec<IndicatorSpec> = (0..4)
            .map(|j| IndicatorSpec::new(format!("x{j}"), if j == 1 { -1 } else { 1 }).in_dimension(if j < 2 { "a" } else { "b" }))
            .collect();
        for by_time in [false, true] {
            let mut spec = IndexSpec::new(IndexMethod::Entropy, inds.clone());
            spec.missing = MissingPolicy::Drop;
            spec.scale100 = true;
            if by_time {
                spec.scope = Scope::ByTime;
                spec.time = Some("year".into());
            }
            let IndexResult::Weighted(res) = build_index(&ds, &spec).unwrap() else { panic!("weighted") };
            spec.method = IndexMethod::Topsis;
            let IndexResult::Topsis(top) = build_index(&ds, &spec).unwrap() else { panic!("topsis") };
            let periods: Vec<Option<f64>> = if by_time { (0..3).map(|t| Some(2000.0 + t as f64)).collect() } else { vec![None] };
            for (g, p) in periods.iter().enumerate() {
                let rows: Vec<usize> = (0..n).filter(|&i| cols.iter().all(|c| !c[i].is_nan()) && p.map_or(true, |p| year[i] == p)).collect();
                let z: Vec<Vec<f64>> = (0..4)
                    .map(|j| {
                        let x: Vec<f64> = rows.iter().map(|&i| cols[j][i]).collect();
                        minmax_normalise(&x, inds[j].direction, 1e-4, "x", None).unwrap()
                    })
                    .collect();
                let e: Vec<f64> = z.iter().map(|c| entropy(c)).collect();
                let total: f64 = e.iter().map(|v| 1.0 - v).sum();
                let w: Vec<f64> = e.iter().map(|ej| (1.0 - ej) / total).collect();
                let got = if by_time { &res.by_time[g].weights } else { &res.weights };
                for j in 0..4 {
                    assert_eq!(got[j].weight.to_bits(), w[j].to_bits());
                    assert_eq!(got[j].entropy.map(f64::to_bits), Some(e[j].to_bits()));
                }
                for (r, &i) in rows.iter().enumerate() {
                    let s: f64 = w.iter().zip(&z).map(|(wj, zj)| wj * zj[r]).sum();
                    assert_eq!(res.scores[i].to_bits(), (100.0 * s).to_bits(), "row {i}");
                    let wa = within_weights(&w, &[0, 1]);
                    let sa: f64 = wa[0] * z[0][r] + wa[1] * z[1][r];
                    assert_eq!(res.dimensions[0].scores[i].to_bits(), (100.0 * sa).to_bits(), "row {i}");
                }
                let v: Vec<Vec<f64>> = (0..4).map(|j| z[j].iter().map(|zv| w[j] * zv).collect()).collect();
                let ideal: Vec<f64> = v.iter().map(|c| c.iter().copied().fold(f64::NEG_INFINITY, f64::max)).collect();
                let anti: Vec<f64> = v.iter().map(|c| c.iter().copied().fold(f64::INFINITY, f64::min)).collect();
                for (r, &i) in rows.iter().enumerate() {
                    let (mut sp, mut sm) = (0.0f64, 0.0f64);
                    for j in 0..4 {
                        sp += (v[j][r] - ideal[j]).powi(2);
                        sm += (v[j][r] - anti[j]).powi(2);
                    }
                    assert_eq!(top.d_plus[i].to_bits(), sp.sqrt().to_bits());
                    assert_eq!(top.d_minus[i].to_bits(), sm.sqrt().to_bits());
                }
            }
            assert!(res.scores[17].is_nan() && res.scores[4000].is_nan());
        }
    }
}
