// Data panel: load a file (drop, picker or sample), see how it was read
// (status, skipped rows, warnings), preview the first rows, the inferred
// column kinds, and declare the panel structure (unit × time).
import { el, replaceChildren, renderTable, formatBytes, formatNumber, delimiterName } from "../dom.js";
import { SAMPLES } from "../sample-data.js";
import { resultTableBlock } from "../lib/result-table.js";
import { guessUnit, guessTime } from "../lib/panel-guess.js";
import { panelHeader, noteMessages } from "../lib/ui.js";

const ACCEPT = ".csv,.tsv,.tab,.txt,.xlsx,.xls,text/csv,text/tab-separated-values,text/plain";
const KIND_LABEL = { numeric: "numeric", integer: "integer", text: "text" };
const MAX_LISTED = 12;

let ctx;
const ui = {};

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
  const pick = el("label", { for: "file-input", class: "button primary" }, "Choose a file…");
  ui.drop = el(
    "div",
    { class: "dropzone", id: "dropzone", tabindex: "0", role: "button", "aria-label": "Drop a data file here or press Enter to choose one" },
    el("p", { class: "dropzone-title" }, "Drop a data file here"),
    el("p", { class: "dropzone-sub" }, "CSV, TSV, TXT, XLSX or XLS · read locally, never uploaded"),
    el("div", { class: "dropzone-actions" }, pick, ui.fileInput),
  );
  ui.drop.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      ui.fileInput.click();
    }
  });
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
  // A file dropped anywhere else must not navigate away from the page.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => {
    e.preventDefault();
    if (!ui.drop.contains(e.target)) loadFile(e.dataTransfer?.files?.[0]);
  });

  const samples = el(
    "div",
    { class: "samples" },
    el("span", { class: "samples-label" }, "Try a sample:"),
    Object.values(SAMPLES).map((s) =>
      el(
        "button",
        { type: "button", class: "button", id: `sample-${s.key}`, title: s.detail, onclick: () => ctx.loadSample(s.key).catch(() => {}) },
        s.label,
      ),
    ),
  );

  ui.delimiter = el(
    "select",
    { id: "opt-delimiter" },
    el("option", { value: "auto" }, "Detect automatically"),
    el("option", { value: "," }, "Comma ( , )"),
    el("option", { value: ";" }, "Semicolon ( ; )"),
    el("option", { value: "tab" }, "Tab"),
    el("option", { value: "|" }, "Pipe ( | )"),
  );
  ui.encoding = el(
    "select",
    { id: "opt-encoding" },
    el("option", { value: "auto" }, "Detect automatically"),
    el("option", { value: "utf-8" }, "UTF-8"),
    el("option", { value: "utf-16le" }, "UTF-16 LE"),
    el("option", { value: "utf-16be" }, "UTF-16 BE"),
    el("option", { value: "gb18030" }, "GB18030 / GBK (Chinese Excel)"),
    el("option", { value: "windows-1252" }, "Windows-1252 (Latin)"),
  );
  ui.decimalComma = el("input", { type: "checkbox", id: "opt-decimal-comma" });
  ui.sheet = el("input", { type: "text", id: "opt-sheet", placeholder: "first sheet", list: "sheet-list", autocomplete: "off", spellcheck: "false" });
  ui.sheetList = el("datalist", { id: "sheet-list" });
  ui.skipRagged = el("input", { type: "checkbox", id: "opt-skip-ragged" });
  ui.missing = el("input", { type: "text", id: "opt-missing", placeholder: "default: empty, NA, N/A, NaN, ., null, -", autocomplete: "off", spellcheck: "false" });
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
    "Re-read the current file with these options",
  );
  const options = el(
    "details",
    { class: "import-options", id: "import-options" },
    el("summary", {}, "Import options"),
    el(
      "div",
      { class: "form-grid" },
      el("label", { for: "opt-delimiter" }, "Delimiter"),
      ui.delimiter,
      el("label", { for: "opt-encoding" }, "Encoding"),
      ui.encoding,
      el("label", { for: "opt-sheet" }, "Excel sheet"),
      el("div", {}, ui.sheet, ui.sheetList),
      el("span", {}, "Numbers"),
      el("label", { class: "check" }, ui.decimalComma, " Decimal comma (1.234,5)"),
      el("label", { for: "opt-missing" }, "Missing values"),
      ui.missing,
      el("span", {}, "Ragged rows"),
      el("label", { class: "check" }, ui.skipRagged, " Skip and list them instead of stopping"),
    ),
    el("div", { class: "form-actions" }, ui.reload),
  );

  ui.progressLabel = el("span", { class: "progress-label" }, "Reading…");
  ui.progressBar = el("progress", { id: "load-progress", max: "1" });
  ui.cancel = el("button", { type: "button", class: "button danger", id: "cancel-load", onclick: () => ctx.cancel() }, "Cancel");
  ui.progress = el("div", { class: "progress", id: "progress", hidden: true, role: "status", "aria-live": "polite" }, ui.progressLabel, ui.progressBar, ui.cancel);

  return el("div", { class: "card loader" }, ui.drop, samples, options, ui.progress);
}

// ---------------------------------------------------------------- status

function renderStatus(d) {
  const r = d.report || {};
  const facts = [
    el("strong", { class: "file-name", id: "status-file" }, d.name),
    el("span", { id: "status-shape" }, `${formatNumber(d.nrows, 0, { integer: true })} rows × ${formatNumber(d.ncols, 0, { integer: true })} columns`),
    r.format ? el("span", {}, String(r.format).toUpperCase()) : null,
    r.sheet ? el("span", {}, `sheet “${r.sheet}”`) : null,
    r.encoding ? el("span", {}, String(r.encoding)) : null,
    r.delimiter ? el("span", {}, `${delimiterName(r.delimiter)}-delimited`) : null,
    el("span", {}, formatBytes(d.size)),
    el("span", { class: "muted" }, `read in ${formatNumber(d.ms, 0, { integer: true })} ms`),
  ].filter(Boolean);
  const sep = () => el("span", { class: "sep", "aria-hidden": "true" }, "·");
  const line = el("p", { class: "status-line" }, facts.flatMap((f, i) => (i ? [sep(), f] : [f])));

  const notes = [];
  if (d.restored) notes.push(el("p", { class: "note" }, "Loading was cancelled; the previous data was reloaded."));
  if (d.sample?.auto) {
    notes.push(el("p", { class: "note", id: "sample-note" }, `Sample loaded: ${d.sample.label}; drop your own file to replace it.`));
  } else if (d.sample) {
    notes.push(el("p", { class: "note", id: "sample-note" }, `Sample loaded: ${d.sample.label} (${d.sample.detail}).`));
  }

  const skippedN = r.rows_skipped ?? (r.skipped ? r.skipped.length : 0);
  const rowsRead = r.rows_read ?? d.nrows;
  const issues = [];
  if (skippedN > 0) {
    const list = (r.skipped || []).slice(0, MAX_LISTED).map((s) => el("li", {}, s.line !== undefined ? `Line ${s.line}: ${s.reason}` : String(s.reason ?? s)));
    if ((r.skipped || []).length > MAX_LISTED) list.push(el("li", { class: "muted" }, `… and ${r.skipped.length - MAX_LISTED} more`));
    issues.push(
      el(
        "div",
        { class: "warning", id: "status-skipped" },
        el("p", {}, el("strong", {}, `${skippedN} ${skippedN === 1 ? "row" : "rows"} skipped`), ` of ${rowsRead + skippedN} data rows:`),
        el("ul", {}, list),
      ),
    );
  }
  // Typed diagnostics { code, severity, message }; stray values are among them (code "stray_values").
  const uniq = (r.warnings || []).map((w) => w.message);
  if (uniq.length) {
    const list = uniq.slice(0, MAX_LISTED).map((w) => el("li", {}, w));
    if (uniq.length > MAX_LISTED) list.push(el("li", { class: "muted" }, `… and ${uniq.length - MAX_LISTED} more`));
    issues.push(el("div", { class: "warning", id: "status-warnings" }, el("p", {}, el("strong", {}, uniq.length === 1 ? "Warning" : `${uniq.length} warnings`)), el("ul", {}, list)));
  }
  if (!skippedN && !uniq.length) issues.push(el("p", { class: "ok-line" }, "✓ All rows read; no warnings."));

  replaceChildren(ui.status, line, notes, issues);
  ui.status.hidden = false;
  // Machine-readable timings for tests and the benchmark.
  Object.assign(ui.status.dataset, { rows: String(d.nrows), bytes: String(d.size), ms: String(d.ms), parseMs: String(d.parseMs ?? "") });

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
    replaceChildren(ui.preview, el("p", { class: "muted" }, "No preview available."));
    return;
  }
  const kinds = kindOf(d);
  const cols = [{ label: "#", className: "rownum", numeric: true }, ...p.columns.map((name) => ({ label: name, numeric: kinds.get(name) !== "text" && kinds.has(name) }))];
  const rows = p.rows.map((r, i) => [String(i + 1), ...r]);
  const table = renderTable(cols, rows, { className: "data-table preview-table" });
  table.id = "preview-table";
  replaceChildren(
    ui.preview,
    el("div", { class: "card-head" }, el("h3", {}, "Preview"), el("span", { class: "muted" }, `first ${p.rows.length} of ${formatNumber(d.nrows, 0, { integer: true })} rows`)),
    el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Data preview" }, table),
  );
}

function renderColumns(d) {
  const cols = d.report?.columns || d.columns.map((name) => ({ name }));
  const rows = cols.map((c, i) => [
    String(i + 1),
    c.name,
    c.kind ? el("span", { class: `badge kind-${KIND_LABEL[c.kind] ? c.kind : "other"}` }, KIND_LABEL[c.kind] || String(c.kind)) : "",
    c.n_missing ?? "",
    c.n_stray ? el("span", { class: "stray", title: c.first_stray_line ? `first on line ${c.first_stray_line}` : "" }, String(c.n_stray)) : c.n_stray ?? "",
  ]);
  const table = renderTable(
    [
      { label: "#", numeric: true, className: "rownum" },
      { label: "Column" },
      { label: "Kind" },
      { label: "Missing", numeric: true, integer: true },
      { label: "Stray values", numeric: true, integer: true },
    ],
    rows,
    { className: "data-table columns-table" },
  );
  table.id = "columns-table";
  replaceChildren(
    ui.columns,
    el("div", { class: "card-head" }, el("h3", {}, "Columns"), el("span", { class: "muted" }, `${cols.length} columns`)),
    el("div", { class: "table-scroll short", tabindex: "0", role: "region", "aria-label": "Column list" }, table),
  );
}

// ---------------------------------------------------------------- panel structure

function renderPanelDecl(d) {
  const names = d.columns;
  const kinds = kindOf(d);
  const unitGuess = ctx.panel?.unit ?? (d.sample?.unit && names.includes(d.sample.unit) ? d.sample.unit : guessUnit(names, kinds));
  const timeGuess = ctx.panel?.time ?? (d.sample?.time && names.includes(d.sample.time) ? d.sample.time : guessTime(names, kinds));
  const opts = (sel) => names.map((n) => el("option", { value: n, selected: n === sel }, `${n}${kinds.get(n) ? ` (${kinds.get(n)})` : ""}`));
  ui.unit = el("select", { id: "panel-unit", onchange: checkPanel }, opts(unitGuess));
  ui.time = el("select", { id: "panel-time", onchange: checkPanel }, opts(timeGuess));
  ui.panelResult = el("div", { class: "panel-result", id: "panel-result", "aria-live": "polite" });
  replaceChildren(
    ui.panelCard,
    el("div", { class: "card-head" }, el("h3", {}, "Panel structure"), el("span", { class: "muted" }, "used by DID, event studies and placebo tests")),
    el("div", { class: "inline-form" }, el("label", { for: "panel-unit" }, "Unit"), ui.unit, el("label", { for: "panel-time" }, "Time"), ui.time),
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
    replaceChildren(ui.panelResult, el("p", { class: "warning" }, "Choose two different columns for unit and time."));
    return;
  }
  replaceChildren(ui.panelResult, el("p", { class: "muted" }, "Checking…"));
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
      ? el("p", { class: "ok-line", id: "panel-summary" }, `✓ Balanced panel: ${nUnits} units × ${nPeriods} periods.`)
      : el("p", { class: "warning", id: "panel-summary" }, `Unbalanced panel: ${nUnits} units, ${nPeriods} periods, ${int(info.n_obs ?? d.nrows)} observations (balanced would be ${typeof nUnits === "number" && typeof nPeriods === "number" ? int(nUnits * nPeriods) : "?"}).`);
    const extra = [];
    // The panel's facts: the engine's panel.info table, exportable in every format.
    const facts = (info.tables || []).find((t) => t.id === "panel.info");
    if (facts) extra.push(el("details", { class: "panel-facts" }, el("summary", {}, "Panel structure"), resultTableBlock(facts, ctx.client, { id: "panel-info-table", basename: "panel_structure" })));
    if (nDup) {
      const item = (x) => (x && typeof x === "object" && "unit" in x ? `${x.unit} in ${x.time}${x.lines?.length ? ` (lines ${x.lines.join(", ")})` : ""}` : describeDuplicate(x));
      extra.push(
        el(
          "div",
          { class: "warning error-ish", id: "panel-duplicates" },
          el("p", {}, el("strong", {}, `${nDup} duplicate (${unit}, ${time}) ${nDup === 1 ? "pair" : "pairs"}`), " — each unit should appear once per period:"),
          el("ul", {}, dups.slice(0, MAX_LISTED).map((x) => el("li", {}, item(x))), nDup > Math.min(dups.length, MAX_LISTED) ? el("li", { class: "muted" }, `… and ${nDup - Math.min(dups.length, MAX_LISTED)} more`) : null),
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
          el("p", {}, el("strong", {}, `${nGaps} ${nGaps === 1 ? "unit has" : "units have"} gaps`), " inside their observed range:"),
          el("ul", {}, gaps.slice(0, MAX_LISTED).map((g) => el("li", {}, `${g.unit}: missing ${(g.missing || []).join(", ")}`)), nGaps > Math.min(gaps.length, MAX_LISTED) ? el("li", { class: "muted" }, `… and ${nGaps - Math.min(gaps.length, MAX_LISTED)} more`) : null),
        ),
      );
    }
    const diag = noteMessages(info.diagnostics);
    if (diag.length) extra.push(el("ul", { class: "diagnostics muted small", id: "panel-diagnostics" }, diag.map((m) => el("li", {}, m))));
    replaceChildren(ui.panelResult, headline, extra);
  } catch (e) {
    if (ctx.dataset !== d) return;
    ctx.panel = null;
    replaceChildren(ui.panelResult, el("p", { class: "error", role: "alert" }, e.message));
  }
}

// ---------------------------------------------------------------- events

function onLoadStart({ name }) {
  ui.error.hidden = true;
  ui.progress.hidden = false;
  ui.progressBar.removeAttribute("value"); // indeterminate while reading the file
  ui.progressLabel.textContent = `Reading ${name}…`;
  ui.drop.classList.add("is-busy");
}

function onLoadProgress({ fraction, bytes }) {
  ui.progressBar.value = Math.max(0, Math.min(1, fraction));
  ui.progressLabel.textContent = `Parsing ${formatBytes(bytes)} — ${Math.round(fraction * 100)}%`;
}

function onLoadEnd() {
  if (ctx.loading) return; // another load already started
  ui.progress.hidden = true;
  ui.drop.classList.remove("is-busy");
}

function showError(title, message) {
  const current = ctx.dataset && !ctx.dataset.stale ? el("p", { class: "muted" }, `The previously loaded data (${ctx.dataset.name}) is still loaded.`) : null;
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
    ui.empty = el("p", { class: "muted empty", id: "data-empty" }, "No data loaded yet.");
    ui.preview = el("div", { class: "card", id: "preview" });
    ui.columns = el("div", { class: "card", id: "columns" });
    ui.panelCard = el("div", { class: "card", id: "panel-card", hidden: true });
    ui.results = el("div", { class: "data-results", hidden: true }, ui.preview, el("div", { class: "grid-2" }, ui.columns, ui.panelCard));

    replaceChildren(
      root,
      panelHeader("data", "Data", "Load a panel of units over time. Files are read and analysed inside this browser tab; nothing is uploaded."),
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
    ctx.on("load-error", (e) => showError(ctx.engineError ? "Quasi's engine could not start." : "The file could not be read.", e.message));
    ctx.on("load-cancelled", () => {
      if (!ctx.dataset) showError("Loading cancelled.", "No data is loaded.");
    });
    ctx.on("engine-error", (e) => showError("Quasi's engine could not start.", e.message));
    if (ctx.engineError) showError("Quasi's engine could not start.", ctx.engineError.message);
    if (ctx.loading) onLoadStart({ name: "" });
    if (ctx.dataset) onDataset(ctx.dataset);
  },
};
