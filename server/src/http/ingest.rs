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

/// Append a validated command after the checks that need the projection (see
/// [`submit_all`]).
pub async fn submit(state: &AppState, tenant: &Tenant, command: Command) -> Result<Value, AppError> {
    submit_all(state, tenant, vec![command])
        .await?
        .pop()
        .expect("one result per command")
}

/// Append commands in one pipeline, in order, after the checks that need the projection (a
/// status change must be allowed from the ticket's current status). The stream stays the
/// judge of versions: the append script refuses a stale `expected_version` atomically. The
/// outer error is Redis being unavailable; inner ones are per command.
pub async fn submit_all(
    state: &AppState,
    tenant: &Tenant,
    commands: Vec<Command>,
) -> Result<Vec<Result<Value, AppError>>, AppError> {
    let mut results: Vec<Result<Value, AppError>> = Vec::with_capacity(commands.len());
    let mut to_append = Vec::with_capacity(commands.len());
    for command in &commands {
        match check_transition(state, tenant, command) {
            Ok(()) => {
                to_append.push((&command.event, command.expected_version));
                results.push(Ok(Value::Null));
            }
            Err(e) => results.push(Err(e)),
        }
    }
    let appended = state.store.append_many(&tenant.ticket_prefix, &to_append).await?;
    let mut appended = appended.into_iter().zip(to_append.iter().map(|(e, _)| *e));
    for slot in results.iter_mut().filter(|r| r.is_ok()) {
        let (result, event) = appended.next().expect("one result per appended command");
        *slot = result.map_err(AppError::from).map(|a| {
            tracing::info!(
                tenant = %tenant.id,
                event_id = %event.id,
                event_type = event.body.type_name(),
                stream_id = %a.stream_id,
                ticket = a.ticket.as_deref().unwrap_or("-"),
                duplicate = !a.is_new,
                "event accepted"
            );
            json!({
                "id": event.id,
                "stream_id": a.stream_id,
                "ticket": a.ticket,
                "version": a.version,
                "duplicate": !a.is_new,
            })
        });
    }
    Ok(results)
}

/// A status change must be allowed from the ticket's current status (in this process's
/// projection; tickets it does not know yet are left to the append script).
fn check_transition(state: &AppState, tenant: &Tenant, command: &Command) -> Result<(), AppError> {
    let event = &command.event;
    let (EventBody::StatusChanged(change), Some(id)) = (&event.body, &event.ticket) else {
        return Ok(());
    };
    let live = state.live(&tenant.id).expect("live state for every tenant");
    let current = live
        .projection
        .read()
        .expect("projection lock")
        .ticket(id)
        .map(|t| t.status);
    match current {
        Some(current) if !current.can_move_to(change.status) => Err(AppError::Conflict {
            code: "invalid_transition",
            message: format!(
                "ticket {id} cannot move from {} to {}",
                current.as_str(),
                change.status.as_str()
            ),
            field: "status",
            current_version: None,
        }),
        _ => Ok(()),
    }
}

async fn ingest_event(
    State(state): State<Arc<AppState>>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let tenant = tenant(&state, &tenant_id)?;
    let bytes = read_body(&state, &headers, body).await?;
    let ndjson = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-ndjson"));
    if ndjson {
        return ingest_batch(&state, tenant, &bytes).await;
    }
    let command = ingest::parse_event(tenant, &bytes, chrono::Utc::now(), new_event_id)?;
    let accepted = submit(&state, tenant, command).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "accepted": [accepted] }))))
}

/// An NDJSON batch: every line is validated first (a bad line refuses the whole batch,
/// naming `[index].field`, and nothing is written); then all are appended, pipelined on the
/// shared connection in line order. Lines whose append is refused (version conflict, no
/// such ticket) are listed under `rejected` with status 207; a Redis failure is a 503 and
/// the batch should be retried — with client-supplied ids, a retry is idempotent.
async fn ingest_batch(state: &AppState, tenant: &Tenant, bytes: &[u8]) -> Result<(StatusCode, Json<Value>), AppError> {
    let now = chrono::Utc::now();
    let mut commands = Vec::new();
    for (index, line) in bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .enumerate()
    {
        let command = ingest::parse_event(tenant, line, now, new_event_id).map_err(|e| match AppError::from(e) {
            AppError::InvalidField { field, message } => AppError::InvalidField {
                field: format!("[{index}].{field}"),
                message,
            },
            AppError::MalformedJson(m) => AppError::MalformedJson(format!("line {}: {m}", index + 1)),
            other => other,
        })?;
        commands.push(command);
    }
    if commands.is_empty() {
        return Err(AppError::InvalidField {
            field: "$".into(),
            message: "the batch holds no events".into(),
        });
    }
    let results = submit_all(state, tenant, commands).await?;
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok(a) => accepted.push(a),
            Err(e) => rejected.push(json!({ "index": index, "error": { "code": e.status().as_u16(), "message": e.to_string(), "field": e.field() } })),
        }
    }
    let status = if rejected.is_empty() {
        StatusCode::ACCEPTED
    } else {
        StatusCode::MULTI_STATUS
    };
    Ok((status, Json(json!({ "accepted": accepted, "rejected": rejected }))))
}

/// A fresh event id (UUIDv7: time-ordered).
pub fn new_event_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
