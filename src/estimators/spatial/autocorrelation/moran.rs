//! Global Moran's I (with Geary's C beside it) on a dataset: a cross-section, one period
//! of a panel, or every period of a panel.

use serde::Serialize;

use super::global::{geary_stats, moran_permutation_p, moran_stats, seeded, GearyStats, MoranStats};
use super::sample::{check_usable, period_values, weights_diagnostics, PeriodValues};
use super::MoranSpec;
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::Result;
use crate::estimators::spatial::{SpatialWeights, Standardise};

/// Moran's I and Geary's C of one period (or of the cross-section).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoranPeriod {
    /// Moran's I and its moments (spdep `moran.test`: p-value one-sided "greater" under
    /// randomisation).
    #[serde(flatten)]
    pub moran: MoranStats,
    /// Permutation pseudo p-value `(1 + #{I_perm ≥ I}) / (R + 1)`; `None` without permutations.
    pub p_permutation: Option<f64>,
    /// Permutations drawn (R).
    pub permutations: usize,
    /// Units.
    pub n: usize,
    /// The period (display text of the time column); `None` for a cross-section.
    pub period: Option<String>,
    /// Geary's C (spdep `geary.test`: randomisation, alternative "greater").
    pub geary: GearyStats,
}

/// The Moran scatter plot's points: standardised `y` and its spatial lag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoranScatter {
    /// Unit names (matrix order).
    pub units: Vec<String>,
    /// `(y − mean) / sd` (sd with n − 1, as R's `scale`).
    pub z: Vec<f64>,
    /// `W z`.
    pub wz: Vec<f64>,
}

/// Result of [`moran`]. The top-level statistics are those of the period shown: the chosen
/// period, the cross-section, or — for a panel analysed period by period — the LAST period;
/// `by_period` holds every period analysed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoranResult {
    /// The statistics of the period shown.
    #[serde(flatten)]
    pub shown: MoranPeriod,
    /// Every period analysed, in time order (one entry for a cross-section).
    pub by_period: Vec<MoranPeriod>,
    /// The scatter-plot points of the period shown.
    pub scatter: MoranScatter,
    /// Non-fatal events (islands, weights that are not row-standardised).
    pub diagnostics: Diagnostics,
    /// The variable analysed.
    pub y: String,
}

impl MoranResult {
    /// The Moran scatter plot of the period shown (z on x, Wz on y, the slope-I line).
    pub fn scatter_svg(&self) -> String {
        let title = match &self.shown.period {
            Some(p) => format!("Moran scatter plot of {} ({p})", self.y),
            None => format!("Moran scatter plot of {}", self.y),
        };
        crate::report::svg::moran_scatter_svg(&self.scatter.units, &self.scatter.z, &self.scatter.wz, self.shown.moran.i, &title)
    }
}

/// One period's statistics; `rng` continues across periods so a seed fixes all of them.
fn one_period(p: &PeriodValues, spec: &MoranSpec, w: &SpatialWeights, rng: &mut rand_chacha::ChaCha8Rng) -> MoranPeriod {
    MoranPeriod {
        moran: moran_stats(&p.values, w),
        p_permutation: moran_permutation_p(&p.values, w, spec.permutations, rng),
        permutations: spec.permutations,
        n: p.values.len(),
        period: p.period.clone(),
        geary: geary_stats(&p.values, w),
    }
}

fn scatter(values: &[f64], w: &SpatialWeights) -> MoranScatter {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let z: Vec<f64> = values.iter().map(|v| (v - mean) / sd).collect();
    let wz = w.lag(&z);
    MoranScatter { units: w.units().to_vec(), z, wz }
}

/// Global Moran's I and Geary's C of `spec.y` with weights `w`.
///
/// * cross-section (no `time`): one analysis;
/// * `time` and `period`: that period only;
/// * `time` without `period`: every period (the panel must be balanced), in `by_period`;
///   the top-level fields and the scatter are those of the LAST period.
///
/// Conventions (spdep 1.2-7): `moran.test` and `geary.test` defaults — moments under
/// randomisation for the p-values, alternative "greater" (positive autocorrelation; for
/// Geary a C below 1); `z_normal`/`variance_normal` are `moran.test(randomisation = FALSE)`.
/// Islands follow `zero.policy = TRUE` (see [`super::global`]). Permutations: values
/// permuted over the units, seeded (see [`moran_permutation_p`]); the periods share one
/// stream, drawn in time order.
pub fn moran(ds: &Dataset, spec: &MoranSpec, w: &SpatialWeights) -> Result<MoranResult> {
    spec.check()?;
    let periods = period_values(ds, spec, w)?;
    for p in &periods {
        check_usable(&spec.y, p, w)?;
    }
    let mut rng = seeded(spec.seed);
    let by_period: Vec<MoranPeriod> = periods.iter().map(|p| one_period(p, spec, w, &mut rng)).collect();
    let mut diagnostics = weights_diagnostics(w);
    if w.style() != Standardise::Row {
        diagnostics.push(Diagnostic::info(
            Code::SpatialNote,
            "the weights are not row-standardised: the slope of the Moran scatter plot is not Moran's I",
        ));
    }
    for p in by_period.iter().filter(|p| p.moran.variance_randomisation.is_nan() || p.moran.variance_randomisation <= 0.0) {
        let when = p.period.as_ref().map(|t| format!(" in period {t}")).unwrap_or_default();
        diagnostics.push(Diagnostic::warning(
            Code::SpatialNote,
            format!("the randomisation variance of Moran's I is not positive{when} (kurtosis overflow, as spdep warns): the distribution of `{}` does not meet the test's assumptions", spec.y),
        ));
    }
    let (Some(last), Some(values)) = (by_period.last().cloned(), periods.last()) else {
        return Err(crate::error::Error::insufficient("no period to analyse"));
    };
    Ok(MoranResult { scatter: scatter(&values.values, w), shown: last, by_period, diagnostics, y: spec.y.clone() })
}
