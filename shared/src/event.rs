//! Events: what the Redis Stream holds, one JSON document per entry (field `event`).
//!
//! The envelope (`v`, `id`, `tenant`, `ticket`, `at`, `actor`) and the type-specific body sit
//! side by side in one object, tagged by `type` (serde's internally tagged enum), exactly as
//! `POST /api/v1/{tenant}/events` accepts them. Field order matters for one reason: the
//! append script fills in `"ticket":null` (the first occurrence, which is always the
//! envelope's because user-controlled text only appears after it).

use serde::{Deserialize, Serialize};

/// One event of a tenant's stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Schema version ([`crate::PROTOCOL_VERSION`] when written).
    pub v: u32,
    /// Idempotency key: client-supplied or a generated UUIDv7.
    pub id: String,
    /// The tenant (region) whose stream holds the event.
    pub tenant: String,
    /// The ticket the event belongs to (e.g. `TGR-000123`); assigned at append time for
    /// a new report, so `None` only before the event is in the stream.
    pub ticket: Option<String>,
    /// When it happened, RFC 3339 in UTC.
    pub at: String,
    /// Who caused it (user, API key or source system), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The type tag and its fields.
    #[serde(flatten)]
    pub body: EventBody,
}

/// The type-specific part of an event, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum EventBody {
    /// A citizen report arrived (LAKSA app, Open311, call centre, ...).
    #[serde(rename = "report.received")]
    ReportReceived(Report),
}

impl EventBody {
    /// The wire name of the type (`report.received`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            EventBody::ReportReceived(_) => "report.received",
        }
    }
}

/// A citizen report: what, where, through which channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Category code of the tenant, e.g. `sampah`, `jalan_rusak`, `banjir`.
    pub category: String,
    /// The citizen's words.
    pub description: String,
    /// WGS84 latitude, −90..90.
    pub lat: f64,
    /// WGS84 longitude, −180..180.
    pub lon: f64,
    /// Street address as the citizen gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Reporting channel (`app`, `web`, `sms`, `call_center`, `open311`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Photos or other media the citizen attached.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_urls: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Event {
        Event {
            v: 1,
            id: "0193a5c0-0000-7000-8000-000000000001".into(),
            tenant: "tangerang".into(),
            ticket: None,
            at: "2026-11-23T03:00:00Z".into(),
            actor: None,
            body: EventBody::ReportReceived(Report {
                category: "sampah".into(),
                description: "\"ticket\":null in the text".into(),
                lat: -6.1888,
                lon: 106.6406,
                address: None,
                channel: Some("app".into()),
                media_urls: vec![],
            }),
        }
    }

    /// The envelope's `"ticket":null` comes before any user text, so the append script's
    /// first-occurrence replacement can never hit a description.
    #[test]
    fn ticket_placeholder_precedes_user_text() {
        let json = serde_json::to_string(&sample()).unwrap();
        let first = json.find("\"ticket\":null").unwrap();
        let desc = json.find("in the text").unwrap();
        assert!(first < desc, "{json}");
        assert!(json.contains("\"type\":\"report.received\""), "{json}");
    }

    /// Events round-trip through JSON unchanged.
    #[test]
    fn round_trips() {
        let e = sample();
        let back: Event = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
    }
}
