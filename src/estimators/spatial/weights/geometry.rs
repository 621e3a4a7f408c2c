//! Where the units of a weight matrix are: one point per unit (coordinates, or polygon
//! centroids) and, for polygons, their outer rings. Used for the link map.

use serde::Serialize;

/// The units' geometry, in matrix order.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Geometry {
    /// One point per unit, `[x, y]`; for geographic coordinates `x` is the longitude and `y`
    /// the latitude (degrees). For polygons: the area-weighted centroid (holes subtracted).
    pub points: Vec<[f64; 2]>,
    /// Per unit its rings (the outer ring of every part); empty when built from points.
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
    /// Longitude/latitude in degrees (maps then scale x by the cosine of the mean latitude).
    pub geographic: bool,
}

impl Geometry {
    /// Points only.
    pub fn from_points(points: Vec<[f64; 2]>, geographic: bool) -> Geometry {
        Geometry { points, polygons: Vec::new(), geographic }
    }
}

/// Twice the signed area of a ring (shoelace; positive counter-clockwise).
pub(crate) fn ring_area2(ring: &[[f64; 2]]) -> f64 {
    let n = ring.len();
    if n < 3 {
        return 0.0;
    }
    (0..n)
        .map(|k| {
            let (a, b) = (ring[k], ring[(k + 1) % n]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum()
}

/// Area-weighted centroid of `(ring, sign)` pieces: outer rings add (+1), holes subtract
/// (−1). Falls back to the mean of the vertices when the area is zero (degenerate rings).
pub(crate) fn centroid(pieces: &[(&[[f64; 2]], f64)]) -> [f64; 2] {
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for (ring, sign) in pieces {
        let n = ring.len();
        let a2 = ring_area2(ring);
        if n < 3 || a2 == 0.0 {
            continue;
        }
        let (mut sx, mut sy) = (0.0, 0.0);
        for k in 0..n {
            let (p, q) = (ring[k], ring[(k + 1) % n]);
            let cross = p[0] * q[1] - q[0] * p[1];
            sx += (p[0] + q[0]) * cross;
            sy += (p[1] + q[1]) * cross;
        }
        // Ring centroid = (sx, sy) / (3 a2); weight by |area| with the piece's sign.
        let w = sign * a2.abs() / 2.0;
        cx += w * sx / (3.0 * a2);
        cy += w * sy / (3.0 * a2);
        a += w;
    }
    if a.abs() > 0.0 && (cx / a).is_finite() && (cy / a).is_finite() {
        return [cx / a, cy / a];
    }
    let all: Vec<[f64; 2]> = pieces.iter().flat_map(|(r, _)| r.iter().copied()).collect();
    if all.is_empty() {
        return [f64::NAN, f64::NAN];
    }
    let m = all.len() as f64;
    [all.iter().map(|p| p[0]).sum::<f64>() / m, all.iter().map(|p| p[1]).sum::<f64>() / m]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centroid_of_square_with_hole() {
        let outer = [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]];
        assert_eq!(centroid(&[(&outer[..], 1.0)]), [2.0, 2.0]);
        // A hole in the right half moves the centroid left.
        let hole = [[2.0, 1.0], [3.0, 1.0], [3.0, 3.0], [2.0, 3.0]];
        let c = centroid(&[(&outer[..], 1.0), (&hole[..], -1.0)]);
        assert!((c[0] - (16.0 * 2.0 - 2.0 * 2.5) / 14.0).abs() < 1e-12 && (c[1] - 2.0).abs() < 1e-12, "{c:?}");
    }
}
