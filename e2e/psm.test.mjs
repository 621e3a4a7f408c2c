// The PSM panel on the LaLonde sample: the numbers read off the page
// (data-value, full precision) against R Matching 4.10.8
// (tests/fixtures/lalonde_psm.json) — ATT 1e-6 relative, Abadie–Imbens SE 1e-4
// relative, counts exact, propensity coefficients and log-likelihood 1e-6 —
// for k = 1, k = 3, a 0.1-SD caliper on the score and a 0.2-SD caliper on the
// logit; the pstest balance table (one row group per covariate) and its CSV;
// the density figure (blob <img>, SVG download); the matching-family comparison.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, relErr, parseCsv, screenshot, ROOT, ARTIFACTS } from "./harness.mjs";

const REF = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "lalonde_psm.json"), "utf8"));
const EST = 1e-6;
const SE = 1e-4;
const COVARIATES = ["age", "educ", "racehispan", "racewhite", "married", "nodegree", "re74", "re75"];

let s;
before(async () => {
  s = await startSession();
});
after(async () => {
  await s?.close();
});

/** Opens the PSM panel with the LaLonde sample loaded through the page. */
async function openLalonde() {
  const r = await s.newPage("/?sample=lalonde#psm");
  await r.page.waitForSelector("#panel-psm:not([hidden])");
  await r.page.waitForFunction(() => document.querySelector("#psm-run") && !document.querySelector("#psm-run").disabled, null, { timeout: 30_000 });
  return r;
}

/** Clicks Run and waits for a fresh effect card and density figure. */
async function runAndRead(page) {
  await page.evaluate(() => document.querySelector("#psm-effect").replaceChildren());
  await page.click("#psm-run");
  await page.waitForFunction(
    () => document.querySelector("#psm-effect [data-key=estimate]") || !document.querySelector("#psm-error").hidden,
    null,
    { timeout: 30_000 },
  );
  const err = await page.$eval("#psm-error", (e) => (e.hidden ? null : e.textContent));
  assert.equal(err, null, `error shown: ${err}`);
  await page.waitForFunction(() => !document.querySelector("#psm-run").disabled && document.querySelector("#psm-status").textContent === "", null, { timeout: 30_000 });
  const got = await page.$$eval("#psm-results [data-key]", (els) => Object.fromEntries(els.map((e) => [e.dataset.key, e.dataset.value])));
  // the propensity model's fit statistics are rows of the engine's psm.propensity table
  got.loglik = await page.$eval('#psm-propensity-table tr[data-row="Log-likelihood"] td', (td) => td.dataset.value);
  return got;
}

function checkCase(got, c, name) {
  assert.ok(relErr(Number(got.estimate), c.att) < EST, `${name} ATT ${got.estimate} vs ${c.att}`);
  assert.ok(relErr(Number(got.std_error), c.se_ai) < SE, `${name} SE ${got.std_error} vs ${c.se_ai}`);
  assert.equal(Number(got.n_treated_matched), c.n_treated_matched, `${name} treated matched`);
  assert.equal(Number(got.n_treated_dropped), c.n_treated_dropped, `${name} treated dropped`);
  assert.equal(Number(got.n_control_used), c.n_control_used, `${name} controls used`);
  assert.equal(Number(got.n_treated), 185);
  assert.equal(Number(got.n_control), 429);
  assert.ok(relErr(Number(got.loglik), REF.propensity.loglik) < EST, `${name} loglik`);
}

test("default LaLonde run: ATT, AI SE, counts, propensity model match R Matching; balance table; density figure", async () => {
  const r = await openLalonde();
  const { page } = r;
  // the sample's default specification is preselected
  assert.equal(await page.inputValue("#psm-treat"), "treat");
  assert.equal(await page.inputValue("#psm-outcome"), "re78");
  const checked = await page.$$eval("#psm-covariates input:checked", (xs) => xs.map((x) => x.value));
  assert.deepEqual(checked, ["age", "educ", "race", "married", "nodegree", "re74", "re75"]);
  assert.equal(await page.inputValue("#psm-model"), "logit");
  assert.equal(await page.inputValue("#psm-method"), "nearest");
  assert.equal(await page.inputValue("#psm-k"), "1");
  assert.equal(await page.isChecked("#psm-replace"), true);
  assert.equal(await page.isChecked("#psm-ties"), true);
  assert.equal(await page.isChecked("#psm-use-caliper"), false);
  assert.equal(await page.inputValue("#psm-estimand"), "ATT");
  assert.equal(await page.inputValue("#psm-se"), "ai");

  const got = await runAndRead(page);
  checkCase(got, REF.cases.nn1_ps, "nn1_ps");
  // the displayed text is the rounded number
  assert.equal(await page.textContent("#psm-effect [data-key=estimate]"), REF.cases.nn1_ps.att.toFixed(3));
  assert.match(await page.textContent("#psm-effect-title"), /^ATT/);

  // propensity model table
  // (the coefficient rows: those above the first ruled row, where the fit statistics start)
  const coefs = await page.$$eval("#psm-propensity-table tbody tr", (trs) =>
    trs.slice(0, trs.findIndex((tr) => tr.classList.contains("rule-above"))).map((tr) => [tr.dataset.row, tr.cells[1].dataset.value, tr.cells[2].dataset.value]),
  );
  assert.deepEqual(coefs.map((c) => c[0]).sort(), Object.keys(REF.propensity.coefficients).sort());
  for (const [term, est, se] of coefs) {
    assert.ok(relErr(Number(est), REF.propensity.coefficients[term]) < EST, `${term}: ${est}`);
    assert.ok(Number(se) > 0, `${term} SE`);
  }

  // balance table: per design covariate an unmatched (U) and a matched (M) row
  const balanceRows = await page.$$eval("#psm-balance-table tbody tr", (trs) => trs.map((tr) => [tr.dataset.row, tr.cells[1].textContent]));
  assert.deepEqual(balanceRows.map((g) => g[0]), COVARIATES.flatMap((v) => [v, v]));
  assert.deepEqual(balanceRows.map((g) => g[1]), COVARIATES.flatMap(() => ["U", "M"]));
  const ageMatched = await page.$$eval('#psm-balance-table tbody tr[data-row="age"]', (trs) => [...trs.find((tr) => tr.cells[1].textContent === "M").querySelectorAll("td")].map((t) => t.dataset.value ?? t.textContent));
  assert.ok(Number.isFinite(Number(ageMatched[1])) && Number(ageMatched[1]) > 0, "matched treated mean of age");
  const overall = await page.$$eval("#psm-balance-overall tbody tr", (trs) => trs.map((tr) => tr.dataset.row.toLowerCase()));
  assert.deepEqual(overall, ["unmatched", "matched"]);

  // balance CSV
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#psm-balance-export-csv")]);
  assert.equal(dl.suggestedFilename(), "lalonde_psm_balance.csv");
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const csvFile = path.join(ARTIFACTS, "psm_balance.csv");
  await dl.saveAs(csvFile);
  const csvText = fs.readFileSync(csvFile, "utf8");
  const rows = parseCsv(csvText);
  assert.deepEqual(rows[0].slice(0, 4), ["Variable", "Sample", "Mean treated", "Mean control"]);
  assert.deepEqual(rows.slice(1, 17).map((x) => x[0]), COVARIATES.flatMap((v) => [v, v]));
  assert.deepEqual(rows.slice(1, 17).map((x) => x[1]), COVARIATES.flatMap(() => ["U", "M"]));
  const ageM = rows.find((x) => x[0] === "age" && x[1] === "M");
  assert.ok(Math.abs(Number(ageM[2]) - Number(ageMatched[1])) < 1e-4, "CSV matched mean of age = the table's value");
  // the page's CSV is the core's rendering of the result's psm.balance table
  const coreCsv = await page.evaluate(async (spec) => {
    const quasi = await import("/pkg/quasi.js");
    await quasi.default();
    const bytes = new Uint8Array(await (await fetch("/www/samples/lalonde.csv")).arrayBuffer());
    const ds = quasi.Dataset.fromBytes(bytes, { filename: "lalonde.csv" });
    const t = quasi.psm(ds, spec).tables.find((x) => x.id === "psm.balance");
    return quasi.renderTable(t, { format: "csv" });
  }, { formula: REF.formula, outcome: REF.outcome });
  assert.equal(csvText, coreCsv);

  // density figure: a blob: <img>, SVG download
  const src = await page.getAttribute("#psm-density img.chart", "src");
  assert.match(src, /^blob:/);
  assert.ok(await page.$eval("#psm-density img.chart", (img) => img.complete && img.naturalWidth > 0), "the figure renders");
  const [svgDl] = await Promise.all([page.waitForEvent("download"), page.click("#psm-density .chart-actions button >> text=Download SVG")]);
  assert.equal(svgDl.suggestedFilename(), "lalonde_psm_density.svg");
  const svgFile = path.join(ARTIFACTS, "psm_density.svg");
  await svgDl.saveAs(svgFile);
  const svg = fs.readFileSync(svgFile, "utf8");
  assert.match(svg, /<svg[\s>]/);
  assert.match(svg, /Propensity score density before and after matching/);
  await screenshot(page, "psm-panel.png", { fullPage: true });
  assert.deepEqual([...r.consoleErrors, ...r.pageErrors], []);
});

test("k = 3, a 0.1-SD caliper on the score and a 0.2-SD caliper on the logit match R Matching", async () => {
  const r = await openLalonde();
  const { page } = r;
  await page.fill("#psm-k", "3");
  checkCase(await runAndRead(page), REF.cases.nn3_ps, "nn3_ps");

  await page.fill("#psm-k", "1");
  await page.check("#psm-use-caliper");
  await page.fill("#psm-caliper", "0.1");
  await page.selectOption("#psm-caliper-scale", "sd");
  const cal = await runAndRead(page);
  checkCase(cal, REF.cases.nn1_ps_caliper, "nn1_ps_caliper");
  assert.ok(Number(cal.caliper_abs) > 0, "absolute caliper shown");
  assert.match(await page.textContent("#psm-diagnostics"), /2 of 185 treated units dropped/);

  await page.selectOption("#psm-match-on", "logit");
  await page.fill("#psm-caliper", "0.2");
  checkCase(await runAndRead(page), REF.cases.nn1_logit_caliper, "nn1_logit_caliper");
  assert.deepEqual([...r.consoleErrors, ...r.pageErrors], []);
});

test("Compare matching families: k-nearest, caliper, caliper-kNN, radius and kernel in one table", async () => {
  const r = await openLalonde();
  const { page } = r;
  await page.fill("#psm-reps", "30"); // bootstrap SEs of the radius and kernel rows
  await page.click("#psm-compare");
  await page.waitForSelector("#psm-compare-table", { timeout: 60_000 });
  // the engine's psm.compare table: Method, Estimand, Estimate, Std. error, SE, z, p, CI low, CI high, matched, dropped, controls used, bias
  const rows = await page.$$eval("#psm-compare-table tbody tr", (trs) =>
    trs.map((tr) => {
      const cells = [...tr.cells].map((c) => c.dataset.value ?? c.textContent);
      return { label: tr.dataset.row, se: cells[4], cells: [cells[0], cells[2], cells[3], null, cells[9], cells[10], cells[11]] };
    }),
  );
  assert.equal(rows.length, 6);
  assert.deepEqual(
    rows.map((x) => x.label.split(/[ ,(]/)[0]),
    ["nearest", "nearest", "nearest", "nearest", "radius", "kernel"],
  );
  assert.match(rows[1].label, /k=4/);
  assert.match(rows[3].label, /k=4, caliper 0\.1 SD/);
  // the k = 1 and caliper rows are the reference cases
  for (const [i, c] of [[0, REF.cases.nn1_ps], [2, REF.cases.nn1_ps_caliper]]) {
    assert.ok(relErr(Number(rows[i].cells[1]), c.att) < EST, `row ${i} estimate`);
    assert.ok(relErr(Number(rows[i].cells[2]), c.se_ai) < SE, `row ${i} SE`);
    assert.equal(Number(rows[i].cells[4]), c.n_treated_matched);
    assert.equal(Number(rows[i].cells[5]), c.n_treated_dropped);
    assert.equal(Number(rows[i].cells[6]), c.n_control_used);
  }
  assert.deepEqual(rows.map((x) => x.se), ["ai", "ai", "ai", "ai", "bootstrap", "bootstrap"]);
  for (const x of rows) assert.ok(Number.isFinite(Number(x.cells[1])) && Number(x.cells[2]) > 0, x.label);
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#psm-compare-export-csv")]);
  assert.equal(dl.suggestedFilename(), "lalonde_psm_compare.csv");
  const file = path.join(ARTIFACTS, "psm_compare.csv");
  await dl.saveAs(file);
  const csv = parseCsv(fs.readFileSync(file, "utf8")).filter((x) => x.length > 1);
  assert.equal(csv[0][0], "Method");
  assert.equal(csv.length, 7);
  await page.locator("#psm-compare-card").screenshot({ path: path.join(ARTIFACTS, "psm-compare.png") });
  assert.deepEqual([...r.consoleErrors, ...r.pageErrors], []);
});

test("other methods from the form; clear errors for a non-0/1 treatment and missing inputs", async () => {
  const r = await openLalonde();
  const { page } = r;
  // kernel matching with a seeded bootstrap, ATE
  await page.selectOption("#psm-method", "kernel");
  assert.equal(await page.isVisible("#psm-bandwidth"), true);
  assert.equal(await page.isVisible("#psm-k"), false);
  await page.selectOption("#psm-kernel", "gaussian");
  await page.selectOption("#psm-se", "bootstrap");
  await page.fill("#psm-reps", "20");
  const k = await runAndRead(page);
  assert.ok(Number.isFinite(Number(k.estimate)) && Number(k.std_error) > 0);
  assert.match(await page.textContent("#psm-effect"), /bootstrap \(20 replications, seed 42\)/);
  // same seed, same SE
  const k2 = await runAndRead(page);
  assert.equal(k2.std_error, k.std_error);

  // radius needs a caliper: the checkbox is forced on
  await page.selectOption("#psm-method", "radius");
  assert.equal(await page.isChecked("#psm-use-caliper"), true);
  assert.equal(await page.isDisabled("#psm-use-caliper"), true);

  // treatment not 0/1
  await page.selectOption("#psm-method", "nearest");
  await page.selectOption("#psm-se", "ai");
  await page.selectOption("#psm-treat", "educ");
  await page.click("#psm-run");
  await page.waitForSelector("#psm-error:not([hidden])");
  assert.match(await page.textContent("#psm-error"), /educ.*must be 0 \(control\) or 1 \(treated\)/);

  // no covariates
  await page.selectOption("#psm-treat", "treat");
  await page.click("#psm-covariates >> xpath=.. >> text=none");
  await page.click("#psm-run");
  await page.waitForFunction(() => /at least one covariate/.test(document.querySelector("#psm-error").textContent));

  // a bad caliper
  await page.check('#psm-covariates input[value="age"]');
  await page.check("#psm-use-caliper");
  await page.fill("#psm-caliper", "-1");
  await page.click("#psm-run");
  await page.waitForFunction(() => /caliper must be a number greater than 0/.test(document.querySelector("#psm-error").textContent));
  assert.equal(await page.getAttribute("#psm-caliper", "aria-invalid"), "true");
  assert.deepEqual(r.pageErrors, []);
});

test("a long bootstrap can be cancelled; the form is kept and the panel runs again", async () => {
  const r = await openLalonde();
  const { page } = r;
  await page.selectOption("#psm-method", "kernel");
  await page.selectOption("#psm-se", "bootstrap");
  await page.fill("#psm-reps", "100000");
  await page.click("#psm-run");
  await page.waitForSelector("#psm-cancel:not([hidden])");
  await page.click("#psm-cancel");
  await page.waitForFunction(() => /Cancelled/.test(document.querySelector("#psm-error").textContent));
  // the engine restarts and reloads the data; the choices survive
  await page.waitForFunction(() => !document.querySelector("#psm-run").disabled, null, { timeout: 30_000 });
  assert.equal(await page.inputValue("#psm-method"), "kernel");
  assert.equal(await page.inputValue("#psm-reps"), "100000");
  await page.selectOption("#psm-method", "nearest");
  await page.selectOption("#psm-se", "ai");
  checkCase(await runAndRead(page), REF.cases.nn1_ps, "nn1_ps after cancel");
  assert.deepEqual(r.pageErrors, []);
});
