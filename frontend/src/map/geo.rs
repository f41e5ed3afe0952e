//! GeoJSON polygons and the projection that fits them into a canvas. Pure.
//!
//! The projection is equirectangular with the longitude scaled by cos(latitude) at the
//! centre — exact enough for a city or a regency a few tens of kilometres across.

use serde::Deserialize;
use serde_json::Value;

/// A named area: its rings in `[lon, lat]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    pub code: String,
    pub name: String,
    /// Outer rings and holes alike (drawn with the even-odd rule).
    pub rings: Vec<Vec<[f64; 2]>>,
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    #[serde(default)]
    properties: Value,
    geometry: Option<Geometry>,
}

#[derive(Deserialize)]
struct Geometry {
    #[serde(rename = "type")]
    kind: String,
    coordinates: Value,
}

fn ring(v: &Value) -> Option<Vec<[f64; 2]>> {
    v.as_array()?
        .iter()
        .map(|p| Some([p.get(0)?.as_f64()?, p.get(1)?.as_f64()?]))
        .collect()
}

/// The polygons of a FeatureCollection (other geometries are skipped).
pub fn parse(text: &str) -> Result<Vec<Shape>, String> {
    let collection: Collection = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut shapes = Vec::new();
    for f in collection.features {
        let Some(g) = f.geometry else { continue };
        let polygons: Vec<&Value> = match g.kind.as_str() {
            "Polygon" => vec![&g.coordinates],
            "MultiPolygon" => g.coordinates.as_array().map(|a| a.iter().collect()).unwrap_or_default(),
            _ => continue,
        };
        let rings = polygons
            .into_iter()
            .flat_map(|p| p.as_array().cloned().unwrap_or_default())
            .filter_map(|r| ring(&r))
            .collect();
        let prop = |k: &str| {
            f.properties
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        shapes.push(Shape {
            code: prop("kode"),
            name: prop("nama"),
            rings,
        });
    }
    Ok(shapes)
}

/// Bounding box `[min_lon, min_lat, max_lon, max_lat]` of shapes.
pub fn bounds(shapes: &[Shape]) -> Option<[f64; 4]> {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for p in shapes.iter().flat_map(|s| s.rings.iter().flatten()) {
        b = [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])];
    }
    (b[0] <= b[2]).then_some(b)
}

/// Maps `[lon, lat]` into a `width` × `height` canvas, fitting `bounds` with a margin.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Projection {
    scale: f64,
    kx: f64,
    origin: [f64; 2],
    offset: [f64; 2],
}

impl Projection {
    pub fn fit(bounds: [f64; 4], width: f64, height: f64, margin: f64) -> Projection {
        let kx = ((bounds[1] + bounds[3]) / 2.0).to_radians().cos();
        let w = ((bounds[2] - bounds[0]) * kx).max(1e-9);
        let h = (bounds[3] - bounds[1]).max(1e-9);
        let scale = ((width - 2.0 * margin) / w).min((height - 2.0 * margin) / h);
        let offset = [(width - w * scale) / 2.0, (height - h * scale) / 2.0];
        Projection {
            scale,
            kx,
            origin: [bounds[0], bounds[3]],
            offset,
        }
    }

    /// Canvas pixel of a `[lon, lat]` (y grows downwards).
    pub fn px(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            self.offset[0] + (lon - self.origin[0]) * self.kx * self.scale,
            self.offset[1] + (self.origin[1] - lat) * self.scale,
        )
    }

    /// The `[lon, lat]` at a canvas pixel (inverse of [`Projection::px`]).
    pub fn lonlat(&self, x: f64, y: f64) -> [f64; 2] {
        [
            self.origin[0] + (x - self.offset[0]) / (self.kx * self.scale),
            self.origin[1] - (y - self.offset[1]) / self.scale,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Polygons and multipolygons parse with their names; other geometries are skipped.
    #[test]
    fn parses_polygons() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"kode":"1","nama":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
          {"type":"Feature","properties":{"kode":"2","nama":"B"},"geometry":{"type":"MultiPolygon","coordinates":[[[[2,2],[3,2],[3,3],[2,2]]],[[[4,4],[5,4],[5,5],[4,4]]]]}},
          {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[9,9]}}]}"#;
        let shapes = parse(text).unwrap();
        assert_eq!(shapes.len(), 2);
        assert_eq!((shapes[1].name.as_str(), shapes[1].rings.len()), ("B", 2));
        assert_eq!(bounds(&shapes), Some([0.0, 0.0, 5.0, 5.0]));
    }

    /// The fitted box lands inside the canvas with its margin, north up, centred.
    #[test]
    fn projection_fits_and_centres() {
        let p = Projection::fit([106.0, -6.3, 106.8, -6.1], 1000.0, 500.0, 20.0);
        let (x0, y0) = p.px(106.0, -6.1);
        let (x1, y1) = p.px(106.8, -6.3);
        assert!(x0 >= 20.0 - 1e-6 && x1 <= 980.0 + 1e-6, "{x0} {x1}");
        assert!(y0 >= 0.0 && y1 <= 500.0 && y0 < y1, "north is up: {y0} {y1}");
        assert!(((x0 + x1) / 2.0 - 500.0).abs() < 1e-6, "centred horizontally");
        let [lon, lat] = p.lonlat(x1, y1);
        assert!(
            (lon - 106.8).abs() < 1e-9 && (lat - -6.3).abs() < 1e-9,
            "lonlat inverts px"
        );
    }
}
