//! Tables of a composite index: weights (per indicator and per dimension), score
//! summary by period, and a unit ranking. Each renders to CSV (full precision) and
//! Markdown (4 decimals); the page renders HTML from the same rows.

use super::{IndexResult, WeightedIndex};
use crate::data::{Dataset, Factor};
use crate::error::{Error, Result};
use crate::inference::stats;
use crate::report::escape::csv_field;
use serde::Serialize;

fn num_csv(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

fn num_md(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x:.4}")
    }
}

fn opt(x: Option<f64>) -> f64 {
    x.unwrap_or(f64::NAN)
}

/// A cell: text, or a number formatted per output.
enum Cell {
    T(String),
    N(f64),
}

fn render_csv(headers: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut out = headers.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(",");
    out.push('\n');
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .map(|c| match c {
                Cell::T(s) => csv_field(s),
                Cell::N(x) => num_csv(*x),
            })
            .collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn render_md(headers: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut out = format!("| {} |\n", headers.join(" | "));
    let seps: Vec<&str> = headers.iter().map(|_| "---").collect();
    out.push_str(&format!("| {} |\n", seps.join(" | ")));
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .map(|c| match c {
                Cell::T(s) => s.replace('|', "\\|"),
                Cell::N(x) => num_md(*x),
            })
            .collect();
        out.push_str(&format!("| {} |\n", line.join(" | ")));
    }
    out
}

/// One row of the weights table: an indicator, or (with `indicator` empty) a dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightsTableRow {
    /// Dimension (empty without a hierarchy).
    pub dimension: String,
    /// Indicator (empty on a dimension row).
    pub indicator: String,
    /// `+1`/`-1` (0 on a dimension row).
    pub direction: i8,
    /// Entropy (entropy-based methods; NaN otherwise).
    pub entropy: f64,
    /// Weight within the dimension (NaN without a hierarchy / on a dimension row).
    pub weight_in_dimension: f64,
    /// Overall weight (indicator) or dimension weight.
    pub weight: f64,
}

/// Weights per indicator and per dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightsTable {
    /// Dimension rows first (when any), then indicator rows in spec order.
    pub rows: Vec<WeightsTableRow>,
}

impl WeightsTable {
    /// The weights of an entropy / CRITIC / CV / equal / TOPSIS result (PCA has
    /// loadings instead of weights: error).
    pub fn from_result(result: &IndexResult) -> Result<WeightsTable> {
        match result {
            IndexResult::Weighted(r) => Ok(Self::from_weighted(r)),
            IndexResult::Topsis(r) => Ok(WeightsTable {
                rows: r
                    .weights
                    .iter()
                    .map(|w| WeightsTableRow {
                        dimension: w.dimension.clone().unwrap_or_default(),
                        indicator: w.indicator.clone(),
                        direction: w.direction,
                        entropy: opt(w.entropy),
                        weight_in_dimension: f64::NAN,
                        weight: w.weight,
                    })
                    .collect(),
            }),
            IndexResult::Pca(_) => Err(Error::invalid("a PCA index has loadings, not weights")),
        }
    }

    fn from_weighted(r: &WeightedIndex) -> WeightsTable {
        let mut rows: Vec<WeightsTableRow> = r
            .dimensions
            .iter()
            .map(|d| WeightsTableRow {
                dimension: d.dimension.clone(),
                indicator: String::new(),
                direction: 0,
                entropy: f64::NAN,
                weight_in_dimension: f64::NAN,
                weight: d.weight,
            })
            .collect();
        for w in &r.weights {
            let within = w
                .dimension
                .as_ref()
                .and_then(|dn| r.dimensions.iter().find(|d| &d.dimension == dn))
                .and_then(|d| d.indicators.iter().position(|i| i == &w.indicator).map(|k| d.weights[k]))
                .unwrap_or(f64::NAN);
            rows.push(WeightsTableRow {
                dimension: w.dimension.clone().unwrap_or_default(),
                indicator: w.indicator.clone(),
                direction: w.direction,
                entropy: opt(w.entropy),
                weight_in_dimension: within,
                weight: w.weight,
            });
        }
        WeightsTable { rows }
    }

    const HEADERS: [&'static str; 6] = ["dimension", "indicator", "direction", "entropy", "weight_in_dimension", "weight"];

    fn cells(&self) -> Vec<Vec<Cell>> {
        self.rows
            .iter()
            .map(|r| {
                vec![
                    Cell::T(r.dimension.clone()),
                    Cell::T(r.indicator.clone()),
                    Cell::T(if r.direction == 0 { String::new() } else { format!("{:+}", r.direction) }),
                    Cell::N(r.entropy),
                    Cell::N(r.weight_in_dimension),
                    Cell::N(r.weight),
                ]
            })
            .collect()
    }
    /// CSV with a header row.
    pub fn to_csv(&self) -> String {
        render_csv(&Self::HEADERS, &self.cells())
    }
    /// Markdown table.
    pub fn to_markdown(&self) -> String {
        render_md(&Self::HEADERS, &self.cells())
    }
}

/// Score statistics of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreSummaryRow {
    /// Period label.
    pub time: String,
    /// Non-missing scores.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (NaN when n < 2).
    pub sd: f64,
    /// Minimum.
    pub min: f64,
    /// Maximum.
    pub max: f64,
}

/// Score summary by period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreSummaryTable {
    /// One row per period, in period order.
    pub rows: Vec<ScoreSummaryRow>,
}

impl ScoreSummaryTable {
    /// Summarises row-aligned `scores` by the periods of column `time` (NaN scores skipped).
    pub fn new(ds: &Dataset, time: &str, scores: &[f64]) -> Result<ScoreSummaryTable> {
        if scores.len() != ds.nrows() {
            return Err(Error::invalid(format!("{} scores for {} rows", scores.len(), ds.nrows())));
        }
        let f = ds.factor(time)?;
        let mut groups: Vec<Vec<f64>> = vec![Vec::new(); f.n_levels()];
        for (i, &s) in scores.iter().enumerate() {
            if f.codes[i] != Factor::MISSING && !s.is_nan() {
                groups[f.codes[i] as usize].push(s);
            }
        }
        let rows = groups
            .iter()
            .zip(&f.levels)
            .filter(|(g, _)| !g.is_empty())
            .map(|(g, lab)| {
                let n = g.len();
                let (mean, sd) = (stats::mean(g), stats::sd(g));
                ScoreSummaryRow {
                    time: lab.clone(),
                    n,
                    mean,
                    sd,
                    min: g.iter().copied().fold(f64::INFINITY, f64::min),
                    max: g.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                }
            })
            .collect();
        Ok(ScoreSummaryTable { rows })
    }

    const HEADERS: [&'static str; 6] = ["time", "n", "mean", "sd", "min", "max"];

    fn cells(&self) -> Vec<Vec<Cell>> {
        self.rows
            .iter()
            .map(|r| {
                vec![Cell::T(r.time.clone()), Cell::T(r.n.to_string()), Cell::N(r.mean), Cell::N(r.sd), Cell::N(r.min), Cell::N(r.max)]
            })
            .collect()
    }
    /// CSV with a header row.
    pub fn to_csv(&self) -> String {
        render_csv(&Self::HEADERS, &self.cells())
    }
    /// Markdown table.
    pub fn to_markdown(&self) -> String {
        render_md(&Self::HEADERS, &self.cells())
    }
}

/// One unit in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankingRow {
    /// Rank (1 = highest score; ties share the smallest rank).
    pub rank: usize,
    /// Unit.
    pub unit: String,
    /// Score (of the chosen period, or the unit's mean).
    pub score: f64,
    /// Number of scores averaged.
    pub n: usize,
}

/// Units ranked by their score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankingTable {
    /// `"mean"` or the chosen period.
    pub basis: String,
    /// Rows in rank order.
    pub rows: Vec<RankingRow>,
}

impl RankingTable {
    /// Ranks units by `scores` in period `at` of column `time`, or (with `at = None`)
    /// by their mean score over all periods. NaN scores are skipped; units with no
    /// score are left out.
    pub fn new(ds: &Dataset, unit: &str, time: Option<&str>, at: Option<&str>, scores: &[f64]) -> Result<RankingTable> {
        if scores.len() != ds.nrows() {
            return Err(Error::invalid(format!("{} scores for {} rows", scores.len(), ds.nrows())));
        }
        let uf = ds.factor(unit)?;
        let keep: Vec<bool> = match (time, at) {
            (Some(t), Some(a)) => {
                let tf = ds.factor(t)?;
                let Some(code) = tf.levels.iter().position(|l| l == a) else {
                    return Err(Error::invalid(format!("period `{a}` does not occur in column `{t}`")));
                };
                tf.codes.iter().map(|&c| c as usize == code).collect()
            }
            (None, Some(_)) => return Err(Error::invalid("ranking for one period needs the time column")),
            _ => vec![true; ds.nrows()],
        };
        let mut sum = vec![0.0; uf.n_levels()];
        let mut cnt = vec![0usize; uf.n_levels()];
        for i in 0..ds.nrows() {
            let u = uf.codes[i];
            if keep[i] && u != Factor::MISSING && !scores[i].is_nan() {
                sum[u as usize] += scores[i];
                cnt[u as usize] += 1;
            }
        }
        let mut rows: Vec<RankingRow> = (0..uf.n_levels())
            .filter(|&u| cnt[u] > 0)
            .map(|u| RankingRow { rank: 0, unit: uf.levels[u].clone(), score: sum[u] / cnt[u] as f64, n: cnt[u] })
            .collect();
        rows.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.unit.cmp(&b.unit)));
        for k in 0..rows.len() {
            rows[k].rank = if k > 0 && rows[k].score == rows[k - 1].score { rows[k - 1].rank } else { k + 1 };
        }
        Ok(RankingTable { basis: at.map_or("mean".to_string(), str::to_string), rows })
    }

    const HEADERS: [&'static str; 4] = ["rank", "unit", "score", "n"];

    fn cells(&self) -> Vec<Vec<Cell>> {
        self.rows
            .iter()
            .map(|r| vec![Cell::T(r.rank.to_string()), Cell::T(r.unit.clone()), Cell::N(r.score), Cell::T(r.n.to_string())])
            .collect()
    }
    /// CSV with a header row.
    pub fn to_csv(&self) -> String {
        render_csv(&Self::HEADERS, &self.cells())
    }
    /// Markdown table.
    pub fn to_markdown(&self) -> String {
        render_md(&Self::HEADERS, &self.cells())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Column;

    #[test]
    fn ranking_and_summary() {
        let ds = Dataset::from_columns(vec![
            Column::text("u", ["a", "b", "c", "a", "b", "c"].iter().map(|s| Some(s.to_string())).collect()),
            Column::numeric("t", vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0]),
        ])
        .unwrap();
        let s = [1.0, 3.0, 3.0, 5.0, 2.0, f64::NAN];
        let r = RankingTable::new(&ds, "u", Some("t"), Some("1"), &s).unwrap();
        let got: Vec<(usize, &str)> = r.rows.iter().map(|x| (x.rank, x.unit.as_str())).collect();
        assert_eq!(got, vec![(1, "b"), (1, "c"), (3, "a")]);
        let r = RankingTable::new(&ds, "u", Some("t"), None, &s).unwrap();
        assert_eq!(r.rows[0].unit, "a");
        assert_eq!(r.rows[0].score, 3.0);
        assert_eq!(r.to_csv().lines().nth(1), Some("1,a,3,2"));
        let t = ScoreSummaryTable::new(&ds, "t", &s).unwrap();
        assert_eq!(t.rows[1].n, 2);
        assert_eq!(t.rows[1].mean, 3.5);
        assert!(t.to_markdown().starts_with("| time | n | mean |"));
        assert!(RankingTable::new(&ds, "u", Some("t"), Some("9"), &s).is_err());
    }
}
