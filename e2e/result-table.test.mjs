// The page's one table renderer (www/lib/result-table.js) agrees with the engine's
// renderTable: for the DID result's regression table and a regression side-by-side
// table, under the default options and with t statistics / p-values / intervals / nothing
// below the estimates, stars off, and fixed digits, every cell of the DOM table reads as
// the engine's CSV of the same table (the screen's true minus sign aside), and the notes
// agree. Also: quoteName (www/lib/names.js) follows the Rust formula rule.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSession } from "./harness.mjs";

let s;
let rec;
before(async () => {
  s = await startSession();
  rec = await s.newPage("/?sample=none");
  await rec.page.evaluate(async () => {
    const quasi = await import("/pkg/quasi.js");
    await quasi.default();
    window.quasi = quasi;
    window.rt = await import("/www/lib/result-table.js");
    window.names = await import("/www/lib/names.js");
    const f = "jjj_cities.csv";
    window.jjj = quasi.Dataset.fromBytes(new Uint8Array(await (await fetch(`/www/samples/${f}`)).arrayBuffer()), { filename: f });
  });
});
after(async () => {
  await s?.close();
});

const OPTIONS = [{}, { below: "t" }, { below: "p", stars: false }, { below: "ci" }, { below: "none" }, { digits: 2 }, { star_levels: [0.05], star_symbols: ["†"] }, { notes: false }];

/** [domLines, csvLines, domNotes, csvNotes] for each option set. */
async function compare(which) {
  return rec.page.evaluate(
    ({ which, OPTIONS }) => {
      const { quasi, rt, jjj } = window;
      const spec = { y: "lnHDQ", unit: "city", time: "year", start: "ftz_year", controls: ["fe", "pgdp"], vcov: { cluster: ["city"] } };
      let table;
      if (which === "did") table = quasi.did(jjj, spec).tables.find((t) => t.id === "did.main");
      else {
        const a = quasi.feols(jjj, { formula: "lnHDQ ~ FTZ | city + year", vcov: { cluster: ["city"] } });
        const b = quasi.feols(jjj, { formula: "lnHDQ ~ FTZ + fe + pgdp | city + year", vcov: "hetero" });
        table = quasi.regressionResultTable([a, b], { model_names: ["(1)", "(2)"] });
      }
      const parseCsv = (text) => {
        const rows = [];
        let row = [];
        let cur = "";
        let q = false;
        for (let i = 0; i < text.length; i++) {
          const c = text[i];
          if (q) {
            if (c === '"' && text[i + 1] === '"') (cur += '"'), i++;
            else if (c === '"') q = false;
            else cur += c;
          } else if (c === '"') q = true;
          else if (c === ",") row.push(cur), (cur = "");
          else if (c === "\n") row.push(cur), rows.push(row), (row = []), (cur = "");
          else cur += c;
        }
        return rows;
      };
      return OPTIONS.map((o) => {
        const dom = rt.resultTableElement(table, o);
        const domLines = [...dom.querySelectorAll("thead tr:not(:has(th.group)), tbody tr")].map((tr) => [...tr.cells].map((c) => c.textContent.replace(/\u2212/g, "-")));
        const domNotes = [...dom.querySelectorAll("tfoot td")].map((td) => td.textContent);
        const csv = parseCsv(quasi.renderTable(table, { ...rt.renderOptions(o), format: "csv" }));
        const groups = table.column_groups?.length ? 1 : 0;
        const body = csv.slice(groups, groups + domLines.length);
        const notes = csv.slice(groups + domLines.length).map((r) => r[0]);
        return { o, domLines, csvLines: body, domNotes, csvNotes: notes, n: csv.length, groups };
      });
    },
    { which, OPTIONS },
  );
}

for (const which of ["did", "side-by-side"]) {
  test(`resultTableElement and renderTable agree on the ${which} table under every option`, async () => {
    const all = await compare(which);
    for (const r of all) {
      assert.deepEqual(r.domLines, r.csvLines, JSON.stringify(r.o));
      assert.deepEqual(r.domNotes, r.csvNotes, JSON.stringify(r.o));
      assert.equal(r.groups + r.domLines.length + r.domNotes.length, r.n, `every CSV line is on screen: ${JSON.stringify(r.o)}`);
    }
    // the options change what is shown: t statistics differ from SEs, no line below with "none"
    const [se, t, , , none] = all;
    assert.notDeepEqual(se.domLines, t.domLines);
    assert.ok(none.domLines.length < se.domLines.length);
    assert.match(se.domNotes[0], /^Standard errors in parentheses\. \* p<0\.1, \*\* p<0\.05, \*\*\* p<0\.01$/);
    assert.deepEqual([...rec.consoleErrors, ...rec.pageErrors], []);
  });
}

test("quoteName: bare identifiers (Unicode letters too), back-quotes otherwise, refuses a back-quote; splitTopLevel skips parentheses and back-quoted names", async () => {
  const got = await rec.page.evaluate(() => {
    const { quoteName } = window.names;
    const out = ["lnHDQ", "x.1", "_a", "城市", "GDP growth", "1st", "a-b"].map(quoteName);
    let refused = "";
    try {
      quoteName("a`b");
    } catch (e) {
      refused = e.message;
    }
    const split = window.names.splitTopLevel("a + `b + c` + log(x + y) | `d|e`", "+").map((x) => x.trim());
    const bars = window.names.splitTopLevel("y ~ a + `b|c` | fe", "|").map((x) => x.trim());
    return { out, refused, split, bars };
  });
  assert.deepEqual(got.split, ["a", "`b + c`", "log(x + y) | `d|e`"]);
  assert.deepEqual(got.bars, ["y ~ a + `b|c`", "fe"]);
  assert.deepEqual(got.out, ["lnHDQ", "x.1", "_a", "城市", "`GDP growth`", "`1st`", "`a-b`"]);
  assert.match(got.refused, /back-quote/);
});
