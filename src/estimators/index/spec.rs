//! What index to build: [`IndexSpec`] as deserialised from the page's options object,
//! checked once against the dataset by [`IndexSpec::validate`] into the [`ValidIndexSpec`]
//! the build takes.

use crate::data::Dataset;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Which composite-index method to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum IndexMethod {
    /// Entropy weight method (default).
    #[default]
    Entropy,
    /// TOPSIS closeness (entropy weights unless weights are given).
    Topsis,
    /// Principal-component composite.
    Pca,
    /// CRITIC weights.
    Critic,
    /// Coefficient-of-variation weights.
    Cv,
    /// Equal weights.
    Equal,
}

impl IndexMethod {
    /// The name used in the JS API (`"entropy"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            IndexMethod::Entropy => "entropy",
            IndexMethod::Topsis => "topsis",
            IndexMethod::Pca => "pca",
            IndexMethod::Critic => "critic",
            IndexMethod::Cv => "cv",
            IndexMethod::Equal => "equal",
        }
    }
}

/// Where normalisation and weighting happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Over all unit-years together (default).
    #[default]
    Pooled,
    /// Separately within each period of the `time` column.
    ByTime,
}

/// What to do with missing indicator values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    /// Stop with an error listing them (default).
    #[default]
    Error,
    /// Leave incomplete rows out (their scores are `NaN`).
    Drop,
    /// Interpolate linearly in time within each unit (needs `unit` and `time`).
    Interpolate,
}

/// How interpolation treats gaps before the first / after the last observation of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Extrapolate {
    /// Leave them missing; those rows are then dropped (default).
    #[default]
    None,
    /// Carry the nearest observed value of the unit.
    Nearest,
}

fn default_direction() -> i8 {
    1
}

/// One indicator of the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorSpec {
    /// Column name.
    pub name: String,
    /// `+1` benefit (more is better, default) or `-1` cost.
    #[serde(default = "default_direction")]
    pub direction: i8,
    /// Dimension (sub-index) the indicator belongs to, if any.
    #[serde(default)]
    pub dimension: Option<String>,
}

impl IndicatorSpec {
    /// A benefit/cost indicator without dimension.
    pub fn new(name: impl Into<String>, direction: i8) -> IndicatorSpec {
        IndicatorSpec { name: name.into(), direction, dimension: None }
    }
    /// Sets the dimension.
    pub fn in_dimension(mut self, dimension: impl Into<String>) -> IndicatorSpec {
        self.dimension = Some(dimension.into());
        self
    }
}

fn default_shift() -> f64 {
    1e-4
}

/// What index to build (deserialised from the page's options object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexSpec {
    /// Method (default entropy).
    #[serde(default)]
    pub method: IndexMethod,
    /// The indicators, in output order.
    pub indicators: Vec<IndicatorSpec>,
    /// Pooled (default) or per-period normalisation and weights.
    #[serde(default)]
    pub scope: Scope,
    /// Time column (needed for `by_time` scope and interpolation).
    #[serde(default)]
    pub time: Option<String>,
    /// Unit column (needed for interpolation).
    #[serde(default)]
    pub unit: Option<String>,
    /// Shift added after min–max normalisation (default `1e-4`).
    #[serde(default = "default_shift")]
    pub shift: f64,
    /// Multiply scores and sub-index scores by 100.
    #[serde(default, alias = "scale_100")]
    pub scale100: bool,
    /// Given weights (TOPSIS), one per indicator; rescaled to sum to 1.
    #[serde(default)]
    pub weights: Option<Vec<f64>>,
    /// PCA: number of components (default: those with eigenvalue > 1).
    #[serde(default)]
    pub n_components: Option<usize>,
    /// Missing-value policy (default error).
    #[serde(default)]
    pub missing: MissingPolicy,
    /// Interpolation endpoints (default: leave missing).
    #[serde(default)]
    pub extrapolate: Extrapolate,
}

impl IndexSpec {
    /// A spec with the given method and indicators and every option at its default.
    pub fn new(method: IndexMethod, indicators: Vec<IndicatorSpec>) -> IndexSpec {
        IndexSpec {
            method,
            indicators,
            scope: Scope::Pooled,
            time: None,
            unit: None,
            shift: default_shift(),
            scale100: false,
            weights: None,
            n_components: None,
            missing: MissingPolicy::Error,
            extrapolate: Extrapolate::None,
        }
    }
}

/// An [`IndexSpec`] that passed [`IndexSpec::validate`]: what the build takes. Dereferences
/// to the spec.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidIndexSpec {
    spec: IndexSpec,
    given: Option<GivenWeights>,
}

/// TOPSIS weights given by the user, rescaled to sum to 1.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GivenWeights {
    /// The weights divided by their sum.
    pub weights: Vec<f64>,
    /// The sum of the weights as given.
    pub sum: f64,
}

impl std::ops::Deref for ValidIndexSpec {
    type Target = IndexSpec;
    fn deref(&self) -> &IndexSpec {
        &self.spec
    }
}

impl ValidIndexSpec {
    /// The given TOPSIS weights, rescaled (None: entropy weights, or not TOPSIS).
    pub(crate) fn given_weights(&self) -> Option<&GivenWeights> {
        self.given.as_ref()
    }
}

impl IndexSpec {
    /// Checks the spec against the dataset (the one place the options are checked): at
    /// least two indicators, each a numeric column listed once with direction ±1,
    /// dimensions on all indicators or none, a non-negative shift, a time column for
    /// `by_time`; PCA: pooled scope and `1 ≤ n_components ≤` indicators; TOPSIS: one
    /// finite, non-negative given weight per indicator with a positive sum.
    pub fn validate(&self, ds: &Dataset) -> Result<ValidIndexSpec> {
        self.check_indicators(ds)?;
        if !(self.shift.is_finite() && self.shift >= 0.0) {
            return Err(Error::invalid(format!("shift must be a non-negative number (got {})", self.shift)));
        }
        if self.scope == Scope::ByTime && self.time.is_none() {
            return Err(Error::invalid("scope `by_time` needs the time column (`time`)"));
        }
        let mut given = None;
        match self.method {
            IndexMethod::Pca => self.check_pca()?,
            IndexMethod::Topsis => given = self.weights.as_deref().map(|w| given_weights(w, self.indicators.len())).transpose()?,
            _ => {}
        }
        Ok(ValidIndexSpec { spec: self.clone(), given })
    }

    /// At least two indicators, each a numeric column listed once with direction ±1, and
    /// dimensions on all of them or on none.
    fn check_indicators(&self, ds: &Dataset) -> Result<()> {
        let inds = &self.indicators;
        if inds.len() < 2 {
            return Err(Error::invalid(format!("a composite index needs at least two indicators ({} given)", inds.len())));
        }
        for (k, ind) in inds.iter().enumerate() {
            if ind.direction != 1 && ind.direction != -1 {
                return Err(Error::invalid(format!(
                    "indicator `{}` has direction {}; use 1 (benefit) or -1 (cost)",
                    ind.name, ind.direction
                )));
            }
            if inds[..k].iter().any(|o| o.name == ind.name) {
                return Err(Error::invalid(format!("indicator `{}` is listed twice", ind.name)));
            }
            ds.numeric(&ind.name)?;
        }
        let with_dim = inds.iter().filter(|i| i.dimension.is_some()).count();
        if with_dim != 0 && with_dim != inds.len() {
            let missing: Vec<&str> = inds.iter().filter(|i| i.dimension.is_none()).map(|i| i.name.as_str()).collect();
            return Err(Error::invalid(format!(
                "some indicators have a dimension and others not; give a dimension to: {}",
                missing.join(", ")
            )));
        }
        Ok(())
    }

    /// PCA: pooled data only, and a possible number of components.
    fn check_pca(&self) -> Result<()> {
        if self.scope == Scope::ByTime {
            return Err(Error::invalid("the PCA index is computed on pooled data only; use scope \"pooled\""));
        }
        let p = self.indicators.len();
        match self.n_components {
            Some(0) => Err(Error::invalid("n_components must be at least 1")),
            Some(c) if c > p => Err(Error::invalid(format!("n_components = {c} but there are only {p} indicators"))),
            _ => Ok(()),
        }
    }
}

/// TOPSIS weights as given: one per indicator, finite, non-negative, with a positive sum.
fn given_weights(w: &[f64], m: usize) -> Result<GivenWeights> {
    if w.len() != m {
        return Err(Error::invalid(format!("{} weights given for {m} indicators", w.len())));
    }
    if w.iter().any(|v| !v.is_finite() || *v < 0.0) {
        return Err(Error::invalid("weights must be finite and non-negative"));
    }
    let s: f64 = w.iter().sum();
    if s <= 0.0 {
        return Err(Error::invalid("the given weights sum to 0"));
    }
    Ok(GivenWeights { weights: w.iter().map(|v| v / s).collect(), sum: s })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_deserialises_with_defaults() {
        let s: IndexSpec = serde_json::from_str(
            r#"{"method":"topsis","indicators":[{"name":"a","direction":-1,"dimension":"d"},{"name":"b"}],"scope":"by_time","time":"year"}"#,
        )
        .unwrap();
        assert_eq!(s.method, IndexMethod::Topsis);
        assert_eq!(s.scope, Scope::ByTime);
        assert_eq!(s.shift, 1e-4);
        assert_eq!(s.indicators[1].direction, 1);
        assert_eq!(s.missing, MissingPolicy::Error);
        assert!(!s.scale100);
    }

    #[test]
    fn validate_checks_the_method_options_once() {
        use crate::data::Column;
        let ds = Dataset::from_columns(vec![
            Column::numeric("a", vec![1.0, 2.0, 3.0]),
            Column::numeric("b", vec![3.0, 1.0, 2.0]),
        ])
        .unwrap();
        let inds = vec![IndicatorSpec::new("a", 1), IndicatorSpec::new("b", -1)];
        let mut pca = IndexSpec::new(IndexMethod::Pca, inds.clone());
        pca.n_components = Some(3);
        assert_eq!(pca.validate(&ds).unwrap_err().to_string(), "n_components = 3 but there are only 2 indicators");
        pca.n_components = None;
        pca.scope = Scope::ByTime;
        pca.time = Some("a".into());
        assert!(pca.validate(&ds).unwrap_err().to_string().contains("pooled data only"));
        let mut topsis = IndexSpec::new(IndexMethod::Topsis, inds.clone());
        topsis.weights = Some(vec![1.0, 3.0]);
        let v = topsis.validate(&ds).unwrap();
        assert_eq!(v.given_weights().map(|g| (g.weights.clone(), g.sum)), Some((vec![0.25, 0.75], 4.0)));
        topsis.weights = Some(vec![1.0]);
        assert_eq!(topsis.validate(&ds).unwrap_err().to_string(), "1 weights given for 2 indicators");
        // weights are TOPSIS's only: other methods ignore them, as before
        let mut entropy = IndexSpec::new(IndexMethod::Entropy, inds);
        entropy.weights = Some(vec![1.0]);
        assert!(entropy.validate(&ds).unwrap().given_weights().is_none());
        entropy.indicators.push(IndicatorSpec::new("zz", 1));
        assert!(entropy.validate(&ds).is_err());
    }
}
