// The bundled sample panels (files in www/samples/).
export const SAMPLES = {
  jjj: {
    key: "jjj",
    label: "JJJ cities panel",
    detail: "13 cities × 2013–2022, free-trade-zone adoption",
    file: "jjj_cities.csv",
    unit: "city",
    time: "year",
    // Default covariates of the PSM and PSM-DID panels.
    psm: { treatment: "FTZ", covariates: ["pgdp", "fdi", "urba"], outcome: "lnHDQ" },
  },
  provinces: {
    key: "provinces",
    label: "Provinces panel",
    detail: "31 provinces × 2012–2022, staggered adoption",
    file: "provinces.csv",
    unit: "province",
    time: "year",
  },
  provinces_spatial: {
    key: "provinces_spatial",
    label: "Provinces with coordinates",
    detail: "31 provinces × 2011–2022, capitals' latitude/longitude, staggered FTZ adoption, spatial spillovers",
    file: "provinces_spatial.csv",
    unit: "province",
    time: "year",
    // The DID setup and the weight matrix of the spatial panels (inverse squared great-circle distance).
    did: { y: "y", start: "ftz_year", indicator: "DID", controls: ["INN", "URB"] },
    weights: { kind: "inverse_distance", power: 2, lat: "lat", lon: "lon" },
  },
  lalonde: {
    key: "lalonde",
    label: "LaLonde (NSW + PSID)",
    detail: "614 men: 185 NSW trainees and 429 PSID controls, earnings 1974–78",
    file: "lalonde.csv",
    // Default specification of the PSM panel (as in R's MatchIt/Matching examples).
    psm: {
      treatment: "treat",
      covariates: ["age", "educ", "race", "married", "nodegree", "re74", "re75"],
      outcome: "re78",
    },
  },
};
