//! The KPI definitions over hand-made tickets at fixed instants (no clock).

use super::*;
use crate::event::{Assignment, Event, EventBody, Priority, Report, StatusChange, TicketStatus};
use crate::protocol::Filters;
use crate::sla::{Calendar, Policy, SlaConfig};

const WIB: i32 = 7 * 60;
const WITA: i32 = 8 * 60;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The day's numbers of KPIs counted in a zone.
fn day(k: Kpis) -> Today {
    *k.today.expect("counted in a zone")
}

fn ms(s: &str) -> i64 {
    utc(s).timestamp_millis()
}

/// Round the clock: respond within 60 minutes, resolve within 600, for `sampah` only.
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

/// A ticket reported at `at` in `category`, routed to `agency`, then taken through
/// `steps` (`assign` or a status) at their times; SLA per [`sla`].
fn ticket(id: &str, category: &str, agency: Option<&str>, at: &str, steps: &[(&str, &str)]) -> Ticket {
    let report = EventBody::ReportReceived(Report {
        category: category.into(),
        description: "x".into(),
        lat: -6.2,
        lon: 106.6,
        address: None,
        channel: None,
        media_urls: vec![],
        reporter: None,
        kecamatan: None,
        kelurahan: None,
        agency: agency.map(str::to_owned),
        priority: Priority::Medium,
    });
    let config = sla();
    let mut t = Ticket::open(&event(id, at, report)).unwrap();
    t.refresh_sla(&config);
    for (step, when) in steps {
        let body = match *step {
            "assign" => EventBody::TicketAssigned(Assignment {
                agency: agency.unwrap_or("dlh").into(),
                officer: None,
                reason: None,
            }),
            status => EventBody::StatusChanged(StatusChange {
                status: serde_json::from_value(serde_json::Value::String(status.into())).unwrap(),
                note: None,
                reason: None,
            }),
        };
        t.apply(&event(id, when, body));
        t.refresh_sla(&config);
    }
    t
}

/// Local midnight is 17:00 UTC the day before in WIB and 16:00 UTC in WITA; 23:30 WIB is
/// still yesterday while the same instant is already 00:30 of the next day in WITA.
#[test]
fn days_start_at_local_midnight() {
    let now = ms("2026-11-23T03:00:00Z"); // 10:00 WIB, 11:00 WITA
    assert_eq!(day_start_ms(now, WIB), ms("2026-11-22T17:00:00Z"));
    assert_eq!(day_start_ms(now, WITA), ms("2026-11-22T16:00:00Z"));
    let late = ms("2026-11-22T16:30:00Z"); // 23:30 WIB, 00:30 WITA
    assert_eq!(day_start_ms(late, WIB), ms("2026-11-21T17:00:00Z"));
    assert_eq!(day_start_ms(late, WITA), ms("2026-11-22T16:00:00Z"));
    let midnight = ms("2026-11-22T17:00:00Z");
    assert_eq!(day_start_ms(midnight, WIB), midnight, "midnight belongs to its own day");
    assert_eq!(day_start_ms(-1, 0), -DAY_MS, "before the epoch rounds down");
}

/// "New today" counts reports since local midnight: a report at 16:30 UTC is yesterday in
/// WIB and today in WITA.
#[test]
fn new_today_follows_the_zone() {
    let tickets = [
        ticket("A", "sampah", Some("dlh"), "2026-11-22T15:59:00Z", &[]),
        ticket("B", "sampah", Some("dlh"), "2026-11-22T16:30:00Z", &[]),
        ticket("C", "sampah", Some("dlh"), "2026-11-22T17:00:00Z", &[]),
    ];
    let now = utc("2026-11-23T03:00:00Z");
    let wib = day(Kpis::of_day(&tickets, now, WIB));
    let wita = day(Kpis::of_day(&tickets, now, WITA));
    assert_eq!((wib.new, wita.new), (1, 2));
    assert_eq!(wib.since_ms, ms("2026-11-22T17:00:00Z"));
    assert_eq!(Kpis::of(&tickets, now).today, None, "no zone, no day");
}

/// The median response is the middle value for an odd count and the mean of the two middle
/// values for an even one, over tickets first assigned today only.
#[test]
fn median_response_odd_and_even() {
    let assigned = |id: &str, minutes: u32| {
        let at = utc("2026-11-23T01:00:00Z");
        let done = (at + chrono::Duration::minutes(i64::from(minutes))).to_rfc3339();
        ticket(id, "sampah", Some("dlh"), &at.to_rfc3339(), &[("assign", &done)])
    };
    let now = utc("2026-11-23T05:00:00Z");
    let mut tickets = vec![assigned("A", 10), assigned("B", 30), assigned("C", 20)];
    tickets.push(ticket(
        "Y",
        "sampah",
        Some("dlh"),
        "2026-11-22T09:00:00Z",
        &[("assign", "2026-11-22T12:00:00Z")],
    ));
    let odd = day(Kpis::of_day(&tickets, now, WIB));
    assert_eq!(
        odd.median_response_minutes,
        Some(20.0),
        "yesterday's assignment left out"
    );
    tickets.push(assigned("D", 50));
    let even = day(Kpis::of_day(&tickets, now, WIB));
    assert_eq!(even.median_response_minutes, Some(25.0));
    assert_eq!(median(&mut []), None);
}

/// Compliance judges today's resolutions that have a target: on time over judged; one
/// resolved yesterday or without a target does not count.
#[test]
fn compliance_over_todays_resolutions() {
    let now = utc("2026-11-23T10:00:00Z");
    let tickets = [
        // Within 600 minutes.
        ticket(
            "ON",
            "sampah",
            Some("dlh"),
            "2026-11-23T00:00:00Z",
            &[("resolved", "2026-11-23T05:00:00Z")],
        ),
        // 11 hours: late.
        ticket(
            "LATE",
            "sampah",
            Some("dlh"),
            "2026-11-22T20:00:00Z",
            &[("resolved", "2026-11-23T07:00:00Z")],
        ),
        // Resolved and closed before local midnight.
        ticket(
            "OLD",
            "sampah",
            Some("dlh"),
            "2026-11-22T08:00:00Z",
            &[("resolved", "2026-11-22T09:00:00Z"), ("closed", "2026-11-22T10:00:00Z")],
        ),
        // No policy for this category: resolved today, not judged.
        ticket(
            "FREE",
            "banjir",
            Some("bpbd"),
            "2026-11-23T01:00:00Z",
            &[("resolved", "2026-11-23T02:00:00Z")],
        ),
    ];
    let k = Kpis::of_day(&tickets, now, WIB);
    let today = day(k.clone());
    assert_eq!(
        (today.resolved, today.resolved_with_target, today.resolved_on_time),
        (3, 2, 1)
    );
    assert_eq!(today.compliance, Some(0.5));
    assert_eq!(k.open, 0);
    let none = day(Kpis::of_day(&tickets[3..], now, WIB));
    assert_eq!(none.compliance, None, "nothing judged is no percentage");
}

/// SLA states are counted per target over every ticket; "breached now" only over open ones.
#[test]
fn sla_states_and_breaches() {
    let now = utc("2026-11-23T12:00:00Z");
    let tickets = [
        // Reported 11:30: response on track.
        ticket("NEW", "sampah", Some("dlh"), "2026-11-23T11:30:00Z", &[]),
        // Reported 10:00, never assigned: response breached.
        ticket("LATE", "sampah", Some("dlh"), "2026-11-23T10:00:00Z", &[]),
        // Assigned in time, resolution past due, closed now after resolving late: missed.
        ticket(
            "DONE",
            "sampah",
            Some("pupr"),
            "2026-11-22T10:00:00Z",
            &[("assign", "2026-11-22T10:30:00Z"), ("resolved", "2026-11-23T09:00:00Z")],
        ),
        ticket("NOSLA", "banjir", None, "2026-11-23T11:00:00Z", &[]),
    ];
    let k = Kpis::of(&tickets, now);
    assert_eq!((k.total, k.open, k.breached_now), (4, 3, 1));
    let get = |m: &BTreeMap<String, u64>, s: &str| m.get(s).copied().unwrap_or(0);
    assert_eq!(get(&k.response_sla, "on_track"), 1);
    assert_eq!(get(&k.response_sla, "breached"), 1);
    assert_eq!(get(&k.response_sla, "met"), 1);
    assert_eq!(get(&k.resolution_sla, "missed"), 1);
    assert_eq!(get(&k.resolution_sla, "on_track"), 2);
    assert_eq!(get(&k.by_status, "received"), 3);
    assert_eq!(get(&k.by_status, "resolved"), 1);
    assert_eq!(
        get(&k.open_by_agency, UNROUTED),
        1,
        "unrouted tickets are counted under '-'"
    );
}

/// Counting a filtered set (an agency's panel, a filtered session) counts only its tickets;
/// agencies come busiest first.
#[test]
fn counts_follow_an_agency_filter() {
    let now = utc("2026-11-23T03:00:00Z");
    let tickets = [
        ticket("A", "sampah", Some("dlh"), "2026-11-23T01:00:00Z", &[]),
        ticket("B", "sampah", Some("pupr"), "2026-11-23T01:10:00Z", &[]),
        ticket("C", "sampah", Some("pupr"), "2026-11-23T01:20:00Z", &[]),
    ];
    let all = Kpis::of_day(&tickets, now, WIB);
    assert_eq!((all.open, all.today.as_ref().unwrap().new), (3, 3));
    let loads: Vec<(String, u64)> = all.agencies_by_load().into_iter().map(|l| (l.agency, l.open)).collect();
    assert_eq!(loads, [("pupr".to_owned(), 2), ("dlh".to_owned(), 1)]);
    let pupr = Filters {
        agency: Some("pupr".into()),
        ..Filters::default()
    };
    let k = Kpis::of_day(tickets.iter().filter(|t| pupr.matches(t)), now, WIB);
    assert_eq!((k.total, k.open, day(k.clone()).new), (2, 2, 2));
    assert_eq!(k.open_by_agency.keys().collect::<Vec<_>>(), ["pupr"]);
}

/// Pre-parsed instants give the same numbers as parsing on the way (the wall's path).
#[test]
fn parsed_instants_count_the_same() {
    struct Entry(Ticket, Instants);
    impl Counted for &Entry {
        fn ticket(&self) -> &Ticket {
            &self.0
        }
        fn instants(&self) -> Instants {
            self.1
        }
    }
    let t = ticket(
        "A",
        "sampah",
        Some("dlh"),
        "2026-11-23T01:00:00Z",
        &[("assign", "2026-11-23T01:30:00Z")],
    );
    let entries = [Entry(t.clone(), Instants::of(&t))];
    let now = utc("2026-11-23T03:00:00Z");
    assert_eq!(Kpis::of_day(&entries, now, WIB), Kpis::of_day([&t], now, WIB));
    assert_eq!(entries[0].1.first_assigned, Some(ms("2026-11-23T01:30:00Z")));
    assert_eq!(TicketStatus::Assigned, t.status);
}

/// The wire keeps its field names, leaves out the day when not counted, and reads KPIs
/// written before the newer fields existed.
#[test]
fn wire_shape_is_stable() {
    let k = Kpis::of(std::iter::empty::<&Ticket>(), utc("2026-11-23T03:00:00Z"));
    let json = serde_json::to_value(&k).unwrap();
    for field in [
        "total",
        "open",
        "by_status",
        "open_by_agency",
        "resolution_sla",
        "response_sla",
    ] {
        assert!(json.get(field).is_some(), "{field} in {json}");
    }
    assert!(json.get("today").is_none());
    let old: Kpis =
        serde_json::from_str(r#"{"total":1,"open":1,"by_status":{"received":1},"open_by_agency":{"dlh":1}}"#).unwrap();
    assert_eq!((old.open, old.breached_now, old.today), (1, 0, None));
}
