//! The drawer's small map: the tenant's kecamatan as SVG outlines (the wall's own GeoJSON,
//! loaded once per console), the ticket's kecamatan shaded, and a dot where it was reported.

use super::Console;
use crate::map::geo::{bounds, parse, Projection, Shape};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;

/// The map's size in SVG units.
const W: f64 = 320.0;
const H: f64 = 200.0;

/// An SVG path for a shape's rings under `p`.
fn path(shape: &Shape, p: &Projection) -> String {
    let mut d = String::new();
    for ring in &shape.rings {
        for (i, [lon, lat]) in ring.iter().enumerate() {
            let (x, y) = p.px(*lon, *lat);
            d.push_str(&format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" }));
        }
        d.push('Z');
    }
    d
}

/// The kecamatan shapes, loaded on first use (`None` until then or when unavailable).
#[derive(Clone, Copy)]
pub struct Shapes(RwSignal<Option<Rc<Vec<Shape>>>, LocalStorage>);

impl Shapes {
    pub fn new() -> Shapes {
        Shapes(RwSignal::new_local(None))
    }

    fn load(self, url: String) {
        if self.0.with_untracked(Option::is_some) || url.is_empty() {
            return;
        }
        spawn_local(async move {
            if let Some(shapes) = crate::map::view::fetch_text(&url).await.and_then(|t| parse(&t).ok()) {
                self.0.set(Some(Rc::new(shapes)));
            }
        });
    }
}

#[component]
pub fn MiniMap(c: Console, shapes: Shapes, lon: f64, lat: f64, kecamatan: Option<String>) -> impl IntoView {
    Effect::new(move |_| {
        if let Some(url) = c.state.tenant.with(|t| t.as_ref().map(|i| i.geo.kecamatan.clone())) {
            shapes.load(url);
        }
    });
    move || {
        let all = shapes.0.get()?;
        let p = Projection::fit(bounds(&all)?, W, H, 8.0);
        let (x, y) = p.px(lon, lat);
        let areas = all
            .iter()
            .map(|s| {
                let here = kecamatan
                    .as_deref()
                    .is_some_and(|k| k == s.code || k.eq_ignore_ascii_case(&s.name));
                view! { <path d=path(s, &p) class=if here { "mini-area here" } else { "mini-area" } /> }
            })
            .collect_view();
        Some(view! {
            <svg class="minimap" viewBox=format!("0 0 {W} {H}") role="img" data-testid="minimap" aria-label=format!("{lat:.4}, {lon:.4}")>
                {areas}
                <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="6" class="mini-dot" />
            </svg>
        })
    }
}
