//! The ticket API: list and read tickets from this process's projection (history read back
//! from the stream), and the commands supervisors and agencies use — assign, status,
//! comment, priority — which all become events through [`super::ingest::submit`].

use super::ingest::{new_event_id, read_body, submit, tenant};
use crate::error::AppError;
use crate::ingest::{parse_object, validate};
use crate::projection::query::{find, TicketQuery};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use pantau_shared::event::TicketStatus;
use pantau_shared::protocol::Kpis;
use pantau_shared::sla::Target;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/{tenant}/tickets", get(list_tickets))
        .route("/api/v1/{tenant}/tickets/{ticket}", get(get_ticket))
        .route("/api/v1/{tenant}/tickets/{ticket}/{command}", post(command_ticket))
        .route("/api/v1/{tenant}/sla", get(sla_summary))
}

/// A target's standing at `now`: state, seconds left (negative when late), share used.
fn target_now(t: &Target, now: chrono::DateTime<chrono::Utc>) -> Value {
    let total = f64::from(t.minutes) * 60.0;
    let remaining = match (t.deadline, t.paused_remaining_secs) {
        (Some(d), _) => Some((d - now).num_seconds()),
        (None, left) => left,
    };
    let share_used = match (t.done_at, remaining) {
        (None, Some(r)) if t.deadline.is_some() => {
            // Business time left until the deadline over the whole target.
            Some(((total - r.max(0) as f64) / total).clamp(0.0, 10.0))
        }
        _ => None,
    };
    json!({ "state": t.state(now), "remaining_secs": remaining, "share_used": share_used })
}

/// Per tenant: tickets per SLA state of each target, now.
async fn sla_summary(
    State(state): State<Arc<AppState>>,
    Path(tenant_id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let tenant = tenant(&state, &tenant_id)?;
    let now = chrono::Utc::now();
    let live = state.live(&tenant.id).expect("live state for every tenant");
    let kpis = Kpis::of(live.projection.read().expect("projection lock").tickets(), now);
    Ok(Json(json!({
        "server_time": now.timestamp_millis(),
        "response": kpis.response_sla,
        "resolution": kpis.resolution_sla,
    })))
}

/// Query string of `GET /tickets`.
#[derive(Deserialize)]
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

async fn list_tickets(
    State(state): State<Arc<AppState>>,
    Path(tenant_id): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<Json<Value>, AppError> {
    let tenant = tenant(&state, &tenant_id)?;
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
    let live = state.live(&tenant.id).expect("live state for every tenant");
    let projection = live.projection.read().expect("projection lock");
    let (total, page) = find(&projection, &query);
    Ok(Json(json!({ "total": total, "offset": query.offset, "tickets": page })))
}

async fn get_ticket(
    State(state): State<Arc<AppState>>,
    Path((tenant_id, ticket_id)): Path<(String, String)>,
) -> Result<Json<Value>, AppError> {
    let tenant = tenant(&state, &tenant_id)?;
    let not_found = || AppError::NotFound {
        what: format!("ticket {ticket_id}"),
        field: "ticket",
    };
    let (ticket, ids) = {
        let live = state.live(&tenant.id).expect("live state for every tenant");
        let projection = live.projection.read().expect("projection lock");
        let ticket = projection.ticket(&ticket_id).cloned().ok_or_else(not_found)?;
        (ticket, projection.history(&ticket_id).unwrap_or_default().to_vec())
    };
    let history = state.store.events(&tenant.id, &ids).await?;
    let now = chrono::Utc::now();
    let sla_now = ticket
        .sla
        .as_ref()
        .map(|s| json!({ "response": target_now(&s.response, now), "resolution": target_now(&s.resolution, now) }));
    Ok(Json(
        json!({ "ticket": ticket, "sla_now": sla_now, "history": history }),
    ))
}

/// `POST /tickets/{id}/{assign|status|comment|priority}` with the event's fields as body.
async fn command_ticket(
    State(state): State<Arc<AppState>>,
    Path((tenant_id, ticket_id, command)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let tenant = tenant(&state, &tenant_id)?;
    let event_type = match command.as_str() {
        "assign" => "ticket.assigned",
        "status" => "ticket.status_changed",
        "comment" => "ticket.commented",
        "priority" => "ticket.priority_changed",
        other => {
            return Err(AppError::NotFound {
                what: format!("command {other:?}"),
                field: "command",
            })
        }
    };
    let bytes = read_body(&state, &headers, body).await?;
    let mut object = parse_object(&bytes)?;
    object.insert("type".into(), event_type.into());
    object.insert("ticket".into(), ticket_id.into());
    let command = validate(tenant, object, chrono::Utc::now(), new_event_id)?;
    let accepted = submit(&state, tenant, command).await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}
