//! Duplicate reports over HTTP (issue 18), thin: the candidates of a ticket, merging a
//! duplicate into a primary ticket and undoing it. The judgement is [`crate::duplicates`]
//! (pure, over this process's projection); the events are built and written exactly as the
//! ticket commands are ([`super::tickets`]): the body's fields, the ticket from the path,
//! the actor from the caller, the version check by the append script (409).
//!
//! - `GET  /api/v1/{tenant}/tickets/{ticket}/duplicates` → candidates with distances;
//! - `POST /api/v1/{tenant}/tickets/{ticket}/merge` `{"into", "expected_version"}` →
//!   `ticket.merged` on `{ticket}` carrying the reporters it brings;
//! - `POST /api/v1/{tenant}/tickets/{ticket}/unmerge` `{"expected_version"}` →
//!   `ticket.unmerged` restoring the status it had.

use super::extract::{LimitedBody, Path, PathTenant};
use super::guard::Caller;
use crate::duplicates::{candidates, check_merge, check_unmerge, Candidate, Refusal};
use crate::error::AppError;
use crate::state::AppState;
use crate::validate::{parse_object, validate};
use crate::write::{self, new_event_id, Accepted};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/{tenant}/tickets/{ticket}/duplicates", get(list_duplicates))
        .route("/api/v1/{tenant}/tickets/{ticket}/merge", post(merge_ticket))
        .route("/api/v1/{tenant}/tickets/{ticket}/unmerge", post(unmerge_ticket))
}

/// The body of `GET …/duplicates`.
#[derive(Serialize, utoipa::ToSchema)]
struct DuplicatesReply {
    ticket: String,
    /// The tenant's rule the candidates were found with.
    max_distance_m: f64,
    window_hours: u32,
    candidates: Vec<Candidate>,
}

fn not_found(ticket: &str) -> AppError {
    AppError::NotFound {
        what: format!("ticket {ticket}"),
        field: "ticket",
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Invalid { field, message } => AppError::InvalidField {
                field: field.into(),
                message,
            },
            Refusal::Conflict { code, field, message } => AppError::Conflict {
                code,
                message,
                field,
                current_version: None,
            },
        }
    }
}

#[utoipa::path(get, path = "/api/v1/{tenant}/tickets/{ticket}/duplicates", tag = "tickets",
    params(super::openapi::schemas::TicketPath),
    responses(
        (status = 200, description = "Candidate duplicates near in place and time", body = DuplicatesReply),
        (status = 404, description = "No such ticket", body = super::openapi::schemas::ErrorBody),
    ))]
async fn list_duplicates(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Path((_, ticket_id)): Path<(String, String)>,
) -> Result<Json<DuplicatesReply>, AppError> {
    let projection = state.live(&tenant).read();
    let of = projection.ticket(&ticket_id).ok_or_else(|| not_found(&ticket_id))?;
    let rule = &tenant.duplicates;
    Ok(Json(DuplicatesReply {
        ticket: ticket_id.clone(),
        max_distance_m: rule.max_distance_m,
        window_hours: rule.window_hours,
        candidates: candidates(of, projection.tickets(), rule),
    }))
}

/// Merge `{ticket}` into the body's `into`: `ticket.merged` with the reporters `{ticket}`
/// stands for now.
#[utoipa::path(post, path = "/api/v1/{tenant}/tickets/{ticket}/merge", tag = "tickets",
    params(super::openapi::schemas::TicketPath),
    request_body = super::openapi::schemas::MergeBody,
    responses(
        (status = 202, description = "Merged: where `ticket.merged` landed", body = Accepted),
        (status = 404, description = "No such ticket", body = super::openapi::schemas::ErrorBody),
        (status = 409, description = "`version_conflict`, or a merge not allowed (closed, already merged, into itself)", body = super::openapi::schemas::ErrorBody),
    ))]
async fn merge_ticket(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Caller(caller): Caller,
    Path((_, ticket_id)): Path<(String, String)>,
    LimitedBody(bytes): LimitedBody,
) -> Result<(StatusCode, Json<Accepted>), AppError> {
    let mut object = parse_object(&bytes)?;
    let into = match object.remove("into") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => {
            return Err(AppError::InvalidField {
                field: "into".into(),
                message: "is required: the ticket number to merge into".into(),
            })
        }
    };
    let reporters = {
        let projection = state.live(&tenant).read();
        let duplicate = projection.ticket(&ticket_id).ok_or_else(|| not_found(&ticket_id))?;
        check_merge(duplicate, &into, projection.ticket(&into))?;
        duplicate.reporters()
    };
    object.insert("primary".into(), into.into());
    object.insert("reporters".into(), reporters.into());
    submit(&state, &tenant, &caller, "ticket.merged", ticket_id, object).await
}

/// Undo the merge of `{ticket}`: `ticket.unmerged` back to the status it had.
#[utoipa::path(post, path = "/api/v1/{tenant}/tickets/{ticket}/unmerge", tag = "tickets",
    params(super::openapi::schemas::TicketPath),
    request_body = super::openapi::schemas::CommandMeta,
    responses(
        (status = 202, description = "Unmerged: where `ticket.unmerged` landed", body = Accepted),
        (status = 404, description = "No such ticket", body = super::openapi::schemas::ErrorBody),
        (status = 409, description = "`version_conflict`, or the ticket is not merged", body = super::openapi::schemas::ErrorBody),
    ))]
async fn unmerge_ticket(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Caller(caller): Caller,
    Path((_, ticket_id)): Path<(String, String)>,
    LimitedBody(bytes): LimitedBody,
) -> Result<(StatusCode, Json<Accepted>), AppError> {
    let mut object = parse_object(&bytes)?;
    let (primary, restore) = {
        let projection = state.live(&tenant).read();
        let duplicate = projection.ticket(&ticket_id).ok_or_else(|| not_found(&ticket_id))?;
        let primary = duplicate.merged_into.as_deref().and_then(|p| projection.ticket(p));
        check_unmerge(duplicate, primary)?
    };
    object.insert("primary".into(), primary.into());
    object.insert("restore".into(), restore.as_str().into());
    submit(&state, &tenant, &caller, "ticket.unmerged", ticket_id, object).await
}

/// Validate and write `object` as an event of `event_type` on `ticket_id`, stamped with the
/// caller (never the body) — the path every ticket command takes.
async fn submit(
    state: &AppState,
    tenant: &Arc<crate::tenant::Tenant>,
    caller: &crate::auth::Principal,
    event_type: &str,
    ticket_id: String,
    mut object: Map<String, Value>,
) -> Result<(StatusCode, Json<Accepted>), AppError> {
    object.insert("type".into(), event_type.into());
    object.insert("ticket".into(), ticket_id.into());
    let mut command = validate(tenant, object, chrono::Utc::now(), new_event_id)?;
    command.event.actor = Some(caller.actor().to_string());
    let accepted = write::submit(&state.store, state.live(tenant), tenant, command).await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}
