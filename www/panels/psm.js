// PSM panel: propensity-score matching as in Stata's psmatch2/pstest and R's
// Matching. Choose the treatment (0/1), covariates (text columns become
// dummies in the core), outcome, propensity model and matching method; see the
// effect (ATT/ATE/ATC with its SE), the propensity model, the pstest balance
// table, the score densities before/after matching, and the seeds'
// "k-nearest / caliper / caliper-kNN" comparison (plus radius and kernel).
// The form is www/panels/psm-form.js, the result cards www/panels/psm-results.js;
// PSM-DID is its own panel (www/panels/psm-did.js).
//
// Engine calls (all in the worker):
//   { fn: "psm", handle, args: [spec] }                 → PsmResult
//   { fn: "psmDensitySvg", args: [{ density }, title] }  → SVG text (free function)
//   { fn: "psmCompare", handle, args: [[spec, …]] }      → { table: { rows }, diagnostics, tables }
import { el, replaceChildren } from "../dom.js";
import { chartFigure, releaseCharts } from "../charts.js";
import { SAMPLES } from "../sample-data.js";
import { CancelledError } from "../client.js";
import { card, notesBox, panelHeader } from "../lib/ui.js";
import { psmForm } from "./psm-form.js";
import { renderEffect, renderPropensity, renderBalance, renderCompare } from "./psm-results.js";
import { t } from "../i18n.js";
import { errorText } from "../lib/messages.js";

let ctx;
let form;
const ui = {};
let last = null; // { res, spec, dataset, svg }
let lastCompare = null; // { out, specs, dataset }
let runSeq = 0;
let busy = false;

function baseName(d) {
  return d.name.replace(/\.[^.]+$/, "").replace(/[^\w.-]+/g, "_") || "data";
}

// ---------------------------------------------------------------- running

function setBusy(on, message = "") {
  busy = on;
  form.ui.run.disabled = on || !ctx.dataset;
  form.ui.compare.disabled = on || !ctx.dataset;
  form.ui.cancel.hidden = !on;
  form.ui.status.textContent = message;
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
    built = form.spec();
  } catch (e) {
    showError(errorText(e));
    return;
  }
  clearError();
  const seq = ++runSeq;
  const slow = built.spec.se === "bootstrap" || (built.spec.se === "ai" && !(built.spec.method === "nearest" && built.spec.replace));
  setBusy(true, slow ? t("Matching… (bootstrap, {reps} replications)", { reps: built.spec.bootstrap_reps }) : t("Matching…"));
  try {
    const res = await ctx.client.call("call", { fn: "psm", handle: d.handle, args: [built.spec] });
    if (seq !== runSeq || ctx.dataset !== d) return;
    last = { res, ...built, dataset: d };
    renderResult();
    form.ui.status.textContent = t("Drawing the densities…");
    await renderDensity(seq);
  } catch (e) {
    if (seq !== runSeq) return;
    showError(e instanceof CancelledError ? t("Cancelled.") : errorText(e));
  } finally {
    if (seq === runSeq) setBusy(false);
  }
}

async function runCompare() {
  const d = ctx.dataset;
  if (!d || busy) return;
  let specs;
  try {
    specs = form.compareSpecs(form.spec().spec);
  } catch (e) {
    showError(errorText(e));
    return;
  }
  clearError();
  const seq = ++runSeq;
  setBusy(true, t("Running {n} matching methods…", { n: specs.length }));
  try {
    const out = await ctx.client.call("call", { fn: "psmCompare", handle: d.handle, args: [specs] });
    if (seq !== runSeq || ctx.dataset !== d) return;
    lastCompare = { out, specs, dataset: d };
    renderCompare(ui, lastCompare, renderCtx());
    ui.compareCard.scrollIntoView?.({ block: "nearest" });
  } catch (e) {
    if (seq !== runSeq) return;
    showError(e instanceof CancelledError ? t("Cancelled.") : t("Comparison failed: {message}", { message: errorText(e) }));
  } finally {
    if (seq === runSeq) setBusy(false);
  }
}

function cancel() {
  runSeq++;
  setBusy(false);
  showError(t("Cancelled; the engine was restarted and the data reloaded."));
  ctx.client.cancel(t("Cancelled by the user"));
}

// ---------------------------------------------------------------- rendering

/** What the result renderers need: the engine client, the file-name base and the error line. */
const renderCtx = () => ({ client: ctx.client, base: baseName(ctx.dataset), onError: (e) => showError(t("The table could not be exported: {message}", { message: errorText(e) })) });

function renderResult() {
  const rc = renderCtx();
  renderEffect(ui, last, rc);
  renderPropensity(ui, last, rc);
  renderBalance(ui, last, rc);
  ui.resultBody.hidden = false;
  ui.placeholder.hidden = true;
  const notes = notesBox("psm-diagnostics", last.res.diagnostics);
  replaceChildren(ui.diagnostics, notes);
  ui.diagnostics.hidden = !notes;
}

async function renderDensity(seq) {
  const { res, dataset } = last;
  releaseCharts(ui.density);
  try {
    const title = t("Propensity score density before and after matching");
    const svg = await ctx.client.call("call", { fn: "psmDensitySvg", args: [{ density: res.density }, title] });
    if (seq !== runSeq) return;
    last.svg = svg;
    replaceChildren(
      ui.density,
      chartFigure(svg, {
        filename: `${baseName(dataset)}_psm_density`,
        caption: t("Kernel densities of the propensity score, treated vs controls, before matching and after (weighted by the matching weights); Gaussian kernel, Silverman bandwidth."),
        alt: t("Propensity-score densities of treated and control units before and after matching"),
      }),
    );
  } catch (e) {
    if (seq !== runSeq) return;
    replaceChildren(ui.density, el("p", { class: "error", role: "alert" }, t("The density figure could not be drawn: {message}", { message: errorText(e) })));
  }
}

// ---------------------------------------------------------------- events

function onDataset(d) {
  ui.empty.hidden = true;
  ui.body.hidden = false;
  // After a cancel the engine restarts and reloads the same file: keep the form and results.
  const keep = d.restored && ui.formFor === d.name;
  if (!keep) {
    form.fill(d);
    ui.formFor = d.name;
    last = null;
    lastCompare = null;
    releaseCharts(ui.density);
    replaceChildren(ui.density);
    ui.resultBody.hidden = true;
    ui.placeholder.hidden = false;
    ui.compareCard.hidden = true;
    if (!ui.error.textContent.startsWith(t("Cancelled."))) clearError();
  }
  ui.lalonde.hidden = d.sample?.key === "lalonde";
  setBusy(false);
}

export default {
  mount(root, context) {
    ctx = context;
    form = psmForm(ctx, { onsubmit: run, onCompare: runCompare, onCancel: cancel });
    ui.error = el("div", { class: "psm-error", id: "psm-error", hidden: true });
    ui.effectTitle = el("h3", { id: "psm-effect-title" }, t("Effect"));
    ui.effect = el("div", { id: "psm-effect" });
    ui.diagnostics = el("div", { id: "psm-diagnostics-box", hidden: true });
    ui.propensity = el("div", { id: "psm-propensity" });
    ui.balance = el("div", { id: "psm-balance" });
    ui.density = el("div", { id: "psm-density", class: "psm-density" });
    ui.compareBody = el("div", { id: "psm-compare-result" });
    ui.compareCard = card("psm-compare-card", t("Matching families compared"), null, ui.compareBody);
    ui.compareCard.hidden = true;
    ui.placeholder = el("p", { class: "muted card psm-placeholder", id: "psm-placeholder" }, t("Choose the treatment, covariates and outcome, then run the matching."));
    ui.resultBody = el(
      "div",
      { hidden: true, id: "psm-results-body" },
      el("section", { class: "card", id: "psm-effect-card" }, el("div", { class: "card-head" }, ui.effectTitle), ui.effect, ui.diagnostics),
      card("psm-balance-card", t("Covariate balance before and after matching"), null, ui.balance),
      card("psm-density-card", t("Propensity-score densities"), null, ui.density),
      card("psm-propensity-card", t("Propensity model"), null, ui.propensity),
    );
    ui.results = el("div", { class: "psm-results", id: "psm-results", "aria-live": "polite" }, ui.error, ui.placeholder, ui.compareCard, ui.resultBody);
    ui.empty = el(
      "div",
      { class: "muted empty" },
      el("p", {}, t("Load data first (Data panel), or try the LaLonde job-training data:")),
      el("button", { type: "button", class: "button", id: "psm-load-lalonde-empty", onclick: () => ctx.loadSample("lalonde").catch(() => {}) }, SAMPLES.lalonde.label),
    );
    ui.lalonde = el("button", { type: "button", class: "link psm-sample-link", id: "psm-load-lalonde", onclick: () => ctx.loadSample("lalonde").catch(() => {}) }, t("Load the {label} sample", { label: t(SAMPLES.lalonde.label) }));
    ui.body = el("div", { class: "psm-layout", hidden: true }, form.root, ui.results);
    replaceChildren(
      root,
      panelHeader(
        "psm",
        t("Propensity-score matching"),
        t("Estimate who is treated from observed covariates, match treated and control units on that score, and report the effect with its balance diagnostics — as psmatch2/pstest and R's Matching. For matching before a DID, see the PSM-DID panel. "),
        ui.lalonde,
      ),
      ui.empty,
      ui.body,
    );
    ctx.on("dataset", onDataset);
    ctx.on("load-start", () => {
      form.ui.run.disabled = true;
      form.ui.compare.disabled = true;
    });
    ctx.on("load-end", () => {
      if (!busy && ctx.dataset) setBusy(false);
    });
    if (ctx.dataset) onDataset(ctx.dataset);
  },
};
