// Placebo panel: permutation / random-timing / in-time placebo tests with the DID setup.
//   ctx.client.call("placebo", { handle, spec: { ...didSpec, kind, reps, seed, shift } }, { onProgress })
// (a dedicated worker op that hands quasi.placebo a progress callback and posts
// { id, progress } messages). Cancel terminates the worker (ctx.client.cancel).
import { el, replaceChildren, formatNumber, toCsv, downloadText } from "../dom.js";
import { CancelledError } from "../client.js";
import { chartFigure, releaseCharts } from "../charts.js";
import { tableExports, resultTableBlock, findTable, makeTable, starsFor as stars, formatP } from "../lib/result-table.js";
import { panelHeader } from "../lib/ui.js";
import { currentSetup, didSpec, notesBox, numberField, field, option, workbenchPanel } from "../did-spec.js";
import { t } from "../i18n.js";
import { errorText } from "../lib/messages.js";

let ctx;
const ui = {};
let last = null;
let runSeq = 0;

function syncKind() {
  const inTime = ui.kind.value === "in_time";
  ui.repsWrap.hidden = inTime;
  ui.seedWrap.hidden = inTime;
  ui.shiftWrap.hidden = !inTime;
}

function setBusy(on) {
  ui.run.disabled = on;
  ui.cancel.hidden = !on;
  ui.progressWrap.hidden = !on;
  ui.result.classList.toggle("is-stale", on);
}

async function run() {
  const d = ctx.dataset;
  ui.error.clear();
  if (!d) return ui.error.show(t("No data loaded."), t("Load a file first (Data panel)."));
  let spec;
  try {
    spec = { ...didSpec(currentSetup(ctx)), kind: ui.kind.value };
    if (spec.kind === "in_time") {
      const shift = Number(ui.shift.value);
      if (!Number.isInteger(shift) || shift < 1) throw new Error(t("The shift must be a whole number of periods ≥ 1."));
      spec.shift = shift;
    } else {
      const reps = Number(ui.reps.value);
      const seed = Number(ui.seed.value);
      if (!Number.isInteger(reps) || reps < 1) throw new Error(t("Replications must be a whole number ≥ 1."));
      if (!Number.isInteger(seed) || seed < 0) throw new Error(t("The seed must be a whole number ≥ 0."));
      spec.reps = reps;
      spec.seed = seed;
    }
  } catch (e) {
    return ui.error.show(t("Check the settings."), errorText(e));
  }
  const seq = ++runSeq;
  setBusy(true);
  ui.progress.value = 0;
  ui.progressLabel.textContent = spec.kind === "in_time" ? t("Estimating…") : t("{done} / {reps} replications", { done: 0, reps: spec.reps });
  const t0 = performance.now();
  try {
    const res = await ctx.client.call(
      "placebo",
      { handle: d.handle, spec },
      {
        onProgress: (f) => {
          if (seq !== runSeq) return;
          ui.progress.value = f;
          if (spec.reps) ui.progressLabel.textContent = t("{done} / {reps} replications", { done: Math.round(f * spec.reps), reps: spec.reps });
        },
      },
    );
    if (seq !== runSeq) return;
    last = { res, spec, ms: performance.now() - t0 };
    render();
  } catch (e) {
    if (seq !== runSeq) return;
    if (e instanceof CancelledError) ui.error.show(t("Cancelled."), t("The engine was restarted and the data reloaded."));
    else ui.error.show(t("The placebo test could not be run."), errorText(e));
  } finally {
    if (seq === runSeq) setBusy(false);
  }
}

function cancel() {
  runSeq++;
  setBusy(false);
  ui.error.show(t("Cancelled."), t("The engine was restarted and the data reloaded."));
  ctx.client.cancel(t("Cancelled by the user"));
}

const KIND_LABEL = { permute_units: "Permuted treated units", random_timing: "Random adoption timing", in_time: "In-time placebo" };

function stat(label, key, value, text) {
  return [el("dt", {}, label), el("dd", { dataset: { stat: key, value: typeof value === "number" && Number.isFinite(value) ? String(value) : "" } }, text ?? formatNumber(value, 4))];
}

/** How the displayed p was formed: (1 + k) / (B + 1) with random draws, exact under enumeration. */
function pNote(res) {
  const B = formatNumber(res.reps, 0, { integer: true });
  if (res.enumerated) return t("Exact p over the {B} usable assignments: the actual assignment is one of them, so it is already counted and no correction is added.", { B });
  const k = formatNumber(res.p_value * res.reps, 0, { integer: true });
  return t("p = (1 + {k}) / ({B} + 1): {k} of the {B} draws are at least as extreme as the actual estimate, which counts as one more draw, so p is never 0.", { k, B });
}

const exportError = (e) => ui.error.show(t("The table could not be exported."), errorText(e));

/** The exports of the summary (placebo.summary, the engine's table of the facts above them). */
function summaryExports(res) {
  const summary = findTable(res, "placebo.summary");
  if (!summary) return null;
  return el("div", { class: "placebo-summary-exports" }, el("span", { class: "muted small" }, t("Export these figures: ")), tableExports(summary, ctx.client, { basename: "placebo_summary", idPrefix: "placebo-summary", onError: exportError }));
}

function render() {
  const { res, spec, ms } = last;
  releaseCharts(ui.result);
  const parts = [el("div", { class: "card-head" }, el("h3", {}, t(KIND_LABEL[res.kind] ?? "Placebo")), el("span", { class: "muted small", id: "placebo-time" }, `${(ms / 1000).toFixed(2)} s`))];
  if (res.kind === "in_time" && res.in_time) {
    const it = res.in_time;
    parts.push(
      el(
        "dl",
        { class: "facts did-facts", id: "placebo-stats" },
        stat(t("Actual estimate"), "actual", res.actual),
        stat(t("Placebo estimate (adoption {shift} earlier)", { shift: it.shift }), "estimate", it.estimate, formatNumber(it.estimate, 4) + stars(it.p_value)),
        stat(t("Std. error"), "std_error", it.std_error),
        stat("p", "p_value", it.p_value, formatP(it.p_value)),
        stat("CI", "conf_low", it.conf_low, `[${formatNumber(it.conf_low, 4)}, ${formatNumber(it.conf_high, 4)}]`),
        stat(t("Observations (pre-policy rows)"), "nobs", it.nobs, String(it.nobs)),
      ),
      summaryExports(res),
      el("p", { class: "table-note" }, t("A significant placebo estimate suggests pre-existing differences: the policy should have no effect before it started.")),
    );
  } else {
    const q = res.quantiles || {};
    const qs = [
      ["1%", q.p01],
      ["5%", q.p05],
      ["10%", q.p10],
      ["50%", q.p50],
      ["90%", q.p90],
      ["95%", q.p95],
      ["99%", q.p99],
    ];
    const qtable = makeTable(
      "placebo.quantiles",
      t("Quantiles of the placebo estimates"),
      [[t("Quantile"), "left"], ...qs.map(([l]) => [l])],
      [[t("Placebo estimate"), ...qs.map(([, v]) => ({ kind: "number", value: v ?? NaN, digits: 4 }))]],
    );
    const note = res.enumerated
      ? t("Only {n} distinct assignments exist (fewer than the {asked} replications asked for): all were enumerated, so the p-value is exact.", { n: formatNumber(res.n_possible ?? res.reps, 0, { integer: true }), asked: formatNumber(spec.reps, 0, { integer: true }) })
      : t(res.n_possible ? "{reps} draws, seed {seed} (out of {n} distinct assignments); reproducible for the same seed." : "{reps} draws, seed {seed}; reproducible for the same seed.", { reps: formatNumber(res.reps, 0, { integer: true }), seed: res.seed, n: formatNumber(res.n_possible ?? 0, 0, { integer: true }) });
    parts.push(
      el(
        "div",
        { class: "es-layout" },
        el("div", { id: "placebo-plot" }, res.svg ? chartFigure(res.svg, { filename: "placebo", caption: t("Distribution of placebo DID estimates; the actual estimate is marked.") }) : null),
        el(
          "div",
          {},
          el(
            "dl",
            { class: "facts did-facts", id: "placebo-stats" },
            stat(t("Actual estimate"), "actual", res.actual),
            stat(t("Placebo mean"), "mean", res.mean),
            stat(t("Placebo SD"), "sd", res.sd),
            // The corrected p, (1 + k) / (B + 1), is never 0 with random draws; exact p when enumerated.
            stat(t("Permutation p (two-sided)"), "p_value_corrected", res.p_value_corrected, formatNumber(res.p_value_corrected, 4)),
            stat(t("Share of draws at least as extreme"), "p_value", res.p_value, formatNumber(res.p_value, 4)),
            stat(t("Draws"), "reps", res.reps, formatNumber(res.reps, 0, { integer: true })),
            res.n_degenerate > 0 ? stat(t("Degenerate draws left out"), "n_degenerate", res.n_degenerate, formatNumber(res.n_degenerate, 0, { integer: true })) : null,
          ),
          summaryExports(res),
          el("p", { class: "table-note", id: "placebo-p-note" }, pNote(res)),
          el("p", { class: "table-note", id: "placebo-note" }, note),
          el("button", { type: "button", class: "button small", id: "placebo-download", onclick: () => downloadText("placebo_draws.csv", toCsv(["draw", "estimate"], res.draws.map((v, i) => [i + 1, v]))) }, t("Download draws (CSV)")),
        ),
      ),
      resultTableBlock(qtable, ctx.client, { id: "placebo-quantiles", basename: "placebo_quantiles", onError: exportError }),
    );
  }
  parts.push(notesBox("placebo-notes", res.diagnostics));
  replaceChildren(ui.result, parts);
  ui.result.hidden = false;
}

export default {
  mount(root, context) {
    ctx = context;
    ui.kind = el("select", { id: "placebo-kind", onchange: syncKind }, option("permute_units", t("Permute treated units")), option("random_timing", t("Random adoption timing")), option("in_time", t("In-time (policy k periods earlier)")));
    const reps = numberField("placebo-reps", t("Replications"), 500, { min: 1, step: 1 });
    const seed = numberField("placebo-seed", t("Seed"), 1, { min: 0, step: 1 });
    const shift = numberField("placebo-shift", t("Shift (periods earlier)"), 2, { min: 1, step: 1 });
    Object.assign(ui, { reps: reps.input, seed: seed.input, shift: shift.input, repsWrap: reps.root, seedWrap: seed.root, shiftWrap: shift.root });
    ui.run = el("button", { type: "button", class: "button primary", id: "placebo-run", onclick: run }, t("Run placebo"));
    ui.cancel = el("button", { type: "button", class: "button danger", id: "placebo-cancel", hidden: true, onclick: cancel }, t("Cancel"));
    ui.progress = el("progress", { id: "placebo-progress", max: "1", value: "0", "aria-label": t("Placebo progress") });
    ui.progressLabel = el("span", { class: "progress-label", id: "placebo-progress-label" });
    ui.progressWrap = el("div", { class: "progress did-progress", hidden: true }, ui.progress, ui.progressLabel);
    workbenchPanel(root, ctx, ui, {
      prefix: "placebo",
      header: panelHeader("placebo", t("Placebo"), t("Randomization inference: re-estimate the DID with fake treated units or fake adoption dates, and compare the actual estimate with the placebo distribution.")),
      controls: [
        el("div", { class: "did-inline" }, field("placebo-kind", t("Placebo"), ui.kind), reps.root, seed.root, shift.root, el("div", { class: "did-inline-action" }, ui.run, ui.cancel)),
        ui.progressWrap,
      ],
    });
    syncKind();
  },
};
