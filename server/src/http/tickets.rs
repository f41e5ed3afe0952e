//! The ticket API: list and read tickets from this process's projection (history read back
//! from the stream), and the commands supervisors and agencies use — assign, status,
//! comment, priority, and the workflow's verify (triage) and validate (follow-up) — which
//! all become events through [`crate::write`].

use super::extract::{LimitedBody, Path, PathTenant, Query};
use super::guard::Caller;
use crate::error::AppError;
use crate::live::LiveTenant;
use crate::projection::query::{find, TicketQuery};
use crate::sla::standing::{standing, Standing};
use crate::state::AppState;
use crate::validate::{parse_object, validate, Command};
use crate::write::{self, new_event_id, Accepted};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use pantau_shared::event::{Event, EventBody, TicketStatus};
use pantau_shared::protocol::Kpis;
use pantau_shared::ticket::Ticket;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/{tenant}/tickets", get(list_tickets))
        .route("/api/v1/{tenant}/tickets/{ticket}", get(get_ticket))
        .route("/api/v1/{tenant}/tickets/{ticket}/assign", command("ticket.assigned"))
        .route(
            "/api/v1/{tenant}/tickets/{ticket}/status",
            command("ticket.status_changed"),
        )
        .route("/api/v1/{tenant}/tickets/{ticket}/comment", command("ticket.commented"))
        .route(
            "/api/v1/{tenant}/tickets/{ticket}/priority",
            command("ticket.priority_changed"),
        )
        .route("/api/v1/{tenant}/tickets/{ticket}/verify", command("ticket.verified"))
        .route(
            "/api/v1/{tenant}/tickets/{ticket}/validate",
            command("ticket.validated"),
        )
        .route("/api/v1/{tenant}/sla", get(sla_summary))
}

/// `POST /tickets/{id}/<command>` making events of `event_type` (one route per command, so
/// the authorisation table can name each).
fn command(event_type: &'static str) -> axum::routing::MethodRouter<Arc<AppState>> {
    post(move |state, tenant, caller, path, body| command_ticket(event_type, state, tenant, caller, path, body))
}

/// Per tenant: tickets per SLA state of each target, now.
#[utoipa::path(get, path = "/api/v1/{tenant}/sla", tag = "tickets",
    params(super::openapi::schemas::TenantPath),
    responses((status = 200, description = "Tickets per SLA state", body = super::openapi::schemas::SlaSummary)))]
async fn sla_summary(State(state): State<Arc<AppState>>, PathTenant(tenant): PathTenant) -> Json<Value> {
    let now = chrono::Utc::now();
    let kpis = Kpis::of(state.live(&tenant).read().tickets(), now);
    Json(json!({
        "server_time": now.timestamp_millis(),
        "response": kpis.response_sla,
        "resolution": kpis.resolution_sla,
    }))
}

/// Query string of `GET /tickets`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Comma-separated statuses.
    status: Option<String>,
    agency: Option<String>,
    category: Option<String>,
    kecamatan: Option<String>,
    /// Free text.
    q: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// Tickets matching the filters, one page.
#[utoipa::path(get, path = "/api/v1/{tenant}/tickets", tag = "tickets",
    params(super::openapi::schemas::TenantPath, ListParams),
    responses(
        (status = 200, description = "One page", body = super::openapi::schemas::TicketPage),
        (status = 422, description = "`invalid_field`: an unknown status", body = super::openapi::schemas::ErrorBody),
    ))]
async fn list_tickets(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Query(params): Query<ListParams>,
) -> Result<Json<Value>, AppError> {
    let statuses = match params.status.as_deref() {
        None | Some("") => vec![],
        Some(list) => list
            .split(',')
            .map(|s| {
                TicketStatus::parse(s.trim()).ok_or_else(|| AppError::InvalidField {
                    field: "status".into(),
                    message: format!("unknown status {s:?}"),
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let query = TicketQuery {
        statuses,
        agency: params.agency,
        category: params.category,
        kecamatan: params.kecamatan,
        text: params.q,
        offset: params.offset.unwrap_or(0),
        limit: params.limit.unwrap_or(0),
        ..Default::default()
    };
    let projection = state.live(&tenant).read();
    let (total, page) = find(&projection, &query);
    Ok(Json(json!({ "total": total, "offset": query.offset, "tickets": page })))
}

/// Both targets' standing now.
#[derive(Serialize, utoipa::ToSchema)]
struct SlaNow {
    response: Standing,
    resolution: Standing,
}

/// The body of `GET /tickets/{id}`.
#[derive(Serialize, utoipa::ToSchema)]
struct TicketReply {
    ticket: Ticket,
    sla_now: Option<SlaNow>,
    history: Vec<Event>,
    /// Citizens this job stands for: itself and its merged duplicates (`ticket.duplicates`).
    reporters: u32,
}

/// A ticket, its SLA standing now and its history.
#[utoipa::path(get, path = "/api/v1/{tenant}/tickets/{ticket}", tag = "tickets",
    params(super::openapi::schemas::TicketPath),
    responses(
        (status = 200, description = "The ticket", body = TicketReply),
        (status = 404, description = "No such ticket", body = super::openapi::schemas::ErrorBody),
    ))]
async fn get_ticket(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Path((_, ticket_id)): Path<(String, String)>,
) -> Result<Json<TicketReply>, AppError> {
    let not_found = || AppError::NotFound {
        what: format!("ticket {ticket_id}"),
        field: "ticket",
    };
    let (ticket, ids) = {
        let projection = state.live(&tenant).read();
        let ticket = projection.ticket(&ticket_id).cloned().ok_or_else(not_found)?;
        (ticket, projection.history(&ticket_id).unwrap_or_default().to_vec())
    };
    let history = state.store.events(&tenant.id, &ids).await?;
    let now = chrono::Utc::now();
    let sla_now = ticket.sla.as_ref().map(|s| SlaNow {
        response: standing(&s.response, now),
        resolution: standing(&s.resolution, now),
    });
    Ok(Json(TicketReply {
        reporters: ticket.reporters(),
        ticket,
        sla_now,
        history,
    }))
}

/// A ticket command: the body's fields, the ticket from the path, the actor from the
/// caller (never from the body), through the write path.
async fn command_ticket(
    event_type: &str,
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Caller(caller): Caller,
    Path((_, ticket_id)): Path<(String, String)>,
    LimitedBody(bytes): LimitedBody,
) -> Result<(StatusCode, Json<Accepted>), AppError> {
    let mut object = parse_object(&bytes)?;
    object.insert("type".into(), event_type.into());
    object.insert("ticket".into(), ticket_id.into());
    let mut command = validate(&tenant, object, chrono::Utc::now(), new_event_id)?;
    command.event.actor = Some(caller.actor().to_string());
    require_reason(state.live(&tenant), &command)?;
    super::media::require_after_photo(state.live(&tenant), &tenant, &command)?;
    let accepted = write::submit(&state.store, state.live(&tenant), &tenant, command).await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}

/// A reassignment needs a reason (422 naming `reason`): an assignment of a ticket that was
/// assigned before, as this process's projection knows it. A first assignment needs none.
fn require_reason(live: &LiveTenant, command: &Command) -> Result<(), AppError> {
    let EventBody::TicketAssigned(assignment) = &command.event.body else {
        return Ok(());
    };
    let assigned_before = command
        .event
        .ticket
        .as_deref()
        .and_then(|id| live.read().ticket(id).map(|t| t.first_assigned_at.is_some()))
        .unwrap_or(false);
    if assigned_before && assignment.reason.is_none() {
        return Err(AppError::InvalidField {
            field: "reason".into(),
            message: "a reassignment needs a reason".into(),
        });
    }
    Ok(())
}
