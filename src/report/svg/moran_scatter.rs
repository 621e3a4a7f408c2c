//! The Moran scatter plot (Anselin 1996): standardised values `z` on the x axis, their
//! spatial lag `Wz` on the y axis, dashed lines through zero splitting the HH / LH / LL /
//! HL quadrants, and the least-squares line through the origin, whose slope is Moran's I
//! for row-standardised weights. Each point carries its unit name as a `<title>` tooltip.

use super::*;

/// The Moran scatter plot of `(z[i], wz[i])` named `units[i]`; `moran_i` labels the line.
/// Non-finite points are skipped; with none left an empty frame with a note is returned.
pub fn moran_scatter_svg(units: &[String], z: &[f64], wz: &[f64], moran_i: f64, title: &str) -> String {
    let opts = ChartOptions { width: 520.0, height: 460.0, title: title.to_string(), ..ChartOptions::default() };
    let pts: Vec<(usize, f64, f64)> =
        z.iter().zip(wz).enumerate().filter(|(_, (a, b))| a.is_finite() && b.is_finite()).map(|(k, (a, b))| (k, *a, *b)).collect();
    if pts.is_empty() {
        return Svg::empty(&opts, "No points to plot");
    }
    let (Some(xr), Some(yr)) = (finite_range(pts.iter().map(|p| p.1).chain([0.0])), finite_range(pts.iter().map(|p| p.2).chain([0.0])))
    else {
        return Svg::empty(&opts, "No points to plot");
    };
    let mut svg = Svg::new(&opts);
    // An accessible name: a <title> as the root's first child.
    let name = if title.trim().is_empty() { "Moran scatter plot" } else { title.trim() };
    if let Some(k) = svg.out.find('>') {
        svg.out.insert_str(k + 1, &format!("<title>{}</title>", escape_xml(name)));
    }
    let f = nice_axes(&mut svg, &opts, xr, yr, ("Standardised value (z)", "Spatial lag (Wz)"), 0.0);
    let guide = r##"stroke="#888888" stroke-width="1" stroke-dasharray="4 3""##;
    svg.line(f.px(0.0), f.top, f.px(0.0), f.bottom, guide);
    svg.line(f.left, f.py(0.0), f.right, f.py(0.0), guide);
    let fs = svg.fs;
    let grey = r##" fill="#555555" font-weight="bold""##;
    svg.text(f.right - 4.0, f.top + fs * 1.2, "HH", "end", grey);
    svg.text(f.left + 4.0, f.top + fs * 1.2, "LH", "start", grey);
    svg.text(f.left + 4.0, f.bottom - fs * 0.5, "LL", "start", grey);
    svg.text(f.right - 4.0, f.bottom - fs * 0.5, "HL", "end", grey);
    for &(k, x, y) in &pts {
        let name = units.get(k).map(String::as_str).unwrap_or("");
        let _ = write!(
            svg.out,
            r##"<circle cx="{}" cy="{}" r="3" fill="#0072B2" fill-opacity="0.7" stroke="#0072B2" stroke-width="0.8"><title>{}</title></circle>"##,
            c(f.px(x)),
            c(f.py(y)),
            escape_xml(name)
        );
    }
    let sxx: f64 = pts.iter().map(|p| p.1 * p.1).sum();
    let slope = pts.iter().map(|p| p.1 * p.2).sum::<f64>() / sxx;
    if slope.is_finite() {
        // Clip the line y = slope·x to the frame.
        let (mut x0, mut x1) = (f.x0, f.x1);
        if slope != 0.0 {
            let (a, b) = (f.y0 / slope, f.y1 / slope);
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            x0 = x0.max(lo);
            x1 = x1.min(hi);
        }
        if x0 < x1 {
            svg.line(f.px(x0), f.py(slope * x0), f.px(x1), f.py(slope * x1), r##"stroke="#D55E00" stroke-width="1.5""##);
        }
    }
    if moran_i.is_finite() {
        let label = format!("Moran's I = {}", fmt_value(moran_i));
        svg.text((f.left + f.right) / 2.0, f.top + fs * 1.2, &label, "middle", r##" fill="#D55E00""##);
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_quadrants_line_and_escaped_names() {
        let units = vec!["a<b".to_string(), "c".to_string(), "d".to_string()];
        let s = moran_scatter_svg(&units, &[-1.0, 0.5, 1.0], &[-0.5, f64::NAN, 0.4], 0.45, "Moran & co");
        assert_eq!(s.matches("<circle").count(), 2, "the NaN point is skipped");
        assert!(s.contains("<title>a&lt;b</title>") && s.contains("Moran &amp; co"));
        for q in ["HH", "LH", "LL", "HL", "Spatial lag (Wz)", "Standardised value (z)", "Moran&apos;s I = 0.45"] {
            assert!(s.contains(q), "{q}");
        }
        assert!(s.contains(r##"stroke="#D55E00" stroke-width="1.5""##));
        assert!(s.contains(r#"font-size="12"><title>Moran &amp; co</title>"#), "the chart's own title first");
        assert!(moran_scatter_svg(&[], &[], &[], f64::NAN, "").contains("No points"));
    }
}
