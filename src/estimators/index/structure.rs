//! Industrial-structure measures: location quotient, Herfindahl–Hirschman index,
//! and the Theil index of structural rationalisation.
//!
//! Data come either **long** (one row per unit, [period,] sector: columns `unit`,
//! `time`, `sector`, and the value column(s)) or **wide** (one row per unit
//! [and period], one column per sector). Within each period, the *reference
//! region* is the set of all units in the data.
//!
//! * **Location quotient** `LQ_ij = (E_ij / E_i) / (E_j / E)`, with `E_ij` the
//!   employment (or output) of unit i in sector j, `E_i = Σ_j E_ij`,
//!   `E_j = Σ_i E_ij`, `E = Σ_ij E_ij`, all within the same period.
//!   `LQ > 1`: unit i is specialised in sector j relative to the whole region.
//! * **HHI** of the sector shares `s_ij = E_ij / E_i` within each unit-period:
//!   `HHI_i = Σ_j s_ij²` (1 = one sector only, 1/n = equal shares), and the
//!   normalised `HHI*_i = (HHI_i − 1/n) / (1 − 1/n)` in [0, 1], with `n` the
//!   number of sectors in the data (sector columns in wide form, distinct sectors in
//!   long form); `NaN` when `n < 2`.
//! * **Theil index of structural rationalisation** (干春晖、郑若谷、余典范 2011,
//!   《经济研究》, the form used throughout the Chinese literature on 产业结构合理化):
//!   `TL = Σ_i (Y_i / Y) ln((Y_i / L_i) / (Y / L))` over sectors i, with output
//!   `Y_i` and employment `L_i`, `Y = Σ Y_i`, `L = Σ L_i`. `TL = 0` when every
//!   sector's labour productivity equals the average (a "rational" structure);
//!   larger values mean a less rational structure. Sectors with `Y_i = 0` add 0
//!   (`0 · ln 0 = 0`); `L_i = 0` with `Y_i > 0` makes TL undefined (`NaN`, with a
//!   diagnostic).
//!
//! Missing values: a missing unit, period or sector leaves the row out; a missing
//! value leaves that sector out of the unit-period's totals; both are reported in
//! `diagnostics`. Negative values are an error. Sectors absent from a unit-period in
//! long data count as 0 in the totals.

use crate::data::{Dataset, Factor};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A row-aligned column to append to the dataset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedColumn {
    /// Suggested column name.
    pub name: String,
    /// One value per dataset row.
    pub values: Vec<f64>,
}

/// Location-quotient specification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LqSpec {
    /// Unit (region) column.
    pub unit: String,
    /// Period column (optional).
    #[serde(default)]
    pub time: Option<String>,
    /// Long form: the sector column…
    #[serde(default)]
    pub sector: Option<String>,
    /// …and the employment (value) column.
    #[serde(default)]
    pub value: Option<String>,
    /// Wide form: one employment column per sector.
    #[serde(default)]
    pub sectors: Vec<String>,
}

/// HHI specification (same layout as [`LqSpec`]).
pub type HhiSpec = LqSpec;

/// Theil-index specification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TheilSpec {
    /// Unit (region) column.
    pub unit: String,
    /// Period column (optional).
    #[serde(default)]
    pub time: Option<String>,
    /// Long form: sector column…
    #[serde(default)]
    pub sector: Option<String>,
    /// …output column…
    #[serde(default)]
    pub output: Option<String>,
    /// …and employment column.
    #[serde(default)]
    pub employment: Option<String>,
    /// Wide form: output column of each sector…
    #[serde(default)]
    pub output_sectors: Vec<String>,
    /// …and the employment column of the same sectors, in the same order.
    #[serde(default)]
    pub employment_sectors: Vec<String>,
}

/// One location quotient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LqRow {
    /// Unit.
    pub unit: String,
    /// Period (`None` without a time column).
    pub time: Option<String>,
    /// Sector.
    pub sector: String,
    /// `E_ij`.
    pub value: f64,
    /// `LQ_ij` (`NaN` when a total is 0).
    pub lq: f64,
}

/// Location quotients.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LqResult {
    /// One row per unit, period and sector.
    pub table: Vec<LqRow>,
    /// Row-aligned columns: `lq` (long form) or `lq_<sector>` (wide form).
    pub columns: Vec<NamedColumn>,
    /// Non-fatal notes.
    pub diagnostics: Diagnostics,
}

/// HHI of one unit-period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HhiRow {
    /// Unit.
    pub unit: String,
    /// Period.
    pub time: Option<String>,
    /// Total `E_i`.
    pub total: f64,
    /// Number of sectors `n`.
    pub n_sectors: usize,
    /// `Σ s²`.
    pub hhi: f64,
    /// `(HHI − 1/n)/(1 − 1/n)`.
    pub hhi_normalised: f64,
}

/// HHI per unit-period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HhiResult {
    /// One row per unit-period.
    pub table: Vec<HhiRow>,
    /// Row-aligned `hhi` and `hhi_normalised` (each row gets its unit-period's value).
    pub columns: Vec<NamedColumn>,
    /// Non-fatal notes.
    pub diagnostics: Diagnostics,
}

/// Theil index of one unit-period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TheilRow {
    /// Unit.
    pub unit: String,
    /// Period.
    pub time: Option<String>,
    /// Total output `Y`.
    pub output: f64,
    /// Total employment `L`.
    pub employment: f64,
    /// `TL`.
    pub theil: f64,
}

/// Theil index per unit-period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TheilResult {
    /// One row per unit-period.
    pub table: Vec<TheilRow>,
    /// Row-aligned `theil` column.
    pub columns: Vec<NamedColumn>,
    /// Non-fatal notes.
    pub diagnostics: Diagnostics,
}

type Key = (u32, u32);

/// Values per unit-period and sector, for one or more variables.
struct Cells {
    units: Vec<String>,
    times: Option<Vec<String>>,
    sectors: Vec<String>,
    /// `cells[key][var][sector]` (`NaN` = missing or absent).
    cells: BTreeMap<Key, Vec<Vec<f64>>>,
    /// Key of each dataset row (None if skipped).
    row_key: Vec<Option<Key>>,
    /// Sector of each dataset row (long form).
    row_sector: Vec<Option<usize>>,
    long: bool,
    diagnostics: Diagnostics,
}

fn collect(
    ds: &Dataset,
    unit: &str,
    time: Option<&str>,
    sector: Option<&str>,
    long_vars: &[Option<&str>],
    wide_vars: &[&[String]],
) -> Result<Cells> {
    let uf = ds.factor(unit)?;
    let tf = match time {
        Some(t) => Some(ds.factor(t)?),
        None => None,
    };
    let any_wide = wide_vars.iter().any(|w| !w.is_empty());
    let long = sector.is_some();
    if long && any_wide {
        return Err(Error::invalid("give either `sector` with value column(s) (long data) or sector columns (wide data), not both"));
    }
    if !long && !any_wide {
        return Err(Error::invalid("give `sector` and the value column(s) (long data) or the list of sector columns (wide data)"));
    }
    let ids = Ids { unit: &uf, time: tf.as_ref() };
    let mut acc = Acc::new(ds.nrows());
    let sectors = if long {
        collect_long(ds, &ids, sector.unwrap_or_default(), long_vars, &mut acc)?
    } else {
        collect_wide(ds, &ids, wide_vars, long_vars.len(), &mut acc)?
    };
    let mut diagnostics = Diagnostics::new();
    if acc.skipped > 0 {
        diagnostics.push(Diagnostic::info(Code::StructureRowsLeftOut, format!("{} rows with a missing unit, period or sector were left out", acc.skipped)));
    }
    if acc.n_missing > 0 {
        diagnostics.push(Diagnostic::info(Code::StructureRowsLeftOut, format!("{} missing values were left out of the totals", acc.n_missing)));
    }
    Ok(Cells {
        units: uf.levels,
        times: tf.map(|f| f.levels),
        sectors,
        cells: acc.cells,
        row_key: acc.row_key,
        row_sector: acc.row_sector,
        long,
        diagnostics,
    })
}

/// The unit and (optional) period factors of the rows.
struct Ids<'a> {
    unit: &'a Factor,
    time: Option<&'a Factor>,
}

impl Ids<'_> {
    /// The (unit, period) key of a row; None when either is missing.
    fn key(&self, i: usize) -> Option<Key> {
        let u = self.unit.codes[i];
        let t = self.time.map_or(0, |f| f.codes[i]);
        (u != Factor::MISSING && t != Factor::MISSING).then_some((u, t))
    }
    /// `` `unit` `` and, with periods, ` in period <t>` for a message.
    fn describe(&self, key: Key) -> (String, String) {
        let unit = self.unit.levels[key.0 as usize].clone();
        (unit, self.time.map(|f| format!(" in period {}", f.levels[key.1 as usize])).unwrap_or_default())
    }
}

/// What collecting fills in, row by row.
struct Acc {
    cells: BTreeMap<Key, Vec<Vec<f64>>>,
    row_key: Vec<Option<Key>>,
    row_sector: Vec<Option<usize>>,
    skipped: usize,
    n_missing: usize,
}

impl Acc {
    fn new(n: usize) -> Acc {
        Acc { cells: BTreeMap::new(), row_key: vec![None; n], row_sector: vec![None; n], skipped: 0, n_missing: 0 }
    }
}

/// Long data: one row per unit, period and sector, the values in `long_vars`; returns the sectors.
fn collect_long(ds: &Dataset, ids: &Ids, sname: &str, long_vars: &[Option<&str>], acc: &mut Acc) -> Result<Vec<String>> {
    let nv = long_vars.len();
    let sf = ds.factor(sname)?;
    let mut vals: Vec<&[f64]> = Vec::with_capacity(nv);
    for v in long_vars {
        let Some(v) = v else {
            return Err(Error::invalid("long data need the value column(s) as well as `sector`"));
        };
        vals.push(ds.numeric(v)?);
    }
    let sectors = sf.levels.clone();
    let s_n = sectors.len();
    for i in 0..ds.nrows() {
        let (Some(key), s) = (ids.key(i), sf.codes[i]) else {
            acc.skipped += 1;
            continue;
        };
        if s == Factor::MISSING {
            acc.skipped += 1;
            continue;
        }
        let cell = acc.cells.entry(key).or_insert_with(|| vec![vec![f64::NAN; s_n]; nv]);
        for (k, v) in vals.iter().enumerate() {
            let x = v[i];
            check_value(ds, long_vars[k].unwrap_or_default(), i, x)?;
            if x.is_nan() {
                acc.n_missing += 1;
                continue;
            }
            let slot = &mut cell[k][s as usize];
            if !slot.is_nan() {
                let (unit, period) = ids.describe(key);
                return Err(Error::invalid(format!(
                    "unit `{unit}`{period} has more than one row for sector `{}`",
                    sectors[s as usize]
                )));
            }
            *slot = x;
        }
        acc.row_key[i] = Some(key);
        acc.row_sector[i] = Some(s as usize);
    }
    Ok(sectors)
}

/// Wide data: one row per unit and period, one column per sector for each variable (`nv`
/// variables); returns the sectors (the first variable's columns).
fn collect_wide(ds: &Dataset, ids: &Ids, wide_vars: &[&[String]], nv: usize, acc: &mut Acc) -> Result<Vec<String>> {
    let s_n = wide_vars[0].len();
    if wide_vars.iter().any(|w| w.len() != s_n) {
        return Err(Error::invalid("the output and employment sector lists must have the same length"));
    }
    let mut cols: Vec<Vec<&[f64]>> = Vec::with_capacity(nv);
    for w in wide_vars {
        cols.push(w.iter().map(|c| ds.numeric(c)).collect::<Result<Vec<_>>>()?);
    }
    for i in 0..ds.nrows() {
        let Some(key) = ids.key(i) else {
            acc.skipped += 1;
            continue;
        };
        if acc.cells.contains_key(&key) {
            let (unit, period) = ids.describe(key);
            return Err(Error::invalid(format!(
                "unit `{unit}`{period} appears in more than one row; wide data need one row per unit and period"
            )));
        }
        let mut cell = vec![vec![f64::NAN; s_n]; nv];
        for (k, vc) in cols.iter().enumerate() {
            for (s, c) in vc.iter().enumerate() {
                let x = c[i];
                check_value(ds, &wide_vars[k][s], i, x)?;
                if x.is_nan() {
                    acc.n_missing += 1;
                }
                cell[k][s] = x;
            }
        }
        acc.cells.insert(key, cell);
        acc.row_key[i] = Some(key);
    }
    Ok(wide_vars[0].to_vec())
}

fn check_value(ds: &Dataset, col: &str, row: usize, x: f64) -> Result<()> {
    if x < 0.0 || x.is_infinite() {
        let at = ds.source_line(row).map_or(format!("row {}", row + 1), |l| format!("line {l}"));
        return Err(Error::invalid(format!(
            "column `{col}` has the value {x} at {at}; employment and output must be non-negative"
        )));
    }
    Ok(())
}

fn nansum(v: &[f64]) -> f64 {
    v.iter().filter(|x| !x.is_nan()).sum()
}

impl Cells {
    fn labels(&self, key: Key) -> (String, Option<String>) {
        (
            self.units.get(key.0 as usize).cloned().unwrap_or_default(),
            self.times.as_ref().and_then(|t| t.get(key.1 as usize).cloned()),
        )
    }
    /// Row-aligned column from a per-key value.
    fn per_row(&self, f: impl Fn(Key) -> f64) -> Vec<f64> {
        self.row_key.iter().map(|k| k.map_or(f64::NAN, &f)).collect()
    }
}

/// Location quotients `LQ_ij = (E_ij/E_i)/(E_j/E)` within each period.
pub fn location_quotient(ds: &Dataset, spec: &LqSpec) -> Result<LqResult> {
    let wide = [spec.sectors.clone()];
    let wide_ref: Vec<&[String]> = wide.iter().map(Vec::as_slice).collect();
    let c = collect(ds, &spec.unit, spec.time.as_deref(), spec.sector.as_deref(), &[spec.value.as_deref()], &wide_ref)?;
    let s_n = c.sectors.len();
    // Period totals: E_j (per sector) and E.
    let mut period: BTreeMap<u32, (Vec<f64>, f64)> = BTreeMap::new();
    for (key, cell) in &c.cells {
        let e = period.entry(key.1).or_insert_with(|| (vec![0.0; s_n], 0.0));
        for (s, x) in cell[0].iter().enumerate() {
            if !x.is_nan() {
                e.0[s] += x;
                e.1 += x;
            }
        }
    }
    let lq_of = |key: Key, s: usize| -> f64 {
        let cell = &c.cells[&key][0];
        let x = cell[s];
        let ei = nansum(cell);
        let (ej, e) = &period[&key.1];
        let v = (x / ei) / (ej[s] / e);
        if v.is_finite() {
            v
        } else {
            f64::NAN
        }
    };
    let mut table = Vec::new();
    let mut undefined = 0;
    for (key, cell) in &c.cells {
        let (unit, time) = c.labels(*key);
        for (s, &value) in cell[0].iter().enumerate() {
            if value.is_nan() {
                continue;
            }
            let lq = lq_of(*key, s);
            if lq.is_nan() {
                undefined += 1;
            }
            table.push(LqRow { unit: unit.clone(), time: time.clone(), sector: c.sectors[s].clone(), value, lq });
        }
    }
    let mut diagnostics = c.diagnostics.clone();
    if undefined > 0 {
        diagnostics.push(Diagnostic::info(Code::StructureUndefined, format!("{undefined} location quotients are undefined (a unit or sector total is 0)")));
    }
    let columns = if c.long {
        let values = c
            .row_key
            .iter()
            .zip(&c.row_sector)
            .map(|(k, s)| match (k, s) {
                (Some(k), Some(s)) if !c.cells[k][0][*s].is_nan() => lq_of(*k, *s),
                _ => f64::NAN,
            })
            .collect();
        vec![NamedColumn { name: "lq".into(), values }]
    } else {
        (0..s_n)
            .map(|s| NamedColumn {
                name: format!("lq_{}", c.sectors[s]),
                values: c.per_row(|k| if c.cells[&k][0][s].is_nan() { f64::NAN } else { lq_of(k, s) }),
            })
            .collect()
    };
    Ok(LqResult { table, columns, diagnostics })
}

/// HHI and normalised HHI of sector shares within each unit-period.
pub fn hhi(ds: &Dataset, spec: &HhiSpec) -> Result<HhiResult> {
    let wide = [spec.sectors.clone()];
    let wide_ref: Vec<&[String]> = wide.iter().map(Vec::as_slice).collect();
    let c = collect(ds, &spec.unit, spec.time.as_deref(), spec.sector.as_deref(), &[spec.value.as_deref()], &wide_ref)?;
    let n = c.sectors.len();
    let mut diagnostics = c.diagnostics.clone();
    let mut values: BTreeMap<Key, (f64, f64)> = BTreeMap::new();
    let mut table = Vec::new();
    let mut zero = 0;
    for (key, cell) in &c.cells {
        let total = nansum(&cell[0]);
        let h = if total > 0.0 {
            cell[0].iter().filter(|x| !x.is_nan()).map(|x| (x / total).powi(2)).sum::<f64>()
        } else {
            zero += 1;
            f64::NAN
        };
        let nf = n as f64;
        let hn = if n >= 2 { (h - 1.0 / nf) / (1.0 - 1.0 / nf) } else { f64::NAN };
        values.insert(*key, (h, hn));
        let (unit, time) = c.labels(*key);
        table.push(HhiRow { unit, time, total, n_sectors: n, hhi: h, hhi_normalised: hn });
    }
    if zero > 0 {
        diagnostics.push(Diagnostic::info(Code::StructureUndefined, format!("{zero} unit-periods have total 0: their HHI is undefined")));
    }
    if n < 2 {
        diagnostics.push(Diagnostic::info(Code::StructureUndefined, "only one sector: the normalised HHI is undefined"));
    }
    let columns = vec![
        NamedColumn { name: "hhi".into(), values: c.per_row(|k| values[&k].0) },
        NamedColumn { name: "hhi_normalised".into(), values: c.per_row(|k| values[&k].1) },
    ];
    Ok(HhiResult { table, columns, diagnostics })
}

/// Theil index of structural rationalisation `TL = Σ (Y_i/Y) ln((Y_i/L_i)/(Y/L))`.
pub fn theil(ds: &Dataset, spec: &TheilSpec) -> Result<TheilResult> {
    let wide: [&[String]; 2] = [&spec.output_sectors, &spec.employment_sectors];
    let c = collect(
        ds,
        &spec.unit,
        spec.time.as_deref(),
        spec.sector.as_deref(),
        &[spec.output.as_deref(), spec.employment.as_deref()],
        &wide,
    )?;
    let mut diagnostics = c.diagnostics.clone();
    let mut values: BTreeMap<Key, f64> = BTreeMap::new();
    let mut table = Vec::new();
    let mut undefined = 0;
    for (key, cell) in &c.cells {
        // Sectors with both values present.
        let pairs: Vec<(f64, f64)> =
            cell[0].iter().zip(&cell[1]).filter(|(y, l)| !y.is_nan() && !l.is_nan()).map(|(y, l)| (*y, *l)).collect();
        let y: f64 = pairs.iter().map(|p| p.0).sum();
        let l: f64 = pairs.iter().map(|p| p.1).sum();
        let mut t = 0.0;
        if y > 0.0 && l > 0.0 {
            for &(yi, li) in &pairs {
                if yi == 0.0 {
                    continue;
                }
                if li == 0.0 {
                    t = f64::NAN;
                    break;
                }
                t += (yi / y) * ((yi / li) / (y / l)).ln();
            }
        } else {
            t = f64::NAN;
        }
        if t.is_nan() {
            undefined += 1;
        }
        values.insert(*key, t);
        let (unit, time) = c.labels(*key);
        table.push(TheilRow { unit, time, output: y, employment: l, theil: t });
    }
    if undefined > 0 {
        diagnostics.push(Diagnostic::info(Code::StructureUndefined, format!(
            "{undefined} unit-periods have an undefined Theil index (zero total, or a sector with output but no employment)"
        )));
    }
    let columns = vec![NamedColumn { name: "theil".into(), values: c.per_row(|k| values[&k]) }];
    Ok(TheilResult { table, columns, diagnostics })
}
