// The PSM panel's results: the effect card (headline numbers, full precision in data-value
// under data-key), and the result's tables — psm.propensity, psm.balance,
// psm.balance_overall, psm.compare — drawn by resultTableElement with their exports (the
// engine's renderTable of the same table) beside each. `ctx`: { client, base, onError }.
import { el, replaceChildren, formatNumber } from "../dom.js";
import { starsFor, resultTableBlock, findTable, tableExports } from "../lib/result-table.js";
import { describeMatch } from "../lib/match-options.js";
import { t } from "../i18n.js";

const finite = (x) => typeof x === "number" && Number.isFinite(x);
const stars = (p) => starsFor(p);

/** A number as text, keeping the full-precision value in data-value. */
function num(key, value, decimals = 3, { integer = false, tag = "span", className } = {}) {
  return el(
    tag,
    { class: ["num", className], dataset: { key, value: finite(value) ? String(value) : "" } },
    finite(value) ? formatNumber(value, decimals, { integer }) : "—",
  );
}


const ESTIMAND_TEXT = { ATT: "average effect on the treated", ATE: "average effect", ATC: "average effect on the controls" };
const SE_TEXT = { ai: "Abadie–Imbens (2006)", bootstrap: "bootstrap", none: "none" };

/** The effect card: estimate, SE, z, p, CI, counts and the notes. */
export function renderEffect(ui, last, ctx) {
  const { res, spec, treatment, outcome } = last;
  const est = res.estimand || spec.estimand;
  const stat = (label, node) => el("div", { class: "psm-stat" }, el("div", { class: "psm-stat-label" }, label), el("div", { class: "psm-stat-value" }, node));
  const estimate = num("estimate", res.att, 3);
  const st = stars(res.p_value);
  const focal = est === "ATC" ? "Controls" : est === "ATE" ? "Units" : "Treated";
  const pool = est === "ATC" ? "Treated" : est === "ATE" ? "Units" : "Controls";
  const count = (label, key, value) => el("div", { class: "psm-count" }, el("dt", {}, label), el("dd", {}, num(key, value, 0, { integer: true })));
  replaceChildren(
    ui.effectTitle,
    `${est}: ${ESTIMAND_TEXT[est] ? t(ESTIMAND_TEXT[est]) : ""}${outcome ? t(" on {y}", { y: outcome }) : ""}`,
  );
  replaceChildren(
    ui.effect,
    el(
      "div",
      { class: "psm-stats" },
      stat(t("Estimate"), [estimate, st ? el("sup", { class: "stars" }, st) : null]),
      stat(t("Std. error"), ["(", num("std_error", res.std_error, 3), ")"]),
      stat("z", num("statistic", res.statistic, 2)),
      stat(t("p-value"), num("p_value", res.p_value, 3)),
      stat(t("{level}% CI", { level: 95 }), ["[", num("conf_low", res.conf_low, 1), ", ", num("conf_high", res.conf_high, 1), "]"]),
    ),
    el(
      "dl",
      { class: "psm-counts" },
      count(t(focal), "n_treated", est === "ATC" ? res.n_control : est === "ATE" ? res.n_treated + res.n_control : res.n_treated),
      count(t(`${focal} matched`), "n_treated_matched", res.n_treated_matched),
      count(t(`${focal} dropped`), "n_treated_dropped", res.n_treated_dropped),
      count(t(pool), "n_control", est === "ATC" ? res.n_treated : est === "ATE" ? res.n_treated + res.n_control : res.n_control),
      count(t(`${pool} used`), "n_control_used", res.n_control_used),
      count(t("Off support"), "n_off_support", res.n_off_support),
    ),
    el(
      "p",
      { class: "table-note" },
      t("Notes: {how}; {model} propensity score of {treatment}. ", { how: describeMatch(spec), model: t(spec.model), treatment }),
      res.caliper_abs !== null && res.caliper_abs !== undefined ? [t("Caliper on the matching variable = "), num("caliper_abs", res.caliper_abs, 4), t(". ")] : null,
      t("Standard error: {se}", { se: t(SE_TEXT[res.se_kind] || res.se_kind) }),
      res.se_kind === "bootstrap" ? t(" ({reps} replications, seed {seed})", { reps: spec.bootstrap_reps, seed: spec.seed }) : "",
      res.se_kind === "ai" ? t(" for matching with replacement, no bias adjustment") : "",
      t("; z and p from the normal distribution. * p < 0.1, ** p < 0.05, *** p < 0.01."),
    ),
    tableExports(findTable(last.res, "psm.effects"), ctx.client, { idPrefix: "psm-effects", basename: `${ctx.base}_psm_effects`, onError: ctx.onError }),
  );
}

/** Block options for the PSM tables: file names `${base}_psm_…`, the panel's error line. */
const blockOptions = (ctx, id, name) => ({ id, idPrefix: id.replace(/-table$/, ""), basename: `${ctx.base}_${name}`, onError: ctx.onError });

/** The propensity model: the result's psm.propensity table (coefficients, then the fit). */
export function renderPropensity(ui, last, ctx) {
  const { res, spec, treatment } = last;
  replaceChildren(
    ui.propensity,
    resultTableBlock(findTable(res, "psm.propensity"), ctx.client, blockOptions(ctx, "psm-propensity-table", "psm_propensity")),
    el("p", { class: "table-note", id: "psm-propensity-fit" }, t("{model} model of {treatment}; LR χ² with {df} degrees of freedom; {it} Newton iterations.", { model: spec.model === "probit" ? "Probit" : "Logit", treatment, df: Math.max(0, res.propensity.coefficients.length - 1), it: res.propensity.iterations })),
  );
}

/** The pstest balance: the result's psm.balance (an unmatched U and a matched M row per covariate) and psm.balance_overall. */
export function renderBalance(ui, last, ctx) {
  const { res } = last;
  replaceChildren(
    ui.balance,
    resultTableBlock(findTable(res, "psm.balance"), ctx.client, { ...blockOptions(ctx, "psm-balance-table", "psm_balance"), className: "data-table paper-table psm-balance-table" }),
    resultTableBlock(findTable(res, "psm.balance_overall"), ctx.client, blockOptions(ctx, "psm-balance-overall", "psm_balance_overall")),
    el(
      "p",
      { class: "table-note" },
      t("Notes: as Stata's pstest. U: unmatched sample, M: matched. %bias is the standardised difference 100(x̄T − x̄C)/√((s²T + s²C)/2) with the unmatched variances in both rows; "),
      t("matched means and t-tests use the matching weights; V(T)/V(C) is shown for non-binary covariates. "),
      t("Overall: probit of the treatment on the covariates before and after matching (pseudo-R², LR χ²), mean and median |% bias|, "),
      t("Rubin's B (|% bias| of the linear index; recommended below 25) and R (its variance ratio; recommended within [0.5, 2]). "),
      t("Text covariates appear as one dummy per level but the first."),
    ),
  );
}

/** The comparison of matching families. */
export function renderCompare(ui, lastCompare, ctx) {
  const { out, specs } = lastCompare;
  const s0 = specs[0];
  const table = findTable(out, "psm.compare");
  const boot = specs.some((s) => !(s.method === "nearest" && s.replace)) && s0.se !== "none";
  replaceChildren(
    ui.compareBody,
    resultTableBlock(table, ctx.client, blockOptions(ctx, "psm-compare-table", "psm_compare")),
    el(
      "p",
      { class: "table-note" },
      t(s0.match_on === "logit" ? "Notes: {estimand} of {y}; {model} propensity score, matched on its logit; " : "Notes: {estimand} of {y}; {model} propensity score, matched on the score; ", { estimand: s0.estimand, y: s0.outcome ?? "—", model: t(s0.model) }),
      t("nearest-neighbour rows with replacement; "),
      t(specs[2].caliper_scale === "sd" ? "caliper {c} SD of the matching variable; " : "caliper {c}; ", { c: specs[2].caliper }),
      t("kernel: {k}, bandwidth {b}. ", { k: t(specs[5].kernel), b: specs[5].bandwidth }),
      t("Standard errors (the SE column says which): "),
      s0.se === "ai" ? t("Abadie–Imbens (ai) for nearest neighbour") : s0.se === "bootstrap" ? t("bootstrap") : t("none"),
      boot && s0.se === "ai" ? t("; bootstrap ({reps} replications, seed {seed}) where AI is undefined. ", { reps: s0.bootstrap_reps, seed: s0.seed }) : s0.se === "bootstrap" ? t(" ({reps} replications, seed {seed}). ", { reps: s0.bootstrap_reps, seed: s0.seed }) : t(". "),
      t("Treated matched and dropped: treated units with and without a match; controls used: distinct controls. Mean |bias| after: mean absolute standardised % bias of the covariates after matching."),
    ),
  );
  ui.compareCard.hidden = false;
}
