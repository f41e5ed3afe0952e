//! `MapView`: loads the tenant's shapes from `/geo/…` (served with the wall, no internet)
//! and paints one canvas: neighbours, kecamatan shaded by open tickets (red-tinted where a
//! ticket is breached), the tenant's outline, then clustered markers coloured by SLA state;
//! breached bubbles have blinking halos. When the tenant configures a tile URL, raster tiles (dimmed) go
//! under the shapes, with the source's attribution in the corner. Three stacked canvases:
//! the base (redrawn only when it would look different), the halos (blinking by CSS) and the
//! markers, repainted when the views learn of new deltas, once a second for the passing of
//! time, and when the panel changes. The markers canvas exposes what it drew in `data-*`
//! attributes for tests.

use crate::map::cluster::{cluster, Marker};
use crate::map::geo::{bounds, parse, Projection, Shape};
use crate::map::paint::{self, Backdrop, Layers};
use crate::map::style::{shade, urgency, Urgency};
use crate::map::tiles;
use crate::state::WallState;
use crate::time;
use leptos::html::Canvas;
use leptos::prelude::*;
use pantau_shared::protocol::TileLayer;
use std::collections::HashMap;
use std::time::Duration;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlImageElement};

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

async fn fetch_text(url: &str) -> Option<String> {
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
    markers: usize,
    breached: usize,
    /// Raster tiles drawn (loaded ones only).
    tiles: usize,
}

/// The canvas's CSS size and the window's inner size it was measured at.
type Measured = ((Option<f64>, Option<f64>), f64, f64);

/// What the base canvas was painted from.
type BaseLook = ((u32, u32, f64), u64, usize, Vec<String>);

/// A 2D context for `el`, sized to `w`×`h` CSS pixels at `ratio`, scaled to CSS pixels.
fn context_2d(el: &web_sys::HtmlCanvasElement, w: f64, h: f64, ratio: f64) -> Option<CanvasRenderingContext2d> {
    let (pw, ph) = ((w * ratio) as u32, (h * ratio) as u32);
    if el.width() != pw || el.height() != ph {
        el.set_width(pw);
        el.set_height(ph);
    }
    let ctx: CanvasRenderingContext2d = el.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0).ok()?;
    Some(ctx)
}

/// The zoom and tiles covering the view.
fn view_tiles(p: &Projection, (w, h, ratio): (f64, f64, f64), layer: &TileLayer) -> Vec<tiles::Tile> {
    let [west, north] = p.lonlat(0.0, 0.0);
    let [east, south] = p.lonlat(w, h);
    let z = tiles::zoom_for((east - west) / (w * ratio), layer.max_zoom);
    tiles::covering([west, south, east, north], z)
}

/// How many of the view's tiles have loaded.
fn tiles_loaded(
    p: &Projection,
    size: (f64, f64, f64),
    layer: &TileLayer,
    cache: &HashMap<String, HtmlImageElement>,
) -> usize {
    view_tiles(p, size, layer)
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
    (w, h, ratio): (f64, f64, f64),
    layer: &TileLayer,
    cache: &mut HashMap<String, HtmlImageElement>,
) -> usize {
    let mut drawn = 0;
    for tile in view_tiles(p, (w, h, ratio), layer) {
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
    ctx.fill_rect(0.0, 0.0, w, h);
    drawn
}

#[component]
pub fn MapView(state: WallState) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let shapes = RwSignal::new(Shapes::default());
    let drawn = RwSignal::new(Drawn::default());
    let tick = RwSignal::new(0u64);
    // Loaded tile images by URL (kept for the wall's lifetime: the view does not move).
    let mut tile_cache: HashMap<String, HtmlImageElement> = HashMap::new();
    let mut backdrop: Option<Backdrop> = None;
    let mut sprites = paint::Sprites::default();
    let base_canvas = NodeRef::<Canvas>::new();
    let rings_canvas = NodeRef::<Canvas>::new();
    // What the base canvas shows: size, shapes, tiles loaded, kecamatan colours.
    let mut base_look: Option<BaseLook> = None;
    let mut tiles_drawn = 0;
    // The canvas's CSS size and the window size it was measured at.
    let mut measured: Option<Measured> = None;
    let tile_layer = move || state.tenant.with(|t| t.as_ref().and_then(|i| i.geo.tiles.clone()));

    Effect::new(move |loaded: Option<String>| {
        let Some(info) = state.tenant.get() else {
            return loaded.unwrap_or_default();
        };
        if loaded.as_deref() == Some(info.id.as_str()) {
            return info.id;
        }
        let urls = [
            info.geo.kecamatan.clone(),
            info.geo.context.clone(),
            info.geo.outline.clone(),
        ];
        leptos::task::spawn_local(async move { shapes.set(load(urls).await) });
        info.id
    });
    set_interval(move || tick.update(|t| *t += 1), Duration::from_millis(1000));

    Effect::new(move |_| {
        let _ = tick.get();
        let (Some(el), Some(base_el), Some(rings_el)) = (canvas.get(), base_canvas.get(), rings_canvas.get()) else {
            return;
        };
        let shapes = shapes.read();
        let Some(b) = bounds(&shapes.kecamatan) else { return };
        let Some(window) = web_sys::window() else { return };
        let ratio = window.device_pixel_ratio();
        // Reading the canvas's layout size forces a synchronous layout when the DOM changed
        // since the last frame (it does, several times a second): measure only when the
        // window's size changed, or until the canvas has been laid out.
        let inner = (
            window.inner_width().ok().and_then(|v| v.as_f64()),
            window.inner_height().ok().and_then(|v| v.as_f64()),
        );
        let (w, h) = match measured {
            Some((at, w, h)) if at == inner && w >= 10.0 && h >= 10.0 => (w, h),
            _ => {
                let (w, h) = (f64::from(el.client_width()), f64::from(el.client_height()));
                measured = Some((inner, w, h));
                (w, h)
            }
        };
        if w < 10.0 || h < 10.0 {
            return;
        }
        let (Some(ctx), Some(base_ctx), Some(rings)) = (
            context_2d(&el, w, h, ratio),
            context_2d(&base_el, w, h, ratio),
            context_2d(&rings_el, w, h, ratio),
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
        let layer = tile_layer();
        // Over tiles the shapes are translucent so the base map shows through.
        let size = (el.width(), el.height(), ratio);
        let Some(backdrop) = Backdrop::ensure(&mut backdrop, &layers, &p, size, layer.is_some()) else {
            return;
        };
        let now = time::now_ms() + state.clock_offset_ms.get_untracked();

        // Per kecamatan: open and breached tickets; markers in screen space.
        let mut per_kecamatan: HashMap<String, (usize, usize)> = HashMap::new();
        let mut markers = Vec::new();
        // Repainted when the views are told of new deltas (twice a second at most) and once
        // a second for the passing of time; halos blink by CSS, without repainting.
        let panel = state.panel.get();
        state.board.with(|board| {
            for entry in board.entries().filter(|e| panel.admits(&e.ticket)) {
                let t = &entry.ticket;
                let Some(u) = urgency(t, now, entry.times.resolved) else {
                    continue;
                };
                if let (true, Some(k)) = (u >= Urgency::Paused, &t.kecamatan) {
                    let breached = usize::from(u == Urgency::Breached);
                    match per_kecamatan.get_mut(k.code.as_str()) {
                        Some(e) => *e = (e.0 + 1, e.1 + breached),
                        None => {
                            per_kecamatan.insert(k.code.clone(), (1, breached));
                        }
                    }
                }
                let (x, y) = p.px(t.lon, t.lat);
                markers.push(Marker { x, y, urgency: u });
            }
        });

        // The base (tiles, shapes, shading) is repainted only when it would look different.
        let max = per_kecamatan.values().map(|v| v.0).max().unwrap_or(0);
        let shading: Vec<String> = backdrop
            .kecamatan
            .iter()
            .map(|(code, _)| {
                per_kecamatan
                    .get(code.as_str())
                    .map_or_else(String::new, |(o, b)| shade(*o, *b, max))
            })
            .collect();
        let tiles_ready = layer
            .as_ref()
            .map_or(0, |l| tiles_loaded(&p, (w, h, ratio), l, &tile_cache));
        let look = (size, shapes.generation, tiles_ready, shading);
        if base_look.as_ref() != Some(&look) {
            base_ctx.clear_rect(0.0, 0.0, w, h);
            tiles_drawn = layer
                .as_ref()
                .map_or(0, |l| draw_tiles(&base_ctx, &p, (w, h, ratio), l, &mut tile_cache));
            backdrop.under(&base_ctx, ratio);
            for ((_, path), colour) in backdrop.kecamatan.iter().zip(&look.3) {
                if !colour.is_empty() {
                    base_ctx.set_fill_style_str(colour);
                    base_ctx.fill_with_path_2d(path);
                }
            }
            backdrop.over(&base_ctx, ratio);
            base_look = Some(look);
        }

        ctx.clear_rect(0.0, 0.0, w, h);
        rings.clear_rect(0.0, 0.0, w, h);
        let base = (w / 150.0).clamp(7.0, 26.0);
        paint::markers(
            &ctx,
            &rings,
            &mut sprites,
            &cluster(&markers, CELL_RADII * base),
            (base, ratio),
        );
        let breached = markers.iter().filter(|m| m.urgency == Urgency::Breached).count();
        drawn.set(Drawn {
            markers: markers.len(),
            breached,
            tiles: tiles_drawn,
        });
    });

    view! {
        <div class="map-panel">
            <canvas node_ref=base_canvas class="map map-base"></canvas>
            <canvas node_ref=rings_canvas class="map map-rings"></canvas>
            <canvas
                node_ref=canvas
                class="map map-marks"
                data-testid="map"
                data-markers=move || drawn.get().markers
                data-breached=move || drawn.get().breached
                data-tiles=move || drawn.get().tiles
            ></canvas>
            {move || tile_layer().filter(|l| !l.attribution.is_empty()).map(|l| view! {
                <div class="map-attribution" data-testid="map-attribution">{l.attribution}</div>
            })}
        </div>
    }
}
