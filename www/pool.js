// A pool of Web Workers (www/pool-worker.js), one WebAssembly instance each, that share the
// draws of a replicating analysis (placebo, wild bootstrap, mediation bootstrap, PSM
// bootstrap, Callaway–Sant'Anna's multiplier bootstrap). The engine worker (www/worker.js)
// owns the data and the pool: it sends each pool worker a snapshot of the columns the
// analysis reads, hands out ranges of draws as workers become free, and finishes the
// analysis from the blocks. Draw b depends only on the seed and b, so the result is
// bit-identical whatever the number of workers. No SharedArrayBuffer: static hosts cannot
// send COOP/COEP headers. Cancel: the page terminates the engine worker, which ends its
// pool workers with it.

/** Workers to use: `requested` if given, else every core the browser reports (at most 16). */
export function poolSize(requested) {
  const cores = Number(self.navigator?.hardwareConcurrency) || 1;
  const n = requested === undefined || requested === null ? cores : Number(requested);
  return Math.max(1, Math.min(16, Math.floor(n) || 1));
}

/**
 * Splits draws 0..count into one range per worker: every range a worker runs repeats the
 * analysis's set-up (design, demeaning) before its draws, so more, smaller ranges only add
 * set-up time; the workers of a pool are alike, so equal ranges finish together.
 */
export function ranges(count, workers) {
  const pieces = Math.max(1, Math.min(count, workers));
  const out = [];
  for (let i = 0; i < pieces; i++) {
    const start = Math.floor((count * i) / pieces);
    const end = Math.floor((count * (i + 1)) / pieces);
    if (end > start) out.push({ start, end });
  }
  return out;
}

export class ReplicationPool {
  /**
   * `module`: the engine's compiled WebAssembly.Module (shared, so it is not fetched again);
   * `dir`: where its JS glue is, relative to www/ ("../pkg/" or "../pkg/core/").
   */
  constructor(module, dir = "../pkg/") {
    this.module = module;
    this.dir = dir;
    this.workers = [];
    this.nextId = 1;
    this.nextJob = 1;
    this.queue = Promise.resolve(); // one analysis at a time: the workers' handlers are per job
  }

  #grow(n) {
    while (this.workers.length < n) {
      const worker = new Worker(new URL("./pool-worker.js", import.meta.url), { type: "module", name: `quasi-pool-${this.workers.length + 1}` });
      worker.postMessage({ op: "init", module: this.module, dir: this.dir });
      this.workers.push(worker);
    }
  }

  /**
   * Runs draws 0..count of `kind` with `spec` on `size` workers, each holding `snapshot`;
   * resolves to the blocks (in any order). `onProgress(fraction)` reports the pool's progress.
   */
  run(job) {
    const result = this.queue.then(() => this.#run(job));
    this.queue = result.catch(() => {});
    return result;
  }

  #run({ kind, spec, snapshot, count, size, onProgress }) {
    this.#grow(size);
    const job = this.nextJob++;
    const todo = ranges(count, size);
    const blocks = [];
    const inFlight = new Map(); // id → { range, fraction }
    let done = 0;
    const report = () => {
      let sum = done;
      for (const { range, fraction } of inFlight.values()) sum += fraction * (range.end - range.start);
      onProgress?.(Math.min(1, sum / count));
    };
    return new Promise((resolve, reject) => {
      let failed = false;
      const fail = (err, workers) => {
        if (failed) return;
        failed = true;
        for (const w of workers) w.onmessage = null;
        reject(err);
      };
      const used = this.workers.slice(0, size);
      const sentSnapshot = new Set();
      const next = (worker) => {
        const range = todo.shift();
        if (!range) {
          if (inFlight.size === 0 && !failed) resolve(blocks);
          return;
        }
        const id = this.nextId++;
        inFlight.set(id, { range, fraction: 0 });
        const first = !sentSnapshot.has(worker);
        sentSnapshot.add(worker);
        worker.postMessage({ id, op: "draws", job, snapshot: first ? snapshot : undefined, kind, spec, ...range });
      };
      for (const worker of used) {
        worker.onmessage = ({ data }) => {
          const entry = inFlight.get(data?.id);
          if (!entry || failed) return;
          if ("progress" in data) {
            entry.fraction = data.progress;
            report();
            return;
          }
          inFlight.delete(data.id);
          if (!data.ok) {
            const err = new Error(data.error?.message || "A worker of the pool failed");
            err.code = data.error?.code ?? null;
            if (data.error?.fatal) this.terminate();
            fail(err, used);
            return;
          }
          blocks.push(data.block);
          done += entry.range.end - entry.range.start;
          report();
          next(worker);
        };
        worker.onerror = (e) => {
          e.preventDefault?.();
          this.terminate();
          fail(new Error(`A worker of the pool failed to start: ${e.message || "script error"}`), used);
        };
        next(worker);
      }
    });
  }

  terminate() {
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }
}
