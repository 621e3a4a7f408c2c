// Column names in formulas. One rule for every panel that writes a formula.
//
// quoteName mirrors the Rust formula parser's rule (the wasm function `quoteName` is being
// added to the engine; until then this is the page's single copy): a name is written bare
// when it matches /^[A-Za-z_.][A-Za-z0-9_.]*$/ with Unicode letters and digits allowed
// (so 城市 and lnHDQ are bare), and back-quoted otherwise (`GDP growth`, `1st`). A name
// containing a back-quote cannot be written in a formula and is refused.

const BARE = /^[\p{L}_.][\p{L}\p{N}_.]*$/u;

/** The name as a formula term: bare, or `back-quoted`; throws for a name with a back-quote. */
export function quoteName(name) {
  const s = String(name);
  if (BARE.test(s)) return s;
  if (s.includes("`")) throw new Error(`The column name “${s}” contains a back-quote and cannot be used in a formula; rename it.`);
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
