//! `MapView`: loads the tenant's shapes from `/geo/…` (served with the wall, no internet)
//! and paints one canvas: neighbours, kecamatan shaded by open tickets (red-tinted where a
//! ticket is breached), the tenant's outline, then clustered markers coloured by SLA state;
//! breached bubbles pulse. It repaints when the tickets change and four times a second for
//! the pulse and the passing of time; the canvas exposes what it drew in `data-*` attributes
//! for tests.

use crate::map::cluster::{cluster, Marker};
use crate::map::geo::{bounds, parse, Projection, Shape};
use crate::map::style::{colour, shade, urgency, Urgency};
use crate::state::WallState;
use crate::time;
use leptos::html::Canvas;
use leptos::prelude::*;
use std::collections::HashMap;
use std::time::Duration;
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

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
}

#[component]
pub fn MapView(state: WallState) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let shapes = RwSignal::new(Shapes::default());
    let drawn = RwSignal::new(Drawn::default());
    let tick = RwSignal::new(0u64);

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
        let now = time::now_ms() + state.clock_offset_ms.get_untracked();

        // Per kecamatan: open and breached tickets; markers in screen space.
        let mut per_kecamatan: HashMap<String, (usize, usize)> = HashMap::new();
        let mut markers = Vec::new();
        state.board.with(|board| {
            for t in board.tickets.values() {
                let resolved = t.resolved_at.as_deref().and_then(time::parse_ms);
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
            ctx.set_fill_style_str("#0c1322");
            ctx.fill();
            ctx.set_stroke_style_str("#1c2a42");
            ctx.stroke();
        }
        for s in &shapes.kecamatan {
            let (open, breached) = per_kecamatan.get(&s.code).copied().unwrap_or_default();
            path(&ctx, &p, s);
            ctx.set_fill_style_str("#101b30");
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
        ctx.set_font(&format!("600 {}px sans-serif", (w / 90.0).clamp(10.0, 28.0)));
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
            ></canvas>
        </div>
    }
}
