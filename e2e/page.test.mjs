// The page boots offline and quietly, preloads the sample, navigation enables the
// built panels (the DID workbench in flow order), sample buttons load, screenshots for the README.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { startSession, waitForDataset, openPanel, foreignRequests, screenshot, ROOT } from "./harness.mjs";

let s;
before(async () => {
  s = await startSession();
});
after(async () => {
  await s?.close();
});

test("page loads with the JJJ sample preloaded, no console errors, no request off localhost", async () => {
  const r = await s.newPage("/");
  const status = await waitForDataset(r.page, "jjj_cities.csv");
  assert.match(status, /130 rows × 30 columns/);
  assert.match(await r.page.textContent("#sample-note"), /Sample loaded: JJJ cities panel; drop your own file to replace it/);
  // engine chip reports the crate version
  await r.page.waitForFunction(() => document.querySelector("#engine-status").classList.contains("ok"));
  assert.match(await r.page.textContent("#engine-status"), /Quasi \d+\.\d+\.\d+/);
  // visit the descriptives panel too, so its requests are recorded
  await openPanel(r.page, "describe");
  await r.page.waitForSelector("#describe-table");
  assert.deepEqual(foreignRequests(r.requests, s.base), [], "requests left localhost");
  assert.ok(r.requests.some((u) => u.endsWith("/www/worker.js")), "requests are being recorded");
  assert.deepEqual(r.consoleErrors, []);
  assert.deepEqual(r.pageErrors, []);
  assert.deepEqual(r.dialogs, []);
});

test("the CSP meta tag forbids connections beyond the page's own origin", () => {
  const html = fs.readFileSync(path.join(ROOT, "index.html"), "utf8");
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
  assert.ok(csp, "CSP meta tag present");
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /connect-src 'self'(;|$)/);
  assert.match(csp, /object-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'|https?:|\*/);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline scripts");
  assert.doesNotMatch(html, /\sstyle=|<style/, "no inline styles");
});

test("the browser enforces the CSP: a fetch to a reachable loopback server on another port is refused", async () => {
  // A second origin that would answer: 200 with CORS allowed, on 127.0.0.1 and
  // another port. Only the CSP (connect-src 'self') can stop the page reaching it.
  const hits = [];
  const other = http.createServer((req, res) => {
    hits.push(req.url);
    res.writeHead(200, { "Access-Control-Allow-Origin": "*", "Content-Type": "text/plain", "Cache-Control": "no-store" });
    res.end("reachable");
  });
  await new Promise((ok) => other.listen(0, "127.0.0.1", ok));
  try {
    const origin = `http://127.0.0.1:${other.address().port}`;
    assert.notEqual(origin, s.base);
    // Reachable from Node, with CORS: a refusal below is the CSP, not the network.
    const direct = await fetch(`${origin}/from-node`);
    assert.equal(direct.status, 200);
    assert.equal(direct.headers.get("access-control-allow-origin"), "*");
    assert.equal(await direct.text(), "reachable");
    assert.deepEqual(hits, ["/from-node"]);
    hits.length = 0;

    const r = await s.newPage("/?sample=none");
    const out = await r.page.evaluate(async (url) => {
      const violations = [];
      document.addEventListener("securitypolicyviolation", (e) => violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
      let outcome;
      try {
        const res = await fetch(url);
        outcome = `fetched ${res.status} ${await res.text()}`;
      } catch (e) {
        outcome = `refused (${e.name})`;
      }
      // the violation event is queued as a task; let it fire
      for (let i = 0; i < 50 && violations.length === 0; i++) await new Promise((ok) => setTimeout(ok, 20));
      return { outcome, violations };
    }, `${origin}/from-page`);
    assert.equal(out.outcome, "refused (TypeError)");
    assert.equal(out.violations.length, 1, JSON.stringify(out.violations));
    assert.equal(out.violations[0].directive, "connect-src");
    assert.ok(out.violations[0].blocked.startsWith(origin), out.violations[0].blocked);
    assert.ok(
      r.consoleErrors.some((m) => /Content Security Policy/.test(m) && m.includes(origin)),
      `a console CSP message names ${origin}: ${JSON.stringify(r.consoleErrors)}`,
    );
    assert.deepEqual(hits, [], "the second server received no request from the page");
  } finally {
    await new Promise((ok) => other.close(ok));
  }
});

test("navigation: every built panel enabled, the DID workbench in flow order", async () => {
  const r = await s.newPage("/?sample=none");
  await r.page.waitForFunction(() => document.querySelector("#engine-status").classList.contains("ok"));
  await r.page.waitForSelector("#nav-did:not(.is-disabled)");
  const nav = await r.page.$$eval(".nav-link", (as) =>
    as.map((a) => ({ id: a.dataset.panel, disabled: a.getAttribute("aria-disabled") === "true", text: a.textContent })),
  );
  const byId = Object.fromEntries(nav.map((n) => [n.id, n]));
  const workbench = ["did", "event-study", "staggered", "placebo", "heterogeneity", "mechanism", "robustness", "psm-did"];
  // Panels with a page module and an engine export are enabled.
  for (const id of ["data", "describe", "regression", "psm", "index", ...workbench]) {
    assert.ok(byId[id], `${id} listed`);
    assert.equal(byId[id].disabled, false, id);
    assert.doesNotMatch(byId[id].text, /coming soon/);
  }
  // The DID workbench: one navigation group, in the order of the workflow.
  const groupIds = await r.page.$$eval(".nav-group", (hs) => {
    const h = hs.find((x) => x.textContent === "DID workbench");
    return h ? [...h.nextElementSibling.querySelectorAll(".nav-link")].map((a) => a.dataset.panel) : [];
  });
  assert.deepEqual(groupIds, workbench);
  // Clicking an entry opens its panel.
  await r.page.click("#nav-did");
  await r.page.waitForSelector("#panel-did:not([hidden])");
  assert.equal(await r.page.getAttribute("#nav-did", "aria-current"), "page");
  // Deep link to a panel by hash works.
  await r.page.goto(s.base + "/?sample=none#describe");
  await r.page.waitForSelector("#panel-describe:not([hidden])");
  assert.equal(await r.page.getAttribute("#nav-describe", "aria-current"), "page");
});

test("sample buttons load the provinces and JJJ panels; ?sample= preloads", async () => {
  const r = await s.newPage("/?sample=none");
  assert.equal(await r.page.isVisible("#status"), false, "nothing loaded with ?sample=none");
  await r.page.click("#sample-provinces");
  const status = await waitForDataset(r.page, "provinces.csv");
  assert.match(status, /341 rows × 10 columns/);
  await r.page.waitForSelector("#panel-summary");
  assert.match(await r.page.textContent("#panel-summary"), /Balanced panel: 31 units × 11 periods/);
  await r.page.click("#sample-jjj");
  assert.match(await waitForDataset(r.page, "jjj_cities.csv"), /130 rows/);
  await r.page.waitForFunction(() => /13 units × 10 periods/.test(document.querySelector("#panel-summary")?.textContent ?? ""));

  const r2 = await s.newPage("/?sample=provinces");
  assert.match(await waitForDataset(r2.page, "provinces.csv"), /341 rows/);
  assert.doesNotMatch(await r2.page.textContent("#sample-note"), /drop your own file/);
  assert.deepEqual([...r.consoleErrors, ...r2.consoleErrors, ...r.pageErrors, ...r2.pageErrors], []);
});

test("screenshots of the data and descriptives panels (e2e/artifacts; docs/screenshot.png with UPDATE_SCREENSHOT=1)", async () => {
  const r = await s.newPage("/");
  await waitForDataset(r.page, "jjj_cities.csv");
  await r.page.waitForSelector("#panel-summary");
  const dataShot = await screenshot(r.page, "data-panel.png");
  await openPanel(r.page, "describe");
  await r.page.waitForSelector("#describe-table");
  // A compact "Table 1" for the README: the outcome, treatment and controls.
  await r.page.click("#describe-columns >> xpath=.. >> text=none");
  for (const c of ["lnHDQ", "FTZ", "pgdp", "fe", "lnstru", "fdi", "urba", "IL"]) await r.page.check(`#describe-columns input[value="${c}"]`);
  await r.page.check("#describe-quantiles");
  await r.page.waitForFunction(() => /Median/.test(document.querySelector("#describe-table thead")?.textContent ?? ""));
  const descShot = await screenshot(r.page, "describe-panel.png");
  // The event study of the sample panel: what the README shows first.
  await openPanel(r.page, "event-study");
  await r.page.click("#es-run");
  await r.page.waitForSelector("#es-plot img.chart");
  await r.page.waitForFunction(() => document.querySelector("#es-plot img.chart")?.complete);
  const esShot = await screenshot(r.page, "event-study-panel.png");
  for (const f of [dataShot, descShot, esShot]) assert.ok(fs.statSync(f).size > 10_000, `${f} is a real image`);
  // The README's screenshot is refreshed only on request (`make screenshot`), so a
  // test run never modifies tracked files.
  if (process.env.UPDATE_SCREENSHOT === "1") {
    fs.mkdirSync(path.join(ROOT, "docs"), { recursive: true });
    fs.copyFileSync(esShot, path.join(ROOT, "docs", "screenshot.png"));
  }
  assert.deepEqual(r.consoleErrors, []);
});
