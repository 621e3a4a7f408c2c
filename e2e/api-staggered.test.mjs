// The staggered-adoption estimators of the public JS API (pkg/quasi.js: csdid,
// baconDecomposition, sunab, did2s, didImputation, staggeredCompare) called in a real page
// on tests/fixtures/mpdta.csv, against tests/fixtures/staggered/mpdta_staggered.json
// (estimates 1e-6, SEs 1e-4 relative); csdid's progress callback and cancellation.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, relErr, ROOT } from "./harness.mjs";

const REF = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "staggered", "mpdta_staggered.json"), "utf8"));
const EST = 1e-6;
const SE = 1e-4;
const COLS = { y: "lemp", unit: "countyreal", time: "year", start: "first_treat" };

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
    const bytes = new Uint8Array(await (await fetch("/tests/fixtures/mpdta.csv")).arrayBuffer());
    window.mpdta = quasi.Dataset.fromBytes(bytes, { filename: "mpdta.csv" });
    window.plainOf = (v) => JSON.parse(JSON.stringify(v, (k, x) => (x instanceof Map ? Object.fromEntries(x) : typeof x === "bigint" ? Number(x) : x)));
  });
});
after(async () => {
  await s?.close();
});

/** quasi[fn](mpdta, spec) in the page (svg replaced by its length), or { error }. */
const call = (fn, spec) =>
  page.evaluate(
    ({ fn, spec }) => {
      try {
        const out = window.quasi[fn](window.mpdta, spec);
        return window.plainOf({ ...out, svg: out.svg ? out.svg.length : undefined });
      } catch (e) {
        return { error: e instanceof Error ? `Error: ${e.message}` : `not an Error: ${String(e)}` };
      }
    },
    { fn, spec },
  );

const close = (got, want, tol, what) => assert.ok(relErr(got, want) < tol, `${what}: ${got} vs ${want}`);

test("quasi.csdid on mpdta: nevertreated_dr_nox_varying (simple aggregate and every ATT(g,t))", async () => {
  const ref = REF.cs.cases.nevertreated_dr_nox_varying;
  const r = await call("csdid", { ...COLS, control_group: "never", method: "dr", base_period: "varying" });
  assert.ok(!r.error, r.error);
  close(r.aggregate.simple.estimate, ref.aggregate.simple.att, EST, "simple ATT");
  close(r.aggregate.simple.std_error, ref.aggregate.simple.se, SE, "simple ATT SE");
  close(r.aggregate.dynamic.estimate, ref.aggregate.dynamic.att, EST, "dynamic ATT");
  assert.equal(r.att_gt.length, ref.att_gt.length);
  for (const w of ref.att_gt) {
    const g = r.att_gt.find((c) => c.group === w.group && c.time === w.time);
    assert.ok(g, `ATT(${w.group},${w.time}) present`);
    close(g.estimate, w.att, EST, `ATT(${w.group},${w.time})`);
    close(g.std_error, w.se, SE, `ATT(${w.group},${w.time}) SE`);
  }
  assert.deepEqual(r.tables.map((t) => t.id).sort(), ["cs.aggregates", "cs.att_gt", "cs.calendar", "cs.dynamic", "cs.group"]);
});

test("quasi.csdid: the bootstrap reports progress, is reproducible for a seed, and cancels when progress returns false", async () => {
  const out = await page.evaluate((spec) => {
    const seen = [];
    const a = window.quasi.csdid(window.mpdta, { ...spec, bootstrap: { reps: 199, seed: 7 } }, (f) => (seen.push(f), true));
    const b = window.quasi.csdid(window.mpdta, { ...spec, bootstrap: { reps: 199, seed: 7 } });
    let cancelled = null;
    try {
      window.quasi.csdid(window.mpdta, { ...spec, bootstrap: { reps: 5000, seed: 7 } }, (f) => f < 0.1);
    } catch (e) {
      cancelled = String(e?.message ?? e);
    }
    return { seen, se: [a.aggregate.simple.std_error, b.aggregate.simple.std_error], cancelled };
  }, { ...COLS, control_group: "never", method: "dr", base_period: "varying" });
  assert.ok(out.seen.length >= 2, `progress calls: ${out.seen.length}`);
  assert.ok(out.seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= out.seen[i - 1])), "monotone in [0, 1]");
  assert.equal(out.se[0], out.se[1], "same seed, same bootstrap SE");
  // the bootstrap SE is close to the analytic one (199 draws: within 25 %)
  assert.ok(relErr(out.se[0], REF.cs.cases.nevertreated_dr_nox_varying.aggregate.simple.se) < 0.25, `bootstrap SE ${out.se[0]}`);
  assert.ok(out.cancelled && /cancel/i.test(out.cancelled), `cancel message: ${out.cancelled}`);
});

test("quasi.baconDecomposition, sunab, did2s, didImputation on mpdta: overall estimates", async () => {
  const bacon = await call("baconDecomposition", COLS);
  assert.ok(!bacon.error, bacon.error);
  close(bacon.twfe_estimate, REF.bacon.twfe_estimate, EST, "Bacon TWFE estimate");
  assert.equal(bacon.comparisons.length, REF.bacon.comparisons.length);
  const weightedSum = bacon.comparisons.reduce((a, c) => a + c.weight * c.estimate, 0);
  close(weightedSum, REF.bacon.twfe_estimate, EST, "Σ weight × estimate");
  assert.ok(bacon.svg > 500, "Bacon scatter SVG");
  assert.deepEqual(bacon.tables.map((t) => t.id).sort(), ["bacon.comparisons", "bacon.summary"]);

  const sa = await call("sunab", COLS);
  assert.ok(!sa.error, sa.error);
  close(sa.att.estimate, REF.sunab.overall.att, EST, "Sun–Abraham ATT");
  close(sa.att.std_error, REF.sunab.overall.se, SE, "Sun–Abraham ATT SE");

  const d2 = await call("did2s", COLS);
  assert.ok(!d2.error, d2.error);
  close(d2.estimate, REF.did2s.static.att, EST, "did2s ATT");
  close(d2.std_error, REF.did2s.static.se, SE, "did2s ATT SE");

  const bjs = await call("didImputation", COLS);
  assert.ok(!bjs.error, bjs.error);
  close(bjs.estimate, REF.imputation.overall.att, EST, "imputation ATT");
  close(bjs.std_error, REF.imputation.overall.se, SE, "imputation ATT SE");
});

test("quasi.staggeredCompare on mpdta: five estimators, their ATTs as the single calls, one overlaid chart", async () => {
  const r = await call("staggeredCompare", { ...COLS, control_group: "never", method: "dr", base_period: "varying" });
  assert.ok(!r.error, r.error);
  assert.deepEqual(r.estimators.map((e) => e.key), ["twfe", "cs", "sunab", "did2s", "imputation"]);
  const att = Object.fromEntries(r.estimators.map((e) => [e.key, e.att]));
  close(att.cs.estimate, REF.cs.cases.nevertreated_dr_nox_varying.aggregate.simple.att, EST, "CS column");
  close(att.sunab.estimate, REF.sunab.overall.att, EST, "SA column");
  close(att.did2s.estimate, REF.did2s.static.att, EST, "did2s column");
  close(att.imputation.estimate, REF.imputation.overall.att, EST, "imputation column");
  const share = REF.bacon.comparisons.filter((c) => c.type === "later_vs_earlier").reduce((a, c) => a + c.weight, 0);
  close(r.bacon_later_vs_earlier_share, share, EST, "later-vs-earlier share");
  assert.ok(r.svg > 1000, "overlay SVG");
  assert.deepEqual(r.tables.map((t) => t.id), ["staggered.compare"]);
});

test("quasi.honestDid on mpdta: relative-magnitude bounds for event time 0 (moderndid 0.2), within 1e-3", async () => {
  const out = await call("honestDid", { ...COLS, control_group: "never", method: "dr", base_period: "universal", event_time: 0, sensitivity: "relative_magnitude", m_bar: [0.5, 1, 1.5, 2] });
  assert.ok(!out.error, out.error);
  const want = REF.honest.robust_ci;
  assert.equal(out.robust.length, want.length);
  out.robust.forEach((b, i) => {
    assert.equal(b.m_bar, want[i].m_bar);
    assert.ok(relErr(b.conf_low, want[i].lb) < 1e-3, `M̄ ${b.m_bar} lb ${b.conf_low} vs ${want[i].lb}`);
    assert.ok(relErr(b.conf_high, want[i].ub) < 1e-3, `M̄ ${b.m_bar} ub ${b.conf_high} vs ${want[i].ub}`);
  });
  const [, lb, ub] = /lb=np\.float64\(([-0-9.e]+)\), ub=np\.float64\(([-0-9.e]+)\)/.exec(REF.honest.original_ci);
  assert.ok(relErr(out.original.conf_low, Number(lb)) < 1e-6 && relErr(out.original.conf_high, Number(ub)) < 1e-6);
  assert.ok(out.tables.some((t) => t.id === "honest.bounds"));
  assert.ok(out.svg > 100, "sensitivity plot");
});
