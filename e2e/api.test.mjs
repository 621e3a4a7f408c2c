// The public JS API (pkg/quasi.js) exercised in a real page: the calls the
// acceptance checks make, with numbers checked against plain-JS statistics of
// the same CSV. Later issues add their API checks (feols, did, psm, …) here.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, readSimpleCsv, meanSd, relErr, SAMPLES, ROOT } from "./harness.mjs";

let s;
let page;
before(async () => {
  s = await startSession();
  // A blank same-origin page (the CSP of index.html also allows this import).
  page = (await s.newPage("/?sample=none")).page;
  await page.evaluate(async () => {
    const quasi = await import("/pkg/quasi.js");
    await quasi.default();
    window.quasi = quasi;
    window.jjj = new Uint8Array(await (await fetch("/www/samples/jjj_cities.csv")).arrayBuffer());
  });
});
after(async () => {
  await s?.close();
});

const cargoVersion = () => /^version\s*=\s*"([^"]+)"/m.exec(fs.readFileSync(path.join(ROOT, "Cargo.toml"), "utf8"))[1];

test("version() returns the crate version", async () => {
  assert.equal(await page.evaluate(() => quasi.version()), cargoVersion());
});

test("Dataset.fromBytes: nrows, ncols, columnNames", async () => {
  const out = await page.evaluate(() => {
    const ds = quasi.Dataset.fromBytes(jjj, { filename: "jjj_cities.csv" });
    const r = { nrows: ds.nrows, ncols: ds.ncols, names: ds.columnNames() };
    ds.free();
    return r;
  });
  const csv = readSimpleCsv(path.join(SAMPLES, "jjj_cities.csv"));
  assert.equal(out.nrows, 130);
  assert.equal(out.ncols, csv.header.length);
  assert.deepEqual(out.names, csv.header);
  // options are optional
  assert.equal(await page.evaluate(() => quasi.Dataset.fromBytes(jjj).nrows), 130);
});

test("describe({columns}) means and SDs match plain JS to 1e-9", async () => {
  const res = await page.evaluate(() => {
    const ds = quasi.Dataset.fromBytes(jjj, { filename: "jjj_cities.csv" });
    const d = ds.describe({ columns: ["lnHDQ", "pgdp"] });
    const q = ds.describe({ columns: ["lnHDQ"], quantiles: true });
    const by = ds.describe({ columns: ["lnHDQ"], by: "FTZ" });
    const csv = ds.describeCsv({ columns: ["lnHDQ", "pgdp"] });
    return { d, q, by, csv };
  });
  const csv = readSimpleCsv(path.join(SAMPLES, "jjj_cities.csv"));
  assert.deepEqual(
    res.d.rows.map((r) => r.variable),
    ["lnHDQ", "pgdp"],
  );
  for (const row of res.d.rows) {
    const want = meanSd(csv.column(row.variable));
    assert.equal(row.n, want.n);
    for (const k of ["mean", "sd", "min", "max"]) assert.ok(relErr(row[k], want[k]) < 1e-9, `${row.variable} ${k}: ${row[k]} vs ${want[k]}`);
  }
  const q = res.q.rows[0];
  assert.ok(q.p25 <= q.median && q.median <= q.p75 && q.min <= q.p25 && q.p75 <= q.max, JSON.stringify(q));
  // by group: group means reproduce the overall mean when weighted by n
  const total = res.by.rows.reduce((a, r) => a + r.n * r.mean, 0) / res.by.rows.reduce((a, r) => a + r.n, 0);
  assert.equal(res.by.rows.length, 2);
  assert.ok(relErr(total, meanSd(csv.column("lnHDQ")).mean) < 1e-12);
  assert.equal(typeof res.csv, "string");
  assert.match(res.csv, /lnHDQ/);
});

test("loadReport, preview and panelInfo", async () => {
  const out = await page.evaluate(() => {
    const ds = quasi.Dataset.fromBytes(jjj, { filename: "jjj_cities.csv" });
    return { report: ds.loadReport(), preview: ds.preview(3), panel: ds.panelInfo("city", "year") };
  });
  assert.equal(out.report.rows_read, 130);
  assert.equal(out.report.rows_skipped, 0);
  const kinds = Object.fromEntries(out.report.columns.map((c) => [c.name, c.kind]));
  assert.equal(kinds.city, "text");
  assert.equal(kinds.lnHDQ, "numeric");
  assert.equal(out.preview.rows.length, 3);
  assert.equal(out.preview.rows[0][0], "Beijing");
  assert.equal(out.panel.n_units, 13);
  assert.equal(out.panel.n_periods, 10);
  assert.equal(out.panel.balanced, true);
  assert.equal(out.panel.duplicates.length, 0);
});

test("failures throw an Error whose message names the problem", async () => {
  const msgs = await page.evaluate(() => {
    const enc = new TextEncoder();
    const grab = (f) => {
      try {
        f();
        return null;
      } catch (e) {
        return { isError: e instanceof Error, message: e.message };
      }
    };
    return {
      empty: grab(() => quasi.Dataset.fromBytes(new Uint8Array(0), { filename: "e.csv" })),
      column: grab(() => quasi.Dataset.fromBytes(jjj, { filename: "j.csv" }).describe({ columns: ["no_such_column"] })),
      text: grab(() => quasi.Dataset.fromBytes(jjj, { filename: "j.csv" }).describe({ columns: ["city"] })),
      dupHeader: grab(() => quasi.Dataset.fromBytes(enc.encode("a,a\n1,2\n"), { filename: "d.csv" })),
    };
  });
  assert.ok(msgs.empty?.isError && /empty/i.test(msgs.empty.message), JSON.stringify(msgs.empty));
  assert.ok(msgs.column?.isError && /no_such_column/.test(msgs.column.message), JSON.stringify(msgs.column));
  assert.ok(msgs.dupHeader?.isError && /duplicate/i.test(msgs.dupHeader.message), JSON.stringify(msgs.dupHeader));
  // A text column is either refused with a message naming it, or reported in diagnostics.
  if (msgs.text) assert.match(msgs.text.message, /city/);
});

test("fromBytesWithProgress reports fractions and can be cancelled", async (t) => {
  const has = await page.evaluate(() => typeof quasi.Dataset.fromBytesWithProgress === "function");
  if (!has) return t.skip("fromBytesWithProgress not exported");
  const out = await page.evaluate(() => {
    // ~2 MB so there is more than one progress step
    const line = "1.5,2.25,3\n";
    const text = "a,b,c\n" + line.repeat(200_000);
    const bytes = new TextEncoder().encode(text);
    const seen = [];
    const ds = quasi.Dataset.fromBytesWithProgress(bytes, { filename: "p.csv" }, (f) => {
      seen.push(f);
      return true;
    });
    let cancelled = null;
    try {
      quasi.Dataset.fromBytesWithProgress(bytes, { filename: "p.csv" }, () => false);
    } catch (e) {
      cancelled = e.message;
    }
    return { nrows: ds.nrows, seen, cancelled };
  });
  assert.equal(out.nrows, 200_000);
  assert.ok(out.seen.length >= 1);
  assert.ok(out.seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= out.seen[i - 1])), "monotone in [0,1]");
  assert.ok(out.cancelled && /cancel/i.test(out.cancelled), `cancel message: ${out.cancelled}`);
});
