//! Grid clustering in screen space: markers closer than a cell merge into one bubble with a
//! count and the most urgent colour of its members. Pure and linear in the markers.

use crate::map::style::Urgency;
use crate::state::Fnv;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// One marker to draw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Marker {
    pub x: f64,
    pub y: f64,
    pub urgency: Urgency,
}

/// A bubble: the mean position of its markers, their number and the most urgent state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cluster {
    pub x: f64,
    pub y: f64,
    pub count: usize,
    pub urgency: Urgency,
}

/// A grid cell's sums: x, y, markers, the most urgent state.
type Cell = (f64, f64, usize, Urgency);

/// Merge markers sharing a `cell`-pixel grid cell. Output ordered least to most urgent, so
/// urgent bubbles are painted on top.
pub fn cluster(markers: &[Marker], cell: f64) -> Vec<Cluster> {
    // FNV: the wall clusters every marker several times a second (SipHash showed in its profile).
    let mut cells: HashMap<(i64, i64), Cell, BuildHasherDefault<Fnv>> = HashMap::default();
    for m in markers {
        let key = ((m.x / cell).floor() as i64, (m.y / cell).floor() as i64);
        let e = cells.entry(key).or_insert((0.0, 0.0, 0, m.urgency));
        e.0 += m.x;
        e.1 += m.y;
        e.2 += 1;
        e.3 = e.3.max(m.urgency);
    }
    let mut out: Vec<Cluster> = cells
        .into_values()
        .map(|(sx, sy, n, u)| Cluster {
            x: sx / n as f64,
            y: sy / n as f64,
            count: n,
            urgency: u,
        })
        .collect();
    out.sort_by(|a, b| {
        a.urgency
            .cmp(&b.urgency)
            .then(a.count.cmp(&b.count))
            .then(a.x.total_cmp(&b.x))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nearby markers merge (count, mean position, worst state); far ones stay apart; the
    /// most urgent are drawn last.
    #[test]
    fn merges_by_cell_and_keeps_the_worst_state() {
        let m = |x, y, urgency| Marker { x, y, urgency };
        let out = cluster(
            &[
                m(1.0, 1.0, Urgency::OnTrack),
                m(3.0, 3.0, Urgency::Breached),
                m(50.0, 50.0, Urgency::Warning),
            ],
            10.0,
        );
        assert_eq!(out.len(), 2);
        assert_eq!(
            out[1],
            Cluster {
                x: 2.0,
                y: 2.0,
                count: 2,
                urgency: Urgency::Breached
            }
        );
        assert_eq!(out[0].count, 1);
    }
}
