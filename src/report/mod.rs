//! Reports: tables (regression, balance, descriptive), charts, and their export formats.

pub mod escape;
pub mod i18n;
pub mod regtable;
pub mod render;
pub mod svg;
pub mod table;

pub use i18n::Lang;
pub use render::{render_report_bytes, render_table, render_table_bytes, RenderOptions};
pub use table::{Cell, ResultTable, TableRow, Tables};
