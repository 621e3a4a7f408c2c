// Accessibility: axe-core (a dev dependency) finds no serious or critical violation on the
// page, in English and in Chinese, with the sample loaded, on the data panel and on panels
// showing results. The helper `axeViolations` (harness.mjs) injects axe into a context
// opened with bypassCSP (the page's CSP forbids injected scripts, rightly).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSession, waitForDataset, openPanel, axeViolations } from "./harness.mjs";

let s;
before(async () => {
  s = await startSession();
});
after(async () => {
  await s?.close();
});

const report = (v) => v.map((x) => `${x.impact} ${x.id}: ${x.help}\n    ${x.nodes.slice(0, 6).join("\n    ")}`).join("\n");

for (const lang of ["en", "zh"]) {
  test(`axe: no serious or critical violation (${lang}): data, descriptives, regression, DID and event study with results`, async () => {
    const r = await s.newPage(`/?lang=${lang}&sample=jjj`, { bypassCSP: true });
    const { page } = r;
    await waitForDataset(page, "jjj_cities.csv");
    await page.waitForFunction(() => document.querySelector("#engine-status").classList.contains("ok"));
    await page.waitForSelector("#panel-summary");
    const found = [];
    found.push(...(await axeViolations(page)).map((v) => ({ ...v, where: "data" })));

    await openPanel(page, "describe");
    await page.waitForSelector("#describe-table");
    found.push(...(await axeViolations(page)).map((v) => ({ ...v, where: "describe" })));

    await openPanel(page, "regression");
    await page.waitForSelector("#reg-y option[value=lnHDQ]", { state: "attached" });
    await page.click("#reg-run");
    await page.waitForSelector("#reg-result:not([hidden])");
    await page.click("#reg-add");
    await page.waitForSelector("#reg-side");
    found.push(...(await axeViolations(page)).map((v) => ({ ...v, where: "regression" })));

    await openPanel(page, "did");
    await page.click("#did-run");
    await page.waitForSelector("#did-result:not([hidden]) #did-facts");
    found.push(...(await axeViolations(page)).map((v) => ({ ...v, where: "did" })));

    await openPanel(page, "event-study");
    await page.click("#es-run");
    await page.waitForSelector("#es-plot img.chart");
    found.push(...(await axeViolations(page)).map((v) => ({ ...v, where: "event-study" })));

    assert.equal(found.length, 0, report(found.map((v) => ({ ...v, help: `[${v.where}] ${v.help}` }))));
    assert.deepEqual(r.pageErrors, []);
  });
}

test("axe: every panel of the navigation, before running anything (en)", async () => {
  const r = await s.newPage("/?lang=en&sample=jjj", { bypassCSP: true });
  const { page } = r;
  await waitForDataset(page, "jjj_cities.csv");
  await page.waitForFunction(() => document.querySelector("#engine-status").classList.contains("ok"));
  const ids = await page.$$eval(".nav-link[href]", (as) => as.map((a) => a.dataset.panel));
  const found = [];
  for (const id of ids) {
    await openPanel(page, id);
    await page.waitForTimeout(200);
    found.push(...(await axeViolations(page)).map((v) => ({ ...v, help: `[${id}] ${v.help}` })));
  }
  assert.equal(found.length, 0, report(found));
});

test("axeViolations can fail: an unlabelled input and low-contrast text are reported", async () => {
  const r = await s.newPage("/?lang=en&sample=none", { bypassCSP: true });
  await r.page.evaluate(() => {
    const bad = document.createElement("div");
    bad.innerHTML = '<input type="text"><p style="color:#ddd;background:#fff">faint text</p>';
    document.querySelector("#main").append(bad);
  });
  const ids = (await axeViolations(r.page)).map((v) => v.id);
  assert.ok(ids.includes("label"), ids.join(", "));
  assert.ok(ids.includes("color-contrast"), ids.join(", "));
});
