// The replication pool's speed-up in headless Chromium: the page's engine worker runs 1,000
// permutation placebo draws (5,000 units × 20 years, unit + year FE, 2 controls, as P2) and
// 5,000 such draws with 1 worker (the one-thread call), 2 workers, and every
// core the browser reports; each result is checked bit-identical to the one-worker result.
//   node bench/pool.mjs [--runs 2]
import fs from "node:fs";
import path from "node:path";
import { ROOT, rng } from "./gen.mjs";
import { record } from "./record.mjs";

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 2;
const FILE = path.join(ROOT, "bench", "out", "pool_panel.csv");
const UNITS = 5000;
const YEARS = 20;

function ensurePanel() {
  if (fs.existsSync(FILE)) return;
  fs.mkdirSync(path.dirname(FILE), { recursive: true });
  const next = rng(11);
  const lines = ["unit,year,y,x1,x2,start"];
  for (let u = 0; u < UNITS; u++) {
    const a = next() * 2 - 1;
    const start = next() < 0.4 ? 2008 + Math.floor(next() * 7) : 0; // 0 = never treated
    for (let t = 0; t < YEARS; t++) {
      const year = 2000 + t;
      const x1 = next() + 0.3 * a;
      const x2 = next() - 0.5;
      const d = start && year >= start ? 1 : 0;
      const y = a + 0.05 * t + 0.5 * d + 0.8 * x1 - 0.4 * x2 + (next() - 0.5);
      lines.push(`${u},${year},${y.toFixed(6)},${x1.toFixed(6)},${x2.toFixed(6)},${start}`);
    }
  }
  fs.writeFileSync(FILE, lines.join("\n") + "\n");
}

ensurePanel();
const { startSession } = await import("../e2e/harness.mjs");
const s = await startSession();
const results = [];
try {
  const { page } = await s.newPage("/?sample=none");
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await page.evaluate(async () => {
    const { QuasiClient } = await import("/www/client.js");
    window.client = new QuasiClient();
    await window.client.ready;
    const bytes = new Uint8Array(await (await fetch("/bench/out/pool_panel.csv")).arrayBuffer());
    window.handle = (await window.client.call("load", { bytes, options: { filename: "pool_panel.csv" } })).handle;
    window.canon = (v) => JSON.stringify(v, (k, x) => (typeof x === "number" ? new Float64Array([x]).join() + "|" + Object.is(x, -0) : x));
  });
  const DID = { y: "y", unit: "unit", time: "year", start: "start", controls: ["x1", "x2"] };
  const jobs = [
    ["placebo, 1,000 permutation draws", "placebo", { ...DID, kind: "permute_units", reps: 1000, seed: 1 }],
    // (Not the wild cluster bootstrap: with 5,000 clusters its set-up, 2G demeanings for the
    // G×G crosstabs, takes ~50 s and its draws almost nothing — see the closing note of issue 14.)
    ["placebo, 5,000 permutation draws", "placebo", { ...DID, kind: "permute_units", reps: 5000, seed: 1 }],
  ];
  const counts = [...new Set([1, 2, cores])].sort((a, b) => a - b);
  for (const [label, kind, spec] of jobs) {
    const times = {};
    let reference = null;
    for (const workers of counts) {
      const best = await page.evaluate(
        async ({ kind, spec, workers, runs }) => {
          const call = () =>
            kind === "placebo"
              ? window.client.call("placebo", { handle: window.handle, spec, workers })
              : window.client.call("call", { fn: kind, handle: window.handle, args: [spec], workers });
          await window.client.call(kind === "placebo" ? "placebo" : "call", kind === "placebo"
            ? { handle: window.handle, spec: { ...spec, reps: 8 * workers }, workers }
            : { fn: kind, handle: window.handle, args: [{ ...spec, reps: 8 * workers }], workers }); // warm: starts the pool
          let t = Infinity;
          let out;
          for (let r = 0; r < runs; r++) {
            const t0 = performance.now();
            out = await call();
            t = Math.min(t, performance.now() - t0);
          }
          return { ms: t, canon: window.canon(out) };
        },
        { kind, spec, workers, runs },
      );
      if (reference === null) reference = best.canon;
      else if (best.canon !== reference) throw new Error(`${label}: ${workers} workers gave a different result from 1 worker`);
      times[workers] = best.ms / 1000;
      process.stderr.write(`  ${label}: ${workers} worker(s) ${times[workers].toFixed(3)} s\n`);
    }
    results.push({ label, times });
  }
  const browser = s.browser.version();
  const lines = [
    `Replication pool in headless Chromium ${browser} (navigator.hardwareConcurrency = ${cores}); 5,000 units × 20 years; best of ${runs}, pool started beforehand; every result bit-identical to the 1-worker result`,
    "",
    `| job | ${counts.map((c) => `${c} worker${c > 1 ? "s" : ""} (s)`).join(" | ")} | speed-up, ${counts.at(-1)} vs 1 |`,
    `|---|${counts.map(() => "---:").join("|")}|---:|`,
    ...results.map((r) => `| ${r.label} | ${counts.map((c) => r.times[c].toFixed(3)).join(" | ")} | ${(r.times[1] / r.times[counts.at(-1)]).toFixed(2)}× |`),
  ];
  console.log(lines.join("\n"));
  fs.writeFileSync(path.join(ROOT, "bench", "out", "pool.md"), lines.join("\n") + "\n");
  record(
    "pool",
    results.map((r, i) => ({
      order: 60 + i,
      workload: `Worker pool: ${r.label} (Chromium, ${counts.at(-1)} workers)`,
      quasi: `${counts.at(-1)} workers`,
      seconds: r.times[counts.at(-1)],
      peer: "Quasi, 1 worker",
      peerSeconds: r.times[1],
      target: "a measured speed-up on 2 cores; bit-identical",
      met: r.times[counts.at(-1)] < r.times[1],
    })),
  );
} finally {
  await s.close();
}
