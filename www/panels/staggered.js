// Staggered DID panel: the DID setup (outcome, unit, time, adoption column, controls) run
// through every staggered-adoption estimator at once, plus the Bacon decomposition and a
// separate Callaway–Sant'Anna "details" run, and the HonestDiD sensitivity of the CS event study (optionally with the multiplier bootstrap).
//   ctx.client.call("staggeredCompare", { handle, spec: { y, unit, time, start, controls,
//       control_group, method, base_period, conf_level } }, { onProgress })
//   ctx.client.call("call", { fn: "baconDecomposition", handle, args: [{ y, unit, time, start }] })
//   ctx.client.call("call", { fn: "honestDid", handle, args: [{ ...CS spec, base_period: "universal",
//       event_time: 0, sensitivity }] })
//   ctx.client.call("csdid", { handle, spec: { ...compare spec minus controls, covariates,
//       bootstrap?: { reps, seed } } }, { onProgress })
// staggeredCompare and csdid are worker ops that pass the engine a progress callback (as
// placebo); Cancel terminates the worker (ctx.client.cancel) and the app reloads the data.
// Every table is one of the results' `tables` (resultTableBlock, exported by renderTable);
// the charts are the engine's SVG shown by chartFigure (SVG / PNG downloads).
import { el, replaceChildren, formatNumber } from "../dom.js";
import { CancelledError } from "../client.js";
import { chartFigure, releaseCharts } from "../charts.js";
import { resultTableBlock, findTable } from "../lib/result-table.js";
import { panelHeader } from "../lib/ui.js";
import { currentSetup, didSpec, notesBox, numberField, field, option, workbenchPanel } from "../did-spec.js";
import { t } from "../i18n.js";
import { errorText } from "../lib/messages.js";

let ctx;
const ui = {};
let runSeq = 0;

/** The staggered estimators need each unit's adoption period: the "start" form of the setup. */
function formProblem(setup) {
  if (setup.form === "start") return null;
  const was = setup.form === "indicator" ? t("a 0/1 DID indicator") : t("treated group × post");
  return t(setup.start ? "The staggered estimators need each unit's adoption period, but the DID setup gives the treatment as {was}. In the DID panel, set “Treatment given as” to “Adoption-year column” and choose the column holding each unit's first treated period (blank or 0 = never treated), e.g. {start}." : "The staggered estimators need each unit's adoption period, but the DID setup gives the treatment as {was}. In the DID panel, set “Treatment given as” to “Adoption-year column” and choose the column holding each unit's first treated period (blank or 0 = never treated).", { was, start: setup.start });
}

function syncHint() {
  const problem = ctx.dataset ? formProblem(currentSetup(ctx)) : null;
  ui.hint.textContent = problem ?? "";
  ui.hint.hidden = !problem;
}

function syncBoot() {
  ui.repsWrap.hidden = !ui.boot.checked;
  ui.seedWrap.hidden = !ui.boot.checked;
}

/** The options common to both runs (throws a user-facing Error). */
function baseSpec() {
  const setup = currentSetup(ctx);
  const problem = formProblem(setup);
  if (problem) throw new Error(problem);
  const d = didSpec(setup); // checks y, unit, time and the adoption column
  return {
    y: d.y,
    unit: d.unit,
    time: d.time,
    start: d.start,
    controls: d.controls,
    control_group: ui.control.value,
    method: ui.method.value,
    base_period: ui.base.value,
    conf_level: Number(ui.level.value),
  };
}

function setBusy(on, label = "") {
  ui.run.disabled = on;
  ui.csRun.disabled = on;
  ui.cancel.hidden = !on;
  ui.progressWrap.hidden = !on;
  ui.progress.value = 0;
  ui.progressLabel.textContent = label;
  ui.result.classList.toggle("is-stale", on);
  ui.csResult.classList.toggle("is-stale", on);
}

/** One run through the worker with progress; `onResult` renders, failures go to the error card. */
async function runWithProgress({ start, label, progressText, failTitle, work, onResult }) {
  const d = ctx.dataset;
  ui.error.clear();
  if (!d) return ui.error.show(t("No data loaded."), t("Load a file first (Data panel)."));
  let spec;
  try {
    spec = start();
  } catch (e) {
    return ui.error.show(t("Check the settings."), errorText(e));
  }
  const seq = ++runSeq;
  setBusy(true, label);
  const onProgress = (f) => {
    if (seq !== runSeq) return;
    ui.progress.value = f;
    ui.progressLabel.textContent = progressText(f, spec);
  };
  const t0 = performance.now();
  try {
    const res = await work(d, spec, onProgress);
    if (seq !== runSeq) return;
    onResult(res, spec, performance.now() - t0);
  } catch (e) {
    if (seq !== runSeq) return;
    if (e instanceof CancelledError) ui.error.show(t("Cancelled."), t("The engine was restarted and the data reloaded."));
    else ui.error.show(failTitle, errorText(e));
  } finally {
    if (seq === runSeq) setBusy(false);
  }
}

function runCompare() {
  return runWithProgress({
    start: baseSpec,
    label: t("Estimating…"),
    progressText: (f) => t("Estimating… {pct} %", { pct: Math.round(f * 100) }),
    failTitle: t("The staggered estimators could not be run."),
    work: async (d, spec, onProgress) => {
      const compare = await ctx.client.call("staggeredCompare", { handle: d.handle, spec }, { onProgress });
      const bacon = await ctx.client
        .call("call", { fn: "baconDecomposition", handle: d.handle, args: [{ y: spec.y, unit: spec.unit, time: spec.time, start: spec.start }] })
        .catch((e) => {
          if (e instanceof CancelledError) throw e;
          return { error: errorText(e) };
        });
      const honest = await ctx.client
        .call("call", { fn: "honestDid", handle: d.handle, args: [honestSpec(spec)] })
        .catch((e) => {
          if (e instanceof CancelledError) throw e;
          return { error: errorText(e) };
        });
      return { compare, bacon, honest };
    },
    onResult: (res, spec, ms) => renderCompare(res, spec, ms),
  });
}

/** HonestDiD on the CS event study of the same setup (universal base period, as HonestDiD requires). */
function honestSpec(spec) {
  return {
    y: spec.y,
    unit: spec.unit,
    time: spec.time,
    start: spec.start,
    covariates: spec.controls,
    control_group: spec.control_group,
    method: spec.method,
    base_period: "universal",
    conf_level: spec.conf_level,
    event_time: 0,
    sensitivity: ui.honest.value,
  };
}

/** The HonestDiD section: the sensitivity plot and the bounds table, or why it is missing. */
function honestSection(honest) {
  const ok = honest && !honest.error;
  const what = ui.honest.value === "smoothness" ? t("smoothness (M)") : t("relative magnitudes (M̄)");
  return el(
    "section",
    { class: "stag-honest", id: "stag-honest" },
    el("h4", {}, t("Sensitivity to violations of parallel trends (HonestDiD)")),
    ok && honest.svg
      ? chartFigure(honest.svg, {
          filename: "honestdid_sensitivity",
          caption: t("Robust confidence intervals for the Callaway–Sant'Anna effect at event time 0 under {what} restrictions (Rambachan & Roth 2023), beside the original interval.", { what }),
          alt: t("HonestDiD sensitivity plot: robust confidence intervals against the size of the allowed violation"),
        })
      : el("p", { class: "muted" }, honest?.error ? t("HonestDiD could not be computed: {error}", { error: honest.error }) : t("HonestDiD could not be computed.")),
    ok ? block(findTable(honest, "honest.bounds"), "stag-honest-table", "honestdid_bounds") : null,
  );
}

function readBootstrap() {
  if (!ui.boot.checked) return null;
  const reps = Number(ui.reps.value);
  const seed = Number(ui.seed.value);
  if (!Number.isInteger(reps) || reps < 2) throw new Error(t("Bootstrap draws must be a whole number ≥ 2 (999 or more is usual)."));
  if (reps > 100000) throw new Error(t("At most 100 000 bootstrap draws (the draws are kept in memory)."));
  if (!Number.isInteger(seed) || seed < 0) throw new Error(t("The seed must be a whole number ≥ 0."));
  return { reps, seed };
}

function runCs() {
  return runWithProgress({
    start: () => {
      const { controls, ...base } = baseSpec();
      const bootstrap = readBootstrap();
      return { ...base, covariates: controls, ...(bootstrap ? { bootstrap } : {}) };
    },
    label: t("Estimating ATT(g,t)…"),
    progressText: (f, spec) => (spec.bootstrap ? t("{done} / {reps} bootstrap draws", { done: formatNumber(Math.round(f * spec.bootstrap.reps), 0, { integer: true }), reps: formatNumber(spec.bootstrap.reps, 0, { integer: true }) }) : t("Estimating ATT(g,t)…")),
    failTitle: t("Callaway–Sant'Anna could not be estimated."),
    work: (d, spec, onProgress) => ctx.client.call("csdid", { handle: d.handle, spec }, { onProgress }),
    onResult: (res, spec, ms) => renderCs(res, spec, ms),
  });
}

function cancel() {
  runSeq++;
  setBusy(false);
  ui.error.show(t("Cancelled."), t("The engine was restarted and the data reloaded."));
  ctx.client.cancel(t("Cancelled by the user"));
}

const exportError = (e) => ui.error.show(t("The table could not be exported."), errorText(e));

function block(table, id, basename) {
  return table ? resultTableBlock(table, ctx.client, { id, basename, onError: exportError }) : null;
}

const CONTROL_TEXT = { never: "never-treated units", notyet: "not-yet-treated units" };
const METHOD_TEXT = { dr: "doubly robust", ipw: "inverse probability weighting", reg: "outcome regression" };

const pct = (x) => `${formatNumber(x * 100, 1)} %`;

/** The Bacon decomposition's share of "later vs earlier" comparisons, as a sentence (a note). */
function baconShareNote(share) {
  if (typeof share !== "number" || !Number.isFinite(share)) return null;
  const message =
    share > 0
      ? t("Goodman-Bacon decomposition: {share} of the TWFE estimate's weight is on “later vs earlier” comparisons, which use already-treated units as controls; when effects change over time these comparisons can bias TWFE, and the heterogeneity-robust estimators (Callaway–Sant'Anna, Sun–Abraham, two-stage DID, imputation) avoid them.", { share: pct(share) })
      : t("Goodman-Bacon decomposition: no weight of the TWFE estimate is on “later vs earlier” comparisons (already-treated units never serve as controls).");
  return { code: "bacon_later_vs_earlier_share", severity: "info", message };
}

function sectionHead(title, ...rest) {
  return el("div", { class: "card-head did-subhead" }, el("h4", {}, title), ...rest);
}

function renderCompare({ compare, bacon, honest }, spec, ms) {
  releaseCharts(ui.result);
  const level = Math.round(spec.conf_level * 100);
  const labels = compare.estimators.map((e) => e.label).join(", ");
  const baconOk = bacon && !bacon.error;
  replaceChildren(
    ui.result,
    el("div", { class: "card-head" }, el("h3", {}, t("Staggered adoption: {y}", { y: spec.y })), el("span", { class: "muted small", id: "stag-time" }, `${(ms / 1000).toFixed(2)} s`)),
    block(findTable(compare, "staggered.compare"), "stag-table", "staggered_compare"),
    el(
      "p",
      { class: "table-note" },
      t("Unit and period fixed effects, standard errors clustered by {unit} (the setup's fixed effects and standard errors apply to the TWFE DID panel only). ", { unit: spec.unit }),
      t("Callaway–Sant'Anna: {control} as controls, {method}, {base} base period", { control: t(CONTROL_TEXT[spec.control_group]), method: t(METHOD_TEXT[spec.method]), base: t(spec.base_period) }),
      spec.controls.length ? t("; controls {list}.", { list: spec.controls.join(", ") }) : t("; no controls."),
    ),
    el(
      "div",
      { class: "stag-charts" },
      el(
        "div",
        { id: "stag-plot" },
        el("h4", {}, t("Event study, estimators overlaid")),
        compare.svg ? chartFigure(compare.svg, { filename: "staggered_event_study", caption: t("Event-study estimates of {labels} with {level}% confidence intervals; the dashed line separates leads from lags (reference e = −1).", { labels, level }), alt: t("Event-study chart overlaying {labels}", { labels }) }) : null,
      ),
      el(
        "div",
        { id: "stag-bacon-plot" },
        el("h4", {}, t("Goodman-Bacon decomposition")),
        baconOk && bacon.svg
          ? chartFigure(bacon.svg, { filename: "bacon_decomposition", caption: t("Each 2×2 comparison's DID estimate against its weight in the TWFE estimate ({est}).", { est: formatNumber(bacon.twfe_estimate, 4) }), alt: t("Bacon decomposition: weight against estimate by comparison type") })
          : el("p", { class: "muted" }, bacon?.error ? t("The Bacon decomposition could not be computed: {error}", { error: bacon.error }) : t("The Bacon decomposition could not be computed.")),
      ),
    ),
    baconOk ? block(findTable(bacon, "bacon.summary"), "stag-bacon-summary", "bacon_summary") : null,
    baconOk && findTable(bacon, "bacon.comparisons")
      ? el("details", { class: "stag-details" }, el("summary", {}, t("Every 2×2 comparison of the Bacon decomposition")), block(findTable(bacon, "bacon.comparisons"), "stag-bacon-comparisons", "bacon_comparisons"))
      : null,
    honestSection(honest),
    notesBox("stag-notes", [...(compare.diagnostics || []), baconShareNote(compare.bacon_later_vs_earlier_share), ...(baconOk ? bacon.diagnostics || [] : []), ...(honest && !honest.error ? honest.diagnostics || [] : [])].filter(Boolean)),
  );
  ui.result.hidden = false;
}

function renderCs(res, spec, ms) {
  const boot = res.bootstrap;
  const inference = boot
    ? t("Multiplier bootstrap: {reps} draws, seed {seed}; intervals of the terms are uniform bands.", { reps: formatNumber(boot.reps, 0, { integer: true }), seed: boot.seed })
    : t("Analytic standard errors (no bootstrap); pointwise intervals.");
  replaceChildren(
    ui.csResult,
    el("div", { class: "card-head" }, el("h3", {}, t("Callaway–Sant'Anna details")), el("span", { class: "muted small", id: "stag-cs-time" }, `${(ms / 1000).toFixed(2)} s`)),
    el("p", { class: "table-note", id: "stag-cs-inference" }, inference),
    block(findTable(res, "cs.aggregates"), "stag-cs-aggregates", "cs_aggregates"),
    el(
      "div",
      { class: "stag-cs-grid" },
      el("div", {}, sectionHead(t("By event time (dynamic)")), block(findTable(res, "cs.dynamic"), "stag-cs-dynamic", "cs_dynamic")),
      el("div", {}, sectionHead(t("By cohort (group)")), block(findTable(res, "cs.group"), "stag-cs-group", "cs_group"), sectionHead(t("By period (calendar)")), block(findTable(res, "cs.calendar"), "stag-cs-calendar", "cs_calendar")),
    ),
    el("details", { class: "stag-details" }, el("summary", {}, t("Every group-time effect ATT(g,t)")), block(findTable(res, "cs.att_gt"), "stag-cs-att-gt", "cs_att_gt")),
    notesBox("stag-cs-notes", res.diagnostics),
  );
  ui.csResult.hidden = false;
}

export default {
  mount(root, context) {
    ctx = context;
    ui.control = el("select", { id: "stag-control" }, option("never", t("Never treated")), option("notyet", t("Not yet treated")));
    ui.method = el("select", { id: "stag-method" }, option("dr", t("Doubly robust")), option("ipw", t("Inverse probability weighting")), option("reg", t("Outcome regression")));
    ui.base = el("select", { id: "stag-base" }, option("universal", t("Universal (e = −1)"), true), option("varying", t("Varying (previous period)")));
    ui.honest = el("select", { id: "stag-honest-kind" }, option("relative_magnitude", t("Relative magnitudes (M̄)"), true), option("smoothness", t("Smoothness (M)")));
    ui.level = el("select", { id: "stag-level" }, option("0.9", "90 %"), option("0.95", "95 %", true), option("0.99", "99 %"));
    ui.run = el("button", { type: "button", class: "button primary", id: "stag-run", onclick: runCompare }, t("Run all estimators"));
    ui.boot = el("input", { type: "checkbox", id: "stag-boot", onchange: syncBoot });
    const reps = numberField("stag-reps", t("Bootstrap draws"), 999, { min: 2, max: 100000, step: 1 });
    const seed = numberField("stag-seed", t("Seed"), 1, { min: 0, step: 1 });
    Object.assign(ui, { reps: reps.input, seed: seed.input, repsWrap: reps.root, seedWrap: seed.root });
    ui.csRun = el("button", { type: "button", class: "button", id: "stag-cs-run", onclick: runCs }, t("Run CS details"));
    ui.cancel = el("button", { type: "button", class: "button danger", id: "stag-cancel", hidden: true, onclick: cancel }, t("Cancel"));
    ui.progress = el("progress", { id: "stag-progress", max: "1", value: "0", "aria-label": t("Staggered DID progress") });
    ui.progressLabel = el("span", { class: "progress-label", id: "stag-progress-label" });
    ui.progressWrap = el("div", { class: "progress did-progress", hidden: true }, ui.progress, ui.progressLabel, " ", ui.cancel);
    ui.hint = el("p", { class: "warning small", id: "stag-form-hint", role: "note", hidden: true });
    workbenchPanel(root, ctx, ui, {
      prefix: "stag",
      header: panelHeader(
        "staggered",
        t("Staggered DID"),
        t("With adoption at different times, the two-way fixed-effects DID can be biased by already-treated units serving as controls. One click runs TWFE, Callaway–Sant'Anna, Sun–Abraham, two-stage DID and the imputation estimator side by side, with the Goodman-Bacon decomposition of the TWFE estimate and the HonestDiD sensitivity of the Callaway–Sant'Anna event study."),
      ),
      controls: [
        ui.hint,
        el(
          "div",
          { class: "did-inline" },
          field("stag-control", t("CS control group"), ui.control),
          field("stag-method", t("CS method"), ui.method),
          field("stag-base", t("CS base period"), ui.base),
          field("stag-level", t("Confidence level"), ui.level),
          field("stag-honest-kind", t("HonestDiD restriction"), ui.honest),
          el("div", { class: "did-inline-action" }, ui.run),
        ),
        el(
          "div",
          { class: "did-inline stag-cs-row" },
          el("label", { class: "check did-check", for: "stag-boot" }, ui.boot, " ", t("Multiplier bootstrap (CS details)")),
          reps.root,
          seed.root,
          el("div", { class: "did-inline-action" }, ui.csRun),
        ),
        el("p", { class: "muted small" }, t("“Run CS details” estimates Callaway–Sant'Anna alone with every aggregation (event time, cohort, period) and each ATT(g,t); with the bootstrap, the intervals are uniform bands. The setup's controls are CS covariates.")),
        ui.progressWrap,
      ],
    });
    ui.csResult = el("div", { class: "card did-result", id: "stag-cs-result", hidden: true, "aria-live": "polite" });
    root.append(ui.csResult);
    syncBoot();
    ctx.on("did-setup", syncHint);
    ctx.on("dataset", (d) => {
      // After a cancel the same data come back (restored): keep what is shown.
      if (d?.restored) return syncHint();
      releaseCharts(ui.result);
      ui.result.hidden = true;
      ui.csResult.hidden = true;
      replaceChildren(ui.result);
      replaceChildren(ui.csResult);
      syncHint();
    });
    syncHint();
  },
};
