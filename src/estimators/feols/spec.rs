//! What to estimate: [`FeolsSpec`] (the model, variance, weights, tolerances). The model is
//! a [`ModelFormula`]: formula text from a user, parsed once when the design is built, or a
//! [`Formula`] built in code (the DID family), fitted as it is.

use super::VcovSpec;
use crate::error::Result;
use crate::formula::{self, Formula};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;

/// The model of a [`FeolsSpec`]. Serialises as (and deserialises from) the formula text.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelFormula {
    /// fixest formula text as a user wrote it.
    Text(String),
    /// A formula built in code; its `text` is what results report.
    Built(Formula),
}

impl ModelFormula {
    /// The formula text (as given, or as built).
    pub fn text(&self) -> &str {
        match self {
            ModelFormula::Text(t) => t,
            ModelFormula::Built(f) => &f.text,
        }
    }
    /// The parsed formula (text is parsed here; a built formula is borrowed).
    pub fn formula(&self) -> Result<Cow<'_, Formula>> {
        match self {
            ModelFormula::Text(t) => Ok(Cow::Owned(formula::parse(t)?)),
            ModelFormula::Built(f) => Ok(Cow::Borrowed(f)),
        }
    }
}

impl Default for ModelFormula {
    fn default() -> Self {
        ModelFormula::Text(String::new())
    }
}

impl From<&str> for ModelFormula {
    fn from(t: &str) -> Self {
        ModelFormula::Text(t.to_string())
    }
}

impl From<String> for ModelFormula {
    fn from(t: String) -> Self {
        ModelFormula::Text(t)
    }
}

impl From<Formula> for ModelFormula {
    fn from(f: Formula) -> Self {
        ModelFormula::Built(f)
    }
}

impl Serialize for ModelFormula {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.text())
    }
}

impl<'de> Deserialize<'de> for ModelFormula {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d).map(ModelFormula::Text)
    }
}

/// What to estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeolsSpec {
    /// fixest formula, e.g. `lnHDQ ~ FTZ + pgdp | city + year` (JSON: the text), or a
    /// formula built in code.
    pub formula: ModelFormula,
    /// Variance type (default iid).
    pub vcov: VcovSpec,
    /// Name of an observation-weight column (analytic weights).
    pub weights: Option<String>,
    /// Remove singleton fixed-effect groups iteratively (default true, like
    /// reghdfe; note fixest's `feols` default is `fixef.rm = "none"`).
    /// Coefficients are unaffected; N and the degrees of freedom change.
    pub fixef_rm_singletons: bool,
    /// Confidence level of the intervals (default 0.95).
    pub conf_level: f64,
    /// Demeaning tolerance on the fixed-effect coefficients (default 1e-8,
    /// tighter than fixest's 1e-6).
    pub fixef_tol: f64,
    /// Demeaning iteration cap (default 10 000).
    pub fixef_maxiter: usize,
    /// Relative tolerance for dropping collinear regressors (default 1e-9).
    pub collin_tol: f64,
}

impl Default for FeolsSpec {
    fn default() -> Self {
        FeolsSpec {
            formula: ModelFormula::default(),
            vcov: VcovSpec::Iid,
            weights: None,
            fixef_rm_singletons: true,
            conf_level: 0.95,
            fixef_tol: 1e-8,
            fixef_maxiter: 10_000,
            collin_tol: 1e-9,
        }
    }
}

impl FeolsSpec {
    /// A spec with defaults and the given formula and vcov.
    pub fn new(formula: &str, vcov: VcovSpec) -> FeolsSpec {
        FeolsSpec { formula: formula.into(), vcov, ..Default::default() }
    }
    /// A spec with defaults and a formula built in code.
    pub fn built(formula: Formula, vcov: VcovSpec) -> FeolsSpec {
        FeolsSpec { formula: ModelFormula::Built(formula), vcov, ..Default::default() }
    }
}
