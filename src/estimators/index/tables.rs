//! Tables of a composite index, as [`ResultTable`]s rendered by the one renderer
//! ([`crate::report::render_table`]): the result's own tables ([`Tables`] for
//! [`IndexResult`]: weights, dimensions, score summary, PCA components, loadings and
//! sampling adequacy) and, from the dataset, the weights table with dimension rows, the
//! score summary by period and a unit ranking.

use super::{IndexResult, PcaResult, WeightedIndex};
use crate::data::{Dataset, Factor};
use crate::error::{Error, Result};
use crate::inference::stats;
use crate::report::table::{Align, Cell, ResultTable, TableRow, Tables};
use serde::Serialize;

/// Decimals of weights, scores and statistics in the index tables.
const DIGITS: usize = 4;

fn opt(x: Option<f64>) -> f64 {
    x.unwrap_or(f64::NAN)
}

/// A number cell; NaN (not applicable) is empty.
fn num(x: f64) -> Cell {
    if x.is_nan() {
        Cell::Empty
    } else {
        Cell::number(x, DIGITS)
    }
}

fn direction(d: i8) -> Cell {
    match d {
        0 => Cell::Empty,
        d if d < 0 => Cell::text("-"),
        _ => Cell::text("+"),
    }
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

    /// The table (`index.weights_by_dimension`).
    pub fn to_table(&self) -> ResultTable {
        let mut t = ResultTable::new(
            "index.weights_by_dimension",
            "Weights by dimension",
            &["Dimension", "Indicator", "Direction", "Entropy", "Weight in dimension", "Weight"],
        )
        .align_values(Align::Right);
        for r in &self.rows {
            t.push(TableRow::new(
                r.dimension.clone(),
                vec![Cell::text(r.indicator.clone()), direction(r.direction), num(r.entropy), num(r.weight_in_dimension), num(r.weight)],
            ));
        }
        t
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

    /// The table (`index.scores_by_period`).
    pub fn to_table(&self) -> ResultTable {
        let mut t = ResultTable::new("index.scores_by_period", "Scores by period", &["Period", "N", "Mean", "SD", "Min", "Max"])
            .align_values(Align::Right);
        for r in &self.rows {
            t.push(TableRow::new(r.time.clone(), vec![Cell::integer(r.n), num(r.mean), num(r.sd), num(r.min), num(r.max)]));
        }
        t
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

    /// The table (`index.ranking`).
    pub fn to_table(&self) -> ResultTable {
        let title = if self.basis == "mean" { "Ranking (mean over periods)".to_string() } else { format!("Ranking ({})", self.basis) };
        let mut t = ResultTable::new("index.ranking", title, &["Rank", "Unit", "Score", "N"]).align_values(Align::Right);
        for r in &self.rows {
            t.push(TableRow::new(r.rank.to_string(), vec![Cell::text(r.unit.clone()), num(r.score), Cell::integer(r.n)]));
        }
        t
    }
}

/// N, mean, SD, min and max of the non-missing values.
fn summary_cells(values: &[f64]) -> Vec<Cell> {
    let v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return vec![Cell::integer(0), Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty];
    }
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    vec![Cell::integer(v.len()), num(stats::mean(&v)), num(stats::sd(&v)), num(min), num(max)]
}

/// `index.weights`: one row per indicator with the method's intermediate quantities.
fn weights_table(weights: &[super::IndicatorWeight], within: Option<&WeightedIndex>) -> ResultTable {
    let has_dims = weights.iter().any(|w| w.dimension.is_some());
    type Get = fn(&super::IndicatorWeight) -> Option<f64>;
    let extras: [(&str, Get); 7] = [
        ("Entropy", |w| w.entropy),
        ("Divergence", |w| w.divergence),
        ("SD", |w| w.sd),
        ("Conflict", |w| w.conflict),
        ("Information", |w| w.information),
        ("Mean", |w| w.mean),
        ("CV", |w| w.cv),
    ];
    let extras: Vec<(&str, Get)> = extras.into_iter().filter(|(_, g)| weights.iter().any(|w| g(w).is_some())).collect();
    let within_of = |w: &super::IndicatorWeight| -> f64 {
        within
            .and_then(|r| {
                let dn = w.dimension.as_ref()?;
                let d = r.dimensions.iter().find(|d| &d.dimension == dn)?;
                d.indicators.iter().position(|i| i == &w.indicator).map(|k| d.weights[k])
            })
            .unwrap_or(f64::NAN)
    };
    let mut cols = vec!["Indicator"];
    if has_dims {
        cols.push("Dimension");
    }
    cols.extend(["Direction", "Weight"]);
    let show_within = has_dims && within.is_some_and(|r| !r.dimensions.is_empty());
    if show_within {
        cols.push("Within dimension");
    }
    cols.extend(extras.iter().map(|(l, _)| *l));
    let mut t = ResultTable::new("index.weights", "Weights", &cols).align_values(Align::Right);
    for w in weights {
        let mut cells = Vec::new();
        if has_dims {
            cells.push(Cell::text(w.dimension.clone().unwrap_or_default()));
        }
        cells.extend([direction(w.direction), num(w.weight)]);
        if show_within {
            cells.push(num(within_of(w)));
        }
        cells.extend(extras.iter().map(|(_, g)| num(opt(g(w)))));
        t.push(TableRow::new(w.indicator.clone(), cells));
    }
    t
}

/// `index.dimensions`: weight and indicators of each dimension.
fn dimensions_table(r: &WeightedIndex) -> ResultTable {
    let mut t = ResultTable::new("index.dimensions", "Dimensions", &["Dimension", "Weight", "Indicators", "Members"])
        .align_values(Align::Right);
    t.columns[3].align = Align::Left;
    for d in &r.dimensions {
        t.push(TableRow::new(d.dimension.clone(), vec![num(d.weight), Cell::integer(d.indicators.len()), Cell::text(d.indicators.join(", "))]));
    }
    t
}

/// `index.scores`: summary of the index (and of each sub-index) over the rows used.
fn scores_table(label: &str, values: &[f64], dims: &[super::DimensionResult]) -> ResultTable {
    let mut t = ResultTable::new("index.scores", "Scores", &["", "N", "Mean", "SD", "Min", "Max"]).align_values(Align::Right);
    t.push(TableRow::new(label, summary_cells(values)));
    for (k, d) in dims.iter().enumerate() {
        let row = TableRow::new(d.dimension.clone(), summary_cells(&d.scores));
        t.push(if k == 0 { row.ruled() } else { row });
    }
    t
}

fn pca_tables(r: &PcaResult) -> Vec<ResultTable> {
    let mut comp = ResultTable::new(
        "index.pca.components",
        "Principal components",
        &["Component", "Eigenvalue", "Share of variance", "Cumulative", "Retained", "Weight in index"],
    )
    .align_values(Align::Right);
    let mut cum = 0.0;
    for (k, (&ev, &ex)) in r.eigenvalues.iter().zip(&r.explained).enumerate() {
        cum += ex;
        let kept = k < r.n_components;
        let share = if kept { r.variance_share.get(k).map_or(Cell::Empty, |&v| num(v)) } else { Cell::Empty };
        comp.push(TableRow::new(format!("PC{}", k + 1), vec![num(ev), num(ex), num(cum), Cell::YesNo { value: kept }, share]));
    }
    let mut cols: Vec<String> = vec!["Indicator".into()];
    cols.extend((1..=r.n_components).map(|k| format!("Loading PC{k}")));
    cols.extend((1..=r.n_components).map(|k| format!("Coefficient PC{k}")));
    cols.push("MSA".into());
    let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
    let mut load = ResultTable::new("index.pca.loadings", "Loadings and sampling adequacy", &refs).align_values(Align::Right);
    for l in &r.loadings {
        let mut cells: Vec<Cell> = l.loadings.iter().take(r.n_components).map(|&v| num(v)).collect();
        cells.extend(l.coefficients.iter().take(r.n_components).map(|&v| num(v)));
        cells.push(num(r.msa.iter().find(|m| m.indicator == l.indicator).map_or(f64::NAN, |m| m.msa)));
        load.push(TableRow::new(l.indicator.clone(), cells));
    }
    let mut adequacy = ResultTable::new("index.pca.adequacy", "Sampling adequacy", &["", "Value"]).align_values(Align::Right);
    adequacy.push(TableRow::new("KMO", vec![num(r.kmo)]));
    adequacy.push(TableRow::new("Bartlett χ²", vec![num(r.bartlett.chi2)]));
    adequacy.push(TableRow::new("Bartlett df", vec![Cell::Number { value: r.bartlett.df, digits: 0 }]));
    adequacy.push(TableRow::new("Bartlett p", vec![num(r.bartlett.p_value)]));
    adequacy.push(TableRow::new("Components retained", vec![Cell::integer(r.n_components)]));
    adequacy.push(TableRow::new("Rows used", vec![Cell::integer(r.n_used)]));
    vec![comp, load, adequacy]
}

impl Tables for IndexResult {
    fn tables(&self) -> Vec<ResultTable> {
        match self {
            IndexResult::Weighted(r) => {
                let mut out = vec![weights_table(&r.weights, Some(r))];
                if !r.dimensions.is_empty() {
                    out.push(dimensions_table(r));
                }
                out.push(scores_table("Index", &r.scores, &r.dimensions));
                out
            }
            IndexResult::Topsis(r) => vec![weights_table(&r.weights, None), scores_table("Closeness", &r.closeness, &[])],
            IndexResult::Pca(r) => {
                let mut out = pca_tables(r);
                out.push(scores_table("Index", &r.index, &[]));
                out
            }
        }
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
        let csv = crate::report::render_table(&r.to_table(), &crate::report::RenderOptions { format: "csv".into(), ..Default::default() }).unwrap();
        assert_eq!(csv.lines().nth(1), Some("1,a,3.0000,2"), "{csv}");
        let t = ScoreSummaryTable::new(&ds, "t", &s).unwrap();
        assert_eq!(t.rows[1].n, 2);
        assert_eq!(t.rows[1].mean, 3.5);
        assert_eq!(t.to_table().columns[1].label, "N");
        assert!(RankingTable::new(&ds, "u", Some("t"), Some("9"), &s).is_err());
    }
}
