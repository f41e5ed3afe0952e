//! Working-day deadlines over weekends, holidays, short Fridays and pauses, with fixed
//! instants (no clock).

use super::super::{Clocks, Hours, Pause, Policy, SlaConfig, SlaState};
use super::*;
use crate::event::Priority;

const WIB: i32 = 7 * 60;
const WITA: i32 = 8 * 60;
const H: i64 = 3600;

/// Mon–Thu 08:00–16:00, Fri 08:00–11:00 (a short Friday), weekend closed.
fn office(offset: i32, holidays: &[&str]) -> Calendar {
    let hours = |open: u16, close: u16| Some(Hours { open, close });
    let day = hours(8 * 60, 16 * 60);
    Calendar {
        week: Some([day, day, day, day, hours(8 * 60, 11 * 60), None, None]),
        holidays: holidays.iter().map(|d| d.parse().unwrap()).collect(),
        utc_offset_minutes: offset,
    }
}

/// A local time in a zone as UTC.
fn local(s: &str, offset: i32) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    Utc.from_utc_datetime(&naive) - Duration::minutes(i64::from(offset))
}

fn tier(code: &str, working_days: u32, categories: &[&str]) -> Tier {
    Tier {
        code: code.into(),
        name_id: code.into(),
        name_en: code.into(),
        working_days,
        calendar: 1,
        categories: categories.iter().map(|c| (*c).into()).collect(),
    }
}

/// Calendar 0 round the clock (the categories' hour targets), 1 office hours; `sampah` has
/// 24 h resolution and the `normatif` tier by default, `banjir` 12 h and no tier.
fn config(holidays: &[&str]) -> SlaConfig {
    let policy = |category: &str, resolution_minutes| Policy {
        category: category.into(),
        priority: Priority::Medium,
        response_minutes: 4 * 60,
        resolution_minutes,
        calendar: 0,
    };
    SlaConfig {
        warning_share: 0.75,
        calendars: vec![
            Calendar {
                week: None,
                holidays: Default::default(),
                utc_offset_minutes: WIB,
            },
            office(WIB, holidays),
        ],
        policies: vec![policy("sampah", 24 * 60), policy("banjir", 12 * 60)],
        tiers: vec![
            tier("informasi", 2, &[]),
            tier("normatif", 5, &["sampah"]),
            tier("tidak_berpengawasan", 14, &[]),
            tier("berpengawasan", 60, &[]),
        ],
    }
}

fn clocks<'a>(category: &'a str, created: DateTime<Utc>, pauses: &'a [Pause], tier: Option<&'a str>) -> Clocks<'a> {
    Clocks {
        category,
        priority: Priority::Medium,
        created_at: created,
        first_assigned_at: None,
        resolution_started_at: created,
        resolved_at: None,
        pauses,
        tier,
    }
}

/// Friday afternoon + 2 working days: the weekend does not count, due at Tuesday's close;
/// a Saturday report too; a Monday morning report at Wednesday's close.
#[test]
fn counts_from_the_next_day() {
    let cal = office(WIB, &[]);
    // 2026-11-27 is a Friday.
    let friday = cal.working_days(local("2026-11-27 14:00", WIB), 2).unwrap();
    assert_eq!(friday.clock_start, local("2026-11-30 08:00", WIB));
    assert_eq!(friday.due, local("2026-12-01 16:00", WIB));
    assert_eq!(friday.business_secs, 16 * H);
    let saturday = cal.working_days(local("2026-11-28 10:00", WIB), 2).unwrap();
    assert_eq!(saturday.due, local("2026-12-01 16:00", WIB));
    let monday = cal.working_days(local("2026-11-30 09:00", WIB), 2).unwrap();
    assert_eq!(monday.due, local("2026-12-02 16:00", WIB));
    // Just before local midnight still counts as that day; UTC has long been the next.
    let late = cal.working_days(local("2026-11-30 23:59", WIB), 1).unwrap();
    assert_eq!(late.due, local("2026-12-01 16:00", WIB));
    assert_eq!(cal.working_days(local("2026-11-30 09:00", WIB), 0), None);
}

/// The short Friday is a working day with 3 office hours; a holiday is skipped.
#[test]
fn short_friday_and_holidays() {
    // Wed 2026-11-25 + 2: Thu, Fri → due Friday 11:00, 8 + 3 office hours.
    let cal = office(WIB, &[]);
    let days = cal.working_days(local("2026-11-25 10:00", WIB), 2).unwrap();
    assert_eq!(days.due, local("2026-11-27 11:00", WIB));
    assert_eq!(days.business_secs, 11 * H);
    // Thursday a holiday: Fri, Mon → due Monday 16:00.
    let cal = office(WIB, &["2026-11-26"]);
    let days = cal.working_days(local("2026-11-25 10:00", WIB), 2).unwrap();
    assert_eq!(days.due, local("2026-11-30 16:00", WIB));
    // Christmas Friday 2026-12-25 and a holiday Monday 2026-12-28: Thu 24 + 2 → Tue, Wed.
    let cal = office(WIB, &["2026-12-25", "2026-12-28"]);
    let days = cal.working_days(local("2026-12-24 15:00", WIB), 2).unwrap();
    assert_eq!(days.due, local("2026-12-30 16:00", WIB));
    // No working days at all: no deadline rather than a loop.
    let closed = Calendar {
        week: Some([None; 7]),
        holidays: Default::default(),
        utc_offset_minutes: WIB,
    };
    assert_eq!(closed.working_days(local("2026-11-25 10:00", WIB), 1), None);
}

/// Round the clock, every day is a whole working day; WITA days end an hour earlier in UTC.
#[test]
fn twenty_four_seven_and_zones() {
    let always = Calendar {
        week: None,
        holidays: Default::default(),
        utc_offset_minutes: WIB,
    };
    let days = always.working_days(local("2026-11-28 10:00", WIB), 2).unwrap();
    assert_eq!(days.due, local("2026-12-01 00:00", WIB));
    assert_eq!(days.business_secs, 48 * H);
    let wib = office(WIB, &[])
        .working_days(local("2026-11-27 14:00", WIB), 2)
        .unwrap();
    let wita = office(WITA, &[])
        .working_days(local("2026-11-27 14:00", WITA), 2)
        .unwrap();
    assert_eq!(wib.due - wita.due, Duration::hours(1));
}

/// A ticket's tier overrides the category's, the category's applies otherwise, and a
/// category without one keeps its hour target; the response target is never tiered.
#[test]
fn which_tier_applies() {
    let cfg = config(&[]);
    let friday = local("2026-11-27 14:00", WIB);
    // sampah → normatif (5 days): Mon..Fri → Friday 11:00 (short Friday).
    let sla = cfg.evaluate(&clocks("sampah", friday, &[], None)).unwrap();
    assert_eq!(sla.resolution.deadline, Some(local("2026-12-04 11:00", WIB)));
    assert_eq!(sla.resolution.started_at, friday);
    assert_eq!(sla.resolution.minutes, (4 * 8 + 3) * 60);
    assert_eq!(sla.response.deadline, Some(friday + Duration::hours(4)));
    // Picked at verification: informasi (2 days) → Tuesday's close.
    let sla = cfg.evaluate(&clocks("sampah", friday, &[], Some("informasi"))).unwrap();
    assert_eq!(sla.resolution.deadline, Some(local("2026-12-01 16:00", WIB)));
    // An unknown pick falls back to the category's tier.
    let sla = cfg.evaluate(&clocks("sampah", friday, &[], Some("nope"))).unwrap();
    assert_eq!(sla.resolution.deadline, Some(local("2026-12-04 11:00", WIB)));
    // banjir has no tier: 12 h round the clock; with a picked tier, working days.
    let sla = cfg.evaluate(&clocks("banjir", friday, &[], None)).unwrap();
    assert_eq!(sla.resolution.deadline, Some(friday + Duration::hours(12)));
    let sla = cfg
        .evaluate(&clocks("banjir", friday, &[], Some("berpengawasan")))
        .unwrap();
    // 60 working days (no holidays configured here): 12 weeks → Friday 2027-02-19.
    assert_eq!(sla.resolution.deadline, Some(local("2027-02-19 11:00", WIB)));
}

/// Warning at 75 % of the office time from the clock start; the start day's own hours
/// are free.
#[test]
fn warning_share() {
    let cfg = config(&[]);
    // Monday 09:00, informasi: Tue + Wed = 16 h; 75 % = 12 h → Wednesday 12:00.
    let monday = local("2026-11-30 09:00", WIB);
    let sla = cfg.evaluate(&clocks("sampah", monday, &[], Some("informasi"))).unwrap();
    assert_eq!(sla.resolution.warn_at, Some(local("2026-12-02 12:00", WIB)));
    assert_eq!(sla.resolution.state(local("2026-12-02 11:59", WIB)), SlaState::OnTrack);
    assert_eq!(sla.resolution.state(local("2026-12-02 12:00", WIB)), SlaState::Warning);
    assert_eq!(sla.resolution.state(local("2026-12-02 16:01", WIB)), SlaState::Breached);
    // Resolved the same Monday afternoon: met.
    let mut c = clocks("sampah", monday, &[], Some("informasi"));
    c.resolved_at = Some(local("2026-11-30 15:00", WIB));
    assert_eq!(
        cfg.evaluate(&c).unwrap().resolution.state(monday + Duration::days(9)),
        SlaState::Met
    );
}

/// Waiting for the citizen pushes the deadline on by the paused office time; a pause on the
/// start day (before the clock runs) costs nothing; an open pause keeps the whole budget.
#[test]
fn pauses_extend() {
    let cfg = config(&[]);
    let monday = local("2026-11-30 09:00", WIB);
    // Paused Tue 14:00 → Wed 10:00: 2 h Tue + 2 h Wed → due Thursday 12:00.
    let pause = [Pause {
        from: local("2026-12-01 14:00", WIB),
        to: Some(local("2026-12-02 10:00", WIB)),
    }];
    let sla = cfg
        .evaluate(&clocks("sampah", monday, &pause, Some("informasi")))
        .unwrap();
    assert_eq!(sla.resolution.deadline, Some(local("2026-12-03 12:00", WIB)));
    // Paused Monday 10:00 → 15:00, the start day: no effect.
    let pause = [Pause {
        from: local("2026-11-30 10:00", WIB),
        to: Some(local("2026-11-30 15:00", WIB)),
    }];
    let sla = cfg
        .evaluate(&clocks("sampah", monday, &pause, Some("informasi")))
        .unwrap();
    assert_eq!(sla.resolution.deadline, Some(local("2026-12-02 16:00", WIB)));
    // Still paused since Monday: no deadline, the 16 h are all left.
    let open = [Pause {
        from: local("2026-11-30 10:00", WIB),
        to: None,
    }];
    let sla = cfg
        .evaluate(&clocks("sampah", monday, &open, Some("informasi")))
        .unwrap();
    assert_eq!(sla.resolution.state(monday + Duration::days(30)), SlaState::Paused);
    assert_eq!(sla.resolution.paused_remaining_secs, Some(16 * H));
}

/// A reopening restarts the working days from the day after it.
#[test]
fn reopened() {
    let cfg = config(&[]);
    let mut c = clocks("sampah", local("2026-11-20 09:00", WIB), &[], Some("informasi"));
    c.resolution_started_at = local("2026-12-02 13:00", WIB);
    let sla = cfg.evaluate(&c).unwrap();
    assert_eq!(sla.resolution.deadline, Some(local("2026-12-04 11:00", WIB)));
}

/// The line people read names the tier and its working days in either language.
#[test]
fn describes_itself() {
    let mut t = tier("normatif", 5, &[]);
    t.name_id = "Normatif".into();
    t.name_en = "Normative".into();
    assert_eq!(t.describe(true), "Tingkat: Normatif (5 hari kerja)");
    assert_eq!(t.describe(false), "Tier: Normative (5 working days)");
}
