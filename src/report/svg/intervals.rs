//! Interval (sensitivity) plots: one vertical confidence interval per labelled position, as
//! HonestDiD's `createSensitivityPlot` draws them (the original interval first, in a second
//! colour, then the robust intervals by the sensitivity parameter).

use super::*;

/// One interval of an interval plot.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct IntervalItem {
    /// Tick label.
    pub label: String,
    /// Lower limit.
    pub low: f64,
    /// Upper limit.
    pub high: f64,
    /// Drawn in the highlight colour (e.g. the original interval).
    pub highlight: bool,
}

/// Vertical intervals at positions 1, 2, … with a zero line when 0 is in range. Intervals with a
/// non-finite end are left out (their tick stays).
pub fn interval_plot(items: &[IntervalItem], opts: &ChartOptions) -> String {
    let ok = |it: &IntervalItem| it.low.is_finite() && it.high.is_finite();
    if !items.iter().any(ok) {
        return Svg::empty(opts, "No intervals to plot");
    }
    let Some((ymin, ymax)) = finite_range(items.iter().filter(|it| ok(it)).flat_map(|it| [it.low, it.high]).chain(std::iter::once(0.0))) else {
        return Svg::empty(opts, "No intervals to plot");
    };
    let yticks = nice_ticks(ymin, ymax, 6);
    let n = items.len() as f64;
    let xticks = XTicks::Labels(items.iter().enumerate().map(|(i, it)| ((i + 1) as f64, it.label.clone())).collect());
    let mut svg = Svg::new(opts);
    let f = axes(&mut svg, opts, &xticks, (0.4, n + 0.6), &yticks, or_default(&opts.x_label, "M̄"), or_default(&opts.y_label, "95% CI"), 0.0);
    if f.y0 <= 0.0 && 0.0 <= f.y1 {
        svg.line(f.left, f.py(0.0), f.right, f.py(0.0), r##"stroke="#888888" stroke-width="1""##);
    }
    let half = ((f.right - f.left) / n * 0.2).clamp(3.0, 14.0);
    for (i, it) in items.iter().enumerate().filter(|(_, it)| ok(it)) {
        let x = f.px((i + 1) as f64);
        let colour = if it.highlight { "#d62728" } else { "#01a2d9" };
        let st = format!(r##"stroke="{colour}" stroke-width="1.6""##);
        let (ylo, yhi) = (f.py(it.low), f.py(it.high));
        svg.line(x, ylo, x, yhi, &st);
        svg.line(x - half, ylo, x + half, ylo, &st);
        svg.line(x - half, yhi, x + half, yhi, &st);
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_plot_draws_each_interval() {
        let items = vec![
            IntervalItem { label: "Original".into(), low: -0.04, high: 0.003, highlight: true },
            IntervalItem { label: "0.5".into(), low: -0.05, high: 0.02, highlight: false },
            IntervalItem { label: "1".into(), low: f64::NAN, high: f64::NAN, highlight: false },
        ];
        let svg = interval_plot(&items, &ChartOptions::default());
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("#d62728").count(), 3);
        assert_eq!(svg.matches("#01a2d9").count(), 3);
        assert!(svg.contains("Original"));
        assert!(interval_plot(&[], &ChartOptions::default()).contains("No intervals"));
    }
}
