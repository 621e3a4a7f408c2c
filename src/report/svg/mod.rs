//! Publication-style SVG charts: event-study coefficient plots, placebo histograms,
//! density and line charts, horizontal bar charts, interval (sensitivity) plots, maps of
//! units (polygons, links, points).
//!
//! Every chart is a self-contained SVG string: white background, thin black axes with
//! outward ticks, sans-serif text, sizes in px, and a `viewBox` so it scales. All text
//! passes through [`escape_xml`]. Output is deterministic (no hashing, fixed number
//! formatting with two decimals for coordinates) and no input makes a chart panic:
//! NaN/±∞ values are skipped, and with nothing left to draw an empty frame with a note is
//! returned.
//!
//! This module holds what the charts share (options, escaping, nice ticks, the SVG
//! writer, frames and axes); each chart kind has its own file.
//!
//! * **Ticks** — Heckbert's "nice numbers": the step is 1, 2 or 5 × 10^k chosen so that about
//!   `target` ticks cover the range; the axis runs from the tick at or below the data
//!   minimum to the tick at or above the maximum, so the ticks always cover the data.
//! * **Histogram bins** — Freedman–Diaconis by default: width `h = 2·IQR·n^(-1/3)`,
//!   `k = ⌈range/h⌉`; when the IQR is 0 (or the rule fails) Sturges: `k = ⌈log₂ n⌉ + 1`;
//!   `k` is capped at 100. Bars show densities `count / (n·width)` so that the kernel
//!   density overlay shares the scale.
//! * **Kernel density** — Gaussian kernel, Silverman's rule-of-thumb bandwidth
//!   `h = 0.9·min(sd, IQR/1.34)·n^(-1/5)` (the positive one of the two if the other is 0),
//!   evaluated at 200 points.

use crate::inference::stats::{self, quantile_type7};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

mod bar;
mod coef;
mod histogram;
mod intervals;
mod lines;
mod map;
mod markers;
mod moran_scatter;

pub use bar::bar_chart;
pub use coef::coef_plot;
pub use histogram::{histogram, histogram_edges};
pub use intervals::{interval_plot, IntervalItem};
pub use lines::{density_plot, line_chart, side_by_side};
pub use map::{map_svg, MapLayer, MAX_PRINTED_LABELS};
pub use markers::{marker_plot, MarkerOptions, MarkerSeries};
pub use moran_scatter::moran_scatter_svg;


/// Escapes `& < > " '` for use in XML text and attribute values (the report's one XML
/// escape: characters XML 1.0 forbids are dropped).
pub fn escape_xml(s: &str) -> String {
    crate::report::escape::xml_text(s)
}

/// Histogram bin rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BinRule {
    /// Freedman–Diaconis (falls back to Sturges when the IQR is 0).
    #[default]
    FreedmanDiaconis,
    /// Sturges: ⌈log₂ n⌉ + 1 bins.
    Sturges,
    /// A fixed number of bins (1–1000).
    Count(usize),
}

/// Options shared by all charts; each chart uses the fields that apply to it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ChartOptions {
    /// Width in px (clamped to 120–4000).
    pub width: f64,
    /// Height in px (clamped to 100–4000).
    pub height: f64,
    /// Base font size in px.
    pub font_size: f64,
    /// Title (none when empty).
    pub title: String,
    /// X-axis title (a chart-specific default when empty).
    pub x_label: String,
    /// Y-axis title (a chart-specific default when empty).
    pub y_label: String,
    /// Coefficient plot: shaded confidence band instead of whiskers.
    pub band: bool,
    /// Coefficient plot: reference period drawn as a hollow point at 0 (default −1).
    pub ref_period: Option<f64>,
    /// Coefficient plot: x position of the dashed adoption line (default −0.5).
    pub adoption_at: Option<f64>,
    /// Histogram: bin rule.
    pub bins: BinRule,
    /// Histogram: overlay a kernel density.
    pub density: bool,
    /// Histogram: label of the actual-estimate line.
    pub actual_label: String,
    /// Bar chart: sort bars by value, largest first.
    pub sorted: bool,
    /// Legends list at most this many series (then "… and N more").
    pub max_legend: usize,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            width: 640.0,
            height: 400.0,
            font_size: 12.0,
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            band: false,
            ref_period: Some(-1.0),
            adoption_at: Some(-0.5),
            bins: BinRule::FreedmanDiaconis,
            density: true,
            actual_label: "Actual estimate".into(),
            sorted: false,
            max_legend: 10,
        }
    }
}

/// One coefficient of an event-study plot.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct CoefPoint {
    /// Position on the x axis (event time).
    pub x: f64,
    /// Tick label (empty: the number).
    pub label: String,
    /// Point estimate.
    pub estimate: f64,
    /// Lower confidence limit.
    pub conf_low: f64,
    /// Upper confidence limit.
    pub conf_high: f64,
}

/// A named line: `(xs[i], ys[i])` pairs (extra values of the longer vector are ignored).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// X values.
    pub xs: Vec<f64>,
    /// Y values.
    pub ys: Vec<f64>,
}

/// Okabe–Ito palette (colour-blind safe).
const PALETTE: [&str; 8] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
const DASHES: [&str; 4] = ["", "6 3", "2 2", "8 3 2 3"];

/// Nice step: Heckbert's 1–2–5 rule.
fn nice_num(x: f64, round: bool) -> f64 {
    let e = x.log10().floor();
    let p = 10f64.powf(e);
    let f = x / p;
    let nf = if round {
        if f < 1.5 {
            1.0
        } else if f < 3.0 {
            2.0
        } else if f < 7.0 {
            5.0
        } else {
            10.0
        }
    } else if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nf * p
}

/// About `target` "nice" tick values covering `[lo, hi]` (first ≤ lo, last ≥ hi).
/// Empty for non-finite input; a degenerate range is widened around its value.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !lo.is_finite() || !hi.is_finite() {
        return Vec::new();
    }
    let (mut lo, mut hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if hi - lo <= f64::EPSILON * lo.abs().max(hi.abs()).max(1e-300) {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo -= d;
        hi += d;
    }
    let target = target.clamp(2, 50);
    let range = nice_num(hi - lo, false);
    let step = nice_num(range / (target - 1) as f64, true);
    if !step.is_finite() || step <= 0.0 {
        return Vec::new();
    }
    let start = (lo / step).floor();
    let end = (hi / step).ceil();
    let n = (end - start).round();
    if !(0.0..=1000.0).contains(&n) {
        return Vec::new();
    }
    (0..=n as i64)
        .map(|i| {
            let v = (start + i as f64) * step;
            // Snap to the step's decimal grid (no 0.30000000000000004).
            let dec = decimals_for(step) as i32;
            let m = 10f64.powi(dec);
            let r = (v * m).round() / m;
            if r == 0.0 {
                0.0
            } else {
                r
            }
        })
        .collect()
}

fn decimals_for(step: f64) -> usize {
    if !step.is_finite() || step <= 0.0 {
        return 0;
    }
    (-(step.log10().floor())).clamp(0.0, 12.0) as usize
}

fn fmt_tick(v: f64, step: f64) -> String {
    let d = decimals_for(step);
    let s = format!("{v:.d$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s.replace('-', "−")
    }
}

/// A value label with up to 4 decimals, trailing zeros removed.
fn fmt_value(v: f64) -> String {
    let s = if v.abs() >= 1000.0 { format!("{v:.1}") } else { format!("{v:.4}") };
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" {
        "0".into()
    } else {
        s.replace('-', "−")
    }
}

/// A coordinate with 2 decimals (never NaN: callers only pass finite values; guarded anyway).
fn c(v: f64) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let r = (v * 100.0).round() / 100.0;
    let r = if r == 0.0 { 0.0 } else { r };
    let s = format!("{r:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Approximate text width in px (sans-serif average glyph ≈ 0.6 em).
fn text_width(s: &str, fs: f64) -> f64 {
    s.chars().count() as f64 * fs * 0.6
}

/// Accumulates SVG markup.
struct Svg {
    out: String,
    w: f64,
    h: f64,
    fs: f64,
}

impl Svg {
    fn new(opts: &ChartOptions) -> Svg {
        let w = if opts.width.is_finite() { opts.width.clamp(120.0, 4000.0) } else { 640.0 };
        let h = if opts.height.is_finite() { opts.height.clamp(100.0, 4000.0) } else { 400.0 };
        let fs = if opts.font_size.is_finite() { opts.font_size.clamp(6.0, 48.0) } else { 12.0 };
        let mut out = String::new();
        let _ = write!(
            out,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Helvetica, Arial, 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif" font-size="{fs}">"##,
            w = c(w),
            h = c(h),
            fs = c(fs)
        );
        let _ = write!(out, r##"<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##, c(w), c(h));
        let mut svg = Svg { out, w, h, fs };
        if !opts.title.trim().is_empty() {
            let t = truncate(opts.title.trim(), ((w / (fs * 1.2 * 0.6)) as usize).max(8));
            svg.text(w / 2.0, fs * 1.6, &t, "middle", &format!(r#" font-size="{}" font-weight="bold""#, c(fs * 1.2)));
        }
        svg
    }
    fn has_title(opts: &ChartOptions) -> bool {
        !opts.title.trim().is_empty()
    }
    fn text(&mut self, x: f64, y: f64, s: &str, anchor: &str, extra: &str) {
        let _ = write!(
            self.out,
            r#"<text x="{}" y="{}" text-anchor="{}"{}>{}</text>"#,
            c(x),
            c(y),
            anchor,
            extra,
            escape_xml(s)
        );
    }
    fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, style: &str) {
        let _ = write!(self.out, r#"<line x1="{}" y1="{}" x2="{}" y2="{}" {}/>"#, c(x1), c(y1), c(x2), c(y2), style);
    }
    fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
    /// An empty chart with a note in the middle.
    fn empty(opts: &ChartOptions, note: &str) -> String {
        let mut s = Svg::new(opts);
        let (w, h) = (s.w, s.h);
        s.line(40.0, h - 40.0, w - 20.0, h - 40.0, r##"stroke="#000000" stroke-width="1""##);
        s.line(40.0, h - 40.0, 40.0, 30.0, r##"stroke="#000000" stroke-width="1""##);
        s.text(w / 2.0, h / 2.0, note, "middle", r##" fill="#555555""##);
        s.finish()
    }
}

/// The plotting area and the data → px mapping.
struct Frame {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Frame {
    fn px(&self, x: f64) -> f64 {
        let d = self.x1 - self.x0;
        if d == 0.0 {
            (self.left + self.right) / 2.0
        } else {
            self.left + (x - self.x0) / d * (self.right - self.left)
        }
    }
    fn py(&self, y: f64) -> f64 {
        let d = self.y1 - self.y0;
        if d == 0.0 {
            (self.top + self.bottom) / 2.0
        } else {
            self.bottom - (y - self.y0) / d * (self.bottom - self.top)
        }
    }
}

/// X ticks: either explicit (value, label) pairs or nice ticks.
enum XTicks {
    Nice(Vec<f64>),
    Labels(Vec<(f64, String)>),
}

/// Lays out margins, draws axes, ticks and titles; returns the frame.
#[allow(clippy::too_many_arguments)]
fn axes(
    svg: &mut Svg,
    opts: &ChartOptions,
    xticks: &XTicks,
    x_range: (f64, f64),
    yticks: &[f64],
    x_title: &str,
    y_title: &str,
    extra_right: f64,
) -> Frame {
    let fs = svg.fs;
    let ystep = if yticks.len() > 1 { yticks[1] - yticks[0] } else { 1.0 };
    let ylabels: Vec<String> = yticks.iter().map(|&v| fmt_tick(v, ystep)).collect();
    let ylab_w = ylabels.iter().map(|s| text_width(s, fs)).fold(0.0, f64::max);
    let top = if Svg::has_title(opts) { fs * 3.0 } else { fs };
    let left = ylab_w + fs * 3.2;
    let right = svg.w - fs - extra_right;
    let bottom = svg.h - fs * 3.4;
    let (y0, y1) = ticks_span(yticks, (0.0, 1.0));
    let f = Frame { left, right: right.max(left + 10.0), top, bottom: bottom.max(top + 10.0), x0: x_range.0, x1: x_range.1, y0, y1 };
    let axis = r##"stroke="#000000" stroke-width="1""##;
    svg.line(f.left, f.bottom, f.right, f.bottom, axis);
    svg.line(f.left, f.bottom, f.left, f.top, axis);
    for (v, lab) in yticks.iter().zip(&ylabels) {
        let y = f.py(*v);
        svg.line(f.left - 5.0, y, f.left, y, axis);
        svg.text(f.left - 7.0, y + fs * 0.35, lab, "end", "");
    }
    let xt: Vec<(f64, String)> = match xticks {
        XTicks::Nice(t) => {
            let step = if t.len() > 1 { t[1] - t[0] } else { 1.0 };
            t.iter().map(|&v| (v, fmt_tick(v, step))).collect()
        }
        XTicks::Labels(l) => l.clone(),
    };
    for (v, lab) in &xt {
        if !v.is_finite() {
            continue;
        }
        let x = f.px(*v);
        svg.line(x, f.bottom, x, f.bottom + 5.0, axis);
        svg.text(x, f.bottom + 5.0 + fs, &truncate(lab, 12), "middle", "");
    }
    if !x_title.is_empty() {
        svg.text((f.left + f.right) / 2.0, svg.h - fs * 0.6, x_title, "middle", "");
    }
    if !y_title.is_empty() {
        let (x, y) = (fs * 1.1, (f.top + f.bottom) / 2.0);
        svg.text(x, y, y_title, "middle", &format!(r#" transform="rotate(-90 {} {})""#, c(x), c(y)));
    }
    f
}

/// The axes of a chart with nice ticks on both axes: x over the data's `x` range, y over
/// `y`; the axis titles are the chart options' labels, else `titles` (x, y).
fn nice_axes(
    svg: &mut Svg,
    opts: &ChartOptions,
    x: (f64, f64),
    y: (f64, f64),
    titles: (&str, &str),
    extra_right: f64,
) -> Frame {
    let yticks = nice_ticks(y.0, y.1, 6);
    let xticks = nice_ticks(x.0, x.1, 7);
    let x_range = ticks_span(&xticks, x);
    axes(
        svg,
        opts,
        &XTicks::Nice(xticks),
        x_range,
        &yticks,
        or_default(&opts.x_label, titles.0),
        or_default(&opts.y_label, titles.1),
        extra_right,
    )
}

/// The first and last tick (`fallback` without ticks).
fn ticks_span(ticks: &[f64], fallback: (f64, f64)) -> (f64, f64) {
    match (ticks.first(), ticks.last()) {
        (Some(a), Some(b)) => (*a, *b),
        _ => fallback,
    }
}

fn or_default<'a>(s: &'a str, d: &'a str) -> &'a str {
    if s.trim().is_empty() {
        d
    } else {
        s
    }
}

fn finite_range(vals: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let mut r: Option<(f64, f64)> = None;
    for v in vals.filter(|v| v.is_finite()) {
        r = Some(match r {
            None => (v, v),
            Some((a, b)) => (a.min(v), b.max(v)),
        });
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_by_side_places_panels() {
        let o = ChartOptions { width: 200.0, height: 150.0, ..ChartOptions::default() };
        let a = bar_chart(&["a".into()], &[1.0], &o);
        let s = side_by_side(&[a.clone(), a], 200.0, 150.0, "T & <u>", 12.0);
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert!(s.contains(r#"width="400" height="178.8""#), "{}", &s[..200]);
        assert!(s.contains(r#"<g transform="translate(200,28.8)"><svg"#));
        assert!(s.contains("T &amp; &lt;u&gt;"));
        assert_eq!(s.matches("<svg").count(), 3);
    }

    #[test]
    fn nice_numbers() {
        assert_eq!(nice_ticks(0.0, 1.0, 6), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(2013.0, 2022.0, 7), vec![2012.0, 2014.0, 2016.0, 2018.0, 2020.0, 2022.0]);
        assert_eq!(nice_ticks(-0.03, 0.27, 6), vec![-0.1, 0.0, 0.1, 0.2, 0.3]);
        assert!(nice_ticks(f64::NAN, 1.0, 5).is_empty());
        let t = nice_ticks(5.0, 5.0, 5);
        assert!(t.len() >= 2 && t[0] < 5.0 && t[t.len() - 1] > 5.0, "{t:?}");
    }

    #[test]
    fn tick_labels_have_step_decimals() {
        assert_eq!(fmt_tick(0.1 + 0.2, 0.1), "0.3");
        assert_eq!(fmt_tick(-0.0, 0.05), "0.00");
        assert_eq!(fmt_tick(-0.05, 0.05), "−0.05");
        assert_eq!(fmt_value(0.201215), "0.2012");
        assert_eq!(c(-0.001), "0");
    }

    #[test]
    fn bins_follow_the_rules() {
        // Sturges: n = 8 → 4 bins.
        let d = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        assert_eq!(histogram_edges(&d, BinRule::Sturges).len(), 5);
        // FD: IQR (type 7) = 6.25 − 2.75 = 3.5, h = 7/2 = 3.5, range 7 → 2 bins.
        assert_eq!(histogram_edges(&d, BinRule::FreedmanDiaconis), vec![1.0, 4.5, 8.0]);
        assert_eq!(histogram_edges(&[3.0, 3.0], BinRule::FreedmanDiaconis).len(), 2);
        assert!(histogram_edges(&[f64::NAN], BinRule::Sturges).is_empty());
    }
}
