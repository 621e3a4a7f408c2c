//! Histograms (placebo draws) with a kernel density overlay, and their bin edges.

use super::*;

/// there is any finite value, none otherwise.
pub fn histogram_edges(draws: &[f64], rule: BinRule) -> Vec<f64> {
    let mut s: Vec<f64> = draws.iter().copied().filter(|v| v.is_finite()).collect();
    if s.is_empty() {
        return Vec::new();
    }
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let (lo, hi) = (s[0], s[n - 1]);
    if hi - lo <= 0.0 {
        let d = if lo == 0.0 { 0.5 } else { lo.abs() * 0.05 };
        return vec![lo - d, hi + d];
    }
    let sturges = ((n as f64).log2().ceil() as usize) + 1;
    let k = match rule {
        BinRule::Count(k) => k.clamp(1, 1000),
        BinRule::Sturges => sturges,
        BinRule::FreedmanDiaconis => {
            let iqr = quantile_type7(&s, 0.75) - quantile_type7(&s, 0.25);
            let h = 2.0 * iqr / (n as f64).cbrt();
            if h > 0.0 && h.is_finite() {
                ((hi - lo) / h).ceil() as usize
            } else {
                sturges
            }
        }
    };
    let k = if matches!(rule, BinRule::Count(_)) { k } else { k.clamp(1, 100) };
    let w = (hi - lo) / k as f64;
    (0..=k).map(|i| if i == k { hi } else { lo + i as f64 * w }).collect()
}

/// Silverman's rule-of-thumb bandwidth (None when the data have no spread).
fn silverman(s_sorted: &[f64]) -> Option<f64> {
    let n = s_sorted.len();
    if n < 2 {
        return None;
    }
    let sd = stats::sd(s_sorted);
    let iqr = (quantile_type7(s_sorted, 0.75) - quantile_type7(s_sorted, 0.25)) / 1.34;
    let a = match (sd > 0.0, iqr > 0.0) {
        (true, true) => sd.min(iqr),
        (true, false) => sd,
        (false, true) => iqr,
        _ => return None,
    };
    let h = 0.9 * a * (n as f64).powf(-0.2);
    (h.is_finite() && h > 0.0).then_some(h)
}

/// Placebo distribution: a density-scaled histogram, an optional Gaussian kernel density, and
/// a dashed vertical line at the actual estimate with its label.
pub fn histogram(draws: &[f64], actual: f64, opts: &ChartOptions) -> String {
    let mut s: Vec<f64> = draws.iter().copied().filter(|v| v.is_finite()).collect();
    let skipped = draws.len() - s.len();
    if s.is_empty() {
        return Svg::empty(opts, "No finite placebo estimates to plot");
    }
    s.sort_by(f64::total_cmp);
    let n = s.len() as f64;
    let edges = histogram_edges(&s, opts.bins);
    let k = edges.len().saturating_sub(1);
    let mut counts = vec![0usize; k];
    for &v in &s {
        let mut j = edges.partition_point(|e| *e <= v).saturating_sub(1);
        if j >= k {
            j = k.saturating_sub(1);
        }
        if let Some(cnt) = counts.get_mut(j) {
            *cnt += 1;
        }
    }
    let dens: Vec<f64> = (0..k)
        .map(|j| {
            let w = edges[j + 1] - edges[j];
            if w > 0.0 {
                counts[j] as f64 / (n * w)
            } else {
                0.0
            }
        })
        .collect();
    let act = actual.is_finite().then_some(actual);
    let (xmin, xmax) = finite_range(edges.iter().copied().chain(act)).unwrap_or((0.0, 1.0));
    let bw = if opts.density { silverman(&s) } else { None };
    let kde: Vec<(f64, f64)> = match bw {
        Some(h) => {
            let norm = 1.0 / (n * h * (2.0 * std::f64::consts::PI).sqrt());
            (0..200)
                .map(|i| {
                    let x = xmin + (xmax - xmin) * i as f64 / 199.0;
                    let y: f64 = s.iter().map(|v| (-0.5 * ((x - v) / h).powi(2)).exp()).sum::<f64>() * norm;
                    (x, y)
                })
                .collect()
        }
        None => Vec::new(),
    };
    let ymax = dens.iter().copied().chain(kde.iter().map(|p| p.1)).fold(0.0, f64::max);
    let y_top = if ymax > 0.0 { ymax * 1.08 } else { 1.0 };
    let mut svg = Svg::new(opts);
    let f = nice_axes(&mut svg, opts, (xmin, xmax), (0.0, y_top), ("Placebo estimate", "Density"), 0.0);
    for j in 0..k {
        if counts[j] == 0 {
            continue;
        }
        let (x0, x1) = (f.px(edges[j]), f.px(edges[j + 1]));
        let y = f.py(dens[j]);
        let _ = write!(
            svg.out,
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#c6c6c6" stroke="#ffffff" stroke-width="0.5"/>"##,
            c(x0),
            c(y),
            c((x1 - x0).max(0.5)),
            c((f.bottom - y).max(0.0))
        );
    }
    if !kde.is_empty() {
        let mut d = String::new();
        for (i, (x, y)) in kde.iter().enumerate() {
            let _ = write!(d, "{}{},{} ", if i == 0 { "M" } else { "L" }, c(f.px(*x)), c(f.py(*y)));
        }
        let _ = write!(svg.out, r##"<path d="{}" fill="none" stroke="#000000" stroke-width="1.5"/>"##, d.trim_end());
    }
    if let Some(a) = act {
        let x = f.px(a);
        svg.line(x, f.top, x, f.bottom, r##"stroke="#D55E00" stroke-width="1.5" stroke-dasharray="5 3""##);
        let label = format!("{} = {}", truncate(or_default(&opts.actual_label, "Actual estimate"), 30), fmt_value(a));
        let right_half = x > (f.left + f.right) / 2.0;
        let (tx, anchor) = if right_half { (x - 4.0, "end") } else { (x + 4.0, "start") };
        svg.text(tx, f.top + svg.fs, &label, anchor, r##" fill="#D55E00""##);
    }
    if skipped > 0 {
        let note = format!("{skipped} non-finite draw{} skipped", if skipped == 1 { "" } else { "s" });
        svg.text(f.right, f.top + svg.fs * 2.4, &note, "end", r##" fill="#555555""##);
    }
    svg.finish()
}
