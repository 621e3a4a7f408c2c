//! Reports: tables (regression, balance, descriptive), charts, and their export formats.

pub mod escape;
pub mod regtable;
pub mod svg;
