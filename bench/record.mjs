// One line per workload for `make bench`'s summary table (bench/summary.mjs): each bench
// script records what it measured — Quasi's time, the peer's time on the same machine in
// the same run, the target — into bench/out/summary-<name>.json.
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./gen.mjs";

/**
 * `entries`: [{ workload, quasi: label, seconds, peer: label | null, peerSeconds: number | null,
 *   target: text | null, met: boolean | null, note: text | null, order: number }]
 */
export function record(name, entries) {
  const dir = path.join(ROOT, "bench", "out");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `summary-${name}.json`), JSON.stringify({ name, at: new Date().toISOString(), entries }, null, 1) + "\n");
}

/**
 * One summary line from a bench's result rows (`[tool, seconds, …]`): Quasi's wasm row against
 * the first row with a time whose tool starts with `peer`; met when Quasi takes ≤ `limit` s.
 * `note(peerRow | undefined)` gives the line's note. Nothing is recorded without a Quasi row.
 */
export function recordAgainst(name, rows, { order, workload, quasi, peer, target, limit, note = () => null }) {
  const q = rows.find((r) => r[0].startsWith("Quasi (wasm"));
  const p = rows.find((r) => r[0].startsWith(peer) && Number.isFinite(r[1]));
  if (!q) return;
  record(name, [{
    order, workload, quasi, seconds: q[1], peer: p ? p[0] : null, peerSeconds: p ? p[1] : null,
    target, met: q[1] <= limit, note: note(p),
  }]);
}
