//! Typed diagnostics: the non-fatal events of a load or a fit (dropped singletons, collinear
//! terms, units adopting after the panel, unmatched units, …).
//!
//! Each [`Diagnostic`] has a stable machine-readable [`Code`] (serialised in snake_case, e.g.
//! `"singletons_dropped"`), a [`Severity`], a message a user understands and an optional
//! detail. Code that reacts to an event matches the code, never the message text. Counts stay
//! typed fields of the results; a diagnostic only says what happened.
//!
//! A result carries its diagnostics once, in a [`Diagnostics`] list that drops exact
//! duplicates (same code and message), so a note raised by the design and again by the
//! regression built on it is shown once.

use serde::{Deserialize, Serialize};

/// How much a diagnostic matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Information: something was done as documented (e.g. rows with missing values left out).
    Info,
    /// A warning: the result may not mean what the user expects (e.g. few clusters).
    Warning,
}

/// Stable diagnostic codes. New codes are added at the end of their family's block; a code is
/// never renamed once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    // --- data loading and panels
    /// Rows with a missing value in a used column were left out.
    MissingRowsDropped,
    /// The text encoding was guessed (no byte-order mark, not UTF-8, …).
    EncodingGuessed,
    /// The file was read in another way than its name or the options say.
    FileFormatNote,
    /// Numbers use a decimal comma.
    DecimalComma,
    /// Header problems repaired: unnamed columns named, empty unnamed columns dropped.
    HeaderRepaired,
    /// Two column names differ only in case or spaces.
    SimilarColumnNames,
    /// A units row (or second header) under the header was skipped.
    UnitsRowSkipped,
    /// Values were converted on reading (formatted numbers, `2015年` years, Excel errors).
    ValuesConverted,
    /// A mostly numeric column kept as text because of non-numeric values.
    StrayValues,
    /// Rows or fields were ignored while reading (trailing delimiters, NUL bytes).
    FieldsIgnored,
    /// Rows with a missing unit or time are not part of the panel.
    PanelIdsMissing,
    /// (unit, time) pairs that occur more than once.
    PanelDuplicates,
    /// The panel is unbalanced.
    PanelUnbalanced,
    /// Units with periods missing between their first and last.
    PanelGaps,
    /// Unit labels that differ only in case or spaces.
    SimilarLabels,
    // --- regression engine
    /// Singleton fixed-effect groups were dropped.
    SingletonsDropped,
    /// Regressors collinear with others or with the fixed effects were dropped.
    CollinearDropped,
    /// The fixed-effect demeaning did not converge to the tolerance.
    DemeanNotConverged,
    /// A variance repair (e.g. a negative two-way clustered variance set to zero).
    VcovRepaired,
    /// Few clusters for cluster-robust inference.
    FewClusters,
    /// Any other note of the regression engine.
    RegressionNote,
    /// The fixed-effect demeaning stalled and was finished by conjugate gradient.
    DemeanKrylov,
    // --- DID designs and the workbench
    /// Rows with a missing unit or time were left out of the design.
    DesignRowsMissing,
    /// Units adopting after the panel are treated as never treated.
    LateAdoptersAsControls,
    /// Always-treated units were dropped (or kept on request).
    AlwaysTreated,
    /// Indicator units whose treatment switches off.
    TreatmentSwitchesOff,
    /// Staggered adoption: TWFE may be biased with heterogeneous effects.
    StaggeredTwfe,
    /// The event window was clipped, binned or trimmed.
    EventWindow,
    /// A second event time was omitted (no never-treated units).
    SecondReference,
    /// An event-time coefficient could not be estimated.
    EventTermDropped,
    /// No lead coefficient: no pre-trend test.
    NoPretrendTest,
    /// The pre-trend test's covariance is rank deficient.
    PretrendRankDeficient,
    /// Degenerate placebo draws were left out.
    DegeneratePlaceboDraws,
    /// Any other note of the DID workbench.
    DidNote,
    /// No treated unit is observed before and after treatment: with unit effects the DID term is
    /// not identified.
    DidTermNotIdentified,
    /// The in-time placebo moved adoption earlier (and what it kept).
    InTimePlacebo,
    /// All distinct placebo assignments were enumerated (exact p-value).
    PlaceboEnumerated,
    /// The wild-bootstrap confidence interval is unbounded.
    WildCiUnbounded,
    /// All Rademacher sign vectors were enumerated.
    WildEnumerated,
    /// With so few clusters the wild bootstrap cannot reject at the chosen level.
    WildCannotReject,
    /// Mediation: rows left out so that the three steps share one sample.
    MediationCommonSample,
    /// Mediation bootstrap: what was resampled, draws skipped.
    MediationBootstrap,
    /// Heterogeneity: a split-sample DID could not be estimated.
    SplitSampleSkipped,
    /// Robustness: an excluded year or unit is not in the data.
    ExcludedValueAbsent,
    // --- matching
    /// Treated units without a match (caliper) were dropped.
    UnmatchedDropped,
    /// Fitted propensities numerically 0 or 1.
    ExtremePropensity,
    /// A bootstrap SE requested where it is invalid (NN matching with replacement).
    BootstrapInvalid,
    /// Any other note of the matching estimators.
    MatchingNote,
    /// No outcome given: matching and balance only (expected inside PSM-DID).
    NoOutcome,
    /// Units left out of matching before it ran (missing covariates in the baseline window).
    MatchingUnitsExcluded,
    // --- indices and descriptive statistics
    /// Rows with missing indicator values were left out of the index.
    IndexRowsDropped,
    /// Missing indicator values were filled by interpolation.
    IndexInterpolated,
    /// A column was left out of the descriptive statistics.
    DescribeColumnLeftOut,
    /// A variable has no non-missing value (in a group).
    DescribeEmptyCell,
    /// Rows with a missing group were left out.
    DescribeGroupMissing,
    /// PCA: no eigenvalue above 1, a singular correlation matrix or a low KMO.
    PcaSuitability,
    /// Given weights were rescaled to sum to 1.
    WeightsRescaled,
    /// Rows or values left out of a structure measure (LQ, HHI, Theil).
    StructureRowsLeftOut,
    /// A structure measure is undefined for some units (zero totals, one sector).
    StructureUndefined,
    // --- staggered adoption
    /// A covariate varies over time; each comparison uses its value in the earlier period.
    CovariateTimeVarying,
    /// No never-treated units: periods trimmed, the last cohort serves only as a control.
    NoNeverTreated,
    /// An ATT(g,t) could not be estimated (no units, no controls, singular covariates).
    CellNotEstimated,
    /// One estimator of a comparison could not run on the data; the others did.
    EstimatorSkipped,
    /// HonestDiD: the event study was switched to the universal base period it requires.
    HonestUniversalBase,
    /// HonestDiD: a robust interval reaches the end of the θ grid, or no θ is accepted.
    HonestOpenInterval,
    // --- spatial econometrics
    /// Units with no neighbour in the weight matrix (kept as zero rows only on request).
    WeightsIslands,
    /// The weight matrix is not symmetric (k nearest neighbours, uploaded matrices).
    WeightsAsymmetric,
    /// A weight-matrix input was repaired or partly ignored (duplicate links, self-links, a cutoff leaving few links).
    WeightsNote,
    /// The spatial parameter lies at (or numerically near) a bound of its admissible interval.
    SpatialParameterAtBound,
    /// The log-determinant was approximated (large n) rather than computed exactly.
    SpatialLogdetApproximated,
    /// A spatial model or statistic note (regressors dropped, rows left out, a test not available).
    SpatialNote,
    // --- recipes
    /// A recipe was run on data whose SHA-256 differs from the data it was saved with (accepted on request).
    RecipeDataChanged,
    /// A recipe saved by another Quasi version was run.
    RecipeVersionDiffers,
}

/// One non-fatal event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Severity.
    pub severity: Severity,
    /// What happened, for a user.
    pub message: String,
    /// More detail (e.g. the full list of units), when there is any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Diagnostic {
    /// An informational diagnostic.
    pub fn info(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic { code, severity: Severity::Info, message: message.into(), detail: None }
    }
    /// A warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic { code, severity: Severity::Warning, message: message.into(), detail: None }
    }
    /// The same diagnostic with a detail.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Diagnostic {
        self.detail = Some(detail.into());
        self
    }
}

/// A result's diagnostics, without exact duplicates, in the order they were raised.
/// Serialises as a plain list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// An empty list.
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }
    /// Adds a diagnostic unless the same code and message are already there.
    pub fn push(&mut self, d: Diagnostic) {
        if !self.0.iter().any(|x| x.code == d.code && x.message == d.message) {
            self.0.push(d);
        }
    }
    /// Replaces the first diagnostic with the same code (or adds it).
    pub fn replace(&mut self, d: Diagnostic) {
        match self.0.iter_mut().find(|x| x.code == d.code) {
            Some(x) => *x = d,
            None => self.0.push(d),
        }
    }
    /// Adds several.
    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        for d in ds {
            self.push(d);
        }
    }
    /// Whether a diagnostic with this code is present.
    pub fn has(&self, code: Code) -> bool {
        self.0.iter().any(|d| d.code == code)
    }
    /// The diagnostics with this code.
    pub fn with_code(&self, code: Code) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(move |d| d.code == code)
    }
    /// All diagnostics.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }
    /// Number of diagnostics.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The messages (for display and for tests that read the text).
    pub fn messages(&self) -> Vec<&str> {
        self.0.iter().map(|d| d.message.as_str()).collect()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Diagnostics {
        let mut d = Diagnostics::new();
        d.extend(iter);
        d
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_dropped_and_codes_serialise_in_snake_case() {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::info(Code::SingletonsDropped, "3 singletons dropped"));
        d.push(Diagnostic::info(Code::SingletonsDropped, "3 singletons dropped"));
        d.push(Diagnostic::warning(Code::LateAdoptersAsControls, "A adopts after the panel"));
        assert_eq!(d.len(), 2);
        assert!(d.has(Code::LateAdoptersAsControls) && !d.has(Code::FewClusters));
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(
            json,
            r#"[{"code":"singletons_dropped","severity":"info","message":"3 singletons dropped"},{"code":"late_adopters_as_controls","severity":"warning","message":"A adopts after the panel"}]"#
        );
        let back: Diagnostics = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
    }
}
