//! Unit tests of event validation (split from the module to keep it one job per file).

use super::*;
use crate::tenant::{test_tenants, Tenants};
use std::sync::LazyLock;

static TENANTS: LazyLock<Tenants> = LazyLock::new(test_tenants);

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T03:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn parse(body: &str) -> Result<Command, ValidationError> {
    let tenant = TENANTS.get("tangerang").unwrap();
    parse_event(tenant, body.as_bytes(), now(), || "generated".into())
}

fn field_of(r: Result<Command, ValidationError>) -> String {
    match r {
        Err(ValidationError::Invalid { field, .. }) => field,
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
        r#"{"type":"ticket.assigned","ticket":"TGR-000007","agency":"pupr","officer":"pupr-andi","expected_version":3}"#,
    )
    .unwrap();
    assert_eq!(c.event.ticket.as_deref(), Some("TGR-000007"));
    assert_eq!(c.expected_version, Some(3));
    let c =
        parse(r#"{"type":"ticket.status_changed","ticket":"TGR-1","status":"in_progress","note":"Tim menuju lokasi"}"#)
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
    assert!(matches!(parse("{\"type\":"), Err(ValidationError::Malformed(_))));
    assert!(matches!(parse(""), Err(ValidationError::Malformed(_))));
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
            r#"{"type":"alert.raised","ticket":"TGR-1","kind":"ping_pong"}"#.to_string(),
            "type",
        ),
        (
            r#"{"type":"ticket.assigned","ticket":"TGR-1","agency":"pupr","officer":"dlh-budi"}"#.to_string(),
            "officer",
        ),
        (
            r#"{"type":"ticket.assigned","ticket":"TGR-1","agency":"kominfo"}"#.to_string(),
            "agency",
        ),
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
        format!(r#"{{"type":"report.received","category":"sampah","description":"{d}","lat":-6.1888,"lon":106.6406}}"#)
    };
    assert!(parse(&body("é".repeat(MAX_DESCRIPTION_CHARS))).is_ok());
    assert_eq!(
        field_of(parse(&body("é".repeat(MAX_DESCRIPTION_CHARS + 1)))),
        "description"
    );
}
