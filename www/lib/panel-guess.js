// The one guess of a dataset's unit and time columns from their names (and kinds),
// used wherever the page pre-selects them. A guess only pre-fills a control; the user
// always sees and can change it.

/** Names that usually hold the unit (tried in order; the first pattern that matches a column wins). */
export const UNIT_PATTERNS = [/^(id|unit|city|county|province|state|country|firm|region|code)$/i, /(^|_)id$/i, /城市|地级市|省份|省|地区|县|企业|公司|代码|编号/];
/** Names that usually hold the time. */
export const TIME_PATTERNS = [/^(year|yr|time|period|date|t|month|quarter)$/i, /year/i, /年份|年度|^年$|时间|期间/];

function byPatterns(names, patterns) {
  for (const re of patterns) {
    const hit = names.find((n) => re.test(n));
    if (hit) return hit;
  }
  return "";
}

/** The unit column whose name matches a unit pattern, or "" when none does. */
export function matchUnit(names) {
  return byPatterns(names, UNIT_PATTERNS);
}

/** The time column whose name matches a time pattern, or "" when none does. */
export function matchTime(names) {
  return byPatterns(names, TIME_PATTERNS);
}

/** A unit column: a name match, else the first text column, else the first column. `kinds`: Map name → kind. */
export function guessUnit(names, kinds = new Map()) {
  return matchUnit(names) || (names.find((n) => kinds.get(n) === "text") ?? names[0] ?? "");
}

/** A time column: a name match, else the first integer column, else the second (or first) column. */
export function guessTime(names, kinds = new Map()) {
  return matchTime(names) || (names.find((n) => kinds.get(n) === "integer") ?? names[1] ?? names[0] ?? "");
}

/** True when the name looks like a time (year, period, 年份, ftz_year …): never a default outcome. */
export function looksLikeTime(name) {
  return TIME_PATTERNS.some((re) => re.test(name));
}
