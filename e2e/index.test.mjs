// Index panel, and the issue-6 end-to-end path: on the page, load the JJJ
// sample, use its 18 indicators, build the entropy index (weights, entropies,
// scores and within-dimension weights vs tests/fixtures/jjj_entropy.json at
// 1e-9 relative, read off data-value), add it as column HQD, then run
// log(HQD) ~ FTZ | city + year (cluster city) in the Regression panel and
// compare with quasi.feols through the JS API. Also TOPSIS closeness and the
// PCA block (15 benefit indicators), direction suggestions and the spec CSV.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, waitForDataset, openPanel, screenshot, relErr, parseCsv, ROOT } from "./harness.mjs";

const REF = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "jjj_entropy.json"), "utf8"));
const TOL = 1e-9;
let s;
before(async () => {
  s = await startSession();
});
after(async () => {
  await s?.close();
});

async function openIndex() {
  const r = await s.newPage("/?sample=jjj");
  await waitForDataset(r.page, "jjj_cities.csv");
  await openPanel(r.page, "index");
  await r.page.waitForSelector("#idx-preset:not([hidden])");
  return r;
}

async function build(page, method) {
  await page.selectOption("#idx-method", method);
  const before = await page.$("#idx-results") && (await page.$eval("#idx-results", (e) => e.firstChild));
  await page.click("#idx-run");
  await page.waitForFunction(
    (m) => {
      const res = document.querySelector("#idx-results");
      return res && !res.hidden && !res.classList.contains("is-stale") && document.querySelector("#idx-results h3")?.textContent.startsWith(m);
    },
    { entropy: "Entropy", topsis: "TOPSIS", pca: "PCA" }[method],
    { timeout: 20_000 },
  );
  return before;
}

const values = (page, sel) => page.$$eval(sel, (cells) => cells.map((c) => Number(c.dataset.value)));

function closeAll(got, want, what) {
  assert.equal(got.length, want.length, `${what}: length`);
  got.forEach((g, i) => assert.ok(relErr(g, want[i]) < TOL, `${what}[${i}]: ${g} vs ${want[i]}`));
}

test("end to end: sample preset → entropy index matches jjj_entropy.json → column HQD → log(HQD) regression", async () => {
  const r = await openIndex();
  const { page } = r;
  await page.click("#idx-preset");
  assert.deepEqual(await page.$$eval("#idx-spec tbody tr", (t) => t.map((x) => x.dataset.indicator)), REF.indicators);
  assert.deepEqual(await page.$$eval("#idx-spec select.idx-dir", (t) => t.map((x) => Number(x.value))), REF.directions);
  await build(page, "entropy");

  const order = await page.$$eval("#idx-weights tbody tr", (t) => t.map((x) => x.dataset.indicator));
  assert.deepEqual(order, REF.indicators);
  closeAll(await values(page, "#idx-weights td.idx-w"), REF.weights, "weights");
  closeAll(await values(page, "#idx-weights td.idx-entropy"), REF.entropy, "entropy");
  closeAll(await values(page, "#idx-scores td.idx-score"), REF.score, "scores");
  // within-dimension weights
  const wd = Object.fromEntries(await page.$$eval("#idx-weights tbody tr", (t) => t.map((x) => [x.dataset.indicator, Number(x.querySelector(".idx-wd").dataset.value)])));
  for (const [dim, spec] of Object.entries(REF.dimension_weights)) {
    spec.indicators.forEach((n, i) => assert.ok(relErr(wd[n], spec.weights[i]) < TOL, `${dim}/${n}: ${wd[n]} vs ${spec.weights[i]}`));
  }
  // dimension weights = sums of indicator weights
  const dims = await page.$$eval("#idx-dimensions tbody tr", (t) => t.map((x) => [x.dataset.dimension, Number(x.cells[1].dataset.value)]));
  assert.equal(dims.length, 6);
  for (const [dim, w] of dims) {
    const sum = REF.dimension_weights[dim].indicators.reduce((a, n) => a + REF.weights[REF.indicators.indexOf(n)], 0);
    assert.ok(relErr(w, sum) < TOL, `dimension ${dim}`);
  }
  // by-year summary and ranking computed from the scores
  const years = await page.$$eval("#idx-by-time tbody tr", (t) => t.map((x) => [x.cells[0].textContent, Number(x.cells[2].dataset.value)]));
  assert.equal(years.length, 10);
  const csv = parseCsv(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "jjj_cities.csv"), "utf8")).filter((x) => x.length > 1);
  const yi = csv[0].indexOf("year");
  const y2013 = REF.score.filter((_, i) => csv[i + 1][yi] === "2013");
  assert.ok(relErr(years[0][1], y2013.reduce((a, b) => a + b, 0) / y2013.length) < 1e-12);
  assert.equal(await page.$$eval("#idx-ranking tbody tr", (t) => t.length), 13);
  // two charts (weights bar, index over time) rendered as images
  assert.equal(await page.$$eval("#idx-results img.chart", (i) => i.length), 2);
  await screenshot(page, "index-entropy.png", { fullPage: true });

  // add as HQD (+ sub-indices)
  await page.fill("#idx-col-name", "HQD");
  await page.click("#idx-add");
  await page.waitForSelector("#idx-add-status[data-added]");
  const added = (await page.getAttribute("#idx-add-status", "data-added")).split(",");
  assert.deepEqual(added, ["HQD", ...Object.keys(REF.dimension_weights).map((d) => `HQD_${d}`)]);
  // the data panel sees 37 columns now
  assert.match(await page.textContent("#status-shape"), /130 rows × 37 columns/);
  // augmented CSV download carries HQD with full precision
  const dl = page.waitForEvent("download");
  await page.click("#idx-download-data");
  const aug = parseCsv(fs.readFileSync(await (await dl).path(), "utf8"));
  const hi = aug[0].indexOf("HQD");
  assert.ok(hi > 0);
  closeAll(aug.slice(1).filter((x) => x.length > 1).map((x) => Number(x[hi])), REF.score, "augmented CSV HQD");

  // Regression on log(HQD)
  await openPanel(page, "regression");
  await page.waitForSelector("#reg-y option[value=HQD]", { state: "attached" });
  const formula = "log(HQD) ~ FTZ | city + year";
  await page.fill("#reg-formula", formula);
  await page.selectOption("#reg-vcov", "cluster");
  await page.selectOption("#reg-cluster1", "city");
  await page.click("#reg-run");
  await page.waitForFunction((f) => document.querySelector("#reg-fitted-formula")?.textContent === f, formula, { timeout: 20_000 });
  const shown = await page.$eval("#reg-coef tr[data-term=FTZ]", (tr) => ({ est: Number(tr.querySelector(".reg-estimate").dataset.value), se: Number(tr.querySelector(".reg-se").dataset.value) }));
  assert.ok(Number.isFinite(shown.est) && Number.isFinite(shown.se));
  // the same through the JS API on a dataset with the reference scores as HQD
  const api = await page.evaluate(
    async ({ score, formula }) => {
      const quasi = await import("/pkg/quasi.js");
      await quasi.default();
      const bytes = new Uint8Array(await (await fetch("/www/samples/jjj_cities.csv")).arrayBuffer());
      const ds = quasi.Dataset.fromBytes(bytes, { filename: "jjj_cities.csv" });
      ds.addColumn("HQD", score);
      const fit = quasi.feols(ds, { formula, vcov: { cluster: ["city"] } });
      return fit.coefficients.find((c) => c.term === "FTZ");
    },
    { score: REF.score, formula },
  );
  assert.ok(relErr(shown.est, api.estimate) < 1e-9, `${shown.est} vs ${api.estimate}`);
  assert.ok(relErr(shown.se, api.std_error) < 1e-7, `${shown.se} vs ${api.std_error}`);
  await screenshot(page, "index-to-regression.png", { fullPage: true });
  assert.deepEqual(r.consoleErrors, []);
  assert.deepEqual(r.pageErrors, []);
});

test("TOPSIS closeness and PCA (15 benefit indicators) match jjj_entropy.json", async () => {
  const r = await openIndex();
  const { page } = r;
  await page.click("#idx-preset");
  await build(page, "topsis");
  closeAll(await values(page, "#idx-scores td.idx-score"), REF.topsis_closeness, "closeness");
  closeAll(await values(page, "#idx-weights td.idx-w"), REF.weights, "TOPSIS weights");

  // PCA on the 15 benefit indicators: remove the three cost indicators
  for (const n of ["exit_rate", "admin_penalty_rate", "litigation_rate"]) await page.click(`#idx-spec tr[data-indicator=${n}] .idx-remove`);
  assert.equal(await page.$$eval("#idx-spec tbody tr", (t) => t.length), 15);
  await build(page, "pca");
  closeAll(await values(page, "#idx-eigen tbody td:nth-child(2)"), REF.pca.eigenvalues, "eigenvalues");
  assert.equal(Number(await page.getAttribute("#idx-pca-ncomp", "data-value")), REF.pca.n_components);
  assert.ok(relErr(Number(await page.getAttribute("#idx-kmo", "data-value")), REF.pca.kmo) < TOL, "KMO");
  assert.ok(relErr(Number(await page.getAttribute("#idx-bartlett-chi2", "data-value")), REF.pca.bartlett_chi2) < TOL, "Bartlett chi2");
  assert.equal(Number(await page.getAttribute("#idx-bartlett-df", "data-value")), REF.pca.bartlett_df);
  closeAll(await values(page, "#idx-scores td.idx-score"), REF.pca.index, "PCA index");
  await screenshot(page, "index-pca.png", { fullPage: true });
  assert.deepEqual(r.consoleErrors, []);
  assert.deepEqual(r.pageErrors, []);
});

test("cost directions are suggested, never applied silently; spec CSV round trip; clear errors", async () => {
  const r = await openIndex();
  const { page } = r;
  await page.selectOption("#idx-add-select", ["firms_per_10k", "exit_rate", "litigation_rate"]);
  await page.click("#idx-add-selected");
  const dirs = () => page.$$eval("#idx-spec select.idx-dir", (t) => t.map((x) => x.value));
  assert.deepEqual(await dirs(), ["1", "1", "1"], "added as benefit");
  const sugg = await page.$$eval("#idx-spec tbody tr", (t) => t.map((x) => x.querySelector(".idx-suggest")?.textContent ?? ""));
  assert.equal(sugg[0], "");
  assert.match(sugg[1], /Suggested: cost.*exit/);
  assert.match(sugg[2], /litigation/);
  await page.click("#idx-spec tr[data-indicator=exit_rate] .idx-accept");
  assert.deepEqual(await dirs(), ["1", "-1", "1"]);
  await page.click("#idx-accept-all");
  assert.deepEqual(await dirs(), ["1", "-1", "-1"]);
  await page.fill("#idx-spec tr[data-indicator=exit_rate] input", "vitality");
  await page.$eval("#idx-spec tr[data-indicator=exit_rate] input", (i) => i.dispatchEvent(new Event("change")));

  const dl = page.waitForEvent("download");
  await page.click("#idx-spec-download");
  const spec = fs.readFileSync(await (await dl).path(), "utf8");
  assert.deepEqual(parseCsv(spec).filter((x) => x.length > 1), [
    ["indicator", "direction", "dimension"],
    ["firms_per_10k", "+", ""],
    ["exit_rate", "-", "vitality"],
    ["litigation_rate", "-", ""],
  ]);
  // upload: a good file replaces the table; a bad one is refused with reasons
  await page.setInputFiles("#idx-spec-upload", { name: "spec.csv", mimeType: "text/csv", buffer: Buffer.from("indicator,direction,dimension\npgdp,+,econ\nexit_rate,cost,firms\nfdi,1,econ\n") });
  await page.waitForFunction(() => document.querySelectorAll("#idx-spec tbody tr").length === 3 && document.querySelector("#idx-spec tbody tr").dataset.indicator === "pgdp");
  assert.deepEqual(await dirs(), ["1", "-1", "1"]);
  await page.setInputFiles("#idx-spec-upload", { name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from("indicator,direction\nno_such,+\npgdp,sideways\n") });
  await page.waitForSelector("#idx-spec-error");
  const err = await page.textContent("#idx-spec-error");
  assert.match(err, /no_such/);
  assert.match(err, /sideways/);
  // fewer than two indicators: a clear message
  await page.click("#idx-clear");
  await page.selectOption("#idx-add-select", ["pgdp"]);
  await page.click("#idx-add-selected");
  await page.click("#idx-run");
  await page.waitForSelector("#idx-error:not([hidden])");
  assert.match(await page.textContent("#idx-error"), /at least two/);
  assert.deepEqual(r.pageErrors, []);
});
