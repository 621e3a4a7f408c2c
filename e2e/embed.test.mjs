// <quasi-result> (www/embed.js): the example policy brief, and a report written by someone
// else in another folder with a recipe saved from the API, a broken recipe, a missing file
// and a column the data lack. Every request stays on the page's origin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, foreignRequests, axeViolations, ROOT } from "./harness.mjs";

let s;
before(async () => {
  s = await startSession();
});
after(async () => s?.close());

const SPEC = { y: "lnHDQ", unit: "city", time: "year", start: "ftz_year", controls: ["pgdp", "fdi", "urba"], vcov: { cluster: ["city"] } };

/** Runs the public API in the page (same origin) and returns plain results. */
async function api(page, fn) {
  return page.evaluate(`(async () => {
    const q = await import("/pkg/quasi.js");
    await q.default();
    const bytes = new Uint8Array(await (await fetch("/examples/report/panel.csv")).arrayBuffer());
    const ds = q.Dataset.fromBytes(bytes, { filename: "panel.csv" });
    return JSON.parse(JSON.stringify((${fn})(q, ds)));
  })()`);
}

const states = (page) => page.$$eval("quasi-result", (els) => els.map((e) => e.dataset.state ?? ""));
async function settled(page, n) {
  await page.waitForFunction(
    (n) => {
      const els = [...document.querySelectorAll("quasi-result")];
      return els.length === n && els.every((e) => e.dataset.state === "done" || e.dataset.state === "error");
    },
    n,
    { timeout: 90_000 },
  );
}

test("examples/report.html: DID table, event-study chart and placebo chart, offline, one data download", async () => {
  const r = await s.newPage("/examples/report.html", { waitReady: false, bypassCSP: false });
  await settled(r.page, 3);
  assert.deepEqual(await states(r.page), ["done", "done", "done"]);
  const parts = await r.page.$$eval("quasi-result", (els) =>
    els.map((e) => ({
      caption: e.shadowRoot.querySelector("caption")?.textContent ?? null,
      rows: [...e.shadowRoot.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((c) => c.textContent)),
      scopes: [...e.shadowRoot.querySelectorAll("th[scope]")].map((th) => th.scope),
      svg: Boolean(e.shadowRoot.querySelector(".chart svg")),
    })),
  );
  // 1: the DID table shows the estimate the API computes, with its row and column headers.
  const want = await api(r.page, `(q, ds) => q.did(ds, ${JSON.stringify(SPEC)})`);
  const est = want.estimate.toFixed(3);
  const didRow = parts[0].rows.find((row) => row.slice(1).some((c) => c.startsWith(est)));
  assert.ok(didRow, `the DID estimate ${est} is in the embedded table: ${JSON.stringify(parts[0].rows)}`);
  assert.ok(parts[0].caption, "the table has a caption");
  assert.ok(parts[0].scopes.includes("col") && parts[0].scopes.includes("row"));
  assert.equal(parts[0].svg, false, "show=table: no chart");
  // 2 and 3: charts.
  assert.equal(parts[1].svg, true, "event-study chart");
  assert.equal(parts[1].rows.length, 0, "show=chart: no table");
  assert.equal(parts[2].svg, true, "placebo chart");
  assert.ok(parts[2].rows.length > 0, "show=both: the placebo table too");
  // Offline, quiet, one download of the data for three elements.
  assert.deepEqual(foreignRequests(r.requests, s.base), []);
  assert.equal(r.requests.filter((u) => u.endsWith("/examples/report/panel.csv")).length, 2, "one download by the elements (+1 by this test's API check)");
  assert.deepEqual(r.pageErrors, []);
  assert.deepEqual(r.consoleErrors, []);
});

test("the example report has no serious accessibility violation", async () => {
  const r = await s.newPage("/examples/report.html", { waitReady: false, bypassCSP: true });
  await settled(r.page, 3);
  assert.deepEqual(await axeViolations(r.page), []);
});

test("a report in another folder: a recipe saved from the API shows the DID; broken elements say why and nothing else breaks", async () => {
  const dir = path.join(ROOT, "e2e", "artifacts", "someone-elses-report");
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(ROOT, "examples", "report", "panel.csv"), path.join(dir, "panel.csv"));
  const probe = await s.newPage("/examples/report.html", { waitReady: false });
  const saved = await api(probe.page, `(q, ds) => ({ recipe: q.did(ds, ${JSON.stringify(SPEC)}).recipe, est: q.did(ds, ${JSON.stringify(SPEC)}).estimate })`);
  fs.writeFileSync(path.join(dir, "did.json"), JSON.stringify(saved.recipe));
  const unknownColumn = { ...saved.recipe, spec: { ...saved.recipe.spec, y: "lnHDQ_missing" } };
  fs.writeFileSync(
    path.join(dir, "index.html"),
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>报告</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; style-src 'self'">
<script type="module" src="/www/embed.js"></script></head><body>
<h1>自贸区政策简报</h1><p id="intro">正文照常显示。</p>
<quasi-result id="good" data="panel.csv" recipe="did.json" lang="zh" digits="4"></quasi-result>
<quasi-result id="broken" data="panel.csv"><script type="application/json">{ "kind": "did", "spec": </script></quasi-result>
<quasi-result id="nofile" data="no-such-file.csv" recipe="did.json"></quasi-result>
<quasi-result id="nocolumn" data="panel.csv"><script type="application/json">${JSON.stringify(unknownColumn)}</script></quasi-result>
<p id="outro">结尾。</p></body></html>`,
  );
  const r = await s.newPage("/e2e/artifacts/someone-elses-report/index.html", { waitReady: false });
  await settled(r.page, 4);
  const out = await r.page.evaluate(() => {
    const get = (id) => {
      const e = document.getElementById(id);
      return { state: e.dataset.state, error: e.shadowRoot.querySelector(".error")?.textContent ?? null, text: e.shadowRoot.textContent };
    };
    return { good: get("good"), broken: get("broken"), nofile: get("nofile"), nocolumn: get("nocolumn"), intro: document.getElementById("intro").textContent, outro: document.getElementById("outro").textContent };
  });
  assert.equal(out.good.state, "done");
  assert.ok(out.good.text.includes(saved.est.toFixed(4)), `DID estimate ${saved.est.toFixed(4)} shown: ${out.good.text}`);
  assert.ok(out.good.text.includes("观测值"), "lang=zh: Chinese table labels");
  assert.equal(out.broken.state, "error");
  assert.match(out.broken.error, /无法读取配方/);
  assert.equal(out.nofile.state, "error");
  assert.match(out.nofile.error, /无法加载数据文件.*404/);
  assert.equal(out.nocolumn.state, "error");
  assert.match(out.nocolumn.error, /lnHDQ_missing/);
  assert.equal(out.intro, "正文照常显示。");
  assert.equal(out.outro, "结尾。");
  assert.deepEqual(foreignRequests(r.requests, s.base), []);
  assert.deepEqual(r.pageErrors, []);
});

test("a recipe run on other data is refused inside the element, and accepted with accept-changed-data", async () => {
  const dir = path.join(ROOT, "e2e", "artifacts", "changed-data-report");
  fs.mkdirSync(dir, { recursive: true });
  const csv = fs.readFileSync(path.join(ROOT, "examples", "report", "panel.csv"), "utf8").split("\n");
  // One digit of the outcome changed on the first data line.
  const header = csv[0].split(",");
  const j = header.indexOf("lnHDQ");
  const row = csv[1].split(",");
  row[j] = String(Number(row[j]) + 0.001);
  csv[1] = row.join(",");
  fs.writeFileSync(path.join(dir, "panel.csv"), csv.join("\n"));
  fs.copyFileSync(path.join(ROOT, "examples", "report", "did.json"), path.join(dir, "did.json"));
  fs.writeFileSync(
    path.join(dir, "index.html"),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>r</title><script type="module" src="/www/embed.js"></script></head><body>
<quasi-result id="strict" data="panel.csv" recipe="did.json"></quasi-result>
<quasi-result id="lenient" data="panel.csv" recipe="did.json" accept-changed-data></quasi-result></body></html>`,
  );
  const r = await s.newPage("/e2e/artifacts/changed-data-report/index.html", { waitReady: false });
  await settled(r.page, 2);
  const out = await r.page.evaluate(() => ["strict", "lenient"].map((id) => {
    const e = document.getElementById(id);
    return { state: e.dataset.state, text: e.shadowRoot.textContent };
  }));
  assert.equal(out[0].state, "error");
  assert.match(out[0].text, /not the data the recipe was saved with/);
  assert.equal(out[1].state, "done");
  assert.match(out[1].text, /differ from the data the recipe was saved with/);
});
