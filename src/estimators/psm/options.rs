//! [`MatchOptions`]: the matching options of `psm`, reused as PSM-DID's `match` block — the
//! propensity model, the method and its settings, the caliper, common support, the seed and
//! the conventions preset — with their defaults, the preset and the checks, in one place;
//! and the option enums of `psm` (link, method, estimand, standard error, …).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Link of the propensity model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Link {
    /// Logistic.
    #[default]
    Logit,
    /// Standard normal.
    Probit,
}

/// Matching method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// k nearest neighbours.
    #[default]
    Nearest,
    /// All pool units within the caliper.
    Radius,
    /// Kernel-weighted pool units.
    Kernel,
}

/// What to match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MatchOn {
    /// The propensity score p̂.
    #[default]
    Score,
    /// Its logit log(p̂/(1−p̂)).
    Logit,
}

/// Unit of the caliper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CaliperScale {
    /// SDs of the matching variable.
    #[default]
    Sd,
    /// Units of the matching variable.
    Absolute,
}

/// Estimand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Estimand {
    /// Average effect on the treated.
    #[default]
    #[serde(rename = "ATT", alias = "att")]
    Att,
    /// Average effect.
    #[serde(rename = "ATE", alias = "ate")]
    Ate,
    /// Average effect on the controls.
    #[serde(rename = "ATC", alias = "atc", alias = "ATU", alias = "atu")]
    Atc,
}

/// Standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SeKind {
    /// Abadie–Imbens (NN with replacement).
    #[default]
    Ai,
    /// Seeded bootstrap.
    Bootstrap,
    /// None.
    None,
}

/// Order of greedy matching without replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// Highest matching value first.
    #[default]
    Descending,
    /// Lowest first.
    Ascending,
    /// Seeded random order.
    Random,
}

/// Kernel for kernel matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kernel {
    /// ¾(1−u²) on |u| < 1.
    #[default]
    Epanechnikov,
    /// φ(u).
    Gaussian,
}

/// A preset of matching conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// R Matching (the defaults).
    Matching,
    /// Stata psmatch2 / teffects psmatch.
    Psmatch2,
}

/// Matching options (every field has a default; the JS names are the field names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchOptions {
    /// "logit" (default) | "probit".
    pub model: Link,
    /// "nearest" (default) | "radius" | "kernel".
    pub method: Method,
    /// Neighbours per focal unit (default 1).
    pub k: usize,
    /// With replacement (default true).
    pub replace: bool,
    /// Keep ties with shared weight (default true).
    pub ties: bool,
    /// "score" (default) | "logit".
    pub match_on: MatchOn,
    /// Caliper (None: no caliper).
    pub caliper: Option<f64>,
    /// "sd" (default) | "absolute".
    pub caliper_scale: CaliperScale,
    /// Greedy order without replacement: "descending" (default) | "ascending" | "random".
    pub order: Order,
    /// "epanechnikov" (default) | "gaussian".
    pub kernel: Kernel,
    /// Kernel bandwidth on the matching-variable scale (default 0.06).
    pub bandwidth: Option<f64>,
    /// Drop focal units outside the pool's score range (default false).
    pub common_support: bool,
    /// Seed for every random step (default 42).
    pub seed: u64,
    /// Tie tolerance on the standardised squared distance (default 1e-5, Matching's).
    pub distance_tolerance: f64,
    /// Conventions preset: None / "matching" (R Matching, the default) or "psmatch2"
    /// (Stata psmatch2/teffects: caliper absolute on the matching variable, ties only
    /// at exactly equal distance); it overrides `caliper_scale` and `distance_tolerance`.
    pub preset: Option<Preset>,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            model: Link::Logit,
            method: Method::Nearest,
            k: 1,
            replace: true,
            ties: true,
            match_on: MatchOn::Score,
            caliper: None,
            caliper_scale: CaliperScale::Sd,
            order: Order::Descending,
            kernel: Kernel::Epanechnikov,
            bandwidth: None,
            common_support: false,
            seed: 42,
            distance_tolerance: 1e-5,
            preset: None,
        }
    }
}

impl MatchOptions {
    /// The options with their `preset` applied.
    pub fn resolved(&self) -> MatchOptions {
        let mut s = self.clone();
        if self.preset == Some(Preset::Psmatch2) {
            s.caliper_scale = CaliperScale::Absolute;
            s.distance_tolerance = 0.0;
        }
        s
    }

    /// Checks the options: k ≥ 1, a positive caliper (required by radius matching), a
    /// positive bandwidth, a non-negative tie tolerance.
    pub fn validate(&self) -> Result<()> {
        if self.k < 1 {
            return Err(Error::invalid("k (neighbours per unit) must be at least 1"));
        }
        if let Some(c) = self.caliper {
            if !(c.is_finite() && c > 0.0) {
                return Err(Error::invalid(format!("the caliper must be a positive number, got {c}")));
            }
        }
        if self.method == Method::Radius && self.caliper.is_none() {
            return Err(Error::invalid("radius matching needs a caliper (the radius)"));
        }
        if let Some(h) = self.bandwidth {
            if !(h.is_finite() && h > 0.0) {
                return Err(Error::invalid(format!("the kernel bandwidth must be a positive number, got {h}")));
            }
        }
        if !(self.distance_tolerance.is_finite() && self.distance_tolerance >= 0.0) {
            return Err(Error::invalid("distance_tolerance must be a non-negative number"));
        }
        Ok(())
    }
}
