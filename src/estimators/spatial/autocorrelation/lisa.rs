//! Local Moran (LISA) on a dataset: per unit statistics, HH/LL/HL/LH quadrants and
//! significant clusters, with map colours for the weights helper's choropleth.

use serde::Serialize;

use super::global::seeded;
use super::local::{local_moran, local_permutation_p};
use super::sample::{check_usable, period_values, weights_diagnostics};
use super::MoranSpec;
use crate::data::Dataset;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::estimators::spatial::SpatialWeights;

/// The cluster labels, in legend order, with their map colours.
pub const CLUSTERS: [(&str, &str); 5] = [
    ("HH", "#d7191c"),
    ("LL", "#2c7bb6"),
    ("HL", "#f4a6c0"),
    ("LH", "#abd9e9"),
    ("not significant", "#d9d9d9"),
];

/// Local Moran of one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LisaUnit {
    /// Unit name.
    pub unit: String,
    /// Local Moran's I_i.
    pub ii: f64,
    /// E[I_i] (spdep's conditional expectation).
    pub expectation: f64,
    /// Var[I_i] under randomisation (spdep `localmoran`, `mlvar = TRUE`).
    pub variance: f64,
    /// (I_i − E) / √Var.
    pub z: f64,
    /// Two-sided normal p-value (spdep's default alternative).
    pub p_value: f64,
    /// Conditional-permutation pseudo p-value (spdep's folded one); `None` without permutations.
    pub p_permutation: Option<f64>,
    /// "HH", "LL", "HL" or "LH": the unit's value, then its lag, above (H) or not above (L)
    /// their means (spdep's "mean" quadrant).
    pub quadrant: String,
    /// The quadrant when significant at `alpha`, else "not significant".
    pub cluster: String,
}

/// Result of [`lisa`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LisaResult {
    /// The units, in matrix order.
    pub units: Vec<LisaUnit>,
    /// Significance level of the clusters.
    pub alpha: f64,
    /// Permutations drawn (0: none).
    pub permutations: usize,
    /// Which p-value decides the clusters: "permutation" when permutations were drawn,
    /// else "normal".
    pub cluster_p: String,
    /// The period analysed (a panel analysed without `period`: the last one).
    pub period: Option<String>,
    /// The variable.
    pub y: String,
    /// Non-fatal events.
    pub diagnostics: Diagnostics,
    /// The cluster map (SVG) when the weight matrix has coordinates or polygons.
    pub map_svg: Option<String>,
}

impl LisaResult {
    /// The cluster map: each unit's polygon (or point) filled by its cluster, with the
    /// links of W; `None` when W was built without geometry.
    pub fn cluster_map_svg(&self, w: &SpatialWeights) -> Option<String> {
        let g = w.geometry()?;
        if g.points.len() != self.units.len() {
            return None;
        }
        let fills = self.fills();
        let legend: Vec<(String, String)> = self
            .counts()
            .into_iter()
            .zip(self.legend())
            .map(|((label, k), (_, colour))| (colour, format!("{label} ({k})")))
            .collect();
        let when = self.period.as_deref().map(|p| format!(" in {p}")).unwrap_or_default();
        let title = format!("Local Moran clusters of {}{when} (α = {})", self.y, self.alpha);
        let labels: Vec<String> = self.units.iter().map(|u| u.unit.clone()).collect();
        let links = if g.polygons.is_empty() { Vec::new() } else { w.link_pairs() };
        Some(crate::report::svg::map_svg(&crate::report::svg::MapLayer {
            title: &title,
            points: &g.points,
            polygons: &g.polygons,
            geographic: g.geographic,
            links: &links,
            fills: Some(&fills),
            legend: &legend,
            labels: Some(&labels),
        }))
    }
    /// A fill colour per unit (matrix order): HH red, LL blue, HL pink, LH light blue,
    /// not significant grey.
    pub fn fills(&self) -> Vec<String> {
        self.units.iter().map(|u| colour(&u.cluster).to_string()).collect()
    }
    /// The legend: `(label, colour)` in the order HH, LL, HL, LH, not significant.
    pub fn legend(&self) -> Vec<(String, String)> {
        CLUSTERS.iter().map(|(l, c)| (l.to_string(), c.to_string())).collect()
    }
    /// Number of units per cluster, in legend order.
    pub fn counts(&self) -> Vec<(String, usize)> {
        CLUSTERS.iter().map(|(l, _)| (l.to_string(), self.units.iter().filter(|u| u.cluster == *l).count())).collect()
    }
}

fn colour(cluster: &str) -> &'static str {
    CLUSTERS.iter().find(|(l, _)| *l == cluster).map_or("#d9d9d9", |(_, c)| c)
}

/// Local Moran's I of `spec.y` (one cross-section: the chosen period, or the last period of
/// a panel). Analytic moments: spdep 1.2-7 `localmoran` defaults (two-sided normal
/// p-values). With `permutations > 0`, conditional permutation pseudo p-values (see
/// [`local_permutation_p`]) decide the clusters, else the normal p-values; a unit is in
/// its quadrant's cluster when that p-value is at most `alpha` (default 0.05). Islands are
/// never significant.
pub fn lisa(ds: &Dataset, spec: &MoranSpec, w: &SpatialWeights) -> Result<LisaResult> {
    spec.check()?;
    let alpha = spec.alpha.unwrap_or(0.05);
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(Error::invalid(format!("`alpha` must be between 0 and 1, not {alpha}")));
    }
    let periods = period_values(ds, spec, w)?;
    let Some(p) = periods.last() else {
        return Err(Error::insufficient("no period to analyse"));
    };
    check_usable(&spec.y, p, w)?;
    let stats = local_moran(&p.values, w);
    let perm = local_permutation_p(&p.values, w, spec.permutations, &mut seeded(spec.seed));
    let units = stats
        .iter()
        .zip(&perm)
        .zip(w.units())
        .map(|((s, pp), name)| {
            let quadrant = match (s.high, s.lag_high) {
                (true, true) => "HH",
                (false, false) => "LL",
                (true, false) => "HL",
                (false, true) => "LH",
            };
            let decide = if spec.permutations > 0 { pp.unwrap_or(f64::NAN) } else { s.p_value };
            let cluster = if decide <= alpha { quadrant } else { "not significant" };
            LisaUnit {
                unit: name.clone(),
                ii: s.ii,
                expectation: s.expectation,
                variance: s.variance,
                z: s.z,
                p_value: s.p_value,
                p_permutation: *pp,
                quadrant: quadrant.to_string(),
                cluster: cluster.to_string(),
            }
        })
        .collect();
    let mut diagnostics = weights_diagnostics(w);
    if periods.len() > 1 {
        diagnostics.push(Diagnostic::info(
            Code::SpatialNote,
            format!("local Moran of the last period ({}); give `period` for another", p.period.clone().unwrap_or_default()),
        ));
    }
    let mut out = LisaResult {
        units,
        alpha,
        permutations: spec.permutations,
        cluster_p: if spec.permutations > 0 { "permutation" } else { "normal" }.to_string(),
        period: p.period.clone(),
        y: spec.y.clone(),
        diagnostics,
        map_svg: None,
    };
    out.map_svg = out.cluster_map_svg(w);
    Ok(out)
}
