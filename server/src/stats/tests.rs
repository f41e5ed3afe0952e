//! Hand-computed fixtures for the KPIs: a WITA tenant (+480), tickets spanning local
//! midnight, a paused ticket, a reopened one, a recorded breach, windows at their edges.

use super::report::{report, Ask};
use crate::projection::Projection;
use pantau_shared::cursor::Cursor;
use pantau_shared::event::{Assignment, Event, EventBody, Priority, SlaMark, SlaTarget, StatusChange, TicketStatus};
use pantau_shared::fixtures;
use pantau_shared::sla::{Calendar, Policy, SlaConfig};
use pantau_shared::stats::{Dimension, KpiReport, Window};
use std::collections::BTreeSet;
use std::sync::Arc;

/// WITA, UTC+8.
const WITA: i32 = 480;

/// Sampah at medium priority: respond within 60 min, resolve within 240 min, round the clock.
fn sla() -> SlaConfig {
    SlaConfig {
        warning_share: 0.75,
        calendars: vec![Calendar {
            week: None,
            holidays: BTreeSet::new(),
            utc_offset_minutes: WITA,
        }],
        policies: vec![Policy {
            category: "sampah".into(),
            priority: Priority::Medium,
            response_minutes: 60,
            resolution_minutes: 240,
            calendar: 0,
        }],
        tiers: vec![],
    }
}

fn ms(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
}

fn assign(id: &str, at: &str, agency: &str) -> Event {
    let body = EventBody::TicketAssigned(Assignment {
        agency: agency.into(),
        officer: None,
        reason: None,
    });
    fixtures::event(id, at, body)
}

fn status(id: &str, at: &str, status: TicketStatus) -> Event {
    fixtures::event(
        id,
        at,
        EventBody::StatusChanged(StatusChange {
            status,
            note: None,
            reason: None,
        }),
    )
}

fn breach(id: &str, at: &str, target: SlaTarget) -> Event {
    let deadline = at.to_owned();
    fixtures::event(id, at, EventBody::SlaBreached(SlaMark { target, deadline }))
}

/// The fixture's events (local midnight of 2026-12-01 WITA is 2026-11-30T16:00Z):
/// - A: reported 23:30 yesterday, assigned 00:30 (60 min: met), resolved 10:00 (630 min,
///   deadline 03:30: missed);
/// - B: reported exactly at midnight, open; C: reported one second before, open;
/// - D: reported 09:00, assigned to pupr 09:30, resolved 10:00, reopened 11:00, open;
/// - E: reported 08:00, assigned 08:10, waits for the citizen 08:30–09:30, resolved 10:30
///   (150 min wall, 90 min without the pause; deadline 13:00 with the pause: met);
/// - F: reported 08:00, never assigned, response breach recorded at its deadline 09:00.
fn events() -> Vec<Event> {
    vec![
        fixtures::report("A", "sampah", "2026-11-30T15:30:00Z"),
        fixtures::report("C", "sampah", "2026-11-30T15:59:59Z"),
        fixtures::report("B", "sampah", "2026-11-30T16:00:00Z"),
        assign("A", "2026-11-30T16:30:00Z", "dlh"),
        fixtures::report("E", "sampah", "2026-12-01T00:00:00Z"),
        fixtures::report("F", "sampah", "2026-12-01T00:00:00Z"),
        assign("E", "2026-12-01T00:10:00Z", "dlh"),
        status("E", "2026-12-01T00:30:00Z", TicketStatus::PendingCitizen),
        fixtures::report("D", "sampah", "2026-12-01T01:00:00Z"),
        breach("F", "2026-12-01T01:00:00Z", SlaTarget::Response),
        assign("D", "2026-12-01T01:30:00Z", "pupr"),
        status("E", "2026-12-01T01:30:00Z", TicketStatus::InProgress),
        status("A", "2026-12-01T02:00:00Z", TicketStatus::Resolved),
        status("D", "2026-12-01T02:00:00Z", TicketStatus::Resolved),
        status("E", "2026-12-01T02:30:00Z", TicketStatus::Resolved),
        status("D", "2026-12-01T03:00:00Z", TicketStatus::InProgress),
    ]
}

/// The projection after `events`, applied one by one.
fn projection(events: &[Event]) -> Projection {
    let mut p = Projection::new(Arc::new(sla()));
    for (i, e) in events.iter().enumerate() {
        assert!(p.apply(
            Cursor {
                ms: 1,
                seq: i as u64 + 1
            },
            e
        ));
    }
    p
}

fn ask(window: Window, by: Option<Dimension>, now: &str) -> Ask<'static> {
    Ask {
        tenant: fixtures::TENANT,
        window,
        by,
        now_ms: ms(now),
        utc_offset_minutes: WITA,
    }
}

fn kpis(p: &Projection, a: Ask<'_>) -> KpiReport {
    report(p.stats(), a, |id| p.ticket(id))
}

/// Today at 14:30 WITA: every number of the window and of yesterday, by hand.
#[test]
fn today_in_wita_by_hand() {
    let p = projection(&events());
    let r = kpis(&p, ask(Window::Today, None, "2026-12-01T06:30:00Z"));
    assert_eq!(
        (r.from_ms, r.previous_from_ms),
        (ms("2026-11-30T16:00:00Z"), ms("2026-11-29T16:00:00Z"))
    );
    let t = &r.totals;
    assert_eq!(
        (t.intake, t.backlog, t.resolved, t.reopened, t.rejected),
        (4, 4, 2, 1, 0)
    );
    assert_eq!(t.reopen_rate, Some(0.5));
    assert_eq!(
        (t.response_judged, t.response_met, t.response_compliance),
        (4, 3, Some(0.75))
    );
    assert_eq!(
        (t.resolution_judged, t.resolution_met, t.resolution_compliance),
        (2, 1, Some(0.5))
    );
    assert_eq!((t.response_wall.median, t.response_wall.p90), (Some(30.0), Some(60.0)));
    assert_eq!(t.response_business, t.response_wall);
    assert_eq!(
        (t.resolution_wall.median, t.resolution_wall.p90),
        (Some(390.0), Some(630.0))
    );
    assert_eq!(
        (t.resolution_business.median, t.resolution_business.p90),
        (Some(360.0), Some(630.0))
    );
    let y = &r.previous;
    assert_eq!((y.intake, y.backlog, y.resolved, y.response_judged), (2, 2, 0, 0));
    assert_eq!(
        (y.response_compliance, y.reopen_rate, y.response_wall.median),
        (None, None, None)
    );
}

/// Hourly buckets run from local midnight to the current hour; daily ones cover 30 days
/// ending today, with yesterday's backlog at its end (a reopened ticket counts as open
/// since its report).
#[test]
fn trends_by_hand() {
    let p = projection(&events());
    let r = kpis(&p, ask(Window::Today, None, "2026-12-01T06:30:00Z"));
    let h = &r.trend.hourly;
    assert_eq!(h.len(), 15);
    assert_eq!(h[0].start_ms, ms("2026-11-30T16:00:00Z"));
    assert_eq!((h[0].intake, h[0].backlog, h[0].response_compliance), (1, 3, Some(1.0)));
    assert_eq!((h[8].intake, h[9].response_compliance), (2, Some(0.5)));
    assert_eq!((h[7].backlog, h[8].response_compliance), (3, Some(1.0)));
    // D's resolution at 10:00 was undone by its reopening: only A and E count.
    assert_eq!(
        (h[10].resolved, h[10].resolution_compliance, h[10].backlog),
        (2, Some(0.5), 4)
    );
    assert_eq!(h.iter().map(|b| b.intake).sum::<u64>(), 4);
    assert_eq!(h[14].backlog, 4);
    let d = &r.trend.daily;
    assert_eq!(d.len(), 30);
    assert_eq!(d[29].start_ms, r.from_ms);
    assert_eq!((d[29].intake, d[29].resolved, d[29].backlog), (4, 2, 4));
    assert_eq!((d[28].intake, d[28].backlog), (2, 2));
    assert_eq!(d[..28].iter().map(|b| b.intake + b.backlog).sum::<u64>(), 0);
}

/// Seven days include yesterday; the breakdown by agency follows the current agency, and
/// an agency with a reopening but no resolution has no reopen rate.
#[test]
fn week_and_breakdown() {
    let p = projection(&events());
    let r = kpis(&p, ask(Window::Days7, Some(Dimension::Agency), "2026-12-01T06:30:00Z"));
    assert_eq!((r.totals.intake, r.totals.resolved, r.totals.backlog), (6, 2, 4));
    assert_eq!(r.previous, Default::default());
    let by = r.by.unwrap();
    let keys: Vec<&str> = by.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["dlh", "pupr"]);
    let (dlh, pupr) = (&by.rows[0].kpis, &by.rows[1].kpis);
    assert_eq!((dlh.intake, dlh.backlog, dlh.resolved), (5, 3, 2));
    assert_eq!(
        (pupr.intake, pupr.backlog, pupr.reopened, pupr.reopen_rate),
        (1, 1, 1, None)
    );
}

/// Windows at their edges: at exactly local midnight "today" holds only the report made at
/// that instant, and the report one second earlier belongs to yesterday.
#[test]
fn midnight_edge() {
    let p = projection(&events()[..3]);
    let r = kpis(&p, ask(Window::Today, None, "2026-11-30T16:00:00Z"));
    assert_eq!(r.from_ms, ms("2026-11-30T16:00:00Z"));
    assert_eq!((r.totals.intake, r.totals.backlog), (1, 3));
    assert_eq!((r.previous.intake, r.previous.backlog), (2, 2));
    assert_eq!(r.trend.hourly.len(), 1);
}

/// The same events seen in WIB (+420): local midnight is an hour later, so B (reported at
/// 00:00 WITA = 23:00 WIB) moves to yesterday — the window follows the tenant's zone.
#[test]
fn zone_moves_the_windows() {
    let p = projection(&events());
    let mut a = ask(Window::Today, None, "2026-12-01T06:30:00Z");
    a.utc_offset_minutes = 420;
    let r = kpis(&p, a);
    assert_eq!(r.from_ms, ms("2026-11-30T17:00:00Z"));
    assert_eq!((r.totals.intake, r.previous.intake), (3, 3));
}

/// Rejection counts by its time; a rejected ticket leaves the backlog and the forecast's
/// open tickets; loading from a snapshot (deserialise + `set_sla`) gives the same report.
#[test]
fn rejection_and_snapshot_rebuild() {
    let mut evs = events();
    evs.push(status("B", "2026-12-01T04:00:00Z", TicketStatus::Rejected));
    let p = projection(&evs);
    let now = "2026-12-01T06:30:00Z";
    let r = kpis(&p, ask(Window::Today, Some(Dimension::Kecamatan), now));
    assert_eq!((r.totals.rejected, r.totals.backlog), (1, 3));
    assert_eq!(r.forecast.per_agency.iter().map(|a| a.open).sum::<u64>(), 3);
    let json = serde_json::to_string(&p).unwrap();
    let mut loaded: Projection = serde_json::from_str(&json).unwrap();
    loaded.set_sla(Arc::new(sla()));
    assert_eq!(kpis(&loaded, ask(Window::Today, Some(Dimension::Kecamatan), now)), r);
}

fn validated(id: &str, at: &str, accepted: bool) -> Event {
    let body = EventBody::Validated(pantau_shared::event::Validation {
        accepted,
        reason: (!accepted).then(|| "Foto tidak sesuai".into()),
        site_check: false,
    });
    fixtures::event(id, at, body)
}

/// Two refused follow-ups at one agency ("TL ditolak", both on ticket A of dlh) count in
/// the totals and in dlh's row, dated by the ticket's last update; an accepted validation
/// adds none; the incremental numbers equal a rebuild.
#[test]
fn refused_follow_ups_per_agency() {
    let mut evs = events();
    evs.extend([
        validated("A", "2026-12-01T03:00:00Z", false),
        status("A", "2026-12-01T04:00:00Z", TicketStatus::Resolved),
        validated("A", "2026-12-01T04:30:00Z", false),
        validated("E", "2026-12-01T05:00:00Z", true),
    ]);
    let p = projection(&evs);
    let now = "2026-12-01T06:30:00Z";
    let r = kpis(&p, ask(Window::Today, Some(Dimension::Agency), now));
    assert_eq!(r.totals.follow_ups_refused, 2);
    assert_eq!(r.previous.follow_ups_refused, 0);
    let rows = &r.by.as_ref().unwrap().rows;
    let refused = |agency: &str| {
        rows.iter()
            .find(|row| row.key == agency)
            .map(|row| row.kpis.follow_ups_refused)
    };
    assert_eq!((refused("dlh"), refused("pupr")), (Some(2), Some(0)));
    let json = serde_json::to_value(&r.totals).unwrap();
    assert_eq!(json["follow_ups_refused"], 2);
    // Tomorrow the refusals belong to yesterday, the previous period.
    let r = kpis(&p, ask(Window::Today, None, "2026-12-02T06:30:00Z"));
    assert_eq!((r.totals.follow_ups_refused, r.previous.follow_ups_refused), (0, 2));
    let rebuilt = super::Stats::rebuild(p.tickets(), &sla());
    assert_eq!(rebuilt.by(Dimension::Agency), p.stats().by(Dimension::Agency));
    assert_eq!(rebuilt.all(), p.stats().all());
}
