// Data of the index panel's specification editor: cost keywords (for visible
// direction suggestions, never applied silently) and the bundled JJJ sample's preset.

/** Name fragments that usually mark cost indicators (mirrors the core's list). */
export const COST_KEYWORDS = [
  "exit", "penalt", "litigation", "lawsuit", "pollut", "emission", "unemploy",
  "energy_consumption", "energy consumption", "energy_intensity", "co2", "so2",
  "pm25", "pm2.5", "waste", "wastewater", "accident", "crime", "poverty",
  "debt_ratio", "bankrupt", "default", "inflation", "mortality", "gini",
  "失业", "污染", "排放", "能耗", "能源消耗", "退出", "注销", "处罚", "诉讼",
  "废水", "废气", "烟尘", "二氧化硫", "事故", "犯罪", "贫困", "负债",
];

/** The cost keyword found in an indicator's name, or null. */
export function costKeyword(name) {
  const lower = String(name).toLowerCase();
  const norm = lower.replace(/[-.]/g, "_");
  return COST_KEYWORDS.find((k) => lower.includes(k) || norm.includes(k.replace(/ /g, "_"))) ?? null;
}

/**
 * The bundled JJJ sample's own specification (18 indicators in 6 dimensions,
 * three cost indicators), as used by its reference file jjj_entropy.json.
 */
export const JJJ_PRESET = [
  ["firms_per_10k", 1, "vitality"],
  ["new_firm_capital", 1, "vitality"],
  ["exit_rate", -1, "vitality"],
  ["firm_density", 1, "merchantable"],
  ["survival_5y", 1, "merchantable"],
  ["sme_bid_share", 1, "merchantable"],
  ["admin_penalty_rate", -1, "risk"],
  ["litigation_rate", -1, "risk"],
  ["guarantee_events", 1, "risk"],
  ["patents_per_10k", 1, "innovation"],
  ["trademarks_per_10k", 1, "innovation"],
  ["software_copyrights", 1, "innovation"],
  ["incubator_share", 1, "elite"],
  ["university_firm_share", 1, "elite"],
  ["new_economy_share", 1, "elite"],
  ["capital_attraction", 1, "synergism"],
  ["foreign_attraction", 1, "synergism"],
  ["capital_radiation", 1, "synergism"],
];
