//! The wall's map: an own canvas renderer (no DOM element per marker) drawing the
//! tenant's neighbours, kecamatan shaded by open tickets, and ticket markers coloured by
//! SLA state, clustered where dense. Chosen over Leaflet because the wall needs nothing a
//! slippy map offers (no pan/zoom, no tiles offline) and one canvas keeps 10,000 live
//! tickets cheap: a redraw is one pass over the tickets. A raster tile layer is drawn under
//! the shapes only when the tenant's config names a tile URL template.
//!
//! - [`geo`]: GeoJSON polygons (only what the map needs) and the fitted projection (pure).
//! - [`cluster`]: grid clustering of markers in screen space (pure).
//! - [`style`]: colours of SLA states and kecamatan shading (pure).
//! - [`tally`]: per-kecamatan counts, markers, stand-outs, and when to draw a choropleth (pure).
//! - [`tiles`]: which Web Mercator tiles cover the view, and where (pure).
//! - [`paint`]: cached static layers and batched markers on the canvas.
//! - [`view`]: the `MapView` component that loads the shapes and paints the canvas.

pub mod cluster;
pub mod geo;
pub mod paint;
pub mod style;
pub mod tally;
pub mod tiles;
pub mod view;
