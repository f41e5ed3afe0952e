//! Validation of an incoming event (the body of `POST /api/v1/{tenant}/events`) into the
//! [`Event`] that goes into the stream. Pure: no I/O, the clock and id come in as arguments.
//!
//! Not JSON → [`ValidationError::Malformed`] (400). JSON with a missing or bad field →
//! [`ValidationError::Invalid`] naming the field (422). Unknown extra fields are ignored so that
//! newer clients keep working with this server; unknown `type`s are refused.

use crate::tenant::Tenant;
use chrono::{DateTime, SecondsFormat, Utc};
use pantau_shared::event::{
    Assignment, Comment, Event, EventBody, Priority, PriorityChange, Report, Resource, StatusChange, TicketStatus,
};
use pantau_shared::PROTOCOL_VERSION;
use serde::Deserialize;

/// Longest accepted description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Longest accepted address, in characters.
pub const MAX_ADDRESS_CHARS: usize = 300;
/// Longest accepted note, reason or comment, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Most media URLs per report.
pub const MAX_MEDIA_URLS: usize = 10;
/// How far in the future an event's `at` may lie (clock skew of the sender), seconds.
pub const MAX_FUTURE_SKEW_SECS: i64 = 300;
/// The earliest accepted `at` (Unix seconds, 2000-01-01T00:00:00Z). Earlier is a broken
/// clock; and a time before year 0 (`0000-01-01T00:00:00+23:59`) would be stored as
/// `-0001-…`, which no reader can parse back (found by the fuzz target, issue 15).
pub const MIN_EVENT_UNIX_SECS: i64 = 946_684_800;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValidationError {
    #[error("not JSON: {0}")]
    Malformed(String),
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
}

fn invalid(field: &str, message: impl Into<String>) -> ValidationError {
    ValidationError::Invalid {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// The accepted shape before validation: every field optional so a missing one is reported
/// by name rather than as a serde message. One flat shape for every type, as on the wire.
#[derive(Deserialize)]
struct Incoming {
    id: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    at: Option<String>,
    actor: Option<String>,
    ticket: Option<String>,
    expected_version: Option<u64>,
    // report.received
    category: Option<String>,
    description: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    address: Option<String>,
    channel: Option<String>,
    media_urls: Option<Vec<String>>,
    priority: Option<String>,
    // ticket.assigned
    agency: Option<String>,
    officer: Option<String>,
    reason: Option<String>,
    // ticket.status_changed
    status: Option<String>,
    note: Option<String>,
    // report.received (optional)
    reporter: Option<pantau_shared::event::Reporter>,
    // ticket.verified
    tier: Option<String>,
    // ticket.validated
    accepted: Option<bool>,
    site_check: Option<bool>,
    // ticket.merged, ticket.unmerged
    primary: Option<String>,
    reporters: Option<u32>,
    restore: Option<String>,
    // ticket.commented
    text: Option<String>,
    // resource.updated
    kind: Option<String>,
    facility: Option<String>,
    unit: Option<String>,
    capacity: Option<u32>,
    used: Option<u32>,
    queue: Option<u32>,
}

/// A validated event and the version the sender expects its ticket to be at.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub event: Event,
    /// Optimistic concurrency: append only if the ticket is at this version (else 409).
    pub expected_version: Option<u64>,
}

/// Parse JSON bytes into an object (400 if they are not JSON, 422 if not an object).
pub fn parse_object(body: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, ValidationError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ValidationError::Malformed(e.to_string()))?;
    match value {
        serde_json::Value::Object(map) => Ok(map),
        _ => Err(invalid("$", "expected a JSON object")),
    }
}

/// Parse and validate one event for `tenant`; `new_id` is used when the client sent none.
pub fn parse_event(
    tenant: &Tenant,
    body: &[u8],
    now: DateTime<Utc>,
    new_id: impl FnOnce() -> String,
) -> Result<Command, ValidationError> {
    validate(tenant, parse_object(body)?, now, new_id)
}

/// Validate one event given as a JSON object (the ticket endpoints build it from path + body).
pub fn validate(
    tenant: &Tenant,
    object: serde_json::Map<String, serde_json::Value>,
    now: DateTime<Utc>,
    new_id: impl FnOnce() -> String,
) -> Result<Command, ValidationError> {
    let incoming: Incoming = serde_path_to_error::deserialize(serde_json::Value::Object(object)).map_err(|e| {
        let field = e.path().to_string();
        invalid(&field, e.into_inner().to_string())
    })?;

    let id = match &incoming.id {
        Some(id) => uuid_like(id).ok_or_else(|| invalid("id", "must be a UUID"))?,
        None => new_id(),
    };
    let at = match &incoming.at {
        Some(at) => {
            let parsed = DateTime::parse_from_rfc3339(at)
                .map_err(|_| invalid("at", "must be an RFC 3339 timestamp"))?
                .with_timezone(&Utc);
            if (parsed - now).num_seconds() > MAX_FUTURE_SKEW_SECS {
                return Err(invalid("at", "lies in the future"));
            }
            if parsed.timestamp() < MIN_EVENT_UNIX_SECS {
                return Err(invalid("at", "lies before the year 2000"));
            }
            parsed
        }
        None => now,
    };
    let actor = optional_text("actor", incoming.actor.clone(), 200)?;
    let event_type = incoming
        .event_type
        .clone()
        .ok_or_else(|| invalid("type", "is required"))?;
    let expected_version = incoming.expected_version;
    let (ticket, body) = match event_type.as_str() {
        "report.received" => (None, report(tenant, incoming)?),
        "ticket.assigned" => {
            let ticket = ticket_id(&incoming.ticket)?;
            let agency = incoming.agency.ok_or_else(|| invalid("agency", "is required"))?;
            let known = tenant
                .agency(&agency)
                .ok_or_else(|| invalid("agency", format!("unknown agency {agency:?}")))?;
            let officer = optional_text("officer", incoming.officer, 200)?;
            if let Some(officer) = officer.as_deref().filter(|o| !known.accepts_officer(o)) {
                return Err(invalid(
                    "officer",
                    format!("{officer:?} is not an officer of {}", known.code),
                ));
            }
            let body = EventBody::TicketAssigned(Assignment {
                agency,
                officer,
                reason: optional_text("reason", incoming.reason, MAX_NOTE_CHARS)?,
            });
            (Some(ticket), body)
        }
        "ticket.status_changed" => {
            let ticket = ticket_id(&incoming.ticket)?;
            let raw = incoming.status.ok_or_else(|| invalid("status", "is required"))?;
            let status =
                TicketStatus::parse(&raw).ok_or_else(|| invalid("status", format!("unknown status {raw:?}")))?;
            let note = optional_text("note", incoming.note, MAX_NOTE_CHARS)?;
            let reason = workflow::rejection_reason(status, incoming.reason)?;
            (
                Some(ticket),
                EventBody::StatusChanged(StatusChange { status, note, reason }),
            )
        }
        "ticket.commented" => {
            let ticket = ticket_id(&incoming.ticket)?;
            let text = required_text("text", incoming.text, MAX_NOTE_CHARS)?;
            (Some(ticket), EventBody::Commented(Comment { text }))
        }
        "ticket.priority_changed" => {
            let ticket = ticket_id(&incoming.ticket)?;
            let priority = priority(incoming.priority.as_deref())?.ok_or_else(|| invalid("priority", "is required"))?;
            let reason = optional_text("reason", incoming.reason, MAX_NOTE_CHARS)?;
            (
                Some(ticket),
                EventBody::PriorityChanged(PriorityChange { priority, reason }),
            )
        }
        "resource.updated" => (None, resource(incoming)?),
        t @ ("ticket.verified" | "ticket.validated" | "ticket.merged" | "ticket.unmerged") => {
            let mut incoming = incoming;
            let (ticket, body) = workflow::event(tenant, t, &mut incoming).expect("a workflow type")?;
            (Some(ticket), body)
        }
        "sla.warning" | "sla.breached" | "alert.raised" | "ticket.media_added" => {
            return Err(invalid(
                "type",
                "SLA events, alerts and stored media are written by Pantau itself",
            ));
        }
        other => return Err(invalid("type", format!("unsupported event type {other:?}"))),
    };
    if ticket.is_none() && expected_version.is_some() {
        return Err(invalid("expected_version", "only ticket events carry a version"));
    }
    Ok(Command {
        event: Event {
            v: PROTOCOL_VERSION,
            id,
            tenant: tenant.id.clone(),
            ticket,
            at: at.to_rfc3339_opts(SecondsFormat::Millis, true),
            actor,
            body,
        },
        expected_version,
    })
}

/// A `report.received`: a known category, a point inside the tenant (placed in its
/// kecamatan and kelurahan), routed to the category's agency.
fn report(tenant: &Tenant, incoming: Incoming) -> Result<EventBody, ValidationError> {
    let code = category(incoming.category)?;
    let category = tenant
        .category(&code)
        .ok_or_else(|| invalid("category", format!("unknown category {code:?}")))?;
    let lat = coordinate("lat", incoming.lat, 90.0)?;
    let lon = coordinate("lon", incoming.lon, 180.0)?;
    let placement = tenant
        .place(lat, lon)
        .ok_or_else(|| invalid("lat", format!("the point ({lat}, {lon}) lies outside {}", tenant.name)))?;
    Ok(EventBody::ReportReceived(Report {
        description: required_text("description", incoming.description, MAX_DESCRIPTION_CHARS)?,
        lat,
        lon,
        address: optional_text("address", incoming.address, MAX_ADDRESS_CHARS)?,
        channel: optional_text("channel", incoming.channel, 32)?,
        media_urls: media_urls(incoming.media_urls)?,
        reporter: workflow::reporter(incoming.reporter)?,
        kecamatan: Some(placement.kecamatan),
        kelurahan: placement.kelurahan,
        agency: Some(category.agency.clone()),
        priority: priority(incoming.priority.as_deref())?.unwrap_or(category.priority),
        category: code,
    }))
}

/// A `resource.updated` gauge.
fn resource(incoming: Incoming) -> Result<EventBody, ValidationError> {
    Ok(EventBody::ResourceUpdated(Resource {
        kind: category(incoming.kind).map_err(|_| invalid("kind", "must be a code (a-z, 0-9, _ or -)"))?,
        facility: required_text("facility", incoming.facility, 200)?,
        unit: optional_text("unit", incoming.unit, 200)?,
        capacity: incoming.capacity,
        used: incoming.used,
        queue: incoming.queue,
    }))
}

/// A ticket number such as `TGR-000123`.
fn ticket_id(value: &Option<String>) -> Result<String, ValidationError> {
    let t = value.as_deref().ok_or_else(|| invalid("ticket", "is required"))?;
    let ok = t.split_once('-').is_some_and(|(prefix, n)| {
        !prefix.is_empty()
            && prefix.bytes().all(|b| b.is_ascii_uppercase())
            && !n.is_empty()
            && n.len() <= 12
            && n.bytes().all(|b| b.is_ascii_digit())
    });
    if ok {
        Ok(t.to_owned())
    } else {
        Err(invalid("ticket", "must be a ticket number such as TGR-000123"))
    }
}

fn priority(value: Option<&str>) -> Result<Option<Priority>, ValidationError> {
    match value {
        None => Ok(None),
        Some(p) => Priority::parse(p)
            .map(Some)
            .ok_or_else(|| invalid("priority", "must be one of low, medium, high, critical")),
    }
}

/// A UUID in its canonical hyphenated form, lower-cased; `None` if it is not one.
fn uuid_like(s: &str) -> Option<String> {
    uuid::Uuid::parse_str(s).ok().map(|u| u.hyphenated().to_string())
}

fn category(value: Option<String>) -> Result<String, ValidationError> {
    let c = value.ok_or_else(|| invalid("category", "is required"))?;
    let ok = !c.is_empty()
        && c.len() <= 64
        && c.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(c)
    } else {
        Err(invalid(
            "category",
            "must be a category code (a-z, 0-9, _ or -; at most 64)",
        ))
    }
}

fn required_text(field: &str, value: Option<String>, max: usize) -> Result<String, ValidationError> {
    let text = value.ok_or_else(|| invalid(field, "is required"))?;
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if trimmed.chars().count() > max {
        return Err(invalid(field, format!("is longer than {max} characters")));
    }
    Ok(trimmed.to_owned())
}

fn optional_text(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, ValidationError> {
    match value {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Ok(None),
        Some(v) => required_text(field, Some(v), max).map(Some),
    }
}

fn coordinate(field: &str, value: Option<f64>, limit: f64) -> Result<f64, ValidationError> {
    let v = value.ok_or_else(|| invalid(field, "is required"))?;
    if v.is_finite() && (-limit..=limit).contains(&v) {
        Ok(v)
    } else {
        Err(invalid(field, format!("must be between -{limit} and {limit}")))
    }
}

fn media_urls(value: Option<Vec<String>>) -> Result<Vec<String>, ValidationError> {
    let urls = value.unwrap_or_default();
    if urls.len() > MAX_MEDIA_URLS {
        return Err(invalid("media_urls", format!("at most {MAX_MEDIA_URLS} URLs")));
    }
    for (i, u) in urls.iter().enumerate() {
        let ok = (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 2048;
        if !ok {
            return Err(invalid(&format!("media_urls[{i}]"), "must be an http(s) URL"));
        }
    }
    Ok(urls)
}

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;
mod workflow;
