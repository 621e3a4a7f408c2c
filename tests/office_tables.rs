//! Word (.docx) and Excel (.xlsx) output of a real result table (the DID regression on the
//! sample panel jjj_cities.csv): the packages unzip with the `zip` crate, every XML part is
//! well-formed (quick-xml reads it to the end), the Word table has exactly the three rules
//! of the three-line style (plus a thin rule above each new panel) and the printed estimates,
//! stars and "(se)"; the Excel cells of estimates are numeric and hold the fit's values to
//! full precision, with number formats printing the table's digits; Chinese text survives;
//! two renders are byte-identical. A report (several tables in one file): the Word document
//! holds every table in order, each a three-line table under its caption; the workbook has
//! a sheet per table with distinct names and numeric cells.

use quasi::estimators::did::*;
use quasi::report::render::fmt_num;
use quasi::report::{render_report_bytes, render_table_bytes, RenderOptions, ResultTable, Tables};
use quick_xml::events::{BytesStart, Event};
use quick_xml::encoding::Decoder;
use quick_xml::Reader;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

/// An element: name, attributes, children, its own text.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn of(e: &BytesStart, decoder: Decoder) -> Node {
        let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
        let attrs = e
            .attributes()
            .map(|a| {
                let a = a.expect("well-formed attribute");
                (String::from_utf8(a.key.as_ref().to_vec()).unwrap(), a.decode_and_unescape_value(decoder).unwrap().into_owned())
            })
            .collect();
        Node { name, attrs, ..Default::default() }
    }
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    /// Descendants named `name`, in document order.
    fn all(&self, name: &str) -> Vec<&Node> {
        let mut out = Vec::new();
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            out.extend(c.all(name));
        }
        out
    }
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    /// All text below (this node's and its descendants').
    fn full_text(&self) -> String {
        let mut s = self.text.clone();
        for c in &self.children {
            s.push_str(&c.full_text());
        }
        s
    }
}

/// Parses a whole XML part, panicking on anything malformed (mismatched tags, bad
/// attributes, unknown entities, not exactly one root element).
fn parse(xml: &str, part: &str) -> Node {
    let mut reader = Reader::from_str(xml);
    let mut stack = vec![Node::default()];
    loop {
        let event = reader.read_event().unwrap_or_else(|e| panic!("{part}: not well-formed XML: {e}"));
        let top = stack.last_mut().unwrap();
        match event {
            Event::Start(e) => stack.push(Node::of(&e, reader.decoder())),
            Event::Empty(e) => top.children.push(Node::of(&e, reader.decoder())),
            Event::End(_) => {
                let n = stack.pop().unwrap();
                stack.last_mut().unwrap_or_else(|| panic!("{part}: unbalanced")).children.push(n);
            }
            Event::Text(t) => top.text.push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => match r.resolve_char_ref().unwrap() {
                Some(c) => top.text.push(c),
                None => top.text.push(match &*r.decode().unwrap() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("{part}: unknown entity &{other};"),
                }),
            },
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "{part}: unclosed elements");
    let mut doc = stack.pop().unwrap();
    assert_eq!(doc.children.len(), 1, "{part}: one root element");
    doc.children.pop().unwrap()
}

/// Every part of a zip package as text.
fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    assert_eq!(&bytes[..2], b"PK");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut parts = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        parts.insert(f.name().to_string(), s);
    }
    parts
}

/// Unzips, checks the required parts are there and every part parses; the parsed parts.
fn package(bytes: &[u8], required: &[&str]) -> BTreeMap<String, Node> {
    let parts = unzip(bytes);
    for r in required {
        assert!(parts.contains_key(*r), "missing part {r}: {:?}", parts.keys());
    }
    parts.iter().map(|(name, xml)| (name.clone(), parse(xml, name))).collect()
}

/// Content type of a part, from `[Content_Types].xml`.
fn content_type<'a>(parts: &'a BTreeMap<String, Node>, part: &str) -> &'a str {
    let types = &parts["[Content_Types].xml"];
    types.all("Override").into_iter().find(|o| o.attr("PartName") == Some(part)).and_then(|o| o.attr("ContentType")).unwrap_or("")
}

fn did_result() -> DidResult {
    let ds = quasi::data::read_bytes(include_bytes!("fixtures/jjj_cities.csv"), &Default::default()).unwrap().dataset;
    let spec = json!({ "y": "lnHDQ", "unit": "city", "time": "year", "start": "ftz_year", "controls": ["fe", "urba"], "vcov": { "cluster": ["city"] } });
    did(&ds, &serde_json::from_value(spec).unwrap()).unwrap()
}

fn did_fit() -> (DidResult, ResultTable) {
    let r = did_result();
    let t = r.tables().remove(0);
    assert_eq!(t.id, "did.main");
    (r, t)
}

fn opts(format: &str) -> RenderOptions {
    RenderOptions { format: format.into(), ..Default::default() }
}

fn stars(p: f64) -> &'static str {
    if p < 0.01 {
        "***"
    } else if p < 0.05 {
        "**"
    } else if p < 0.1 {
        "*"
    } else {
        ""
    }
}

/// Index of the laid-out header line that is last (column headers + header rows), and the
/// laid-out line index of every row flagged `rule_above` after the header block.
fn header_and_panels(t: &ResultTable) -> (usize, Vec<usize>) {
    let mut line = 0;
    let mut last_header = 0;
    let mut in_header = true;
    let mut panels = Vec::new();
    for row in &t.rows {
        line += 1;
        in_header = in_header && row.kind == quasi::report::table::RowKind::Header;
        if in_header {
            last_header = line;
        } else if row.rule_above && line > last_header + 1 {
            panels.push(line);
        }
        if row.cells.iter().any(|c| c.is_estimate()) {
            line += 1;
        }
    }
    (last_header, panels)
}

const DOCX_PARTS: [&str; 4] = ["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml"];
const XLSX_PARTS: [&str; 6] =
    ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml", "xl/styles.xml"];

/// Borders of one `w:tc`, as `(side, size)`.
fn cell_borders(tc: &Node) -> Vec<(String, String)> {
    tc.all("w:tcBorders")
        .iter()
        .flat_map(|b| b.children.iter())
        .map(|b| (b.name.clone(), b.attr("w:sz").unwrap_or("").to_string()))
        .collect()
}

#[test]
fn word_table_has_three_rules_estimates_stars_and_se() {
    let (r, t) = did_fit();
    let bytes = render_table_bytes(&t, &opts("docx")).unwrap();
    let parts = package(&bytes, &DOCX_PARTS);
    assert_eq!(content_type(&parts, "/word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml");
    assert_eq!(content_type(&parts, "/word/styles.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml");
    let rels = &parts["_rels/.rels"];
    assert_eq!(rels.all("Relationship")[0].attr("Target"), Some("word/document.xml"));

    let body = parts["word/document.xml"].child("w:body").unwrap();
    assert_eq!(body.children[0].name, "w:p", "caption first");
    assert_eq!(body.children[0].full_text(), t.title);
    let tables = body.all("w:tbl");
    assert_eq!(tables.len(), 1);
    let tbl = tables[0];
    let tb = tbl.child("w:tblPr").unwrap().child("w:tblBorders").unwrap();
    for (side, val, sz) in [("w:top", "single", Some("12")), ("w:bottom", "single", Some("12")), ("w:left", "nil", None), ("w:right", "nil", None), ("w:insideH", "nil", None), ("w:insideV", "nil", None)] {
        let b = tb.child(side).unwrap_or_else(|| panic!("{side}"));
        assert_eq!((b.attr("w:val"), b.attr("w:sz")), (Some(val), sz), "{side}");
    }

    // the only cell borders: thin under the header block, thin above each new panel
    let rows: Vec<&Node> = tbl.all("w:tr");
    assert!(t.column_groups.is_empty());
    let (last_header, panels) = header_and_panels(&t);
    for (i, tr) in rows.iter().enumerate() {
        let want: Vec<(String, String)> = if i == last_header {
            vec![("w:bottom".into(), "4".into())]
        } else if panels.contains(&i) {
            vec![("w:top".into(), "4".into())]
        } else {
            vec![]
        };
        for tc in tr.all("w:tc") {
            assert_eq!(cell_borders(tc), want, "row {i}: {}", tr.full_text());
        }
    }

    // the estimate with its stars, the SE in parentheses in the cell below
    let cells: Vec<Vec<String>> = rows.iter().map(|tr| tr.all("w:tc").iter().map(|c| c.full_text()).collect()).collect();
    let est = format!("{}{}", fmt_num(r.estimate, 3), stars(r.p_value));
    let (i, j) = (0..cells.len())
        .find_map(|i| cells[i].iter().position(|c| *c == est).map(|j| (i, j)))
        .unwrap_or_else(|| panic!("{est} not in {cells:?}"));
    assert_eq!(j, 1);
    assert_eq!(cells[i][0], r.term);
    assert_eq!(cells[i + 1][1], format!("({})", fmt_num(r.std_error, 3)));
    assert_eq!(cells[i + 1][0], "");

    // notes below the table
    let after: Vec<String> = body.children.iter().skip_while(|n| n.name != "w:tbl").skip(1).filter(|n| n.name == "w:p").map(|n| n.full_text()).collect();
    assert!(after[0].starts_with("Standard errors in parentheses. * p<0.1, ** p<0.05, *** p<0.01"), "{after:?}");
    assert_eq!(after.len(), 1 + t.notes.len());

    let fonts = parts["word/styles.xml"].all("w:rFonts");
    assert!(fonts.iter().any(|f| f.attr("w:ascii") == Some("Times New Roman") && f.attr("w:eastAsia") == Some("SimSun")));
}

/// A cell of sheet1: type, value or inline text, style index.
#[derive(Debug)]
struct XCell {
    t: Option<String>,
    v: String,
    s: usize,
}

fn sheet_cells(parts: &BTreeMap<String, Node>) -> BTreeMap<String, XCell> {
    sheet_cells_of(parts, "xl/worksheets/sheet1.xml")
}

fn sheet_cells_of(parts: &BTreeMap<String, Node>, sheet: &str) -> BTreeMap<String, XCell> {
    parts[sheet]
        .all("c")
        .into_iter()
        .map(|c| {
            let v = c.child("v").map(|v| v.text.clone()).unwrap_or_else(|| c.full_text());
            let cell = XCell { t: c.attr("t").map(str::to_string), v, s: c.attr("s").map_or(0, |s| s.parse().unwrap()) };
            (c.attr("r").unwrap().to_string(), cell)
        })
        .collect()
}

/// Per cell style: number format code, bold, top border style, bottom border style.
fn xf_info(parts: &BTreeMap<String, Node>, s: usize) -> (String, bool, String, String) {
    let st = &parts["xl/styles.xml"];
    let xf = st.child("cellXfs").unwrap().children[s].attrs.clone();
    let get = |k: &str| xf.iter().find(|(a, _)| a == k).map(|(_, v)| v.parse::<usize>().unwrap()).unwrap();
    let num = get("numFmtId");
    let code = st.all("numFmt").iter().find(|f| f.attr("numFmtId") == Some(&num.to_string())).and_then(|f| f.attr("formatCode")).unwrap_or("General").to_string();
    let bold = st.child("fonts").unwrap().children[get("fontId")].child("b").is_some();
    let border = &st.child("borders").unwrap().children[get("borderId")];
    let side = |n: &str| border.child(n).and_then(|b| b.attr("style")).unwrap_or("").to_string();
    (code, bold, side("top"), side("bottom"))
}

#[test]
fn excel_cells_are_numeric_with_the_tables_digits() {
    let (r, t) = did_fit();
    let bytes = render_table_bytes(&t, &opts("xlsx")).unwrap();
    let parts = package(&bytes, &XLSX_PARTS);
    assert_eq!(content_type(&parts, "/xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml");
    assert_eq!(content_type(&parts, "/xl/worksheets/sheet1.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml");
    assert_eq!(content_type(&parts, "/xl/styles.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml");
    assert_eq!(parts["xl/workbook.xml"].all("sheet")[0].attr("name"), Some(t.title.as_str()));
    let cells = sheet_cells(&parts);
    assert_eq!(cells["A1"].v, t.title);
    assert!(xf_info(&parts, cells["A1"].s).1, "title bold");

    // the estimate: a numeric cell holding the fit's estimate to full precision (f64 round
    // trip), its format printing 3 decimals and the stars; the SE numeric in the cell below
    let (at, est) = cells.iter().find(|(_, c)| c.v.parse::<f64>().ok() == Some(r.estimate)).expect("estimate cell");
    assert!(est.t.is_none() || est.t.as_deref() == Some("n"), "{est:?}");
    assert_eq!(xf_info(&parts, est.s).0, format!("0.000\"{}\"", stars(r.p_value)));
    let row: usize = at[1..].parse().unwrap();
    assert_eq!(&at[..1], "B");
    assert_eq!(cells[&format!("A{row}")].v, r.term);
    let se = &cells[&format!("B{}", row + 1)];
    assert!(se.t.is_none());
    assert_eq!(se.v.parse::<f64>().unwrap(), r.std_error);
    assert_eq!(xf_info(&parts, se.s).0, "(0.000);(-0.000)");
    // the count of observations: numeric, no decimals
    let nobs = cells.values().find(|c| c.v == format!("{:?}", r.nobs as f64)).expect("observations cell");
    assert!(nobs.t.is_none());
    assert_eq!(xf_info(&parts, nobs.s).0, "0");

    // rules: thick above the headers (row 2), thin under the header block, thick under the
    // last line; headers bold
    let (last_header, panels) = header_and_panels(&t);
    let last_row = cells.keys().filter_map(|k| k[1..].parse::<usize>().ok()).filter(|r| cells.contains_key(&format!("B{r}"))).max().unwrap();
    let k = t.columns.len();
    for row in 2..=last_row {
        let line = row - 2;
        for col in ["A", "B"].iter().take(k) {
            let (_, bold, top, bottom) = xf_info(&parts, cells[&format!("{col}{row}")].s);
            let want_top = if line == 0 { "medium" } else if panels.contains(&line) { "thin" } else { "" };
            let want_bottom = if row == last_row { "medium" } else if line == last_header { "thin" } else { "" };
            assert_eq!((top.as_str(), bottom.as_str()), (want_top, want_bottom), "{col}{row}");
            assert_eq!(bold, line <= last_header, "{col}{row}");
        }
    }
    // notes under the table, as text
    let note = &cells[&format!("A{}", last_row + 1)];
    assert_eq!(note.t.as_deref(), Some("inlineStr"));
    assert!(note.v.starts_with("Standard errors in parentheses."));
}

#[test]
fn chinese_text_survives_both_formats() {
    let (_, mut t) = did_fit();
    t.title = "表1 自由贸易试验区与城市高质量发展：基准回归".into();
    t.columns[1].label = "（1）高质量发展".into();
    t.notes.push("注：括号内为城市层面聚类稳健标准误。".into());
    let o = RenderOptions { yes: Some("是".into()), no: Some("否".into()), ..opts("docx") };
    let docx = package(&render_table_bytes(&t, &o).unwrap(), &DOCX_PARTS);
    let text = docx["word/document.xml"].full_text();
    for s in [&t.title, &t.columns[1].label, &t.notes[0]] {
        assert!(text.contains(s.as_str()), "{s} not in {text}");
    }
    let xlsx = package(&render_table_bytes(&t, &RenderOptions { format: "excel".into(), ..o }).unwrap(), &XLSX_PARTS);
    assert_eq!(xlsx["xl/workbook.xml"].all("sheet")[0].attr("name"), Some(t.title.as_str()));
    let cells = sheet_cells(&xlsx);
    assert_eq!(cells["A1"].v, t.title);
    assert_eq!(cells["B2"].v, t.columns[1].label);
    assert!(cells.values().any(|c| c.v == t.notes[0]));
}

#[test]
fn output_is_deterministic_and_hostile_text_stays_well_formed() {
    let (_, mut t) = did_fit();
    for f in ["docx", "xlsx"] {
        assert_eq!(render_table_bytes(&t, &opts(f)).unwrap(), render_table_bytes(&t, &opts(f)).unwrap(), "{f}");
    }
    t.title = "<w:p>&amp; \"q\" 'a' ]]> \u{1}\u{b} [x]:*?/\\".into();
    t.columns[0].label = "</c><script>".into();
    t.notes.push("a < b & c > d".into());
    let docx = package(&render_table_bytes(&t, &opts("word")).unwrap(), &DOCX_PARTS);
    let text = docx["word/document.xml"].full_text();
    assert!(text.contains("<w:p>&amp; \"q\" 'a' ]]>  [x]:*?/\\") && text.contains("</c><script>") && text.contains("a < b & c > d"), "{text}");
    let xlsx = package(&render_table_bytes(&t, &opts("xlsx")).unwrap(), &XLSX_PARTS);
    assert_eq!(xlsx["xl/workbook.xml"].all("sheet")[0].attr("name"), Some("<w p>&amp; \"q\" 'a' > x"));
    assert_eq!(sheet_cells(&xlsx)["A2"].v, "</c><script>");
}

/// The tables of a session: the DID regression, its counts table, and the regression again
/// under the same title (two sheets must not share a name).
fn session() -> (DidResult, Vec<ResultTable>) {
    let r = did_result();
    let mut tables = r.tables();
    assert_eq!(tables.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["did.main", "did.counts"]);
    let mut again = tables[0].clone();
    again.notes.push("Same model, shown twice.".into());
    tables.push(again);
    (r, tables)
}

/// The body's top-level elements as `(name, text)`.
fn body_blocks(parts: &BTreeMap<String, Node>) -> Vec<(String, String)> {
    let body = parts["word/document.xml"].child("w:body").unwrap();
    body.children.iter().map(|n| (n.name.clone(), n.full_text())).collect()
}

/// Each `w:tbl` has the thick top and bottom rules and no side or inside rules.
fn assert_three_line_borders(parts: &BTreeMap<String, Node>) {
    for (i, tbl) in parts["word/document.xml"].all("w:tbl").into_iter().enumerate() {
        let tb = tbl.child("w:tblPr").unwrap().child("w:tblBorders").unwrap();
        for (side, val, sz) in [("w:top", "single", Some("12")), ("w:bottom", "single", Some("12")), ("w:left", "nil", None), ("w:insideH", "nil", None)] {
            let b = tb.child(side).unwrap_or_else(|| panic!("table {i}: {side}"));
            assert_eq!((b.attr("w:val"), b.attr("w:sz")), (Some(val), sz), "table {i}: {side}");
        }
    }
}

#[test]
fn word_report_holds_every_table_in_order() {
    let (r, tables) = session();
    let bytes = render_report_bytes(&tables, &opts("docx"), Some("FTZ report")).unwrap();
    let parts = package(&bytes, &DOCX_PARTS);
    assert_eq!(parts["word/document.xml"].all("w:tbl").len(), tables.len());
    assert_three_line_borders(&parts);

    // the report title first, bold and centred; then per table: (empty paragraph,) caption, table
    let blocks = body_blocks(&parts);
    assert_eq!(blocks[0], ("w:p".into(), "FTZ report".into()));
    let title = &parts["word/document.xml"].child("w:body").unwrap().children[0];
    assert_eq!(title.all("w:jc")[0].attr("w:val"), Some("center"));
    assert_eq!(title.all("w:b").len(), 1);
    let tbls: Vec<usize> = (0..blocks.len()).filter(|&i| blocks[i].0 == "w:tbl").collect();
    for (k, (&at, t)) in tbls.iter().zip(&tables).enumerate() {
        assert_eq!(blocks[at - 1], ("w:p".into(), t.title.clone()), "caption of table {k}");
        if k > 0 {
            assert_eq!(blocks[at - 2], ("w:p".into(), String::new()), "empty paragraph before table {k}");
        }
    }
    // the estimate, its stars and its SE, in both copies of the regression
    let est = format!("{}{}", fmt_num(r.estimate, 3), stars(r.p_value));
    let se = format!("({})", fmt_num(r.std_error, 3));
    for at in [tbls[0], tbls[2]] {
        assert!(blocks[at].1.contains(&est) && blocks[at].1.contains(&se), "{est} {se} not in {}", blocks[at].1);
    }
    // each table's notes after it; the last table's extra note last
    assert!(blocks[tbls[0] + 1].1.starts_with("Standard errors in parentheses."));
    let last = blocks.iter().rev().find(|(name, _)| name == "w:p").unwrap();
    assert_eq!(last.1, "Same model, shown twice.");
}

#[test]
fn one_table_report_is_the_single_table_file() {
    let (_, tables) = session();
    for f in ["docx", "xlsx"] {
        let one = render_report_bytes(&tables[..1], &opts(f), None).unwrap();
        assert_eq!(one, render_table_bytes(&tables[0], &opts(f)).unwrap(), "{f}");
        assert_eq!(one, render_report_bytes(&tables[..1], &opts(f), None).unwrap(), "{f}: deterministic");
    }
}

#[test]
fn chinese_word_report() {
    let (_, mut tables) = session();
    tables[0].title = "表1 自由贸易试验区与城市高质量发展".into();
    let o = RenderOptions { lang: Some(quasi::report::Lang::Zh), ..opts("word") };
    let parts = package(&render_report_bytes(&tables, &o, Some("实证结果")).unwrap(), &DOCX_PARTS);
    assert_eq!(parts["word/document.xml"].all("w:tbl").len(), 3);
    assert_three_line_borders(&parts);
    let blocks = body_blocks(&parts);
    assert_eq!(blocks[0].1, "实证结果");
    assert_eq!(blocks[1].1, tables[0].title);
    let notes: Vec<&String> = blocks.iter().map(|(_, text)| text).filter(|t| t.starts_with("注：")).collect();
    assert_eq!(notes.len(), 2, "the two regressions' notes in Chinese: {blocks:?}");
    assert!(blocks[2].1.contains("观测值"), "{}", blocks[2].1);
}

#[test]
fn excel_report_has_a_sheet_per_table() {
    let (r, tables) = session();
    let bytes = render_report_bytes(&tables, &opts("xlsx"), Some("ignored in Excel")).unwrap();
    let parts = package(&bytes, &["xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/styles.xml"]);
    let sheets = parts["xl/workbook.xml"].all("sheet");
    let names: Vec<&str> = sheets.iter().map(|s| s.attr("name").unwrap()).collect();
    assert_eq!(names, ["Difference-in-differences", "Treated units, controls and ado", "Difference-in-differences (2)"]);
    let rels = &parts["xl/_rels/workbook.xml.rels"];
    for (i, s) in sheets.iter().enumerate() {
        assert_eq!(s.attr("sheetId"), Some((i + 1).to_string().as_str()));
        let rel = rels.all("Relationship").into_iter().find(|x| x.attr("Id") == s.attr("r:id")).unwrap();
        let part = format!("xl/{}", rel.attr("Target").unwrap());
        assert_eq!(content_type(&parts, &format!("/{part}")), "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml");
        let cells = sheet_cells_of(&parts, &part);
        assert_eq!(cells["A1"].v, tables[i].title, "{part}");
        if tables[i].id == "did.main" {
            // the estimate a numeric cell (no `t`, the value in <v>), formatted with its stars
            let est = cells.values().find(|c| c.v.parse::<f64>().ok() == Some(r.estimate)).expect("estimate cell");
            assert!(est.t.is_none(), "{est:?}");
            assert_eq!(xf_info(&parts, est.s).0, format!("0.000\"{}\"", stars(r.p_value)));
        }
    }
    let styles = rels.all("Relationship").into_iter().find(|x| x.attr("Target") == Some("styles.xml")).unwrap();
    assert_eq!(styles.attr("Id"), Some("rId4"));
    assert_eq!(content_type(&parts, "/xl/styles.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml");
}

#[test]
fn report_refuses_no_tables_and_text_formats() {
    let (_, tables) = session();
    let e = render_report_bytes(&[], &opts("docx"), None).unwrap_err();
    assert_eq!(e.code(), "invalid_argument");
    assert!(e.to_string().contains("at least one table"), "{e}");
    for f in ["markdown", "csv", "latex"] {
        let e = render_report_bytes(&tables, &opts(f), None).unwrap_err();
        assert!(e.to_string().contains("docx or xlsx"), "{f}: {e}");
    }
    assert!(render_report_bytes(&tables, &opts("pdf"), None).is_err());
}
