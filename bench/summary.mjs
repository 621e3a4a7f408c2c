// `make bench`'s one table: every workload with Quasi's time, its peer's time on the same
// machine in the same run, and the target (bench/out/summary-*.json written by each bench
// script through bench/record.mjs). Prints it and writes bench/out/summary.md.
//   node bench/summary.mjs
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./gen.mjs";

const dir = path.join(ROOT, "bench", "out");
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^summary-.*\.json$/.test(f)) : [];
const entries = files
  .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")))
  .flatMap((r) => r.entries.map((e) => ({ ...e, at: r.at })))
  .sort((a, b) => (a.order ?? 99) - (b.order ?? 99));
const secs = (x) => (Number.isFinite(x) ? (x < 0.01 ? x.toFixed(4) : x < 10 ? x.toFixed(3) : x.toFixed(1)) : "—");
const ratio = (e) =>
  Number.isFinite(e.seconds) && Number.isFinite(e.peerSeconds) && e.peerSeconds > 0
    ? `${(e.seconds / e.peerSeconds).toFixed(2)}× (${(e.peerSeconds / e.seconds).toFixed(1)}× faster)`
    : "—";
const cpu = os.cpus()[0]?.model?.trim() ?? "unknown CPU";
const lines = [
  `Quasi vs the tools users would pick instead — one run of \`make bench\`, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${cpu}, ${os.cpus().length} cores, Node ${process.versions.node}`,
  "",
  "| workload | Quasi | time (s) | peer | peer time (s) | Quasi / peer | target | met |",
  "|---|---|---:|---|---:|---:|---|:---:|",
  ...entries.map(
    (e) =>
      `| ${e.workload} | ${e.quasi} | ${secs(e.seconds)} | ${e.peer ?? "—"} | ${secs(e.peerSeconds)} | ${ratio(e)} | ${e.target ?? "—"} | ${e.met === true ? "yes" : e.met === false ? "**no**" : "—"} |`,
  ),
];
const notes = entries.filter((e) => e.note).map((e) => `- ${e.workload}: ${e.note}`);
const text = [...lines, ...(notes.length ? ["", ...notes] : [])].join("\n") + "\n";
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, "summary.md"), text);
console.log("\n" + text);
