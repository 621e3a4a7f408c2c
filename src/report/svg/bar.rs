//! Horizontal bar charts (e.g. index weights).

use super::*;

/// Non-finite values are skipped; labels beyond the number of values are ignored.
pub fn bar_chart(labels: &[String], values: &[f64], opts: &ChartOptions) -> String {
    let mut bars: Vec<(String, f64)> = labels
        .iter()
        .zip(values)
        .filter(|(_, v)| v.is_finite())
        .map(|(l, v)| (truncate(l, 30), *v))
        .collect();
    if bars.is_empty() {
        return Svg::empty(opts, "No values to plot");
    }
    if opts.sorted {
        bars.sort_by(|a, b| b.1.total_cmp(&a.1));
    }
    let (vmin, vmax) = finite_range(bars.iter().map(|b| b.1).chain(std::iter::once(0.0))).unwrap_or((0.0, 1.0));
    let ticks = nice_ticks(vmin, vmax, 6);
    let step = if ticks.len() > 1 { ticks[1] - ticks[0] } else { 1.0 };
    let (t0, t1) = ticks_span(&ticks, (vmin, vmax));
    let mut svg = Svg::new(opts);
    let fs = svg.fs;
    let lab_w = bars.iter().map(|b| text_width(&b.0, fs)).fold(0.0, f64::max);
    let top = if Svg::has_title(opts) { fs * 3.0 } else { fs };
    let f = Frame {
        left: (lab_w + fs).min(svg.w * 0.45),
        right: svg.w - fs * 4.0,
        top,
        bottom: svg.h - fs * 3.4,
        x0: t0,
        x1: t1,
        y0: 0.0,
        y1: 1.0,
    };
    let f = Frame { right: f.right.max(f.left + 10.0), bottom: f.bottom.max(f.top + 10.0), ..f };
    let axis = r##"stroke="#000000" stroke-width="1""##;
    svg.line(f.left, f.bottom, f.right, f.bottom, axis);
    for &t in &ticks {
        let x = f.px(t);
        svg.line(x, f.bottom, x, f.bottom + 5.0, axis);
        svg.text(x, f.bottom + 5.0 + fs, &fmt_tick(t, step), "middle", "");
    }
    let slot = (f.bottom - f.top) / bars.len() as f64;
    let thick = slot * 0.7;
    let zero = f.px(0.0);
    for (i, (label, v)) in bars.iter().enumerate() {
        let yc = f.top + slot * (i as f64 + 0.5);
        let (x0, x1) = if *v >= 0.0 { (zero, f.px(*v)) } else { (f.px(*v), zero) };
        let _ = write!(
            svg.out,
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#4d4d4d"/>"##,
            c(x0),
            c(yc - thick / 2.0),
            c((x1 - x0).max(0.0)),
            c(thick)
        );
        svg.text(f.left - 4.0, yc + fs * 0.35, label, "end", "");
        let (tx, anchor) = if *v >= 0.0 { (x1 + 3.0, "start") } else { (x0 - 3.0, "end") };
        svg.text(tx, yc + fs * 0.35, &fmt_value(*v), anchor, r##" font-size="0.85em" fill="#333333""##);
    }
    svg.line(zero, f.top, zero, f.bottom, axis);
    let xt = or_default(&opts.x_label, "");
    if !xt.is_empty() {
        svg.text((f.left + f.right) / 2.0, svg.h - fs * 0.6, xt, "middle", "");
    }
    svg.finish()
}
