//! Weighting methods (entropy, CRITIC, coefficient of variation, equal) and
//! TOPSIS, on the prepared indicator matrix. Conventions: see the parent module.

use super::{
    DimensionResult, IndexMethod, IndexSpec, IndicatorSpec, IndicatorWeight, PeriodWeights, Prepared, Scope, ValidIndexSpec,
    TopsisResult, WeightedIndex,
};
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic};
use crate::error::{Error, Result};
use crate::inference::stats::{mean, sd};

/// Min–max normalisation with cost indicators reversed, plus `shift`.
///
/// Errors when the values have no variation (naming the indicator and, if given,
/// the period).
pub fn minmax_normalise(x: &[f64], direction: i8, shift: f64, name: &str, period: Option<&str>) -> Result<Vec<f64>> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in x {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let range = hi - lo;
    let scale = lo.abs().max(hi.abs());
    if x.is_empty() || !(range.is_finite() && range > 4.0 * f64::EPSILON * scale) {
        let at = period.map(|p| format!(" in period {p}")).unwrap_or_default();
        return Err(Error::insufficient(format!(
            "indicator `{name}` has no variation{at} (every value is {lo}): min–max normalisation and its entropy are undefined; remove it from the index"
        )));
    }
    Ok(x.iter()
        .map(|&v| if direction < 0 { (hi - v) / range + shift } else { (v - lo) / range + shift })
        .collect())
}

/// Entropy `e_j` of a positive column: `−Σ p ln p / ln n` with `p = z/Σz`, `0 ln 0 = 0`.
pub fn entropy(z: &[f64]) -> f64 {
    let n = z.len() as f64;
    let total: f64 = z.iter().sum();
    let mut h = 0.0;
    for &v in z {
        if v > 0.0 {
            let p = v / total;
            h -= p * p.ln();
        }
    }
    h / n.ln()
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

/// Weights of one scope (group): `z` normalised columns, `x` raw columns.
fn weights_for(
    method: IndexMethod,
    inds: &[IndicatorSpec],
    x: &[Vec<f64>],
    z: &[Vec<f64>],
    period: Option<&str>,
) -> Result<Vec<IndicatorWeight>> {
    let m = inds.len();
    let at = period.map(|p| format!(" in period {p}")).unwrap_or_default();
    let mut out: Vec<IndicatorWeight> = inds.iter().map(|i| IndicatorWeight::bare(i, 0.0)).collect();
    match method {
        IndexMethod::Entropy | IndexMethod::Topsis => {
            let e: Vec<f64> = z.iter().map(|c| entropy(c)).collect();
            let total: f64 = e.iter().map(|v| 1.0 - v).sum();
            if !(total > 0.0 && total.is_finite()) {
                return Err(Error::numerical(format!("entropy weights are undefined{at}: every indicator has entropy 1")));
            }
            for (w, ej) in out.iter_mut().zip(&e) {
                w.entropy = Some(*ej);
                w.divergence = Some(1.0 - ej);
                w.weight = (1.0 - ej) / total;
            }
        }
        IndexMethod::Critic => {
            let sds: Vec<f64> = z.iter().map(|c| sd(c)).collect();
            let mut info = vec![0.0; m];
            for j in 0..m {
                // 1 − r ≥ 0; rounding can leave ±1e-16 for perfectly correlated columns
                let conflict: f64 =
                    (0..m).map(|k| if k == j { 0.0 } else { (1.0 - corr(&z[j], &z[k])).max(0.0) }).sum();
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
        }
        IndexMethod::Cv => {
            let mut v = vec![0.0; m];
            for j in 0..m {
                if let Some(neg) = x[j].iter().find(|&&a| a < 0.0) {
                    return Err(Error::invalid(format!(
                        "indicator `{}` has negative values (e.g. {neg}){at}: the coefficient-of-variation method needs non-negative values; use entropy or CRITIC weights instead",
                        inds[j].name
                    )));
                }
                let mu = mean(&x[j]);
                if mu <= 0.0 {
                    return Err(Error::invalid(format!(
                        "indicator `{}` has mean 0{at}: its coefficient of variation is undefined",
                        inds[j].name
                    )));
                }
                let s = sd(&x[j]);
                v[j] = s / mu;
                out[j].mean = Some(mu);
                out[j].sd = Some(s);
                out[j].cv = Some(v[j]);
            }
            let total: f64 = v.iter().sum();
            for (w, c) in out.iter_mut().zip(&v) {
                w.weight = c / total;
            }
        }
        IndexMethod::Equal => {
            for w in out.iter_mut() {
                w.weight = 1.0 / m as f64;
            }
        }
        IndexMethod::Pca => return Err(Error::invalid("PCA has no indicator weights")),
    }
    Ok(out)
}

/// Per-group normalised columns and weights.
struct GroupFit {
    /// `z[j]` over the group's positions.
    z: Vec<Vec<f64>>,
    weights: Vec<IndicatorWeight>,
}

fn fit_groups(spec: &IndexSpec, prep: &Prepared, method: IndexMethod) -> Result<Vec<GroupFit>> {
    let mut fits = Vec::with_capacity(prep.groups.len());
    for (g, pos) in prep.groups.iter().enumerate() {
        let period = prep.group_labels.get(g).map(String::as_str);
        let xg: Vec<Vec<f64>> = prep.x.iter().map(|c| pos.iter().map(|&k| c[k]).collect()).collect();
        let mut z = Vec::with_capacity(xg.len());
        for (ind, col) in spec.indicators.iter().zip(&xg) {
            z.push(minmax_normalise(col, ind.direction, spec.shift, &ind.name, period)?);
        }
        let weights = weights_for(method, &spec.indicators, &xg, &z, period)?;
        fits.push(GroupFit { z, weights });
    }
    Ok(fits)
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
        .map(|((f, pos), lab)| PeriodWeights { time: lab.clone(), n: pos.len(), weights: f.weights.clone() })
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
    for (fit, pos) in fits.iter().zip(&prep.groups) {
        let w: Vec<f64> = fit.weights.iter().map(|w| w.weight).collect();
        for (r, &k) in pos.iter().enumerate() {
            let row = prep.rows[k];
            scores[row] = factor * w.iter().zip(&fit.z).map(|(wj, zj)| wj * zj[r]).sum::<f64>();
            for (d, (_, members)) in dims.iter().enumerate() {
                let within = within_weights(&w, members);
                dim_scores[d][row] = factor * members.iter().zip(&within).map(|(&j, wj)| wj * fit.z[j][r]).sum::<f64>();
            }
        }
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
    let m = spec.indicators.len();
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
    for (fit, pos) in fits.iter().zip(&prep.groups) {
        let w: Vec<f64> = fit.weights.iter().map(|w| w.weight).collect();
        let mut ideal = vec![f64::NEG_INFINITY; m];
        let mut anti = vec![f64::INFINITY; m];
        for j in 0..m {
            for &zv in &fit.z[j] {
                let v = w[j] * zv;
                ideal[j] = ideal[j].max(v);
                anti[j] = anti[j].min(v);
            }
        }
        for (r, &k) in pos.iter().enumerate() {
            let (mut sp, mut sm) = (0.0, 0.0);
            for j in 0..m {
                let v = w[j] * fit.z[j][r];
                sp += (v - ideal[j]).powi(2);
                sm += (v - anti[j]).powi(2);
            }
            let (dp, dm) = (sp.sqrt(), sm.sqrt());
            let row = prep.rows[k];
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
}
