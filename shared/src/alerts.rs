//! Alerts Pantau raises on tickets, decided here once for the server (which records them as
//! `alert.raised` events) and the console (which can show a ticket about to be flagged).
//! Pure: a ticket, the tenant's rule and an instant in; no clock, no I/O.
//!
//! **Ping-pong**: an open ticket whose agency changed at least `min_reassignments` times
//! within the last `window_minutes` (inclusive at both ends). The changes are the hops of
//! [`Ticket::agency_chain`] after the first (intake routing is not a change; an assignment
//! to the same agency adds no hop, so a new officer alone never counts).

use crate::protocol::PingPongRule;
use crate::ticket::Ticket;
use chrono::DateTime;

/// The `kind` of a ping-pong alert.
pub const PING_PONG: &str = "ping_pong";

/// The chain of agencies of a ping-pong — the agency the ticket left at the first counted
/// change, then every agency after it — or `None` when `t` is not ping-ponging at `now_ms`
/// (closed, too few changes in the window, or the rule is off: `min_reassignments` 0).
pub fn ping_pong(t: &Ticket, rule: &PingPongRule, now_ms: i64) -> Option<Vec<String>> {
    if !t.status.is_open() || rule.min_reassignments == 0 {
        return None;
    }
    let since = now_ms - i64::from(rule.window_minutes) * 60_000;
    let in_window = |at: &str| {
        DateTime::parse_from_rfc3339(at)
            .ok()
            .is_some_and(|d| (since..=now_ms).contains(&d.timestamp_millis()))
    };
    let counted: Vec<usize> = (1..t.agency_chain.len())
        .filter(|&i| in_window(&t.agency_chain[i].at))
        .collect();
    if counted.len() < rule.min_reassignments as usize {
        return None;
    }
    let first = counted[0] - 1;
    Some(t.agency_chain[first..].iter().map(|h| h.agency.clone()).collect())
}

/// The number of changes of agency a ping-pong chain holds.
pub fn reassignments(chain: &[String]) -> u32 {
    u32::try_from(chain.len().saturating_sub(1)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Assignment, EventBody, StatusChange, TicketStatus};
    use crate::fixtures;

    const DAY: PingPongRule = PingPongRule {
        min_reassignments: 3,
        window_minutes: 1440,
    };

    fn ms(at: &str) -> i64 {
        DateTime::parse_from_rfc3339(at).unwrap().timestamp_millis()
    }

    /// A ticket routed to `dlh` at intake (00:00Z), then assigned as `steps` say.
    fn ticket(steps: &[(&str, &str, Option<&str>)]) -> Ticket {
        let mut t = Ticket::open(&fixtures::report("TGR-000001", "sampah", "2026-11-23T00:00:00.000Z")).unwrap();
        for (at, agency, officer) in steps {
            t.apply(&fixtures::event(
                "TGR-000001",
                at,
                EventBody::TicketAssigned(Assignment {
                    agency: (*agency).into(),
                    officer: officer.map(Into::into),
                    reason: Some("salah OPD".into()),
                }),
            ));
        }
        t
    }

    fn chain(agencies: &[&str]) -> Option<Vec<String>> {
        Some(agencies.iter().map(|a| a.to_string()).collect())
    }

    /// Three changes of agency within the day flag the ticket with the whole chain; two do
    /// not.
    #[test]
    fn three_changes_make_a_ping_pong() {
        let two = ticket(&[
            ("2026-11-23T01:00:00.000Z", "pupr", None),
            ("2026-11-23T02:00:00.000Z", "dlh", None),
        ]);
        assert_eq!(ping_pong(&two, &DAY, ms("2026-11-23T03:00:00Z")), None);
        let three = ticket(&[
            ("2026-11-23T01:00:00.000Z", "pupr", None),
            ("2026-11-23T02:00:00.000Z", "dlh", None),
            ("2026-11-23T03:00:00.000Z", "pupr", None),
        ]);
        assert_eq!(
            ping_pong(&three, &DAY, ms("2026-11-23T03:00:00Z")),
            chain(&["dlh", "pupr", "dlh", "pupr"])
        );
    }

    /// Assigning to the same agency (a new officer) adds no hop and is not counted.
    #[test]
    fn same_agency_reassignments_do_not_count() {
        let t = ticket(&[
            ("2026-11-23T01:00:00.000Z", "dlh", Some("dlh-budi")),
            ("2026-11-23T02:00:00.000Z", "pupr", None),
            ("2026-11-23T02:10:00.000Z", "pupr", Some("pupr-andi")),
            ("2026-11-23T02:20:00.000Z", "pupr", Some("pupr-sari")),
            ("2026-11-23T03:00:00.000Z", "dlh", None),
        ]);
        assert_eq!(t.agency_chain.len(), 3, "{:?}", t.agency_chain);
        assert_eq!(ping_pong(&t, &DAY, ms("2026-11-23T04:00:00Z")), None);
    }

    /// A change exactly `window_minutes` old still counts; one millisecond older does not,
    /// and the chain then starts at the agency left by the first change still counted.
    #[test]
    fn the_window_is_inclusive_at_its_edge() {
        let t = ticket(&[
            ("2026-11-23T01:00:00.000Z", "pupr", None),
            ("2026-11-23T02:00:00.000Z", "dlh", None),
            ("2026-11-23T03:00:00.000Z", "pupr", None),
            ("2026-11-23T04:00:00.000Z", "bpbd", None),
        ]);
        let edge = ms("2026-11-24T01:00:00Z");
        assert_eq!(
            ping_pong(&t, &DAY, edge),
            chain(&["dlh", "pupr", "dlh", "pupr", "bpbd"])
        );
        assert_eq!(ping_pong(&t, &DAY, edge + 1), chain(&["pupr", "dlh", "pupr", "bpbd"]));
        let hour = PingPongRule {
            min_reassignments: 3,
            window_minutes: 60,
        };
        assert_eq!(ping_pong(&t, &hour, ms("2026-11-23T04:00:00Z")), None);
        assert_eq!(ping_pong(&t, &DAY, ms("2026-11-24T02:00:00.001Z")), None);
    }

    /// Resolved, closed and rejected tickets are never flagged; rule 0 turns the alert off.
    #[test]
    fn closed_tickets_and_a_zero_rule_are_not_flagged() {
        let mut t = ticket(&[
            ("2026-11-23T01:00:00.000Z", "pupr", None),
            ("2026-11-23T02:00:00.000Z", "dlh", None),
            ("2026-11-23T03:00:00.000Z", "pupr", None),
        ]);
        let now = ms("2026-11-23T05:00:00Z");
        let off = PingPongRule {
            min_reassignments: 0,
            window_minutes: 1440,
        };
        assert_eq!(ping_pong(&t, &off, now), None);
        for status in [TicketStatus::InProgress, TicketStatus::Resolved] {
            t.apply(&fixtures::event(
                "TGR-000001",
                "2026-11-23T04:00:00.000Z",
                EventBody::StatusChanged(StatusChange {
                    status,
                    note: None,
                    reason: None,
                }),
            ));
        }
        assert_eq!(ping_pong(&t, &DAY, now), None);
    }

    /// A report not routed at intake starts its chain at the first assignment, which is
    /// therefore not a change.
    #[test]
    fn unrouted_intake_starts_the_chain_at_the_first_assignment() {
        let mut report = fixtures::report("TGR-000001", "sampah", "2026-11-23T00:00:00.000Z");
        fixtures::report_mut(&mut report).agency = None;
        let mut t = Ticket::open(&report).unwrap();
        for (at, agency) in [
            ("2026-11-23T01:00:00.000Z", "pupr"),
            ("2026-11-23T02:00:00.000Z", "dlh"),
            ("2026-11-23T03:00:00.000Z", "pupr"),
        ] {
            t.apply(&fixtures::event(
                "TGR-000001",
                at,
                EventBody::TicketAssigned(Assignment {
                    agency: agency.into(),
                    officer: None,
                    reason: None,
                }),
            ));
        }
        assert_eq!(t.agency_chain[0].at, "2026-11-23T01:00:00.000Z");
        assert_eq!(ping_pong(&t, &DAY, ms("2026-11-23T04:00:00Z")), None);
        assert_eq!(reassignments(&["a".into(), "b".into(), "a".into()]), 2);
    }
}
