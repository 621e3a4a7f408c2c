//! [`Estimate`]: one estimated quantity with its inference — the six numbers every result
//! reports (`estimate`, `std_error`, `statistic`, `p_value`, `conf_low`, `conf_high`) and
//! the term it belongs to. Results embed it with `#[serde(flatten)]`, so the JS field names
//! stay flat (`res.estimate`, `res.std_error`, …).

use crate::report::table::Cell;
use serde::{Deserialize, Serialize};

/// One estimate with its standard error, test statistic, p-value and confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Term name.
    pub term: String,
    /// Point estimate.
    pub estimate: f64,
    /// Standard error.
    pub std_error: f64,
    /// Test statistic (t or z).
    pub statistic: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Lower confidence limit.
    pub conf_low: f64,
    /// Upper confidence limit.
    pub conf_high: f64,
}

impl Estimate {
    /// The estimate as a table cell with `digits` decimals.
    pub fn cell(&self, digits: usize) -> Cell {
        Cell::Estimate {
            estimate: self.estimate,
            std_error: self.std_error,
            statistic: self.statistic,
            p_value: self.p_value,
            conf_low: self.conf_low,
            conf_high: self.conf_high,
            digits,
        }
    }
}
