//! [`build_design`]: the validated DID design, in steps — the panel (valid rows, one row per
//! unit and period), the treatment columns of each form, the unit classification (late
//! adopters, always-treated units), the identification checks and the per-row timing.

use super::{check_binary, fmt_num, list_names, loc, some_unit_switches, Cohort, DidDesign, TreatmentForm, TreatmentSpec};
use crate::data::{Dataset, Factor};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// The panel structure: units, times and each unit's valid rows in time order.
struct Panel {
    n: usize,
    unit: Factor,
    time: Vec<f64>,
    /// A unit and a finite time.
    valid: Vec<bool>,
    /// Valid rows of each unit, in time order.
    unit_rows: Vec<Vec<usize>>,
    /// All valid rows.
    all_valid: Vec<usize>,
    /// The data's last period (late adopters are judged against it).
    last_period: f64,
}

/// The treatment columns of a form, before the unit classification.
struct Treatment {
    did: Vec<f64>,
    unit_adoption: Vec<Option<f64>>,
    unit_treated: Vec<bool>,
    post: Option<Vec<f64>>,
}

/// Units whose adoption time is outside the panel's observed treatment window.
struct Classified {
    unit_present: Vec<bool>,
    late_adopters: Vec<(String, f64)>,
    always_treated: Vec<(String, f64)>,
    drop_always: bool,
}

/// Builds and validates the DID design (see the module docs for conventions and errors).
pub fn build_design(ds: &Dataset, spec: &TreatmentSpec) -> Result<DidDesign> {
    let form = spec.form()?;
    let mut diagnostics = Diagnostics::new();
    let panel = panel(ds, spec, &form, &mut diagnostics)?;
    let mut tr = match &form {
        TreatmentForm::Start { column } => from_start(ds, &panel, column)?,
        TreatmentForm::Indicator { column } => from_indicator(ds, spec, &panel, column, &mut diagnostics)?,
        TreatmentForm::TreatPost { treat, post } => from_treat_post(ds, &panel, treat, post)?,
    };
    let timing = !matches!(form, TreatmentForm::TreatPost { .. });
    let cl = classify_units(spec, &panel, &mut tr, timing);
    let n_levels = panel.unit.n_levels();
    let never_units: Vec<String> = (0..n_levels)
        .filter(|&u| cl.unit_present[u] && !tr.unit_treated[u])
        .map(|u| panel.unit.levels[u].clone())
        .collect();
    let n_treated_units = tr.unit_treated.iter().zip(&cl.unit_present).filter(|(t, p)| **t && **p).count();
    check_treated_units(&form, &panel, &cl, n_treated_units)?;
    let all_valid: Vec<usize> =
        panel.all_valid.iter().copied().filter(|&i| cl.unit_present[panel.unit.codes[i] as usize]).collect();
    check_identified(&panel, &tr, &cl, &all_valid, never_units.is_empty(), timing, &mut diagnostics)?;
    timing_notes(&panel, &cl, &mut diagnostics);
    let mut periods: Vec<f64> = all_valid.iter().map(|&i| panel.time[i]).collect();
    periods.sort_by(f64::total_cmp);
    periods.dedup();
    let (first_period, last_period) = (periods[0], periods[periods.len() - 1]);
    let (adoption, rel_time) = row_timing(&panel, &tr, timing);
    let cohorts = cohorts(&panel, &tr, &cl);
    let always_treated_dropped = cl.drop_always && !cl.always_treated.is_empty();
    Ok(DidDesign {
        form,
        unit: panel.unit,
        time: panel.time,
        did: tr.did,
        adoption,
        rel_time,
        unit_adoption: tr.unit_adoption,
        unit_treated: tr.unit_treated,
        n_units: cl.unit_present.iter().filter(|p| **p).count(),
        unit_present: cl.unit_present,
        post: tr.post,
        cohorts,
        n_treated_units,
        n_never_treated_units: never_units.len(),
        n_late_adopter_units: cl.late_adopters.len(),
        late_adopters: cl.late_adopters,
        n_always_treated_units: cl.always_treated.len(),
        always_treated: cl.always_treated,
        always_treated_dropped,
        n_periods: periods.len(),
        time_range: Some((first_period, last_period)),
        periods,
        diagnostics,
    })
}

/// The unit and time columns, the valid rows (noted when some are missing), whole-number
/// times for the timing forms, and one row per unit and period.
fn panel(ds: &Dataset, spec: &TreatmentSpec, form: &TreatmentForm, diagnostics: &mut Diagnostics) -> Result<Panel> {
    if spec.unit.trim().is_empty() {
        return Err(Error::invalid("the DID design needs a `unit` column (the panel id, e.g. \"city\")"));
    }
    if spec.time.trim().is_empty() {
        return Err(Error::invalid("the DID design needs a numeric `time` column (e.g. \"year\")"));
    }
    let n = ds.nrows();
    let unit = ds.factor(&spec.unit)?;
    let time: Vec<f64> = ds.numeric(&spec.time)?.to_vec();
    let valid: Vec<bool> = (0..n).map(|i| unit.codes[i] != Factor::MISSING && time[i].is_finite()).collect();
    let n_invalid = valid.iter().filter(|v| !**v).count();
    if n_invalid > 0 {
        diagnostics.push(Diagnostic::info(
            Code::DesignRowsMissing,
            format!(
                "{n_invalid} row{} with a missing `{}` or `{}` left out of the design (DID is missing there)",
                if n_invalid == 1 { "" } else { "s" },
                spec.unit,
                spec.time
            ),
        ));
    }
    if n_invalid == n {
        return Err(Error::insufficient(format!(
            "no row has both a `{}` and a `{}` value",
            spec.unit, spec.time
        )));
    }
    let needs_integer_time = !matches!(form, TreatmentForm::TreatPost { .. });
    if needs_integer_time {
        if let Some(i) = (0..n).find(|&i| valid[i] && time[i].fract() != 0.0) {
            return Err(Error::invalid(format!(
                "time column `{}` must hold whole numbers (years or period numbers) to build adoption and event \
                 times; found {} at {}",
                spec.time,
                fmt_num(time[i]),
                loc(ds, i)
            )));
        }
    }
    let mut unit_rows: Vec<Vec<usize>> = vec![Vec::new(); unit.n_levels()];
    for i in 0..n {
        if valid[i] {
            unit_rows[unit.codes[i] as usize].push(i);
        }
    }
    for rows in unit_rows.iter_mut() {
        rows.sort_by(|&a, &b| time[a].total_cmp(&time[b]).then(a.cmp(&b)));
    }
    check_duplicates(ds, spec, &unit, &time, &unit_rows)?;
    let last_period = (0..n).filter(|&i| valid[i]).map(|i| time[i]).fold(f64::NEG_INFINITY, f64::max);
    let all_valid: Vec<usize> = (0..n).filter(|&i| valid[i]).collect();
    Ok(Panel { n, unit, time, valid, unit_rows, all_valid, last_period })
}

/// Errors when a unit appears more than once in a period (the first three are listed).
fn check_duplicates(
    ds: &Dataset,
    spec: &TreatmentSpec,
    unit: &Factor,
    time: &[f64],
    unit_rows: &[Vec<usize>],
) -> Result<()> {
    let mut dups: Vec<String> = Vec::new();
    let mut n_dups = 0usize;
    for (u, rows) in unit_rows.iter().enumerate() {
        let mut k = 0;
        while k < rows.len() {
            let mut j = k + 1;
            while j < rows.len() && time[rows[j]] == time[rows[k]] {
                j += 1;
            }
            if j - k > 1 {
                n_dups += 1;
                if dups.len() < 3 {
                    let where_: Vec<String> = rows[k..j].iter().map(|&r| loc(ds, r)).collect();
                    dups.push(format!("`{}` at {} ({})", unit.levels[u], fmt_num(time[rows[k]]), where_.join(", ")));
                }
            }
            k = j;
        }
    }
    if n_dups > 0 {
        return Err(Error::invalid(format!(
            "{n_dups} duplicate ({}, {}) pair{}: {}{} — each unit may appear only once per period",
            spec.unit,
            spec.time,
            if n_dups == 1 { "" } else { "s" },
            dups.join("; "),
            if n_dups > dups.len() { "; …" } else { "" }
        )));
    }
    Ok(())
}

/// The `start` form: one adoption time per unit (blank or 0 = never), DID = 1 from it on.
fn from_start(ds: &Dataset, panel: &Panel, column: &str) -> Result<Treatment> {
    let a = ds.numeric(column)?;
    let unit = &panel.unit;
    let mut unit_adoption: Vec<Option<f64>> = vec![None; unit.n_levels()];
    for (u, rows) in panel.unit_rows.iter().enumerate() {
        // `None` = never (blank or 0).
        let mut seen: Option<(Option<f64>, usize)> = None;
        for &i in rows {
            let v = a[i];
            let val = if v.is_nan() || v == 0.0 {
                None
            } else if !v.is_finite() || v < 0.0 || v.fract() != 0.0 {
                return Err(Error::invalid(format!(
                    "adoption column `{column}`: {} at {} is not a valid adoption time (use a whole \
                     number such as a year, or blank / 0 for never treated)",
                    fmt_num(v),
                    loc(ds, i)
                )));
            } else {
                Some(v)
            };
            match seen {
                None => seen = Some((val, i)),
                Some((prev, j)) if prev != val => {
                    let show = |o: Option<f64>| o.map_or("blank/0 (never treated)".to_string(), fmt_num);
                    return Err(Error::invalid(format!(
                        "unit `{}` has different adoption times in `{column}`: {} ({}) and {} ({}); the \
                         adoption time must be the same in every row of a unit",
                        unit.levels[u],
                        show(prev),
                        loc(ds, j),
                        show(val),
                        loc(ds, i)
                    )));
                }
                _ => {}
            }
        }
        if let Some((val, _)) = seen {
            unit_adoption[u] = val;
        }
    }
    let mut did = vec![f64::NAN; panel.n];
    for &i in &panel.all_valid {
        did[i] = match unit_adoption[unit.codes[i] as usize] {
            Some(adopt) if panel.time[i] >= adopt => 1.0,
            _ => 0.0,
        };
    }
    Ok(Treatment { did, unit_adoption, unit_treated: vec![false; unit.n_levels()], post: None })
}

/// The `indicator` form: a ready 0/1 column; adoption = the first treated period.
fn from_indicator(
    ds: &Dataset,
    spec: &TreatmentSpec,
    panel: &Panel,
    column: &str,
    diagnostics: &mut Diagnostics,
) -> Result<Treatment> {
    let d = ds.numeric(column)?;
    check_binary(ds, column, d, &panel.all_valid)?;
    let (unit, time) = (&panel.unit, &panel.time);
    let mut unit_adoption: Vec<Option<f64>> = vec![None; unit.n_levels()];
    let mut switchers: Vec<String> = Vec::new();
    for (u, rows) in panel.unit_rows.iter().enumerate() {
        let mut on_at: Option<usize> = None;
        for &i in rows {
            if d[i] == 1.0 && on_at.is_none() {
                on_at = Some(i);
            } else if d[i] == 0.0 {
                if let Some(j) = on_at {
                    if !spec.allow_switching_off {
                        return Err(Error::invalid(format!(
                            "unit `{}` switches treatment off: `{column}` is 1 in {} ({}) but 0 later in {} \
                             ({}); a staggered DID assumes that treated units stay treated (set \
                             `allow_switching_off` to use the indicator as given)",
                            unit.levels[u],
                            fmt_num(time[j]),
                            loc(ds, j),
                            fmt_num(time[i]),
                            loc(ds, i)
                        )));
                    }
                    if switchers.last() != Some(&unit.levels[u]) {
                        switchers.push(unit.levels[u].clone());
                    }
                }
            }
        }
        unit_adoption[u] = on_at.map(|i| time[i]);
    }
    if !switchers.is_empty() {
        diagnostics.push(Diagnostic::warning(
            Code::TreatmentSwitchesOff,
            format!(
                "{} unit{} switch{} treatment off ({}); the indicator is used as given, event times count \
                 from the first treated period",
                switchers.len(),
                if switchers.len() == 1 { "" } else { "s" },
                if switchers.len() == 1 { "es" } else { "" },
                list_names(&switchers, 5)
            ),
        ));
    }
    let mut did = vec![f64::NAN; panel.n];
    for &i in &panel.all_valid {
        did[i] = d[i];
    }
    Ok(Treatment { did, unit_adoption, unit_treated: vec![false; unit.n_levels()], post: None })
}

/// The 2×2 form: a treated-group column constant within units times a post column.
fn from_treat_post(ds: &Dataset, panel: &Panel, treat: &str, post: &str) -> Result<Treatment> {
    let t = ds.numeric(treat)?;
    let p = ds.numeric(post)?;
    check_binary(ds, treat, t, &panel.all_valid)?;
    check_binary(ds, post, p, &panel.all_valid)?;
    let unit = &panel.unit;
    let mut unit_treated = vec![false; unit.n_levels()];
    for (u, rows) in panel.unit_rows.iter().enumerate() {
        let mut seen: Option<(f64, usize)> = None;
        for &i in rows {
            if t[i].is_nan() {
                continue;
            }
            match seen {
                None => seen = Some((t[i], i)),
                Some((v, j)) if v != t[i] => {
                    return Err(Error::invalid(format!(
                        "unit `{}` has `{treat}` = {} ({}) and {} ({}); the treated-group column must be \
                         constant within a unit (for a column that turns on at adoption use `indicator`)",
                        unit.levels[u],
                        fmt_num(v),
                        loc(ds, j),
                        fmt_num(t[i]),
                        loc(ds, i)
                    )));
                }
                _ => {}
            }
        }
        unit_treated[u] = matches!(seen, Some((v, _)) if v == 1.0);
    }
    let post_vals: Vec<f64> = panel.all_valid.iter().map(|&i| p[i]).filter(|v| !v.is_nan()).collect();
    if !post_vals.is_empty() && post_vals.iter().all(|&v| v == post_vals[0]) {
        return Err(Error::insufficient(format!(
            "`{post}` is {} in every row: the 2×2 design needs both pre (0) and post (1) periods",
            fmt_num(post_vals[0])
        )));
    }
    let mut did = vec![f64::NAN; panel.n];
    for &i in &panel.all_valid {
        did[i] = t[i] * p[i];
    }
    Ok(Treatment { did, unit_adoption: vec![None; unit.n_levels()], unit_treated, post: Some(p.to_vec()) })
}

/// Unit classification. Late adopters are never treated within the panel: their adoption
/// time is forgotten, so every estimator, placebo pool and table treats them exactly like
/// never-treated units. Always-treated units are dropped unless kept.
fn classify_units(spec: &TreatmentSpec, panel: &Panel, tr: &mut Treatment, timing: bool) -> Classified {
    let mut unit_present: Vec<bool> = panel.unit_rows.iter().map(|r| !r.is_empty()).collect();
    let mut late_adopters: Vec<(String, f64)> = Vec::new();
    let mut always_treated: Vec<(String, f64)> = Vec::new();
    let drop_always = timing && !spec.keep_always_treated;
    for u in 0..panel.unit.n_levels() {
        if !unit_present[u] || !timing {
            continue;
        }
        let Some(a) = tr.unit_adoption[u] else { continue };
        let rows = &panel.unit_rows[u];
        if a > panel.last_period {
            late_adopters.push((panel.unit.levels[u].clone(), a));
            tr.unit_adoption[u] = None;
            for &i in rows {
                tr.did[i] = 0.0;
            }
            continue;
        }
        if a <= panel.time[rows[0]] {
            always_treated.push((panel.unit.levels[u].clone(), a));
            if drop_always {
                tr.unit_adoption[u] = None;
                unit_present[u] = false;
                for &i in rows {
                    tr.did[i] = f64::NAN;
                }
                continue;
            }
        }
        tr.unit_treated[u] = true;
    }
    Classified { unit_present, late_adopters, always_treated, drop_always }
}

/// `name (adoption)` for each unit.
fn named(v: &[(String, f64)]) -> Vec<String> {
    v.iter().map(|(n, a)| format!("{n} ({})", fmt_num(*a))).collect()
}

/// Errors when no unit is treated within the panel.
fn check_treated_units(form: &TreatmentForm, panel: &Panel, cl: &Classified, n_treated_units: usize) -> Result<()> {
    let always = &cl.always_treated;
    if n_treated_units == 0 && !always.is_empty() {
        return Err(Error::insufficient(format!(
            "no treated unit is observed both before and after its treatment starts: the treated unit{} {} {} \
             treated from {} first observed period (always treated), so the DID effect cannot be separated from \
             the unit effects",
            if always.len() == 1 { "" } else { "s" },
            list_names(&named(always), 8),
            if always.len() == 1 { "is" } else { "are" },
            if always.len() == 1 { "its" } else { "their" },
        )));
    }
    if n_treated_units == 0 {
        return Err(Error::insufficient(match form {
            TreatmentForm::Start { column } => match cl.late_adopters.first() {
                Some((name, a)) => format!(
                    "no treated units within the panel: adoption year {} of unit `{name}` is after the panel's last \
                     period {}{}",
                    fmt_num(*a),
                    fmt_num(panel.last_period),
                    if cl.late_adopters.len() > 1 { " (as are all other adoption years)" } else { "" }
                ),
                None => format!("no treated units: `{column}` is blank or 0 for every unit"),
            },
            TreatmentForm::Indicator { column } => format!("no treated units: `{column}` is never 1"),
            TreatmentForm::TreatPost { treat, .. } => format!("no treated units: `{treat}` is never 1"),
        }));
    }
    Ok(())
}

/// Some period must hold both treated and untreated observations, and some treated unit
/// must switch within the sample (else the DID term is collinear with the unit effects).
fn check_identified(
    panel: &Panel,
    tr: &Treatment,
    cl: &Classified,
    all_valid: &[usize],
    no_never_treated: bool,
    timing: bool,
    diagnostics: &mut Diagnostics,
) -> Result<()> {
    let mut status: BTreeMap<i64, (bool, bool)> = BTreeMap::new();
    for &i in all_valid {
        let d = tr.did[i];
        if d.is_nan() {
            continue;
        }
        let e = status.entry(panel.time[i].to_bits() as i64).or_insert((false, false));
        if d == 1.0 {
            e.0 = true;
        } else {
            e.1 = true;
        }
    }
    if !status.values().any(|(t, c)| *t && *c) {
        let detail = if no_never_treated {
            "every unit is treated and all adopt at the same time".to_string()
        } else {
            "treated and untreated observations never share a period".to_string()
        };
        return Err(Error::insufficient(format!(
            "no never-treated or not-yet-treated controls: {detail}, so the DID effect cannot be separated from \
             the period effects"
        )));
    }
    let in_sample = |i: usize| panel.valid[i] && cl.unit_present[panel.unit.codes[i] as usize];
    if !some_unit_switches(&panel.unit.codes, &tr.did, &in_sample, panel.unit.n_levels()) {
        if timing {
            return Err(Error::insufficient(
                "no treated unit is observed both before and after its treatment starts (all treated units are \
                 treated in every observed period), so the DID effect cannot be separated from the unit effects",
            ));
        }
        diagnostics.push(Diagnostic::warning(
            Code::DidTermNotIdentified,
            "no treated unit is observed in both pre and post periods: with unit fixed effects the DID term is not \
             identified; use the treated-group and post dummies instead of unit effects (repeated cross-sections)",
        ));
    }
    Ok(())
}

/// The warnings on late adopters and always-treated units.
fn timing_notes(panel: &Panel, cl: &Classified, diagnostics: &mut Diagnostics) {
    if !cl.late_adopters.is_empty() {
        let k = cl.late_adopters.len();
        diagnostics.push(Diagnostic::warning(
            Code::LateAdoptersAsControls,
            format!(
                "{k} unit{} adopt{} after the panel's last period {} and {} treated as never treated (controls \
                 throughout, no event-time dummies, never-treated in placebo draws): {}",
                if k == 1 { "" } else { "s" },
                if k == 1 { "s" } else { "" },
                fmt_num(panel.last_period),
                if k == 1 { "is" } else { "are" },
                list_names(&named(&cl.late_adopters), 8)
            ),
        ));
    }
    if !cl.always_treated.is_empty() {
        let k = cl.always_treated.len();
        let names = list_names(&named(&cl.always_treated), 8);
        diagnostics.push(Diagnostic::warning(Code::AlwaysTreated, if cl.drop_always {
            format!(
                "{k} always-treated unit{} (treated from {} first observed period, so no pre-period) dropped from \
                 the sample, as R did and csdid do: {names}; set `keep_always_treated` to keep {}",
                if k == 1 { "" } else { "s" },
                if k == 1 { "its" } else { "their" },
                if k == 1 { "it" } else { "them" },
            )
        } else {
            format!(
                "always-treated units kept (treated from their first observed period, so they provide no \
                 pre-period and act as implicit controls in TWFE): {names}"
            )
        }));
    }
}

/// Per-row adoption and event time (timing forms only).
#[allow(clippy::type_complexity)]
fn row_timing(panel: &Panel, tr: &Treatment, timing: bool) -> (Vec<Option<f64>>, Vec<Option<i64>>) {
    let mut adoption = vec![None; panel.n];
    let mut rel_time = vec![None; panel.n];
    if timing {
        for &i in &panel.all_valid {
            if let Some(a) = tr.unit_adoption[panel.unit.codes[i] as usize] {
                adoption[i] = Some(a);
                rel_time[i] = Some((panel.time[i] - a) as i64);
            }
        }
    }
    (adoption, rel_time)
}

/// Adoption cohorts of the units in the sample, by adoption time.
fn cohorts(panel: &Panel, tr: &Treatment, cl: &Classified) -> Vec<Cohort> {
    let mut by_time: BTreeMap<u64, (f64, Vec<String>)> = BTreeMap::new();
    for u in 0..panel.unit.n_levels() {
        if let (true, Some(a)) = (cl.unit_present[u], tr.unit_adoption[u]) {
            // Adoption times are whole, non-negative numbers: their bit patterns sort like the values.
            by_time.entry(a.to_bits()).or_insert((a, Vec::new())).1.push(panel.unit.levels[u].clone());
        }
    }
    by_time.into_values().map(|(a, units)| Cohort { adoption: a, n_units: units.len(), units }).collect()
}
