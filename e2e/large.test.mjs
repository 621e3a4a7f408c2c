// A ~106 MB, 1M-row numeric CSV in the browser build: the page stays
// responsive while the worker parses it, shows progress, can cancel (and then
// restores the previous data), and loads it completely.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, waitForDataset, openPanel, ARTIFACTS } from "./harness.mjs";
import { ensureBenchCsv } from "../bench/gen.mjs";

let s;
let file;
before(async () => {
  file = ensureBenchCsv();
  s = await startSession();
});
after(async () => {
  await s?.close();
});

/** Starts recording the longest main-thread stall (ms) in the page. */
const startProbe = (page) =>
  page.evaluate(() => {
    window.__probe = { max: 0, last: performance.now(), ticks: 0 };
    window.__probeTimer = setInterval(() => {
      const now = performance.now();
      window.__probe.max = Math.max(window.__probe.max, now - window.__probe.last);
      window.__probe.last = now;
      window.__probe.ticks++;
    }, 20);
  });
const stopProbe = (page) => page.evaluate(() => (clearInterval(window.__probeTimer), window.__probe));

test("cancel during parsing stops the work and restores the previous data", async () => {
  const r = await s.newPage("/?sample=jjj");
  await waitForDataset(r.page, "jjj_cities.csv");
  // Click Cancel from inside the page as soon as the worker is parsing.
  const clicked = r.page.evaluate(
    () =>
      new Promise((resolve) => {
        const iv = setInterval(() => {
          const p = document.querySelector("#progress");
          if (p && !p.hidden && /Parsing/.test(p.textContent)) {
            clearInterval(iv);
            const t = performance.now();
            document.querySelector("#cancel-load").click();
            resolve({ at: t, label: p.textContent });
          }
        }, 5);
      }),
  );
  await r.page.setInputFiles("#file-input", file);
  const { label } = await clicked;
  assert.match(label, /Parsing/);
  // The worker was replaced and the previous dataset reloaded.
  await r.page.waitForSelector("#status-file >> text=jjj_cities.csv");
  await r.page.waitForFunction(() => /Loading was cancelled/.test(document.querySelector("#status")?.textContent ?? ""), null, { timeout: 30_000 });
  await r.page.waitForFunction(() => document.querySelector("#progress").hidden);
  assert.equal(await r.page.textContent("#status-file"), "jjj_cities.csv");
  // …and it is usable: the descriptives table is computed by the new worker.
  await openPanel(r.page, "describe");
  await r.page.waitForSelector("#describe-table tr[data-variable=lnHDQ]");
  assert.deepEqual(r.pageErrors, []);
});

test("a 1M-row, ~106 MB CSV loads in the browser build while the page stays responsive", async () => {
  const r = await s.newPage("/?sample=none");
  const size = fs.statSync(file).size;
  await startProbe(r.page);
  const fractions = [];
  await r.page.exposeFunction("__recordProgress", (f) => fractions.push(f));
  await r.page.evaluate(() => {
    new MutationObserver(() => {
      const v = document.querySelector("#load-progress")?.value;
      if (v !== undefined) window.__recordProgress(v);
    }).observe(document.querySelector("#load-progress"), { attributes: true, attributeFilter: ["value"] });
  });
  const t0 = Date.now();
  await r.page.setInputFiles("#file-input", file);
  const status = await waitForDataset(r.page, "numeric_1m.csv", 300_000);
  const wall = Date.now() - t0;
  const probe = await stopProbe(r.page);
  assert.match(status, /1,000,000 rows × 10 columns/);
  const timing = await r.page.$eval("#status", (e) => ({ ms: Number(e.dataset.ms), parseMs: Number(e.dataset.parseMs), bytes: Number(e.dataset.bytes) }));
  assert.equal(timing.bytes, size);
  // The main thread never stalled for long: parsing happens in the worker.
  assert.ok(probe.max < 1500, `main thread stalled for ${probe.max.toFixed(0)} ms`);
  assert.ok(probe.ticks > 5, "the probe kept ticking during the load");
  const result = {
    file: path.basename(file),
    bytes: size,
    rows: 1_000_000,
    wall_ms: wall,
    load_ms: timing.ms,
    parse_ms: timing.parseMs,
    parse_mb_s: size / 1e6 / (timing.parseMs / 1000),
    load_mb_s: size / 1e6 / (timing.ms / 1000),
    max_main_thread_stall_ms: probe.max,
    progress_updates: fractions.length,
  };
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS, "browser-parse.json"), JSON.stringify(result, null, 2));
  console.log(`browser build: ${JSON.stringify(result)}`);
  // The descriptives of a column are right (spot check on the mean of x1 computed in Node).
  await openPanel(r.page, "describe");
  await r.page.waitForSelector("#describe-table tr[data-variable=x1]", { timeout: 120_000 });
  const mean = Number(await r.page.$eval("#describe-table tr[data-variable=x1] td:nth-child(3)", (c) => c.dataset.value));
  const text = fs.readFileSync(file, "utf8");
  let sum = 0;
  let n = 0;
  let i = text.indexOf("\n") + 1;
  while (i < text.length) {
    const comma = text.indexOf(",", i);
    sum += Number(text.slice(i, comma));
    n++;
    i = text.indexOf("\n", comma) + 1;
    if (i === 0) break;
  }
  assert.equal(n, 1_000_000);
  assert.ok(Math.abs(mean - sum / n) / Math.abs(sum / n) < 1e-9, `x1 mean ${mean} vs ${sum / n}`);
  assert.deepEqual(r.pageErrors, []);
});
