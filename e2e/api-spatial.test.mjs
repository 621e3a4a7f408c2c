// The spatial family of the public JS API (pkg/quasi.js: spatialWeights, moran,
// spatialModel, spatialDid, lisa, lmTests) called exactly as issue 12 writes it, in a real
// page, against tests/fixtures/spatial/columbus_spatial.json and provinces_spatial.json
// (spdep 1.2-7 / spatialreg 1.2-6). Tolerances are the issue's: Columbus Moran 1e-9, ρ/λ
// and coefficients 1e-5 relative, SEs 1e-3, log-likelihood 1e-6, impacts 1e-5; provinces
// matrix and Moran 1e-9, panel estimates and impacts 1e-5, SEs 1e-3, simulated impact SEs
// within 10 % (5,000 draws, as the reference). Clear errors for bad input.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, relErr, ROOT } from "./harness.mjs";

const fixture = (f) => JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "spatial", f), "utf8"));
const COL = fixture("columbus_spatial.json");
const PROV = fixture("provinces_spatial.json");
const NB = { kind: "contiguity", unit: "POLYID", from: "from", to: "to", standardise: "row" }; // + neighbors: the dataset
const IDW2 = { kind: "inverse_distance", power: 2, unit: "province", lat: "lat", lon: "lon" };

let s;
let page;
before(async () => {
  s = await startSession();
  const rec = await s.newPage("/?sample=none");
  page = rec.page;
  await page.evaluate(async () => {
    const quasi = await import("/pkg/quasi.js");
    await quasi.default();
    window.quasi = quasi;
    const load = async (f) => quasi.Dataset.fromBytes(new Uint8Array(await (await fetch(`/tests/fixtures/spatial/${f}`)).arrayBuffer()), { filename: f });
    window.columbus = await load("columbus.csv");
    window.nb = await load("columbus_neighbors.csv");
    window.prov = await load("provinces_spatial.csv");
    window.plainOf = (v) => JSON.parse(JSON.stringify(v, (k, x) => (x instanceof Map ? Object.fromEntries(x) : typeof x === "bigint" ? Number(x) : x)));
  });
});
after(async () => {
  await s?.close();
});

/** quasi[fn](window[ds], spec) in the page; `spec.weights = "NB"` stands for the Columbus neighbour-list spec. */
const call = (fn, ds, spec) =>
  page.evaluate(
    ({ fn, ds, spec }) => {
      const nbSpec = { kind: "contiguity", unit: "POLYID", neighbors: window.nb, from: "from", to: "to", standardise: "row" };
      const s2 = spec.weights === "NB" ? { ...spec, weights: nbSpec } : spec;
      try {
        return window.plainOf(window.quasi[fn](window[ds], s2));
      } catch (e) {
        return { error: e instanceof Error ? `Error: ${e.message}` : `not an Error: ${String(e)}` };
      }
    },
    { fn, ds, spec },
  );

function near(actual, expected, tol, label) {
  assert.ok(typeof actual === "number" && Number.isFinite(actual), `${label}: ${actual} is not a number`);
  assert.ok(relErr(actual, expected) <= tol, `${label}: ${actual} vs ${expected} (rel. error ${relErr(actual, expected).toExponential(2)} > ${tol})`);
}
const coef = (res, term) => {
  const c = res.coefficients.find((x) => x.term === term);
  assert.ok(c, `no coefficient ${term} in ${res.coefficients.map((x) => x.term).join(", ")}`);
  return c;
};
const impact = (res, term) => {
  const c = (res.impacts || []).find((x) => x.term === term);
  assert.ok(c, `no impact row ${term}`);
  return c;
};

test("spatialWeights: the Columbus neighbour list and the provinces 1/d² matrix (1e-9), kept usable after use", async () => {
  const out = await page.evaluate((IDW2) => {
    const W = window.quasi.spatialWeights(window.columbus, { kind: "contiguity", unit: "POLYID", neighbors: window.nb, from: "from", to: "to", standardise: "row" });
    const m = W.matrix();
    const P = window.quasi.spatialWeights(window.prov, IDW2);
    // the neighbour-list dataset is still usable after being named in a spec
    const nbRows = window.nb.nrows;
    const res = { units: W.units(), rowSums: m.map((r) => r.reduce((a, b) => a + b, 0)), summary: window.plainOf(W.summary()), provUnits: P.units(), prov: P.matrix(), nbRows };
    // a W object passed as `weights` stays valid
    const i1 = window.quasi.moran(window.columbus, { y: "CRIME", weights: W }).I;
    const i2 = window.quasi.moran(window.columbus, { y: "CRIME", weights: W }).I;
    res.twice = [i1, i2];
    W.free();
    P.free();
    return res;
  }, IDW2);
  assert.equal(out.units.length, 49);
  assert.ok(out.nbRows > 0);
  for (const r of out.rowSums) near(r, 1, 1e-12, "row sum");
  assert.ok(Array.isArray(out.summary.tables) && out.summary.tables.length > 0, "summary has tables");
  assert.equal(out.twice[0], out.twice[1]);
  near(out.twice[0], COL.moran_crime.I, 1e-9, "Moran via a W object");
  assert.deepEqual(out.provUnits, PROV.weights.order);
  for (let i = 0; i < 31; i++) for (let j = 0; j < 31; j++) {
    const e = PROV.weights.matrix[i][j];
    if (e === 0) assert.equal(out.prov[i][j], 0, `W[${i}][${j}]`);
    else near(out.prov[i][j], e, 1e-9, `W[${i}][${j}]`);
  }
});

test("moran: Columbus CRIME and provinces y in 2011 and 2022 (spdep, 1e-9); permutations seeded", async () => {
  const c = await call("moran", "columbus", { y: "CRIME", weights: "NB", permutations: 999, seed: 1 });
  assert.ok(!c.error, c.error);
  near(c.I, COL.moran_crime.I, 1e-9, "I");
  near(c.expectation, COL.moran_crime.expectation, 1e-9, "E[I]");
  near(c.variance_randomisation, COL.moran_crime.variance, 1e-9, "var (randomisation)");
  near(c.z_randomisation, COL.moran_crime.z, 1e-9, "z");
  near(c.p_value, COL.moran_crime.p_greater, 1e-6, "p");
  assert.ok(c.p_permutation > 0 && c.p_permutation <= 0.002, `p_permutation ${c.p_permutation}`);
  const again = await call("moran", "columbus", { y: "CRIME", weights: "NB", permutations: 999, seed: 1 });
  assert.equal(again.p_permutation, c.p_permutation);
  for (const ref of PROV.moran) {
    const r = await call("moran", "prov", { y: "y", weights: IDW2, time: "year", period: ref.year });
    assert.ok(!r.error, r.error);
    for (const k of ["I", "expectation", "variance_normal", "z_normal", "variance_randomisation", "z_randomisation"]) near(r[k], ref[k], 1e-9, `${ref.year} ${k}`);
    near(r.p_value, ref.p_greater_randomisation, 1e-7, `${ref.year} p`);
  }
});

test("spatialModel: Columbus SAR, SEM and SDM (spatialreg) with impacts", async () => {
  const f = "CRIME ~ INC + HOVAL";
  const sar = await call("spatialModel", "columbus", { model: "sar", formula: f, weights: "NB" });
  assert.ok(!sar.error, sar.error);
  near(sar.rho, COL.sar.rho, 1e-5, "SAR rho");
  near(sar.rho_se, COL.sar.rho_se, 1e-3, "SAR rho se");
  near(sar.loglik, COL.sar.loglik, 1e-6, "SAR loglik");
  for (const [t, ref] of Object.entries(COL.sar.coefficients)) {
    near(coef(sar, t).estimate, ref.estimate, 1e-5, `SAR ${t}`);
    near(coef(sar, t).std_error, ref.std_error, 1e-3, `SAR ${t} se`);
  }
  ["INC", "HOVAL"].forEach((t, k) => {
    for (const part of ["direct", "indirect", "total"]) near(impact(sar, t)[part], COL.sar.impacts[part][k], 1e-5, `SAR ${part} ${t}`);
  });
  const sem = await call("spatialModel", "columbus", { model: "sem", formula: f, weights: "NB" });
  assert.ok(!sem.error, sem.error);
  near(sem.lambda, COL.sem.lambda, 1e-5, "SEM lambda");
  near(sem.lambda_se, COL.sem.lambda_se, 1e-3, "SEM lambda se");
  near(sem.loglik, COL.sem.loglik, 1e-6, "SEM loglik");
  for (const [t, ref] of Object.entries(COL.sem.coefficients)) {
    near(coef(sem, t).estimate, ref.estimate, 1e-5, `SEM ${t}`);
    near(coef(sem, t).std_error, ref.std_error, 1e-3, `SEM ${t} se`);
  }
  const sdm = await call("spatialModel", "columbus", { model: "sdm", formula: f, weights: "NB" });
  assert.ok(!sdm.error, sdm.error);
  near(sdm.rho, COL.sdm.rho, 1e-5, "SDM rho");
  near(sdm.loglik, COL.sdm.loglik, 1e-6, "SDM loglik");
  for (const [t, ref] of Object.entries(COL.sdm.coefficients)) {
    const ours = t.replace(/^lag\./, "W_");
    near(coef(sdm, ours).estimate, ref.estimate, 1e-5, `SDM ${ours}`);
    near(coef(sdm, ours).std_error, ref.std_error, 1e-3, `SDM ${ours} se`);
  }
  ["INC", "HOVAL"].forEach((t, k) => {
    for (const part of ["direct", "indirect", "total"]) near(impact(sdm, t)[part], COL.sdm.impacts[part][k], 1e-5, `SDM ${part} ${t}`);
  });
  assert.ok(Array.isArray(sdm.tables) && sdm.tables.length >= 2, "coefficient and impact tables");
});

test("spatialModel: provinces two-way FE panel SDM, SAR, SEM (Elhorst) with exact impacts and simulated SEs", async () => {
  const base = { formula: "y ~ DID + INN + URB", weights: IDW2, unit: "province", time: "year", fe: "twoways" };
  const sdm = await call("spatialModel", "prov", { ...base, model: "sdm", impacts: { draws: 5000, seed: 1 } });
  assert.ok(!sdm.error, sdm.error);
  const ref = PROV.panel.sdm;
  near(sdm.rho, ref.rho, 1e-5, "rho");
  near(sdm.rho_se, ref.rho_se, 1e-3, "rho se");
  near(sdm.loglik, ref.loglik, 1e-5, "loglik");
  near(sdm.sigma2, ref.sigma2, 1e-5, "sigma2");
  for (const [t, r] of Object.entries(ref.coefficients)) {
    near(coef(sdm, t).estimate, r.estimate, 1e-5, t);
    near(coef(sdm, t).std_error, r.std_error, 1e-3, `${t} se`);
  }
  for (const [t, r] of Object.entries(ref.impacts)) {
    const ours = impact(sdm, t);
    for (const part of ["direct", "indirect", "total"]) near(ours[part], r[part], 1e-5, `${t} ${part}`);
    for (const part of ["direct_se", "indirect_se", "total_se"]) near(ours[part], r[part], 0.1, `${t} ${part} (simulated, within 10 %)`);
  }
  for (const kind of ["sar", "sem"]) {
    const res = await call("spatialModel", "prov", { ...base, model: kind });
    assert.ok(!res.error, res.error);
    const r = PROV.panel[kind];
    const p = kind === "sar" ? "rho" : "lambda";
    near(res[p], r[p], 1e-5, `${kind} ${p}`);
    near(res[`${p}_se`], r[`${p}_se`], 1e-3, `${kind} ${p} se`);
    near(res.loglik, r.loglik, 1e-5, `${kind} loglik`);
    for (const [t, c] of Object.entries(r.coefficients)) {
      near(coef(res, t).estimate, c.estimate, 1e-5, `${kind} ${t}`);
      near(coef(res, t).std_error, c.std_error, 1e-3, `${kind} ${t} se`);
    }
  }
});

test("spatialDid: the DID from the adoption column gives the panel SDM's direct and spillover effects", async () => {
  const r = await call("spatialDid", "prov", { y: "y", unit: "province", time: "year", start: "ftz_year", controls: ["INN", "URB"], weights: IDW2 });
  assert.ok(!r.error, r.error);
  const ref = PROV.panel.sdm.impacts.DID;
  assert.equal(r.did, "DID");
  near(r.direct.estimate, ref.direct, 1e-5, "direct");
  near(r.indirect.estimate, ref.indirect, 1e-5, "indirect");
  near(r.total.estimate, ref.total, 1e-5, "total");
  near(r.model.rho, PROV.panel.sdm.rho, 1e-5, "rho");
  assert.ok(r.direct.std_error > 0 && r.indirect.std_error > 0, "simulated SEs");
});

test("clear errors: unknown units, an unbalanced panel, a non-numeric coordinate, a GeoJSON without the id", async () => {
  const out = await page.evaluate(() => {
    const q = window.quasi;
    const enc = (t) => new TextEncoder().encode(t);
    const tryIt = (f) => {
      try {
        f();
        return "no error";
      } catch (e) {
        return e instanceof Error ? e.message : `not an Error: ${e}`;
      }
    };
    const ds = (csv) => q.Dataset.fromBytes(enc(csv), { filename: "x.csv" });
    const nb = ds("from,to\na,b\nb,a\nb,c\nc,b\n");
    const cross = ds("id,y,x\na,1,2\nb,2,3\nc,3,1\nd,4,5\n");
    const panel = ds("id,year,y,lat,lon\na,1,1,30,110\nb,1,2,31,111\nc,1,3,32,112\na,2,2,30,110\nb,2,3,31,111\n");
    const coords = ds("id,lat,lon,y\na,30,110,1\nb,north,111,2\nc,32,112,3\n");
    const gj = enc(JSON.stringify({ type: "FeatureCollection", features: [{ type: "Feature", properties: { name: "a" }, geometry: { type: "Polygon", coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] } }] }));
    return {
      unknown: tryIt(() => q.moran(cross, { y: "y", weights: { kind: "contiguity", unit: "id", neighbors: nb, from: "from", to: "to" } })),
      unbalanced: tryIt(() => q.spatialModel(panel, { model: "sar", formula: "y ~ lat", weights: { kind: "knn", k: 1, unit: "id", lat: "lat", lon: "lon" }, unit: "id", time: "year", fe: "twoways" })),
      coordinate: tryIt(() => q.spatialWeights(coords, { kind: "knn", k: 1, unit: "id", lat: "lat", lon: "lon" })),
      geojson: tryIt(() => q.spatialWeights(cross, { kind: "geojson", geojson: gj, id: "code", rule: "queen" })),
      noWeights: tryIt(() => q.moran(cross, { y: "y" })),
    };
  });
  assert.match(out.unknown, /`d`/, out.unknown);
  assert.match(out.unbalanced, /unbalanced/i, out.unbalanced);
  assert.match(out.unbalanced, /`c`/, out.unbalanced);
  assert.match(out.coordinate, /lat/, out.coordinate);
  assert.match(out.coordinate, /`b`|line/, out.coordinate);
  assert.match(out.geojson, /code/, out.geojson);
  assert.match(out.noWeights, /weights/, out.noWeights);
});
