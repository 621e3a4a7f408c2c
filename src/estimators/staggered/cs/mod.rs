//! Callaway & Sant'Anna (2021): group-time average treatment effects ATT(g,t) and their
//! aggregations, following R `did` 2.x (`att_gt` + `aggte`) on a balanced panel.
//!
//! # ATT(g,t)
//! For every adoption cohort `g` and period `t`, a 2×2 DID compares cohort `g` with a control
//! group between a base period and `t` ([`super::drdid`]: outcome regression, IPW or doubly
//! robust, with covariates taken in the earlier of the two periods):
//!
//! * **control group** `never`: the never-treated units; `notyet`: the never-treated plus the
//!   units not yet treated by the later of the two periods (plus the anticipation), other than
//!   cohort `g` (R: `control_group = "notyettreated"`). Without never-treated units, `never` is
//!   refused (R would silently turn the last cohort into controls); `notyet` then drops the
//!   periods from the last cohort's adoption (minus the anticipation) on, and the last cohort
//!   serves only as a control, as R does.
//! * **base period** for post-treatment periods (`t ≥ g`): `g − 1 − anticipation` (the last
//!   period before `g − anticipation`). For pre-treatment periods, `varying` (R's default) uses
//!   the period just before `t` — pre-treatment ATT(g,t) are then period-to-period changes —
//!   and `universal` uses `g − 1 − anticipation` as well, reporting ATT(g, g−1−δ) = 0 with no SE.
//! * **influence function**: the cell's 2×2 influence function scaled by `N/n_cell`, zero for
//!   units outside the cell; `SE = √(Σψ²)/N`, clustered by unit (each row is a unit). SEs below
//!   `10·√ε` are reported as missing, as R does.
//!
//! # Aggregations (`aggte`)
//! Cohort weights are the cohort shares `P(G = g)`; the uncertainty of estimating them enters
//! the influence functions (R's `wif`). *simple*: post-treatment ATT(g,t) weighted by cohort
//! share; *dynamic*: by event time `e = t − g`, each weighted by cohort share among the cells
//! with that `e` (optionally restricted to `min_e ≤ e ≤ max_e` and to cohorts observed for
//! `balance_e` periods after adoption), the overall effect the mean over `e ≥ 0`; *group*: the
//! mean of each cohort's post-treatment ATT(g,t), overall weighted by cohort share;
//! *calendar*: each period's post-treatment cells weighted by cohort share, the overall effect
//! the mean over periods. Cells that could not be estimated are left out (R: `na.rm = TRUE`),
//! with a diagnostic.
//!
//! # Multiplier bootstrap
//! With `bootstrap: { reps, seed }`, Mammen multipliers `vᵢ` perturb the influence functions:
//! draw `b` gives `Σᵢ vᵢψᵢ/√N` for every estimate at once. SEs are the normalised interquartile
//! range of the draws (R: `mboot`), and the confidence bands of ATT(g,t) and of each
//! aggregation's terms are uniform (simultaneous), with the critical value the `1−α` quantile
//! of the largest studentised draw. Draw `b` uses its own ChaCha stream (`seed`, stream `b`),
//! so results do not depend on how draws are split: [`csdid_draws`] computes any range of
//! draws (each worker of a pool fits the model, then runs its range) and [`csdid_with_draws`]
//! summarises the joined blocks, bit-identically to [`csdid`].

mod aggte;
mod attgt;
mod bootstrap;
mod tables;

pub use aggte::{Aggregate, AggregateTerm, Aggregates};
pub use attgt::AttGt;

use super::drdid::CsMethod;
use super::panel::{self, PanelSpec, StaggeredPanel};
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::inference::dist::norm_quantile;
use crate::inference::replicate::{DrawBlock, DrawRange};
use serde::{Deserialize, Serialize};

/// Which units serve as controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ControlGroup {
    /// Never-treated units (R: `"nevertreated"`).
    #[default]
    #[serde(rename = "never", alias = "nevertreated", alias = "never_treated")]
    Never,
    /// Never-treated and not-yet-treated units (R: `"notyettreated"`).
    #[serde(rename = "notyet", alias = "notyettreated", alias = "not_yet_treated")]
    NotYet,
}

/// Base period of pre-treatment cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BasePeriod {
    /// The period before `t` (R's default).
    #[default]
    Varying,
    /// `g − 1 − anticipation` for every cell.
    Universal,
}

/// Multiplier-bootstrap settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BootstrapSpec {
    /// Number of draws (default 999).
    pub reps: usize,
    /// Seed (default 1).
    pub seed: u64,
}

impl Default for BootstrapSpec {
    fn default() -> Self {
        BootstrapSpec { reps: 999, seed: 1 }
    }
}

/// A Callaway–Sant'Anna specification (the JS names are the field names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CsSpec {
    /// Outcome column.
    pub y: String,
    /// Unit column.
    pub unit: String,
    /// Period column (numeric).
    pub time: String,
    /// Adoption-period column: blank or 0 = never treated.
    pub start: String,
    /// `"never"` (default) | `"notyet"`.
    pub control_group: ControlGroup,
    /// `"dr"` (default) | `"ipw"` | `"reg"`.
    pub method: CsMethod,
    /// Covariates (numeric columns; values in the earlier period of each comparison).
    pub covariates: Vec<String>,
    /// `"varying"` (default) | `"universal"`.
    pub base_period: BasePeriod,
    /// Periods of anticipation δ (default 0).
    pub anticipation: u32,
    /// Multiplier bootstrap (absent: analytic SEs, pointwise intervals).
    pub bootstrap: Option<BootstrapSpec>,
    /// Confidence level (default 0.95).
    pub conf_level: f64,
    /// Dynamic aggregation: shortest event time kept.
    pub min_e: Option<f64>,
    /// Dynamic aggregation: longest event time kept.
    pub max_e: Option<f64>,
    /// Dynamic aggregation: keep only cohorts observed at least this many periods after adoption.
    pub balance_e: Option<u32>,
}

impl Default for CsSpec {
    fn default() -> Self {
        CsSpec {
            y: String::new(),
            unit: String::new(),
            time: String::new(),
            start: String::new(),
            control_group: ControlGroup::Never,
            method: CsMethod::Dr,
            covariates: Vec::new(),
            base_period: BasePeriod::Varying,
            anticipation: 0,
            bootstrap: None,
            conf_level: 0.95,
            min_e: None,
            max_e: None,
            balance_e: None,
        }
    }
}

/// A checked specification with the balanced panel it runs on.
#[derive(Debug, Clone)]
pub struct ValidCsSpec {
    pub(crate) spec: CsSpec,
    pub(crate) panel: StaggeredPanel,
    /// Cohorts that get ATT(g,t) (the last one is only a control under `notyet` without
    /// never-treated units).
    pub(crate) groups: Vec<f64>,
}

impl CsSpec {
    /// Checks the specification against the data and builds the balanced panel.
    pub fn validate(&self, ds: &Dataset) -> Result<ValidCsSpec> {
        let pspec = PanelSpec::checked(
            "the Callaway–Sant'Anna estimator",
            [&self.y, &self.unit, &self.time, &self.start],
            &self.covariates,
            self.anticipation,
        )?;
        panel::check_conf_level(self.conf_level)?;
        if let Some(b) = &self.bootstrap {
            if b.reps < 2 {
                return Err(Error::invalid("bootstrap.reps must be at least 2 (999 or more is usual)"));
            }
        }
        if let (Some(lo), Some(hi)) = (self.min_e, self.max_e) {
            if lo > hi {
                return Err(Error::invalid(format!("min_e ({lo}) is larger than max_e ({hi})")));
            }
        }
        let mut panel = panel::build(ds, &pspec)?;
        let groups = self.control_setup(&mut panel)?;
        self.check_cohorts(&panel, &groups)?;
        Ok(ValidCsSpec { spec: self.clone(), panel, groups })
    }

    /// The cohorts that get ATT(g,t); without never-treated units under `notyet`, trims the
    /// periods from the last cohort's adoption on (R did).
    fn control_setup(&self, panel: &mut StaggeredPanel) -> Result<Vec<f64>> {
        let mut groups = panel.cohorts();
        if groups.is_empty() {
            return Err(Error::insufficient(format!(
                "no unit adopts within the panel ({}–{}): the adoption column `{}` has no period inside it \
                 after the first (blank or 0 = never treated)",
                panel.periods[0],
                panel.periods[panel.n_periods() - 1],
                self.start
            )));
        }
        if panel.has_never_treated() {
            return Ok(groups);
        }
        if self.control_group == ControlGroup::Never {
            return Err(Error::insufficient(format!(
                "no never-treated units: every unit adopts within the panel, so `control_group: \"never\"` has no \
                 controls; use `control_group: \"notyet\"` (not-yet-treated units as controls, which drops the periods \
                 from the last cohort's adoption {} on)",
                groups[groups.len() - 1]
            )));
        }
        let last = groups.pop().unwrap_or(0.0);
        let cutoff = last - f64::from(self.anticipation);
        let keep: Vec<usize> = (0..panel.n_periods()).filter(|&t| panel.periods[t] < cutoff).collect();
        if keep.len() < 2 || groups.is_empty() {
            return Err(Error::insufficient(format!(
                "no never-treated units and too few periods before the last cohort adopts ({last}) to compare \
                 earlier cohorts with not-yet-treated units"
            )));
        }
        trim_periods(panel, &keep);
        panel.diagnostics.push(Diagnostic::warning(
            Code::NoNeverTreated,
            format!(
                "no never-treated units: periods from {cutoff} on were dropped and cohort {last} serves only as a \
                 not-yet-treated control (as R did does)"
            ),
        ));
        Ok(groups)
    }

    /// With covariates, IPW and DR need a propensity model for every cohort: a cohort of one unit
    /// cannot have one.
    fn check_cohorts(&self, panel: &StaggeredPanel, groups: &[f64]) -> Result<()> {
        if self.covariates.is_empty() || self.method == CsMethod::Reg {
            return Ok(());
        }
        if let Some(g) = groups.iter().find(|&&g| panel.cohort_size(g) < 2) {
            return Err(Error::insufficient(format!(
                "cohort {g} has a single unit (`{}`): with covariates its propensity score under method \"{}\" is not \
                 defined; use method \"reg\", drop the covariates, or merge the cohort",
                panel.units[panel.cohort.iter().position(|&c| c == *g).unwrap_or(0)],
                if self.method == CsMethod::Dr { "dr" } else { "ipw" }
            )));
        }
        Ok(())
    }
}

/// Keeps only the periods `keep` (indices, ascending) of the panel.
fn trim_periods(panel: &mut StaggeredPanel, keep: &[usize]) {
    let nt = panel.n_periods();
    let y = (0..panel.n()).flat_map(|i| keep.iter().map(move |&t| (i, t))).map(|(i, t)| panel.y[i * nt + t]).collect();
    panel.y = y;
    panel.x = keep.iter().map(|&t| panel.x[t].clone()).collect();
    panel.periods = keep.iter().map(|&t| panel.periods[t]).collect();
}

/// Bootstrap summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootstrapInfo {
    /// Draws.
    pub reps: usize,
    /// Seed.
    pub seed: u64,
    /// Uniform critical value of the ATT(g,t) band.
    pub crit_att_gt: f64,
}

/// The Callaway–Sant'Anna result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CsResult {
    /// Every ATT(g,t).
    pub att_gt: Vec<AttGt>,
    /// The four aggregations.
    pub aggregate: Aggregates,
    /// Units in the balanced panel.
    pub n_units: usize,
    /// Periods used.
    pub n_periods: usize,
    /// Units per cohort (`group` 0 = never treated).
    pub cohorts: Vec<CohortSize>,
    /// `"never"` | `"notyet"`.
    pub control_group: ControlGroup,
    /// `"dr"` | `"ipw"` | `"reg"`.
    pub method: CsMethod,
    /// `"varying"` | `"universal"`.
    pub base_period: BasePeriod,
    /// Anticipation periods.
    pub anticipation: u32,
    /// Covariates.
    pub covariates: Vec<String>,
    /// Confidence level.
    pub conf_level: f64,
    /// Multiplier bootstrap, when run.
    pub bootstrap: Option<BootstrapInfo>,
    /// Non-fatal findings.
    pub diagnostics: Diagnostics,
}

/// Number of units in a cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortSize {
    /// Adoption period (0 = never treated).
    pub group: f64,
    /// Units.
    pub n: usize,
}

/// Everything that does not depend on the bootstrap draws: ATT(g,t), their aggregations and
/// influence functions, analytic SEs.
struct Prepared {
    cells: Vec<attgt::CellEst>,
    agg: aggte::AggResult,
    diagnostics: Diagnostics,
}

fn prepare(v: &ValidCsSpec) -> Result<Prepared> {
    let mut diagnostics = v.panel.diagnostics.clone();
    let cells = attgt::estimate(v, &mut diagnostics)?;
    let agg = aggte::aggregate(v, &cells, &mut diagnostics)?;
    Ok(Prepared { cells, agg, diagnostics })
}

/// The specification's bootstrap, or an error saying there is none to draw from.
fn bootstrap_spec(v: &ValidCsSpec) -> Result<&BootstrapSpec> {
    v.spec.bootstrap.as_ref().ok_or_else(|| {
        Error::invalid("this Callaway–Sant'Anna specification has no `bootstrap`: there are no draws to compute or use")
    })
}

/// The result from the prepared estimates and, under the bootstrap, the draws `0..reps`.
fn finish(v: &ValidCsSpec, prep: Prepared, draws: Option<&DrawBlock>) -> Result<CsResult> {
    let spec = &v.spec;
    let panel = &v.panel;
    let Prepared { cells, mut agg, diagnostics } = prep;
    let z = norm_quantile(0.5 + spec.conf_level / 2.0);
    let mut att_gt: Vec<AttGt> = cells.iter().map(|c| c.report(z)).collect();
    let mut boot_info = None;
    if let (Some(b), Some(block)) = (&spec.bootstrap, draws) {
        let crit = bootstrap::apply(v, b, &cells, &mut att_gt, &mut agg, block)?;
        boot_info = Some(BootstrapInfo { reps: b.reps, seed: b.seed, crit_att_gt: crit });
    }
    let mut cohorts = vec![CohortSize { group: 0.0, n: panel.cohort_size(0.0) }];
    cohorts.extend(panel.cohorts().into_iter().map(|g| CohortSize { group: g, n: panel.cohort_size(g) }));
    Ok(CsResult {
        att_gt,
        aggregate: agg.report,
        n_units: panel.n(),
        n_periods: panel.n_periods(),
        cohorts,
        control_group: spec.control_group,
        method: spec.method,
        base_period: spec.base_period,
        anticipation: spec.anticipation,
        covariates: spec.covariates.clone(),
        conf_level: spec.conf_level,
        bootstrap: boot_info,
        diagnostics,
    })
}

/// Runs the estimator; `progress(fraction)` is called between bootstrap draws and may return
/// `false` to cancel.
pub fn fit(v: &ValidCsSpec, progress: &mut dyn FnMut(f64) -> bool) -> Result<CsResult> {
    let prep = prepare(v)?;
    let draws = match &v.spec.bootstrap {
        Some(b) => Some(bootstrap::draws(
            &bootstrap::columns(&prep.cells, &prep.agg),
            v.panel.n(),
            b.seed,
            DrawRange::all(b.reps),
            progress,
        )?),
        None => None,
    };
    finish(v, prep, draws.as_ref())
}

/// The bootstrap draws `range` of a checked specification (see [`csdid_draws`]).
pub fn fit_draws(v: &ValidCsSpec, range: DrawRange, progress: &mut dyn FnMut(f64) -> bool) -> Result<DrawBlock> {
    let b = bootstrap_spec(v)?;
    range.check(b.reps)?;
    let prep = prepare(v)?;
    bootstrap::draws(&bootstrap::columns(&prep.cells, &prep.agg), v.panel.n(), b.seed, range, progress)
}

/// The result of a checked specification from all its bootstrap draws (see [`csdid_with_draws`]).
pub fn fit_with_draws(v: &ValidCsSpec, draws: &DrawBlock, progress: &mut dyn FnMut(f64) -> bool) -> Result<CsResult> {
    let b = bootstrap_spec(v)?;
    if !progress(0.0) {
        return Err(Error::new(crate::error::ErrorKind::Cancelled));
    }
    let prep = prepare(v)?;
    draws.check_complete(b.reps, bootstrap::columns(&prep.cells, &prep.agg).len())?;
    let r = finish(v, prep, Some(draws))?;
    progress(1.0);
    Ok(r)
}

/// Validates and fits in one call.
pub fn csdid(ds: &Dataset, spec: &CsSpec) -> Result<CsResult> {
    fit(&spec.validate(ds)?, &mut |_| true)
}

/// Validates and fits, reporting bootstrap progress (`false` from `progress` cancels).
pub fn csdid_with_progress(ds: &Dataset, spec: &CsSpec, progress: &mut dyn FnMut(f64) -> bool) -> Result<CsResult> {
    fit(&spec.validate(ds)?, progress)
}

/// Number of multiplier-bootstrap draws the specification asks for (`None` without bootstrap).
pub fn csdid_draw_count(spec: &CsSpec) -> Option<usize> {
    spec.bootstrap.as_ref().map(|b| b.reps)
}

/// Multiplier-bootstrap draws `range` (of `0..reps`): fits the model, then for each draw `b`
/// the bootstrapped deviation `Σᵢ vᵢψᵢ/√N` of every ATT(g,t) and every aggregation (overall
/// effect and terms), with Mammen multipliers from [`draw_rng`](crate::inference::replicate::draw_rng)`(seed, b)`
/// alone. `progress` gets the fraction of the range done; `false` cancels. An error without
/// `bootstrap` in the spec.
pub fn csdid_draws(
    ds: &Dataset,
    spec: &CsSpec,
    range: DrawRange,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<DrawBlock> {
    fit_draws(&spec.validate(ds)?, range, progress)
}

/// The result from the draws `0..reps` of [`csdid_draws`] (the blocks of any split joined
/// with [`DrawBlock::concat`]): bit-identical to [`csdid`]. An error without `bootstrap` in
/// the spec or when the block does not cover exactly the draws of this fit.
pub fn csdid_with_draws(
    ds: &Dataset,
    spec: &CsSpec,
    draws: &DrawBlock,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<CsResult> {
    fit_with_draws(&spec.validate(ds)?, draws, progress)
}
