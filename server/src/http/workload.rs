//! `GET /api/v1/{tenant}/workload`: open, in progress, warning, breached, oldest open and
//! resolved today per agency and per officer, now, most overloaded first — counted by
//! [`pantau_shared::workload`], the same function the console recounts with.
//!
//! Answer: `{"server_time": <Unix ms>, "rows": [Load, …]}`.

use super::extract::PathTenant;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use pantau_shared::workload::workload;
use serde_json::{json, Value};
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/api/v1/{tenant}/workload", get(get_workload))
}

#[utoipa::path(get, path = "/api/v1/{tenant}/workload", tag = "reports",
    params(super::openapi::schemas::TenantPath),
    responses((status = 200, description = "Open, warning, breached, resolved today per agency and officer", body = super::openapi::schemas::Workload)))]
async fn get_workload(State(state): State<Arc<AppState>>, PathTenant(tenant): PathTenant) -> Json<Value> {
    let now_ms = chrono::Utc::now().timestamp_millis();
    let rows = workload(state.live(&tenant).read().tickets(), now_ms, tenant.utc_offset_minutes);
    Json(json!({ "server_time": now_ms, "rows": rows }))
}
