// The Spatial section on the provinces-with-coordinates sample, as a user drives it: the
// Weights panel builds W from the capitals' latitude/longitude (inverse squared
// great-circle distance, the sample's default) and shows its summary and link map; the
// Moran panel shows Moran's I by year (2011 and 2022 read off the page and compared with
// tests/fixtures/spatial/provinces_spatial.json to the printed digits), the scatter plot and
// LISA; the Spatial models panel runs the spatial DID of the DID setup (y, ftz_year, INN,
// URB) and its direct and indirect DID effects are read OFF the page (full-precision
// data-value) and compared with the reference panel SDM (1e-5); no foreign requests;
// screenshots in English at 1024 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, waitForDataset, openPanel, screenshot, foreignRequests, relErr, ROOT } from "./harness.mjs";

const PROV = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "spatial", "provinces_spatial.json"), "utf8"));

let s;
before(async () => {
  s = await startSession();
});
after(async () => {
  await s?.close();
});

/** Clicks a run button and waits for `result` to be shown and fresh, or for `error` to appear. */
async function runAndWait(page, button, result, error, timeout = 120_000) {
  await page.$eval(result, (e) => {
    e.hidden = true;
    e.replaceChildren();
  });
  await page.click(button);
  await page.waitForFunction(
    ({ result, error }) => {
      const r = document.querySelector(result);
      const err = document.querySelector(`${error}:not([hidden])`);
      return err || (r && !r.hidden && !r.classList.contains("is-stale") && r.childElementCount > 0);
    },
    { result, error },
    { timeout },
  );
  const err = await page.$(`${error}:not([hidden])`);
  if (err) throw new Error(`error shown: ${await err.textContent()}`);
}

test("spatial section on provinces: W from coordinates, Moran by year, spatial DID direct and indirect effects", async () => {
  const r = await s.newPage("/?sample=provinces_spatial");
  const { page } = r;
  await page.setViewportSize({ width: 1024, height: 900 });
  await waitForDataset(page, "provinces_spatial.csv");

  // Weights: the sample's default is 1/d² on lat/lon, row-standardised.
  await openPanel(page, "spatial-weights");
  assert.equal(await page.$eval("#sw-kind", (e) => e.value), "inverse_distance");
  assert.equal(await page.$eval("#sw-lat", (e) => e.value), "lat");
  assert.equal(await page.$eval("#sw-power", (e) => e.value), "2");
  await runAndWait(page, "#sw-run", "#sw-result", "#sw-error");
  const text = await page.textContent("#sw-result");
  assert.match(text, /31 units/);
  assert.ok(await page.$("#sw-result img.chart"), "the link map is shown");
  await screenshot(page, "spatial-weights-1024.png", { fullPage: true });

  // Moran's I by year.
  await openPanel(page, "spatial-moran");
  await page.selectOption("#moran-y", "y");
  await runAndWait(page, "#moran-run", "#moran-result", "#moran-error");
  const rows = await page.$$eval("#moran-result table tbody tr", (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
  for (const ref of PROV.moran) {
    const row = rows.find((cells) => cells[0] === String(ref.year));
    assert.ok(row, `a row for ${ref.year} in ${JSON.stringify(rows.slice(0, 3))}`);
    const shown = Number(row[1].replace(/\u2212/g, "-").replace(/[^0-9eE.+-]/g, ""));
    const digits = (row[1].split(".")[1] || "").replace(/\D/g, "").length;
    assert.ok(Math.abs(shown - ref.I) <= 0.5 * 10 ** -digits + 1e-12, `Moran's I ${ref.year}: page ${row[1]} vs ${ref.I}`);
  }
  assert.ok((await page.$$("#moran-result img.chart")).length >= 1, "the scatter plot is shown");
  await screenshot(page, "spatial-moran-1024.png", { fullPage: true });

  // Spatial DID from the DID setup of the sample.
  await openPanel(page, "spatial-model");
  await runAndWait(page, "#sdid-run", "#sdid-result", "#sm-error", 180_000);
  const value = (id) => page.$eval(id, (e) => Number(e.dataset.value));
  const ref = PROV.panel.sdm.impacts.DID;
  const direct = await value("#sdid-direct");
  const indirect = await value("#sdid-indirect");
  assert.ok(relErr(direct, ref.direct) <= 1e-5, `direct ${direct} vs ${ref.direct}`);
  assert.ok(relErr(indirect, ref.indirect) <= 1e-5, `indirect ${indirect} vs ${ref.indirect}`);
  const impactsText = await page.textContent("#sdid-result");
  assert.match(impactsText, /Direct/);
  assert.match(impactsText, /Indirect/);
  await screenshot(page, "spatial-did-1024.png", { fullPage: true });

  // The model card: SDM with LM tests.
  await runAndWait(page, "#sm-run", "#sm-result", "#sm-error", 180_000);
  const modelText = await page.textContent("#sm-result");
  assert.match(modelText, /W_DID/);
  assert.match(modelText, /LM/);

  assert.deepEqual(foreignRequests(r.requests, s.base), []);
  assert.deepEqual(r.pageErrors, []);
});
