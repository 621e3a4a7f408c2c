// The Staggered DID section of the DID workbench on the provinces sample: the DID setup
// (NQPF, province, year, adoption column first_treat) reused; one click runs TWFE, CS, SA,
// two-stage DID and imputation into one side-by-side table whose ATT row is read OFF the
// page and compared with quasi.staggeredCompare called directly in the page (to the printed
// digits, and the full-precision data-value exactly); the overlaid event-study chart (five
// legend entries, five distinct markers) and the Bacon chart and tables; a CS details run
// with the multiplier bootstrap shows progress and is cancelled; hostile column names stay
// text; a screenshot at 1024 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSession, waitForDataset, openPanel, screenshot, foreignRequests, chooseFile } from "./harness.mjs";
import fs from "node:fs";
import path from "node:path";
import { ROOT, zipPart } from "./harness.mjs";

const LABELS = ["TWFE", "Callaway–Sant'Anna", "Sun–Abraham", "Two-stage DID", "Imputation (BJS)"];

let s;
before(async () => {
  s = await startSession();
});
after(async () => {
  await s?.close();
});

/** Clicks a run button and waits for the result card to be shown and fresh (or an error). */
async function runAndWait(page, button, result, timeout = 120_000) {
  await page.$eval(result, (e) => {
    e.dataset.round = String(Number(e.dataset.round || 0) + 1);
    e.replaceChildren();
  });
  const round = await page.$eval(result, (e) => e.dataset.round);
  await page.click(button);
  await page.waitForFunction(
    ({ result, round }) => {
      const r = document.querySelector(result);
      const err = document.querySelector("#stag-error:not([hidden])");
      return err || (r && !r.hidden && !r.classList.contains("is-stale") && r.childElementCount > 0 && r.dataset.round === round);
    },
    { result, round },
    { timeout },
  );
  const err = await page.$("#stag-error:not([hidden])");
  if (err) throw new Error(`error shown: ${await err.textContent()}`);
}

/** The DID setup of the brief, chosen in the DID panel (no controls). */
async function chooseSetup(page, { y = "NQPF", unit = "province" } = {}) {
  await openPanel(page, "did");
  await page.waitForSelector(`#did-y option[value="${y}"]`, { state: "attached" });
  await page.selectOption("#did-y", y);
  await page.selectOption("#did-unit", unit);
  await page.selectOption("#did-time", "year");
  await page.selectOption("#did-form", "start");
  await page.selectOption("#did-start", "first_treat");
  await page.selectOption("#did-controls", []);
  await page.click("#did-run");
  await page.waitForSelector("#did-result:not([hidden])", { timeout: 60_000 });
}

/**
 * Remembers the Blob behind every blob: URL the page makes (the page's CSP forbids
 * fetching blob: URLs), so that a chart's SVG can be read back from its <img>.
 */
const keepBlobs = (page) =>
  page.evaluate(() => {
    window.__blobs = new Map();
    const make = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (blob) => {
      const url = make(blob);
      window.__blobs.set(url, blob);
      return url;
    };
  });

/** The SVG text behind a chart <img> (a blob: URL) inside `sel`. */
const chartSvg = (page, sel) => page.$eval(`${sel} img.chart`, (img) => window.__blobs.get(img.src).text());

test("staggered section on provinces: side-by-side table equals staggeredCompare; overlay and Bacon charts; exports", async () => {
  const r = await s.newPage("/?sample=provinces");
  const { page } = r;
  await waitForDataset(page, "provinces.csv");
  await chooseSetup(page);

  await openPanel(page, "staggered");
  await keepBlobs(page);
  assert.match(await page.textContent("#stag-setup"), /NQPF ~ DID\(first_treat\)/);
  assert.equal(await page.isHidden("#stag-form-hint"), true, "no form warning with an adoption column");
  await runAndWait(page, "#stag-run", "#stag-result");

  // ---- the side-by-side table: five estimator columns
  const heads = await page.$$eval("#stag-table thead tr.column-labels th", (ths) => ths.slice(1).map((t) => t.textContent));
  assert.deepEqual(heads, LABELS);
  const attRow = await page.$$eval('#stag-table tr.reg-coef-row[data-term="ATT"] td', (tds) => tds.map((td) => ({ text: td.textContent, value: td.dataset.value, se: td.dataset.se })));
  const attSe = await page.$$eval('#stag-table tr.reg-se-row[data-term="ATT"] td', (tds) => tds.map((td) => td.textContent));
  assert.equal(attRow.length, 5);

  // ---- the same call made directly in the page
  const direct = await page.evaluate(async () => {
    const quasi = await import("/pkg/quasi.js");
    await quasi.default();
    const bytes = new Uint8Array(await (await fetch("/www/samples/provinces.csv")).arrayBuffer());
    const ds = quasi.Dataset.fromBytes(bytes, { filename: "provinces.csv" });
    const out = quasi.staggeredCompare(ds, { y: "NQPF", unit: "province", time: "year", start: "first_treat", controls: [], control_group: "never", method: "dr", base_period: "universal", conf_level: 0.95 });
    const honest = quasi.honestDid(ds, { y: "NQPF", unit: "province", time: "year", start: "first_treat", covariates: [], control_group: "never", method: "dr", base_period: "universal", conf_level: 0.95, event_time: 0, sensitivity: "relative_magnitude" });
    return { estimators: out.estimators.map((e) => ({ key: e.key, label: e.label, estimate: e.att.estimate, std_error: e.att.std_error, p_value: e.att.p_value })), share: out.bacon_later_vs_earlier_share, svgLen: out.svg.length, honest: honest.robust.map((b) => [b.m_bar, b.conf_low, b.conf_high]) };
  });
  assert.deepEqual(direct.estimators.map((e) => e.label), LABELS);
  const printed = (x) => x.toFixed(4).replace(/^-/, "\u2212");
  direct.estimators.forEach((e, i) => {
    const shown = attRow[i].text.replace(/\*+$/, "");
    assert.equal(shown, printed(e.estimate), `${e.label}: ATT shown ${attRow[i].text} vs ${e.estimate}`);
    assert.equal(Number(attRow[i].value), e.estimate, `${e.label}: full-precision ATT`);
    assert.equal(attSe[i], `(${printed(e.std_error)})`, `${e.label}: SE shown`);
  });

  // ---- the overlay chart: five legend entries, five distinct markers
  const svg = await chartSvg(page, "#stag-plot");
  assert.match(svg, /^<svg/);
  for (const label of LABELS) assert.ok(svg.includes(`>${label.replace("'", "&#39;")}<`) || svg.includes(`>${label.replace("'", "&apos;")}<`) || svg.includes(`>${label}<`), `legend entry ${label}`);
  const markers = new Set([...svg.matchAll(/<(circle|rect|path) [^>]*fill="([^"]+)" stroke="([^"]+)"/g)].filter((m) => m[3] !== "none").map((m) => `${m[1]}|${m[2]}|${m[3]}`));
  assert.ok(markers.size >= 5, `distinct marker styles: ${[...markers].join(", ")}`);
  assert.match(svg, /stroke-dasharray/, "reference line");
  assert.ok(await page.isVisible("#stag-plot figcaption"));

  // ---- the Bacon chart and tables; the share as a sentence in the notes
  const bacon = await chartSvg(page, "#stag-bacon-plot");
  assert.match(bacon, /^<svg/);
  assert.ok(await page.$("#stag-bacon-summary"), "bacon.summary table");
  assert.ok(await page.$("#stag-bacon-comparisons"), "bacon.comparisons table");
  const notes = await page.$$eval("#stag-notes li", (lis) => lis.map((li) => li.textContent));
  assert.equal(new Set(notes).size, notes.length, "each note once");
  const shareNote = notes.find((n) => /later vs earlier/.test(n));
  assert.ok(shareNote, "Bacon share sentence");
  assert.ok(shareNote.includes(`${(direct.share * 100).toFixed(1)} %`), `share ${direct.share} in: ${shareNote}`);

  // ---- HonestDiD: the sensitivity plot and the bounds table equal quasi.honestDid called directly
  assert.match(await chartSvg(page, "#stag-honest"), /^<svg/);
  const bounds = await page.$$eval("#stag-honest-table tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("th, td")].map((c) => c.textContent)));
  assert.equal(direct.honest.length, 4, "M̄ = 0.5, 1, 1.5, 2");
  for (const [mbar, lo, hi] of direct.honest) {
    const row = bounds.find((r) => r.includes((lo).toFixed(4).replace(/^-/, "\u2212")));
    assert.ok(row, `bounds row for M̄ = ${mbar} (${lo}) in ${JSON.stringify(bounds)}`);
    assert.ok(row.includes(hi.toFixed(4).replace(/^-/, "\u2212")), `upper bound ${hi} in ${row}`);
  }

  // ---- exports: the table through renderTable, the charts as SVG and PNG
  const [csv] = await Promise.all([page.waitForEvent("download"), page.click('#stag-table + .export-row button[data-format="csv"], [data-exports-for="staggered.compare"] button[data-format="csv"]')]);
  assert.equal(csv.suggestedFilename(), "staggered_compare.csv");
  const csvText = fs.readFileSync(await csv.path(), "utf8");
  assert.ok(csvText.includes("Callaway–Sant'Anna"), "CSV has the column labels");
  const [svgDl] = await Promise.all([page.waitForEvent("download"), page.click("#stag-plot .chart-actions button:nth-child(1)")]);
  assert.equal(svgDl.suggestedFilename(), "staggered_event_study.svg");
  const [pngDl] = await Promise.all([page.waitForEvent("download"), page.click("#stag-bacon-plot .chart-actions button:nth-child(2)")]);
  assert.equal(pngDl.suggestedFilename(), "bacon_decomposition.png");
  const [mdDl] = await Promise.all([page.waitForEvent("download"), page.click('[data-exports-for="bacon.summary"] button[data-format="markdown"]')]);
  assert.equal(mdDl.suggestedFilename(), "bacon_summary.md");
  // Word and Excel: real packages rendered in the engine, the three-line table and numeric cells
  const [docxDl] = await Promise.all([page.waitForEvent("download"), page.click('[data-exports-for="staggered.compare"] button[data-format="docx"]')]);
  assert.equal(docxDl.suggestedFilename(), "staggered_compare.docx");
  const docx = fs.readFileSync(await docxDl.path());
  assert.equal(docx.subarray(0, 2).toString("latin1"), "PK");
  const doc = zipPart(docx, "word/document.xml");
  assert.ok(doc.includes("Callaway–Sant'Anna") || doc.includes("Callaway–Sant&apos;Anna"), "Word table has the column labels");
  assert.ok(doc.includes("<w:tbl>") && /w:top w:val="single"/.test(doc), "a table with a top rule");
  const [xlsxDl] = await Promise.all([page.waitForEvent("download"), page.click('[data-exports-for="staggered.compare"] button[data-format="xlsx"]')]);
  assert.equal(xlsxDl.suggestedFilename(), "staggered_compare.xlsx");
  const sheet = zipPart(fs.readFileSync(await xlsxDl.path()), "xl/worksheets/sheet1.xml");
  assert.match(sheet, /<c r="[A-Z]+\d+"( s="\d+")?( t="n")?><v>-?\d/, "numbers are numeric cells");

  // ---- screenshot at 1024 px
  await page.setViewportSize({ width: 1024, height: 900 });
  await page.waitForTimeout(200);
  await screenshot(page, "staggered-panel.png", { fullPage: true });
  const overflow = await page.$eval("#panel-staggered", (p) => p.scrollWidth - p.clientWidth);
  assert.ok(overflow <= 1, `no sideways overflow at 1024 px (${overflow}px)`);

  assert.deepEqual(foreignRequests(r.requests, s.base), []);
  assert.deepEqual(r.consoleErrors, []);
  assert.deepEqual(r.pageErrors, []);
});

test("CS details: analytic tables; the bootstrap run shows progress and is cancelled; a small bootstrap completes", async () => {
  const r = await s.newPage("/?sample=provinces");
  const { page } = r;
  await waitForDataset(page, "provinces.csv");
  await chooseSetup(page);
  await openPanel(page, "staggered");

  await runAndWait(page, "#stag-cs-run", "#stag-cs-result");
  for (const id of ["cs.aggregates", "cs.dynamic", "cs.group", "cs.calendar", "cs.att_gt"]) assert.ok(await page.$(`#stag-cs-result table[data-table-id="${id}"]`), id);
  assert.match(await page.textContent("#stag-cs-inference"), /Analytic/);

  // a long bootstrap: progress, then cancel
  await page.check("#stag-boot");
  await page.fill("#stag-reps", "100000");
  await page.click("#stag-cs-run");
  await page.waitForSelector("#stag-cancel:not([hidden])");
  await page.waitForFunction(() => Number(document.querySelector("#stag-progress").value) > 0, null, { timeout: 60_000 });
  assert.match(await page.textContent("#stag-progress-label"), /\/ 100,000 bootstrap draws/);
  await page.click("#stag-cancel");
  await page.waitForSelector("#stag-error:not([hidden])");
  assert.match(await page.textContent("#stag-error"), /Cancelled/);
  assert.equal(await page.isHidden("#stag-cancel"), true);

  // the engine is back with the data: a small bootstrap completes
  await waitForDataset(page, "provinces.csv");
  await page.fill("#stag-reps", "499");
  await runAndWait(page, "#stag-cs-run", "#stag-cs-result");
  assert.match(await page.textContent("#stag-cs-inference"), /499 draws, seed 1/);
  assert.deepEqual(r.pageErrors, []);
});

test("staggered section: a 0/1 setup is explained; hostile column names stay text", async () => {
  const r = await s.newPage("/?sample=provinces");
  const { page } = r;
  await waitForDataset(page, "provinces.csv");
  await openPanel(page, "did");
  await page.waitForSelector("#did-y option[value=NQPF]", { state: "attached" });
  await page.selectOption("#did-form", "indicator");
  await page.selectOption("#did-indicator", "DID");
  await page.click("#did-run");
  await page.waitForSelector("#did-result:not([hidden])", { timeout: 60_000 });
  await openPanel(page, "staggered");
  assert.equal(await page.isVisible("#stag-form-hint"), true);
  assert.match(await page.textContent("#stag-form-hint"), /Adoption-year column/);
  await page.click("#stag-run");
  await page.waitForSelector("#stag-error:not([hidden])");
  assert.match(await page.textContent("#stag-error-message"), /Treatment given as/);

  // hostile outcome and unit names
  await page.evaluate(() => {
    window.__pwned = 0;
    window.alert = () => (window.__pwned += 1);
  });
  const Y = "<img src=x onerror=alert(1)>";
  const U = "<b>unit</b>";
  const text = fs.readFileSync(path.join(ROOT, "www", "samples", "provinces.csv"), "utf8").replace(/^province,(.*),NQPF,/, `${U},$1,${Y},`);
  await chooseFile(page, { name: "hostile.csv", mimeType: "text/csv", buffer: Buffer.from(text) });
  await waitForDataset(page, "hostile.csv");
  await chooseSetup(page, { y: Y, unit: U });
  await openPanel(page, "staggered");
  await runAndWait(page, "#stag-run", "#stag-result");
  assert.ok((await page.textContent("#stag-result h3")).includes(Y));
  assert.ok((await page.textContent("#stag-result")).includes(U));
  assert.equal(await page.$$eval("#stag-result img:not(.chart), #stag-result b", (x) => x.length), 0, "no element made from a column name");
  assert.equal(await page.evaluate(() => window.__pwned), 0);
  assert.deepEqual(r.dialogs, []);
});
