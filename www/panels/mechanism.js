// Mechanism panel: the three-step mediation regressions, Sobel test and a
// bootstrap CI of the indirect effect.
//   ctx.client.call("call", { fn: "mediation", handle, args: [{ ...didSpec, mediator, bootstrap, seed }] })
// Exports render the result's `mediation.steps` table in the engine (renderTable): no re-run.
import { el, replaceChildren, formatNumber } from "../dom.js";
import { exportBox } from "../lib/export-box.js";
import { formatP, resultTableElement, findTable, renderTableText } from "../lib/result-table.js";
import { panelHeader } from "../lib/ui.js";
import { currentSetup, didSpec, runAnalysis, notesBox, numberField, field, option, numericColumns, workbenchPanel } from "../did-spec.js";
import { t } from "../i18n.js";
import { errorText } from "../lib/messages.js";

let ctx;
const ui = {};
let last = null;

function fillMediators(d) {
  const keep = ui.mediator.value;
  const setup = d ? currentSetup(ctx) : {};
  const skip = new Set([setup.y, setup.unit, setup.time, setup.start, setup.indicator, setup.treat, setup.post]);
  const names = numericColumns(d).filter((n) => !skip.has(n));
  const choice = keep && names.includes(keep) ? keep : ["IL", "INN"].find((n) => names.includes(n)) || "";
  replaceChildren(ui.mediator, option("", t("— choose —")), names.map((n) => option(n, n, n === choice)));
}

function run() {
  return runAnalysis(ctx, ui, {
    fn: "mediation",
    failTitle: t("The mechanism analysis could not be run."),
    busyText: (spec) => (spec.bootstrap ? t("Estimating ({n} bootstrap replications)…", { n: spec.bootstrap }) : t("Estimating…")),
    build: () => {
      if (!ui.mediator.value) throw new Error(t("Choose the mediator (the channel variable, e.g. IL)."));
      const reps = Number(ui.reps.value);
      const seed = Number(ui.seed.value);
      if (!Number.isInteger(reps) || reps < 0) throw new Error(t("Bootstrap replications must be a whole number ≥ 0."));
      if (!Number.isInteger(seed) || seed < 0) throw new Error(t("The seed must be a whole number ≥ 0."));
      return { ...didSpec(currentSetup(ctx)), mediator: ui.mediator.value, bootstrap: reps, seed };
    },
    onResult: (res, spec) => {
      last = { res, spec };
      render();
    },
  });
}

function stat(label, key, value, text, { hidden = false } = {}) {
  return [el("dt", { hidden }, label), el("dd", { hidden, dataset: { stat: key, value: typeof value === "number" && Number.isFinite(value) ? String(value) : "" } }, text ?? formatNumber(value, 4))];
}

/** 4 decimals, or 6 for a small indirect effect (a·b is often ~1e-4: "0.0001" hides it). */
const small = (v) => formatNumber(v, Number.isFinite(v) && v !== 0 && Math.abs(v) < 0.01 ? 6 : 4);

function render() {
  const { res, spec } = last;
  const table = findTable(res, "mediation.steps");
  const exp = exportBox({
    idPrefix: "med",
    basename: "mechanism",
    getText: (format) => renderTableText(ctx.client, table, { format }),
    onError: (e) => ui.error.show(t("The table could not be exported."), errorText(e)),
  });
  const s = res.sobel;
  const ind = res.indirect;
  const level = Math.round((ind.conf_level ?? 0.95) * 100);
  replaceChildren(
    ui.result,
    el("div", { class: "card-head" }, el("h3", {}, t("Mechanism: {m}", { m: spec.mediator })), exp.buttons),
    el("div", { class: "table-scroll paper" }, resultTableElement(table, { id: "med-table", className: "data-table paper-table reg-side-table" })),
    el("p", { class: "table-note" }, t("(1) outcome on {term}; (2) mediator on {term}; (3) outcome on {term} and the mediator.", { term: res.term })),
    el(
      "dl",
      { class: "facts did-facts", id: "med-stats" },
      stat(t("Indirect effect a·b"), "indirect", ind.estimate, small(ind.estimate)),
      stat(t("Bootstrap {level}% CI", { level }), "conf_low", ind.conf_low, ind.reps ? `[${small(ind.conf_low)}, ${small(ind.conf_high)}] ` + t("({n} draws, resampling {what})", { n: ind.reps, what: ind.resample_cluster ? t("{c} clusters", { c: ind.resample_cluster }) : t("rows") }) : t("not computed")),
      stat(t("CI high"), "conf_high", ind.conf_high, undefined, { hidden: true }), // value only; shown in the CI above
      stat(t("Sobel z"), "sobel_z", s.z, formatNumber(s.z, 3)),
      stat(t("Sobel p"), "sobel_p", s.p_value, formatP(s.p_value)),
      stat(t("Total effect (1)"), "total", res.total),
      stat(t("Direct effect (3)"), "direct", res.direct),
      stat(t("Share mediated"), "share_mediated", res.share_mediated, Number.isFinite(res.share_mediated) ? `${formatNumber(res.share_mediated * 100, 1)}%` : ""),
    ),
    el("p", { class: "table-note" }, t("Sobel: z = a·b / √(a²·se_b² + b²·se_a²). Bootstrap: units resampled with replacement, percentile interval. Share mediated = a·b / total effect.")),
    notesBox("med-notes", res.diagnostics),
    exp.status,
    exp.box,
  );
  ui.result.hidden = false;
}

export default {
  mount(root, context) {
    ctx = context;
    ui.mediator = el("select", { id: "med-mediator" });
    const reps = numberField("med-reps", t("Bootstrap replications"), 1000, { min: 0, step: 1 });
    const seed = numberField("med-seed", t("Seed"), 1, { min: 0, step: 1 });
    ui.reps = reps.input;
    ui.seed = seed.input;
    ui.run = el("button", { type: "button", class: "button primary", id: "med-run", onclick: run }, t("Run mechanism"));
    ui.status = el("span", { class: "muted small", role: "status" });
    workbenchPanel(root, ctx, ui, { prefix: "med", header: panelHeader("mechanism", t("Mechanism"), t("Does the policy work through a channel? The three-step mediation regressions, the Sobel test and a bootstrap interval of the indirect effect.")), controls: [el("div", { class: "did-inline" }, field("med-mediator", t("Mediator"), ui.mediator), reps.root, seed.root, el("div", { class: "did-inline-action" }, ui.run, ui.status))] });
    ctx.on("dataset", (d) => {
      last = null;
      ui.result.hidden = true;
      fillMediators(d);
    });
    ctx.on("did-setup", () => ctx.dataset && fillMediators(ctx.dataset));
    if (ctx.dataset) fillMediators(ctx.dataset);
  },
};
