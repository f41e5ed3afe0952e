//! Painting the map canvas cheaply enough for four repaints a second over 10,000 tickets:
//! the shapes that do not change (neighbours, kecamatan fills, borders, names) are drawn once
//! per size into two offscreen canvases — under and over the per-kecamatan shading — and
//! blitted; kecamatan outlines are kept as `Path2D`s for the shading; markers are stamped
//! from small prepared images instead of being rasterised as paths each time.

use crate::map::cluster::Cluster;
use crate::map::geo::{bounds, Projection, Shape};
use crate::map::style::{colour, Urgency};
use crate::map::tally::KecamatanLoad;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::f64::consts::TAU;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, Path2d};

/// What a backdrop was drawn for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    /// Canvas size, device pixels.
    width: u32,
    height: u32,
    /// The shapes' generation.
    generation: u64,
    /// Raster tiles show underneath.
    translucent: bool,
}

/// A kecamatan's outline, in CSS pixels.
pub struct KecamatanPath {
    pub code: String,
    pub path: Path2d,
}

/// Where a kecamatan's name is written (the centre of its box), CSS pixels; its count goes
/// under it.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelSpot {
    pub code: String,
    pub x: f64,
    pub y: f64,
}

/// The static layers of one canvas size.
pub struct Backdrop {
    key: Key,
    /// Neighbours and kecamatan fills (under the shading).
    under: HtmlCanvasElement,
    /// Borders, the tenant outline and kecamatan names (over the shading).
    over: HtmlCanvasElement,
    /// Each kecamatan's outline.
    pub kecamatan: Vec<KecamatanPath>,
    /// Where each kecamatan's name is written.
    pub labels: Vec<LabelSpot>,
    /// Font size of the names, CSS pixels.
    pub label_px: f64,
}

/// The map's size: CSS pixels and device pixels per CSS pixel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub width: f64,
    pub height: f64,
    pub ratio: f64,
}

impl Viewport {
    /// Canvas size in device pixels.
    pub fn pixels(&self) -> (u32, u32) {
        ((self.width * self.ratio) as u32, (self.height * self.ratio) as u32)
    }
}

/// The shapes a map draws, with a generation that changes when they are reloaded.
pub struct Layers<'a> {
    pub generation: u64,
    pub context: &'a [Shape],
    pub kecamatan: &'a [Shape],
    pub outline: &'a [Shape],
}

fn offscreen(width: u32, height: u32, ratio: f64) -> Option<(HtmlCanvasElement, CanvasRenderingContext2d)> {
    let canvas: HtmlCanvasElement = web_sys::window()?
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()?;
    canvas.set_width(width);
    canvas.set_height(height);
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0).ok()?;
    Some((canvas, ctx))
}

fn path(p: &Projection, shape: &Shape) -> Option<Path2d> {
    let path = Path2d::new().ok()?;
    for ring in &shape.rings {
        for (i, [lon, lat]) in ring.iter().enumerate() {
            let (x, y) = p.px(*lon, *lat);
            if i == 0 {
                path.move_to(x, y);
            } else {
                path.line_to(x, y);
            }
        }
        path.close_path();
    }
    Some(path)
}

impl Backdrop {
    /// The backdrop for this canvas size and these shapes: `cache` if it still fits, else
    /// drawn anew. `translucent` when raster tiles show underneath.
    pub fn ensure<'c>(
        cache: &'c mut Option<Backdrop>,
        layers: &Layers,
        p: &Projection,
        view: Viewport,
        translucent: bool,
    ) -> Option<&'c Backdrop> {
        let (width, height) = view.pixels();
        let key = Key {
            width,
            height,
            generation: layers.generation,
            translucent,
        };
        if cache.as_ref().is_none_or(|b| b.key != key) {
            *cache = Backdrop::draw(key, layers, p, view.ratio);
        }
        cache.as_ref()
    }

    fn draw(key: Key, layers: &Layers, p: &Projection, ratio: f64) -> Option<Backdrop> {
        let Key {
            width,
            height,
            translucent,
            ..
        } = key;
        let (context_fill, kecamatan_fill) = if translucent {
            ("rgba(12, 19, 34, 0.45)", "rgba(16, 27, 48, 0.35)")
        } else {
            ("#0c1322", "#101b30")
        };
        let (under, ctx) = offscreen(width, height, ratio)?;
        ctx.set_line_width(1.0);
        ctx.set_stroke_style_str("#1c2a42");
        ctx.set_fill_style_str(context_fill);
        for s in layers.context {
            let path = path(p, s)?;
            ctx.fill_with_path_2d(&path);
            ctx.stroke_with_path(&path);
        }
        let kecamatan: Vec<KecamatanPath> = layers
            .kecamatan
            .iter()
            .map(|s| {
                path(p, s).map(|path| KecamatanPath {
                    code: s.code.clone(),
                    path,
                })
            })
            .collect::<Option<_>>()?;
        ctx.set_fill_style_str(kecamatan_fill);
        for k in &kecamatan {
            ctx.fill_with_path_2d(&k.path);
        }

        let (over, ctx) = offscreen(width, height, ratio)?;
        ctx.set_line_width(1.0);
        ctx.set_stroke_style_str("#3b4f72");
        for k in &kecamatan {
            ctx.stroke_with_path(&k.path);
        }
        ctx.set_line_width(2.5);
        ctx.set_stroke_style_str("#7dd3fc");
        for s in layers.outline {
            ctx.stroke_with_path(&path(p, s)?);
        }
        // Kecamatan names at their box centres.
        let css_width = f64::from(width) / ratio;
        let label_px = (css_width / 70.0).clamp(11.0, 36.0);
        ctx.set_fill_style_str("rgba(226, 232, 240, 0.55)");
        ctx.set_text_align("center");
        ctx.set_font(&format!("600 {label_px}px sans-serif"));
        let mut labels = Vec::new();
        for s in layers.kecamatan {
            if let Some(b) = bounds(std::slice::from_ref(s)) {
                let (x, y) = p.px((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
                let _ = ctx.fill_text(&s.name, x, y);
                labels.push(LabelSpot {
                    code: s.code.clone(),
                    x,
                    y,
                });
            }
        }
        Some(Backdrop {
            key,
            under,
            over,
            kecamatan,
            labels,
            label_px,
        })
    }

    fn blit(ctx: &CanvasRenderingContext2d, layer: &HtmlCanvasElement, ratio: f64) {
        let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        let _ = ctx.draw_image_with_html_canvas_element(layer, 0.0, 0.0);
        let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    }

    /// Paint the layer under the shading.
    pub fn under(&self, ctx: &CanvasRenderingContext2d, ratio: f64) {
        Backdrop::blit(ctx, &self.under, ratio);
    }

    /// Paint the layer over the shading.
    pub fn over(&self, ctx: &CanvasRenderingContext2d, ratio: f64) {
        Backdrop::blit(ctx, &self.over, ratio);
    }
}

/// Bubble radius for a cluster of `count` at base radius `base`.
fn radius(base: f64, count: usize) -> f64 {
    base * (1.0 + (count as f64).ln() * 0.45)
}

/// Marker images by state and radius (device pixels): software canvases rasterise a path
/// of hundreds of anti-aliased circles slowly (it was 90% of the wall's main-thread time),
/// while copying a small prepared image is cheap. Bubble sizes follow cluster counts, so
/// over days a wall meets ever more of them: past [`MAX_SPRITES`] the images the last paint
/// did not use are let go (each is a detached canvas the page would otherwise keep).
#[derive(Default)]
pub struct Sprites {
    /// Each image and the paint that last used it.
    images: HashMap<SpriteKey, (HtmlCanvasElement, u64)>,
    /// Paints so far.
    paint: u64,
}

/// Marker images kept beyond those the last paint used.
const MAX_SPRITES: usize = 48;

/// A prepared marker image: a bubble of a state (`None`: a pulse ring) at a radius.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct SpriteKey {
    state: Option<Urgency>,
    /// Radius, device pixels.
    radius_px: u32,
}

impl Sprites {
    /// The image of a bubble (`Some(state)`) or of a pulse ring (`None`) of radius `r` CSS
    /// pixels; drawn centred in a square with room for the rim.
    fn get(&mut self, state: Option<Urgency>, r: f64, base: f64, ratio: f64) -> Option<&HtmlCanvasElement> {
        let key = SpriteKey {
            state,
            radius_px: (r * ratio).round() as u32,
        };
        let paint = self.paint;
        if let Entry::Vacant(slot) = self.images.entry(key) {
            let r = f64::from(key.radius_px) / ratio;
            let side = ((2.0 * r + 2.0 * base) * ratio).ceil() as u32 + 2;
            let (canvas, ctx) = offscreen(side, side, ratio)?;
            let c = f64::from(side) / ratio / 2.0;
            ctx.begin_path();
            let _ = ctx.arc(c, c, r, 0.0, TAU);
            match state {
                None => {
                    ctx.set_stroke_style_str("rgb(239, 68, 68)");
                    ctx.set_line_width((base / 3.0).max(2.0));
                    ctx.stroke();
                }
                Some(state) => {
                    ctx.set_fill_style_str(colour(state));
                    ctx.fill();
                    // A light rim keeps markers visible on the red-shaded kecamatan.
                    ctx.set_stroke_style_str("#e2e8f0");
                    ctx.set_line_width((base / 5.0).max(1.5));
                    ctx.stroke();
                }
            }
            slot.insert((canvas, paint));
        }
        let (image, used) = self.images.get_mut(&key)?;
        *used = paint;
        Some(image)
    }

    /// Start a paint.
    fn begin(&mut self) {
        self.paint += 1;
    }

    /// End a paint: past [`MAX_SPRITES`], keep only the images it used.
    fn trim(&mut self) {
        if self.images.len() > MAX_SPRITES {
            let paint = self.paint;
            self.images.retain(|_, (_, used)| *used == paint);
        }
    }
}

/// Paint clustered markers: halos of breached bubbles on `rings` (a canvas whose opacity the
/// page animates), then the bubbles on `ctx`, least urgent first so urgent ones lie on top,
/// then the counts.
pub fn markers(
    ctx: &CanvasRenderingContext2d,
    rings: &CanvasRenderingContext2d,
    sprites: &mut Sprites,
    clusters: &[Cluster],
    (base, ratio): (f64, f64),
) {
    let stamp = |sprites: &mut Sprites, on: &CanvasRenderingContext2d, state: Option<Urgency>, c: &Cluster, r: f64| {
        if let Some(img) = sprites.get(state, r, base, ratio) {
            let side = f64::from(img.width()) / ratio;
            let _ = on.draw_image_with_html_canvas_element_and_dw_and_dh(
                img,
                c.x - side / 2.0,
                c.y - side / 2.0,
                side,
                side,
            );
        }
    };
    sprites.begin();
    for c in clusters.iter().filter(|c| c.urgency == Urgency::Breached) {
        stamp(sprites, rings, None, c, radius(base, c.count) * 1.9);
    }
    for c in clusters {
        ctx.set_global_alpha(if c.urgency == Urgency::JustResolved { 0.6 } else { 1.0 });
        stamp(sprites, ctx, Some(c.urgency), c, radius(base, c.count));
    }
    sprites.trim();
    ctx.set_global_alpha(1.0);
    ctx.set_fill_style_str("#0b1220");
    ctx.set_text_align("center");
    ctx.set_text_baseline("middle");
    let mut font_px = 0;
    for c in clusters.iter().filter(|c| c.count > 1) {
        let px = (radius(base, c.count) * 1.1).max(9.0).round() as u32;
        if px != font_px {
            ctx.set_font(&format!("800 {px}px sans-serif"));
            font_px = px;
        }
        let _ = ctx.fill_text(&c.count.to_string(), c.x, c.y);
    }
    ctx.set_text_baseline("alphabetic");
}

/// The choropleth's numbers: under each kecamatan's name its open tickets (white) and, when
/// some are breached, how many (red), outlined so they read over any fill.
pub fn counts(ctx: &CanvasRenderingContext2d, backdrop: &Backdrop, loads: &crate::state::ById<KecamatanLoad>) {
    let px = (backdrop.label_px * 1.9).round();
    ctx.set_text_align("center");
    ctx.set_text_baseline("top");
    ctx.set_line_join("round");
    ctx.set_line_width((px / 5.0).max(2.0));
    ctx.set_stroke_style_str("rgba(7, 11, 20, 0.9)");
    for spot in &backdrop.labels {
        let Some(load) = loads.get(&spot.code) else { continue };
        let y = spot.y + backdrop.label_px * 0.4;
        ctx.set_font(&format!("800 {px}px sans-serif"));
        let open = crate::time::format_count(load.open as u64);
        let _ = ctx.stroke_text(&open, spot.x, y);
        ctx.set_fill_style_str("#f8fafc");
        let _ = ctx.fill_text(&open, spot.x, y);
        if load.breached > 0 {
            let small = (px * 0.65).round();
            ctx.set_font(&format!("800 {small}px sans-serif"));
            let text = format!("⚠ {}", crate::time::format_count(load.breached as u64));
            let _ = ctx.stroke_text(&text, spot.x, y + px * 1.05);
            ctx.set_fill_style_str("#fca5a5");
            let _ = ctx.fill_text(&text, spot.x, y + px * 1.05);
        }
    }
    ctx.set_text_baseline("alphabetic");
}
