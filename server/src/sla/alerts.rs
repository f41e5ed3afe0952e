//! Which `alert.raised` events are due at `now`, over a projection. Pure. The SLA emitter's
//! lease holder appends them with the SLA events ([`super::emitter`]).
//!
//! One alert of a kind per ticket, ever: its id is the UUIDv5 of tenant, ticket and kind, so
//! whichever process computes it — before its projection has seen its own append, or after
//! a failover, or after yet another reassignment — the idempotent append writes it once;
//! once applied, the ticket's `alerts` holds the kind and it is never due again.

use super::due::ACTOR;
use crate::projection::Projection;
use chrono::{DateTime, Utc};
use pantau_shared::alerts::{ping_pong, reassignments, PING_PONG};
use pantau_shared::event::{Alert, Event, EventBody};
use pantau_shared::protocol::PingPongRule;
use pantau_shared::PROTOCOL_VERSION;

/// Namespace of alert event ids.
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x7061_6e74_6175_2d61_6c65_7274_2d65_7674);

/// The id of `kind`'s alert on `ticket` of `tenant` (the same in every process).
pub fn alert_id(tenant: &str, ticket: &str, kind: &str) -> String {
    let key = format!("{tenant}/{ticket}/alert/{kind}");
    uuid::Uuid::new_v5(&NAMESPACE, key.as_bytes()).to_string()
}

/// The alerts of `tenant` due at `now` that the projection does not hold yet: a
/// `ping_pong` for each open ticket bouncing between agencies under `rule`. Each is dated
/// at the reassignment that made it one, with the chain of agencies and the count.
pub fn due_alerts(tenant: &str, projection: &Projection, rule: &PingPongRule, now: DateTime<Utc>) -> Vec<Event> {
    let now_ms = now.timestamp_millis();
    let mut due: Vec<Event> = projection
        .tickets()
        .filter(|t| !t.alerts.iter().any(|k| k == PING_PONG))
        .filter_map(|t| {
            let chain = ping_pong(t, rule, now_ms)?;
            let at = t
                .agency_chain
                .last()
                .map_or_else(|| t.updated_at.clone(), |h| h.at.clone());
            Some(Event {
                v: PROTOCOL_VERSION,
                id: alert_id(tenant, &t.id, PING_PONG),
                tenant: tenant.to_owned(),
                ticket: Some(t.id.clone()),
                at,
                actor: Some(ACTOR.to_owned()),
                body: EventBody::AlertRaised(Alert {
                    kind: PING_PONG.to_owned(),
                    reassignments: reassignments(&chain),
                    chain,
                }),
            })
        })
        .collect();
    due.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.ticket.cmp(&b.ticket)));
    due
}

#[cfg(test)]
mod tests {
    use super::*;
    use pantau_shared::cursor::Cursor;
    use pantau_shared::event::Assignment;
    use pantau_shared::fixtures;
    use std::sync::Arc;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// A projection with ticket TGR-000001 reported at 00:00Z (routed to `dlh`) and
    /// reassigned to each of `agencies` at 01:00Z, 02:00Z, ….
    fn projection(agencies: &[&str]) -> Projection {
        let mut p = Projection::new(Arc::new(Default::default()));
        let mut report = fixtures::report("TGR-000001", "sampah", "2026-11-23T00:00:00.000Z");
        report.id = "r".into();
        p.apply(Cursor { ms: 1, seq: 0 }, &report);
        for (i, agency) in agencies.iter().enumerate() {
            let mut e = fixtures::event(
                "TGR-000001",
                &format!("2026-11-23T{:02}:00:00.000Z", i + 1),
                EventBody::TicketAssigned(Assignment {
                    agency: (*agency).into(),
                    officer: None,
                    reason: Some("salah OPD".into()),
                }),
            );
            e.id = format!("a{i}");
            p.apply(
                Cursor {
                    ms: 2 + i as u64,
                    seq: 0,
                },
                &e,
            );
        }
        p
    }

    /// Nothing after two reassignments; after the third one alert by `system`, dated at the
    /// third, with the chain; the same event from any process and later instants; nothing
    /// once the projection holds it, even after a fourth reassignment.
    #[test]
    fn one_ping_pong_alert_per_ticket() {
        let rule = PingPongRule::default();
        let now = at("2026-11-23T05:00:00Z");
        assert!(due_alerts("tangerang", &projection(&["pupr", "dlh"]), &rule, now).is_empty());
        let mut p = projection(&["pupr", "dlh", "pupr"]);
        let due = due_alerts("tangerang", &p, &rule, now);
        assert_eq!(due.len(), 1);
        let alert = &due[0];
        assert_eq!(alert.actor.as_deref(), Some("system"));
        assert_eq!(alert.at, "2026-11-23T03:00:00.000Z");
        assert_eq!(alert.id, alert_id("tangerang", "TGR-000001", "ping_pong"));
        let EventBody::AlertRaised(body) = &alert.body else {
            panic!("{alert:?}")
        };
        assert_eq!((body.kind.as_str(), body.reassignments), ("ping_pong", 3));
        assert_eq!(body.chain, ["dlh", "pupr", "dlh", "pupr"]);
        let later = due_alerts("tangerang", &p, &rule, at("2026-11-23T20:00:00Z"));
        assert_eq!(later, due, "deterministic");
        p.apply(Cursor { ms: 100, seq: 0 }, alert);
        assert_eq!(p.ticket("TGR-000001").unwrap().alerts, ["ping_pong"]);
        assert!(due_alerts("tangerang", &p, &rule, now).is_empty());
        let fourth = projection(&["pupr", "dlh", "pupr", "bpbd"]);
        let again = due_alerts("tangerang", &fourth, &rule, now);
        assert_eq!(again[0].id, alert.id, "the same id after another reassignment");
    }

    /// Once the changes fall out of the window nothing is due; a stricter rule waits for
    /// more changes.
    #[test]
    fn the_rule_decides() {
        let p = projection(&["pupr", "dlh", "pupr"]);
        let day_later = at("2026-11-24T01:30:00Z");
        assert!(due_alerts("tangerang", &p, &PingPongRule::default(), day_later).is_empty());
        let four = PingPongRule {
            min_reassignments: 4,
            window_minutes: 1440,
        };
        assert!(due_alerts("tangerang", &p, &four, at("2026-11-23T05:00:00Z")).is_empty());
    }
}
