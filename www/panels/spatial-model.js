// Spatial models panel: ML spatial regressions (SAR, SEM, SDM, SLX, SDEM; cross-section or
// a fixed-effects panel, Elhorst) with LeSage–Pace impacts, the LM tests that choose
// between them, and the spatial DID of the DID setup (its direct and spillover effects).
//   ctx.client.call("call", { fn: "spatialModel", handle, args: [{ model, formula, weights, unit, time, fe, impacts }] })
//   ctx.client.call("call", { fn: "lmTests", handle, args: [{ formula, weights, unit, time, fe }] })
//   ctx.client.call("call", { fn: "spatialDid", handle, args: [{ y, unit, time, start, controls, weights, fe, impacts }] })
// Every table is one of the results' `tables` (resultTableBlock, exported by renderTable).
import { el, replaceChildren, formatNumber } from "../dom.js";
import { resultTableBlock, formatP, starsFor } from "../lib/result-table.js";
import { panelHeader, dataPanel, errorCard, notesBox, field, option, numberField, columnChooser } from "../lib/ui.js";
import { numericColumns, columnsOf } from "../lib/columns.js";
import { quoteName } from "../lib/names.js";
import { currentSetup, setupSummary } from "../did-spec.js";
import { weightsSpec, currentWeights, weightsSummaryText } from "../lib/spatial-weights.js";
import { t } from "../i18n.js";
import { errorText } from "../lib/messages.js";

let ctx;
const ui = {};
const seqs = { model: 0, did: 0 };

const exportError = (e) => ui.error.show(t("The table could not be exported."), errorText(e));
const block = (t, prefix) => resultTableBlock(t, ctx.client, { id: `${prefix}-${t.id.replace(/[^a-z0-9]+/gi, "-")}`, className: "data-table paper-table", basename: t.id.replace(/[^a-z0-9]+/gi, "_"), onError: exportError });

function impactsOption() {
  const draws = Number(ui.draws.input.value);
  if (!Number.isInteger(draws) || draws < 0) throw new Error(t("Simulation draws must be a whole number (0 = no simulated SEs)."));
  return draws > 0 ? { draws, seed: Number(ui.seed.input.value) || 0 } : undefined;
}

/** Runs `work()` for one of the two cards, ignoring superseded answers; failures go to the error card. */
async function guarded(key, button, out, failTitle, work) {
  ui.error.clear();
  if (!ctx.dataset) return ui.error.show(t("No data loaded."), t("Load a file first (Data panel)."));
  const mine = ++seqs[key];
  button.disabled = true;
  out.classList.add("is-stale");
  try {
    const rendered = await work();
    if (mine === seqs[key] && rendered) {
      replaceChildren(out, ...rendered);
      out.hidden = false;
    }
  } catch (e) {
    if (mine !== seqs[key]) return;
    ui.error.show(e.isSettings ? t("Check the settings.") : failTitle, errorText(e));
    out.hidden = true;
  } finally {
    if (mine === seqs[key]) {
      button.disabled = false;
      out.classList.remove("is-stale");
    }
  }
}

const settings = (fn) => {
  try {
    return fn();
  } catch (e) {
    throw Object.assign(e, { isSettings: true });
  }
};

async function runModel() {
  await guarded("model", ui.run, ui.modelOut, t("The spatial model could not be estimated."), async () => {
    const setup = currentSetup(ctx);
    const spec = settings(() => {
      if (!ui.y.value) throw new Error(t("Choose the outcome."));
      const xs = ui.xs.selected().filter((x) => x !== ui.y.value);
      if (!xs.length) throw new Error(t("Choose at least one regressor."));
      const fe = ui.fe.value;
      if (fe !== "none" && !setup.time) throw new Error(t("Fixed effects need the time column of a panel (declare it in the Data panel)."));
      const s = { model: ui.model.value, formula: `${quoteName(ui.y.value)} ~ ${xs.map(quoteName).join(" + ")}`, unit: setup.unit, fe, impacts: impactsOption() };
      if (setup.time) s.time = setup.time;
      return s;
    });
    spec.weights = await weightsSpec(ctx, currentWeights(ctx, setup.unit)).catch((e) => Promise.reject(Object.assign(e, { isSettings: true })));
    const calls = [ctx.client.call("call", { fn: "spatialModel", handle: ctx.dataset.handle, args: [spec] })];
    if (ui.lm.checked) calls.push(ctx.client.call("call", { fn: "lmTests", handle: ctx.dataset.handle, args: [{ formula: spec.formula, weights: spec.weights, unit: spec.unit, time: spec.time, fe: spec.fe }] }));
    const [res, lm] = await Promise.all(calls);
    return [
      el("div", { class: "card-head" }, el("h3", {}, `${ui.model.selectedOptions[0]?.textContent ?? spec.model}: ${spec.formula}`)),
      el("p", { class: "table-note" }, t("W: {w}. Fixed effects: {fe}.", { w: weightsSummaryText(currentWeights(ctx)), fe: ui.fe.selectedOptions[0]?.textContent ?? spec.fe })),
      ...(res.tables || []).map((t) => block(t, "sm")),
      ...(lm ? (lm.tables || []).map((t) => block(t, "lm")) : []),
      notesBox("sm-notes", [...(res.diagnostics || []), ...(lm?.diagnostics || [])]),
    ];
  });
}

function effect(label, key, value, se) {
  const ok = typeof value === "number" && Number.isFinite(value);
  return [el("dt", {}, label), el("dd", { id: `sdid-${key}`, dataset: { stat: key, value: ok ? String(value) : "", se: typeof se === "number" ? String(se) : "" } }, ok ? formatNumber(value, 4) : "—", typeof se === "number" ? el("span", { class: "muted" }, ` (${formatNumber(se, 4)})`) : null)];
}

async function runDid() {
  await guarded("did", ui.didRun, ui.didOut, t("The spatial DID could not be estimated."), async () => {
    const setup = currentSetup(ctx);
    const spec = settings(() => {
      if (setup.form !== "start" || !setup.start) throw new Error(t("The spatial DID needs each unit's adoption period: in the DID panel, set “Treatment given as” to “Adoption-year column”."));
      if (!setup.y || !setup.unit || !setup.time) throw new Error(t("Choose the outcome, unit and time columns in the DID setup."));
      return { y: setup.y, unit: setup.unit, time: setup.time, start: setup.start, controls: setup.controls || [], fe: "twoways", impacts: impactsOption() };
    });
    spec.weights = await weightsSpec(ctx, currentWeights(ctx, setup.unit)).catch((e) => Promise.reject(Object.assign(e, { isSettings: true })));
    const res = await ctx.client.call("call", { fn: "spatialDid", handle: ctx.dataset.handle, args: [spec] });
    const part = (k) => res[k] || {};
    return [
      el("div", { class: "card-head" }, el("h3", {}, t("Spatial DID (two-way fixed-effects spatial Durbin model)"))),
      el(
        "dl",
        { class: "facts did-facts", id: "sdid-facts" },
        ...effect(t("Direct effect of {did} (own unit)", { did: res.did }), "direct", part("direct").estimate, part("direct").std_error),
        ...effect(t("Indirect (spillover onto neighbours)"), "indirect", part("indirect").estimate, part("indirect").std_error),
        ...effect(t("Total"), "total", part("total").estimate, part("total").std_error),
        ...effect("ρ", "rho", res.model?.rho, res.model?.rho_se),
      ),
      el("p", { class: "table-note" }, t("W: {w}. DID = 1 from each unit's adoption period in {start} on; W·DID enters as a Durbin term.", { w: weightsSummaryText(currentWeights(ctx)), start: setup.start })),
      el("p", { class: "table-note" }, t("{units} units treated, {obs} treated unit-periods. Standard errors in parentheses: simulated from the ML estimates' asymptotic distribution (LeSage–Pace), as spatialreg's impacts().", { units: res.treated_units, obs: res.treated_obs })),
      ...(res.tables || []).map((t) => block(t, "sdid")),
      notesBox("sdid-notes", res.model?.diagnostics),
    ];
  });
}

function fill(d) {
  const setup = currentSetup(ctx);
  const nums = numericColumns(d);
  const y = ui.y.value && nums.includes(ui.y.value) ? ui.y.value : setup.y;
  replaceChildren(ui.y, nums.map((n) => option(n, n, n === y)));
  const skip = new Set([setup.unit, setup.time]);
  const chosen = new Set(setup.indicator ? [setup.indicator, ...(setup.controls || [])] : setup.controls || []);
  ui.xs.fill(columnsOf(d).filter((c) => !skip.has(c.name) && nums.includes(c.name)), chosen);
  ui.fe.value = setup.time ? "twoways" : "none";
  ui.using.textContent = t("W: {w} (change it in the Weights panel).", { w: weightsSummaryText(currentWeights(ctx, setup.unit)) });
}

export default {
  mount(root, context) {
    ctx = context;
    ui.error = errorCard("sm-error");
    ui.modelOut = el("div", { class: "card did-result", id: "sm-result", hidden: true, "aria-live": "polite" });
    ui.didOut = el("div", { class: "card did-result", id: "sdid-result", hidden: true, "aria-live": "polite" });
    ui.model = el("select", { id: "sm-model" }, option("sdm", t("SDM (spatial Durbin)"), true), option("sar", t("SAR (spatial lag)")), option("sem", t("SEM (spatial error)")), option("slx", t("SLX (lagged X)")), option("sdem", t("SDEM (Durbin error)")));
    ui.y = el("select", { id: "sm-y" });
    ui.xs = columnChooser("sm-x", t("Regressors (W·x terms are added for SDM, SLX and SDEM)"));
    ui.fe = el("select", { id: "sm-fe" }, option("twoways", t("Unit and time (two-way)")), option("unit", t("Unit")), option("time", t("Time")), option("none", t("None (pooled / cross-section)")));
    ui.draws = numberField("sm-draws", t("Simulation draws for impact SEs"), 1000, { min: "0", step: "100" });
    ui.seed = numberField("sm-seed", t("Seed"), 1, { step: "1" });
    ui.lm = el("input", { type: "checkbox", id: "sm-lm", checked: true });
    ui.run = el("button", { type: "button", class: "button primary", id: "sm-run", onclick: runModel }, t("Estimate"));
    ui.didRun = el("button", { type: "button", class: "button primary", id: "sdid-run", onclick: runDid }, t("Run spatial DID"));
    ui.using = el("p", { class: "table-note", id: "sm-using" });
    const using = setupSummary(ctx, "sdid-setup");
    const frame = dataPanel(
      root,
      panelHeader("spatial-model", t("Spatial models"), t("Maximum-likelihood spatial regressions as in R's spatialreg (Elhorst's fixed-effects panels: demeaned data, W within each period, σ² = e'e/NT) with direct, indirect (spillover) and total effects (LeSage–Pace), and the spatial DID of the DID setup.")),
      [
        el("div", { class: "card" }, el("h3", {}, t("Spatial DID")), using.line, el("div", { class: "did-inline" }, el("div", { class: "did-inline-action" }, ui.didRun))),
        el(
          "div",
          { class: "card" },
          el("h3", {}, t("Model")),
          ui.using,
          el("div", { class: "did-inline" }, field("sm-model", t("Model"), ui.model), field("sm-y", t("Outcome"), ui.y), field("sm-fe", t("Fixed effects"), ui.fe)),
          ui.xs.root,
          el("div", { class: "did-inline" }, ui.draws.root, ui.seed.root, el("label", { class: "check did-check", for: "sm-lm" }, ui.lm, t("LM tests (lag, error, robust forms)")), el("div", { class: "did-inline-action" }, ui.run)),
        ),
        ui.error.root,
        ui.didOut,
        ui.modelOut,
      ],
    );
    const show = (d) => {
      frame.empty.hidden = Boolean(d);
      frame.body.hidden = !d;
      ui.modelOut.hidden = true;
      ui.didOut.hidden = true;
      if (d) fill(d);
    };
    ctx.on("dataset", show);
    ctx.on("did-setup", () => ctx.dataset && fill(ctx.dataset));
    ctx.on("spatial-weights", () => ctx.dataset && fill(ctx.dataset));
    show(ctx.dataset);
  },
};
