//! `POST /api/v1/{tenant}/tickets/bulk/assign`: reassign a supervisor's selection at once.
//! Each ticket is judged on its own through the one write path — its own
//! `expected_version`, its own 409 — so a conflict on one never stops the others and never
//! overwrites a colleague's change. The caller is the actor of every event; a reason is
//! required (it is a reassignment).
//!
//! Body: `{"tickets":[{"ticket":"TGR-1","expected_version":3},…], "agency":"pupr",
//! "officer":"pupr-andi"?, "reason":"…"}` (1..=[`MAX_TICKETS`] tickets). Answer 200:
//! `{"results":[{"ticket","status":202,"accepted":{…}} | {"ticket","status":409,"error":{…}}]}`
//! in the order sent, each error the inner object a single command's refusal carries.

use super::extract::{Json, PathTenant};
use super::guard::Caller;
use crate::error::AppError;
use crate::state::AppState;
use crate::validate::{validate, Command};
use crate::write::{self, new_event_id, Accepted};
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;

/// Most tickets in one bulk request.
pub const MAX_TICKETS: usize = 500;

pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/api/v1/{tenant}/tickets/bulk/assign", post(bulk_assign))
}

/// One ticket of the selection and the version the supervisor saw.
#[derive(Deserialize, utoipa::ToSchema)]
struct Selected {
    ticket: String,
    #[serde(default)]
    expected_version: Option<u64>,
}

/// The request body.
#[derive(Deserialize, utoipa::ToSchema)]
struct BulkAssign {
    tickets: Vec<Selected>,
    agency: String,
    #[serde(default)]
    officer: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// The outcome for one ticket.
#[derive(Serialize)]
struct Outcome {
    ticket: String,
    /// 202, or the status a single command would have got.
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted: Option<Accepted>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Value>,
}

impl Outcome {
    fn refused(ticket: String, e: AppError) -> Outcome {
        Outcome {
            ticket,
            status: e.status().as_u16(),
            accepted: None,
            error: Some(e.body()),
        }
    }
}

/// Reassign a selection of tickets (a `reason` is required); each is judged on its own.
#[utoipa::path(post, path = "/api/v1/{tenant}/tickets/bulk/assign", tag = "tickets",
    params(super::openapi::schemas::TenantPath),
    request_body = BulkAssign,
    responses((status = 200, description = "One outcome per ticket", body = super::openapi::schemas::BulkReply)))]
async fn bulk_assign(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Caller(caller): Caller,
    Json(body): Json<BulkAssign>,
) -> Result<axum::Json<Value>, AppError> {
    if body.tickets.is_empty() || body.tickets.len() > MAX_TICKETS {
        return Err(AppError::InvalidField {
            field: "tickets".into(),
            message: format!("between 1 and {MAX_TICKETS} tickets"),
        });
    }
    if body.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(AppError::InvalidField {
            field: "reason".into(),
            message: "a reassignment needs a reason".into(),
        });
    }
    let now = chrono::Utc::now();
    let actor = caller.actor().to_string();
    // Validate every ticket's command first; the shared fields (agency, officer, reason)
    // fail for all alike, so such an error refuses the request as a whole.
    let mut commands: Vec<Command> = Vec::new();
    let mut slots: Vec<Result<usize, AppError>> = Vec::new();
    for selected in &body.tickets {
        let mut object = json!({
            "type": "ticket.assigned",
            "ticket": selected.ticket,
            "agency": body.agency,
            "officer": body.officer,
            "reason": body.reason,
            "expected_version": selected.expected_version,
        });
        if let Some(map) = object.as_object_mut() {
            map.retain(|_, v| !v.is_null());
        }
        let Value::Object(object) = object else {
            unreachable!("a JSON object literal")
        };
        match validate(&tenant, object, now, new_event_id) {
            Ok(mut command) => {
                command.event.actor = Some(actor.clone());
                slots.push(Ok(commands.len()));
                commands.push(command);
            }
            Err(e) => {
                let e = AppError::from(e);
                if e.field() != Some("ticket") {
                    return Err(e);
                }
                slots.push(Err(e));
            }
        }
    }
    let mut written = write::submit_many(&state.store, state.live(&tenant), &tenant, commands)
        .await?
        .into_iter()
        .map(Some)
        .collect::<Vec<_>>();
    let results: Vec<Outcome> = body
        .tickets
        .into_iter()
        .zip(slots)
        .map(|(selected, slot)| {
            let result = slot.and_then(|i| {
                written[i]
                    .take()
                    .expect("one result per command")
                    .map_err(AppError::from)
            });
            match result {
                Ok(accepted) => Outcome {
                    ticket: selected.ticket,
                    status: 202,
                    accepted: Some(accepted),
                    error: None,
                },
                Err(e) => Outcome::refused(selected.ticket, e),
            }
        })
        .collect();
    Ok(axum::Json(json!({ "results": results })))
}
