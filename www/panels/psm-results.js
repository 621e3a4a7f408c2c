// The PSM panel's results: the effect card, the propensity model, the pstest balance
// tables and the comparison of matching families. Every number keeps its full precision in
// data-value (data-key names it) for the tests; exports come from the result's `tables`
// rendered by the engine (see psm.js).
import { el, replaceChildren, renderTable, formatNumber } from "../dom.js";
import { starsFor } from "../lib/result-table.js";
import { describeMatch } from "../lib/match-options.js";

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

function numCell(value, decimals, extra = {}) {
  return el("td", { class: "num", dataset: { value: finite(value) ? String(value) : "" }, ...extra }, finite(value) ? formatNumber(value, decimals) : "");
}

const ESTIMAND_TEXT = { ATT: "average effect on the treated", ATE: "average effect", ATC: "average effect on the controls" };
const SE_TEXT = { ai: "Abadie–Imbens (2006)", bootstrap: "bootstrap", none: "none" };

/** The effect card: estimate, SE, z, p, CI, counts and the notes. */
export function renderEffect(ui, last) {
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
    `${est}: ${ESTIMAND_TEXT[est] || ""}${outcome ? ` on ${outcome}` : ""}`,
  );
  replaceChildren(
    ui.effect,
    el(
      "div",
      { class: "psm-stats" },
      stat("Estimate", [estimate, st ? el("sup", { class: "stars" }, st) : null]),
      stat("Std. error", ["(", num("std_error", res.std_error, 3), ")"]),
      stat("z", num("statistic", res.statistic, 2)),
      stat("p-value", num("p_value", res.p_value, 3)),
      stat("95% CI", ["[", num("conf_low", res.conf_low, 1), ", ", num("conf_high", res.conf_high, 1), "]"]),
    ),
    el(
      "dl",
      { class: "psm-counts" },
      count(`${focal}`, "n_treated", est === "ATC" ? res.n_control : est === "ATE" ? res.n_treated + res.n_control : res.n_treated),
      count(`${focal} matched`, "n_treated_matched", res.n_treated_matched),
      count(`${focal} dropped`, "n_treated_dropped", res.n_treated_dropped),
      count(pool, "n_control", est === "ATC" ? res.n_treated : est === "ATE" ? res.n_treated + res.n_control : res.n_control),
      count(`${pool} used`, "n_control_used", res.n_control_used),
      count("Off support", "n_off_support", res.n_off_support),
    ),
    el(
      "p",
      { class: "table-note" },
      `Notes: ${describeMatch(spec)}; ${spec.model} propensity score of ${treatment}. `,
      res.caliper_abs !== null && res.caliper_abs !== undefined ? ["Caliper on the matching variable = ", num("caliper_abs", res.caliper_abs, 4), ". "] : null,
      `Standard error: ${SE_TEXT[res.se_kind] || res.se_kind}`,
      res.se_kind === "bootstrap" ? ` (${spec.bootstrap_reps} replications, seed ${spec.seed})` : "",
      res.se_kind === "ai" ? " for matching with replacement, no bias adjustment" : "",
      "; z and p from the normal distribution. * p < 0.1, ** p < 0.05, *** p < 0.01.",
    ),
  );
}

/** The propensity model (coefficients with data-term rows) and its fit line. */
export function renderPropensity(ui, last) {
  const { res, spec, treatment } = last;
  const p = res.propensity;
  const table = renderTable(
    [
      { key: "term", label: "Term" },
      { key: "estimate", label: "Coef.", numeric: true, decimals: 6 },
      { key: "std_error", label: "Std. err.", numeric: true, decimals: 6 },
      { key: "statistic", label: "z", numeric: true, decimals: 2 },
      { key: "p_value", label: "P > |z|", numeric: true, decimals: 3 },
    ],
    p.coefficients,
    { className: "data-table paper-table", rowHeader: true },
  );
  table.id = "psm-propensity-table";
  [...table.tBodies[0].rows].forEach((tr, i) => {
    tr.dataset.term = p.coefficients[i].term;
    const st = stars(p.coefficients[i].p_value);
    if (st) tr.cells[1].append(el("sup", { class: "stars" }, st));
  });
  const df = Math.max(0, p.coefficients.length - 1);
  replaceChildren(
    ui.propensity,
    el("div", { class: "table-scroll paper" }, table),
    el(
      "p",
      { class: "table-note", id: "psm-propensity-fit" },
      `${spec.model === "probit" ? "Probit" : "Logit"} model of ${treatment}; N = `,
      num("nobs", p.nobs, 0, { integer: true }),
      ". Log likelihood = ",
      num("loglik", p.loglik, 3),
      "; pseudo-R² = ",
      num("pseudo_r2", p.pseudo_r2, 4),
      `; LR χ²(${df}) = `,
      num("lr_chi2", p.lr_chi2, 2),
      " (p = ",
      num("lr_p_value", p.lr_p_value, 4),
      `); ${p.iterations} Newton iterations.`,
    ),
  );
}

/** The pstest balance table: a <tbody> per covariate (data-variable), unmatched and matched rows; the overall table. */
export function renderBalance(ui, last) {
  const b = last.res.balance;
  const th = (label, attrs = {}) => el("th", { scope: "col", ...attrs }, label);
  const head = el(
    "thead",
    {},
    el(
      "tr",
      { class: "psm-group-head" },
      th("", { colspan: "2" }),
      th("Mean", { colspan: "2", class: "num psm-span" }),
      th("", {}),
      th("% reduct.", { class: "num" }),
      th("t-test", { colspan: "2", class: "num psm-span" }),
      th("V(T)/", { class: "num" }),
    ),
    el(
      "tr",
      {},
      th("Variable"),
      th("Sample"),
      th("Treated", { class: "num" }),
      th("Control", { class: "num" }),
      th("% bias", { class: "num" }),
      th("|bias|", { class: "num" }),
      th("t", { class: "num" }),
      th("p > |t|", { class: "num" }),
      th("V(C)", { class: "num" }),
    ),
  );
  const bodies = b.rows.map((r) =>
    el(
      "tbody",
      { dataset: { variable: r.variable } },
      el(
        "tr",
        { dataset: { sample: "unmatched" } },
        el("th", { scope: "rowgroup", rowspan: "2" }, r.variable),
        el("td", { class: "psm-sample" }, "Unmatched"),
        numCell(r.mean_treated_before, 3),
        numCell(r.mean_control_before, 3),
        numCell(r.bias_before, 1),
        el("td", {}),
        numCell(r.t_before, 2),
        numCell(r.p_before, 3),
        numCell(r.var_ratio_before, 2),
      ),
      el(
        "tr",
        { dataset: { sample: "matched" } },
        el("td", { class: "psm-sample" }, "Matched"),
        numCell(r.mean_treated_after, 3),
        numCell(r.mean_control_after, 3),
        numCell(r.bias_after, 1),
        numCell(r.bias_reduction, 1),
        numCell(r.t_after, 2),
        numCell(r.p_after, 3),
        numCell(r.var_ratio_after, 2),
      ),
    ),
  );
  const table = el("table", { class: "data-table paper-table psm-balance-table", id: "psm-balance-table" }, head, bodies);

  const o = b.overall;
  const flagB = (x) => (finite(x) && x > 25 ? "*" : "");
  const flagR = (x) => (finite(x) && (x < 0.5 || x > 2) ? "*" : "");
  const overallRow = (label, sample, sfx) =>
    el(
      "tr",
      { dataset: { sample } },
      el("th", { scope: "row" }, label),
      numCell(o[`pseudo_r2_${sfx}`], 3),
      numCell(o[`lr_chi2_${sfx}`], 2),
      numCell(o[`p_chi2_${sfx}`], 3),
      numCell(o[`mean_bias_${sfx}`], 1),
      numCell(o[`median_bias_${sfx}`], 1),
      withFlag(numCell(o[`rubin_b_${sfx}`], 1), flagB(o[`rubin_b_${sfx}`])),
      withFlag(numCell(o[`rubin_r_${sfx}`], 2), flagR(o[`rubin_r_${sfx}`])),
    );
  const overall = el(
    "table",
    { class: "data-table paper-table", id: "psm-balance-overall" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ["Sample", "Pseudo-R²", "LR χ²", "p > χ²", "Mean bias", "Median bias", "B", "R"].map((h, i) => el("th", { scope: "col", class: i ? "num" : null }, h)),
      ),
    ),
    el("tbody", {}, overallRow("Unmatched", "unmatched", "before"), overallRow("Matched", "matched", "after")),
  );
  replaceChildren(
    ui.balance,
    el("div", { class: "table-scroll paper" }, table),
    el("div", { class: "table-scroll paper psm-overall" }, overall),
    el(
      "p",
      { class: "table-note" },
      "Notes: as Stata's pstest. % bias is the standardised difference 100(x̄T − x̄C)/√((s²T + s²C)/2) with the unmatched variances in both rows; ",
      "matched means and t-tests use the matching weights; V(T)/V(C) is shown for non-binary covariates. ",
      "Overall: probit of the treatment on the covariates before and after matching (pseudo-R², LR χ²), mean and median |% bias|, ",
      "Rubin's B (|% bias| of the linear index) and R (its variance ratio); * B > 25 or R outside [0.5, 2]. ",
      "Text covariates appear as one dummy per level but the first.",
    ),
  );
}

function withFlag(td, flag) {
  if (flag) td.append(el("span", { class: "psm-flag", title: "outside Rubin's recommended range" }, flag));
  return td;
}


/** The comparison of matching families. */
export function renderCompare(ui, lastCompare) {
  const { out, specs } = lastCompare;
  const rows = out.table.rows;
  const s0 = specs[0];
  const table = renderTable(
    [
      { key: "label", label: "Method" },
      { key: "estimate", label: "Estimate", numeric: true, decimals: 3 },
      { key: "std_error", label: "Std. error", numeric: true, decimals: 3 },
      { key: "p_value", label: "p-value", numeric: true, decimals: 3 },
      { key: "n_treated_matched", label: "Matched", numeric: true, integer: true },
      { key: "n_treated_dropped", label: "Dropped", numeric: true, integer: true },
      { key: "n_control_used", label: "Controls", numeric: true, integer: true },
      { key: "mean_bias_after", label: "|Bias| after", numeric: true, decimals: 1 },
    ],
    rows,
    { className: "data-table paper-table", rowHeader: true },
  );
  table.id = "psm-compare-table";
  [...table.tBodies[0].rows].forEach((tr, i) => {
    tr.dataset.label = rows[i].label;
    tr.cells[2].prepend("(");
    tr.cells[2].append(")");
    tr.dataset.seKind = rows[i].se_kind;
    const st = stars(rows[i].p_value);
    if (st) tr.cells[1].append(el("sup", { class: "stars" }, st));
    if (rows[i].se_kind === "bootstrap" && s0.se === "ai") tr.cells[2].append(el("sup", { class: "psm-note-mark", title: "bootstrap standard error" }, "b"));
  });
  const boot = specs.some((s) => !(s.method === "nearest" && s.replace)) && s0.se !== "none";
  replaceChildren(
    ui.compareBody,
    el("div", { class: "table-scroll paper" }, table),
    el(
      "p",
      { class: "table-note" },
      `Notes: ${s0.estimand} of ${s0.outcome ?? "—"}; ${s0.model} propensity score, matched ${s0.match_on === "logit" ? "on its logit" : "on the score"}; `,
      "nearest-neighbour rows with replacement; ",
      `caliper ${specs[2].caliper}${specs[2].caliper_scale === "sd" ? " SD of the matching variable" : ""}; `,
      `kernel: ${specs[5].kernel}, bandwidth ${specs[5].bandwidth}. `,
      "Standard errors in parentheses: ",
      s0.se === "ai" ? "Abadie–Imbens (AI) for nearest neighbour" : s0.se === "bootstrap" ? "bootstrap" : "none",
      boot && s0.se === "ai" ? `; ᵇ bootstrap (${s0.bootstrap_reps} replications, seed ${s0.seed}) where AI is undefined. ` : s0.se === "bootstrap" ? ` (${s0.bootstrap_reps} replications, seed ${s0.seed}). ` : ". ",
      "Matched and dropped: treated units with and without a match; controls: distinct controls used. |Bias| after: mean absolute standardised % bias of the covariates after matching. * p < 0.1, ** p < 0.05, *** p < 0.01.",
    ),
  );
  ui.compareCsv.disabled = false;
  ui.compareMd.disabled = false;
  ui.compareCard.hidden = false;
}
