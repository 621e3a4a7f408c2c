//! Data: parsing files into a [`Dataset`], column kinds, panels, descriptive statistics.

pub mod dataset;

pub use dataset::{Column, ColumnData, ColumnKind, Dataset, Factor, Strays};
