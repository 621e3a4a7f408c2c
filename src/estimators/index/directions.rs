//! Direction suggestions from indicator names (cost keywords); never applied automatically.

use serde::Serialize;

/// A suggested direction for an indicator, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DirectionSuggestion {
    /// Indicator name.
    pub indicator: String,
    /// Suggested direction (`-1` when a cost keyword matched, else `+1`).
    pub direction: i8,
    /// The matched keyword, if any.
    pub keyword: Option<String>,
    /// Why (for display).
    pub reason: String,
}

/// Name fragments that usually mark cost (negative) indicators.
const COST_KEYWORDS: &[&str] = &[
    "exit",
    "penalt",
    "litigation",
    "lawsuit",
    "pollut",
    "emission",
    "unemploy",
    "energy_consumption",
    "energy consumption",
    "energy_intensity",
    "co2",
    "so2",
    "pm25",
    "pm2.5",
    "waste",
    "wastewater",
    "accident",
    "crime",
    "poverty",
    "debt_ratio",
    "bankrupt",
    "default",
    "inflation",
    "mortality",
    "gini",
    "失业",
    "污染",
    "排放",
    "能耗",
    "能源消耗",
    "退出",
    "注销",
    "处罚",
    "诉讼",
    "废水",
    "废气",
    "烟尘",
    "二氧化硫",
    "事故",
    "犯罪",
    "贫困",
    "负债",
];

/// Suggests directions from indicator names: `-1` with the matched keyword when the
/// name contains a typical cost word (exit, penalty, litigation, pollution, emission,
/// unemployment, energy consumption, 失业, 污染, 排放 …), else `+1` ("no cost
/// keyword"). Only a suggestion for the user to confirm; never applied by
/// [`super::build_index`].
pub fn suggest_directions<S: AsRef<str>>(names: &[S]) -> Vec<DirectionSuggestion> {
    names
        .iter()
        .map(|n| {
            let name = n.as_ref();
            let lower = name.to_lowercase();
            let norm = lower.replace(['-', '.'], "_");
            let hit = COST_KEYWORDS.iter().find(|k| lower.contains(*k) || norm.contains(&k.replace(' ', "_")));
            match hit {
                Some(k) => DirectionSuggestion {
                    indicator: name.to_string(),
                    direction: -1,
                    keyword: Some((*k).to_string()),
                    reason: format!("name contains `{k}`, usually a cost indicator (less is better); please confirm"),
                },
                None => DirectionSuggestion {
                    indicator: name.to_string(),
                    direction: 1,
                    keyword: None,
                    reason: "no cost keyword in the name; assumed benefit (more is better); please confirm".into(),
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_flag_cost_names_only() {
        let s = suggest_directions(&["exit_rate", "patents", "SO2 emission", "失业率", "admin_penalty_rate"]);
        let d: Vec<i8> = s.iter().map(|x| x.direction).collect();
        assert_eq!(d, vec![-1, 1, -1, -1, -1]);
        assert_eq!(s[0].keyword.as_deref(), Some("exit"));
        assert!(s[1].keyword.is_none());
    }
}
