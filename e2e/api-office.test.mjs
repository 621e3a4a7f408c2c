// quasi.renderTable's binary formats in a real page: the DID result table of the JJJ
// sample rendered with { format: "docx" } and { format: "xlsx" } (also "word"/"excel")
// comes back as a Uint8Array holding a zip package ("PK", the parts' names in its
// headers), byte-identical across two calls; the text formats still return strings.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSession } from "./harness.mjs";

const BASE = { y: "lnHDQ", unit: "city", time: "year", start: "ftz_year", controls: ["fe", "urba"], vcov: { cluster: ["city"] } };

let s;
let page;
before(async () => {
  s = await startSession();
  page = (await s.newPage("/?sample=none")).page;
  await page.evaluate(async () => {
    const quasi = await import("/pkg/quasi.js");
    await quasi.default();
    window.quasi = quasi;
    const bytes = new Uint8Array(await (await fetch("/www/samples/jjj_cities.csv")).arrayBuffer());
    window.jjj = quasi.Dataset.fromBytes(bytes, { filename: "jjj_cities.csv" });
  });
});
after(async () => {
  await s?.close();
});

test("renderTable returns a Uint8Array zip for docx and xlsx, a string for text formats", async () => {
  const out = await page.evaluate((spec) => {
    const r = window.quasi.did(window.jjj, spec);
    const table = r.tables.find((t) => t.id === "did.main");
    const describe = (format) => {
      const a = window.quasi.renderTable(table, { format });
      const b = window.quasi.renderTable(table, { format });
      if (!(a instanceof Uint8Array)) return { format, type: typeof a, ctor: a?.constructor?.name };
      // zip local headers store the part names uncompressed
      const latin1 = Array.from(a, (x) => String.fromCharCode(x)).join("");
      return {
        format,
        type: "Uint8Array",
        head: String.fromCharCode(a[0], a[1]),
        length: a.length,
        same: a.length === b.length && a.every((x, i) => x === b[i]),
        parts: ["[Content_Types].xml", "word/document.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml"].filter((p) => latin1.includes(p)),
      };
    };
    return {
      binary: ["docx", "xlsx", "word", "excel"].map(describe),
      csv: typeof window.quasi.renderTable(table, { format: "csv" }),
      markdown: typeof window.quasi.renderTable(table, {}),
    };
  }, BASE);
  const [docx, xlsx, word, excel] = out.binary;
  for (const b of out.binary) {
    assert.equal(b.type, "Uint8Array", JSON.stringify(b));
    assert.equal(b.head, "PK", b.format);
    assert.ok(b.length > 500, `${b.format}: ${b.length} bytes`);
    assert.ok(b.same, `${b.format}: two renders differ`);
  }
  assert.deepEqual(docx.parts, ["[Content_Types].xml", "word/document.xml"]);
  assert.deepEqual(xlsx.parts, ["[Content_Types].xml", "xl/worksheets/sheet1.xml", "xl/styles.xml"]);
  assert.deepEqual(word.parts, docx.parts);
  assert.deepEqual(excel.parts, xlsx.parts);
  assert.equal(out.csv, "string");
  assert.equal(out.markdown, "string");
});

test("renderTable with an unknown format throws an Error naming docx and xlsx", async () => {
  const msg = await page.evaluate(() => {
    const r = window.quasi.did(window.jjj, { y: "lnHDQ", unit: "city", time: "year", start: "ftz_year" });
    try {
      window.quasi.renderTable(r.tables[0], { format: "pdf" });
      return "no error";
    } catch (e) {
      return e instanceof Error ? e.message : `not an Error: ${String(e)}`;
    }
  });
  assert.match(msg, /unknown table format `pdf`.*docx or xlsx/);
});
