// Placebo (randomization-inference) benchmark: 1,000 permutation placebo refits of a TWFE DID
// on 100,000 rows (5,000 units × 20 years, staggered adoption, 2 controls),
// y ~ DID + x1 + x2 | unit + year — Quasi wasm (Node, `quasi.placebo`), Quasi native, and a
// loop of pyfixest refits with permuted adoption years (50 refits timed, extrapolated to 1,000).
//
//   node bench/placebo.mjs [--runs 3] [--reps 1000] [--py-refits 50] [--no-pyfixest] [--no-native]
//
// Times exclude loading the CSV; Quasi is best of --runs. pyfixest is installed into
// bench/.venv from PyPI on first use; its refits use their own seeded permutations of the same
// unit-level adoption years (the same design, not the same draws as Quasi's).
import fs from "node:fs";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { loadQuasi } from "./pkg.mjs";
import { recordAgainst } from "./record.mjs";
import { ROOT, rng } from "./gen.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const runs = opt("--runs", 3);
const reps = opt("--reps", 1000);
const pyRefits = opt("--py-refits", 50);
const FILE = path.join(ROOT, "bench", "out", "placebo_100k.csv");
const UNITS = 5_000;
const YEARS = 20;

function ensurePanel() {
  if (fs.existsSync(FILE)) return;
  fs.mkdirSync(path.dirname(FILE), { recursive: true });
  const next = rng(11);
  const ta = Array.from({ length: YEARS }, () => next() * 2 - 1);
  const lines = ["unit,year,start,y,x1,x2"];
  for (let u = 0; u < UNITS; u++) {
    const ua = next() * 2 - 1;
    // 40 % of the units adopt, in years 2005..2015; the others never (start 0).
    const start = next() < 0.4 ? 2005 + Math.floor(next() * 11) : 0;
    for (let t = 0; t < YEARS; t++) {
      const year = 2000 + t;
      const d = start > 0 && year >= start ? 1 : 0;
      const x1 = next() + 0.3 * ua;
      const x2 = next() + 0.2 * ta[t];
      const y = ua + ta[t] + 0.2 * d + 0.5 * x1 - 0.3 * x2 + next() - 0.5;
      lines.push([u + 1, year, start, y.toFixed(6), x1.toFixed(6), x2.toFixed(6)].join(","));
    }
  }
  fs.writeFileSync(FILE + ".tmp", lines.join("\n") + "\n");
  fs.renameSync(FILE + ".tmp", FILE);
}

const SPEC = {
  y: "y", unit: "unit", time: "year", start: "start", controls: ["x1", "x2"],
  kind: "permute_units", reps, seed: 1,
};
const rows = [];
ensurePanel();

// Quasi, wasm in Node.
{
  const quasi = await loadQuasi();
  const ds = quasi.Dataset.fromBytes(fs.readFileSync(FILE), { filename: "placebo_100k.csv" });
  const times = [];
  let r;
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    r = quasi.placebo(ds, SPEC);
    times.push((performance.now() - t0) / 1000);
  }
  rows.push(["Quasi (wasm, Node)", Math.min(...times), "measured", r.actual, r.p_value]);
}

// Quasi, native (the same CSV).
if (!args.includes("--no-native")) {
  const out = execFileSync(
    "cargo",
    ["run", "--quiet", "--profile", "perf", "--example", "placebo_bench", "--", String(reps), "--from", FILE],
    { cwd: ROOT, encoding: "utf8" },
  );
  const best = Number(/best ([0-9.]+) s/.exec(out)?.[1]);
  const m = /actual ([-0-9.]+), p ([-0-9.]+)/.exec(out);
  rows.push(["Quasi (native)", best, "measured", Number(m?.[1]), Number(m?.[2])]);
}

// pyfixest: a loop of refits with permuted adoption years.
if (!args.includes("--no-pyfixest")) {
  const venv = path.join(ROOT, "bench", ".venv");
  const py = path.join(venv, "bin", "python");
  if (!fs.existsSync(py)) {
    execFileSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
    execFileSync(py, ["-m", "pip", "install", "--quiet", "pyfixest"], { stdio: "inherit" });
  }
  const script = `
import sys, time, json, numpy as np, pandas as pd, pyfixest as pf
df = pd.read_csv(sys.argv[1]); n_refits = int(sys.argv[2])
units = df["unit"].unique(); start = df.groupby("unit")["start"].first().reindex(units).to_numpy()
def did(adopt):
    a = pd.Series(adopt, index=units).reindex(df["unit"]).to_numpy()
    return ((a > 0) & (df["year"].to_numpy() >= a)).astype(float)
df["DID"] = did(start)
actual = float(pf.feols("y ~ DID + x1 + x2 | unit + year", data=df, vcov="iid").coef()["DID"])
rng = np.random.default_rng(1)
t = time.perf_counter(); draws = []
for _ in range(n_refits):
    df["DID"] = did(rng.permutation(start))
    draws.append(float(pf.feols("y ~ DID + x1 + x2 | unit + year", data=df, vcov="iid").coef()["DID"]))
el = time.perf_counter() - t
p = float(np.mean(np.abs(draws) >= abs(actual) * (1 - 1e-9)))
print(json.dumps({"per_refit": el / n_refits, "actual": actual, "p": p, "version": pf.__version__}))
`;
  const r = spawnSync(py, ["-c", script, FILE, String(pyRefits)], { encoding: "utf8" });
  if (r.status === 0) {
    const o = JSON.parse(r.stdout.trim().split("\n").pop());
    rows.push([`pyfixest ${o.version} (refit loop)`, o.per_refit * reps, `${pyRefits} refits timed, ×${reps / pyRefits}`, o.actual, o.p]);
  } else {
    rows.push(["pyfixest (failed: " + (r.stderr || "").trim().split("\n").pop() + ")", NaN, "—", NaN, NaN]);
  }
}

const ref = rows.find((r) => r[0].startsWith("pyfixest") && Number.isFinite(r[1]))?.[1];
const lines = [
  `Permutation placebo, ${reps.toLocaleString("en-US")} draws; ${UNITS.toLocaleString("en-US")} units × ${YEARS} years (100k rows), unit + year FE, 2 controls, staggered adoption; Quasi best of ${runs}, load excluded`,
  "",
  "| tool | time for " + reps + " draws (s) | how | vs pyfixest | actual DID | p-value |",
  "|---|---:|---|---:|---:|---:|",
  ...rows.map(
    ([tool, t, how, b, p]) =>
      `| ${tool} | ${t.toFixed(3)} | ${how} | ${ref ? (ref / t).toFixed(1) + "× faster" : "—"} | ${b.toFixed(6)} | ${p.toFixed(4)} |`,
  ),
];
console.log(lines.join("\n"));
fs.writeFileSync(path.join(ROOT, "bench", "out", "placebo.md"), lines.join("\n") + "\n");
recordAgainst("placebo", rows, {
  order: 20, workload: "P2 placebo: 1,000 permutation refits, 100k rows (5,000 × 20, unit + year FE, 2 controls)", quasi: "wasm, Node, one thread",
  peer: "pyfixest", target: "≤ 2 s", limit: 2,
  note: (p) => (p ? `the pyfixest loop time is ${p[2]}` : null),
});
