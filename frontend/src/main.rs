//! Pantau's wall display: a Leptos client-side app (built by Trunk) that subscribes to one
//! tenant over `/ws` and shows its live reports.
//!
//! # Layout
//! - `app`: reads the URL (tenant, language), starts the socket, picks the page.
//! - `url`: the query string's parameters, percent-decoded (pure).
//! - `ws`: the WebSocket: subscribe, reconnect with jittered backoff.
//! - `state`: the signals the socket feeds and the pure rules that update them.
//! - `i18n`: every visible string, Bahasa Indonesia first, English second.
//! - `time`: clock offset, local time in the tenant's zone, id-ID number formatting.
//! - `kpi`: the wall's headline numbers: the shared definition over the panel's tickets (pure).
//! - `panel`: the panels the wall shows or rotates through (whole city, one agency; pure).
//! - `map/*`: the canvas map: shapes, projection, counting, clustering, colours.
//! - `pages/wall`: the wall display.
//! - `components/*`: the header, stale banner, KPI tiles, gauges, urgent list, report list;
//!   each takes only the signals it shows.

mod app;
mod components;
mod i18n;
mod kpi;
mod map;
mod pages;
mod panel;
mod state;
mod time;
mod url;
mod ws;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
