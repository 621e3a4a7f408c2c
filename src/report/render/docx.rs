//! The Word writer: a minimal WordprocessingML package (.docx) holding one or more tables in
//! the three-line style of Chinese journals (三线表).
//!
//! A report (several tables) may open with its own title, a bold centred paragraph; its
//! tables follow in order, an empty paragraph between two tables. A single table is the
//! one-table report without a title.
//!
//! Each table's title is a centred caption paragraph above it. Each table has a thick
//! (1.5 pt) top rule above the headers, a thin (0.5 pt) rule under the header block and a
//! thick rule under the last row, and nothing else: no vertical rules, no other horizontal
//! rules except a thin rule above rows that start a new panel (`rule_above`). Every laid-out
//! line is a table row, so an estimate's standard error sits in the row below it, as in every
//! other format. The notes follow as small paragraphs. Text is Times New Roman, with SimSun (宋体)
//! for East Asian characters, 10.5 pt (五号) in the table.

use super::package::{package, XML_DECL};
use super::{Grid, Line};
use crate::error::Result;
use crate::report::escape::xml_text;
use crate::report::table::Align;

const CONTENT_TYPES: &str = concat!(
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>",
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>",
    "<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>",
    "</Types>"
);

const RELS: &str = concat!(
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>",
    "</Relationships>"
);

const DOCUMENT_RELS: &str = concat!(
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>",
    "</Relationships>"
);

/// Document defaults: the fonts (Latin and East Asian), 10.5 pt, single spacing, no space
/// after paragraphs.
const STYLES: &str = concat!(
    "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">",
    "<w:docDefaults><w:rPrDefault><w:rPr>",
    "<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:cs=\"Times New Roman\" w:eastAsia=\"SimSun\"/>",
    "<w:sz w:val=\"21\"/><w:szCs w:val=\"21\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/>",
    "</w:rPr></w:rPrDefault>",
    "<w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault>",
    "</w:docDefaults>",
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style>",
    "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>",
    "<w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/>",
    "<w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/>",
    "</w:tblCellMar></w:tblPr></w:style>",
    "</w:styles>"
);

/// Rule widths in eighths of a point.
const THICK: u32 = 12;
const THIN: u32 = 4;

/// The .docx package of laid-out tables, in order, under an optional report title.
pub(super) fn docx(grids: &[Grid], title: Option<&str>) -> Result<Vec<u8>> {
    let parts = [
        ("[Content_Types].xml", format!("{XML_DECL}{CONTENT_TYPES}")),
        ("_rels/.rels", format!("{XML_DECL}{RELS}")),
        ("word/_rels/document.xml.rels", format!("{XML_DECL}{DOCUMENT_RELS}")),
        ("word/document.xml", document(grids, title)),
        ("word/styles.xml", format!("{XML_DECL}{STYLES}")),
    ];
    let parts: Vec<(&str, &str)> = parts.iter().map(|(n, x)| (*n, x.as_str())).collect();
    package(&parts, "Word")
}

/// `word/document.xml`: the report title (if any, and not blank), then each table's caption,
/// table and notes, an empty paragraph between two tables; A4 page.
fn document(grids: &[Grid], title: Option<&str>) -> String {
    let mut out = format!(
        "{XML_DECL}<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>"
    );
    if let Some(title) = title.map(str::trim).filter(|t| !t.is_empty()) {
        let rpr = "<w:b/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/>";
        out.push_str(&paragraph(title, "center", "<w:keepNext/><w:spacing w:after=\"240\"/>", rpr));
    }
    for (i, g) in grids.iter().enumerate() {
        if i > 0 {
            out.push_str(&paragraph("", "left", "", ""));
        }
        out.push_str(&block(g));
    }
    out.push_str(concat!(
        "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>",
        "<w:pgMar w:top=\"1440\" w:right=\"1800\" w:bottom=\"1440\" w:left=\"1800\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>",
        "</w:sectPr></w:body></w:document>"
    ));
    out
}

/// One table's block: caption, table, notes.
fn block(g: &Grid) -> String {
    let mut out = String::new();
    if !g.title.is_empty() {
        out.push_str(&paragraph(&g.title, "center", "<w:keepNext/>", "<w:b/>"));
    }
    out.push_str(&table(g));
    for n in &g.notes {
        out.push_str(&paragraph(n, "left", "", "<w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>"));
    }
    out
}

/// A paragraph of one run (`ppr`, `rpr`: extra paragraph and run properties).
fn paragraph(text: &str, jc: &str, ppr: &str, rpr: &str) -> String {
    let run = if text.is_empty() {
        String::new()
    } else {
        let rpr = if rpr.is_empty() { String::new() } else { format!("<w:rPr>{rpr}</w:rPr>") };
        format!("<w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r>", xml_text(text))
    };
    format!("<w:p><w:pPr>{ppr}<w:jc w:val=\"{jc}\"/></w:pPr>{run}</w:p>")
}

fn border(side: &str, sz: u32) -> String {
    format!("<w:{side} w:val=\"single\" w:sz=\"{sz}\" w:space=\"0\" w:color=\"000000\"/>")
}

/// The table: the thick top and bottom rules are the table's borders; the others none.
fn table(g: &Grid) -> String {
    let mut out = String::from("<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/><w:jc w:val=\"center\"/><w:tblBorders>");
    out.push_str(&border("top", THICK));
    out.push_str("<w:left w:val=\"nil\"/>");
    out.push_str(&border("bottom", THICK));
    out.push_str("<w:right w:val=\"nil\"/><w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/></w:tblBorders>");
    out.push_str("<w:tblLayout w:type=\"autofit\"/><w:tblLook w:val=\"0000\"/></w:tblPr><w:tblGrid>");
    for j in 0..g.aligns.len() {
        out.push_str(&format!("<w:gridCol w:w=\"{}\"/>", if j == 0 { 2400 } else { 1400 }));
    }
    out.push_str("</w:tblGrid>");
    if !g.groups.is_empty() {
        out.push_str(&group_row(g));
    }
    for (i, line) in g.lines.iter().enumerate() {
        out.push_str(&line_row(g, i, line));
    }
    out.push_str("</w:tbl>");
    out
}

/// The row of spanning headers (cells spanning their groups' columns, empty cells between).
fn group_row(g: &Grid) -> String {
    let mut out = String::from("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
    let k = g.aligns.len();
    let mut j = 0;
    while j < k {
        match g.groups.iter().find(|(_, first, span)| *first == j && *span > 0) {
            Some((label, _, span)) => {
                let span = (*span).min(k - j);
                out.push_str(&cell(label, Align::Center, &format!("<w:gridSpan w:val=\"{span}\"/>")));
                j += span;
            }
            None => {
                out.push_str(&cell("", Align::Left, ""));
                j += 1;
            }
        }
    }
    out.push_str("</w:tr>");
    out
}

/// Line `i` as a row: the thin rule under the header block goes on the last header line's
/// cells, a panel's thin rule on its first line's cells.
fn line_row(g: &Grid, i: usize, line: &Line) -> String {
    let header = i < g.n_header;
    let mut borders = String::new();
    if i + 1 == g.n_header && g.lines.len() > g.n_header {
        borders.push_str(&border("bottom", THIN));
    }
    if line.rule_above && i > g.n_header {
        borders.insert_str(0, &border("top", THIN));
    }
    let tcpr = if borders.is_empty() { String::new() } else { format!("<w:tcBorders>{borders}</w:tcBorders>") };
    let mut out = String::from(if header { "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" } else { "<w:tr><w:trPr><w:cantSplit/></w:trPr>" });
    for (c, a) in line.cells.iter().zip(&g.aligns) {
        out.push_str(&cell(&c.joined(), *a, &tcpr));
    }
    out.push_str("</w:tr>");
    out
}

/// One cell: its properties (`tcpr`, without the wrapper) and one paragraph.
fn cell(text: &str, align: Align, tcpr: &str) -> String {
    let jc = match align {
        Align::Left => "left",
        Align::Center => "center",
        Align::Right => "right",
    };
    let tcpr = if tcpr.is_empty() { String::new() } else { format!("<w:tcPr>{tcpr}</w:tcPr>") };
    format!("<w:tc>{tcpr}{}</w:tc>", paragraph(text, jc, "", ""))
}
