//! Line and density charts (several series with a legend), and panels side by side.

use super::*;

/// Draws several series as lines with a legend to the right.
fn lines_plot(series: &[Series], opts: &ChartOptions, x_default: &str, y_default: &str, y_from_zero: bool) -> String {
    let pairs: Vec<Vec<(f64, f64)>> =
        series.iter().map(|s| s.xs.iter().copied().zip(s.ys.iter().copied()).collect()).collect();
    let finite = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let Some((xmin, xmax)) = finite_range(pairs.iter().flatten().filter(|p| finite(p)).map(|p| p.0)) else {
        return Svg::empty(opts, "No data to plot");
    };
    let (ymin, ymax) = finite_range(
        pairs.iter().flatten().filter(|p| finite(p)).map(|p| p.1).chain(y_from_zero.then_some(0.0)),
    )
    .unwrap_or((0.0, 1.0));
    // Legend entries (truncated).
    let max_leg = opts.max_legend.max(1);
    let n_series = series.len();
    let mut legend: Vec<(usize, String)> = Vec::new();
    if n_series > 1 || series.iter().any(|s| !s.label.is_empty()) {
        let shown = if n_series > max_leg { max_leg.saturating_sub(1).max(1) } else { n_series };
        legend = (0..shown.min(n_series)).map(|i| (i, truncate(&series[i].label, 24))).collect();
        if n_series > shown {
            legend.push((usize::MAX, format!("… and {} more", n_series - shown)));
        }
    }
    let fs = opts.font_size.clamp(6.0, 48.0);
    let legend_w = if legend.is_empty() {
        0.0
    } else {
        legend.iter().map(|(_, l)| text_width(l, fs)).fold(0.0, f64::max) + fs * 3.5
    };
    let mut svg = Svg::new(opts);
    let legend_w = legend_w.min(svg.w * 0.4);
    let f = nice_axes(&mut svg, opts, (xmin, xmax), (ymin, ymax), (x_default, y_default), legend_w);
    for (i, pts) in pairs.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let dash = DASHES[(i / PALETTE.len() + i) % DASHES.len()];
        let mut d = String::new();
        let mut pen_up = true;
        for p in pts {
            if !finite(p) {
                pen_up = true;
                continue;
            }
            let _ = write!(d, "{}{},{} ", if pen_up { "M" } else { "L" }, c(f.px(p.0)), c(f.py(p.1)));
            pen_up = false;
        }
        if d.is_empty() {
            continue;
        }
        let dash_attr = if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) };
        let _ = write!(
            svg.out,
            r#"<path d="{}" fill="none" stroke="{}" stroke-width="1.5"{}/>"#,
            d.trim_end(),
            color,
            dash_attr
        );
    }
    let lx = f.right + fs;
    for (k, (i, label)) in legend.iter().enumerate() {
        let y = f.top + fs * 0.5 + k as f64 * fs * 1.4;
        if *i != usize::MAX {
            let color = PALETTE[i % PALETTE.len()];
            let dash = DASHES[(i / PALETTE.len() + i) % DASHES.len()];
            let dash_attr = if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) };
            svg.line(lx, y, lx + fs * 1.8, y, &format!(r#"stroke="{color}" stroke-width="1.5"{dash_attr}"#));
        }
        svg.text(lx + fs * 2.2, y + fs * 0.35, label, "start", "");
    }
    svg.finish()
}

/// Density curves (e.g. propensity scores of treated vs control, before/after matching),
/// one line per series with a legend. The y axis starts at 0.
pub fn density_plot(series: &[Series], opts: &ChartOptions) -> String {
    lines_plot(series, opts, "Value", "Density", true)
}

/// Places charts of this module (each `panel_w` × `panel_h` px, e.g. drawn with the same
/// [`ChartOptions`] size) side by side in one SVG, under an optional bold `title`.
pub fn side_by_side(panels: &[String], panel_w: f64, panel_h: f64, title: &str, font_size: f64) -> String {
    let fs = if font_size.is_finite() { font_size.clamp(6.0, 48.0) } else { 12.0 };
    let top = if title.trim().is_empty() { 0.0 } else { fs * 2.4 };
    let opts = ChartOptions {
        width: panel_w * panels.len().max(1) as f64,
        height: panel_h + top,
        font_size: fs,
        title: title.to_string(),
        ..ChartOptions::default()
    };
    let mut svg = Svg::new(&opts);
    for (k, p) in panels.iter().enumerate() {
        let _ = write!(svg.out, r#"<g transform="translate({},{})">{p}</g>"#, c(k as f64 * panel_w), c(top));
    }
    svg.finish()
}

/// Lines over time (e.g. an index per unit) with a legend; long legends are cut to
/// `max_legend` entries ("… and N more") and long labels to 24 characters.
pub fn line_chart(series: &[Series], opts: &ChartOptions) -> String {
    lines_plot(series, opts, "Time", "Value", false)
}

