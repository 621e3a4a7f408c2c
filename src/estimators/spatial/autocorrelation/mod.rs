//! Spatial autocorrelation: global Moran's I (normality, randomisation, seeded
//! permutations) and Geary's C, the Moran scatter plot, and local Moran (LISA) with
//! HH/LL/HL/LH clusters — following spdep 1.2-7's `moran.test`, `geary.test`,
//! `moran.mc`, `localmoran` and `localmoran_perm`; each function says where it departs.
//!
//! The statistics are computed on plain slices ([`moran_stats`], [`geary_stats`],
//! [`local_moran`]) and on datasets ([`moran`], [`lisa`]).

pub mod global;
pub mod lisa;
pub mod local;
pub mod moran;
pub mod sample;
pub mod spec;
mod tables;

pub use global::{geary_stats, moran_permutation_p, moran_stats, GearyStats, MoranStats, WeightsConstants};
pub use lisa::{lisa, LisaResult, LisaUnit};
pub use local::{local_moran, local_permutation_p, LocalStats};
pub use moran::{moran, MoranPeriod, MoranResult, MoranScatter};
pub use spec::{MoranSpec, Period};
