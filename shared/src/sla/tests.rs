//! Deadline math over calendar edges, with fixed instants (no clock).

use super::*;

const WIB: i32 = 7 * 60;
const WITA: i32 = 8 * 60;

fn hm(h: u16, m: u16) -> u16 {
    h * 60 + m
}

/// Mon–Thu 08:00–16:00, Fri 08:00–11:00 (a short Friday), weekend closed.
fn office(offset: i32, holidays: &[&str]) -> Calendar {
    let day = Some(Hours {
        open: hm(8, 0),
        close: hm(16, 0),
    });
    let friday = Some(Hours {
        open: hm(8, 0),
        close: hm(11, 0),
    });
    Calendar {
        week: Some([day, day, day, day, friday, None, None]),
        holidays: holidays.iter().map(|d| d.parse().unwrap()).collect(),
        utc_offset_minutes: offset,
    }
}

fn always() -> Calendar {
    Calendar {
        week: None,
        holidays: BTreeSet::new(),
        utc_offset_minutes: WIB,
    }
}

/// A local time in a zone as UTC.
fn local(s: &str, offset: i32) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    Utc.from_utc_datetime(&naive) - Duration::minutes(i64::from(offset))
}

fn config(calendar: Calendar) -> SlaConfig {
    let policy = |priority, response_minutes, resolution_minutes| Policy {
        category: "sampah".into(),
        priority,
        response_minutes,
        resolution_minutes,
        calendar: 0,
    };
    SlaConfig {
        warning_share: 0.75,
        calendars: vec![calendar],
        policies: vec![
            policy(Priority::Medium, 4 * 60, 24 * 60),
            policy(Priority::High, 60, 8 * 60),
        ],
        tiers: vec![],
    }
}

fn clocks(created: DateTime<Utc>, pauses: &[Pause]) -> Clocks<'_> {
    Clocks {
        category: "sampah",
        priority: Priority::Medium,
        created_at: created,
        first_assigned_at: None,
        resolution_started_at: created,
        resolved_at: None,
        pauses,
        tier: None,
    }
}

const H: i64 = 3600;

/// Round the clock: the deadline is simply start + target.
#[test]
fn twenty_four_seven() {
    let start = local("2026-11-23 22:30", WIB);
    assert_eq!(always().add(start, 4 * H, &[]), Ok(start + Duration::hours(4)));
}

/// 15:59 on a Friday before a Monday holiday: the Friday is already closed (short day), the
/// weekend and the holiday do not count, so 4 h run out on Tuesday at 12:00.
#[test]
fn friday_afternoon_before_a_holiday() {
    // 2026-12-24 is a Thursday; 2026-12-25 (Christmas) a Friday. Use Fri 2026-11-27 and a
    // holiday on Mon 2026-11-30.
    let cal = office(WIB, &["2026-11-30"]);
    let start = local("2026-11-27 15:59", WIB);
    assert_eq!(cal.add(start, 4 * H, &[]), Ok(local("2026-12-01 12:00", WIB)));
    // 10:59 the same Friday: one minute that day, then Tuesday.
    let start = local("2026-11-27 10:59", WIB);
    assert_eq!(cal.add(start, 4 * H, &[]), Ok(local("2026-12-01 11:59", WIB)));
}

/// A report in the evening starts counting the next morning.
#[test]
fn overnight() {
    let cal = office(WIB, &[]);
    assert_eq!(
        cal.add(local("2026-11-25 20:00", WIB), 4 * H, &[]),
        Ok(local("2026-11-26 12:00", WIB))
    );
    // Spanning the night: 2 h on Wednesday afternoon, 2 h Thursday morning.
    assert_eq!(
        cal.add(local("2026-11-25 14:00", WIB), 4 * H, &[]),
        Ok(local("2026-11-26 10:00", WIB))
    );
}

/// A weekend report waits for Monday.
#[test]
fn weekend() {
    let cal = office(WIB, &[]);
    assert_eq!(
        cal.add(local("2026-11-28 10:00", WIB), 4 * H, &[]),
        Ok(local("2026-11-30 12:00", WIB))
    );
}

/// Time waiting for the citizen does not count; while still waiting there is no deadline
/// and the remaining time is kept.
#[test]
fn pause_and_resume() {
    let start = local("2026-11-23 08:00", WIB);
    let closed = [Pause {
        from: start + Duration::hours(1),
        to: Some(start + Duration::hours(4)),
    }];
    assert_eq!(always().add(start, 24 * H, &closed), Ok(start + Duration::hours(27)));
    let open = [Pause {
        from: start + Duration::hours(1),
        to: None,
    }];
    assert_eq!(always().add(start, 24 * H, &open), Err(23 * H));
    // In office hours the pause only removes business time: paused 15:00 Mon → 09:00 Tue
    // costs 1 h (Mon 15–16) + 1 h (Tue 08–09).
    let cal = office(WIB, &[]);
    let pause = [Pause {
        from: local("2026-11-23 15:00", WIB),
        to: Some(local("2026-11-24 09:00", WIB)),
    }];
    assert_eq!(
        cal.add(local("2026-11-23 14:00", WIB), 4 * H, &pause),
        Ok(local("2026-11-24 12:00", WIB))
    );
}

/// The same local time in WIB and WITA falls due at the same local time, an hour apart in UTC.
#[test]
fn wib_and_wita() {
    let jakarta = office(WIB, &[])
        .add(local("2026-11-23 09:00", WIB), 4 * H, &[])
        .unwrap();
    let makassar = office(WITA, &[])
        .add(local("2026-11-23 09:00", WITA), 4 * H, &[])
        .unwrap();
    assert_eq!(jakarta, local("2026-11-23 13:00", WIB));
    assert_eq!(makassar, local("2026-11-23 13:00", WITA));
    assert_eq!(jakarta - makassar, Duration::hours(1));
}

/// Both targets, warning at 75%, states over time, and met/missed on completion.
#[test]
fn targets_warnings_and_states() {
    let created = local("2026-11-23 08:00", WIB);
    let cfg = config(always());
    let sla = cfg.evaluate(&clocks(created, &[])).unwrap();
    assert_eq!(sla.response.deadline, Some(created + Duration::hours(4)));
    assert_eq!(sla.response.warn_at, Some(created + Duration::hours(3)));
    assert_eq!(sla.resolution.deadline, Some(created + Duration::hours(24)));
    assert_eq!(sla.response.state(created + Duration::hours(1)), SlaState::OnTrack);
    assert_eq!(sla.response.state(created + Duration::hours(3)), SlaState::Warning);
    assert_eq!(sla.response.state(created + Duration::hours(5)), SlaState::Breached);

    let mut c = clocks(created, &[]);
    c.first_assigned_at = Some(created + Duration::hours(2));
    c.resolved_at = Some(created + Duration::hours(30));
    let sla = cfg.evaluate(&c).unwrap();
    assert_eq!(sla.response.state(created + Duration::days(9)), SlaState::Met);
    assert_eq!(sla.resolution.state(created + Duration::days(9)), SlaState::Missed);
}

/// Raising the priority mid-way recomputes from the report time with the new targets.
#[test]
fn priority_change_recomputes() {
    let created = local("2026-11-23 08:00", WIB);
    let cfg = config(always());
    let mut c = clocks(created, &[]);
    c.priority = Priority::High;
    let sla = cfg.evaluate(&c).unwrap();
    assert_eq!(sla.response.deadline, Some(created + Duration::hours(1)));
    assert_eq!(sla.resolution.deadline, Some(created + Duration::hours(8)));
    c.priority = Priority::Critical;
    assert!(cfg.evaluate(&c).is_none(), "no policy, no targets");
}

/// A reopened ticket gets a new resolution deadline from the reopening; an open pause
/// shows as paused.
#[test]
fn reopen_and_paused_state() {
    let created = local("2026-11-23 08:00", WIB);
    let cfg = config(always());
    let mut c = clocks(created, &[]);
    c.resolution_started_at = created + Duration::hours(30);
    let sla = cfg.evaluate(&c).unwrap();
    assert_eq!(sla.resolution.deadline, Some(created + Duration::hours(54)));
    let pauses = [Pause {
        from: created + Duration::hours(1),
        to: None,
    }];
    let sla = cfg.evaluate(&clocks(created, &pauses)).unwrap();
    assert_eq!(sla.resolution.state(created + Duration::hours(100)), SlaState::Paused);
    assert_eq!(sla.resolution.paused_remaining_secs, Some(23 * H));
}
