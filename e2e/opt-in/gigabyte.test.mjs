// Opt-in (`make test-large`): a 1 GB CSV — 10,000,000 rows × 10 numeric columns, made by
// bench/gen.mjs — chosen on the page in headless Chromium. The worker streams it into the
// engine; the test waits for all 10M rows (or, on a browser that cannot hold them, for the
// early refusal naming the memory needed) and records the engine's peak linear memory and
// the browser's peak resident memory next to the size of the columnar data
// (e2e/artifacts/gigabyte.json; docs/benchmarks.md quotes it).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, ARTIFACTS, ROOT } from "../harness.mjs";
import { ensureBenchCsv } from "../../bench/gen.mjs";

const ROWS = 10_000_000;
let s;
let file;
before(async () => {
  file = ensureBenchCsv(path.join(ROOT, "bench", "out", "numeric_10m.csv"), ROWS);
  s = await startSession();
});
after(async () => s?.close());

/** Peak resident memory (VmHWM, bytes) of every Chromium process, the largest first. */
function chromiumPeaks() {
  const out = [];
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      if (!/^Name:\s*(chromium|chrome)/m.test(status)) continue;
      const hwm = /^VmHWM:\s*(\d+) kB/m.exec(status);
      if (hwm) out.push(Number(hwm[1]) * 1024);
    } catch {
      // the process ended
    }
  }
  return out.sort((a, b) => b - a);
}

test("a 1 GB, 10M-row CSV loads in Chromium within 2× its columnar size, or is refused early", { timeout: 30 * 60_000 }, async () => {
  const size = fs.statSync(file).size;
  const r = await s.newPage("/?sample=none");
  const t0 = Date.now();
  await r.page.setInputFiles("#file-input", file);
  const outcome = await r.page.waitForFunction(
    () => {
      const st = document.querySelector("#status");
      if (st?.dataset.rows && Number(st.dataset.rows) > 1000) return { ok: true, rows: Number(st.dataset.rows), memory: Number(st.dataset.memory), parseMs: Number(st.dataset.parseMs) };
      const err = document.querySelector("#status.error, .load-error, [role=alert]");
      if (err && /memory|GB|GiB/i.test(err.textContent)) return { ok: false, message: err.textContent };
      return null;
    },
    null,
    { timeout: 25 * 60_000, polling: 500 },
  ).then((h) => h.jsonValue());
  const seconds = (Date.now() - t0) / 1000;
  const columnar = ROWS * 10 * 8;
  const peaks = chromiumPeaks();
  const report = { file: path.basename(file), bytes: size, rows: ROWS, columnarBytes: columnar, seconds, ...outcome, chromiumPeakRss: peaks[0] ?? null, chromiumPeaks: peaks.slice(0, 4) };
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS, "gigabyte.json"), JSON.stringify(report, null, 1) + "\n");
  console.log(JSON.stringify(report));
  if (outcome.ok) {
    assert.equal(outcome.rows, ROWS);
    assert.ok(outcome.memory > columnar, "the engine holds the columns");
    assert.ok(outcome.memory <= 2 * columnar, `peak engine memory ${outcome.memory} ≤ 2 × columnar ${columnar}`);
  } else {
    assert.ok(seconds < 30, `refused early (${seconds} s)`);
    assert.match(outcome.message, /\d/);
  }
  assert.deepEqual(r.pageErrors, []);
});
