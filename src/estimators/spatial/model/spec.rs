//! What a user asks of a spatial regression ([`SpatialModelSpec`], deserialised from the
//! JS options without `weights`) and its validation against the weights.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::estimators::spatial::design::SpatialFe;
use crate::estimators::spatial::logdet::LogdetMethod;
use crate::estimators::spatial::SpatialWeights;

/// The spatial regression families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpatialModelKind {
    /// Spatial lag (SAR): `y = ρWy + Xβ + ε` (spatialreg `lagsarlm`).
    Sar,
    /// Spatial error (SEM): `y = Xβ + u`, `u = λWu + ε` (spatialreg `errorsarlm`).
    Sem,
    /// Spatial Durbin (SDM): `y = ρWy + Xβ + WXθ + ε` (`lagsarlm(Durbin = TRUE)`).
    Sdm,
    /// Spatial lag of X (SLX): `y = Xβ + WXθ + ε` by OLS (`lmSLX`).
    Slx,
    /// Spatial Durbin error (SDEM): `y = Xβ + WXθ + u`, `u = λWu + ε` (`errorsarlm(Durbin = TRUE)`).
    Sdem,
}

impl SpatialModelKind {
    /// Upper-case name (`"SDM"`).
    pub fn label(self) -> &'static str {
        match self {
            SpatialModelKind::Sar => "SAR",
            SpatialModelKind::Sem => "SEM",
            SpatialModelKind::Sdm => "SDM",
            SpatialModelKind::Slx => "SLX",
            SpatialModelKind::Sdem => "SDEM",
        }
    }
    /// True for the models with `W X` terms.
    pub fn durbin(self) -> bool {
        matches!(self, SpatialModelKind::Sdm | SpatialModelKind::Slx | SpatialModelKind::Sdem)
    }
    /// True for the models with a spatially lagged dependent variable (ρ).
    pub fn lag(self) -> bool {
        matches!(self, SpatialModelKind::Sar | SpatialModelKind::Sdm)
    }
    /// True for the models with a spatially autoregressive error (λ).
    pub fn error(self) -> bool {
        matches!(self, SpatialModelKind::Sem | SpatialModelKind::Sdem)
    }
}

/// Simulated standard errors of the impacts (spatialreg `impacts(fit, R = draws)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactSpec {
    /// Number of draws from the asymptotic normal distribution of the estimates (0: none).
    #[serde(default = "default_draws")]
    pub draws: usize,
    /// Seed of the draws (ChaCha8; the same draws natively and in wasm).
    #[serde(default)]
    pub seed: u64,
}

/// Most simulation draws of the impacts' SEs (each keeps three numbers per regressor).
pub const MAX_DRAWS: usize = 100_000;

fn default_draws() -> usize {
    1000
}

fn yes() -> bool {
    true
}

/// A spatial regression, as the user writes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpatialModelSpec {
    /// The family.
    pub model: SpatialModelKind,
    /// `y ~ x1 + x2` (fixest-style terms, no `|` part: fixed effects go in `fe`).
    pub formula: String,
    /// Column naming the units (default: the weights' unit column).
    #[serde(default)]
    pub unit: Option<String>,
    /// Column naming the periods of a panel (none: a cross-section).
    #[serde(default)]
    pub time: Option<String>,
    /// Panel fixed effects (Elhorst demeaning); `none` for a cross-section.
    #[serde(default)]
    pub fe: SpatialFe,
    /// Simulated impact SEs (SAR, SDM); none: point impacts only.
    #[serde(default)]
    pub impacts: Option<ImpactSpec>,
    /// The regressors that get a `W_` term (SDM, SLX, SDEM; default all but the intercept).
    #[serde(default)]
    pub durbin: Option<Vec<String>>,
    /// Log-determinant method.
    #[serde(default)]
    pub method: LogdetMethod,
    /// Lee–Yu (2010) bias correction of the two-way FE panel (not available yet).
    #[serde(default)]
    pub lee_yu: bool,
    /// Confidence level of the intervals (default 0.95).
    #[serde(default)]
    pub conf_level: Option<f64>,
    /// Also run the LR/Wald tests (ρ = 0 / λ = 0 against OLS; SDM against SAR and SEM with
    /// the Wald tests of θ = 0 and θ + ρβ = 0; SDEM against SEM; SLX's Wald θ = 0);
    /// default true.
    #[serde(default = "yes")]
    pub tests: bool,
}

/// A spec checked against the weights: the columns and options the fit uses.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedSpec {
    /// The spec as given.
    pub spec: SpatialModelSpec,
    /// The unit column.
    pub unit: String,
    /// Confidence level.
    pub conf_level: f64,
}

impl SpatialModelSpec {
    /// A cross-section spec with defaults (tests on, no simulated impacts).
    pub fn new(model: SpatialModelKind, formula: impl Into<String>) -> SpatialModelSpec {
        SpatialModelSpec {
            model,
            formula: formula.into(),
            unit: None,
            time: None,
            fe: SpatialFe::None,
            impacts: None,
            durbin: None,
            method: LogdetMethod::Auto,
            lee_yu: false,
            conf_level: None,
            tests: true,
        }
    }

    /// Checks the options (not yet the data): the unit column, fixed effects only with a
    /// time column, a confidence level in (0, 1), Durbin terms only for SDM/SLX/SDEM,
    /// Lee–Yu refused (not available yet).
    pub fn validate(&self, w: &SpatialWeights) -> Result<ValidatedSpec> {
        let unit = match self.unit.clone().or_else(|| w.unit_column().map(str::to_string)) {
            Some(u) => u,
            None => return Err(Error::invalid("give `unit`: the column naming the units of the weight matrix")),
        };
        if self.fe != SpatialFe::None && self.time.is_none() {
            return Err(Error::invalid("fixed effects (`fe`) need a panel: give `time`, the column naming the periods"));
        }
        let conf_level = self.conf_level.unwrap_or(0.95);
        if !(conf_level > 0.0 && conf_level < 1.0) {
            return Err(Error::invalid(format!("conf_level must lie strictly between 0 and 1 (got {conf_level})")));
        }
        if self.durbin.is_some() && !self.model.durbin() {
            return Err(Error::invalid(format!(
                "`durbin` chooses the W·x terms of SDM, SLX or SDEM; the {} model has none",
                self.model.label()
            )));
        }
        if self.lee_yu {
            return Err(Error::invalid(
                "the Lee–Yu bias correction is not available yet; fit without `lee_yu` (the estimates are then those of spatialreg on demeaned data)",
            ));
        }
        if let Some(i) = &self.impacts {
            if i.draws == 1 {
                return Err(Error::invalid("impacts: draws must be 0 (none) or at least 2"));
            }
            if i.draws > MAX_DRAWS {
                return Err(Error::invalid(format!(
                    "impacts: draws is {}; at most {MAX_DRAWS} are simulated (spatialreg's examples use 1,000 to 5,000)",
                    i.draws
                )));
            }
        }
        Ok(ValidatedSpec { spec: self.clone(), unit, conf_level })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimators::spatial::Standardise;

    fn w() -> SpatialWeights {
        SpatialWeights::from_rows(vec!["a".into(), "b".into()], vec![vec![(1, 1.0)], vec![(0, 1.0)]], Standardise::Row)
            .expect("w")
            .with_unit_column(Some("id".into()))
    }

    #[test]
    fn defaults_and_refusals() {
        let s: SpatialModelSpec = serde_json::from_str(r#"{"model":"sar","formula":"y ~ x"}"#).expect("spec");
        assert!(s.tests && s.impacts.is_none() && s.fe == SpatialFe::None && s.method == LogdetMethod::Auto);
        let v = s.validate(&w()).expect("valid");
        assert_eq!((v.unit.as_str(), v.conf_level), ("id", 0.95));
        let i: SpatialModelSpec = serde_json::from_str(r#"{"model":"sdm","formula":"y ~ x","impacts":{"seed":2}}"#).expect("spec");
        assert_eq!(i.impacts, Some(ImpactSpec { draws: 1000, seed: 2 }));
        let mut bad = s.clone();
        bad.durbin = Some(vec!["x".into()]);
        assert!(bad.validate(&w()).is_err(), "durbin on a SAR");
        let mut bad = s.clone();
        bad.conf_level = Some(1.5);
        assert!(bad.validate(&w()).is_err());
        let mut bad = s.clone();
        bad.impacts = Some(ImpactSpec { draws: MAX_DRAWS + 1, seed: 1 });
        assert!(bad.validate(&w()).expect_err("too many draws").to_string().contains("draws"));
        bad.impacts = Some(ImpactSpec { draws: MAX_DRAWS, seed: 1 });
        assert!(bad.validate(&w()).is_ok());
        let mut bad = s;
        bad.fe = SpatialFe::Twoways;
        assert!(bad.validate(&w()).expect_err("no time").to_string().contains("time"));
    }
}
