//! Linear algebra and fixed-effect demeaning.

pub mod demean;
pub mod qr;
