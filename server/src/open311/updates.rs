//! Open311 `servicerequestupdates`, the GeoReport v2 extension as FixMyStreet speaks it, so
//! an agency's own system can pull what happened to the tenant's tickets and push its
//! progress back with its API key. Pure (no I/O); the HTTP side is `http::open311::updates`.
//!
//! - **GET**: a ticket event after the report becomes one update ([`update`]): assignment and
//!   verification (`open`, `external_status_code` `assigned`), status changes (the Pantau
//!   status as `external_status_code`), validation, merges, comments and stored photos.
//!   `update_id` is the event's id, so a client can tell its own updates (the id a POST
//!   answered) from everyone else's. Reports, priority changes, SLA marks and alerts are not
//!   updates. Officers' names, reporters and actors are never in an update.
//! - **POST** ([`update_request`]): FixMyStreet's form fields onto a `ticket.status_changed`
//!   (when the status changes) or a `ticket.commented`, with an id derived from the caller's
//!   `update_id` ([`event_id`]) so a retried POST is written once. An agency may move a
//!   ticket to `in_progress`, `pending_citizen` or `resolved` only: closing is the
//!   validator's decision, rejecting is triage's. `first_name`, `last_name`, `email` and
//!   the like are accepted and dropped.

use super::{local_time, ParamError};
use crate::tenant::Tenant;
use chrono::DateTime;
use pantau_shared::event::{Event, EventBody, MediaStage, TicketStatus};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Most updates one `GET servicerequestupdates` answers (oldest first: a client that gets
/// this many asks again from the last `updated_datetime`).
pub const MAX_UPDATES: usize = 1000;
/// Longest `update_id` a caller may send.
pub const MAX_UPDATE_ID_CHARS: usize = 100;
/// Longest `media_url` a caller may send.
pub const MAX_MEDIA_URL_CHARS: usize = 500;

/// Namespace of the event ids derived from callers' `update_id`s.
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x7061_6e74_6175_2d6f_3331_312d_7570_6474);

/// The statuses an agency may set through Open311 (`external_status_code` or `status`).
pub const AGENCY_STATUSES: [TicketStatus; 3] = [
    TicketStatus::InProgress,
    TicketStatus::PendingCitizen,
    TicketStatus::Resolved,
];

/// One `servicerequestupdates` entry.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RequestUpdate {
    pub update_id: String,
    pub service_request_id: String,
    /// `open` or `closed` (GeoReport v2's two states).
    pub status: &'static str,
    /// In the tenant's zone (`2026-12-01T10:00:00+07:00`).
    pub updated_datetime: String,
    pub description: String,
    pub media_url: Option<String>,
    /// The Pantau status the update moved the ticket to (`assigned`, `in_progress`, …).
    pub external_status_code: Option<String>,
}

/// The answer to a POST: the Pantau event id standing for the caller's update.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UpdateCreated {
    pub update_id: String,
}

/// Open311's two states of a Pantau status.
fn open_or_closed(status: TicketStatus) -> &'static str {
    if status.is_open() {
        "open"
    } else {
        "closed"
    }
}

fn agency_name(tenant: &Tenant, code: &str) -> String {
    tenant
        .agency(code)
        .map(|a| a.name_id.clone())
        .unwrap_or_else(|| code.to_owned())
}

/// `event` as an update, or `None` if it is not one. `current` is the ticket's status now
/// (for comments and photos, which do not change it); `base_url` makes stored photos'
/// paths absolute.
pub fn update(tenant: &Tenant, event: &Event, current: TicketStatus, base_url: &str) -> Option<RequestUpdate> {
    let ticket = event.ticket.clone()?;
    let with_reason = |text: String, reason: &Option<String>| match reason {
        Some(r) => format!("{text}: {r}"),
        None => text,
    };
    let (status, description, external, media_url) = match &event.body {
        EventBody::TicketAssigned(a) => (
            TicketStatus::Assigned,
            with_reason(
                format!("Didisposisikan ke {}", agency_name(tenant, &a.agency)),
                &a.reason,
            ),
            Some("assigned".to_owned()),
            None,
        ),
        EventBody::Verified(v) => (
            TicketStatus::Assigned,
            with_reason(
                format!("Diverifikasi, didisposisikan ke {}", agency_name(tenant, &v.agency)),
                &v.note,
            ),
            Some("assigned".to_owned()),
            None,
        ),
        EventBody::StatusChanged(s) => (
            s.status,
            s.note.clone().unwrap_or_default(),
            Some(s.status.as_str().to_owned()),
            None,
        ),
        EventBody::Validated(v) if v.accepted => (
            TicketStatus::Closed,
            "Tindak lanjut diterima".to_owned(),
            Some("closed".to_owned()),
            None,
        ),
        EventBody::Validated(v) => (
            TicketStatus::InProgress,
            with_reason("Tindak lanjut ditolak".to_owned(), &v.reason),
            Some("in_progress".to_owned()),
            None,
        ),
        EventBody::Merged(m) => (
            TicketStatus::Merged,
            format!("Digabung ke {}", m.primary),
            Some("merged".to_owned()),
            None,
        ),
        EventBody::Unmerged(u) => (
            u.restore,
            format!("Dipisahkan dari {}", u.primary),
            Some(u.restore.as_str().to_owned()),
            None,
        ),
        EventBody::Commented(c) => (current, c.text.clone(), None, None),
        EventBody::MediaAdded(m) => {
            let stage = match m.stage {
                MediaStage::Report => "Foto laporan",
                MediaStage::Progress => "Foto pengerjaan",
                MediaStage::After => "Foto sesudah",
            };
            let url = if m.url.starts_with('/') {
                format!("{base_url}{}", m.url)
            } else {
                m.url.clone()
            };
            (current, stage.to_owned(), None, Some(url))
        }
        _ => return None,
    };
    Some(RequestUpdate {
        update_id: event.id.clone(),
        service_request_id: ticket,
        status: open_or_closed(status),
        updated_datetime: local_time(tenant, &event.at),
        description,
        media_url,
        external_status_code: external,
    })
}

/// The event id standing for `update_id` sent by key `key` of `tenant`: the same on every
/// retry and in every process, different for another key's `update_id`.
pub fn event_id(tenant: &str, key: &str, update_id: &str) -> String {
    let name = format!("{tenant}/open311-update/{key}/{update_id}");
    uuid::Uuid::new_v5(&NAMESPACE, name.as_bytes()).to_string()
}

fn param_error(field: &'static str, message: impl Into<String>) -> ParamError {
    ParamError {
        field,
        message: message.into(),
    }
}

/// The status a POST asks for: `external_status_code` (a Pantau status) wins; else
/// `status` in FixMyStreet's words or Pantau's. `None`: the ticket stays where it is.
pub fn requested_status(params: &HashMap<String, String>) -> Result<Option<TicketStatus>, ParamError> {
    let get = |k: &str| params.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let agency_status = |s: &str| TicketStatus::parse(s).filter(|s| AGENCY_STATUSES.contains(s));
    if let Some(code) = get("external_status_code") {
        return agency_status(&code.to_ascii_lowercase()).map(Some).ok_or_else(|| {
            param_error(
                "external_status_code",
                format!("{code:?} is not a status an agency may set (in_progress, pending_citizen or resolved)"),
            )
        });
    }
    let raw = get("status").ok_or_else(|| param_error("status", "status is required"))?;
    let lower = raw.to_ascii_lowercase();
    match lower.as_str() {
        "open" => Ok(None),
        "in_progress" | "action_scheduled" | "investigating" | "planned" => Ok(Some(TicketStatus::InProgress)),
        "fixed" | "closed" => Ok(Some(TicketStatus::Resolved)),
        other => agency_status(other).map(Some).ok_or_else(|| {
            param_error(
                "status",
                format!(
                    "{raw:?} is not supported: OPEN, CLOSED, FIXED, IN_PROGRESS, ACTION_SCHEDULED, INVESTIGATING, \
                     or in_progress, pending_citizen, resolved"
                ),
            )
        }),
    }
}

/// Map POST `servicerequestupdates` parameters onto the ingest event object, given the
/// ticket's status now (`current`) and the key sending them. The object carries its id
/// ([`event_id`]) and no actor (the handler sets it).
pub fn update_request(
    tenant: &str,
    key: &str,
    params: &HashMap<String, String>,
    current: TicketStatus,
) -> Result<Map<String, Value>, ParamError> {
    let get = |k: &str| params.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let ticket = get("service_request_id").ok_or_else(|| param_error("service_request_id", "is required"))?;
    let update_id = get("update_id").ok_or_else(|| param_error("update_id", "update_id is required"))?;
    if update_id.chars().count() > MAX_UPDATE_ID_CHARS {
        return Err(param_error(
            "update_id",
            format!("is longer than {MAX_UPDATE_ID_CHARS} characters"),
        ));
    }
    if let Some(at) = get("updated_datetime") {
        DateTime::parse_from_rfc3339(at)
            .map_err(|_| param_error("updated_datetime", "must be a W3C/RFC 3339 date-time"))?;
    }
    let media = get("media_url")
        .map(|url| {
            let ok = (url.starts_with("https://") || url.starts_with("http://"))
                && url.len() > "https://".len()
                && url.chars().count() <= MAX_MEDIA_URL_CHARS
                && !url.chars().any(char::is_whitespace);
            ok.then(|| url.to_owned())
                .ok_or_else(|| param_error("media_url", "must be an http(s) URL"))
        })
        .transpose()?;
    let requested = requested_status(params)?;
    let text = match (get("description"), media) {
        (Some(d), Some(url)) => Some(format!("{d}\nFoto: {url}")),
        (Some(d), None) => Some(d.to_owned()),
        (None, Some(url)) => Some(format!("Foto: {url}")),
        (None, None) => None,
    };
    let mut event = Map::new();
    event.insert("id".into(), event_id(tenant, key, update_id).into());
    event.insert("ticket".into(), ticket.into());
    let status_change = match requested {
        // A move, or the same status again without words: the append script judges it (a
        // retry of the POST that moved it answers with the original entry; anything else
        // is an invalid transition).
        Some(status) if status != current || text.is_none() => Some(status),
        _ => None,
    };
    match (status_change, text) {
        (Some(status), text) => {
            event.insert("type".into(), "ticket.status_changed".into());
            event.insert("status".into(), status.as_str().into());
            if let Some(text) = text {
                event.insert("note".into(), text.into());
            }
        }
        (None, Some(text)) => {
            event.insert("type".into(), "ticket.commented".into());
            event.insert("text".into(), text.into());
        }
        (None, None) => {
            return Err(param_error(
                "description",
                "description is required when the status does not change",
            ))
        }
    }
    Ok(event)
}

#[cfg(test)]
mod tests;
