//! Tenant areas from GeoJSON: named (multi)polygons such as kecamatan, and random points
//! inside them for the demo feed. Point-in-polygon placement of real reports builds on this.

use geo::{BoundingRect, Centroid, Contains, Distance, Euclidean, Geometry, MultiPolygon, Point, Rect};
use pantau_shared::event::Place;
use rand::Rng;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum AreaError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path} is not GeoJSON: {reason}")]
    Parse { path: String, reason: String },
    #[error("{path} holds no polygons")]
    Empty { path: String },
}

/// One named area (e.g. a kecamatan).
#[derive(Debug, Clone)]
pub struct Area {
    /// `nama` of the feature.
    pub name: String,
    /// Kemendagri region code (`kode`), a stable id.
    pub code: String,
    /// Code of the enclosing area (`kec_kode` of a kelurahan), if given.
    pub parent: Option<String>,
    /// The outline.
    pub shape: MultiPolygon<f64>,
    /// Its bounding box, for sampling.
    bounds: Rect<f64>,
}

impl Area {
    /// Whether the point lies inside (bounding box first: most areas are far away).
    pub fn contains(&self, p: &Point<f64>) -> bool {
        self.bounds.contains(p) && self.shape.contains(p)
    }

    /// Code and name, as events carry them.
    pub fn place(&self) -> Place {
        Place {
            code: self.code.clone(),
            name: self.name.clone(),
        }
    }

    /// A uniformly random point inside the area (rejection sampling over the bounds).
    pub fn random_point(&self, rng: &mut impl Rng) -> Point<f64> {
        let (min, max) = (self.bounds.min(), self.bounds.max());
        for _ in 0..1000 {
            let p = Point::new(rng.random_range(min.x..=max.x), rng.random_range(min.y..=max.y));
            if self.shape.contains(&p) {
                return p;
            }
        }
        // Pathological slivers: fall back to the bounds' centre rather than loop forever.
        self.bounds.center().into()
    }
}

/// The area containing `p`, else the one nearest to it (for points in the slivers between
/// simplified neighbours); `None` only when there are no areas. Distances are computed only
/// when no area contains the point (they were a tenth of ingest's CPU time when computed
/// for every area before the containing one was found).
pub fn containing_or_nearest<'a, I>(areas: I, p: &Point<f64>) -> Option<&'a Area>
where
    I: IntoIterator<Item = &'a Area>,
    I::IntoIter: Clone,
{
    let areas = areas.into_iter();
    if let Some(inside) = areas.clone().find(|a| a.contains(p)) {
        return Some(inside);
    }
    areas
        .map(|area| {
            let d = match area.shape.centroid() {
                Some(_) => Euclidean.distance(p, &area.shape),
                None => f64::INFINITY,
            };
            (d, area)
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, a)| a)
}

/// Read a FeatureCollection of polygons with `nama`/`kode` properties.
pub fn load(path: &Path) -> Result<Vec<Area>, AreaError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| AreaError::Read {
        path: shown.clone(),
        source,
    })?;
    parse(&text)
        .map_err(|reason| AreaError::Parse {
            path: shown.clone(),
            reason,
        })
        .and_then(|areas| {
            if areas.is_empty() {
                Err(AreaError::Empty { path: shown })
            } else {
                Ok(areas)
            }
        })
}

fn parse(text: &str) -> Result<Vec<Area>, String> {
    let collection: geojson::FeatureCollection = text.parse().map_err(|e: geojson::Error| e.to_string())?;
    let mut areas = Vec::new();
    for feature in collection.features {
        let Some(geometry) = feature.geometry else { continue };
        let shape = match Geometry::<f64>::try_from(&geometry.value).map_err(|e| e.to_string())? {
            Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
            Geometry::MultiPolygon(m) => m,
            _ => continue,
        };
        let Some(bounds) = shape.bounding_rect() else { continue };
        let prop = |k: &str| {
            feature
                .properties
                .as_ref()
                .and_then(|p| p.get(k))
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let parent = Some(prop("kec_kode")).filter(|p| !p.is_empty());
        areas.push(Area {
            name: prop("nama"),
            code: prop("kode"),
            parent,
            shape,
            bounds,
        });
    }
    Ok(areas)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"nama":"Kotak","kode":"1"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,1],[1,1],[1,2],[0,2],[0,0]]]}}]}"#;

    /// Random points land inside the polygon, never in the bounding box's cut-out corner.
    #[test]
    fn random_points_are_inside() {
        let areas = parse(SQUARE).unwrap();
        assert_eq!(areas[0].name, "Kotak");
        let mut rng = rand::rng();
        for _ in 0..500 {
            let p = areas[0].random_point(&mut rng);
            assert!(!(p.x() > 1.0 && p.y() > 1.0), "{p:?} is in the cut-out");
            assert!(areas[0].shape.contains(&p));
        }
    }

    /// The shipped Kota Tangerang kecamatan load: 13 named areas.
    #[test]
    fn loads_tangerang_kecamatan() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/geo/kota_tangerang_kecamatan.geojson");
        let areas = load(&path).unwrap();
        assert_eq!(areas.len(), 13);
        assert!(areas.iter().any(|a| a.name == "Cipondoh"));
    }
}
