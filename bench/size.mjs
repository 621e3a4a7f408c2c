// Size of the shipped WebAssembly as built by `make build`: raw bytes and gzip -9 (what a
// static host typically sends), for the .wasm and its JS glue — pkg/core/ (the lean engine
// the page loads first) and pkg/ (the full engine, loaded when a panel needs it, and the
// public JS API).
//   node bench/size.mjs
// Prints a markdown table and writes it to bench/out/size.md.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { spawnSync } from "node:child_process";
import { ROOT } from "./gen.mjs";
import { record } from "./record.mjs";

const files = ["core/quasi_bg.wasm", "core/quasi.js", "quasi_bg.wasm", "quasi.js"];
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const sizes = {};
const rows = files.map((name) => {
  const p = path.join(ROOT, "pkg", name);
  if (!fs.existsSync(p)) throw new Error(`pkg/${name} missing: run make build first`);
  const raw = fs.readFileSync(p);
  // gzip(1) -9 when installed (it packs ~0.3% tighter than Node's zlib at level 9), else zlib.
  const cli = spawnSync("gzip", ["-9", "-n", "-c", p], { maxBuffer: 1 << 30 });
  const gz = cli.status === 0 ? cli.stdout.length : zlib.gzipSync(raw, { level: 9 }).length;
  sizes[name] = { raw: raw.length, gz };
  return `| pkg/${name} | ${raw.length.toLocaleString("en-US")} (${kb(raw.length)}) | ${gz.toLocaleString("en-US")} (${kb(gz)}) |`;
});
const lines = [
  "Shipped wasm package size (after scripts/wasm-opt.sh): pkg/core/ loads with the page, pkg/ on first use of a staggered or spatial analysis, an Excel or non-UTF-8 file, or Word/Excel output",
  "",
  "| file | raw bytes | gzip -9 bytes |",
  "|---|---:|---:|",
  ...rows,
];
console.log(lines.join("\n"));
fs.mkdirSync(path.join(ROOT, "bench", "out"), { recursive: true });
fs.writeFileSync(path.join(ROOT, "bench", "out", "size.md"), lines.join("\n") + "\n");

const c = sizes["core/quasi_bg.wasm"];
const f = sizes["quasi_bg.wasm"];
record("size", [
  { order: 0, workload: "Wasm the page loads first (pkg/core/), gzip -9", quasi: kb(c.gz), seconds: null, peer: null, peerSeconds: null, target: "≤ 600 KiB", met: c.gz <= 600 * 1024, note: `raw ${kb(c.raw)}; the full engine (pkg/, loaded on first use of a staggered, spatial, PSM or index analysis, an Excel or non-UTF-8 file, or Word/Excel output) is ${kb(f.gz)} gzip, ${kb(f.raw)} raw` },
]);
