//! Escaping of text cells for the table export formats (CSV, Markdown, the XML of .docx and
//! .xlsx).

/// A CSV field (RFC 4180): quoted, with `"` doubled, when it holds `,` `"` or a line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A Markdown table cell: `|` escaped, `\n` turned into a space.
pub fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// XML text or attribute content: `& < > " '` escaped, and the characters XML 1.0 forbids
/// (control characters other than tab, line feed and carriage return; U+FFFE, U+FFFF)
/// dropped, so any user text makes well-formed XML.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(md_cell("a|b\nc"), "a\\|b c");
        assert_eq!(xml_text("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
        assert_eq!(xml_text("x\u{1}\u{b}y\tz\u{FFFF}中文"), "xy\tz中文");
    }
}
