// Small UI pieces every panel uses: the panel header, fields, selects, an error card,
// the notes/diagnostics list and a card with a title. Strings reach the DOM only as text.
import { el, replaceChildren } from "../dom.js";
import { t } from "../i18n.js";
import { diagnosticText } from "./messages.js";

/** The panel's <header>: title (h2 with id `panel-${id}-title`) and a lede (nodes or text). */
export function panelHeader(id, title, ...lede) {
  return el("header", { class: "panel-head" }, el("h2", { id: `panel-${id}-title` }, title), el("p", { class: "lede" }, ...lede));
}

/** An <option>. */
export const option = (value, label = value, selected = false) => el("option", { value, selected }, label);

/** A <select> of [value, label, selected?] triples. */
export function select(id, options, onchange) {
  return el("select", { id, onchange }, options.map(([value, label, selected]) => option(value, label, Boolean(selected))));
}

/** A labelled control; `extra`: { className, wrapId, hint }. */
export function field(id, label, control, extra = {}) {
  return el("div", { class: ["field", extra.className], id: extra.wrapId }, el("label", { for: id, class: "field-label" }, label), control, extra.hint ?? null);
}

/** A labelled <input type=number>. */
export function numberField(id, label, value, attrs = {}) {
  const input = el("input", { type: "number", id, value: String(value), ...attrs });
  return { input, root: field(id, label, input) };
}

/** A card (<section>) with a title, optional actions beside it, and a body. */
export function card(id, title, actions, ...body) {
  return el("section", { class: "card", id }, el("div", { class: "card-head" }, el("h3", {}, title), actions ? el("div", { class: "psm-card-actions" }, actions) : null), ...body);
}

/** An error card: show(title, message) / clear(). The message goes in `${id}-message`. */
export function errorCard(id) {
  const root = el("div", { class: "card error-card", id, role: "alert", hidden: true });
  return {
    root,
    show(title, message) {
      replaceChildren(root, el("p", {}, el("strong", {}, title)), message ? el("pre", { class: "error-message", id: `${id}-message` }, message) : null);
      root.hidden = false;
    },
    clear() {
      root.hidden = true;
      replaceChildren(root);
    },
  };
}

/** The messages of diagnostics (`{ code, severity, message }`) or plain strings, each once. */
export function noteMessages(notes) {
  return [...new Set((notes || []).map((d) => diagnosticText(d)).filter(Boolean))];
}

/** A notes list (diagnostics shown once each, warnings marked), or null when empty. */
export function notesBox(id, notes, { title = t("Notes") } = {}) {
  // A Chinese wording shows no counts: the engine's English message is kept as the item's title.
  const seen = new Set();
  const items = [];
  for (const d of notes || []) {
    const msg = diagnosticText(d);
    if (!msg || seen.has(msg)) continue;
    seen.add(msg);
    const severity = d && typeof d === "object" ? d.severity : null;
    const original = d && typeof d === "object" && d.message !== msg ? String(d.message) : null;
    items.push(el("li", { dataset: { code: d?.code ?? "", severity: severity ?? "" } }, msg, original ? el("span", { class: "muted small note-original", lang: "en" }, ` (${original})`) : null));
  }
  if (!items.length) return null;
  return el("div", { class: "warning did-notes", id, role: "note" }, el("p", {}, el("strong", {}, title)), el("ul", {}, items));
}

/**
 * A checkbox list of columns with "all" / "none" links (id on the list). Text columns are
 * tagged: the engine expands them to dummies. Returns { root, list, fill(columns, chosen),
 * selected(), take(names) } — `take` greys out (and skips) columns used elsewhere.
 */
export function columnChooser(id, label) {
  const list = el("div", { class: "chooser psm-covariates", id, role: "group", "aria-labelledby": `${id}-label` });
  const setAll = (on) => () => {
    for (const box of list.querySelectorAll("input[type=checkbox]:not(:disabled)")) box.checked = on;
  };
  const root = el(
    "div",
    { class: "field" },
    el(
      "div",
      { class: "chooser-head" },
      el("span", { class: "field-label", id: `${id}-label` }, label),
      el("button", { type: "button", class: "link", onclick: setAll(true) }, t("all")),
      el("button", { type: "button", class: "link", onclick: setAll(false) }, t("none")),
    ),
    list,
  );
  return {
    root,
    list,
    fill(columns, chosen = new Set()) {
      replaceChildren(
        list,
        columns.map((c) =>
          el(
            "label",
            { class: "check", dataset: { column: c.name } },
            el("input", { type: "checkbox", value: c.name, checked: chosen.has(c.name) }),
            " ",
            el("span", {}, c.name),
            c.kind === "text" ? el("span", { class: "tag psm-tag", title: t("expanded to one dummy per level but the first") }, t("dummies")) : null,
          ),
        ),
      );
    },
    selected: () => [...list.querySelectorAll("input[type=checkbox]:checked:not(:disabled)")].map((b) => b.value),
    take(names) {
      const taken = new Set(names);
      for (const box of list.querySelectorAll("input[type=checkbox]")) {
        box.disabled = taken.has(box.value);
        box.closest("label").classList.toggle("is-taken", box.disabled);
      }
    },
  };
}

/**
 * The frame of a panel that needs data: header, a "Load data first" line, and the body
 * (hidden until a dataset is loaded). Returns { empty, body }; show the body with
 * `empty.hidden = true; body.hidden = false`.
 */
export function dataPanel(root, header, children) {
  const empty = el("p", { class: "muted empty" }, t("Load data first (Data panel)."));
  const body = el("div", { hidden: true }, children);
  replaceChildren(root, header, empty, body);
  return { empty, body };
}
