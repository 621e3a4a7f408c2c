// The public PSM API (pkg/quasi.js: psm, psmCompare, psmDensitySvg) called in
// a real page on lalonde.csv, checked against R Matching 4.10.8
// (tests/fixtures/lalonde_psm.json): propensity coefficients and
// log-likelihood 1e-6 relative, every case's ATT 1e-6 relative, Abadie–Imbens
// SE 1e-4 relative, counts exact.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, relErr, ROOT } from "./harness.mjs";

const REF = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "lalonde_psm.json"), "utf8"));
const EST = 1e-6;
const SE = 1e-4;

/** The quasi.psm spec of one reference case. */
function caseSpec(c) {
  const spec = {
    formula: REF.formula,
    outcome: REF.outcome,
    model: "logit",
    method: "nearest",
    k: c.M,
    replace: true,
    ties: true,
    match_on: /linear predictor|logit/.test(c.match_on) ? "logit" : "score",
    estimand: "ATT",
    se: "ai",
  };
  if (c.caliper_sd > 0) {
    spec.caliper = c.caliper_sd;
    spec.caliper_scale = "sd";
  }
  return spec;
}

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
    const bytes = new Uint8Array(await (await fetch("/www/samples/lalonde.csv")).arrayBuffer());
    window.lalonde = quasi.Dataset.fromBytes(bytes, { filename: "lalonde.csv" });
  });
});
after(async () => {
  await s?.close();
});

test("the page's lalonde sample is the fixture", () => {
  const a = fs.readFileSync(path.join(ROOT, "www", "samples", "lalonde.csv"));
  const b = fs.readFileSync(path.join(ROOT, "tests", "fixtures", "lalonde.csv"));
  assert.ok(a.equals(b));
});

for (const [name, c] of Object.entries(REF.cases)) {
  test(`quasi.psm, case ${name}: propensity model, ATT, AI SE and counts match R Matching`, async () => {
    const spec = caseSpec(c);
    const r = await page.evaluate((spec) => quasi.psm(lalonde, spec), spec);
    // propensity model
    const coefs = Object.fromEntries(r.propensity.coefficients.map((x) => [x.term, x]));
    assert.deepEqual(Object.keys(coefs).sort(), Object.keys(REF.propensity.coefficients).sort());
    for (const [term, want] of Object.entries(REF.propensity.coefficients)) {
      assert.ok(relErr(coefs[term].estimate, want) < EST, `${term}: ${coefs[term].estimate} vs ${want}`);
      assert.ok(coefs[term].std_error > 0);
    }
    assert.ok(relErr(r.propensity.loglik, REF.propensity.loglik) < EST, `loglik ${r.propensity.loglik}`);
    assert.equal(r.propensity.nobs, REF.propensity.fitted.length);
    // effect
    assert.ok(relErr(r.att, c.att) < EST, `att ${r.att} vs ${c.att}`);
    assert.equal(r.estimate, r.att);
    assert.equal(r.estimand, "ATT");
    assert.equal(r.se_kind, "ai");
    assert.ok(relErr(r.std_error, c.se_ai) < SE, `se ${r.std_error} vs ${c.se_ai}`);
    assert.equal(r.n_treated_matched, c.n_treated_matched);
    assert.equal(r.n_treated_dropped, c.n_treated_dropped);
    assert.equal(r.n_control_used, c.n_control_used);
    assert.equal(r.n_treated, 185);
    assert.equal(r.n_control, 429);
    // z, p and the 95% interval are consistent with ATT and SE
    assert.ok(Math.abs(r.statistic - r.att / r.std_error) < 1e-9);
    assert.ok(Math.abs(r.conf_high - r.conf_low - 2 * 1.959963984540054 * r.std_error) < 1e-6 * r.std_error);
    // balance: one row per design covariate (dummies for race)
    assert.deepEqual(
      r.balance.rows.map((x) => x.variable),
      ["age", "educ", "racehispan", "racewhite", "married", "nodegree", "re74", "re75"],
    );
    for (const row of r.balance.rows) {
      assert.ok(Number.isFinite(row.bias_before) && Number.isFinite(row.bias_after), row.variable);
      assert.ok(row.p_before >= 0 && row.p_before <= 1, row.variable);
    }
    assert.ok(r.balance.overall.mean_bias_after < r.balance.overall.mean_bias_before);
    assert.equal(r.density.curves.length, 4);
  });
}

test("fitted propensity scores equal R's glm fitted values (1e-6 relative)", async () => {
  const scores = await page.evaluate((spec) => quasi.psm(lalonde, spec).scores, caseSpec(REF.cases.nn1_ps));
  assert.equal(scores.length, REF.propensity.fitted.length);
  let worst = 0;
  for (let i = 0; i < scores.length; i++) worst = Math.max(worst, relErr(scores[i], REF.propensity.fitted[i]));
  assert.ok(worst < EST, `worst relative error ${worst}`);
});

test("psmDensitySvg is a free function: SVG text from a psm result (and from { density } alone)", async () => {
  const out = await page.evaluate((spec) => {
    const r = quasi.psm(lalonde, spec);
    return { full: quasi.psmDensitySvg(r, "Propensity score <before> & after"), part: quasi.psmDensitySvg({ density: r.density }, "t") };
  }, caseSpec(REF.cases.nn1_ps));
  for (const svg of [out.full, out.part]) assert.match(svg, /^(<\?xml[^>]*>\s*)?<svg[\s>]/);
  assert.match(out.full, /&lt;before&gt; &amp; after/, "title is XML-escaped");
  assert.doesNotMatch(out.full, /<script|onload=|<before>/i);
});

test("psmCompare: one row per spec, the base first, matching the single runs; its table renders as csv and markdown", async () => {
  const specs = [caseSpec(REF.cases.nn1_ps), caseSpec(REF.cases.nn3_ps), caseSpec(REF.cases.nn1_ps_caliper), caseSpec(REF.cases.nn1_logit_caliper)];
  const out = await page.evaluate((specs) => {
    const r = quasi.psmCompare(lalonde, specs);
    const t = r.tables.find((x) => x.id === "psm.compare");
    return { ...r, csv: quasi.renderTable(t, { format: "csv" }), markdown: quasi.renderTable(t, { format: "markdown" }) };
  }, specs);
  assert.equal(out.table.rows.length, 4);
  const cases = [REF.cases.nn1_ps, REF.cases.nn3_ps, REF.cases.nn1_ps_caliper, REF.cases.nn1_logit_caliper];
  out.table.rows.forEach((row, i) => {
    assert.ok(relErr(row.estimate, cases[i].att) < EST, `row ${i} estimate`);
    assert.ok(relErr(row.std_error, cases[i].se_ai) < SE, `row ${i} se`);
    assert.equal(row.n_treated_matched, cases[i].n_treated_matched);
    assert.equal(row.n_treated_dropped, cases[i].n_treated_dropped);
    assert.equal(row.n_control_used, cases[i].n_control_used);
    assert.equal(typeof row.label, "string");
  });
  assert.match(out.table.rows[1].label, /k=3/);
  assert.match(out.table.rows[2].label, /caliper 0\.1 SD/);
  assert.match(out.csv, /^Method,Estimand,Estimate,Std\. error/);
  assert.equal(out.csv.trim().split("\n").length, 5);
  assert.match(out.markdown, /\| Estimate \|/);
  assert.equal(out.table.csv, undefined, "no pre-rendered strings");
});

test("radius and kernel matching run; kernel/radius with se 'ai' fall back to a seeded bootstrap", async () => {
  const base = caseSpec(REF.cases.nn1_ps);
  const out = await page.evaluate(
    (base) => {
      const radius = quasi.psm(lalonde, { ...base, method: "radius", caliper: 0.1, caliper_scale: "sd", bootstrap_reps: 20 });
      const kernel = quasi.psm(lalonde, { ...base, method: "kernel", kernel: "gaussian", bandwidth: 0.06, se: "bootstrap", bootstrap_reps: 20, seed: 7 });
      const kernel2 = quasi.psm(lalonde, { ...base, method: "kernel", kernel: "gaussian", bandwidth: 0.06, se: "bootstrap", bootstrap_reps: 20, seed: 7 });
      return { radius, kernel, kernel2 };
    },
    base,
  );
  assert.equal(out.radius.se_kind, "bootstrap");
  assert.ok(out.radius.diagnostics.some((d) => d.code === "matching_note" && /Abadie–Imbens/.test(d.message)));
  assert.ok(Number.isFinite(out.radius.att) && out.radius.std_error > 0);
  assert.ok(Number.isFinite(out.kernel.att) && out.kernel.std_error > 0);
  assert.equal(out.kernel.bandwidth, 0.06);
  assert.equal(out.kernel.std_error, out.kernel2.std_error, "same seed, same bootstrap SE");
});

test("clear errors: treatment not 0/1, radius without caliper, unknown column", async () => {
  const base = caseSpec(REF.cases.nn1_ps);
  const errs = await page.evaluate((base) => {
    const msg = (spec) => {
      try {
        quasi.psm(lalonde, spec);
        return null;
      } catch (e) {
        return String(e?.message ?? e);
      }
    };
    return {
      notBinary: msg({ ...base, formula: "educ ~ age + re74" }),
      radius: msg({ ...base, method: "radius" }),
      unknown: msg({ ...base, formula: "treat ~ age + nosuchcolumn" }),
    };
  }, base);
  assert.match(errs.notBinary ?? "", /educ.*must be 0 \(control\) or 1 \(treated\)/, errs.notBinary);
  assert.match(errs.radius ?? "", /caliper/i, errs.radius);
  assert.match(errs.unknown ?? "", /nosuchcolumn/, errs.unknown);
  assert.deepEqual(rec.pageErrors, []);
});

test("issue 9 options through the JS API: preset psmatch2, return_pairs; existing fields unchanged", async () => {
  const base = caseSpec(REF.cases.nn1_ps);
  const out = await page.evaluate(
    (base) => {
      const pick = (r) => ({ caliper_abs: r.caliper_abs, att: r.att, pairs: r.matched.pair_focal.length, n: r.n_treated_matched, diagnostics: r.diagnostics });
      return {
        preset: pick(quasi.psm(lalonde, { ...base, preset: "psmatch2", caliper: 0.01 })),
        byHand: pick(quasi.psm(lalonde, { ...base, caliper: 0.01, caliper_scale: "absolute", distance_tolerance: 0 })),
        dflt: pick(quasi.psm(lalonde, base)),
        noPairs: pick(quasi.psm(lalonde, { ...base, return_pairs: false })),
      };
    },
    base,
  );
  assert.equal(out.preset.caliper_abs, 0.01);
  assert.equal(out.preset.att, out.byHand.att);
  assert.ok(out.dflt.pairs >= out.dflt.n && out.dflt.n === 185, "small problems still return their pairs");
  assert.equal(out.noPairs.pairs, 0);
  assert.equal(out.noPairs.att, out.dflt.att);
  assert.deepEqual(rec.pageErrors, []);
});

test("issue 10: psm, psmCompare and psmDid carry typed tables and diagnostics; renderTable renders every table in five formats", async () => {
  const base = caseSpec(REF.cases.nn1_ps);
  const out = await page.evaluate((base) => {
    const FORMATS = ["csv", "markdown", "latex", "html", "text"];
    const jjjBytes = fetch("/www/samples/jjj_cities.csv").then((r) => r.arrayBuffer());
    return jjjBytes.then((buf) => {
      const jjj = quasi.Dataset.fromBytes(new Uint8Array(buf), { filename: "jjj_cities.csv" });
      const results = {
        nearest: quasi.psm(lalonde, { ...base, caliper: 0.1 }),
        kernel: quasi.psm(lalonde, { ...base, method: "kernel", se: "none" }),
        radius: quasi.psm(lalonde, { ...base, method: "radius", caliper: 0.1, se: "none" }),
        compare: quasi.psmCompare(lalonde, [base, { ...base, k: 3 }]),
        // an old caller still passing `format`: accepted and ignored
        did: quasi.psmDid(jjj, { unit: "city", time: "year", y: "lnHDQ", start: "ftz_year", covariates: ["pgdp", "fdi", "urba"], format: "latex" }),
        didByYear: quasi.psmDid(jjj, { unit: "city", time: "year", y: "lnHDQ", start: "ftz_year", covariates: ["pgdp", "fdi", "urba"], by_year: true }),
      };
      const summary = {};
      for (const [name, r] of Object.entries(results)) {
        summary[name] = {
          ids: (r.tables || []).map((t) => t.id),
          shapes: (r.tables || []).map((t) => Array.isArray(t.columns) && Array.isArray(t.rows) && t.rows.length > 0 && t.rows.every((row) => row.cells.length === t.columns.length)),
          diagnostics: r.diagnostics,
          hasTableString: typeof r.table === "string",
          rendered: (r.tables || []).map((t) => FORMATS.map((format) => quasi.renderTable(t, { format }).length)),
        };
      }
      return summary;
    });
  }, base);
  assert.deepEqual(out.nearest.ids, ["psm.effects", "psm.propensity", "psm.balance", "psm.balance_overall"]);
  assert.deepEqual(out.compare.ids, ["psm.compare"]);
  assert.deepEqual(out.did.ids.slice(0, 2), ["psm_did.main", "psm_did.matching"]);
  assert.ok(out.did.ids.includes("psm_did.balance") && out.didByYear.ids.includes("psm_did.per_year"));
  for (const [name, r] of Object.entries(out)) {
    assert.ok(r.shapes.length > 0 && r.shapes.every(Boolean), `${name}: tables with columns and rows`);
    assert.ok(r.rendered.every((fs) => fs.length === 5 && fs.every((n) => n > 0)), `${name}: five formats`);
    assert.ok(Array.isArray(r.diagnostics), `${name}: diagnostics list`);
    for (const d of r.diagnostics) {
      assert.equal(typeof d.code, "string", `${name}: diagnostic code`);
      assert.ok(["info", "warning"].includes(d.severity));
      assert.equal(typeof d.message, "string");
    }
    assert.equal(r.hasTableString, false, `${name}: no pre-rendered table`);
  }
  assert.ok(out.nearest.diagnostics.some((d) => d.code === "unmatched_dropped"), "the caliper drops treated units");
  assert.ok(!out.did.diagnostics.some((d) => d.code === "no_outcome"), "PSM-DID leaves out PSM's no-outcome note by its code");
  assert.deepEqual(rec.pageErrors, []);
});
