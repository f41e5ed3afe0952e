//! The HTTP surface: one `router()` per concern, assembled here with request tracing and the
//! built frontend as the fallback.

pub mod health;
pub mod ingest;
pub mod open311;
pub mod tickets;
pub mod ws;

use crate::state::AppState;
use axum::http::Request;
use axum::Router;
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

/// The whole application.
pub fn app(state: Arc<AppState>) -> Router {
    let dist = &state.config.dist_dir;
    let frontend = ServeDir::new(dist).fallback(ServeFile::new(dist.join("index.html")));
    Router::new()
        .merge(ingest::router())
        .merge(tickets::router())
        .merge(open311::router())
        .merge(ws::router())
        .merge(health::router())
        .fallback_service(frontend)
        .layer(TraceLayer::new_for_http().make_span_with(
            |req: &Request<_>| tracing::info_span!("http", method = %req.method(), path = %req.uri().path()),
        ))
        .with_state(state)
}
