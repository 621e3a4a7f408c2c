// TWFE benchmark table: 1,000,000 rows (50,000 units × 20 years), 5 regressors,
// y ~ x1 + … + x5 | unit + year, SE clustered by unit — Quasi native, Quasi wasm
// (Node, same .wasm the page uses) and pyfixest's feols on the same CSV.
//
//   node bench/feols.mjs [--runs 3] [--no-pyfixest] [--no-native]
//
// Times exclude loading the CSV; each tool is timed warm (best of --runs after
// one untimed run for pyfixest, whose first call JIT-compiles). pyfixest is
// installed into bench/.venv from PyPI on first use.
import fs from "node:fs";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { loadQuasi } from "./pkg.mjs";
import { record } from "./record.mjs";
import { ROOT, rng } from "./gen.mjs";

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 3;
const FILE = path.join(ROOT, "bench", "out", "twfe_1m.csv");
const UNITS = 50_000;
const YEARS = 20;


function ensurePanel() {
  if (fs.existsSync(FILE)) return;
  fs.mkdirSync(path.dirname(FILE), { recursive: true });
  const next = rng(7);
  const ua = Array.from({ length: UNITS }, () => next() * 2 - 1);
  const ta = Array.from({ length: YEARS }, () => next() * 2 - 1);
  const beta = [0.5, -0.3, 0.2, 1.0, -0.7];
  const fd = fs.openSync(FILE + ".tmp", "w");
  fs.writeSync(fd, "unit,year,y,x1,x2,x3,x4,x5\n");
  for (let u = 0; u < UNITS; u++) {
    const lines = [];
    for (let t = 0; t < YEARS; t++) {
      let y = ua[u] + ta[t];
      const xs = beta.map((b) => {
        const x = next() + 0.3 * ua[u] + 0.2 * ta[t];
        y += b * x;
        return x;
      });
      y += next() - 0.5;
      lines.push([u + 1, 2001 + t, y.toFixed(6), ...xs.map((x) => x.toFixed(6))].join(","));
    }
    fs.writeSync(fd, lines.join("\n") + "\n");
  }
  fs.closeSync(fd);
  fs.renameSync(FILE + ".tmp", FILE);
}

const FORMULA = "y ~ x1 + x2 + x3 + x4 + x5 | unit + year";
const rows = [];
ensurePanel();

// Quasi, wasm in Node.
{
  const { Dataset, feols } = await loadQuasi();
  const ds = Dataset.fromBytes(fs.readFileSync(FILE), { filename: "twfe_1m.csv" });
  const times = [];
  let fit;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fit = feols(ds, { formula: FORMULA, vcov: { cluster: ["unit"] } });
    times.push((performance.now() - t0) / 1000);
  }
  rows.push(["Quasi (wasm, Node)", Math.min(...times), fit.coefficients[0].estimate, fit.coefficients[0].std_error]);
}

// Quasi, native.
if (!args.includes("--no-native")) {
  const out = execFileSync("cargo", ["run", "--quiet", "--release", "--example", "bench_feols", "--", "--csv", FILE, String(runs)], {
    cwd: ROOT,
    encoding: "utf8",
  });
  const best = Number(/best ([0-9.]+) s/.exec(out)?.[1]);
  const m = /x1 = ([-0-9.]+), se = ([-0-9.]+)/.exec(out);
  rows.push(["Quasi (native)", best, Number(m?.[1]), Number(m?.[2])]);
}

// pyfixest.
if (!args.includes("--no-pyfixest")) {
  const venv = path.join(ROOT, "bench", ".venv");
  const py = path.join(venv, "bin", "python");
  if (!fs.existsSync(py)) {
    execFileSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
    execFileSync(py, ["-m", "pip", "install", "--quiet", "pyfixest"], { stdio: "inherit" });
  }
  const script = `
import sys, time, json, pandas as pd, pyfixest as pf
df = pd.read_csv(sys.argv[1])
pf.feols("${FORMULA}", data=df, vcov={"CRV1": "unit"})  # warm-up (JIT)
best = 1e9
for _ in range(int(sys.argv[2])):
    t = time.perf_counter(); fit = pf.feols("${FORMULA}", data=df, vcov={"CRV1": "unit"}); best = min(best, time.perf_counter() - t)
print(json.dumps({"best": best, "b": float(fit.coef()["x1"]), "se": float(fit.se()["x1"]), "version": pf.__version__}))
`;
  const r = spawnSync(py, ["-c", script, FILE, String(runs)], { encoding: "utf8" });
  if (r.status === 0) {
    const o = JSON.parse(r.stdout.trim().split("\n").pop());
    rows.push([`pyfixest ${o.version}`, o.best, o.b, o.se]);
  } else {
    rows.push(["pyfixest (failed: " + (r.stderr || "").trim().split("\n").pop() + ")", NaN, NaN, NaN]);
  }
}

const ref = rows.find((r) => r[0].startsWith("pyfixest") && Number.isFinite(r[1]))?.[1];
const lines = [
  `TWFE, ${UNITS.toLocaleString("en-US")} units × ${YEARS} years (1M rows), 5 regressors, cluster(unit); best of ${runs}, load excluded`,
  "",
  "| tool | time (s) | vs pyfixest | x1 | SE(x1) |",
  "|---|---:|---:|---:|---:|",
  ...rows.map(([tool, t, b, se]) => `| ${tool} | ${t.toFixed(3)} | ${ref ? (ref / t).toFixed(2) + "× faster" : "—"} | ${b.toFixed(6)} | ${se.toFixed(6)} |`),
];
console.log(lines.join("\n"));
fs.writeFileSync(path.join(ROOT, "bench", "out", "feols.md"), lines.join("\n") + "\n");
{
  const q = rows.find((r) => r[0].startsWith("Quasi (wasm"));
  const p = rows.find((r) => r[0].startsWith("pyfixest") && Number.isFinite(r[1]));
  if (q) {
    record("feols", [{
      order: 1, workload: "P1 TWFE, 1M rows (50k units × 20 years), 5 regressors, cluster SE", quasi: "wasm, Node", seconds: q[1],
      peer: p ? p[0] : null, peerSeconds: p ? p[1] : null, target: "≤ 0.3× pyfixest", met: p ? q[1] <= 0.3 * p[1] : null,
    }]);
  }
}
