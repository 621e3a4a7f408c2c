// Regressions found by a first-time-user walk through the page (page QA):
// DID defaults on a non-sample file with Chinese headers, no duplicate
// "CI high" line, a readable placebo error, no stale regression result after
// the dataset changed, and no horizontal overflow at 1024 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, waitForDataset, openPanel, chooseFile, screenshot, SAMPLES } from "./harness.mjs";

let s;
before(async () => {
  s = await startSession();
});
after(async () => {
  await s?.close();
});

const MESSY = [
  "城市,年份,企业数量,GDP增长率,是否自贸区",
  "单位,年,个,%,",
  "北京,2015,120,6.5,0",
  "北京,2016,130,,0",
  "北京,2017,150,6.8,1",
  "上海,2015,200,6.9,0",
  "上海,2016,,6.7,1",
  "上海,2017,240,NA,1",
  "天津,2015,90,9.3,0",
  "天津,2016,95,9.0,0",
  "天津,2017,NA,3.6,0",
  "",
].join("\n");

/** Waits for a panel's result or its error card. */
async function waitResultOrError(page, panel, result) {
  await page.waitForFunction(
    ({ panel, result }) => document.querySelector(`#panel-${panel} .error-card:not([hidden])`) || (document.querySelector(result)?.childElementCount > 0 && !document.querySelector(result).hidden),
    { panel, result },
    { timeout: 60_000 },
  );
}

test("DID defaults on a file with Chinese headers: unit, time and the 0/1 indicator are guessed, the outcome is not the time column", async () => {
  const r = await s.newPage("/?sample=none");
  const { page } = r;
  await chooseFile(page, { name: "messy.csv", mimeType: "text/csv", buffer: Buffer.from(MESSY, "utf8") });
  await waitForDataset(page, "messy.csv");
  await openPanel(page, "did");
  await page.waitForSelector("#did-y option[value='企业数量']", { state: "attached" });
  assert.equal(await page.inputValue("#did-unit"), "城市");
  assert.equal(await page.inputValue("#did-time"), "年份");
  assert.equal(await page.inputValue("#did-form"), "indicator");
  assert.equal(await page.inputValue("#did-indicator"), "是否自贸区");
  const y = await page.inputValue("#did-y");
  assert.ok(y && y !== "年份" && y !== "是否自贸区", `outcome ${y}`);
  await page.click("#did-run");
  await waitResultOrError(page, "did", "#did-result");
  // 7 usable rows (two outcomes are missing), 3 cities, one switching to treated:
  // small but estimable, so the panel shows a result, not an error.
  assert.deepEqual(await page.$$eval("#panel-did .error-card:not([hidden])", (els) => els.map((e) => e.textContent)), [], "no error card");
  assert.equal(await page.$eval('#did-facts dd[data-stat="nobs"]', (d) => Number(d.dataset.value)), 7);
  assert.ok(Number.isFinite(await page.$eval('#did-facts dd[data-stat="estimate"]', (d) => Number(d.dataset.value))), "finite estimate");
  assert.deepEqual(r.consoleErrors, []);
  assert.deepEqual(r.pageErrors, []);
});

test("provinces: DID facts show the CI once; permutation placebo runs with 31 units (a count above 2^53); random timing runs", async () => {
  const r = await s.newPage("/?sample=provinces");
  const { page } = r;
  await waitForDataset(page, "provinces.csv");
  await openPanel(page, "did");
  assert.equal(await page.inputValue("#did-start"), "first_treat");
  await page.click("#did-run");
  await page.waitForSelector('#did-facts dd[data-stat="conf_high"]', { state: "attached", timeout: 60_000 });
  // the upper CI bound is in the "95% CI" line, not repeated as its own visible fact
  assert.equal(await page.isVisible('#did-facts dd[data-stat="conf_high"]'), false);
  assert.ok(Number.isFinite(await page.$eval('#did-facts dd[data-stat="conf_high"]', (d) => Number(d.dataset.value))));
  assert.match(await page.textContent('#did-facts dd[data-stat="conf_low"]'), /^\[.+, .+\]$/);
  await openPanel(page, "placebo");
  await page.selectOption("#placebo-kind", "permute_units");
  await page.click("#placebo-run");
  // 31 provinces: far more than 2^53 possible assignments; the count must still cross into JS.
  await page.waitForSelector('#placebo-stats dd[data-stat="p_value"]', { timeout: 60_000 });
  assert.equal(await page.$("#panel-placebo .error-card:not([hidden])"), null);
  await page.selectOption("#placebo-kind", "random_timing");
  await page.$eval("#placebo-result", (e) => e.replaceChildren());
  await page.click("#placebo-run");
  await page.waitForSelector('#placebo-stats dd[data-stat="p_value"]', { timeout: 60_000 });
  assert.equal(await page.$("#panel-placebo .error-card:not([hidden])"), null);
  // no draw as extreme as the estimate (random timing on the provinces, 500 draws, seed 1):
  // the share is 0, but the p the page leads with is the corrected (1 + 0) / (500 + 1), never 0
  const share = await page.$eval('#placebo-stats dd[data-stat="p_value"]', (d) => Number(d.dataset.value));
  assert.equal(share, 0, `share = ${share}: the sample no longer tests the p = 0 display`);
  const p = await page.$eval('#placebo-stats dd[data-stat="p_value_corrected"]', (d) => ({ v: Number(d.dataset.value), t: d.textContent }));
  assert.equal(p.v, 1 / 501);
  assert.equal(p.t, "0.0020");
  assert.match(await page.textContent("#placebo-p-note"), /p = \(1 \+ 0\) \/ \(500 \+ 1\)/);
  assert.deepEqual(r.pageErrors, []);
});

test("regression: the result and formula of the previous dataset are not shown after loading another", async () => {
  const r = await s.newPage("/?sample=provinces");
  const { page } = r;
  await waitForDataset(page, "provinces.csv");
  await openPanel(page, "regression");
  assert.equal(await page.inputValue("#reg-formula"), "NQPF ~ DID + GDP + URB | province + year");
  await page.click("#reg-run");
  await page.waitForSelector("#reg-result:not([hidden]) #reg-coef", { timeout: 60_000 });
  await openPanel(page, "data");
  await page.click("#sample-jjj");
  await waitForDataset(page, "jjj_cities.csv");
  await openPanel(page, "regression");
  assert.equal(await page.isVisible("#reg-result"), false);
  assert.equal(await page.inputValue("#reg-formula"), "lnHDQ ~ FTZ + pgdp | city + year");
  assert.deepEqual(r.consoleErrors, []);
  assert.deepEqual(r.pageErrors, []);
});

test("no horizontal overflow at 1024 px: PSM results on LaLonde, DID setup", async () => {
  const r = await s.newPage("/?sample=lalonde", { viewport: { width: 1024, height: 800 } });
  const { page } = r;
  await waitForDataset(page, "lalonde.csv");
  await openPanel(page, "psm");
  await page.click("#psm-run");
  await page.waitForSelector("#psm-balance-table", { timeout: 60_000 });
  await screenshot(page, "qa-psm-1024.png", { fullPage: true });
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 1024, "page wider than the window");
  await openPanel(page, "did");
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 1024);
  assert.deepEqual(r.pageErrors, []);
});

test("descriptives: integer columns show whole-number min/max (2012, not 2012.000); no overflow at 1024 px when grouped", async () => {
  const r = await s.newPage("/?sample=provinces", { viewport: { width: 1024, height: 800 } });
  const { page } = r;
  await waitForDataset(page, "provinces.csv");
  await openPanel(page, "describe");
  await page.waitForSelector("#describe-table tr[data-variable=year]");
  const cells = await page.$$eval("#describe-table tr[data-variable=year] td", (tds) => tds.map((t) => t.textContent));
  assert.ok(cells.includes("2012") && cells.includes("2022"), cells.join(" | "));
  const gdp = await page.$$eval("#describe-table tr[data-variable=GDP] td", (tds) => tds.map((t) => t.textContent));
  assert.ok(gdp.some((t) => /^\d+\.\d{3}$/.test(t)), "non-integer columns keep their decimals");
  await page.selectOption("#describe-by", "region");
  await page.check("#describe-quantiles");
  await page.waitForFunction(() => [...document.querySelectorAll("#describe-table thead th")].some((h) => h.textContent === "Median"));
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 1024);
  assert.deepEqual(r.pageErrors, []);
});

test("DID defaults on a non-sample panel with an adoption-year column: staggered form, first_treat, continuous outcome", async () => {
  const csv = fs.readFileSync(path.join(SAMPLES, "provinces.csv"), "utf8").replace(/^province,region,year,first_treat,DID,eastern,NQPF/, "province,region,year,first_treat,DID,eastern,nqpf_index");
  const r = await s.newPage("/?sample=none");
  const { page } = r;
  await chooseFile(page, { name: "my_provinces.csv", mimeType: "text/csv", buffer: Buffer.from(csv, "utf8") });
  await waitForDataset(page, "my_provinces.csv");
  await openPanel(page, "did");
  await page.waitForSelector("#did-y option[value=nqpf_index]", { state: "attached" });
  assert.equal(await page.inputValue("#did-unit"), "province");
  assert.equal(await page.inputValue("#did-time"), "year");
  assert.equal(await page.inputValue("#did-form"), "start");
  assert.equal(await page.inputValue("#did-start"), "first_treat");
  assert.equal(await page.inputValue("#did-indicator"), "DID");
  assert.equal(await page.inputValue("#did-y"), "nqpf_index");
  assert.deepEqual(r.pageErrors, []);
});

test("mechanism: a small indirect effect is shown with enough decimals (not 0.0001)", async () => {
  const r = await s.newPage("/?sample=provinces");
  const { page } = r;
  await waitForDataset(page, "provinces.csv");
  await openPanel(page, "mechanism");
  await page.selectOption("#med-mediator", "INN");
  await page.click("#med-run");
  await page.waitForSelector('#med-stats dd[data-stat="indirect"]', { timeout: 60_000 });
  const ind = await page.$eval('#med-stats dd[data-stat="indirect"]', (d) => ({ v: Number(d.dataset.value), t: d.textContent }));
  // the case this test is about: a small indirect effect (on this sample, |indirect| < 0.01)
  assert.ok(ind.v !== 0 && Math.abs(ind.v) < 0.01, `indirect effect ${ind.v} is not small: the sample no longer tests the case`);
  assert.match(ind.t, /^−?0\.\d{6}$/);
  assert.equal(await page.isVisible('#med-stats dd[data-stat="conf_high"]'), false);
  assert.deepEqual(r.pageErrors, []);
});
