//! A dataset's columns as one compact byte string, read back exactly: how the page hands
//! the columns an analysis reads to the other workers of a replication pool (or to another
//! WebAssembly instance) without re-parsing the file.
//!
//! Layout (little-endian): `QSNP`, format version (u32), rows (u64), source lines flag (u8)
//! and one u64 per row, columns (u32); per column its name, a kind byte and the values:
//! numeric — integer flag (u8), then the f64 bits of every row (NaN = missing); text — per
//! row a u32 length (`u32::MAX` = missing) and the UTF-8 bytes, then the strays record.
//! A snapshot is read back into a dataset equal to the one written (same names, kinds,
//! values bit for bit, source lines), so analyses and recipe hashes agree.

use super::dataset::{Column, ColumnData, Dataset, Strays};
use crate::{Error, ErrorKind, Result};

const MAGIC: &[u8; 4] = b"QSNP";
const VERSION: u32 = 1;
const MISSING: u32 = u32::MAX;

impl Dataset {
    /// The named columns (all when `columns` is `None`), in that order, as a snapshot.
    pub fn to_snapshot(&self, columns: Option<&[String]>) -> Result<Vec<u8>> {
        let chosen: Vec<&Column> = match columns {
            None => self.columns().iter().collect(),
            Some(names) => names.iter().map(|n| self.column(n)).collect::<Result<_>>()?,
        };
        let mut out = Vec::with_capacity(16 + self.nrows() * (8 + 8 * chosen.len()));
        out.extend_from_slice(MAGIC);
        put_u32(&mut out, VERSION);
        put_u64(&mut out, self.nrows() as u64);
        let lines: Option<Vec<u64>> = (0..self.nrows()).map(|i| self.source_line(i)).collect();
        match lines.filter(|_| self.nrows() > 0) {
            Some(lines) => {
                out.push(1);
                lines.iter().for_each(|&l| put_u64(&mut out, l));
            }
            None => out.push(0),
        }
        put_u32(&mut out, chosen.len() as u32);
        for col in chosen {
            put_str(&mut out, &col.name);
            write_column(&mut out, &col.data);
        }
        Ok(out)
    }

    /// Reads a snapshot written by [`Dataset::to_snapshot`].
    pub fn from_snapshot(bytes: &[u8]) -> Result<Dataset> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(4)? != MAGIC {
            return Err(bad("it does not start with the snapshot marker"));
        }
        let version = r.u32()?;
        if version != VERSION {
            return Err(bad(&format!("format version {version}; this Quasi reads version {VERSION}")));
        }
        let nrows = r.len_u64()?;
        let lines = match r.u8()? {
            0 => None,
            _ => Some((0..nrows).map(|_| r.u64()).collect::<Result<Vec<u64>>>()?),
        };
        let ncols = r.u32()? as usize;
        let mut columns = Vec::with_capacity(ncols.min(4096));
        for _ in 0..ncols {
            let name = r.string()?;
            columns.push(Column { name, data: read_column(&mut r, nrows)? });
        }
        if r.at != bytes.len() {
            return Err(bad("it has bytes after the last column"));
        }
        let ds = Dataset::from_columns(columns)?;
        if ds.ncols() == 0 && nrows > 0 {
            return Err(bad("it has rows but no column"));
        }
        Ok(match lines {
            Some(lines) => ds.with_source_lines(lines),
            None => ds,
        })
    }
}

fn write_column(out: &mut Vec<u8>, data: &ColumnData) {
    match data {
        ColumnData::Numeric { values, integer } => {
            out.push(0);
            out.push(u8::from(*integer));
            for v in values {
                out.extend_from_slice(&v.to_bits().to_le_bytes());
            }
        }
        ColumnData::Text { values, strays } => {
            out.push(1);
            for v in values {
                match v {
                    Some(s) => put_str(out, s),
                    None => put_u32(out, MISSING),
                }
            }
            match strays {
                Some(s) => {
                    out.push(1);
                    put_u64(out, s.count as u64);
                    put_u64(out, s.first_row as u64);
                    put_str(out, &s.first_value);
                }
                None => out.push(0),
            }
        }
    }
}

fn read_column(r: &mut Reader<'_>, nrows: usize) -> Result<ColumnData> {
    match r.u8()? {
        0 => {
            let integer = r.u8()? != 0;
            let raw = r.take(nrows.checked_mul(8).ok_or_else(|| bad("it is too large"))?)?;
            let values = raw.chunks_exact(8).map(|b| f64::from_bits(u64::from_le_bytes(eight(b)))).collect();
            Ok(ColumnData::Numeric { values, integer })
        }
        1 => {
            let mut values = Vec::with_capacity(nrows.min(r.remaining() / 4));
            for _ in 0..nrows {
                let len = r.u32()?;
                values.push(if len == MISSING { None } else { Some(r.utf8(len as usize)?) });
            }
            let strays = match r.u8()? {
                0 => None,
                _ => Some(Strays { count: r.len_u64()?, first_row: r.len_u64()?, first_value: r.string()? }),
            };
            Ok(ColumnData::Text { values, strays })
        }
        k => Err(bad(&format!("unknown column kind {k}"))),
    }
}

fn bad(why: &str) -> Error {
    Error::new(ErrorKind::InvalidArgument { message: format!("not a Quasi dataset snapshot: {why}") })
}

fn eight(b: &[u8]) -> [u8; 8] {
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    a
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(bad("it ends too early"));
        }
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(eight(self.take(8)?)))
    }
    fn len_u64(&mut self) -> Result<usize> {
        usize::try_from(self.u64()?).map_err(|_| bad("a length does not fit in memory"))
    }
    fn utf8(&mut self, n: usize) -> Result<String> {
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| bad("a text value is not UTF-8"))
    }
    fn string(&mut self) -> Result<String> {
        let n = self.u32()? as usize;
        self.utf8(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Dataset {
        let text = Column {
            name: "city 城市".into(),
            data: ColumnData::Text {
                values: vec![Some("上海".into()), None, Some(String::new()), Some("x".into())],
                strays: Some(Strays { count: 1, first_row: 3, first_value: "x".into() }),
            },
        };
        Dataset::from_columns(vec![
            Column::numeric("y", vec![1.5, f64::NAN, -0.0, 1e300]),
            Column::numeric("id", vec![1.0, 2.0, 3.0, 4.0]),
            text,
        ])
        .unwrap()
        .with_source_lines(vec![2, 3, 5, 6])
    }

    fn same(a: &Dataset, b: &Dataset) {
        assert_eq!(a.column_names(), b.column_names());
        assert_eq!(a.nrows(), b.nrows());
        for (x, y) in a.columns().iter().zip(b.columns()) {
            assert_eq!(x.kind(), y.kind());
            match (&x.data, &y.data) {
                (ColumnData::Numeric { values: u, .. }, ColumnData::Numeric { values: v, .. }) => {
                    assert!(u.iter().zip(v).all(|(p, q)| p.to_bits() == q.to_bits()))
                }
                _ => assert_eq!(x, y),
            }
        }
        for i in 0..a.nrows() {
            assert_eq!(a.source_line(i), b.source_line(i));
        }
    }

    #[test]
    fn round_trip_is_exact() {
        let ds = sample();
        same(&ds, &Dataset::from_snapshot(&ds.to_snapshot(None).unwrap()).unwrap());
    }

    #[test]
    fn chosen_columns_in_order() {
        let ds = sample();
        let names = vec!["city 城市".to_string(), "y".to_string()];
        let back = Dataset::from_snapshot(&ds.to_snapshot(Some(&names)).unwrap()).unwrap();
        assert_eq!(back.column_names(), names);
        assert!(ds.to_snapshot(Some(&["nope".to_string()])).is_err());
    }

    #[test]
    fn truncated_or_foreign_bytes_are_errors_not_panics() {
        let bytes = sample().to_snapshot(None).unwrap();
        for n in 0..bytes.len() {
            assert!(Dataset::from_snapshot(&bytes[..n]).is_err(), "prefix {n}");
        }
        assert!(Dataset::from_snapshot(b"PK\x03\x04 not a snapshot").is_err());
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(Dataset::from_snapshot(&extra).is_err());
    }
}
