// The page's one renderer of the core's ResultTable (the `tables` of every result):
// resultTableElement(table) builds a <table> with el() only (every string is a text
// node), numbers keep their full precision in data-value, estimates carry stars and,
// on a second line, the standard error in parentheses. Exports never re-run anything:
// tableExports(table, client) asks the engine's renderTable for CSV / Markdown /
// LaTeX / HTML / text of the same object.
import { el, downloadText } from "../dom.js";

const STARS = [
  [0.01, "***"],
  [0.05, "**"],
  [0.1, "*"],
];

/** Stars for a p-value (* p<0.1, ** p<0.05, *** p<0.01), as the core's renderer. */
export function starsFor(p) {
  if (typeof p !== "number" || !Number.isFinite(p)) return "";
  for (const [level, s] of STARS) if (p < level) return s;
  return "";
}

/**
 * A number with `digits` decimals; a non-zero number that would show as zero gets
 * `digits` significant digits instead (the core's fmt_num); NaN → "NA".
 */
export function fmtNum(x, digits) {
  if (typeof x !== "number" || Number.isNaN(x)) return "NA";
  if (!Number.isFinite(x)) return x > 0 ? "Inf" : "-Inf";
  const s = x.toFixed(digits);
  const zero = /^-?[0.]*$/.test(s);
  if (x !== 0 && zero) {
    const mag = Math.ceil(-Math.log10(Math.abs(x)));
    return x.toFixed(Math.min(mag + Math.max(digits, 1) - 1, 12));
  }
  return zero ? (0).toFixed(digits) : s;
}

/** A formatted number for the screen: a true minus sign, as the page's other tables. */
const minus = (s) => s.replace(/^-/, "\u2212");

function cellText(cell, { yes = "Yes", no = "No" } = {}) {
  switch (cell?.kind) {
    case "text": return cell.text;
    case "number": return minus(fmtNum(cell.value, cell.digits));
    case "integer": return minus(String(cell.value));
    case "yes_no": return cell.value ? yes : no;
    case "estimate": return minus(fmtNum(cell.estimate, cell.digits)) + starsFor(cell.p_value);
    default: return "";
  }
}

function fullValue(cell) {
  if (cell?.kind === "number" || cell?.kind === "integer") return cell.value;
  if (cell?.kind === "estimate") return cell.estimate;
  return undefined;
}

const ALIGN = { left: "align-left", center: "align-center", right: "num" };

/**
 * The table as DOM: caption, column groups, header, header rows, body rows (a rule
 * above rows flagged rule_above), estimate rows followed by their SE line, notes in
 * the <tfoot>. `options`: { className, yes, no, id }.
 */
export function resultTableElement(table, { className = "data-table paper-table", yes, no, id } = {}) {
  const cols = table.columns || [];
  const t = el("table", { class: className, id: id ?? null, "data-table-id": table.id });
  if (table.title) t.append(el("caption", {}, table.title));
  const thead = el("thead");
  if (table.column_groups?.length) {
    const tr = el("tr");
    let j = 0;
    while (j < cols.length) {
      const g = table.column_groups.find((x) => x.first === j);
      if (g) {
        tr.append(el("th", { scope: "colgroup", colspan: String(g.span), class: "group" }, g.label));
        j += g.span;
      } else {
        tr.append(el("th"));
        j += 1;
      }
    }
    thead.append(tr);
  }
  thead.append(el("tr", {}, cols.map((c) => el("th", { scope: "col", class: ALIGN[c.align] }, c.label))));
  const tbody = el("tbody");
  let inHeader = true;
  for (const row of table.rows || []) {
    const header = inHeader && row.kind === "header";
    inHeader = header;
    const tr = el("tr", { class: [row.rule_above && "rule-above", header && "header-row"] });
    row.cells.forEach((cell, j) => {
      const stub = j === 0;
      const td = el(stub || header ? "th" : "td", { scope: stub ? "row" : null, class: stub ? null : ALIGN[cols[j]?.align] });
      td.textContent = cellText(cell, { yes, no });
      const v = fullValue(cell);
      if (typeof v === "number" && Number.isFinite(v)) td.dataset.value = String(v);
      if (cell?.kind === "estimate") {
        td.dataset.se = String(cell.std_error);
        td.dataset.p = String(cell.p_value);
      }
      tr.append(td);
    });
    (header ? thead : tbody).append(tr);
    if (row.cells.some((c) => c?.kind === "estimate")) {
      tbody.append(el("tr", { class: "se-row" }, row.cells.map((cell, j) => {
        const td = el("td", { class: j === 0 ? null : ALIGN[cols[j]?.align] });
        if (cell?.kind === "estimate") {
          td.textContent = `(${fmtNum(cell.std_error, cell.digits)})`;
          td.dataset.value = String(cell.std_error);
        }
        return td;
      })));
    }
  }
  t.append(thead, tbody);
  const notes = [];
  if ((table.rows || []).some((r) => r.cells.some((c) => c?.kind === "estimate"))) {
    notes.push("Standard errors in parentheses. * p<0.1, ** p<0.05, *** p<0.01");
  }
  notes.push(...(table.notes || []));
  if (notes.length) {
    t.append(el("tfoot", {}, notes.map((n) => el("tr", {}, el("td", { colspan: String(cols.length), class: "table-note" }, n)))));
  }
  return t;
}

const FORMATS = [
  { format: "csv", label: "CSV", ext: "csv", mime: "text/csv;charset=utf-8" },
  { format: "markdown", label: "Markdown", ext: "md", mime: "text/markdown;charset=utf-8" },
  { format: "latex", label: "LaTeX", ext: "tex", mime: "text/x-tex;charset=utf-8" },
  { format: "html", label: "HTML (Word)", ext: "html", mime: "text/html;charset=utf-8" },
  { format: "text", label: "Text", ext: "txt", mime: "text/plain;charset=utf-8" },
];

/** Renders a table in the engine (no re-run): { format, ... } → text. */
export function renderTableText(client, table, options) {
  return client.call("call", { fn: "renderTable", args: [table, options] });
}

/**
 * Export buttons for one table: each renders the same ResultTable in the engine and
 * downloads it. `basename` names the file (default: the table id).
 */
export function tableExports(table, client, { basename, onError } = {}) {
  const name = (basename || table.id || "table").replace(/[^\w.-]+/g, "_");
  return el("div", { class: "export-row", "data-exports-for": table.id }, FORMATS.map((f) =>
    el("button", {
      type: "button",
      class: "secondary small",
      "data-format": f.format,
      onclick: async () => {
        try {
          downloadText(`${name}.${f.ext}`, await renderTableText(client, table, { format: f.format }), f.mime);
        } catch (e) {
          onError?.(e);
        }
      },
    }, f.label)));
}

/** A table with its export buttons below it. */
export function resultTableBlock(table, client, options = {}) {
  return el("div", { class: "result-table-block" }, resultTableElement(table, options), tableExports(table, client, options));
}
