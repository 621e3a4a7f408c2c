//! The one error type of the crate.
//!
//! Modelled on rust-csv: `Error` is a thin box around an [`ErrorKind`] whose
//! variants carry what a user needs to find the problem (column names, line
//! numbers, positions in a formula). Messages are written for an analyst, not
//! for a programmer: `column \`pgdp\` has 3 non-numeric values, first at line 17`.
//!
//! Non-fatal events (dropped singletons, collinear terms, unmatched units…)
//! are *not* errors: they go into the `diagnostics` list of a result.

use std::fmt;

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// An error from Quasi. Cheap to move (one pointer); inspect with [`Error::kind`].
#[derive(Debug, Clone, PartialEq)]
pub struct Error(Box<ErrorKind>);

/// What went wrong.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input has no bytes, or only whitespace.
    EmptyFile,
    /// The file does not look like text or a spreadsheet.
    Binary { detail: String },
    /// The header row is missing or unusable.
    NoHeader { detail: String },
    /// Two columns share a name.
    DuplicateColumn { name: String, first: usize, second: usize },
    /// A data row has a different number of fields from the header.
    RaggedRow { line: u64, found: usize, expected: usize },
    /// A lower-level CSV/encoding/Excel problem, with its position if known.
    Parse { line: Option<u64>, message: String },
    /// A column name that the dataset does not have.
    UnknownColumn { name: String, suggestion: Option<String> },
    /// A column used as a number holds text.
    NonNumeric { column: String, count: usize, first_line: Option<u64>, first_value: String },
    /// A formula that cannot be parsed; `position` is a 0-based character offset.
    Formula { formula: String, position: usize, message: String },
    /// An option or argument that is invalid (message says which and why).
    InvalidArgument { message: String },
    /// The data do not allow the requested computation.
    InsufficientData { message: String },
    /// A numerical failure (singular system, no convergence where it is fatal).
    Numerical { message: String },
    /// The user cancelled a long job.
    Cancelled,
    /// A capability left out of this build (the page's lean engine: see the `full` feature);
    /// `what` names it (an analysis kind, "excel", "encoding", "docx"…).
    NotInThisBuild { what: String },
    /// A streamed file that must be read whole instead (the page then does so); `reason` says why.
    NeedsWholeFile { reason: String },
    /// A file whose columns would not fit in the engine's memory (estimated before reading it).
    TooLarge { needed: u64, limit: u64, rows: u64, columns: usize },
}

impl Error {
    /// Wraps a kind.
    pub fn new(kind: ErrorKind) -> Error {
        Error(Box::new(kind))
    }
    /// A stable, snake_case code for the kind of error (`unknown_column`, `non_numeric`, …),
    /// so that an interface can show its own wording (the page's Chinese messages).
    pub fn code(&self) -> &'static str {
        match &*self.0 {
            ErrorKind::EmptyFile => "empty_file",
            ErrorKind::Binary { .. } => "binary",
            ErrorKind::NoHeader { .. } => "no_header",
            ErrorKind::DuplicateColumn { .. } => "duplicate_column",
            ErrorKind::RaggedRow { .. } => "ragged_row",
            ErrorKind::Parse { .. } => "parse",
            ErrorKind::UnknownColumn { .. } => "unknown_column",
            ErrorKind::NonNumeric { .. } => "non_numeric",
            ErrorKind::Formula { .. } => "formula",
            ErrorKind::InvalidArgument { .. } => "invalid_argument",
            ErrorKind::InsufficientData { .. } => "insufficient_data",
            ErrorKind::Numerical { .. } => "numerical",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::NotInThisBuild { .. } => "not_in_this_build",
            ErrorKind::TooLarge { .. } => "too_large",
            ErrorKind::NeedsWholeFile { .. } => "needs_whole_file",
        }
    }
    /// The error's fields by name (`name`, `suggestion`, `column`, `count`, `line`, …) as text,
    /// for an interface that words the message itself.
    pub fn details(&self) -> Vec<(&'static str, String)> {
        let opt = |v: &Option<u64>| v.map(|x| x.to_string()).unwrap_or_default();
        match &*self.0 {
            ErrorKind::EmptyFile | ErrorKind::Cancelled => vec![],
            ErrorKind::Binary { detail } | ErrorKind::NoHeader { detail } => vec![("detail", detail.clone())],
            ErrorKind::DuplicateColumn { name, first, second } => {
                vec![("name", name.clone()), ("first", (first + 1).to_string()), ("second", (second + 1).to_string())]
            }
            ErrorKind::RaggedRow { line, found, expected } => {
                vec![("line", line.to_string()), ("found", found.to_string()), ("expected", expected.to_string())]
            }
            ErrorKind::Parse { line, message } => vec![("line", opt(line)), ("message", message.clone())],
            ErrorKind::UnknownColumn { name, suggestion } => {
                vec![("name", name.clone()), ("suggestion", suggestion.clone().unwrap_or_default())]
            }
            ErrorKind::NonNumeric { column, count, first_line, first_value } => vec![
                ("column", column.clone()),
                ("count", count.to_string()),
                ("line", opt(first_line)),
                ("value", first_value.clone()),
            ],
            ErrorKind::Formula { formula, position, message } => {
                vec![("formula", formula.clone()), ("position", (position + 1).to_string()), ("message", message.clone())]
            }
            ErrorKind::InvalidArgument { message }
            | ErrorKind::InsufficientData { message }
            | ErrorKind::Numerical { message } => vec![("message", message.clone())],
            ErrorKind::NotInThisBuild { what } => vec![("what", what.clone())],
            ErrorKind::NeedsWholeFile { reason } => vec![("reason", reason.clone())],
            ErrorKind::TooLarge { needed, limit, rows, columns } => vec![
                ("needed", gib(*needed)),
                ("limit", gib(*limit)),
                ("rows", rows.to_string()),
                ("columns", columns.to_string()),
            ],
        }
    }
    /// The kind of error.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }
    /// Consumes the error, returning its kind.
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }
    /// Shorthand for [`ErrorKind::InvalidArgument`].
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidArgument { message: message.into() })
    }
    /// Shorthand for [`ErrorKind::InsufficientData`].
    pub fn insufficient(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InsufficientData { message: message.into() })
    }
    /// Shorthand for [`ErrorKind::Numerical`].
    pub fn numerical(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Numerical { message: message.into() })
    }
    /// Shorthand for [`ErrorKind::Parse`].
    pub fn parse(line: Option<u64>, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Parse { line, message: message.into() })
    }
    /// Shorthand for [`ErrorKind::Formula`].
    pub fn formula(formula: &str, position: usize, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Formula { formula: formula.to_string(), position, message: message.into() })
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        Error::new(kind)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            ErrorKind::EmptyFile => write!(f, "the file is empty"),
            ErrorKind::Binary { detail } => write!(f, "this does not look like a CSV or Excel file: {detail}"),
            ErrorKind::NoHeader { detail } => write!(f, "no usable header row: {detail}"),
            ErrorKind::DuplicateColumn { name, first, second } => write!(
                f,
                "duplicate column name `{name}` (columns {} and {})",
                first + 1,
                second + 1
            ),
            ErrorKind::RaggedRow { line, found, expected } => {
                write!(f, "line {line} has {found} fields, header has {expected}")
            }
            ErrorKind::Parse { line: Some(l), message } => write!(f, "line {l}: {message}"),
            ErrorKind::Parse { line: None, message } => write!(f, "{message}"),
            ErrorKind::UnknownColumn { name, suggestion: Some(s) } => {
                write!(f, "unknown column `{name}` (did you mean `{s}`?)")
            }
            ErrorKind::UnknownColumn { name, suggestion: None } => write!(f, "unknown column `{name}`"),
            ErrorKind::NonNumeric { column, count, first_line, first_value } => {
                let plural = if *count == 1 { "value" } else { "values" };
                match first_line {
                    Some(l) => write!(
                        f,
                        "column `{column}` has {count} non-numeric {plural}, first at line {l} (`{first_value}`)"
                    ),
                    None => write!(f, "column `{column}` has {count} non-numeric {plural}, first `{first_value}`"),
                }
            }
            ErrorKind::Formula { formula, position, message } => {
                write!(f, "formula error at position {}: {message}\n  {formula}\n  {}^", position + 1, " ".repeat(*position))
            }
            ErrorKind::InvalidArgument { message } => write!(f, "{message}"),
            ErrorKind::InsufficientData { message } => write!(f, "{message}"),
            ErrorKind::Numerical { message } => write!(f, "{message}"),
            ErrorKind::Cancelled => write!(f, "cancelled"),
            ErrorKind::TooLarge { needed, limit, rows, columns } => write!(
                f,
                "this file would need about {} GB of memory in the browser ({rows} rows × {columns} columns), more than the {} GB \
                 the engine can use; load fewer rows or columns (for example split the file by year, or drop the columns you do not use)",
                gib(*needed),
                gib(*limit)
            ),
            ErrorKind::NeedsWholeFile { reason } => write!(f, "{}: {reason}", crate::data::NEEDS_WHOLE_FILE),
            ErrorKind::NotInThisBuild { what } => {
                write!(f, "{what} is not in this build of Quasi's engine (the full build, pkg/, has it)")
            }
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_problem() {
        let e = Error::new(ErrorKind::RaggedRow { line: 17, found: 9, expected: 11 });
        assert_eq!(e.to_string(), "line 17 has 9 fields, header has 11");
        let e = Error::new(ErrorKind::NonNumeric {
            column: "pgdp".into(),
            count: 3,
            first_line: Some(17),
            first_value: "n.a.".into(),
        });
        assert_eq!(e.to_string(), "column `pgdp` has 3 non-numeric values, first at line 17 (`n.a.`)");
        let e = Error::formula("y ~ x +", 7, "expected a term");
        assert!(e.to_string().starts_with("formula error at position 8: expected a term"));
        assert_eq!(e.code(), "formula");
        assert!(e.details().contains(&("position", "8".to_string())));
    }
}

/// Bytes as GB (10⁹) with one decimal, for messages.
fn gib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e9)
}
