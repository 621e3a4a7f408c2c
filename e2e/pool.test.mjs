// The replication pool (www/pool.js) in a real page: placebo, wild bootstrap, mediation
// bootstrap, PSM bootstrap and the Callaway–Sant'Anna multiplier bootstrap give results
// bit-identical (every number compared by its IEEE-754 bits) with 1, 2 and 4 workers, and the
// pool really ran (its workers' requests are seen); progress reaches the page; cancel ends it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSession } from "./harness.mjs";

let s;
let rec;
let page;
before(async () => {
  s = await startSession();
  rec = await s.newPage("/?sample=none");
  page = rec.page;
  await page.evaluate(async () => {
    const { QuasiClient } = await import("/www/client.js");
    const client = new QuasiClient();
    await client.ready;
    const load = async (url, filename) =>
      (await client.call("load", { bytes: new Uint8Array(await (await fetch(url)).arrayBuffer()), options: { filename } })).handle;
    window.pool = {
      client,
      jjj: await load("/tests/fixtures/jjj_cities.csv", "jjj_cities.csv"),
      mpdta: await load("/tests/fixtures/mpdta.csv", "mpdta.csv"),
      lalonde: await load("/tests/fixtures/lalonde.csv", "lalonde.csv"),
    };
    const bits = (x) => {
      const v = new DataView(new ArrayBuffer(8));
      v.setFloat64(0, x);
      return `f${v.getBigUint64(0).toString(16)}`;
    };
    window.canon = (v) => {
      if (typeof v === "number") return bits(v);
      if (Array.isArray(v)) return `[${v.map(window.canon).join(",")}]`;
      if (ArrayBuffer.isView(v)) return window.canon(Array.from(v));
      if (v && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${window.canon(v[k])}`).join(",")}}`;
      return JSON.stringify(v);
    };
  });
});
after(async () => s?.close());

const DID = { y: "lnHDQ", unit: "city", time: "year", start: "ftz_year", controls: ["pgdp", "fdi"] };
const MP = { y: "lemp", unit: "countyreal", time: "year", start: "first_treat" };
const PSM = { formula: "treat ~ age + educ + married + nodegree + re74 + re75", outcome: "re78" };

// [name, data set, how the page calls it: op "placebo"/"csdid" or op "call" with fn, spec]
const CASES = [
  ["placebo (permute units)", "jjj", "placebo", { ...DID, kind: "permute_units", reps: 203, seed: 11 }],
  ["placebo (random timing)", "jjj", "placebo", { ...DID, kind: "random_timing", reps: 101, seed: 5 }],
  ["wild cluster bootstrap", "jjj", "wildBootstrap", { ...DID, reps: 199, seed: 3 }],
  ["mediation bootstrap", "jjj", "mediation", { ...DID, mediator: "urba", bootstrap: 99, seed: 4 }],
  ["PSM bootstrap", "lalonde", "psm", { ...PSM, se: "bootstrap", bootstrap_reps: 57, seed: 9 }],
  ["CS multiplier bootstrap", "mpdta", "csdid", { ...MP, bootstrap: { reps: 299, seed: 7 } }],
];

const run = (set, kind, spec, workers) =>
  page.evaluate(
    async ({ set, kind, spec, workers }) => {
      const { client } = window.pool;
      const handle = window.pool[set];
      let progress = 0;
      const onProgress = (p) => (progress = Math.max(progress, p));
      const out =
        kind === "placebo" || kind === "csdid"
          ? await client.call(kind, { handle, spec, workers }, { onProgress })
          : await client.call("call", { fn: kind, handle, args: [spec], workers }, { onProgress });
      return { canon: window.canon(out), progress, recipeKind: out.recipe?.kind };
    },
    { set, kind, spec, workers },
  );

for (const [name, set, kind, spec] of CASES) {
  test(`${name}: 1, 2 and 4 workers give bit-identical results`, async () => {
    const before = rec.requests.filter((u) => u.endsWith("/www/pool-worker.js")).length;
    const one = await run(set, kind, spec, 1);
    const two = await run(set, kind, spec, 2);
    const four = await run(set, kind, spec, 4);
    assert.equal(one.recipeKind, kind);
    assert.ok(one.canon.length > 200, "a real result");
    assert.equal(two.canon, one.canon, "2 workers = 1 worker");
    assert.equal(four.canon, one.canon, "4 workers = 1 worker");
    assert.ok(four.progress > 0.5, `the pool reported progress (${four.progress})`);
    // the first pooled analysis starts the pool's workers (up to 4 in all; reused afterwards)
    if (name.startsWith("placebo (permute")) {
      const started = rec.requests.filter((u) => u.endsWith("/www/pool-worker.js")).length - before;
      assert.ok(started >= 1, "the pool's workers were started");
    }
  });
}

test("the pool's result equals the plain API call in the page", async () => {
  const viaPool = await run("jjj", "placebo", { ...DID, kind: "permute_units", reps: 64, seed: 2 }, 2);
  const direct = await page.evaluate(async (spec) => {
    const quasi = await import("/pkg/quasi.js");
    await quasi.default();
    const ds = quasi.Dataset.fromBytes(new Uint8Array(await (await fetch("/tests/fixtures/jjj_cities.csv")).arrayBuffer()), { filename: "jjj_cities.csv" });
    return window.canon(JSON.parse(JSON.stringify(quasi.placebo(ds, spec))));
  }, { ...DID, kind: "permute_units", reps: 64, seed: 2 });
  assert.equal(viaPool.canon, direct);
});

test("a pooled error reaches the page as the engine's typed error", async () => {
  const err = await page.evaluate(async (spec) => {
    try {
      await window.pool.client.call("placebo", { handle: window.pool.jjj, spec, workers: 2 });
      return null;
    } catch (e) {
      return { message: e.message, code: e.code };
    }
  }, { ...DID, y: "no_such_column", kind: "permute_units", reps: 50, seed: 1 });
  assert.ok(err, "an error");
  assert.match(err.message, /no_such_column/);
});

test("cancel during a pooled run rejects it and the engine works again", async () => {
  const out = await page.evaluate(async (spec) => {
    const { client } = window.pool;
    // Cancelled at the pool's first progress report (draws under way), so a fast machine
    // cannot finish the run first; after 2 s without one, cancelled anyway.
    let cancelled = false;
    const cancel = () => {
      if (!cancelled) {
        cancelled = true;
        client.cancel();
      }
    };
    const running = client.call("placebo", { handle: window.pool.jjj, spec, workers: 2 }, { onProgress: cancel });
    setTimeout(cancel, 2000);
    let name = null;
    try {
      await running;
    } catch (e) {
      name = e.name;
    }
    await client.ready;
    return { name, ok: typeof (await client.call("init")).version === "string" };
  }, { ...DID, kind: "permute_units", reps: 400000, seed: 1 });
  assert.equal(out.name, "CancelledError");
  assert.ok(out.ok);
});
