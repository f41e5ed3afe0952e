//! `/healthz` (the process answers) and `/readyz` (and Redis answers too).

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, description = "The process answers", body = super::openapi::schemas::Health)))]
async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready when Redis answers and every tenant's projection has caught up with its stream and
/// is followed by a running tailer (503 while a tailer is being restarted).
#[utoipa::path(get, path = "/readyz", tag = "system",
    responses(
        (status = 200, description = "Redis answers and every projection has caught up", body = super::openapi::schemas::Health),
        (status = 503, description = "`catching_up` (the tenants behind), or `store_unavailable`: Redis does not answer", content(
            (super::openapi::schemas::Health = "application/json"),
            (super::openapi::schemas::ErrorBody = "application/json"),
        ), headers(("Retry-After" = u32, description = "With `store_unavailable`"))),
    ))]
async fn readyz(State(state): State<Arc<AppState>>) -> Result<(StatusCode, Json<Value>), AppError> {
    state.store.ping().await?;
    let behind: Vec<&str> = state
        .live
        .iter()
        .filter(|(_, l)| !l.is_ready())
        .map(|(t, _)| t.as_str())
        .collect();
    if behind.is_empty() {
        Ok((StatusCode::OK, Json(json!({ "status": "ready" }))))
    } else {
        Ok((
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "catching_up", "tenants": behind })),
        ))
    }
}
