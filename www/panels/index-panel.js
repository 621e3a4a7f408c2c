// Index panel: composite indices (entropy, TOPSIS, PCA, CRITIC, CV, equal
// weights) from an indicator specification table (indicator, direction,
// dimension), with weights, score summaries, a ranking, charts, and the index
// appended to the dataset so the other panels can use it at once.
//
// Worker calls:
//   ctx.client.call("call", { fn: "buildIndex", handle, args: [spec] })
//     spec = { method, indicators: [{ name, direction, dimension? }], scope,
//              time?, unit?, shift, scale100, missing, extrapolate?, n_components? }
//   ctx.client.call("call", { fn: "chart", args: [kind, data, options] })   (no handle)
//   ctx.client.call("method", { handle, method: "preview", args: [nrows] })  (unit/time labels)
//   ctx.client.call("method", { handle, method: "addColumn", args: [name, values] })
//   ctx.client.call("method", { handle, method: "toCsv" })
//
// Directions are never guessed silently: cost-like names get a visible
// suggestion the user accepts (or not).
import { el, replaceChildren, downloadText, toCsv } from "../dom.js";
import { releaseCharts } from "../charts.js";
import { costKeyword, JJJ_PRESET } from "./index-spec-data.js";
import { matchUnit, matchTime } from "../lib/panel-guess.js";
import { numericColumns } from "../lib/columns.js";
import { panelHeader, dataPanel } from "../lib/ui.js";
import { indexValues, renderIndexResults } from "./index-results.js";
import { t } from "../i18n.js";
import { errorText } from "../lib/messages.js";

let ctx;
const ui = {};
let rows = []; // [{ name, direction, dimension, dismissed }]
let last = null; // { res, spec, dataset, labels: { unit, time } }
let runSeq = 0;

export { costKeyword };

const METHODS = {
  entropy: "Entropy weights",
  topsis: "TOPSIS (entropy-weighted)",
  pca: "PCA composite",
  critic: "CRITIC weights",
  cv: "Coefficient-of-variation weights",
  equal: "Equal weights",
};

const fin = (v) => typeof v === "number" && Number.isFinite(v);

// ---------------------------------------------------------------- spec table

function addRow(name, direction = 1, dimension = "") {
  if (!name || rows.some((r) => r.name === name)) return false;
  rows.push({ name, direction, dimension, dismissed: false });
  return true;
}

function pendingSuggestion(r) {
  if (r.dismissed) return null;
  const k = costKeyword(r.name);
  return k && r.direction !== -1 ? k : null;
}

function renderSpec() {
  const d = ctx.dataset;
  const numeric = numericColumns(d);
  const dims = [...new Set(rows.map((r) => r.dimension).filter(Boolean))];
  replaceChildren(ui.dimList, dims.map((x) => el("option", { value: x })));
  const body = rows.map((r, i) => {
    const sug = pendingSuggestion(r);
    const nameSel = el(
      "select",
      {
        id: `idx-ind-${i}`,
        "aria-label": t("Indicator {n}", { n: i + 1 }),
        onchange: (e) => {
          r.name = e.target.value;
          r.dismissed = false;
          renderSpec();
        },
      },
      numeric.map((n) => el("option", { value: n, selected: n === r.name }, n)),
    );
    const dirSel = el(
      "select",
      {
        id: `idx-dir-${i}`,
        class: "idx-dir",
        "aria-label": t("Direction of {name}", { name: r.name }),
        onchange: (e) => {
          r.direction = Number(e.target.value);
          r.dismissed = true; // the user decided
          renderSpec();
        },
      },
      el("option", { value: "1", selected: r.direction === 1 }, t("+ benefit")),
      el("option", { value: "-1", selected: r.direction === -1 }, t("− cost")),
    );
    const dimInput = el("input", {
      type: "text",
      id: `idx-dim-${i}`,
      value: r.dimension,
      list: "idx-dim-list",
      placeholder: t("(none)"),
      "aria-label": t("Dimension of {name}", { name: r.name }),
      onchange: (e) => {
        r.dimension = e.target.value.trim();
        renderSpec();
      },
    });
    const sugCell = sug
      ? el(
          "span",
          { class: "idx-suggest" },
          t("Suggested: cost (−) — name contains “{sug}”. ", { sug }),
          el("button", { type: "button", class: "link idx-accept", onclick: () => ((r.direction = -1), (r.dismissed = true), renderSpec()) }, t("Accept")),
          el("button", { type: "button", class: "link", onclick: () => ((r.dismissed = true), renderSpec()) }, t("Keep +")),
        )
      : "";
    const remove = el(
      "button",
      {
        type: "button",
        class: "link idx-remove",
        "aria-label": t("Remove {name}", { name: r.name }),
        onclick: () => {
          rows.splice(i, 1);
          setStatus(ui.specStatus, "");
          renderSpec();
        },
      },
      t("remove"),
    );
    const tr = el("tr", { dataset: { indicator: r.name } }, el("td", {}, nameSel), el("td", {}, dirSel), el("td", {}, dimInput), el("td", {}, sugCell), el("td", {}, remove));
    if (!numeric.includes(r.name)) tr.classList.add("idx-missing-col");
    return tr;
  });
  const table = el(
    "table",
    { class: "data-table idx-spec-table", id: "idx-spec" },
    el("thead", {}, el("tr", {}, [t("Indicator"), t("Direction"), t("Dimension"), t("Suggestion"), ""].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, body),
  );
  const pending = rows.filter(pendingSuggestion).length;
  replaceChildren(
    ui.specWrap,
    rows.length ? el("div", { class: "table-scroll short" }, table) : el("p", { class: "muted", id: "idx-spec-empty" }, t("No indicators yet: add some below, upload a specification, or use a preset.")),
    el(
      "p",
      { class: "muted small", id: "idx-spec-count" },
      t(rows.length === 1 ? "{n} indicator" : "{n} indicators", { n: rows.length }),
      dims.length ? t(dims.length === 1 ? " in {n} dimension" : " in {n} dimensions", { n: dims.length }) : "",
      t("; {n} cost.", { n: rows.filter((r) => r.direction === -1).length }),
      pending ? " " : "",
      pending ? el("button", { type: "button", class: "link", id: "idx-accept-all", onclick: acceptAll }, t(pending === 1 ? "Accept {n} suggestion" : "Accept all {n} suggestions", { n: pending })) : null,
    ),
  );
  // "add" picker: numeric columns not in the table
  const used = new Set(rows.map((r) => r.name));
  replaceChildren(
    ui.addSel,
    numeric.filter((n) => !used.has(n)).map((n) => el("option", { value: n }, costKeyword(n) ? `${n}  ${t("(cost?)")}` : n)),
  );
  ui.preset.hidden = !JJJ_PRESET.every(([n]) => (d?.columns || []).includes(n));
}

function acceptAll() {
  for (const r of rows) if (pendingSuggestion(r)) {
    r.direction = -1;
    r.dismissed = true;
  }
  renderSpec();
}

function usePreset() {
  rows = JJJ_PRESET.map(([name, direction, dimension]) => ({ name, direction, dimension, dismissed: true }));
  renderSpec();
  setStatus(ui.specStatus, t("Filled with the sample's preset: 18 indicators in 6 dimensions (exit_rate, admin_penalty_rate and litigation_rate are cost indicators)."));
}

function addSelected() {
  const picked = [...ui.addSel.selectedOptions].map((o) => o.value);
  for (const n of picked) addRow(n);
  renderSpec();
}

function addAll() {
  const d = ctx.dataset;
  const skip = new Set([unitName(), timeName(), d?.sample?.unit, d?.sample?.time].filter(Boolean));
  for (const n of numericColumns(d)) if (!skip.has(n)) addRow(n);
  renderSpec();
}

function parseDirection(s) {
  const t = String(s ?? "").trim().toLowerCase();
  if (["+", "1", "+1", "benefit", "positive", "pos", "正", "正向"].includes(t) || t === "") return 1;
  if (["-", "−", "-1", "cost", "negative", "neg", "负", "负向", "逆向"].includes(t)) return -1;
  return null;
}

function parseCsvText(text) {
  const out = [];
  let row = [];
  let field = "";
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') q = false;
      else field += c;
    } else if (c === '"') q = true;
    else if (c === "," || c === ";" || c === "\t") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      out.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length) {
    row.push(field);
    out.push(row);
  }
  return out.filter((r) => r.some((f) => f.trim() !== ""));
}

async function uploadSpec(file) {
  if (!file) return;
  try {
    const text = (await file.text()).replace(/^\uFEFF/, "");
    const table = parseCsvText(text);
    if (!table.length) throw new Error(t("the file is empty"));
    const head = table[0].map((h) => h.trim().toLowerCase());
    const hasHeader = head.includes("indicator") || head.includes("name");
    const iName = hasHeader ? Math.max(head.indexOf("indicator"), head.indexOf("name")) : 0;
    const iDir = hasHeader ? head.indexOf("direction") : 1;
    const iDim = hasHeader ? head.indexOf("dimension") : 2;
    const columns = new Set(ctx.dataset?.columns || []);
    const problems = [];
    const next = [];
    table.slice(hasHeader ? 1 : 0).forEach((r, k) => {
      const line = k + (hasHeader ? 2 : 1);
      const name = (r[iName] ?? "").trim();
      if (!name) return;
      const dir = iDir >= 0 ? parseDirection(r[iDir]) : 1;
      if (dir === null) problems.push(t("line {line}: direction “{dir}” for {name} is not +, −, 1, −1, benefit or cost", { line, dir: r[iDir], name }));
      if (!columns.has(name)) problems.push(t("line {line}: “{name}” is not a column of the data", { line, name }));
      if (next.some((x) => x.name === name)) problems.push(t("line {line}: “{name}” is listed twice", { line, name }));
      next.push({ name, direction: dir ?? 1, dimension: iDim >= 0 ? (r[iDim] ?? "").trim() : "", dismissed: iDir >= 0 && dir !== null });
    });
    if (problems.length) {
      showSpecProblems(t("The specification in {name} was not applied:", { name: file.name }), problems);
      return;
    }
    rows = next;
    renderSpec();
    setStatus(ui.specStatus, t("Read {n} indicators from {name}.", { n: rows.length, name: file.name }));
  } catch (e) {
    showSpecProblems(t("{name} could not be read:", { name: file.name }), [errorText(e)]);
  } finally {
    ui.upload.value = "";
  }
}

function showSpecProblems(title, list) {
  replaceChildren(ui.specStatus, el("div", { class: "warning error-ish", role: "alert", id: "idx-spec-error" }, el("p", {}, title), el("ul", {}, list.slice(0, 12).map((p) => el("li", {}, p)))));
}

function setStatus(node, message) {
  replaceChildren(node, message ? el("p", { class: "note" }, message) : null);
}

function downloadSpec() {
  downloadText("index_specification.csv", toCsv(["indicator", "direction", "dimension"], rows.map((r) => [r.name, r.direction === -1 ? "-" : "+", r.dimension])));
}

// ---------------------------------------------------------------- run

const unitName = () => ui.unit?.value || "";
const timeName = () => ui.time?.value || "";

function buildSpec() {
  const method = ui.method.value;
  const spec = {
    method,
    indicators: rows.map((r) => (r.dimension ? { name: r.name, direction: r.direction, dimension: r.dimension } : { name: r.name, direction: r.direction })),
    scope: ui.scope.value,
    missing: ui.missing.value,
  };
  const shift = Number(ui.shift.value);
  if (ui.shift.value.trim() !== "" && Number.isFinite(shift)) spec.shift = shift;
  if (ui.scale100.checked) spec.scale100 = true;
  if (spec.scope === "by_time" || spec.missing === "interpolate") spec.time = timeName();
  if (spec.missing === "interpolate") {
    spec.unit = unitName();
    if (ui.extrapolate.checked) spec.extrapolate = "nearest";
  }
  if (method === "pca" && ui.ncomp.value.trim() !== "") spec.n_components = Number(ui.ncomp.value);
  return spec;
}

function clearError() {
  ui.error.hidden = true;
  replaceChildren(ui.error);
}

function showError(title, message) {
  replaceChildren(ui.error, el("p", {}, el("strong", {}, title)), el("pre", { class: "error-message", id: "idx-error-message" }, message));
  ui.error.hidden = false;
}

/** Unit and time labels of every row (display strings), cached per dataset. */
const labelCache = new WeakMap();
async function rowLabels(d, unit, time) {
  let p = labelCache.get(d);
  if (!p) {
    p = ctx.client.call("method", { handle: d.handle, method: "preview", args: [d.nrows] });
    labelCache.set(d, p);
  }
  const pv = await p;
  const iu = pv.columns.indexOf(unit);
  const it = pv.columns.indexOf(time);
  return {
    unit: iu >= 0 ? pv.rows.map((r) => r[iu]) : null,
    time: it >= 0 ? pv.rows.map((r) => r[it]) : null,
  };
}

async function run() {
  const d = ctx.dataset;
  clearError();
  if (!d) return showError(t("No data loaded."), t("Load a file first (Data panel)."));
  if (rows.length < 2) return showError(t("Too few indicators."), t("An index needs at least two indicators."));
  const spec = buildSpec();
  if ((spec.scope === "by_time" || spec.missing === "interpolate") && !spec.time) return showError(t("Choose the time column."), t("By-year scope and interpolation need a time column."));
  const seq = ++runSeq;
  ui.run.disabled = true;
  ui.results.classList.add("is-stale");
  try {
    const res = await ctx.client.call("call", { fn: "buildIndex", handle: d.handle, args: [spec] });
    let labels = { unit: null, time: null };
    try {
      labels = await rowLabels(d, unitName(), timeName());
    } catch {
      /* summaries by unit/time are skipped */
    }
    if (seq !== runSeq) return;
    last = { res, spec, dataset: d, labels, unitName: unitName(), timeName: timeName() };
    await renderResults();
  } catch (e) {
    if (seq !== runSeq) return;
    showError(t("The index could not be built."), errorText(e));
  } finally {
    if (seq === runSeq) {
      ui.run.disabled = false;
      ui.results.classList.remove("is-stale");
    }
  }
}

/** Renders the last result into the results area. */
function renderResults() {
  if (!last) return Promise.resolve();
  return renderIndexResults(last, { client: ctx.client, target: ui.results, methods: Object.fromEntries(Object.entries(METHODS).map(([k, v]) => [k, t(v)])), addBlock });
}

// ---------------------------------------------------------------- add to dataset

function safeName(s) {
  return String(s).trim().replace(/[^\p{L}\p{N}_]+/gu, "_").replace(/^_+|_+$/g, "");
}

function addBlock(res) {
  const typed = ui.colName && ui.colName.dataset.edited === "true" ? ui.colName.value : "";
  const defaultName = typed || (res.method === "entropy" ? "index" : `index_${res.method}`);
  ui.colName = el("input", { type: "text", id: "idx-col-name", value: defaultName, size: 12, spellcheck: "false", autocomplete: "off", dataset: { edited: typed ? "true" : "false" }, oninput: (e) => (e.target.dataset.edited = "true") });
  const hasDims = res.method !== "pca" && (res.dimensions || []).length > 0;
  ui.addDims = el("input", { type: "checkbox", id: "idx-add-dims", checked: hasDims, disabled: !hasDims });
  ui.addStatus = el("div", { id: "idx-add-status", role: "status", "aria-live": "polite" });
  return el(
    "div",
    { class: "idx-add" },
    el(
      "div",
      { class: "inline-form" },
      el("label", { for: "idx-col-name" }, t("Column name")),
      ui.colName,
      el("label", { class: "check" }, ui.addDims, " ", t("also each dimension's sub-index (name_dimension)")),
      el("button", { type: "button", class: "button primary", id: "idx-add", onclick: addToDataset }, t("Add to dataset")),
      el("button", { type: "button", class: "button", id: "idx-download-data", onclick: downloadAugmented }, t("Download augmented CSV")),
    ),
    ui.addStatus,
  );
}

async function addToDataset() {
  if (!last) return;
  const d = ctx.dataset;
  if (!d || d.handle !== last.dataset.handle) {
    setStatus(ui.addStatus, t("The data changed since this index was built; run it again."));
    return;
  }
  const name = safeName(ui.colName.value);
  if (!name) {
    replaceChildren(ui.addStatus, el("p", { class: "error", role: "alert" }, t("Give the new column a name.")));
    return;
  }
  const toJs = (xs) => xs.map((v) => (fin(v) ? v : null));
  const cols = [[name, toJs(indexValues(last.res))]];
  if (ui.addDims.checked) for (const dm of last.res.dimensions || []) cols.push([safeName(`${name}_${dm.dimension}`), toJs(dm.scores)]);
  try {
    for (const [n, v] of cols) await ctx.client.call("method", { handle: d.handle, method: "addColumn", args: [n, v] });
    await refreshDataset(cols.map((c) => c[0]));
    setStatus(ui.addStatus, t(cols.length === 1 ? "Added {cols} to {data}; the other panels can use it now (e.g. log({name}) in Regression)." : "Added {cols} to {data}; the other panels can use them now (e.g. log({name}) in Regression).", { cols: cols.map((c) => c[0]).join(", "), data: d.name, name }));
    ui.addStatus.dataset.added = cols.map((c) => c[0]).join(",");
  } catch (e) {
    replaceChildren(ui.addStatus, el("p", { class: "error", role: "alert" }, t("Could not add the column: {message}", { message: errorText(e) })));
  }
}

/** Re-reads the dataset summary after columns were added and tells every panel. */
async function refreshDataset(added) {
  const d = ctx.dataset;
  const s = await ctx.client.call("summary", { handle: d.handle });
  const known = new Map((d.report?.columns || []).map((c) => [c.name, c]));
  const addedSet = new Set(added);
  const report = d.report
    ? {
        ...d.report,
        columns: s.columns.map((n) => (!addedSet.has(n) && known.has(n) ? known.get(n) : { name: n, kind: "numeric", n_missing: 0, n_stray: 0, added: true })),
      }
    : null;
  const next = { ...d, ...s, report, parseMs: d.parseMs, added: [...new Set([...(d.added || []), ...added])] };
  if (last && last.dataset === d) last.dataset = next;
  ctx.dataset = next;
  ctx.emit("dataset", next);
}

async function downloadAugmented() {
  const d = ctx.dataset;
  if (!d) return;
  try {
    const csv = await ctx.client.call("method", { handle: d.handle, method: "toCsv" });
    const base = d.name.replace(/\.[^.]+$/, "").replace(/[^\w.-]+/g, "_") || "data";
    downloadText(`${base}_with_index.csv`, csv);
  } catch (e) {
    replaceChildren(ui.addStatus, el("p", { class: "error", role: "alert" }, t("Could not write the CSV: {message}", { message: errorText(e) })));
  }
}

// ---------------------------------------------------------------- controls

function syncControls() {
  const m = ui.method.value;
  ui.ncompWrap.hidden = m !== "pca";
  ui.scope.disabled = m === "pca";
  if (m === "pca") ui.scope.value = "pooled";
  ui.extrapolateWrap.hidden = ui.missing.value !== "interpolate";
  ui.shiftWrap.hidden = m === "pca";
}

function fillUnitTime(d) {
  const all = d.columns;
  const keepU = ui.unit.value;
  const keepT = ui.time.value;
  const unit = (keepU && all.includes(keepU) && keepU) || ctx.panel?.unit || d.sample?.unit || matchUnit(all);
  const time = (keepT && all.includes(keepT) && keepT) || ctx.panel?.time || d.sample?.time || matchTime(all);
  replaceChildren(ui.unit, el("option", { value: "" }, t("— none —")), all.map((n) => el("option", { value: n, selected: n === unit }, n)));
  replaceChildren(ui.time, el("option", { value: "" }, t("— none —")), all.map((n) => el("option", { value: n, selected: n === time }, n)));
}

function onDataset(d) {
  ui.empty.hidden = true;
  ui.body.hidden = false;
  fillUnitTime(d);
  const cols = new Set(d.columns);
  rows = rows.filter((r) => cols.has(r.name));
  if (last && last.dataset.handle !== d.handle) {
    last = null;
    releaseCharts(ui.results);
    replaceChildren(ui.results);
    ui.results.hidden = true;
  }
  renderSpec();
}

export default {
  mount(root, context) {
    ctx = context;
    ui.specWrap = el("div", { id: "idx-spec-wrap" });
    ui.dimList = el("datalist", { id: "idx-dim-list" });
    ui.specStatus = el("div", { id: "idx-spec-status", "aria-live": "polite" });
    ui.addSel = el("select", { id: "idx-add-select", multiple: true, size: 5 });
    ui.preset = el("button", { type: "button", class: "button", id: "idx-preset", hidden: true, onclick: usePreset, title: t("The 18 indicators, directions and dimensions of the bundled JJJ sample (its reference specification)") }, t("Use the sample's 18 indicators (sample preset)"));
    ui.upload = el("input", { type: "file", id: "idx-spec-upload", accept: ".csv,.txt,text/csv", class: "visually-hidden", onchange: (e) => uploadSpec(e.target.files?.[0]) });
    ui.method = el("select", { id: "idx-method", onchange: syncControls }, Object.entries(METHODS).map(([k, v]) => el("option", { value: k }, t(v))));
    ui.scope = el("select", { id: "idx-scope" }, el("option", { value: "pooled" }, t("Pooled (all unit-years)")), el("option", { value: "by_time" }, t("By period (within each year)")));
    ui.unit = el("select", { id: "idx-unit" });
    ui.time = el("select", { id: "idx-time" });
    ui.shift = el("input", { type: "text", id: "idx-shift", value: "0.0001", inputmode: "decimal", size: 8 });
    ui.shiftWrap = el("div", { class: "field" }, el("label", { for: "idx-shift", class: "field-label" }, t("Shift after normalising")), ui.shift);
    ui.scale100 = el("input", { type: "checkbox", id: "idx-scale100" });
    ui.missing = el(
      "select",
      { id: "idx-missing", onchange: syncControls },
      el("option", { value: "error" }, t("Stop and list them")),
      el("option", { value: "drop" }, t("Leave incomplete rows out")),
      el("option", { value: "interpolate" }, t("Interpolate linearly within unit over time")),
    );
    ui.extrapolate = el("input", { type: "checkbox", id: "idx-extrapolate" });
    ui.extrapolateWrap = el("label", { class: "check", hidden: true }, ui.extrapolate, " ", t("Fill leading/trailing gaps with the nearest value"));
    ui.ncomp = el("input", { type: "number", id: "idx-ncomp", min: "1", step: "1", placeholder: t("eigenvalue > 1") });
    ui.ncompWrap = el("div", { class: "field", hidden: true }, el("label", { for: "idx-ncomp", class: "field-label" }, t("Components")), ui.ncomp);
    ui.run = el("button", { type: "button", class: "button primary", id: "idx-run", onclick: run }, t("Build index"));
    ui.error = el("div", { class: "card error-card", id: "idx-error", role: "alert", hidden: true });
    ui.results = el("div", { id: "idx-results", hidden: true, "aria-live": "polite" });
    const body = [
      el(
        "div",
        { class: "idx-layout" },
        el(
          "div",
          { class: "card" },
          el("div", { class: "card-head" }, el("h3", {}, t("Indicators")), ui.preset),
          ui.specWrap,
          ui.dimList,
          el(
            "div",
            { class: "idx-spec-actions" },
            el("label", { for: "idx-add-select", class: "field-label" }, t("Numeric columns")),
            ui.addSel,
            el(
              "div",
              { class: "idx-spec-buttons" },
              el("button", { type: "button", class: "button", id: "idx-add-selected", onclick: addSelected }, t("Add selected")),
              el("button", { type: "button", class: "button", id: "idx-add-all", onclick: addAll }, t("Add all numeric")),
              el("button", { type: "button", class: "button", id: "idx-clear", onclick: () => ((rows = []), renderSpec()) }, t("Clear")),
              el("label", { for: "idx-spec-upload", class: "button", tabindex: "0", onkeydown: (e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), ui.upload.click()) }, t("Upload spec CSV…")),
              ui.upload,
              el("button", { type: "button", class: "button", id: "idx-spec-download", onclick: downloadSpec }, t("Download spec CSV")),
            ),
          ),
          el("p", { class: "muted small" }, t("Specification CSV columns: indicator, direction (+ / − or 1 / −1), dimension. Names that look like cost indicators (exit, penalty, litigation, pollution, …) get a suggestion to accept — directions are never changed without you.")),
          ui.specStatus,
        ),
        el(
          "aside",
          { class: "card controls idx-controls" },
          el("div", { class: "field" }, el("label", { for: "idx-method", class: "field-label" }, t("Method")), ui.method),
          el("div", { class: "field" }, el("label", { for: "idx-scope", class: "field-label" }, t("Normalisation scope")), ui.scope),
          el("div", { class: "field" }, el("label", { for: "idx-unit", class: "field-label" }, t("Unit")), ui.unit),
          el("div", { class: "field" }, el("label", { for: "idx-time", class: "field-label" }, t("Time")), ui.time),
          ui.shiftWrap,
          el("label", { class: "check" }, ui.scale100, " ", t("Scores ×100")),
          el("div", { class: "field" }, el("label", { for: "idx-missing", class: "field-label" }, t("Missing values")), ui.missing),
          ui.extrapolateWrap,
          ui.ncompWrap,
          el("div", { class: "reg-actions" }, ui.run),
        ),
      ),
      ui.error,
      ui.results,
    ];
    Object.assign(ui, dataPanel(root, panelHeader("index", t("Composite index"), t("Build an outcome index from raw indicators — entropy, TOPSIS, PCA, CRITIC, CV or equal weights — and add it to the data for DID.")), body));
    ctx.on("dataset", onDataset);
    ctx.on("panel-declared", () => ctx.dataset && fillUnitTime(ctx.dataset));
    if (ctx.dataset) onDataset(ctx.dataset);
    syncControls();
  },
};
