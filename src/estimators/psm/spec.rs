//! The PSM specification: [`PsmSpec`] as deserialised from the JS options object, checked
//! once by [`PsmSpec::validate`] into the [`ValidPsmSpec`] the fit takes.

use super::{Estimand, MatchOptions, SeKind};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Specification of a PSM run (deserialised from the JS options object; every
/// field but `formula` has a default). The matching options are [`MatchOptions`],
/// flattened, so the JS object stays flat (`{ formula, outcome, method, k, caliper, … }`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PsmSpec {
    /// `treat ~ x1 + x2 + …`.
    pub formula: String,
    /// Outcome column (None: matching and balance only).
    pub outcome: Option<String>,
    /// Propensity model, matching method, caliper, kernel, … (shared with PSM-DID's `match`).
    #[serde(flatten)]
    pub matching: MatchOptions,
    /// "ATT" (default) | "ATE" | "ATC".
    pub estimand: Estimand,
    /// "ai" (default) | "bootstrap" | "none".
    pub se: SeKind,
    /// Bootstrap replications (default 200).
    pub bootstrap_reps: usize,
    /// Return the matched pairs (`matched.pair_*`): None (default) = only when there are
    /// at most [`PAIR_LIMIT`] of them, true = always, false = never.
    pub return_pairs: Option<bool>,
}

/// Most matched pairs returned in `matched.pair_*` unless `return_pairs = true`.
pub const PAIR_LIMIT: usize = 250_000;

impl Default for PsmSpec {
    fn default() -> Self {
        PsmSpec {
            formula: String::new(),
            outcome: None,
            matching: MatchOptions::default(),
            estimand: Estimand::Att,
            se: SeKind::Ai,
            bootstrap_reps: 200,
            return_pairs: None,
        }
    }
}

/// A [`PsmSpec`] that passed [`PsmSpec::validate`], with its preset applied: what the fit takes.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPsmSpec(PsmSpec);

impl std::ops::Deref for ValidPsmSpec {
    type Target = PsmSpec;
    fn deref(&self) -> &PsmSpec {
        &self.0
    }
}

impl PsmSpec {
    /// The spec with its `preset` applied (see [`MatchOptions::resolved`]).
    pub fn resolved(&self) -> PsmSpec {
        PsmSpec { matching: self.matching.resolved(), ..self.clone() }
    }

    /// Checks the options (the one place they are checked) and applies the preset.
    pub fn validate(&self) -> Result<ValidPsmSpec> {
        let s = self.resolved();
        s.matching.validate()?;
        if s.se == SeKind::Bootstrap && s.bootstrap_reps < 2 {
            return Err(Error::invalid("bootstrap_reps must be at least 2"));
        }
        Ok(ValidPsmSpec(s))
    }
}

/// Default kernel bandwidth (psmatch2's).
pub const DEFAULT_BANDWIDTH: f64 = 0.06;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimators::psm::{CaliperScale, Kernel, MatchOn, Method};

    #[test]
    fn spec_deserialises_with_defaults() {
        let s: PsmSpec = serde_json::from_str(
            r#"{"formula":"treat ~ x","outcome":"y","match_on":"logit","caliper":0.2,"estimand":"ATT","se":"ai"}"#,
        )
        .unwrap();
        assert_eq!(s.matching.k, 1);
        assert!(s.matching.replace && s.matching.ties);
        assert_eq!(s.matching.match_on, MatchOn::Logit);
        assert_eq!(s.matching.caliper, Some(0.2));
        assert_eq!(s.matching.caliper_scale, CaliperScale::Sd);
        assert_eq!(s.matching.method, Method::Nearest);
        assert_eq!(s.matching.distance_tolerance, 1e-5);
        let s: PsmSpec = serde_json::from_str(r#"{"formula":"t ~ x","estimand":"ATC","method":"kernel","kernel":"gaussian"}"#).unwrap();
        assert_eq!(s.estimand, Estimand::Atc);
        assert_eq!(s.matching.kernel, Kernel::Gaussian);
        assert!(serde_json::from_str::<PsmSpec>(r#"{"formula":"t ~ x","method":"optimal"}"#).is_err());
    }

    #[test]
    fn validate_applies_the_preset_and_checks_once() {
        let s: PsmSpec = serde_json::from_str(r#"{"formula":"t ~ x","preset":"psmatch2","caliper":0.1}"#).unwrap();
        let v = s.validate().unwrap();
        assert_eq!(v.matching.caliper_scale, CaliperScale::Absolute);
        assert_eq!(v.matching.distance_tolerance, 0.0);
        let bad = PsmSpec { matching: MatchOptions { method: Method::Radius, ..MatchOptions::default() }, ..PsmSpec::default() };
        assert_eq!(bad.validate().unwrap_err().to_string(), "radius matching needs a caliper (the radius)");
        let bad = PsmSpec { se: SeKind::Bootstrap, bootstrap_reps: 1, ..PsmSpec::default() };
        assert!(bad.validate().unwrap_err().to_string().contains("bootstrap_reps must be at least 2"));
    }
}
