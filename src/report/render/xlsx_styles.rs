//! The cell styles of the Excel writer: a registry that hands out one style index per
//! distinct (number format, bold, rules, alignment) and writes `xl/styles.xml`.
//!
//! Indices are given in order of first use, so the same table always gets the same styles.
//! Style 0 is Excel's default; number formats are custom (ids from 164).

use super::package::XML_DECL;
use crate::report::escape::xml_text;
use crate::report::table::Align;

/// A horizontal rule on one side of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Rule {
    #[default]
    None,
    Thin,
    Thick,
}

/// Everything that tells one cell style from another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Style {
    /// Custom number format code (`None`: General).
    pub num_fmt: Option<String>,
    pub bold: bool,
    pub top: Rule,
    pub bottom: Rule,
    /// Horizontal alignment (`None`: Excel's default).
    pub align: Option<Align>,
}

/// The registry.
#[derive(Debug)]
pub(super) struct Styles {
    styles: Vec<Style>,
    num_fmts: Vec<String>,
    borders: Vec<(Rule, Rule)>,
}

impl Styles {
    pub fn new() -> Styles {
        let default = Style { num_fmt: None, bold: false, top: Rule::None, bottom: Rule::None, align: None };
        Styles { styles: vec![default], num_fmts: Vec::new(), borders: vec![(Rule::None, Rule::None)] }
    }

    /// The index (`s` attribute) of a style, registering it on first use.
    pub fn id(&mut self, style: Style) -> usize {
        if let Some(i) = self.styles.iter().position(|s| *s == style) {
            return i;
        }
        if let Some(f) = &style.num_fmt {
            if !self.num_fmts.contains(f) {
                self.num_fmts.push(f.clone());
            }
        }
        if !self.borders.contains(&(style.top, style.bottom)) {
            self.borders.push((style.top, style.bottom));
        }
        self.styles.push(style);
        self.styles.len() - 1
    }

    /// `xl/styles.xml`: Times New Roman 11 pt regular and bold, the borders, the cell formats.
    pub fn xml(&self) -> String {
        let mut out = format!("{XML_DECL}<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">");
        if !self.num_fmts.is_empty() {
            out.push_str(&format!("<numFmts count=\"{}\">", self.num_fmts.len()));
            for (i, f) in self.num_fmts.iter().enumerate() {
                out.push_str(&format!("<numFmt numFmtId=\"{}\" formatCode=\"{}\"/>", 164 + i, xml_text(f)));
            }
            out.push_str("</numFmts>");
        }
        out.push_str(concat!(
            "<fonts count=\"2\">",
            "<font><sz val=\"11\"/><name val=\"Times New Roman\"/><family val=\"1\"/></font>",
            "<font><b/><sz val=\"11\"/><name val=\"Times New Roman\"/><family val=\"1\"/></font>",
            "</fonts>",
            "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
        ));
        out.push_str(&format!("<borders count=\"{}\">", self.borders.len()));
        for (top, bottom) in &self.borders {
            out.push_str(&format!("<border><left/><right/>{}{}<diagonal/></border>", side("top", *top), side("bottom", *bottom)));
        }
        out.push_str("</borders>");
        out.push_str("<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>");
        out.push_str(&format!("<cellXfs count=\"{}\">", self.styles.len()));
        for s in &self.styles {
            out.push_str(&self.xf(s));
        }
        out.push_str("</cellXfs>");
        out.push_str("<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>");
        out.push_str("</styleSheet>");
        out
    }

    /// One `<xf>` of `cellXfs`.
    fn xf(&self, s: &Style) -> String {
        let num = s.num_fmt.as_ref().and_then(|f| self.num_fmts.iter().position(|x| x == f)).map_or(0, |i| 164 + i);
        let border = self.borders.iter().position(|b| *b == (s.top, s.bottom)).unwrap_or(0);
        let font = usize::from(s.bold);
        let mut out = format!("<xf numFmtId=\"{num}\" fontId=\"{font}\" fillId=\"0\" borderId=\"{border}\" xfId=\"0\"");
        for (flag, attr) in [(num != 0, "applyNumberFormat"), (s.bold, "applyFont"), (border != 0, "applyBorder")] {
            if flag {
                out.push_str(&format!(" {attr}=\"1\""));
            }
        }
        match s.align {
            None => out.push_str("/>"),
            Some(a) => {
                let h = match a {
                    Align::Left => "left",
                    Align::Center => "center",
                    Align::Right => "right",
                };
                out.push_str(&format!(" applyAlignment=\"1\"><alignment horizontal=\"{h}\" vertical=\"center\"/></xf>"));
            }
        }
        out
    }
}

fn side(name: &str, rule: Rule) -> String {
    match rule {
        Rule::None => format!("<{name}/>"),
        Rule::Thin => format!("<{name} style=\"thin\"><color auto=\"1\"/></{name}>"),
        Rule::Thick => format!("<{name} style=\"medium\"><color auto=\"1\"/></{name}>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_are_shared_and_numbered_in_order() {
        let mut s = Styles::new();
        let a = Style { num_fmt: Some("0.000".into()), bold: false, top: Rule::Thick, bottom: Rule::None, align: Some(Align::Center) };
        let b = Style { bold: true, ..a.clone() };
        assert_eq!(s.id(a.clone()), 1);
        assert_eq!(s.id(b), 2);
        assert_eq!(s.id(a), 1);
        let xml = s.xml();
        assert!(xml.contains("<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"0.000\"/></numFmts>"), "{xml}");
        assert!(xml.contains("<cellXfs count=\"3\">"), "{xml}");
        assert!(xml.contains("<xf numFmtId=\"164\" fontId=\"1\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyNumberFormat=\"1\" applyFont=\"1\" applyBorder=\"1\" applyAlignment=\"1\">"), "{xml}");
        assert!(xml.contains("<border><left/><right/><top style=\"medium\"><color auto=\"1\"/></top><bottom/><diagonal/></border>"));
    }
}
