// One quoting rule for column names in formulas: the page's quoteName (www/lib/names.js,
// used by every panel that writes a formula) gives what the engine's quasi.quoteName
// (Rust formula::quote_name) gives, on awkward names, refusals included.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSession } from "./harness.mjs";

const NAMES = [
  "lnHDQ", "pgdp", "_x", "x.1", ".hidden", ".5", "1st", "GDP growth", "城市", "人均GDP", "ln(y)",
  "a-b", "a+b", "ü_ratio", "x²", "Ⅻ", "  ", "", "back`tick", "名义 GDP", "year2020", "é",
];

let s;
let page;
before(async () => {
  s = await startSession();
  page = (await s.newPage("/?sample=none")).page;
});
after(async () => {
  await s?.close();
});

test("www/lib/names.js quoteName agrees with the engine's quoteName", async () => {
  const out = await page.evaluate(async (names) => {
    const quasi = await import("/pkg/quasi.js");
    await quasi.default();
    const { quoteName } = await import("/www/lib/names.js");
    const run = (f, n) => {
      try {
        return { ok: f(n) };
      } catch {
        return { refused: true };
      }
    };
    return names.map((n) => ({ name: n, engine: run(quasi.quoteName, n), page: run(quoteName, n) }));
  }, NAMES);
  for (const r of out) assert.deepEqual(r.page, r.engine, `name ${JSON.stringify(r.name)}`);
  const by = Object.fromEntries(out.map((r) => [r.name, r.engine]));
  assert.deepEqual(by["GDP growth"], { ok: "`GDP growth`" });
  assert.deepEqual(by["城市"], { ok: "城市" });
  assert.deepEqual(by["back`tick"], { refused: true });
});
