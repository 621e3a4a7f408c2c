//! Missing-value tokens and field trimming (the rules: see the parent module's "Values").

/// The default missing-value tokens (compared ASCII case-insensitively after trimming).
/// Besides the R/pandas/Stata spellings this covers statistical-yearbook and Excel
/// conventions: `..`/`...`/`n.a.` (OECD, World Bank, yearbooks), dashes `—` `–` `－` `--`,
/// and Excel error values (`#DIV/0!`, `#VALUE!`, `#REF!`, `#NAME?`, `#NUM!`, `#NULL!`).
pub const DEFAULT_MISSING: &[&str] = &[
    "", "NA", "N/A", "NaN", ".", "null", "-", "#N/A", "..", "...", "n.a.", "n.a", "--", "\u{2014}", "\u{2013}",
    "\u{FF0D}", "\u{2014}\u{2014}", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!",
];

/// A set of missing-value tokens.
#[derive(Debug, Clone)]
pub struct MissingSet {
    tokens: Vec<Vec<u8>>,
    max_len: usize,
    /// Lower-cased first bytes of the tokens (a quick rejection of most fields).
    first: [bool; 256],
    has_empty: bool,
}

impl MissingSet {
    /// Builds the set (tokens are trimmed and lower-cased).
    pub fn new<S: AsRef<str>>(tokens: &[S]) -> MissingSet {
        let tokens: Vec<Vec<u8>> =
            tokens.iter().map(|t| t.as_ref().trim().to_ascii_lowercase().into_bytes()).collect();
        let max_len = tokens.iter().map(Vec::len).max().unwrap_or(0);
        let mut first = [false; 256];
        for t in &tokens {
            if let Some(&c) = t.first() {
                first[usize::from(c.to_ascii_lowercase())] = true;
                first[usize::from(c.to_ascii_uppercase())] = true;
            }
        }
        let has_empty = tokens.iter().any(Vec::is_empty);
        MissingSet { tokens, max_len, first, has_empty }
    }
    /// The default set.
    pub fn default_set() -> MissingSet {
        MissingSet::new(DEFAULT_MISSING)
    }
    /// The tokens (trimmed, lower-cased).
    pub fn tokens(&self) -> impl Iterator<Item = &[u8]> {
        self.tokens.iter().map(Vec::as_slice)
    }

    /// True when the trimmed field is a missing token.
    #[inline]
    pub fn is_missing(&self, trimmed: &[u8]) -> bool {
        match trimmed.first() {
            None => return self.has_empty,
            Some(&c) if !self.first[usize::from(c)] || trimmed.len() > self.max_len => return false,
            _ => {}
        }
        self.tokens.iter().any(|t| t.eq_ignore_ascii_case(trimmed))
    }
}

/// Removes leading and trailing whitespace: ASCII, and the no-break space U+00A0
/// and ideographic (full-width) space U+3000 that Excel and Chinese exports leave.
#[inline]
pub fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    let mut t = &b[start..end.max(start)];
    // Slow path only when a non-ASCII byte sits at either end.
    while t.first().is_some_and(|&c| c >= 0x80) || t.last().is_some_and(|&c| c >= 0x80) {
        let before = t.len();
        for sp in [&[0xC2u8, 0xA0][..], &[0xE3, 0x80, 0x80][..]] {
            while let Some(r) = t.strip_prefix(sp) {
                t = r;
            }
            while let Some(r) = t.strip_suffix(sp) {
                t = r;
            }
        }
        let s = t.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(t.len());
        let e = t.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(s, |e| e + 1);
        t = &t[s..e.max(s)];
        if t.len() == before {
            break;
        }
    }
    t
}
