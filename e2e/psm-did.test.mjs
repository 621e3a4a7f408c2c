// The PSM-DID panel on the JJJ sample (the DID workbench's default setup: lnHDQ on the
// ftz_year adoption with the seed study's controls, city and year FE, clustered by city):
// run it from the page, read both estimates off the page (data-value, full precision) and
// compare them with quasi.psmDid called through the JS API in the same page (1e-12), and
// the full-sample column with pyfixest (tests/fixtures/jjj_did.json,
// twfe_controls_cluster: lnHDQ ~ FTZ + fe + lnstru + urba + fdi + pgdp | city + year,
// CRV1 by city) at 1e-6 / 1e-4.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, relErr, screenshot, ROOT } from "./harness.mjs";

const REF = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "jjj_did.json"), "utf8"));

let s;
before(async () => {
  s = await startSession();
});
after(async () => {
  await s?.close();
});

async function openJjj() {
  const r = await s.newPage("/?sample=jjj#psm-did");
  await r.page.waitForSelector("#panel-psm-did:not([hidden])");
  await r.page.waitForFunction(() => document.querySelector("#psmdid-run") && !document.querySelector("#psmdid-run").disabled, null, { timeout: 30_000 });
  return r;
}

async function runDid(page) {
  await page.evaluate(() => document.querySelector("#psmdid-result").replaceChildren());
  await page.evaluate(() => document.querySelector("#psmdid-error").setAttribute("hidden", ""));
  await page.click("#psmdid-run");
  await page.waitForFunction(
    () => document.querySelector("#psmdid-table") || !document.querySelector("#psmdid-error").hidden,
    null,
    { timeout: 30_000 },
  );
  const err = await page.$eval("#psmdid-error", (e) => (e.hidden ? null : e.textContent));
  assert.equal(err, null, `error shown: ${err}`);
  return page.$$eval("#psmdid-result [data-key]", (els) => Object.fromEntries(els.map((e) => [e.dataset.key, e.dataset.value])));
}

/** quasi.psmDid on the same file, through the public JS API in the page. */
async function apiDid(page, spec) {
  return page.evaluate(async (spec) => {
    const quasi = await import("/pkg/quasi.js");
    await quasi.default();
    const bytes = new Uint8Array(await (await fetch("/www/samples/jjj_cities.csv")).arrayBuffer());
    const ds = quasi.Dataset.fromBytes(bytes, { filename: "jjj_cities.csv" });
    const r = quasi.psmDid(ds, spec);
    return { full: [r.full.estimate, r.full.std_error], matched: [r.matched.estimate, r.matched.std_error], matching: { ...r.matching, row_weights: undefined, balance: undefined } };
  }, spec);
}

const CONTROLS = ["fe", "lnstru", "urba", "fdi", "pgdp"];
const SPEC = { unit: "city", time: "year", y: "lnHDQ", start: "ftz_year", controls: CONTROLS, fe: ["city", "year"], vcov: { cluster: ["city"] }, covariates: ["pgdp", "fdi", "urba"], match: { model: "logit", method: "nearest", k: 1, replace: true, ties: true, match_on: "score", common_support: false, seed: 42 }, by_year: false, baseline: "pre_mean", sample: "weights" };

test("PSM-DID on the JJJ sample runs from the page: both columns equal quasi.psmDid; full column equals pyfixest", async () => {
  const r = await openJjj();
  const { page } = r;
  // defaults of the JJJ sample: the DID setup's unit, time, outcome and adoption column
  const using = await page.textContent("#psmdid-setup-using");
  assert.equal(using, `lnHDQ ~ DID(ftz_year) + ${CONTROLS.join(" + ")} | city + year, cluster city`);
  const checked = await page.$$eval("#psmdid-covariates input:checked", (xs) => xs.map((x) => x.value));
  assert.deepEqual([...checked].sort(), ["fdi", "pgdp", "urba"]);
  assert.equal(await page.isChecked("#psmdid-by-year"), false);

  const got = await runDid(page);
  const api = await apiDid(page, SPEC);
  assert.ok(Math.abs(Number(got["full-estimate"]) - api.full[0]) <= 1e-12 * Math.abs(api.full[0]));
  assert.ok(Math.abs(Number(got["matched-estimate"]) - api.matched[0]) <= 1e-12 * Math.abs(api.matched[0]));
  assert.ok(Math.abs(Number(got["matched-std_error"]) - api.matched[1]) <= 1e-12 * Math.abs(api.matched[1]));
  const ref = REF.cases.twfe_controls_cluster.coefficients.FTZ;
  assert.ok(relErr(Number(got["full-estimate"]), ref.estimate) < 1e-6, `full ${got["full-estimate"]} vs ${ref.estimate}`);
  assert.ok(relErr(Number(got["full-std_error"]), ref.std_error) < 1e-4);
  assert.equal(Number(got["full-nobs"]), 130);
  assert.equal(Number(got["matched-nobs"]), api.matching.n_rows_matched);
  assert.equal(api.matching.n_treated_matched, 6);
  // summary and diagnostics are shown
  const summary = await page.$eval("#psmdid-summary", (t) => t.textContent);
  assert.match(summary, /Treated matched/);
  assert.ok(await page.$("#psmdid-units"));
  await screenshot(page, "psm-did-pooled.png", { fullPage: true });

  // year-by-year matching from the page equals the API too
  await page.check("#psmdid-by-year");
  const gy = await runDid(page);
  const ay = await apiDid(page, { ...SPEC, by_year: true });
  assert.ok(Math.abs(Number(gy["matched-estimate"]) - ay.matched[0]) <= 1e-12 * Math.abs(ay.matched[0]));
  const perYear = await page.$$eval("#psmdid-per-year tbody tr", (rows) => rows.length);
  assert.equal(perYear, 10);
  assert.deepEqual([...r.consoleErrors, ...r.pageErrors], []);
});

test("PSM-DID errors are shown in the section", async () => {
  const r = await openJjj();
  const { page } = r;
  await page.check("#psmdid-use-caliper");
  await page.fill("#psmdid-caliper", "0.0000001");
  await page.selectOption("#psmdid-caliper-scale", "absolute");
  await page.click("#psmdid-run");
  await page.waitForSelector("#psmdid-error:not([hidden])");
  const msg = await page.$eval("#psmdid-error", (e) => e.textContent);
  assert.match(msg, /dropped/);
  assert.deepEqual([...r.consoleErrors, ...r.pageErrors], []);
});
