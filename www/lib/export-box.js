// The export box of a table: buttons (LaTeX / Markdown / CSV / Word) that download the
// engine's rendering of the table and show it, read-only, in a text box with a Copy
// button. `getText(format)` returns (a promise of) the text — for a ResultTable,
// `renderTableText(client, table, { format })` — so an export never re-runs an estimator.
import { el, downloadText, escapeHtml } from "../dom.js";
import { t } from "../i18n.js";

export const EXPORT_FORMATS = {
  latex: { label: "LaTeX", ext: "tex", mime: "text/x-tex;charset=utf-8" },
  markdown: { label: "Markdown", ext: "md", mime: "text/markdown;charset=utf-8" },
  csv: { label: "CSV", ext: "csv", mime: "text/csv;charset=utf-8" },
  html: { label: "Word (HTML)", ext: "html", mime: "text/html;charset=utf-8" },
};

/** Wraps an HTML table fragment into a document Word opens (the title escaped). */
export function htmlDocument(fragment, title = t("Table")) {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>\n${fragment}\n</body></html>\n`;
}

/** A Copy button for a read-only text box; `status` says whether the clipboard took it. */
export function copyButton(textArea, status, { id = null, className = "button" } = {}) {
  return el("button", {
    type: "button",
    class: className,
    id,
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(textArea.value);
        status.textContent = t("Copied to the clipboard.");
      } catch {
        textArea.select();
        status.textContent = t("Select-all done: press Ctrl+C (⌘C) to copy.");
      }
    },
  }, t("Copy"));
}

/**
 * Export buttons (LaTeX / Markdown / CSV / Word) + a read-only text box with a
 * Copy button. `getText(format)` returns (a promise of) the exported text; it is
 * downloaded as `${basename}.${ext}` and shown in the text box, never parsed.
 */
export function exportBox({ idPrefix, basename, getText, onError }) {
  const textArea = el("textarea", { id: `${idPrefix}-export-text`, class: "reg-export-text", rows: 8, readonly: true, spellcheck: "false" });
  const status = el("span", { class: "muted small", id: `${idPrefix}-export-status`, role: "status" });
  const box = el(
    "div",
    { class: "reg-export", hidden: true },
    el("label", { for: `${idPrefix}-export-text`, class: "field-label" }, t("Exported text")),
    textArea,
    el(
      "div",
      {},
      copyButton(textArea, status, { id: `${idPrefix}-copy`, className: "button" }),
    ),
  );
  const run = async (format) => {
    const x = EXPORT_FORMATS[format];
    try {
      const out = await getText(format);
      textArea.value = out;
      textArea.dataset.format = format;
      box.hidden = false;
      downloadText(`${basename}.${x.ext}`, format === "html" && !/^<!doctype/i.test(out) ? htmlDocument(out) : out, x.mime);
      status.textContent = t("{label} downloaded; the text is also shown below.", { label: t(x.label) });
    } catch (e) {
      status.textContent = "";
      onError?.(e);
    }
  };
  const buttons = el(
    "div",
    { class: "reg-export-buttons", role: "group", "aria-label": t("Export the table") },
    Object.entries(EXPORT_FORMATS).map(([format, x]) => el("button", { type: "button", class: "button", id: `${idPrefix}-export-${format}`, onclick: () => run(format) }, t(x.label))),
  );
  return { buttons, status, box, run };
}
