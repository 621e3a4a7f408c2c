// Chinese: the fixed words of the engine's result tables that the engine spells only in
// English (titles, column labels, group names), shown in Chinese on screen by
// www/lib/result-table.js (exports keep the engine's text, with its own `lang: "zh"` labels).
// Keys carry a "table:" prefix so that a user's column called, say, "Mean" is never renamed
// outside a table's fixed places.
export default {
  "table:Descriptive statistics": "描述性统计",
  "table:Variable": "变量",
  "table:N": "N",
  "table:Mean": "均值",
  "table:SD": "标准差",
  "table:Min": "最小值",
  "table:Max": "最大值",
  "table:Median": "中位数",
  "table:P25": "P25",
  "table:P75": "P75",
  "table:Treated units, controls and adoption cohorts": "处理组、对照组与政策实施队列",
  "table:Group": "组别",
  "table:Adoption": "实施时间",
  "table:Units": "个体数",
  "table:Names": "名称",
  "table:Treated units": "处理组个体",
  "table:Never-treated units": "从未处理的个体",
  "table:of which adopting after the panel": "其中在面板结束后实施的",
  "table:Always treated (dropped)": "始终处理（已剔除）",
  "table:Cohort {g}": "{g} 年队列",
  "table:Difference-in-differences": "双重差分",
  "table:Panel structure": "面板结构",
  "table:Direct": "直接效应",
  "table:Indirect": "间接效应",
  "table:Total": "总效应",
  "table:Sample": "样本",
  "table:Mean treated": "处理组均值",
  "table:Mean control": "对照组均值",
  "table:Robust (HC1)": "稳健标准误（HC1）",
  "table:IID": "普通标准误",
};
