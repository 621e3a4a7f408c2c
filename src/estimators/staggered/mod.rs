//! Staggered-adoption difference-in-differences: estimators that stay unbiased when
//! treatment effects differ across adoption cohorts or change over time, where the
//! two-way fixed-effects DID is not.
//!
//! * [`cs`] — Callaway & Sant'Anna (2021) group-time effects ATT(g,t) with the aggregations of
//!   R `did` (`att_gt` + `aggte`), analytic or multiplier-bootstrap inference.
//! * [`honest`] — HonestDiD (Rambachan & Roth 2023) robust confidence sets for an event-time
//!   effect of the Callaway–Sant'Anna event study (relative magnitudes or smoothness).
//!
//! Conventions: the adoption column (`start`) holds each unit's first treated period, blank or
//! 0 for never treated, as in R `did` (`gname`) and Stata `csdid` (`gvar`). The panel is
//! balanced first ([`panel`]), saying what it drops.

pub mod cs;
pub mod honest;
pub(crate) mod drdid;
pub(crate) mod panel;

pub use cs::{csdid, BasePeriod, ControlGroup, CsResult, CsSpec, ValidCsSpec};
pub use drdid::CsMethod;
pub use honest::{honest_did, HonestResult, HonestSpec, RmMaxLocation, Sensitivity};
