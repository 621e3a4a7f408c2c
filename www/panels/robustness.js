// Robustness panel: the DID setup as baseline plus checked variations, each a
// column of one table.
//   ctx.client.call("call", { fn: "robustness", handle, args: [{ base: didSpec, checks: [
//     { label, exclude_years: [2020] } | { label, exclude_units: ["Beijing"] } |
//     { label, cluster: ["province"] } | { label, controls: [] } | { label, y: "lnHDQ2" } ] }] })
// Exports: the result's `robustness.models` table rendered by the engine (renderTable) in the
// chosen format (downloaded or copied as text, never parsed into the page).
import { el, replaceChildren } from "../dom.js";
import { exportBox } from "../lib/export-box.js";
import { renderTableText, resultTableElement, findTable } from "../lib/result-table.js";
import { panelHeader } from "../lib/ui.js";
import { currentSetup, didSpec, runAnalysis, notesBox, option, distinctValues, numericColumns, workbenchPanel } from "../did-spec.js";
import { t } from "../i18n.js";
import { errorText } from "../lib/messages.js";

let ctx;
const ui = {};
let last = null;
let fillSeq = 0;

const selected = (s) => [...s.selectedOptions].map((o) => o.value);

async function fillChoices(d) {
  const seq = ++fillSeq;
  const setup = currentSetup(ctx);
  const names = d.columns || [];
  // alternative cluster and outcome
  const clusterKeep = ui.cluster.value;
  const clusterChoice = clusterKeep && names.includes(clusterKeep) ? clusterKeep : ["province", "region", setup.time].find((n) => n && names.includes(n) && n !== setup.unit) || "";
  replaceChildren(ui.cluster, names.filter((n) => n !== setup.unit).map((n) => option(n, n, n === clusterChoice)));
  const yKeep = ui.y.value;
  replaceChildren(ui.y, option("", t("— choose —")), numericColumns(d).filter((n) => n !== setup.y && n !== setup.unit && n !== setup.time).map((n) => option(n, n, n === yKeep)));
  ui.noControls.disabled = !(setup.controls || []).length;
  if (ui.noControls.disabled) ui.noControls.checked = false;
  try {
    const [years, units] = await Promise.all([setup.time ? distinctValues(ctx, setup.time) : [], setup.unit ? distinctValues(ctx, setup.unit) : []]);
    if (seq !== fillSeq) return;
    const yearsKeep = new Set(selected(ui.years));
    const unitsKeep = new Set(selected(ui.units));
    const defYear = years.includes(2020) ? "2020" : "";
    replaceChildren(ui.years, years.map((v) => option(String(v), String(v), yearsKeep.size ? yearsKeep.has(String(v)) : String(v) === defYear)));
    replaceChildren(ui.units, units.map((v) => option(String(v), String(v), unitsKeep.has(String(v)))));
  } catch (e) {
    if (seq === fillSeq) ui.error.show(t("Could not read the panel's years and units."), errorText(e));
  }
}

function checks() {
  const out = [];
  if (ui.doYears.checked) {
    const ys = selected(ui.years).map(Number);
    if (!ys.length) throw new Error(t("“Exclude years” is ticked but no year is selected."));
    out.push({ label: t("Excl. {list}", { list: ys.join(", ") }), exclude_years: ys });
  }
  if (ui.doUnits.checked) {
    const us = selected(ui.units);
    if (!us.length) throw new Error(t("“Exclude units” is ticked but no unit is selected."));
    out.push({ label: t("Excl. {list}", { list: us.length > 2 ? t("{n} units", { n: us.length }) : us.join(", ") }), exclude_units: us });
  }
  if (ui.doCluster.checked) {
    if (!ui.cluster.value) throw new Error(t("Choose the alternative cluster column."));
    out.push({ label: t("Cluster: {c}", { c: ui.cluster.value }), cluster: [ui.cluster.value] });
  }
  if (ui.noControls.checked) out.push({ label: t("No controls"), controls: [] });
  if (ui.doY.checked) {
    if (!ui.y.value) throw new Error(t("Choose the alternative outcome."));
    out.push({ label: t("Outcome: {y}", { y: ui.y.value }), y: ui.y.value });
  }
  return out;
}

function run() {
  return runAnalysis(ctx, ui, {
    fn: "robustness",
    failTitle: t("The robustness table could not be built."),
    build: () => {
      let spec;
      spec = { base: didSpec(currentSetup(ctx)), checks: checks() };
      if (!spec.checks.length) throw new Error(t("Tick at least one check to add a column next to the baseline."));
      return spec;
    },
    onResult: (res, spec) => {
      last = { res, spec };
      render();
    },
  });
}

function render() {
  const { res, spec } = last;
  const table = findTable(res, "robustness.models");
  const exp = exportBox({ idPrefix: "rob", basename: "robustness", getText: (format) => renderTableText(ctx.client, table, { format }), onError: (e) => ui.error.show(t("The table could not be exported."), errorText(e)) });
  const notes = res.fits.flatMap((f) => (f.diagnostics || []).map((d) => `${f.label}: ${d.message}`));
  replaceChildren(
    ui.result,
    el("div", { class: "card-head" }, el("h3", {}, t("Robustness")), exp.buttons),
    el("div", { class: "table-scroll paper" }, resultTableElement(table, { id: "rob-table", className: "data-table paper-table reg-side-table" })),
    el("p", { class: "table-note" }, t("Each column re-estimates the DID of the baseline with one change.")),
    notesBox("rob-notes", notes),
    exp.status,
    exp.box,
  );
  ui.result.hidden = false;
}

function check(id, label, control) {
  return el("div", { class: "rob-check" }, el("label", { class: "check", for: id }, control, label));
}

export default {
  mount(root, context) {
    ctx = context;
    ui.doYears = el("input", { type: "checkbox", id: "rob-do-years", checked: true });
    ui.years = el("select", { id: "rob-years", multiple: true, size: 6, "aria-label": t("Years to exclude") });
    ui.doUnits = el("input", { type: "checkbox", id: "rob-do-units" });
    ui.units = el("select", { id: "rob-units", multiple: true, size: 6, "aria-label": t("Units to exclude") });
    ui.doCluster = el("input", { type: "checkbox", id: "rob-do-cluster", checked: true });
    ui.cluster = el("select", { id: "rob-cluster", "aria-label": t("Alternative cluster column") });
    ui.noControls = el("input", { type: "checkbox", id: "rob-no-controls", checked: true });
    ui.doY = el("input", { type: "checkbox", id: "rob-do-y" });
    ui.y = el("select", { id: "rob-y", "aria-label": t("Alternative outcome") });
    ui.run = el("button", { type: "button", class: "button primary", id: "rob-run", onclick: run }, t("Build robustness table"));
    workbenchPanel(root, ctx, ui, {
      prefix: "rob",
      header: panelHeader("robustness", t("Robustness"), t("The baseline DID and its variations — excluded years or units, another cluster level, no controls, another outcome — as the columns of one table.")),
      controls: [
        el(
          "div",
          { class: "rob-grid" },
          el("div", {}, check("rob-do-years", t("Exclude years"), ui.doYears), ui.years),
          el("div", {}, check("rob-do-units", t("Exclude units"), ui.doUnits), ui.units),
          el(
            "div",
            {},
            check("rob-do-cluster", t("Alternative cluster level"), ui.doCluster),
            ui.cluster,
            check("rob-no-controls", t("Without controls"), ui.noControls),
            check("rob-do-y", t("Alternative outcome"), ui.doY),
            ui.y,
          ),
        ),
        el("p", { class: "muted small" }, t("Hold Ctrl/⌘ to select several years or units.")),
        el("div", { class: "reg-actions" }, ui.run),
      ],
    });
    ctx.on("dataset", (d) => {
      last = null;
      ui.result.hidden = true;
      fillChoices(d);
    });
    ctx.on("did-setup", () => ctx.dataset && fillChoices(ctx.dataset));
    if (ctx.dataset) fillChoices(ctx.dataset);
  },
};
