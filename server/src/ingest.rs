//! Validation of an incoming event (the body of `POST /api/v1/{tenant}/events`) into the
//! [`Event`] that goes into the stream. Pure: no I/O, the clock and id come in as arguments.
//!
//! Not JSON → [`IngestError::Malformed`] (400). JSON with a missing or bad field →
//! [`IngestError::Invalid`] naming the field (422). Unknown extra fields are ignored so that
//! newer clients keep working with this server; unknown `type`s are refused.

use chrono::{DateTime, SecondsFormat, Utc};
use pantau_shared::event::{Event, EventBody, Report};
use pantau_shared::PROTOCOL_VERSION;
use serde::Deserialize;

/// Longest accepted description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Longest accepted address, in characters.
pub const MAX_ADDRESS_CHARS: usize = 300;
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
/// by name rather than as a serde message.
#[derive(Deserialize)]
struct Incoming {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    at: Option<String>,
    actor: Option<String>,
    category: Option<String>,
    description: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    address: Option<String>,
    channel: Option<String>,
    media_urls: Option<Vec<String>>,
}

/// Parse and validate one event for `tenant`; `new_id` is used when the client sent none.
pub fn parse_event(
    tenant: &str,
    body: &[u8],
    now: DateTime<Utc>,
    new_id: impl FnOnce() -> String,
) -> Result<Event, IngestError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| IngestError::Malformed(e.to_string()))?;
    if !value.is_object() {
        return Err(invalid("$", "expected a JSON object"));
    }
    let incoming: Incoming = serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        invalid(&field, e.into_inner().to_string())
    })?;

    let id = match incoming.id {
        Some(id) => uuid_like(&id).ok_or_else(|| invalid("id", "must be a UUID"))?,
        None => new_id(),
    };
    let at = match incoming.at {
        Some(at) => {
            let parsed = DateTime::parse_from_rfc3339(&at)
                .map_err(|_| invalid("at", "must be an RFC 3339 timestamp"))?
                .with_timezone(&Utc);
            if (parsed - now).num_seconds() > MAX_FUTURE_SKEW_SECS {
                return Err(invalid("at", "lies in the future"));
            }
            parsed
        }
        None => now,
    };
    let actor = optional_text("actor", incoming.actor, 200)?;
    let body = match incoming.kind.as_deref() {
        None => return Err(invalid("type", "is required")),
        Some("report.received") => EventBody::ReportReceived(Report {
            category: category(incoming.category)?,
            description: required_text("description", incoming.description, MAX_DESCRIPTION_CHARS)?,
            lat: coordinate("lat", incoming.lat, 90.0)?,
            lon: coordinate("lon", incoming.lon, 180.0)?,
            address: optional_text("address", incoming.address, MAX_ADDRESS_CHARS)?,
            channel: optional_text("channel", incoming.channel, 32)?,
            media_urls: media_urls(incoming.media_urls)?,
        }),
        Some(other) => return Err(invalid("type", format!("unsupported event type {other:?}"))),
    };
    Ok(Event {
        v: PROTOCOL_VERSION,
        id,
        tenant: tenant.to_owned(),
        ticket: None,
        at: at.to_rfc3339_opts(SecondsFormat::Millis, true),
        actor,
        body,
    })
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

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T03:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn parse(body: &str) -> Result<Event, IngestError> {
        parse_event("tangerang", body.as_bytes(), now(), || "generated".into())
    }

    fn field_of(r: Result<Event, IngestError>) -> String {
        match r {
            Err(IngestError::Invalid { field, .. }) => field,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    const GOOD: &str = r#"{"type":"report.received","category":"sampah","description":" Sampah belum diangkut ","lat":-6.1888,"lon":106.6406}"#;

    /// A minimal valid report gets a generated id, the current time and trimmed text.
    #[test]
    fn accepts_minimal_report() {
        let e = parse(GOOD).unwrap();
        assert_eq!(e.id, "generated");
        assert_eq!(e.at, "2026-11-23T03:00:00.000Z");
        assert_eq!(e.tenant, "tangerang");
        let EventBody::ReportReceived(r) = e.body;
        assert_eq!(r.description, "Sampah belum diangkut");
        assert_eq!(r.category, "sampah");
    }

    /// A client id is kept (normalised) and a client time is converted to UTC.
    #[test]
    fn keeps_client_id_and_converts_time() {
        let body = r#"{"id":"0193A5C0-0000-7000-8000-000000000001","type":"report.received","at":"2026-11-23T09:30:00+07:00","category":"banjir","description":"x","lat":0,"lon":0}"#;
        let e = parse(body).unwrap();
        assert_eq!(e.id, "0193a5c0-0000-7000-8000-000000000001");
        assert_eq!(e.at, "2026-11-23T02:30:00.000Z");
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
        let cases = [
            (r#"{"category":"sampah","description":"x","lat":0,"lon":0}"#, "type"),
            (
                r#"{"type":"ticket.exploded","category":"sampah","description":"x","lat":0,"lon":0}"#,
                "type",
            ),
            (
                r#"{"type":"report.received","description":"x","lat":0,"lon":0}"#,
                "category",
            ),
            (
                r#"{"type":"report.received","category":"Sampah Liar","description":"x","lat":0,"lon":0}"#,
                "category",
            ),
            (
                r#"{"type":"report.received","category":"sampah","lat":0,"lon":0}"#,
                "description",
            ),
            (
                r#"{"type":"report.received","category":"sampah","description":"   ","lat":0,"lon":0}"#,
                "description",
            ),
            (
                r#"{"type":"report.received","category":"sampah","description":"x","lat":91,"lon":0}"#,
                "lat",
            ),
            (
                r#"{"type":"report.received","category":"sampah","description":"x","lat":"-6.1","lon":0}"#,
                "lat",
            ),
            (
                r#"{"type":"report.received","category":"sampah","description":"x","lat":0,"lon":-180.5}"#,
                "lon",
            ),
            (
                r#"{"type":"report.received","category":"sampah","description":"x","lat":0}"#,
                "lon",
            ),
            (
                r#"{"id":"nope","type":"report.received","category":"sampah","description":"x","lat":0,"lon":0}"#,
                "id",
            ),
            (
                r#"{"at":"yesterday","type":"report.received","category":"sampah","description":"x","lat":0,"lon":0}"#,
                "at",
            ),
            (
                r#"{"at":"2026-11-24T03:00:00Z","type":"report.received","category":"sampah","description":"x","lat":0,"lon":0}"#,
                "at",
            ),
            (
                r#"{"type":"report.received","category":"sampah","description":"x","lat":0,"lon":0,"media_urls":["file:///etc/passwd"]}"#,
                "media_urls[0]",
            ),
            (r#"[1,2]"#, "$"),
        ];
        for (body, field) in cases {
            assert_eq!(field_of(parse(body)), field, "{body}");
        }
    }

    /// The description limit counts characters, not bytes (Bahasa text with accents or emoji).
    #[test]
    fn description_limit_counts_characters() {
        let long = "é".repeat(MAX_DESCRIPTION_CHARS);
        let body =
            format!(r#"{{"type":"report.received","category":"sampah","description":"{long}","lat":0,"lon":0}}"#);
        assert!(parse(&body).is_ok());
        let too_long = "é".repeat(MAX_DESCRIPTION_CHARS + 1);
        let body =
            format!(r#"{{"type":"report.received","category":"sampah","description":"{too_long}","lat":0,"lon":0}}"#);
        assert_eq!(field_of(parse(&body)), "description");
    }
}
