//! Linear algebra and fixed-effect demeaning.

pub mod demean;
mod demean_cg;
mod demean_twoway;
pub mod gram;
mod pivchol;
pub mod qr;
