// Results of the index panel: the engine's tables (one renderer, exports via
// renderTable), scores by period, the ranking, charts and the row-level scores.
import { el, replaceChildren, formatNumber, downloadText, toCsv, renderTable } from "../dom.js";
import { resultTableElement, renderTableText, tableExports } from "../lib/result-table.js";
import { chartFigure, releaseCharts } from "../charts.js";
import { notesBox } from "../lib/ui.js";
import { t } from "../i18n.js";

const fin = (v) => typeof v === "number" && Number.isFinite(v);

/** The row-aligned index values of any method. */
export function indexValues(res) {
  if (res.method === "topsis") return res.closeness;
  if (res.method === "pca") return res.index;
  return res.scores;
}

// ---------------------------------------------------------------- results

function numTable(columns, data, opts) {
  return renderTable(columns, data, { className: "data-table paper-table", ...opts });
}

/** The engine's table `id` of a buildIndex result (null when absent). */
function engineTable(res, id) {
  return (res.tables || []).find((t) => t.id === id) || null;
}

/**
 * One of the result's tables as DOM (the one renderer), with classes on the cells of
 * the named columns and a data attribute on each row holding its stub label.
 */
function indexTableElement(table, id, { classes = {}, rowKey } = {}) {
  const t = resultTableElement({ ...table, title: "" }, { id });
  const byCol = table.columns.map((c) => classes[c.label] || null);
  for (const tr of t.tBodies[0].rows) {
    [...tr.cells].forEach((td, j) => byCol[j] && td.classList.add(byCol[j]));
    if (rowKey) tr.dataset[rowKey] = tr.cells[0].textContent;
  }
  return t;
}

function weightsTable(res) {
  return indexTableElement(engineTable(res, "index.weights"), "idx-weights", {
    classes: { Weight: "idx-w", "Within dimension": "idx-wd", Entropy: "idx-entropy" },
    rowKey: "indicator",
  });
}

function dimensionsTable(res) {
  return indexTableElement(engineTable(res, "index.dimensions"), "idx-dimensions", { rowKey: "dimension" });
}

function pcaBlock(res) {
  const eig = indexTableElement(engineTable(res, "index.pca.components"), "idx-eigen");
  const load = indexTableElement(engineTable(res, "index.pca.loadings"), "idx-loadings", { rowKey: "indicator" });
  const b = res.bartlett || {};
  const fact = (label, id, value, decimals = 4, integer = false) =>
    [el("dt", {}, label), el("dd", { id, dataset: { value: fin(value) ? String(value) : "" } }, integer ? formatNumber(value, 0, { integer: true }) : formatNumber(value, decimals))];
  return el(
    "div",
    { class: "card", id: "idx-pca" },
    el("div", { class: "card-head" }, el("h3", {}, t("PCA: components and sampling adequacy"))),
    el(
      "dl",
      { class: "facts idx-pca-facts" },
      fact("KMO", "idx-kmo", res.kmo),
      fact(t("Bartlett χ²"), "idx-bartlett-chi2", b.chi2, 3),
      fact(t("Bartlett df"), "idx-bartlett-df", b.df, 0, true),
      [el("dt", {}, t("Bartlett p")), el("dd", { id: "idx-bartlett-p", dataset: { value: fin(b.p_value) ? String(b.p_value) : "" } }, fin(b.p_value) && b.p_value < 1e-4 ? "< 0.0001" : formatNumber(b.p_value, 4))],
      fact(t("Components retained"), "idx-pca-ncomp", res.n_components, 0, true),
    ),
    el("div", { class: "grid-2 idx-pca-grid" }, el("div", { class: "table-scroll paper" }, eig), el("div", { class: "table-scroll paper" }, load)),
    el("p", { class: "table-note" }, t("Indicators standardised with the sample SD (cost indicators reversed); components with eigenvalue > 1 are retained unless a number is chosen; each eigenvector is oriented so that its coefficients sum to a positive number; index = Σ (λₖ / Σ retained λ) · component score.")),
  );
}

/** Mean/min/max of the index per period, and mean per unit. */
function summaries(values, labels) {
  const byTime = new Map();
  const byUnit = new Map();
  values.forEach((v, i) => {
    if (!fin(v)) return;
    if (labels.time) {
      const t = labels.time[i];
      if (!byTime.has(t)) byTime.set(t, []);
      byTime.get(t).push(v);
    }
    if (labels.unit) {
      const u = labels.unit[i];
      if (!byUnit.has(u)) byUnit.set(u, []);
      byUnit.get(u).push(v);
    }
  });
  const stats = (xs) => ({ n: xs.length, mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) });
  const numericTimes = [...byTime.keys()].every((t) => t !== "" && Number.isFinite(Number(t)));
  const times = [...byTime.keys()].sort((a, b) => (numericTimes ? Number(a) - Number(b) : String(a).localeCompare(String(b))));
  const timeRows = times.map((t) => ({ time: t, ...stats(byTime.get(t)) }));
  const unitRows = [...byUnit.entries()].map(([u, xs]) => ({ unit: u, ...stats(xs) })).sort((a, b) => b.mean - a.mean);
  unitRows.forEach((r, i) => (r.rank = i + 1));
  return { timeRows, unitRows, numericTimes, times };
}

async function chart(client, kind, data, options) {
  try {
    return await client.call("call", { fn: "chart", args: [kind, data, options] });
  } catch {
    return null;
  }
}

const MAX_SCORE_ROWS = 2000;
const MAX_LINES = 15;

/**
 * Renders a buildIndex result (`last` = { res, spec, dataset, labels, unitName, timeName })
 * into `target`: summary and notes, the engine's tables (weights, dimensions or PCA),
 * scores by period and ranking with charts, and the row-level scores.
 */
export async function renderIndexResults(last, { client, target, methods, addBlock }) {
  const { res, labels, dataset: d } = last;
  const values = indexValues(res);
  const methodLabel = methods[res.method] || res.method;
  const weighted = res.method !== "pca";
  releaseCharts(target);
  const parts = [];

  // notes: missing values, dropped rows, diagnostics
  const notes = (res.diagnostics || []).map((d) => d.message);
  for (const m of res.missing || []) notes.push(t(m.count === 1 ? "{name}: {n} missing value." : "{name}: {n} missing values.", { name: m.indicator, n: m.count }));
  if (res.dropped_rows?.length) notes.push(t(res.dropped_rows.length === 1 ? "{n} row left out (its index is missing)." : "{n} rows left out (their index is missing).", { n: res.dropped_rows.length }));
  const notesList = notesBox("idx-notes", notes);

  const scopeText = last.spec.scope === "by_time" ? t("normalised and weighted within each {time} (weights shown are means over periods)", { time: last.timeName }) : t("pooled over all rows");
  parts.push(
    el(
      "div",
      { class: "card idx-summary" },
      el("div", { class: "card-head" }, el("h3", {}, t("{method}: {n} rows used", { method: methodLabel, n: formatNumber(res.n_used, 0, { integer: true }) })), el("span", { class: "muted" }, d.name)),
      el("p", { class: "muted small" }, res.method === "pca" ? t("Standardised indicators; principal-component composite.") : t("Min–max normalisation (cost indicators reversed) + shift {shift}, {scope}{x100}.", { shift: last.spec.shift ?? 1e-4, scope: scopeText, x100: last.spec.scale100 ? t("; scores ×100") : "" })),
      notesList,
      addBlock(res),
    ),
  );

  if (weighted) {
    // Full-precision CSV of the weights table, rendered by the engine from the same object.
    const wCsv = async () => downloadText(`index_weights_${res.method}.csv`, await renderTableText(client, engineTable(res, "index.weights"), { format: "csv", digits: 12 }));
    const bar = await chart(client, "bar", { labels: res.weights.map((w) => w.indicator), values: res.weights.map((w) => w.weight) }, { title: t("{method}: indicator weights", { method: methodLabel }), sorted: true, y_label: t("Weight"), width: 720, height: 420 });
    parts.push(
      el(
        "div",
        { class: "card" },
        el("div", { class: "card-head" }, el("h3", {}, t("Weights")), el("button", { type: "button", class: "button", id: "idx-weights-csv", onclick: wCsv }, t("Download weights CSV"))),
        el(
          "div",
          { class: "idx-weights-grid" },
          el("div", {}, el("div", { class: "table-scroll paper" }, weightsTable(res)), tableExports(engineTable(res, "index.weights"), client, { basename: `index_weights_${res.method}` }), res.dimensions?.length ? el("h4", { class: "idx-sub" }, t("Dimensions")) : null, res.dimensions?.length ? el("div", { class: "table-scroll paper" }, dimensionsTable(res)) : null),
          bar ? chartFigure(bar, { filename: `index_weights_${res.method}`, caption: t("Indicator weights") }) : null,
        ),
      ),
    );
  } else {
    parts.push(pcaBlock(res));
  }

  // by period, ranking, line chart
  const s = summaries(values, labels);
  if (s.timeRows.length || s.unitRows.length) {
    const tt = numTable(
      [
        { key: "time", label: last.timeName || t("Period") },
        { key: "n", label: "N", numeric: true, integer: true },
        { key: "mean", label: t("Mean"), numeric: true, decimals: 4 },
        { key: "min", label: t("Min"), numeric: true, decimals: 4 },
        { key: "max", label: t("Max"), numeric: true, decimals: 4 },
      ],
      s.timeRows,
      { rowHeader: true },
    );
    tt.id = "idx-by-time";
    const rt = numTable(
      [
        { key: "rank", label: t("Rank"), numeric: true, integer: true },
        { key: "unit", label: last.unitName || t("Unit") },
        { key: "mean", label: t("Mean index"), numeric: true, decimals: 4 },
        { key: "n", label: "N", numeric: true, integer: true },
      ],
      s.unitRows,
    );
    rt.id = "idx-ranking";
    let line = null;
    if (labels.unit && labels.time) {
      const shown = s.unitRows.slice(0, MAX_LINES).map((r) => r.unit);
      const tIndex = new Map(s.times.map((t, i) => [t, i]));
      const series = shown.map((u) => {
        const pts = [];
        values.forEach((v, i) => {
          if (labels.unit[i] === u && fin(v)) pts.push([s.numericTimes ? Number(labels.time[i]) : tIndex.get(labels.time[i]), v]);
        });
        pts.sort((a, b) => a[0] - b[0]);
        return { label: String(u), xs: pts.map((p) => p[0]), ys: pts.map((p) => p[1]) };
      });
      const svg = await chart(client, "line", series, { title: t("{method} index over time", { method: methodLabel }), x_label: last.timeName, y_label: t("Index"), width: 760, height: 440, max_legend: MAX_LINES });
      if (svg) line = chartFigure(svg, { filename: `index_over_time_${res.method}`, caption: s.unitRows.length > MAX_LINES ? t("Index over time: the {n} highest-ranked of {total} units", { n: MAX_LINES, total: s.unitRows.length }) : t("Index over time by unit") });
    }
    parts.push(
      el(
        "div",
        { class: "card" },
        el("div", { class: "card-head" }, el("h3", {}, t("Scores by period and ranking"))),
        el(
          "div",
          { class: "idx-summary-grid" },
          s.timeRows.length ? el("div", {}, el("h4", { class: "idx-sub" }, `By ${last.timeName}`), el("div", { class: "table-scroll paper" }, tt)) : null,
          s.unitRows.length ? el("div", {}, el("h4", { class: "idx-sub" }, t("Ranking of {unit} (mean over periods)", { unit: last.unitName })), el("div", { class: "table-scroll paper idx-ranking-wrap" }, rt)) : null,
        ),
        line,
      ),
    );
  }

  // row-level scores
  const dims = weighted ? res.dimensions || [] : [];
  const scoreCols = [
    { key: "row", label: t("Row"), numeric: true, integer: true, className: "rownum" },
    labels.unit ? { key: "unit", label: last.unitName } : null,
    labels.time ? { key: "time", label: last.timeName } : null,
    { key: "score", label: res.method === "topsis" ? t("Closeness") : t("Index"), numeric: true, decimals: 4, className: "idx-score" },
    ...dims.map((dm, k) => ({ key: `d${k}`, label: dm.dimension, numeric: true, decimals: 4 })),
  ].filter(Boolean);
  const n = Math.min(values.length, MAX_SCORE_ROWS);
  const scoreRows = [];
  for (let i = 0; i < n; i++) {
    const o = { row: i + 1, unit: labels.unit?.[i], time: labels.time?.[i], score: values[i] };
    dims.forEach((dm, k) => (o[`d${k}`] = dm.scores[i]));
    scoreRows.push(o);
  }
  const st = numTable(scoreCols, scoreRows, { className: "data-table" });
  st.id = "idx-scores";
  const scoresCsv = () => {
    const head = ["row", labels.unit ? last.unitName : null, labels.time ? last.timeName : null, res.method === "topsis" ? "closeness" : "index", ...dims.map((dm) => dm.dimension)].filter(Boolean);
    const out = values.map((v, i) => [i + 1, ...(labels.unit ? [labels.unit[i]] : []), ...(labels.time ? [labels.time[i]] : []), fin(v) ? v : "", ...dims.map((dm) => (fin(dm.scores[i]) ? dm.scores[i] : ""))]);
    downloadText(`index_scores_${res.method}.csv`, toCsv(head, out));
  };
  parts.push(
    el(
      "div",
      { class: "card" },
      el("div", { class: "card-head" }, el("h3", {}, t("Scores (row by row)")), el("button", { type: "button", class: "button", id: "idx-scores-csv", onclick: scoresCsv }, t("Download scores CSV"))),
      el(
        "details",
        { class: "idx-scores-details" },
        el("summary", {}, values.length > MAX_SCORE_ROWS ? t("Show the first {n} of {total} rows", { n: MAX_SCORE_ROWS, total: values.length }) : t("Show all {total} rows", { total: values.length })),
        el("div", { class: "table-scroll" }, st),
      ),
    ),
  );
  replaceChildren(target, parts);
  target.hidden = false;
}
