// Promise-based client for www/worker.js: request ids, progress callbacks,
// cancellation (terminate + restart the worker), automatic restart after a
// fatal engine error. Events: "reset" (the worker was replaced; every dataset
// handle is gone), "busy" (detail: number of requests in flight).

export class CancelledError extends Error {
  constructor(message = "Cancelled") {
    super(message);
    this.name = "CancelledError";
  }
}

export class QuasiClient extends EventTarget {
  constructor(workerUrl = new URL("./worker.js", import.meta.url)) {
    super();
    this.workerUrl = workerUrl;
    this.pending = new Map();
    this.nextId = 1;
    this.generation = 0;
    this.start();
  }

  /** (Re)starts the worker; `this.ready` resolves to { version, exports }. */
  start() {
    this.generation++;
    this.worker = new Worker(this.workerUrl, { type: "module", name: "quasi-engine" });
    this.worker.onmessage = (e) => this.#onMessage(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      this.#failAll(new Error(`The computation worker failed to start: ${e.message || "script error"}`));
    };
    this.worker.onmessageerror = () => this.#failAll(new Error("A message from the worker could not be read."));
    this.ready = this.request("init");
    this.ready.catch(() => {}); // reported by whoever awaits it
    return this.ready;
  }

  /** Sends { op, args }; resolves with the result, rejects with an Error. */
  request(op, args = {}, { onProgress, transfer = [] } = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress, op });
      this.#busy();
      try {
        this.worker.postMessage({ id, op, args }, transfer);
      } catch (e) {
        this.pending.delete(id);
        this.#busy();
        reject(e);
      }
    });
  }

  /** Calls an op after the worker is initialised. */
  async call(op, args, opts) {
    await this.ready;
    return this.request(op, args, opts);
  }

  get busy() {
    return [...this.pending.values()].some((p) => p.op !== "init");
  }

  /** Cancels everything in flight: terminates the worker and starts a new one. */
  cancel(reason = "Cancelled by the user") {
    this.worker.terminate();
    this.#failAll(new CancelledError(reason));
    this.start();
    this.dispatchEvent(new Event("reset"));
  }

  #onMessage(msg) {
    const p = this.pending.get(msg?.id);
    if (!p) return;
    if ("progress" in msg) {
      p.onProgress?.(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    this.#busy();
    if (msg.ok) p.resolve(msg.result);
    else {
      const err = new Error(msg.error?.message || "Unknown error");
      err.name = msg.error?.name || "Error";
      err.fatal = Boolean(msg.error?.fatal);
      err.code = msg.error?.code ?? null;
      err.details = msg.error?.details ?? null;
      p.reject(err);
      if (err.fatal) {
        // The wasm instance trapped: replace the worker; datasets are lost.
        this.worker.terminate();
        this.#failAll(new Error(err.message));
        this.start();
        this.dispatchEvent(new Event("reset"));
      }
    }
  }

  #failAll(err) {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
    this.#busy();
  }

  #busy() {
    this.dispatchEvent(new CustomEvent("busy", { detail: this.pending.size }));
  }
}
