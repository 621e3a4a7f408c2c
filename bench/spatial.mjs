// Spatial ML benchmark: SAR by maximum likelihood with LeSage–Pace impacts (1,000
// simulation draws) on n = 3,000 points, k = 6 nearest-neighbour weights (row-standardised)
// — Quasi (wasm in Node, the page's .wasm) against R's spdep + spatialreg on the same CSV.
//
//   node bench/spatial.mjs [--runs 3] [--no-r] [--no-quasi] [--eigen]
//
// Data (seeded, written to a temp dir): points uniform in the unit square (cx, cy),
// x1, x2 standard normal, y = (I − 0.5 W)⁻¹ (1 + x1 − 0.5 x2 + ε), ε ~ N(0, 1), W the
// row-standardised 6-nearest-neighbour matrix. Both tools build W from the coordinates
// inside the timed region. Times exclude loading the CSV; best of --runs.
// R (bench/spatial.R) times knearneigh + knn2nb + nb2listw, lagsarlm(method = "LU"),
// then trW(type = "MC") + impacts(R = 1000); --eigen adds lagsarlm(method = "eigen").
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { loadQuasi } from "./pkg.mjs";
import { record } from "./record.mjs";
import { ROOT, rng } from "./gen.mjs";

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 3;
const N = 3000;
const K = 6;
const RHO = 0.5;
const DRAWS = 1000;

/** Seeded standard normals (Box–Muller on the shared mulberry32 stream). */
function normals(next) {
  return () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

function writeData(file) {
  const next = rng(12);
  const z = normals(next);
  const cx = [], cy = [], x1 = [], x2 = [], e = [];
  for (let i = 0; i < N; i++) {
    cx.push(next());
    cy.push(next());
  }
  for (let i = 0; i < N; i++) {
    x1.push(z());
    x2.push(z());
    e.push(z());
  }
  // k nearest neighbours by brute force (no ties: continuous coordinates)
  const nb = [];
  for (let i = 0; i < N; i++) {
    const d = [];
    for (let j = 0; j < N; j++) if (j !== i) d.push([(cx[i] - cx[j]) ** 2 + (cy[i] - cy[j]) ** 2, j]);
    d.sort((a, b) => a[0] - b[0]);
    nb.push(d.slice(0, K).map((p) => p[1]));
  }
  // y = (I − ρW)⁻¹ u by the fixed point y ← u + ρ W y (contraction 0.5: 80 sweeps ≈ 1e-24)
  const u = x1.map((_, i) => 1 + x1[i] - 0.5 * x2[i] + e[i]);
  let y = u.slice();
  for (let s = 0; s < 80; s++) y = u.map((ui, i) => ui + (RHO / K) * nb[i].reduce((acc, j) => acc + y[j], 0));
  const lines = ["id,cx,cy,x1,x2,y"];
  for (let i = 0; i < N; i++) {
    lines.push(`${i + 1},${cx[i].toFixed(9)},${cy[i].toFixed(9)},${x1[i].toFixed(9)},${x2[i].toFixed(9)},${y[i].toFixed(9)}`);
  }
  fs.writeFileSync(file, lines.join("\n") + "\n");
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quasi-spatial-"));
const FILE = path.join(dir, "sar_3k.csv");
writeData(FILE);

/** ρ, its SE, and the direct/indirect/total impacts of x1 from a Quasi result. */
function quasiSummary(r) {
  const imp = r.impacts.find((i) => i.term === "x1");
  const val = (v) => (typeof v === "number" ? v : NaN);
  return {
    rho: val(r.rho),
    rho_se: val(r.rho_se),
    direct: val(imp?.direct),
    indirect: val(imp?.indirect),
    total: val(imp?.total),
  };
}

const rows = [];
const notes = [];
if (!args.includes("--no-quasi")) {
  const { Dataset, spatialModel } = await loadQuasi();
  const ds = Dataset.fromBytes(fs.readFileSync(FILE), { filename: "sar_3k.csv" });
  const spec = {
    model: "sar",
    formula: "y ~ x1 + x2",
    weights: { kind: "knn", k: K, unit: "id", x: "cx", y: "cy" },
    impacts: { draws: DRAWS, seed: 1 },
  };
  const times = [];
  let r;
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    r = spatialModel(ds, spec);
    times.push((performance.now() - t0) / 1000);
  }
  rows.push(["Quasi (wasm, Node)", Math.min(...times), quasiSummary(r)]);
}
if (!args.includes("--no-r")) {
  const rArgs = [path.join(ROOT, "bench", "spatial.R"), FILE, String(runs), String(K)];
  if (args.includes("--eigen")) rArgs.push("eigen");
  const r = spawnSync("Rscript", rArgs, { encoding: "utf8" });
  if (r.status === 0) {
    for (const line of r.stdout.trim().split("\n").filter((l) => l.startsWith("{"))) {
      const o = JSON.parse(line);
      rows.push([
        `spatialreg ${o.spatialreg} (${o.method}; spdep ${o.spdep})`,
        o.total,
        { rho: o.rho, rho_se: o.rho_se, direct: o.direct[0], indirect: o.indirect[0], total: o.total_impact[0] },
      ]);
      notes.push(`spatialreg ${o.method}: weights ${o.weights.toFixed(3)} s, lagsarlm ${o.fit.toFixed(3)} s, trW + impacts ${o.impacts.toFixed(3)} s`);
    }
  } else {
    rows.push(["spatialreg (failed: " + (r.stderr || "").trim().split("\n").pop() + ")", NaN, {}]);
  }
}
fs.rmSync(dir, { recursive: true, force: true });
const ref = rows.find((r) => r[0].includes("(LU;") && Number.isFinite(r[1]))?.[1];
const f = (v, d = 6) => (Number.isFinite(v) ? v.toFixed(d) : "—");
const lines = [
  `SAR by ML with impacts (${DRAWS} draws), n = ${N.toLocaleString("en-US")}, ${K}-nearest-neighbour W (row-standardised), ρ = ${RHO}; W built inside the timing; best of ${runs}, load excluded`,
  "",
  "| tool | time (s) | vs spatialreg LU | ρ | SE(ρ) | direct x1 | indirect x1 | total x1 |",
  "|---|---:|---:|---:|---:|---:|---:|---:|",
  ...rows.map(([tool, t, s]) =>
    `| ${tool} | ${f(t, 3)} | ${ref && Number.isFinite(t) ? (ref / t).toFixed(2) + "× faster" : "—"} | ${f(s.rho)} | ${f(s.rho_se)} | ${f(s.direct)} | ${f(s.indirect)} | ${f(s.total)} |`),
  ...(notes.length ? ["", ...notes] : []),
];
console.log(lines.join("\n"));
fs.mkdirSync(path.join(ROOT, "bench", "out"), { recursive: true });
fs.writeFileSync(path.join(ROOT, "bench", "out", "spatial.md"), lines.join("\n") + "\n");
{
  const q = rows.find((r) => r[0].startsWith("Quasi (wasm"));
  const p = rows.find((r) => r[0].startsWith("spatialreg") && Number.isFinite(r[1]));
  if (q) {
    record("spatial", [{
      order: 50, workload: "SAR ML + impacts, n = 3,000, kNN-6 W", quasi: "wasm, Node", seconds: q[1],
      peer: p ? p[0] : null, peerSeconds: p ? p[1] : null, target: null, met: null,
      note: p ? null : "R with spatialreg is not installed here: no peer time in this run",
    }]);
  }
}
