//! Polygon contiguity as spdep's `poly2nb`: two polygons are queen neighbours when they
//! share at least one boundary point, rook neighbours when they share more than one
//! (spdep's rule: more than one shared point, which is not always a shared edge). A point
//! is shared when two vertices (of any ring, holes included, of any part) lie within
//! `snap` of each other in both coordinates; `snap` is spdep's default
//! `sqrt(.Machine$double.eps)` ≈ 1.49e-8 in the data's units. Shared points are counted
//! once each (vertices are deduplicated per polygon).
//!
//! Vertices are bucketed on a grid of cell `snap`, so the work is about linear in the
//! number of vertices.

use std::collections::HashMap;

/// A grid cell of the vertex index.
type Cell = (i64, i64);
/// A vertex and the polygon it belongs to.
type Vertex = (usize, [f64; 2]);

/// spdep's default snapping distance, `sqrt(.Machine$double.eps)`.
pub const SNAP: f64 = 1.4901161193847656e-8;

/// For each polygon (given as its rings), the sorted indices of its neighbours.
pub(crate) fn contiguity(polys: &[Vec<&[[f64; 2]]>], queen: bool, snap: f64) -> Vec<Vec<usize>> {
    let n = polys.len();
    let cell = |v: f64| (v / snap).floor().clamp(-9.0e18, 9.0e18) as i64;
    // Distinct vertices of each polygon.
    let verts: Vec<Vec<[f64; 2]>> = polys
        .iter()
        .map(|rings| {
            let mut v: Vec<[f64; 2]> = rings.iter().flat_map(|r| r.iter().copied()).collect();
            v.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
            v.dedup();
            v
        })
        .collect();
    let mut grid: HashMap<Cell, Vec<Vertex>> = HashMap::new();
    for (i, vs) in verts.iter().enumerate() {
        for p in vs {
            grid.entry((cell(p[0]), cell(p[1]))).or_default().push((i, *p));
        }
    }
    let mut shared: HashMap<(usize, usize), usize> = HashMap::new();
    let mut hit: Vec<usize> = Vec::new();
    for (i, vs) in verts.iter().enumerate() {
        for p in vs {
            hit.clear();
            let (cx, cy) = (cell(p[0]), cell(p[1]));
            for dx in -1..=1 {
                for dy in -1..=1 {
                    let Some(list) = grid.get(&(cx.saturating_add(dx), cy.saturating_add(dy))) else { continue };
                    for &(j, q) in list {
                        if j > i && (p[0] - q[0]).abs() <= snap && (p[1] - q[1]).abs() <= snap {
                            hit.push(j);
                        }
                    }
                }
            }
            hit.sort_unstable();
            hit.dedup();
            for &j in &hit {
                *shared.entry((i, j)).or_insert(0) += 1;
            }
        }
    }
    let need = if queen { 1 } else { 2 };
    let mut rows = vec![Vec::new(); n];
    for (&(i, j), &k) in &shared {
        if k >= need {
            rows[i].push(j);
            rows[j].push(i);
        }
    }
    for r in &mut rows {
        r.sort_unstable();
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64) -> Vec<[f64; 2]> {
        vec![[x, y], [x + 1.0, y], [x + 1.0, y + 1.0], [x, y + 1.0]]
    }

    #[test]
    fn queen_and_rook_on_a_two_by_two_grid() {
        let sq = [square(0.0, 0.0), square(1.0, 0.0), square(0.0, 1.0), square(1.0, 1.0 + 1e-10)];
        let polys: Vec<Vec<&[[f64; 2]]>> = sq.iter().map(|s| vec![s.as_slice()]).collect();
        assert_eq!(contiguity(&polys, true, SNAP), vec![vec![1, 2, 3], vec![0, 2, 3], vec![0, 1, 3], vec![0, 1, 2]]);
        assert_eq!(contiguity(&polys, false, SNAP), vec![vec![1, 2], vec![0, 3], vec![0, 3], vec![1, 2]]);
    }
}
