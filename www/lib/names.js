import { t } from "../i18n.js";
// Column names in formulas. One rule for every panel that writes a formula.
//
// quoteName is the engine's rule (Rust `formula::quote_name`, exported by the wasm module as
// `quasi.quoteName`), mirrored here because the page's main thread does not load the engine
// (it runs in the worker); e2e/names.test.mjs checks that both agree on awkward names. A name
// is written bare when it reads back as one plain name — letters, digits, `_` and `.`, not
// starting with a digit or with `.digit` (so 城市 and lnHDQ are bare) — and back-quoted
// otherwise (`GDP growth`, `1st`, `.5`). A blank name, or one containing a back-quote,
// cannot be written in a formula and is refused.

const BARE = /^(?:[\p{Alphabetic}_]|\.(?![0-9]))[\p{Alphabetic}\p{N}_.]*$/u;

/** The name as a formula term: bare, or `back-quoted`; throws for a name that cannot be quoted. */
export function quoteName(name) {
  const s = String(name);
  if (BARE.test(s)) return s;
  if (s.includes("`")) throw new Error(t("The column name “{name}” contains a back-quote and cannot be used in a formula; rename it.", { name: s }));
  if (s.trim() === "") throw new Error(t("A blank column name cannot be used in a formula; name the column."));
  return `\`${s}\``;
}

/** True when the name can be used in a formula at all. */
export const quotable = (name) => !String(name).includes("`");

/** Splits a formula at `sep` where it stands outside parentheses and back-quoted names. */
export function splitTopLevel(s, sep) {
  const parts = [];
  let depth = 0;
  let quoted = false;
  let cur = "";
  for (const c of s) {
    if (c === "`") quoted = !quoted;
    else if (!quoted && c === "(") depth++;
    else if (!quoted && c === ")") depth = Math.max(0, depth - 1);
    if (c === sep && depth === 0 && !quoted) {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}
