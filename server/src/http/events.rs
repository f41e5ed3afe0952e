//! `POST /api/v1/{tenant}/events`: validate one event (or an NDJSON batch), hand it to the
//! write path, answer 202 with where it landed. Nothing is written unless the whole event
//! (or every line of a batch) is valid.

use super::extract::{LimitedBody, PathTenant};
use super::guard::Caller;
use crate::auth::Principal;
use crate::error::AppError;
use crate::state::AppState;
use crate::tenant::Tenant;
use crate::validate;
use crate::validate::Command;
use crate::write::{self, new_event_id, Accepted};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use pantau_shared::event::EventBody;
use serde::Serialize;
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/api/v1/{tenant}/events", post(ingest_event))
}

/// The body of a 202/207.
#[derive(Serialize, utoipa::ToSchema)]
struct IngestReply {
    accepted: Vec<Accepted>,
    /// Lines of a batch the write path refused (absent for a single event).
    #[serde(skip_serializing_if = "Option::is_none")]
    rejected: Option<Vec<Rejected>>,
}

/// One refused line of a batch: its index and the same error body a single event gets.
#[derive(Serialize, utoipa::ToSchema)]
struct Rejected {
    index: usize,
    error: serde_json::Value,
}

/// One event (JSON), or a batch (NDJSON, one event a line: every line is validated before
/// anything is written).
#[utoipa::path(post, path = "/api/v1/{tenant}/events", tag = "ingest",
    params(super::openapi::schemas::TenantPath),
    request_body(description = "An event; or `application/x-ndjson`, one event a line", content(
        (pantau_shared::event::Event = "application/json"),
        (pantau_shared::event::Event = "application/x-ndjson"),
    )),
    responses(
        (status = 202, description = "Appended (a retry with the same id: `duplicate`)", body = IngestReply),
        (status = 207, description = "A batch whose appends were partly refused: `rejected[]` names each line", body = IngestReply),
        (status = 400, description = "`malformed_json` (a batch: the line)", body = super::openapi::schemas::ErrorBody),
        (status = 403, description = "`category`: the key may not report in it; `workflow`: keys may not verify, validate or merge", body = super::openapi::schemas::ErrorBody),
        (status = 404, description = "No such ticket", body = super::openapi::schemas::ErrorBody),
        (status = 409, description = "`version_conflict` or `invalid_transition`", body = super::openapi::schemas::ErrorBody),
        (status = 429, description = "`rate_limited`: the key's bucket is empty", body = super::openapi::schemas::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds"))),
    ))]
async fn ingest_event(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Caller(caller): Caller,
    headers: HeaderMap,
    LimitedBody(bytes): LimitedBody,
) -> Result<(StatusCode, Json<IngestReply>), AppError> {
    let ndjson = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-ndjson"));
    if ndjson {
        return ingest_batch(&state, &tenant, &caller, &bytes).await;
    }
    let mut command = validate::parse_event(&tenant, &bytes, chrono::Utc::now(), new_event_id)?;
    stamp(&caller, &mut command, None)?;
    super::media::require_after_photo(state.live(&tenant), &tenant, &command)?;
    charge(&state, &tenant, &caller, 1)?;
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
    caller: &Principal,
    bytes: &[u8],
) -> Result<(StatusCode, Json<IngestReply>), AppError> {
    let now = chrono::Utc::now();
    let mut commands = Vec::new();
    for (index, line) in bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .enumerate()
    {
        let mut command =
            validate::parse_event(tenant, line, now, new_event_id).map_err(|e| match AppError::from(e) {
                AppError::InvalidField { field, message } => AppError::InvalidField {
                    field: format!("[{index}].{field}"),
                    message,
                },
                AppError::MalformedJson(m) => AppError::MalformedJson(format!("line {}: {m}", index + 1)),
                other => other,
            })?;
        stamp(caller, &mut command, Some(index))?;
        super::media::require_after_photo(state.live(tenant), tenant, &command).map_err(|e| match e {
            AppError::InvalidField { field, message } => AppError::InvalidField {
                field: format!("[{index}].{field}"),
                message,
            },
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
    charge(state, tenant, caller, commands.len())?;
    let results = write::submit_many(&state.store, state.live(tenant), tenant, commands).await?;
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok(a) => accepted.push(a),
            Err(e) => {
                let error = AppError::from(e);
                crate::metrics::event_refused(error.code());
                rejected.push(Rejected {
                    index,
                    error: error.body(),
                })
            }
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

/// The event's actor is the caller, whatever the body said; a key narrowed to categories
/// may only report in them (403 `category`, naming the batch line if there is one); a key
/// may not verify, validate or merge (403 `workflow`): those are a person's decisions.
fn stamp(caller: &Principal, command: &mut Command, line: Option<usize>) -> Result<(), AppError> {
    let judgement = matches!(
        command.event.body,
        EventBody::Verified(_) | EventBody::Validated(_) | EventBody::Merged(_) | EventBody::Unmerged(_)
    );
    if judgement && matches!(caller, Principal::Key { .. }) {
        // An agency system must not validate its own follow-up: these are a person's calls.
        let at = line.map(|i| format!("line {i}: ")).unwrap_or_default();
        return Err(AppError::Forbidden {
            code: "workflow",
            message: format!(
                "{at}verification, validation and merges are made by a signed-in person (the ticket routes)"
            ),
        });
    }
    if let EventBody::ReportReceived(report) = &command.event.body {
        if !caller.covers(&report.category) {
            let at = line.map(|i| format!("line {i}: ")).unwrap_or_default();
            return Err(AppError::Forbidden {
                code: "category",
                message: format!("{at}this key may not report in category {:?}", report.category),
            });
        }
    }
    command.event.actor = Some(caller.actor().to_string());
    Ok(())
}

/// A key pays for its events from its bucket (429 + Retry-After when it cannot); people are
/// not limited here.
fn charge(state: &AppState, tenant: &Tenant, caller: &Principal, events: usize) -> Result<(), AppError> {
    let Principal::Key { name, .. } = caller else {
        return Ok(());
    };
    state
        .key_limits
        .charge(&format!("{}/{name}", tenant.id), events)
        .map_err(|retry_after_secs| AppError::TooManyRequests {
            code: "rate_limited",
            retry_after_secs,
        })
}
