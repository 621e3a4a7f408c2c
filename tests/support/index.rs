//! Tiny CSV reader for the index tests (the fixtures are plain: no quotes, empty
//! field = missing). A column whose non-empty fields all parse as numbers becomes
//! numeric, otherwise text. Replace with the crate's loader once it lands.

use quasi::data::{Column, Dataset};

pub fn read_csv(text: &str) -> Dataset {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines.next().expect("header").split(',').map(|s| s.trim().to_string()).collect();
    let mut fields: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    for line in lines {
        let parts: Vec<&str> = line.split(',').collect();
        assert_eq!(parts.len(), header.len(), "ragged line: {line}");
        for (j, p) in parts.iter().enumerate() {
            fields[j].push(p.trim().to_string());
        }
    }
    let cols = header
        .into_iter()
        .zip(fields)
        .map(|(name, vals)| {
            let numeric = vals.iter().all(|v| v.is_empty() || v.parse::<f64>().is_ok());
            if numeric {
                Column::numeric(name, vals.iter().map(|v| v.parse::<f64>().unwrap_or(f64::NAN)).collect())
            } else {
                Column::text(name, vals.into_iter().map(|v| if v.is_empty() { None } else { Some(v) }).collect())
            }
        })
        .collect();
    Dataset::from_columns(cols).expect("dataset")
}
