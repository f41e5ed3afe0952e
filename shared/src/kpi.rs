//! The headline numbers (KPIs), defined once: the server counts them for snapshots and
//! `GET /api/v1/{tenant}/sla`, and the wall recounts them from its deltas with the same
//! function. Pure: tickets in, an instant and (for the day's numbers) the tenant's UTC
//! offset; no clock, no I/O.
//!
//! Definitions, all at `now`:
//! - **open**: status not `resolved`, `closed` or `rejected`; also per agency (`-` when not
//!   routed) and, over every ticket, per status;
//! - **breached now**: open tickets with either target past its deadline;
//! - **SLA states**: tickets per state of their response and of their resolution target;
//! - **the day** (local midnight to `now` in the tenant's zone): **new** (reported since
//!   midnight), **resolved** (resolved since midnight, by their latest resolution),
//!   **compliance** (share of those resolutions met within their resolution target, over
//!   the ones with a target) and **median response** (minutes from report to first
//!   assignment over tickets first assigned since midnight; the mean of the two middle
//!   values for an even count).

use crate::sla::SlaState;
use crate::ticket::Ticket;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The agency key of a ticket not routed to any.
pub const UNROUTED: &str = "-";

const DAY_MS: i64 = 86_400_000;

/// Local midnight (as Unix ms) of the day containing `now_ms` in a zone `offset_minutes`
/// east of UTC (Indonesia has no daylight saving time, so a fixed offset is exact).
pub fn day_start_ms(now_ms: i64, offset_minutes: i32) -> i64 {
    let offset = i64::from(offset_minutes) * 60_000;
    (now_ms + offset).div_euclid(DAY_MS) * DAY_MS - offset
}

/// A ticket's instants as Unix ms, parsed from its RFC 3339 fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Instants {
    pub created: Option<i64>,
    pub first_assigned: Option<i64>,
    pub resolved: Option<i64>,
}

impl Instants {
    /// Parse the instants of `t` (an unparseable one is `None`).
    pub fn of(t: &Ticket) -> Instants {
        let ms = |s: &str| DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp_millis());
        Instants {
            created: ms(&t.created_at),
            first_assigned: t.first_assigned_at.as_deref().and_then(ms),
            resolved: t.resolved_at.as_deref().and_then(ms),
        }
    }
}

/// What the KPIs count: a ticket and its instants. A plain `&Ticket` parses them as it is
/// counted; a caller that counts the same tickets often (the wall, twice a second) keeps
/// them parsed and implements this for its own entries.
pub trait Counted {
    fn ticket(&self) -> &Ticket;
    fn instants(&self) -> Instants;
}

impl Counted for &Ticket {
    fn ticket(&self) -> &Ticket {
        self
    }

    fn instants(&self) -> Instants {
        Instants::of(self)
    }
}

/// The day's numbers in the tenant's zone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Today {
    /// Local midnight the day is counted from, Unix ms.
    pub since_ms: i64,
    /// Reported since midnight.
    pub new: u64,
    /// Resolved since midnight.
    pub resolved: u64,
    /// Of those, the ones within their resolution target, and the ones that had one.
    pub resolved_on_time: u64,
    pub resolved_with_target: u64,
    /// `resolved_on_time / resolved_with_target`; `None` when nothing was judged.
    pub compliance: Option<f64>,
    /// Median minutes from report to first assignment, over tickets first assigned today.
    pub median_response_minutes: Option<f64>,
}

/// Headline counts over a set of tickets (a snapshot's, a panel's) at one instant.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Kpis {
    pub total: u64,
    /// Tickets not resolved, closed or rejected.
    pub open: u64,
    /// Count per status (`received`, `in_progress`, ...).
    pub by_status: BTreeMap<String, u64>,
    /// Open tickets per agency ([`UNROUTED`] when not routed).
    pub open_by_agency: BTreeMap<String, u64>,
    /// Tickets per state of their resolution target (`on_track`, `warning`, `breached`,
    /// `paused`, `met`, `missed`).
    #[serde(default)]
    pub resolution_sla: BTreeMap<String, u64>,
    /// Tickets per state of their response target.
    #[serde(default)]
    pub response_sla: BTreeMap<String, u64>,
    /// Open tickets with a breached target.
    #[serde(default)]
    pub breached_now: u64,
    /// The day's numbers; only when counted in a zone ([`Kpis::of_day`]). Boxed: snapshots
    /// are mostly sent without it, and it would double the size of every `ServerMsg`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub today: Option<Box<Today>>,
}

/// Open tickets of one agency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgencyLoad {
    pub agency: String,
    pub open: u64,
}

/// Add one to `key` (allocating the key only the first time it is seen).
fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_owned(), 1);
        }
    }
}

/// Median of `values` (reordered in place); `None` when empty.
pub fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[n / 2]),
        n => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

impl Kpis {
    /// The counts at `now` without the day's numbers (no zone given).
    pub fn of<I>(tickets: I, now: DateTime<Utc>) -> Kpis
    where
        I: IntoIterator,
        I::Item: Counted,
    {
        count(tickets, now, None)
    }

    /// The counts at `now` and the day's numbers in a zone `utc_offset_minutes` east of UTC.
    pub fn of_day<I>(tickets: I, now: DateTime<Utc>, utc_offset_minutes: i32) -> Kpis
    where
        I: IntoIterator,
        I::Item: Counted,
    {
        count(tickets, now, Some(utc_offset_minutes))
    }

    /// Open tickets per agency, busiest first (ties by code).
    pub fn agencies_by_load(&self) -> Vec<AgencyLoad> {
        let mut rows: Vec<AgencyLoad> = self
            .open_by_agency
            .iter()
            .map(|(agency, open)| AgencyLoad {
                agency: agency.clone(),
                open: *open,
            })
            .collect();
        rows.sort_by(|a, b| b.open.cmp(&a.open).then_with(|| a.agency.cmp(&b.agency)));
        rows
    }
}

/// The one pass over the tickets behind [`Kpis::of`] and [`Kpis::of_day`].
fn count<I>(tickets: I, now: DateTime<Utc>, utc_offset_minutes: Option<i32>) -> Kpis
where
    I: IntoIterator,
    I::Item: Counted,
{
    let since = utc_offset_minutes.map(|o| day_start_ms(now.timestamp_millis(), o));
    let mut k = Kpis::default();
    let mut today = Today {
        since_ms: since.unwrap_or_default(),
        ..Today::default()
    };
    let mut responses = Vec::new();
    for item in tickets {
        let t = item.ticket();
        k.total += 1;
        bump(&mut k.by_status, t.status.as_str());
        let open = t.status.is_open();
        if open {
            k.open += 1;
            bump(&mut k.open_by_agency, t.agency.as_deref().unwrap_or(UNROUTED));
        }
        let states = t.sla.as_ref().map(|s| (s.response.state(now), s.resolution.state(now)));
        if let Some((response, resolution)) = states {
            bump(&mut k.response_sla, response.as_str());
            bump(&mut k.resolution_sla, resolution.as_str());
            if open && (response == SlaState::Breached || resolution == SlaState::Breached) {
                k.breached_now += 1;
            }
        }
        let Some(since) = since else { continue };
        let at = item.instants();
        if at.created.is_some_and(|c| c >= since) {
            today.new += 1;
        }
        if at.resolved.is_some_and(|r| r >= since) {
            today.resolved += 1;
            if let Some(state @ (SlaState::Met | SlaState::Missed)) = states.map(|s| s.1) {
                today.resolved_with_target += 1;
                today.resolved_on_time += u64::from(state == SlaState::Met);
            }
        }
        if let (Some(a), Some(c)) = (at.first_assigned, at.created) {
            if a >= since {
                responses.push((a - c) as f64 / 60_000.0);
            }
        }
    }
    if since.is_some() {
        today.compliance =
            (today.resolved_with_target > 0).then(|| today.resolved_on_time as f64 / today.resolved_with_target as f64);
        today.median_response_minutes = median(&mut responses);
        k.today = Some(Box::new(today));
    }
    k
}

#[cfg(test)]
mod tests;
