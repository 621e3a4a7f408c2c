//! Difference-in-differences: treatment designs, event-time dummies and placebo assignments,
//! and the DID workbench built on them.
//!
//! [`design`] turns the user's description of treatment (an adoption-year column, a
//! treated-group × post pair, or a ready 0/1 indicator) into a validated [`design::DidDesign`]:
//! the DID regressor, each row's adoption time and event time, the adoption cohorts, and
//! the re-randomised DID columns the placebo tests need. It does not run regressions.
//!
//! The workbench feeds these columns to the fixed-effects engine:
//! [`workbench`] (TWFE DID, event study with pre-trend test), [`placebo`] (permutation,
//! random-timing and in-time placebos), [`wild`] (wild cluster bootstrap), [`heterogeneity`],
//! [`mediation`] (mechanism) and [`robustness`]; [`tables`] builds every result's tables.

/// Result structs that embed an [`Estimate`](crate::inference::Estimate) (flattened in JSON)
/// read as it in Rust: `r.estimate`, `r.std_error`, `r.term`, ….
macro_rules! deref_estimate {
    ($($t:ty),*) => {$(
        impl std::ops::Deref for $t {
            type Target = crate::inference::Estimate;
            fn deref(&self) -> &crate::inference::Estimate {
                &self.coef
            }
        }
    )*};
}

/// The dataset rows of each level of a factor (rows with a missing level in none), e.g. the
/// clusters a bootstrap resamples.
pub(crate) fn rows_by_level(f: &crate::data::Factor) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); f.n_levels()];
    for (i, &code) in f.codes.iter().enumerate() {
        if code != crate::data::Factor::MISSING {
            rows[code as usize].push(i);
        }
    }
    rows
}

pub mod design;
pub mod heterogeneity;
pub mod mediation;
mod mediation_boot;
pub mod placebo;
mod placebo_solver;
pub mod prepare;
pub mod psm_did;
pub mod robustness;
pub mod tables;
pub mod wild;
pub mod workbench;

pub use design::{
    build_design, counts_table, enumerate_permutations, event_dummies, event_term_name, in_time,
    n_distinct_permutations, permute_units, random_timing, Binning, Cohort, CountsRow, CountsTable, DidDesign,
    EventDummies, EventWindow, InTimePlacebo, TreatmentForm, TreatmentSpec,
};
pub use prepare::ValidDidSpec;
pub use workbench::{
    did, event_study, DesignSummary, DidResult, DidSpec, EventStudyResult, EventStudySpec, EventTerm, PretrendDf,
    PretrendTest,
};
pub use placebo::{
    placebo, placebo_draw_count, placebo_draws, placebo_with_draws, InTimeEstimate, PlaceboKind, PlaceboResult, PlaceboSpec, Quantiles};
pub use wild::{
    wild_bootstrap, wild_bootstrap_draw_count, wild_bootstrap_draws, wild_bootstrap_with_draws, WildResult, WildSpec, WildWeights};
pub use psm_did::{psm_did, PsmDidResult, PsmDidSpec};
pub use heterogeneity::{heterogeneity, HeteroResult, HeteroSpec, SplitFit};
pub use mediation::{
    mediation, mediation_draw_count, mediation_draws, mediation_with_draws, IndirectEffect, MediationResult, MediationSpec, Sobel};
pub use robustness::{robustness, RobustnessCheck, RobustnessFit, RobustnessResult, RobustnessSpec};

deref_estimate!(DidResult, EventTerm, InTimeEstimate, RobustnessFit);
