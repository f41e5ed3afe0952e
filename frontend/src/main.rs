//! Pantau's wall display: a Leptos client-side app (built by Trunk) that subscribes to one
//! tenant over `/ws` and shows its live reports; with its sign-in, screen-pairing and
//! screen-admin pages.
//!
//! # Layout
//! - `app`: picks the page by path; for the wall, asks who is watching (session or paired
//!   screen) and reads the URL (tenant, language).
//! - `api`: HTTP calls: JSON, the CSRF header on writes, the server's error body.
//! - `auth`: where sign-in returns to, which roles see admin links (pure).
//! - `screens`: pairing codes, relative times, a paired screen's local storage (pure + storage).
//! - `url`: the query string's parameters, percent-decoded (pure).
//! - `ws`: the WebSocket: subscribe, reconnect with jittered backoff.
//! - `state`: the signals the socket feeds and the pure rules that update them.
//! - `i18n`: every visible string, Bahasa Indonesia first, English second.
//! - `time`: clock offset, local time in the tenant's zone, id-ID number formatting.
//! - `chart`: small SVG charts: scales, nice ticks, line/area paths, bars (pure).
//! - `kpi`: the wall's headline numbers: the shared definition over the panel's tickets (pure).
//! - `panel`: the panels the wall shows or rotates through (whole city, one agency; pure).
//! - `map/*`: the canvas map: shapes, projection, counting, clustering, colours.
//! - `pages/wall`: the wall display; `pages/signin`, `pages/pairing` (`/wall` before pairing),
//!   `pages/admin_screens`; `pages/kpi/*` (`/kpi`, the executive view); `pages/lapor`
//!   (`/lapor/<ticket>`, the citizen's status page).
//! - `components/*`: the header, stale banner, KPI tiles, gauges, urgent list, report list,
//!   user badge; the pairing form and screen list of the admin page. Each takes only the
//!   signals it shows.
//!
//! # Bundles
//! Each page family is a bundle of its own, so a citizen's phone does not download the console:
//! one Trunk build per `frontend/*.html` (merged into `dist/` by `scripts/build-frontend`) —
//! `index.html` the wall (feature `wall`), `console.html` (`console`), `office.html` the KPI
//! page, sign-in and screens admin (`kpi`, `account`), `lapor.html` (`lapor`). With every
//! feature (the default) all pages are compiled, which is how clippy and the unit tests see them.
#![cfg_attr(
    not(all(
        feature = "wall",
        feature = "console",
        feature = "kpi",
        feature = "account",
        feature = "lapor"
    )),
    allow(dead_code, unused_imports)
)]

mod api;
mod app;
mod auth;
mod chart;
mod components;
mod i18n;
mod kpi;
mod map;
mod nav;
mod pages;
mod panel;
mod screens;
mod state;
mod time;
mod url;
mod ws;

fn main() {
    // Not leptos' `spawn_local`: its executor is set up by the first mount, which `start`
    // makes once it knows the page.
    wasm_bindgen_futures::spawn_local(app::start());
}
