//! The tables of the autocorrelation results: `moran.global` (one row per period),
//! `lisa.units` and `lisa.clusters`.

use super::lisa::LisaResult;
use super::moran::MoranResult;
use crate::report::table::{Cell, ResultTable, TableRow, Tables};

const DIGITS: usize = 4;

impl Tables for MoranResult {
    fn tables(&self) -> Vec<ResultTable> {
        let mut t = ResultTable::new(
            "moran.global",
            format!("Global spatial autocorrelation of {}: Moran's I and Geary's C", self.y),
            &["Period", "I", "E[I]", "Var[I] (rand.)", "z(I)", "p(I)", "p perm.", "C", "z(C)", "p(C)"],
        );
        for p in &self.by_period {
            let m = &p.moran;
            t.push(TableRow::new(
                p.period.clone().unwrap_or_else(|| "cross-section".to_string()),
                vec![
                    Cell::number(m.i, DIGITS),
                    Cell::number(m.expectation, DIGITS),
                    Cell::number(m.variance_randomisation, 6),
                    Cell::number(m.z_randomisation, 3),
                    Cell::number(m.p_value, DIGITS),
                    Cell::opt_number(p.p_permutation, DIGITS),
                    Cell::number(p.geary.c, DIGITS),
                    Cell::number(p.geary.z, 3),
                    Cell::number(p.geary.p_value, DIGITS),
                ],
            ));
        }
        let n = self.shown.n;
        t.notes.push(format!(
            "{n} units. Moran's I = (n/S0)·z'Wz/z'z with E[I] = −1/(n−1); variance under randomisation, one-sided p-value for positive autocorrelation (spdep moran.test defaults)."
        ));
        t.notes.push(
            "Geary's C with E[C] = 1, variance under randomisation, z = (1 − C)/√Var, one-sided p-value for positive autocorrelation (C < 1; spdep geary.test defaults).".to_string(),
        );
        if self.shown.permutations > 0 {
            t.notes.push(format!(
                "p perm.: {} random permutations of the values over the units (seeded), pseudo p-value (1 + #{{I_perm ≥ I}})/(R + 1).",
                self.shown.permutations
            ));
        }
        vec![t]
    }
}

impl Tables for LisaResult {
    fn tables(&self) -> Vec<ResultTable> {
        let when = self.period.as_ref().map(|p| format!(" ({p})")).unwrap_or_default();
        let mut units = ResultTable::new(
            "lisa.units",
            format!("Local Moran's I (LISA) of {}{when}", self.y),
            &["Unit", "I_i", "z", "p", "p perm.", "Cluster"],
        );
        for u in &self.units {
            units.push(TableRow::new(
                u.unit.clone(),
                vec![
                    Cell::number(u.ii, DIGITS),
                    Cell::number(u.z, 3),
                    Cell::number(u.p_value, DIGITS),
                    Cell::opt_number(u.p_permutation, DIGITS),
                    Cell::text(u.cluster.clone()),
                ],
            ));
        }
        let decide = if self.permutations > 0 {
            format!("the conditional-permutation pseudo p-value ({} draws, seeded; spdep's folded p-value)", self.permutations)
        } else {
            "the two-sided normal p-value".to_string()
        };
        let note = format!(
            "Analytic moments and two-sided p-values as spdep localmoran (conditional, randomisation). Quadrants: the unit's value and its spatial lag above (H) or not (L) their means. A unit is in its quadrant's cluster when {decide} is at most {}.",
            self.alpha
        );
        units.notes.push(note.clone());
        let mut counts = ResultTable::new("lisa.clusters", format!("LISA clusters of {}{when}", self.y), &["Cluster", "Units"]);
        for (label, k) in self.counts() {
            counts.push(TableRow::new(label, vec![Cell::integer(k)]));
        }
        counts.notes.push(note);
        vec![units, counts]
    }
}
