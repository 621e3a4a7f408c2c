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

let quasi = null;
let broken = null; // set after a wasm trap: the instance must not be used again
const datasets = new Map();
let nextHandle = 1;

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

function dataset(handle) {
  const ds = datasets.get(handle);
  if (!ds) throw new Error("This dataset is no longer loaded; please load the file again.");
  return ds;
}

/**
 * Options may name a second loaded dataset (a weight matrix's neighbour list or uploaded
 * matrix) as `{ $dataset: handle }`: replaced by that Dataset object before the call.
 */
function resolveDatasets(v) {
  if (Array.isArray(v)) return v.map(resolveDatasets);
  if (v && typeof v === "object" && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer)) {
    if (Object.keys(v).length === 1 && typeof v.$dataset === "number") return dataset(v.$dataset);
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = resolveDatasets(x);
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

const ops = {
  async init() {
    if (!quasi) {
      let mod;
      try {
        mod = await import("../pkg/quasi.js");
      } catch (e) {
        throw new Error(`The WebAssembly build (pkg/quasi.js) could not be loaded — run "make build" first. (${e.message})`);
      }
      await mod.default();
      quasi = mod;
    }
    return { version: quasi.version(), exports: Object.keys(quasi).filter((k) => k !== "default") };
  },

  load({ bytes, options = {}, previewRows = 20 }, progress) {
    const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    const opts = compact(options);
    const t0 = performance.now();
    let ds;
    if (typeof quasi.Dataset.fromBytesWithProgress === "function") {
      let last = -1;
      let lastTime = 0;
      ds = quasi.Dataset.fromBytesWithProgress(u8, opts, (fraction) => {
        const now = performance.now();
        if (fraction - last >= 0.01 || now - lastTime > 100) {
          last = fraction;
          lastTime = now;
          progress(fraction);
        }
        return true; // cancellation is done by terminating the worker
      });
    } else {
      ds = quasi.Dataset.fromBytes(u8, opts);
    }
    const parseMs = performance.now() - t0;
    const handle = nextHandle++;
    datasets.set(handle, ds);
    return { ...summary(handle, ds, previewRows), parseMs };
  },

  summary({ handle, previewRows = 20 }) {
    return summary(handle, dataset(handle), previewRows);
  },

  free({ handle }) {
    const ds = datasets.get(handle);
    if (ds) {
      datasets.delete(handle);
      ds.free();
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
    const ds = dataset(handle);
    if (typeof ds[method] !== "function" || method === "free" || method.startsWith("_")) {
      throw new Error(`Unknown dataset operation: ${method}`);
    }
    return plain(ds[method](...args));
  },

  /**
   * Placebo / randomization inference with progress: { handle, spec }. The
   * engine calls back now and then with the fraction done; it is posted to the
   * page as { id, progress } (a function cannot cross the worker boundary).
   * Cancel = terminate the worker (the client does that), as for loading.
   */
  placebo({ handle, spec }, progress) {
    return plain(quasi.placebo(dataset(handle), spec, throttled(progress)));
  },

  /** Every staggered estimator side by side ({ handle, spec }), with progress between estimators. */
  staggeredCompare({ handle, spec }, progress) {
    return plain(quasi.staggeredCompare(dataset(handle), spec, throttled(progress)));
  },

  /** Callaway–Sant'Anna ({ handle, spec }), with progress during the multiplier bootstrap. */
  csdid({ handle, spec }, progress) {
    return plain(quasi.csdid(dataset(handle), spec, throttled(progress)));
  },

  /** Any exported estimator taking the dataset first, e.g. { fn: "feols", handle, args: [spec] }. */
  call({ fn, handle, args = [] }) {
    if (typeof quasi[fn] !== "function" || fn === "default" || fn.startsWith("init")) {
      throw new Error(`This version of Quasi has no "${fn}" analysis.`);
    }
    const resolved = resolveDatasets(args);
    const out = handle === undefined || handle === null ? quasi[fn](...resolved) : quasi[fn](dataset(handle), ...resolved);
    return plain(out);
  },

  /**
   * Builds a weight matrix on a dataset ({ handle, spec }) and describes it:
   * { units, summary, svg (link map, or null without geometry), diagnostics }.
   * The matrix itself stays in the engine only for the call.
   */
  spatialWeights({ handle, spec }) {
    const w = quasi.spatialWeights(dataset(handle), resolveDatasets(spec));
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
  },
};

self.onmessage = async (event) => {
  const { id, op, args } = event.data || {};
  const reply = (msg) => self.postMessage({ id, ...msg });
  try {
    if (broken) throw Object.assign(new Error(broken), { fatal: true });
    if (!Object.hasOwn(ops, op)) throw new Error(`Unknown operation: ${op}`);
    if (op !== "init" && !quasi) await ops.init();
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
