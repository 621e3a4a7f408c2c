// PSM-DID panel: match ever-treated units to never-treated ones on pre-treatment
// covariates, then run the DID on the full and on the matched sample. The DID part (unit,
// time, outcome, adoption column or treatment form, controls, fixed effects, standard
// errors) is the DID workbench's setup (www/did-spec.js), shown as a "using: … [change]"
// line like the other workbench panels; the matching options are the one description in
// www/lib/match-options.js that the PSM panel uses too.
//   ctx.client.call("call", { fn: "psmDid", handle, args: [{ ...didSpec, covariates, match, by_year, baseline, sample }] })
// Every table on screen is one of the result's `tables`, drawn by resultTableElement and
// exported by the engine's renderTable.
import { el, replaceChildren, formatNumber } from "../dom.js";
import { SAMPLES } from "../sample-data.js";
import { currentSetup, didSpec, setupSummary, runAnalysis } from "../did-spec.js";
import { columnsOf, isNumericKind } from "../lib/columns.js";
import { panelHeader, dataPanel, errorCard, notesBox, field, select, columnChooser } from "../lib/ui.js";
import { matchOptionsControls, describeMatch } from "../lib/match-options.js";
import { resultTableBlock, findTable, makeTable, starsFor } from "../lib/result-table.js";
import { t } from "../i18n.js";
import { errorText } from "../lib/messages.js";

let ctx;
const ui = {};
let runSeq = 0;
let formFor = null;

/** The default matching covariates: the sample's PSM preset, else the DID setup's controls. */
function defaultCovariates(d, setup) {
  const preset = d?.sample?.psm || (d?.sample?.key && SAMPLES[d.sample.key]?.psm);
  return new Set(preset ? preset.covariates : setup.controls || []);
}

function fillCovariates() {
  const d = ctx.dataset;
  const setup = currentSetup(ctx);
  ui.covariates.fill(columnsOf(d).filter((c) => isNumericKind(c.kind)), defaultCovariates(d, setup));
  syncTaken();
}

/** The setup's unit, time, outcome and treatment columns cannot be matching covariates. */
function syncTaken() {
  const s = currentSetup(ctx);
  ui.covariates.take([s.unit, s.time, s.y, s.start, s.treat, s.post, s.indicator].filter(Boolean));
}

/** The engine's spec (throws a user-facing Error). */
function buildSpec() {
  const setup = currentSetup(ctx);
  const spec = didSpec(setup);
  const covariates = ui.covariates.selected();
  if (!covariates.length) throw new Error(t("Choose at least one matching covariate."));
  return { ...spec, covariates, match: ui.match.read(), by_year: ui.byYear.checked, baseline: ui.baseline.value, sample: ui.sample.value };
}

function run() {
  return runAnalysis(ctx, ui, {
    fn: "psmDid",
    build: buildSpec,
    failTitle: t("PSM-DID failed."),
    busyText: () => t("Matching, then DID…"),
    onResult: (res, spec) => render(res, spec),
  });
}

/** One headline per sample: the DID term's estimate (stars), SE and N, full precision in data-value. */
function headline(key, label, r) {
  const v = (k, value, text) => el("span", { class: "num", dataset: { key: `${key}-${k}`, value: Number.isFinite(value) ? String(value) : "" } }, text);
  return el(
    "p",
    { class: "did-headline" },
    el("span", { class: "muted" }, `${label}: `),
    el("strong", {}, v("estimate", r.estimate, formatNumber(r.estimate, 4)), starsFor(r.p_value)),
    el("span", { class: "muted" }, " (", v("std_error", r.std_error, formatNumber(r.std_error, 4)), "), N = ", v("nobs", r.nobs, formatNumber(r.nobs, 0, { integer: true }))),
  );
}

const EXPORT_ERR = () => (e) => ui.error.show(t("The table could not be exported."), errorText(e));

function block(table, id, basename) {
  return table ? resultTableBlock(table, ctx.client, { id, basename, onError: EXPORT_ERR() }) : null;
}

function render(res, spec) {
  const m = res.matching;
  const units = m.units?.length
    ? makeTable(
        "psm_did.units",
        t("Units, propensity scores and matching weights"),
        [[t("Unit"), "left"], [t("Group"), "left"], [t("Score")], [t("Weight")]],
        m.units.map((u) => [String(u.unit), u.treated ? "treated" : "control", { kind: "number", value: u.score, digits: 3 }, { kind: "number", value: u.weight, digits: 3 }]),
      )
    : null;
  const balance = findTable(res, "psm_did.balance");
  replaceChildren(
    ui.result,
    el("div", { class: "card-head" }, el("h3", {}, t("DID of {y} on the full and the matched sample", { y: spec.y }))),
    headline("full", t("Full sample"), res.full),
    headline("matched", t("PSM-DID (matched sample)"), res.matched),
    el("p", { class: "table-note" }, t("Matching: {how}; {when}.", { how: describeMatch(spec.match), when: m.by_year ? t("period by period") : spec.baseline === "first_year" ? t("pooled, on the first year") : t("pooled, on pre-treatment means") })),
    block(findTable(res, "psm_did.main"), "psmdid-table", "psm_did"),
    block(findTable(res, "psm_did.matching"), "psmdid-summary", "psm_did_matching"),
    block(findTable(res, "psm_did.per_year"), "psmdid-per-year", "psm_did_per_year"),
    units ? el("details", {}, el("summary", {}, t("Units, scores and matching weights")), block(units, "psmdid-units", "psm_did_units")) : null,
    balance
      ? el(
          "details",
          {},
          el("summary", {}, t("Propensity model and balance of the matching covariates")),
          block(findTable(res, "psm_did.propensity"), "psmdid-propensity", "psm_did_propensity"),
          block(balance, "psmdid-balance", "psm_did_balance"),
          block(findTable(res, "psm_did.balance_overall"), "psmdid-balance-overall", "psm_did_balance_overall"),
        )
      : null,
    notesBox("psmdid-diagnostics", res.diagnostics),
  );
  ui.result.hidden = false;
}

function onDataset(d) {
  ui.empty.hidden = true;
  ui.body.hidden = false;
  ui.run.disabled = false;
  if (d.restored && formFor === d.name) return;
  formFor = d.name;
  fillCovariates();
  ui.error.clear();
  ui.result.hidden = true;
  replaceChildren(ui.result);
}

export default {
  mount(root, context) {
    ctx = context;
    ui.covariates = columnChooser("psmdid-covariates", t("Matching covariates"));
    ui.match = matchOptionsControls("psmdid");
    ui.byYear = el("input", { type: "checkbox", id: "psmdid-by-year" });
    ui.baseline = select("psmdid-baseline", [["pre_mean", t("Mean over pre-treatment years"), true], ["first_year", t("First year of the panel")]]);
    ui.sample = select("psmdid-sample", [["weights", t("Matched units, with matching weights"), true], ["common_support", t("Matched units, unweighted")]]);
    ui.run = el("button", { type: "button", class: "button primary", id: "psmdid-run", onclick: run, disabled: true }, t("Run PSM-DID"));
    ui.status = el("span", { class: "muted small", role: "status" });
    ui.error = errorCard("psmdid-error");
    ui.result = el("div", { class: "card did-result", id: "psmdid-result", hidden: true, "aria-live": "polite" });
    const using = setupSummary(ctx, "psmdid-setup");
    const g = ui.match.groups;
    const body = [
      el(
        "div",
        { class: "card psm-controls psmdid-setup" },
        using.line,
        el(
          "div",
          { class: "did-setup-grid" },
          el("div", {}, ui.covariates.root),
          el("div", {}, g.model, g.matching[0], el("div", { class: "psm-sub" }, g.nearest), el("div", { class: "psm-sub" }, g.kernel)),
          el("div", {}, g.matching.slice(1), g.caliper, g.support, g.seed),
          el(
            "div",
            {},
            field("psmdid-baseline", t("Pooled matching on"), ui.baseline),
            field("psmdid-sample", t("DID sample"), ui.sample),
            el("label", { class: "check" }, ui.byYear, " ", t("Match period by period")),
          ),
        ),
        el("div", { class: "reg-actions" }, ui.run, " ", ui.status),
      ),
      ui.error.root,
      ui.result,
    ];
    Object.assign(ui, dataPanel(root, panelHeader(
        "psm-did",
        "PSM-DID",
        t("Match treated (ever-adopting) units to never-treated units on pre-treatment covariates, then run the two-way fixed-effects DID of the DID setup on the full and on the matched sample."),
      ), body));
    ctx.on("dataset", onDataset);
    ctx.on("did-setup", () => ctx.dataset && syncTaken());
    if (ctx.dataset) onDataset(ctx.dataset);
  },
};
