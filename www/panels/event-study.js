// Event-study panel: leads and lags around adoption with the DID setup.
//   ctx.client.call("call", { fn: "eventStudy", handle, args: [{ ...didSpec, ref, window?: [lo, hi], binning }] })
import { el, replaceChildren, formatNumber, toCsv, downloadText } from "../dom.js";
import { chartFigure, releaseCharts } from "../charts.js";
import { tableExports, resultTableElement, findTable, formatP } from "../lib/result-table.js";
import { panelHeader } from "../lib/ui.js";
import { currentSetup, didSpec, runAnalysis, notesBox, numberField, field, option, workbenchPanel } from "../did-spec.js";
import { t } from "../i18n.js";

let ctx;
const ui = {};
let last = null;

function readInt(input, what, { optional = false } = {}) {
  const v = input.value.trim();
  if (v === "" && optional) return null;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(t("{what} must be a whole number.", { what }));
  return n;
}

function run() {
  return runAnalysis(ctx, ui, {
    fn: "eventStudy",
    failTitle: t("The event study could not be estimated."),
    build: () => {
      let spec;
      const setup = currentSetup(ctx);
      if (setup.form !== "start")
        throw new Error(
          t(setup.start ? "The event study needs each unit's adoption year: choose “Adoption-year column” as the treatment form in the DID setup (e.g. {start}); a 0/1 indicator does not say when each unit was first treated." : "The event study needs each unit's adoption year: choose “Adoption-year column” as the treatment form in the DID setup; a 0/1 indicator does not say when each unit was first treated.", { start: setup.start }),
        );
      spec = { ...didSpec(setup), ref: readInt(ui.ref, t("The reference period")) };
      const lo = readInt(ui.lo, t("The window start"), { optional: true });
      const hi = readInt(ui.hi, t("The window end"), { optional: true });
      if ((lo === null) !== (hi === null)) throw new Error(t("Give both ends of the window, or neither (all observed event times)."));
      if (lo !== null) {
        if (lo > hi) throw new Error(t("The window start must not be after its end."));
        spec.window = [lo, hi];
        spec.binning = ui.binning.value;
      }
      return spec;
    },
    onResult: (res, spec) => {
      last = { res, spec };
      render();
    },
  });
}

/** The result's event_study.terms table; rows keep the panel's hooks (data-event-time, es-ref, es-estimate, es-se). */
function termsTable(res) {
  return resultTableElement(findTable(res, "event_study.terms"), {
    id: "es-terms",
    className: "data-table paper-table es-table",
    decorate: (tr, row) => {
      tr.dataset.eventTime = row.cells[0]?.text ?? "";
      if (row.cells[1]?.text === "reference") tr.classList.add("es-ref");
      tr.cells[2]?.classList.add("es-estimate");
      tr.cells[3]?.classList.add("es-se");
    },
  });
}

function render() {
  const { res } = last;
  releaseCharts(ui.result);
  const p = res.pretrend;
  const pre = p
    ? el(
        "dl",
        { class: "facts did-facts", id: "es-pretrend" },
        el("dt", {}, t("Pre-trend F")),
        el("dd", { dataset: { stat: "statistic", value: String(p.statistic) } }, formatNumber(p.statistic, 3)),
        el("dt", {}, "df"),
        el("dd", { dataset: { stat: "df", value: `${p.df1},${p.df2}` } }, `${p.df1}, ${p.df2}`),
        el("dt", {}, "p"),
        el("dd", { dataset: { stat: "p_value", value: String(p.p_value) } }, formatP(p.p_value)),
      )
    : el("p", { class: "muted", id: "es-pretrend" }, t("No pre-period coefficients: no pre-trend test."));
  const csv = () =>
    toCsv(
      ["event_time", "term", "estimate", "std_error", "p_value", "conf_low", "conf_high"],
      res.terms.map((t) => [t.event_time, t.term, t.estimate, t.std_error, t.p_value, t.conf_low, t.conf_high]),
    );
  replaceChildren(
    ui.result,
    el("div", { class: "card-head" }, el("h3", {}, t("Event study")), el("button", { type: "button", class: "button", id: "es-download-csv", onclick: () => downloadText("event_study.csv", csv()) }, t("Download CSV"))),
    el("div", { class: "es-layout" }, el("div", { id: "es-plot" }, chartFigure(res.svg, { filename: "event_study", caption: t("Event-study coefficients with {level}% confidence intervals; reference period {ref}.", { level: Math.round((res.model?.conf_level ?? 0.95) * 100), ref: res.reference }) })), el("div", {}, el("h4", {}, t("Parallel pre-trends: joint test")), pre, el("p", { class: "table-note" }, t("H0: all pre-period coefficients are zero (Wald F with the model's standard errors).")))),
    el("div", { class: "table-scroll paper" }, termsTable(res)),
    tableExports(findTable(res, "event_study.terms"), ctx.client, { basename: "event_study", idPrefix: "es-terms" }),
    el("p", { class: "table-note" }, t("Never-treated units are the controls (all event dummies zero). "), res.window ? t(last.spec.binning === "trim" ? "Window [{a}, {b}], rows outside trimmed." : "Window [{a}, {b}], endpoints binned.", { a: res.window[0], b: res.window[1] }) : t("All observed event times.")),
    notesBox("es-notes", res.diagnostics),
  );
  ui.result.hidden = false;
}

export default {
  mount(root, context) {
    ctx = context;
    const ref = numberField("es-ref", t("Reference period"), -1, { step: 1 });
    const lo = numberField("es-lo", t("Window from"), "", { step: 1, placeholder: t("all") });
    const hi = numberField("es-hi", t("Window to"), "", { step: 1, placeholder: t("all") });
    ui.ref = ref.input;
    ui.lo = lo.input;
    ui.hi = hi.input;
    ui.binning = el("select", { id: "es-binning" }, option("bin", t("Bin endpoints")), option("trim", t("Trim outside")));
    ui.run = el("button", { type: "button", class: "button primary", id: "es-run", onclick: run }, t("Run event study"));
    workbenchPanel(root, ctx, ui, {
      prefix: "es",
      header: panelHeader("event-study", t("Event study"), t("Leads and lags relative to adoption, the joint pre-trend test and the coefficient plot.")),
      controls: [
        el("div", { class: "did-inline" }, ref.root, lo.root, hi.root, field("es-binning", t("Outside the window"), ui.binning), el("div", { class: "did-inline-action" }, ui.run)),
        el("p", { class: "muted small" }, t("Leave the window empty to use every observed event time.")),
      ],
    });
  },
};
