//! Validation of an incoming event (the body of `POST /api/v1/{tenant}/events`) into the
//! [`Event`] that goes into the stream. Pure: no I/O, the clock and id come in as arguments.
//!
//! Not JSON → [`IngestError::Malformed`] (400). JSON with a missing or bad field →
//! [`IngestError::Invalid`] naming the field (422). Unknown extra fields are ignored so that
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

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IngestError {
    #[error("not JSON: {0}")]
    Malformed(String),
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
}

fn invalid(field: &str, message: impl Into<String>) -> IngestError {
    IngestError::Invalid {
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
pub fn parse_object(body: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, IngestError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| IngestError::Malformed(e.to_string()))?;
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
) -> Result<Command, IngestError> {
    validate(tenant, parse_object(body)?, now, new_id)
}

/// Validate one event given as a JSON object (the ticket endpoints build it from path + body).
pub fn validate(
    tenant: &Tenant,
    object: serde_json::Map<String, serde_json::Value>,
    now: DateTime<Utc>,
    new_id: impl FnOnce() -> String,
) -> Result<Command, IngestError> {
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
            if tenant.agency(&agency).is_none() {
                return Err(invalid("agency", format!("unknown agency {agency:?}")));
            }
            let body = EventBody::TicketAssigned(Assignment {
                agency,
                officer: optional_text("officer", incoming.officer, 200)?,
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
            (Some(ticket), EventBody::StatusChanged(StatusChange { status, note }))
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
        "sla.warning" | "sla.breached" => {
            return Err(invalid("type", "SLA events are emitted by Pantau itself"));
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
fn report(tenant: &Tenant, incoming: Incoming) -> Result<EventBody, IngestError> {
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
        kecamatan: Some(placement.kecamatan),
        kelurahan: placement.kelurahan,
        agency: Some(category.agency.clone()),
        priority: priority(incoming.priority.as_deref())?.unwrap_or(category.priority),
        category: code,
    }))
}

/// A `resource.updated` gauge.
fn resource(incoming: Incoming) -> Result<EventBody, IngestError> {
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
fn ticket_id(value: &Option<String>) -> Result<String, IngestError> {
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

fn priority(value: Option<&str>) -> Result<Option<Priority>, IngestError> {
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

fn category(value: Option<String>) -> Result<String, IngestError> {
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

fn required_text(field: &str, value: Option<String>, max: usize) -> Result<String, IngestError> {
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

fn optional_text(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, IngestError> {
    match value {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Ok(None),
        Some(v) => required_text(field, Some(v), max).map(Some),
    }
}

fn coordinate(field: &str, value: Option<f64>, limit: f64) -> Result<f64, IngestError> {
    let v = value.ok_or_else(|| invalid(field, "is required"))?;
    if v.is_finite() && (-limit..=limit).contains(&v) {
        Ok(v)
    } else {
        Err(invalid(field, format!("must be between -{limit} and {limit}")))
    }
}

fn media_urls(value: Option<Vec<String>>) -> Result<Vec<String>, IngestError> {
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
mod tests {
    use super::*;
    use crate::tenant::{test_tenants, Tenants};
    use std::sync::LazyLock;

    static TENANTS: LazyLock<Tenants> = LazyLock::new(test_tenants);

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T03:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn parse(body: &str) -> Result<Command, IngestError> {
        let tenant = TENANTS.get("tangerang").unwrap();
        parse_event(tenant, body.as_bytes(), now(), || "generated".into())
    }

    fn field_of(r: Result<Command, IngestError>) -> String {
        match r {
            Err(IngestError::Invalid { field, .. }) => field,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    const GOOD: &str = r#"{"type":"report.received","category":"sampah","description":" Sampah belum diangkut ","lat":-6.1888,"lon":106.6406}"#;

    /// A minimal valid report gets a generated id, the current time, trimmed text, its
    /// kecamatan/kelurahan by point-in-polygon and the category's agency and priority.
    #[test]
    fn accepts_minimal_report() {
        let c = parse(GOOD).unwrap();
        let e = c.event;
        assert_eq!(e.id, "generated");
        assert_eq!(e.at, "2026-11-23T03:00:00.000Z");
        assert_eq!(e.tenant, "tangerang");
        let EventBody::ReportReceived(r) = e.body else { panic!() };
        assert_eq!(r.description, "Sampah belum diangkut");
        assert_eq!(r.category, "sampah");
        assert_eq!(r.kecamatan.unwrap().code, "36.71.01");
        assert!(r.kelurahan.is_some());
        assert_eq!(r.agency.as_deref(), Some("dlh"));
        assert_eq!(r.priority, Priority::Medium);
    }

    /// A client id is kept (normalised) and a client time is converted to UTC.
    #[test]
    fn keeps_client_id_and_converts_time() {
        let body = r#"{"id":"0193A5C0-0000-7000-8000-000000000001","type":"report.received","at":"2026-11-23T09:30:00+07:00","category":"banjir","description":"x","lat":-6.1888,"lon":106.6406,"priority":"critical"}"#;
        let e = parse(body).unwrap().event;
        assert_eq!(e.id, "0193a5c0-0000-7000-8000-000000000001");
        assert_eq!(e.at, "2026-11-23T02:30:00.000Z");
        let EventBody::ReportReceived(r) = e.body else { panic!() };
        assert_eq!(r.priority, Priority::Critical);
    }

    /// Ticket commands carry their ticket and expected version.
    #[test]
    fn accepts_ticket_commands() {
        let c = parse(
            r#"{"type":"ticket.assigned","ticket":"TGR-000007","agency":"pupr","officer":"Budi","expected_version":3}"#,
        )
        .unwrap();
        assert_eq!(c.event.ticket.as_deref(), Some("TGR-000007"));
        assert_eq!(c.expected_version, Some(3));
        let c = parse(
            r#"{"type":"ticket.status_changed","ticket":"TGR-1","status":"in_progress","note":"Tim menuju lokasi"}"#,
        )
        .unwrap();
        assert!(matches!(
            c.event.body,
            EventBody::StatusChanged(StatusChange {
                status: TicketStatus::InProgress,
                ..
            })
        ));
        assert_eq!(c.expected_version, None);
        let c = parse(r#"{"type":"resource.updated","kind":"hospital_beds","facility":"RSUD Kota Tangerang","unit":"ICU","capacity":12,"used":9,"queue":2}"#).unwrap();
        assert_eq!(c.event.ticket, None);
    }

    /// Not JSON at all is Malformed (400), not Invalid.
    #[test]
    fn malformed_json() {
        assert!(matches!(parse("{\"type\":"), Err(IngestError::Malformed(_))));
        assert!(matches!(parse(""), Err(IngestError::Malformed(_))));
    }

    /// Every missing or bad field is reported by its name.
    #[test]
    fn names_the_bad_field() {
        let r = |extra: &str| {
            format!(
                r#"{{"type":"report.received","category":"sampah","description":"x","lat":-6.1888,"lon":106.6406{extra}}}"#
            )
        };
        let cases = [
            (
                r#"{"category":"sampah","description":"x","lat":0,"lon":0}"#.to_string(),
                "type",
            ),
            (r#"{"type":"ticket.exploded"}"#.to_string(), "type"),
            (r#"{"type":"sla.breached","ticket":"TGR-1"}"#.to_string(), "type"),
            (
                r#"{"type":"report.received","description":"x","lat":0,"lon":0}"#.to_string(),
                "category",
            ),
            (
                r#"{"type":"report.received","category":"Sampah Liar","description":"x","lat":0,"lon":0}"#.to_string(),
                "category",
            ),
            (
                r#"{"type":"report.received","category":"parkir","description":"x","lat":0,"lon":0}"#.to_string(),
                "category",
            ),
            (
                r#"{"type":"report.received","category":"sampah","lat":-6.1888,"lon":106.6406}"#.to_string(),
                "description",
            ),
            (
                r#"{"type":"report.received","category":"sampah","description":"   ","lat":-6.1888,"lon":106.6406}"#
                    .to_string(),
                "description",
            ),
            (
                r#"{"type":"report.received","category":"sampah","description":"x","lat":91,"lon":0}"#.to_string(),
                "lat",
            ),
            (
                r#"{"type":"report.received","category":"sampah","description":"x","lat":"-6.1","lon":0}"#.to_string(),
                "lat",
            ),
            (
                r#"{"type":"report.received","category":"sampah","description":"x","lat":0,"lon":-180.5}"#.to_string(),
                "lon",
            ),
            (
                r#"{"type":"report.received","category":"sampah","description":"x","lat":0}"#.to_string(),
                "lon",
            ),
            (
                r#"{"type":"report.received","category":"sampah","description":"x","lat":-6.1754,"lon":106.8272}"#
                    .to_string(),
                "lat",
            ),
            (
                r#"{"id":"nope","type":"report.received","category":"sampah","description":"x","lat":0,"lon":0}"#
                    .to_string(),
                "id",
            ),
            (r#"{"at":"yesterday","type":"report.received"}"#.to_string(), "at"),
            (
                r#"{"at":"2026-11-24T03:00:00Z","type":"report.received"}"#.to_string(),
                "at",
            ),
            (r(r#","media_urls":["file:///etc/passwd"]"#), "media_urls[0]"),
            (r(r#","priority":"asap""#), "priority"),
            (r(r#","expected_version":2"#), "expected_version"),
            (r#"{"type":"ticket.assigned","agency":"pupr"}"#.to_string(), "ticket"),
            (
                r#"{"type":"ticket.assigned","ticket":"123","agency":"pupr"}"#.to_string(),
                "ticket",
            ),
            (
                r#"{"type":"ticket.assigned","ticket":"TGR-1","agency":"nasa"}"#.to_string(),
                "agency",
            ),
            (
                r#"{"type":"ticket.assigned","ticket":"TGR-1","agency":"pupr","expected_version":-1}"#.to_string(),
                "expected_version",
            ),
            (
                r#"{"type":"ticket.status_changed","ticket":"TGR-1","status":"done"}"#.to_string(),
                "status",
            ),
            (r#"{"type":"ticket.commented","ticket":"TGR-1"}"#.to_string(), "text"),
            (
                r#"{"type":"ticket.priority_changed","ticket":"TGR-1"}"#.to_string(),
                "priority",
            ),
            (r#"{"type":"resource.updated","kind":"beds"}"#.to_string(), "facility"),
            (r#"[1,2]"#.to_string(), "$"),
        ];
        for (body, field) in cases {
            assert_eq!(field_of(parse(&body)), field, "{body}");
        }
    }

    /// The description limit counts characters, not bytes (Bahasa text with accents or emoji).
    #[test]
    fn description_limit_counts_characters() {
        let body = |d: String| {
            format!(
                r#"{{"type":"report.received","category":"sampah","description":"{d}","lat":-6.1888,"lon":106.6406}}"#
            )
        };
        assert!(parse(&body("é".repeat(MAX_DESCRIPTION_CHARS))).is_ok());
        assert_eq!(
            field_of(parse(&body("é".repeat(MAX_DESCRIPTION_CHARS + 1)))),
            "description"
        );
    }
}
