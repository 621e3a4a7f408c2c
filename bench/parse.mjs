// Parse-throughput table: PapaParse vs Quasi's wasm loader on the same
// deterministic 1M-row × 10-column numeric CSV (~106 MB).
//
//   node bench/parse.mjs [--runs 3] [--no-browser]
//
// (a) PapaParse 5 in Node (header: true, dynamicTyping: true; time includes
//     UTF-8 decoding, since Quasi starts from bytes too);
// (b) Quasi wasm in Node: Dataset.fromBytes (pkg/ loaded with initSync);
// (c) Quasi in headless Chromium: the file is chosen on the page and parsed in
//     its Web Worker — the browser build users get (time of the wasm call in
//     the worker, and end to end from file choice to table on screen).
// Prints a markdown table and writes it to bench/out/parse.md.
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { loadQuasi } from "./pkg.mjs";
import { record } from "./record.mjs";
import { ensureBenchCsv, ROOT } from "./gen.mjs";

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || (args.includes("--runs") ? 1 : 3);
const withBrowser = !args.includes("--no-browser");

const file = ensureBenchCsv();
const bytes = fs.readFileSync(file);
const MB = bytes.length / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
const gc = () => globalThis.gc?.();

function timeIt(label, fn) {
  const times = [];
  let out;
  for (let i = 0; i < runs; i++) {
    gc();
    const t0 = performance.now();
    out = fn();
    times.push(performance.now() - t0);
    process.stderr.write(`  ${label}: run ${i + 1}/${runs} ${(times.at(-1) / 1000).toFixed(2)} s\n`);
  }
  return { ms: median(times), out };
}

process.stderr.write(`${path.relative(ROOT, file)}: ${MB.toFixed(1)} MB, ${runs} run(s) each, median reported\n`);

// (a) PapaParse
{
  const Papa = (await import("papaparse")).default;
  const papaVersion = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "papaparse", "package.json"), "utf8")).version;
  const { ms, out } = timeIt("PapaParse", () => {
    const r = Papa.parse(bytes.toString("utf8"), { header: true, dynamicTyping: true, skipEmptyLines: true });
    return { n: r.data.length, errors: r.errors.length, x1: r.data[0].x1 };
  });
  if (out.n !== 1_000_000 || out.errors) throw new Error(`PapaParse read ${out.n} rows with ${out.errors} errors`);
  rows.push({ parser: `PapaParse ${papaVersion} (header, dynamicTyping)`, env: `Node ${process.versions.node}`, ms, n: out.n });
}

// (b) Quasi wasm in Node
{
  const quasi = await loadQuasi();
  const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { ms, out } = timeIt("Quasi (wasm, Node)", () => {
    const ds = quasi.Dataset.fromBytes(u8, { filename: "numeric_1m.csv" });
    const n = ds.nrows;
    const k = ds.ncols;
    ds.free();
    return { n, k };
  });
  if (out.n !== 1_000_000 || out.k !== 10) throw new Error(`Quasi read ${out.n} rows × ${out.k} columns`);
  rows.push({ parser: `Quasi ${quasi.version()} Dataset.fromBytes (wasm)`, env: `Node ${process.versions.node}`, ms, n: out.n });
}

// (c) Quasi in headless Chromium through the page's worker
if (withBrowser) {
  const { startSession, waitForDataset } = await import("../e2e/harness.mjs");
  const s = await startSession();
  try {
    const parse = [];
    const total = [];
    for (let i = 0; i < runs; i++) {
      const r = await s.newPage("/?sample=none");
      await r.page.setInputFiles("#file-input", file);
      await waitForDataset(r.page, path.basename(file), 600_000);
      const t = await r.page.$eval("#status", (e) => ({ ms: Number(e.dataset.ms), parseMs: Number(e.dataset.parseMs), rows: Number(e.dataset.rows) }));
      if (t.rows !== 1_000_000) throw new Error(`browser read ${t.rows} rows`);
      parse.push(t.parseMs);
      total.push(t.ms);
      await r.context.close();
      process.stderr.write(`  Quasi (Chromium worker): run ${i + 1}/${runs} parse ${(t.parseMs / 1000).toFixed(2)} s, end to end ${(t.ms / 1000).toFixed(2)} s\n`);
    }
    const browserVersion = s.browser.version();
    rows.push({ parser: "Quasi, browser build: wasm parse in the Web Worker", env: `Chromium ${browserVersion} (headless)`, ms: median(parse), n: 1_000_000 });
    rows.push({ parser: "Quasi, browser build: file chosen → table shown", env: `Chromium ${browserVersion} (headless)`, ms: median(total), n: 1_000_000 });
  } finally {
    await s.close();
  }
}

const cpu = os.cpus()[0]?.model?.trim() ?? "unknown CPU";
const lines = [
  `Parse throughput on ${path.basename(file)} (${MB.toFixed(1)} MB, 1,000,000 rows × 10 numeric columns; median of ${runs}; ${cpu}, ${os.cpus().length} cores)`,
  "",
  "| Parser | Environment | Time (s) | Throughput (MB/s) |",
  "|---|---|---:|---:|",
  ...rows.map((r) => `| ${r.parser} | ${r.env} | ${(r.ms / 1000).toFixed(2)} | ${(MB / (r.ms / 1000)).toFixed(1)} |`),
];
const table = lines.join("\n") + "\n";
fs.mkdirSync(path.join(ROOT, "bench", "out"), { recursive: true });
fs.writeFileSync(path.join(ROOT, "bench", "out", "parse.md"), table);
console.log(table);

const papa = rows.find((r) => r.parser.startsWith("PapaParse"));
const wasm = rows.find((r) => r.parser.includes("Dataset.fromBytes"));
const worker = rows.find((r) => r.parser.includes("Web Worker"));
const mbs = (r) => MB / (r.ms / 1000);
const entries = [];
if (wasm) {
  const met = mbs(wasm) >= 250 && (!papa || papa.ms / wasm.ms >= 15);
  entries.push({
    order: 10, workload: `Parse a ${MB.toFixed(0)} MB numeric CSV (1M × 10)`, quasi: `wasm, Node (${mbs(wasm).toFixed(0)} MB/s)`,
    seconds: wasm.ms / 1000, peer: papa ? `PapaParse, Node (${mbs(papa).toFixed(0)} MB/s)` : null, peerSeconds: papa ? papa.ms / 1000 : null,
    target: "≥ 250 MB/s and ≥ 15× PapaParse", met,
  });
}
if (worker) {
  entries.push({ order: 11, workload: `Parse the same file in the page`, quasi: `Chromium worker (${mbs(worker).toFixed(0)} MB/s)`, seconds: worker.ms / 1000, peer: null, peerSeconds: null, target: null, met: null });
}
record("parse", entries);
