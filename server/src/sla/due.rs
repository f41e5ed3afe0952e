//! Which `sla.warning` / `sla.breached` events are due at `now`, over a projection. Pure.
//! Each due event is fully deterministic — its id (UUIDv5 of tenant, ticket, target, kind and
//! the target's start), its time (the moment it fell due) and its body — so any process
//! computes the same event and the idempotent append writes it once.

use crate::projection::Projection;
use chrono::{DateTime, SecondsFormat, Utc};
use pantau_shared::event::{Event, EventBody, SlaMark, SlaTarget};
use pantau_shared::sla::Target;
use pantau_shared::PROTOCOL_VERSION;

/// Namespace of SLA event ids.
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x7061_6e74_6175_2d73_6c61_2d65_7665_6e74);
/// Actor of SLA events: Pantau itself.
pub const ACTOR: &str = "system";

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The SLA events of `tenant` due at `now` that the projection does not hold yet. A target
/// already past its deadline gets its breach only (no late warning).
pub fn due_events(tenant: &str, projection: &Projection, now: DateTime<Utc>) -> Vec<Event> {
    let mut due = Vec::new();
    for ticket in projection.tickets().filter(|t| t.status.is_open()) {
        let Some(sla) = &ticket.sla else { continue };
        for (kind, target) in [
            (SlaTarget::Response, &sla.response),
            (SlaTarget::Resolution, &sla.resolution),
        ] {
            let Some(event) = due_for(
                tenant,
                &ticket.id,
                kind,
                target,
                &ticket.sla_warned,
                &ticket.sla_breached,
                now,
            ) else {
                continue;
            };
            due.push(event);
        }
    }
    due.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    due
}

fn due_for(
    tenant: &str,
    ticket: &str,
    kind: SlaTarget,
    target: &Target,
    warned: &[SlaTarget],
    breached: &[SlaTarget],
    now: DateTime<Utc>,
) -> Option<Event> {
    if target.done_at.is_some() {
        return None;
    }
    let deadline = target.deadline?;
    let (breach, at) = if now > deadline {
        if breached.contains(&kind) {
            return None;
        }
        (true, deadline)
    } else {
        let warn_at = target.warn_at?;
        if now < warn_at || warned.contains(&kind) {
            return None;
        }
        (false, warn_at)
    };
    let name = if breach { "breached" } else { "warning" };
    let target_name = match kind {
        SlaTarget::Response => "response",
        SlaTarget::Resolution => "resolution",
    };
    let key = format!("{tenant}/{ticket}/{target_name}/{name}/{}", rfc3339(target.started_at));
    let mark = SlaMark {
        target: kind,
        deadline: rfc3339(deadline),
    };
    Some(Event {
        v: PROTOCOL_VERSION,
        id: uuid::Uuid::new_v5(&NAMESPACE, key.as_bytes()).to_string(),
        tenant: tenant.to_owned(),
        ticket: Some(ticket.to_owned()),
        at: rfc3339(at),
        actor: Some(ACTOR.to_owned()),
        body: if breach {
            EventBody::SlaBreached(mark)
        } else {
            EventBody::SlaWarning(mark)
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pantau_shared::cursor::Cursor;
    use pantau_shared::event::{Assignment, Priority};
    use pantau_shared::fixtures;
    use pantau_shared::sla::{Calendar, Policy, SlaConfig};
    use std::sync::Arc;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn projection() -> Projection {
        let sla = SlaConfig {
            warning_share: 0.75,
            calendars: vec![Calendar {
                week: None,
                holidays: Default::default(),
                utc_offset_minutes: 420,
            }],
            policies: vec![Policy {
                category: "sampah".into(),
                priority: Priority::Medium,
                response_minutes: 60,
                resolution_minutes: 240,
                calendar: 0,
            }],
            tiers: vec![],
        };
        let mut p = Projection::new(Arc::new(sla));
        // Not routed to an agency: the response target stays open until an assignment.
        let mut report = fixtures::report("TGR-000001", "sampah", "2026-11-23T00:00:00.000Z");
        report.id = "r".into();
        fixtures::report_mut(&mut report).agency = None;
        p.apply(Cursor { ms: 1, seq: 0 }, &report);
        p
    }

    fn kinds(events: &[Event]) -> Vec<&'static str> {
        events.iter().map(|e| e.body.type_name()).collect()
    }

    /// Nothing early; a warning at 75%; a breach (without a late warning) past the deadline;
    /// the same events from any process; nothing once the projection holds them.
    #[test]
    fn due_at_the_right_moments_and_deterministic() {
        let mut p = projection();
        assert!(due_events("tangerang", &p, at("2026-11-23T00:30:00Z")).is_empty());
        let warn = due_events("tangerang", &p, at("2026-11-23T00:46:00Z"));
        assert_eq!(kinds(&warn), ["sla.warning"]);
        assert_eq!(warn[0].at, "2026-11-23T00:45:00.000Z");
        let late = due_events("tangerang", &p, at("2026-11-23T05:00:00Z"));
        assert_eq!(kinds(&late), ["sla.breached", "sla.breached"]);
        assert_eq!(
            late,
            due_events("tangerang", &projection(), at("2026-11-23T06:00:00Z")),
            "same ids, times, bodies"
        );
        for (i, e) in late.iter().enumerate() {
            p.apply(
                Cursor {
                    ms: 2 + i as u64,
                    seq: 0,
                },
                e,
            );
        }
        assert!(due_events("tangerang", &p, at("2026-11-23T06:00:00Z")).is_empty());
    }

    /// An assigned ticket owes no response breach.
    #[test]
    fn met_targets_are_not_due() {
        let mut p = projection();
        let mut assign = due_events("tangerang", &p, at("2026-11-23T05:00:00Z")).remove(0);
        assign.at = "2026-11-23T00:10:00.000Z".into();
        assign.body = EventBody::TicketAssigned(Assignment {
            agency: "dlh".into(),
            officer: None,
            reason: None,
        });
        p.apply(Cursor { ms: 9, seq: 0 }, &assign);
        let due = due_events("tangerang", &p, at("2026-11-23T05:00:00Z"));
        assert_eq!(due.len(), 1);
        assert!(matches!(&due[0].body, EventBody::SlaBreached(m) if m.target == SlaTarget::Resolution));
    }
}
