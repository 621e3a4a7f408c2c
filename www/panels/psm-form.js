// The PSM panel's specification form: treatment (0/1), covariates, outcome, the matching
// options (the one description in www/lib/match-options.js, shared with PSM-DID) and
// inference. `psmForm(ctx, { onsubmit, onCompare, onCancel })` returns
//   { root, fill(dataset), spec(), compareSpecs(base), ui }
// where spec() → { spec, treatment, outcome, covariates } (quasi.psm's spec) or throws a
// user-facing Error.
import { el, replaceChildren } from "../dom.js";
import { SAMPLES } from "../sample-data.js";
import { quoteName } from "../lib/names.js";
import { columnsOf, isNumericKind, firstZeroOneColumn } from "../lib/columns.js";
import { looksLikeTime } from "../lib/panel-guess.js";
import { field, select, option, columnChooser } from "../lib/ui.js";
import { matchOptionsControls, checkedNumber } from "../lib/match-options.js";
import { t } from "../i18n.js";

/** The sample's PSM preset, if any. */
export const psmPreset = (d) => d?.sample?.psm || (d?.sample?.key && SAMPLES[d.sample.key]?.psm) || null;

/** Treatment candidates by name, best first (numeric columns only); 0/1 is checked on the data. */
function treatmentCandidates(cols) {
  const names = cols.filter((c) => isNumericKind(c.kind)).map((c) => c.name);
  const ints = cols.filter((c) => c.kind === "integer").map((c) => c.name);
  const byName = [/^(treat|treated|treatment|d|policy|ftz|pilot)$/i, /treat|did|policy|pilot/i].flatMap((re) => names.filter((n) => re.test(n)));
  return [...new Set([...byName, ...ints])];
}

/** An outcome by name only (never the treatment, the panel's time or a time-like column); else none. */
function guessOutcome(cols, treatment, time) {
  const names = cols.filter((c) => isNumericKind(c.kind) && c.name !== treatment && c.name !== time && !looksLikeTime(c.name)).map((c) => c.name);
  return names.find((n) => /^(y|outcome|re78|earnings|wage|lnwage)$/i.test(n)) ?? "";
}

export function psmForm(ctx, { onsubmit, onCompare, onCancel }) {
  const ui = {};
  let fillSeq = 0;
  const syncColumns = () => ui.covariates.take([ui.treat.value, ui.outcome.value]);
  const syncSe = () => {
    const m = ui.match.inputs;
    ui.seNote.textContent =
      ui.se.value === "ai" && !(m.method.value === "nearest" && m.replace.checked) ? t("Abadie–Imbens needs nearest-neighbour matching with replacement; the bootstrap is used instead.") : "";
  };
  ui.treat = el("select", { id: "psm-treat", onchange: syncColumns });
  ui.outcome = el("select", { id: "psm-outcome", onchange: syncColumns });
  ui.covariates = columnChooser("psm-covariates", t("Covariates"));
  ui.match = matchOptionsControls("psm", { onchange: syncSe });
  ui.estimand = select("psm-estimand", [["ATT", t("ATT — effect on the treated"), true], ["ATE", t("ATE — average effect")], ["ATC", t("ATC — effect on the controls")]]);
  ui.se = select("psm-se", [["ai", t("Abadie–Imbens"), true], ["bootstrap", t("Bootstrap (seeded)")], ["none", t("None")]], syncSe);
  ui.seNote = el("p", { class: "muted small psm-se-note", "aria-live": "polite" });
  ui.reps = el("input", { type: "number", id: "psm-reps", min: "2", step: "1", value: "200", inputmode: "numeric" });
  ui.run = el("button", { type: "submit", class: "button primary", id: "psm-run", disabled: true }, t("Run matching"));
  ui.compare = el(
    "button",
    { type: "button", class: "button", id: "psm-compare", disabled: true, onclick: onCompare, title: t("nearest k = 1 and 4, caliper, caliper-kNN, radius and kernel matching on the same propensity model") },
    t("Compare matching families"),
  );
  ui.cancel = el("button", { type: "button", class: "button danger", id: "psm-cancel", hidden: true, onclick: onCancel }, t("Cancel"));
  ui.status = el("p", { class: "muted small psm-status", id: "psm-status", role: "status", "aria-live": "polite" });
  const g = ui.match.groups;
  const root = el(
    "form",
    { class: "card controls psm-controls", id: "psm-form", novalidate: true, onsubmit: (e) => (e.preventDefault(), onsubmit()) },
    el("fieldset", {}, el("legend", {}, t("Propensity model")), field("psm-treat", t("Treatment (0/1)"), ui.treat), ui.covariates.root, g.model, field("psm-outcome", t("Outcome"), ui.outcome)),
    el("fieldset", {}, el("legend", {}, t("Matching")), g.matching[0], el("div", { class: "psm-sub" }, g.nearest), el("div", { class: "psm-sub" }, g.kernel), g.matching.slice(1), g.caliper, el("div", { class: "psm-check" }, g.support)),
    el(
      "fieldset",
      {},
      el("legend", {}, t("Inference")),
      field("psm-estimand", t("Estimand"), ui.estimand),
      field("psm-se", t("Standard error"), ui.se, { hint: ui.seNote }),
      el("div", { class: "psm-inline-fields", title: t("Used by bootstrap standard errors (also radius and kernel rows of the comparison) and random matching order") }, field("psm-reps", t("Replications"), ui.reps), g.seed),
    ),
    el("div", { class: "psm-actions" }, ui.run, ui.compare, ui.cancel),
    ui.status,
  );

  /** Fills the column controls for a dataset: the sample's preset, else a 0/1 treatment found in the data. */
  function fill(d) {
    const cols = columnsOf(d);
    const preset = psmPreset(d);
    const names = new Set(cols.map((c) => c.name));
    const treatment = preset && names.has(preset.treatment) ? preset.treatment : "";
    const numeric = cols.filter((c) => isNumericKind(c.kind));
    replaceChildren(ui.treat, option("", t("— choose a 0/1 column —")), numeric.map((c) => option(c.name, c.name, c.name === treatment)));
    const outcome = preset && names.has(preset.outcome) ? preset.outcome : guessOutcome(cols, treatment, ctx.panel?.time ?? d.sample?.time);
    replaceChildren(ui.outcome, option("", t("— none (matching and balance only) —")), numeric.map((c) => option(c.name, c.name, c.name === outcome)));
    ui.covariates.fill(cols, new Set(preset ? preset.covariates.filter((c) => names.has(c)) : []));
    syncColumns();
    if (treatment) return;
    // No preset: the first candidate whose values are all 0/1 (checked in the worker), else none.
    const seq = ++fillSeq;
    firstZeroOneColumn(ctx, treatmentCandidates(cols))
      .then((name) => {
        if (seq !== fillSeq || !name || ui.treat.value) return;
        ui.treat.value = name;
        if (ui.outcome.value === name) ui.outcome.value = "";
        syncColumns();
      })
      .catch(() => {});
  }

  function spec() {
    const d = ctx.dataset;
    const treatment = ui.treat.value;
    const outcome = ui.outcome.value;
    if (!treatment) throw new Error(t("Choose the treatment column (coded 0/1)."));
    if (outcome === treatment) throw new Error(t("The outcome must differ from the treatment."));
    const covariates = ui.covariates
      .selected()
      .filter((c) => c !== treatment && c !== outcome)
      .sort((a, b) => d.columns.indexOf(a) - d.columns.indexOf(b));
    if (!covariates.length) throw new Error(t("Choose at least one covariate for the propensity model."));
    const s = { formula: `${quoteName(treatment)} ~ ${covariates.map(quoteName).join(" + ")}`, ...ui.match.read(), estimand: ui.estimand.value, se: ui.se.value };
    if (outcome) s.outcome = outcome;
    s.bootstrap_reps = checkedNumber(ui.reps, t("The number of bootstrap replications"), { integer: true, min: 2, strict: false });
    return { spec: s, treatment, outcome, covariates };
  }

  /** The comparison: k-nearest, caliper, caliper-kNN, radius and kernel on the form's model. */
  function compareSpecs(base) {
    const common = { ...base };
    for (const k of ["method", "k", "replace", "order", "caliper", "caliper_scale", "kernel", "bandwidth"]) delete common[k];
    const m = ui.match.inputs;
    const caliper = checkedNumber(m.caliper, t("The caliper"));
    const caliper_scale = m.caliper_scale.value;
    const bandwidth = checkedNumber(m.bandwidth, t("The kernel bandwidth"));
    const nn = { ...common, method: "nearest", replace: true };
    return [
      { ...nn, k: 1 },
      { ...nn, k: 4 },
      { ...nn, k: 1, caliper, caliper_scale },
      { ...nn, k: 4, caliper, caliper_scale },
      { ...common, method: "radius", caliper, caliper_scale },
      { ...common, method: "kernel", kernel: m.kernel.value, bandwidth },
    ];
  }

  syncSe();
  return { root, fill, spec, compareSpecs, ui };
}
