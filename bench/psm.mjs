// PSM benchmark table: 100,000 rows (treatment ≈ 30%, 5 covariates, treatment from a logit
// in them, outcome with a true effect of 2); logit propensity score, 1:1 nearest neighbour
// with replacement (ties as R Matching), ATT with the Abadie–Imbens SE — Quasi wasm (Node,
// the same .wasm the page uses) and R's Matching::Match on the same CSV when Rscript with
// Matching is installed.
//
//   node bench/psm.mjs [--runs 3] [--no-r]        (QUASI_PKG=<dir> for another wasm build)
//
// The data are seeded (mulberry32, as bench/gen.mjs) and identical to those examples/psm_bench.rs
// generates in-process (`cargo run --profile perf --example psm_bench` for the native time).
// Times exclude loading the CSV; Quasi is timed as the best of --runs; R once (it is slow),
// the logit included, as `psm` includes it.
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { loadQuasi } from "./pkg.mjs";
import { recordAgainst } from "./record.mjs";
import { ROOT, rng } from "./gen.mjs";

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 3;
const ROWS = 100_000;
const FILE = path.join(ROOT, "bench", "out", "psm_100k.csv");
const FORMULA = "treat ~ x1 + x2 + x3 + x4 + x5";

/** Six decimals, as the CSV stores them (and examples/psm_bench.rs rounds). */
const r6 = (x) => Number(x.toFixed(6));

function ensureData() {
  if (fs.existsSync(FILE)) return;
  fs.mkdirSync(path.dirname(FILE), { recursive: true });
  const u = rng(20240611);
  const lines = ["treat,x1,x2,x3,x4,x5,y"];
  for (let i = 0; i < ROWS; i++) {
    const x1 = r6((u() + u() + u() - 1.5) * 2);
    const x2 = r6(u() * 10);
    const x3 = u() < 0.4 ? 1 : 0;
    const x4 = Math.floor(u() * 6);
    const x5 = r6(u() * u() + 0.5 * x1);
    const eta = -1.2 + 0.5 * x1 + 0.08 * x2 + 0.4 * x3 - 0.15 * x4 + 0.3 * x5;
    const p = 1 / (1 + Math.exp(-eta));
    const t = u() < p ? 1 : 0;
    const y = r6(1 + 2 * t + x1 + 0.3 * x2 - 0.5 * x3 + 0.2 * x4 + x5 + (u() - 0.5) * 4);
    lines.push([t, x1.toFixed(6), x2.toFixed(6), x3, x4, x5.toFixed(6), y.toFixed(6)].join(","));
  }
  fs.writeFileSync(FILE + ".tmp", lines.join("\n") + "\n");
  fs.renameSync(FILE + ".tmp", FILE);
}

ensureData();
const rows = [];

// Quasi, wasm in Node.
{
  const { Dataset, psm } = await loadQuasi();
  const ds = Dataset.fromBytes(fs.readFileSync(FILE), { filename: "psm_100k.csv" });
  const times = [];
  let fit;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fit = psm(ds, { formula: FORMULA, outcome: "y" });
    times.push((performance.now() - t0) / 1000);
  }
  rows.push(["Quasi (wasm, Node)", Math.min(...times), fit.att, fit.std_error]);
}

// R Matching (when installed).
let rNote = "";
const hasR = !args.includes("--no-r") && spawnSync("Rscript", ["-e", 'quit(status = if (requireNamespace("Matching", quietly = TRUE)) 0 else 1)']).status === 0;
if (hasR) {
  const script = `
suppressMessages(library(Matching))
d <- read.csv(commandArgs(TRUE)[1])
t0 <- proc.time()[["elapsed"]]
ps <- fitted(glm(${FORMULA}, family = binomial, data = d))
m <- Match(Y = d$y, Tr = d$treat, X = ps, M = 1, replace = TRUE, estimand = "ATT")
el <- proc.time()[["elapsed"]] - t0
cat(sprintf("%.6f %.15g %.15g %s\\n", el, m$est, m$se, packageVersion("Matching")))
`;
  const r = spawnSync("Rscript", ["-e", script, FILE], { encoding: "utf8", maxBuffer: 1 << 24 });
  const m = /([0-9.]+) ([-0-9.e]+) ([-0-9.e]+) ([0-9.]+)/.exec((r.stdout || "").trim().split("\n").pop() || "");
  if (r.status === 0 && m) rows.push([`R Matching ${m[4]}`, Number(m[1]), Number(m[2]), Number(m[3])]);
  else rows.push(["R Matching (failed: " + (r.stderr || "").trim().split("\n").pop() + ")", NaN, NaN, NaN]);
} else {
  rNote = args.includes("--no-r") ? "R skipped (--no-r)." : "R (Rscript with the Matching package) is not installed: its row is skipped.";
}

const rRow = rows.find((r) => r[0].startsWith("R Matching ") && Number.isFinite(r[1]));
const lines = [
  `PSM, ${ROWS.toLocaleString("en-US")} rows, logit score, 1:1 nearest neighbour with replacement (ties), ATT, Abadie–Imbens SE; Quasi best of ${runs}, load excluded`,
  "",
  "| tool | time (s) | vs R Matching | ATT | SE |",
  "|---|---:|---:|---:|---:|",
  ...rows.map(([tool, t, att, se]) => `| ${tool} | ${t.toFixed(3)} | ${rRow ? (rRow[1] / t).toFixed(1) + "× faster" : "—"} | ${att.toFixed(8)} | ${se.toFixed(8)} |`),
];
if (rNote) lines.push("", rNote);
let ok = true;
if (rRow) {
  const q = rows[0];
  const rel = (a, b) => Math.abs(a - b) / Math.max(1e-300, Math.abs(b));
  ok = rel(q[2], rRow[2]) < 1e-6 && rel(q[3], rRow[3]) < 1e-6;
  lines.push("", ok ? "Quasi's ATT and SE equal R Matching's (relative difference < 1e-6)." : `MISMATCH: ATT ${q[2]} vs ${rRow[2]}, SE ${q[3]} vs ${rRow[3]}`);
}
console.log(lines.join("\n"));
fs.writeFileSync(path.join(ROOT, "bench", "out", "psm.md"), lines.join("\n") + "\n");
recordAgainst("psm", rows, {
  order: 30, workload: "P3 PSM 1:1 NN with replacement + Abadie–Imbens SE, 100k rows", quasi: "wasm, Node",
  peer: "R Matching", target: "≤ 0.3 s", limit: 0.3,
  note: (p) => (p ? null : "R with Matching is not installed here: no peer time in this run (201 s measured earlier on this machine)"),
});
if (!ok) process.exit(1);
