// The common DID setup of the workbench: outcome, unit, time, how treatment is
// given (adoption-year column / treated group + post / 0-1 indicator),
// controls, fixed effects and standard errors. It is chosen once in the DID
// panel (`setupForm`), remembered in `ctx.didSetup`, announced with the
// "did-setup" event, and reused by the Event study, Staggered DID, Placebo,
// Heterogeneity, Mechanism and Robustness panels, which show it as a one-line summary
// (`setupSummary`) with a [change] link back to the DID panel.
//
// `didSpec(setup)` turns it into the engine's DidSpec:
//   { y, unit, time, start | treat + post | indicator, controls, fe: [..], vcov }
// with vcov { cluster: [col] } | { cluster: [a, b] } | "hetero" | "iid".
import { el, replaceChildren } from "./dom.js";
import { isNumericKind, columnsOf, numericColumns } from "./lib/columns.js";
import { errorCard, notesBox, numberField, field, option } from "./lib/ui.js";
import { matchUnit, matchTime, looksLikeTime } from "./lib/panel-guess.js";
import { t } from "./i18n.js";
import { errorText } from "./lib/messages.js";

export { columnsOf, numericColumns, errorCard, notesBox, numberField, field, option };

/** A sensible starting setup for the dataset (JJJ sample: the seed study's model). */
export function defaultSetup(d, panel) {
  const names = new Set(d?.columns || []);
  const pick = (...cands) => cands.find((c) => c && names.has(c)) || "";
  const cols = columnsOf(d);
  const match = (res, ok = () => true) => {
    for (const re of res) {
      const hit = cols.find((c) => re.test(c.name) && ok(c));
      if (hit) return hit.name;
    }
    return "";
  };
  // Before the Data panel has checked the panel structure, guess like it does
  // (lib/panel-guess.js: English and Chinese names; a text column for the unit, a
  // numeric one other than the unit for the time).
  const unit = pick(panel?.unit, d?.sample?.unit, "city", "province", "id", "unit") || matchUnit(cols.map((c) => c.name)) || (cols.find((c) => c.kind === "text") || {}).name || "";
  const timeOk = (c) => c.name !== unit && isNumericKind(c.kind);
  const time =
    pick(panel?.time, d?.sample?.time, "year", "time", "period") ||
    matchTime(cols.filter(timeOk).map((c) => c.name)) ||
    (cols.find((c) => c.kind === "integer" && c.name !== unit) || {}).name ||
    "";
  const setup = { y: "", unit, time, form: "start", start: "", treat: "", post: "", indicator: "", controls: [], fe: [unit, time].filter(Boolean), vcov: "cluster", cluster: unit, cluster2: time };
  if (d?.sample?.did) {
    Object.assign(setup, d.sample.did, { controls: [...(d.sample.did.controls || [])] });
  } else if (names.has("lnHDQ") && names.has("ftz_year")) {
    Object.assign(setup, { y: "lnHDQ", start: "ftz_year", indicator: pick("FTZ"), controls: ["fe", "lnstru", "urba", "fdi", "pgdp"].filter((c) => names.has(c)) });
  } else if (names.has("NQPF")) {
    Object.assign(setup, { y: "NQPF", start: pick("first_treat"), indicator: pick("DID"), controls: ["GDP", "URB"].filter((c) => names.has(c)) });
    if (!setup.start) setup.form = "indicator";
  } else {
    const free = (c) => c.kind === "integer" && c.name !== unit && c.name !== time;
    // An adoption-year column (first_treat, adopt_year, …; 0/blank = never) makes the staggered form the default.
    const start = match([/^(first_?treat|gvar|cohort)$/i, /first_?treat|adopt|(treat|policy|ftz|pilot|reform)_?year/i, /设立年份|政策年份|批复年份|试点年份/], free);
    // A 0/1 treatment column by name (did, treat, post, ftz, 自贸/试点/政策…), else no guess.
    const indicator = match([/^(did|treat(ed)?_?post|d)$/i, /did|treat|ftz|policy|pilot/i, /自贸|试点|政策|处理/], (c) => free(c) && c.name !== start);
    setup.start = start;
    setup.indicator = indicator;
    // The outcome: a continuous column first (not a dummy, the time or the treatment columns,
    // nor anything named like a time or a year).
    const yOk = (c) => c.name !== unit && c.name !== time && c.name !== indicator && c.name !== start && !looksLikeTime(c.name) && !/^(lat|lon|lng|latitude|longitude)$|经度|纬度/i.test(c.name);
    setup.y = (cols.find((c) => c.kind === "numeric" && yOk(c)) || cols.find((c) => isNumericKind(c.kind) && yOk(c)) || {}).name || "";
    setup.form = start ? "start" : "indicator";
  }
  return setup;
}

/** The setup in use: the one chosen in the DID panel, else the dataset's default. */
export function currentSetup(ctx) {
  if (ctx.didSetup && ctx.didSetup.datasetName === ctx.dataset?.name) return ctx.didSetup;
  return { ...defaultSetup(ctx.dataset, ctx.panel), datasetName: ctx.dataset?.name, isDefault: true };
}

/** The engine's DidSpec for a setup; throws an Error with a user message if incomplete. */
export function didSpec(setup) {
  const need = (v, what) => {
    if (!v) throw new Error(t("Choose {what} in the DID setup.", { what: t(what) }));
    return v;
  };
  const spec = { y: need(setup.y, "the outcome"), unit: need(setup.unit, "the unit column"), time: need(setup.time, "the time column") };
  if (setup.form === "treat_post") {
    spec.treat = need(setup.treat, "the treated-group column");
    spec.post = need(setup.post, "the post-period column");
  } else if (setup.form === "indicator") spec.indicator = need(setup.indicator, "the 0/1 treatment indicator");
  else spec.start = need(setup.start, "the adoption-year column");
  spec.controls = [...(setup.controls || [])];
  spec.fe = [...(setup.fe || [])];
  spec.vcov = vcovOf(setup);
  return spec;
}

export function vcovOf(setup) {
  switch (setup.vcov) {
    case "hetero":
      return "hetero";
    case "iid":
      return "iid";
    case "twoway":
      return { cluster: [setup.cluster, setup.cluster2] };
    default:
      return { cluster: [setup.cluster || setup.unit] };
  }
}

/** "lnHDQ ~ DID + fe + … | city + year, cluster city" */
export function describeSetup(setup) {
  const treat = setup.form === "treat_post" ? `${setup.treat}×${setup.post}` : setup.form === "indicator" ? setup.indicator : `DID(${setup.start})`;
  const rhs = [treat, ...(setup.controls || [])].join(" + ");
  const fe = (setup.fe || []).length ? ` | ${setup.fe.join(" + ")}` : "";
  const se = setup.vcov === "hetero" ? t("robust (HC1)") : setup.vcov === "iid" ? "iid" : setup.vcov === "twoway" ? t("cluster {a} + {b}", { a: setup.cluster, b: setup.cluster2 }) : t("cluster {a}", { a: setup.cluster || setup.unit });
  return `${setup.y || "?"} ~ ${rhs}${fe}, ${se}`;
}

/**
 * The compact "using: … [change]" line for the panels after DID; kept up to date
 * on "did-setup" and "dataset" events.
 */
export function setupSummary(ctx, id) {
  const code = el("code", { id: `${id}-using` });
  const note = el("span", { class: "muted small" });
  const line = el(
    "p",
    { class: "did-using", id },
    el("span", { class: "muted" }, t("using: ")),
    code,
    " ",
    note,
    el("a", { href: "#did", class: "did-change", "aria-label": t("Change the DID setup") }, t("[change]")),
  );
  const refresh = () => {
    if (!ctx.dataset) {
      code.textContent = "—";
      note.textContent = "";
      return;
    }
    const s = currentSetup(ctx);
    code.textContent = describeSetup(s);
    note.textContent = s.isDefault ? t("(default setup; choose yours in the DID panel) ") : "";
  };
  ctx.on("did-setup", refresh);
  ctx.on("dataset", refresh);
  refresh();
  return { line, refresh };
}

// ---------------------------------------------------------------- the setup form (DID panel)

/**
 * The setup form. Returns { root, read(), fill(setup), refresh(dataset) }.
 * `read()` returns the setup object (not yet validated).
 */
export function setupForm(ctx, { onchange } = {}) {
  const ui = {};
  const sel = (id, attrs = {}) => el("select", { id, onchange: () => (sync(), onchange?.()), ...attrs });
  ui.y = sel("did-y");
  ui.unit = sel("did-unit");
  ui.time = sel("did-time");
  ui.form = sel("did-form");
  replaceChildren(
    ui.form,
    option("start", t("Adoption-year column")),
    option("treat_post", t("Treated group × post (2×2)")),
    option("indicator", t("0/1 DID indicator")),
  );
  ui.start = sel("did-start");
  ui.treat = sel("did-treat");
  ui.post = sel("did-post");
  ui.indicator = sel("did-indicator");
  ui.controls = el("select", { id: "did-controls", multiple: true, size: 7, onchange: () => onchange?.() });
  ui.fe = el("select", { id: "did-fe", multiple: true, size: 4, onchange: () => onchange?.() });
  ui.vcov = sel("did-vcov");
  replaceChildren(ui.vcov, option("cluster", t("Clustered by …")), option("twoway", t("Two-way clustered")), option("hetero", t("Robust (HC1)")), option("iid", t("IID")));
  ui.cluster = sel("did-cluster");
  ui.cluster2 = sel("did-cluster2");
  const wraps = {
    start: field("did-start", t("Adoption year (blank/0 = never)"), ui.start),
    treat: field("did-treat", t("Treated group (0/1)"), ui.treat),
    post: field("did-post", t("Post period (0/1)"), ui.post),
    indicator: field("did-indicator", t("Treated × post (0/1)"), ui.indicator),
    cluster: field("did-cluster", t("Cluster"), ui.cluster),
    cluster2: field("did-cluster2", t("Second cluster"), ui.cluster2),
  };
  function sync() {
    const f = ui.form.value;
    wraps.start.hidden = f !== "start";
    wraps.treat.hidden = f !== "treat_post";
    wraps.post.hidden = f !== "treat_post";
    wraps.indicator.hidden = f !== "indicator";
    wraps.cluster.hidden = !(ui.vcov.value === "cluster" || ui.vcov.value === "twoway");
    wraps.cluster2.hidden = ui.vcov.value !== "twoway";
  }
  const root = el(
    "div",
    { class: "did-setup" },
    el(
      "div",
      { class: "did-setup-grid" },
      el("div", {}, field("did-y", t("Outcome"), ui.y), field("did-unit", t("Unit"), ui.unit), field("did-time", t("Time"), ui.time)),
      el("div", {}, field("did-form", t("Treatment given as"), ui.form), wraps.start, wraps.treat, wraps.post, wraps.indicator),
      el("div", {}, field("did-controls", t("Controls"), ui.controls)),
      el("div", {}, field("did-fe", t("Fixed effects"), ui.fe), field("did-vcov", t("Standard errors"), ui.vcov), wraps.cluster, wraps.cluster2),
    ),
    el("p", { class: "muted small" }, t("Hold Ctrl/⌘ to select several controls or fixed effects. Default: unit and time fixed effects, standard errors clustered by unit.")),
  );

  function fill(setup) {
    const d = ctx.dataset;
    const all = (d?.columns || []).slice();
    const num = numericColumns(d);
    const fillSel = (s, names, value, blank) => replaceChildren(s, blank ? option("", blank) : null, names.map((n) => option(n, n, n === value)));
    fillSel(ui.y, num, setup.y, t("— choose —"));
    fillSel(ui.unit, all, setup.unit);
    fillSel(ui.time, num, setup.time);
    ui.form.value = setup.form || "start";
    fillSel(ui.start, num, setup.start, t("— choose —"));
    fillSel(ui.treat, num, setup.treat, t("— choose —"));
    fillSel(ui.post, num, setup.post, t("— choose —"));
    fillSel(ui.indicator, num, setup.indicator, t("— choose —"));
    const ctrl = new Set(setup.controls || []);
    replaceChildren(ui.controls, num.map((n) => option(n, n, ctrl.has(n))));
    const fe = new Set(setup.fe || []);
    replaceChildren(ui.fe, all.map((n) => option(n, n, fe.has(n))));
    ui.vcov.value = setup.vcov || "cluster";
    fillSel(ui.cluster, all, setup.cluster || setup.unit);
    fillSel(ui.cluster2, all, setup.cluster2 || setup.time);
    sync();
  }

  const selected = (s) => [...s.selectedOptions].map((o) => o.value).filter(Boolean);
  function read() {
    return {
      y: ui.y.value,
      unit: ui.unit.value,
      time: ui.time.value,
      form: ui.form.value,
      start: ui.start.value,
      treat: ui.treat.value,
      post: ui.post.value,
      indicator: ui.indicator.value,
      controls: selected(ui.controls),
      fe: selected(ui.fe),
      vcov: ui.vcov.value,
      cluster: ui.cluster.value,
      cluster2: ui.cluster2.value,
      datasetName: ctx.dataset?.name,
    };
  }
  return { root, read, fill, ui };
}

// ---------------------------------------------------------------- small shared bits

/**
 * The frame of a workbench panel after DID: its header, a card with the setup's
 * "using: … [change]" line (`${prefix}-setup`) and the panel's controls, the error card
 * (`ui.error`, `${prefix}-error`) and the result card (`ui.result`, `${prefix}-result`).
 */
export function workbenchPanel(root, ctx, ui, { prefix, header, controls }) {
  ui.error = errorCard(`${prefix}-error`);
  ui.result = el("div", { class: "card did-result", id: `${prefix}-result`, hidden: true, "aria-live": "polite" });
  const using = setupSummary(ctx, `${prefix}-setup`);
  replaceChildren(root, header, el("div", { class: "card" }, using.line, controls), ui.error.root, ui.result);
  return using;
}

/** Distinct values of a column, sorted (numbers numerically), via the worker. */
export async function distinctValues(ctx, column) {
  const vals = await ctx.client.call("method", { handle: ctx.dataset.handle, method: "columnValues", args: [column] });
  const arr = Array.from(vals || []).filter((v) => v !== null && v !== "" && !(typeof v === "number" && Number.isNaN(v)));
  const uniq = [...new Set(arr)];
  return uniq.every((v) => typeof v === "number") ? uniq.sort((a, b) => a - b) : uniq.map(String).sort((a, b) => a.localeCompare(b));
}

/**
 * Runs one estimator for a workbench panel: checks that data are loaded, builds
 * the spec (`build()` throws for a settings problem, shown as such), marks the
 * previous result stale while the worker computes, ignores answers to runs that a
 * newer click superseded, and shows failures in the panel's error card.
 * `ui` needs `error` (an errorCard), `run` (the button) and `result`;
 * `onResult(res, spec)` renders a successful answer. With `busyText(spec)` and a
 * `ui.status` element, a line says what is being computed.
 */
export async function runAnalysis(ctx, ui, { fn, build, failTitle, onResult, busyText }) {
  const d = ctx.dataset;
  ui.error.clear();
  if (!d) return ui.error.show(t("No data loaded."), t("Load a file first (Data panel)."));
  let spec;
  try {
    spec = build();
  } catch (e) {
    return ui.error.show(t("Check the settings."), errorText(e));
  }
  const seq = (ui.runSeq = (ui.runSeq ?? 0) + 1);
  ui.run.disabled = true;
  if (busyText && ui.status) ui.status.textContent = busyText(spec);
  ui.result.classList.add("is-stale");
  try {
    const res = await ctx.client.call("call", { fn, handle: d.handle, args: [spec] });
    if (seq !== ui.runSeq) return;
    onResult(res, spec);
  } catch (e) {
    if (seq !== ui.runSeq) return;
    ui.error.show(failTitle, errorText(e));
    ui.result.hidden = true;
  } finally {
    if (seq === ui.runSeq) {
      ui.run.disabled = false;
      if (busyText && ui.status) ui.status.textContent = "";
      ui.result.classList.remove("is-stale");
    }
  }
}
