// Loads the wasm build the benchmarks time: pkg/ (what `make build` ships) unless QUASI_PKG
// names another wasm-bindgen --target web output (e.g. scripts/perf-wasm.sh's quick build).
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./gen.mjs";

export const PKG_DIR = path.resolve(ROOT, process.env.QUASI_PKG || "pkg");

export async function loadQuasi() {
  const js = path.join(PKG_DIR, "quasi.js");
  if (!fs.existsSync(js)) throw new Error(`${js} missing: run make build (or scripts/perf-wasm.sh) first`);
  const quasi = await import(js);
  quasi.initSync({ module: fs.readFileSync(path.join(PKG_DIR, "quasi_bg.wasm")) });
  return quasi;
}
