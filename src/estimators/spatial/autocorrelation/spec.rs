//! What the user asks of Moran's I, Geary's C and local Moran: the variable, the units,
//! the period of a panel, the permutations.

use serde::{Deserialize, Deserializer};
use crate::error::{Error, Result};

/// A period of the time column, as its display text: the JSON number `2022` and the
/// string `"2022"` both mean the rows whose time column prints as `2022`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Period(pub String);

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Period, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Num(f64),
            Text(String),
        }
        Ok(Period(match Raw::deserialize(d)? {
            Raw::Int(v) => v.to_string(),
            // Integral floats print as integers, as the time column's display does.
            Raw::Num(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
            Raw::Num(v) => v.to_string(),
            Raw::Text(s) => s,
        }))
    }
}

/// Spec of [`super::moran`] and [`super::lisa`] (the weights are passed separately).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoranSpec {
    /// The variable.
    pub y: String,
    /// The column naming the units; defaults to the weights' unit column.
    #[serde(default)]
    pub unit: Option<String>,
    /// The time column of a panel.
    #[serde(default)]
    pub time: Option<String>,
    /// One period of the panel; without it every period is analysed.
    #[serde(default)]
    pub period: Option<Period>,
    /// Permutations of the permutation tests (0: none).
    #[serde(default)]
    pub permutations: usize,
    /// Seed of the permutations.
    #[serde(default)]
    pub seed: u64,
    /// Significance level of the LISA clusters (default 0.05).
    #[serde(default)]
    pub alpha: Option<f64>,
}

/// Most permutations a test may draw (spdep's own examples use 99 to 9,999; more only costs
/// time: the p-value's Monte Carlo error at 99,999 is already below 0.0016).
pub const MAX_PERMUTATIONS: usize = 99_999;

impl MoranSpec {
    /// Refuses a permutation count past [`MAX_PERMUTATIONS`] (it would freeze the page).
    pub fn check(&self) -> Result<()> {
        if self.permutations > MAX_PERMUTATIONS {
            return Err(Error::invalid(format!(
                "`permutations` is {}; at most {MAX_PERMUTATIONS} are drawn (999 is the usual choice)",
                self.permutations
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_from_number_or_text() {
        let s: MoranSpec = serde_json::from_str(r#"{"y":"v","time":"year","period":2022}"#).expect("number");
        assert_eq!(s.period, Some(Period("2022".into())));
        let s: MoranSpec = serde_json::from_str(r#"{"y":"v","period":2022.0}"#).expect("float");
        assert_eq!(s.period, Some(Period("2022".into())));
        let s: MoranSpec = serde_json::from_str(r#"{"y":"v","period":"2022Q1"}"#).expect("text");
        assert_eq!(s.period, Some(Period("2022Q1".into())));
        assert!(serde_json::from_str::<MoranSpec>(r#"{"y":"v","weights":1}"#).is_err());
        let many: MoranSpec = serde_json::from_str(r#"{"y":"v","permutations":1000000000}"#).expect("parses");
        assert!(many.check().expect_err("capped").to_string().contains("99999"));
        let ok: MoranSpec = serde_json::from_str(r#"{"y":"v","permutations":99999}"#).expect("parses");
        assert!(ok.check().is_ok());
    }
}
