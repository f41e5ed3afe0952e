//! SP4N-LAPOR deadline tiers: resolution targets counted in working days rather than hours.
//! Pure; used by [`SlaConfig::evaluate`](super::SlaConfig::evaluate) on the server and in
//! the browsers alike.
//!
//! # The rule
//! A *working day* is a local date with office hours in the tier's calendar that is not a
//! holiday (on a round-the-clock calendar: every date that is not a holiday, 00:00–24:00).
//! Counting starts on the day after the clock starts (SP4N-LAPOR counts from the day after
//! the report): a target of N working days falls due at the close of the N-th working day
//! after the local date of the start. A report on Friday afternoon with 2 working days is
//! due at Tuesday's close; one on Saturday, too; one on Monday 09:00 at Wednesday's close.
//!
//! The clock runs from the opening of the first of those days ("clock start"), so the rest
//! of the start day is free. The target's business time is the office time of the N days;
//! time paused (`pending_citizen`) inside it pushes the deadline on by the paused business
//! time, exactly as for hour targets, and the warning falls at `warning_share` of the
//! business time. Priority does not scale a tier; the response target stays the category's
//! hour target.

use super::Calendar;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// One deadline tier (`[[sla.tiers]]` of a tenant).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tier {
    /// Slug a category or a verification names (`informasi`, `normatif`, ...).
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    /// Working days until the resolution deadline (at least 1).
    pub working_days: u32,
    /// Index into [`SlaConfig::calendars`](super::SlaConfig::calendars): the calendar whose
    /// open days are working days (the office calendar).
    pub calendar: usize,
    /// Categories whose tickets take this tier unless verification picked another.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
}

impl Tier {
    /// One line for people: `Tingkat: Normatif (5 hari kerja)` / `Tier: Normative (5
    /// working days)`.
    pub fn describe(&self, indonesian: bool) -> String {
        if indonesian {
            format!("Tingkat: {} ({} hari kerja)", self.name_id, self.working_days)
        } else {
            let days = if self.working_days == 1 {
                "working day"
            } else {
                "working days"
            };
            format!("Tier: {} ({} {days})", self.name_en, self.working_days)
        }
    }
}

/// The span a tier's clock runs in when it starts at some instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkingDays {
    /// Opening of the first working day after the start's local date.
    pub clock_start: DateTime<Utc>,
    /// Close of the N-th working day (before any pause).
    pub due: DateTime<Utc>,
    /// Office seconds of the N days: the target's business time.
    pub business_secs: i64,
}

/// Look this many days ahead at most for N working days (a calendar without enough open
/// days gives no tier deadline rather than looping forever).
const SEARCH_DAYS: i64 = 800;

impl Calendar {
    /// Opening and closing (UTC) of local `date` when it is a working day.
    pub fn working_hours(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&date) {
            return None;
        }
        let offset = Duration::minutes(i64::from(self.utc_offset_minutes));
        let midnight = Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN)) - offset;
        let Some(week) = &self.week else {
            return Some((midnight, midnight + Duration::days(1)));
        };
        let hours = week[date.weekday().num_days_from_monday() as usize]?;
        let at = |minutes: u16| midnight + Duration::minutes(i64::from(minutes));
        Some((at(hours.open), at(hours.close)))
    }

    /// The clock of a target of `n` working days started at `start` (see the module doc);
    /// `None` when `n` is 0 or the calendar has too few working days.
    pub fn working_days(&self, start: DateTime<Utc>, n: u32) -> Option<WorkingDays> {
        if n == 0 {
            return None;
        }
        let offset = Duration::minutes(i64::from(self.utc_offset_minutes));
        let start_date = (start + offset).date_naive();
        let mut found = 0;
        let mut clock_start = None;
        let mut business_secs = 0;
        for day in 1..=SEARCH_DAYS {
            let Some((open, close)) = self.working_hours(start_date + Duration::days(day)) else {
                continue;
            };
            clock_start.get_or_insert(open);
            business_secs += (close - open).num_seconds();
            found += 1;
            if found == n {
                return Some(WorkingDays {
                    clock_start: clock_start?,
                    due: close,
                    business_secs,
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests;
