//! SVG charts: well-formed XML, escaping, tick coverage, robustness to empty/NaN input,
//! determinism, and the elements each chart promises.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use quasi::report::svg::*;

/// A tiny XML well-formedness check: balanced tags, one `svg` root, quoted attributes,
/// no raw `<` in text, `&` only in entities, no NaN/inf leaking into coordinates.
fn assert_well_formed(svg: &str) {
    assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"), "not an svg document");
    assert!(svg.contains("viewBox=\"0 0 "), "no viewBox");
    for bad in ["NaN", "inf\"", "=\"inf", "-inf"] {
        assert!(!svg.contains(bad), "`{bad}` in output");
    }
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut rest = svg;
    while let Some(lt) = rest.find('<') {
        check_text(&rest[..lt]);
        let after = &rest[lt + 1..];
        let gt = after.find('>').expect("unclosed tag");
        let tag = &after[..gt];
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes in <{tag}>");
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().unwrap_or_else(|| panic!("close </{name}> without open"));
            assert_eq!(open, name.trim(), "mismatched close tag");
        } else {
            let name: String = tag.chars().take_while(|c| !c.is_whitespace() && *c != '/').collect();
            assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()), "bad tag name in <{tag}>");
            if stack.is_empty() {
                roots += 1;
            }
            // attribute values: only entity ampersands
            check_text(tag);
            if !tag.ends_with('/') {
                stack.push(name);
            }
        }
        rest = &after[gt + 1..];
    }
    check_text(rest);
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert_eq!(roots, 1, "more than one root element");
}

fn check_text(t: &str) {
    let mut s = t;
    while let Some(i) = s.find('&') {
        let ent = &s[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].iter().any(|e| ent.starts_with(e)),
            "raw & in `{t}`"
        );
        s = &s[i + 1..];
    }
    assert!(!t.contains('<'));
}

fn event_points() -> Vec<CoefPoint> {
    (-7..=7)
        .filter(|&k| k != -1)
        .map(|k| {
            let e = if k < 0 { 0.01 * k as f64 } else { 0.2 + 0.01 * k as f64 };
            CoefPoint { x: k as f64, label: String::new(), estimate: e, conf_low: e - 0.04, conf_high: e + 0.04 }
        })
        .collect()
}

#[test]
fn coef_plot_marks_reference_and_adoption() {
    let opts = ChartOptions { title: "Event study".into(), ..Default::default() };
    let s = coef_plot(&event_points(), &opts);
    assert_well_formed(&s);
    // 14 estimates + the hollow reference point
    assert_eq!(s.matches("<circle").count(), 15);
    assert_eq!(s.matches("fill=\"#ffffff\" stroke=\"#000000\"").count(), 1);
    assert!(s.contains("stroke-dasharray=\"4 3\""), "adoption line");
    assert!(s.contains(">Event study</text>"));
    // whiskers: 3 lines per point
    assert!(s.matches("<line").count() >= 14 * 3);
    // every event time labelled
    for k in [-7, -1, 0, 7] {
        let lab = if k < 0 { format!(">−{}</text>", -k) } else { format!(">{k}</text>") };
        assert!(s.contains(&lab), "tick label {k}");
    }
    let band = coef_plot(&event_points(), &ChartOptions { band: true, ..opts });
    assert_well_formed(&band);
    assert!(band.contains("fill-opacity=\"0.5\""));
    assert_eq!(coef_plot(&event_points(), &ChartOptions::default()), coef_plot(&event_points(), &ChartOptions::default()));
}

#[test]
fn hostile_labels_are_escaped() {
    let evil = "<script>alert('x') & \"y\"</script>";
    let opts = ChartOptions { title: evil.into(), x_label: evil.into(), y_label: evil.into(), actual_label: evil.into(), ..Default::default() };
    let mut pts = event_points();
    pts[0].label = evil.into();
    let charts = vec![
        coef_plot(&pts, &opts),
        histogram(&[0.1, 0.2, 0.3, 0.25], 0.5, &opts),
        line_chart(&[Series { label: evil.into(), xs: vec![1.0, 2.0], ys: vec![3.0, 4.0] }], &opts),
        density_plot(&[Series { label: evil.into(), xs: vec![1.0, 2.0], ys: vec![0.0, 1.0] }], &opts),
        bar_chart(&[evil.to_string()], &[0.5], &opts),
    ];
    for s in charts {
        assert_well_formed(&s);
        assert!(!s.contains("<script"), "raw script tag");
        assert!(s.contains("&lt;script&gt;"), "escaped form missing");
    }
    assert_eq!(escape_xml("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
}

#[test]
fn ticks_cover_the_data_range() {
    let cases = [
        (0.0, 1.0),
        (-0.037, 0.2841),
        (2013.0, 2022.0),
        (1e-9, 3e-9),
        (-5e7, 1.2e8),
        (0.19924916, 0.19924917),
        (-3.0, -3.0),
        (7.5, 2.5),
    ];
    for (lo, hi) in cases {
        let t = nice_ticks(lo, hi, 6);
        assert!(t.len() >= 2 && t.len() <= 15, "{lo}..{hi}: {t:?}");
        assert!(t[0] <= lo.min(hi) && t[t.len() - 1] >= hi.max(lo), "{lo}..{hi}: {t:?}");
        let step = t[1] - t[0];
        assert!(step > 0.0);
        for w in t.windows(2) {
            assert!(((w[1] - w[0]) - step).abs() <= step * 1e-6, "uneven ticks {t:?}");
        }
    }
    assert!(nice_ticks(f64::NAN, 1.0, 5).is_empty());
    assert!(nice_ticks(0.0, f64::INFINITY, 5).is_empty());
}

#[test]
fn empty_and_non_finite_input_never_panics() {
    let o = ChartOptions::default();
    let nan = f64::NAN;
    let outs = vec![
        coef_plot(&[], &o),
        coef_plot(&[CoefPoint { x: nan, label: "a".into(), estimate: 1.0, conf_low: 0.0, conf_high: 2.0 }], &o),
        histogram(&[], 0.2, &o),
        histogram(&[nan, f64::INFINITY], nan, &o),
        histogram(&[1.0], 1.0, &o),
        histogram(&[2.0, 2.0, 2.0], nan, &o),
        density_plot(&[], &o),
        density_plot(&[Series { label: "x".into(), xs: vec![nan], ys: vec![1.0] }], &o),
        line_chart(&[Series { label: String::new(), xs: vec![], ys: vec![] }], &o),
        line_chart(&[Series { label: "a".into(), xs: vec![1.0, 2.0, 3.0], ys: vec![5.0] }], &o),
        bar_chart(&[], &[], &o),
        bar_chart(&["a".into()], &[nan], &o),
        bar_chart(&["a".into(), "b".into()], &[1.0], &o),
        bar_chart(&["a".into()], &[1e300], &o),
        line_chart(&[Series { label: "big".into(), xs: vec![-1e300, 1e300], ys: vec![1e-300, 2e-300] }], &o),
        coef_plot(&event_points(), &ChartOptions { width: nan, height: -5.0, font_size: f64::INFINITY, ..o.clone() }),
    ];
    for s in &outs {
        assert_well_formed(s);
    }
    assert!(outs[0].contains("No coefficients to plot"));
    assert!(outs[2].contains("No finite placebo estimates"));
    assert!(outs[6].contains("No data to plot"));
    assert!(outs[10].contains("No values to plot"));
}

#[test]
fn nan_values_are_skipped() {
    let o = ChartOptions::default();
    let draws: Vec<f64> = (0..200).map(|i| ((i * 37) % 101) as f64 / 1000.0).chain([f64::NAN, f64::NEG_INFINITY]).collect();
    let s = histogram(&draws, 0.2012, &o);
    assert_well_formed(&s);
    assert!(s.contains("2 non-finite draws skipped"));
    assert!(s.contains("Actual estimate = 0.2012"));
    // a NaN in the middle of a line breaks it into two segments
    let s = line_chart(&[Series { label: "a".into(), xs: vec![1.0, 2.0, 3.0, 4.0], ys: vec![1.0, 2.0, f64::NAN, 4.0] }], &o);
    assert_well_formed(&s);
    let path = s.split("<path d=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert_eq!(path.matches('M').count(), 2, "{path}");
    assert_eq!(path.matches('L').count(), 1, "{path}");
    // coefficient with NaN CI: point drawn, no whisker
    let mut pts = event_points();
    pts[0].conf_low = f64::NAN;
    let s = coef_plot(&pts, &o);
    assert_well_formed(&s);
    assert_eq!(s.matches("<circle").count(), 15);
}

#[test]
fn histogram_bars_and_density() {
    let draws: Vec<f64> = (0..500).map(|i| ((i as f64) * 0.6180339887).fract() - 0.5).collect();
    let edges = histogram_edges(&draws, BinRule::FreedmanDiaconis);
    let s = histogram(&draws, 0.3, &ChartOptions::default());
    assert_well_formed(&s);
    // one bar per non-empty bin (uniform-ish data: all bins non-empty)
    assert_eq!(s.matches("<rect").count() - 1, edges.len() - 1);
    assert_eq!(s.matches("<path").count(), 1, "density overlay");
    let s = histogram(&draws, 0.3, &ChartOptions { density: false, bins: BinRule::Count(7), ..Default::default() });
    assert_eq!(s.matches("<rect").count() - 1, 7);
    assert_eq!(s.matches("<path").count(), 0);
    // Sturges for n = 500: ceil(log2 500) + 1 = 10 bins
    assert_eq!(histogram_edges(&draws, BinRule::Sturges).len(), 11);
}

#[test]
fn legends_are_truncated() {
    let series: Vec<Series> = (0..30)
        .map(|i| Series { label: format!("A rather long unit name number {i}"), xs: vec![2013.0, 2014.0], ys: vec![i as f64, i as f64 + 1.0] })
        .collect();
    let s = line_chart(&series, &ChartOptions { max_legend: 10, ..Default::default() });
    assert_well_formed(&s);
    assert!(s.contains("… and 21 more"));
    assert!(s.contains("A rather long unit name…"));
    assert_eq!(s.matches("<path").count(), 30);
    let d = density_plot(&series[..2], &ChartOptions::default());
    assert!(d.contains("A rather long unit name…") && !d.contains("more<"));
}

#[test]
fn bar_chart_sorted_order() {
    let labels: Vec<String> = ["low", "high", "neg", "mid"].iter().map(|s| s.to_string()).collect();
    let s = bar_chart(&labels, &[0.1, 0.5, -0.2, 0.3], &ChartOptions { sorted: true, ..Default::default() });
    assert_well_formed(&s);
    let pos = |l: &str| s.find(&format!(">{l}</text>")).unwrap();
    assert!(pos("high") < pos("mid") && pos("mid") < pos("low") && pos("low") < pos("neg"));
    assert!(s.contains(">−0.2</text>"));
    assert_eq!(s.matches("<rect").count(), 5);
}

#[test]
#[should_panic]
fn the_xml_check_rejects_unbalanced_tags() {
    assert_well_formed(r#"<svg viewBox="0 0 1 1"><g></svg>"#);
}

#[test]
#[should_panic]
fn the_xml_check_rejects_raw_angle_brackets() {
    assert_well_formed(r#"<svg viewBox="0 0 1 1"><text>a & b</text></svg>"#);
}

#[test]
fn chinese_labels_have_cjk_fonts_in_the_stack() {
    let svg = bar_chart(&["熵权".to_string(), "TOPSIS".to_string()], &[0.4, 0.6], &ChartOptions { title: "指标权重".into(), ..Default::default() });
    assert_well_formed(&svg);
    assert!(svg.contains("指标权重"));
    let family = svg.split("font-family=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default();
    assert!(family.contains("Noto Sans CJK SC") && family.contains("Microsoft YaHei") && family.ends_with("sans-serif"), "{family}");
}
