// Writes the recipes of examples/report.html from the public JS API, exactly as a report
// author would: run the analysis once on the data, save `result.recipe` as JSON.
//   node examples/make-recipes.mjs        (after `make build`)
import fs from "node:fs";
import init, * as quasi from "../pkg/quasi.js";

const here = (p) => new URL(p, import.meta.url);
await init({ module_or_path: fs.readFileSync(here("../pkg/quasi_bg.wasm")) });
const data = quasi.Dataset.fromBytes(fs.readFileSync(here("report/panel.csv")), { filename: "panel.csv" });

const did = { y: "lnHDQ", unit: "city", time: "year", start: "ftz_year", controls: ["pgdp", "fdi", "urba"], vcov: { cluster: ["city"] } };
const recipes = {
  "did.json": quasi.did(data, did).recipe,
  "event-study.json": quasi.eventStudy(data, { ...did, window: [-5, 5] }).recipe,
  "placebo.json": quasi.placebo(data, { ...did, kind: "permute_units", reps: 500, seed: 2024 }).recipe,
};
for (const [name, recipe] of Object.entries(recipes)) {
  fs.writeFileSync(here(`report/${name}`), JSON.stringify(recipe, null, 2) + "\n");
  console.log(`examples/report/${name}: ${recipe.kind}, data ${recipe.data_sha256.slice(0, 12)}…`);
}
