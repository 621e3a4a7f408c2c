// The Report panel: every analysis of the session with its recipe. "Embed in a report" under a
// result table downloads the recipe and shows the snippet; "Download report" writes one .docx
// with every table; "Save session" → "Open session" in a fresh page reruns the analyses once
// the data they were saved with are loaded; a link carrying a recipe reruns it on arrival.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { startSession, waitForDataset, openPanel, zipPart, foreignRequests } from "./harness.mjs";

let s;
before(async () => {
  s = await startSession();
});
after(async () => s?.close());

async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  return { name: dl.suggestedFilename(), bytes: fs.readFileSync(await dl.path()) };
}

/** Runs the DID panel with its defaults on the loaded sample; returns the estimate shown. */
async function runDid(page) {
  await openPanel(page, "did");
  await page.waitForSelector("#did-y option[value=lnHDQ]", { state: "attached" });
  await page.click("#did-run");
  await page.waitForSelector('#did-facts dd[data-stat="estimate"]', { timeout: 60_000 });
  return page.$eval('#did-facts dd[data-stat="estimate"]', (e) => Number(e.dataset.value));
}

let saved = null; // { session, estimate, recipe }

test("after an analysis: embed snippet, the Report panel, a Word report of every table, a saved session", async () => {
  const r = await s.newPage("/?sample=jjj");
  const { page } = r;
  await waitForDataset(page, "jjj_cities.csv");
  const estimate = await runDid(page);

  // "Embed in a report" under the DID table: the recipe file and the snippet.
  const embed = await download(page, "#panel-did .embed-button");
  assert.equal(embed.name, "did.json");
  const recipe = JSON.parse(embed.bytes.toString("utf8"));
  assert.equal(recipe.kind, "did");
  assert.match(recipe.data_sha256, /^[0-9a-f]{64}$/);
  assert.ok(recipe.columns.includes("lnHDQ"));
  const snippet = await page.$eval("#panel-did .embed-snippet", (t) => t.value);
  assert.match(snippet, /<script type="module" src="quasi\/www\/embed\.js"><\/script>/);
  assert.match(snippet, /<quasi-result data="jjj_cities\.csv" recipe="did\.json"/);

  // The Report panel lists it (and whatever else the DID panel ran).
  await openPanel(page, "report");
  await page.waitForSelector('.report-entry[data-kind="did"]');
  assert.ok(Number(await page.textContent("#report-count")) >= 1);

  // One .docx with every table of the session.
  const tables = await page.$$eval("#report-list .result-table-block", (b) => b.length);
  const docx = await download(page, "#report-docx");
  assert.equal(docx.name, "quasi-report.docx");
  const xml = zipPart(docx.bytes, "word/document.xml");
  assert.equal((xml.match(/<w:tbl>/g) || []).length, tables, "one Word table per table of the session");
  assert.ok(xml.includes(estimate.toFixed(3)), "the DID estimate is in the report");

  // The session file.
  const sess = await download(page, "#report-save");
  assert.equal(sess.name, "quasi-session.json");
  const session = JSON.parse(sess.bytes.toString("utf8"));
  assert.equal(session.quasi_session, 1);
  assert.equal(session.data.name, "jjj_cities.csv");
  assert.ok(session.analyses.some((a) => a.kind === "did" && a.recipe.data_sha256 === recipe.data_sha256));
  saved = { session, estimate, recipe };
  assert.deepEqual(foreignRequests(r.requests, s.base), []);
  assert.deepEqual(r.pageErrors, []);
});

test("a saved session opens in a fresh page: it waits for its data, then reruns to the same numbers", async () => {
  assert.ok(saved, "needs the first test");
  const r = await s.newPage("/?sample=none#report");
  const { page } = r;
  await page.waitForSelector("#report-open", { state: "attached" });
  await page.setInputFiles("#report-open", { name: "quasi-session.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(saved.session)) });
  await page.waitForFunction(() => /jjj_cities\.csv/.test(document.querySelector("#report-status")?.textContent ?? ""));
  assert.equal(await page.$$eval(".report-entry", (e) => e.length), 0, "nothing runs without the data");
  // Load the data the session was saved with: its analyses run and are shown.
  await openPanel(page, "data");
  await page.click("#sample-jjj");
  await waitForDataset(page, "jjj_cities.csv");
  await page.waitForSelector('#panel-report .report-entry[data-kind="did"]', { state: "attached", timeout: 60_000 });
  const n = await page.$$eval("#panel-report .report-entry", (e) => e.length);
  assert.equal(n, saved.session.analyses.length);
  const cells = await page.$$eval('#panel-report .report-entry[data-kind="did"] td[data-value]', (tds) => tds.map((td) => Number(td.dataset.value)));
  assert.ok(cells.some((v) => v === saved.estimate), "the rerun shows the same estimate, to the last bit");
  assert.deepEqual(r.pageErrors, []);
});

test("a link carrying a recipe reruns it on arrival; a wrong file is refused by name", async () => {
  assert.ok(saved, "needs the first test");
  const b64 = Buffer.from(JSON.stringify(saved.recipe)).toString("base64url");
  const r = await s.newPage(`/?sample=jjj&recipe=${b64}#report`);
  const { page } = r;
  await page.waitForSelector('#panel-report .report-entry[data-kind="did"]', { timeout: 60_000 });
  const cells = await page.$$eval('#panel-report .report-entry[data-kind="did"] td[data-value]', (tds) => tds.map((td) => Number(td.dataset.value)));
  assert.ok(cells.includes(saved.estimate));
  // A session file that is not one says so.
  await page.setInputFiles("#report-open", { name: "notes.json", mimeType: "application/json", buffer: Buffer.from('{"hello": 1}') });
  await page.waitForSelector("#report-error:not([hidden])");
  assert.match(await page.textContent("#report-error"), /not a Quasi session/);
});
