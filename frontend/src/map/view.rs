//! `MapView`: loads the tenant's shapes from `/geo/…` (served with the wall, no internet)
//! and paints one canvas: neighbours, kecamatan shaded by their open tickets in the colour
//! of their worst state, the tenant's outline, then clustered markers coloured by SLA
//! state; breached bubbles have blinking halos. Too many bubbles to read (see
//! [`crate::map::tally`]) and the map becomes a choropleth: each kecamatan's count, with
//! markers only for the tickets that stand out. When the tenant configures a tile URL,
//! raster tiles (dimmed) go under the shapes, with the source's attribution in the corner.
//! Three stacked canvases: the base (redrawn only when it would look different), the halos
//! (blinking by CSS) and the markers, repainted when the views learn of new deltas, when
//! the server clock ticks (once a second) and when the panel changes. The markers canvas
//! exposes what it drew in `data-*` attributes for tests.

use crate::i18n::{t, Lang, Text};
use crate::map::cluster::{cluster, Marker};
use crate::map::geo::{bounds, parse, Projection, Shape};
use crate::map::paint::{self, Backdrop, Layers, Viewport};
use crate::map::style::shade;
use crate::map::tally::{next_mode, tally, MapMode};
use crate::map::tiles;
use crate::panel::Panel;
use crate::state::Board;
use crate::time;
use leptos::html::Canvas;
use leptos::prelude::*;
use pantau_shared::protocol::{GeoUrls, TileLayer};
use std::collections::HashMap;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlImageElement};

/// Where a tenant's map comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct MapSource {
    /// The tenant's id (the shapes are loaded once per tenant).
    pub tenant: String,
    pub geo: GeoUrls,
}

/// Cluster cell size in bubble radii: markers closer than this merge, so a city of 10,000
/// tickets shows a few hundred readable bubbles rather than thousands of dots.
const CELL_RADII: f64 = 4.5;

/// Shapes of one tenant.
#[derive(Clone, Default, PartialEq)]
struct Shapes {
    kecamatan: Vec<Shape>,
    context: Vec<Shape>,
    outline: Vec<Shape>,
    /// When they were loaded (tells the cached backdrop to redraw).
    generation: u64,
}

/// The body of `GET url` (same origin), `None` on any failure.
pub(crate) async fn fetch_text(url: &str) -> Option<String> {
    let window = web_sys::window()?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url))
        .await
        .ok()?;
    let response: web_sys::Response = response.dyn_into().ok()?;
    if !response.ok() {
        return None;
    }
    let text = wasm_bindgen_futures::JsFuture::from(response.text().ok()?).await.ok()?;
    text.as_string()
}

async fn load(urls: [String; 3]) -> Shapes {
    let mut sets = Vec::new();
    for url in urls {
        let shapes = match fetch_text(&url).await.map(|t| parse(&t)) {
            Some(Ok(s)) => s,
            _ => {
                leptos::logging::warn!("cannot load {url}");
                vec![]
            }
        };
        sets.push(shapes);
    }
    let outline = sets.pop().unwrap_or_default();
    let context = sets.pop().unwrap_or_default();
    let kecamatan = sets.pop().unwrap_or_default();
    Shapes {
        kecamatan,
        context,
        outline,
        generation: time::now_ms() as u64,
    }
}

/// What was drawn, for the `data-*` attributes.
#[derive(Clone, Copy, Default, PartialEq)]
struct Drawn {
    /// Tickets on the map (each a marker, or counted in the choropleth).
    markers: usize,
    breached: usize,
    /// Individual markers over the choropleth.
    standouts: usize,
    mode: MapMode,
    /// Raster tiles drawn (loaded ones only).
    tiles: usize,
}

/// The window's inner size, CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
struct WindowSize {
    width: Option<f64>,
    height: Option<f64>,
}

/// The canvas's CSS size and the window size it was measured at.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Measured {
    window: WindowSize,
    width: f64,
    height: f64,
}

/// What the base canvas was painted from.
#[derive(Clone, Debug, PartialEq)]
struct BaseLook {
    pixels: (u32, u32),
    generation: u64,
    tiles_ready: usize,
    /// Each kecamatan's fill (empty: none).
    shading: Vec<String>,
}

/// A 2D context for `el`, sized to the view, scaled to CSS pixels.
fn context_2d(el: &web_sys::HtmlCanvasElement, view: Viewport) -> Option<CanvasRenderingContext2d> {
    let ratio = view.ratio;
    let (pw, ph) = view.pixels();
    if el.width() != pw || el.height() != ph {
        el.set_width(pw);
        el.set_height(ph);
    }
    let ctx: CanvasRenderingContext2d = el.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0).ok()?;
    Some(ctx)
}

/// The zoom and tiles covering the view.
fn view_tiles(p: &Projection, view: Viewport, layer: &TileLayer) -> Vec<tiles::Tile> {
    let [west, north] = p.lonlat(0.0, 0.0);
    let [east, south] = p.lonlat(view.width, view.height);
    let z = tiles::zoom_for((east - west) / (view.width * view.ratio), layer.max_zoom);
    tiles::covering([west, south, east, north], z)
}

/// How many of the view's tiles have loaded.
fn tiles_loaded(p: &Projection, view: Viewport, layer: &TileLayer, cache: &HashMap<String, HtmlImageElement>) -> usize {
    view_tiles(p, view, layer)
        .iter()
        .filter(|t| {
            cache
                .get(&tiles::url(&layer.url, t))
                .is_some_and(|img| img.complete() && img.natural_width() > 0)
        })
        .count()
}

/// Draw the tiles covering the view (requesting those not yet cached), dimmed for the dark
/// wall; the number drawn.
fn draw_tiles(
    ctx: &CanvasRenderingContext2d,
    p: &Projection,
    view: Viewport,
    layer: &TileLayer,
    cache: &mut HashMap<String, HtmlImageElement>,
) -> usize {
    let mut drawn = 0;
    for tile in view_tiles(p, view, layer) {
        let url = tiles::url(&layer.url, &tile);
        let img = cache.entry(url).or_insert_with_key(|url| {
            let img = HtmlImageElement::new().expect("an <img>");
            img.set_src(url);
            img
        });
        if img.complete() && img.natural_width() > 0 {
            let (x0, y0) = p.px(tile.bounds[0], tile.bounds[3]);
            let (x1, y1) = p.px(tile.bounds[2], tile.bounds[1]);
            if ctx
                .draw_image_with_html_image_element_and_dw_and_dh(img, x0, y0, x1 - x0, y1 - y0)
                .is_ok()
            {
                drawn += 1;
            }
        }
    }
    ctx.set_fill_style_str("rgba(7, 11, 20, 0.55)");
    ctx.fill_rect(0.0, 0.0, view.width, view.height);
    drawn
}

/// The map of `source`'s tenant showing the tickets of `board` that `panel` admits, as of
/// `now` (the server clock, ms).
#[component]
pub fn MapView(
    source: Memo<Option<MapSource>>,
    tiles: Memo<Option<TileLayer>>,
    board: ReadSignal<Board>,
    panel: ReadSignal<Panel>,
    now: Signal<f64>,
    /// Fired when the markers should be counted and drawn again (the board, panel and clock
    /// are read untracked: the wall staggers its heavy views, one per frame).
    due: Trigger,
    lang: Lang,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let shapes = RwSignal::new(Shapes::default());
    let drawn = RwSignal::new(Drawn::default());
    // Loaded tile images by URL (kept for the wall's lifetime: the view does not move).
    let mut tile_cache: HashMap<String, HtmlImageElement> = HashMap::new();
    let mut backdrop: Option<Backdrop> = None;
    let mut sprites = paint::Sprites::default();
    let base_canvas = NodeRef::<Canvas>::new();
    let rings_canvas = NodeRef::<Canvas>::new();
    let mut base_look: Option<BaseLook> = None;
    let mut tiles_drawn = 0;
    let mut measured: Option<Measured> = None;
    let mut mode = MapMode::Markers;

    Effect::new(move |loaded: Option<String>| {
        let Some(src) = source.get() else {
            return loaded.unwrap_or_default();
        };
        if loaded.as_deref() == Some(src.tenant.as_str()) {
            return src.tenant;
        }
        let urls = [src.geo.kecamatan, src.geo.context, src.geo.outline];
        leptos::task::spawn_local(async move { shapes.set(load(urls).await) });
        src.tenant
    });

    Effect::new(move |_| {
        due.track();
        let now = now.get_untracked();
        let (Some(el), Some(base_el), Some(rings_el)) = (canvas.get(), base_canvas.get(), rings_canvas.get()) else {
            return;
        };
        let shapes = shapes.read();
        let Some(b) = bounds(&shapes.kecamatan) else { return };
        let Some(window) = web_sys::window() else { return };
        // Reading the canvas's layout size forces a synchronous layout when the DOM changed
        // since the last frame (it does, several times a second): measure only when the
        // window's size changed, or until the canvas has been laid out.
        let inner = WindowSize {
            width: window.inner_width().ok().and_then(|v| v.as_f64()),
            height: window.inner_height().ok().and_then(|v| v.as_f64()),
        };
        let (w, h) = match measured {
            Some(m) if m.window == inner && m.width >= 10.0 && m.height >= 10.0 => (m.width, m.height),
            _ => {
                let (w, h) = (f64::from(el.client_width()), f64::from(el.client_height()));
                measured = Some(Measured {
                    window: inner,
                    width: w,
                    height: h,
                });
                (w, h)
            }
        };
        if w < 10.0 || h < 10.0 {
            return;
        }
        let view = Viewport {
            width: w,
            height: h,
            ratio: window.device_pixel_ratio(),
        };
        let (Some(ctx), Some(base_ctx), Some(rings)) = (
            context_2d(&el, view),
            context_2d(&base_el, view),
            context_2d(&rings_el, view),
        ) else {
            return;
        };
        let p = Projection::fit(b, w, h, 16.0);
        let layers = Layers {
            generation: shapes.generation,
            context: &shapes.context,
            kecamatan: &shapes.kecamatan,
            outline: &shapes.outline,
        };
        let layer = tiles.get();
        // Over tiles the shapes are translucent so the base map shows through.
        let Some(backdrop) = Backdrop::ensure(&mut backdrop, &layers, &p, view, layer.is_some()) else {
            return;
        };
        let counted = panel.with_untracked(|panel| {
            board.with_untracked(|board| {
                tally(board.entries().filter(|e| panel.admits(&e.ticket)), now, |lon, lat| {
                    p.px(lon, lat)
                })
            })
        });
        let base = (w / 150.0).clamp(7.0, 26.0);
        let cell = CELL_RADII * base;
        let bubbles = cluster(&counted.markers, cell);
        mode = next_mode(mode, bubbles.len());

        // The base (tiles, shapes, shading) is repainted only when it would look different.
        let max = counted.max_open();
        let look = BaseLook {
            pixels: view.pixels(),
            generation: shapes.generation,
            tiles_ready: layer.as_ref().map_or(0, |l| tiles_loaded(&p, view, l, &tile_cache)),
            shading: backdrop
                .kecamatan
                .iter()
                .map(|k| {
                    counted
                        .kecamatan
                        .get(k.code.as_str())
                        .map_or_else(String::new, |load| shade(load.open, load.worst, max))
                })
                .collect(),
        };
        if base_look.as_ref() != Some(&look) {
            base_ctx.clear_rect(0.0, 0.0, w, h);
            tiles_drawn = layer
                .as_ref()
                .map_or(0, |l| draw_tiles(&base_ctx, &p, view, l, &mut tile_cache));
            backdrop.under(&base_ctx, view.ratio);
            for (k, colour) in backdrop.kecamatan.iter().zip(&look.shading) {
                if !colour.is_empty() {
                    base_ctx.set_fill_style_str(colour);
                    base_ctx.fill_with_path_2d(&k.path);
                }
            }
            backdrop.over(&base_ctx, view.ratio);
            base_look = Some(look);
        }

        ctx.clear_rect(0.0, 0.0, w, h);
        rings.clear_rect(0.0, 0.0, w, h);
        let shown = match mode {
            MapMode::Markers => bubbles,
            MapMode::Choropleth => {
                paint::counts(&ctx, backdrop, &counted.kecamatan);
                let standouts: Vec<Marker> = counted.standouts.iter().map(|s| s.marker).collect();
                cluster(&standouts, cell)
            }
        };
        paint::markers(&ctx, &rings, &mut sprites, &shown, (base, view.ratio));
        drawn.set(Drawn {
            markers: counted.markers.len(),
            breached: counted.breached,
            standouts: counted.standouts.len(),
            mode,
            tiles: tiles_drawn,
        });
    });

    view! {
        <div class="map-panel">
            <canvas node_ref=base_canvas class="map map-base" aria-hidden="true"></canvas>
            <canvas node_ref=rings_canvas class="map map-rings" aria-hidden="true"></canvas>
            <canvas
                node_ref=canvas
                class="map map-marks"
                data-testid="map"
                role="img"
                aria-label=t(lang, Text::MapLabel)
                data-markers=move || drawn.get().markers
                data-breached=move || drawn.get().breached
                data-standouts=move || drawn.get().standouts
                data-mode=move || drawn.get().mode.code()
                data-tiles=move || drawn.get().tiles
            ></canvas>
            {move || tiles.get().filter(|l| !l.attribution.is_empty()).map(|l| view! {
                <div class="map-attribution" data-testid="map-attribution">{l.attribution}</div>
            })}
        </div>
    }
}
