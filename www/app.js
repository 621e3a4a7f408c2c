// Bootstrap: starts the engine worker, builds the navigation from the panel
// registry, routes by URL hash, owns the loaded dataset and the load/cancel
// logic shared by all panels, and preloads a sample on first visit.
import { QuasiClient, CancelledError } from "./client.js";
import { el, $, replaceChildren } from "./dom.js";
import { PANELS, isAvailable } from "./panels/registry.js";
import { SAMPLES } from "./sample-data.js";
import { t } from "./i18n.js";
import { initLanguage, scopedContext } from "./lang-ui.js";
import * as session from "./session.js";

/**
 * The context every panel receives. Events ("dataset", "load-start",
 * "load-progress", "load-end", "panel", "engine") are dispatched on `ctx.events`.
 */
function createContext() {
  const events = new EventTarget();
  const client = new QuasiClient();
  const emit = (type, detail) => events.dispatchEvent(new CustomEvent(type, { detail }));

  // Every result that carries a recipe joins the session (the Report panel), whichever panel asked.
  const rawCall = client.call.bind(client);
  client.call = async (op, args, opts) => {
    const result = await rawCall(op, args, opts);
    if (result && typeof result === "object" && result.recipe) session.record(result, ctx.dataset?.name ?? null);
    return result;
  };

  const ctx = {
    client,
    events,
    emit,
    on: (type, fn) => events.addEventListener(type, (e) => fn(e.detail)),
    /** { handle, nrows, ncols, columns, report, preview, name, size, source, options, ms, sample } */
    dataset: null,
    /** Declared panel structure: { unit, time } or null. */
    panel: null,
    engine: null,
    loading: null,

    /**
     * Loads a source: { name, file } (a File), { name, url, sample } or
     * { name, bytes }. Resolves to the dataset summary; rejects with the
     * engine's error (or CancelledError). The previous dataset stays loaded
     * if this one fails.
     */
    async load(source, options = {}, { restoring = false, panel = null } = {}) {
      const token = {};
      ctx.loading = token;
      emit("load-start", { name: source.name });
      const t0 = performance.now();
      try {
        let summary;
        let size;
        if (source.file) {
          // A file from disk goes to the worker as a File (a reference, not a copy), which
          // streams it into the engine in chunks: no copy of the whole file in JS.
          size = source.file.size;
          emit("load-progress", { fraction: 0, phase: "parse", bytes: size });
          summary = await client.call(
            "loadFile",
            { file: source.file, options: { ...options, filename: source.name } },
            { onProgress: (fraction) => emit("load-progress", { fraction, phase: "parse", bytes: size }) },
          );
        } else {
          const bytes = await readSource(source);
          if (ctx.loading !== token) throw new CancelledError();
          size = bytes.byteLength;
          emit("load-progress", { fraction: 0, phase: "parse", bytes: size });
          // Hand the buffer over instead of copying it, unless the caller keeps it for a
          // later reload (URLs can be fetched again).
          const transfer = source.bytes ? [] : [bytes.buffer];
          summary = await client.call(
            "load",
            { bytes, options: { ...options, filename: source.name } },
            { transfer, onProgress: (fraction) => emit("load-progress", { fraction, phase: "parse", bytes: size }) },
          );
        }
        const previous = ctx.dataset;
        ctx.dataset = {
          ...summary,
          name: source.name,
          size,
          source,
          options,
          sample: source.sample || null,
          ms: performance.now() - t0,
        };
        ctx.dataset.restored = restoring;
        ctx.panel = restoring ? panel : null;
        if (previous && !previous.stale) client.call("free", { handle: previous.handle }).catch(() => {});
        emit("dataset", ctx.dataset);
        return ctx.dataset;
      } catch (e) {
        emit(e instanceof CancelledError ? "load-cancelled" : "load-error", e);
        throw e;
      } finally {
        if (ctx.loading === token) ctx.loading = null;
        emit("load-end", {});
      }
    },

    loadSample(key, { auto = false } = {}) {
      const s = SAMPLES[key];
      if (!s) return Promise.reject(new Error(t("Unknown sample “{key}”", { key })));
      return ctx.load({ name: s.file, url: new URL(`./samples/${s.file}`, import.meta.url), sample: { ...s, auto } });
    },

    /** Cancels the running load: the worker is replaced, so reload the previous dataset. */
    cancel() {
      ctx.loading = null;
      client.cancel("Loading cancelled");
    },

    navigate(id) {
      if (location.hash !== `#${id}`) location.hash = id;
      else route();
    },
  };

  // A replaced worker has lost every dataset: reload the current one from its source.
  client.addEventListener("reset", () => {
    const current = ctx.dataset;
    if (!current) return;
    current.stale = true;
    const panel = ctx.panel;
    queueMicrotask(() => {
      ctx.load(current.source, current.options, { restoring: true, panel }).catch(() => {});
    });
  });
  return ctx;
}

async function readSource(source) {
  if (source.bytes) return source.bytes instanceof Uint8Array ? source.bytes : new Uint8Array(source.bytes);
  if (source.file) return new Uint8Array(await source.file.arrayBuffer());
  if (source.url) {
    const res = await fetch(source.url);
    if (!res.ok) throw new Error(t("Could not read {name} (HTTP {status}).", { name: source.name, status: res.status }));
    return new Uint8Array(await res.arrayBuffer());
  }
  throw new Error(t("Nothing to load."));
}

// ---------------------------------------------------------------- navigation

const mounted = new Map(); // id -> { module, root }
let ctx;

function buildNav(exports) {
  const nav = $("#nav");
  const groups = new Map();
  for (const p of PANELS) {
    if (!groups.has(p.group)) groups.set(p.group, []);
    groups.get(p.group).push(p);
  }
  const items = [];
  for (const [group, panels] of groups) {
    items.push(el("h2", { class: "nav-group" }, t(group)));
    items.push(
      el(
        "ul",
        {},
        panels.map((p) => {
          const ok = isAvailable(p, exports);
          return el(
            "li",
            {},
            el(
              "a",
              {
                href: ok ? `#${p.id}` : null,
                class: ["nav-link", !ok && "is-disabled"],
                id: `nav-${p.id}`,
                "aria-disabled": ok ? null : "true",
                title: ok ? t(p.blurb) : t("Coming soon — {blurb}", { blurb: t(p.blurb) }),
                dataset: { panel: p.id },
              },
              el("span", { class: "nav-label" }, t(p.title)),
              ok ? null : el("span", { class: "tag tag-soon" }, t("coming soon")),
            ),
          );
        }),
      ),
    );
  }
  replaceChildren(nav, items);
  markActive();
}

function currentId() {
  const id = decodeURIComponent(location.hash.replace(/^#/, ""));
  const p = PANELS.find((x) => x.id === id);
  return p && isAvailable(p, ctx.engine?.exports) ? id : "data";
}

function markActive() {
  const id = currentId();
  for (const a of document.querySelectorAll(".nav-link")) {
    if (a.dataset.panel === id) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

async function route() {
  const id = currentId();
  markActive();
  const main = $("#main");
  for (const [pid, m] of mounted) {
    m.root.hidden = pid !== id;
    if (pid !== id) m.module.hide?.();
  }
  let m = mounted.get(id);
  if (!m) {
    const panel = PANELS.find((x) => x.id === id);
    const root = el("section", { class: "panel", id: `panel-${id}`, "aria-labelledby": `panel-${id}-title` });
    main.append(root);
    try {
      const module = (await panel.load()).default;
      m = { module, root, scope: scopedContext(ctx) }; // i18n: a remount on a language switch drops the scope's listeners
      mounted.set(id, m);
      module.mount(root, m.scope.ctx);
    } catch (e) {
      root.append(el("p", { class: "error", role: "alert" }, t("This panel could not be loaded: {message}", { message: e.message })));
      mounted.set(id, (m = { module: {}, root }));
    }
    if (currentId() !== id) root.hidden = true;
  }
  m.module.show?.();
  ctx.emit("panel", id);
}

// ---------------------------------------------------------------- bootstrap

function initialSample() {
  const params = new URLSearchParams(location.search);
  const s = params.get("sample");
  if (s === "none" || s === "") return null;
  if (s && SAMPLES[s]) return { key: s, auto: false };
  return { key: "jjj", auto: true };
}

// A link may carry a recipe (?recipe=…, see session.recipeLink): it runs as soon as data with
// the same SHA-256 are loaded (the sample named in the link, or the user's file), and the page
// shows it in the Report panel. Waiting recipes also run when a saved session's data arrive.
function linkedRecipe() {
  let recipe = null;
  try {
    recipe = session.recipeFromUrl();
  } catch (e) {
    console.warn(e.message);
  }
  if (recipe) session.queue([recipe], { link: true, data: null });
  ctx.on("dataset", async (d) => {
    if (!session.waiting().length || !d?.handle) return;
    const r = await session.retryPending(ctx.client, d.handle);
    if (r.ran) ctx.navigate("report");
  });
}

// i18n: on a language switch the navigation and every mounted panel are rebuilt (a panel
// is mounted afresh, as on a first visit: shown results are cleared, the dataset stays).
function relocalize() {
  buildNav(ctx.engine?.exports ?? null);
  for (const [, m] of mounted) {
    m.scope?.dispose();
    m.module.hide?.();
    m.root.remove();
  }
  mounted.clear();
  return route();
}

async function main() {
  initLanguage({ onChange: () => relocalize() });
  ctx = createContext();
  window.addEventListener("hashchange", route);
  buildNav(null);
  const engineChip = $("#engine-status");
  ctx.client.ready.then(
    (info) => {
      ctx.engine = info;
      engineChip.textContent = `Quasi ${info.version} · WebAssembly`;
      engineChip.removeAttribute("data-i18n");
      engineChip.classList.add("ok");
      buildNav(info.exports);
      ctx.emit("engine", info);
    },
    (e) => {
      engineChip.textContent = t("Engine unavailable");
      engineChip.dataset.i18n = "Engine unavailable";
      engineChip.classList.add("bad");
      ctx.engineError = e;
      ctx.emit("engine-error", e);
    },
  );
  ctx.client.addEventListener("reset", () => {
    ctx.client.ready.then((info) => (ctx.engine = info)).catch(() => {});
  });
  await route();
  linkedRecipe();
  const first = initialSample();
  if (first && !ctx.dataset) {
    ctx.loadSample(first.key, { auto: first.auto }).catch(() => {}); // shown by the data panel
  }
  document.documentElement.dataset.ready = "true";
}

main();
