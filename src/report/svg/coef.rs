//! Event-study coefficient plots.

use super::*;

/// Event-study coefficient plot: estimates with CI whiskers (or a shaded band), a
/// horizontal zero line, a dashed vertical line at the adoption (`adoption_at`, default
/// −0.5) and the reference period as a hollow point at 0.
pub fn coef_plot(points: &[CoefPoint], opts: &ChartOptions) -> String {
    let pts: Vec<&CoefPoint> = points.iter().filter(|p| p.x.is_finite() && p.estimate.is_finite()).collect();
    if pts.is_empty() {
        return Svg::empty(opts, "No coefficients to plot");
    }
    let ref_x = opts.ref_period.filter(|r| r.is_finite() && !pts.iter().any(|p| p.x == *r));
    let adopt = opts.adoption_at.filter(|a| a.is_finite());
    let ci = |v: f64| if v.is_finite() { Some(v) } else { None };
    let Some((xmin, xmax)) =
        finite_range(pts.iter().map(|p| p.x).chain(ref_x).chain(adopt))
    else {
        return Svg::empty(opts, "No coefficients to plot");
    };
    let (ymin, ymax) = finite_range(
        pts.iter()
            .flat_map(|p| [Some(p.estimate), ci(p.conf_low), ci(p.conf_high)])
            .flatten()
            .chain(std::iter::once(0.0)),
    )
    .unwrap_or((0.0, 1.0));
    let yticks = nice_ticks(ymin, ymax, 6);
    let integer_x = pts.iter().all(|p| p.x.fract() == 0.0) && xmax - xmin <= 30.0;
    let xticks = if integer_x {
        let mut t = Vec::new();
        let mut x = xmin.ceil();
        while x <= xmax {
            let lab = pts.iter().find(|p| p.x == x).map(|p| p.label.clone()).filter(|l| !l.is_empty());
            t.push((x, lab.unwrap_or_else(|| fmt_tick(x, 1.0))));
            x += 1.0;
        }
        XTicks::Labels(t)
    } else {
        XTicks::Nice(nice_ticks(xmin, xmax, 8))
    };
    let pad = ((xmax - xmin) * 0.04).max(0.5);
    let mut svg = Svg::new(opts);
    let f = axes(
        &mut svg,
        opts,
        &xticks,
        (xmin - pad, xmax + pad),
        &yticks,
        or_default(&opts.x_label, "Periods relative to adoption"),
        or_default(&opts.y_label, "Estimate and 95% CI"),
        0.0,
    );
    if f.y0 <= 0.0 && 0.0 <= f.y1 {
        svg.line(f.left, f.py(0.0), f.right, f.py(0.0), r##"stroke="#888888" stroke-width="1""##);
    }
    if let Some(a) = adopt {
        svg.line(f.px(a), f.top, f.px(a), f.bottom, r##"stroke="#555555" stroke-width="1" stroke-dasharray="4 3""##);
    }
    let mut sorted = pts.clone();
    sorted.sort_by(|a, b| a.x.total_cmp(&b.x));
    if opts.band {
        let band: Vec<&&CoefPoint> = sorted.iter().filter(|p| p.conf_low.is_finite() && p.conf_high.is_finite()).collect();
        if band.len() >= 2 {
            let mut d = String::new();
            for (i, p) in band.iter().enumerate() {
                let _ = write!(d, "{}{},{} ", if i == 0 { "M" } else { "L" }, c(f.px(p.x)), c(f.py(p.conf_high)));
            }
            for p in band.iter().rev() {
                let _ = write!(d, "L{},{} ", c(f.px(p.x)), c(f.py(p.conf_low)));
            }
            let _ = write!(svg.out, r##"<path d="{}Z" fill="#9ecae1" fill-opacity="0.5" stroke="none"/>"##, d);
        }
        let mut d = String::new();
        for (i, p) in sorted.iter().enumerate() {
            let _ = write!(d, "{}{},{} ", if i == 0 { "M" } else { "L" }, c(f.px(p.x)), c(f.py(p.estimate)));
        }
        let _ = write!(svg.out, r##"<path d="{}" fill="none" stroke="#000000" stroke-width="1.2"/>"##, d.trim_end());
    } else {
        for p in &sorted {
            if let (Some(lo), Some(hi)) = (ci(p.conf_low), ci(p.conf_high)) {
                let x = f.px(p.x);
                let st = r##"stroke="#000000" stroke-width="1""##;
                svg.line(x, f.py(lo), x, f.py(hi), st);
                svg.line(x - 3.0, f.py(lo), x + 3.0, f.py(lo), st);
                svg.line(x - 3.0, f.py(hi), x + 3.0, f.py(hi), st);
            }
        }
    }
    for p in &sorted {
        let _ = write!(svg.out, r##"<circle cx="{}" cy="{}" r="3.5" fill="#000000"/>"##, c(f.px(p.x)), c(f.py(p.estimate)));
    }
    if let Some(r) = ref_x {
        let _ = write!(
            svg.out,
            r##"<circle cx="{}" cy="{}" r="3.5" fill="#ffffff" stroke="#000000" stroke-width="1.2"><title>reference period</title></circle>"##,
            c(f.px(r)),
            c(f.py(0.0))
        );
    }
    svg.finish()
}

