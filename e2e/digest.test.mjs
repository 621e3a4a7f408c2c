// Recipe digests by the browser: before an analysis, the page's worker hashes the columns it
// reads with crypto.subtle (native SHA-256) over Dataset.canonicalColumn and seeds them into the
// engine (Dataset.seedDigest), so the wasm does not hash them itself. The recipe's data_sha256
// is the same as the public API's, in the lean engine and in the full engine's mirror; a
// replaced column is hashed again; a seeded digest is what the engine uses.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSession } from "./harness.mjs";

let s;
before(async () => {
  s = await startSession();
});
after(async () => s?.close());

const DID = { y: "lnHDQ", unit: "city", time: "year", start: "ftz_year", controls: ["pgdp", "fdi"] };
const PSM = { formula: "treat ~ age + educ + married + nodegree + re74 + re75", outcome: "re78" };

test("the public API: data_sha256 is SHA-256 of crypto.subtle digests of canonicalColumn, and seedDigest is used", async () => {
  const { page, context } = await s.newPage("/?sample=none");
  const out = await page.evaluate(async (DID) => {
    const quasi = await import("/pkg/quasi.js");
    await quasi.default();
    const bytes = new Uint8Array(await (await fetch("/tests/fixtures/jjj_cities.csv")).arrayBuffer());
    const fresh = () => quasi.Dataset.fromBytes(bytes, { filename: "jjj_cities.csv" });
    const sha = async (u8) => new Uint8Array(await crypto.subtle.digest("SHA-256", u8));
    const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");
    const engine = quasi.did(fresh(), DID).recipe;
    // the data hash from the browser's SHA-256 alone: digests of the columns, in the data's order
    const a = fresh();
    const digests = [];
    for (const name of engine.columns) digests.push(await sha(a.canonicalColumn(name)));
    const joined = new Uint8Array(32 * digests.length);
    digests.forEach((d, i) => joined.set(d, 32 * i));
    // seeding the true digests gives the same recipe hash
    engine.columns.forEach((name, i) => a.seedDigest(name, digests[i]));
    const seeded = quasi.did(a, DID).recipe.data_sha256;
    // a wrong seeded digest is used as is (so the engine did not hash that column)
    const b = fresh();
    b.seedDigest("pgdp", new Uint8Array(32).fill(7));
    const wrong = quasi.did(b, DID).recipe.data_sha256;
    const err = (f) => {
      try {
        f();
        return null;
      } catch (e) {
        return e.code ?? e.message;
      }
    };
    return {
      engine: engine.data_sha256,
      browser: hex(await sha(joined)),
      seeded,
      wrong,
      unknown: err(() => b.seedDigest("nope", new Uint8Array(32))),
      short: err(() => b.seedDigest("pgdp", new Uint8Array(31))),
      canonUnknown: err(() => b.canonicalColumn("nope")),
    };
  }, DID);
  assert.match(out.engine, /^[0-9a-f]{64}$/);
  assert.equal(out.browser, out.engine, "crypto.subtle over the canonical bytes = the engine's hash");
  assert.equal(out.seeded, out.engine);
  assert.notEqual(out.wrong, out.engine, "a seeded digest replaces the engine's own");
  assert.equal(out.unknown, "unknown_column");
  assert.equal(out.canonUnknown, "unknown_column");
  assert.equal(out.short, "invalid_argument");
  await context.close();
});

test("through the worker: the columns are seeded once per engine, and data_sha256 = the public API's", async () => {
  const { page, context, consoleErrors, pageErrors } = await s.newPage("/?sample=none");
  const out = await page.evaluate(
    async ({ DID, PSM }) => {
      const { QuasiClient } = await import("/www/client.js");
      const client = new QuasiClient();
      await client.ready;
      const load = async (file) =>
        (await client.call("load", { bytes: new Uint8Array(await (await fetch(file)).arrayBuffer()), options: { filename: file.split("/").pop() } })).handle;
      const jjj = await load("/tests/fixtures/jjj_cities.csv");
      const lalonde = await load("/tests/fixtures/lalonde.csv");
      const stats = () => client.call("digestStats", {});
      const s0 = await stats();
      const did1 = await client.call("call", { fn: "did", handle: jjj, args: [DID] });
      const s1 = await stats();
      const did2 = await client.call("call", { fn: "did", handle: jjj, args: [DID] });
      const s2 = await stats();
      // a replaced column (same values) is hashed again, the others are not
      const pgdp = await client.call("method", { handle: jjj, method: "columnValues", args: ["pgdp"] });
      await client.call("method", { handle: jjj, method: "addColumn", args: ["pgdp", pgdp] });
      const did3 = await client.call("call", { fn: "did", handle: jjj, args: [DID] });
      const s3 = await stats();
      // PSM runs in the full engine, on its mirror of the lean engine's dataset
      const psm = await client.call("call", { fn: "psm", handle: lalonde, args: [PSM], workers: 1 });
      const s4 = await stats();
      const rr = await client.call("call", { fn: "runRecipe", handle: jjj, args: [did1.recipe] });
      const s5 = await stats();

      const quasi = await import("/pkg/quasi.js");
      await quasi.default();
      const direct = async (file) => quasi.Dataset.fromBytes(new Uint8Array(await (await fetch(file)).arrayBuffer()), { filename: file.split("/").pop() });
      return {
        stats: [s0, s1, s2, s3, s4, s5],
        did: [did1, did2, did3, rr].map((r) => r.recipe.data_sha256),
        didColumns: did1.recipe.columns,
        psm: psm.recipe.data_sha256,
        psmColumns: psm.recipe.columns,
        directDid: quasi.did(await direct("/tests/fixtures/jjj_cities.csv"), DID).recipe.data_sha256,
        directPsm: quasi.psm(await direct("/tests/fixtures/lalonde.csv"), PSM).recipe.data_sha256,
      };
    },
    { DID, PSM },
  );
  const n = (i) => out.stats[i].columns;
  assert.equal(out.stats[0].subtle, true, "127.0.0.1 is a secure context: crypto.subtle is there");
  assert.equal(n(0), 0);
  assert.ok(out.didColumns.length >= 6, String(out.didColumns));
  assert.equal(n(1), out.didColumns.length, "every column the DID reads was hashed by crypto.subtle and seeded");
  assert.equal(n(2), n(1), "the second analysis seeds nothing");
  assert.equal(n(3), n(2) + 1, "only the replaced column is hashed again");
  assert.equal(n(4), n(3) + out.psmColumns.length, "the full engine's mirror is seeded for PSM");
  assert.equal(n(5), n(4), "runRecipe on the same data seeds nothing new");
  for (const h of out.did) assert.equal(h, out.directDid, "worker DID hash = the public API's");
  assert.equal(out.psm, out.directPsm, "worker PSM hash (full engine) = the public API's");
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});
