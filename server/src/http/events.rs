//! `POST /api/v1/{tenant}/events`: validate one event (or an NDJSON batch), hand it to the
//! write path, answer 202 with where it landed. Nothing is written unless the whole event
//! (or every line of a batch) is valid.

use super::extract::{LimitedBody, PathTenant};
use crate::error::AppError;
use crate::state::AppState;
use crate::tenant::Tenant;
use crate::validate;
use crate::write::{self, new_event_id, Accepted};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/api/v1/{tenant}/events", post(ingest_event))
}

/// The body of a 202/207.
#[derive(Serialize)]
struct IngestReply {
    accepted: Vec<Accepted>,
    /// Lines of a batch the write path refused (absent for a single event).
    #[serde(skip_serializing_if = "Option::is_none")]
    rejected: Option<Vec<Rejected>>,
}

/// One refused line of a batch: its index and the same error body a single event gets.
#[derive(Serialize)]
struct Rejected {
    index: usize,
    error: serde_json::Value,
}

async fn ingest_event(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    headers: HeaderMap,
    LimitedBody(bytes): LimitedBody,
) -> Result<(StatusCode, Json<IngestReply>), AppError> {
    let ndjson = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-ndjson"));
    if ndjson {
        return ingest_batch(&state, &tenant, &bytes).await;
    }
    let command = validate::parse_event(&tenant, &bytes, chrono::Utc::now(), new_event_id)?;
    let accepted = write::submit(&state.store, state.live(&tenant), &tenant, command).await?;
    let reply = IngestReply {
        accepted: vec![accepted],
        rejected: None,
    };
    Ok((StatusCode::ACCEPTED, Json(reply)))
}

/// An NDJSON batch: every line is validated first (a bad line refuses the whole batch,
/// naming `[index].field`, and nothing is written); then all are appended, pipelined in
/// line order. Lines whose append is refused (version conflict, invalid move, no such
/// ticket) are listed under `rejected` with status 207, each with the error body a single
/// event would get; a Redis failure is a 503 and the batch should be retried — with
/// client-supplied ids, a retry is idempotent.
async fn ingest_batch(
    state: &AppState,
    tenant: &Tenant,
    bytes: &[u8],
) -> Result<(StatusCode, Json<IngestReply>), AppError> {
    let now = chrono::Utc::now();
    let mut commands = Vec::new();
    for (index, line) in bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .enumerate()
    {
        let command = validate::parse_event(tenant, line, now, new_event_id).map_err(|e| match AppError::from(e) {
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
    let results = write::submit_many(&state.store, state.live(tenant), tenant, commands).await?;
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok(a) => accepted.push(a),
            Err(e) => rejected.push(Rejected {
                index,
                error: AppError::from(e).body(),
            }),
        }
    }
    let status = if rejected.is_empty() {
        StatusCode::ACCEPTED
    } else {
        StatusCode::MULTI_STATUS
    };
    let reply = IngestReply {
        accepted,
        rejected: Some(rejected),
    };
    Ok((status, Json(reply)))
}
