// Descriptives panel: a summary-statistics table like the first table of an
// applied paper (variable, N, mean, SD, min, max, optional quartiles), overall
// or by group, exportable as CSV.
import { el, replaceChildren, downloadText } from "../dom.js";
import { resultTableElement, renderTableText } from "../lib/result-table.js";
import { notesBox, panelHeader } from "../lib/ui.js";
import { columnsOf, isNumericKind } from "../lib/columns.js";
import { t } from "../i18n.js";
import { errorText } from "../lib/messages.js";

let ctx;
const ui = {};
let selected = new Set();
let lastResult = null;
let runSeq = 0;
let dirty = true;
let visible = false;


function buildColumnChooser(d) {
  const cols = columnsOf(d);
  const numeric = cols.filter((c) => isNumericKind(c.kind));
  selected = new Set(cols.filter((c) => c.kind !== undefined && isNumericKind(c.kind)).map((c) => c.name));
  const boxes = numeric.map((c) =>
    el(
      "label",
      { class: "check" },
      el("input", {
        type: "checkbox",
        value: c.name,
        checked: selected.has(c.name),
        dataset: { column: c.name },
        onchange: (e) => {
          if (e.target.checked) selected.add(c.name);
          else selected.delete(c.name);
          schedule();
        },
      }),
      " ",
      el("span", {}, c.name),
    ),
  );
  const setAll = (on) => () => {
    for (const box of ui.chooser.querySelectorAll("input[type=checkbox]")) {
      box.checked = on;
      if (on) selected.add(box.value);
      else selected.delete(box.value);
    }
    schedule();
  };
  const textCols = cols.filter((c) => c.kind === "text");
  replaceChildren(
    ui.chooserWrap,
    el(
      "div",
      { class: "chooser-head" },
      el("span", { class: "field-label" }, t("Variables ({n} numeric)", { n: numeric.length })),
      el("button", { type: "button", class: "link", onclick: setAll(true) }, t("all")),
      el("button", { type: "button", class: "link", onclick: setAll(false) }, t("none")),
    ),
    (ui.chooser = el("div", { class: "chooser", id: "describe-columns" }, boxes)),
    textCols.length ? el("p", { class: "muted small" }, t("Text columns not summarised: {names}", { names: textCols.map((c) => c.name).join(", ") })) : null,
  );
  const byOptions = [el("option", { value: "" }, t("— none (whole sample) —"))].concat(
    cols.filter((c) => c.kind !== "numeric").map((c) => el("option", { value: c.name }, c.name)),
  );
  replaceChildren(ui.by, byOptions);
}

function schedule() {
  clearTimeout(schedule.timer);
  schedule.timer = setTimeout(run, 120);
}

async function run() {
  const d = ctx.dataset;
  if (!d) return;
  dirty = false;
  const seq = ++runSeq;
  const columns = [...selected].filter((c) => d.columns.includes(c));
  // keep the data's column order
  columns.sort((a, b) => d.columns.indexOf(a) - d.columns.indexOf(b));
  if (!columns.length) {
    lastResult = null;
    ui.download.disabled = true;
    replaceChildren(ui.result, el("p", { class: "muted" }, t("Select at least one variable.")));
    return;
  }
  const options = { columns, by: ui.by.value || undefined, quantiles: ui.quantiles.checked };
  ui.result.classList.add("is-stale");
  try {
    const res = await ctx.client.call("describe", { handle: d.handle, options });
    if (seq !== runSeq || ctx.dataset !== d) return;
    lastResult = { res, options, dataset: d };
    render();
  } catch (e) {
    if (seq !== runSeq) return;
    lastResult = null;
    ui.download.disabled = true;
    replaceChildren(ui.result, el("p", { class: "error", role: "alert", id: "describe-error" }, errorText(e)));
  } finally {
    if (seq === runSeq) ui.result.classList.remove("is-stale");
  }
}

function render() {
  if (!lastResult) return;
  const { res, options } = lastResult;
  const decimals = Number(ui.decimals.value);
  const grouped = Boolean(options.by);
  // The engine's table (describe.stats), shown with the chosen decimals: only the
  // display digits change; data-value keeps every number at full precision.
  const stats = (res.tables || []).find((t) => t.id === "describe.stats");
  if (!stats) return;
  const shown = { ...stats, title: "", rows: stats.rows.map((r) => ({ ...r, cells: r.cells.map((c) => (c.kind === "number" ? { ...c, digits: decimals } : c)) })) };
  const table = resultTableElement(shown, { id: "describe-table" });
  // Integer columns (years, counts, 0/1 dummies): whole-number statistics of position
  // without decimals ("2012", not "2012.000"); data-value keeps the number.
  const kinds = new Map((ctx.dataset?.report?.columns || []).map((c) => [c.name, c.kind]));
  const positional = new Set(["Min", "P25", "Median", "P75", "Max"]);
  const wholeCols = stats.columns.map((c, i) => (positional.has(c.label) ? i : -1)).filter((i) => i >= 0);
  for (const [i, tr] of [...table.tBodies[0].rows].entries()) {
    const variable = stats.rows[i].cells[0].text;
    tr.dataset.variable = variable;
    if (kinds.get(variable) !== "integer") continue;
    for (const j of wholeCols) {
      const cell = tr.cells[j];
      const v = Number(cell?.dataset.value);
      if (cell?.dataset.value && Number.isInteger(v)) cell.textContent = String(v).replace(/^-/, "−");
    }
  }
  replaceChildren(
    ui.result,
    el("div", { class: "table-scroll paper" }, table),
    el(
      "p",
      { class: "table-note" },
      t("Notes: N is the number of non-missing observations; SD is the sample standard deviation (divisor N − 1)"),
      options.quantiles ? t("; P25 and P75 are the 25th and 75th percentiles") : "",
      grouped ? t("; statistics by {group}", { group: options.by }) : "",
      t(". Source: {name}.", { name: lastResult.dataset.name }),
    ),
    notesBox("describe-diagnostics", res.diagnostics),
  );
  ui.download.disabled = false;
}

/** The CSV of the table on screen, rendered by the engine from the same object (no re-run), at full precision. */
async function download() {
  if (!lastResult) return;
  const { res, dataset } = lastResult;
  const stats = (res.tables || []).find((t) => t.id === "describe.stats");
  if (!stats) return;
  const csv = await renderTableText(ctx.client, stats, { format: "csv", digits: 12 });
  const base = dataset.name.replace(/\.[^.]+$/, "").replace(/[^\w.-]+/g, "_") || "data";
  downloadText(`${base}_descriptives.csv`, csv);
}

function onDataset(d) {
  buildColumnChooser(d);
  lastResult = null;
  replaceChildren(ui.result);
  ui.empty.hidden = true;
  ui.body.hidden = false;
  dirty = true;
  if (visible) run();
}

export default {
  mount(root, context) {
    ctx = context;
    ui.chooserWrap = el("div", { class: "chooser-wrap" });
    ui.by = el("select", { id: "describe-by", onchange: schedule });
    ui.quantiles = el("input", { type: "checkbox", id: "describe-quantiles", onchange: schedule });
    ui.decimals = el(
      "select",
      { id: "describe-decimals", onchange: render },
      [2, 3, 4, 6].map((n) => el("option", { value: String(n), selected: n === 3 }, t("{n} decimals", { n }))),
    );
    ui.download = el("button", { type: "button", class: "button", id: "describe-download", disabled: true, onclick: download }, t("Download CSV"));
    ui.result = el("div", { class: "describe-result", id: "describe-result", "aria-live": "polite" });
    ui.empty = el("p", { class: "muted empty" }, t("Load data first (Data panel)."));
    ui.body = el(
      "div",
      { class: "describe-layout", hidden: true },
      el(
        "aside",
        { class: "card controls" },
        ui.chooserWrap,
        el("div", { class: "field" }, el("label", { for: "describe-by", class: "field-label" }, t("Group by")), ui.by),
        el("label", { class: "check" }, ui.quantiles, " ", t("Quartiles (p25, median, p75)")),
        el("div", { class: "field" }, el("label", { for: "describe-decimals", class: "field-label" }, t("Display")), ui.decimals),
      ),
      el(
        "div",
        { class: "card" },
        el("div", { class: "card-head" }, el("h3", {}, t("Table 1. Descriptive statistics")), ui.download),
        ui.result,
      ),
    );
    replaceChildren(
      root,
      panelHeader("describe", t("Descriptive statistics"), t("Summary statistics for the chosen variables, overall or by group — ready for the first table of a paper.")),
      ui.empty,
      ui.body,
    );
    ctx.on("dataset", onDataset);
    if (ctx.dataset) onDataset(ctx.dataset);
  },
  show() {
    visible = true;
    if (dirty && ctx.dataset) run();
  },
  hide() {
    visible = false;
  },
};
