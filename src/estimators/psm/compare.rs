//! Several matching specifications side by side (the seed papers' "k-nearest / caliper /
//! caliper-kNN" table): [`compare_methods`]; its table is built in [`super::tables`].

use super::{psm, CaliperScale, Estimand, Kernel, MatchOn, Method, PsmSpec, SeKind, DEFAULT_BANDWIDTH};
use crate::data::Dataset;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::error::Result;
use serde::Serialize;

/// One row of a method comparison.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonRow {
    /// Human-readable description of the method.
    pub label: String,
    pub method: Method,
    pub k: usize,
    pub replace: bool,
    pub match_on: MatchOn,
    pub caliper: Option<f64>,
    pub caliper_scale: CaliperScale,
    pub estimand: Estimand,
    pub estimate: f64,
    pub std_error: f64,
    pub se_kind: SeKind,
    pub statistic: f64,
    pub p_value: f64,
    pub conf_low: f64,
    pub conf_high: f64,
    pub n_treated_matched: usize,
    pub n_treated_dropped: usize,
    pub n_control_used: usize,
    /// Mean |standardised % bias| after matching.
    pub mean_bias_after: f64,
}

/// Side-by-side comparison of matching methods (the seeds'
/// "k-nearest / caliper / caliper-kNN" table).
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonTable {
    pub rows: Vec<ComparisonRow>,
    /// The runs' diagnostics, each prefixed with its method's label (serialised next to the
    /// table by the JS API, not inside it).
    #[serde(skip)]
    pub diagnostics: Diagnostics,
}

/// A short label for a spec, e.g. `nearest k=4, caliper 0.05 SD`.
pub fn method_label(s: &PsmSpec) -> String {
    let mut l = match s.matching.method {
        Method::Nearest => {
            let mut t = format!("nearest k={}", s.matching.k);
            if !s.matching.replace {
                t.push_str(", no replacement");
            }
            t
        }
        Method::Radius => "radius".to_string(),
        Method::Kernel => format!(
            "kernel ({}, h={})",
            match s.matching.kernel {
                Kernel::Epanechnikov => "epanechnikov",
                Kernel::Gaussian => "gaussian",
            },
            s.matching.bandwidth.unwrap_or(DEFAULT_BANDWIDTH)
        ),
    };
    if let Some(c) = s.matching.caliper {
        l.push_str(&format!(
            ", caliper {c}{}",
            match s.matching.caliper_scale {
                CaliperScale::Sd => " SD",
                CaliperScale::Absolute => "",
            }
        ));
    }
    if s.matching.match_on == MatchOn::Logit {
        l.push_str(", on logit");
    }
    l
}

/// Runs `base` and every variant (each a full spec) and tabulates them; the
/// base is the first row.
pub fn compare_methods(ds: &Dataset, base: &PsmSpec, variants: &[PsmSpec]) -> Result<ComparisonTable> {
    let mut rows = Vec::with_capacity(variants.len() + 1);
    let mut diagnostics = Diagnostics::new();
    for s in std::iter::once(base).chain(variants.iter()) {
        let s = &s.resolved();
        let r = psm(ds, s)?;
        let label = method_label(s);
        for d in &r.diagnostics {
            diagnostics.push(Diagnostic { message: format!("{label}: {}", d.message), ..d.clone() });
        }
        rows.push(ComparisonRow {
            label,
            method: s.matching.method,
            k: s.matching.k,
            replace: s.matching.replace,
            match_on: s.matching.match_on,
            caliper: s.matching.caliper,
            caliper_scale: s.matching.caliper_scale,
            estimand: s.estimand,
            estimate: r.estimate,
            std_error: r.std_error,
            se_kind: r.se_kind,
            statistic: r.statistic,
            p_value: r.p_value,
            conf_low: r.conf_low,
            conf_high: r.conf_high,
            n_treated_matched: r.n_treated_matched,
            n_treated_dropped: r.n_treated_dropped,
            n_control_used: r.n_control_used,
            mean_bias_after: r.balance.overall.mean_bias_after,
        });
    }
    Ok(ComparisonTable { rows, diagnostics })
}

