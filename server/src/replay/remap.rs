//! Foreign data onto a tenant (pure): San Francisco's bounding box scaled onto the tenant's,
//! each point then placed in a kecamatan by point-in-polygon (a point that lands outside
//! every kecamatan — the corners of the box — is drawn towards the nearest one until it is
//! inside); SF categories and sources mapped by the mapping file.

use super::source::Case;
use crate::geo_area::{containing_or_nearest, Area};
use geo::{BoundingRect, Centroid, Point, Rect};
use std::collections::BTreeMap;

/// The mapping file (`config/replay/sf311.toml`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Mapping {
    pub default_category: String,
    /// Starts every replayed report's description and address.
    pub tag: String,
    /// Said in the output and in every report: this is remapped foreign data.
    pub label: String,
    #[serde(default)]
    pub categories: BTreeMap<String, String>,
    #[serde(default)]
    pub channels: BTreeMap<String, String>,
}

impl Mapping {
    pub fn category(&self, sf: &str) -> &str {
        self.categories.get(sf).unwrap_or(&self.default_category)
    }

    pub fn channel(&self, sf: &str) -> &str {
        self.channels.get(sf).map(String::as_str).unwrap_or("lainnya")
    }
}

/// Scales points from the history's box into the tenant's and places them.
pub struct Remap<'a> {
    from: Rect<f64>,
    to: Rect<f64>,
    areas: &'a [Area],
}

impl<'a> Remap<'a> {
    /// From the box around `cases` onto the box around `areas` (not empty).
    pub fn new(cases: &[Case], areas: &'a [Area]) -> Option<Remap<'a>> {
        let points = cases.iter().map(|c| geo::coord! { x: c.lng, y: c.lat });
        let from = geo::MultiPoint::from_iter(points.map(Point::from)).bounding_rect()?;
        let to = areas.iter().filter_map(|a| a.shape.bounding_rect()).reduce(|a, b| {
            Rect::new(
                geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
            )
        })?;
        Some(Remap { from, to, areas })
    }

    /// The tenant's point for a case's position, and the kecamatan that contains it.
    pub fn place(&self, lat: f64, lng: f64) -> (Point<f64>, &'a Area) {
        let scale = |v: f64, a0: f64, a1: f64, b0: f64, b1: f64| {
            if a1 > a0 {
                b0 + (v - a0) / (a1 - a0) * (b1 - b0)
            } else {
                (b0 + b1) / 2.0
            }
        };
        let p = Point::new(
            scale(
                lng,
                self.from.min().x,
                self.from.max().x,
                self.to.min().x,
                self.to.max().x,
            ),
            scale(
                lat,
                self.from.min().y,
                self.from.max().y,
                self.to.min().y,
                self.to.max().y,
            ),
        );
        let area = containing_or_nearest(self.areas, &p).expect("a tenant has kecamatan");
        if area.contains(&p) {
            return (p, area);
        }
        // Outside every kecamatan: walk towards the nearest one's centre (or an inside point).
        let centre = area
            .shape
            .centroid()
            .filter(|c| area.contains(c))
            .unwrap_or_else(|| inside_point(area));
        for step in 1..=50 {
            let k = f64::from(step) / 50.0;
            let q = Point::new(p.x() + (centre.x() - p.x()) * k, p.y() + (centre.y() - p.y()) * k);
            if area.contains(&q) {
                return (q, area);
            }
        }
        (centre, area)
    }
}

/// A point inside `area` found without randomness (a grid over its bounds).
fn inside_point(area: &Area) -> Point<f64> {
    let Some(rect) = area.shape.bounding_rect() else {
        return Point::new(0.0, 0.0);
    };
    for i in 1..20 {
        for j in 1..20 {
            let p = Point::new(
                rect.min().x + rect.width() * f64::from(i) / 20.0,
                rect.min().y + rect.height() * f64::from(j) / 20.0,
            );
            if area.contains(&p) {
                return p;
            }
        }
    }
    rect.center().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every case of the shipped history lands inside Tangerang and Banjar, and the corners
    /// of SF's box stay in their corners' kecamatan rather than piling up in one place.
    #[test]
    fn every_point_lands_inside_the_tenant() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/replay/sf311_replay_5k.csv");
        let (cases, _) = super::super::source::read(std::fs::File::open(path).unwrap()).unwrap();
        let tenants = crate::tenant::test_tenants();
        for id in ["tangerang", "banjar"] {
            let tenant = tenants.get(id).unwrap();
            let remap = Remap::new(&cases, &tenant.kecamatan).unwrap();
            let mut used = std::collections::BTreeSet::new();
            for case in &cases {
                let (p, area) = remap.place(case.lat, case.lng);
                assert!(area.contains(&p), "{id}: case {} outside {}", case.id, area.name);
                assert!(tenant.place(p.y(), p.x()).is_some());
                used.insert(area.code.clone());
            }
            assert!(
                used.len() * 2 >= tenant.kecamatan.len(),
                "{id}: {} kecamatan used",
                used.len()
            );
        }
    }

    #[test]
    fn the_mapping_file_names_only_real_categories() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../config/replay/sf311.toml");
        let mapping: Mapping = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let tenants = crate::tenant::test_tenants();
        for tenant in tenants.iter() {
            for code in mapping.categories.values().chain([&mapping.default_category]) {
                assert!(tenant.category(code).is_some(), "{}: {code}", tenant.id);
            }
        }
        assert_eq!(mapping.category("Streetlights"), "lampu_jalan");
        assert_eq!(mapping.category("Something new"), "sampah");
    }
}
