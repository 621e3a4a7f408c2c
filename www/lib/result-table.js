// The page's one renderer of the core's ResultTable (the `tables` of every result):
// resultTableElement(table) builds a <table> with el() only (every string is a text
// node), numbers keep their full precision in data-value, estimates carry stars and,
// on a second line, the standard error in parentheses. Exports never re-run anything:
// tableExports(table, client) asks the engine's renderTable for CSV / Markdown /
// LaTeX / HTML / text of the same object.
import { el, downloadText, formatNumber } from "../dom.js";
import { t, has, lang as pageLang } from "../i18n.js";
import { entryOfTable } from "../session.js";
import { embedBox } from "./embed-box.js";

// The render options the screen shares with the engine's renderTable (src/report/render/mod.rs
// RenderOptions): the same defaults, so that what is shown is what is exported.
export const RENDER_DEFAULTS = Object.freeze({
  digits: null,
  stars: true,
  star_levels: [0.1, 0.05, 0.01],
  star_symbols: ["*", "**", "***"],
  below: "se", // "se" | "t" | "p" | "ci" | "none"
  yes: null, // null: the language's word (Yes/No, 是/否), as the engine
  no: null,
  notes: true,
  lang: null, // null: the page's language (www/i18n.js)
});

// The tables' fixed words in Chinese, as the engine spells them (src/report/i18n.rs).
const ZH_LABELS = {
  dependent_variable: "被解释变量",
  constant: "常数项",
  controls: "控制变量",
  se_type: "标准误类型",
  observations: "观测值",
  r2: "R²",
  adj_r2: "调整R²",
  within_r2: "组内R²",
  rmse: "均方根误差",
  f_stat: "F统计量",
};
const ZH_VARS = { city: "城市", year: "年份", province: "省份", county: "县", firm: "企业", industry: "行业", unit: "个体", time: "时间", id: "个体" };

/**
 * A fixed word of a table (title, column label, group or a text cell the engine writes in
 * English: "Mean", "Cohort 2015", "Clustered (city)") in the page's language, else as it is.
 */
export function tableWord(text, o) {
  if (o.lang !== "zh" || typeof text !== "string" || !text) return text;
  if (has(`table:${text}`)) return t(`table:${text}`);
  let m = /^Cohort (.+)$/.exec(text);
  if (m) return t("table:Cohort {g}", { g: m[1] });
  m = /^Clustered \((.+)\)$/.exec(text);
  if (m) return `聚类到${m[1].split(", ").map((v) => ZH_VARS[v] ?? v).join("、")}层面`;
  return text;
}

/** A row's fixed label (`row.key`, e.g. "observations" or { fixed_effect: "city" }) in Chinese, or null. */
export function zhLabel(key) {
  if (!key) return null;
  if (typeof key === "string") return ZH_LABELS[key] ?? null;
  if (typeof key === "object" && typeof key.fixed_effect === "string") return `${ZH_VARS[key.fixed_effect] ?? key.fixed_effect}固定效应`;
  return null;
}

/** The options of `renderTable` among `options` (the rest is the page's: className, id, …), with defaults. */
export function renderOptions(options = {}) {
  const o = { ...RENDER_DEFAULTS };
  for (const k of Object.keys(RENDER_DEFAULTS)) if (options[k] !== undefined) o[k] = options[k];
  o.lang = o.lang || pageLang();
  return o;
}

/** The options as the engine's renderTable takes them: unset words left to the language's defaults. */
export function engineOptions(o) {
  const out = { ...o };
  for (const k of ["yes", "no", "digits"]) if (out[k] === null || out[k] === undefined) delete out[k];
  return out;
}

/** Stars for a p-value: the symbol of the smallest threshold p is below (the core's `stars`). */
export function starsFor(p, o = RENDER_DEFAULTS) {
  if (!o.stars || typeof p !== "number" || !Number.isFinite(p)) return "";
  let best = null;
  o.star_levels.forEach((lvl, i) => {
    if (p < lvl && (best === null || lvl < best[0])) best = [lvl, o.star_symbols[i]];
  });
  return best ? best[1] : "";
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
    const d = mag + Math.max(digits, 1) - 1;
    // too small for fixed notation (e.g. a p-value of 1e-20): scientific, as the engine
    if (d > 12) return x.toExponential(Math.min(Math.max(digits, 1) - 1, 3));
    return x.toFixed(d);
  }
  return zero ? (0).toFixed(digits) : s;
}

/** A formatted number for the screen: a true minus sign, as the page's other tables. */
const minus = (s) => s.replace(/^-/, "\u2212");

function cellText(cell, o) {
  const d = (own) => o.digits ?? own;
  switch (cell?.kind) {
    case "text": return tableWord(cell.text, o);
    case "number": return minus(fmtNum(cell.value, d(cell.digits)));
    case "integer": return minus(String(cell.value));
    case "yes_no": return cell.value ? o.yes ?? (o.lang === "zh" ? "是" : "Yes") : o.no ?? (o.lang === "zh" ? "否" : "No");
    case "estimate": return minus(fmtNum(cell.estimate, d(cell.digits))) + starsFor(cell.p_value, o);
    default: return "";
  }
}

/** The line below an estimate (the core's `below_text`): "(se)", "(t)", "(p)", "[lo, hi]" or "". */
function belowText(cell, o) {
  if (cell?.kind !== "estimate") return ["", undefined];
  const d = o.digits ?? cell.digits;
  const f = (x) => minus(fmtNum(x, d));
  switch (o.below) {
    case "t": return [`(${f(cell.statistic)})`, cell.statistic];
    case "p": return [`(${f(cell.p_value)})`, cell.p_value];
    case "ci": return [`[${f(cell.conf_low)}, ${f(cell.conf_high)}]`, undefined];
    case "none": return ["", undefined];
    default: return [`(${f(cell.std_error)})`, cell.std_error];
  }
}

/** The note on the parentheses and the stars (the core's `standard_note`). */
export function standardNote(o, confLevel = 0.95) {
  const pct = `${Math.round(confLevel * 100)}%`;
  const zh = o.lang === "zh";
  let note = zh
    ? { se: "括号内为标准误", t: "括号内为t值", p: "括号内为p值", ci: `方括号内为${pct}置信区间`, none: "" }[o.below] ?? ""
    : { se: "Standard errors in parentheses.", t: "t statistics in parentheses.", p: "p-values in parentheses.", ci: `${pct} confidence intervals in brackets.`, none: "" }[o.below] ?? "";
  if (o.stars && o.star_levels.length) {
    const pairs = o.star_levels.map((l, i) => [l, o.star_symbols[i]]).sort((a, b) => (zh ? a[0] - b[0] : b[0] - a[0]));
    const s = pairs.map(([l, sym]) => `${sym} p<${l}`).join(", ");
    note = zh ? (note ? `${note}；${s}` : s) : `${note} ${s}`.trim();
  }
  return note;
}

function fullValue(cell) {
  if (cell?.kind === "number" || cell?.kind === "integer") return cell.value;
  if (cell?.kind === "estimate") return cell.estimate;
  return undefined;
}

const ALIGN = { left: "align-left", center: "align-center", right: "num" };

/**
 * The table as DOM: caption, column groups, header, header rows, body rows (a rule
 * above rows flagged rule_above), estimate rows followed by their line below (standard
 * error, t, p or interval, as `below`), notes in the <tfoot>. `options`: the page's
 * { className, id } and the engine's render options (see RENDER_DEFAULTS), laid out as
 * src/report/render/mod.rs does. Hooks for the tests and the CSS: the column labels' row
 * has the class "column-labels", header rows "header-row"; every row carries its stub text
 * in data-row; rows holding estimates have the class "reg-coef-row" and the lines below
 * them "se-row reg-se-row", both with the stub text in data-term; value cells carry their
 * column index (stub excluded) in data-model. `decorate(tr, row)`, when given, may add a
 * panel's own attributes or classes to each body row (never its text).
 */
export function resultTableElement(table, options = {}) {
  const { className = "data-table paper-table", id, decorate } = options;
  const o = renderOptions(options);
  const cols = table.columns || [];
  const tab = el("table", { class: className, id: id ?? null, "data-table-id": table.id });
  if (table.title) tab.append(el("caption", {}, tableWord(table.title, o)));
  const thead = el("thead");
  if (table.column_groups?.length) {
    const tr = el("tr");
    let j = 0;
    while (j < cols.length) {
      const g = table.column_groups.find((x) => x.first === j);
      if (g) {
        tr.append(el("th", { scope: "colgroup", colspan: String(g.span), class: "group" }, tableWord(g.label, o)));
        j += g.span;
      } else {
        tr.append(el("th"));
        j += 1;
      }
    }
    thead.append(tr);
  }
  thead.append(el("tr", { class: "column-labels" }, cols.map((c) => el("th", { scope: "col", class: ALIGN[c.align] }, tableWord(c.label, o)))));
  const tbody = el("tbody");
  let inHeader = true;
  for (const row of table.rows || []) {
    const header = inHeader && row.kind === "header";
    inHeader = header;
    const hasEstimates = row.cells.some((c) => c?.kind === "estimate");
    const label = row.cells[0]?.kind === "text" ? row.cells[0].text : "";
    // A fixed label (Observations, city FE, …) in the table's language on screen; data-row keeps the engine's.
    const shownLabel = o.lang !== (table.lang || "en") && row.key ? (o.lang === "zh" ? zhLabel(row.key) : null) : null;
    const tr = el("tr", { class: [row.rule_above && "rule-above", header && "header-row", hasEstimates && "reg-coef-row"], dataset: hasEstimates ? { row: label, term: label } : { row: label } });
    row.cells.forEach((cell, j) => {
      const stub = j === 0;
      const td = el(stub || header ? "th" : "td", { scope: stub ? "row" : null, class: stub ? null : ALIGN[cols[j]?.align], dataset: stub ? {} : { model: String(j - 1) } });
      td.textContent = stub && shownLabel ? shownLabel : cellText(cell, o);
      const v = fullValue(cell);
      if (typeof v === "number" && Number.isFinite(v)) td.dataset.value = String(v);
      if (cell?.kind === "estimate") {
        td.dataset.se = String(cell.std_error);
        td.dataset.p = String(cell.p_value);
      }
      tr.append(td);
    });
    if (!header) decorate?.(tr, row);
    (header ? thead : tbody).append(tr);
    if (hasEstimates && o.below !== "none") {
      tbody.append(el("tr", { class: "se-row reg-se-row", dataset: { term: label } }, row.cells.map((cell, j) => {
        if (j === 0) return el("th", { scope: "row" }); // the stub column, empty as in the engine's layout
        const td = el("td", { class: ALIGN[cols[j]?.align], dataset: { model: String(j - 1) } });
        const [text, value] = belowText(cell, o);
        td.textContent = text;
        if (typeof value === "number" && Number.isFinite(value)) td.dataset.value = String(value);
        return td;
      })));
    }
  }
  tab.append(thead, tbody);
  const notes = [];
  if (o.notes) {
    if ((table.rows || []).some((r) => r.cells.some((c) => c?.kind === "estimate"))) {
      const n = standardNote(o, table.conf_level ?? 0.95);
      if (n) notes.push(n);
    }
    notes.push(...(table.notes || []));
  }
  if (notes.length && o.lang === "zh" && !String(notes[0]).startsWith("注：")) notes[0] = `注：${notes[0]}`;
  if (notes.length) {
    tab.append(el("tfoot", {}, notes.map((n) => el("tr", {}, el("td", { colspan: String(cols.length), class: "table-note" }, n)))));
  }
  return tab;
}

const FORMATS = [
  { format: "csv", label: "CSV", ext: "csv", mime: "text/csv;charset=utf-8" },
  { format: "markdown", label: "Markdown", ext: "md", mime: "text/markdown;charset=utf-8" },
  { format: "latex", label: "LaTeX", ext: "tex", mime: "text/x-tex;charset=utf-8" },
  { format: "html", label: "HTML (Word)", ext: "html", mime: "text/html;charset=utf-8" },
  { format: "text", label: "Text", ext: "txt", mime: "text/plain;charset=utf-8" },
  { format: "docx", label: "Word", ext: "docx", mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
  { format: "xlsx", label: "Excel", ext: "xlsx", mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
];

/** Renders a table in the engine (no re-run): { format, ... } → text, or a Uint8Array for docx/xlsx. */
export function renderTableText(client, table, options) {
  return client.call("call", { fn: "renderTable", args: [table, engineOptions({ lang: pageLang(), ...options })] });
}

/**
 * Export buttons for one table: each renders the same ResultTable in the engine, with
 * the same render options as the screen (`below`, `stars`, `digits`, …), and downloads
 * it. `basename` names the file (default: the table id); `idPrefix` gives each button
 * the id `${idPrefix}-export-${format}`.
 */
export function tableExports(table, client, options = {}) {
  const { basename, onError, idPrefix } = options;
  const ro = renderOptions(options);
  const name = (basename || table.id || "table").replace(/[^\w.-]+/g, "_");
  const entry = entryOfTable(table);
  const embed = entry ? embedBox(entry, table) : null;
  const row = el("div", { class: "export-row", "data-exports-for": table.id }, FORMATS.map((f) =>
    el("button", {
      type: "button",
      class: "secondary small",
      "data-format": f.format,
      id: idPrefix ? `${idPrefix}-export-${f.format}` : null,
      onclick: async () => {
        try {
          downloadText(`${name}.${f.ext}`, await renderTableText(client, table, { ...engineOptions(ro), format: f.format }), f.mime);
        } catch (e) {
          onError?.(e);
        }
      },
    }, t(f.label))), embed?.button ?? null);
  return embed ? el("div", { class: "export-block" }, row, embed.box) : row;
}

/** A table (scrolling sideways when wide) with its export buttons below it; the same options for both. */
export function resultTableBlock(table, client, options = {}) {
  return el(
    "div",
    { class: "result-table-block", id: options.blockId ?? null },
    el("div", { class: "table-scroll paper" }, resultTableElement(table, options)),
    tableExports(table, client, options),
  );
}

/** The table of `result.tables` with this id (undefined when absent). */
export function findTable(result, id) {
  return (result?.tables || []).find((t) => t.id === id);
}

/**
 * A ResultTable built on the page (for a listing the engine does not tabulate), the same
 * shape as the core's (src/report/table.rs), so it renders and exports like the others.
 * `columns`: [label, align?]; `rows`: [stub, ...cells] with cells as typed cells or plain
 * values (string → text, integer → integer, number → number with `digits`, null → empty).
 */
export function makeTable(id, title, columns, rows, { digits = 3, notes = [] } = {}) {
  const cell = (v) => {
    if (v && typeof v === "object") return v;
    if (v === null || v === undefined) return { kind: "empty" };
    if (typeof v === "number") return Number.isInteger(v) && v >= 0 ? { kind: "integer", value: v } : { kind: "number", value: v, digits };
    return { kind: "text", text: String(v) };
  };
  return {
    id,
    title,
    column_groups: [],
    columns: columns.map(([label, align = "right"]) => ({ label, align })),
    rows: rows.map((r) => ({ cells: r.map(cell), rule_above: false, kind: "body" })),
    notes,
    conf_level: null,
  };
}

/** p-value text for the page's headline facts: 4 decimals, "<0.0001" below. */
export function formatP(p) {
  if (typeof p !== "number" || !Number.isFinite(p)) return "";
  return p < 0.0001 ? "<0.0001" : p.toFixed(4);
}

/** A right-aligned numeric <td> for the page's own fact tables, the full value in data-value. */
export function numCell(value, { decimals = 4, integer = false, text, className } = {}) {
  const td = el("td", { class: ["num", className] });
  td.textContent = text ?? formatNumber(value, decimals, { integer });
  if (typeof value === "number" && Number.isFinite(value)) td.dataset.value = String(value);
  return td;
}
