//! `GET /api/v1/{tenant}/state?at=<RFC 3339>`: the time machine's answer — the tenant's
//! whole state at a past instant (see [`crate::time_machine`]), in the shape of the socket's
//! `snapshot` (every ticket, newest first; KPIs and SLA standings counted at that instant;
//! `server_time` is the instant). Adds `rebuilt: {from_snapshot, entries, ms}`: the snapshot it
//! started from, the stream entries it applied and how long that took. An instant in the future
//! is refused (422 `at`).

use super::extract::PathTenant;
use crate::error::AppError;
use crate::realtime::view::{snapshot_msg, View};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use pantau_shared::protocol::Filters;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/api/v1/{tenant}/state", get(get_state))
}

/// Query string of `GET /state`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StateParams {
    /// The instant, RFC 3339 (`2026-12-01T08:00:00+07:00`).
    at: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/{tenant}/state", tag = "tickets",
    params(super::openapi::schemas::TenantPath, StateParams),
    responses(
        (status = 200, description = "The tenant's state at that instant, as a socket `snapshot` plus `rebuilt`"),
        (status = 422, description = "`invalid_field`: `at` missing, not RFC 3339, or in the future", body = super::openapi::schemas::ErrorBody),
        (status = 503, description = "`store_unavailable`: Redis is down", body = super::openapi::schemas::ErrorBody),
    ))]
async fn get_state(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Query(params): Query<StateParams>,
) -> Result<Json<Value>, AppError> {
    let invalid = |message: &str| AppError::InvalidField {
        field: "at".into(),
        message: message.into(),
    };
    let text = params.at.ok_or_else(|| invalid("is required (an RFC 3339 instant)"))?;
    let at = DateTime::parse_from_rfc3339(&text)
        .map_err(|_| invalid("must be an RFC 3339 instant such as 2026-12-01T08:00:00+07:00"))?
        .with_timezone(&Utc);
    if at > Utc::now() {
        return Err(invalid("lies in the future"));
    }
    let started = std::time::Instant::now();
    let (projection, rebuilt) = crate::time_machine::state_at(&state.store, &tenant, at).await?;
    let rebuild_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut everything = View::new(Filters::default());
    let msg = snapshot_msg(
        &projection,
        tenant.info(),
        &mut everything,
        at.timestamp_millis(),
        usize::MAX,
    );
    let mut body = serde_json::to_value(&msg).expect("snapshots serialise");
    body["rebuilt"] = serde_json::json!({
        "from_snapshot": rebuilt.from_snapshot.map(|c| c.to_string()),
        "entries": rebuilt.entries,
        "ms": (rebuild_ms * 10.0).round() / 10.0,
    });
    Ok(Json(body))
}
