// PSM panel: propensity-score matching as in Stata's psmatch2/pstest and R's
// Matching. Choose the treatment (0/1), covariates (text columns become
// dummies in the core), outcome, propensity model and matching method; see the
// effect (ATT/ATE/ATC with its SE), the propensity model, the pstest balance
// table, the score densities before/after matching, and the seeds'
// "k-nearest / caliper / caliper-kNN" comparison (plus radius and kernel).
//
// Engine calls (all in the worker):
//   { fn: "psm", handle, args: [spec] }                 → PsmResult
//   { fn: "psmDensitySvg", args: [{ density }, title] }  → SVG text (free function)
//   { fn: "psmCompare", handle, args: [[spec, …]] }      → { table: { rows }, diagnostics, tables }
//   { fn: "psmDid", handle, args: [spec] }               → PsmDidResult (PSM-DID section)
import { el, replaceChildren, renderTable, downloadText, formatNumber } from "../dom.js";
import { chartFigure, releaseCharts } from "../charts.js";
import { SAMPLES } from "../sample-data.js";
import { CancelledError } from "../client.js";
import { renderTableText } from "../lib/result-table.js";

let ctx;
const ui = {};
let last = null; // { res, spec, dataset, svg }
let lastCompare = null; // { out, specs, dataset }
let runSeq = 0;
let busy = false;

const isNumericKind = (k) => k === undefined || k === "numeric" || k === "integer";
const finite = (x) => typeof x === "number" && Number.isFinite(x);

function columnsInfo(d) {
  const cols = d.report?.columns;
  if (cols && cols.length) return cols.map((c) => ({ name: c.name, kind: c.kind }));
  return d.columns.map((name) => ({ name, kind: undefined }));
}

/** A formula name: bare if an identifier, back-quoted otherwise. */
function quoteName(name) {
  if (/^[\p{L}\p{N}_.]+$/u.test(name)) return name;
  if (name.includes("`")) throw new Error(`The column name “${name}” contains a back-quote and cannot be used in a formula; rename it.`);
  return `\`${name}\``;
}

function stars(p) {
  if (!finite(p)) return "";
  return p < 0.01 ? "***" : p < 0.05 ? "**" : p < 0.1 ? "*" : "";
}

/** A number as text, keeping the full-precision value in data-value. */
function num(key, value, decimals = 3, { integer = false, tag = "span", className } = {}) {
  return el(
    tag,
    { class: ["num", className], dataset: { key, value: finite(value) ? String(value) : "" } },
    finite(value) ? formatNumber(value, decimals, { integer }) : "—",
  );
}

function numCell(value, decimals, extra = {}) {
  return el("td", { class: "num", dataset: { value: finite(value) ? String(value) : "" }, ...extra }, finite(value) ? formatNumber(value, decimals) : "");
}

function baseName(d) {
  return d.name.replace(/\.[^.]+$/, "").replace(/[^\w.-]+/g, "_") || "data";
}

// ---------------------------------------------------------------- the form

function guessTreatment(cols) {
  const names = cols.filter((c) => isNumericKind(c.kind)).map((c) => c.name);
  return (
    names.find((n) => /^(treat|treated|treatment|d|policy|ftz|pilot)$/i.test(n)) ??
    names.find((n) => /treat/i.test(n)) ??
    cols.find((c) => c.kind === "integer")?.name ??
    names[0]
  );
}

function guessOutcome(cols, treatment) {
  const names = cols.filter((c) => isNumericKind(c.kind) && c.name !== treatment).map((c) => c.name);
  return names.find((n) => /^(y|outcome|re78|earnings|wage|lnwage)$/i.test(n)) ?? "";
}

function buildDataControls(d) {
  const cols = columnsInfo(d);
  const preset = d.sample?.psm || (d.sample?.key && SAMPLES[d.sample.key]?.psm) || (d.sample?.key && PSMDID_PRESETS[d.sample.key]?.psm) || null;
  const names = new Set(cols.map((c) => c.name));
  const treatment = preset && names.has(preset.treatment) ? preset.treatment : guessTreatment(cols);
  const outcome = preset && names.has(preset.outcome) ? preset.outcome : guessOutcome(cols, treatment);
  const chosen = new Set(preset ? preset.covariates.filter((c) => names.has(c)) : []);
  const numeric = cols.filter((c) => isNumericKind(c.kind));

  replaceChildren(
    ui.treat,
    numeric.map((c) => el("option", { value: c.name, selected: c.name === treatment }, c.name)),
  );
  replaceChildren(
    ui.outcome,
    el("option", { value: "" }, "— none (matching and balance only) —"),
    numeric.map((c) => el("option", { value: c.name, selected: c.name === outcome }, c.name)),
  );
  const boxes = cols.map((c) =>
    el(
      "label",
      { class: "check", dataset: { column: c.name } },
      el("input", { type: "checkbox", value: c.name, checked: chosen.has(c.name) }),
      " ",
      el("span", {}, c.name),
      c.kind === "text" ? el("span", { class: "tag psm-tag", title: "expanded to one dummy per level but the first" }, "dummies") : null,
    ),
  );
  replaceChildren(ui.covariates, boxes);
  syncColumns();
}

/** Greys out the treatment and outcome in the covariate list. */
function syncColumns() {
  for (const box of ui.covariates.querySelectorAll("input[type=checkbox]")) {
    const taken = box.value === ui.treat.value || box.value === ui.outcome.value;
    box.disabled = taken;
    box.closest("label").classList.toggle("is-taken", taken);
  }
}

function syncMethod() {
  const m = ui.method.value;
  const nearest = m === "nearest";
  ui.nearestBox.hidden = !nearest;
  ui.orderField.hidden = !nearest || ui.replace.checked;
  ui.kernelBox.hidden = m !== "kernel";
  if (m === "radius") {
    ui.useCaliper.checked = true;
    ui.useCaliper.disabled = true;
  } else ui.useCaliper.disabled = false;
  ui.caliperLabel.textContent = m === "radius" ? " Radius (caliper)" : " Caliper";
  const cal = ui.useCaliper.checked;
  ui.caliper.disabled = !cal;
  ui.caliperScale.disabled = !cal;
  ui.seNote.textContent =
    ui.se.value === "ai" && !(nearest && ui.replace.checked)
      ? "Abadie–Imbens needs nearest-neighbour matching with replacement; the bootstrap is used instead."
      : "";
}

function positive(input, what, { integer = false, min = 0, strict = true } = {}) {
  const raw = input.value.trim();
  const v = Number(raw);
  const ok = raw !== "" && Number.isFinite(v) && (strict ? v > min : v >= min) && (!integer || Number.isInteger(v));
  if (!ok) {
    input.setAttribute("aria-invalid", "true");
    throw new Error(`${what} must be ${integer ? "a whole number" : "a number"} ${strict ? "greater than" : "of at least"} ${min} (got “${raw}”).`);
  }
  input.removeAttribute("aria-invalid");
  return v;
}

/** The quasi.psm spec of the form (throws a user-facing Error). */
function buildSpec() {
  const d = ctx.dataset;
  const treatment = ui.treat.value;
  const outcome = ui.outcome.value;
  if (!treatment) throw new Error("Choose the treatment column (coded 0/1).");
  if (outcome === treatment) throw new Error("The outcome must differ from the treatment.");
  const covariates = [...ui.covariates.querySelectorAll("input[type=checkbox]:checked:not(:disabled)")]
    .map((b) => b.value)
    .filter((c) => c !== treatment && c !== outcome)
    .sort((a, b) => d.columns.indexOf(a) - d.columns.indexOf(b));
  if (!covariates.length) throw new Error("Choose at least one covariate for the propensity model.");
  const spec = {
    formula: `${quoteName(treatment)} ~ ${covariates.map(quoteName).join(" + ")}`,
    ...matchOptions(),
    estimand: ui.estimand.value,
    se: ui.se.value,
  };
  if (outcome) spec.outcome = outcome;
  spec.bootstrap_reps = positive(ui.reps, "The number of bootstrap replications", { integer: true, min: 2, strict: false });
  return { spec, treatment, outcome, covariates };
}

/**
 * The form's matching options: the engine's one MatchOptions struct (psm's flat fields and
 * psmDid's `match` block alike) — model, method, k, replace, ties, order, match_on, caliper,
 * caliper_scale, kernel, bandwidth, common_support, seed.
 */
function matchOptions() {
  const method = ui.method.value;
  const m = { model: ui.model.value, method, match_on: ui.matchOn.value, common_support: ui.common.checked };
  if (method === "nearest") {
    m.k = positive(ui.k, "The number of neighbours k", { integer: true, min: 1, strict: false });
    m.replace = ui.replace.checked;
    m.ties = ui.ties.checked;
    if (!m.replace) m.order = ui.order.value;
  }
  if (ui.useCaliper.checked || method === "radius") {
    m.caliper = positive(ui.caliper, method === "radius" ? "The radius" : "The caliper");
    m.caliper_scale = ui.caliperScale.value;
  }
  if (method === "kernel") {
    m.kernel = ui.kernel.value;
    m.bandwidth = positive(ui.bandwidth, "The kernel bandwidth");
  }
  m.seed = positive(ui.seed, "The seed", { integer: true, min: 0, strict: false });
  return m;
}

/** The comparison: k-nearest, caliper, caliper-kNN, radius and kernel on the form's model. */
function compareSpecs(base) {
  const common = { ...base };
  for (const k of ["method", "k", "replace", "order", "caliper", "caliper_scale", "kernel", "bandwidth"]) delete common[k];
  const caliper = positive(ui.caliper, "The caliper");
  const caliper_scale = ui.caliperScale.value;
  const bandwidth = positive(ui.bandwidth, "The kernel bandwidth");
  const nn = { ...common, method: "nearest", replace: true };
  return [
    { ...nn, k: 1 },
    { ...nn, k: 4 },
    { ...nn, k: 1, caliper, caliper_scale },
    { ...nn, k: 4, caliper, caliper_scale },
    { ...common, method: "radius", caliper, caliper_scale },
    { ...common, method: "kernel", kernel: ui.kernel.value, bandwidth },
  ];
}

function describeSpec(spec) {
  const parts = [];
  if (spec.method === "nearest") {
    parts.push(`nearest neighbour, k = ${spec.k}, ${spec.replace ? "with replacement" : `without replacement (${spec.order} order)`}, ties ${spec.ties ? "kept" : "broken"}`);
  } else if (spec.method === "radius") parts.push("radius matching");
  else parts.push(`${spec.kernel} kernel, bandwidth ${spec.bandwidth}`);
  if (spec.caliper !== undefined) parts.push(`caliper ${spec.caliper}${spec.caliper_scale === "sd" ? " SD" : ""}`);
  parts.push(spec.match_on === "logit" ? "on the logit of the score" : "on the propensity score");
  return parts.join(", ");
}

const ESTIMAND_TEXT = { ATT: "average effect on the treated", ATE: "average effect", ATC: "average effect on the controls" };
const SE_TEXT = { ai: "Abadie–Imbens (2006)", bootstrap: "bootstrap", none: "none" };

// ---------------------------------------------------------------- running

function setBusy(on, message = "") {
  busy = on;
  ui.run.disabled = on || !ctx.dataset;
  ui.compare.disabled = on || !ctx.dataset;
  if (ui.didRun) ui.didRun.disabled = on || !ctx.dataset;
  ui.cancel.hidden = !on;
  ui.status.textContent = message;
  ui.results.classList.toggle("is-stale", on);
}

function showError(message) {
  replaceChildren(ui.error, el("p", { class: "error", role: "alert", id: "psm-error-message" }, message));
  ui.error.hidden = false;
}

function clearError() {
  ui.error.hidden = true;
  replaceChildren(ui.error);
}

async function run() {
  const d = ctx.dataset;
  if (!d || busy) return;
  let built;
  try {
    built = buildSpec();
  } catch (e) {
    showError(e.message);
    return;
  }
  clearError();
  const seq = ++runSeq;
  const slow = built.spec.se === "bootstrap" || (built.spec.se === "ai" && !(built.spec.method === "nearest" && built.spec.replace));
  setBusy(true, slow ? `Matching… (bootstrap, ${built.spec.bootstrap_reps} replications)` : "Matching…");
  try {
    const res = await ctx.client.call("call", { fn: "psm", handle: d.handle, args: [built.spec] });
    if (seq !== runSeq || ctx.dataset !== d) return;
    last = { res, ...built, dataset: d };
    renderResult();
    ui.status.textContent = "Drawing the densities…";
    await renderDensity(seq);
  } catch (e) {
    if (seq !== runSeq) return;
    showError(e instanceof CancelledError ? "Cancelled." : e.message);
  } finally {
    if (seq === runSeq) setBusy(false);
  }
}

async function runCompare() {
  const d = ctx.dataset;
  if (!d || busy) return;
  let specs;
  try {
    specs = compareSpecs(buildSpec().spec);
  } catch (e) {
    showError(e.message);
    return;
  }
  clearError();
  const seq = ++runSeq;
  setBusy(true, `Running ${specs.length} matching methods…`);
  try {
    const out = await ctx.client.call("call", { fn: "psmCompare", handle: d.handle, args: [specs] });
    if (seq !== runSeq || ctx.dataset !== d) return;
    lastCompare = { out, specs, dataset: d };
    renderCompare();
    ui.compareCard.scrollIntoView?.({ block: "nearest" });
  } catch (e) {
    if (seq !== runSeq) return;
    showError(e instanceof CancelledError ? "Cancelled." : `Comparison failed: ${e.message}`);
  } finally {
    if (seq === runSeq) setBusy(false);
  }
}

function cancel() {
  runSeq++;
  setBusy(false);
  showError("Cancelled; the engine was restarted and the data reloaded.");
  ctx.client.cancel("Cancelled by the user");
}

// ---------------------------------------------------------------- rendering

function renderResult() {
  const { res } = last;
  renderEffect();
  renderPropensity();
  renderBalance();
  ui.resultBody.hidden = false;
  ui.placeholder.hidden = true;
  const diags = (res.diagnostics || []).map((d) => d.message);
  replaceChildren(ui.diagnostics, diags.length ? el("ul", {}, diags.map((m) => el("li", {}, m))) : null);
  ui.diagnostics.hidden = !diags.length;
}

function renderEffect() {
  const { res, spec, treatment, outcome } = last;
  const est = res.estimand || spec.estimand;
  const stat = (label, node) => el("div", { class: "psm-stat" }, el("div", { class: "psm-stat-label" }, label), el("div", { class: "psm-stat-value" }, node));
  const estimate = num("estimate", res.att, 3);
  const st = stars(res.p_value);
  const focal = est === "ATC" ? "Controls" : est === "ATE" ? "Units" : "Treated";
  const pool = est === "ATC" ? "Treated" : est === "ATE" ? "Units" : "Controls";
  const count = (label, key, value) => el("div", { class: "psm-count" }, el("dt", {}, label), el("dd", {}, num(key, value, 0, { integer: true })));
  replaceChildren(
    ui.effectTitle,
    `${est}: ${ESTIMAND_TEXT[est] || ""}${outcome ? ` on ${outcome}` : ""}`,
  );
  replaceChildren(
    ui.effect,
    el(
      "div",
      { class: "psm-stats" },
      stat("Estimate", [estimate, st ? el("sup", { class: "stars" }, st) : null]),
      stat("Std. error", ["(", num("std_error", res.std_error, 3), ")"]),
      stat("z", num("statistic", res.statistic, 2)),
      stat("p-value", num("p_value", res.p_value, 3)),
      stat("95% CI", ["[", num("conf_low", res.conf_low, 1), ", ", num("conf_high", res.conf_high, 1), "]"]),
    ),
    el(
      "dl",
      { class: "psm-counts" },
      count(`${focal}`, "n_treated", est === "ATC" ? res.n_control : est === "ATE" ? res.n_treated + res.n_control : res.n_treated),
      count(`${focal} matched`, "n_treated_matched", res.n_treated_matched),
      count(`${focal} dropped`, "n_treated_dropped", res.n_treated_dropped),
      count(pool, "n_control", est === "ATC" ? res.n_treated : est === "ATE" ? res.n_treated + res.n_control : res.n_control),
      count(`${pool} used`, "n_control_used", res.n_control_used),
      count("Off support", "n_off_support", res.n_off_support),
    ),
    el(
      "p",
      { class: "table-note" },
      `Notes: ${describeSpec(spec)}; ${spec.model} propensity score of ${treatment}. `,
      res.caliper_abs !== null && res.caliper_abs !== undefined ? ["Caliper on the matching variable = ", num("caliper_abs", res.caliper_abs, 4), ". "] : null,
      `Standard error: ${SE_TEXT[res.se_kind] || res.se_kind}`,
      res.se_kind === "bootstrap" ? ` (${spec.bootstrap_reps} replications, seed ${spec.seed})` : "",
      res.se_kind === "ai" ? " for matching with replacement, no bias adjustment" : "",
      "; z and p from the normal distribution. * p < 0.1, ** p < 0.05, *** p < 0.01.",
    ),
  );
}

function renderPropensity() {
  const { res, spec, treatment } = last;
  const p = res.propensity;
  const table = renderTable(
    [
      { key: "term", label: "Term" },
      { key: "estimate", label: "Coef.", numeric: true, decimals: 6 },
      { key: "std_error", label: "Std. err.", numeric: true, decimals: 6 },
      { key: "statistic", label: "z", numeric: true, decimals: 2 },
      { key: "p_value", label: "P > |z|", numeric: true, decimals: 3 },
    ],
    p.coefficients,
    { className: "data-table paper-table", rowHeader: true },
  );
  table.id = "psm-propensity-table";
  [...table.tBodies[0].rows].forEach((tr, i) => {
    tr.dataset.term = p.coefficients[i].term;
    const st = stars(p.coefficients[i].p_value);
    if (st) tr.cells[1].append(el("sup", { class: "stars" }, st));
  });
  const df = Math.max(0, p.coefficients.length - 1);
  replaceChildren(
    ui.propensity,
    el("div", { class: "table-scroll paper" }, table),
    el(
      "p",
      { class: "table-note", id: "psm-propensity-fit" },
      `${spec.model === "probit" ? "Probit" : "Logit"} model of ${treatment}; N = `,
      num("nobs", p.nobs, 0, { integer: true }),
      ". Log likelihood = ",
      num("loglik", p.loglik, 3),
      "; pseudo-R² = ",
      num("pseudo_r2", p.pseudo_r2, 4),
      `; LR χ²(${df}) = `,
      num("lr_chi2", p.lr_chi2, 2),
      " (p = ",
      num("lr_p_value", p.lr_p_value, 4),
      `); ${p.iterations} Newton iterations.`,
    ),
  );
}

function renderBalance() {
  const b = last.res.balance;
  const th = (label, attrs = {}) => el("th", { scope: "col", ...attrs }, label);
  const head = el(
    "thead",
    {},
    el(
      "tr",
      { class: "psm-group-head" },
      th("", { colspan: "2" }),
      th("Mean", { colspan: "2", class: "num psm-span" }),
      th("", {}),
      th("% reduct.", { class: "num" }),
      th("t-test", { colspan: "2", class: "num psm-span" }),
      th("V(T)/", { class: "num" }),
    ),
    el(
      "tr",
      {},
      th("Variable"),
      th("Sample"),
      th("Treated", { class: "num" }),
      th("Control", { class: "num" }),
      th("% bias", { class: "num" }),
      th("|bias|", { class: "num" }),
      th("t", { class: "num" }),
      th("p > |t|", { class: "num" }),
      th("V(C)", { class: "num" }),
    ),
  );
  const bodies = b.rows.map((r) =>
    el(
      "tbody",
      { dataset: { variable: r.variable } },
      el(
        "tr",
        { dataset: { sample: "unmatched" } },
        el("th", { scope: "rowgroup", rowspan: "2" }, r.variable),
        el("td", { class: "psm-sample" }, "Unmatched"),
        numCell(r.mean_treated_before, 3),
        numCell(r.mean_control_before, 3),
        numCell(r.bias_before, 1),
        el("td", {}),
        numCell(r.t_before, 2),
        numCell(r.p_before, 3),
        numCell(r.var_ratio_before, 2),
      ),
      el(
        "tr",
        { dataset: { sample: "matched" } },
        el("td", { class: "psm-sample" }, "Matched"),
        numCell(r.mean_treated_after, 3),
        numCell(r.mean_control_after, 3),
        numCell(r.bias_after, 1),
        numCell(r.bias_reduction, 1),
        numCell(r.t_after, 2),
        numCell(r.p_after, 3),
        numCell(r.var_ratio_after, 2),
      ),
    ),
  );
  const table = el("table", { class: "data-table paper-table psm-balance-table", id: "psm-balance-table" }, head, bodies);

  const o = b.overall;
  const flagB = (x) => (finite(x) && x > 25 ? "*" : "");
  const flagR = (x) => (finite(x) && (x < 0.5 || x > 2) ? "*" : "");
  const overallRow = (label, sample, sfx) =>
    el(
      "tr",
      { dataset: { sample } },
      el("th", { scope: "row" }, label),
      numCell(o[`pseudo_r2_${sfx}`], 3),
      numCell(o[`lr_chi2_${sfx}`], 2),
      numCell(o[`p_chi2_${sfx}`], 3),
      numCell(o[`mean_bias_${sfx}`], 1),
      numCell(o[`median_bias_${sfx}`], 1),
      withFlag(numCell(o[`rubin_b_${sfx}`], 1), flagB(o[`rubin_b_${sfx}`])),
      withFlag(numCell(o[`rubin_r_${sfx}`], 2), flagR(o[`rubin_r_${sfx}`])),
    );
  const overall = el(
    "table",
    { class: "data-table paper-table", id: "psm-balance-overall" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ["Sample", "Pseudo-R²", "LR χ²", "p > χ²", "Mean bias", "Median bias", "B", "R"].map((h, i) => el("th", { scope: "col", class: i ? "num" : null }, h)),
      ),
    ),
    el("tbody", {}, overallRow("Unmatched", "unmatched", "before"), overallRow("Matched", "matched", "after")),
  );
  replaceChildren(
    ui.balance,
    el("div", { class: "table-scroll paper" }, table),
    el("div", { class: "table-scroll paper psm-overall" }, overall),
    el(
      "p",
      { class: "table-note" },
      "Notes: as Stata's pstest. % bias is the standardised difference 100(x̄T − x̄C)/√((s²T + s²C)/2) with the unmatched variances in both rows; ",
      "matched means and t-tests use the matching weights; V(T)/V(C) is shown for non-binary covariates. ",
      "Overall: probit of the treatment on the covariates before and after matching (pseudo-R², LR χ²), mean and median |% bias|, ",
      "Rubin's B (|% bias| of the linear index) and R (its variance ratio); * B > 25 or R outside [0.5, 2]. ",
      "Text covariates appear as one dummy per level but the first.",
    ),
  );
}

function withFlag(td, flag) {
  if (flag) td.append(el("span", { class: "psm-flag", title: "outside Rubin's recommended range" }, flag));
  return td;
}

async function renderDensity(seq) {
  const { res, dataset } = last;
  releaseCharts(ui.density);
  try {
    const title = "Propensity score density before and after matching";
    const svg = await ctx.client.call("call", { fn: "psmDensitySvg", args: [{ density: res.density }, title] });
    if (seq !== runSeq) return;
    last.svg = svg;
    replaceChildren(
      ui.density,
      chartFigure(svg, {
        filename: `${baseName(dataset)}_psm_density`,
        caption: "Kernel densities of the propensity score, treated vs controls, before matching and after (weighted by the matching weights); Gaussian kernel, Silverman bandwidth.",
        alt: "Propensity-score densities of treated and control units before and after matching",
      }),
    );
  } catch (e) {
    if (seq !== runSeq) return;
    replaceChildren(ui.density, el("p", { class: "error", role: "alert" }, `The density figure could not be drawn: ${e.message}`));
  }
}

function renderCompare() {
  const { out, specs } = lastCompare;
  const rows = out.table.rows;
  const s0 = specs[0];
  const table = renderTable(
    [
      { key: "label", label: "Method" },
      { key: "estimate", label: "Estimate", numeric: true, decimals: 3 },
      { key: "std_error", label: "Std. error", numeric: true, decimals: 3 },
      { key: "p_value", label: "p-value", numeric: true, decimals: 3 },
      { key: "n_treated_matched", label: "Matched", numeric: true, integer: true },
      { key: "n_treated_dropped", label: "Dropped", numeric: true, integer: true },
      { key: "n_control_used", label: "Controls", numeric: true, integer: true },
      { key: "mean_bias_after", label: "|Bias| after", numeric: true, decimals: 1 },
    ],
    rows,
    { className: "data-table paper-table", rowHeader: true },
  );
  table.id = "psm-compare-table";
  [...table.tBodies[0].rows].forEach((tr, i) => {
    tr.dataset.label = rows[i].label;
    tr.cells[2].prepend("(");
    tr.cells[2].append(")");
    tr.dataset.seKind = rows[i].se_kind;
    const st = stars(rows[i].p_value);
    if (st) tr.cells[1].append(el("sup", { class: "stars" }, st));
    if (rows[i].se_kind === "bootstrap" && s0.se === "ai") tr.cells[2].append(el("sup", { class: "psm-note-mark", title: "bootstrap standard error" }, "b"));
  });
  const boot = specs.some((s) => !(s.method === "nearest" && s.replace)) && s0.se !== "none";
  replaceChildren(
    ui.compareBody,
    el("div", { class: "table-scroll paper" }, table),
    el(
      "p",
      { class: "table-note" },
      `Notes: ${s0.estimand} of ${s0.outcome ?? "—"}; ${s0.model} propensity score, matched ${s0.match_on === "logit" ? "on its logit" : "on the score"}; `,
      "nearest-neighbour rows with replacement; ",
      `caliper ${specs[2].caliper}${specs[2].caliper_scale === "sd" ? " SD of the matching variable" : ""}; `,
      `kernel: ${specs[5].kernel}, bandwidth ${specs[5].bandwidth}. `,
      "Standard errors in parentheses: ",
      s0.se === "ai" ? "Abadie–Imbens (AI) for nearest neighbour" : s0.se === "bootstrap" ? "bootstrap" : "none",
      boot && s0.se === "ai" ? `; ᵇ bootstrap (${s0.bootstrap_reps} replications, seed ${s0.seed}) where AI is undefined. ` : s0.se === "bootstrap" ? ` (${s0.bootstrap_reps} replications, seed ${s0.seed}). ` : ". ",
      "Matched and dropped: treated units with and without a match; controls: distinct controls used. |Bias| after: mean absolute standardised % bias of the covariates after matching. * p < 0.1, ** p < 0.05, *** p < 0.01.",
    ),
  );
  ui.compareCsv.disabled = false;
  ui.compareMd.disabled = false;
  ui.compareCard.hidden = false;
}

// ---------------------------------------------------------------- downloads

/** Downloads one of a result's tables, rendered by the engine (the core's one renderer). */
async function downloadTable(res, id, filename, format = "csv", mime = undefined) {
  const table = (res?.tables || []).find((t) => t.id === id);
  if (!table) return;
  downloadText(filename, await renderTableText(ctx.client, table, { format }), mime);
}

function downloadBalance() {
  if (!last) return;
  return downloadTable(last.res, "psm.balance", `${baseName(last.dataset)}_psm_balance.csv`);
}

function downloadPropensity() {
  if (!last) return;
  return downloadTable(last.res, "psm.propensity", `${baseName(last.dataset)}_psm_propensity.csv`);
}


// ---------------------------------------------------------------- PSM-DID

// Default PSM-DID specifications of the bundled panels (the PSM form's covariates are shared).
const PSMDID_PRESETS = {
  jjj: {
    unit: "city",
    time: "year",
    y: "lnHDQ",
    start: "ftz_year",
    psm: { treatment: "FTZ", covariates: ["pgdp", "fdi", "urba"], outcome: "lnHDQ" },
  },
};

let lastDid = null; // { res, spec, dataset }

function guessUnit(cols) {
  return cols.find((c) => /^(unit|id|city|province|county|firm|country|region)$/i.test(c.name))?.name ?? cols.find((c) => c.kind === "text")?.name ?? cols[0]?.name;
}
function guessTime(cols) {
  return cols.find((c) => /^(year|time|period|t|date)$/i.test(c.name))?.name ?? cols.find((c) => c.kind === "integer")?.name ?? cols[0]?.name;
}
function guessStart(cols) {
  return cols.find((c) => /(_year|start|adopt|first_treat|gvar|cohort)/i.test(c.name) && isNumericKind(c.kind))?.name ?? "";
}

function buildDidControls(d) {
  const cols = columnsInfo(d);
  const names = new Set(cols.map((c) => c.name));
  const preset = (d.sample?.key && PSMDID_PRESETS[d.sample.key]) || {};
  const pick = (v, guess) => (v && names.has(v) ? v : guess);
  const numeric = cols.filter((c) => isNumericKind(c.kind));
  const opts = (list, chosen) => list.map((c) => el("option", { value: c.name, selected: c.name === chosen }, c.name));
  const unit = pick(preset.unit ?? d.sample?.unit, guessUnit(cols));
  const time = pick(preset.time ?? d.sample?.time, guessTime(cols));
  replaceChildren(ui.didUnit, opts(cols, unit));
  replaceChildren(ui.didTime, opts(numeric, time));
  replaceChildren(ui.didY, opts(numeric, pick(preset.y, guessOutcome(cols, ""))));
  replaceChildren(ui.didStart, opts(numeric, pick(preset.start, guessStart(cols))));
  lastDid = null;
  replaceChildren(ui.didResult);
  ui.didError.hidden = true;
}

/** The quasi.psmDid spec: the PSM-DID fields plus the PSM form's covariates and matching options. */
function buildDidSpec() {
  const { covariates } = buildSpec();
  const spec = {
    unit: ui.didUnit.value,
    time: ui.didTime.value,
    y: ui.didY.value,
    start: ui.didStart.value,
    covariates,
    by_year: ui.didByYear.checked,
    baseline: ui.didBaseline.value,
    sample: ui.didSample.value,
    match: matchOptions(),
  };
  if (!spec.unit || !spec.time || !spec.y || !spec.start) throw new Error("PSM-DID: choose the unit, time, outcome and adoption-year columns.");
  if (new Set([spec.unit, spec.time, spec.y, spec.start]).size < 4) throw new Error("PSM-DID: the unit, time, outcome and adoption-year columns must differ.");
  const covs = covariates.filter((c) => ![spec.unit, spec.time, spec.y, spec.start].includes(c));
  if (!covs.length) throw new Error("PSM-DID: choose at least one matching covariate (in the propensity-model covariates above).");
  spec.covariates = covs;
  return spec;
}

function showDidError(message) {
  replaceChildren(ui.didError, el("p", { class: "error", role: "alert", id: "psmdid-error-message" }, message));
  ui.didError.hidden = false;
}

async function runDid() {
  const d = ctx.dataset;
  if (!d || busy) return;
  let spec;
  try {
    spec = buildDidSpec();
  } catch (e) {
    showDidError(e.message);
    return;
  }
  ui.didError.hidden = true;
  const seq = ++runSeq;
  setBusy(true, "Matching, then DID…");
  ui.didRun.disabled = true;
  try {
    const res = await ctx.client.call("call", { fn: "psmDid", handle: d.handle, args: [spec] });
    if (seq !== runSeq || ctx.dataset !== d) return;
    lastDid = { res, spec, dataset: d };
    renderDid();
  } catch (e) {
    if (seq !== runSeq) return;
    showDidError(e instanceof CancelledError ? "Cancelled." : `PSM-DID failed: ${e.message}`);
  } finally {
    if (seq === runSeq) setBusy(false);
    ui.didRun.disabled = busy || !ctx.dataset;
  }
}

function didCell(key, value, decimals = 3, extra = "") {
  return el(
    "td",
    { class: "num", dataset: { key, value: finite(value) ? String(value) : "" } },
    finite(value) ? formatNumber(value, decimals) + extra : "—",
  );
}

function renderDid() {
  const { res, spec } = lastDid;
  const cols = [
    ["full", res.full],
    ["matched", res.matched],
  ];
  const row = (label, f) => el("tr", {}, el("th", { scope: "row" }, label), cols.map(([k, r]) => f(k, r)));
  const main = el(
    "table",
    { class: "data-table reg-table psmdid-table", id: "psmdid-table" },
    el("caption", {}, `DID of ${spec.y} on the full and the matched sample`),
    el("thead", {}, el("tr", {}, el("th", {}, ""), el("th", { scope: "col" }, "(1) Full sample"), el("th", { scope: "col" }, "(2) PSM-DID"))),
    el(
      "tbody",
      {},
      row(res.full.term, (k, r) => didCell(`${k}-estimate`, r.estimate, 3, stars(r.p_value))),
      row("", (k, r) => el("td", { class: "num se", dataset: { key: `${k}-std_error`, value: String(r.std_error) } }, `(${formatNumber(r.std_error, 3)})`)),
      row("Observations", (k, r) => didCell(`${k}-nobs`, r.nobs, 0)),
      row("R²", (k, r) => didCell(`${k}-r2`, r.r2)),
      row("Within R²", (k, r) => didCell(`${k}-r2_within`, r.r2_within)),
      row("Unit and time FE", () => el("td", { class: "num" }, "Yes")),
      row("Weights", (k) => el("td", { class: "num" }, k === "full" ? "—" : spec.sample === "weights" ? "matching" : "none")),
    ),
  );
  const m = res.matching;
  const unitWord = m.by_year ? "unit-years" : "units";
  const summary = renderTable(
    [`Matching (${m.by_year ? "period by period" : "pooled, on pre-treatment means"})`, { label: "Count", numeric: true, integer: true }],
    [
      [`Treated ${unitWord}`, m.n_treated],
      [`Control ${unitWord}`, m.n_control],
      ["Treated matched", m.n_treated_matched],
      ["Treated dropped", m.n_treated_dropped],
      ["Controls used", m.n_control_used],
      ["Units excluded (no pre-period / missing covariates)", m.n_units_excluded],
      ["Rows in the matched sample", m.n_rows_matched],
    ],
    { decimals: 0 },
  );
  summary.id = "psmdid-summary";
  const parts = [main, el("p", { class: "muted small" }, "Standard errors clustered by unit in parentheses. * p<0.1, ** p<0.05, *** p<0.01."), summary];
  if (m.by_year && m.per_year?.length) {
    const t = renderTable(
      ["Year", ...["Treated", "Controls", "Matched", "Dropped", "Controls used"].map((label) => ({ label, numeric: true, integer: true }))],
      m.per_year.map((y) => [String(y.year), y.n_treated, y.n_control, y.n_matched, y.n_dropped, y.n_control_used]),
      { decimals: 0 },
    );
    t.id = "psmdid-per-year";
    parts.push(t);
  }
  if (!m.by_year && m.units?.length) {
    const t = renderTable(
      ["Unit", "Group", { label: "Score", numeric: true }, { label: "Weight", numeric: true }],
      m.units.map((u) => [u.unit, u.treated ? "treated" : "control", u.score, u.weight]),
      { decimals: 3 },
    );
    t.id = "psmdid-units";
    parts.push(el("details", {}, el("summary", {}, "Units, scores and matching weights"), t));
  }
  if (m.balance?.rows?.length) {
    const t = renderTable(
      ["Covariate", { label: "% bias before", numeric: true }, { label: "% bias after", numeric: true }, { label: "% reduction", numeric: true }],
      m.balance.rows.map((b) => [b.variable, b.bias_before, b.bias_after, b.bias_reduction]),
      { decimals: 1 },
    );
    t.id = "psmdid-balance";
    parts.push(el("details", {}, el("summary", {}, "Balance of the matching covariates"), t));
  }
  const diags = (res.diagnostics || []).map((d) => d.message);
  if (diags.length) parts.push(el("div", { class: "warning", role: "note", id: "psmdid-diagnostics" }, el("ul", {}, diags.map((x) => el("li", {}, x)))));
  parts.push(
    el(
      "div",
      { class: "psm-card-actions" },
      el("button", { type: "button", class: "button", id: "psmdid-md", onclick: () => downloadTable(lastDid.res, "psm_did.main", `${baseName(lastDid.dataset)}_psm_did.md`, "markdown", "text/markdown;charset=utf-8") }, "Download table (Markdown)"),
    ),
  );
  replaceChildren(ui.didResult, parts);
}

function buildDidCard() {
  ui.didUnit = el("select", { id: "psmdid-unit" });
  ui.didTime = el("select", { id: "psmdid-time" });
  ui.didY = el("select", { id: "psmdid-y" });
  ui.didStart = el("select", { id: "psmdid-start" });
  ui.didByYear = el("input", { type: "checkbox", id: "psmdid-by-year" });
  ui.didBaseline = select("psmdid-baseline", [["pre_mean", "Mean over pre-treatment years", true], ["first_year", "First year of the panel"]]);
  ui.didSample = select("psmdid-sample", [["weights", "Matched units, with matching weights", true], ["common_support", "Matched units, unweighted"]]);
  ui.didRun = el("button", { type: "button", class: "button primary", id: "psmdid-run", onclick: runDid, disabled: true }, "Run PSM-DID");
  ui.didError = el("div", { class: "psm-error", id: "psmdid-error", hidden: true });
  ui.didResult = el("div", { id: "psmdid-result", "aria-live": "polite" });
  const form = el(
    "div",
    { class: "psmdid-form" },
    field("psmdid-unit", "Unit", ui.didUnit),
    field("psmdid-time", "Time", ui.didTime),
    field("psmdid-y", "Outcome", ui.didY),
    field("psmdid-start", "Adoption year (blank/0 = never)", ui.didStart),
    field("psmdid-baseline", "Pooled matching on", ui.didBaseline),
    field("psmdid-sample", "DID sample", ui.didSample),
    el("label", { class: "check" }, ui.didByYear, " Match year by year"),
    el("div", { class: "psm-actions" }, ui.didRun),
  );
  const card = el(
    "details",
    { class: "card psmdid-card", id: "psmdid-card", open: true },
    el("summary", {}, el("h3", { class: "psmdid-title" }, "PSM-DID: match on pre-treatment covariates, then DID")),
    el(
      "p",
      { class: "muted small" },
      "Treated (ever-adopting) units are matched to never-treated units on the covariates and with the matching options of the form on the left; the two-way fixed-effects DID is then run on the full and on the matched sample (clustered by unit).",
    ),
    form,
    ui.didError,
    ui.didResult,
  );
  return card;
}

// ---------------------------------------------------------------- events

function onDataset(d) {
  ui.empty.hidden = true;
  ui.body.hidden = false;
  // After a cancel the engine restarts and reloads the same file: keep the form and results.
  const keep = d.restored && ui.formFor === d.name;
  if (!keep) {
    buildDataControls(d);
    buildDidControls(d);
    ui.formFor = d.name;
    last = null;
    lastCompare = null;
    releaseCharts(ui.density);
    replaceChildren(ui.density);
    ui.resultBody.hidden = true;
    ui.placeholder.hidden = false;
    ui.compareCard.hidden = true;
    if (!ui.error.textContent.startsWith("Cancelled")) clearError();
  }
  ui.lalonde.hidden = d.sample?.key === "lalonde";
  setBusy(false);
}

function select(id, options, onchange) {
  return el(
    "select",
    { id, onchange },
    options.map(([value, label, selected]) => el("option", { value, selected: Boolean(selected) }, label)),
  );
}

function field(id, label, control, hint) {
  return el("div", { class: "field" }, el("label", { for: id, class: "field-label" }, label), control, hint || null);
}

function buildControls() {
  ui.treat = el("select", { id: "psm-treat", onchange: syncColumns });
  ui.outcome = el("select", { id: "psm-outcome", onchange: syncColumns });
  ui.covariates = el("div", { class: "chooser psm-covariates", id: "psm-covariates", role: "group", "aria-label": "Covariates" });
  const setAll = (on) => () => {
    for (const box of ui.covariates.querySelectorAll("input[type=checkbox]:not(:disabled)")) box.checked = on;
  };
  ui.model = select("psm-model", [["logit", "Logit", true], ["probit", "Probit"]]);

  ui.method = select("psm-method", [["nearest", "Nearest neighbour", true], ["radius", "Radius (all within the caliper)"], ["kernel", "Kernel"]], syncMethod);
  ui.k = el("input", { type: "number", id: "psm-k", min: "1", step: "1", value: "1", inputmode: "numeric" });
  ui.replace = el("input", { type: "checkbox", id: "psm-replace", checked: true, onchange: syncMethod });
  ui.ties = el("input", { type: "checkbox", id: "psm-ties", checked: true });
  ui.order = select("psm-order", [["descending", "Descending score", true], ["ascending", "Ascending score"], ["random", "Random (seeded)"]], syncMethod);
  ui.orderField = field("psm-order", "Greedy order", ui.order);
  ui.nearestBox = el(
    "div",
    { class: "psm-sub" },
    field("psm-k", "Neighbours (k)", ui.k),
    el("label", { class: "check" }, ui.replace, " With replacement"),
    ui.orderField,
    el("label", { class: "check", title: "Controls tied at the k-th distance (within 1e-5) share the weight, as R Matching's ties = TRUE" }, ui.ties, " Keep ties (shared weights)"),
  );
  ui.matchOn = select("psm-match-on", [["score", "Propensity score", true], ["logit", "Logit of the score (linear index)"]]);
  ui.useCaliper = el("input", { type: "checkbox", id: "psm-use-caliper", onchange: syncMethod });
  ui.caliperLabel = el("span", {}, " Caliper");
  ui.caliper = el("input", { type: "number", id: "psm-caliper", min: "0", step: "any", value: "0.1", disabled: true });
  ui.caliperScale = select("psm-caliper-scale", [["sd", "SD units", true], ["absolute", "absolute"]]);
  ui.caliperScale.disabled = true;
  const caliperRow = el(
    "div",
    { class: "field" },
    el("label", { class: "check" }, ui.useCaliper, ui.caliperLabel),
    el(
      "div",
      { class: "psm-inline" },
      el("label", { for: "psm-caliper", class: "visually-hidden" }, "Caliper width"),
      ui.caliper,
      el("label", { for: "psm-caliper-scale", class: "visually-hidden" }, "Caliper units"),
      ui.caliperScale,
    ),
  );
  ui.kernel = select("psm-kernel", [["epanechnikov", "Epanechnikov", true], ["gaussian", "Gaussian"]]);
  ui.bandwidth = el("input", { type: "number", id: "psm-bandwidth", min: "0", step: "any", value: "0.06" });
  ui.kernelBox = el("div", { class: "psm-sub", hidden: true }, field("psm-kernel", "Kernel", ui.kernel), field("psm-bandwidth", "Bandwidth (matching-variable units)", ui.bandwidth));
  ui.common = el("input", { type: "checkbox", id: "psm-common" });

  ui.estimand = select("psm-estimand", [["ATT", "ATT — effect on the treated", true], ["ATE", "ATE — average effect"], ["ATC", "ATC — effect on the controls"]]);
  ui.se = select("psm-se", [["ai", "Abadie–Imbens", true], ["bootstrap", "Bootstrap (seeded)"], ["none", "None"]], syncMethod);
  ui.seNote = el("p", { class: "muted small psm-se-note", "aria-live": "polite" });
  ui.reps = el("input", { type: "number", id: "psm-reps", min: "2", step: "1", value: "200", inputmode: "numeric" });
  ui.seed = el("input", { type: "number", id: "psm-seed", min: "0", step: "1", value: "42", inputmode: "numeric" });
  ui.repsField = field("psm-reps", "Replications", ui.reps);
  ui.bootBox = el("div", { class: "psm-inline-fields", title: "Used by bootstrap standard errors (also radius and kernel rows of the comparison) and random matching order" }, ui.repsField, field("psm-seed", "Seed", ui.seed));

  ui.run = el("button", { type: "submit", class: "button primary", id: "psm-run", disabled: true }, "Run matching");
  ui.compare = el(
    "button",
    { type: "button", class: "button", id: "psm-compare", disabled: true, onclick: runCompare, title: "nearest k = 1 and 4, caliper, caliper-kNN, radius and kernel matching on the same propensity model" },
    "Compare matching families",
  );
  ui.cancel = el("button", { type: "button", class: "button danger", id: "psm-cancel", hidden: true, onclick: cancel }, "Cancel");
  ui.status = el("p", { class: "muted small psm-status", id: "psm-status", role: "status", "aria-live": "polite" });

  return el(
    "form",
    {
      class: "card controls psm-controls",
      id: "psm-form",
      novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        run();
      },
    },
    el(
      "fieldset",
      {},
      el("legend", {}, "Propensity model"),
      field("psm-treat", "Treatment (0/1)", ui.treat),
      el(
        "div",
        { class: "field" },
        el(
          "div",
          { class: "chooser-head" },
          el("span", { class: "field-label", id: "psm-covariates-label" }, "Covariates"),
          el("button", { type: "button", class: "link", onclick: setAll(true) }, "all"),
          el("button", { type: "button", class: "link", onclick: setAll(false) }, "none"),
        ),
        ui.covariates,
      ),
      field("psm-model", "Model", ui.model),
      field("psm-outcome", "Outcome", ui.outcome),
    ),
    el(
      "fieldset",
      {},
      el("legend", {}, "Matching"),
      field("psm-method", "Method", ui.method),
      ui.nearestBox,
      ui.kernelBox,
      field("psm-match-on", "Match on", ui.matchOn),
      caliperRow,
      el("label", { class: "check psm-check" }, ui.common, " Impose common support (drop units outside the other group's score range)"),
    ),
    el(
      "fieldset",
      {},
      el("legend", {}, "Inference"),
      field("psm-estimand", "Estimand", ui.estimand),
      field("psm-se", "Standard error", ui.se, ui.seNote),
      ui.bootBox,
    ),
    el("div", { class: "psm-actions" }, ui.run, ui.compare, ui.cancel),
    ui.status,
  );
}

function card(id, title, actions, body) {
  return el("section", { class: "card", id }, el("div", { class: "card-head" }, el("h3", {}, title), actions ? el("div", { class: "psm-card-actions" }, actions) : null), body);
}

export default {
  mount(root, context) {
    ctx = context;
    const form = buildControls();
    ui.error = el("div", { class: "psm-error", id: "psm-error", hidden: true });
    ui.effectTitle = el("h3", { id: "psm-effect-title" }, "Effect");
    ui.effect = el("div", { id: "psm-effect" });
    ui.diagnostics = el("div", { class: "warning", id: "psm-diagnostics", hidden: true, role: "note" });
    ui.propensity = el("div", { id: "psm-propensity" });
    ui.balance = el("div", { id: "psm-balance" });
    ui.density = el("div", { id: "psm-density", class: "psm-density" });
    ui.compareBody = el("div", { id: "psm-compare-result" });
    ui.compareCsv = el("button", { type: "button", class: "button", id: "psm-compare-csv", disabled: true, onclick: () => lastCompare && downloadTable(lastCompare.out, "psm.compare", `${baseName(lastCompare.dataset)}_psm_compare.csv`) }, "CSV");
    ui.compareMd = el(
      "button",
      { type: "button", class: "button", id: "psm-compare-md", disabled: true, onclick: () => lastCompare && downloadTable(lastCompare.out, "psm.compare", `${baseName(lastCompare.dataset)}_psm_compare.md`, "markdown", "text/markdown;charset=utf-8") },
      "Markdown",
    );
    ui.compareCard = card("psm-compare-card", "Matching families compared", [ui.compareCsv, ui.compareMd], ui.compareBody);
    ui.compareCard.hidden = true;
    ui.placeholder = el("p", { class: "muted card psm-placeholder", id: "psm-placeholder" }, "Choose the treatment, covariates and outcome, then run the matching.");
    ui.resultBody = el(
      "div",
      { hidden: true, id: "psm-results-body" },
      el("section", { class: "card", id: "psm-effect-card" }, el("div", { class: "card-head" }, ui.effectTitle), ui.effect, ui.diagnostics),
      card("psm-balance-card", "Covariate balance before and after matching", el("button", { type: "button", class: "button", id: "psm-balance-csv", onclick: downloadBalance }, "Download CSV"), ui.balance),
      card("psm-density-card", "Propensity-score densities", null, ui.density),
      card("psm-propensity-card", "Propensity model", el("button", { type: "button", class: "button", id: "psm-propensity-csv", onclick: downloadPropensity }, "Download CSV"), ui.propensity),
    );
    ui.didCard = buildDidCard();
    ui.results = el("div", { class: "psm-results", id: "psm-results", "aria-live": "polite" }, ui.error, ui.placeholder, ui.compareCard, ui.resultBody, ui.didCard);
    ui.empty = el(
      "div",
      { class: "muted empty" },
      el("p", {}, "Load data first (Data panel), or try the LaLonde job-training data:"),
      el("button", { type: "button", class: "button", id: "psm-load-lalonde-empty", onclick: () => ctx.loadSample("lalonde").catch(() => {}) }, SAMPLES.lalonde.label),
    );
    ui.lalonde = el(
      "button",
      { type: "button", class: "link psm-sample-link", id: "psm-load-lalonde", onclick: () => ctx.loadSample("lalonde").catch(() => {}) },
      `Load the ${SAMPLES.lalonde.label} sample`,
    );
    ui.body = el("div", { class: "psm-layout", hidden: true }, form, ui.results);
    replaceChildren(
      root,
      el(
        "header",
        { class: "panel-head" },
        el("h2", { id: "panel-psm-title" }, "Propensity-score matching"),
        el(
          "p",
          { class: "lede" },
          "Estimate who is treated from observed covariates, match treated and control units on that score, and report the effect with its balance diagnostics — as psmatch2/pstest and R's Matching. ",
          ui.lalonde,
        ),
      ),
      ui.empty,
      ui.body,
    );
    syncMethod();
    ctx.on("dataset", onDataset);
    ctx.on("load-start", () => {
      ui.run.disabled = true;
      ui.compare.disabled = true;
    });
    ctx.on("load-end", () => {
      if (!busy && ctx.dataset) setBusy(false);
    });
    if (ctx.dataset) onDataset(ctx.dataset);
  },
};
