// Spatial autocorrelation panel: global Moran's I and Geary's C of a variable, period by
// period (a table), the Moran scatter plot and local Moran (LISA) clusters of one period.
//   ctx.client.call("call", { fn: "moran", handle, args: [{ y, weights, unit, time, permutations, seed }] })
//   ctx.client.call("call", { fn: "moranScatterSvg", handle, args: [{ …, period }] })
//   ctx.client.call("call", { fn: "lisa", handle, args: [{ …, period }] }) → tables, map_svg
// `weights` is the spec chosen in the Weights panel (www/lib/spatial-weights.js).
import { el, replaceChildren } from "../dom.js";
import { chartFigure, releaseCharts } from "../charts.js";
import { resultTableBlock } from "../lib/result-table.js";
import { panelHeader, dataPanel, errorCard, notesBox, field, option, numberField } from "../lib/ui.js";
import { numericColumns } from "../lib/columns.js";
import { currentSetup } from "../did-spec.js";
import { weightsSpec, currentWeights, weightsSummaryText } from "../lib/spatial-weights.js";
import { t } from "../i18n.js";
import { errorText } from "../lib/messages.js";

let ctx;
const ui = {};
let seq = 0;

const exportError = (e) => ui.error.show(t("The table could not be exported."), errorText(e));
const block = (t, prefix) => resultTableBlock(t, ctx.client, { id: `${prefix}-${t.id.replace(/[^a-z0-9]+/gi, "-")}`, className: "data-table paper-table", basename: t.id.replace(/[^a-z0-9]+/gi, "_"), onError: exportError });

async function baseSpec() {
  const setup = currentSetup(ctx);
  if (!ui.y.value) throw new Error(t("Choose the variable."));
  const perms = Number(ui.perms.input.value);
  if (!Number.isInteger(perms) || perms < 0) throw new Error(t("Permutations must be a whole number (0 = none)."));
  const spec = { y: ui.y.value, weights: await weightsSpec(ctx, currentWeights(ctx, setup.unit)), unit: setup.unit, permutations: perms, seed: Number(ui.seed.input.value) || 0 };
  if (setup.time) spec.time = setup.time;
  return spec;
}

async function run() {
  const d = ctx.dataset;
  ui.error.clear();
  if (!d) return ui.error.show(t("No data loaded."), t("Load a file first (Data panel)."));
  let spec;
  try {
    spec = await baseSpec();
  } catch (e) {
    return ui.error.show(t("Check the settings."), errorText(e));
  }
  const mine = ++seq;
  ui.run.disabled = true;
  ui.result.classList.add("is-stale");
  try {
    const res = await ctx.client.call("call", { fn: "moran", handle: d.handle, args: [spec] });
    if (mine !== seq) return;
    const periods = (res.by_period || []).map((p) => String(p.period));
    const period = ui.period.value && periods.includes(ui.period.value) ? ui.period.value : res.period ?? periods[periods.length - 1];
    const local = { ...spec, ...(period !== undefined && period !== null && spec.time ? { period: String(period) } : {}) };
    const [svg, lisa] = await Promise.all([
      ctx.client.call("call", { fn: "moranScatterSvg", handle: d.handle, args: [local] }),
      ctx.client.call("call", { fn: "lisa", handle: d.handle, args: [local] }),
    ]);
    if (mine !== seq) return;
    render(res, svg, lisa, periods, period, spec);
  } catch (e) {
    if (mine !== seq) return;
    ui.error.show(t("Moran's I could not be computed."), errorText(e));
    ui.result.hidden = true;
  } finally {
    if (mine === seq) {
      ui.run.disabled = false;
      ui.result.classList.remove("is-stale");
    }
  }
}

function render(res, svg, lisa, periods, period, spec) {
  releaseCharts(ui.result);
  replaceChildren(ui.period, periods.map((p) => option(p, p, p === String(period))));
  ui.periodWrap.hidden = periods.length < 2;
  const when = spec.time && period !== undefined ? t(" in {period}", { period }) : "";
  replaceChildren(
    ui.result,
    el("div", { class: "card-head" }, el("h3", {}, t("Spatial autocorrelation of {y}", { y: spec.y }))),
    el("p", { class: "table-note" }, `W: ${weightsSummaryText(currentWeights(ctx))}.`),
    ...(res.tables || []).map((t) => block(t, "moran")),
    el("div", { class: "chart-row" }, chartFigure(svg, { filename: `moran_scatter_${spec.y}`, caption: t("Moran scatter plot{when}", { when }), alt: t("Moran scatter plot of {y}{when}", { y: spec.y, when }) }), lisa.map_svg ? chartFigure(lisa.map_svg, { filename: `lisa_map_${spec.y}`, caption: t("Local Moran clusters{when}", { when }), alt: t("Map of local Moran clusters{when}", { when }) }) : null),
    el("h4", {}, t("Local Moran (LISA){when}", { when })),
    ...(lisa.tables || []).map((t) => block(t, "lisa")),
    notesBox("moran-notes", [...(res.diagnostics || []), ...(lisa.diagnostics || [])]),
  );
  ui.result.hidden = false;
}

function fill(d) {
  const nums = numericColumns(d);
  const setup = currentSetup(ctx);
  const keep = ui.y.value;
  const choice = keep && nums.includes(keep) ? keep : setup.y && nums.includes(setup.y) ? setup.y : nums.find((n) => n !== setup.time && n !== setup.unit) || "";
  replaceChildren(ui.y, nums.map((n) => option(n, n, n === choice)));
  replaceChildren(ui.period);
  ui.periodWrap.hidden = true;
  ui.using.textContent = t("W: {w} (change it in the Weights panel).", { w: weightsSummaryText(currentWeights(ctx, setup.unit)) });
}

export default {
  mount(root, context) {
    ctx = context;
    ui.error = errorCard("moran-error");
    ui.result = el("div", { class: "card did-result", id: "moran-result", hidden: true, "aria-live": "polite" });
    ui.y = el("select", { id: "moran-y" });
    ui.perms = numberField("moran-perms", t("Permutations"), 999, { min: "0", step: "1" });
    ui.seed = numberField("moran-seed", t("Seed"), 1, { step: "1" });
    ui.period = el("select", { id: "moran-period", onchange: run });
    ui.periodWrap = field("moran-period", t("Period shown (scatter, LISA)"), ui.period);
    ui.periodWrap.hidden = true;
    ui.using = el("p", { class: "table-note", id: "moran-using" });
    ui.run = el("button", { type: "button", class: "button primary", id: "moran-run", onclick: run }, t("Compute Moran's I"));
    const frame = dataPanel(
      root,
      panelHeader("spatial-moran", t("Spatial autocorrelation"), t("Is the variable clustered in space? Global Moran's I and Geary's C for every period (spdep's conventions: randomisation variance, one-sided p), the Moran scatter plot and LISA clusters.")),
      [el("div", { class: "card" }, ui.using, el("div", { class: "did-inline" }, field("moran-y", t("Variable"), ui.y), ui.perms.root, ui.seed.root, ui.periodWrap, el("div", { class: "did-inline-action" }, ui.run))), ui.error.root, ui.result],
    );
    const show = (d) => {
      frame.empty.hidden = Boolean(d);
      frame.body.hidden = !d;
      ui.result.hidden = true;
      if (d) fill(d);
    };
    ctx.on("dataset", show);
    ctx.on("spatial-weights", () => ctx.dataset && fill(ctx.dataset));
    show(ctx.dataset);
  },
};
