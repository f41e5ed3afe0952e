//! SLA deadline math: pure, deterministic, no clock of its own. The server (projection and
//! emitter) and the wall (countdowns) run this same code, so they agree to the second.
//!
//! A target (response: until first assignment; resolution: until resolved) runs only in its
//! calendar's business time — 24/7, or office hours per weekday in the tenant's fixed UTC
//! offset minus the tenant's holidays — and stops while the ticket waits for the citizen
//! (`pending_citizen`). deadline = start + target business time + business time paused.
//! A reopened ticket's resolution target starts again at the reopening.
//!
//! A resolution target may instead be an SP4N-LAPOR tier of N working days ([`tiers`]): the
//! ticket's tier (chosen at verification) if the tenant knows it, else its category's.

use crate::event::Priority;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub mod tiers;
pub use tiers::Tier;

/// Opening hours of one weekday, minutes after local midnight, `open < close`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hours {
    pub open: u16,
    pub close: u16,
}

/// When the clock of a target runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Calendar {
    /// Hours per weekday, Monday first; `None` = round the clock, every day.
    pub week: Option<[Option<Hours>; 7]>,
    /// Local dates with no business hours (national holidays, collective leave).
    #[serde(default)]
    pub holidays: BTreeSet<NaiveDate>,
    /// The tenant's offset from UTC, minutes (Indonesia has no DST: WIB 420, WITA 480, WIT 540).
    pub utc_offset_minutes: i32,
}

/// Targets for one category × priority.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Policy {
    pub category: String,
    pub priority: Priority,
    pub response_minutes: u32,
    pub resolution_minutes: u32,
    /// Index into [`SlaConfig::calendars`].
    pub calendar: usize,
}

/// A tenant's SLA rules, sent to walls with the snapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaConfig {
    /// Share of a target after which it is in `warning` (e.g. 0.75).
    pub warning_share: f64,
    pub calendars: Vec<Calendar>,
    pub policies: Vec<Policy>,
    /// SP4N-LAPOR deadline tiers (resolution in working days); none unless configured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
}

/// A span in which the clocks stood still (the ticket was `pending_citizen`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pause {
    pub from: DateTime<Utc>,
    /// `None` while still paused.
    pub to: Option<DateTime<Utc>>,
}

/// The facts of a ticket the targets depend on.
#[derive(Clone, Copy, Debug)]
pub struct Clocks<'a> {
    pub category: &'a str,
    pub priority: Priority,
    pub created_at: DateTime<Utc>,
    pub first_assigned_at: Option<DateTime<Utc>>,
    /// When the current resolution attempt started (creation, or the last reopening).
    pub resolution_started_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub pauses: &'a [Pause],
    /// The deadline tier picked at verification, overriding the category's.
    pub tier: Option<&'a str>,
}

/// One target of one ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Target {
    pub minutes: u32,
    pub started_at: DateTime<Utc>,
    /// When it falls due; `None` while paused (the clock is not running).
    pub deadline: Option<DateTime<Utc>>,
    /// When it enters `warning`; `None` while paused.
    pub warn_at: Option<DateTime<Utc>>,
    /// When it was met (assigned / resolved), if it was.
    pub done_at: Option<DateTime<Utc>>,
    /// Business seconds left when the clock was paused.
    pub paused_remaining_secs: Option<i64>,
}

/// Where a target stands at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    OnTrack,
    Warning,
    Breached,
    Paused,
    Met,
    Missed,
}

impl SlaState {
    pub fn as_str(self) -> &'static str {
        match self {
            SlaState::OnTrack => "on_track",
            SlaState::Warning => "warning",
            SlaState::Breached => "breached",
            SlaState::Paused => "paused",
            SlaState::Met => "met",
            SlaState::Missed => "missed",
        }
    }
}

impl Target {
    /// The state at `now`.
    pub fn state(&self, now: DateTime<Utc>) -> SlaState {
        match (self.done_at, self.deadline) {
            (Some(done), Some(deadline)) => {
                return if done <= deadline {
                    SlaState::Met
                } else {
                    SlaState::Missed
                }
            }
            (Some(_), None) => return SlaState::Met,
            _ => {}
        }
        match (self.deadline, self.warn_at) {
            (None, _) => SlaState::Paused,
            (Some(d), _) if now > d => SlaState::Breached,
            (Some(_), Some(w)) if now >= w => SlaState::Warning,
            _ => SlaState::OnTrack,
        }
    }
}

/// Both targets of a ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketSla {
    pub response: Target,
    pub resolution: Target,
}

/// Round the clock for this many days at most when looking for open hours (a calendar
/// with none is treated as 24/7 rather than looping forever).
const SEARCH_DAYS: i64 = 800;

impl Calendar {
    /// The business interval containing or following `t`: `[start, end)`.
    fn next_open(&self, t: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let forever = t + Duration::days(365 * 100);
        let Some(week) = &self.week else { return (t, forever) };
        let offset = Duration::minutes(i64::from(self.utc_offset_minutes));
        let local = (t + offset).date_naive();
        for day in 0..SEARCH_DAYS {
            let date = local + Duration::days(day);
            if self.holidays.contains(&date) {
                continue;
            }
            let Some(hours) = week[date.weekday().num_days_from_monday() as usize] else {
                continue;
            };
            let at = |minutes: u16| {
                let time =
                    NaiveTime::from_num_seconds_from_midnight_opt(u32::from(minutes) * 60, 0).expect("minutes < 1440");
                Utc.from_utc_datetime(&date.and_time(time)) - offset
            };
            let (open, close) = (at(hours.open), at(hours.close));
            if close > t {
                return (open.max(t), close);
            }
        }
        (t, forever)
    }

    /// `start` plus `secs` of business time not inside `pauses`; `Err(remaining)` when an
    /// open pause stops the clock first.
    pub fn add(&self, start: DateTime<Utc>, secs: i64, pauses: &[Pause]) -> Result<DateTime<Utc>, i64> {
        let mut remaining = secs;
        let mut t = start;
        loop {
            let (a, b) = self.next_open(t);
            let mut seg = a;
            for p in pauses {
                if p.to.is_some_and(|to| to <= seg) || p.from >= b {
                    continue;
                }
                if p.from > seg {
                    let len = (p.from.min(b) - seg).num_seconds();
                    if len >= remaining {
                        return Ok(seg + Duration::seconds(remaining));
                    }
                    remaining -= len;
                }
                match p.to {
                    None => return Err(remaining),
                    Some(to) => seg = seg.max(to),
                }
                if seg >= b {
                    break;
                }
            }
            if seg < b {
                let len = (b - seg).num_seconds();
                if len >= remaining {
                    return Ok(seg + Duration::seconds(remaining));
                }
                remaining -= len;
            }
            t = b;
        }
    }
}

impl SlaConfig {
    /// The policy for a category × priority.
    pub fn policy(&self, category: &str, priority: Priority) -> Option<&Policy> {
        self.policies
            .iter()
            .find(|p| p.category == category && p.priority == priority)
    }

    /// The tier with this code.
    pub fn tier(&self, code: &str) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.code == code)
    }

    /// The tier a ticket's resolution runs under: `picked` (at verification) when the tenant
    /// knows it, else the category's, else none (the category's hour target).
    pub fn tier_of(&self, category: &str, picked: Option<&str>) -> Option<&Tier> {
        picked
            .and_then(|code| self.tier(code))
            .or_else(|| self.tiers.iter().find(|t| t.categories.iter().any(|c| c == category)))
    }

    /// Both targets of a ticket, or `None` when no policy covers it.
    pub fn evaluate(&self, c: &Clocks<'_>) -> Option<TicketSla> {
        let policy = self.policy(c.category, c.priority)?;
        let calendar = self.calendars.get(policy.calendar)?;
        // `secs` of business time on `calendar`, counted from `from` (the clock start).
        let target = |calendar: &Calendar,
                      secs: i64,
                      from: DateTime<Utc>,
                      started_at: DateTime<Utc>,
                      done_at: Option<DateTime<Utc>>| {
            let warn_secs = (secs as f64 * self.warning_share).round() as i64;
            // A target met before a later pause is judged without it.
            let relevant: Vec<Pause> = c
                .pauses
                .iter()
                .filter(|p| done_at.is_none_or(|d| p.from < d))
                .cloned()
                .collect();
            let (deadline, paused) = match calendar.add(from, secs, &relevant) {
                Ok(d) => (Some(d), None),
                Err(left) if done_at.is_none() => (None, Some(left)),
                // Done while paused: judged against the deadline ignoring the open pause.
                Err(_) => (calendar.add(from, secs, &[]).ok(), None),
            };
            Target {
                minutes: u32::try_from(secs / 60).unwrap_or(u32::MAX),
                started_at,
                deadline,
                warn_at: deadline.and_then(|_| calendar.add(from, warn_secs, &relevant).ok()),
                done_at,
                paused_remaining_secs: paused,
            }
        };
        let hours = |minutes: u32, started_at: DateTime<Utc>, done_at: Option<DateTime<Utc>>| {
            target(calendar, i64::from(minutes) * 60, started_at, started_at, done_at)
        };
        let started = c.resolution_started_at;
        let tiered = self.tier_of(c.category, c.tier).and_then(|tier| {
            let calendar = self.calendars.get(tier.calendar)?;
            let days = calendar.working_days(started, tier.working_days)?;
            Some(target(
                calendar,
                days.business_secs,
                days.clock_start,
                started,
                c.resolved_at,
            ))
        });
        Some(TicketSla {
            response: hours(policy.response_minutes, c.created_at, c.first_assigned_at),
            resolution: tiered.unwrap_or_else(|| hours(policy.resolution_minutes, started, c.resolved_at)),
        })
    }
}

#[cfg(test)]
mod tests;
