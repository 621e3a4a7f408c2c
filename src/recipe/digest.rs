//! The data fingerprint of a recipe: SHA-256 over the columns an analysis reads.
//!
//! Each column is hashed in a canonical binary form (name, kind, row count, values: numbers as
//! IEEE-754 bits with every missing value as one `NaN` pattern, text as length-prefixed UTF-8
//! with a marker for missing), and the data hash is the SHA-256 of those column digests in the
//! dataset's column order. The same table read from CSV or from Excel has the same hash;
//! columns the analysis does not read (say, one the page added) do not change it.

use sha2::{Digest, Sha256};

use crate::data::{Column, ColumnData, Dataset};

/// The canonical `NaN` written for every missing number.
const MISSING_BITS: u64 = 0x7ff8_0000_0000_0000;

/// SHA-256 of one column.
pub fn column_digest(col: &Column) -> [u8; 32] {
    let mut h = Sha256::new();
    put_bytes(&mut h, col.name.as_bytes());
    match &col.data {
        ColumnData::Numeric { values, .. } => {
            h.update(b"N");
            h.update((values.len() as u64).to_le_bytes());
            // In blocks, so the hasher sees large slices (a per-value update is several times slower).
            let mut buf = Vec::with_capacity(8 * 4096);
            for chunk in values.chunks(4096) {
                buf.clear();
                for &v in chunk {
                    let bits = if v.is_nan() { MISSING_BITS } else { v.to_bits() };
                    buf.extend_from_slice(&bits.to_le_bytes());
                }
                h.update(&buf);
            }
        }
        ColumnData::Text { values, .. } => {
            h.update(b"T");
            h.update((values.len() as u64).to_le_bytes());
            for v in values {
                match v {
                    None => h.update([0u8]),
                    Some(s) => {
                        h.update([1u8]);
                        put_bytes(&mut h, s.as_bytes());
                    }
                }
            }
        }
    }
    h.finalize().into()
}

fn put_bytes(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// The data hash (lower-case hex) of the named columns, taken in the dataset's order.
/// Column digests are cached in the dataset, so a second analysis of the same data is free.
pub fn data_sha256(ds: &Dataset, columns: &[String]) -> String {
    let mut h = Sha256::new();
    for col in ds.columns().iter().filter(|c| columns.contains(&c.name)) {
        h.update(ds.cached_digest(&col.name, || column_digest(col)));
    }
    hex(&h.finalize())
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(2 * bytes.len()), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds() -> Dataset {
        Dataset::from_columns(vec![
            Column::numeric("y", vec![1.0, f64::NAN, 3.5]),
            Column::text("city", vec![Some("北京".into()), None, Some("".into())]),
            Column::numeric("x", vec![0.0, -0.0, 2.0]),
        ])
        .unwrap()
    }

    #[test]
    fn sha256_of_nothing_is_the_known_value() {
        let empty = Dataset::from_columns(vec![]).unwrap();
        assert_eq!(data_sha256(&empty, &[]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn the_hash_sees_values_missingness_and_names_but_not_other_columns() {
        let a = ds();
        let used = vec!["y".to_string(), "city".to_string()];
        let h = data_sha256(&a, &used);
        assert_eq!(h.len(), 64);
        assert_eq!(h, data_sha256(&a, &used), "cached digest gives the same hash");
        // Another column does not matter.
        let mut b = ds();
        b.add_numeric("extra", vec![1.0, 2.0, 3.0]).unwrap();
        assert_eq!(h, data_sha256(&b, &used));
        // A changed value, a missing text versus an empty one, and a renamed column all do.
        let c = Dataset::from_columns(vec![
            Column::numeric("y", vec![1.0, f64::NAN, 3.25]),
            Column::text("city", vec![Some("北京".into()), None, Some("".into())]),
        ])
        .unwrap();
        assert_ne!(h, data_sha256(&c, &used));
        let d = Dataset::from_columns(vec![
            Column::numeric("y", vec![1.0, f64::NAN, 3.5]),
            Column::text("city", vec![Some("北京".into()), Some("".into()), Some("".into())]),
        ])
        .unwrap();
        assert_ne!(h, data_sha256(&d, &used));
        // Every NaN is the same missing value; -0.0 and 0.0 are different bits.
        let e = Dataset::from_columns(vec![Column::numeric("y", vec![1.0, -f64::NAN, 3.5])]).unwrap();
        let f = Dataset::from_columns(vec![Column::numeric("y", vec![1.0, f64::NAN, 3.5])]).unwrap();
        assert_eq!(data_sha256(&e, &["y".into()]), data_sha256(&f, &["y".into()]));
        assert_ne!(column_digest(&a.columns()[2]), column_digest(&Column::numeric("x", vec![0.0, 0.0, 2.0])));
    }
}
