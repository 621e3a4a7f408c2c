//! Staggered-adoption difference-in-differences: estimators that stay unbiased when
//! treatment effects differ across adoption cohorts or change over time, where the
//! two-way fixed-effects DID is not.
//!
//! * [`cs`] — Callaway & Sant'Anna (2021) group-time effects ATT(g,t) with the aggregations of
//!   R `did` (`att_gt` + `aggte`), analytic or multiplier-bootstrap inference.
//! * [`sunab`] — Sun & Abraham (2021) interaction-weighted event study (fixest's `sunab`).
//! * [`imputation`] — Gardner's two-stage DID and the Borusyak–Jaravel–Spiess imputation
//!   estimator (same point estimates, different variances).
//! * [`compare`] — all of them side by side with TWFE, one table and one overlaid event study.
//! * [`bacon`] — the Goodman-Bacon (2021) decomposition of the TWFE estimate into 2×2 DIDs.
//! * [`honest`] — HonestDiD (Rambachan & Roth 2023) robust confidence sets for an event-time
//!   effect of the Callaway–Sant'Anna event study (relative magnitudes or smoothness).
//!
//! Conventions: the adoption column (`start`) holds each unit's first treated period, blank or
//! 0 for never treated, as in R `did` (`gname`) and Stata `csdid` (`gvar`). The panel is
//! balanced first ([`panel`]), saying what it drops.

pub mod bacon;
pub mod compare;
pub mod cs;
pub mod honest;
pub(crate) mod drdid;
pub mod imputation;
pub(crate) mod panel;
pub mod sunab;
pub(crate) mod twoway;

pub use cs::{csdid, csdid_draw_count, csdid_draws, csdid_with_draws, csdid_with_progress, BootstrapSpec, BasePeriod, ControlGroup, CsResult, CsSpec, ValidCsSpec};
pub use bacon::{bacon_decomposition, BaconResult, BaconSpec};
pub use compare::{compare, CompareResult, CompareSpec};
pub use drdid::CsMethod;
pub use sunab::{sunab, SunabResult, SunabSpec};
pub use imputation::{did2s, did_imputation, ImputationResult, ImputationSpec};
pub use honest::{honest_did, HonestResult, HonestSpec, RmMaxLocation, Sensitivity};
