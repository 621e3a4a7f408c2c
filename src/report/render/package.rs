//! The zip container of the Office Open XML packages (.docx, .xlsx): named XML parts,
//! deflated, in the given order, every entry dated 1980-01-01 00:00 (the zip epoch) with the
//! same permissions, so the same parts always give the same bytes.

use crate::error::{Error, Result};
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// The XML declaration every part starts with.
pub(super) const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// Zips `parts` (`(path inside the package, XML text)`) in order; `what` names the package
/// in an error ("Word", "Excel").
pub(super) fn package(parts: &[(&str, &str)], what: &str) -> Result<Vec<u8>> {
    let fail = |e: &dyn std::fmt::Display| Error::invalid(format!("could not write the {what} file: {e}"));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, xml) in parts {
        zip.start_file(*name, options).map_err(|e| fail(&e))?;
        zip.write_all(xml.as_bytes()).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn parts_round_trip_and_bytes_are_stable() {
        let parts = [("a.xml", "<a>中文 &amp;</a>"), ("dir/b.xml", "<b/>")];
        let bytes = package(&parts, "test").unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert_eq!(bytes, package(&parts, "test").unwrap(), "deterministic");
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(zip.len(), 2);
        let mut f = zip.by_name("a.xml").unwrap();
        assert_eq!(f.compression(), CompressionMethod::Deflated);
        assert_eq!(f.last_modified(), Some(DateTime::default()));
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(s, "<a>中文 &amp;</a>");
    }
}
