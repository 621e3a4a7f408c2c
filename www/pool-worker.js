// A worker of the replication pool (www/pool.js): its own WebAssembly instance, the snapshot
// of the columns the current analysis reads, and ranges of that analysis's draws to run.
//
//   pool → worker   { op: "init", module, dir }       module: the engine's compiled WebAssembly.Module,
//                                                     dir: its JS glue ("../pkg/" or "../pkg/core/")
//                   { id, op: "draws", job, snapshot?, kind, spec, start, end }
//                                                     snapshot: sent once per job
//   worker → pool   { id, progress }                  fraction of this range done
//                   { id, ok: true, block: { start, end, width, values } }
//                   { id, ok: false, error: { message, code } }

let ready = null;
let quasi = null;
let current = { job: null, dataset: null };

function load(module, dir = "../pkg/") {
  ready ??= import(`${dir}quasi.js`).then(async (mod) => {
    await mod.default({ module_or_path: module ?? new URL(`${dir}quasi_bg.wasm`, import.meta.url) });
    quasi = mod;
  });
  return ready;
}

function datasetFor(job, snapshot) {
  if (current.job !== job) {
    if (!snapshot) throw new Error("The pool lost this analysis's data; please run it again.");
    current.dataset?.free();
    current = { job, dataset: quasi.Dataset.fromSnapshot(snapshot) };
  }
  return current.dataset;
}

self.onmessage = async (event) => {
  const msg = event.data || {};
  if (msg.op === "init") {
    load(msg.module, msg.dir).catch(() => {}); // reported by the first "draws"
    return;
  }
  const { id, job, snapshot, kind, spec, start, end } = msg;
  try {
    await load();
    const ds = datasetFor(job, snapshot);
    let last = 0;
    const block = quasi.replicate(ds, kind, spec, start, end, (fraction) => {
      const now = performance.now();
      if (now - last > 100) {
        last = now;
        self.postMessage({ id, progress: fraction });
      }
      return true;
    });
    self.postMessage({ id, ok: true, block }, [block.values.buffer]);
  } catch (e) {
    self.postMessage({ id, ok: false, error: { message: e?.message ?? String(e), code: e?.code ?? null, fatal: e instanceof WebAssembly.RuntimeError } });
  }
};
