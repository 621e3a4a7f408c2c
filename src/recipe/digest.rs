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

/// SHA-256 of one column: the hash of its [`canonical_bytes`], streamed in blocks.
pub fn column_digest(col: &Column) -> [u8; 32] {
    let mut h = Sha256::new();
    write_canonical(col, |bytes| h.update(bytes));
    h.finalize().into()
}

/// The byte stream [`column_digest`] hashes, whole (for a hasher outside the engine, such as
/// the browser's `crypto.subtle.digest`, whose result `Dataset::seed_digest` then takes).
pub fn canonical_bytes(col: &Column) -> Vec<u8> {
    let mut out = Vec::with_capacity(canonical_len(col));
    write_canonical(col, |bytes| out.extend_from_slice(bytes));
    out
}

/// The length of [`canonical_bytes`].
fn canonical_len(col: &Column) -> usize {
    let body = match &col.data {
        ColumnData::Numeric { values, .. } => 8 * values.len(),
        ColumnData::Text { values, .. } => values.iter().map(|v| v.as_ref().map_or(1, |s| 9 + s.len())).sum(),
    };
    8 + col.name.len() + 1 + 8 + body
}

/// The one writer of a column's canonical form: `put` receives it piece by piece (numbers in
/// blocks of 4096 values, so a hasher sees large slices and nothing holds the whole column).
fn write_canonical(col: &Column, mut put: impl FnMut(&[u8])) {
    put_bytes(&mut put, col.name.as_bytes());
    match &col.data {
        ColumnData::Numeric { values, .. } => {
            put(b"N");
            put(&(values.len() as u64).to_le_bytes());
            let mut buf = Vec::with_capacity(8 * 4096);
            for chunk in values.chunks(4096) {
                buf.clear();
                for &v in chunk {
                    let bits = if v.is_nan() { MISSING_BITS } else { v.to_bits() };
                    buf.extend_from_slice(&bits.to_le_bytes());
                }
                put(&buf);
            }
        }
        ColumnData::Text { values, .. } => {
            put(b"T");
            put(&(values.len() as u64).to_le_bytes());
            for v in values {
                match v {
                    None => put(&[0u8]),
                    Some(s) => {
                        put(&[1u8]);
                        put_bytes(&mut put, s.as_bytes());
                    }
                }
            }
        }
    }
}

fn put_bytes(put: &mut impl FnMut(&[u8]), bytes: &[u8]) {
    put(&(bytes.len() as u64).to_le_bytes());
    put(bytes);
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

    fn sha(bytes: &[u8]) -> [u8; 32] {
        Sha256::digest(bytes).into()
    }

    #[test]
    fn sha256_of_the_canonical_bytes_is_the_column_digest() {
        // Numbers with missing values (two NaN patterns), -0.0, and more than one 4096-value block.
        let mut many: Vec<f64> = (0..10_000).map(|i| i as f64 * 0.37 - 11.0).collect();
        many[3] = f64::NAN;
        many[4] = -f64::NAN;
        many[5] = -0.0;
        many[9_999] = f64::INFINITY;
        let integer = Column::numeric("年份", (0..5000).map(|i| (1990 + i % 30) as f64).collect());
        assert!(matches!(integer.data, ColumnData::Numeric { integer: true, .. }));
        let cols = [
            Column::numeric("y", many),
            Column::numeric("x", vec![0.0, -0.0, 2.0]),
            integer,
            Column::text("city", vec![Some("北京".into()), None, Some("".into()), Some("Zürich 🚲".into())]),
            Column::text("empty", vec![]),
        ];
        for col in &cols {
            let bytes = canonical_bytes(col);
            assert_eq!(bytes.len(), canonical_len(col), "{}", col.name);
            assert_eq!(sha(&bytes), column_digest(col), "{}", col.name);
        }
        // The form itself: name, kind, count, then values.
        let b = canonical_bytes(&cols[1]);
        assert_eq!(&b[..9], &[1, 0, 0, 0, 0, 0, 0, 0, b'x']);
        assert_eq!(b[9], b'N');
        assert_eq!(&b[10..18], &3u64.to_le_bytes());
        assert_eq!(&b[26..34], &(-0.0f64).to_bits().to_le_bytes());
        let t = canonical_bytes(&cols[3]);
        assert_eq!(t[12], b'T');
        // NaN of either sign is the one missing pattern.
        let y = canonical_bytes(&cols[0]);
        let at = |i: usize| &y[9 + 1 + 8 + 8 * i..9 + 1 + 8 + 8 * (i + 1)];
        assert_eq!(at(3), &MISSING_BITS.to_le_bytes());
        assert_eq!(at(4), &MISSING_BITS.to_le_bytes());
    }

    #[test]
    fn a_seeded_digest_is_what_the_data_hash_uses() {
        let a = ds();
        let used = vec!["y".to_string(), "city".to_string()];
        let computed = data_sha256(&a, &used);
        // Seeding the true digests (as the page does from the canonical bytes) gives the same hash.
        let b = ds();
        for name in &used {
            b.seed_digest(name, sha(&canonical_bytes(b.column(name).unwrap()))).unwrap();
        }
        assert_eq!(data_sha256(&b, &used), computed);
        // A seeded digest is used as is, without hashing the column again.
        let c = ds();
        c.seed_digest("y", [7u8; 32]).unwrap();
        assert_ne!(data_sha256(&c, &used), computed);
        let mut expect = Sha256::new();
        expect.update([7u8; 32]);
        expect.update(column_digest(c.column("city").unwrap()));
        assert_eq!(data_sha256(&c, &used), hex(&expect.finalize()));
        // Replacing the column forgets the seed.
        let mut d = c.clone();
        d.add_numeric("y", vec![1.0, f64::NAN, 3.5]).unwrap();
        assert_eq!(data_sha256(&d, &used), computed);
        // Only an existing column, by its exact name.
        let e = ds();
        assert_eq!(e.seed_digest("nope", [0u8; 32]).unwrap_err().code(), "unknown_column");
        assert_eq!(e.seed_digest(" y", [0u8; 32]).unwrap_err().code(), "unknown_column");
        assert_eq!(data_sha256(&e, &used), computed);
    }
}
