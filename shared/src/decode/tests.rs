//! The one-pass decoder against the derived one: every message type and event type, as the
//! server encodes them, decodes to the same value; other field orders are refused.

use super::server_msg;
use crate::event::{Event, EventBody};
use crate::fixtures;
use crate::protocol::{Gauge, Kpis, LinkState, ServerMsg, TenantInfo};
use crate::ticket::Ticket;
use serde_json::json;

/// One event of every type (and one this build does not know), decoded by the derived decoder
/// from JSON as a client would post it.
fn every_event() -> Vec<Event> {
    let bodies = [
        json!({"type": "ticket.assigned", "agency": "dlh", "officer": "o-1", "reason": "wilayah"}),
        json!({"type": "ticket.status_changed", "status": "in_progress", "note": "ke lokasi"}),
        json!({"type": "ticket.commented", "text": "sudah \"diangkut\" ✓"}),
        json!({"type": "ticket.priority_changed", "priority": "high", "reason": "banjir"}),
        json!({"type": "ticket.verified", "agency": "pupr", "tier": "2d", "note": "ok"}),
        json!({"type": "ticket.validated", "accepted": false, "reason": "foto buram", "site_check": true}),
        json!({"type": "ticket.merged", "primary": "TGR-000002", "reporters": 3}),
        json!({"type": "ticket.unmerged", "primary": "TGR-000002", "restore": "assigned"}),
        json!({"type": "ticket.media_added", "url": "/media/a.jpg", "stage": "after",
               "content_type": "image/jpeg", "bytes": 1234, "lat": -6.1, "lon": 106.6, "flags": ["far"]}),
        json!({"type": "sla.warning", "target": "response", "deadline": "2026-12-02T10:00:00Z"}),
        json!({"type": "sla.breached", "target": "resolution", "deadline": "2026-12-02T10:00:00Z"}),
        json!({"type": "alert.raised", "kind": "ping_pong", "chain": ["dlh", "pupr", "dlh"], "reassignments": 3}),
        json!({"type": "resource.updated", "kind": "hospital_beds", "facility": "RSUD", "capacity": 40, "used": 31}),
        json!({"type": "ticket.teleported", "to": "mars"}),
    ];
    let mut events = vec![fixtures::report("TGR-000001", "sampah", "2026-12-02T08:00:00Z")];
    for (i, body) in bodies.into_iter().enumerate() {
        let mut e = json!({"v": 1, "id": format!("e-{i}"), "tenant": "tangerang", "ticket": "TGR-000001",
                           "at": "2026-12-02T08:30:00Z", "actor": "sup-1"});
        e.as_object_mut().unwrap().extend(body.as_object().unwrap().clone());
        events.push(serde_json::from_value(e).expect("the derived decoder takes it"));
    }
    events.push(Event {
        ticket: None,
        actor: None,
        ..events[13].clone()
    });
    events
}

fn tenant() -> TenantInfo {
    serde_json::from_value(json!({
        "id": "tangerang", "name": "Kota Tangerang", "time_zone": "Asia/Jakarta",
        "zone_label": "WIB", "utc_offset_minutes": 420,
        "agencies": [{"code": "dlh", "name_id": "Dinas LH", "name_en": "Environment"}]
    }))
    .unwrap()
}

/// Every message type, as the server builds it.
fn every_msg() -> Vec<ServerMsg> {
    let events = every_event();
    let ticket = Ticket::open(&events[0]).unwrap();
    let gauge = match &events[13].body {
        EventBody::ResourceUpdated(r) => Gauge {
            resource: r.clone(),
            reported_at: "2026-12-02T08:30:00Z".into(),
        },
        other => panic!("not a resource: {other:?}"),
    };
    vec![
        ServerMsg::Snapshot {
            v: 1,
            cursor: "5-1".parse().unwrap(),
            server_time: 1_764_662_400_000,
            tenant: Box::new(tenant()),
            tickets: vec![ticket.clone(), ticket],
            kpis: Kpis {
                open: 2,
                ..Kpis::default()
            },
            gauges: vec![gauge],
        },
        ServerMsg::Deltas {
            v: 1,
            from: "5-1".parse().unwrap(),
            to: "9-0".parse().unwrap(),
            server_time: 1,
            events,
        },
        ServerMsg::Resumed {
            v: 1,
            cursor: "9-0".parse().unwrap(),
            server_time: 2,
        },
        ServerMsg::Resync {
            v: 1,
            reason: "lagged".into(),
        },
        ServerMsg::Status {
            v: 1,
            state: LinkState::Degraded,
            reason: Some("redis".into()),
            server_time: 3,
        },
        ServerMsg::Status {
            v: 1,
            state: LinkState::Ok,
            reason: None,
            server_time: 4,
        },
        ServerMsg::Heartbeat { v: 1, server_time: 5 },
        ServerMsg::Error {
            v: 1,
            code: "forbidden".into(),
            message: "no".into(),
        },
        ServerMsg::Pong { v: 1, server_time: 6 },
        ServerMsg::Replay {
            v: 1,
            at: 7,
            speed: 60.0,
            paused: true,
            live: false,
        },
    ]
}

/// Every message as the server encodes it decodes to itself, exactly as the derived decoder
/// reads it.
#[test]
fn agrees_with_the_derived_decoder() {
    for msg in every_msg() {
        let text = serde_json::to_string(&msg).unwrap();
        let derived: ServerMsg = serde_json::from_str(&text).unwrap();
        assert_eq!(derived, msg, "the derived decoder round-trips {text}");
        assert_eq!(server_msg(&text).unwrap(), msg, "one pass decodes {text}");
    }
}

/// Every event type survives, the unknown one as `Unknown`, missing envelope fields as `None`.
#[test]
fn keeps_every_event_type() {
    let ServerMsg::Deltas { events, .. } = &every_msg()[1] else {
        unreachable!()
    };
    let names: Vec<&str> = events.iter().map(|e| e.body.type_name()).collect();
    assert_eq!(names.len(), 16);
    assert_eq!(names[0], "report.received");
    assert_eq!(names[14], "unknown");
    assert_eq!(events[15].ticket, None);
    let unique: std::collections::HashSet<_> = names.iter().collect();
    assert_eq!(unique.len(), 15, "each type once (the resource twice): {names:?}");
}

/// Unknown fields anywhere are ignored, as by the derived decoder.
#[test]
fn ignores_unknown_fields() {
    let text = r#"{"type":"deltas","v":1,"from":"1-0","to":"2-0","server_time":9,"extra":[1,{"a":2}],
        "events":[{"v":1,"id":"e","tenant":"t","ticket":"T-1","at":"2026-12-02T08:00:00Z","new":true,
                   "type":"ticket.commented","text":"hi","later":{"x":1}}]}"#;
    let ServerMsg::Deltas { events, .. } = server_msg(text).unwrap() else {
        panic!("not deltas")
    };
    assert_eq!(
        events[0].body,
        EventBody::Commented(crate::event::Comment { text: "hi".into() })
    );
}

/// A message or event in another order, broken JSON or trailing bytes: an error, never a panic
/// or a wrong value.
#[test]
fn refuses_what_the_server_never_writes() {
    for text in [
        r#"{"v":1,"type":"heartbeat","server_time":5}"#,
        r#"{"type":"deltas","v":1,"from":"1-0","to":"2-0","server_time":9,
            "events":[{"type":"ticket.commented","v":1,"id":"e","tenant":"t","at":"x","text":"hi"}]}"#,
        r#"{"type":"heartbeat","v":1}"#,
        r#"{"type":"nonsense","v":1}"#,
        r#"{"type":"heartbeat","v":1,"server_time":5} x"#,
        r#"[]"#,
        "",
    ] {
        assert!(server_msg(text).is_err(), "refused: {text}");
    }
}

/// A ticket's history (events in a struct of the client's own) decodes like deltas' events.
#[test]
fn decodes_a_history() {
    #[derive(serde::Deserialize)]
    struct Detail {
        #[serde(deserialize_with = "super::events")]
        history: Vec<Event>,
    }
    #[derive(serde::Serialize)]
    struct Sent<'a> {
        history: &'a [Event],
    }
    let events = every_event();
    // Typed, as the server writes it (a `serde_json::Value` would sort the keys).
    let text = serde_json::to_string(&Sent { history: &events }).unwrap();
    let detail: Detail = serde_json::from_str(&text).unwrap();
    assert_eq!(detail.history, events);
}

/// A lone event decodes as the derived decoder reads it; another order is refused (the
/// server then falls back to the derived decoder).
#[test]
fn decodes_a_lone_event() {
    for event in every_event() {
        let bytes = serde_json::to_vec(&event).unwrap();
        assert_eq!(super::event(&bytes).unwrap(), event);
    }
    let tag_first = br#"{"type":"ticket.commented","text":"hi","v":1,"id":"e","tenant":"t","at":"x"}"#;
    assert!(super::event(tag_first).is_err());
    assert!(
        serde_json::from_slice::<Event>(tag_first).is_ok(),
        "the derived decoder takes any order"
    );
}
