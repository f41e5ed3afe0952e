//! Tests of [`super`] (event).

use super::*;

pub(crate) fn sample() -> Event {
    let mut e = crate::fixtures::report("TGR-000001", "sampah", "2026-11-23T03:00:00Z");
    e.id = "0193a5c0-0000-7000-8000-000000000001".into();
    e.ticket = None;
    let r = crate::fixtures::report_mut(&mut e);
    r.description = "\"ticket\":null in the text".into();
    r.channel = Some("app".into());
    e
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

/// A type from a newer version decodes as Unknown; unknown fields are ignored.
#[test]
fn future_types_and_fields_are_tolerated() {
    let e: Event = serde_json::from_str(
        r#"{"v":1,"id":"x","tenant":"t","ticket":"T-1","at":"2026-01-01T00:00:00Z","type":"ticket.teleported","to":"mars"}"#,
    )
    .unwrap();
    assert_eq!(e.body, EventBody::Unknown);
    let e: Event = serde_json::from_str(
        r#"{"v":1,"id":"x","tenant":"t","ticket":"T-1","at":"2026-01-01T00:00:00Z","type":"ticket.commented","text":"ok","mood":"happy"}"#,
    )
    .unwrap();
    assert_eq!(e.body, EventBody::Commented(Comment { text: "ok".into() }));
}

/// The workflow: final states are final, resolved may only be reopened (in progress) or
/// closed, nothing returns to received.
#[test]
fn workflow_transitions() {
    use TicketStatus::*;
    assert!(Received.can_move_to(Assigned));
    assert!(Assigned.can_move_to(InProgress));
    assert!(InProgress.can_move_to(PendingCitizen));
    assert!(PendingCitizen.can_move_to(InProgress));
    assert!(InProgress.can_move_to(Resolved));
    assert!(Resolved.can_move_to(Closed));
    assert!(Resolved.can_move_to(InProgress));
    assert!(Received.can_move_to(Rejected));
    assert!(!Received.can_move_to(Resolved));
    assert!(!Resolved.can_move_to(Rejected));
    assert!(!Assigned.can_move_to(Received));
    for s in TicketStatus::ALL {
        assert!(!Closed.can_move_to(s) && !Rejected.can_move_to(s));
        assert!(!s.can_move_to(s));
        assert_eq!(TicketStatus::parse(s.as_str()), Some(s));
    }
}
