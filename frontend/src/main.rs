//! Pantau's wall display: a Leptos client-side app (built by Trunk) that subscribes to one
//! tenant over `/ws` and shows its live reports.
//!
//! # Layout
//! - `app`: reads the URL (tenant, language), starts the socket, picks the page.
//! - `ws`: the WebSocket: subscribe, reconnect with jittered backoff.
//! - `state`: the signals the socket feeds and the pure rules that update them.
//! - `i18n`: every visible string, Bahasa Indonesia first, English second.
//! - `time`: clock offset, local time in the tenant's zone, id-ID number formatting.
//! - `kpi`: the wall's headline numbers (pure).
//! - `panel`: the panels the wall shows or rotates through (whole city, one agency; pure).
//! - `map/*`: the canvas map: shapes, projection, clustering, colours.
//! - `pages/wall`: the wall display.
//! - `components/*`: the header, the KPI tiles, the report list.

mod app;
mod components;
#[cfg(test)]
mod fixtures;
mod i18n;
mod kpi;
mod map;
mod pages;
mod panel;
mod state;
mod time;
mod ws;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
