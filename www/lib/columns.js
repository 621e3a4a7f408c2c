// Column kinds of the loaded dataset (kinds from the load report), shared by every panel.

/** Numeric for the engine: "numeric" or "integer" (a column of unknown kind counts as numeric). */
export const isNumericKind = (k) => k === undefined || k === "numeric" || k === "integer";

/** [{ name, kind }] of the loaded dataset. */
export function columnsOf(d) {
  const kinds = new Map((d?.report?.columns || []).map((c) => [c.name, c.kind]));
  return (d?.columns || []).map((name) => ({ name, kind: kinds.get(name) }));
}

/** Map name → kind. */
export const kindsOf = (d) => new Map(columnsOf(d).map((c) => [c.name, c.kind]));

/** Names of the numeric columns. */
export const numericColumns = (d) => columnsOf(d).filter((c) => isNumericKind(c.kind)).map((c) => c.name);

/** True when every non-missing value is 0 or 1 (and there is at least one). */
export function isZeroOne(values) {
  let n = 0;
  for (const v of values) {
    if (v === null || (typeof v === "number" && Number.isNaN(v))) continue;
    if (v !== 0 && v !== 1) return false;
    n++;
  }
  return n > 0;
}

/**
 * The first of `candidates` (numeric column names, in order of preference) whose values are
 * all 0/1, read through the worker; "" when none is. Stops at the first hit.
 */
export async function firstZeroOneColumn(ctx, candidates) {
  const d = ctx.dataset;
  for (const name of candidates) {
    const vals = await ctx.client.call("method", { handle: d.handle, method: "columnValues", args: [name] });
    if (ctx.dataset !== d) return "";
    if (vals && typeof vals !== "string" && isZeroOne(Array.from(vals))) return name;
  }
  return "";
}
