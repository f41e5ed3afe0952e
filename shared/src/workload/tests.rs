//! Workload counts over hand-made tickets at a fixed instant (no clock), counted by hand.

use super::*;
use crate::event::{Assignment, Event, EventBody, Priority, StatusChange, TicketStatus};
use crate::sla::{Calendar, Policy, SlaConfig};

const WIB: i32 = 7 * 60;

fn ms(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
}

/// Round the clock: respond within 60 minutes, resolve within 600, warn at 75 %, for
/// `sampah` only.
fn sla() -> SlaConfig {
    SlaConfig {
        warning_share: 0.75,
        calendars: vec![Calendar {
            week: None,
            holidays: Default::default(),
            utc_offset_minutes: WIB,
        }],
        policies: vec![Policy {
            category: "sampah".into(),
            priority: Priority::Medium,
            response_minutes: 60,
            resolution_minutes: 600,
            calendar: 0,
        }],
        tiers: vec![],
    }
}

fn event(id: &str, at: &str, body: EventBody) -> Event {
    Event {
        v: 1,
        id: format!("e-{id}-{at}"),
        tenant: "tangerang".into(),
        ticket: Some(id.into()),
        at: at.into(),
        actor: None,
        body,
    }
}

/// A `category` ticket reported at `at` and routed at intake to `agency`, then taken
/// through `steps`: `assign` (to `agency` and `officer`) or a status, at their times.
fn ticket(
    id: &str,
    category: &str,
    agency: Option<&str>,
    officer: Option<&str>,
    at: &str,
    steps: &[(&str, &str)],
) -> Ticket {
    let mut report = crate::fixtures::report_body(category);
    report.agency = agency.map(str::to_owned);
    let config = sla();
    let mut t = Ticket::open(&event(id, at, EventBody::ReportReceived(report))).unwrap();
    for (step, when) in steps {
        let body = match *step {
            "assign" => EventBody::TicketAssigned(Assignment {
                agency: agency.unwrap_or("dlh").into(),
                officer: officer.map(str::to_owned),
                reason: None,
            }),
            status => EventBody::StatusChanged(StatusChange {
                status: TicketStatus::parse(status).unwrap(),
                note: None,
                reason: None,
            }),
        };
        t.apply(&event(id, when, body));
    }
    t.refresh_sla(&config);
    t
}

fn row(agency: &str, officer: Option<&str>, counts: [u64; 5], oldest: Option<&str>) -> Load {
    let [open, in_progress, warning, breached, resolved_today] = counts;
    Load {
        agency: agency.into(),
        officer: officer.map(str::to_owned),
        open,
        in_progress,
        warning,
        breached,
        oldest_open_ms: oldest.map(ms),
        resolved_today,
    }
}

/// At 10:00Z (17:00 WIB; the day began at 17:00Z the day before): each agency's and
/// officer's open, in-progress, warning, breached, oldest open and resolved-today counts,
/// breached rows first, a resolution before local midnight not counted (nor its officer
/// given a row), unrouted tickets under `-`.
#[test]
fn counts_per_agency_and_officer_sorted_by_overload() {
    let tickets = [
        // Responded, resolution on track.
        ticket(
            "A",
            "sampah",
            Some("dlh"),
            Some("dlh-budi"),
            "2026-11-23T09:30:00Z",
            &[("assign", "2026-11-23T09:35:00Z")],
        ),
        // Resolution deadline 09:00Z passed; being worked on.
        ticket(
            "B",
            "sampah",
            Some("dlh"),
            Some("dlh-budi"),
            "2026-11-22T23:00:00Z",
            &[
                ("assign", "2026-11-22T23:10:00Z"),
                ("in_progress", "2026-11-23T01:00:00Z"),
            ],
        ),
        // Not yet assigned: response warning since 09:55Z.
        ticket("C", "sampah", Some("dlh"), None, "2026-11-23T09:10:00Z", &[]),
        // Resolution warning since 09:30Z.
        ticket(
            "D",
            "sampah",
            Some("pupr"),
            Some("pupr-andi"),
            "2026-11-23T02:00:00Z",
            &[("assign", "2026-11-23T02:05:00Z")],
        ),
        // Resolved today (01:00Z is 08:00 WIB).
        ticket(
            "E",
            "sampah",
            Some("pupr"),
            Some("pupr-andi"),
            "2026-11-22T20:00:00Z",
            &[("assign", "2026-11-22T20:05:00Z"), ("resolved", "2026-11-23T01:00:00Z")],
        ),
        // Resolved yesterday (16:00Z is 23:00 WIB the day before).
        ticket(
            "F",
            "sampah",
            Some("pupr"),
            Some("pupr-sari"),
            "2026-11-22T10:00:00Z",
            &[("assign", "2026-11-22T10:05:00Z"), ("resolved", "2026-11-22T16:00:00Z")],
        ),
        // No policy, not routed.
        ticket("G", "banjir", None, None, "2026-11-23T08:00:00Z", &[]),
    ];
    let rows = workload(&tickets, ms("2026-11-23T10:00:00Z"), WIB);
    assert_eq!(
        rows,
        vec![
            row("dlh", None, [3, 1, 1, 1, 0], Some("2026-11-22T23:00:00Z")),
            row("dlh", Some("dlh-budi"), [2, 1, 0, 1, 0], Some("2026-11-22T23:00:00Z")),
            row("pupr", None, [1, 0, 1, 0, 1], Some("2026-11-23T02:00:00Z")),
            row("pupr", Some("pupr-andi"), [1, 0, 1, 0, 1], Some("2026-11-23T02:00:00Z")),
            row(UNROUTED, None, [1, 0, 0, 0, 0], Some("2026-11-23T08:00:00Z")),
        ]
    );
}

/// Ties fall back to more open tickets first, then the agency code; no tickets, no rows.
#[test]
fn ties_order_by_open_then_code() {
    let tickets = [
        ticket("A", "banjir", Some("pupr"), None, "2026-11-23T09:00:00Z", &[]),
        ticket("B", "banjir", Some("dlh"), None, "2026-11-23T09:00:00Z", &[]),
        ticket("C", "banjir", Some("dishub"), None, "2026-11-23T09:00:00Z", &[]),
        ticket("D", "banjir", Some("dishub"), None, "2026-11-23T08:00:00Z", &[]),
    ];
    let rows = workload(&tickets, ms("2026-11-23T10:00:00Z"), WIB);
    let order: Vec<(&str, u64)> = rows.iter().map(|r| (r.agency.as_str(), r.open)).collect();
    assert_eq!(order, [("dishub", 2), ("dlh", 1), ("pupr", 1)]);
    assert_eq!(rows[0].oldest_open_ms, Some(ms("2026-11-23T08:00:00Z")));
    assert!(workload(&[], 0, WIB).is_empty());
}
