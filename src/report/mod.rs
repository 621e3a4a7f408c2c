//! Reports: tables (regression, balance, descriptive) and their export formats.

pub mod regtable;
