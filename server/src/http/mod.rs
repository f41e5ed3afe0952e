//! The HTTP surface: one `router()` per concern, assembled here with request tracing, JSON
//! answers for unknown API paths and wrong methods, and the built frontend as the fallback.
//!
//! - [`guard`]: the route × access table and the middleware enforcing it on every route;
//! - [`headers`]: security headers (CSP) on every response;
//! - [`extract`]: the tenant from the path, the size-limited body, Query/Path/Json — all
//!   rejecting with the one error body;
//! - [`session`]: sign in, who am I, sign out; the tenant list;
//! - [`audit`]: the audit trail (events and auth actions) for admins;
//! - [`webhooks`]: the outbound webhook delivery log for admins;
//! - [`screens`]: pairing wall screens, listing, renaming, revoking them;
//! - [`events`]: `POST /api/v1/{tenant}/events` (one event or an NDJSON batch);
//! - [`tickets`]: the ticket API and its commands; the SLA summary;
//! - [`media`]: photo evidence: upload to a ticket, serve a stored file, a ticket's after photo;
//! - [`bulk`]: reassigning a selection of tickets, each judged on its own;
//! - [`duplicates`]: candidate duplicates of a ticket, merging and unmerging them;
//! - [`workload`]: open, warning, breached, resolved today per agency and officer;
//! - [`state`]: the time machine — the tenant's whole state at a past instant;
//! - [`kpis`]: the executive KPI report (windows, breakdowns, trends, forecast);
//! - [`export`]: tickets as CSV and GeoJSON, KPIs as CSV, streamed;
//! - [`open311`]: GeoReport v2 (its own error format, as the spec says);
//! - [`public`]: the citizens' status page's answer (no sign-in, no personal data);
//! - [`ws`]: `/ws`, handing the socket to a realtime session;
//! - [`ws_upgrade`]: the WebSocket handshake, and long messages written as fragments;
//! - [`health`]: `/healthz`, `/readyz`;
//! - [`frontend`]: the built frontend's files, and each client-side route's bundle page;
//! - [`openapi`]: `GET /api/openapi.json`, the OpenAPI document of every route above.

pub mod audit;
pub mod bulk;
pub mod duplicates;
pub mod events;
pub mod export;
pub mod extract;
pub mod frontend;
pub mod guard;
pub mod headers;
pub mod health;
pub mod kpis;
pub mod media;
pub mod open311;
pub mod openapi;
pub mod public;
pub mod screens;
pub mod session;
pub mod state;
pub mod tickets;
pub mod webhooks;
pub mod workload;
pub mod ws;
pub mod ws_upgrade;

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::Request;
use axum::http::Request as HttpRequest;
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::Arc;
use tower_http::trace::TraceLayer;

/// Paths under these prefixes are API paths: unknown ones get a JSON 404, not the page.
const API_PREFIXES: [&str; 2] = ["/api/", "/open311/"];

/// The whole application.
pub fn app(state: Arc<AppState>) -> Router {
    crate::metrics::install();
    let csp = headers::content_security_policy(&state.tenants);
    Router::new()
        .merge(events::router())
        .merge(tickets::router())
        .merge(media::router())
        .merge(bulk::router())
        .merge(duplicates::router())
        .merge(workload::router())
        .merge(state::router())
        .merge(kpis::router())
        .merge(export::router())
        .merge(open311::router())
        .merge(public::router())
        .merge(session::router())
        .merge(screens::router())
        .merge(audit::router())
        .merge(webhooks::router())
        .merge(ws::router())
        .merge(health::router())
        .merge(openapi::router())
        .merge(crate::metrics::router())
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), guard::guard))
        .route_layer(axum::middleware::from_fn(crate::metrics::count_refusals))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(fallback)
        .layer(axum::middleware::map_response(move |r: Response| {
            let csp = csp.clone();
            async move { headers::secure(&csp, r) }
        }))
        .layer(TraceLayer::new_for_http().make_span_with(
            |req: &HttpRequest<_>| tracing::info_span!("http", method = %req.method(), path = %req.uri().path()),
        ))
        .with_state(state)
}

async fn method_not_allowed(req: Request) -> AppError {
    AppError::MethodNotAllowed(req.method().to_string())
}

/// Unknown API paths get the JSON error body; everything else is the built frontend (a
/// client-side route gets its bundle's page).
async fn fallback(axum::extract::State(state): axum::extract::State<Arc<AppState>>, req: Request) -> Response {
    let path = req.uri().path();
    if API_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return AppError::NotFound {
            what: format!("path {path}"),
            field: "path",
        }
        .into_response();
    }
    frontend::serve(&state.config.dist_dir, req).await
}
