// Weights panel: build the spatial weight matrix W shared by the spatial panels (from
// coordinates, a neighbour list, GeoJSON polygons, an economic variable or an uploaded
// matrix) and look at it: summary, neighbours per unit, and a map of the links.
//   ctx.client.call("spatialWeights", { handle, spec }) → { units, summary, svg, diagnostics }
// The choice is kept in ctx.spatialWeights (www/lib/spatial-weights.js) for the Moran and
// Spatial models panels; their runs rebuild W in the engine from the same spec.
import { el, replaceChildren } from "../dom.js";
import { chartFigure, releaseCharts } from "../charts.js";
import { resultTableBlock } from "../lib/result-table.js";
import { panelHeader, dataPanel, errorCard, notesBox } from "../lib/ui.js";
import { weightsForm, weightsSpec, currentWeights, weightsSummaryText } from "../lib/spatial-weights.js";
import { t } from "../i18n.js";
import { errorText } from "../lib/messages.js";

let ctx;
const ui = {};
let seq = 0;

async function build() {
  const d = ctx.dataset;
  ui.error.clear();
  if (!d) return ui.error.show(t("No data loaded."), t("Load a file first (Data panel)."));
  let spec;
  try {
    spec = await weightsSpec(ctx, currentWeights(ctx));
  } catch (e) {
    return ui.error.show(t("Check the settings."), errorText(e));
  }
  const mine = ++seq;
  ui.run.disabled = true;
  ui.result.classList.add("is-stale");
  try {
    const res = await ctx.client.call("spatialWeights", { handle: d.handle, spec });
    if (mine !== seq) return;
    render(res);
  } catch (e) {
    if (mine !== seq) return;
    ui.error.show(t("The weight matrix could not be built."), errorText(e));
    ui.result.hidden = true;
  } finally {
    if (mine === seq) {
      ui.run.disabled = false;
      ui.result.classList.remove("is-stale");
    }
  }
}

function render(res) {
  releaseCharts(ui.result);
  const tables = res.summary?.tables || [];
  replaceChildren(
    ui.result,
    el("div", { class: "card-head" }, el("h3", {}, t("Weight matrix"))),
    el("p", { class: "table-note", id: "sw-using" }, weightsSummaryText(currentWeights(ctx)), t(" — {n} units.", { n: res.units.length })),
    ...tables.map((tb) => resultTableBlock(tb, ctx.client, { id: `sw-${tb.id.replace(/[^a-z0-9]+/gi, "-")}`, className: "data-table paper-table", basename: tb.id.replace(/[^a-z0-9]+/gi, "_"), onError: (e) => ui.error.show(t("The table could not be exported."), errorText(e)) })),
    res.svg ? chartFigure(res.svg, { filename: "weights_map", caption: t("Links of the weight matrix"), alt: t("Map of the units and their links") }) : el("p", { class: "muted" }, t("No map: this matrix was not built from coordinates or polygons.")),
    notesBox("sw-notes", res.diagnostics),
  );
  ui.result.hidden = false;
}

export default {
  mount(root, context) {
    ctx = context;
    ui.error = errorCard("sw-error");
    ui.result = el("div", { class: "card did-result", id: "sw-result", hidden: true, "aria-live": "polite" });
    ui.run = el("button", { type: "button", class: "button primary", id: "sw-run", onclick: build }, t("Build W"));
    ui.form = weightsForm(ctx, { onchange: () => (ui.result.hidden = true) });
    const frame = dataPanel(
      root,
      panelHeader("spatial-weights", t("Spatial weights"), t("The weight matrix W of the spatial statistics and models: who is whose neighbour, and how much. Row-standardised by default, as in spdep's style \u201cW\u201d.")),
      [el("div", { class: "card" }, ui.form.root, el("div", { class: "did-inline-action" }, ui.run)), ui.error.root, ui.result],
    );
    const show = (d) => {
      frame.empty.hidden = Boolean(d);
      frame.body.hidden = !d;
      ui.result.hidden = true;
      if (d) ui.form.fill(d);
    };
    ctx.on("dataset", show);
    show(ctx.dataset);
  },
};
