// Hostile strings in a file (header, cells, file name) render as literal text:
// no element is created from them, no script runs, no dialog opens.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSession, waitForDataset, openPanel, chooseFile, foreignRequests } from "./harness.mjs";

let s;
before(async () => {
  s = await startSession();
});
after(async () => {
  await s?.close();
});

const IMG = "<img src=x onerror=alert(1)>";
const SCRIPT = "<script>alert(2)</script>";
const SVG = "<svg onload=alert(3)>";

test("a hostile header, cells and file name render as text", async () => {
  const r = await s.newPage("/?sample=none");
  await r.page.evaluate(() => {
    window.__pwned = 0;
    window.alert = () => (window.__pwned += 1);
  });
  // (None of the hostile strings contains a comma or a quote: no CSV quoting needed.)
  const csv = `${IMG},value,${SVG}\n${SCRIPT},1.5,a\nx&amp;y,2.5,${IMG}\n`;
  const name = `<img src=y onerror=alert(4)>.csv`;
  await chooseFile(r.page, { name, mimeType: "text/csv", buffer: Buffer.from(csv) });
  await waitForDataset(r.page, name);

  // The literal strings are visible as text in the preview and column list.
  const previewText = await r.page.textContent("#preview-table");
  for (const t of [IMG, SCRIPT, SVG, "x&amp;y"]) assert.ok(previewText.includes(t), `preview shows ${t} literally`);
  assert.ok((await r.page.textContent("#columns-table")).includes(IMG));
  assert.equal(await r.page.textContent("#status-file"), name);

  // Panel selects and descriptives (group-by list, table) too.
  await openPanel(r.page, "describe");
  await r.page.waitForSelector("#describe-table");
  const byOptions = await r.page.$$eval("#describe-by option", (o) => o.map((x) => x.textContent));
  assert.ok(byOptions.includes(IMG) || byOptions.includes(SVG), JSON.stringify(byOptions));
  const choices = [IMG, SVG].filter((c) => byOptions.includes(c));
  await r.page.selectOption("#describe-by", choices[0]);
  await r.page.waitForFunction((h) => [...document.querySelectorAll("#describe-table thead th")].some((x) => x.textContent === h), choices[0]);

  // No element was created from any of it.
  const counts = await r.page.evaluate(() => ({
    img: document.querySelectorAll("img").length,
    svg: document.querySelectorAll("svg").length,
    scripts: [...document.querySelectorAll("script")].map((x) => x.getAttribute("src")),
    pwned: window.__pwned,
  }));
  assert.equal(counts.img, 0, "no <img> element");
  assert.equal(counts.svg, 0, "no <svg> element");
  assert.deepEqual(counts.scripts, ["www/app.js"], "only the app's own script");
  assert.equal(counts.pwned, 0, "alert never called");
  assert.deepEqual(r.dialogs, []);
  // The would-be image never caused a request for "x" or "y".
  assert.ok(!r.requests.some((u) => /\/(x|y)$/.test(u)), "no request for the injected image");
  assert.deepEqual(foreignRequests(r.requests, s.base), []);
});

test("escapeHtml and el() never turn strings into markup", async () => {
  const r = await s.newPage("/?sample=none");
  const out = await r.page.evaluate(async (IMG) => {
    const dom = await import("/www/dom.js");
    const node = dom.el("div", { title: IMG }, IMG, [IMG], 3);
    const table = dom.renderTable([IMG, { label: "n", numeric: true }], [[IMG, 1.23456]]);
    let refused = false;
    try {
      dom.el("div", { innerHTML: IMG });
    } catch {
      refused = true;
    }
    let refusedHandler = false;
    try {
      dom.el("div", { onclick: "alert(1)" });
    } catch {
      refusedHandler = true;
    }
    return {
      escaped: dom.escapeHtml(`${IMG}"'&\``),
      children: node.children.length,
      text: node.textContent,
      tableImgs: table.querySelectorAll("img").length,
      tableText: table.textContent,
      dataValue: table.querySelector("td.num").dataset.value,
      refused,
      refusedHandler,
      csv: dom.toCsv(["a,b", 'q"'], [["x\ny", " s"]]),
    };
  }, IMG);
  assert.equal(out.escaped, "&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;&#96;");
  assert.equal(out.children, 0);
  assert.equal(out.text, IMG + IMG + "3");
  assert.equal(out.tableImgs, 0);
  assert.ok(out.tableText.includes(IMG));
  assert.equal(out.dataValue, "1.23456");
  assert.ok(out.refused && out.refusedHandler);
  assert.equal(out.csv, '"a,b","q"""\r\n"x\ny"," s"\r\n');
});
