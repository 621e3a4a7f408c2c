// Data panel: load a file (drop, picker or sample), see how it was read
// (status, skipped rows, warnings), preview the first rows, the inferred
// column kinds, and declare the panel structure (unit × time).
import { el, replaceChildren, renderTable, formatBytes, formatNumber, delimiterName } from "../dom.js";
import { SAMPLES } from "../sample-data.js";
import { resultTableBlock } from "../lib/result-table.js";
import { guessUnit, guessTime } from "../lib/panel-guess.js";
import { panelHeader, noteMessages } from "../lib/ui.js";
import { t } from "../i18n.js";
import { errorText, diagnosticText } from "../lib/messages.js";

const ACCEPT = ".csv,.tsv,.tab,.txt,.xlsx,.xls,text/csv,text/tab-separated-values,text/plain";
const KIND_LABEL = { numeric: "numeric", integer: "integer", text: "text" };
const MAX_LISTED = 12;

let ctx;
const ui = {};
let windowDropHandled = false;

function importOptions() {
  const delimiter = ui.delimiter.value;
  return {
    delimiter: delimiter === "auto" ? undefined : delimiter === "tab" ? "\t" : delimiter,
    encoding: ui.encoding.value === "auto" ? undefined : ui.encoding.value,
    decimal_comma: ui.decimalComma.checked || undefined,
    sheet: ui.sheet.value.trim() || undefined,
    skip_ragged: ui.skipRagged.checked || undefined,
    missing: ui.missing.value.trim() ? ui.missing.value.split(",").map((t) => t.trim()) : undefined,
  };
}

function loadFile(file) {
  if (!file) return;
  ctx.load({ name: file.name, file }, importOptions()).catch(() => {}); // errors shown via events
}

function buildLoader() {
  ui.fileInput = el("input", {
    type: "file",
    id: "file-input",
    accept: ACCEPT,
    class: "visually-hidden",
    onchange: () => {
      loadFile(ui.fileInput.files[0]);
      ui.fileInput.value = "";
    },
  });
  const pick = el("label", { for: "file-input", class: "button primary" }, t("Choose a file…"));
  ui.drop = el(
    "div",
    // A drop target grouping the file picker (axe: no interactive control nested in a button);
    // keyboard users reach the (visually hidden) file input, whose focus shows on its label.
    { class: "dropzone", id: "dropzone", role: "group", "aria-labelledby": "dropzone-title" },
    el("p", { class: "dropzone-title", id: "dropzone-title" }, t("Drop a data file here")),
    el("p", { class: "dropzone-sub" }, t("CSV, TSV, TXT, XLSX or XLS · read locally, never uploaded")),
    el("div", { class: "dropzone-actions" }, pick, ui.fileInput),
  );
  for (const type of ["dragenter", "dragover"]) {
    ui.drop.addEventListener(type, (e) => {
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
      ui.drop.classList.add("is-over");
    });
  }
  for (const type of ["dragleave", "dragend"]) ui.drop.addEventListener(type, () => ui.drop.classList.remove("is-over"));
  ui.drop.addEventListener("drop", (e) => {
    e.preventDefault();
    ui.drop.classList.remove("is-over");
    loadFile(e.dataTransfer?.files?.[0]);
  });
  // A file dropped anywhere else must not navigate away from the page (once: the panel is
  // mounted again when the language changes, and `ui` then holds the new drop zone).
  if (!windowDropHandled) {
    windowDropHandled = true;
    window.addEventListener("dragover", (e) => e.preventDefault());
    window.addEventListener("drop", (e) => {
      e.preventDefault();
      if (!ui.drop.contains(e.target)) loadFile(e.dataTransfer?.files?.[0]);
    });
  }

  const samples = el(
    "div",
    { class: "samples" },
    el("span", { class: "samples-label" }, t("Try a sample:")),
    Object.values(SAMPLES).map((s) =>
      el(
        "button",
        { type: "button", class: "button", id: `sample-${s.key}`, title: t(s.detail), onclick: () => ctx.loadSample(s.key).catch(() => {}) },
        t(s.label),
      ),
    ),
  );

  ui.delimiter = el(
    "select",
    { id: "opt-delimiter" },
    el("option", { value: "auto" }, t("Detect automatically")),
    el("option", { value: "," }, t("Comma ( , )")),
    el("option", { value: ";" }, t("Semicolon ( ; )")),
    el("option", { value: "tab" }, t("Tab")),
    el("option", { value: "|" }, t("Pipe ( | )")),
  );
  ui.encoding = el(
    "select",
    { id: "opt-encoding" },
    el("option", { value: "auto" }, t("Detect automatically")),
    el("option", { value: "utf-8" }, "UTF-8"),
    el("option", { value: "utf-16le" }, "UTF-16 LE"),
    el("option", { value: "utf-16be" }, "UTF-16 BE"),
    el("option", { value: "gb18030" }, t("GB18030 / GBK (Chinese Excel)")),
    el("option", { value: "windows-1252" }, t("Windows-1252 (Latin)")),
  );
  ui.decimalComma = el("input", { type: "checkbox", id: "opt-decimal-comma" });
  ui.sheet = el("input", { type: "text", id: "opt-sheet", placeholder: t("first sheet"), list: "sheet-list", autocomplete: "off", spellcheck: "false" });
  ui.sheetList = el("datalist", { id: "sheet-list" });
  ui.skipRagged = el("input", { type: "checkbox", id: "opt-skip-ragged" });
  ui.missing = el("input", { type: "text", id: "opt-missing", placeholder: t("default: empty, NA, N/A, NaN, ., null, -"), autocomplete: "off", spellcheck: "false" });
  ui.reload = el(
    "button",
    {
      type: "button",
      class: "button",
      id: "opt-reload",
      disabled: true,
      onclick: () => {
        const d = ctx.dataset;
        if (d) ctx.load(d.source, importOptions()).catch(() => {});
      },
    },
    t("Re-read the current file with these options"),
  );
  const options = el(
    "details",
    { class: "import-options", id: "import-options" },
    el("summary", {}, t("Import options")),
    el(
      "div",
      { class: "form-grid" },
      el("label", { for: "opt-delimiter" }, t("Delimiter")),
      ui.delimiter,
      el("label", { for: "opt-encoding" }, t("Encoding")),
      ui.encoding,
      el("label", { for: "opt-sheet" }, t("Excel sheet")),
      el("div", {}, ui.sheet, ui.sheetList),
      el("span", {}, t("Numbers")),
      el("label", { class: "check" }, ui.decimalComma, " ", t("Decimal comma (1.234,5)")),
      el("label", { for: "opt-missing" }, t("Missing values")),
      ui.missing,
      el("span", {}, t("Ragged rows")),
      el("label", { class: "check" }, ui.skipRagged, " ", t("Skip and list them instead of stopping")),
    ),
    el("div", { class: "form-actions" }, ui.reload),
  );

  ui.progressLabel = el("span", { class: "progress-label" }, t("Reading…"));
  ui.progressBar = el("progress", { id: "load-progress", max: "1" });
  ui.cancel = el("button", { type: "button", class: "button danger", id: "cancel-load", onclick: () => ctx.cancel() }, t("Cancel"));
  ui.progress = el("div", { class: "progress", id: "progress", hidden: true, role: "status", "aria-live": "polite" }, ui.progressLabel, ui.progressBar, ui.cancel);

  return el("div", { class: "card loader" }, ui.drop, samples, options, ui.progress);
}

// ---------------------------------------------------------------- status

function renderStatus(d) {
  const r = d.report || {};
  const facts = [
    el("strong", { class: "file-name", id: "status-file" }, d.name),
    el("span", { id: "status-shape" }, t("{rows} rows × {cols} columns", { rows: formatNumber(d.nrows, 0, { integer: true }), cols: formatNumber(d.ncols, 0, { integer: true }) })),
    r.format ? el("span", {}, String(r.format).toUpperCase()) : null,
    r.sheet ? el("span", {}, t("sheet “{sheet}”", { sheet: r.sheet })) : null,
    r.encoding ? el("span", {}, String(r.encoding)) : null,
    r.delimiter ? el("span", {}, t("{delimiter}-delimited", { delimiter: t(delimiterName(r.delimiter)) })) : null,
    el("span", {}, formatBytes(d.size)),
    el("span", { class: "muted" }, t("read in {ms} ms", { ms: formatNumber(d.ms, 0, { integer: true }) })),
  ].filter(Boolean);
  const sep = () => el("span", { class: "sep", "aria-hidden": "true" }, "·");
  const line = el("p", { class: "status-line" }, facts.flatMap((f, i) => (i ? [sep(), f] : [f])));

  const notes = [];
  if (d.restored) notes.push(el("p", { class: "note" }, t("Loading was cancelled; the previous data was reloaded.")));
  if (d.sample?.auto) {
    notes.push(el("p", { class: "note", id: "sample-note" }, t("Sample loaded: {label}; drop your own file to replace it.", { label: t(d.sample.label) })));
  } else if (d.sample) {
    notes.push(el("p", { class: "note", id: "sample-note" }, t("Sample loaded: {label} ({detail}).", { label: t(d.sample.label), detail: t(d.sample.detail) })));
  }

  const skippedN = r.rows_skipped ?? (r.skipped ? r.skipped.length : 0);
  const rowsRead = r.rows_read ?? d.nrows;
  const issues = [];
  if (skippedN > 0) {
    const list = (r.skipped || []).slice(0, MAX_LISTED).map((s) => el("li", {}, s.line !== undefined ? t("Line {line}: {reason}", { line: s.line, reason: s.reason }) : String(s.reason ?? s)));
    if ((r.skipped || []).length > MAX_LISTED) list.push(el("li", { class: "muted" }, t("… and {n} more", { n: r.skipped.length - MAX_LISTED })));
    issues.push(
      el(
        "div",
        { class: "warning", id: "status-skipped" },
        el("p", {}, el("strong", {}, t(skippedN === 1 ? "{n} row skipped" : "{n} rows skipped", { n: skippedN })), t(" of {total} data rows:", { total: rowsRead + skippedN })),
        el("ul", {}, list),
      ),
    );
  }
  // Typed diagnostics { code, severity, message }; stray values are among them (code "stray_values").
  const uniq = (r.warnings || []).map((w) => diagnosticText(w));
  if (uniq.length) {
    const list = uniq.slice(0, MAX_LISTED).map((w) => el("li", {}, w));
    if (uniq.length > MAX_LISTED) list.push(el("li", { class: "muted" }, t("… and {n} more", { n: uniq.length - MAX_LISTED })));
    issues.push(el("div", { class: "warning", id: "status-warnings" }, el("p", {}, el("strong", {}, uniq.length === 1 ? t("Warning") : t("{n} warnings", { n: uniq.length }))), el("ul", {}, list)));
  }
  if (!skippedN && !uniq.length) issues.push(el("p", { class: "ok-line" }, t("✓ All rows read; no warnings.")));

  replaceChildren(ui.status, line, notes, issues);
  ui.status.hidden = false;
  // Machine-readable timings for tests and the benchmark.
  Object.assign(ui.status.dataset, { rows: String(d.nrows), bytes: String(d.size), ms: String(d.ms), parseMs: String(d.parseMs ?? ""), memory: String(d.memoryBytes ?? "") });

  // Sheets of an Excel workbook: offer them in the sheet picker.
  replaceChildren(ui.sheetList, (r.sheets || []).map((s) => el("option", { value: String(s) })));
  ui.reload.disabled = false;
}

function kindOf(d) {
  const kinds = new Map();
  for (const c of d.report?.columns || []) kinds.set(c.name, c.kind);
  return kinds;
}

function renderPreview(d) {
  const p = d.preview;
  if (!p || !p.rows) {
    replaceChildren(ui.preview, el("p", { class: "muted" }, t("No preview available.")));
    return;
  }
  const kinds = kindOf(d);
  const cols = [{ label: "#", className: "rownum", numeric: true }, ...p.columns.map((name) => ({ label: name, numeric: kinds.get(name) !== "text" && kinds.has(name) }))];
  const rows = p.rows.map((r, i) => [String(i + 1), ...r]);
  const table = renderTable(cols, rows, { className: "data-table preview-table" });
  table.id = "preview-table";
  replaceChildren(
    ui.preview,
    el("div", { class: "card-head" }, el("h3", {}, t("Preview")), el("span", { class: "muted" }, t("first {n} of {total} rows", { n: p.rows.length, total: formatNumber(d.nrows, 0, { integer: true }) }))),
    el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": t("Data preview") }, table),
  );
}

function renderColumns(d) {
  const cols = d.report?.columns || d.columns.map((name) => ({ name }));
  const rows = cols.map((c, i) => [
    String(i + 1),
    c.name,
    c.kind ? el("span", { class: `badge kind-${KIND_LABEL[c.kind] ? c.kind : "other"}` }, KIND_LABEL[c.kind] ? t(KIND_LABEL[c.kind]) : String(c.kind)) : "",
    c.n_missing ?? "",
    c.n_stray ? el("span", { class: "stray", title: c.first_stray_line ? t("first on line {line}", { line: c.first_stray_line }) : "" }, String(c.n_stray)) : c.n_stray ?? "",
  ]);
  const table = renderTable(
    [
      { label: "#", numeric: true, className: "rownum" },
      { label: t("Column") },
      { label: t("Kind") },
      { label: t("Missing"), numeric: true, integer: true },
      { label: t("Stray values"), numeric: true, integer: true },
    ],
    rows,
    { className: "data-table columns-table" },
  );
  table.id = "columns-table";
  replaceChildren(
    ui.columns,
    el("div", { class: "card-head" }, el("h3", {}, t("Columns")), el("span", { class: "muted" }, t("{n} columns", { n: cols.length }))),
    el("div", { class: "table-scroll short", tabindex: "0", role: "region", "aria-label": t("Column list") }, table),
  );
}

// ---------------------------------------------------------------- panel structure

function renderPanelDecl(d) {
  const names = d.columns;
  const kinds = kindOf(d);
  const unitGuess = ctx.panel?.unit ?? (d.sample?.unit && names.includes(d.sample.unit) ? d.sample.unit : guessUnit(names, kinds));
  const timeGuess = ctx.panel?.time ?? (d.sample?.time && names.includes(d.sample.time) ? d.sample.time : guessTime(names, kinds));
  const opts = (sel) => names.map((n) => el("option", { value: n, selected: n === sel }, `${n}${kinds.get(n) ? ` (${t(kinds.get(n))})` : ""}`));
  ui.unit = el("select", { id: "panel-unit", onchange: checkPanel }, opts(unitGuess));
  ui.time = el("select", { id: "panel-time", onchange: checkPanel }, opts(timeGuess));
  ui.panelResult = el("div", { class: "panel-result", id: "panel-result", "aria-live": "polite" });
  replaceChildren(
    ui.panelCard,
    el("div", { class: "card-head" }, el("h3", {}, t("Panel structure")), el("span", { class: "muted" }, t("used by DID, event studies and placebo tests"))),
    el("div", { class: "inline-form" }, el("label", { for: "panel-unit" }, t("Unit")), ui.unit, el("label", { for: "panel-time" }, t("Time")), ui.time),
    ui.panelResult,
  );
  ui.panelCard.hidden = false;
  checkPanel();
}

function describeDuplicate(dup) {
  if (dup === null || typeof dup !== "object") return String(dup);
  if (Array.isArray(dup)) return dup.map(String).join(", ");
  return Object.entries(dup)
    .map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(", ") : v}`)
    .join(", ");
}

async function checkPanel() {
  const d = ctx.dataset;
  if (!d) return;
  const unit = ui.unit.value;
  const time = ui.time.value;
  if (unit === time) {
    replaceChildren(ui.panelResult, el("p", { class: "warning" }, t("Choose two different columns for unit and time.")));
    return;
  }
  replaceChildren(ui.panelResult, el("p", { class: "muted" }, t("Checking…")));
  try {
    const info = await ctx.client.call("panelInfo", { handle: d.handle, unit, time });
    if (ctx.dataset !== d) return;
    ctx.panel = { unit, time, info };
    ctx.emit("panel-declared", ctx.panel);
    const dups = info.duplicates || [];
    const nDup = info.n_duplicates ?? dups.length;
    const nUnits = info.n_units ?? "?";
    const nPeriods = info.n_periods ?? "?";
    const int = (x) => formatNumber(x, 0, { integer: true });
    const headline = info.balanced
      ? el("p", { class: "ok-line", id: "panel-summary" }, t("✓ Balanced panel: {units} units × {periods} periods.", { units: nUnits, periods: nPeriods }))
      : el("p", { class: "warning", id: "panel-summary" }, t("Unbalanced panel: {units} units, {periods} periods, {obs} observations (balanced would be {balanced}).", { units: nUnits, periods: nPeriods, obs: int(info.n_obs ?? d.nrows), balanced: typeof nUnits === "number" && typeof nPeriods === "number" ? int(nUnits * nPeriods) : "?" }));
    const extra = [];
    // The panel's facts: the engine's panel.info table, exportable in every format.
    const facts = (info.tables || []).find((t) => t.id === "panel.info");
    if (facts) extra.push(el("details", { class: "panel-facts" }, el("summary", {}, t("Panel structure")), resultTableBlock(facts, ctx.client, { id: "panel-info-table", basename: "panel_structure" })));
    if (nDup) {
      const item = (x) => (x && typeof x === "object" && "unit" in x ? t(x.lines?.length ? "{unit} in {time} (lines {lines})" : "{unit} in {time}", { unit: x.unit, time: x.time, lines: (x.lines || []).join(", ") }) : describeDuplicate(x));
      extra.push(
        el(
          "div",
          { class: "warning error-ish", id: "panel-duplicates" },
          el("p", {}, el("strong", {}, t(nDup === 1 ? "{n} duplicate ({unit}, {time}) pair" : "{n} duplicate ({unit}, {time}) pairs", { n: nDup, unit, time })), t(" — each unit should appear once per period:")),
          el("ul", {}, dups.slice(0, MAX_LISTED).map((x) => el("li", {}, item(x))), nDup > Math.min(dups.length, MAX_LISTED) ? el("li", { class: "muted" }, t("… and {n} more", { n: nDup - Math.min(dups.length, MAX_LISTED) })) : null),
        ),
      );
    }
    const gaps = info.gaps || [];
    const nGaps = info.n_units_with_gaps ?? gaps.length;
    if (nGaps) {
      extra.push(
        el(
          "div",
          { class: "warning", id: "panel-gaps" },
          el("p", {}, el("strong", {}, t(nGaps === 1 ? "{n} unit has gaps" : "{n} units have gaps", { n: nGaps })), t(" inside their observed range:")),
          el("ul", {}, gaps.slice(0, MAX_LISTED).map((g) => el("li", {}, t("{unit}: missing {periods}", { unit: g.unit, periods: (g.missing || []).join(", ") }))), nGaps > Math.min(gaps.length, MAX_LISTED) ? el("li", { class: "muted" }, t("… and {n} more", { n: nGaps - Math.min(gaps.length, MAX_LISTED) })) : null),
        ),
      );
    }
    const diag = noteMessages(info.diagnostics);
    if (diag.length) extra.push(el("ul", { class: "diagnostics muted small", id: "panel-diagnostics" }, diag.map((m) => el("li", {}, m))));
    replaceChildren(ui.panelResult, headline, extra);
  } catch (e) {
    if (ctx.dataset !== d) return;
    ctx.panel = null;
    replaceChildren(ui.panelResult, el("p", { class: "error", role: "alert" }, errorText(e)));
  }
}

// ---------------------------------------------------------------- events

function onLoadStart({ name }) {
  ui.error.hidden = true;
  ui.progress.hidden = false;
  ui.progressBar.removeAttribute("value"); // indeterminate while reading the file
  ui.progressLabel.textContent = t("Reading {name}…", { name });
  ui.drop.classList.add("is-busy");
}

function onLoadProgress({ fraction, bytes }) {
  ui.progressBar.value = Math.max(0, Math.min(1, fraction));
  ui.progressLabel.textContent = t("Parsing {size} — {pct}%", { size: formatBytes(bytes), pct: Math.round(fraction * 100) });
}

function onLoadEnd() {
  if (ctx.loading) return; // another load already started
  ui.progress.hidden = true;
  ui.drop.classList.remove("is-busy");
}

function showError(title, message) {
  const current = ctx.dataset && !ctx.dataset.stale ? el("p", { class: "muted" }, t("The previously loaded data ({name}) is still loaded.", { name: ctx.dataset.name })) : null;
  replaceChildren(ui.error, el("p", {}, el("strong", {}, title)), el("p", { class: "error-message", id: "load-error-message" }, message), current);
  ui.error.hidden = false;
}

function onDataset(d) {
  ui.error.hidden = true;
  ui.empty.hidden = true;
  renderStatus(d);
  renderPreview(d);
  renderColumns(d);
  renderPanelDecl(d);
  ui.results.hidden = false;
}

export default {
  mount(root, context) {
    ctx = context;
    ui.status = el("div", { class: "card status", id: "status", hidden: true, "aria-live": "polite" });
    ui.error = el("div", { class: "card error-card", id: "load-error", role: "alert", hidden: true });
    ui.empty = el("p", { class: "muted empty", id: "data-empty" }, t("No data loaded yet."));
    ui.preview = el("div", { class: "card", id: "preview" });
    ui.columns = el("div", { class: "card", id: "columns" });
    ui.panelCard = el("div", { class: "card", id: "panel-card", hidden: true });
    ui.results = el("div", { class: "data-results", hidden: true }, ui.preview, el("div", { class: "grid-2" }, ui.columns, ui.panelCard));

    replaceChildren(
      root,
      panelHeader("data", t("Data"), t("Load a panel of units over time. Files are read and analysed inside this browser tab; nothing is uploaded.")),
      buildLoader(),
      ui.error,
      ui.status,
      ui.empty,
      ui.results,
    );

    ctx.on("load-start", onLoadStart);
    ctx.on("load-progress", onLoadProgress);
    ctx.on("load-end", onLoadEnd);
    ctx.on("dataset", onDataset);
    ctx.on("load-error", (e) => showError(ctx.engineError ? t("Quasi's engine could not start.") : t("The file could not be read."), errorText(e)));
    ctx.on("load-cancelled", () => {
      if (!ctx.dataset) showError(t("Loading cancelled."), t("No data is loaded."));
    });
    ctx.on("engine-error", (e) => showError(t("Quasi's engine could not start."), errorText(e)));
    if (ctx.engineError) showError(t("Quasi's engine could not start."), ctx.engineError.message);
    if (ctx.loading) onLoadStart({ name: "" });
    if (ctx.dataset) onDataset(ctx.dataset);
  },
};
