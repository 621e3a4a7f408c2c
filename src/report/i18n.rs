//! The one catalogue of the tables' fixed words, in English and Chinese (`lang: "en" | "zh"`).
//!
//! The renderer and the regression-table builder never write a fixed label themselves: they
//! name it by a typed [`Label`] (or ask for the yes/no word, the standard-error type, the note
//! on parentheses and stars) and this module spells it in the table's language. Chinese
//! follows the economics journals: 观测值, R², 组内R², 控制变量 是/否, 城市固定效应 /
//! 年份固定效应 (from the fixed-effect variable), 括号内为标准误, 聚类到城市层面, and a note
//! opening with a full-width 注： and listing the stars from the strongest (`*** p<0.01, **
//! p<0.05, * p<0.1`). Numbers are unchanged (decimal point), and no space is put between
//! Chinese words. Error messages stay English.

use super::render::BelowStat;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The language of a table's fixed words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Lang {
    /// English (default).
    #[default]
    En,
    /// Simplified Chinese, the journals' labels.
    Zh,
}

impl Lang {
    /// Parses a language name: `en` (also `english`) or `zh` (also `zh-cn`, `zh-hans`,
    /// `chinese`), case-insensitive.
    pub fn parse(s: &str) -> Result<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(Lang::En),
            "zh" | "zh-cn" | "zh_cn" | "zh-hans" | "chinese" => Ok(Lang::Zh),
            other => Err(Error::invalid(format!("unknown table language `{other}` (use \"en\" or \"zh\")"))),
        }
    }
    /// The language's code, `en` or `zh`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
    /// Whether this is English (the default, left out when a table is serialised).
    pub fn is_en(&self) -> bool {
        *self == Lang::En
    }
}

impl TryFrom<String> for Lang {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Lang, String> {
        Lang::parse(&s).map_err(|e| e.to_string())
    }
}

impl From<Lang> for String {
    fn from(l: Lang) -> String {
        l.code().to_string()
    }
}

/// A fixed label of a table, by meaning (a row carries it so the renderer can spell the row
/// in another language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// "Dependent variable" / 被解释变量.
    DependentVariable,
    /// The intercept term: "Intercept" / 常数项.
    Constant,
    /// "Controls" / 控制变量.
    Controls,
    /// A fixed effect on the named variable: "city FE" / 城市固定效应.
    FixedEffect(String),
    /// "S.E. type" / 标准误类型.
    SeType,
    /// "Observations" / 观测值.
    Observations,
    /// "R²".
    R2,
    /// "Adjusted R²" / 调整R².
    AdjR2,
    /// "Within R²" / 组内R².
    WithinR2,
    /// "RMSE" / 均方根误差.
    Rmse,
    /// "F statistic" / F统计量.
    FStat,
}

/// The label in `lang`.
pub fn label(lang: Lang, l: &Label) -> String {
    let (en, zh) = match l {
        Label::DependentVariable => ("Dependent variable", "被解释变量"),
        Label::Constant => ("Intercept", "常数项"),
        Label::Controls => ("Controls", "控制变量"),
        Label::FixedEffect(var) => {
            return match lang {
                Lang::En => format!("{var} FE"),
                Lang::Zh => join_cjk(&variable(lang, var), "固定效应"),
            }
        }
        Label::SeType => ("S.E. type", "标准误类型"),
        Label::Observations => ("Observations", "观测值"),
        Label::R2 => ("R²", "R²"),
        Label::AdjR2 => ("Adjusted R²", "调整R²"),
        Label::WithinR2 => ("Within R²", "组内R²"),
        Label::Rmse => ("RMSE", "均方根误差"),
        Label::FStat => ("F statistic", "F统计量"),
    };
    match lang {
        Lang::En => en.to_string(),
        Lang::Zh => zh.to_string(),
    }
}

/// A variable's name in `lang`: in Chinese the usual panel dimensions (`city` → 城市,
/// `year` → 年份, `province` → 省份, `firm` → 企业, `industry` → 行业, …), any other name as
/// given.
pub fn variable(lang: Lang, var: &str) -> String {
    if lang == Lang::Zh {
        let zh = match var.trim().to_ascii_lowercase().as_str() {
            "city" => Some("城市"),
            "year" => Some("年份"),
            "province" => Some("省份"),
            "firm" => Some("企业"),
            "industry" => Some("行业"),
            "county" => Some("区县"),
            "month" => Some("月份"),
            _ => None,
        };
        if let Some(z) = zh {
            return z.to_string();
        }
    }
    var.to_string()
}

/// `a` then the Chinese word `b`: a space between them only when `a` ends in a Latin letter
/// or digit (`unit 固定效应`, but `城市固定效应`).
fn join_cjk(a: &str, b: &str) -> String {
    if a.chars().last().is_some_and(|c| c.is_ascii_alphanumeric()) {
        format!("{a} {b}")
    } else {
        format!("{a}{b}")
    }
}

/// The word of a yes/no cell.
pub fn yes_no(lang: Lang, value: bool) -> &'static str {
    match (lang, value) {
        (Lang::En, true) => "Yes",
        (Lang::En, false) => "No",
        (Lang::Zh, true) => "是",
        (Lang::Zh, false) => "否",
    }
}

/// The standard-error type of a fit: "IID", "Robust (HC1)", "Clustered (unit, year)" /
/// 普通标准误, 稳健标准误（HC1）, 聚类到城市、年份层面. `vcov_type` is the fit's (`iid`,
/// `hetero`, …), `clusters` its cluster variables.
pub fn vcov(lang: Lang, vcov_type: &str, clusters: &[&str]) -> String {
    if !clusters.is_empty() {
        return match lang {
            Lang::En => format!("Clustered ({})", clusters.join(", ")),
            Lang::Zh => {
                let vars: Vec<String> = clusters.iter().map(|c| variable(lang, c)).collect();
                format!("聚类到{}层面", vars.join("、"))
            }
        };
    }
    match (vcov_type, lang) {
        ("iid", Lang::En) => "IID".to_string(),
        ("iid", Lang::Zh) => "普通标准误".to_string(),
        ("hetero", Lang::En) => "Robust (HC1)".to_string(),
        ("hetero", Lang::Zh) => "稳健标准误（HC1）".to_string(),
        (other, _) => other.to_string(),
    }
}

/// The note under a table with estimates: what the parentheses hold (`conf_level` for
/// intervals) and, for each `(threshold, symbol)` in `stars`, what the stars mean. English
/// lists the thresholds from the largest (`* p<0.1, ** p<0.05, *** p<0.01`), Chinese from the
/// smallest, as the journals do, after a full-width semicolon.
pub fn standard_note(lang: Lang, below: BelowStat, conf_level: f64, stars: &[(f64, &String)]) -> String {
    let pct = format!("{:.0}%", conf_level * 100.0);
    let paren = match (lang, below) {
        (Lang::En, BelowStat::Se) => "Standard errors in parentheses.".to_string(),
        (Lang::En, BelowStat::T) => "t statistics in parentheses.".to_string(),
        (Lang::En, BelowStat::P) => "p-values in parentheses.".to_string(),
        (Lang::En, BelowStat::Ci) => format!("{pct} confidence intervals in brackets."),
        (Lang::Zh, BelowStat::Se) => "括号内为标准误".to_string(),
        (Lang::Zh, BelowStat::T) => "括号内为t值".to_string(),
        (Lang::Zh, BelowStat::P) => "括号内为p值".to_string(),
        (Lang::Zh, BelowStat::Ci) => format!("方括号内为{pct}置信区间"),
        (_, BelowStat::None) => String::new(),
    };
    if stars.is_empty() {
        return paren;
    }
    let mut pairs = stars.to_vec();
    match lang {
        Lang::En => pairs.sort_by(|a, b| b.0.total_cmp(&a.0)),
        Lang::Zh => pairs.sort_by(|a, b| a.0.total_cmp(&b.0)),
    }
    let s = pairs.iter().map(|(l, sym)| format!("{sym} p<{l}")).collect::<Vec<_>>().join(", ");
    match lang {
        Lang::En => format!("{paren} {s}").trim().to_string(),
        Lang::Zh if paren.is_empty() => s,
        Lang::Zh => format!("{paren}；{s}"),
    }
}

/// The notes under a table in `lang`: in Chinese the first opens with 注：.
pub fn notes(lang: Lang, mut notes: Vec<String>) -> Vec<String> {
    if lang == Lang::Zh {
        if let Some(first) = notes.first_mut() {
            *first = format!("注：{first}");
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse_and_unknown_ones_are_refused() {
        assert_eq!(Lang::parse(" ZH ").unwrap(), Lang::Zh);
        assert_eq!(Lang::parse("en").unwrap(), Lang::En);
        let e = Lang::parse("fr").unwrap_err().to_string();
        assert!(e.contains("unknown table language `fr`") && e.contains("\"zh\""), "{e}");
        assert_eq!(serde_json::from_str::<Lang>("\"zh\"").unwrap(), Lang::Zh);
        assert!(serde_json::from_str::<Lang>("\"de\"").unwrap_err().to_string().contains("unknown table language"));
        assert_eq!(serde_json::to_string(&Lang::Zh).unwrap(), "\"zh\"");
    }

    #[test]
    fn fixed_effects_take_the_variables_chinese_names() {
        let fe = |v: &str| label(Lang::Zh, &Label::FixedEffect(v.into()));
        assert_eq!(fe("city"), "城市固定效应");
        assert_eq!(fe("Year"), "年份固定效应");
        assert_eq!(fe("province"), "省份固定效应");
        assert_eq!(fe("firm"), "企业固定效应");
        assert_eq!(fe("industry"), "行业固定效应");
        assert_eq!(fe("unit"), "unit 固定效应");
        assert_eq!(fe("地区"), "地区固定效应");
        assert_eq!(label(Lang::En, &Label::FixedEffect("city".into())), "city FE");
    }

    #[test]
    fn notes_and_standard_errors() {
        let (a, b, c) = ("*".to_string(), "**".to_string(), "***".to_string());
        let stars = [(0.1, &a), (0.05, &b), (0.01, &c)];
        assert_eq!(
            standard_note(Lang::En, BelowStat::Se, 0.95, &stars),
            "Standard errors in parentheses. * p<0.1, ** p<0.05, *** p<0.01"
        );
        assert_eq!(standard_note(Lang::Zh, BelowStat::Se, 0.95, &stars), "括号内为标准误；*** p<0.01, ** p<0.05, * p<0.1");
        assert_eq!(standard_note(Lang::Zh, BelowStat::Ci, 0.9, &[]), "方括号内为90%置信区间");
        assert_eq!(standard_note(Lang::Zh, BelowStat::None, 0.95, &stars[..1]), "* p<0.1");
        assert_eq!(notes(Lang::Zh, vec!["a".into(), "b".into()]), vec!["注：a", "b"]);
        assert_eq!(notes(Lang::En, vec!["a".into()]), vec!["a"]);
        assert_eq!(vcov(Lang::Zh, "iid", &["city", "year"]), "聚类到城市、年份层面");
        assert_eq!(vcov(Lang::En, "iid", &["city", "year"]), "Clustered (city, year)");
        assert_eq!(vcov(Lang::Zh, "hetero", &[]), "稳健标准误（HC1）");
    }
}
