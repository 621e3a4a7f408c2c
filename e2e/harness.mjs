// Shared helpers for the browser end-to-end tests (node --test e2e/*.test.mjs).
// Each test file starts the static server on a free port in-process and one
// headless Debian Chromium driven by playwright-core; each test gets a fresh
// browser context that records every request, console error, page error and
// dialog so tests can assert the page stayed offline and quiet.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { chromium } from "playwright-core";
import { startServer } from "../scripts/serve.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ARTIFACTS = path.join(ROOT, "e2e", "artifacts");
export const SAMPLES = path.join(ROOT, "www", "samples");

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
  "--disable-dev-shm-usage",
];

/** Fails early, with the fix, when the wasm package has not been built. */
export function requirePkg() {
  const js = path.join(ROOT, "pkg", "quasi.js");
  if (!fs.existsSync(js)) throw new Error(`${js} is missing: build it first (make build / wasm-pack build --target web --release --out-name quasi)`);
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup.sh (or set CHROMIUM_PATH)`);
}

/**
 * Starts server + browser; returns { base, browser, newPage, close }.
 * Use with node:test `before`/`after`.
 */
export async function startSession() {
  requirePkg();
  const server = await startServer({ port: 0 });
  const { port } = server.address();
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const contexts = [];

  /**
   * Opens `pathAndQuery` (default "/?sample=none") in a fresh context and
   * waits for the app to boot. Returns { page, context, requests, consoleErrors, pageErrors, dialogs }.
   */
  async function newPage(pathAndQuery = "/?sample=none", { waitReady = true, viewport = { width: 1360, height: 900 }, locale = "en-US", bypassCSP = false, context: existing = null } = {}) {
    // `locale` sets navigator.language(s) (the page's default language follows it);
    // `bypassCSP` lets a test inject a script (axe-core) despite the page's CSP;
    // `context` opens the page in an existing context (shared localStorage).
    const context = existing ?? (await browser.newContext({ acceptDownloads: true, viewport, deviceScaleFactor: 1, locale, bypassCSP }));
    if (!existing) contexts.push(context);
    const page = await context.newPage();
    const rec = { page, context, requests: [], consoleErrors: [], pageErrors: [], dialogs: [] };
    // Requests from the page and from its workers.
    (existing ? page : context).on("request", (r) => rec.requests.push(r.url()));
    page.on("console", (m) => {
      if (m.type() === "error") rec.consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => rec.pageErrors.push(String(e?.message ?? e)));
    page.on("dialog", (d) => {
      rec.dialogs.push(`${d.type()}: ${d.message()}`);
      d.dismiss().catch(() => {});
    });
    page.on("worker", (w) => {
      w.on("console", (m) => {
        if (m.type() === "error") rec.consoleErrors.push(`[worker] ${m.text()}`);
      });
    });
    await page.goto(base + pathAndQuery);
    if (waitReady) await page.waitForSelector("html[data-ready=true]", { timeout: 30_000 });
    return rec;
  }

  async function close() {
    for (const c of contexts) await c.close().catch(() => {});
    await browser.close().catch(() => {});
    await new Promise((r) => server.close(r));
  }
  return { base, port, browser, newPage, close };
}

/** Waits until the data panel reports `name` as the loaded file; returns the status text. */
export async function waitForDataset(page, name, timeout = 60_000) {
  await page.waitForFunction(
    (n) => document.querySelector("#status-file")?.textContent === n && document.querySelector("#progress")?.hidden !== false,
    name,
    { timeout },
  );
  return page.textContent("#status");
}

/** Loads a file through the page's file input (path on disk, or { name, mimeType, buffer }). */
export async function chooseFile(page, file) {
  await page.setInputFiles("#file-input", file);
}

/** Drops a file on the drop zone with a synthetic DragEvent carrying a DataTransfer. */
export async function dropFile(page, name, content, type = "text/csv") {
  await page.evaluate(
    ({ name, content, type }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([content], name, { type }));
      const zone = document.querySelector("#dropzone");
      for (const t of ["dragenter", "dragover", "drop"]) zone.dispatchEvent(new DragEvent(t, { bubbles: true, cancelable: true, dataTransfer: dt }));
    },
    { name, content, type },
  );
}

/** Opens a panel through the navigation and waits for it to be shown. */
export async function openPanel(page, id) {
  await page.click(`#nav-${id}`);
  await page.waitForSelector(`#panel-${id}:not([hidden])`);
}

const AXE = path.join(ROOT, "node_modules", "axe-core", "axe.min.js");

/**
 * Runs axe-core on the page (or on `include`, a selector) and returns its violations of
 * the given impacts (default serious and critical) as [{ id, impact, help, nodes: [target…] }].
 * The page's CSP forbids injected scripts: open the page with `newPage(…, { bypassCSP: true })`.
 */
export async function axeViolations(page, { impacts = ["serious", "critical"], include = null, rules = null } = {}) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) {
    if (!fs.existsSync(AXE)) throw new Error(`${AXE} is missing: run npm install (axe-core is a dev dependency)`);
    await page.addScriptTag({ content: fs.readFileSync(AXE, "utf8") });
  }
  const result = await page.evaluate(
    async ({ include, rules }) => {
      const options = { resultTypes: ["violations"] };
      if (rules) options.runOnly = { type: "rule", values: rules };
      const r = await window.axe.run(include ? { include: [include] } : document, options);
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(" ")} — ${n.failureSummary?.split("\n").slice(1).join(" ").trim() ?? ""}`) }));
    },
    { include, rules },
  );
  return result.filter((v) => impacts.includes(v.impact));
}

/** Requests whose origin is not this test server (data:/blob: URLs are local). */
export function foreignRequests(requests, base) {
  const origin = new URL(base).origin;
  return requests.filter((u) => {
    if (u.startsWith("data:") || u.startsWith("blob:")) return false;
    try {
      return new URL(u).origin !== origin;
    } catch {
      return true;
    }
  });
}

/** Saves a screenshot under e2e/artifacts/ and returns its path. */
export async function screenshot(page, name, opts = {}) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file, ...opts });
  return file;
}

/** Minimal RFC-4180-enough CSV reader for the simple reference files (no quotes there). */
export function readSimpleCsv(file) {
  const lines = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.length);
  const header = lines[0].split(",");
  const rows = lines.slice(1).map((l) => l.split(","));
  return { header, rows, column: (name) => rows.map((r) => r[header.indexOf(name)]) };
}

/** Mean and sample SD (n − 1) of the non-missing numeric values, two-pass. */
export function meanSd(values) {
  const x = values.filter((v) => v !== "" && v !== "NA").map(Number);
  const n = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { n, mean, sd, min: Math.min(...x), max: Math.max(...x) };
}

export const relErr = (a, b) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** Minimal CSV parser with quotes (for checking downloaded CSV). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') q = false;
      else field += c;
    } else if (c === '"') q = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * The text of one part of a zip package (a .docx or .xlsx), read from the central directory
 * and inflated with Node's zlib: enough to check what a downloaded Office file holds.
 */
export function zipPart(bytes, name) {
  const buf = Buffer.from(bytes);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error("not a zip package");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const entry = buf.toString("utf8", p + 46, p + 46 + nameLen);
    if (entry === name) {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + size);
      return (method === 0 ? data : zlib.inflateRawSync(data)).toString("utf8");
    }
    p += 46 + nameLen + extra + comment;
  }
  throw new Error(`no part ${name} in the package`);
}
