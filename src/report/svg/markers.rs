//! Point charts with one marker shape per series: event studies of several estimators
//! overlaid (points dodged sideways, CI whiskers) and scatter plots such as the Bacon
//! decomposition (weight vs estimate by comparison type), with an optional labelled
//! horizontal reference line.

use super::*;

/// One series of points (`conf_low`/`conf_high` NaN: no whisker).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct MarkerSeries {
    /// Legend label.
    pub label: String,
    /// Points (`x`, `estimate`, optional interval; `label` unused).
    pub points: Vec<CoefPoint>,
}

/// What the marker chart draws besides the points.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MarkerOptions {
    /// Horizontal offset between series at the same x (event studies: e.g. 0.12; scatter: 0).
    pub dodge: f64,
    /// A dashed horizontal line at this value, labelled.
    pub hline: Option<f64>,
    /// Label of the horizontal line.
    pub hline_label: String,
    /// Draw the zero line.
    pub zero_line: bool,
    /// A dashed vertical line at this x (e.g. −0.5 between lead and lag).
    pub vline: Option<f64>,
    /// Start the x axis at 0 (weights).
    pub x_from_zero: bool,
}

const SHAPES: usize = 4;

/// The marker of series `i` at (x, y): circle, square, triangle, diamond; filled for the
/// first four series, hollow for the next four.
fn marker(svg: &mut Svg, i: usize, x: f64, y: f64, r: f64) {
    let color = PALETTE[i % PALETTE.len()];
    let fill = if (i / SHAPES) % 2 == 0 { color } else { "#ffffff" };
    let st = format!(r#"fill="{fill}" stroke="{color}" stroke-width="1.2""#);
    let _ = match i % SHAPES {
        0 => write!(svg.out, r#"<circle cx="{}" cy="{}" r="{}" {st}/>"#, c(x), c(y), c(r)),
        1 => write!(svg.out, r#"<rect x="{}" y="{}" width="{}" height="{}" {st}/>"#, c(x - r), c(y - r), c(2.0 * r), c(2.0 * r)),
        2 => write!(
            svg.out,
            r#"<path d="M{},{} L{},{} L{},{} Z" {st}/>"#,
            c(x),
            c(y - 1.2 * r),
            c(x + 1.1 * r),
            c(y + 0.8 * r),
            c(x - 1.1 * r),
            c(y + 0.8 * r)
        ),
        _ => write!(
            svg.out,
            r#"<path d="M{},{} L{},{} L{},{} L{},{} Z" {st}/>"#,
            c(x),
            c(y - 1.3 * r),
            c(x + 1.3 * r),
            c(y),
            c(x),
            c(y + 1.3 * r),
            c(x - 1.3 * r),
            c(y)
        ),
    };
}

fn finite_ci(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Several point series with distinct markers, whiskers for intervals, a legend on the right.
pub fn marker_plot(series: &[MarkerSeries], opts: &ChartOptions, m: &MarkerOptions) -> String {
    let k = series.len();
    let offset = |i: usize| (i as f64 - (k as f64 - 1.0) / 2.0) * m.dodge;
    let pts = || series.iter().enumerate().flat_map(|(i, s)| s.points.iter().map(move |p| (i, p)));
    let ok = |p: &CoefPoint| p.x.is_finite() && p.estimate.is_finite();
    let Some((xmin, xmax)) = finite_range(
        pts().filter(|(_, p)| ok(p)).map(|(i, p)| p.x + offset(i)).chain(m.vline).chain(m.x_from_zero.then_some(0.0)),
    ) else {
        return Svg::empty(opts, "No points to plot");
    };
    let (ymin, ymax) = finite_range(
        pts()
            .filter(|(_, p)| ok(p))
            .flat_map(|(_, p)| [Some(p.estimate), finite_ci(p.conf_low), finite_ci(p.conf_high)])
            .flatten()
            .chain(m.hline)
            .chain(m.zero_line.then_some(0.0)),
    )
    .unwrap_or((0.0, 1.0));
    let yticks = nice_ticks(ymin, ymax, 6);
    let xticks = nice_ticks(xmin, xmax, 8);
    let pad = if m.x_from_zero { 0.0 } else { ((xmax - xmin) * 0.04).max(m.dodge * k as f64) };
    let fs = opts.font_size.clamp(6.0, 48.0);
    let labels: Vec<String> = series.iter().map(|s| truncate(&s.label, 28)).collect();
    let legend_w = labels.iter().map(|l| text_width(l, fs)).fold(0.0, f64::max) + fs * 3.0;
    let mut svg = Svg::new(opts);
    let legend_w = legend_w.min(svg.w * 0.35);
    let span = ticks_span(&xticks, (xmin - pad, xmax + pad));
    let f = axes(
        &mut svg,
        opts,
        &XTicks::Nice(xticks),
        (span.0.min(xmin - pad), span.1.max(xmax + pad)),
        &yticks,
        or_default(&opts.x_label, "x"),
        or_default(&opts.y_label, "Estimate"),
        legend_w,
    );
    if m.zero_line && f.y0 <= 0.0 && 0.0 <= f.y1 {
        svg.line(f.left, f.py(0.0), f.right, f.py(0.0), r##"stroke="#888888" stroke-width="1""##);
    }
    if let Some(v) = m.vline {
        svg.line(f.px(v), f.top, f.px(v), f.bottom, r##"stroke="#555555" stroke-width="1" stroke-dasharray="4 3""##);
    }
    if let Some(h) = m.hline.filter(|h| h.is_finite()) {
        svg.line(f.left, f.py(h), f.right, f.py(h), r##"stroke="#D55E00" stroke-width="1.2" stroke-dasharray="6 3""##);
        if !m.hline_label.is_empty() {
            svg.text(f.right - 4.0, f.py(h) - 4.0, &truncate(&m.hline_label, 40), "end", r##" fill="#D55E00""##);
        }
    }
    for (i, p) in pts().filter(|(_, p)| ok(p)) {
        if let (Some(lo), Some(hi)) = (finite_ci(p.conf_low), finite_ci(p.conf_high)) {
            let x = f.px(p.x + offset(i));
            let st = format!(r#"stroke="{}" stroke-width="1""#, PALETTE[i % PALETTE.len()]);
            svg.line(x, f.py(lo), x, f.py(hi), &st);
            svg.line(x - 2.5, f.py(lo), x + 2.5, f.py(lo), &st);
            svg.line(x - 2.5, f.py(hi), x + 2.5, f.py(hi), &st);
        }
    }
    for (i, p) in pts().filter(|(_, p)| ok(p)) {
        marker(&mut svg, i, f.px(p.x + offset(i)), f.py(p.estimate), 3.5);
    }
    let lx = f.right + fs;
    for (i, label) in labels.iter().enumerate() {
        let y = f.top + fs * 0.5 + i as f64 * fs * 1.4;
        marker(&mut svg, i, lx + fs * 0.6, y, 3.5);
        svg.text(lx + fs * 1.6, y + fs * 0.35, label, "start", "");
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(x: f64, y: f64) -> CoefPoint {
        CoefPoint { x, label: String::new(), estimate: y, conf_low: y - 1.0, conf_high: y + 1.0 }
    }

    #[test]
    fn one_marker_shape_per_series_with_legend_and_line() {
        let s = vec![
            MarkerSeries { label: "TWFE".into(), points: vec![pt(0.0, 1.0), pt(1.0, 2.0)] },
            MarkerSeries { label: "CS <dr>".into(), points: vec![pt(0.0, 1.5), pt(1.0, f64::NAN)] },
            MarkerSeries { label: "SA".into(), points: vec![pt(0.0, 0.5)] },
        ];
        let m = MarkerOptions { dodge: 0.1, hline: Some(0.7), hline_label: "TWFE = 0.7".into(), zero_line: true, ..Default::default() };
        let svg = marker_plot(&s, &ChartOptions::default(), &m);
        assert_eq!(svg.matches("<circle").count(), 3, "two points and a legend marker");
        assert_eq!(svg.matches("<rect").count() - 1, 2, "one point (the NaN one is skipped) and a legend marker");
        assert!(svg.contains("CS &lt;dr&gt;") && svg.contains("TWFE = 0.7"));
        assert!(svg.contains("stroke-dasharray=\"6 3\""));
        assert!(!svg.contains("\"fill=") && !svg.contains("\"stroke="), "attributes run together");
        let empty = marker_plot(&[], &ChartOptions::default(), &m);
        assert!(empty.contains("No points"));
    }
}
