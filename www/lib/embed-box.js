// "Embed in a report" under a result table: downloads the analysis's recipe (JSON) and shows
// the HTML snippet that puts the live result into a report page (www/embed.js).
import { el, downloadText } from "../dom.js";
import { t, lang as pageLang } from "../i18n.js";
import { embedSnippet, recipeFileName } from "../session.js";
import { copyButton } from "./export-box.js";

let boxes = 0;

/** The button and its (hidden until used) snippet box for the analysis `entry` and one of its tables. */
export function embedBox(entry, table) {
  const id = `embed-${++boxes}`;
  const text = el("textarea", { id: `${id}-snippet`, class: "reg-export-text embed-snippet", rows: 4, readonly: true, spellcheck: "false" });
  const status = el("span", { class: "muted small", role: "status" });
  const box = el(
    "div",
    { class: "embed-box", hidden: true },
    el("label", { for: `${id}-snippet`, class: "field-label" }, t("Paste into your report page")),
    text,
    copyButton(text, status, { className: "secondary small" }),
    status,
  );
  const button = el("button", {
    type: "button",
    class: "secondary small embed-button",
    "data-format": "embed",
    onclick: () => {
      downloadText(recipeFileName(entry.kind), JSON.stringify(entry.recipe, null, 2) + "\n", "application/json;charset=utf-8");
      text.value = embedSnippet({ kind: entry.kind, dataName: entry.data.name, tableId: table?.id ?? null, lang: pageLang() });
      box.hidden = false;
      status.textContent = t("Recipe {file} downloaded.", { file: recipeFileName(entry.kind) });
    },
  }, t("Embed in a report"));
  return { button, box };
}
