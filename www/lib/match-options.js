// The matching options of the PSM and PSM-DID panels: one description of the engine's
// MatchOptions (src/estimators/psm/options.rs; psm's flat fields and psmDid's `match`
// block alike), from which both panels build their controls, read the options and
// describe them. Ids are `${prefix}-${id}` (prefix "psm" or "psmdid").
import { el } from "../dom.js";
import { field, select } from "./ui.js";
import { t } from "../i18n.js";

const nearest = (v) => v.method === "nearest";

/**
 * One entry an option: `key` (the engine's name), `id`, `label`, `type` ("select",
 * "check", "number"), `options` for selects ([value, label, default?]), `value` default,
 * `when(values)` (sent only then), number checks (`integer`, `min`, `strict`), `group`
 * (where the panel lays it out: "model", "nearest", "caliper", "kernel", "matching", "seed").
 */
export const MATCH_OPTIONS = [
  { key: "model", id: "model", label: "Model", type: "select", group: "model", options: [["logit", "Logit", true], ["probit", "Probit"]] },
  { key: "method", id: "method", label: "Method", type: "select", group: "matching", options: [["nearest", "Nearest neighbour", true], ["radius", "Radius (all within the caliper)"], ["kernel", "Kernel"]] },
  { key: "k", id: "k", label: "Neighbours (k)", type: "number", group: "nearest", value: "1", integer: true, min: 1, strict: false, what: "The number of neighbours k", when: nearest },
  { key: "replace", id: "replace", label: "With replacement", type: "check", group: "nearest", value: true, when: nearest },
  { key: "order", id: "order", label: "Greedy order", type: "select", group: "nearest", options: [["descending", "Descending score", true], ["ascending", "Ascending score"], ["random", "Random (seeded)"]], when: (v) => nearest(v) && !v.replace },
  { key: "ties", id: "ties", label: "Keep ties (shared weights)", type: "check", group: "nearest", value: true, when: nearest, title: "Controls tied at the k-th distance (within 1e-5) share the weight, as R Matching's ties = TRUE" },
  { key: "match_on", id: "match-on", label: "Match on", type: "select", group: "matching", options: [["score", "Propensity score", true], ["logit", "Logit of the score (linear index)"]] },
  { key: "caliper", id: "caliper", label: "Caliper width", type: "number", group: "caliper", value: "0.1", min: 0, what: "The caliper", when: (v) => v.use_caliper || v.method === "radius" },
  { key: "caliper_scale", id: "caliper-scale", label: "Caliper units", type: "select", group: "caliper", options: [["sd", "SD units", true], ["absolute", "absolute"]], when: (v) => v.use_caliper || v.method === "radius" },
  { key: "kernel", id: "kernel", label: "Kernel", type: "select", group: "kernel", options: [["epanechnikov", "Epanechnikov", true], ["gaussian", "Gaussian"]], when: (v) => v.method === "kernel" },
  { key: "bandwidth", id: "bandwidth", label: "Bandwidth (matching-variable units)", type: "number", group: "kernel", value: "0.06", min: 0, what: "The kernel bandwidth", when: (v) => v.method === "kernel" },
  { key: "common_support", id: "common", label: "Impose common support (drop units outside the other group's score range)", type: "check", group: "support", value: false },
  { key: "seed", id: "seed", label: "Seed", type: "number", group: "seed", value: "42", integer: true, min: 0, strict: false, what: "The seed" },
];

/** A number from an input, checked as the entry says (throws a user-facing Error). */
export function checkedNumber(input, what, { integer = false, min = 0, strict = true } = {}) {
  const raw = input.value.trim();
  const v = Number(raw);
  const ok = raw !== "" && Number.isFinite(v) && (strict ? v > min : v >= min) && (!integer || Number.isInteger(v));
  if (!ok) {
    input.setAttribute("aria-invalid", "true");
    throw new Error(t(integer ? (strict ? "{what} must be a whole number greater than {min} (got “{raw}”)." : "{what} must be a whole number of at least {min} (got “{raw}”).") : strict ? "{what} must be a number greater than {min} (got “{raw}”)." : "{what} must be a number of at least {min} (got “{raw}”).", { what, min, raw }));
  }
  input.removeAttribute("aria-invalid");
  return v;
}

/**
 * The controls of the matching options under an id prefix. Returns
 *   { inputs: { key → control, use_caliper }, groups: { group → [nodes] }, read(), sync(), describe(opts) }
 * `read()` gives the engine's MatchOptions (only the fields that apply) and throws a
 * user-facing Error for a bad number; `onchange` runs after every change.
 */
export function matchOptionsControls(prefix, { onchange } = {}) {
  const inputs = {};
  const groups = {};
  const wraps = {};
  const changed = () => (sync(), onchange?.());
  for (const o of MATCH_OPTIONS) {
    const id = `${prefix}-${o.id}`;
    let control;
    let node;
    if (o.type === "select") {
      control = select(id, o.options.map(([v, l, d]) => [v, t(l), d]), changed);
      node = field(id, t(o.label), control);
    } else if (o.type === "check") {
      control = el("input", { type: "checkbox", id, checked: o.value, onchange: changed });
      node = el("label", { class: "check", title: o.title ? t(o.title) : null }, control, ` ${t(o.label)}`);
    } else {
      control = el("input", { type: "number", id, min: String(o.min ?? 0), step: o.integer ? "1" : "any", value: o.value, inputmode: o.integer ? "numeric" : null });
      node = field(id, t(o.label), control);
    }
    inputs[o.key] = control;
    wraps[o.key] = node;
    (groups[o.group] ||= []).push(node);
  }
  // The caliper: a switch, then width and units on one line.
  inputs.use_caliper = el("input", { type: "checkbox", id: `${prefix}-use-caliper`, onchange: changed });
  const caliperLabel = el("span", {}, " ", t("Caliper"));
  groups.caliper = [
    el(
      "div",
      { class: "field" },
      el("label", { class: "check" }, inputs.use_caliper, caliperLabel),
      el(
        "div",
        { class: "psm-inline" },
        el("label", { for: `${prefix}-caliper`, class: "visually-hidden" }, t("Caliper width")),
        inputs.caliper,
        el("label", { for: `${prefix}-caliper-scale`, class: "visually-hidden" }, t("Caliper units")),
        inputs.caliper_scale,
      ),
    ),
  ];
  const values = () => ({ method: inputs.method.value, replace: inputs.replace.checked, use_caliper: inputs.use_caliper.checked });

  function sync() {
    const v = values();
    for (const o of MATCH_OPTIONS) if (o.group === "nearest" || o.group === "kernel") wraps[o.key].hidden = o.when ? !o.when(v) : false;
    const radius = v.method === "radius";
    if (radius) inputs.use_caliper.checked = true;
    inputs.use_caliper.disabled = radius;
    caliperLabel.textContent = ` ${radius ? t("Radius (caliper)") : t("Caliper")}`;
    inputs.caliper.disabled = !inputs.use_caliper.checked;
    inputs.caliper_scale.disabled = !inputs.use_caliper.checked;
  }

  function read() {
    const v = values();
    const m = {};
    for (const o of MATCH_OPTIONS) {
      if (o.when && !o.when(v)) continue;
      const c = inputs[o.key];
      if (o.type === "select") m[o.key] = c.value;
      else if (o.type === "check") m[o.key] = c.checked;
      else m[o.key] = checkedNumber(c, o.key === "caliper" && v.method === "radius" ? t("The radius") : t(o.what), o);
    }
    return m;
  }

  sync();
  return { inputs, groups, read, sync };
}

/** "nearest neighbour, k = 1, with replacement, ties kept, caliper 0.1 SD, on the propensity score" */
export function describeMatch(m) {
  const parts = [];
  if (m.method === "nearest") {
    parts.push(t("nearest neighbour, k = {k}", { k: m.k }), m.replace ? t("with replacement") : t("without replacement ({order} order)", { order: t(m.order) }), m.ties ? t("ties kept") : t("ties broken"));
  } else if (m.method === "radius") parts.push(t("radius matching"));
  else parts.push(t("{kernel} kernel, bandwidth {bandwidth}", { kernel: t(m.kernel), bandwidth: m.bandwidth }));
  if (m.caliper !== undefined) parts.push(t("caliper {c}", { c: `${m.caliper}${m.caliper_scale === "sd" ? " SD" : ""}` }));
  parts.push(m.match_on === "logit" ? t("on the logit of the score") : t("on the propensity score"));
  if (m.common_support) parts.push(t("common support imposed"));
  return parts.join(t(", "));
}
