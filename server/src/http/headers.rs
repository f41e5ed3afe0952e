//! Security headers on every response: a Content-Security-Policy the built wall satisfies
//! (its own scripts and styles only, WebAssembly compiled from them, images from itself and
//! from the tile servers tenants configure, connections to itself only, no framing), and
//! the usual hardening headers.

use crate::tenant::Tenants;
use axum::http::{header, HeaderName, HeaderValue};
use axum::response::Response;

/// The policy for these tenants (tile servers are the only outside origin a page may load).
pub fn content_security_policy(tenants: &Tenants) -> HeaderValue {
    let mut img = vec!["'self'".to_owned(), "data:".to_owned()];
    for tiles in tenants.iter().filter_map(|t| t.geo.tiles.as_ref()) {
        if let Some(origin) = origin(&tiles.url) {
            if !img.contains(&origin) {
                img.push(origin);
            }
        }
    }
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src {}; \
         connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        img.join(" ")
    );
    HeaderValue::from_str(&policy).expect("the policy is ASCII")
}

/// `https://tiles.example.id` of `https://tiles.example.id/{z}/{x}/{y}.png`.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next().filter(|h| !h.is_empty() && !h.contains('{'))?;
    Some(format!("{scheme}://{host}"))
}

/// Add the headers to `response` (the CSP is computed once, at start-up).
pub fn secure(csp: &HeaderValue, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp.clone());
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tile servers' origins are allowed for images, and nothing else from outside.
    #[test]
    fn tile_origins_join_the_image_sources() {
        assert_eq!(
            origin("https://tiles.example.id/{z}/{x}/{y}.png").as_deref(),
            Some("https://tiles.example.id")
        );
        assert_eq!(origin("{s}.tiles/{z}"), None);
        let csp = content_security_policy(&crate::tenant::test_tenants());
        let csp = csp.to_str().unwrap();
        assert!(csp.contains("img-src 'self' data:;"), "{csp}");
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval';"), "{csp}");
    }
}
