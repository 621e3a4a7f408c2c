// Engine errors and diagnostics in the interface's language. The core words its messages
// in English; errors reach the page with a stable `code` and their fields in `details`
// (www/client.js), diagnostics with a stable snake_case `code` (src/diagnostics.rs). In
// English the core's message is shown as it is; in Chinese the page words the error from
// its code and fields, and the common diagnostics from their code (else the English text).
import { t, isZh } from "../i18n.js";

const ERROR_TEXT = {
  empty_file: () => t("error.empty_file"),
  binary: (d) => t("error.binary", d),
  no_header: (d) => t("error.no_header", d),
  duplicate_column: (d) => t("error.duplicate_column", d),
  ragged_row: (d) => t("error.ragged_row", d),
  parse: (d) => (d.line ? t("error.parse_line", d) : t("error.parse", d)),
  unknown_column: (d) => (d.suggestion ? t("error.unknown_column_suggestion", d) : t("error.unknown_column", d)),
  non_numeric: (d) => (d.line ? t("error.non_numeric_line", d) : t("error.non_numeric", d)),
  formula: (d) => t("error.formula", d),
  invalid_argument: (d) => t("error.invalid_argument", d),
  insufficient_data: (d) => t("error.insufficient_data", d),
  numerical: (d) => t("error.numerical", d),
  cancelled: () => t("error.cancelled"),
  too_large: (d) => t("error.too_large", d),
  not_in_this_build: (d) => t("error.not_in_this_build", d),
};

// The fixed English messages of www/worker.js and www/client.js (which carry no code).
const KNOWN_MESSAGES = [
  [/^This dataset is no longer loaded; please load the file again\.$/, "This dataset is no longer loaded; please load the file again."],
  [/^A message from the worker could not be read\.$/, "A message from the worker could not be read."],
  [/^The computation worker failed to start: (.*)$/, "The computation worker failed to start: {detail}"],
  [/^The WebAssembly build \(pkg\/quasi\.js\) could not be loaded[^(]*\((.*)\)$/, "The WebAssembly build (pkg/quasi.js) could not be loaded — run “make build” first. ({detail})"],
];

/** The text of an error for the page: the core's message in English, a Chinese wording in Chinese. */
export function errorText(e) {
  if (e === null || e === undefined) return "";
  const message = typeof e === "object" ? String(e.message ?? "") : String(e);
  if (!isZh() || typeof e !== "object") return message;
  const f = e.code ? ERROR_TEXT[e.code] : null;
  if (f) return f(Object.fromEntries(Object.entries(e.details || {}).map(([k, v]) => [k, String(v ?? "")])));
  // Errors without a code: the worker's and the client's own fixed messages.
  for (const [re, key] of KNOWN_MESSAGES) {
    const m = re.exec(message);
    if (m) return t(key, { detail: m[1] ?? "" });
  }
  // The page's own errors are already in the page's language; others keep their text.
  return message;
}

/** The wording of a diagnostic (`{ code, message }`) or a plain note in the page's language. */
export function diagnosticText(d) {
  if (d === null || d === undefined) return "";
  if (typeof d !== "object") return String(d);
  const message = String(d.message ?? "");
  if (isZh() && d.code) {
    const key = `diag.${d.code}`;
    const s = t(key);
    if (s !== key) return s;
  }
  return message;
}

/** The original English message when the page shows its own wording of a diagnostic (else null). */
export function diagnosticOriginal(d) {
  if (!isZh() || !d || typeof d !== "object" || !d.code) return null;
  return diagnosticText(d) !== String(d.message ?? "") ? String(d.message ?? "") : null;
}
