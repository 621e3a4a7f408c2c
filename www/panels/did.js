// DID panel: the workbench's common setup (www/did-spec.js) and the TWFE DID.
//   ctx.client.call("call", { fn: "did", handle, args: [didSpec] })
//   ctx.client.call("call", { fn: "wildBootstrap", handle, args: [{ ...didSpec, reps, weights, seed }] })
//   exports: the result's tables ("did.main", "did.counts") rendered by the engine (renderTable)
// didSpec = { y, unit, time, start | treat+post | indicator, controls, fe, vcov }.
import { el, replaceChildren, formatNumber } from "../dom.js";
import { CancelledError } from "../client.js";
import { resultTableBlock, tableExports, findTable, starsFor as stars, formatP } from "../lib/result-table.js";
import { panelHeader, dataPanel } from "../lib/ui.js";
import { setupForm, currentSetup, didSpec, errorCard, notesBox, numberField, field, option, defaultSetup } from "../did-spec.js";
import { t } from "../i18n.js";
import { errorText } from "../lib/messages.js";

let ctx;
const ui = {};
let form;
let last = null; // { res, spec, setup }
let runSeq = 0;

function fact(label, key, value, text, { hidden = false } = {}) {
  return [el("dt", { hidden }, label), el("dd", { hidden, dataset: { stat: key, value: typeof value === "number" && Number.isFinite(value) ? String(value) : "" } }, text ?? formatNumber(value, 4))];
}

function didCard(res) {
  const level = Math.round((res.model?.conf_level ?? 0.95) * 100);
  return el(
    "div",
    { class: "did-effect" },
    el("p", { class: "did-headline" }, el("span", { class: "muted" }, `${res.term}: `), el("strong", { id: "did-estimate-text" }, formatNumber(res.estimate, 4) + stars(res.p_value)), el("span", { class: "muted" }, ` (${formatNumber(res.std_error, 4)})`)),
    el(
      "dl",
      { class: "facts did-facts", id: "did-facts" },
      fact(t("Estimate"), "estimate", res.estimate),
      fact(t("Std. error"), "std_error", res.std_error),
      fact("t", "statistic", res.statistic, formatNumber(res.statistic, 3)),
      fact("p", "p_value", res.p_value, formatP(res.p_value)),
      fact(t("{level}% CI", { level }), "conf_low", res.conf_low, `[${formatNumber(res.conf_low, 4)}, ${formatNumber(res.conf_high, 4)}]`),
      fact(t("CI high"), "conf_high", res.conf_high, undefined, { hidden: true }), // full-precision value only; shown in the CI above
      fact(t("Observations"), "nobs", res.nobs, formatNumber(res.nobs, 0, { integer: true })),
      fact("R²", "r2", res.model?.r2),
      fact(t("Within R²"), "r2_within", res.model?.r2_within),
    ),
  );
}

/** The counts (did.counts) with the design's size and its edge cases below. */
function countsBlock(res) {
  const s = res.design_summary || {};
  const range = s.time_range ? `${s.time_range[0]}–${s.time_range[1]}` : "";
  return el(
    "div",
    {},
    el("h4", {}, t("Treatment design")),
    resultTableBlock(findTable(res, "did.counts"), ctx.client, { id: "did-counts", className: "data-table paper-table did-counts-table", basename: "did_counts", onError: exportError }),
    el("p", { class: "table-note" }, t("{units} units × {periods} periods {range}", { units: s.n_units ?? "", periods: s.n_periods ?? "", range }), s.n_late_adopter_units ? t("; {n} adopt after the panel ends (treated as never treated)", { n: s.n_late_adopter_units }) : "", s.n_always_treated_units ? t(s.always_treated_dropped ? "; {n} treated from their first period (dropped)" : "; {n} treated from their first period (kept)", { n: s.n_always_treated_units }) : "", t(".")),
  );
}

const exportError = (e) => ui.error.show(t("The table could not be exported."), errorText(e));

function render() {
  const { res } = last;
  replaceChildren(
    ui.result,
    el("div", { class: "card-head" }, el("h3", {}, t("Difference-in-differences")), el("code", { class: "small", id: "did-formula" }, res.model?.formula ?? "")),
    didCard(res),
    el("p", { class: "table-note" }, t("* p < 0.1, ** p < 0.05, *** p < 0.01; t distribution with {df} degrees of freedom.", { df: formatNumber(res.model?.df_t, 0, { integer: true }) })),
    countsBlock(res),
    notesBox("did-notes", res.diagnostics),
    el("div", { class: "card-head did-subhead" }, el("h4", {}, t("Full model"))),
    resultTableBlock(findTable(res, "did.main"), ctx.client, { id: "did-model-table", idPrefix: "did", basename: "did_model", onError: exportError }),
  );
  ui.result.hidden = false;
  ui.wildCard.hidden = false;
}

async function run() {
  const d = ctx.dataset;
  ui.error.clear();
  if (!d) return ui.error.show(t("No data loaded."), t("Load a file first (Data panel)."));
  const setup = form.read();
  let spec;
  try {
    spec = didSpec(setup);
  } catch (e) {
    return ui.error.show(t("The DID setup is incomplete."), errorText(e));
  }
  remember(setup);
  const seq = ++runSeq;
  ui.run.disabled = true;
  ui.result.classList.add("is-stale");
  try {
    const res = await ctx.client.call("call", { fn: "did", handle: d.handle, args: [spec] });
    if (seq !== runSeq) return;
    last = { res, spec, setup };
    render();
    replaceChildren(ui.wildResult);
  } catch (e) {
    if (seq !== runSeq) return;
    ui.error.show(t("The DID could not be estimated."), errorText(e));
    ui.result.hidden = true;
  } finally {
    if (seq === runSeq) {
      ui.run.disabled = false;
      ui.result.classList.remove("is-stale");
    }
  }
}

function remember(setup) {
  ctx.didSetup = { ...setup, datasetName: ctx.dataset?.name };
  ctx.emit("did-setup", ctx.didSetup);
}

// ---------------------------------------------------------------- wild cluster bootstrap

async function runWild() {
  const d = ctx.dataset;
  if (!d) return;
  ui.error.clear();
  let spec;
  try {
    spec = didSpec(form.read());
  } catch (e) {
    return ui.error.show(t("The DID setup is incomplete."), errorText(e));
  }
  const reps = Number(ui.wildReps.value);
  const seed = Number(ui.wildSeed.value);
  if (!Number.isInteger(reps) || reps < 99) return ui.error.show(t("Replications must be a whole number ≥ 99."), "");
  if (!Number.isInteger(seed) || seed < 0) return ui.error.show(t("The seed must be a whole number ≥ 0."), "");
  const wspec = { ...spec, reps, weights: ui.wildWeights.value, seed };
  ui.wildRun.disabled = true;
  ui.wildStatus.textContent = t("Bootstrapping…");
  try {
    const w = await ctx.client.call("call", { fn: "wildBootstrap", handle: d.handle, args: [wspec] });
    const level = Math.round((w.conf_level ?? 0.95) * 100);
    replaceChildren(
      ui.wildResult,
      el(
        "dl",
        { class: "facts did-facts", id: "did-wild-facts" },
        fact(t("Bootstrap p"), "p_value", w.p_value, formatP(w.p_value) || formatNumber(w.p_value, 4)),
        fact(t("{level}% CI", { level }), "conf_low", w.conf_low, `[${formatNumber(w.conf_low, 4)}, ${formatNumber(w.conf_high, 4)}]`),
        fact(t("CI high"), "conf_high", w.conf_high, undefined, { hidden: true }),
        fact(t("t statistic"), "t_stat", w.t_stat, formatNumber(w.t_stat, 3)),
        fact(t("Clusters"), "n_clusters", w.n_clusters, `${w.n_clusters} (${w.cluster})`),
        fact(t("Draws"), "reps", w.reps, formatNumber(w.reps, 0, { integer: true })),
      ),
      el(
        "p",
        { class: "table-note", id: "did-wild-note" },
        w.enumerated
          ? t("All 2^{g} = {n} sign patterns were enumerated (fewer than the {asked} replications asked for): the p-value is exact for these weights.", { g: w.n_clusters, n: formatNumber(w.reps, 0, { integer: true }), asked: formatNumber(reps, 0, { integer: true }) })
          : t("{weights} weights, {n} replications, seed {seed}; null imposed (WCR); CI by test inversion.", { weights: t(w.weights === "webb" ? "Webb six-point" : "Rademacher"), n: formatNumber(w.reps, 0, { integer: true }), seed: w.seed }),
      ),
      w.tables?.length ? tableExports(w.tables[0], ctx.client, { basename: "wild_bootstrap" }) : null,
      notesBox("did-wild-notes", w.diagnostics),
    );
  } catch (e) {
    if (!(e instanceof CancelledError)) ui.error.show(t("The wild bootstrap failed."), errorText(e));
  } finally {
    ui.wildRun.disabled = false;
    ui.wildStatus.textContent = "";
  }
}

// ---------------------------------------------------------------- mount

function onDataset(d) {
  ui.empty.hidden = true;
  ui.body.hidden = false;
  const keep = ctx.didSetup && ctx.didSetup.datasetName === d.name ? ctx.didSetup : null;
  form.fill(keep || defaultSetup(d, ctx.panel));
  if (!keep) {
    ctx.didSetup = null;
    last = null;
    ui.result.hidden = true;
    ui.wildCard.hidden = true;
    ctx.emit("did-setup", currentSetup(ctx));
  }
}

export default {
  mount(root, context) {
    ctx = context;
    form = setupForm(ctx, { onchange: () => remember(form.read()) });
    ui.run = el("button", { type: "button", class: "button primary", id: "did-run", onclick: run }, t("Run DID"));
    ui.error = errorCard("did-error");
    ui.result = el("div", { class: "card did-result", id: "did-result", hidden: true, "aria-live": "polite" });
    const reps = numberField("did-wild-reps", t("Replications"), 9999, { min: 99, step: 1 });
    const seed = numberField("did-wild-seed", t("Seed"), 1, { min: 0, step: 1 });
    ui.wildReps = reps.input;
    ui.wildSeed = seed.input;
    ui.wildWeights = el("select", { id: "did-wild-weights" }, option("rademacher", t("Rademacher")), option("webb", t("Webb (6-point)")));
    ui.wildRun = el("button", { type: "button", class: "button", id: "did-wild-run", onclick: runWild }, t("Run bootstrap"));
    ui.wildStatus = el("span", { class: "muted small", role: "status" });
    ui.wildResult = el("div", { id: "did-wild-result", "aria-live": "polite" });
    ui.wildCard = el(
      "div",
      { class: "card", id: "did-wild", hidden: true },
      el("div", { class: "card-head" }, el("h3", {}, t("Wild cluster bootstrap"))),
      el("p", { class: "muted small" }, t("For few clusters (e.g. one treated city among five): restricted wild cluster bootstrap-t of the DID coefficient, clustered as in the setup. With 2^G ≤ replications all sign patterns are enumerated.")),
      el("div", { class: "did-inline" }, reps.root, field("did-wild-weights", t("Weights"), ui.wildWeights), seed.root, el("div", { class: "did-inline-action" }, ui.wildRun, ui.wildStatus)),
      ui.wildResult,
    );
    const body = [
      el(
        "div",
        { class: "card" },
        el("div", { class: "card-head" }, el("h3", {}, t("DID setup")), el("span", { class: "muted small" }, t("used by every panel of the DID workbench"))),
        form.root,
        el("div", { class: "reg-actions" }, ui.run),
      ),
      ui.error.root,
      ui.result,
      ui.wildCard,
    ];
    Object.assign(ui, dataPanel(root, panelHeader("did", "DID", t("Two-way fixed-effects difference-in-differences for 2×2 and staggered adoption. The setup chosen here is reused by the event study, placebo, heterogeneity, mechanism, robustness and PSM-DID panels.")), body));
    ctx.on("dataset", onDataset);
    // The Data panel declares unit/time after checking them: follow it unless the user set up the DID already.
    ctx.on("panel-declared", () => {
      if (ctx.dataset && !(ctx.didSetup && ctx.didSetup.datasetName === ctx.dataset.name)) onDataset(ctx.dataset);
    });
    if (ctx.dataset) onDataset(ctx.dataset);
  },
};
