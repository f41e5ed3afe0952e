//! The built frontend (`dist/`): its files, compressed for whoever accepts it, and for a
//! client-side route the page of the bundle that holds it.
//!
//! Each page family is its own wasm bundle (issue 17: a citizen's phone must not download the
//! console): `scripts/build-frontend` writes `index.html` (the wall), `console.html`,
//! `office.html` (the KPI page, sign-in, the screens admin) and `lapor.html` into `dist/`,
//! each loading its own hashed `.wasm`. [`page_for`] maps a path to its page, the same split as the frontend's router.

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use std::path::Path;
use tower::{Layer, ServiceExt};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::{ServeDir, ServeFile};

/// The page (in `dist/`) that answers the client-side route `path`.
pub fn page_for(path: &str) -> &'static str {
    let path = path.trim_end_matches('/');
    match path {
        "/console" => "console.html",
        "/kpi" | "/signin" | "/admin/screens" => "office.html",
        "/lapor" => "lapor.html",
        _ if path.starts_with("/lapor/") => "lapor.html",
        _ => "index.html",
    }
}

/// A file of `dist`, or the page of the route `req` names.
pub async fn serve(dist: &Path, req: Request) -> Response {
    let page = dist.join(page_for(req.uri().path()));
    // Compressed for whoever accepts it (brotli, else gzip): the largest bundle is ~1 MB raw
    // and about a third of that in brotli — what a phone on the status page or a wall
    // booting waits for. Quality 5: a few tens of ms per copy, near the best ratio.
    let frontend = CompressionLayer::new()
        .quality(CompressionLevel::Precise(5))
        .layer(ServeDir::new(dist).fallback(ServeFile::new(page)));
    match frontend.oneshot(req).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::page_for;

    /// Each family's paths get its page, a trailing slash or not; anything else is the wall's.
    #[test]
    fn paths_get_their_bundle_page() {
        assert_eq!(page_for("/console"), "console.html");
        assert_eq!(page_for("/console/"), "console.html");
        assert_eq!(page_for("/kpi"), "office.html");
        assert_eq!(page_for("/kpi/"), "office.html");
        assert_eq!(page_for("/lapor"), "lapor.html");
        assert_eq!(page_for("/lapor/TGR-000001"), "lapor.html");
        assert_eq!(page_for("/laporan"), "index.html");
        assert_eq!(page_for("/consoles"), "index.html");
        assert_eq!(page_for("/"), "index.html");
        assert_eq!(page_for("/wall"), "index.html");
        assert_eq!(page_for("/signin"), "office.html");
        assert_eq!(page_for("/admin/screens"), "office.html");
        assert_eq!(page_for("/admin"), "index.html");
    }
}
