// Defaults that make sense on any data: the PSM treatment defaults only to a column whose
// values are all 0/1 (not to an integer column named like a treatment, e.g. a count), the
// outcome never defaults to the time column or a time-like one (DID setup, PSM), and the
// PSM-DID panel takes the DID setup (unit, time, outcome, adoption) and the setup's
// controls as its default covariates.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSession, chooseFile, waitForDataset, openPanel } from "./harness.mjs";

let s;
before(async () => {
  s = await startSession();
});
after(async () => {
  await s?.close();
});

// year first (an integer outcome-like column), a treatment-named count, a 0/1 "policy",
// an adoption year and two continuous columns.
function csv() {
  const rows = ["year,firm,treat_count,policy,adopt_year,gdp,y_wage"];
  for (let u = 1; u <= 8; u++) {
    for (let t = 2010; t <= 2015; t++) {
      const adopt = u <= 4 ? 2013 : 0;
      rows.push([t, `f${u}`, (u * t) % 7, adopt && t >= adopt ? 1 : 0, adopt, (u * 1.7 + t * 0.01).toFixed(3), (u * 0.3 + (t % 3) * 0.2 + (adopt && t >= adopt ? 1 : 0)).toFixed(3)].join(","));
    }
  }
  return rows.join("\n") + "\n";
}

test("PSM treatment is a 0/1 column; outcomes are never the time; PSM-DID follows the DID setup", async () => {
  const r = await s.newPage("/?sample=none");
  const { page } = r;
  await chooseFile(page, { name: "firms.csv", mimeType: "text/csv", buffer: Buffer.from(csv()) });
  await waitForDataset(page, "firms.csv");

  await openPanel(page, "did");
  await page.waitForSelector("#did-y option[value=gdp]", { state: "attached" });
  assert.equal(await page.inputValue("#did-time"), "year");
  assert.equal(await page.inputValue("#did-unit"), "firm");
  assert.notEqual(await page.inputValue("#did-y"), "year");
  assert.notEqual(await page.inputValue("#did-y"), "adopt_year");
  assert.equal(await page.inputValue("#did-start"), "adopt_year");

  await openPanel(page, "psm");
  await page.waitForFunction(() => document.querySelector("#psm-treat")?.value === "policy", null, { timeout: 20_000 });
  assert.notEqual(await page.inputValue("#psm-outcome"), "year");

  await openPanel(page, "psm-did");
  const using = await page.textContent("#psmdid-setup-using");
  assert.match(using, /^\S+ ~ DID\(adopt_year\).*\| firm \+ year, cluster firm$/);
  assert.doesNotMatch(using, /^year ~/);
  assert.deepEqual([...r.consoleErrors, ...r.pageErrors], []);
});
