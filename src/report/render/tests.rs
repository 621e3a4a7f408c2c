use super::*;
use crate::report::table::{ColumnGroup, TableRow};

fn est(estimate: f64, std_error: f64, p_value: f64) -> Cell {
    Cell::Estimate {
        estimate,
        std_error,
        statistic: estimate / std_error,
        p_value,
        conf_low: estimate - 2.0 * std_error,
        conf_high: estimate + 2.0 * std_error,
        digits: 3,
    }
}

fn sample() -> ResultTable {
    let mut t = ResultTable::new("t.sample", "A & B <1>", &["", "Full", "Matched"]);
    t.column_groups.push(ColumnGroup { label: "Samples".into(), first: 1, span: 2 });
    t.push(TableRow::new("Outcome", vec![Cell::text("y_1"), Cell::text("y|2")]).header());
    t.push(TableRow::new("DID", vec![est(0.19924916, 0.01, 0.001), est(-0.0000538, 0.2, 0.5)]));
    t.push(TableRow::new("Controls", vec![Cell::YesNo { value: true }, Cell::YesNo { value: false }]).ruled());
    t.push(TableRow::new("Observations", vec![Cell::integer(130), Cell::integer(64)]).ruled());
    t.push(TableRow::new("R²", vec![Cell::number(0.5, 4), Cell::Empty]));
    t.notes.push("Clustered by city; 50% trimmed.".into());
    t
}

fn render(t: &ResultTable, format: &str) -> String {
    render_table(t, &RenderOptions { format: format.into(), ..Default::default() }).unwrap()
}

#[test]
fn csv_is_one_dialect_with_full_cells() {
    let s = render(&sample(), "csv");
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines[0], ",Samples,");
    assert_eq!(lines[1], ",Full,Matched");
    assert_eq!(lines[2], "Outcome,y_1,y|2");
    assert_eq!(lines[3], "DID,0.199***,-0.0000538");
    assert_eq!(lines[4], ",(0.010),(0.200)");
    assert_eq!(lines[5], "Controls,Yes,No");
    assert_eq!(lines[6], "Observations,130,64");
    assert_eq!(lines[7], "R²,0.5000,");
    assert_eq!(lines[8], "\"Standard errors in parentheses. * p<0.1, ** p<0.05, *** p<0.01\"");
    assert_eq!(lines[9], "Clustered by city; 50% trimmed.");
    assert_eq!(lines.len(), 10);
}

#[test]
fn markdown_escapes_and_aligns() {
    let s = render(&sample(), "markdown");
    assert!(s.starts_with("**A & B <1>**\n\n|  | Samples Full | Samples Matched |\n|:---|:---:|:---:|\n"), "{s}");
    assert!(s.contains("| Outcome | y\\_1 | y\\|2 |"), "{s}");
    assert!(s.contains("| DID | 0.199\\*\\*\\* | -0.0000538 |"), "{s}");
    assert!(s.contains("\nClustered by city; 50% trimmed.\n"));
}

#[test]
fn latex_is_booktabs_with_superscript_stars_and_groups() {
    let s = render(&sample(), "latex");
    assert!(s.contains("\\caption{A \\& B <1>}"), "{s}");
    assert!(s.contains("\\begin{tabular}{lcc}\n\\toprule\n & \\multicolumn{2}{c}{Samples} \\\\\n\\cmidrule(lr){2-3}\n"), "{s}");
    assert!(s.contains("Outcome & y\\_1 & y|2 \\\\\n\\midrule\nDID & 0.199$^{***}$ & -0.0000538 \\\\\n & (0.010) & (0.200) \\\\\n\\midrule\nControls"), "{s}");
    assert!(s.contains("\\midrule\nObservations & 130 & 64"));
    assert!(s.contains("R$^2$ & 0.5000 &  \\\\"));
    assert!(s.contains("\\footnotesize Standard errors in parentheses."));
    assert!(s.contains("\\par Clustered by city; 50\\% trimmed."));
    assert!(s.ends_with("\\end{table}\n"));
}

#[test]
fn html_escapes_every_string() {
    let mut t = sample();
    t.rows[0].cells[1] = Cell::text("<img src=x onerror=alert(1)>");
    let s = render(&t, "html");
    assert!(!s.contains("<img"), "{s}");
    assert!(s.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(s.contains("<caption>A &amp; B &lt;1&gt;</caption>"));
    assert!(s.contains("<th colspan=\"2\""));
    assert!(s.contains("<th style=\"padding:2px 8px;text-align:left\">Outcome</th>"), "{s}");
    assert!(s.contains("<td style=\"padding:2px 8px;text-align:center\">0.199***</td>"));
    assert_eq!(s.matches("border-top:1px solid black").count(), 4, "{s}"); // body, 2 panels, notes
}

#[test]
fn text_aligns_columns() {
    let s = render(&sample(), "text");
    let lines: Vec<&str> = s.lines().collect();
    let w = lines[0].chars().count();
    assert!(lines.iter().filter(|l| l.starts_with('-')).all(|l| l.chars().count() == w));
    assert!(lines.contains(&"DID             0.199***  -0.0000538"), "{s}");
    assert!(lines.contains(&"                 Samples            "), "{s}");
}

#[test]
fn options_change_only_the_rendering() {
    let t = sample();
    let o = RenderOptions { format: "csv".into(), below: BelowStat::T, stars: false, digits: Some(2), ..Default::default() };
    let s = render_table(&t, &o).unwrap();
    assert!(s.contains("DID,0.20,-0.000054\n,(19.92),(-0.00027)\n"), "{s}");
    assert!(s.contains("R²,0.50,"));
    assert!(s.contains("\nt statistics in parentheses.\n"));
    let o = RenderOptions { format: "csv".into(), below: BelowStat::None, notes: false, yes: Some("是".into()), no: Some("否".into()), ..Default::default() };
    let s = render_table(&t, &o).unwrap();
    assert!(s.contains("DID,0.199***,-0.0000538\nControls,是,否\n"), "{s}");
    assert!(!s.contains("parentheses") && !s.contains("trimmed"));
}

#[test]
fn bad_options_and_shapes_are_errors() {
    let t = sample();
    let e = render_table(&t, &RenderOptions { format: "pdf".into(), ..Default::default() }).unwrap_err();
    assert!(e.to_string().contains("unknown table format `pdf`"));
    for f in ["docx", "Word", "xlsx", "excel"] {
        let e = render_table(&t, &RenderOptions { format: f.into(), ..Default::default() }).unwrap_err();
        assert!(e.to_string().contains("binary file: render it with render_table_bytes"), "{e}");
        assert!(render_table_bytes(&t, &RenderOptions { format: f.into(), ..Default::default() }).unwrap().starts_with(b"PK"));
    }
    let csv = render_table_bytes(&t, &RenderOptions { format: "csv".into(), ..Default::default() }).unwrap();
    assert_eq!(String::from_utf8(csv).unwrap(), render(&t, "csv"));
    let o = RenderOptions { format: "csv".into(), star_levels: vec![0.1], ..Default::default() };
    assert!(render_table(&t, &o).is_err());
    let mut bad = sample();
    bad.rows[1].cells.pop();
    assert!(render_table(&bad, &RenderOptions::default()).unwrap_err().to_string().contains("row 2 has 2 cells"));
}

#[test]
fn tiny_numbers_keep_their_magnitude() {
    assert_eq!(fmt_num(0.0004, 3), "0.000400");
    assert_eq!(fmt_num(0.00012345, 4), "0.0001");
    // beyond 12 decimals: scientific instead of a row of zeros (a p-value of 1e-20)
    assert_eq!(fmt_num(1.234e-20, 4), "1.234e-20");
    assert_eq!(fmt_num(-3e-15, 2), "-3.0e-15");
    assert_eq!(fmt_num(0.0, 3), "0.000");
}

/// A part of a zip package as text.
fn part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn office_formats_span_column_groups_and_escape_text() {
    let t = sample();
    let docx = render_table_bytes(&t, &RenderOptions { format: "docx".into(), ..Default::default() }).unwrap();
    let doc = part(&docx, "word/document.xml");
    assert!(doc.contains("<w:gridSpan w:val=\"2\"/>"), "{doc}");
    assert!(doc.contains(">Samples</w:t>"));
    assert!(doc.contains(">A &amp; B &lt;1&gt;</w:t>"));
    assert!(doc.contains(">0.199***</w:t>") && doc.contains(">(0.010)</w:t>") && doc.contains(">y|2</w:t>"));
    // the group row carries the top rule; the thin rule under the header block is on the
    // header row "Outcome" (line 1), and two panels start with "Controls" and "Observations"
    assert_eq!(doc.matches("<w:bottom w:val=\"single\" w:sz=\"4\"").count(), 3, "{doc}");
    assert_eq!(doc.matches("<w:top w:val=\"single\" w:sz=\"4\"").count(), 6, "{doc}");
    let xlsx = render_table_bytes(&t, &RenderOptions { format: "xlsx".into(), ..Default::default() }).unwrap();
    let sheet = part(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<mergeCells count=\"1\"><mergeCell ref=\"B2:C2\"/></mergeCells>"), "{sheet}");
    assert!(sheet.contains("<v>0.19924916</v>") && sheet.contains("<v>-5.38e-5</v>"), "{sheet}");
    assert!(sheet.contains("<c r=\"A9\" s=\"") && sheet.contains("<v>0.5</v>"));
    assert!(part(&xlsx, "xl/styles.xml").contains("formatCode=\"0.0000000\""), "-0.0000538 prints 7 decimals");
}

#[test]
fn chinese_words_notes_and_labelled_rows() {
    use crate::report::i18n::{Label, Lang};
    let mut t = sample();
    t.push(TableRow::labelled(Label::FixedEffect("city".into()), Lang::En, vec![Cell::YesNo { value: true }, Cell::Empty]));
    let o = RenderOptions { format: "csv".into(), lang: Some(Lang::Zh), ..Default::default() };
    let s = render_table(&t, &o).unwrap();
    assert!(s.contains("\nControls,是,否\n"), "unlabelled rows keep their text: {s}");
    assert!(s.contains("\n城市固定效应,是,\n"), "{s}");
    assert!(s.contains("\"注：括号内为标准误；*** p<0.01, ** p<0.05, * p<0.1\"\nClustered by city; 50% trimmed.\n"), "{s}");
    // without estimates the table's own first note opens with 注：
    let mut plain = ResultTable::new("x", "", &["", "A"]);
    plain.push(TableRow::new("a", vec![Cell::YesNo { value: false }]));
    plain.notes.push("n".into());
    assert_eq!(render_table(&plain, &o).unwrap(), ",A\na,否\n注：n\n");
    assert_eq!(render(&plain, "csv"), ",A\na,No\nn\n");
}

#[test]
fn grid_is_the_laid_out_table_as_json() {
    let s = render(&sample(), "grid");
    let g: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert_eq!(g["title"], "A & B <1>");
    assert_eq!(g["groups"][0]["label"], "Samples");
    assert_eq!(g["groups"][0]["span"], 2);
    assert_eq!(g["aligns"], serde_json::json!(["left", "center", "center"]));
    let lines = g["lines"].as_array().unwrap();
    assert_eq!(lines[0]["kind"], "header");
    let did = lines.iter().find(|l| l["cells"][0]["text"] == "DID").unwrap();
    assert_eq!(did["kind"], "body");
    assert_eq!(did["cells"][1]["text"], "0.199");
    assert_eq!(did["cells"][1]["stars"], "***");
    assert_eq!(did["cells"][1]["value"], 0.19924916, "the full-precision value behind the printed text");
    let below = &lines[lines.iter().position(|l| l["cells"][0]["text"] == "DID").unwrap() + 1];
    assert_eq!(below["kind"], "below");
    assert_eq!(below["cells"][1]["text"], "(0.010)");
    assert!(lines.iter().any(|l| l["cells"][0]["text"] == "Observations" && l["rule_above"] == true));
    assert_eq!(g["notes"][0], "Standard errors in parentheses. * p<0.1, ** p<0.05, *** p<0.01");
    let zh = render_table(&sample(), &RenderOptions { format: "json".into(), lang: Some(Lang::Zh), ..Default::default() }).unwrap();
    assert!(zh.contains("\"是\"") && zh.contains("注：括号内为标准误"), "{zh}");
}
