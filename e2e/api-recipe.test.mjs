// Recipes through the public JS API in a real page: every analysis kind's `result.recipe`,
// saved as JSON text and given to quasi.runRecipe, reproduces the result bit for bit (every
// number compared by its IEEE-754 bits, -0 and NaN included); other data are refused with a
// message, accepted with { accept_different_data: true } and noted in the diagnostics.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSession } from "./harness.mjs";

let s;
let page;
before(async () => {
  s = await startSession();
  page = (await s.newPage("/?sample=none")).page;
  await page.evaluate(async () => {
    const quasi = await import("/pkg/quasi.js");
    await quasi.default();
    window.quasi = quasi;
    const load = async (url, filename) => quasi.Dataset.fromBytes(new Uint8Array(await (await fetch(url)).arrayBuffer()), { filename });
    window.data = {
      jjj: await load("/tests/fixtures/jjj_cities.csv", "jjj_cities.csv"),
      mpdta: await load("/tests/fixtures/mpdta.csv", "mpdta.csv"),
      lalonde: await load("/tests/fixtures/lalonde.csv", "lalonde.csv"),
      prov: await load("/tests/fixtures/spatial/provinces_spatial.csv", "provinces_spatial.csv"),
      columbus: await load("/tests/fixtures/spatial/columbus.csv", "columbus.csv"),
      nb: await load("/tests/fixtures/spatial/columbus_neighbors.csv", "columbus_neighbors.csv"),
    };
    // A canonical text of a value in which every number is its float64 bit pattern.
    const bits = (x) => {
      const v = new DataView(new ArrayBuffer(8));
      v.setFloat64(0, x);
      return `f${v.getBigUint64(0).toString(16)}`;
    };
    window.canon = (v) => {
      if (typeof v === "number") return bits(v);
      if (typeof v === "bigint") return `i${v}`;
      if (v instanceof Map) return window.canon(Object.fromEntries(v));
      if (ArrayBuffer.isView(v)) return window.canon(Array.from(v));
      if (Array.isArray(v)) return `[${v.map(window.canon).join(",")}]`;
      if (v && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${window.canon(v[k])}`).join(",")}}`;
      return JSON.stringify(v);
    };
  });
});
after(async () => s?.close());

/** Runs quasi[kind](data[set], spec), then runRecipe on the saved recipe; compares bit for bit. */
const roundTrip = (set, kind, spec) =>
  page.evaluate(
    ({ set, kind, spec }) => {
      const q = window.quasi;
      const ds = window.data[set];
      const resolve = (v) => (v === "$nb" ? window.data.nb : v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)])) : v);
      const first = q[kind](ds, resolve(spec));
      const saved = JSON.stringify(first.recipe);
      const again = q.runRecipe(ds, JSON.parse(saved));
      return {
        same: window.canon(first) === window.canon(again),
        kind: first.recipe.kind,
        columns: first.recipe.columns,
        sha: first.recipe.data_sha256,
        seed: first.recipe.seed,
        version: first.recipe.quasi_version === q.version(),
        tables: Array.isArray(first.tables) ? first.tables.length : -1,
      };
    },
    { set, kind, spec },
  );

const DID = { y: "lnHDQ", unit: "city", time: "year", start: "ftz_year", controls: ["pgdp", "fdi"] };
const MP = { y: "lemp", unit: "countyreal", time: "year", start: "first_treat" };
const IND = [["firms_per_10k", 1], ["new_firm_capital", 1], ["exit_rate", -1], ["patents_per_10k", 1]].map(([name, direction]) => ({ name, direction }));
const IDW = { kind: "inverse_distance", power: 2, unit: "province", lat: "lat", lon: "lon" };
const PSM = { formula: "treat ~ age + educ + married + nodegree + re74 + re75", outcome: "re78" };

const CASES = [
  ["jjj", "did", DID],
  ["jjj", "eventStudy", { ...DID, window: [-5, 5] }],
  ["jjj", "placebo", { ...DID, kind: "permute_units", reps: 200, seed: 11 }],
  ["jjj", "wildBootstrap", { ...DID, reps: 199, seed: 3 }],
  ["jjj", "mediation", { ...DID, mediator: "urba", bootstrap: 99, seed: 4 }],
  ["jjj", "heterogeneity", { ...DID, group: "province" }],
  ["jjj", "robustness", { base: DID, checks: [{ label: "no 2020", exclude_years: [2020] }] }],
  ["jjj", "psmDid", { unit: "city", time: "year", y: "lnHDQ", start: "ftz_year", covariates: ["pgdp", "fdi", "urba"] }],
  ["jjj", "feols", { formula: "lnHDQ ~ FTZ + log(pgdp) | city + year", vcov: { cluster: ["city"] } }],
  ["jjj", "buildIndex", { method: "entropy", indicators: IND, scope: "pooled", time: "year" }],
  ["jjj", "locationQuotient", { unit: "city", time: "year", sectors: ["firms_per_10k", "new_firm_capital"] }],
  ["jjj", "hhi", { unit: "city", time: "year", sectors: ["firms_per_10k", "new_firm_capital"] }],
  ["jjj", "theil", { unit: "city", time: "year", output_sectors: ["patents_per_10k", "trademarks_per_10k"], employment_sectors: ["firms_per_10k", "firm_density"] }],
  ["mpdta", "csdid", { ...MP, bootstrap: { reps: 99, seed: 7 } }],
  ["mpdta", "baconDecomposition", MP],
  ["mpdta", "staggeredCompare", MP],
  ["mpdta", "honestDid", { ...MP, base_period: "universal", event_time: 0, m_bar: [0.5, 1] }],
  ["mpdta", "sunab", MP],
  ["mpdta", "did2s", MP],
  ["mpdta", "didImputation", MP],
  ["lalonde", "psm", PSM],
  ["prov", "moran", { y: "y", weights: IDW, time: "year", period: 2011, permutations: 99, seed: 1 }],
  ["prov", "lisa", { y: "y", weights: IDW, time: "year", period: 2011, permutations: 99, seed: 1 }],
  ["prov", "lmTests", { formula: "y ~ DID + INN", weights: IDW, unit: "province", time: "year", fe: "twoways" }],
  ["prov", "spatialModel", { model: "sdm", formula: "y ~ DID + INN + URB", weights: IDW, unit: "province", time: "year", fe: "twoways", impacts: { draws: 200, seed: 3 } }],
  ["prov", "spatialDid", { y: "y", unit: "province", time: "year", start: "ftz_year", controls: ["INN"], weights: IDW, fe: "twoways", impacts: { draws: 100, seed: 1 } }],
  ["columbus", "spatialModel", { model: "sar", formula: "CRIME ~ INC + HOVAL", weights: { kind: "contiguity", unit: "POLYID", neighbors: "$nb", from: "from", to: "to" } }],
];

for (const [set, kind, spec] of CASES) {
  test(`runRecipe reproduces ${kind} on ${set} bit for bit`, async () => {
    const r = await roundTrip(set, kind, spec);
    assert.equal(r.kind, kind);
    assert.ok(r.same, `${kind}: the rerun differs from the original`);
    assert.match(r.sha, /^[0-9a-f]{64}$/);
    assert.ok(r.columns.length > 0);
    assert.ok(r.version);
    if (spec.seed !== undefined) assert.equal(r.seed, spec.seed);
  });
}

test("runRecipe on psmCompare (an array of specs) and with a prebuilt SpatialWeights object", async () => {
  const out = await page.evaluate((PSM) => {
    const q = window.quasi;
    const a = q.psmCompare(window.data.lalonde, [PSM, { ...PSM, method: "kernel" }]);
    const b = q.runRecipe(window.data.lalonde, JSON.parse(JSON.stringify(a.recipe)));
    const W = q.spatialWeights(window.data.columbus, { kind: "contiguity", unit: "POLYID", neighbors: window.data.nb, from: "from", to: "to" });
    const m1 = q.spatialModel(window.data.columbus, { model: "sem", formula: "CRIME ~ INC + HOVAL", weights: W });
    const m2 = q.runRecipe(window.data.columbus, JSON.parse(JSON.stringify(m1.recipe)));
    return { compare: window.canon(a) === window.canon(b), weights: window.canon(m1) === window.canon(m2), inline: typeof m1.recipe.spec.weights.neighbors === "object" && Array.isArray(m1.recipe.spec.weights.neighbors.columns) };
  }, PSM);
  assert.ok(out.compare, "psmCompare reruns bit for bit");
  assert.ok(out.weights, "a model on a SpatialWeights object reruns from its recipe");
  assert.ok(out.inline, "the neighbour list is written into the recipe");
});

test("runRecipe refuses other data with a message, runs them on request with a typed diagnostic", async () => {
  const out = await page.evaluate((DID) => {
    const q = window.quasi;
    const r = q.did(window.data.jjj, DID);
    const csv = window.data.jjj.toCsv().split(/\r?\n/);
    const header = csv[0].split(",");
    const j = header.indexOf("lnHDQ");
    if (j < 0) throw new Error("no lnHDQ column in the CSV");
    const row = csv[1].split(",");
    row[j] = String(Number(row[j]) + 1);
    csv[1] = row.join(",");
    const other = q.Dataset.fromBytes(new TextEncoder().encode(csv.join("\n")), { filename: "other.csv" });
    let refused = null;
    try {
      q.runRecipe(other, r.recipe);
    } catch (e) {
      refused = e instanceof Error ? e.message : String(e);
    }
    const accepted = q.runRecipe(other, r.recipe, { accept_different_data: true });
    let badKind = null;
    try {
      q.runRecipe(window.data.jjj, { ...r.recipe, kind: "nope" });
    } catch (e) {
      badKind = e.message;
    }
    return { refused, codes: accepted.diagnostics.map((d) => d.code), newSha: accepted.recipe.data_sha256 !== r.recipe.data_sha256, badKind };
  }, DID);
  assert.match(out.refused, /not the data the recipe was saved with/);
  assert.match(out.refused, /accept_different_data/);
  assert.ok(out.codes.includes("recipe_data_changed"), out.codes.join(","));
  assert.ok(out.newSha);
  assert.match(out.badKind, /unknown analysis kind `nope`/);
});

test("options may hold typed arrays, Maps and BigInts, as before: the same result and recipe as plain values", async () => {
  const out = await page.evaluate(({ IND }) => {
    const q = window.quasi;
    const plain = q.buildIndex(window.data.jjj, { method: "topsis", indicators: IND, weights: [2, 1, 1, 1] });
    const typed = q.buildIndex(window.data.jjj, { method: "topsis", indicators: IND, weights: new Float64Array([2, 1, 1, 1]) });
    const spec = { y: "lnHDQ", unit: "city", time: "year", start: "ftz_year", kind: "permute_units", reps: 50 };
    const a = q.placebo(window.data.jjj, { ...spec, seed: 9 });
    const b = q.placebo(window.data.jjj, new Map(Object.entries({ ...spec, seed: 9n })));
    return { index: window.canon(plain) === window.canon(typed), weights: plain.recipe.spec.weights, placebo: window.canon(a) === window.canon(b), seed: b.recipe.seed };
  }, { IND });
  assert.ok(out.index, "a Float64Array of weights gives the same result and recipe");
  assert.deepEqual(out.weights, [2, 1, 1, 1]);
  assert.ok(out.placebo, "a Map of options with a BigInt seed gives the same result and recipe");
  assert.equal(out.seed, 9);
});
