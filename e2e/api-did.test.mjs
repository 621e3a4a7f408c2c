// The DID workbench's public JS API (pkg/quasi.js: did, eventStudy, placebo,
// wildBootstrap, mediation, heterogeneity, robustness) called in a real page on
// the bundled samples, against tests/fixtures/jjj_did.json, jjj_placebo.json
// and provinces_did.json (estimates 1e-6, SE 1e-4 relative; placebo mean within
// 0.01, SD within 15 %); determinism for a seed; a clear Error for bad input.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, relErr, ROOT } from "./harness.mjs";

const fixture = (f) => JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", f), "utf8"));
const JJJ = fixture("jjj_did.json");
const PLACEBO = fixture("jjj_placebo.json");
const PROV = fixture("provinces_did.json");
const EST = 1e-6;
const SE = 1e-4;
const BASE = { y: "lnHDQ", unit: "city", time: "year", start: "ftz_year", controls: ["fe", "lnstru", "urba", "fdi", "pgdp"], vcov: { cluster: ["city"] } };

let s;
let rec;
let page;
before(async () => {
  s = await startSession();
  rec = await s.newPage("/?sample=none");
  page = rec.page;
  await page.evaluate(async () => {
    const quasi = await import("/pkg/quasi.js");
    await quasi.default();
    window.quasi = quasi;
    const load = async (f) => quasi.Dataset.fromBytes(new Uint8Array(await (await fetch(`/www/samples/${f}`)).arrayBuffer()), { filename: f });
    window.jjj = await load("jjj_cities.csv");
    window.prov = await load("provinces.csv");
    // serde maps → plain objects, for returning to node
    window.plainOf = (v) => JSON.parse(JSON.stringify(v, (k, x) => (x instanceof Map ? Object.fromEntries(x) : x)));
  });
});
after(async () => {
  await s?.close();
});

/** Calls quasi[fn](window[ds], spec) in the page; returns the result or { error }. */
const call = (fn, ds, spec) =>
  page.evaluate(
    ({ fn, ds, spec }) => {
      try {
        const out = window.quasi[fn](window[ds], spec);
        return window.plainOf({ ...out, svg: out.svg ? out.svg.length : undefined });
      } catch (e) {
        return { error: e instanceof Error ? `Error: ${e.message}` : `not an Error: ${String(e)}` };
      }
    },
    { fn, ds, spec },
  );

function coefMap(fit) {
  return Object.fromEntries(fit.coefficients.map((c) => [c.term, c]));
}

function checkFit(fit, ref, label, rename = { FTZ: "DID" }) {
  const got = coefMap(fit);
  for (const [term, w] of Object.entries(ref.coefficients)) {
    const g = got[rename[term] ?? term];
    assert.ok(g, `${label}: ${term} present`);
    assert.ok(relErr(g.estimate, w.estimate) < EST, `${label} ${term}: ${g.estimate} vs ${w.estimate}`);
    assert.ok(relErr(g.std_error, w.std_error) < SE, `${label} ${term} SE`);
  }
  assert.equal(fit.nobs, ref.nobs);
}

test("quasi.did: every jjj_did TWFE case (start column and 0/1 indicator), all vcov types", async () => {
  const cases = [
    ["twfe_plain_cluster", { ...BASE, controls: [] }],
    ["twfe_controls_cluster", BASE],
    ["twfe_controls_iid", { ...BASE, vcov: "iid" }],
    ["twfe_controls_hc1", { ...BASE, vcov: "hetero" }],
    ["pooled_ols_hc1", { ...BASE, fe: [], vcov: "hetero" }],
  ];
  for (const [name, spec] of cases) {
    const r = await call("did", "jjj", spec);
    assert.ok(!r.error, r.error);
    const ref = JJJ.cases[name];
    checkFit(r.model, ref, name);
    assert.ok(relErr(r.estimate, ref.coefficients.FTZ.estimate) < EST);
    assert.ok(relErr(r.std_error, ref.coefficients.FTZ.std_error) < SE);
    assert.equal(r.nobs, 130);
    assert.ok(r.conf_low < r.estimate && r.estimate < r.conf_high);
  }
  const ind = await call("did", "jjj", { ...BASE, start: undefined, indicator: "FTZ" });
  checkFit(ind.model, JJJ.cases.twfe_controls_cluster, "indicator", {});
  const d = await call("did", "jjj", BASE);
  assert.deepEqual(d.counts.rows.map((r) => [r.group, r.n_units]), [["Treated units", 6], ["Never-treated units", 7], ["Cohort 2015", 1], ["Cohort 2019", 4], ["Cohort 2020", 1]]);
});

test("quasi.eventStudy: reference −1 vs event_study_ref_m1; pre-trend test; SVG", async () => {
  const r = await call("eventStudy", "jjj", { ...BASE, controls: [], ref: -1 });
  assert.ok(!r.error, r.error);
  const ref = JJJ.cases.event_study_ref_m1;
  assert.equal(r.terms.length, Object.keys(ref.coefficients).length);
  for (const t of r.terms) {
    const name = t.event_time < 0 ? `ev_m${-t.event_time}` : `ev_p${t.event_time}`;
    assert.ok(relErr(t.estimate, ref.coefficients[name].estimate) < EST, name);
    assert.ok(relErr(t.std_error, ref.coefficients[name].std_error) < SE, `${name} SE`);
  }
  assert.equal(r.pretrend.df1, 6);
  assert.ok(r.pretrend.p_value > 0 && r.pretrend.p_value < 1);
  assert.ok(r.svg > 500, "svg present");
  const w = await call("eventStudy", "jjj", { ...BASE, controls: [], ref: -1, window: [-3, 3], binning: "bin" });
  assert.equal(w.terms.length, 6);
});

test("quasi.placebo: permutation matches jjj_placebo.json; same seed → identical draws; progress callback", async () => {
  const out = await page.evaluate((spec) => {
    let calls = 0;
    const a = window.quasi.placebo(window.jjj, spec, () => (calls++, true));
    const b = window.quasi.placebo(window.jjj, spec);
    const c = window.quasi.placebo(window.jjj, { ...spec, seed: 2 });
    return { a: window.plainOf(a), same: JSON.stringify(Array.from(a.draws)) === JSON.stringify(Array.from(b.draws)), differs: JSON.stringify(Array.from(a.draws)) !== JSON.stringify(Array.from(c.draws)), calls };
  }, { ...BASE, kind: "permute_units", reps: 2000, seed: 1 });
  assert.ok(out.same, "identical draws for the same seed");
  assert.ok(out.differs, "another seed, other draws");
  assert.ok(out.calls > 0, "progress called");
  const a = out.a;
  assert.equal(a.draws.length, 2000);
  assert.ok(relErr(a.actual, PLACEBO.actual) < EST);
  assert.ok(Math.abs(a.p_value - PLACEBO.p_two_sided) <= 0.02, `p ${a.p_value}`);
  assert.ok(Math.abs(a.mean - PLACEBO.placebo_mean) < 0.01, `mean ${a.mean}`);
  assert.ok(Math.abs(a.sd / PLACEBO.placebo_sd - 1) < 0.15, `sd ${a.sd}`);
  // corrected p = (1 + k) / (B + 1) beside the share k / B; no degenerate draws on JJJ
  const k = Math.round(a.p_value * 2000);
  assert.equal(a.p_value, k / 2000);
  assert.equal(a.p_value_corrected, (1 + k) / 2001);
  assert.equal(a.n_degenerate, 0);
  // a progress callback returning false cancels with an Error
  const cancelled = await page.evaluate((spec) => {
    try {
      window.quasi.placebo(window.jjj, spec, () => false);
      return "ran";
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }, { ...BASE, reps: 5000, seed: 1 });
  assert.match(cancelled, /cancel/i);
  const inTime = await call("placebo", "jjj", { ...BASE, kind: "in_time", shift: 2 });
  assert.ok(!inTime.error, inTime.error);
  assert.ok(Number.isFinite(inTime.in_time.estimate));
  assert.equal(inTime.p_value_corrected, inTime.in_time.p_value);
  // Units C and D are observed only from period 2: placebos treating them are absorbed by
  // their unit effects (degenerate). 4 assignments, enumerated: 2 usable, exact p, no correction.
  await page.evaluate(() => {
    const csv = "u,t,s,y\nA,1,2,1\nA,2,2,2\nA,3,2,6\nB,1,0,2\nB,2,0,2.5\nB,3,0,3\nC,2,0,4\nC,3,0,4.5\nD,2,0,0\nD,3,0,1.2\n";
    window.late = window.quasi.Dataset.fromBytes(new TextEncoder().encode(csv), { filename: "late.csv" });
  });
  const late = await call("placebo", "late", { y: "y", unit: "u", time: "t", start: "s", vcov: "iid", reps: 500, seed: 1 });
  assert.ok(!late.error, late.error);
  assert.equal(late.enumerated, true);
  assert.equal(late.n_possible, 4);
  assert.equal(late.n_degenerate, 2);
  assert.equal(late.reps, 2);
  assert.equal(late.draws.length, 2);
  assert.equal(late.p_value_corrected, late.p_value);
  assert.ok(
    late.diagnostics.some((d) => d.code === "degenerate_placebo_draws" && /2 of 4 placebo assignments were degenerate/.test(d.message)),
    JSON.stringify(late.diagnostics),
  );
});

test("quasi.wildBootstrap: deterministic for a seed; Rademacher and Webb", async () => {
  const spec = { ...BASE, reps: 999, weights: "rademacher", seed: 7 };
  const a = await call("wildBootstrap", "jjj", spec);
  const b = await call("wildBootstrap", "jjj", spec);
  assert.ok(!a.error, a.error);
  assert.equal(a.p_value, b.p_value);
  assert.equal(a.conf_low, b.conf_low);
  assert.equal(a.conf_high, b.conf_high);
  assert.ok(a.p_value >= 0 && a.p_value < 0.01);
  assert.ok(a.conf_low < a.estimate && a.estimate < a.conf_high);
  assert.equal(a.n_clusters, 13);
  const webb = await call("wildBootstrap", "jjj", { ...spec, weights: "webb" });
  assert.equal(webb.weights, "webb");
  // 2^13 = 8192 ≤ 9999 requested: every Rademacher sign pattern is enumerated
  const en = await call("wildBootstrap", "jjj", { ...spec, reps: 9999 });
  assert.equal(en.enumerated, true);
  assert.equal(en.reps, 8192);
});

test("quasi.mediation (IL) and quasi.heterogeneity (provinces, eastern) vs the references", async () => {
  const m = await call("mediation", "jjj", { ...BASE, mediator: "IL", bootstrap: 200, seed: 1 });
  assert.ok(!m.error, m.error);
  checkFit(m.steps[0], JJJ.cases.twfe_controls_cluster, "step 1");
  checkFit(m.steps[1], JJJ.cases.mediation_step_IL, "step 2");
  checkFit(m.steps[2], JJJ.cases.mediation_step_outcome, "step 3");
  const a = JJJ.cases.mediation_step_IL.coefficients.FTZ;
  const b = JJJ.cases.mediation_step_outcome.coefficients.IL;
  assert.ok(relErr(m.indirect.estimate, a.estimate * b.estimate) < EST);
  assert.ok(m.indirect.conf_low < m.indirect.conf_high);
  assert.equal(m.indirect.resample_cluster, "city", "the bootstrap resamples the vcov's clusters");
  assert.ok(m.sobel.p_value > 0 && m.sobel.p_value < 1);
  const m2 = await call("mediation", "jjj", { ...BASE, mediator: "IL", bootstrap: 200, seed: 1 });
  assert.equal(m2.indirect.conf_low, m.indirect.conf_low, "bootstrap deterministic for a seed");

  const h = await call("heterogeneity", "prov", { y: "NQPF", unit: "province", time: "year", indicator: "DID", controls: ["GDP", "URB"], group: "eastern", main_effect: false });
  assert.ok(!h.error, h.error);
  checkFit(h.interaction, PROV.cases.heterogeneity_eastern, "heterogeneity", { DID_east: "DID_x_eastern" });
  assert.deepEqual(h.split.map((x) => x.level), ["0", "1"]);
  const hTable = h.tables.find((t) => t.id === "heterogeneity.models");
  assert.match(await page.evaluate((t) => window.quasi.renderTable(t, { format: "markdown" }), hTable), /Interaction/);
  const base = await call("did", "prov", { y: "NQPF", unit: "province", time: "year", indicator: "DID", controls: ["GDP", "URB"] });
  checkFit(base.model, PROV.cases.twfe_cluster, "provinces twfe", {});
});

test("quasi.robustness: columns, exclude-2020 N = 117, the table in every format", async () => {
  const r = await call("robustness", "jjj", {
    base: BASE,
    checks: [{ label: "Excl. 2020", exclude_years: [2020] }, { label: "Cluster province", cluster: ["province"] }, { label: "No controls", controls: [] }],
  });
  assert.ok(!r.error, r.error);
  assert.deepEqual(r.fits.map((f) => f.label), ["Baseline", "Excl. 2020", "Cluster province", "No controls"]);
  assert.deepEqual(r.fits.map((f) => f.nobs), [130, 117, 130, 130]);
  assert.ok(relErr(r.fits[3].estimate, JJJ.cases.twfe_plain_cluster.coefficients.FTZ.estimate) < EST);
  assert.ok(relErr(r.fits[0].std_error, JJJ.cases.twfe_controls_cluster.coefficients.FTZ.std_error) < SE);
  const table = r.tables.find((t) => t.id === "robustness.models");
  for (const format of ["markdown", "latex", "html", "csv"]) {
    const text = await page.evaluate(({ t, format }) => window.quasi.renderTable(t, { format }), { t: table, format });
    assert.match(text, /Excl\. 2020/, format);
  }
});

test("every DID result carries tables (columns, rows) and typed diagnostics; renderTable renders each table in all five formats", async () => {
  const runs = [
    ["did", { ...BASE }, ["did.main", "did.counts"]],
    ["eventStudy", { ...BASE }, ["event_study.terms", "event_study.pretrend"]],
    ["placebo", { ...BASE, reps: 40, seed: 2 }, ["placebo.summary"]],
    ["wildBootstrap", { ...BASE, reps: 99 }, ["wild.summary"]],
    ["mediation", { ...BASE, mediator: "IL", bootstrap: 20, format: "latex" }, ["mediation.steps", "mediation.indirect"]],
    ["heterogeneity", { ...BASE, group: "province", format: "csv" }, ["heterogeneity.models"]],
  ];
  for (const [fn, spec, ids] of runs) {
    const r = await call(fn, "jjj", spec);
    assert.ok(!r.error, `${fn}: ${r.error}`);
    assert.deepEqual(r.tables.map((t) => t.id), ids, fn);
    for (const t of r.tables) {
      assert.ok(t.columns.length > 0 && t.rows.length > 0, `${fn} ${t.id}`);
      const out = await page.evaluate((t) => ["csv", "markdown", "latex", "html", "text"].map((format) => window.quasi.renderTable(t, { format })), t);
      for (const text of out) assert.ok(text.trim().length > 0, `${fn} ${t.id}`);
    }
    assert.ok(Array.isArray(r.diagnostics), fn);
    for (const d of r.diagnostics) assert.ok(typeof d.code === "string" && typeof d.message === "string" && d.severity, `${fn}: ${JSON.stringify(d)}`);
    assert.equal(r.table, undefined, `${fn}: no pre-rendered table string`);
  }
  const d = await call("did", "jjj", BASE);
  assert.ok(d.diagnostics.some((x) => x.code === "staggered_twfe"), JSON.stringify(d.diagnostics));
  const est = await page.evaluate((t) => window.quasi.renderTable(t, { format: "csv" }), d.tables[0]);
  assert.ok(est.includes(d.estimate.toFixed(3)), est);
  const rob = await call("robustness", "jjj", { base: BASE, checks: [{ label: "No controls", controls: [] }] });
  assert.deepEqual(rob.tables.map((t) => t.id), ["robustness.models"]);
  for (const f of rob.fits) for (const x of f.diagnostics) assert.equal(typeof x.code, "string");
  for (const k of ["table_markdown", "table_latex", "table_html", "table_csv"]) assert.equal(rob[k], undefined, k);
});

test("bad input throws a clear Error (no treated units, unknown column, switching off)", async () => {
  const none = await page.evaluate(() => {
    // a dataset where nobody is ever treated
    const csv = "u,t,y,s\n" + ["a", "b", "c"].flatMap((u) => [1, 2, 3].map((t) => `${u},${t},${t + u.charCodeAt(0) / 100},`)).join("\n");
    const ds = window.quasi.Dataset.fromBytes(new TextEncoder().encode(csv), { filename: "none.csv" });
    try {
      window.quasi.did(ds, { y: "y", unit: "u", time: "t", start: "s" });
      return "no error";
    } catch (e) {
      return e instanceof Error ? `Error: ${e.message}` : `not an Error: ${String(e)}`;
    }
  });
  assert.match(none, /^Error: .*no treated/i);
  const unknown = await call("did", "jjj", { ...BASE, y: "nope" });
  assert.match(unknown.error, /^Error: .*nope/);
  const off = await page.evaluate(() => {
    const csv = "u,t,y,d\n" + ["a,1,1,0", "a,2,2,1", "a,3,3,0", "b,1,1,0", "b,2,2,0", "b,3,3,0", "c,1,2,0", "c,2,3,1", "c,3,5,1"].join("\n");
    const ds = window.quasi.Dataset.fromBytes(new TextEncoder().encode(csv), { filename: "off.csv" });
    try {
      window.quasi.did(ds, { y: "y", unit: "u", time: "t", indicator: "d" });
      return "no error";
    } catch (e) {
      return e instanceof Error ? `Error: ${e.message}` : `not an Error: ${String(e)}`;
    }
  });
  assert.match(off, /^Error: .*switch/i);
  assert.deepEqual(rec.pageErrors, []);
});
