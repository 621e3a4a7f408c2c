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

test("fromBytesWithProgress reports fractions and can be cancelled", async () => {
  assert.equal(await page.evaluate(() => typeof quasi.Dataset.fromBytesWithProgress), "function");
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
  assert.ok(out.seen.length >= 2, `progress steps: ${out.seen.length}`);
  assert.ok(out.seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= out.seen[i - 1])), "monotone in [0,1]");
  assert.ok(out.cancelled && /cancel/i.test(out.cancelled), `cancel message: ${out.cancelled}`);
});

// ---------------------------------------------------------------- feols / regressionTable / buildIndex
// Issue 3's "at least one test in headless Chromium through the JS API": every
// case of jjj_did.json, provinces_did.json, mpdta_twfe.json, kielmc.json and
// mroz_iv.json, with the derived columns built in JS (ds.addColumn) exactly as
// tests/feols_golden.rs builds them. Estimates 1e-6, SE 1e-4 relative.

const FIX = path.join(ROOT, "tests", "fixtures");
const fixture = (name) => JSON.parse(fs.readFileSync(path.join(FIX, name), "utf8"));

/** The JSON's vcov spelled the way the public API documents it. */
function publicVcov(v) {
  if (v && typeof v === "object") return { cluster: [].concat(v.CRV1 ?? v.cluster) };
  if (/^(nonrobust|iid)$/i.test(v)) return "iid";
  if (/^(hc1|hetero)$/i.test(v)) return "hetero";
  throw new Error(`unknown vcov ${v}`);
}

/**
 * Fits `cases` ([{ key, formula, vcov }]) on tests/fixtures/<csv> in the page,
 * after adding derived columns: `derive` is the name of a recipe below.
 */
function fitInPage(csv, derive, cases) {
  return page.evaluate(
    async ({ csv, derive, cases }) => {
      const text = await (await fetch(`/tests/fixtures/${csv}`)).text();
      const lines = text.split(/\r?\n/).filter((l) => l.trim());
      const head = lines[0].split(",");
      const col = (n) => lines.slice(1).map((l) => {
        const f = l.split(",")[head.indexOf(n)];
        return f === "" || f === undefined ? NaN : Number(f);
      });
      const ds = quasi.Dataset.fromBytes(new TextEncoder().encode(text), { filename: csv });
      if (derive === "jjj") {
        const year = col("year");
        const start = col("ftz_year");
        for (let k = -7; k <= 7; k++) {
          if (k === -1) continue;
          const name = k < 0 ? `ev_m${-k}` : `ev_p${k}`;
          ds.addColumn(name, year.map((y, i) => (!Number.isNaN(start[i]) && y - start[i] === k ? 1 : 0)));
        }
        ds.addColumn("rel", year.map((y, i) => (Number.isNaN(start[i]) ? -1000 : y - start[i])));
      } else if (derive === "provinces") {
        const did = col("DID");
        const east = col("eastern");
        ds.addColumn("DID_east", did.map((d, i) => d * east[i]));
      } else if (derive === "mpdta") {
        const year = col("year");
        const g = col("first_treat");
        ds.addColumn("post", year.map((y, i) => (g[i] > 0 && y >= g[i] ? 1 : 0)));
      } else if (derive === "kielmc") {
        const a = col("y81");
        const b = col("nearinc");
        ds.addColumn("y81nearinc", a.map((x, i) => x * b[i]));
      }
      const out = {};
      for (const c of cases) out[c.key] = quasi.feols(ds, { formula: c.formula, vcov: c.vcov });
      ds.free();
      return out;
    },
    { csv, derive, cases },
  );
}

function checkFit(name, fit, want, rename = (t) => t) {
  assert.equal(fit.nobs, want.nobs, `${name} nobs`);
  assert.equal(fit.coefficients.length, Object.keys(want.coefficients).length, `${name}: number of terms`);
  for (const [term, w] of Object.entries(want.coefficients)) {
    const c = fit.coefficients.find((x) => x.term === rename(term));
    assert.ok(c, `${name}: ${rename(term)} present`);
    assert.ok(relErr(c.estimate, w.estimate) < 1e-6, `${name} ${term}: ${c.estimate} vs ${w.estimate}`);
    assert.ok(relErr(c.std_error, w.std_error) < 1e-4, `${name} ${term} se: ${c.std_error} vs ${w.std_error}`);
    if (typeof w.t_stat === "number") assert.ok(relErr(c.statistic, w.t_stat) < 1e-4, `${name} ${term} t`);
    for (const k of ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]) assert.ok(k in c, `${name}: field ${k}`);
    assert.ok(c.conf_low < c.estimate && c.estimate < c.conf_high);
  }
  if (typeof want.r2 === "number") assert.ok(relErr(fit.r2, want.r2) < 1e-6, `${name} r2 ${fit.r2} vs ${want.r2}`);
  if (typeof want.r2_within === "number") assert.ok(relErr(fit.r2_within, want.r2_within) < 1e-6, `${name} r2_within`);
  if (want.r2_within === null) assert.equal(fit.r2_within, null, `${name} r2_within null`);
  assert.ok(Array.isArray(fit.dropped), `${name}: dropped notes`);
}

async function runFixture(json, csv, derive) {
  const exp = fixture(json);
  const cases = Object.entries(exp.cases).map(([key, c]) => ({ key, formula: c.formula, vcov: publicVcov(c.vcov) }));
  const fits = await fitInPage(csv, derive, cases);
  for (const [key, c] of Object.entries(exp.cases)) checkFit(`${json}:${key}`, fits[key], c);
  return { exp, fits };
}

test("feols through the JS API: every jjj_did.json case (incl. the event study, also written with i())", async () => {
  const { exp, fits } = await runFixture("jjj_did.json", "jjj_cities.csv", "jjj");
  assert.equal(Object.keys(exp.cases).length, 8);
  assert.equal(fits.twfe_plain_cluster.clusters[0].n, 13);
  assert.equal(fits.twfe_plain_cluster.df_t, 12);
  const es = exp.cases.event_study_ref_m1;
  const viaI = (await fitInPage("jjj_cities.csv", "jjj", [{ key: "i", formula: "lnHDQ ~ i(rel, ref = c(-1, -1000)) | city + year", vcov: { cluster: ["city"] } }])).i;
  checkFit("event study with i()", viaI, es, (t) => `rel::${t.startsWith("ev_m") ? -Number(t.slice(4)) : Number(t.slice(4))}`);
});

test("feols through the JS API: provinces_did.json, mpdta_twfe.json, kielmc.json", async () => {
  await runFixture("provinces_did.json", "provinces.csv", "provinces");
  const m = await runFixture("mpdta_twfe.json", "mpdta.csv", "mpdta");
  assert.equal(m.fits.twfe_cluster.clusters[0].n, 500);
  const k = await runFixture("kielmc.json", "kielmc.csv", "kielmc");
  for (const f of Object.values(k.fits)) assert.equal(f.has_intercept, true);
  // the interaction written in the formula gives the same DID estimate
  const inter = (await fitInPage("kielmc.csv", "kielmc", [{ key: "x", formula: "rprice ~ y81*nearinc", vcov: "iid" }])).x;
  checkFit("kielmc y81*nearinc", inter, k.exp.cases.did_iid, (t) => (t === "y81nearinc" ? "y81:nearinc" : t));
});

test("feols IV through the JS API: mroz_iv.json (iid and HC1) with the first-stage F", async () => {
  const exp = fixture("mroz_iv.json");
  const formula = "lwage ~ exper + expersq | educ ~ fatheduc + motheduc";
  const fits = await fitInPage("mroz.csv", null, [
    { key: "unadjusted", formula, vcov: "iid" },
    { key: "robust_hc1", formula, vcov: "hetero" },
  ]);
  for (const key of ["unadjusted", "robust_hc1"]) {
    const fit = fits[key];
    assert.equal(fit.nobs, exp.nobs);
    for (const [term, w] of Object.entries(exp[key])) {
      const c = fit.coefficients.find((x) => x.term === term);
      assert.ok(c, `${key} ${term}`);
      assert.ok(relErr(c.estimate, w.estimate) < 1e-6, `${key} ${term}: ${c.estimate} vs ${w.estimate}`);
      assert.ok(relErr(c.std_error, w.std_error) < 1e-4, `${key} ${term} se: ${c.std_error} vs ${w.std_error}`);
    }
    assert.equal(fit.first_stage.length, 1);
    assert.equal(fit.first_stage[0].endogenous, "educ");
    assert.ok(relErr(fit.first_stage[0].f_statistic, exp.first_stage_partial_f) < 1e-6, `first-stage F ${fit.first_stage[0].f_statistic}`);
    assert.ok(/325/.test(fit.dropped.join(" ")), `dropped rows noted: ${fit.dropped}`);
  }
});

test("regressionTable through the JS API: latex / markdown / html / csv of fitted models", async () => {
  const out = await page.evaluate(() => {
    const ds = quasi.Dataset.fromBytes(jjj, { filename: "jjj_cities.csv" });
    const f1 = quasi.feols(ds, { formula: "lnHDQ ~ FTZ + pgdp | city + year", vcov: { cluster: ["city"] } });
    const f2 = quasi.feols(ds, { formula: "lnHDQ ~ FTZ | city + year", vcov: { cluster: ["city", "year"] } });
    const r = {};
    for (const format of ["latex", "markdown", "html", "csv"]) r[format] = quasi.regressionTable([f1, f2], { format });
    r.est = f1.coefficients[0].estimate;
    r.twoway = f2.clusters.map((c) => c.name);
    let err = null;
    try {
      quasi.feols(ds, { formula: "lnHDQ ~ FTZ + | city" });
    } catch (e) {
      err = e.message;
    }
    r.err = err;
    return r;
  });
  assert.match(out.latex, /\\toprule/);
  assert.match(out.latex, /\\bottomrule/);
  assert.ok(out.latex.includes(out.est.toFixed(3)));
  assert.match(out.markdown, /\| *\(1\) *\| *\(2\) *\|/);
  assert.match(out.html, /<table/);
  assert.match(out.csv, /FTZ/);
  assert.deepEqual(out.twoway, ["city", "year"]);
  assert.match(out.err, /position 15/);
});

test("buildIndex through the JS API: entropy, TOPSIS and PCA match jjj_entropy.json (1e-9)", async () => {
  const ref = fixture("jjj_entropy.json");
  const dims = Object.fromEntries(Object.entries(ref.dimension_weights).flatMap(([d, s]) => s.indicators.map((n) => [n, d])));
  const indicators = ref.indicators.map((name, i) => ({ name, direction: ref.directions[i], dimension: dims[name] }));
  const out = await page.evaluate((indicators) => {
    const ds = quasi.Dataset.fromBytes(jjj, { filename: "jjj_cities.csv" });
    const e = quasi.buildIndex(ds, { method: "entropy", indicators, scope: "pooled", time: "year", shift: 1e-4 });
    const t = quasi.buildIndex(ds, { method: "topsis", indicators });
    const p = quasi.buildIndex(ds, { method: "pca", indicators: indicators.filter((x) => x.direction === 1) });
    ds.addColumn("HQD", e.scores);
    const fit = quasi.feols(ds, { formula: "log(HQD) ~ FTZ | city + year", vcov: { cluster: ["city"] } });
    return { e, t, p, fitN: fit.nobs, hasHQD: ds.columnNames().includes("HQD") };
  }, indicators);
  const close = (a, b, what) => {
    assert.equal(a.length, b.length, what);
    a.forEach((x, i) => assert.ok(relErr(x, b[i]) < 1e-9, `${what}[${i}] ${x} vs ${b[i]}`));
  };
  close(out.e.weights.map((w) => w.weight), ref.weights, "weights");
  close(out.e.weights.map((w) => w.entropy), ref.entropy, "entropy");
  close(out.e.scores, ref.score, "scores");
  for (const d of out.e.dimensions) close(d.weights, ref.dimension_weights[d.dimension].weights, `dimension ${d.dimension}`);
  close(out.t.closeness, ref.topsis_closeness, "closeness");
  close(out.p.eigenvalues, ref.pca.eigenvalues, "eigenvalues");
  close(out.p.index, ref.pca.index, "pca index");
  assert.equal(out.p.n_components, ref.pca.n_components);
  assert.ok(relErr(out.p.kmo, ref.pca.kmo) < 1e-9);
  assert.ok(relErr(out.p.bartlett.chi2, ref.pca.bartlett_chi2) < 1e-9);
  assert.equal(out.p.bartlett.df, ref.pca.bartlett_df);
  assert.equal(out.hasHQD, true);
  assert.equal(out.fitN, 130);
});

test("tables and typed diagnostics: buildIndex, describe, panelInfo and loadReport; renderTable in all five formats", async () => {
  const out = await page.evaluate(() => {
    const ds = quasi.Dataset.fromBytes(jjj, { filename: "jjj_cities.csv" });
    const ind = [
      { name: "firms_per_10k", direction: 1, dimension: "vitality" },
      { name: "exit_rate", direction: -1, dimension: "vitality" },
      { name: "patents_per_10k", direction: 1, dimension: "innovation" },
      { name: "trademarks_per_10k", direction: 1, dimension: "innovation" },
    ];
    const results = {
      entropy: quasi.buildIndex(ds, { method: "entropy", indicators: ind }),
      topsis: quasi.buildIndex(ds, { method: "topsis", indicators: ind, weights: [2, 1, 1, 1] }),
      pca: quasi.buildIndex(ds, { method: "pca", indicators: ind.filter((x) => x.direction === 1) }),
      describe: ds.describe({ columns: ["lnHDQ", "pgdp"], format: "markdown" }),
      describeBy: ds.describe({ columns: ["lnHDQ"], by: "FTZ", quantiles: true }),
      panel: ds.panelInfo("city", "year"),
    };
    const rendered = {};
    for (const [k, r] of Object.entries(results)) {
      rendered[k] = (r.tables || []).map((t) => Object.fromEntries(["csv", "markdown", "latex", "html", "text"].map((f) => [f, quasi.renderTable(t, { format: f })])));
    }
    const csv = ds.describeCsv({ columns: ["lnHDQ", "pgdp"] });
    const csvFromTable = quasi.renderTable(results.describe.tables[0], { format: "csv" });
    // a file with warnings: a decimal comma and an unnamed column
    const messy = quasi.Dataset.fromBytes(new TextEncoder().encode("a;;c\n1,5;2;3\n2,5;4;5\n"), { filename: "m.csv" }).loadReport();
    return { results, rendered, csv, csvFromTable, warnings: messy.warnings, jjjWarnings: ds.loadReport().warnings };
  });
  for (const [k, r] of Object.entries(out.results)) {
    assert.ok(Array.isArray(r.tables) && r.tables.length > 0, `${k}: tables`);
    for (const t of r.tables) {
      assert.equal(typeof t.id, "string", `${k}: id`);
      assert.ok(t.columns.length > 1 && t.rows.length > 0, `${k} ${t.id}: columns and rows`);
      for (const row of t.rows) assert.equal(row.cells.length, t.columns.length, `${k} ${t.id}: row shape`);
    }
    assert.ok(Array.isArray(r.diagnostics), `${k}: diagnostics is a list`);
    for (const d of r.diagnostics) assert.ok(typeof d.code === "string" && typeof d.severity === "string" && typeof d.message === "string", `${k}: ${JSON.stringify(d)}`);
    for (const [i, byFormat] of out.rendered[k].entries()) {
      for (const [f, text] of Object.entries(byFormat)) assert.ok(text.length > 0, `${k} table ${i} as ${f}`);
      assert.match(byFormat.html, /<table/);
      assert.match(byFormat.latex, /\\begin\{tabular\}/);
    }
  }
  assert.deepEqual(out.results.entropy.tables.map((t) => t.id), ["index.weights", "index.dimensions", "index.scores"]);
  assert.deepEqual(out.results.pca.tables.map((t) => t.id), ["index.pca.components", "index.pca.loadings", "index.pca.adequacy", "index.scores"]);
  assert.equal(out.results.describe.tables[0].id, "describe.stats");
  assert.equal(out.results.panel.tables[0].id, "panel.info");
  // the TOPSIS weights were rescaled: a typed diagnostic
  assert.ok(out.results.topsis.diagnostics.some((d) => d.code === "weights_rescaled"), JSON.stringify(out.results.topsis.diagnostics));
  // describeCsv is the CSV of the describe table
  assert.equal(out.csv, out.csvFromTable);
  // load report warnings are typed
  assert.ok(Array.isArray(out.jjjWarnings));
  assert.ok(out.warnings.length >= 2, JSON.stringify(out.warnings));
  for (const w of out.warnings) assert.ok(typeof w.code === "string" && typeof w.message === "string", JSON.stringify(w));
  assert.ok(out.warnings.some((w) => w.code === "decimal_comma"), JSON.stringify(out.warnings));
  assert.ok(out.warnings.some((w) => w.code === "header_repaired"), JSON.stringify(out.warnings));
});
