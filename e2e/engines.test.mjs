// The page's two engines: the lean build (pkg/core/) loads with the page and runs the index
// and DID workflow; the full build (pkg/) is fetched only when something needs it — a PSM,
// staggered or spatial analysis, an Excel or GBK file, Word/Excel output — and then gives
// the same numbers as the public API (a snapshot of the lean engine's dataset, exact).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, ROOT } from "./harness.mjs";

let s;
before(async () => {
  assert.ok(fs.existsSync(path.join(ROOT, "pkg", "core", "quasi_bg.wasm")), "make build writes the lean engine to pkg/core/");
  s = await startSession();
});
after(async () => s?.close());

const fetched = (rec, suffix) => rec.requests.filter((u) => new URL(u).pathname === suffix).length;

/** A page with a fresh engine client and jjj_cities.csv loaded into it. */
async function setup() {
  const rec = await s.newPage("/?sample=none");
  await rec.page.evaluate(async () => {
    const { QuasiClient } = await import("/www/client.js");
    window.client = new QuasiClient();
    window.info = await window.client.ready;
    const bytes = new Uint8Array(await (await fetch("/tests/fixtures/jjj_cities.csv")).arrayBuffer());
    window.jjj = (await window.client.call("load", { bytes, options: { filename: "jjj_cities.csv" } })).handle;
    window.canon = (v) => JSON.stringify(v);
    window.direct = async (fn, file, spec) => {
      const quasi = await import("/pkg/quasi.js");
      await quasi.default();
      const ds = quasi.Dataset.fromBytes(new Uint8Array(await (await fetch(file)).arrayBuffer()), { filename: file.split("/").pop() });
      return window.canon(JSON.parse(JSON.stringify(quasi[fn](ds, spec))));
    };
  });
  return rec;
}

const DID = { y: "lnHDQ", unit: "city", time: "year", start: "ftz_year", controls: ["pgdp", "fdi"] };

test("the lean engine loads with the page and runs the index and DID workflow without the full one", async () => {
  const rec = await setup();
  const { page } = rec;
  const out = await page.evaluate(async (spec) => {
    const did = await window.client.call("call", { fn: "did", handle: window.jjj, args: [spec] });
    const es = await window.client.call("call", { fn: "eventStudy", handle: window.jjj, args: [{ ...spec, window: [-3, 3] }] });
    const pl = await window.client.call("placebo", { handle: window.jjj, spec: { ...spec, kind: "permute_units", reps: 40, seed: 1 }, workers: 1 });
    const md = await window.client.call("call", { fn: "renderTable", args: [did.tables[0], { format: "markdown" }] });
    const IND = [["firms_per_10k", 1], ["new_firm_capital", 1], ["exit_rate", -1]].map(([name, direction]) => ({ name, direction }));
    const ispec = { method: "entropy", indicators: IND, scope: "pooled", time: "year" };
    window.idx = { spec: ispec, canon: window.canon(await window.client.call("call", { fn: "buildIndex", handle: window.jjj, args: [ispec] })) };
    return { did: did.estimate ?? did.coefficients?.[0], es: es.coefficients?.length ?? es.points?.length, pl: pl.p_value, md: md.length, exports: window.info.exports };
  }, DID);
  assert.ok(out.md > 50);
  assert.ok(out.exports.includes("psm") && out.exports.includes("spatialModel") && out.exports.includes("csdid"), "the page sees every function of both engines");
  assert.ok(fetched(rec, "/pkg/core/quasi_bg.wasm") >= 1, "the lean engine was fetched");
  assert.equal(fetched(rec, "/pkg/quasi_bg.wasm"), 0, "the full engine was not fetched for the index and DID workflow");
  // (the public API, imported in the page itself only now, gives the same index)
  const same = await page.evaluate(async () => window.idx.canon === (await window.direct("buildIndex", "/tests/fixtures/jjj_cities.csv", window.idx.spec)));
  assert.ok(same, "the lean engine's index = the public API's");
  await rec.context.close();
});

test("PSM and a staggered analysis load the full engine and match the public API", async () => {
  const rec = await setup();
  const { page } = rec;
  const PSM = { formula: "treat ~ age + educ + married + nodegree + re74 + re75", outcome: "re78" };
  const got = await page.evaluate(async ({ PSM, DID }) => {
    const bytes = new Uint8Array(await (await fetch("/tests/fixtures/lalonde.csv")).arrayBuffer());
    const lal = (await window.client.call("load", { bytes, options: { filename: "lalonde.csv" } })).handle;
    const psm = await window.client.call("call", { fn: "psm", handle: lal, args: [PSM] });
    const bacon = await window.client.call("call", { fn: "baconDecomposition", handle: window.jjj, args: [{ y: DID.y, unit: DID.unit, time: DID.time, start: DID.start }] });
    return {
      psm: window.canon(psm),
      psmDirect: await window.direct("psm", "/tests/fixtures/lalonde.csv", PSM),
      bacon: typeof bacon.twfe_estimate,
    };
  }, { PSM, DID });
  assert.equal(got.psm, got.psmDirect, "PSM through the page's engines = the public API");
  assert.equal(got.bacon, "number");
  // the page's worker fetched the full engine's wasm once (the direct API calls above import it in the page itself)
  assert.ok(fetched(rec, "/pkg/quasi_bg.wasm") >= 1);
  await rec.context.close();
});

test("an Excel workbook and a GBK text file are read by the full engine and analysed there", async () => {
  const rec = await setup();
  const out = await rec.page.evaluate(async () => {
    const load = async (url, filename) =>
      window.client.call("load", { bytes: new Uint8Array(await (await fetch(url)).arrayBuffer()), options: { filename } });
    const xlsx = await load("/tests/fixtures/data/panel.xlsx", "panel.xlsx");
    const gbk = await load("/tests/fixtures/messy/yearbook_gbk.csv", "yearbook_gbk.csv");
    const d = await window.client.call("call", { fn: "describe", handle: xlsx.handle, args: [] }).catch((e) => ({ error: e.message }));
    return { xlsx: { rows: xlsx.nrows, cols: xlsx.columns }, gbk: { rows: gbk.nrows, enc: gbk.report?.encoding, cols: gbk.columns }, d };
  });
  assert.ok(out.xlsx.rows > 0, JSON.stringify(out.xlsx));
  assert.ok(out.gbk.rows > 0);
  assert.match(String(out.gbk.enc), /gb/i);
  assert.ok(out.gbk.cols.some((c) => /[\u4e00-\u9fff]/.test(c)), "Chinese column names decoded");
  await rec.context.close();
});

test("Word output of a lean-engine result comes from the full engine; a dataset changed after its copy is copied again", async () => {
  const rec = await setup();
  const out = await rec.page.evaluate(async (spec) => {
    const did = await window.client.call("call", { fn: "did", handle: window.jjj, args: [spec] });
    const docx = await window.client.call("call", { fn: "renderTable", args: [did.tables[0], { format: "docx" }] });
    // the full engine copies jjj for PSM-DID; a column added afterwards must reach it too
    await window.client.call("call", { fn: "psmDid", handle: window.jjj, args: [{ unit: "city", time: "year", y: "lnHDQ", start: "ftz_year", covariates: ["pgdp", "fdi"] }] });
    const values = await window.client.call("method", { handle: window.jjj, method: "columnValues", args: ["pgdp"] });
    await window.client.call("method", { handle: window.jjj, method: "addColumn", args: ["pgdp2", values.map((v) => (v === null ? null : v * 2))] });
    const again = await window.client.call("call", { fn: "psmDid", handle: window.jjj, args: [{ unit: "city", time: "year", y: "lnHDQ", start: "ftz_year", covariates: ["pgdp2", "fdi"] }] });
    return { zip: docx instanceof Uint8Array && docx[0] === 0x50 && docx[1] === 0x4b, columns: again.recipe?.columns ?? [] };
  }, DID);
  assert.ok(out.zip, "a .docx (zip) file");
  assert.ok(out.columns.includes("pgdp2"), `PSM-DID ran on the column added after the copy (${out.columns})`);
  await rec.context.close();
});
