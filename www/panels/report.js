// Report panel: every analysis of this session (recorded from the results the engine returns,
// each with its recipe). Per analysis: its tables and chart, "Embed in a report" (recipe +
// snippet), a link that reruns it, remove. For the session: one Word report or Excel workbook
// of every table, save the session as JSON and open it again (each recipe reruns on the loaded
// data; recipes whose data differ wait for the right file).
import { el, replaceChildren, downloadText } from "../dom.js";
import { t, lang as pageLang, formatDate } from "../i18n.js";
import { panelHeader, errorCard } from "../lib/ui.js";
import { resultTableBlock } from "../lib/result-table.js";
import { embedBox } from "../lib/embed-box.js";
import { chartFigure } from "../charts.js";
import { errorText } from "../lib/messages.js";
import * as session from "../session.js";

let ctx;
const ui = {};
let listening = false;

const KIND_LABELS = {
  did: "DID", eventStudy: "Event study", placebo: "Placebo", wildBootstrap: "Wild cluster bootstrap", mediation: "Mechanism",
  heterogeneity: "Heterogeneity", robustness: "Robustness", psmDid: "PSM-DID", feols: "Regression", buildIndex: "Index",
  locationQuotient: "Location quotient", hhi: "HHI", theil: "Theil index", csdid: "Callaway–Sant'Anna",
  baconDecomposition: "Bacon decomposition", staggeredCompare: "Staggered DID", honestDid: "HonestDiD", sunab: "Sun–Abraham",
  did2s: "Two-stage DID", didImputation: "Imputation DID", psm: "PSM", psmCompare: "PSM comparison", moran: "Moran's I",
  lisa: "LISA", lmTests: "LM tests", spatialModel: "Spatial models", spatialDid: "Spatial DID",
};
const kindLabel = (kind) => t(KIND_LABELS[kind] ?? kind);

function say(text) {
  ui.status.textContent = text;
}

async function downloadAll(format) {
  const tables = session.allTables();
  if (!tables.length) return say(t("No tables yet: run an analysis first."));
  try {
    const bytes = await ctx.client.call("call", { fn: "renderReport", args: [tables, { format, lang: pageLang(), title: t("Quasi report") }] });
    downloadText(`quasi-report.${format}`, bytes, format === "docx"
      ? "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
      : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    say(t("{n} tables written to quasi-report.{ext}.", { n: tables.length, ext: format }));
  } catch (e) {
    ui.error.show(t("The report could not be written."), errorText(e));
  }
}

function saveSession() {
  const doc = session.sessionDocument({ dataset: ctx.dataset, lang: pageLang(), version: ctx.engine?.version ?? "" });
  downloadText("quasi-session.json", JSON.stringify(doc, null, 2) + "\n", "application/json;charset=utf-8");
  say(t("Session saved: {n} analyses.", { n: doc.analyses.length }));
}

async function openSession(file) {
  ui.error.clear();
  let parsed;
  try {
    parsed = session.parseSession(await file.text());
  } catch (e) {
    return ui.error.show(t("The session could not be opened."), e.message);
  }
  const source = { file: file.name, data: parsed.data?.name ?? null };
  if (!ctx.dataset) {
    session.queue(parsed.recipes, source);
    return say(t("Load the data file this session was saved with ({name}); its analyses then run.", { name: source.data ?? "?" }));
  }
  const r = await session.runRecipes(ctx.client, ctx.dataset.handle, parsed.recipes, source);
  reportRun(r, source);
}

function reportRun(r, source) {
  const parts = [t("{n} analyses rerun.", { n: r.ran })];
  if (r.waiting) parts.push(t("{n} wait for the data file they were saved with ({name}): load it in the Data panel.", { n: r.waiting, name: source?.data ?? "?" }));
  say(parts.join(" "));
  if (r.failed.length) ui.error.show(t("Some analyses could not run."), r.failed.map((f) => `${kindLabel(f.kind)}: ${errorText(f.error)}`).join("\n"));
}

function analysisCard(entry) {
  const embed = embedBox(entry, entry.result.tables?.[0] ?? null);
  const link = el("button", {
    type: "button",
    class: "secondary small",
    onclick: async () => {
      const href = session.recipeLink(entry.recipe, ctx.dataset?.sample?.key ?? null);
      try {
        await navigator.clipboard.writeText(href);
        say(t("Link copied: it reruns this analysis when opened."));
      } catch {
        say(href);
      }
    },
  }, t("Copy link"));
  const remove = el("button", { type: "button", class: "secondary small", onclick: () => session.removeAnalysis(entry.id) }, t("Remove"));
  const svg = typeof entry.result.svg === "string" ? entry.result.svg : null;
  return el(
    "article",
    { class: "card report-entry", "data-kind": entry.kind },
    el("div", { class: "card-head" }, el("h3", {}, kindLabel(entry.kind)), el("span", { class: "muted small" }, formatDate(entry.at))),
    el("p", { class: "muted small" }, t("Data: {name} · SHA-256 {sha}…", { name: entry.data.name ?? "?", sha: entry.recipe.data_sha256.slice(0, 12) })),
    (entry.result.tables || []).map((table) => resultTableBlock(table, ctx.client, { basename: `${entry.kind}-${table.id}` })),
    svg ? chartFigure(svg, { filename: entry.kind, caption: kindLabel(entry.kind) }) : null,
    el("div", { class: "export-row" }, embed.button, link, remove),
    embed.box,
  );
}

function render() {
  const list = session.analyses();
  const waiting = session.waiting();
  replaceChildren(
    ui.list,
    waiting.length
      ? el("p", { class: "notice", id: "report-waiting" }, t("{n} analyses wait for the data file they were saved with ({name}): load it in the Data panel.", { n: waiting.length, name: waiting[0].source?.data ?? "?" }))
      : null,
    list.length ? list.slice().reverse().map(analysisCard) : el("p", { id: "report-empty" }, t("No analyses yet. Every result you compute appears here, ready to embed, save or download.")),
  );
  ui.count.textContent = String(list.length);
}

export default {
  mount(root, c) {
    ctx = c;
    ui.status = el("p", { class: "small", id: "report-status", role: "status" });
    ui.error = errorCard("report-error");
    ui.list = el("div", { id: "report-list" });
    ui.count = el("span", { id: "report-count", class: "tag" });
    ui.file = el("input", { type: "file", id: "report-open", accept: ".json,application/json", class: "visually-hidden", onchange: (e) => {
      const f = e.target.files?.[0];
      if (f) openSession(f).finally(() => (e.target.value = ""));
    } });
    const toolbar = el(
      "div",
      { class: "export-row", role: "group", "aria-label": t("Session") },
      el("button", { type: "button", class: "button primary", id: "report-docx", onclick: () => downloadAll("docx") }, t("Download report (Word)")),
      el("button", { type: "button", class: "button", id: "report-xlsx", onclick: () => downloadAll("xlsx") }, t("All tables (Excel)")),
      el("button", { type: "button", class: "button", id: "report-save", onclick: saveSession }, t("Save session")),
      el("label", { for: "report-open", class: "button", id: "report-open-label" }, t("Open session…")),
      ui.file,
    );
    replaceChildren(
      root,
      panelHeader("report", t("Report"), t("Every analysis of this session, with its recipe: embed a live result in a report page, copy a link that reruns it, save the session and open it again, or download every table as one Word or Excel file.")),
      el("p", {}, t("Analyses in this session: "), ui.count),
      toolbar,
      ui.status,
      ui.error.root,
      ui.list,
    );
    if (!listening) {
      listening = true;
      session.sessionEvents.addEventListener("change", () => ui.list?.isConnected && render());
    }
    render();
  },
  show() {
    render();
  },
};
