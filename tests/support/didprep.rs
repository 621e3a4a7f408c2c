//! Tiny CSV reader for the DID-design tests (the reference CSVs are simple: no quoting).
//! Empty field = missing; a column whose non-empty fields all parse as numbers is numeric,
//! otherwise text. Rows carry their 1-based file line (header = line 1).

use quasi::{Column, Dataset};

pub fn parse_csv(text: &str) -> Dataset {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().expect("header");
    let names: Vec<&str> = header.split(',').map(str::trim).collect();
    let mut fields: Vec<Vec<String>> = vec![Vec::new(); names.len()];
    let mut line_no = Vec::new();
    for (k, l) in lines {
        line_no.push(k as u64 + 1);
        let parts: Vec<&str> = l.split(',').collect();
        for (j, f) in fields.iter_mut().enumerate() {
            f.push(parts.get(j).map_or(String::new(), |s| s.trim().to_string()));
        }
    }
    let cols = names
        .iter()
        .zip(fields)
        .map(|(name, vals)| {
            let numeric = vals.iter().all(|v| v.is_empty() || v.parse::<f64>().is_ok());
            if numeric {
                Column::numeric(*name, vals.iter().map(|v| v.parse::<f64>().unwrap_or(f64::NAN)).collect())
            } else {
                Column::text(*name, vals.into_iter().map(|v| if v.is_empty() { None } else { Some(v) }).collect())
            }
        })
        .collect();
    Dataset::from_columns(cols).expect("columns").with_source_lines(line_no)
}
