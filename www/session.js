// The session: every analysis the engine ran since the page opened, with its recipe
// (`result.recipe`: kind, spec, seed, data SHA-256, columns). From it the page
//   - offers "Embed in a report" under every result table (the recipe + a snippet to paste),
//   - saves the whole session as one JSON file and opens it again (rerunning each recipe on
//     the loaded data, or asking for the data file it was saved with),
//   - writes a link that carries a recipe (?recipe=…) and reruns it on arrival,
//   - downloads one Word report / Excel workbook with every table.
// Results are recorded where they arrive (the client's `call`), so panels need no code for it.
import { t } from "./i18n.js";

const SESSION_FORMAT = 1;
const entries = []; // { id, kind, recipe, result, at: Date, data: { name } }
const byTable = new WeakMap(); // a result's table object → its entry
const pending = []; // recipes waiting for matching data: { recipe, source }
let nextId = 1;
export const sessionEvents = new EventTarget();
const changed = () => sessionEvents.dispatchEvent(new Event("change"));

/** Records a result that carries a recipe (anything else is ignored). Returns the entry. */
export function record(result, dataName = null) {
  const recipe = result?.recipe;
  if (!recipe || typeof recipe.kind !== "string" || !("spec" in recipe)) return null;
  const key = JSON.stringify(recipe);
  const old = entries.findIndex((e) => JSON.stringify(e.recipe) === key);
  if (old >= 0) entries.splice(old, 1);
  const entry = { id: nextId++, kind: recipe.kind, recipe, result, at: new Date(), data: { name: dataName } };
  entries.push(entry);
  for (const table of result.tables || []) byTable.set(table, entry);
  changed();
  return entry;
}

/** The session's analyses, oldest first. */
export const analyses = () => entries.slice();

/** The analysis a result table came from (undefined for tables built on the page). */
export const entryOfTable = (table) => (table && typeof table === "object" ? byTable.get(table) : undefined);

export function removeAnalysis(id) {
  const i = entries.findIndex((e) => e.id === id);
  if (i >= 0) entries.splice(i, 1);
  changed();
}

/** Every result table of the session, in order. */
export const allTables = () => entries.flatMap((e) => e.result.tables || []);

/** The session as one JSON-able object. */
export function sessionDocument({ dataset = null, lang = "en", version = "" } = {}) {
  return {
    quasi_session: SESSION_FORMAT,
    quasi_version: version,
    saved_at: new Date().toISOString(),
    lang,
    data: dataset ? { name: dataset.name, rows: dataset.nrows, columns: dataset.ncols } : null,
    analyses: entries.map((e) => ({ kind: e.kind, at: e.at.toISOString(), recipe: e.recipe })),
  };
}

/** Reads a saved session (text) → its recipes; throws an Error that says what is wrong. */
export function parseSession(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(t("This file is not a Quasi session (it is not JSON: {message}).", { message: e.message }));
  }
  // A single recipe (as downloaded by "Embed in a report") opens as a one-analysis session.
  if (doc && typeof doc.kind === "string" && "spec" in doc) return { data: null, recipes: [doc] };
  if (!doc || doc.quasi_session !== SESSION_FORMAT || !Array.isArray(doc.analyses)) {
    throw new Error(t("This file is not a Quasi session."));
  }
  const recipes = doc.analyses.map((a) => a?.recipe).filter((r) => r && typeof r.kind === "string" && "spec" in r);
  return { data: doc.data ?? null, recipes };
}

/** True for the engine's refusal of data whose SHA-256 differs from the recipe's. */
export const isDataMismatch = (e) => /not the data the recipe was saved with|lack the column/.test(String(e?.message ?? e));

/**
 * Runs recipes on the loaded dataset through `client` (results are recorded as they arrive).
 * Recipes whose data differ wait in `pending` until other data are loaded.
 * Returns { ran, waiting, failed: [{ kind, message }] }.
 */
export async function runRecipes(client, handle, recipes, source = null) {
  const out = { ran: 0, waiting: 0, failed: [] };
  for (const recipe of recipes) {
    try {
      await client.call("call", { fn: "runRecipe", handle, args: [recipe] });
      out.ran++;
    } catch (e) {
      if (isDataMismatch(e)) {
        pending.push({ recipe, source });
        out.waiting++;
      } else {
        out.failed.push({ kind: recipe.kind, message: e.message, error: e });
      }
    }
  }
  changed();
  return out;
}

/** Recipes waiting for their data, and what they came from (session file name, link). */
export const waiting = () => pending.slice();

/** Tries the waiting recipes on newly loaded data (those that still do not match keep waiting). */
export async function retryPending(client, handle) {
  if (!pending.length) return { ran: 0, waiting: 0, failed: [] };
  const todo = pending.splice(0);
  const out = { ran: 0, waiting: 0, failed: [] };
  for (const p of todo) {
    const r = await runRecipes(client, handle, [p.recipe], p.source);
    out.ran += r.ran;
    out.waiting += r.waiting;
    out.failed.push(...r.failed);
  }
  return out;
}

export function queue(recipes, source) {
  for (const recipe of recipes) pending.push({ recipe, source });
  changed();
}

// ------------------------------------------------------------------ links and snippets

const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** The page's URL that reruns `recipe` on arrival (with `?sample=` when the data are a bundled sample). */
export function recipeLink(recipe, sampleKey = null) {
  const url = new URL(location.href);
  url.hash = "report";
  url.search = "";
  if (sampleKey) url.searchParams.set("sample", sampleKey);
  url.searchParams.set("recipe", b64url(new TextEncoder().encode(JSON.stringify(recipe))));
  return url.href;
}

/** The recipe a `?recipe=` parameter carries (null when absent); throws when it cannot be read. */
export function recipeFromUrl(search = location.search) {
  const s = new URLSearchParams(search).get("recipe");
  if (!s) return null;
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  let text;
  try {
    text = new TextDecoder().decode(Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0)));
  } catch {
    throw new Error(t("The link's recipe could not be read."));
  }
  return parseSession(text).recipes[0];
}

/** A file name for a recipe: the analysis kind in kebab case. */
export const recipeFileName = (kind) => `${String(kind).replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase()}.json`;

/** The HTML a report author pastes: the embed script and one element. */
export function embedSnippet({ kind, dataName, tableId = null, lang = "en" }) {
  const q = (v) => String(v).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  const attrs = [`data="${q(dataName || "data.csv")}"`, `recipe="${q(recipeFileName(kind))}"`];
  if (tableId) attrs.push(`tables="${q(tableId)}"`);
  if (lang === "zh") attrs.push(`lang="zh"`);
  return [
    `<!-- ${t("Copy Quasi's www/ and pkg/ folders to your site as quasi/; put the data file and the recipe next to this page.")} -->`,
    `<script type="module" src="quasi/www/embed.js"></script>`,
    `<quasi-result ${attrs.join(" ")}></quasi-result>`,
    "",
  ].join("\n");
}
