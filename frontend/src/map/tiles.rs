//! The optional raster base map: which Web Mercator (`{z}/{x}/{y}`) tiles cover the map's
//! view, at the zoom whose tile pixels match the screen's, and where each one goes. Only
//! used when the tenant configures a tile URL; the wall never needs the internet. Pure.

/// Tile edge, pixels.
const TILE_PX: f64 = 256.0;
/// Most tiles requested for one view (a 4K wall at the matching zoom needs about 60).
pub const MAX_TILES: usize = 120;

/// The zoom at which one tile pixel spans about one screen pixel, when a screen pixel spans
/// `deg_per_px` degrees of longitude; within `0..=max_zoom`.
pub fn zoom_for(deg_per_px: f64, max_zoom: u8) -> u8 {
    if deg_per_px.is_nan() || deg_per_px <= 0.0 {
        return 0;
    }
    (360.0 / (TILE_PX * deg_per_px))
        .log2()
        .round()
        .clamp(0.0, f64::from(max_zoom)) as u8
}

/// Fractional tile column of a longitude at zoom `z`.
pub fn tile_x(lon: f64, z: u8) -> f64 {
    (lon + 180.0) / 360.0 * f64::from(1u32 << z)
}

/// Fractional tile row of a latitude at zoom `z` (row 0 is the north edge).
pub fn tile_y(lat: f64, z: u8) -> f64 {
    let phi = lat.clamp(-85.0511, 85.0511).to_radians();
    (1.0 - (phi.tan() + 1.0 / phi.cos()).ln() / std::f64::consts::PI) / 2.0 * f64::from(1u32 << z)
}

/// Longitude of a tile column's west edge.
pub fn tile_lon(x: u32, z: u8) -> f64 {
    f64::from(x) / f64::from(1u32 << z) * 360.0 - 180.0
}

/// Latitude of a tile row's north edge.
pub fn tile_lat(y: u32, z: u8) -> f64 {
    let n = std::f64::consts::PI * (1.0 - 2.0 * f64::from(y) / f64::from(1u32 << z));
    n.sinh().atan().to_degrees()
}

/// A tile to draw: its address and its `[west, south, east, north]` box in degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tile {
    pub z: u8,
    pub x: u32,
    pub y: u32,
    pub bounds: [f64; 4],
}

/// The tiles at zoom `z` covering the `[west, south, east, north]` box, row by row; empty
/// if more than `MAX_TILES` would be needed.
pub fn covering(view: [f64; 4], z: u8) -> Vec<Tile> {
    let last = (1u32 << z) - 1;
    let col = |lon: f64| (tile_x(lon, z).floor().max(0.0) as u32).min(last);
    let row = |lat: f64| (tile_y(lat, z).floor().max(0.0) as u32).min(last);
    let (x0, x1, y0, y1) = (col(view[0]), col(view[2]), row(view[3]), row(view[1]));
    if ((x1 - x0 + 1) as usize) * ((y1 - y0 + 1) as usize) > MAX_TILES {
        return vec![];
    }
    (y0..=y1)
        .flat_map(|y| {
            (x0..=x1).map(move |x| Tile {
                z,
                x,
                y,
                bounds: [tile_lon(x, z), tile_lat(y + 1, z), tile_lon(x + 1, z), tile_lat(y, z)],
            })
        })
        .collect()
}

/// The tile's URL from a `{z}/{x}/{y}` template.
pub fn url(template: &str, tile: &Tile) -> String {
    template
        .replace("{z}", &tile.z.to_string())
        .replace("{x}", &tile.x.to_string())
        .replace("{y}", &tile.y.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known tile of Tangerang's city hall area at zoom 12 (OSM numbering).
    #[test]
    fn tile_numbers_match_slippy_map_convention() {
        assert_eq!(tile_x(106.64, 12).floor(), 3261.0);
        assert_eq!(tile_y(-6.19, 12).floor(), 2118.0);
        assert!((tile_lon(3261, 12) - 106.611).abs() < 0.01);
        assert!((tile_lat(2118, 12) - -6.140).abs() < 0.01);
        assert_eq!(tile_y(85.0511, 3).floor(), 0.0);
    }

    /// Tile pixels match screen pixels: a 1,000 px wide view of 0.25° wants zoom ~13.
    #[test]
    fn picks_the_matching_zoom() {
        assert_eq!(zoom_for(0.25 / 1000.0, 19), 12);
        assert_eq!(zoom_for(0.25 / 4000.0, 19), 14);
        assert_eq!(zoom_for(0.25 / 4000.0, 13), 13);
        assert_eq!(zoom_for(0.0, 19), 0);
    }

    /// The tiles cover the whole view, each box is its tile, and huge views ask for none.
    #[test]
    fn covers_the_view() {
        let view = [106.57, -6.30, 106.73, -6.10];
        let tiles = covering(view, 12);
        assert_eq!(tiles.len(), 3 * 3);
        let w = tiles.iter().map(|t| t.bounds[0]).fold(f64::MAX, f64::min);
        let e = tiles.iter().map(|t| t.bounds[2]).fold(f64::MIN, f64::max);
        let s = tiles.iter().map(|t| t.bounds[1]).fold(f64::MAX, f64::min);
        let n = tiles.iter().map(|t| t.bounds[3]).fold(f64::MIN, f64::max);
        assert!(w <= view[0] && e >= view[2] && s <= view[1] && n >= view[3]);
        let t = tiles[0];
        assert!(t.bounds[1] < t.bounds[3] && t.bounds[0] < t.bounds[2]);
        assert!(covering([90.0, -10.0, 140.0, 5.0], 12).is_empty());
        assert_eq!(
            url("http://t/{z}/{x}/{y}.png", &t),
            format!("http://t/12/{}/{}.png", t.x, t.y)
        );
    }
}
