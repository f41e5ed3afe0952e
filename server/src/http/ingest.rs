//! `POST /api/v1/{tenant}/events`: validate one event, append it, answer 202 with where it
//! landed. Nothing is written unless the whole event is valid.

use crate::error::AppError;
use crate::ingest::parse_event;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::sync::Arc;

/// A refused oversized body is still read (and discarded) up to this many times the limit,
/// so that ordinary clients, which write the whole body before reading the answer, see the
/// 413 instead of a broken pipe. Beyond that the connection is simply closed.
const DRAIN_FACTOR: usize = 16;

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

pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/api/v1/{tenant}/events", post(ingest_event))
}

async fn ingest_event(
    State(state): State<Arc<AppState>>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let tenant = state
        .tenants
        .get(&tenant_id)
        .ok_or_else(|| AppError::UnknownTenant(tenant_id.clone()))?;
    let limit = state.config.max_body_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        drain(body, limit.saturating_mul(DRAIN_FACTOR)).await;
        return Err(AppError::PayloadTooLarge { limit });
    }
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| AppError::PayloadTooLarge { limit })?;
    let event = parse_event(&tenant.id, &bytes, chrono::Utc::now(), || {
        uuid::Uuid::now_v7().to_string()
    })?;
    let appended = state.store.append(&tenant.ticket_prefix, &event).await?;
    tracing::info!(
        tenant = %tenant.id,
        event_id = %event.id,
        stream_id = %appended.stream_id,
        ticket = %appended.ticket,
        duplicate = !appended.is_new,
        "event accepted"
    );
    let accepted = json!({
        "id": event.id,
        "stream_id": appended.stream_id,
        "ticket": appended.ticket,
        "duplicate": !appended.is_new,
    });
    Ok((StatusCode::ACCEPTED, Json(json!({ "accepted": [accepted] }))))
}
