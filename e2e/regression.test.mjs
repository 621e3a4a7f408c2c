// Regression panel: formulas from tests/fixtures/jjj_did.json run on the page
// and the numbers read off the result card (data-value) match the reference
// (estimates 1e-6, SE 1e-4 relative); the side-by-side table and its LaTeX
// export; a formula syntax error shows its position.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, waitForDataset, openPanel, screenshot, relErr, ROOT } from "./harness.mjs";

const JJJ_DID = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "jjj_did.json"), "utf8"));
let s;
before(async () => {
  s = await startSession();
});
after(async () => {
  await s?.close();
});

/** Opens the page with the JJJ sample and the Regression panel. */
async function openRegression() {
  const r = await s.newPage("/?sample=jjj");
  await waitForDataset(r.page, "jjj_cities.csv");
  await openPanel(r.page, "regression");
  await r.page.waitForSelector("#reg-y option[value=lnHDQ]", { state: "attached" });
  return r;
}

/** Sets the formula and vcov ({CRV1: col} | "iid" | "hetero"), runs, waits for the fitted formula. */
async function runModel(page, formula, vcov) {
  await page.fill("#reg-formula", formula);
  if (vcov && typeof vcov === "object") {
    await page.selectOption("#reg-vcov", "cluster");
    await page.selectOption("#reg-cluster1", vcov.CRV1 ?? vcov.cluster);
  } else await page.selectOption("#reg-vcov", vcov === "hetero" ? "hetero" : "iid");
  await page.click("#reg-run");
  await page.waitForFunction((f) => document.querySelector("#reg-fitted-formula")?.textContent === f && !document.querySelector("#reg-result").classList.contains("is-stale"), formula, { timeout: 20_000 });
}

function readCoefs(page) {
  return page.$$eval("#reg-coef tbody tr", (trs) =>
    Object.fromEntries(
      trs.map((tr) => [tr.dataset.term, { estimate: Number(tr.querySelector(".reg-estimate").dataset.value), se: Number(tr.querySelector(".reg-se").dataset.value), text: tr.querySelector(".reg-estimate").textContent }]),
    ),
  );
}

/** The side-by-side table's column labels once they equal `want` (the table is the engine's, redrawn asynchronously). */
async function sideHeads(page, want) {
  await page
    .waitForFunction((w) => JSON.stringify([...document.querySelectorAll("#reg-side thead tr.column-labels th")].map((x) => x.textContent)) === w, JSON.stringify(want), { timeout: 10_000 })
    .catch(() => {});
  return page.$$eval("#reg-side thead tr.column-labels th", (t) => t.map((x) => x.textContent));
}

test("jjj_did cases run on the page match the reference (estimates 1e-6, SE 1e-4)", async () => {
  const r = await openRegression();
  // the cases writable on the sample's own columns (the event-study dummies are derived columns; see api.test.mjs)
  const names = Object.keys(JJJ_DID.cases).filter((n) => !n.startsWith("event_study"));
  assert.ok(names.length >= 7);
  for (const name of names) {
    const c = JJJ_DID.cases[name];
    await runModel(r.page, c.formula, c.vcov);
    const got = await readCoefs(r.page);
    assert.equal(Object.keys(got).length, Object.keys(c.coefficients).length, `${name}: number of terms`);
    for (const [term, want] of Object.entries(c.coefficients)) {
      assert.ok(got[term], `${name}: ${term} shown`);
      assert.ok(relErr(got[term].estimate, want.estimate) < 1e-6, `${name} ${term}: ${got[term].estimate} vs ${want.estimate}`);
      assert.ok(relErr(got[term].se, want.std_error) < 1e-4, `${name} ${term} se: ${got[term].se} vs ${want.std_error}`);
    }
    const nobs = await r.page.$eval("#reg-stats dd[data-stat=nobs]", (d) => Number(d.dataset.value));
    assert.equal(nobs, c.nobs);
    const r2 = await r.page.$eval("#reg-stats dd[data-stat=r2]", (d) => Number(d.dataset.value));
    assert.ok(relErr(r2, c.r2) < 1e-6, `${name} r2`);
  }
  // stars on the displayed estimate (FTZ is highly significant)
  await runModel(r.page, JJJ_DID.cases.twfe_plain_cluster.formula, JJJ_DID.cases.twfe_plain_cluster.vcov);
  assert.match((await readCoefs(r.page)).FTZ.text, /\*\*\*$/);
  assert.deepEqual(r.consoleErrors, []);
  assert.deepEqual(r.pageErrors, []);
});

test("the pickers write the formula; the formula stays the source of truth", async () => {
  const r = await openRegression();
  const { page } = r;
  await page.fill("#reg-formula", "");
  await page.selectOption("#reg-y", "lnHDQ");
  await page.selectOption("#reg-x", ["FTZ", "pgdp"]);
  await page.selectOption("#reg-fe", ["city", "year"]);
  assert.equal(await page.inputValue("#reg-formula"), "lnHDQ ~ FTZ + pgdp | city + year");
  // typing the formula updates the pickers
  await page.fill("#reg-formula", "IL ~ FTZ | city");
  assert.equal(await page.inputValue("#reg-y"), "IL");
  assert.deepEqual(await page.$$eval("#reg-fe option:checked", (o) => o.map((x) => x.value)), ["city"]);
  // an IV part typed by hand survives the pickers
  await page.fill("#reg-formula", "lnHDQ ~ pgdp | city | IL ~ fdi");
  await page.selectOption("#reg-x", ["pgdp", "urba"]);
  assert.equal(await page.inputValue("#reg-formula"), "lnHDQ ~ pgdp + urba | city | IL ~ fdi");
  // an IV model shows its first-stage table; hetero SEs
  await runModel(page, "lnHDQ ~ pgdp | city + year | IL ~ fdi + urba", "hetero");
  const fs1 = await page.$eval("#reg-first-stage tr[data-endogenous=IL] .reg-fs-f", (td) => Number(td.dataset.value));
  assert.ok(Number.isFinite(fs1) && fs1 > 0, `first-stage F ${fs1}`);
  assert.ok(await page.$("#reg-coef tr[data-term=IL]"));
  assert.deepEqual(r.pageErrors, []);
});

test("two models side by side; LaTeX export has \\toprule and the coefficient; remove and rename", async () => {
  const r = await openRegression();
  const { page } = r;
  const a = JJJ_DID.cases.twfe_plain_cluster;
  const b = JJJ_DID.cases.twfe_controls_cluster;
  await runModel(page, a.formula, a.vcov);
  await page.click("#reg-add");
  await runModel(page, b.formula, b.vcov);
  await page.click("#reg-add");
  await page.waitForSelector("#reg-side");
  const heads = await sideHeads(page, ["", "(1)", "(2)"]);
  assert.deepEqual(heads, ["", "(1)", "(2)"]);
  const ftz = await page.$$eval("#reg-side tr.reg-coef-row[data-term=FTZ] td", (t) => t.map((x) => Number(x.dataset.value)));
  assert.ok(relErr(ftz[0], a.coefficients.FTZ.estimate) < 1e-6 && relErr(ftz[1], b.coefficients.FTZ.estimate) < 1e-6, JSON.stringify(ftz));
  const se = await page.$$eval("#reg-side tr.reg-se-row[data-term=FTZ] td", (t) => t.map((x) => x.textContent));
  assert.match(se[0], /^\(0\.\d{3}\)$/);
  const fe = await page.$$eval("#reg-side tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)).filter((c) => /FE$/.test(c[0])));
  assert.deepEqual(fe, [["city FE", "Yes", "Yes"], ["year FE", "Yes", "Yes"]]);

  const download = page.waitForEvent("download");
  await page.click("#reg-export-latex");
  const dl = await download;
  assert.equal(dl.suggestedFilename(), "regression_table.tex");
  const latex = fs.readFileSync(await dl.path(), "utf8");
  assert.match(latex, /\\toprule/);
  assert.match(latex, /FTZ/);
  assert.ok(latex.includes(a.coefficients.FTZ.estimate.toFixed(3)), "coefficient in the LaTeX");
  assert.equal(await page.inputValue("#reg-export-text"), latex);

  // markdown / csv / html exports are text too
  for (const f of ["markdown", "csv", "html"]) {
    const d = page.waitForEvent("download");
    await page.click(`#reg-export-${f}`);
    const txt = fs.readFileSync(await (await d).path(), "utf8");
    assert.match(txt, /FTZ/, f);
  }

  // rename column 2, then remove model 1
  await page.fill("#reg-model-name-1", "Controls");
  await page.press("#reg-model-name-1", "Enter");
  await page.$eval("#reg-model-name-1", (i) => i.dispatchEvent(new Event("change")));
  assert.deepEqual(await sideHeads(page, ["", "(1)", "Controls"]), ["", "(1)", "Controls"]);
  const d2 = page.waitForEvent("download");
  await page.click("#reg-export-latex");
  assert.match(fs.readFileSync(await (await d2).path(), "utf8"), /Controls/);
  await screenshot(page, "regression-table.png", { fullPage: true });
  await page.click("#reg-models li:first-child .reg-remove");
  assert.deepEqual(await sideHeads(page, ["", "Controls"]), ["", "Controls"]);
  assert.deepEqual(r.consoleErrors, []);
  assert.deepEqual(r.pageErrors, []);
});

test("formula errors: syntax error with its position, unknown column named", async () => {
  const r = await openRegression();
  const { page } = r;
  await page.fill("#reg-formula", "lnHDQ ~ FTZ + | city");
  await page.click("#reg-run");
  await page.waitForSelector("#reg-error:not([hidden])");
  const msg = await page.textContent("#reg-error");
  assert.match(msg, /syntax/i);
  assert.match(msg, /position 15/);
  await page.fill("#reg-formula", "lnHDQ ~ FTZx | city");
  await page.click("#reg-run");
  await page.waitForFunction(() => /FTZx/.test(document.querySelector("#reg-error")?.textContent || ""));
  assert.match(await page.textContent("#reg-error"), /unknown column `FTZx`/);
  await screenshot(page, "regression-error.png");
  assert.deepEqual(r.pageErrors, []);
});
