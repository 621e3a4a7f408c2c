// Deterministic generator of the benchmark CSV: 1,000,000 rows × 10 numeric
// columns (~100 MB), seeded so every machine gets byte-identical input.
//   node bench/gen.mjs [rows] [out]     (defaults: 1000000, bench/out/numeric_1m.csv)
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_ROWS = 1_000_000;
export const NCOLS = 10;
export const DEFAULT_FILE = path.join(ROOT, "bench", "out", "numeric_1m.csv");

/** mulberry32: a tiny, well-mixed 32-bit PRNG (seeded, reproducible). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes the file if it does not exist yet (or has the wrong row count marker); returns its path. */
export function ensureBenchCsv(file = DEFAULT_FILE, rows = DEFAULT_ROWS, seed = 20240601) {
  const marker = `${file}.rows`;
  if (fs.existsSync(file) && fs.existsSync(marker) && fs.readFileSync(marker, "utf8") === String(rows)) return file;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const next = rng(seed);
  const fd = fs.openSync(file + ".tmp", "w");
  const header = Array.from({ length: NCOLS }, (_, j) => `x${j + 1}`).join(",") + "\n";
  fs.writeSync(fd, header);
  const CHUNK = 20_000;
  for (let start = 0; start < rows; start += CHUNK) {
    const lines = [];
    for (let i = start; i < Math.min(rows, start + CHUNK); i++) {
      const v = new Array(NCOLS);
      // mixed magnitudes and signs, 7 decimals: ~10.6 bytes per field (~106 MB in all)
      for (let j = 0; j < NCOLS; j++) v[j] = ((next() - 0.3) * (j % 3 === 0 ? 100 : 10)).toFixed(7);
      lines.push(v.join(","));
    }
    fs.writeSync(fd, lines.join("\n") + "\n");
  }
  fs.closeSync(fd);
  fs.renameSync(file + ".tmp", file);
  fs.writeFileSync(marker, String(rows));
  return file;
}

if (import.meta.url === pathToFileURL(process.argv[1] || "").href) {
  const rows = Number(process.argv[2] || DEFAULT_ROWS);
  const file = ensureBenchCsv(process.argv[3] || DEFAULT_FILE, rows);
  console.log(`${file}: ${(fs.statSync(file).size / 1e6).toFixed(1)} MB, ${rows} rows × ${NCOLS} columns`);
}
