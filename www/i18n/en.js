// English catalogue. The page's strings are written in English in the code and are their
// own keys (www/i18n.js), so this file holds only the entries keyed by an id: the wording
// of the engine's error codes (the page shows the core's own message in English; these
// are the fallbacks) and of the diagnostics' codes.
export default {
  "error.empty_file": "The file is empty.",
  "error.binary": "This is not a text or spreadsheet file: {detail}",
  "error.no_header": "No header row found: {detail}",
  "error.duplicate_column": "Duplicate column name “{name}” (columns {first} and {second}).",
  "error.ragged_row": "Line {line} has {found} fields; the header has {expected}.",
  "error.parse": "The file could not be parsed: {message}",
  "error.parse_line": "The file could not be parsed at line {line}: {message}",
  "error.unknown_column": "Unknown column “{name}”.",
  "error.unknown_column_suggestion": "Unknown column “{name}”; did you mean “{suggestion}”?",
  "error.non_numeric": "Column “{column}” has {count} non-numeric values (e.g. “{value}”).",
  "error.non_numeric_line": "Column “{column}” has {count} non-numeric values (first on line {line}: “{value}”).",
  "error.formula": "Formula error at position {position} in “{formula}”: {message}",
  "error.invalid_argument": "Invalid argument: {message}",
  "error.insufficient_data": "Not enough data: {message}",
  "error.numerical": "Numerical problem: {message}",
  "error.cancelled": "Cancelled.",
  "error.too_large": "This file would need about {needed} GB of memory in the browser ({rows} rows × {columns} columns), more than the {limit} GB the engine can use; load fewer rows or columns (for example split the file by year, or drop the columns you do not use).",
  "error.not_in_this_build": "{what} is not in this build of Quasi's engine.",
  "中文 — switch the interface to Chinese": "中文 — switch the interface to Chinese",
};
