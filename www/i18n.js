// The page's languages: English and Simplified Chinese. Strings are written in the code
// in English and looked up in the current language's catalogue (www/i18n/zh.js), so
// the English text is its own key: t("Run DID") → "运行 DID" in Chinese, "Run DID" in
// English (www/i18n/en.js only holds entries keyed by an id, e.g. error codes).
// Parameters: t("{n} rows", { n: 12 }). A missing translation falls back to English.
//
// Language: ?lang=zh|en in the URL, else the one saved by the header switch
// (localStorage "quasi.lang"), else the browser's (navigator.languages: zh* → zh).
// <html lang> follows ("zh-CN" / "en").
import EN from "./i18n/en.js";
import ZH from "./i18n/zh.js";

export const LANGS = ["en", "zh"];
const CATALOGUES = { en: EN, zh: ZH };
const STORAGE_KEY = "quasi.lang";
const listeners = new Set();
let current = "en";

/** Normalises a language tag: zh* → "zh", anything else → "en" (null for nothing). */
export function normaliseLang(tag) {
  if (!tag) return null;
  const s = String(tag).toLowerCase();
  if (s.startsWith("zh")) return "zh";
  if (s.startsWith("en")) return "en";
  return null;
}

/** The language to start in: URL, saved choice, browser. */
export function detectLang({ search = globalThis.location?.search ?? "", storage = safeStorage(), languages = globalThis.navigator?.languages ?? [] } = {}) {
  const fromUrl = normaliseLang(new URLSearchParams(search).get("lang"));
  if (fromUrl) return fromUrl;
  const saved = normaliseLang(storage?.getItem(STORAGE_KEY));
  if (saved) return saved;
  for (const l of languages) {
    const n = normaliseLang(l);
    if (n) return n;
  }
  return "en";
}

function safeStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** The current language: "en" or "zh". */
export const lang = () => current;
export const isZh = () => current === "zh";

/** The BCP 47 tag of the current language (for <html lang> and Intl). */
export const langTag = (l = current) => (l === "zh" ? "zh-CN" : "en");

/**
 * Sets the language (and <html lang>); `persist` saves it for the next visit. Listeners
 * registered with onLangChange run when it changes.
 */
export function setLang(l, { persist = false } = {}) {
  const next = normaliseLang(l) || "en";
  const changed = next !== current;
  current = next;
  if (globalThis.document) document.documentElement.lang = langTag();
  if (persist) {
    try {
      safeStorage()?.setItem(STORAGE_KEY, next);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
  }
  if (changed) for (const fn of listeners) fn(next);
  return next;
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

const fill = (s, params) => (params ? s.replace(/\{(\w+)\}/g, (m, k) => (params[k] === undefined || params[k] === null ? m : String(params[k]))) : s);

/** The text of `key` in the current language, with {name} parameters filled. */
export function t(key, params) {
  const s = CATALOGUES[current]?.[key] ?? EN[key] ?? key;
  return fill(s, params);
}

/** True if the current language has its own text for `key` (else t() falls back). */
export const has = (key) => Object.hasOwn(CATALOGUES[current] ?? {}, key);

/** A number in the language's convention (Intl.NumberFormat); `options` as Intl's. */
export function formatNum(value, options = {}) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "";
  return new Intl.NumberFormat(langTag(), options).format(value);
}

/** An integer count (1,234) in the language's convention. */
export const formatCount = (n) => formatNum(n, { maximumFractionDigits: 0 });

/** A p-value: 4 decimals, "<0.0001" below (the same in both languages). */
export function formatPValue(p) {
  if (typeof p !== "number" || !Number.isFinite(p)) return "";
  return p < 0.0001 ? "<0.0001" : formatNum(p, { minimumFractionDigits: 4, maximumFractionDigits: 4, useGrouping: false });
}

/** A date (Date or timestamp) in the language's convention (Intl.DateTimeFormat). */
export function formatDate(value, options = { dateStyle: "medium", timeStyle: "short" }) {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return "";
  return new Intl.DateTimeFormat(langTag(), options).format(d);
}

/** Translates the static page (index.html): data-i18n (text) and data-i18n-{attr} (attributes). */
export function translateStatic(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const attr of ["title", "aria-label", "placeholder", "content"]) {
    const data = `i18n${attr.replace(/(^|-)(\w)/g, (m, d, c) => c.toUpperCase())}`; // data-i18n-aria-label → i18nAriaLabel
    for (const node of root.querySelectorAll(`[data-i18n-${attr}]`)) node.setAttribute(attr, t(node.dataset[data]));
  }
  if (root === document) {
    const title = document.querySelector("title[data-i18n]");
    if (title) document.title = title.textContent;
  }
}
