// The list of analysis panels. Adding one is one entry here plus one file in
// www/panels/ exporting `default { mount(root, ctx), show?(), hide?() }`.
//
//   id        URL hash (#did) and DOM id suffix
//   title     navigation label
//   group     navigation section heading
//   load      () => import("./file.js"); absent = not built yet ("coming soon")
//   requires  name of a wasm export the panel needs (e.g. "did"): until the
//             engine exports it, the panel is shown as coming soon
//   blurb     one-line description (tooltip / coming-soon note)

export const PANELS = [
  {
    id: "data",
    title: "Data",
    group: "Prepare",
    load: () => import("./data.js"),
    blurb: "Load a CSV, TSV or Excel file, check how it was read, declare the panel structure.",
  },
  {
    id: "describe",
    title: "Descriptives",
    group: "Prepare",
    load: () => import("./describe.js"),
    blurb: "Summary statistics table (N, mean, SD, min, max, quantiles), overall or by group.",
  },
  {
    id: "regression",
    title: "Regression",
    group: "Estimate",
    load: () => import("./regression.js"),
    requires: "feols",
    blurb: "Linear models with high-dimensional fixed effects, clustered SEs, IV and side-by-side tables.",
  },
  {
    id: "did",
    title: "DID",
    group: "DID workbench",
    load: () => import("./did.js"),
    requires: "did",
    blurb: "Two-way fixed-effects difference-in-differences for 2×2 and staggered adoption; wild cluster bootstrap.",
  },
  {
    id: "event-study",
    title: "Event study",
    group: "DID workbench",
    load: () => import("./event-study.js"),
    requires: "eventStudy",
    blurb: "Leads and lags around adoption, pre-trend test and coefficient plot.",
  },
  {
    id: "staggered",
    title: "Staggered DID",
    group: "DID workbench",
    load: () => import("./staggered.js"),
    requires: "staggeredCompare",
    blurb: "TWFE, Callaway–Sant'Anna, Sun–Abraham, two-stage DID and imputation side by side; Bacon decomposition.",
  },
  {
    id: "placebo",
    title: "Placebo",
    group: "DID workbench",
    load: () => import("./placebo.js"),
    requires: "placebo",
    blurb: "Permutation and in-time placebo tests with a seeded, reproducible distribution.",
  },
  {
    id: "heterogeneity",
    title: "Heterogeneity",
    group: "DID workbench",
    load: () => import("./heterogeneity.js"),
    requires: "heterogeneity",
    blurb: "DID × group interaction and split-sample DIDs in one table.",
  },
  {
    id: "mechanism",
    title: "Mechanism",
    group: "DID workbench",
    load: () => import("./mechanism.js"),
    requires: "mediation",
    blurb: "Three-step mediation regressions, Sobel test and a bootstrap CI of the indirect effect.",
  },
  {
    id: "robustness",
    title: "Robustness",
    group: "DID workbench",
    load: () => import("./robustness.js"),
    requires: "robustness",
    blurb: "Baseline and variations (excluded years/units, cluster level, controls, outcome) in one table.",
  },
  {
    id: "psm-did",
    title: "PSM-DID",
    group: "DID workbench",
    load: () => import("./psm-did.js"),
    requires: "psmDid",
    blurb: "Match treated to never-treated units on pre-treatment covariates, then DID on the full and the matched sample.",
  },
  {
    id: "psm",
    title: "PSM",
    group: "Matching",
    load: () => import("./psm.js"),
    requires: "psm",
    blurb: "Propensity-score matching, balance diagnostics and a comparison of matching families.",
  },
  {
    id: "spatial-weights",
    title: "Weights",
    group: "Spatial",
    load: () => import("./spatial-weights.js"),
    requires: "spatialWeights",
    blurb: "Spatial weight matrices from coordinates, neighbour lists, GeoJSON polygons, economic distance or an uploaded matrix; summary and link map.",
  },
  {
    id: "spatial-moran",
    title: "Moran's I",
    group: "Spatial",
    load: () => import("./spatial-moran.js"),
    requires: "moran",
    blurb: "Global Moran's I and Geary's C by period, the Moran scatter plot and LISA clusters.",
  },
  {
    id: "spatial-model",
    title: "Spatial models",
    group: "Spatial",
    load: () => import("./spatial-model.js"),
    requires: "spatialModel",
    blurb: "SAR, SEM, SDM, SLX and SDEM by maximum likelihood (cross-section or fixed-effects panel) with direct/indirect/total effects; LM tests; spatial DID.",
  },
  {
    id: "index",
    title: "Index",
    group: "Build outcomes",
    load: () => import("./index-panel.js"),
    requires: "buildIndex",
    blurb: "Composite indices: entropy weights, TOPSIS, PCA, CRITIC; location quotient and HHI.",
  },
  {
    id: "report",
    title: "Report",
    group: "Report",
    load: () => import("./report.js"),
    requires: "runRecipe",
    blurb: "Every analysis of this session: embed it in a report page, copy a link, save and open the session, download all tables as one Word or Excel file.",
  },
];

/** True if the panel can be opened with the engine's exports. */
export function isAvailable(panel, exports) {
  if (!panel.load) return false;
  if (panel.requires && exports && !exports.includes(panel.requires)) return false;
  return true;
}
