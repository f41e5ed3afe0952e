//! Business time between two instants under a tenant's SLA [`Calendar`] (office hours per
//! weekday in the tenant's fixed offset, holidays skipped), minus the spans the ticket was
//! paused. The SLA module answers "when is the deadline" (`Calendar::add`); this answers the
//! inverse question, "how much business time passed", for the KPI durations. Pure.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc};
use pantau_shared::sla::{Calendar, Pause};

/// Days scanned at most (a span longer than this counts its first `MAX_DAYS` local days).
const MAX_DAYS: i64 = 3_660;

/// Business seconds in `[from, to)` under `calendar`, excluding `pauses` (an open pause runs
/// to `to`); 0 when `to <= from`.
pub fn business_secs(calendar: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>, pauses: &[Pause]) -> i64 {
    if to <= from {
        return 0;
    }
    let mut total = 0;
    let mut count = |a: DateTime<Utc>, b: DateTime<Utc>| {
        let (a, b) = (a.max(from), b.min(to));
        if b > a {
            total += (b - a).num_seconds() - paused_secs(pauses, a, b, to);
        }
    };
    match &calendar.week {
        None => count(from, to),
        Some(week) => {
            let offset = Duration::minutes(i64::from(calendar.utc_offset_minutes));
            let first = (from + offset).date_naive();
            let last = (to + offset).date_naive();
            let mut date = first;
            let mut days = 0;
            while date <= last && days < MAX_DAYS {
                let hours = week[date.weekday().num_days_from_monday() as usize];
                if let (Some(h), false) = (hours, calendar.holidays.contains(&date)) {
                    let at = |minutes: u16| {
                        let time = NaiveTime::from_num_seconds_from_midnight_opt(u32::from(minutes) * 60, 0)
                            .unwrap_or(NaiveTime::MIN);
                        Utc.from_utc_datetime(&date.and_time(time)) - offset
                    };
                    count(at(h.open), at(h.close));
                }
                date += Duration::days(1);
                days += 1;
            }
        }
    }
    total
}

/// Seconds of `[a, b)` inside any pause (pauses do not overlap; an open one ends at `end`).
fn paused_secs(pauses: &[Pause], a: DateTime<Utc>, b: DateTime<Utc>, end: DateTime<Utc>) -> i64 {
    pauses
        .iter()
        .map(|p| {
            let (pa, pb) = (p.from.max(a), p.to.unwrap_or(end).min(b));
            if pb > pa {
                (pb - pa).num_seconds()
            } else {
                0
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pantau_shared::sla::Hours;
    use std::collections::BTreeSet;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// Mon–Fri 08:00–16:00 WITA (+480), 2026-12-25 a holiday.
    fn office() -> Calendar {
        let day = Some(Hours { open: 480, close: 960 });
        Calendar {
            week: Some([day, day, day, day, day, None, None]),
            holidays: BTreeSet::from([chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()]),
            utc_offset_minutes: 480,
        }
    }

    /// Round the clock, business time is wall time minus pauses (an open pause runs to the end).
    #[test]
    fn round_the_clock_minus_pauses() {
        let cal = Calendar {
            week: None,
            holidays: BTreeSet::new(),
            utc_offset_minutes: 420,
        };
        let (from, to) = (at("2026-12-01T00:00:00Z"), at("2026-12-01T10:00:00Z"));
        assert_eq!(business_secs(&cal, from, to, &[]), 36_000);
        let pauses = [
            Pause {
                from: at("2026-12-01T01:00:00Z"),
                to: Some(at("2026-12-01T02:00:00Z")),
            },
            Pause {
                from: at("2026-12-01T09:00:00Z"),
                to: None,
            },
        ];
        assert_eq!(business_secs(&cal, from, to, &pauses), 8 * 3600);
        assert_eq!(business_secs(&cal, to, from, &[]), 0);
    }

    /// Office hours: Thursday 15:00 WITA to Monday 09:00 WITA across a Friday holiday is one
    /// hour on Thursday plus one on Monday.
    #[test]
    fn office_hours_across_a_holiday_weekend() {
        // Thu 2026-12-24 15:00 WITA = 07:00Z; Mon 2026-12-28 09:00 WITA = 01:00Z.
        let secs = business_secs(&office(), at("2026-12-24T07:00:00Z"), at("2026-12-28T01:00:00Z"), &[]);
        assert_eq!(secs, 2 * 3600);
        // A pause over the Monday hour leaves only Thursday's.
        let pause = [Pause {
            from: at("2026-12-28T00:00:00Z"),
            to: Some(at("2026-12-28T02:00:00Z")),
        }];
        let secs = business_secs(
            &office(),
            at("2026-12-24T07:00:00Z"),
            at("2026-12-28T01:00:00Z"),
            &pause,
        );
        assert_eq!(secs, 3600);
    }
}
