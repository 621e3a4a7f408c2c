//! Tiny CSV reader for the PSM fixtures (until the crate's loader lands):
//! header row, comma-separated, optional double quotes without embedded
//! commas, empty field = missing; a column is numeric if every non-empty
//! field parses as a number, text otherwise.

use quasi::{Column, Dataset};

pub fn read_csv(text: &str) -> Dataset {
    let unquote = |s: &str| s.trim().trim_matches('"').to_string();
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines.next().expect("header").split(',').map(unquote).collect();
    let mut cells: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    for line in lines {
        let fields: Vec<String> = line.split(',').map(unquote).collect();
        assert_eq!(fields.len(), header.len(), "ragged line: {line}");
        for (c, f) in cells.iter_mut().zip(fields) {
            c.push(f);
        }
    }
    let cols = header
        .into_iter()
        .zip(cells)
        .map(|(name, vals)| {
            let nums: Option<Vec<f64>> =
                vals.iter().map(|v| if v.is_empty() { Some(f64::NAN) } else { v.parse::<f64>().ok() }).collect();
            match nums {
                Some(n) => Column::numeric(name, n),
                None => Column::text(name, vals.into_iter().map(|v| if v.is_empty() { None } else { Some(v) }).collect()),
            }
        })
        .collect();
    Dataset::from_columns(cols).expect("dataset")
}
