//! GeoJSON polygons and the projection that fits them into a canvas. Pure.
//!
//! The projection is equirectangular with the longitude scaled by cos(latitude) at the
//! centre — exact enough for a city or a regency a few tens of kilometres across.

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

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
    /// `null` in some files.
    #[serde(default)]
    properties: Option<Properties>,
    geometry: Option<Geometry>,
}

#[derive(Default, Deserialize)]
struct Properties {
    #[serde(default)]
    kode: Label,
    #[serde(default)]
    nama: Label,
}

#[derive(Deserialize)]
struct Geometry {
    #[serde(rename = "type")]
    kind: String,
    coordinates: Nested,
}

/// A property read as text: a string as it is, any other value as "" (typed decoding with
/// small visitors instead of `serde_json::Value`, which would weigh on the wall's bundle).
#[derive(Default)]
struct Label(String);

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Label, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Label;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Label, E> {
                Ok(Label(s.to_owned()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Label, E> {
                Ok(Label::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Label, E> {
                Ok(Label::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Label, E> {
                Ok(Label::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Label, E> {
                Ok(Label::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Label, E> {
                Ok(Label::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Label, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Label::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Label, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Label::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// GeoJSON coordinates: numbers in arrays nested to any depth (anything else is read as an
/// empty list, so a malformed point drops its ring, not the file).
enum Nested {
    Number(f64),
    List(Vec<Nested>),
}

impl<'de> Deserialize<'de> for Nested {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Nested, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Nested;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("numbers in nested arrays")
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Nested, E> {
                Ok(Nested::Number(n))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Nested, E> {
                Ok(Nested::Number(n as f64))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Nested, E> {
                Ok(Nested::Number(n as f64))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Nested, E> {
                Ok(Nested::List(Vec::new()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Nested, E> {
                Ok(Nested::List(Vec::new()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Nested, E> {
                Ok(Nested::List(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Nested, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Nested::List(Vec::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Nested, A::Error> {
                let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(item) = seq.next_element()? {
                    list.push(item);
                }
                Ok(Nested::List(list))
            }
        }
        d.deserialize_any(V)
    }
}

impl Nested {
    fn list(&self) -> &[Nested] {
        match self {
            Nested::List(items) => items,
            Nested::Number(_) => &[],
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            Nested::Number(n) => Some(*n),
            Nested::List(_) => None,
        }
    }
}

/// A ring's points (`None` if any point is not at least `[lon, lat]`).
fn ring(v: &Nested) -> Option<Vec<[f64; 2]>> {
    v.list()
        .iter()
        .map(|p| Some([p.list().first()?.number()?, p.list().get(1)?.number()?]))
        .collect()
}

/// The polygons of a FeatureCollection (other geometries are skipped).
pub fn parse(text: &str) -> Result<Vec<Shape>, String> {
    let collection: Collection = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut shapes = Vec::new();
    for f in collection.features {
        let Some(g) = f.geometry else { continue };
        let polygons: Vec<&Nested> = match g.kind.as_str() {
            "Polygon" => vec![&g.coordinates],
            "MultiPolygon" => g.coordinates.list().iter().collect(),
            _ => continue,
        };
        let rings = polygons
            .into_iter()
            .flat_map(|p| p.list().iter())
            .filter_map(ring)
            .collect();
        let properties = f.properties.unwrap_or_default();
        shapes.push(Shape {
            code: properties.kode.0,
            name: properties.nama.0,
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
          {"type":"Feature","properties":{"kode":7,"nama":["x"]},"geometry":{"type":"Polygon","coordinates":[[[6,6],[7,6.5,12],[7,7],[6,6]]]}},
          {"type":"Feature","properties":null,"geometry":{"type":"Polygon","coordinates":[[[8,8],[9,8],[8,8]],[[8,8],["x",1]]]}},
          {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[9,9]}}]}"#;
        let shapes = parse(text).unwrap();
        assert_eq!(shapes.len(), 4);
        assert_eq!((shapes[0].code.as_str(), shapes[0].name.as_str()), ("1", "A"));
        assert_eq!((shapes[1].name.as_str(), shapes[1].rings.len()), ("B", 2));
        assert_eq!(shapes[1].rings[1][1], [5.0, 4.0]);
        assert_eq!(
            (shapes[2].code.as_str(), shapes[2].name.as_str()),
            ("", ""),
            "labels that are not text"
        );
        assert_eq!(
            shapes[2].rings[0][1],
            [7.0, 6.5],
            "a third coordinate (altitude) is dropped"
        );
        assert_eq!(
            shapes[3].rings.len(),
            1,
            "a ring with a point that is not a number is skipped"
        );
        assert_eq!(bounds(&shapes), Some([0.0, 0.0, 9.0, 8.0]));
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
