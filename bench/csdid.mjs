// Callaway–Sant'Anna benchmark: 10,000 units × 20 periods, 5 adoption cohorts plus
// never-treated units, doubly robust with never-treated controls, ATT(g,t), the four
// aggregations and a 1,000-draw multiplier bootstrap — Quasi (wasm in Node, the page's
// .wasm) against moderndid (the Python port of R did) on the same CSV.
//
//   node bench/csdid.mjs [--runs 3] [--no-moderndid]
//
// Times exclude loading the CSV; best of --runs (moderndid after one untimed warm-up).
// moderndid is installed into bench/.venv-cs from PyPI on first use.
import fs from "node:fs";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { loadQuasi } from "./pkg.mjs";
import { record } from "./record.mjs";
import { ROOT, rng } from "./gen.mjs";

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 3;
const FILE = path.join(ROOT, "bench", "out", "cs_10k.csv");
const UNITS = 10_000;
const PERIODS = 20;
const COHORTS = [2005, 2008, 2011, 2014, 2017];
const REPS = 1000;


function ensurePanel() {
  if (fs.existsSync(FILE)) return;
  fs.mkdirSync(path.dirname(FILE), { recursive: true });
  const next = rng(11);
  const lines = ["id,year,y,first_treat"];
  for (let u = 0; u < UNITS; u++) {
    const k = Math.floor(next() * (COHORTS.length + 1));
    const g = k === COHORTS.length ? 0 : COHORTS[k];
    const a = next() * 2 - 1;
    for (let t = 0; t < PERIODS; t++) {
      const year = 2001 + t;
      const effect = g > 0 && year >= g ? 0.1 * (1 + year - g) : 0;
      const y = a + 0.05 * t + effect + (next() - 0.5);
      lines.push(`${u + 1},${year},${y.toFixed(6)},${g}`);
    }
  }
  fs.writeFileSync(FILE, lines.join("\n") + "\n");
}

ensurePanel();
const rows = [];
const spec = { y: "y", unit: "id", time: "year", start: "first_treat", control_group: "never", method: "dr", bootstrap: { reps: REPS, seed: 1 } };
{
  const { Dataset, csdid } = await loadQuasi();
  const ds = Dataset.fromBytes(fs.readFileSync(FILE), { filename: "cs_10k.csv" });
  const times = [];
  let r;
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    r = csdid(ds, spec);
    times.push((performance.now() - t0) / 1000);
  }
  rows.push(["Quasi (wasm, Node)", Math.min(...times), r.aggregate.dynamic.estimate, r.aggregate.dynamic.std_error]);
}
if (!args.includes("--no-moderndid")) {
  const venv = path.join(ROOT, "bench", ".venv-cs");
  const py = path.join(venv, "bin", "python");
  if (!fs.existsSync(py)) {
    execFileSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
    execFileSync(py, ["-m", "pip", "install", "--quiet", "moderndid"], { stdio: "inherit" });
  }
  const script = `
import sys, time, json, pandas as pd, moderndid as md
df = pd.read_csv(sys.argv[1])
def run():
    a = md.att_gt(data=df, yname="y", tname="year", idname="id", gname="first_treat",
                  control_group="nevertreated", est_method="dr", boot=True, biters=${REPS})
    return md.aggte(a, type="dynamic")
run()
best = 1e9
for _ in range(int(sys.argv[2])):
    t = time.perf_counter(); e = run(); best = min(best, time.perf_counter() - t)
print(json.dumps({"best": best, "att": float(e.overall_att), "se": float(e.overall_se), "version": md.__version__}))
`;
  const r = spawnSync(py, ["-c", script, FILE, String(runs)], { encoding: "utf8" });
  if (r.status === 0) {
    const o = JSON.parse(r.stdout.trim().split("\n").pop());
    rows.push([`moderndid ${o.version}`, o.best, o.att, o.se]);
  } else {
    rows.push(["moderndid (failed: " + (r.stderr || "").trim().split("\n").pop() + ")", NaN, NaN, NaN]);
  }
}
const ref = rows.find((r) => r[0].startsWith("moderndid") && Number.isFinite(r[1]))?.[1];
const lines = [
  `Callaway–Sant'Anna, ${UNITS.toLocaleString("en-US")} units × ${PERIODS} periods, ${COHORTS.length} cohorts, dr, never-treated controls, ${REPS} bootstrap draws; best of ${runs}, load excluded`,
  "",
  "| tool | time (s) | vs moderndid | dynamic ATT | SE (bootstrap) |",
  "|---|---:|---:|---:|---:|",
  ...rows.map(([tool, t, b, se]) => `| ${tool} | ${t.toFixed(3)} | ${ref ? (ref / t).toFixed(2) + "× faster" : "—"} | ${b.toFixed(6)} | ${se.toFixed(6)} |`),
];
console.log(lines.join("\n"));
fs.writeFileSync(path.join(ROOT, "bench", "out", "csdid.md"), lines.join("\n") + "\n");
{
  const q = rows.find((r) => r[0].startsWith("Quasi (wasm"));
  const p = rows.find((r) => r[0].startsWith("moderndid") && Number.isFinite(r[1]));
  if (q) {
    record("csdid", [{
      order: 40, workload: "Callaway–Sant'Anna + 1,000 multiplier-bootstrap draws, 200k rows", quasi: "wasm, Node", seconds: q[1],
      peer: p ? p[0] : null, peerSeconds: p ? p[1] : null, target: null, met: null,
    }]);
  }
}
