// Regression panel: fixest-style formulas (fixed effects, IV), clustered SEs,
// a result card per model and a side-by-side table of collected models.
//
// The formula box is the single source of truth: the dropdown helpers only
// WRITE the formula (and read it back, best effort, when it is typed).
// Estimation runs in the worker:
//   ctx.client.call("call", { fn: "feols", handle, args: [{ formula, vcov, weights? }] })
// The side-by-side table is the core's `regressionResultTable(fits, { model_names })`
// (a handle-less worker call) drawn by resultTableElement; its LaTeX / Markdown / CSV /
// Word (HTML) exports are the engine's renderTable of the same table (no re-run),
// downloaded or copied as text, never parsed.
import { el, replaceChildren, formatNumber } from "../dom.js";
import { starsFor as stars, numCell, formatP, resultTableElement, renderTableText } from "../lib/result-table.js";
import { exportBox } from "../lib/export-box.js";
import { quoteName, splitTopLevel } from "../lib/names.js";
import { panelHeader, dataPanel, notesBox, option } from "../lib/ui.js";
import { numericColumns } from "../lib/columns.js";
import { t, lang } from "../i18n.js";
import { errorText } from "../lib/messages.js";

let ctx;
const ui = {};
let lastFit = null; // { fit, spec, datasetName }
const models = []; // [{ fit, name, datasetName }]
let runSeq = 0;



// ---------------------------------------------------------------- formula <-> helpers

/** Splits a formula at top-level `|` (outside parentheses and back-quotes). */
const splitBars = (s) => splitTopLevel(s, "|").map((p) => p.trim());

/** Splits at top-level `+`, names unquoted. */
const splitPlus = (s) => splitTopLevel(s, "+").map((p) => p.trim().replace(/^`|`$/g, "")).filter(Boolean);

/** Best-effort reading of `y ~ a + b | f1 + f2 | endog ~ z`. */
function parseFormula(f) {
  const tilde = f.indexOf("~");
  if (tilde < 0) return null;
  const y = f.slice(0, tilde).trim().replace(/^`|`$/g, "");
  const parts = splitBars(f.slice(tilde + 1));
  const rhs = splitPlus(parts[0] || "");
  let fe = [];
  let iv = "";
  if (parts.length >= 2) {
    const last = parts[parts.length - 1];
    if (last.includes("~")) {
      iv = last;
      if (parts.length === 3) fe = splitPlus(parts[1]);
    } else fe = splitPlus(parts[1]);
  }
  return { y, rhs, fe, iv };
}

function selectedValues(select) {
  return [...select.selectedOptions].map((o) => o.value).filter(Boolean);
}

/** The helpers write the formula (keeping a typed IV part). */
function writeFormula() {
  const y = ui.y.value;
  if (!y) return;
  const regs = selectedValues(ui.x);
  const fe = selectedValues(ui.fe);
  const old = parseFormula(ui.formula.value);
  const iv = old?.iv || "";
  let f;
  try {
    f = `${quoteName(y)} ~ ${regs.length ? regs.map(quoteName).join(" + ") : "1"}`;
    if (fe.length) f += ` | ${fe.map(quoteName).join(" + ")}`;
  } catch (e) {
    showError(t("A column cannot be used in a formula."), errorText(e));
    return;
  }
  if (iv) f += ` | ${iv}`;
  ui.formula.value = f;
  clearError();
}

/** Typed formula → helper selections (only names that are columns). */
function readFormula() {
  const p = parseFormula(ui.formula.value);
  if (!p) return;
  const names = new Set(ctx.dataset?.columns || []);
  if (names.has(p.y)) ui.y.value = p.y;
  const rhs = new Set(p.rhs);
  for (const o of ui.x.options) o.selected = rhs.has(o.value);
  const fe = new Set(p.fe);
  for (const o of ui.fe.options) o.selected = fe.has(o.value);
}

// ---------------------------------------------------------------- controls


function buildControls(d) {
  const numeric = numericColumns(d);
  const all = (d.columns || []).slice();
  const keepY = ui.y.value;
  const keepX = new Set(selectedValues(ui.x));
  const keepFe = new Set(selectedValues(ui.fe));
  const unit = ctx.panel?.unit ?? d.sample?.unit;
  const time = ctx.panel?.time ?? d.sample?.time;
  replaceChildren(ui.y, option("", t("— choose —")), numeric.map((n) => option(n, n, n === keepY)));
  replaceChildren(ui.x, numeric.map((n) => option(n, n, keepX.has(n))));
  replaceChildren(ui.fe, all.map((n) => option(n, n, keepFe.has(n))));
  const c1 = ui.cluster1.value || unit || "";
  const c2 = ui.cluster2.value || time || "";
  replaceChildren(ui.cluster1, all.map((n) => option(n, n, n === c1)));
  replaceChildren(ui.cluster2, all.map((n) => option(n, n, n === c2)));
  const w = ui.weights.value;
  replaceChildren(ui.weights, option("", t("— none —")), numeric.map((n) => option(n, n, n === w)));
  // A starting formula for the sample panels.
  if (!ui.formula.value.trim() && d.sample?.key === "jjj" && all.includes("lnHDQ")) {
    ui.formula.value = "lnHDQ ~ FTZ + pgdp | city + year";
    ui.vcov.value = "cluster";
    ui.cluster1.value = "city";
    readFormula();
  } else if (!ui.formula.value.trim() && d.sample?.key === "provinces" && ["NQPF", "DID", "GDP", "URB", "province", "year"].every((c) => all.includes(c))) {
    ui.formula.value = "NQPF ~ DID + GDP + URB | province + year";
    ui.vcov.value = "cluster";
    ui.cluster1.value = "province";
    readFormula();
  } else if (ui.formula.value.trim()) readFormula();
  syncVcov();
}

function syncVcov() {
  const v = ui.vcov.value;
  ui.cluster1Wrap.hidden = !(v === "cluster" || v === "twoway");
  ui.cluster2Wrap.hidden = v !== "twoway";
}

function vcovSpec() {
  switch (ui.vcov.value) {
    case "hetero":
      return "hetero";
    case "cluster":
      return { cluster: [ui.cluster1.value] };
    case "twoway":
      return { cluster: [ui.cluster1.value, ui.cluster2.value] };
    default:
      return "iid";
  }
}

// ---------------------------------------------------------------- run

function clearError() {
  ui.error.hidden = true;
  replaceChildren(ui.error);
}

function showError(title, message) {
  replaceChildren(ui.error, el("p", {}, el("strong", {}, title)), el("pre", { class: "error-message", id: "reg-error-message" }, message));
  ui.error.hidden = false;
}

async function run() {
  const d = ctx.dataset;
  clearError();
  if (!d) {
    showError(t("No data loaded."), t("Load a file first (Data panel)."));
    return;
  }
  const formula = ui.formula.value.trim();
  if (!formula) {
    showError(t("The formula is empty."), t("Write a formula such as  y ~ x1 + x2 | unit + year"));
    return;
  }
  if (ui.vcov.value === "twoway" && ui.cluster1.value === ui.cluster2.value) {
    showError(t("Two-way clustering needs two different columns."), t("Both are “{name}”.", { name: ui.cluster1.value }));
    return;
  }
  const spec = { formula, vcov: vcovSpec() };
  if (ui.weights.value) spec.weights = ui.weights.value;
  const seq = ++runSeq;
  ui.run.disabled = true;
  ui.result.classList.add("is-stale");
  try {
    const fit = await ctx.client.call("call", { fn: "feols", handle: d.handle, args: [spec] });
    if (seq !== runSeq) return;
    lastFit = { fit, spec, datasetName: d.name };
    renderResult();
  } catch (e) {
    if (seq !== runSeq) return;
    const pos = /formula error at position/i.test(e.message);
    showError(pos ? t("Formula syntax error.") : t("The model could not be estimated."), errorText(e));
  } finally {
    if (seq === runSeq) {
      ui.run.disabled = false;
      ui.result.classList.remove("is-stale");
    }
  }
}

// ---------------------------------------------------------------- result card

function coefTable(coefs, { id, level = 0.95 } = {}) {
  const pct = Math.round(level * 100);
  const table = el(
    "table",
    { class: "data-table paper-table reg-coef-table", id },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col" }, t("Term")),
        [t("Estimate"), t("Std. error"), "t", "p", t("{pct}% CI low", { pct }), t("{pct}% CI high", { pct })].map((h) => el("th", { scope: "col", class: "num" }, h)),
      ),
    ),
  );
  const tbody = el("tbody");
  for (const c of coefs) {
    const s = stars(c.p_value);
    tbody.append(
      el(
        "tr",
        { dataset: { term: c.term } },
        el("th", { scope: "row" }, c.term),
        numCell(c.estimate, { text: formatNumber(c.estimate, 4) + s, className: "reg-estimate" }),
        numCell(c.std_error, { className: "reg-se" }),
        numCell(c.statistic, { decimals: 3, className: "reg-t" }),
        numCell(c.p_value, { text: formatP(c.p_value), className: "reg-p" }),
        numCell(c.conf_low, { className: "reg-lo" }),
        numCell(c.conf_high, { className: "reg-hi" }),
      ),
    );
  }
  table.append(tbody);
  return table;
}

function statList(fit) {
  const items = [
    ["Observations", fit.nobs, { integer: true }, "nobs"],
    ["R²", fit.r2, {}, "r2"],
    ["Adjusted R²", fit.adj_r2, {}, "adj_r2"],
    ["Within R²", fit.r2_within, {}, "r2_within"],
    ["RMSE", fit.rmse, {}, "rmse"],
    ["F statistic", fit.f_stat, {}, "f_stat"],
  ];
  const dl = el("dl", { class: "facts reg-stats", id: "reg-stats" });
  for (const [label, value, opts, key] of items) {
    if (value === null || value === undefined) continue;
    let shown = formatNumber(value, 4, opts);
    if (key === "f_stat" && fit.f_p_value !== null && fit.f_p_value !== undefined) shown += ` (p ${formatP(fit.f_p_value).replace(/^</, "< ").replace(/^(\d)/, "= $1")})`;
    dl.append(el("dt", {}, t(label)), el("dd", { dataset: { stat: key, value: String(value) } }, shown));
  }
  const se = fit.clusters?.length
    ? t("Clustered by {list}", { list: fit.clusters.map((c) => t("{name} ({n} clusters)", { name: c.name, n: formatNumber(c.n, 0, { integer: true }) })).join(t(" and ")) })
    : fit.vcov_type === "hetero"
      ? t("Heteroskedasticity-robust (HC1)")
      : t("IID");
  dl.append(el("dt", {}, t("Standard errors")), el("dd", {}, se));
  if (fit.fixed_effects?.length) {
    dl.append(el("dt", {}, t("Fixed effects")), el("dd", {}, fit.fixed_effects.map((f) => `${f.name} (${formatNumber(f.n_levels, 0, { integer: true })})`).join(", ")));
  }
  if (fit.weights) dl.append(el("dt", {}, t("Weights")), el("dd", {}, fit.weights));
  return dl;
}

function firstStageTable(fs) {
  const head = [t("Endogenous"), t("First-stage F"), "p", "df1", "df2", t("Wald F (model vcov)"), t("Partial R²")];
  const table = el(
    "table",
    { class: "data-table paper-table", id: "reg-first-stage" },
    el("thead", {}, el("tr", {}, head.map((h, i) => el("th", { scope: "col", class: i ? "num" : null }, h)))),
  );
  const tbody = el("tbody");
  for (const f of fs) {
    tbody.append(
      el(
        "tr",
        { dataset: { endogenous: f.endogenous } },
        el("th", { scope: "row" }, f.endogenous),
        numCell(f.f_statistic, { decimals: 3, className: "reg-fs-f" }),
        numCell(f.p_value, { text: formatP(f.p_value) }),
        numCell(f.df1, { integer: true }),
        numCell(f.df2, { integer: true }),
        numCell(f.wald_statistic, { decimals: 3 }),
        numCell(f.partial_r2, { decimals: 4 }),
      ),
    );
  }
  table.append(tbody);
  return table;
}

function renderResult() {
  if (!lastFit) return;
  const { fit, datasetName } = lastFit;

  replaceChildren(
    ui.result,
    el(
      "div",
      { class: "card-head" },
      el("h3", {}, t("Estimates")),
      el("button", { type: "button", class: "button", id: "reg-add", onclick: addToTable }, t("Add to table")),
    ),
    el("p", { class: "reg-formula-line" }, el("span", { class: "muted" }, t("Model: ")), el("code", { id: "reg-fitted-formula" }, fit.formula), el("span", { class: "muted" }, t(" · dependent variable {y} · {data}", { y: fit.depvar, data: datasetName }))),
    el("div", { class: "table-scroll paper" }, coefTable(fit.coefficients || [], { id: "reg-coef", level: fit.conf_level })),
    el("p", { class: "table-note" }, t("* p < 0.1, ** p < 0.05, *** p < 0.01. "), t("p-values and intervals use a t distribution with {df} degrees of freedom.", { df: formatNumber(fit.df_t, 0, { integer: true }) })),
    statList(fit),
    fit.first_stage?.length
      ? el("div", { class: "reg-iv" }, el("h4", {}, t("IV first stage")), el("div", { class: "table-scroll paper" }, firstStageTable(fit.first_stage)), el("p", { class: "table-note" }, t("First-stage F: classical partial F of the excluded instruments; Wald F uses the model's standard-error type.")))
      : null,
    // Typed diagnostics { code, severity, message }: missing rows, singletons, collinear
    // variables, demeaning that did not converge, variance repairs (each once).
    notesBox("reg-notes", fit.diagnostics),
  );
  ui.result.hidden = false;
}

// ---------------------------------------------------------------- side-by-side table

function addToTable() {
  if (!lastFit) return;
  models.push({ fit: lastFit.fit, name: "", datasetName: lastFit.datasetName });
  renderModels();
  ui.tableCard.scrollIntoView?.({ block: "nearest" });
}

const modelName = (m, i) => m.name.trim() || `(${i + 1})`;

let sideTable = null; // the ResultTable on screen (what the exports render)
let sideSeq = 0;

/** Asks the engine for the side-by-side ResultTable of the models and draws it. */
async function drawSideTable() {
  const seq = ++sideSeq;
  const options = { model_names: models.map(modelName), lang: lang() };
  try {
    const table = await ctx.client.call("call", { fn: "regressionResultTable", args: [models.map((m) => m.fit), options] });
    if (seq !== sideSeq) return;
    sideTable = table;
    replaceChildren(ui.sideWrap, resultTableElement(table, { id: "reg-side", className: "data-table paper-table reg-side-table" }));
  } catch (e) {
    if (seq === sideSeq) showError(t("The table could not be built."), errorText(e));
  }
}

function renderModels() {
  ui.tableCard.hidden = models.length === 0;
  if (!models.length) {
    sideSeq++;
    sideTable = null;
    replaceChildren(ui.sideWrap);
    replaceChildren(ui.modelList);
    return;
  }
  replaceChildren(
    ui.modelList,
    models.map((m, i) =>
      el(
        "li",
        { class: "reg-model-chip" },
        el("label", { for: `reg-model-name-${i}`, class: "visually-hidden" }, t("Name of model {n}", { n: i + 1 })),
        el("input", {
          type: "text",
          id: `reg-model-name-${i}`,
          value: m.name,
          placeholder: `(${i + 1})`,
          size: 8,
          title: m.fit.formula,
          onchange: (e) => {
            m.name = e.target.value;
            drawSideTable();
          },
        }),
        el("code", { class: "small" }, m.fit.formula),
        el(
          "button",
          {
            type: "button",
            class: "link reg-remove",
            "aria-label": t("Remove model {name}", { name: modelName(m, i) }),
            onclick: () => {
              models.splice(i, 1);
              renderModels();
            },
          },
          t("remove"),
        ),
      ),
    ),
  );
  drawSideTable();
}

// ---------------------------------------------------------------- mount

let shownDataset = null; // name of the dataset the form and result belong to

function onDataset(d) {
  ui.empty.hidden = true;
  ui.body.hidden = false;
  if (shownDataset !== null && shownDataset !== d.name) {
    // Another dataset: the last result and the formula belong to the previous one
    // (the side-by-side table keeps its models, each labelled with its dataset).
    lastFit = null;
    ui.result.hidden = true;
    replaceChildren(ui.result);
    clearError();
    ui.formula.value = "";
    for (const s of [ui.y, ui.x, ui.fe]) for (const o of s.options) o.selected = false;
  }
  shownDataset = d.name;
  buildControls(d);
}

export default {
  mount(root, context) {
    ctx = context;
    ui.formula = el("textarea", {
      id: "reg-formula",
      class: "reg-formula",
      rows: 2,
      spellcheck: "false",
      autocomplete: "off",
      "aria-describedby": "reg-formula-hint",
      placeholder: "y ~ x1 + x2 | unit + year",
      oninput: () => {
        clearError();
        readFormula();
      },
      onkeydown: (e) => {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          run();
        }
      },
    });
    ui.y = el("select", { id: "reg-y", onchange: writeFormula });
    ui.x = el("select", { id: "reg-x", multiple: true, size: 7, onchange: writeFormula });
    ui.fe = el("select", { id: "reg-fe", multiple: true, size: 7, onchange: writeFormula });
    ui.vcov = el(
      "select",
      { id: "reg-vcov", onchange: syncVcov },
      option("iid", t("IID (classical)")),
      option("hetero", t("Heteroskedasticity-robust (HC1)")),
      option("cluster", t("Clustered by …")),
      option("twoway", t("Two-way clustered by …")),
    );
    ui.cluster1 = el("select", { id: "reg-cluster1" });
    ui.cluster2 = el("select", { id: "reg-cluster2" });
    ui.cluster1Wrap = el("div", { class: "field" }, el("label", { for: "reg-cluster1", class: "field-label" }, t("Cluster")), ui.cluster1);
    ui.cluster2Wrap = el("div", { class: "field" }, el("label", { for: "reg-cluster2", class: "field-label" }, t("Second cluster")), ui.cluster2);
    ui.weights = el("select", { id: "reg-weights" });
    ui.run = el("button", { type: "button", class: "button primary", id: "reg-run", onclick: run }, t("Run"));
    ui.error = el("div", { class: "card error-card", id: "reg-error", role: "alert", hidden: true });
    ui.result = el("div", { class: "card reg-result", id: "reg-result", hidden: true, "aria-live": "polite" });
    ui.modelList = el("ul", { class: "reg-models", id: "reg-models" });
    ui.sideWrap = el("div", { class: "table-scroll paper", id: "reg-side-wrap" });
    ui.exports = exportBox({
      idPrefix: "reg",
      basename: "regression_table",
      getText: async (format) => {
        await drawSideTable(); // the table of the current models and names
        return renderTableText(ctx.client, sideTable, { format });
      },
      onError: (e) => showError(t("The table could not be exported."), errorText(e)),
    });
    ui.tableCard = el(
      "div",
      { class: "card", id: "reg-table-card", hidden: true },
      el(
        "div",
        { class: "card-head" },
        el("h3", {}, t("Side-by-side table")),
        ui.exports.buttons,
      ),
      el("p", { class: "muted small" }, t("Name the columns (default (1), (2), …) or remove a model:")),
      ui.modelList,
      ui.sideWrap,
      ui.exports.status,
      ui.exports.box,
    );
    const body = [
      el(
        "div",
        { class: "card reg-model" },
        el("label", { for: "reg-formula", class: "field-label" }, t("Formula (fixest syntax)")),
        ui.formula,
        el(
          "p",
          { class: "muted small", id: "reg-formula-hint" },
          t("Syntax: "),
          el("code", {}, "y ~ x1 + x2 | unit + year"),
          t(" (fixed effects after |); IV: "),
          el("code", {}, "y ~ x | fe | endog ~ z1 + z2"),
          t("; also "),
          el("code", {}, "log(x)"),
          ", ",
          el("code", {}, "I(x^2)"),
          ", ",
          el("code", {}, "a:b"),
          ", ",
          el("code", {}, "i(rel, ref = -1)"),
          t(". Ctrl+Enter runs."),
        ),
        el(
          "div",
          { class: "reg-helpers" },
          el("div", { class: "field" }, el("label", { for: "reg-y", class: "field-label" }, t("Dependent variable")), ui.y),
          el("div", { class: "field" }, el("label", { for: "reg-x", class: "field-label" }, t("Regressors")), ui.x),
          el("div", { class: "field" }, el("label", { for: "reg-fe", class: "field-label" }, t("Fixed effects")), ui.fe),
          el(
            "div",
            { class: "reg-inference" },
            el("div", { class: "field" }, el("label", { for: "reg-vcov", class: "field-label" }, t("Standard errors")), ui.vcov),
            ui.cluster1Wrap,
            ui.cluster2Wrap,
            el("div", { class: "field" }, el("label", { for: "reg-weights", class: "field-label" }, t("Weights")), ui.weights),
          ),
        ),
        el("p", { class: "muted small" }, t("The pickers write the formula above (hold Ctrl/⌘ to select several); the formula is what runs.")),
        el("div", { class: "reg-actions" }, ui.run),
      ),
      ui.error,
      ui.result,
      ui.tableCard,
    ];
    Object.assign(ui, dataPanel(root, panelHeader("regression", t("Regression"), t("Linear models with high-dimensional fixed effects, clustered standard errors and IV; collect models into a side-by-side table for the paper.")), body));
    ctx.on("dataset", onDataset);
    ctx.on("panel-declared", () => ctx.dataset && buildControls(ctx.dataset));
    if (ctx.dataset) onDataset(ctx.dataset);
  },
};
