// Entropy-weight composite index: 1,000,000 rows × 60 indicators (every fourth a cost
// indicator), pooled, default shift 1e-4 — Quasi wasm (Node, buildIndex), Quasi native
// (examples/entropy_bench.rs) and numpy doing the same method on the same data.
//
//   node bench/entropy.mjs [--rows 1000000] [--runs 3] [--no-numpy] [--no-native]
//
// The data are generated in-process by every tool from the same seeded mulberry32 stream
// (draw k = row·60 + column), x_ij = a_j + s_j · u^(1 + j mod 3), so no 600 MB CSV is
// written; the wasm dataset gets its columns through Dataset.addColumn. Times exclude
// building the data; each is the best of --runs. The numpy weights must agree with
// Quasi's to 1e-10 (absolute); the script exits 1 otherwise.
import fs from "node:fs";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { loadQuasi } from "./pkg.mjs";
import { recordAgainst } from "./record.mjs";
import { ROOT, rng } from "./gen.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const ROWS = opt("--rows", 1_000_000);
const runs = opt("--runs", 3);
const M = 60;
const SEED = 20240601;
const SHIFT = 1e-4;
const OUT = path.join(ROOT, "bench", "out");
fs.mkdirSync(OUT, { recursive: true });

/** Column j: offset, scale, power (as in examples/entropy_bench.rs). */
const params = (j) => [(j % 7) - 3, 1 + (j % 5) * 2.5, 1 + (j % 3)];
const direction = (j) => (j % 4 === 3 ? -1 : 1);

function columns() {
  const next = rng(SEED);
  const cols = Array.from({ length: M }, () => new Float64Array(ROWS));
  const ps = Array.from({ length: M }, (_, j) => params(j));
  for (let i = 0; i < ROWS; i++) {
    for (let j = 0; j < M; j++) {
      const [a, s, k] = ps[j];
      const u = next();
      cols[j][i] = a + s * (k === 1 ? u : k === 2 ? u * u : u * u * u);
    }
  }
  return cols;
}

const spec = {
  method: "entropy",
  indicators: Array.from({ length: M }, (_, j) => ({ name: `x${j + 1}`, direction: direction(j) })),
};
const rows = [];
let quasiWeights;

// Quasi, wasm in Node.
{
  const { Dataset, buildIndex } = await loadQuasi();
  const t0 = performance.now();
  const cols = columns();
  const ds = Dataset.fromBytes(new TextEncoder().encode("id\n" + Array.from({ length: ROWS }, (_, i) => i).join("\n") + "\n"), {
    filename: "entropy.csv",
  });
  cols.forEach((c, j) => ds.addColumn(`x${j + 1}`, Array.from(c)));
  console.error(`wasm dataset: ${ROWS} rows × ${M} indicators built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const times = [];
  let res;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    res = buildIndex(ds, spec);
    times.push((performance.now() - t) / 1000);
  }
  console.error(`wasm runs: ${times.map((t) => t.toFixed(3)).join(", ")} s`);
  quasiWeights = res.weights.map((w) => w.weight);
  rows.push(["Quasi (wasm, Node)", Math.min(...times), quasiWeights[0], res.scores[0], NaN]);
  ds.free();
}

// Quasi, native (same generator).
if (!args.includes("--no-native")) {
  const out = execFileSync(
    "cargo",
    ["run", "--quiet", "--profile", "perf", "--example", "entropy_bench", "--", String(ROWS), String(M), String(runs)],
    { cwd: ROOT, encoding: "utf8" },
  );
  const best = Number(/best ([0-9.]+) s/.exec(out)?.[1]);
  const m = /w1 = ([-0-9.]+), w4 = [-0-9.]+, score\[0\] = ([-0-9.]+)/.exec(out);
  rows.push(["Quasi (native)", best, Number(m?.[1]), Number(m?.[2]), Math.abs(Number(m?.[1]) - quasiWeights[0])]);
}

// numpy: the same method, on the same stream regenerated with vectorised mulberry32.
let numpyOk = true;
if (!args.includes("--no-numpy")) {
  const venv = path.join(ROOT, "bench", ".venv-np");
  const py = path.join(venv, "bin", "python");
  if (!fs.existsSync(py)) {
    execFileSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
    execFileSync(py, ["-m", "pip", "install", "--quiet", "numpy"], { stdio: "inherit" });
  }
  const script = `
import sys, json, time, numpy as np
n, m, seed, shift, runs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
# mulberry32 is counter-based: state k = seed + (k+1)*0x6d2b79f5 (mod 2^32)
def uniforms(start, count):
    a = (np.uint32(seed) + (np.arange(start + 1, start + count + 1, dtype=np.uint64) * 0x6D2B79F5)).astype(np.uint32)
    t = a
    t = (t ^ (t >> np.uint32(15))) * (t | np.uint32(1))
    t = t ^ (t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61)))
    return (t ^ (t >> np.uint32(14))).astype(np.float64) / 4294967296.0
X = np.empty((n, m))
step = 100000
for r0 in range(0, n, step):
    r1 = min(n, r0 + step)
    X[r0:r1] = uniforms(r0 * m, (r1 - r0) * m).reshape(r1 - r0, m)
j = np.arange(m)
a, s, k = (j % 7) - 3.0, 1 + (j % 5) * 2.5, 1 + j % 3
X = np.where(k == 1, X, np.where(k == 2, X * X, X * X * X)) * s + a
cost = (j % 4) == 3
def entropy_index(X):
    lo, hi = X.min(axis=0), X.max(axis=0)
    rng = hi - lo
    Z = np.where(cost, (hi - X) / rng, (X - lo) / rng) + shift
    P = Z / Z.sum(axis=0)
    e = -(P * np.log(P)).sum(axis=0) / np.log(n)
    d = 1 - e
    w = d / d.sum()
    return w, Z @ w
best = 1e9
for _ in range(runs):
    t = time.perf_counter(); w, score = entropy_index(X); best = min(best, time.perf_counter() - t)
print(json.dumps({"best": best, "w": w.tolist(), "score0": float(score[0]), "version": np.__version__}))
`;
  const r = spawnSync(py, ["-c", script, String(ROWS), String(M), String(SEED), String(SHIFT), String(runs)], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (r.status === 0) {
    const o = JSON.parse(r.stdout.trim().split("\n").pop());
    const diff = Math.max(...o.w.map((w, k) => Math.abs(w - quasiWeights[k])));
    numpyOk = diff <= 1e-10;
    rows.push([`numpy ${o.version}`, o.best, o.w[0], o.score0, diff]);
  } else {
    numpyOk = false;
    rows.push(["numpy (failed: " + (r.stderr || "").trim().split("\n").pop() + ")", NaN, NaN, NaN, NaN]);
  }
}

const ref = rows.find((r) => r[0].startsWith("numpy") && Number.isFinite(r[1]))?.[1];
const lines = [
  `Entropy-weight index, ${ROWS.toLocaleString("en-US")} rows × ${M} indicators (15 cost), pooled; best of ${runs}, data building excluded`,
  "",
  "| tool | time (s) | vs numpy | w1 | score[0] | max \\|Δw\\| vs wasm |",
  "|---|---:|---:|---:|---:|---:|",
  ...rows.map(
    ([tool, t, w1, s0, dw]) =>
      `| ${tool} | ${t.toFixed(3)} | ${ref ? (ref / t).toFixed(2) + "× faster" : "—"} | ${w1.toFixed(12)} | ${s0.toFixed(12)} | ${Number.isFinite(dw) ? dw.toExponential(1) : "—"} |`,
  ),
];
console.log(lines.join("\n"));
fs.writeFileSync(path.join(OUT, "entropy.md"), lines.join("\n") + "\n");
recordAgainst("entropy", rows, {
  order: 35, workload: "P5 entropy-weight index, 1M rows × 60 indicators", quasi: "wasm, Node",
  peer: "numpy", target: "≤ 1.0 s", limit: 1.0,
});
if (!numpyOk) {
  console.error("numpy weights differ from Quasi's by more than 1e-10");
  process.exit(1);
}
