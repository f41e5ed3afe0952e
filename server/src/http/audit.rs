//! `GET /api/v1/{tenant}/audit?actor=&from=&to=&limit=` (admins): who did what, when — the
//! ticket events of the event log (each carries the actor the server set) and the auth trail
//! (sign-ins, refused sign-ins, users, keys, screens), merged in time order.

use super::extract::{PathTenant, Query};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Entries one request returns at most.
const MAX_LIMIT: usize = 5_000;
/// The window without `from`: the last day.
const DEFAULT_WINDOW_HOURS: i64 = 24;

pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/api/v1/{tenant}/audit", get(read_audit))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditParams {
    /// `user:ani`, `key:laksa`, `screen:…`, `system`.
    actor: Option<String>,
    /// RFC 3339.
    from: Option<String>,
    to: Option<String>,
    limit: Option<usize>,
}

/// One line of the trail.
#[derive(Serialize, utoipa::ToSchema)]
struct Line {
    at: String,
    actor: String,
    /// An event type (`ticket.assigned`) or an auth action (`signed_in`).
    action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<String>,
    detail: String,
}

fn time(field: &str, value: Option<&str>, default: DateTime<Utc>) -> Result<DateTime<Utc>, AppError> {
    match value {
        None | Some("") => Ok(default),
        Some(v) => DateTime::parse_from_rfc3339(v)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| AppError::InvalidField {
                field: field.into(),
                message: "must be an RFC 3339 time".into(),
            }),
    }
}

/// The audit trail: events and auth actions, oldest first (the last `limit`).
#[utoipa::path(get, path = "/api/v1/{tenant}/audit", tag = "admin",
    params(super::openapi::schemas::TenantPath, AuditParams),
    responses(
        (status = 200, description = "The trail", body = Vec<Line>),
        (status = 422, description = "`invalid_field`: `from` or `to` is not RFC 3339", body = super::openapi::schemas::ErrorBody),
    ))]
async fn read_audit(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Query(params): Query<AuditParams>,
) -> Result<Json<Vec<Line>>, AppError> {
    let now = Utc::now();
    let to = time("to", params.to.as_deref(), now)?;
    let from = time(
        "from",
        params.from.as_deref(),
        to - chrono::Duration::hours(DEFAULT_WINDOW_HOURS),
    )?;
    let limit = params.limit.unwrap_or(500).clamp(1, MAX_LIMIT);
    let (from_ms, to_ms) = (from.timestamp_millis(), to.timestamp_millis());
    let wanted = |actor: &str| params.actor.as_deref().is_none_or(|a| a == actor);
    let mut lines: Vec<Line> = state
        .store
        .events_between(&tenant.id, from_ms, to_ms, MAX_LIMIT)
        .await?
        .into_iter()
        .filter_map(|e| {
            let actor = e.actor.clone().unwrap_or_else(|| "-".into());
            wanted(&actor).then(|| Line {
                at: e.at.clone(),
                actor,
                action: e.body.type_name().to_owned(),
                ticket: e.ticket.clone(),
                detail: String::new(),
            })
        })
        .collect();
    for entry in state.auth.audit_range(&tenant.id, from_ms, to_ms, MAX_LIMIT).await? {
        if wanted(&entry.actor) {
            lines.push(Line {
                at: entry.at,
                actor: entry.actor,
                action: entry.action,
                ticket: None,
                detail: entry.detail,
            });
        }
    }
    lines.sort_by(|a, b| a.at.cmp(&b.at));
    let skip = lines.len().saturating_sub(limit);
    Ok(Json(lines.split_off(skip)))
}
