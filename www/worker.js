// The Web Worker that owns the WebAssembly instance and every loaded dataset.
//
// Protocol (all messages are plain structured-cloneable objects):
//   page → worker   { id, op, args }
//   worker → page   { id, progress }                      0 ≤ progress ≤ 1, while parsing
//                                                         (load), replicating (placebo),
//                                                         estimating (staggeredCompare) or
//                                                         bootstrapping (csdid)
//                   { id, ok: true, result }
//                   { id, ok: false, error: { message, name, fatal, code, details } }
//                                                         (code/details: the engine's typed error, for
//                                                         the page's own wording in Chinese)
// Datasets stay here; the page refers to them by a numeric `handle`.
// Cancellation: a synchronous wasm call cannot read messages, so the page
// cancels by terminating this worker and starting a fresh one.
// Replications (placebo, wildBootstrap, mediation, psm, csdid): their draws are shared by a
// pool of workers (www/pool.js; `workers` in the args, default every core), with a result
// bit-identical to the one-worker call.

import { ReplicationPool, poolSize } from "./pool.js";

// Two builds of the engine: the lean one (pkg/core/: CSV, DID family, PSM, indices, text and
// SVG output) loads with the page; the full one (pkg/: also staggered and spatial
// estimators, Excel files, other text encodings, Word/Excel output) loads on first need —
// when the lean one lacks a function or answers `not_in_this_build`. A dataset lives in the
// engine that loaded it; the full engine gets a snapshot of a lean engine's dataset
// (Dataset.snapshot, exact) the first time it needs it. Without pkg/core/ (a build that
// skipped it) the full engine does everything.
const CORE = "../pkg/core/";
const FULL = "../pkg/";
const engines = { core: null, full: null }; // { mod, module, pool }
let fullLoading = null;
let broken = null; // set after a wasm trap: the instances must not be used again
const datasets = new Map(); // handle → { engine, ds, mirror }
let nextHandle = 1;

async function instantiate(dir, name) {
  const mod = await import(`${dir}quasi.js`);
  const url = new URL(`${dir}quasi_bg.wasm`, import.meta.url);
  let module;
  try {
    module = await WebAssembly.compileStreaming(fetch(url));
  } catch {
    // a server that does not send application/wasm: compile from the bytes
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${name}: ${url.pathname} answered ${res.status}`);
    module = await WebAssembly.compile(await res.arrayBuffer());
  }
  const exports = await mod.default({ module_or_path: module });
  return { mod, module, dir, pool: null, memory: exports?.memory ?? null };
}

/** The full engine, loaded once. */
function fullEngine() {
  fullLoading ??= instantiate(FULL, "the full engine").then((e) => (engines.full = e));
  return fullLoading;
}

const isMissing = (e) => e?.code === "not_in_this_build";
const has = (engine, fn) => typeof engine?.mod?.[fn] === "function";
/** wasm-bindgen getters may be properties or methods depending on the binding. */
const prop = (obj, name) => (typeof obj[name] === "function" ? obj[name]() : obj[name]);

/** Turns serde-wasm-bindgen output (Maps, BigInts) into plain JSON-like values. */
function plain(v) {
  if (v instanceof Map) {
    const o = {};
    for (const [k, x] of v) o[String(k)] = plain(x);
    return o;
  }
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Uint8Array) return v; // a file's bytes (renderTable's docx/xlsx): cloned as is
  if (ArrayBuffer.isView(v)) return Array.from(v, (x) => (typeof x === "bigint" ? Number(x) : x));
  if (v && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v)) o[k] = plain(v[k]);
    return o;
  }
  return v;
}

function entry(handle) {
  const e = datasets.get(handle);
  if (!e) throw new Error("This dataset is no longer loaded; please load the file again.");
  return e;
}

/** The dataset as an object of `engine` (a snapshot copy in the full engine, made once). */
function datasetIn(handle, engine) {
  const e = entry(handle);
  if (engines[e.engine] === engine) return e.ds;
  e.mirror ??= engine.mod.Dataset.fromSnapshot(e.ds.snapshot());
  return e.mirror;
}

function dataset(handle) {
  return entry(handle).ds;
}

/** The engine to run `fn` on a dataset of `handle` (or none): the one holding it, else the lean one if it has `fn`. */
async function engineFor(fn, handle) {
  const held = handle === undefined || handle === null ? null : entry(handle).engine;
  if (held === "full" || !engines.core || !has(engines.core, fn)) return fullEngine();
  return engines.core;
}

/** Runs `work(engine)` on the engine for `fn`; a lean-engine `not_in_this_build` error reruns it on the full one. */
async function routed(fn, handle, work) {
  const engine = await engineFor(fn, handle);
  try {
    return await work(engine);
  } catch (e) {
    if (engine === engines.core && isMissing(e)) return work(await fullEngine());
    throw e;
  }
}

/**
 * Options may name a second loaded dataset (a weight matrix's neighbour list or uploaded
 * matrix) as `{ $dataset: handle }`: replaced by that Dataset object before the call.
 */
function resolveDatasets(v, engine) {
  if (Array.isArray(v)) return v.map((x) => resolveDatasets(x, engine));
  if (v && typeof v === "object" && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer)) {
    if (Object.keys(v).length === 1 && typeof v.$dataset === "number") return datasetIn(v.$dataset, engine);
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = resolveDatasets(x, engine);
    return o;
  }
  return v;
}

/** Drops keys whose value is undefined/null/"" so the wasm side sees only set options. */
function compact(obj) {
  const o = {};
  for (const [k, v] of Object.entries(obj || {})) if (v !== undefined && v !== null && v !== "") o[k] = v;
  return o;
}

function summary(handle, ds, previewRows = 20) {
  return {
    handle,
    nrows: prop(ds, "nrows"),
    ncols: prop(ds, "ncols"),
    columns: plain(ds.columnNames()),
    report: typeof ds.loadReport === "function" ? plain(ds.loadReport()) : null,
    preview: typeof ds.preview === "function" ? plain(ds.preview(previewRows)) : null,
  };
}

/**
 * The engine's progress callback for a long call: posts the fraction done at most every
 * 1 % or 100 ms, and never asks the engine to stop (cancel = terminate the worker).
 */
function throttled(progress) {
  let last = -1;
  let lastTime = 0;
  return (fraction) => {
    const now = performance.now();
    if (fraction - last >= 0.01 || now - lastTime > 100) {
      last = fraction;
      lastTime = now;
      progress(fraction);
    }
    return true;
  };
}

/**
 * Recipe digests by the browser: every result's recipe carries the SHA-256 of the columns the
 * analysis reads, which the engine caches per column. Before an analysis that writes a recipe,
 * the digests of its columns not yet given to that Dataset object (the lean engine's dataset
 * or the full engine's mirror) are taken by crypto.subtle (native and off this thread, faster
 * than the engine's own) over the column's canonical bytes and seeded into the engine's cache —
 * the same bytes, so the same value. Without crypto.subtle (an insecure context) nothing is
 * seeded and the engine hashes the columns itself.
 */
const seeded = new WeakMap(); // Dataset object → Set of column names whose digest it was given
const digestStats = { columns: 0, bytes: 0, ms: 0 };

async function seedDigests(engine, ds, fn, spec) {
  const subtle = globalThis.crypto?.subtle;
  const q = engine.mod;
  if (!subtle || typeof ds.seedDigest !== "function" || typeof q.recipeKinds !== "function") return;
  engine.recipeKinds ??= new Set(q.recipeKinds());
  if (!engine.recipeKinds.has(fn === "runRecipe" ? spec?.kind : fn)) return;
  let done = seeded.get(ds);
  if (!done) seeded.set(ds, (done = new Set()));
  const columns = fn === "runRecipe" ? (Array.isArray(spec?.columns) ? spec.columns : []) : q.usedColumns(ds, spec);
  const t0 = performance.now();
  // A few digests in flight (crypto.subtle copies its input and hashes off this thread) while
  // the next column's bytes are written.
  const inFlight = [];
  const finish = async ({ name, size, digest }) => {
    const d = await digest;
    // a column replaced (addColumn) meanwhile: its set was renewed, the digests are stale
    if (seeded.get(ds) !== done) return false;
    if (!d) return true;
    try {
      ds.seedDigest(name, new Uint8Array(d));
      done.add(name);
      digestStats.columns += 1;
      digestStats.bytes += size;
    } catch {
      return false; // a freed dataset
    }
    return true;
  };
  try {
    for (const name of columns) {
      if (typeof name !== "string" || done.has(name) || inFlight.some((j) => j.name === name)) continue;
      let bytes;
      try {
        bytes = ds.canonicalColumn(name);
      } catch {
        continue; // an unknown column (a recipe from other data): the engine decides
      }
      inFlight.push({ name, size: bytes.byteLength, digest: subtle.digest("SHA-256", bytes).catch(() => null) });
      bytes = null;
      if (inFlight.length >= 4 && !(await finish(inFlight.shift()))) return;
    }
    while (inFlight.length) if (!(await finish(inFlight.shift()))) return;
  } finally {
    digestStats.ms += performance.now() - t0;
  }
}

/** After `addColumn(name)` on a Dataset object: its digest is no longer the seeded one. */
function forgetDigest(ds, name) {
  const done = seeded.get(ds);
  if (done) seeded.set(ds, new Set([...done].filter((n) => n !== name)));
}

/** The analyses whose draws the pool can share (see recipe::replicate). */
const REPLICATING = new Set(["placebo", "wildBootstrap", "mediation", "psm", "csdid"]);

/**
 * Runs replicating analysis `kind` on dataset `handle` with its draws shared by `workers`
 * pool workers (default: every core); one worker, or a spec without draws, is the plain
 * one-call run. The pool runs the engine that runs the analysis.
 */
function replicated(kind, handle, spec, workers, progress) {
  return routed(kind, handle, async (engine) => {
    const q = engine.mod;
    await seedDigests(engine, datasetIn(handle, engine), kind, spec);
    const ds = datasetIn(handle, engine); // (after the wait: freed or replaced meanwhile)
    const size = poolSize(workers);
    const count = size > 1 && typeof q.replicationCount === "function" ? q.replicationCount(kind, spec) : undefined;
    if (!count || count < size) {
      return q[kind](ds, spec, ...(kind === "placebo" || kind === "csdid" ? [progress] : []));
    }
    const snapshot = ds.snapshot(q.usedColumns(ds, spec));
    engine.pool ??= new ReplicationPool(engine.module, engine.dir);
    const blocks = await engine.pool.run({ kind, spec, snapshot, count, size, onProgress: progress });
    return q.analyseWithDraws(ds, kind, spec, blocks);
  });
}

function register(engine, ds) {
  const handle = nextHandle++;
  datasets.set(handle, { engine, ds, mirror: null });
  return handle;
}

function parse(q, u8, opts, progress) {
  if (typeof q.Dataset.fromBytesWithProgress !== "function") return q.Dataset.fromBytes(u8, opts);
  let last = -1;
  let lastTime = 0;
  return q.Dataset.fromBytesWithProgress(u8, opts, (fraction) => {
    const now = performance.now();
    if (fraction - last >= 0.01 || now - lastTime > 100) {
      last = fraction;
      lastTime = now;
      progress(fraction);
    }
    return true; // cancellation is done by terminating the worker
  });
}

const ops = {
  async init() {
    if (!engines.core && !engines.full) {
      try {
        engines.core = await instantiate(CORE, "the engine");
      } catch {
        engines.core = null; // no lean build: the full engine does everything
      }
      if (!engines.core) {
        try {
          await fullEngine();
        } catch (e) {
          throw new Error(`The WebAssembly build (pkg/quasi.js) could not be loaded — run "make build" first. (${e.message})`);
        }
      }
    }
    const main = engines.core ?? engines.full;
    // Every function either engine offers (the full one's list from its JS glue, without loading its wasm).
    let names = Object.keys(main.mod);
    if (!engines.full) {
      try {
        names = [...new Set([...names, ...Object.keys(await import(`${FULL}quasi.js`))])];
      } catch {
        // no full build: the lean engine's functions only
      }
    }
    return { version: main.mod.version(), exports: names.filter((k) => k !== "default" && !k.startsWith("init")) };
  },

  async load({ bytes, options = {}, previewRows = 20 }, progress) {
    const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    const opts = compact(options);
    const t0 = performance.now();
    let engine = engines.core ?? (await fullEngine());
    let ds;
    try {
      ds = parse(engine.mod, u8, opts, progress);
    } catch (e) {
      if (engine !== engines.core || !isMissing(e)) throw e;
      engine = await fullEngine(); // an Excel file, or text in another encoding
      ds = parse(engine.mod, u8, opts, progress);
    }
    const parseMs = performance.now() - t0;
    const handle = register(engine === engines.core ? "core" : "full", ds);
    return { ...summary(handle, ds, previewRows), parseMs, memoryBytes: engine.memory?.buffer.byteLength ?? null };
  },

  /**
   * A File from the page ({ file, options, previewRows }): text is streamed into the engine
   * in chunks (Blob.stream(), no whole copy in JS) after a check, on the file's first MiB, that
   * its columns fit in the engine's memory (a file that cannot is refused at once, with the
   * memory it would need); a workbook is read whole.
   */
  async loadFile({ file, options = {}, previewRows = 20 }, progress) {
    const opts = compact({ filename: file.name, ...options });
    const t0 = performance.now();
    const engine = engines.core ?? (await fullEngine());
    const q = engine.mod;
    const whole = async () => ops.load({ bytes: new Uint8Array(await file.arrayBuffer()), options: opts, previewRows }, progress);
    if (typeof q.DatasetStream !== "function" || /\.(xlsx|xlsm|xlsb|xls|ods)$/i.test(opts.filename || "")) return whole();
    const head = new Uint8Array(await file.slice(0, 1 << 20).arrayBuffer());
    q.checkMemory(file.size, head); // throws `too_large` with the memory needed
    let stream = null;
    let ds;
    try {
      stream = new q.DatasetStream(opts);
      stream.sizeHint(file.size);
      const reader = file.stream().getReader();
      let done = 0;
      let last = 0;
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        stream.push(value);
        done += value.byteLength;
        const now = performance.now();
        if (now - last > 100) {
          last = now;
          progress(Math.min(0.99, done / Math.max(1, file.size)));
        }
      }
      ds = stream.finish(); // consumes the stream
      stream = null;
    } catch (e) {
      stream?.free();
      // another encoding (the full engine reads it), or a file the stream cannot finish alone
      // (a column turning to text late, a units row, mixed encodings): read it whole
      if ((engine === engines.core && isMissing(e)) || e?.code === "needs_whole_file") return whole();
      throw e;
    }
    const handle = register(engine === engines.core ? "core" : "full", ds);
    // the engine's linear memory after the load (it never shrinks: the peak of the parse)
    return { ...summary(handle, ds, previewRows), parseMs: performance.now() - t0, memoryBytes: engine.memory?.buffer.byteLength ?? null };
  },

  summary({ handle, previewRows = 20 }) {
    return summary(handle, dataset(handle), previewRows);
  },

  free({ handle }) {
    const e = datasets.get(handle);
    if (e) {
      datasets.delete(handle);
      e.ds.free();
      e.mirror?.free();
    }
    return true;
  },

  describe({ handle, options = {} }) {
    return plain(dataset(handle).describe(compact(options)));
  },

  describeCsv({ handle, options = {} }) {
    return dataset(handle).describeCsv(compact(options));
  },

  panelInfo({ handle, unit, time }) {
    return plain(dataset(handle).panelInfo(unit, time));
  },

  /** Any Dataset method, e.g. { handle, method: "preview", args: [50] }. */
  method({ handle, method, args = [] }) {
    const e = entry(handle);
    if (typeof e.ds[method] !== "function" || method === "free" || method.startsWith("_")) {
      throw new Error(`Unknown dataset operation: ${method}`);
    }
    const out = plain(e.ds[method](...args));
    if (method === "addColumn") forgetDigest(e.ds, args[0]);
    if (method === "addColumn" && e.mirror) {
      e.mirror.free(); // the full engine's copy is out of date
      e.mirror = null;
    }
    return out;
  },

  /**
   * Placebo / randomization inference with progress: { handle, spec, workers }. The
   * engine calls back now and then with the fraction done; it is posted to the
   * page as { id, progress } (a function cannot cross the worker boundary).
   * Cancel = terminate the worker (the client does that), as for loading.
   */
  async placebo({ handle, spec, workers }, progress) {
    return plain(await replicated("placebo", handle, spec, workers, throttled(progress)));
  },

  /** Every staggered estimator side by side ({ handle, spec }), with progress between estimators. */
  staggeredCompare({ handle, spec }, progress) {
    return routed("staggeredCompare", handle, async (engine) => {
      await seedDigests(engine, datasetIn(handle, engine), "staggeredCompare", spec);
      return plain(engine.mod.staggeredCompare(datasetIn(handle, engine), spec, throttled(progress)));
    });
  },

  /** Callaway–Sant'Anna ({ handle, spec, workers }), with progress during the multiplier bootstrap. */
  async csdid({ handle, spec, workers }, progress) {
    return plain(await replicated("csdid", handle, spec, workers, throttled(progress)));
  },

  /** Any exported function, given the dataset first when `handle` is set, e.g. { fn: "feols", handle, args: [spec] }. */
  async call({ fn, handle, args = [], workers }, progress) {
    if (typeof fn !== "string" || fn === "default" || fn.startsWith("init") || fn.startsWith("_")) {
      throw new Error(`This version of Quasi has no "${fn}" analysis.`);
    }
    const hasHandle = handle !== undefined && handle !== null;
    if (REPLICATING.has(fn) && hasHandle && args.length === 1) {
      return plain(await replicated(fn, handle, args[0], workers, throttled(progress)));
    }
    return routed(fn, handle, async (engine) => {
      if (!has(engine, fn)) throw new Error(`This version of Quasi has no "${fn}" analysis.`);
      const q = engine.mod;
      if (hasHandle) await seedDigests(engine, datasetIn(handle, engine), fn, args[0]);
      const resolved = resolveDatasets(args, engine);
      return plain(hasHandle ? q[fn](datasetIn(handle, engine), ...resolved) : q[fn](...resolved));
    });
  },

  /** The recipe digests taken by crypto.subtle so far: { columns, bytes, ms } (for tests and timing). */
  digestStats() {
    return { ...digestStats, subtle: Boolean(globalThis.crypto?.subtle) };
  },

  /**
   * Builds a weight matrix on a dataset ({ handle, spec }) and describes it:
   * { units, summary, svg (link map, or null without geometry), diagnostics }.
   * The matrix itself stays in the engine only for the call.
   */
  spatialWeights({ handle, spec }) {
    return routed("spatialWeights", handle, (engine) => {
      const w = engine.mod.spatialWeights(datasetIn(handle, engine), resolveDatasets(spec, engine));
      try {
        let svg = null;
        try {
          svg = w.linkMapSvg();
        } catch {
          svg = null; // a neighbour list or an uploaded matrix has no coordinates to draw
        }
        return { units: plain(w.units()), summary: plain(w.summary()), svg, diagnostics: plain(w.diagnostics()) };
      } finally {
        w.free();
      }
    });
  },
};

self.onmessage = async (event) => {
  const { id, op, args } = event.data || {};
  const reply = (msg) => self.postMessage({ id, ...msg });
  try {
    if (broken) throw Object.assign(new Error(broken), { fatal: true });
    if (!Object.hasOwn(ops, op)) throw new Error(`Unknown operation: ${op}`);
    if (op !== "init" && !engines.core && !engines.full) await ops.init();
    const result = await ops[op](args || {}, (p) => reply({ progress: p }));
    reply({ ok: true, result });
  } catch (e) {
    // A wasm trap (panic, out of memory) leaves the instance unusable.
    const fatal = Boolean(e?.fatal) || e instanceof WebAssembly.RuntimeError;
    if (fatal && !broken) broken = `Quasi's engine stopped after an internal error (${e?.message ?? e}); the page will restart it.`;
    let message = e instanceof Error ? e.message : typeof e === "string" ? e : JSON.stringify(e);
    if (e instanceof RangeError && /memory|allocation/i.test(message)) message = `Out of memory: ${message}`;
    const code = typeof e?.code === "string" ? e.code : null;
    const details = code && e.details && typeof e.details === "object" ? { ...e.details } : null;
    reply({ ok: false, error: { message: message || "Unknown error", name: e?.name ?? "Error", fatal, code, details } });
  }
};
