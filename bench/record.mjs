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
