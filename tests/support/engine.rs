//! Tiny CSV reader for the engine's tests (until the real loader lands):
//! split on ',', empty field = missing, a column with any non-numeric value is text.
#![allow(dead_code)]

use quasi::{Column, Dataset};

pub fn read_csv(text: &str) -> Dataset {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines.next().unwrap_or("").split(',').map(|s| s.trim().to_string()).collect();
    let mut fields: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    for line in lines {
        for (j, f) in line.split(',').enumerate() {
            if j < fields.len() {
                fields[j].push(f.trim().to_string());
            }
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
    Dataset::from_columns(cols).expect("valid test csv")
}

/// Relative difference, with an absolute floor for values near zero.
pub fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}
