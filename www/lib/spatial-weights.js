// The weight matrix W shared by the spatial panels. It is chosen once in the Weights panel
// (`weightsForm`), remembered in `ctx.spatialWeights`, announced with the "spatial-weights"
// event, and reused by the Moran and Spatial models panels (`weightsSpec(ctx)` gives the
// engine's spec, `weightsSummaryText` a one-line description).
//
// Engine specs (src/estimators/spatial/weights/spec.rs):
//   { kind: "inverse_distance", power, cutoff?, unit, lat, lon | x, y, standardise, allow_islands }
//   { kind: "knn", k, … }  { kind: "distance_band", lower?, upper, … }
//   { kind: "economic_distance", unit, column }
//   { kind: "contiguity", unit, neighbors: { $dataset: handle }, from, to }
//   { kind: "geojson", geojson: Uint8Array, id, rule: "queen" | "rook" }
//   { kind: "matrix", unit, matrix: { $dataset: handle } }
// A neighbour list or an uploaded matrix is loaded into the worker as a second dataset; the
// worker replaces `{ $dataset: handle }` by that Dataset object (www/worker.js).
import { el, replaceChildren } from "../dom.js";
import { columnsOf, numericColumns } from "./columns.js";
import { field, option } from "./ui.js";
import { t } from "../i18n.js";

export const WEIGHT_KINDS = [
  ["inverse_distance", "Inverse distance 1/dᵖ (coordinates)"],
  ["knn", "k nearest neighbours (coordinates)"],
  ["distance_band", "Distance band (coordinates)"],
  ["contiguity", "Contiguity from a neighbour list (CSV of from,to pairs)"],
  ["geojson", "Contiguity from GeoJSON polygons"],
  ["economic_distance", "Economic distance 1/|m_i − m_j|"],
  ["matrix", "Uploaded matrix (CSV)"],
];

const COORDS = new Set(["inverse_distance", "knn", "distance_band"]);
const pickName = (names, patterns) => {
  for (const re of patterns) {
    const hit = names.find((n) => re.test(n));
    if (hit) return hit;
  }
  return "";
};

/** A starting W for a dataset: the sample's, else coordinates if the columns look like them. */
export function defaultWeights(d, unit) {
  const names = (d?.columns || []).slice();
  const lat = pickName(names, [/^(lat|latitude)$/i, /纬度/]);
  const lon = pickName(names, [/^(lon|lng|long|longitude)$/i, /经度/]);
  const x = pickName(names, [/^(x|x_?coord|easting)$/i]);
  const y = pickName(names, [/^(y|y_?coord|northing)$/i]);
  const base = { kind: "inverse_distance", power: 2, unit, coords: lat && lon ? "geographic" : "planar", lat, lon, x, y, k: 4, cutoff: "", lower: "", upper: "", column: "", standardise: "row", allow_islands: false, from: "", to: "", id: "", rule: "queen" };
  const s = d?.sample?.weights;
  if (s) return { ...base, ...s, coords: s.lat ? "geographic" : "planar" };
  if (!(lat && lon) && x && y) base.kind = "knn";
  return base;
}

/** The W choice in use for the current dataset. */
export function currentWeights(ctx, unit) {
  const w = ctx.spatialWeights;
  if (w && w.datasetName === ctx.dataset?.name) return w;
  return { ...defaultWeights(ctx.dataset, unit ?? ctx.panel?.unit ?? ctx.dataset?.sample?.unit ?? ""), datasetName: ctx.dataset?.name, files: {}, isDefault: true };
}

const need = (v, what) => {
  if (v === undefined || v === null || v === "") throw new Error(t("Choose {what} for the weight matrix (Weights panel).", { what: t(what) }));
  return v;
};
const num = (v, what, { integer = false, positive = true } = {}) => {
  const x = Number(v);
  if (v === "" || !Number.isFinite(x) || (integer && !Number.isInteger(x)) || (positive && x <= 0)) throw new Error(t(integer ? "{what} must be a whole positive number." : "{what} must be a positive number.", { what }));
  return x;
};

/** Loads a second file (neighbour list, matrix) into the worker again after a restart. */
async function ensureLoaded(ctx, file) {
  if (file.handle && file.generation === ctx.client.generation) return file.handle;
  const summary = await ctx.client.call("load", { bytes: file.bytes.slice(), options: { filename: file.name } });
  Object.assign(file, { handle: summary.handle, generation: ctx.client.generation, columns: summary.columns });
  return summary.handle;
}

/** The engine's weight-matrix spec (async: may reload an uploaded file); throws a user-facing Error. */
export async function weightsSpec(ctx, w = currentWeights(ctx)) {
  const spec = { kind: w.kind, unit: need(w.unit, "the unit column"), standardise: w.standardise || "row" };
  if (w.allow_islands) spec.allow_islands = true;
  if (COORDS.has(w.kind)) {
    if (w.coords === "geographic") Object.assign(spec, { lat: need(w.lat, "the latitude column"), lon: need(w.lon, "the longitude column") });
    else Object.assign(spec, { x: need(w.x, "the x coordinate column"), y: need(w.y, "the y coordinate column") });
  }
  if (w.kind === "inverse_distance") {
    spec.power = Number(w.power) || 1;
    if (w.cutoff !== "" && w.cutoff !== undefined) spec.cutoff = num(w.cutoff, t("The cutoff"));
  } else if (w.kind === "knn") spec.k = num(w.k, "k", { integer: true });
  else if (w.kind === "distance_band") {
    spec.upper = num(w.upper, t("The band's upper bound"));
    if (w.lower !== "" && w.lower !== undefined) spec.lower = num(w.lower, t("The band's lower bound"), { positive: false });
  } else if (w.kind === "economic_distance") spec.column = need(w.column, "the economic variable");
  else if (w.kind === "contiguity") {
    const f = w.files?.neighbors;
    if (!f) throw new Error(t("Upload the neighbour list (a CSV with one row per link: from, to) in the Weights panel."));
    spec.neighbors = { $dataset: await ensureLoaded(ctx, f) };
    spec.from = need(w.from, "the neighbour list's “from” column");
    spec.to = need(w.to, "the neighbour list's “to” column");
  } else if (w.kind === "geojson") {
    const f = w.files?.geojson;
    if (!f) throw new Error(t("Upload the GeoJSON file of the units' polygons in the Weights panel."));
    delete spec.unit;
    Object.assign(spec, { geojson: f.bytes.slice(), id: need(w.id, t("the GeoJSON property naming the units")), rule: w.rule || "queen" });
  } else if (w.kind === "matrix") {
    const f = w.files?.matrix;
    if (!f) throw new Error(t("Upload the weight matrix (CSV: first column the unit ids, one column per unit) in the Weights panel."));
    spec.matrix = { $dataset: await ensureLoaded(ctx, f) };
  }
  return spec;
}

/** One line saying which W is in use. */
export function weightsSummaryText(w) {
  const label = (WEIGHT_KINDS.find(([k]) => k === w.kind) || [w.kind, w.kind])[1];
  const labelText = t(label);
  const coords = COORDS.has(w.kind) ? (w.coords === "geographic" ? t(" on {lat}/{lon} (great-circle km)", { lat: w.lat, lon: w.lon }) : t(" on {x}/{y}", { x: w.x, y: w.y })) : "";
  const extra = w.kind === "inverse_distance" ? t(", power {p}", { p: w.power }) + (w.cutoff ? t(", cutoff {c}", { c: w.cutoff }) : "") : w.kind === "knn" ? `, k = ${w.k}` : w.kind === "economic_distance" ? `, ${w.column}` : "";
  const std = { row: "row-standardised", none: "not standardised", minmax: "min-max normalised", spectral: "spectral normalised" }[w.standardise];
  return t("{label}{coords}{extra}; units {unit}; {std}", { label: labelText, coords, extra, unit: w.unit || "—", std: std ? t(std) : w.standardise });
}

/** A file input whose bytes are kept in `w.files[key]`. */
function fileField(id, label, accept, onfile) {
  const input = el("input", { type: "file", id, accept });
  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    if (file) onfile({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
  });
  return field(id, label, input);
}

/**
 * The Weights panel's form. `onchange(w)` is called with the new choice (also stored in
 * ctx.spatialWeights and announced as "spatial-weights").
 */
export function weightsForm(ctx, { onchange } = {}) {
  const ui = {};
  const sel = (id) => el("select", { id });
  const input = (id, attrs = {}) => el("input", { id, ...attrs });
  ui.kind = sel("sw-kind");
  ui.unit = sel("sw-unit");
  ui.coords = sel("sw-coords");
  ui.lat = sel("sw-lat");
  ui.lon = sel("sw-lon");
  ui.x = sel("sw-x");
  ui.y = sel("sw-y");
  ui.power = sel("sw-power");
  ui.cutoff = input("sw-cutoff", { type: "number", min: "0", step: "any", placeholder: t("none") });
  ui.k = input("sw-k", { type: "number", min: "1", step: "1" });
  ui.lower = input("sw-lower", { type: "number", min: "0", step: "any", placeholder: "0" });
  ui.upper = input("sw-upper", { type: "number", min: "0", step: "any" });
  ui.column = sel("sw-column");
  ui.from = sel("sw-from");
  ui.to = sel("sw-to");
  ui.id = input("sw-id", { type: "text", placeholder: t("e.g. code") });
  ui.rule = sel("sw-rule");
  ui.standardise = sel("sw-standardise");
  ui.islands = input("sw-islands", { type: "checkbox" });
  let files = {};

  const groups = {
    coords: el("div", { class: "did-inline" }, field("sw-coords", t("Coordinates"), ui.coords), field("sw-lat", t("Latitude"), ui.lat, { wrapId: "sw-lat-wrap" }), field("sw-lon", t("Longitude"), ui.lon, { wrapId: "sw-lon-wrap" }), field("sw-x", "x", ui.x, { wrapId: "sw-x-wrap" }), field("sw-y", "y", ui.y, { wrapId: "sw-y-wrap" })),
    inverse_distance: el("div", { class: "did-inline" }, field("sw-power", t("Power p"), ui.power), field("sw-cutoff", t("Cutoff distance (km or coordinate units)"), ui.cutoff)),
    knn: el("div", { class: "did-inline" }, field("sw-k", t("Neighbours k"), ui.k)),
    distance_band: el("div", { class: "did-inline" }, field("sw-lower", t("From distance"), ui.lower), field("sw-upper", t("To distance"), ui.upper)),
    economic_distance: el("div", { class: "did-inline" }, field("sw-column", t("Economic variable (mean over all periods)"), ui.column)),
    contiguity: el("div", { class: "did-inline" }, fileField("sw-neighbors", t("Neighbour list (CSV)"), ".csv,.tsv,.txt", (f) => setFile("neighbors", f)), field("sw-from", t("From"), ui.from), field("sw-to", t("To"), ui.to)),
    geojson: el("div", { class: "did-inline" }, fileField("sw-geojson", t("GeoJSON polygons"), ".geojson,.json", (f) => setFile("geojson", f)), field("sw-id", t("Property naming the units"), ui.id), field("sw-rule", t("Rule"), ui.rule)),
    matrix: el("div", { class: "did-inline" }, fileField("sw-matrix", t("Matrix (CSV)"), ".csv,.tsv,.txt,.xlsx", (f) => setFile("matrix", f))),
  };

  async function setFile(key, f) {
    files = { ...files, [key]: f };
    if (key === "neighbors") {
      try {
        await ensureLoaded(ctx, f);
        const cols = f.columns || [];
        replaceChildren(ui.from, cols.map((c, i) => option(c, c, i === 0)));
        replaceChildren(ui.to, cols.map((c, i) => option(c, c, i === 1)));
      } catch (e) {
        replaceChildren(ui.from);
        replaceChildren(ui.to);
        ctx.emit?.("spatial-weights-error", e);
      }
    }
    changed();
  }

  function read() {
    return {
      kind: ui.kind.value,
      unit: ui.unit.value,
      coords: ui.coords.value,
      lat: ui.lat.value,
      lon: ui.lon.value,
      x: ui.x.value,
      y: ui.y.value,
      power: ui.power.value,
      cutoff: ui.cutoff.value,
      k: ui.k.value,
      lower: ui.lower.value,
      upper: ui.upper.value,
      column: ui.column.value,
      from: ui.from.value,
      to: ui.to.value,
      id: ui.id.value.trim(),
      rule: ui.rule.value,
      standardise: ui.standardise.value,
      allow_islands: ui.islands.checked,
      files,
      datasetName: ctx.dataset?.name,
    };
  }

  function sync() {
    const kind = ui.kind.value;
    for (const [k, g] of Object.entries(groups)) g.hidden = k === "coords" ? !COORDS.has(kind) : k !== kind;
    const geo = ui.coords.value === "geographic";
    for (const id of ["sw-lat-wrap", "sw-lon-wrap"]) groups.coords.querySelector(`#${id}`).hidden = !geo;
    for (const id of ["sw-x-wrap", "sw-y-wrap"]) groups.coords.querySelector(`#${id}`).hidden = geo;
  }

  function changed() {
    sync();
    ctx.spatialWeights = read();
    ctx.emit?.("spatial-weights", ctx.spatialWeights);
    onchange?.(ctx.spatialWeights);
  }

  /** Fills the selects for the dataset, keeping the current choice where it still applies. */
  function fill(d) {
    const w = currentWeights(ctx);
    files = w.files || {};
    const names = columnsOf(d).map((c) => c.name);
    const nums = numericColumns(d);
    const opts = (list, value, blank = false) => [blank ? option("", t("— choose —")) : null, ...list.map((n) => option(n, n, n === value))].filter(Boolean);
    replaceChildren(ui.kind, WEIGHT_KINDS.map(([k, label]) => option(k, t(label), k === w.kind)));
    replaceChildren(ui.unit, opts(names, w.unit, !w.unit));
    replaceChildren(ui.coords, option("geographic", t("Latitude / longitude (degrees)"), w.coords === "geographic"), option("planar", t("Planar x / y"), w.coords !== "geographic"));
    replaceChildren(ui.lat, opts(nums, w.lat, !w.lat));
    replaceChildren(ui.lon, opts(nums, w.lon, !w.lon));
    replaceChildren(ui.x, opts(nums, w.x, !w.x));
    replaceChildren(ui.y, opts(nums, w.y, !w.y));
    replaceChildren(ui.power, option("1", "1 (1/d)", String(w.power) === "1"), option("2", "2 (1/d²)", String(w.power) !== "1"));
    ui.cutoff.value = w.cutoff ?? "";
    ui.k.value = String(w.k ?? 4);
    ui.lower.value = w.lower ?? "";
    ui.upper.value = w.upper ?? "";
    replaceChildren(ui.column, opts(nums, w.column, !w.column));
    ui.id.value = w.id || "";
    replaceChildren(ui.rule, option("queen", t("Queen (a shared point)"), w.rule !== "rook"), option("rook", t("Rook (a shared edge)"), w.rule === "rook"));
    replaceChildren(
      ui.standardise,
      option("row", t("Row-standardised (rows sum to 1)"), w.standardise === "row"),
      option("none", t("As built (no scaling)"), w.standardise === "none"),
      option("minmax", t("Min-max normalised"), w.standardise === "minmax"),
      option("spectral", t("Spectral normalised"), w.standardise === "spectral"),
    );
    ui.islands.checked = Boolean(w.allow_islands);
    ctx.spatialWeights = { ...w, ...read(), isDefault: w.isDefault };
    sync();
  }

  for (const c of Object.values(ui)) c.addEventListener?.("change", changed);
  const root = el(
    "div",
    { class: "spatial-weights-form" },
    el("div", { class: "did-inline" }, field("sw-kind", t("Weight matrix"), ui.kind), field("sw-unit", t("Unit column"), ui.unit), field("sw-standardise", t("Scaling"), ui.standardise)),
    ...Object.values(groups),
    el("label", { class: "check did-check", for: "sw-islands" }, ui.islands, t("Keep units without neighbours (islands) as zero rows")),
  );
  return { root, fill, read };
}
