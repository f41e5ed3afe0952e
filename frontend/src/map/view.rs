//! `MapView`: loads the tenant's shapes from `/geo/…` (served with the wall, no internet)
//! and paints one canvas: neighbours, kecamatan shaded by open tickets (red-tinted where a
//! ticket is breached), the tenant's outline, then clustered markers coloured by SLA state;
//! breached bubbles pulse. When the tenant configures a tile URL, raster tiles (dimmed) go
//! under the shapes, with the source's attribution in the corner. It repaints four times a
//! second (tickets, the pulse and the passing of time) and when the panel changes; the
//! canvas exposes what it drew in `data-*` attributes for tests.

use crate::map::cluster::{cluster, Marker};
use crate::map::geo::{bounds, parse, Projection, Shape};
use crate::map::style::{colour, shade, urgency, Urgency};
use crate::map::tiles;
use crate::state::WallState;
use crate::time;
use leptos::html::Canvas;
use leptos::prelude::*;
use std::collections::HashMap;
use std::time::Duration;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlImageElement};

/// Cluster cell size, CSS pixels.
const CELL_PX: f64 = 26.0;

/// Shapes of one tenant.
#[derive(Clone, Default, PartialEq)]
struct Shapes {
    kecamatan: Vec<Shape>,
    context: Vec<Shape>,
    outline: Vec<Shape>,
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
    }
}

fn path(ctx: &CanvasRenderingContext2d, p: &Projection, shape: &Shape) {
    ctx.begin_path();
    for ring in &shape.rings {
        for (i, [lon, lat]) in ring.iter().enumerate() {
            let (x, y) = p.px(*lon, *lat);
            if i == 0 {
                ctx.move_to(x, y);
            } else {
                ctx.line_to(x, y);
            }
        }
        ctx.close_path();
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

/// Draw the tiles covering the view (requesting those not yet cached), dimmed for the dark
/// wall; the number drawn.
fn draw_tiles(
    ctx: &CanvasRenderingContext2d,
    p: &Projection,
    (w, h, ratio): (f64, f64, f64),
    layer: &pantau_shared::protocol::TileLayer,
    cache: &mut HashMap<String, HtmlImageElement>,
) -> usize {
    let [west, north] = p.lonlat(0.0, 0.0);
    let [east, south] = p.lonlat(w, h);
    let z = tiles::zoom_for((east - west) / (w * ratio), layer.max_zoom);
    let mut drawn = 0;
    for tile in tiles::covering([west, south, east, north], z) {
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
    set_interval(move || tick.update(|t| *t += 1), Duration::from_millis(250));

    Effect::new(move |_| {
        let _ = tick.get();
        let Some(el) = canvas.get() else { return };
        let shapes = shapes.read();
        let Some(b) = bounds(&shapes.kecamatan) else { return };
        let ratio = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0);
        let (w, h) = (el.client_width() as f64, el.client_height() as f64);
        if w < 10.0 || h < 10.0 {
            return;
        }
        if el.width() != (w * ratio) as u32 || el.height() != (h * ratio) as u32 {
            el.set_width((w * ratio) as u32);
            el.set_height((h * ratio) as u32);
        }
        let Ok(Some(ctx)) = el.get_context("2d") else { return };
        let Ok(ctx) = ctx.dyn_into::<CanvasRenderingContext2d>() else {
            return;
        };
        let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
        ctx.clear_rect(0.0, 0.0, w, h);
        let p = Projection::fit(b, w, h, 16.0);
        let layer = tile_layer();
        let tiles_drawn = layer
            .as_ref()
            .map_or(0, |l| draw_tiles(&ctx, &p, (w, h, ratio), l, &mut tile_cache));
        // Over tiles the shapes are translucent so the base map shows through.
        let (context_fill, kecamatan_fill) = match layer {
            Some(_) => ("rgba(12, 19, 34, 0.45)", "rgba(16, 27, 48, 0.35)"),
            None => ("#0c1322", "#101b30"),
        };
        let now = time::now_ms() + state.clock_offset_ms.get_untracked();

        // Per kecamatan: open and breached tickets; markers in screen space.
        let mut per_kecamatan: HashMap<String, (usize, usize)> = HashMap::new();
        let mut markers = Vec::new();
        // The board is read untracked: the map repaints on its own tick (which also moves
        // the pulse and the passing of time), not on every delta.
        let panel = state.panel.get();
        state.board.with_untracked(|board| {
            for t in board.tickets.values().filter(|t| panel.admits(t)) {
                let resolved = board.times(&t.id).resolved;
                let Some(u) = urgency(t, now, resolved) else { continue };
                if u >= Urgency::Paused {
                    let code = t.kecamatan.as_ref().map(|k| k.code.clone()).unwrap_or_default();
                    let e = per_kecamatan.entry(code).or_default();
                    e.0 += 1;
                    e.1 += usize::from(u == Urgency::Breached);
                }
                let (x, y) = p.px(t.lon, t.lat);
                markers.push(Marker { x, y, urgency: u });
            }
        });
        let max = per_kecamatan.values().map(|v| v.0).max().unwrap_or(0);

        ctx.set_line_width(1.0);
        for s in &shapes.context {
            path(&ctx, &p, s);
            ctx.set_fill_style_str(context_fill);
            ctx.fill();
            ctx.set_stroke_style_str("#1c2a42");
            ctx.stroke();
        }
        for s in &shapes.kecamatan {
            let (open, breached) = per_kecamatan.get(&s.code).copied().unwrap_or_default();
            path(&ctx, &p, s);
            ctx.set_fill_style_str(kecamatan_fill);
            ctx.fill();
            ctx.set_fill_style_str(&shade(open, breached, max));
            ctx.fill();
            ctx.set_stroke_style_str("#3b4f72");
            ctx.stroke();
        }
        ctx.set_line_width(2.5);
        for s in &shapes.outline {
            path(&ctx, &p, s);
            ctx.set_stroke_style_str("#7dd3fc");
            ctx.stroke();
        }
        // Kecamatan names at their box centres.
        ctx.set_fill_style_str("rgba(226, 232, 240, 0.55)");
        ctx.set_text_align("center");
        ctx.set_font(&format!("600 {}px sans-serif", (w / 70.0).clamp(11.0, 36.0)));
        for s in &shapes.kecamatan {
            if let Some(b) = bounds(std::slice::from_ref(s)) {
                let (x, y) = p.px((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
                let _ = ctx.fill_text(&s.name, x, y);
            }
        }

        let pulse = (now / 1000.0 * std::f64::consts::PI).sin() * 0.5 + 0.5;
        let base = (w / 150.0).clamp(7.0, 26.0);
        for c in cluster(&markers, CELL_PX * w / 1920.0) {
            let r = base * (1.0 + (c.count as f64).ln() * 0.45);
            if c.urgency == Urgency::Breached {
                ctx.begin_path();
                let _ = ctx.arc(c.x, c.y, r * (1.6 + pulse), 0.0, std::f64::consts::TAU);
                ctx.set_fill_style_str(&format!("rgba(239, 68, 68, {:.2})", 0.35 * (1.0 - pulse) + 0.1));
                ctx.fill();
            }
            ctx.begin_path();
            let _ = ctx.arc(c.x, c.y, r, 0.0, std::f64::consts::TAU);
            ctx.set_global_alpha(if c.urgency == Urgency::JustResolved { 0.6 } else { 1.0 });
            ctx.set_fill_style_str(colour(c.urgency));
            ctx.fill();
            ctx.set_global_alpha(1.0);
            // A light rim keeps markers visible on the red-shaded kecamatan.
            ctx.set_stroke_style_str("#e2e8f0");
            ctx.set_line_width((r / 5.0).max(1.5));
            ctx.stroke();
            if c.count > 1 {
                ctx.set_fill_style_str("#0b1220");
                ctx.set_font(&format!("800 {}px sans-serif", (r * 1.1).max(9.0)));
                ctx.set_text_baseline("middle");
                let _ = ctx.fill_text(&c.count.to_string(), c.x, c.y);
                ctx.set_text_baseline("alphabetic");
            }
        }
        let breached = markers.iter().filter(|m| m.urgency == Urgency::Breached).count();
        drawn.set(Drawn {
            markers: markers.len(),
            breached,
            tiles: tiles_drawn,
        });
    });

    view! {
        <div class="map-panel">
            <canvas
                node_ref=canvas
                class="map"
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
