//! What to send, to whom, and when to try again (pure): the delivery body, the agency an
//! event's ticket belongs to when the event itself says so, and the backoff schedule.

use pantau_shared::event::{Event, EventBody};
use serde::Serialize;
use std::time::Duration;

/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);

/// The JSON a receiver gets: the envelope's ids up front, the event as stored.
#[derive(Serialize)]
struct Body<'a> {
    id: &'a str,
    tenant: &'a str,
    ticket: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'static str,
    at: &'a str,
    event: &'a Event,
}

/// The body POSTed for `event`, encoded once for every webhook that gets it.
pub fn body(event: &Event) -> Vec<u8> {
    serde_json::to_vec(&Body {
        id: &event.id,
        tenant: &event.tenant,
        ticket: event.ticket.as_deref(),
        kind: event.body.type_name(),
        at: &event.at,
        event,
    })
    .expect("an event always encodes")
}

/// The agency the event routes its ticket to (assignment, verification), if it names one;
/// for other events the ticket's agency comes from the projection.
pub fn event_agency(body: &EventBody) -> Option<&str> {
    match body {
        EventBody::TicketAssigned(a) => Some(&a.agency),
        EventBody::Verified(v) => Some(&v.agency),
        _ => None,
    }
}

/// The wait after failed attempt number `attempt` (1-based): `first`, doubling, at most
/// [`MAX_BACKOFF`].
pub fn backoff(first: Duration, attempt: u32) -> Duration {
    let doublings = attempt.saturating_sub(1).min(30);
    first.saturating_mul(1 << doublings).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pantau_shared::event::{Assignment, Comment};

    fn event(body: EventBody) -> Event {
        Event {
            v: 1,
            id: "ev-1".into(),
            tenant: "tangerang".into(),
            ticket: Some("TGR-000001".into()),
            at: "2026-12-01T10:00:00Z".into(),
            actor: Some("user:ani".into()),
            body,
        }
    }

    /// The body carries id, tenant, ticket, type, at and the whole event.
    #[test]
    fn body_has_the_envelope_and_the_event() {
        let e = event(EventBody::TicketAssigned(Assignment {
            agency: "dlh".into(),
            officer: None,
            reason: None,
        }));
        let v: serde_json::Value = serde_json::from_slice(&body(&e)).unwrap();
        assert_eq!(v["id"], "ev-1");
        assert_eq!(v["tenant"], "tangerang");
        assert_eq!(v["ticket"], "TGR-000001");
        assert_eq!(v["type"], "ticket.assigned");
        assert_eq!(v["at"], "2026-12-01T10:00:00Z");
        assert_eq!(v["event"], serde_json::to_value(&e).unwrap());
    }

    /// Assignments name their agency; a comment does not.
    #[test]
    fn agency_from_the_event() {
        let assigned = EventBody::TicketAssigned(Assignment {
            agency: "pupr".into(),
            officer: None,
            reason: None,
        });
        assert_eq!(event_agency(&assigned), Some("pupr"));
        assert_eq!(event_agency(&EventBody::Commented(Comment { text: "x".into() })), None);
    }

    /// 1 s, 2 s, 4 s … capped at 5 min, never overflowing.
    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let s = Duration::from_secs;
        let waits: Vec<_> = (1..=10).map(|a| backoff(s(1), a)).collect();
        assert_eq!(waits[..4], [s(1), s(2), s(4), s(8)]);
        assert_eq!(waits[8], s(256));
        assert_eq!(waits[9], MAX_BACKOFF);
        assert_eq!(backoff(s(1), u32::MAX), MAX_BACKOFF);
        assert_eq!(backoff(Duration::from_millis(50), 2), Duration::from_millis(100));
    }
}
