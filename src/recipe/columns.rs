//! Which columns of the data a spec reads: every string in the spec that names a column, and
//! every name inside a formula (bare identifiers and back-quoted names). This over-counts only
//! when an option's value happens to equal a column name, which makes the data hash stricter,
//! never looser.

use serde_json::Value;

use crate::data::Dataset;

/// The columns `spec` reads, in the dataset's order.
pub fn used_columns(ds: &Dataset, spec: &Value) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    collect(spec, &mut words);
    ds.columns().iter().map(|c| c.name.clone()).filter(|name| words.iter().any(|w| w == name)).collect()
}

fn collect(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            out.push(s.clone());
            out.push(s.trim().to_string());
            tokens(s, out);
        }
        Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect(x, out)),
        _ => {}
    }
}

/// Names in formula text: `` `a name` `` and runs of letters, digits, `_` and `.`.
fn tokens(s: &str, out: &mut Vec<String>) {
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '`' {
            let rest = &s[i + 1..];
            if let Some(end) = rest.find('`') {
                out.push(rest[..end].to_string());
                while chars.peek().is_some_and(|&(j, _)| j <= i + end + 1) {
                    chars.next();
                }
            }
        } else if is_name_char(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if !is_name_char(d) {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            out.push(s[i..end].to_string());
        }
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Column;
    use serde_json::json;

    #[test]
    fn finds_names_in_options_and_formulas_in_data_order() {
        let col = |n: &str| Column::numeric(n, vec![1.0]);
        let ds = Dataset::from_columns(
            ["city", "year", "lny", "GDP growth", "人均GDP", "x.1", "unused", "start"].into_iter().map(col).collect(),
        )
        .unwrap();
        let spec = json!({
            "formula": "lny ~ log(`GDP growth`) + i(year, 人均GDP) + x.1 | city",
            "unit": "city", "start": "start", "fe": "twoways", "reps": 99,
            "match": { "method": "nearest" }
        });
        assert_eq!(used_columns(&ds, &spec), ["city", "year", "lny", "GDP growth", "人均GDP", "x.1", "start"]);
        assert!(used_columns(&ds, &json!({ "y": "nothing" })).is_empty());
    }
}
