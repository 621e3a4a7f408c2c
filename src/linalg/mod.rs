//! Linear algebra and fixed-effect demeaning.

pub mod demean;
mod demean_cg;
pub mod qr;
