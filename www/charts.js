// Charts: the SVG text comes from the wasm core (report::svg, labels already
// XML-escaped there). As a second line of defence it is never parsed into this
// document: it is shown through an <img> whose source is a blob: URL, where
// scripts and event handlers cannot run. Downloads: the SVG itself, or a PNG
// rendered through a canvas at 2× for print.
import { el } from "./dom.js";
import { t, isZh } from "./i18n.js";

// The engine draws its charts with English axis titles and a Latin font stack. In Chinese the
// page respells the engine's fixed chart words (exact text nodes of the SVG, already escaped;
// the replacement adds no markup) and adds CJK fonts to the stack.
const SVG_WORDS = [
  [/^Periods relative to adoption$/, () => t("svg:Periods relative to adoption")],
  [/^Estimate and (\d+)% CI$/, (m) => t("svg:Estimate and {n}% CI", { n: m[1] })],
  [/^Effect on (.+) \((\d+)% CI\)$/, (m) => t("svg:Effect on {y} ({n}% CI)", { y: m[1], n: m[2] })],
  [/^(\d+(?:\.\d+)?)% confidence interval$/, (m) => t("svg:{n}% confidence interval", { n: m[1] })],
  [/^… and (\d+) more$/, (m) => t("… and {n} more", { n: m[1] })],
  [/^link \((\d+) pairs\)$/, (m) => t("svg:link ({n} pairs)", { n: m[1] })],
  [/^(Event study: estimators compared|Weight|2×2 DID estimate|Goodman-Bacon decomposition|density|Density|Placebo estimate|Actual estimate|Original)$/, (m) => t(`svg:${m[1]}`)],
];
const CJK_FONTS = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei'";

/** The engine's SVG with its fixed words in the page's language (unchanged in English). */
export function localizeSvg(svg) {
  if (!isZh() || typeof svg !== "string") return svg;
  return svg
    .replace(/font-family="([^"]*)sans-serif"/g, (m, head) => (head.includes("CJK") ? m : `font-family="${head}${CJK_FONTS}, sans-serif"`))
    .replace(/>([^<>]+)</g, (m, text) => {
      for (const [re, fn] of SVG_WORDS) {
        const hit = re.exec(text);
        if (hit) return `>${fn(hit)}<`;
      }
      return m;
    });
}

const urls = new WeakMap();

/** A figure element showing `svg` with "SVG" and "PNG" download buttons. */
export function chartFigure(svg, { filename = "chart", caption, alt = caption || t("Chart") } = {}) {
  svg = localizeSvg(svg);
  const blob = new Blob([svg], { type: "image/svg+xml" });
  const url = URL.createObjectURL(blob);
  const img = el("img", { class: "chart", src: url, alt });
  urls.set(img, url);
  const buttons = el(
    "div",
    { class: "chart-actions" },
    el("button", { type: "button", class: "secondary small", onclick: () => downloadBlob(blob, `${filename}.svg`) }, t("Download SVG")),
    el("button", { type: "button", class: "secondary small", onclick: () => downloadPng(svg, `${filename}.png`) }, t("Download PNG")),
  );
  return el("figure", { class: "chart-figure" }, img, caption ? el("figcaption", {}, caption) : null, buttons);
}

/** Releases the blob URLs of charts inside `root` (call before replacing them). */
export function releaseCharts(root) {
  for (const img of root.querySelectorAll("img.chart")) {
    const url = urls.get(img);
    if (url) URL.revokeObjectURL(url);
  }
}

function downloadBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Renders the SVG to a PNG at `scale`× its intrinsic size and downloads it. */
export async function svgToPngBlob(svg, scale = 2) {
  const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const w = Math.max(1, Math.round((img.naturalWidth || 800) * scale));
    const h = Math.max(1, Math.round((img.naturalHeight || 500) * scale));
    const canvas = el("canvas", { width: w, height: h });
    const g = canvas.getContext("2d");
    g.fillStyle = "#fff";
    g.fillRect(0, 0, w, h);
    g.drawImage(img, 0, 0, w, h);
    return await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  } finally {
    URL.revokeObjectURL(url);
  }
}

async function downloadPng(svg, name) {
  const blob = await svgToPngBlob(svg);
  if (blob) downloadBlob(blob, name);
}
