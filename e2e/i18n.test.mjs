// The Chinese interface: ?lang=zh shows every panel of the navigation without an English
// word (proper names and the data's own column names and values excepted), <html lang>
// follows, the header switch goes back to English and the choice persists, and engine
// errors are worded in Chinese with their parameters. The same check finds English words
// on the English page, so it can fail.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startSession, waitForDataset, openPanel, screenshot, SAMPLES, ROOT } from "./harness.mjs";

let s;
before(async () => {
  s = await startSession();
});
after(async () => {
  await s?.close();
});

// Proper names, units, abbreviations and code words that stay as they are in Chinese.
const ALLOWED = new Set(
  `Quasi Stata R fixest TWFE DID DIDs PSM PSM-DID Moran Moran's I Geary's Geary C SAR SEM SDM SLX SDEM LISA LM ML IV OLS
  Callaway Sant'Anna Callaway–Sant'Anna Sun Abraham Sun–Abraham Goodman-Bacon Bacon HonestDiD Rambachan Roth CS ATT ATE ATC
  CSV TSV TXT XLSX XLS Excel Word LaTeX Markdown HTML SVG PNG GeoJSON UTF LE BE GB GBK Windows NA N/A NaN null
  WebAssembly JavaScript Ctrl Enter HC HC1 IID SE SD CI KMO PCA TOPSIS CRITIC CV HHI WCR AI Wald Sobel Bartlett Rubin's
  Logit Probit logit probit Epanechnikov Rademacher Webb Silverman Newton LeSage Pace LeSage–Pace Elhorst spdep spatialreg
  impacts MatchIt Matching psmatch2 pstest LaLonde NSW PSID JJJ FTZ English W x y z p t F e g k M N df df1 df2 dᵖ U T
  ID KB MB GB B ms vs Inf ln log exp i P25 P75 p25 p75 ATT(g,t) AI Q s Abadie Imbens Abadie–Imbens psmatch NT e'e utf
  ties TRUE indicator direction dimension exit penalty litigation pollution`.split(/\s+/),
  // the last line: R's argument (ties = TRUE) and the literal header and keywords of the index's specification CSV
);

/** The sample's column names and values: the data's own words may stay. */
function dataWords(file) {
  const text = `${file}\n${fs.readFileSync(path.join(SAMPLES, file), "utf8")}`;
  return new Set(text.split(/[\s,;"]+/).flatMap((w) => [w, ...w.split(/[^A-Za-z'’-]+/), ...w.split(/[^A-Za-z'’.-]+/)]).filter(Boolean));
}

/**
 * English words in the visible interface: text nodes, option labels of visible selects and the
 * placeholder / aria-label / title / alt of visible elements. Skips <code> (formulas), elements
 * marked lang="en" (an English original kept on purpose) and the hidden ones.
 */
async function englishWords(page, allowed) {
  const found = await page.evaluate(() => {
    const out = [];
    const visible = (el) => el && (el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null);
    // Skipped: code (formulas), parts marked lang="en" on purpose (not the whole English page).
    const skip = (el) => el.closest("code, script, style, noscript") || (el.closest("[lang]") !== document.documentElement && el.closest("[lang]")?.getAttribute("lang") === "en");
    const where = (el) => {
      const panel = el.closest("section.panel");
      return panel ? panel.id : el.closest("header, nav, footer")?.tagName.toLowerCase() ?? el.tagName.toLowerCase();
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el || skip(el)) continue;
      if (el.tagName === "OPTION") {
        const sel = el.closest("select");
        if (!sel || !visible(sel)) continue;
      } else if (!visible(el)) continue;
      out.push({ where: where(el), text: n.textContent });
    }
    for (const el of document.body.querySelectorAll("[placeholder], [aria-label], [title], [alt]")) {
      if (skip(el) || !visible(el)) continue;
      for (const a of ["placeholder", "aria-label", "title", "alt"]) {
        const v = el.getAttribute(a);
        if (v && !(a === "placeholder" && v.includes("~"))) out.push({ where: where(el), text: v, attr: a }); // a formula example is code
      }
    }
    out.push({ where: "document", text: document.title });
    return out;
  });
  const bad = [];
  for (const { where, text, attr } of found) {
    for (const w of text.match(/[A-Za-z][\w'’.-]*[A-Za-z0-9]|[A-Za-z]/g) || []) {
      const word = w.replace(/[.]+$/, "");
      if (/_|\d/.test(word)) continue; // identifiers (terms such as ev_m3, column names), not words
      if (allowed.has(word) || ALLOWED.has(word) || word.length < 2) continue;
      if (word.split(/[-–]/).every((p) => ALLOWED.has(p) || allowed.has(p) || p.length < 2)) continue;
      bad.push(`${where}${attr ? ` [${attr}]` : ""}: “${word}” in “${text.trim().slice(0, 80)}”`);
    }
  }
  return [...new Set(bad)];
}

/** The ids of the navigation's panels that can be opened (the registry, as built by the page). */
const panelIds = (page) => page.$$eval(".nav-link[href]", (as) => as.map((a) => a.dataset.panel));

test("?lang=zh: every panel of the navigation is in Chinese, <html lang> is zh-CN", async () => {
  const r = await s.newPage("/?lang=zh&sample=jjj");
  const { page } = r;
  await waitForDataset(page, "jjj_cities.csv");
  await page.waitForFunction(() => document.querySelector("#engine-status").classList.contains("ok"));
  assert.equal(await page.evaluate(() => document.documentElement.lang), "zh-CN");
  assert.match(await page.textContent("#nav"), /数据/);
  const allowed = dataWords("jjj_cities.csv");
  const ids = await panelIds(page);
  assert.ok(ids.length >= 15, `the navigation lists the panels (${ids.join(", ")})`);
  const problems = [];
  for (const id of ids) {
    await openPanel(page, id);
    await page.waitForTimeout(300); // panels fill their pickers from the worker
    problems.push(...(await englishWords(page, allowed)));
  }
  // A result in Chinese too: the DID with the sample.
  await openPanel(page, "did");
  await page.click("#did-run");
  await page.waitForSelector("#did-result:not([hidden]) #did-facts");
  problems.push(...(await englishWords(page, allowed)));
  assert.deepEqual([...new Set(problems)], [], "English words on the Chinese page");
  assert.deepEqual(r.pageErrors, []);
  assert.deepEqual(r.consoleErrors, []);
});

test("results in Chinese: regression with its side-by-side table, event study, placebo", async () => {
  const r = await s.newPage("/?lang=zh&sample=jjj");
  const { page } = r;
  await waitForDataset(page, "jjj_cities.csv");
  const allowed = dataWords("jjj_cities.csv");
  const problems = [];
  await openPanel(page, "regression");
  await page.waitForSelector("#reg-y option[value=lnHDQ]", { state: "attached" });
  await page.click("#reg-run");
  await page.waitForSelector("#reg-result:not([hidden])");
  await page.click("#reg-add");
  await page.waitForSelector("#reg-side");
  assert.match(await page.textContent("#reg-side"), /观测值/);
  assert.match(await page.textContent("#reg-side"), /城市固定效应|是/);
  problems.push(...(await englishWords(page, allowed)));
  await openPanel(page, "event-study");
  await page.click("#es-run");
  await page.waitForSelector("#es-plot img.chart");
  problems.push(...(await englishWords(page, allowed)));
  await openPanel(page, "placebo");
  await page.fill("#placebo-reps", "99").catch(() => {});
  await page.click("#placebo-run");
  await page.waitForSelector("#placebo-result:not([hidden]) #placebo-stats", { timeout: 120_000 });
  problems.push(...(await englishWords(page, allowed)));
  assert.deepEqual([...new Set(problems)], [], "English words in the Chinese results");
  assert.deepEqual(r.pageErrors, []);
});

test("the same check finds the English words of the English page (it can fail)", async () => {
  const r = await s.newPage("/?lang=en&sample=jjj");
  await waitForDataset(r.page, "jjj_cities.csv");
  assert.equal(await r.page.evaluate(() => document.documentElement.lang), "en");
  const words = await englishWords(r.page, dataWords("jjj_cities.csv"));
  assert.ok(words.length > 20, `English words found: ${words.length}`);
  assert.ok(words.some((w) => /“Data”/.test(w)), words.slice(0, 5).join("\n"));
});

test("the browser language picks the default; the header switch changes it, re-renders and persists", async () => {
  const zh = await s.newPage("/?sample=none", { locale: "zh-CN" });
  assert.equal(await zh.page.evaluate(() => document.documentElement.lang), "zh-CN");
  assert.equal(await zh.page.textContent("#nav-data"), "数据");
  // The switch names the other language and has an accessible name.
  assert.equal(await zh.page.textContent("#lang-switch"), "English");
  assert.match(await zh.page.getAttribute("#lang-switch", "aria-label"), /English/);
  await zh.page.click("#lang-switch");
  assert.equal(await zh.page.evaluate(() => document.documentElement.lang), "en");
  assert.equal(await zh.page.textContent("#nav-data"), "Data");
  assert.match(await zh.page.textContent("#panel-data h2"), /^Data$/);
  assert.equal(await zh.page.textContent("#lang-switch"), "中文");
  assert.match(await zh.page.textContent(".pitch"), /runs entirely in your browser/);
  // Persisted: a reload of the Chinese browser stays in English.
  await zh.page.reload();
  await zh.page.waitForSelector("html[data-ready=true]");
  assert.equal(await zh.page.evaluate(() => document.documentElement.lang), "en");
  assert.equal(await zh.page.textContent("#nav-data"), "Data");
  // Back to Chinese, and ?lang=en in the URL overrides the saved choice.
  await zh.page.click("#lang-switch");
  assert.equal(await zh.page.textContent("#nav-data"), "数据");
  const other = await s.newPage("/?lang=en&sample=none", { context: zh.context });
  assert.equal(await other.page.evaluate(() => document.documentElement.lang), "en");
  const same = await s.newPage("/?sample=none", { context: zh.context });
  assert.equal(await same.page.evaluate(() => document.documentElement.lang), "zh-CN");
  assert.deepEqual(zh.pageErrors, []);
});

test("switching the language with a result shown keeps the data and the panels working", async () => {
  const r = await s.newPage("/?lang=en&sample=jjj");
  const { page } = r;
  await waitForDataset(page, "jjj_cities.csv");
  await openPanel(page, "did");
  await page.click("#did-run");
  await page.waitForSelector("#did-result:not([hidden]) #did-facts");
  await page.click("#lang-switch");
  await page.waitForSelector("#panel-did:not([hidden])");
  assert.match(await page.textContent("#panel-did h2"), /DID/);
  assert.match(await page.textContent("#did-run"), /运行 DID/);
  // Still the same dataset, and the DID runs again, in Chinese.
  await page.click("#did-run");
  await page.waitForSelector("#did-result:not([hidden]) #did-facts");
  assert.match(await page.textContent("#did-facts"), /标准误/);
  assert.match(await page.textContent("#did-model-table"), /观测值/);
  // The data panel, mounted again, still shows the loaded file once.
  await openPanel(page, "data");
  assert.equal(await page.textContent("#status-file"), "jjj_cities.csv");
  assert.equal(await page.locator("#dropzone").count(), 1);
  assert.deepEqual(r.pageErrors, []);
});

test("engine errors are worded in Chinese with their parameters", async () => {
  const r = await s.newPage("/?lang=zh&sample=jjj");
  const { page } = r;
  await waitForDataset(page, "jjj_cities.csv");
  await openPanel(page, "regression");
  await page.waitForSelector("#reg-y option[value=lnHDQ]", { state: "attached" });
  await page.fill("#reg-formula", "lnHDQ ~ FTZx | city");
  await page.click("#reg-run");
  await page.waitForFunction(() => /FTZx/.test(document.querySelector("#reg-error")?.textContent || ""));
  const msg = await page.textContent("#reg-error");
  assert.match(msg, /没有名为“FTZx”的列/);
  assert.doesNotMatch(msg, /unknown column/i);
  // A non-numeric outcome: the column and the count in a Chinese sentence.
  await page.fill("#reg-formula", "city ~ FTZ");
  await page.click("#reg-run");
  await page.waitForFunction(() => /city/.test(document.querySelector("#reg-error")?.textContent || ""));
  assert.match(await page.textContent("#reg-error"), /[\u4e00-\u9fff]/);
  assert.deepEqual(r.pageErrors, []);
});

test("the Chinese catalogue covers every key the page uses", async () => {
  const { default: zh } = await import(path.join(ROOT, "www", "i18n", "zh.js"));
  const files = ["www", "www/panels", "www/lib"].flatMap((d) => fs.readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith(".js")).map((f) => path.join(ROOT, d, f)));
  const missing = new Set();
  for (const f of files) {
    const src = fs.readFileSync(f, "utf8");
    const code = src.split("\n").filter((l) => !/^\s*(\/\/|\*)/.test(l)).join("\n");
    for (const m of code.matchAll(/\bt\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]/g)) {
      const key = JSON.parse(`"${m[1]}"`);
      if (/[A-Za-z]/.test(key) && !(key in zh)) missing.add(`${path.relative(ROOT, f)}: ${key}`);
    }
  }
  assert.deepEqual([...missing], []);
});

test("screenshots of both languages at 1280 and 1024 px (e2e/artifacts; docs/screenshot-{en,zh}-{1280,1024}.png with UPDATE_SCREENSHOT=1)", async () => {
  const shots = [];
  for (const lang of ["en", "zh"]) {
    for (const width of [1280, 1024]) {
      const r = await s.newPage(`/?lang=${lang}&sample=jjj`, { viewport: { width, height: 1000 } });
      const { page } = r;
      await waitForDataset(page, "jjj_cities.csv");
      await page.waitForFunction(() => document.querySelector("#engine-status").classList.contains("ok"));
      await openPanel(page, "did");
      await page.click("#did-run");
      await page.waitForSelector("#did-result:not([hidden]) #did-facts");
      // The header (with the language switch) and the DID estimate in one view.
      await page.evaluate(() => window.scrollTo(0, document.querySelector("#did-result").getBoundingClientRect().top + window.scrollY - 420));
      await page.evaluate(() => document.fonts.ready);
      const name = `screenshot-${lang}-${width}.png`;
      const file = await screenshot(page, name);
      assert.ok(fs.statSync(file).size > 10_000, `${file} is a real image`);
      shots.push([file, name]);
      assert.deepEqual(r.pageErrors, []);
    }
  }
  // Tracked files change only on request, as the page test's screenshot.
  if (process.env.UPDATE_SCREENSHOT === "1") {
    fs.mkdirSync(path.join(ROOT, "docs"), { recursive: true });
    for (const [file, name] of shots) fs.copyFileSync(file, path.join(ROOT, "docs", name));
  }
});

test("every engine error code and the common diagnostics have a Chinese wording that keeps their fields", async () => {
  const i18n = await import(path.join(ROOT, "www", "i18n.js"));
  const { errorText, diagnosticText } = await import(path.join(ROOT, "www", "lib", "messages.js"));
  const err = (code, details) => Object.assign(new Error(`english ${code}`), { code, details });
  const cases = {
    empty_file: [{}, []],
    binary: [{ detail: "PNG signature" }, ["PNG signature"]],
    no_header: [{ detail: "line 1 is empty" }, ["line 1 is empty"]],
    duplicate_column: [{ name: "gdp", first: "2", second: "5" }, ["gdp", "2", "5"]],
    ragged_row: [{ line: "7", found: "3", expected: "4" }, ["7", "3", "4"]],
    parse: [{ line: "12", message: "bad quote" }, ["12", "bad quote"]],
    unknown_column: [{ name: "FTZx", suggestion: "FTZ" }, ["FTZx", "FTZ"]],
    non_numeric: [{ column: "gdp", count: "3", line: "9", value: "n/a" }, ["gdp", "3", "9", "n/a"]],
    formula: [{ formula: "y ~ + x", position: "5", message: "unexpected +" }, ["y ~ + x", "5", "unexpected +"]],
    invalid_argument: [{ message: "reps must be positive" }, ["参数无效：", "reps must be positive"]],
    insufficient_data: [{ message: "no treated unit" }, ["数据不足：", "no treated unit"]],
    numerical: [{ message: "singular matrix" }, ["数值计算问题：", "singular matrix"]],
    cancelled: [{}, []],
  };
  try {
    i18n.setLang("zh");
    for (const [code, [details, parts]] of Object.entries(cases)) {
      const text = errorText(err(code, details));
      assert.match(text, /[\u4e00-\u9fff]/, `${code}: ${text}`);
      assert.doesNotMatch(text, /english/, code);
      for (const p of parts) assert.ok(text.includes(p), `${code}: “${p}” in “${text}”`);
    }
    assert.equal(diagnosticText({ code: "singletons_dropped", message: "2 singleton groups dropped" }), "已剔除固定效应中的单例组。");
    assert.equal(diagnosticText({ code: "some_new_code", message: "kept as it is" }), "kept as it is");
    i18n.setLang("en");
    assert.equal(errorText(err("unknown_column", { name: "FTZx" })), "english unknown_column");
    assert.equal(diagnosticText({ code: "singletons_dropped", message: "2 singleton groups dropped" }), "2 singleton groups dropped");
  } finally {
    i18n.setLang("en");
  }
});

test("the engine's chart words are respelt in Chinese, with CJK fonts; markup and English are untouched", async () => {
  const i18n = await import(path.join(ROOT, "www", "i18n.js"));
  const { localizeSvg } = await import(path.join(ROOT, "www", "charts.js"));
  const svg = '<svg font-family="Helvetica, Arial, sans-serif"><text x="1">Periods relative to adoption</text><text>Effect on ln&lt;b&gt; (95% CI)</text><text>Density</text><text>lnHDQ</text></svg>';
  try {
    assert.equal(localizeSvg(svg), svg, "English: unchanged");
    i18n.setLang("zh");
    const zh = localizeSvg(svg);
    assert.match(zh, /<text x="1">相对政策实施的时期<\/text>/);
    assert.match(zh, /<text>对 ln&lt;b&gt; 的效应（95% 置信区间）<\/text>/);
    assert.match(zh, /<text>密度<\/text><text>lnHDQ<\/text>/);
    assert.match(zh, /font-family="Helvetica, Arial, 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"/);
    assert.equal(localizeSvg(zh), zh, "idempotent");
  } finally {
    i18n.setLang("en");
  }
});
