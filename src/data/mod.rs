//! Data: parsing files into a [`Dataset`], column kinds, panels, descriptive statistics.
//!
//! Entry point: [`read_bytes`] (CSV/TSV in any common encoding, or Excel), which
//! returns the dataset and a [`LoadReport`]; then [`describe`] and [`panel_info`].

pub mod csv;
pub mod dataset;
pub mod describe;
pub mod encoding;
pub mod excel;
pub mod infer;
pub mod panel;
pub mod read;
pub mod snapshot;
pub mod stream;

pub use dataset::{Column, ColumnData, ColumnKind, Dataset, Factor, Strays};
pub use describe::{describe, Describe, DescribeRow, DescribeSpec};
pub use panel::{panel_info, DuplicatePair, PanelGap, PanelInfo};
pub use read::{read_bytes, read_bytes_with_progress, ColumnInfo, LoadReport, Loaded, ReadOptions};
pub use self::csv::SkippedRow;
pub use stream::{check_memory, estimate_memory, CsvStream, MemoryEstimate, NEEDS_WHOLE_FILE, WASM32_LIMIT};
