//! Maps of units: polygons (filled per unit), links between unit points as thin lines,
//! points as dots, a legend, optional labels. Used for the links of a spatial weight
//! matrix and for cluster maps (LISA). Plain data in, an SVG string out.
//!
//! Projection: equal aspect. Planar coordinates are drawn as they are; geographic ones
//! (`x` = longitude, `y` = latitude, degrees) with `x` scaled by the cosine of the mean
//! latitude (an equirectangular projection true to scale at the mean latitude). Non-finite
//! coordinates are skipped, as are links to them. The SVG has a `viewBox`, `role="img"`
//! and a `<title>`; each unit's shape carries its label as a tooltip (`<title>`), and the
//! labels are printed beside the points when there are at most [`MAX_PRINTED_LABELS`].

use super::{c, escape_xml, truncate};
use std::fmt::Write as _;

/// Labels are printed (not only tooltips) up to this many units.
pub const MAX_PRINTED_LABELS: usize = 60;

/// What to draw.
#[derive(Debug, Clone, Copy)]
pub struct MapLayer<'a> {
    /// Title (also the SVG's accessible `<title>`).
    pub title: &'a str,
    /// One point per unit, `[x, y]` (longitude, latitude when `geographic`).
    pub points: &'a [[f64; 2]],
    /// Per unit its rings (may be empty: points only).
    pub polygons: &'a [Vec<Vec<[f64; 2]>>],
    /// Longitude/latitude in degrees.
    pub geographic: bool,
    /// Links `(i, j)` between points, drawn as lines (give each unordered pair once).
    pub links: &'a [(usize, usize)],
    /// A fill colour per unit (CSS colour, e.g. `#d7191c`) for its polygon, or its dot when
    /// there are no polygons; neutral grey when `None`.
    pub fills: Option<&'a [String]>,
    /// Legend entries `(colour, label)`.
    pub legend: &'a [(String, String)],
    /// A label per unit (tooltips; printed for small maps).
    pub labels: Option<&'a [String]>,
}

const WIDTH: f64 = 640.0;
const NEUTRAL: &str = "#e6e6e6";
const LINK: &str = "#0072B2";

/// Only colours made of safe characters are used (`#abc`, `rgb(…)`, names); others neutral.
fn colour(s: &str) -> String {
    let ok = !s.is_empty() && s.len() <= 40 && s.chars().all(|ch| ch.is_ascii_alphanumeric() || "#(),.% ".contains(ch));
    if ok { s.to_string() } else { NEUTRAL.to_string() }
}

/// Draws the map (see the module docs).
pub fn map_svg(layer: &MapLayer) -> String {
    let fs = 12.0;
    let k = if layer.geographic {
        let lats: Vec<f64> = layer.points.iter().map(|p| p[1]).filter(|v| v.is_finite()).collect();
        let mean = if lats.is_empty() { 0.0 } else { lats.iter().sum::<f64>() / lats.len() as f64 };
        mean.to_radians().cos().max(0.05)
    } else {
        1.0
    };
    let proj = |p: &[f64; 2]| [p[0] * k, p[1]];
    let all = layer.points.iter().chain(layer.polygons.iter().flatten().flatten()).filter(|p| p[0].is_finite() && p[1].is_finite());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for p in all {
        let q = proj(p);
        x0 = x0.min(q[0]);
        x1 = x1.max(q[0]);
        y0 = y0.min(q[1]);
        y1 = y1.max(q[1]);
    }
    let legend_h = if layer.legend.is_empty() { 0.0 } else { fs * 2.0 };
    let top = if layer.title.trim().is_empty() { fs } else { fs * 3.0 };
    let margin = fs * 1.5;
    let (dx, dy) = if x0.is_finite() { ((x1 - x0).max(1e-12), (y1 - y0).max(1e-12)) } else { (1.0, 1.0) };
    let inner_w = WIDTH - 2.0 * margin;
    let inner_h = (inner_w * dy / dx).clamp(160.0, 720.0);
    let scale = (inner_w / dx).min(inner_h / dy);
    let height = top + inner_h + legend_h + margin * 2.0;
    let (ox, oy) = (margin + (inner_w - dx * scale) / 2.0, top + margin + (inner_h - dy * scale) / 2.0);
    let px = |p: &[f64; 2]| {
        let q = proj(p);
        (ox + (q[0] - x0) * scale, oy + (y1 - q[1]) * scale)
    };
    let ok = |p: &[f64; 2]| p[0].is_finite() && p[1].is_finite();
    let label = |i: usize| layer.labels.and_then(|l| l.get(i)).map(|s| escape_xml(s));
    let fill = |i: usize| layer.fills.and_then(|f| f.get(i)).map_or(NEUTRAL.to_string(), |s| colour(s));

    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" font-family="Helvetica, Arial, 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif" font-size="{fs}"><title>{t}</title><rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>"##,
        w = c(WIDTH),
        h = c(height),
        fs = c(fs),
        t = escape_xml(layer.title)
    );
    if !layer.title.trim().is_empty() {
        let t = escape_xml(&truncate(layer.title.trim(), 80));
        let _ = write!(out, r#"<text x="{}" y="{}" text-anchor="middle" font-size="{}" font-weight="bold">{t}</text>"#, c(WIDTH / 2.0), c(fs * 1.6), c(fs * 1.2));
    }
    if !x0.is_finite() {
        let _ = write!(out, r##"<text x="{}" y="{}" text-anchor="middle" fill="#555555">No coordinates to map</text></svg>"##, c(WIDTH / 2.0), c(height / 2.0));
        return out;
    }
    // Polygons.
    for (i, rings) in layer.polygons.iter().enumerate() {
        let mut d = String::new();
        for ring in rings {
            let pts: Vec<(f64, f64)> = ring.iter().filter(|p| ok(p)).map(&px).collect();
            for (k, (x, y)) in pts.iter().enumerate() {
                let _ = write!(d, "{}{},{}", if k == 0 { "M" } else { "L" }, c(*x), c(*y));
            }
            if !pts.is_empty() {
                d.push('Z');
            }
        }
        if d.is_empty() {
            continue;
        }
        let _ = write!(out, r##"<path d="{d}" fill="{}" stroke="#7f7f7f" stroke-width="0.5">"##, fill(i));
        if let Some(l) = label(i) {
            let _ = write!(out, "<title>{l}</title>");
        }
        out.push_str("</path>");
    }
    // Links.
    let _ = write!(out, r#"<g stroke="{LINK}" stroke-width="0.8" stroke-opacity="0.8">"#);
    for &(i, j) in layer.links {
        let (Some(a), Some(b)) = (layer.points.get(i), layer.points.get(j)) else { continue };
        if !(ok(a) && ok(b)) {
            continue;
        }
        let ((x1, y1), (x2, y2)) = (px(a), px(b));
        let _ = write!(out, r#"<line x1="{}" y1="{}" x2="{}" y2="{}"/>"#, c(x1), c(y1), c(x2), c(y2));
    }
    out.push_str("</g>");
    // Points (coloured by fill when there are no polygons).
    // Filled points carry the map's message (e.g. LISA clusters): drawn larger, outlined.
    let filled = layer.polygons.is_empty() && layer.fills.is_some();
    let r = match (layer.points.len() > 2000, filled) {
        (true, false) => 1.2,
        (true, true) => 2.0,
        (false, false) => 2.5,
        (false, true) => 5.5,
    };
    let stroke = if filled { r##" stroke="#333333" stroke-width="0.6""## } else { "" };
    for (i, p) in layer.points.iter().enumerate().filter(|(_, p)| ok(p)) {
        let (x, y) = px(p);
        let f = if filled { fill(i) } else { "#333333".to_string() };
        let _ = write!(out, r#"<circle cx="{}" cy="{}" r="{}" fill="{f}"{stroke}>"#, c(x), c(y), c(r));
        if let Some(l) = label(i) {
            let _ = write!(out, "<title>{l}</title>");
        }
        out.push_str("</circle>");
    }
    if layer.points.len() <= MAX_PRINTED_LABELS {
        if let Some(ls) = layer.labels {
            for (p, l) in layer.points.iter().zip(ls).filter(|(p, _)| ok(p)) {
                let (x, y) = px(p);
                let _ = write!(out, r##"<text x="{}" y="{}" font-size="{}" fill="#333333">{}</text>"##, c(x + 3.5), c(y - 3.5), c(fs * 0.75), escape_xml(&truncate(l, 24)));
            }
        }
    }
    // Legend, in one row under the map.
    let mut lx = margin;
    let ly = top + inner_h + margin * 2.0 + fs * 0.5;
    for (col, lab) in layer.legend {
        let lab = truncate(lab, 32);
        let _ = write!(out, r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#7f7f7f" stroke-width="0.5"/>"##, c(lx), c(ly - fs * 0.8), c(fs), c(fs), colour(col));
        let _ = write!(out, r#"<text x="{}" y="{}">{}</text>"#, c(lx + fs * 1.4), c(ly), escape_xml(&lab));
        lx += fs * 2.4 + lab.chars().count() as f64 * fs * 0.6;
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_polygons_links_points_and_escapes() {
        let pts = [[0.0, 0.0], [1.0, 0.0], [f64::NAN, 1.0]];
        let polys = vec![vec![vec![[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]]], vec![vec![[0.5, -0.5], [1.5, -0.5], [1.5, 0.5]]], vec![]];
        let fills = vec!["#d7191c".to_string(), "bad\"colour".to_string(), "#fff".to_string()];
        let labels = vec!["A & B".to_string(), "<c>".to_string(), "x".to_string()];
        let legend = vec![("#d7191c".to_string(), "High–High".to_string())];
        let svg = map_svg(&MapLayer {
            title: "Links <W>",
            points: &pts,
            polygons: &polys,
            geographic: false,
            links: &[(0, 1), (1, 2), (0, 9)],
            fills: Some(&fills),
            legend: &legend,
            labels: Some(&labels),
        });
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title>Links &lt;W&gt;</title>") && svg.contains("viewBox"));
        assert_eq!(svg.matches("<path").count(), 2);
        assert_eq!(svg.matches("<line").count(), 1, "links to NaN or unknown points are skipped");
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("A &amp; B") && svg.contains("&lt;c&gt;") && svg.contains("High–High"));
        assert!(svg.contains(r##"fill="#d7191c""##) && !svg.contains("bad\"colour"));
    }

    #[test]
    fn geographic_maps_scale_longitude_and_handle_empty_input() {
        let pts = [[100.0, 60.0], [110.0, 60.0], [100.0, 70.0]];
        let svg = map_svg(&MapLayer { title: "", points: &pts, polygons: &[], geographic: true, links: &[], fills: None, legend: &[], labels: None });
        assert!(svg.contains("<circle"));
        let empty = map_svg(&MapLayer { title: "t", points: &[], polygons: &[], geographic: false, links: &[], fills: None, legend: &[], labels: None });
        assert!(empty.contains("No coordinates"));
    }
}
