// The DID workbench walked through on the page, numbers read OFF the page
// (data-value, full precision) and compared with tests/fixtures/jjj_did.json,
// jjj_placebo.json and provinces_did.json (estimates 1e-6, SE 1e-4 relative;
// placebo mean within 0.01): DID with controls clustered by city, wild
// bootstrap, event study (reference −1) with its plot, permutation placebo with
// its histogram, mechanism (IL), robustness table, heterogeneity on provinces,
// and clear error messages.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, waitForDataset, openPanel, screenshot, relErr, ROOT } from "./harness.mjs";

const fixture = (f) => JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", f), "utf8"));
const JJJ = fixture("jjj_did.json");
const PLACEBO = fixture("jjj_placebo.json");
const PROV = fixture("provinces_did.json");
const EST = 1e-6;
const SE = 1e-4;

let s;
before(async () => {
  s = await startSession();
});
after(async () => {
  await s?.close();
});

const val = (page, sel) => page.$eval(sel, (e) => Number(e.dataset.value));
const visible = (page, sel) => page.waitForSelector(`${sel}:not([hidden]):not(.is-stale)`, { timeout: 60_000 });

/** Clicks a run button and waits for the result card to be shown and fresh. */
async function runAndWait(page, button, result) {
  await page.$eval(result, (e) => (e.dataset.round = String(Number(e.dataset.round || 0) + 1)));
  const round = await page.$eval(result, (e) => e.dataset.round);
  await page.$eval(result, (e) => e.replaceChildren());
  await page.click(button);
  await page.waitForFunction(
    ({ result, round }) => {
      const r = document.querySelector(result);
      const err = document.querySelector(".panel:not([hidden]) .error-card:not([hidden])");
      return err || (r && !r.hidden && !r.classList.contains("is-stale") && r.childElementCount > 0 && r.dataset.round === round);
    },
    { result, round },
    { timeout: 60_000 },
  );
  const err = await page.$(".panel:not([hidden]) .error-card:not([hidden])");
  if (err) throw new Error(`error shown: ${await err.textContent()}`);
}

/** Estimate and SE of `term` in column `model` of a side-by-side table. */
async function sideCell(page, table, term, model = 0) {
  const est = await val(page, `${table} tr.reg-coef-row[data-term="${term}"] td[data-model="${model}"]`);
  const se = await val(page, `${table} tr.reg-se-row[data-term="${term}"] td[data-model="${model}"]`);
  return { est, se };
}

test("walkthrough on the JJJ sample: DID → event study → placebo → mechanism → robustness", async () => {
  const r = await s.newPage("/?sample=jjj");
  const { page } = r;
  await waitForDataset(page, "jjj_cities.csv");

  // ---- DID (defaults: lnHDQ, city, year, ftz_year, controls, cluster city)
  await openPanel(page, "did");
  await page.waitForSelector("#did-y option[value=lnHDQ]", { state: "attached" });
  assert.equal(await page.inputValue("#did-y"), "lnHDQ");
  assert.equal(await page.inputValue("#did-start"), "ftz_year");
  assert.equal(await page.inputValue("#did-cluster"), "city");
  assert.deepEqual(await page.$$eval("#did-controls option:checked", (os) => os.map((o) => o.value).sort()), ["fdi", "fe", "lnstru", "pgdp", "urba"]);
  await runAndWait(page, "#did-run", "#did-result");
  const ref = JJJ.cases.twfe_controls_cluster;
  const want = ref.coefficients.FTZ;
  const est = await val(page, '#did-facts dd[data-stat="estimate"]');
  const se = await val(page, '#did-facts dd[data-stat="std_error"]');
  assert.ok(relErr(est, want.estimate) < EST, `DID ${est} vs ${want.estimate}`);
  assert.ok(relErr(se, want.std_error) < SE, `SE ${se} vs ${want.std_error}`);
  assert.ok(relErr(await val(page, '#did-facts dd[data-stat="statistic"]'), want.t_stat) < SE);
  assert.equal(await val(page, '#did-facts dd[data-stat="nobs"]'), ref.nobs);
  assert.ok(relErr(await val(page, '#did-facts dd[data-stat="r2"]'), ref.r2) < EST);
  assert.ok(relErr(await val(page, '#did-facts dd[data-stat="r2_within"]'), ref.r2_within) < EST);
  assert.match(await page.textContent("#did-estimate-text"), /^0\.2012\*\*\*$/);
  // the full model: every control matches the reference
  for (const [term, w] of Object.entries(ref.coefficients)) {
    const got = await sideCell(page, "#did-model-table", term === "FTZ" ? "DID" : term);
    assert.ok(relErr(got.est, w.estimate) < EST, `${term}`);
    assert.ok(relErr(got.se, w.std_error) < SE, `${term} SE`);
  }
  // counts: 6 treated, 7 never treated, cohorts 2015/2019/2020
  // (the engine's did.counts table: the number of units is in the "Units" column)
  const counts = await page.$$eval("#did-counts", ([t]) => {
    const j = [...t.tHead.rows[t.tHead.rows.length - 1].cells].findIndex((c) => c.textContent === "Units");
    return [...t.tBodies[0].rows].map((tr) => [tr.cells[0].textContent, Number(tr.cells[j].dataset.value)]);
  });
  assert.deepEqual(counts.slice(0, 2), [["Treated units", 6], ["Never-treated units", 7]]);
  assert.deepEqual(counts.slice(2).map((c) => c[0]), ["Cohort 2015", "Cohort 2019", "Cohort 2020"]);
  // wild cluster bootstrap (13 clusters → 999 random draws), deterministic for a seed
  await page.fill("#did-wild-reps", "999");
  await page.selectOption("#did-wild-weights", "rademacher");
  await page.click("#did-wild-run");
  await page.waitForSelector("#did-wild-facts");
  const wp = await val(page, '#did-wild-facts dd[data-stat="p_value"]');
  const wlo = await val(page, '#did-wild-facts dd[data-stat="conf_low"]');
  const whi = await val(page, '#did-wild-facts dd[data-stat="conf_high"]');
  assert.ok(wp >= 0 && wp < 0.01, `wild p ${wp}`);
  assert.ok(wlo < est && est < whi, `wild CI [${wlo}, ${whi}]`);
  assert.match(await page.textContent("#did-wild-note"), /Rademacher weights, 999 replications, seed 1/);
  await screenshot(page, "did-panel.png", { fullPage: true });

  // ---- Event study: the reference case has no controls → change the setup in the DID panel
  await openPanel(page, "event-study");
  assert.match(await page.textContent("#es-setup-using"), /^lnHDQ ~ DID\(ftz_year\) \+ fe \+ pgdp \+ lnstru \+ fdi \+ urba \| city \+ year, cluster city$/);
  await page.click("#es-setup .did-change");
  await page.waitForSelector("#panel-did:not([hidden])");
  await page.selectOption("#did-controls", []);
  await openPanel(page, "event-study");
  assert.equal(await page.textContent("#es-setup-using"), "lnHDQ ~ DID(ftz_year) | city + year, cluster city");
  await runAndWait(page, "#es-run", "#es-result");
  const es = JJJ.cases.event_study_ref_m1.coefficients;
  const rows = await page.$$eval("#es-terms tbody tr:not(.es-ref)", (trs) =>
    trs.map((tr) => ({ k: Number(tr.dataset.eventTime), est: Number(tr.querySelector(".es-estimate").dataset.value), se: Number(tr.querySelector(".es-se").dataset.value) })),
  );
  assert.equal(rows.length, Object.keys(es).length, "number of event-time terms");
  for (const row of rows) {
    const name = row.k < 0 ? `ev_m${-row.k}` : `ev_p${row.k}`;
    assert.ok(es[name], name);
    assert.ok(relErr(row.est, es[name].estimate) < EST, `${name}: ${row.est} vs ${es[name].estimate}`);
    assert.ok(relErr(row.se, es[name].std_error) < SE, `${name} SE`);
  }
  assert.equal(await page.$eval("#es-terms tr.es-ref", (tr) => tr.dataset.eventTime), "-1");
  const F = await val(page, '#es-pretrend dd[data-stat="statistic"]');
  const Fp = await val(page, '#es-pretrend dd[data-stat="p_value"]');
  assert.ok(F > 0 && Fp > 0.05 && Fp <= 1, `pre-trend F ${F}, p ${Fp}`);
  assert.equal(await page.$eval('#es-pretrend dd[data-stat="df"]', (e) => e.dataset.value), "6,12");
  const img = await page.waitForSelector("#es-plot img.chart");
  await page.waitForFunction((i) => i.complete && i.naturalWidth > 100, img);
  await screenshot(page, "event-study-panel.png", { fullPage: true });

  // back to the model with controls (the placebo reference uses it)
  await openPanel(page, "did");
  await page.selectOption("#did-controls", ["fe", "lnstru", "urba", "fdi", "pgdp"]);

  // ---- Placebo: permute units, 500 reps, seed 1
  await openPanel(page, "placebo");
  assert.match(await page.textContent("#placebo-setup-using"), /\+ urba \| city \+ year/);
  assert.equal(await page.inputValue("#placebo-reps"), "500");
  await page.fill("#placebo-seed", "1");
  await runAndWait(page, "#placebo-run", "#placebo-result");
  const p = await val(page, '#placebo-stats dd[data-stat="p_value"]');
  const mean = await val(page, '#placebo-stats dd[data-stat="mean"]');
  const sd = await val(page, '#placebo-stats dd[data-stat="sd"]');
  const actual = await val(page, '#placebo-stats dd[data-stat="actual"]');
  assert.ok(p >= 0 && p <= 0.05, `placebo p ${p}`);
  // The page leads with the corrected p = (1 + k) / (B + 1): no draw is as extreme as the actual
  // estimate here (share 0), so it shows 1/501, never 0, and says how it was formed.
  assert.equal(p, 0);
  assert.equal(await val(page, '#placebo-stats dd[data-stat="p_value_corrected"]'), 1 / 501);
  assert.equal(await page.textContent('#placebo-stats dd[data-stat="p_value_corrected"]'), "0.0020");
  assert.match(await page.textContent("#placebo-p-note"), /p = \(1 \+ 0\) \/ \(500 \+ 1\).*never 0/);
  assert.equal(await page.$('#placebo-stats dd[data-stat="n_degenerate"]'), null, "no degenerate draws, no row");
  assert.ok(Math.abs(mean - PLACEBO.placebo_mean) < 0.01, `placebo mean ${mean} vs ${PLACEBO.placebo_mean}`);
  assert.ok(Math.abs(sd / PLACEBO.placebo_sd - 1) < 0.15, `placebo sd ${sd} vs ${PLACEBO.placebo_sd}`);
  assert.ok(relErr(actual, PLACEBO.actual) < EST);
  assert.equal(await val(page, '#placebo-stats dd[data-stat="reps"]'), 500);
  const hist = await page.waitForSelector("#placebo-plot img.chart");
  await page.waitForFunction((i) => i.complete && i.naturalWidth > 100, hist);
  assert.match(await page.textContent("#placebo-note"), /500 draws, seed 1/);
  await screenshot(page, "placebo-panel.png", { fullPage: true });

  // ---- Mechanism: IL
  await openPanel(page, "mechanism");
  assert.equal(await page.inputValue("#med-mediator"), "IL");
  await page.fill("#med-reps", "200");
  await runAndWait(page, "#med-run", "#med-result");
  const steps = [JJJ.cases.twfe_controls_cluster, JJJ.cases.mediation_step_IL, JJJ.cases.mediation_step_outcome];
  for (let i = 0; i < 3; i++) {
    for (const term of ["FTZ", "IL"]) {
      const w = steps[i].coefficients[term];
      if (!w) continue;
      const got = await sideCell(page, "#med-table", term === "FTZ" ? "DID" : term, i);
      assert.ok(relErr(got.est, w.estimate) < EST, `step ${i + 1} ${term}: ${got.est} vs ${w.estimate}`);
      assert.ok(relErr(got.se, w.std_error) < SE, `step ${i + 1} ${term} SE`);
    }
  }
  const a = JJJ.cases.mediation_step_IL.coefficients.FTZ;
  const b = JJJ.cases.mediation_step_outcome.coefficients.IL;
  assert.ok(relErr(await val(page, '#med-stats dd[data-stat="indirect"]'), a.estimate * b.estimate) < EST, "indirect = a·b");
  const sobelZ = (a.estimate * b.estimate) / Math.sqrt(a.estimate ** 2 * b.std_error ** 2 + b.estimate ** 2 * a.std_error ** 2);
  assert.ok(relErr(await val(page, '#med-stats dd[data-stat="sobel_z"]'), sobelZ) < SE, "Sobel z");
  const lo = await val(page, '#med-stats dd[data-stat="conf_low"]');
  const hi = await val(page, '#med-stats dd[data-stat="conf_high"]');
  assert.ok(lo < hi, "bootstrap CI");
  assert.match(await page.textContent('#med-stats dd[data-stat="conf_low"]'), /resampling city clusters\)$/);
  await screenshot(page, "mechanism-panel.png", { fullPage: true });

  // ---- Robustness: baseline, excl. 2020, cluster province, no controls
  await openPanel(page, "robustness");
  await page.waitForSelector('#rob-years option[value="2020"]:checked', { state: "attached" });
  await page.selectOption("#rob-cluster", "province");
  await runAndWait(page, "#rob-run", "#rob-result");
  const heads = await page.$$eval("#rob-table thead tr.column-labels th", (ths) => ths.slice(1).map((t) => t.textContent));
  assert.deepEqual(heads, ["Baseline", "Excl. 2020", "Cluster: province", "No controls"]);
  const nobs = await page.$$eval("#rob-table tr[data-row=Observations] td", (tds) => tds.map((td) => Number(td.dataset.value)));
  // 13 cities × 10 years; excluding 2020 leaves 13 × 9
  assert.deepEqual(nobs, [130, 117, 130, 130]);
  const base = await sideCell(page, "#rob-table", "DID", 0);
  assert.ok(relErr(base.est, want.estimate) < EST && relErr(base.se, want.std_error) < SE, "baseline column");
  const noCtrl = await sideCell(page, "#rob-table", "DID", 3);
  const plain = JJJ.cases.twfe_plain_cluster.coefficients.FTZ;
  assert.ok(relErr(noCtrl.est, plain.estimate) < EST && relErr(noCtrl.se, plain.std_error) < SE, "no-controls column = twfe_plain_cluster");
  // exports: LaTeX text rendered by the engine from the result's robustness.models table
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#rob-export-latex")]);
  assert.equal(dl.suggestedFilename(), "robustness.tex");
  assert.match(await page.inputValue("#rob-export-text"), /\\begin\{tabular\}/);
  await screenshot(page, "robustness-panel.png", { fullPage: true });

  assert.deepEqual(r.consoleErrors, []);
  assert.deepEqual(r.pageErrors, []);
});

test("heterogeneity on the provinces sample: DID × eastern vs provinces_did.json", async () => {
  const r = await s.newPage("/?sample=provinces");
  const { page } = r;
  await waitForDataset(page, "provinces.csv");
  await openPanel(page, "did");
  await page.waitForSelector("#did-y option[value=NQPF]", { state: "attached" });
  assert.equal(await page.inputValue("#did-y"), "NQPF");
  // the reference uses the ready DID column
  await page.selectOption("#did-form", "indicator");
  await page.selectOption("#did-indicator", "DID");
  await runAndWait(page, "#did-run", "#did-result");
  const base = PROV.cases.twfe_cluster.coefficients;
  assert.ok(relErr(await val(page, '#did-facts dd[data-stat="estimate"]'), base.DID.estimate) < EST);
  assert.ok(relErr(await val(page, '#did-facts dd[data-stat="std_error"]'), base.DID.std_error) < SE);

  await openPanel(page, "heterogeneity");
  assert.equal(await page.inputValue("#het-group"), "eastern");
  await page.uncheck("#het-main"); // the reference: NQPF ~ DID_east + GDP + URB
  await runAndWait(page, "#het-run", "#het-result");
  const w = PROV.cases.heterogeneity_eastern.coefficients.DID_east;
  const got = await sideCell(page, "#het-table", "DID_x_eastern", 0);
  assert.ok(relErr(got.est, w.estimate) < EST, `DID×eastern ${got.est} vs ${w.estimate}`);
  assert.ok(relErr(got.se, w.std_error) < SE, "DID×eastern SE");
  const heads = await page.$$eval("#het-table thead tr.column-labels th", (ths) => ths.slice(1).map((t) => t.textContent));
  assert.deepEqual(heads, ["Interaction", "eastern = 0", "eastern = 1"]);
  // split samples: N adds up
  const nobs = await page.$$eval("#het-table tr[data-row=Observations] td", (tds) => tds.map((td) => Number(td.dataset.value)));
  assert.equal(nobs[0], PROV.cases.heterogeneity_eastern.nobs);
  assert.equal(nobs[1] + nobs[2], nobs[0]);
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#het-export-markdown")]);
  assert.equal(dl.suggestedFilename(), "heterogeneity.md");
  assert.match(await page.inputValue("#het-export-text"), /\| *Interaction *\|/);
  await screenshot(page, "heterogeneity-panel.png", { fullPage: true });
  assert.deepEqual(r.consoleErrors, []);
});

test("wrong input gets a clear message in the panel; placebo cancel restarts the engine", async () => {
  const r = await s.newPage("/?sample=jjj");
  const { page } = r;
  await waitForDataset(page, "jjj_cities.csv");
  await openPanel(page, "did");
  await page.waitForSelector("#did-y option[value=lnHDQ]", { state: "attached" });
  // a "treatment" column that is not 0/1
  await page.selectOption("#did-form", "indicator");
  await page.selectOption("#did-indicator", "exit_rate");
  await page.click("#did-run");
  await page.waitForSelector("#did-error:not([hidden])");
  assert.match(await page.textContent("#did-error"), /could not be estimated/);
  assert.ok((await page.textContent("#did-error-message")).length > 10);
  // the event study needs adoption years
  await openPanel(page, "event-study");
  await page.click("#es-run");
  await page.waitForSelector("#es-error:not([hidden])");
  assert.match(await page.textContent("#es-error"), /adoption-year column/i);
  // back to the adoption year; an event window beyond the data
  await openPanel(page, "did");
  await page.selectOption("#did-form", "start");
  await openPanel(page, "event-study");
  await page.fill("#es-lo", "-30");
  await page.fill("#es-hi", "30");
  await runAndWait(page, "#es-run", "#es-result");
  assert.match(await page.textContent("#es-notes"), /clipped to \[-7, 7\]/);
  await page.fill("#es-ref", "-25");
  await page.fill("#es-hi", "-20");
  await page.click("#es-run");
  await page.waitForSelector("#es-error:not([hidden])", { timeout: 20_000 });
  assert.match(await page.textContent("#es-error-message"), /event times in the data run from -7 to 7/);
  // placebo: progress bar and cancel
  await openPanel(page, "placebo");
  await page.fill("#placebo-reps", "200000");
  await page.click("#placebo-run");
  await page.waitForSelector("#placebo-cancel:not([hidden])");
  await page.waitForFunction(() => Number(document.querySelector("#placebo-progress").value) > 0, null, { timeout: 30_000 });
  await page.click("#placebo-cancel");
  await page.waitForSelector("#placebo-error:not([hidden])");
  assert.match(await page.textContent("#placebo-error"), /Cancelled/);
  // the engine is back with the data: a small run works
  await page.fill("#placebo-reps", "50");
  await waitForDataset(page, "jjj_cities.csv");
  await runAndWait(page, "#placebo-run", "#placebo-result");
  assert.equal(await val(page, '#placebo-stats dd[data-stat="reps"]'), 50);
  assert.deepEqual(r.pageErrors, []);
});
