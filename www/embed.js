// <quasi-result>: a live Quasi result in anyone's report page.
//
//   <script type="module" src="quasi/www/embed.js"></script>
//   <quasi-result data="panel.csv" recipe="did.json" show="both" lang="zh" digits="3"></quasi-result>
//
// Attributes: `data` (URL of a CSV/Excel file on the page's own site), `recipe` (URL of a
// recipe JSON saved from the API or the page — or an inline <script type="application/json">
// child), `show` ("table" | "chart" | "both", default "both"), `tables` (comma-separated table
// ids, or "all"; default the result's first table), `lang` ("en" | "zh"), `digits`, and
// `accept-changed-data` (run the recipe even if the file's SHA-256 differs; noted under the table).
//
// The element loads the wasm package relative to this file (import.meta.url), runs the recipe
// in one Web Worker shared by every element on the page (each data file is downloaded once),
// and renders into its shadow root: nothing else on the page is touched. It requests nothing
// but the page's own origin and needs neither inline script nor eval (strict CSP works).
// Styling: CSS custom properties --quasi-font, --quasi-font-size, --quasi-color, --quasi-muted,
// --quasi-rule, --quasi-accent, --quasi-background, --quasi-error. Events: "quasi-result"
// (detail: { result }) and "quasi-error" (detail: { message }); attribute data-state is
// "loading", "done" or "error".
import { QuasiClient } from "./client.js";

const STYLESHEET = new URL("./embed.css", import.meta.url).href;

const WORDS = {
  en: {
    loading: "Computing…",
    noRecipe: "No recipe: give a recipe attribute or an inline JSON recipe.",
    noData: "No data: give a data attribute.",
    badRecipe: "The recipe could not be read: {detail}",
    offOrigin: "Refused to load {url}: only files from this site are read.",
    dataFailed: "The data file could not be loaded ({detail}).",
    recipeFailed: "The recipe file could not be loaded ({detail}).",
    runFailed: "This analysis could not run: {detail}",
    noChart: "This result has no chart.",
    changed: "Computed on data that differ from the data the recipe was saved with.",
    noTable: "This result has no table {id}.",
    chart: "Chart",
  },
  zh: {
    loading: "计算中…",
    noRecipe: "缺少配方：请给出 recipe 属性或内嵌的 JSON 配方。",
    noData: "缺少数据：请给出 data 属性。",
    badRecipe: "无法读取配方：{detail}",
    offOrigin: "拒绝加载 {url}：只读取本站的文件。",
    dataFailed: "无法加载数据文件（{detail}）。",
    recipeFailed: "无法加载配方文件（{detail}）。",
    runFailed: "分析无法运行：{detail}",
    noChart: "此结果没有图。",
    changed: "所用数据与配方保存时的数据不同。",
    noTable: "此结果没有表 {id}。",
    chart: "图",
  },
};

/** An error whose message is already worded for the reader. */
class EmbedError extends Error {}

const word = (lang, key, params = {}) =>
  (WORDS[lang]?.[key] ?? WORDS.en[key]).replace(/\{(\w+)\}/g, (_, k) => String(params[k] ?? ""));

// One engine and one download per data file for the whole page.
let client = null;
const engine = () => (client ??= new QuasiClient(new URL("./worker.js", import.meta.url)));
const dataHandles = new Map();

/** An absolute URL on this page's origin, or an EmbedError. */
function sameOrigin(url, lang) {
  const abs = new URL(url, document.baseURI);
  if (abs.origin !== location.origin) throw new EmbedError(word(lang, "offOrigin", { url: abs.href }));
  return abs;
}

async function fetchBytes(abs, lang, failKey) {
  let res;
  try {
    res = await fetch(abs, { credentials: "same-origin", redirect: "error" });
  } catch (e) {
    throw new EmbedError(word(lang, failKey, { detail: e.message }));
  }
  if (!res.ok) throw new EmbedError(word(lang, failKey, { detail: `${res.status} ${abs.pathname}` }));
  return new Uint8Array(await res.arrayBuffer());
}

/** The engine's handle of a data file, loading it once for every element. */
function loadData(url, lang) {
  const abs = sameOrigin(url, lang);
  if (!dataHandles.has(abs.href)) {
    const p = (async () => {
      const bytes = await fetchBytes(abs, lang, "dataFailed");
      const filename = decodeURIComponent(abs.pathname.split("/").pop() || "data.csv");
      const s = await engine().call("load", { bytes, options: { filename }, previewRows: 0 }, { transfer: [bytes.buffer] });
      return s.handle;
    })();
    p.catch(() => dataHandles.delete(abs.href)); // a failed load may be retried
    dataHandles.set(abs.href, p);
  }
  return dataHandles.get(abs.href);
}

function parseRecipe(text, lang) {
  let r;
  try {
    r = JSON.parse(text);
  } catch (e) {
    throw new EmbedError(word(lang, "badRecipe", { detail: e.message }));
  }
  if (!r || typeof r !== "object" || typeof r.kind !== "string" || !("spec" in r)) {
    throw new EmbedError(word(lang, "badRecipe", { detail: "it has no kind and spec" }));
  }
  return r;
}

export class QuasiResult extends HTMLElement {
  static observedAttributes = ["data", "recipe", "show", "tables", "lang", "digits", "accept-changed-data"];

  #run = 0;
  #scheduled = false;

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  connectedCallback() {
    this.#schedule();
  }

  attributeChangedCallback() {
    if (this.isConnected) this.#schedule();
  }

  /** The language of the element: its `lang`, else the page's. */
  get language() {
    const l = (this.getAttribute("lang") || document.documentElement.lang || "en").toLowerCase();
    return l.startsWith("zh") ? "zh" : "en";
  }

  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#render();
    });
  }

  async #recipe(lang) {
    const inline = this.querySelector('script[type="application/json"]');
    const src = this.getAttribute("recipe");
    if (src) {
      const bytes = await fetchBytes(sameOrigin(src, lang), lang, "recipeFailed");
      return parseRecipe(new TextDecoder().decode(bytes), lang);
    }
    if (inline) return parseRecipe(inline.textContent, lang);
    throw new EmbedError(word(lang, "noRecipe"));
  }

  async #render() {
    const run = ++this.#run;
    const lang = this.language;
    const root = this.shadowRoot;
    const frame = document.createElement("figure");
    frame.className = "quasi";
    frame.setAttribute("lang", lang === "zh" ? "zh-CN" : "en");
    const status = document.createElement("p");
    status.className = "status";
    status.setAttribute("role", "status");
    status.textContent = word(lang, "loading");
    frame.append(status);
    root.replaceChildren(stylesheet(), frame);
    this.dataset.state = "loading";
    try {
      const data = this.getAttribute("data");
      if (!data) throw new EmbedError(word(lang, "noData"));
      const [recipe, handle] = await Promise.all([this.#recipe(lang), loadData(data, lang)]);
      const options = this.hasAttribute("accept-changed-data") ? { accept_different_data: true } : {};
      let result;
      try {
        result = await engine().call("call", { fn: "runRecipe", handle, args: [recipe, options] });
      } catch (e) {
        throw new EmbedError(word(lang, "runFailed", { detail: e.message }));
      }
      const parts = await this.#parts(result, lang);
      if (run !== this.#run) return;
      frame.replaceChildren(...parts);
      this.dataset.state = "done";
      this.dispatchEvent(new CustomEvent("quasi-result", { detail: { result }, bubbles: true }));
    } catch (e) {
      if (run !== this.#run) return;
      const p = document.createElement("p");
      p.className = "error";
      p.setAttribute("role", "alert");
      p.textContent = e instanceof EmbedError ? e.message : word(lang, "runFailed", { detail: e?.message ?? String(e) });
      frame.replaceChildren(p);
      this.dataset.state = "error";
      this.dispatchEvent(new CustomEvent("quasi-error", { detail: { message: p.textContent }, bubbles: true }));
    }
  }

  /** The tables and chart the `show` and `tables` attributes ask for. */
  async #parts(result, lang) {
    const show = (this.getAttribute("show") || "both").toLowerCase();
    const out = [];
    if (show !== "chart") {
      for (const table of this.#tables(result, lang)) {
        const opts = { format: "grid", lang };
        const digits = Number.parseInt(this.getAttribute("digits") ?? "", 10);
        if (Number.isInteger(digits) && digits >= 0 && digits <= 12) opts.digits = digits;
        const grid = JSON.parse(await engine().call("call", { fn: "renderTable", args: [table, opts] }));
        out.push(tableElement(grid));
      }
    }
    if (show !== "table") {
      const svg = typeof result.svg === "string" ? result.svg : typeof result.map_svg === "string" ? result.map_svg : null;
      const title = Array.isArray(result.tables) && result.tables[0]?.title;
      if (svg) out.push(chartElement(svg, title ? `${word(lang, "chart")}: ${title}` : word(lang, "chart")));
      else if (show === "chart") throw new EmbedError(word(lang, "noChart"));
    }
    const diags = Array.isArray(result.diagnostics) ? result.diagnostics : result.model?.diagnostics ?? [];
    if (diags.some((d) => d?.code === "recipe_data_changed")) {
      const p = document.createElement("p");
      p.className = "note";
      p.textContent = word(lang, "changed");
      out.push(p);
    }
    return out;
  }

  #tables(result, lang) {
    const all = Array.isArray(result.tables) ? result.tables : [];
    const want = (this.getAttribute("tables") || "").trim();
    if (want === "all") return all;
    if (!want) return all.slice(0, 1);
    return want.split(",").map((id) => {
      const t = all.find((x) => x.id === id.trim());
      if (!t) throw new EmbedError(word(lang, "noTable", { id: id.trim() }));
      return t;
    });
  }
}

function stylesheet() {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = STYLESHEET;
  return link;
}

/** A <table> from the engine's laid-out grid: caption, column and row headers with scope. */
function tableElement(g) {
  const wrap = document.createElement("div");
  wrap.className = "table-wrap";
  const table = document.createElement("table");
  if (g.title) table.createCaption().textContent = g.title;
  const thead = table.createTHead();
  if (g.groups?.length) {
    const tr = thead.insertRow();
    let j = 0;
    while (j < g.aligns.length) {
      const grp = g.groups.find((x) => x.first === j);
      if (grp) {
        const th = document.createElement("th");
        th.textContent = grp.label;
        th.colSpan = grp.span;
        th.scope = "colgroup";
        th.className = "group";
        tr.append(th);
        j += grp.span;
      } else {
        tr.append(document.createElement("td"));
        j += 1;
      }
    }
  }
  const tbody = table.createTBody();
  g.lines.forEach((line, i) => {
    const header = i < g.header_lines;
    const tr = (header ? thead : tbody).insertRow();
    if (line.rule_above && !header && i !== g.header_lines) tr.className = "rule";
    line.cells.forEach((c, k) => {
      const isTh = header || (k === 0 && line.kind === "body");
      const cell = document.createElement(isTh ? "th" : "td");
      if (header) cell.scope = "col";
      else if (isTh) cell.scope = "row";
      cell.textContent = c.text;
      if (c.stars) {
        const sup = document.createElement("span");
        sup.className = "stars";
        sup.textContent = c.stars;
        cell.append(sup);
      }
      if (typeof c.value === "number") cell.dataset.value = String(c.value);
      cell.className = `${g.aligns[k] || "left"}${line.kind === "below" ? " below" : ""}`;
      tr.append(cell);
    });
  });
  wrap.append(table);
  if (g.notes?.length) {
    const notes = document.createElement("div");
    notes.className = "notes";
    for (const n of g.notes) {
      const p = document.createElement("p");
      p.textContent = n;
      notes.append(p);
    }
    wrap.append(notes);
  }
  return wrap;
}

/** The engine's SVG (built and escaped in Rust), parsed as SVG, never as HTML. */
function chartElement(svgText, label) {
  const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
  const svg = doc.documentElement;
  const box = document.createElement("div");
  box.className = "chart";
  if (svg.nodeName.toLowerCase() !== "svg") return box;
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("role", "img");
  const own = [...svg.children].find((c) => c.nodeName.toLowerCase() === "title")?.textContent;
  svg.setAttribute("aria-label", own || label);
  box.append(document.importNode(svg, true));
  return box;
}

if (!customElements.get("quasi-result")) customElements.define("quasi-result", QuasiResult);
