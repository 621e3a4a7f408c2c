// DOM helpers. The single rule of this page: user-supplied strings (column
// names, cell values, file names, error messages) reach the DOM only as text —
// through `el()` children / `text()` (createTextNode / textContent) or, where a
// string of HTML is unavoidable, through `escapeHtml`. Nothing here assigns
// innerHTML.

const HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

/** Escapes a string for use in HTML text or a quoted attribute value. */
export function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]);
}

/**
 * Creates an element. `attrs`: `class`, `dataset` (object), `on<event>`
 * (functions), `hidden`/`disabled`/… (booleans), anything else via
 * setAttribute (never `on*` strings, never `innerHTML`). Children: nodes,
 * strings/numbers (become text nodes), arrays, null/false (skipped).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key.startsWith("on")) throw new Error(`el(): refusing non-function handler ${key}`);
    else if (key === "innerHTML" || key === "outerHTML") throw new Error("el(): innerHTML is not allowed");
    else if (value === true) node.setAttribute(key, "");
    else if (key === "value" && "value" in node) node.value = String(value);
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

/** Appends children (nodes, strings, arrays; null/false skipped) as nodes/text. */
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** A text node. */
export const text = (s) => document.createTextNode(String(s ?? ""));

/** Removes all children, then appends the given ones. */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** Shortcut: document.querySelector / querySelectorAll scoped to a root. */
export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/**
 * Formats a number like a paper's table: fixed decimals, a true minus sign,
 * thin-space-free; integers (e.g. N) without decimals; missing → "".
 */
export function formatNumber(value, decimals = 3, { integer = false } = {}) {
  if (value === null || value === undefined || value === "") return "";
  const x = Number(value);
  if (Number.isNaN(x)) return "";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (integer) return Math.round(x).toLocaleString("en-US");
  let s = x.toFixed(decimals);
  if (/^-0\.?0*$/.test(s)) s = s.slice(1); // no "-0.000"
  return s.replace(/^-/, "−");
}

/**
 * Builds a table safely. `columns`: [{ key?, label, numeric?, decimals?, integer?, className? }]
 * or plain strings; `rows`: arrays (indexed by column position) or objects
 * (indexed by `key`). Numeric cells are right-aligned, rounded for display and
 * keep the full-precision value in `data-value`. Options: `caption`,
 * `className`, `rowHeader` (first column as <th scope=row>).
 */
export function renderTable(columns, rows, { caption, className = "data-table", rowHeader = false, decimals = 3 } = {}) {
  const cols = columns.map((c, i) => (typeof c === "string" ? { label: c, key: i } : { key: i, ...c }));
  const table = el("table", { class: className });
  if (caption) table.append(el("caption", {}, caption));
  const thead = el("thead", {}, el("tr", {}, cols.map((c) => el("th", { scope: "col", class: [c.numeric && "num", c.className] }, c.label))));
  const tbody = el("tbody");
  for (const row of rows) {
    const tr = el("tr");
    cols.forEach((c, i) => {
      const raw = Array.isArray(row) ? row[i] : row[c.key];
      const header = rowHeader && i === 0;
      const cell = el(header ? "th" : "td", { class: [c.numeric && "num", c.className], scope: header ? "row" : null });
      if (raw instanceof Node) cell.append(raw);
      else if (c.numeric && typeof raw === "number") {
        cell.textContent = formatNumber(raw, c.decimals ?? decimals, { integer: c.integer });
        cell.dataset.value = Number.isFinite(raw) ? String(raw) : "";
      } else cell.textContent = raw === null || raw === undefined ? "" : String(raw);
      tr.append(cell);
    });
    tbody.append(tr);
  }
  table.append(thead, tbody);
  return table;
}

/** Quotes one CSV field (RFC 4180). */
export function csvField(value) {
  const s = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Turns a header + rows into CSV text (CRLF line ends, as Excel expects). */
export function toCsv(header, rows) {
  return [header, ...rows].map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/** Offers text as a file download (Blob + object URL; no network involved). */
export function downloadText(filename, content, mime = "text/csv;charset=utf-8") {
  const blob = content instanceof Blob ? content : new Blob([content], { type: mime });
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Formats a byte count (1.5 MB). */
export function formatBytes(n) {
  if (!Number.isFinite(n)) return "";
  const units = ["B", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/** A human name for a delimiter character. */
export function delimiterName(d) {
  return { ",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", " ": "space" }[d] ?? (d ? `“${d}”` : "");
}
