//! The table of a HonestDiD result (`honest.bounds`: the original interval, then one robust
//! interval per `M̄` or `M`) and its sensitivity plot (HonestDiD's `createSensitivityPlot`).

use super::{HonestResult, Sensitivity};
use crate::report::svg::{interval_plot, ChartOptions, IntervalItem};
use crate::report::table::{Cell, ResultTable, TableRow, Tables};

/// Decimals of the bounds.
const DIGITS: usize = 4;

fn fmt_param(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

impl HonestResult {
    /// `"M̄"` or `"M"`.
    fn parameter_name(&self) -> &'static str {
        match self.sensitivity {
            Sensitivity::RelativeMagnitude => "M̄",
            Sensitivity::Smoothness => "M",
        }
    }

    fn notes(&self) -> Vec<String> {
        let restriction = match self.sensitivity {
            Sensitivity::RelativeMagnitude => {
                "Relative magnitudes Δ^RM(M̄): post-treatment changes in the violation of parallel trends are at most M̄ times the largest pre-treatment change; conditional least-favourable hybrid (C-LF, κ = α/10) on a 100-point grid."
            }
            Sensitivity::Smoothness => {
                "Smoothness Δ^SD(M): the slope of the violation changes by at most M per period (M = 0: linear trends); optimal fixed-length confidence interval (FLCI)."
            }
        };
        vec![
            format!(
                "HonestDiD (Rambachan & Roth 2023) for the effect at event time {} of the Callaway–Sant'Anna event study ({} pre-periods, {} post-periods, reference {}).",
                fmt_param(self.event_time),
                self.num_pre_periods,
                self.num_post_periods,
                fmt_param(self.reference)
            ),
            restriction.to_string(),
            "Original: the event-study interval under parallel trends.".to_string(),
        ]
    }
}

impl Tables for HonestResult {
    fn tables(&self) -> Vec<ResultTable> {
        let p = self.parameter_name();
        let mut t = ResultTable::new("honest.bounds", "HonestDiD: robust confidence intervals", &[p, "Method", "Lower", "Upper"]);
        t.push(TableRow::new(
            "Original",
            vec![Cell::text("Original"), Cell::number(self.original.conf_low, DIGITS), Cell::number(self.original.conf_high, DIGITS)],
        ));
        for b in &self.robust {
            t.push(TableRow::new(
                fmt_param(b.parameter()),
                vec![Cell::text(self.method.clone()), Cell::number(b.conf_low, DIGITS), Cell::number(b.conf_high, DIGITS)],
            ));
        }
        t.notes = self.notes();
        t.conf_level = Some(self.conf_level);
        vec![t]
    }
}

/// The sensitivity plot: the original interval, then the robust ones by `M̄`/`M`.
pub(super) fn sensitivity_svg(r: &HonestResult) -> String {
    let mut items = vec![IntervalItem { label: "Original".into(), low: r.original.conf_low, high: r.original.conf_high, highlight: true }];
    items.extend(r.robust.iter().map(|b| IntervalItem { label: fmt_param(b.parameter()), low: b.conf_low, high: b.conf_high, highlight: false }));
    let opts = ChartOptions {
        x_label: r.parameter_name().to_string(),
        y_label: format!("{}% confidence interval", fmt_param(r.conf_level * 100.0)),
        ..ChartOptions::default()
    };
    interval_plot(&items, &opts)
}
