//! `POST /api/v1/{tenant}/events`: validate one event, append it, answer 202 with where it
//! landed. Nothing is written unless the whole event is valid. [`submit`] is the one path
//! every write takes (the ticket endpoints and Open311 build their event and call it).

use crate::error::AppError;
use crate::ingest::{self, Command};
use crate::state::AppState;
use crate::tenant::Tenant;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use futures_util::StreamExt;
use pantau_shared::event::EventBody;
use serde_json::{json, Value};
use std::sync::Arc;

/// A refused oversized body is still read (and discarded) up to this many times the limit,
/// so that ordinary clients, which write the whole body before reading the answer, see the
/// 413 instead of a broken pipe. Beyond that the connection is simply closed.
const DRAIN_FACTOR: usize = 16;

pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/api/v1/{tenant}/events", post(ingest_event))
}

/// The tenant named in a URL.
pub fn tenant<'a>(state: &'a AppState, id: &str) -> Result<&'a Tenant, AppError> {
    state
        .tenants
        .get(id)
        .ok_or_else(|| AppError::UnknownTenant(id.to_owned()))
}

/// The request body, refusing more than the configured limit with 413.
pub async fn read_body(state: &AppState, headers: &HeaderMap, body: Body) -> Result<Bytes, AppError> {
    let limit = state.config.max_body_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        drain(body, limit.saturating_mul(DRAIN_FACTOR)).await;
        return Err(AppError::PayloadTooLarge { limit });
    }
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| AppError::PayloadTooLarge { limit })
}

/// Read and discard up to `cap` bytes of `body`.
async fn drain(body: Body, cap: usize) {
    let mut stream = body.into_data_stream();
    let mut seen = 0usize;
    while let Some(Ok(chunk)) = stream.next().await {
        seen += chunk.len();
        if seen > cap {
            break;
        }
    }
}

/// Append a validated command after the checks that need the projection (a status change
/// must be allowed from the ticket's current status). The stream stays the judge of
/// versions: the append script refuses a stale `expected_version` atomically.
pub async fn submit(state: &AppState, tenant: &Tenant, command: Command) -> Result<Value, AppError> {
    let event = &command.event;
    if let (EventBody::StatusChanged(change), Some(id)) = (&event.body, &event.ticket) {
        let live = state.live(&tenant.id).expect("live state for every tenant");
        let current = live
            .projection
            .read()
            .expect("projection lock")
            .ticket(id)
            .map(|t| t.status);
        if let Some(current) = current {
            if !current.can_move_to(change.status) {
                return Err(AppError::Conflict {
                    code: "invalid_transition",
                    message: format!(
                        "ticket {id} cannot move from {} to {}",
                        current.as_str(),
                        change.status.as_str()
                    ),
                    field: "status",
                    current_version: None,
                });
            }
        }
    }
    let appended = state
        .store
        .append(&tenant.ticket_prefix, event, command.expected_version)
        .await?;
    tracing::info!(
        tenant = %tenant.id,
        event_id = %event.id,
        event_type = event.body.type_name(),
        stream_id = %appended.stream_id,
        ticket = appended.ticket.as_deref().unwrap_or("-"),
        duplicate = !appended.is_new,
        "event accepted"
    );
    Ok(json!({
        "id": event.id,
        "stream_id": appended.stream_id,
        "ticket": appended.ticket,
        "version": appended.version,
        "duplicate": !appended.is_new,
    }))
}

async fn ingest_event(
    State(state): State<Arc<AppState>>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let tenant = tenant(&state, &tenant_id)?;
    let bytes = read_body(&state, &headers, body).await?;
    let command = ingest::parse_event(tenant, &bytes, chrono::Utc::now(), new_event_id)?;
    let accepted = submit(&state, tenant, command).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "accepted": [accepted] }))))
}

/// A fresh event id (UUIDv7: time-ordered).
pub fn new_event_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
