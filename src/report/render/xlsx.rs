//! The Excel writer: a minimal SpreadsheetML package (.xlsx) with each table on a sheet of
//! its own, named after its title ([`sheet_names`]); a single table is the one-sheet case.
//!
//! The title is in A1 (bold), the table starts on the next row, the notes follow it, one per
//! row in column A. Rules as in the Word table: a thick rule above the headers, a thin one
//! under the header block, a thick one under the last row, a thin one above each new panel;
//! headers bold; gridlines hidden, so the sheet looks like the table in a paper.
//!
//! Every printed number is a *numeric* cell holding the full-precision value, with a number
//! format read off the printed text so that Excel shows exactly what the other formats print:
//! `0.000` for three decimals, `0` for counts, `0.000E+00` where the text is scientific. An
//! estimate's stars are a literal suffix of its format (`0.000"***"`), so the cell shows
//! `0.199***`, copies into Word as that text and still computes as 0.19924916. The statistic
//! below an estimate is in the cell below, also numeric, formatted `(0.000);(-0.000)`, so it
//! shows `(0.010)`. Intervals, yes/no words, labels and non-finite values are text cells.

use super::package::{package, XML_DECL};
use super::xlsx_styles::{Rule, Style, Styles};
use super::{Grid, LineKind, Text};
use crate::error::Result;
use crate::report::escape::xml_text;
use crate::report::table::Align;

/// `[Content_Types].xml` up to the worksheets' overrides.
const CONTENT_TYPES: &str = concat!(
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>",
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>",
);
const SHEET_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
const STYLES_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml";

const RELS: &str = concat!(
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>",
    "</Relationships>"
);

const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

const NS: &str = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

/// The .xlsx package of laid-out tables, one worksheet each, in order (`sheet1.xml`, …, with
/// relationship ids `rId1`, …; the styles, shared by all sheets, take the next id).
pub(super) fn xlsx(grids: &[Grid]) -> Result<Vec<u8>> {
    let mut styles = Styles::new();
    let sheets: Vec<String> = grids.iter().map(|g| sheet(g, &mut styles)).collect();
    let names = sheet_names(grids.iter().map(|g| g.title.as_str()));
    let n = grids.len();
    let mut types = format!("{XML_DECL}{CONTENT_TYPES}");
    let mut rels = format!("{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
    let mut workbook = format!("{XML_DECL}<workbook {NS}><bookViews><workbookView/></bookViews><sheets>");
    for (i, name) in (1..=n).zip(&names) {
        types.push_str(&format!("<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"{SHEET_TYPE}\"/>"));
        rels.push_str(&format!("<Relationship Id=\"rId{i}\" Type=\"{REL_NS}/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"));
        workbook.push_str(&format!("<sheet name=\"{}\" sheetId=\"{i}\" r:id=\"rId{i}\"/>", xml_text(name)));
    }
    types.push_str(&format!("<Override PartName=\"/xl/styles.xml\" ContentType=\"{STYLES_TYPE}\"/></Types>"));
    rels.push_str(&format!("<Relationship Id=\"rId{}\" Type=\"{REL_NS}/styles\" Target=\"styles.xml\"/></Relationships>", n + 1));
    workbook.push_str("</sheets></workbook>");
    let mut parts = vec![
        ("[Content_Types].xml".to_string(), types),
        ("_rels/.rels".to_string(), format!("{XML_DECL}{RELS}")),
        ("xl/workbook.xml".to_string(), workbook),
        ("xl/_rels/workbook.xml.rels".to_string(), rels),
    ];
    parts.extend(sheets.into_iter().enumerate().map(|(i, s)| (format!("xl/worksheets/sheet{}.xml", i + 1), s)));
    parts.push(("xl/styles.xml".to_string(), styles.xml()));
    let parts: Vec<(&str, &str)> = parts.iter().map(|(n, x)| (n.as_str(), x.as_str())).collect();
    package(&parts, "Excel")
}

/// The sheet names of tables with these titles: each title's [`sheet_name`], made unique
/// (Excel compares names ignoring case) by a suffix ` (2)`, ` (3)`, …, the name cut short to
/// keep within 31 characters.
pub(super) fn sheet_names<'a>(titles: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for title in titles {
        let base = sheet_name(title);
        let taken = |name: &str| names.iter().any(|m| m.to_lowercase() == name.to_lowercase());
        let mut name = base.clone();
        let mut k = 2;
        while taken(&name) {
            let suffix = format!(" ({k})");
            let stem: String = base.chars().take(31 - suffix.len()).collect();
            name = format!("{}{suffix}", stem.trim_end());
            k += 1;
        }
        names.push(name);
    }
    names
}

/// A sheet name from the title: without `[ ] : * ? / \`, no leading or trailing apostrophe,
/// at most 31 characters; "Table" when nothing is left.
pub(super) fn sheet_name(title: &str) -> String {
    let clean: String = title
        .chars()
        .map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    let name: String = clean.trim_matches('\'').chars().take(31).collect();
    let name = name.trim().trim_matches('\'').to_string();
    if name.is_empty() {
        "Table".into()
    } else {
        name
    }
}

/// Column letters of 0-based column `j` (A, …, Z, AA, …).
fn col_name(mut j: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (j % 26) as u8);
        if j < 26 {
            break;
        }
        j = j / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// The number format that prints `t.value` as `t.text` prints it (see the module docs), or
/// `None` when the cell is text.
pub(super) fn number_format(t: &Text) -> Option<String> {
    t.value?;
    let (inner, paren) = match t.text.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        Some(s) => (s, true),
        None => (t.text.as_str(), false),
    };
    inner.parse::<f64>().ok()?;
    let zeros = |s: &str| match s.split_once('.') {
        Some((_, d)) if !d.is_empty() => format!("0.{}", "0".repeat(d.len())),
        _ => "0".to_string(),
    };
    let code = match inner.split_once(['e', 'E']) {
        Some((mantissa, _)) => format!("{}E+00", zeros(mantissa)),
        None => zeros(inner),
    };
    Some(if paren {
        format!("({code});(-{code})")
    } else if t.stars.is_empty() {
        code
    } else if t.stars.contains('"') {
        return None;
    } else {
        format!("{code}\"{}\"", t.stars)
    })
}

/// Display width of a text (East Asian characters count two).
fn width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
}

/// One cell: numeric when it prints a number, else inline text (nothing for empty text).
fn cell_xml(r: &str, t: &Text, mut style: Style, styles: &mut Styles) -> String {
    match (t.value, number_format(t)) {
        (Some(v), Some(code)) => {
            style.num_fmt = Some(code);
            format!("<c r=\"{r}\" s=\"{}\"><v>{v:?}</v></c>", styles.id(style))
        }
        _ => text_cell(r, &t.joined(), styles.id(style)),
    }
}

fn text_cell(r: &str, text: &str, s: usize) -> String {
    let s = if s == 0 { String::new() } else { format!(" s=\"{s}\"") };
    if text.is_empty() {
        return format!("<c r=\"{r}\"{s}/>");
    }
    format!("<c r=\"{r}\"{s} t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>", xml_text(text))
}

/// The rules of table row `i` (0 = the first row, the group row if any) of `n` rows.
fn rules(g: &Grid, i: usize, n: usize) -> (Rule, Rule) {
    let offset = n - g.lines.len();
    let line = i.checked_sub(offset).map(|l| (l, &g.lines[l]));
    let mut top = if i == 0 { Rule::Thick } else { Rule::None };
    let mut bottom = if i + 1 == n { Rule::Thick } else { Rule::None };
    if let Some((l, line)) = line {
        if l > g.n_header && line.rule_above && top == Rule::None {
            top = Rule::Thin;
        }
        if l + 1 == g.n_header && bottom == Rule::None {
            bottom = Rule::Thin;
        }
    }
    (top, bottom)
}

/// A table's worksheet (`xl/worksheets/sheet1.xml`, …).
fn sheet(g: &Grid, styles: &mut Styles) -> String {
    let k = g.aligns.len();
    let mut rows: Vec<String> = Vec::new();
    if !g.title.is_empty() {
        let s = styles.id(Style { num_fmt: None, bold: true, top: Rule::None, bottom: Rule::None, align: None });
        rows.push(text_cell("A1", &g.title, s));
    }
    let first = rows.len() + 1;
    let n = g.lines.len() + usize::from(!g.groups.is_empty());
    let mut merges = Vec::new();
    let mut i = 0;
    if !g.groups.is_empty() {
        let (top, bottom) = rules(g, 0, n);
        let r = first;
        let mut cells = String::new();
        for j in 0..k {
            let group = g.groups.iter().find(|(_, f, span)| *f == j && *span > 0);
            let label = group.map_or("", |(l, _, _)| l.as_str());
            let style = Style { num_fmt: None, bold: true, top, bottom, align: Some(Align::Center) };
            cells.push_str(&text_cell(&format!("{}{r}", col_name(j)), label, styles.id(style)));
            if let Some((_, f, span)) = group.filter(|(_, _, span)| *span > 1) {
                let last = (f + span - 1).min(k - 1);
                merges.push(format!("<mergeCell ref=\"{}{r}:{}{r}\"/>", col_name(*f), col_name(last)));
            }
        }
        rows.push(cells);
        i = 1;
    }
    for line in &g.lines {
        let (top, bottom) = rules(g, i, n);
        let r = first + i;
        let bold = line.kind == LineKind::Header;
        let mut cells = String::new();
        for (j, (t, a)) in line.cells.iter().zip(&g.aligns).enumerate() {
            let style = Style { num_fmt: None, bold, top, bottom, align: Some(*a) };
            cells.push_str(&cell_xml(&format!("{}{r}", col_name(j)), t, style, styles));
        }
        rows.push(cells);
        i += 1;
    }
    for note in &g.notes {
        rows.push(text_cell(&format!("A{}", rows.len() + 1), note, 0));
    }
    assemble(g, &rows, &merges)
}

/// The worksheet XML around the rows' cells.
fn assemble(g: &Grid, rows: &[String], merges: &[String]) -> String {
    let k = g.aligns.len();
    let mut out = format!("{XML_DECL}<worksheet {NS}>");
    out.push_str(&format!("<dimension ref=\"A1:{}{}\"/>", col_name(k.max(1) - 1), rows.len().max(1)));
    out.push_str("<sheetViews><sheetView showGridLines=\"0\" workbookViewId=\"0\"/></sheetViews>");
    out.push_str("<sheetFormatPr defaultRowHeight=\"15\"/><cols>");
    for j in 0..k {
        let w = g.lines.iter().filter_map(|l| l.cells.get(j)).map(|c| width(&c.joined())).max().unwrap_or(0);
        let w = (w + 2).clamp(if j == 0 { 12 } else { 10 }, 60);
        out.push_str(&format!("<col min=\"{0}\" max=\"{0}\" width=\"{w}\" customWidth=\"1\"/>", j + 1));
    }
    out.push_str("</cols><sheetData>");
    for (i, cells) in rows.iter().enumerate() {
        out.push_str(&format!("<row r=\"{}\">{cells}</row>", i + 1));
    }
    out.push_str("</sheetData>");
    if !merges.is_empty() {
        out.push_str(&format!("<mergeCells count=\"{}\">{}</mergeCells>", merges.len(), merges.concat()));
    }
    out.push_str("<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>");
    out.push_str("</worksheet>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str, stars: &str, v: f64) -> Text {
        Text { text: s.into(), stars: stars.into(), value: Some(v) }
    }

    #[test]
    fn number_formats_print_what_the_text_prints() {
        assert_eq!(number_format(&text("0.199", "***", 0.19924916)).unwrap(), "0.000\"***\"");
        assert_eq!(number_format(&text("-0.0000538", "", -0.0000538)).unwrap(), "0.0000000");
        assert_eq!(number_format(&text("(0.010)", "", 0.01)).unwrap(), "(0.000);(-0.000)");
        assert_eq!(number_format(&text("130", "", 130.0)).unwrap(), "0");
        assert_eq!(number_format(&text("1.234e-20", "", 1.234e-20)).unwrap(), "0.000E+00");
        assert_eq!(number_format(&text("[1, 2]", "", 1.0)), None);
        assert_eq!(number_format(&Text::plain("0.5")), None, "no value: text");
        assert_eq!(number_format(&text("0.5", "\"", 0.5)), None, "a quote in the stars: text");
    }

    #[test]
    fn sheet_names_are_valid() {
        assert_eq!(sheet_name("Table 1: DID [main] a/b*c?d\\e"), "Table 1 DID main a b c d e");
        assert_eq!(sheet_name("表1 自由贸易试验区与高质量发展：基准回归结果"), "表1 自由贸易试验区与高质量发展：基准回归结果");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
        assert_eq!(sheet_name("'quoted'"), "quoted");
        assert_eq!(sheet_name(" ?* "), "Table");
    }

    #[test]
    fn sheet_names_are_unique_and_short() {
        let long = "x".repeat(40);
        let names = sheet_names(["DID", "did", "DID", "", "?", &long, &long, "a/b", "a b"]);
        assert_eq!(names[..5], ["DID", "did (2)", "DID (3)", "Table", "Table (2)"]);
        assert_eq!(names[5], "x".repeat(31));
        assert_eq!(names[6], format!("{} (2)", "x".repeat(27)));
        assert_eq!(names[7..], ["a b", "a b (2)"]);
        assert!(names.iter().all(|n| n.chars().count() <= 31));
        let cjk = "表".repeat(40);
        assert_eq!(sheet_names([cjk.as_str(), &cjk])[1], format!("{} (2)", "表".repeat(27)));
    }

    #[test]
    fn columns_are_lettered() {
        assert_eq!([0, 25, 26, 51, 52, 701, 702].map(col_name), ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]);
    }
}
