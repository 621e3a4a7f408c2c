// Heterogeneity panel: DID × group in one model plus split-sample DIDs, in one table.
//   ctx.client.call("call", { fn: "heterogeneity", handle, args: [{ ...didSpec, group, main_effect }] })
// The result's `heterogeneity.models` table is drawn by resultTableElement and exported by
// the engine's renderTable of the same table, without re-running anything.
import { el, replaceChildren } from "../dom.js";
import { exportBox } from "../lib/export-box.js";
import { renderTableText, resultTableElement, findTable } from "../lib/result-table.js";
import { panelHeader } from "../lib/ui.js";
import { currentSetup, didSpec, runAnalysis, notesBox, field, option, workbenchPanel } from "../did-spec.js";
import { t } from "../i18n.js";
import { errorText } from "../lib/messages.js";

let ctx;
const ui = {};
let last = null;

function fillGroups(d) {
  const keep = ui.group.value;
  const names = d?.columns || [];
  const setup = d ? currentSetup(ctx) : {};
  const skip = new Set([setup.y, setup.time]);
  const choice = keep && names.includes(keep) ? keep : ["eastern", "east", "region", "province"].find((n) => names.includes(n) && n !== setup.unit) || "";
  replaceChildren(ui.group, option("", t("— choose —")), names.filter((n) => !skip.has(n)).map((n) => option(n, n, n === choice)));
}

function run() {
  return runAnalysis(ctx, ui, {
    fn: "heterogeneity",
    failTitle: t("The heterogeneity analysis could not be run."),
    build: () => {
      let spec;
      if (!ui.group.value) throw new Error(t("Choose the group column (e.g. a 0/1 dummy such as “eastern”)."));
      spec = { ...didSpec(currentSetup(ctx)), group: ui.group.value, main_effect: ui.main.checked };
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
  const table = findTable(res, "heterogeneity.models");
  const exp = exportBox({
    idPrefix: "het",
    basename: "heterogeneity",
    getText: (format) => renderTableText(ctx.client, table, { format }),
    onError: (e) => ui.error.show(t("The table could not be exported."), errorText(e)),
  });
  replaceChildren(
    ui.result,
    el("div", { class: "card-head" }, el("h3", {}, t("Heterogeneity by {group}", { group: spec.group })), exp.buttons),
    el("div", { class: "table-scroll paper" }, resultTableElement(table, { id: "het-table", className: "data-table paper-table reg-side-table" })),
    el(
      "p",
      { class: "table-note" },
      t("Column 1: one model with "),
      spec.main_effect ? t("the DID term and ") : "",
      t(res.interaction_terms.length > 1 ? "its interactions with {group} ({terms}; reference level {ref}). " : "its interaction with {group} ({terms}; reference level {ref}). ", { group: spec.group, terms: res.interaction_terms.join(", "), ref: res.reference_level }),
      t("Other columns: the DID estimated separately on each group's rows."),
    ),
    notesBox("het-notes", res.diagnostics),
    exp.status,
    exp.box,
  );
  ui.result.hidden = false;
}

export default {
  mount(root, context) {
    ctx = context;
    ui.group = el("select", { id: "het-group" });
    ui.main = el("input", { type: "checkbox", id: "het-main", checked: true });
    ui.run = el("button", { type: "button", class: "button primary", id: "het-run", onclick: run }, t("Run heterogeneity"));
    workbenchPanel(root, ctx, ui, {
      prefix: "het",
      header: panelHeader("heterogeneity", t("Heterogeneity"), t("Does the effect differ across groups (e.g. eastern vs other provinces)? An interaction model and split-sample DIDs side by side.")),
      controls: [
        el(
          "div",
          { class: "did-inline" },
          field("het-group", t("Group column"), ui.group),
          el("label", { class: "check did-check", for: "het-main" }, ui.main, t("Keep the DID main effect in the interaction model")),
          el("div", { class: "did-inline-action" }, ui.run),
        ),
      ],
    });
    ctx.on("dataset", (d) => {
      last = null;
      ui.result.hidden = true;
      fillGroups(d);
    });
    ctx.on("did-setup", () => ctx.dataset && fillGroups(ctx.dataset));
    if (ctx.dataset) fillGroups(ctx.dataset);
  },
};
