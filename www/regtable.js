// Paper-style regression tables built from FeolsFit objects (the `model` of
// feols / did / eventStudy results, heterogeneity and mediation fits, …) with
// el() only: estimates with stars, standard errors in parentheses below, fixed-
// effect rows, S.E. type, N, R². Every number keeps its full precision in
// `data-value`. Shared by the Regression panel and the DID workbench panels.
// Exports of the same models (LaTeX / Markdown / CSV / Word) come from the
// core's `regressionTable(fits, options)`: see `exportBox` below.
import { el, formatNumber, downloadText } from "./dom.js";

const STAR_LEVELS = [
  [0.01, "***"],
  [0.05, "**"],
  [0.1, "*"],
];

/** Significance stars (10 / 5 / 1 %). */
export function stars(p) {
  if (typeof p !== "number" || !Number.isFinite(p)) return "";
  for (const [level, s] of STAR_LEVELS) if (p < level) return s;
  return "";
}

/** A right-aligned numeric <td> with the full-precision value in data-value. */
export function numCell(value, { decimals = 4, integer = false, text, className } = {}) {
  const td = el("td", { class: ["num", className] });
  td.textContent = text ?? formatNumber(value, decimals, { integer });
  if (typeof value === "number" && Number.isFinite(value)) td.dataset.value = String(value);
  return td;
}

/** p-value text: 4 decimals, "<0.0001" below. */
export function formatP(p) {
  if (typeof p !== "number" || !Number.isFinite(p)) return "";
  return p < 0.0001 ? "<0.0001" : p.toFixed(4);
}

/** Short description of a fit's standard errors. */
export function seLabel(fit) {
  if (fit.clusters?.length) return `Clustered (${fit.clusters.map((c) => c.name).join(", ")})`;
  if (fit.vcov_type === "hetero") return "Robust (HC1)";
  return "IID";
}

/**
 * Side-by-side table. `models`: [{ fit, name }]. Options: `id`, `className`,
 * `controls` (terms folded into one "Controls  Yes/No" row), `rename` ({term: label}),
 * `extraRows` ([{ label, values: [..per model], className }]) appended before N.
 * Coefficient rows carry data-term; their cells carry data-model (column index).
 */
export function sideBySideTable(models, { id, className = "", controls = [], rename = {}, extraRows = [] } = {}) {
  const fits = models.map((m) => m.fit);
  const hidden = new Set(controls);
  const terms = [];
  for (const f of fits) for (const c of f.coefficients || []) if (!terms.includes(c.term) && !hidden.has(c.term)) terms.push(c.term);
  const fes = [];
  for (const f of fits) for (const fe of f.fixed_effects || []) if (!fes.includes(fe.name)) fes.push(fe.name);
  const table = el("table", { class: ["data-table paper-table reg-side-table", className], id });
  table.append(
    el(
      "thead",
      {},
      el("tr", {}, el("th", { scope: "col" }, ""), models.map((m, i) => el("th", { scope: "col", class: "num" }, m.name || `(${i + 1})`))),
    ),
  );
  const tbody = el("tbody");
  const row = (label, cells, cls) => el("tr", { class: cls }, el("th", { scope: "row" }, label), cells);
  const tag = (td, i) => {
    td.dataset.model = String(i);
    return td;
  };
  tbody.append(row("Dependent variable", fits.map((f) => el("td", { class: "num" }, f.depvar)), "reg-depvar"));
  for (const t of terms) {
    const coefs = fits.map((f) => (f.coefficients || []).find((c) => c.term === t));
    const est = row(
      rename[t] ?? t,
      coefs.map((c, i) => tag(c ? numCell(c.estimate, { text: formatNumber(c.estimate, 3) + stars(c.p_value) }) : el("td", { class: "num" }), i)),
      "reg-coef-row",
    );
    est.dataset.term = t;
    const se = row(
      "",
      coefs.map((c, i) => tag(c ? numCell(c.std_error, { text: `(${formatNumber(c.std_error, 3)})` }) : el("td", { class: "num" }), i)),
      "reg-se-row",
    );
    se.dataset.term = t;
    tbody.append(est, se);
  }
  let ruled = false;
  const rule = () => (ruled ? null : ((ruled = true), "rule-above"));
  if (hidden.size) {
    tbody.append(
      row(
        "Controls",
        fits.map((f) => el("td", { class: "num" }, (f.coefficients || []).some((c) => hidden.has(c.term)) ? "Yes" : "No")),
        rule(),
      ),
    );
  }
  for (const name of fes) {
    tbody.append(row(`${name} FE`, fits.map((f) => el("td", { class: "num" }, (f.fixed_effects || []).some((x) => x.name === name) ? "Yes" : "No")), rule()));
  }
  tbody.append(row("S.E. type", fits.map((f) => el("td", { class: "num" }, seLabel(f))), rule()));
  for (const x of extraRows) {
    tbody.append(row(x.label, x.values.map((v) => (v instanceof Node ? v : typeof v === "number" ? numCell(v, { decimals: 3 }) : el("td", { class: "num" }, v ?? ""))), x.className));
  }
  const stat = (label, key, opts = {}) =>
    row(
      label,
      fits.map((f, i) => tag(f[key] === null || f[key] === undefined ? el("td", { class: "num" }) : numCell(f[key], { decimals: 3, ...opts }), i)),
      key === "nobs" ? "rule-above reg-nobs" : `reg-${key}`,
    );
  tbody.append(stat("Observations", "nobs", { integer: true }), stat("R²", "r2"), stat("Within R²", "r2_within"));
  table.append(tbody);
  return table;
}

export const EXPORT_FORMATS = {
  latex: { label: "LaTeX", ext: "tex", mime: "text/x-tex;charset=utf-8" },
  markdown: { label: "Markdown", ext: "md", mime: "text/markdown;charset=utf-8" },
  csv: { label: "CSV", ext: "csv", mime: "text/csv;charset=utf-8" },
  html: { label: "Word (HTML)", ext: "html", mime: "text/html;charset=utf-8" },
};

/** Wraps an HTML table fragment into a document Word opens. */
export function htmlDocument(fragment, title = "Table") {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title></head><body>\n${fragment}\n</body></html>\n`;
}

/**
 * Export buttons (LaTeX / Markdown / CSV / Word) + a read-only text box with a
 * Copy button. `getText(format)` returns (a promise of) the exported text; it is
 * downloaded as `${basename}.${ext}` and shown in the text box, never parsed.
 */
export function exportBox({ idPrefix, basename, getText, onError }) {
  const textArea = el("textarea", { id: `${idPrefix}-export-text`, class: "reg-export-text", rows: 8, readonly: true, spellcheck: "false" });
  const status = el("span", { class: "muted small", id: `${idPrefix}-export-status`, role: "status" });
  const box = el(
    "div",
    { class: "reg-export", hidden: true },
    el("label", { for: `${idPrefix}-export-text`, class: "field-label" }, "Exported text"),
    textArea,
    el(
      "div",
      {},
      el(
        "button",
        {
          type: "button",
          class: "button",
          id: `${idPrefix}-copy`,
          onclick: async () => {
            try {
              await navigator.clipboard.writeText(textArea.value);
              status.textContent = "Copied to the clipboard.";
            } catch {
              textArea.select();
              status.textContent = "Select-all done: press Ctrl+C (⌘C) to copy.";
            }
          },
        },
        "Copy",
      ),
    ),
  );
  const run = async (format) => {
    const x = EXPORT_FORMATS[format];
    try {
      const out = await getText(format);
      textArea.value = out;
      textArea.dataset.format = format;
      box.hidden = false;
      downloadText(`${basename}.${x.ext}`, format === "html" && !/^<!doctype/i.test(out) ? htmlDocument(out) : out, x.mime);
      status.textContent = `${x.label} downloaded; the text is also shown below.`;
    } catch (e) {
      status.textContent = "";
      onError?.(e);
    }
  };
  const buttons = el(
    "div",
    { class: "reg-export-buttons", role: "group", "aria-label": "Export the table" },
    Object.entries(EXPORT_FORMATS).map(([format, x]) => el("button", { type: "button", class: "button", id: `${idPrefix}-export-${format}`, onclick: () => run(format) }, x.label)),
  );
  return { buttons, status, box, run };
}
