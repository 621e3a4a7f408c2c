//! The link map of a weight matrix: its units' polygons (or points) with a line for every
//! linked pair (drawn once per unordered pair), as SVG.

use super::SpatialWeights;
use crate::error::{Error, Result};
use crate::report::svg::{map_svg, MapLayer};

impl SpatialWeights {
    /// The unordered linked pairs `(i, j)`, `i < j` (a link either way counts).
    pub fn link_pairs(&self) -> Vec<(usize, usize)> {
        let mut pairs: Vec<(usize, usize)> =
            (0..self.n()).flat_map(|i| self.row(i).map(move |(j, _)| if i < j { (i, j) } else { (j, i) })).collect();
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    /// An SVG map of the links, drawn from the coordinates or polygons the matrix was built
    /// from. Refused for matrices without geometry (a neighbour list or an uploaded matrix
    /// without coordinates).
    pub fn link_map_svg(&self) -> Result<String> {
        let g = self.geometry().ok_or_else(|| {
            Error::invalid(
                "this weight matrix has no coordinates to draw (a neighbour list or an uploaded matrix): give `x`/`y` or `lat`/`lon` columns, or use GeoJSON polygons",
            )
        })?;
        let links = self.link_pairs();
        let s = self.summary();
        let title = format!("Spatial weights: {} units, {} links (average {:.2} neighbours)", s.n, s.links, s.neighbours_mean);
        let legend = vec![("#0072B2".to_string(), format!("link ({} pairs)", links.len()))];
        Ok(map_svg(&MapLayer {
            title: &title,
            points: &g.points,
            polygons: &g.polygons,
            geographic: g.geographic,
            links: &links,
            fills: None,
            legend: &legend,
            labels: Some(self.units()),
        }))
    }
}
