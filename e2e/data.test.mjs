// Loading a file through the picker and by drag-and-drop, the descriptive
// table's numbers (checked against plain-JS statistics of the same CSV),
// the CSV download, panel declaration, and a clear message for a malformed file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, waitForDataset, openPanel, chooseFile, dropFile, readSimpleCsv, meanSd, relErr, parseCsv, SAMPLES, ARTIFACTS } from "./harness.mjs";

const JJJ = path.join(SAMPLES, "jjj_cities.csv");
const TOL = 1e-9;
let s;
before(async () => {
  s = await startSession();
});
after(async () => {
  await s?.close();
});

/** Selects exactly `columns` in the descriptives chooser and waits for their rows. */
async function describeOnly(page, columns) {
  await openPanel(page, "describe");
  await page.waitForSelector("#describe-columns input");
  await page.$$eval("#describe-columns input", (boxes) => boxes.forEach((b) => b.checked && b.click()));
  for (const c of columns) await page.check(`#describe-columns input[value="${c}"]`);
  await page.waitForFunction(
    (cols) => {
      const rows = [...document.querySelectorAll("#describe-table tbody tr")].map((r) => r.dataset.variable);
      return rows.length === cols.length && cols.every((c, i) => rows[i] === c);
    },
    columns,
    { timeout: 20_000 },
  );
}

/** Reads the descriptive table: { variable: { header: { text, value } } }. */
function readTable(page) {
  return page.$eval("#describe-table", (t) => {
    const heads = [...t.tHead.rows[0].cells].map((c) => c.textContent.trim());
    const out = {};
    for (const tr of t.tBodies[0].rows) {
      const cells = [...tr.cells];
      const row = {};
      cells.forEach((c, i) => (row[heads[i]] = { text: c.textContent, value: c.dataset.value }));
      out[tr.dataset.variable] = row;
    }
    return out;
  });
}

test("choosing jjj_cities.csv shows 130 rows; descriptive means/SDs match plain JS to 1e-9", async () => {
  const r = await s.newPage("/?sample=none");
  await chooseFile(r.page, JJJ);
  const status = await waitForDataset(r.page, "jjj_cities.csv");
  assert.match(status, /130 rows × 30 columns/);
  assert.doesNotMatch(status, /Sample loaded/);
  // preview: 20 rows, header has the CSV's columns
  assert.equal(await r.page.$$eval("#preview-table tbody tr", (x) => x.length), 20);
  const csv = readSimpleCsv(JJJ);
  const previewHead = await r.page.$$eval("#preview-table thead th", (x) => x.map((h) => h.textContent));
  assert.deepEqual(previewHead.slice(1), csv.header);
  // column list: kinds and missing counts
  const cols = await r.page.$$eval("#columns-table tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const byName = Object.fromEntries(cols.map((c) => [c[1], c]));
  assert.equal(byName.city[2], "text");
  assert.match(byName.lnHDQ[2], /numeric/);
  assert.equal(byName.ftz_year[3], String(csv.column("ftz_year").filter((v) => v === "").length), "ftz_year missing count");

  await describeOnly(r.page, ["pgdp", "lnHDQ"]);
  const table = await readTable(r.page);
  for (const v of ["lnHDQ", "pgdp"]) {
    const want = meanSd(csv.column(v));
    const got = table[v];
    assert.equal(Number(got.N.value), want.n, `${v} N`);
    assert.ok(relErr(Number(got.Mean.value), want.mean) < TOL, `${v} mean ${got.Mean.value} vs ${want.mean}`);
    assert.ok(relErr(Number(got.SD.value), want.sd) < TOL, `${v} sd ${got.SD.value} vs ${want.sd}`);
    assert.ok(relErr(Number(got.Min.value), want.min) < TOL, `${v} min`);
    assert.ok(relErr(Number(got.Max.value), want.max) < TOL, `${v} max`);
    // the displayed text is the same number rounded to 3 decimals
    assert.equal(got.Mean.text, want.mean.toFixed(3));
  }
  // 4 decimals on request
  await r.page.selectOption("#describe-decimals", "4");
  assert.equal((await readTable(r.page)).lnHDQ.Mean.text, meanSd(csv.column("lnHDQ")).mean.toFixed(4));
  assert.deepEqual([...r.consoleErrors, ...r.pageErrors], []);
});

test("Download CSV of the descriptives gives full-precision numbers", async () => {
  const r = await s.newPage("/?sample=jjj");
  await waitForDataset(r.page, "jjj_cities.csv");
  await describeOnly(r.page, ["pgdp", "lnHDQ"]);
  const [download] = await Promise.all([r.page.waitForEvent("download"), r.page.click("#describe-download")]);
  assert.match(download.suggestedFilename(), /^jjj_cities_descriptives\.csv$/);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, "descriptives.csv");
  await download.saveAs(file);
  assert.match(download.url(), /^blob:/, "made locally, not fetched");
  const rows = parseCsv(fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "")).filter((x) => x.some((c) => c !== ""));
  const head = rows[0].map((h) => h.trim().toLowerCase());
  const iVar = head.findIndex((h) => /variable/.test(h));
  const iMean = head.indexOf("mean");
  const iSd = head.findIndex((h) => h === "sd" || h === "std" || h === "std_dev");
  assert.ok(iVar >= 0 && iMean >= 0 && iSd >= 0, `CSV header ${rows[0]}`);
  const csv = readSimpleCsv(path.join(SAMPLES, "jjj_cities.csv"));
  const got = Object.fromEntries(rows.slice(1).map((x) => [x[iVar], x]));
  assert.deepEqual(Object.keys(got).sort(), ["lnHDQ", "pgdp"]);
  for (const v of ["lnHDQ", "pgdp"]) {
    const want = meanSd(csv.column(v));
    assert.ok(relErr(Number(got[v][iMean]), want.mean) < TOL, `${v} mean in CSV`);
    assert.ok(relErr(Number(got[v][iSd]), want.sd) < TOL, `${v} sd in CSV`);
  }
});

test("drag-and-drop a file; group-by and quartiles; panel declaration reports duplicates", async () => {
  const r = await s.newPage("/?sample=none");
  // a small panel with one duplicated (unit, time) pair and a missing period
  const content = "id,year,y,g\nA,2001,1,x\nA,2002,2,x\nB,2001,3,y\nB,2001,5,y\nC,2001,4,y\nC,2002,6,y\n";
  await dropFile(r.page, "dropped panel.csv", content);
  const status = await waitForDataset(r.page, "dropped panel.csv");
  assert.match(status, /6 rows × 4 columns/);
  await r.page.waitForSelector("#panel-summary");
  assert.equal(await r.page.inputValue("#panel-unit"), "id");
  assert.equal(await r.page.inputValue("#panel-time"), "year");
  assert.match(await r.page.textContent("#panel-summary"), /Unbalanced/);
  assert.match(await r.page.textContent("#panel-duplicates"), /1 duplicate \(id, year\) pair/);

  await openPanel(r.page, "describe");
  await r.page.waitForSelector("#describe-table");
  await r.page.selectOption("#describe-by", "g");
  await r.page.check("#describe-quantiles");
  await r.page.waitForFunction(() => {
    const heads = [...document.querySelectorAll("#describe-table thead th")].map((h) => h.textContent);
    return heads.includes("Median") && heads.includes("g") && document.querySelectorAll("#describe-table tbody tr").length >= 2;
  });
  const t = await r.page.$$eval("#describe-table tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.dataset.value ?? c.textContent)));
  const head = await r.page.$$eval("#describe-table thead th", (x) => x.map((h) => h.textContent));
  const yx = t.find((row) => row[0] === "y" && row[1] === "x");
  const yy = t.find((row) => row[0] === "y" && row[1] === "y");
  assert.ok(yx && yy, JSON.stringify(t));
  assert.equal(Number(yx[head.indexOf("Mean")]), 1.5);
  assert.equal(Number(yy[head.indexOf("Mean")]), 4.5);
  assert.equal(Number(yy[head.indexOf("Median")]), 4.5);
  assert.deepEqual([...r.consoleErrors, ...r.pageErrors], []);
});

test("a ragged file gives a clear message naming the line; the page keeps working", async () => {
  const r = await s.newPage("/?sample=jjj");
  await waitForDataset(r.page, "jjj_cities.csv");
  const bad = "a,b,c\n1,2,3\n4,5\n6,7,8\n";
  await chooseFile(r.page, { name: "ragged.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  // The loader either refuses the file or skips the row and says so; both must name line 3.
  await r.page.waitForFunction(
    () => !document.querySelector("#load-error").hidden || document.querySelector("#status-file")?.textContent === "ragged.csv",
    null,
    { timeout: 20_000 },
  );
  const errorShown = !(await r.page.$eval("#load-error", (e) => e.hidden));
  const message = errorShown ? await r.page.textContent("#load-error") : await r.page.textContent("#status-skipped");
  assert.match(message, /line 3\b/i, message);
  assert.match(message, /2\b.*\b3\b|field/i, message);
  if (errorShown) {
    assert.match(message, /previously loaded data \(jjj_cities\.csv\) is still loaded/);
    assert.equal(await r.page.textContent("#status-file"), "jjj_cities.csv");
  }
  // an empty file too
  await chooseFile(r.page, { name: "empty.csv", mimeType: "text/csv", buffer: Buffer.alloc(0) });
  await r.page.waitForFunction(() => !document.querySelector("#load-error").hidden && /empty/i.test(document.querySelector("#load-error").textContent), null, { timeout: 20_000 });
  // and a good file still loads afterwards
  await r.page.click("#sample-provinces");
  await waitForDataset(r.page, "provinces.csv");
  assert.equal(await r.page.$eval("#load-error", (e) => e.hidden), true);
  assert.deepEqual(r.pageErrors, []);
});
