//! The [`KpiReport`] of a window at an instant in the tenant's zone: totals, the previous
//! period, an optional breakdown, hourly and daily trends and the breach forecast. Reads
//! the hour cells of [`Stats`] and, for the forecast, only the open and recently resolved
//! tickets. Pure: the caller passes `now` and the zone.

use super::cells::{hour_of, Scope, HOUR_MS};
use super::Stats;
use pantau_shared::forecast::{forecast, RATE_WINDOW_HOURS};
use pantau_shared::kpi::day_start_ms;
use pantau_shared::stats::{Breakdown, BreakdownRow, Bucket, Dimension, KpiReport, KpiSet, Trend, Window};
use pantau_shared::ticket::Ticket;

const DAY_MS: i64 = 86_400_000;

/// Days in the daily trend.
pub const TREND_DAYS: i64 = 30;

/// A window's bounds at `now_ms`: (from, previous_from), Unix ms.
pub fn bounds(window: Window, now_ms: i64, utc_offset_minutes: i32) -> (i64, i64) {
    let today = day_start_ms(now_ms, utc_offset_minutes);
    let from = today - (window.days() - 1) * DAY_MS;
    (from, from - window.days() * DAY_MS)
}

/// The window's numbers and the previous period's for one scope.
fn pair(scope: &Scope, from_ms: i64, previous_from_ms: i64) -> (KpiSet, KpiSet) {
    let from = hour_of(from_ms);
    (
        scope.kpis(from, None),
        scope.kpis(hour_of(previous_from_ms), Some(from)),
    )
}

/// One trend bucket `[start, start + len)` (the backlog at its end; now for the current one,
/// since no cell lies in the future).
fn bucket(scope: &Scope, start_ms: i64, len_ms: i64) -> Bucket {
    let k = scope.kpis(hour_of(start_ms), Some(hour_of(start_ms + len_ms)));
    Bucket {
        start_ms,
        intake: k.intake,
        resolved: k.resolved,
        backlog: k.backlog,
        resolution_compliance: k.resolution_compliance,
        response_compliance: k.response_compliance,
    }
}

/// Hourly buckets of today up to the current hour, daily buckets of the last 30 days.
pub fn trend(scope: &Scope, now_ms: i64, utc_offset_minutes: i32) -> Trend {
    let today = day_start_ms(now_ms, utc_offset_minutes);
    let hours = (now_ms - today).div_euclid(HOUR_MS) + 1;
    Trend {
        hourly: (0..hours)
            .map(|h| bucket(scope, today + h * HOUR_MS, HOUR_MS))
            .collect(),
        daily: (0..TREND_DAYS)
            .rev()
            .map(|d| bucket(scope, today - d * DAY_MS, DAY_MS))
            .collect(),
    }
}

/// The rows of a breakdown by `dimension`, ordered by key; keys with nothing in either
/// period and no backlog are left out.
pub fn breakdown(stats: &Stats, dimension: Dimension, from_ms: i64, previous_from_ms: i64) -> Breakdown {
    let rows = stats
        .by(dimension)
        .iter()
        .filter_map(|(key, scope)| {
            let (kpis, previous) = pair(scope, from_ms, previous_from_ms);
            let empty = KpiSet::default();
            (kpis != empty || previous != empty).then(|| BreakdownRow {
                key: key.clone(),
                label: stats.label(dimension, key).map(str::to_owned),
                kpis,
                previous,
            })
        })
        .collect();
    Breakdown { dimension, rows }
}

/// What a report is asked for.
#[derive(Clone, Copy, Debug)]
pub struct Ask<'a> {
    pub tenant: &'a str,
    pub window: Window,
    pub by: Option<Dimension>,
    pub now_ms: i64,
    pub utc_offset_minutes: i32,
}

/// The full report; `ticket` looks a ticket up by id (for the forecast).
pub fn report<'t>(stats: &Stats, ask: Ask<'_>, ticket: impl Fn(&str) -> Option<&'t Ticket>) -> KpiReport {
    let (from_ms, previous_from_ms) = bounds(ask.window, ask.now_ms, ask.utc_offset_minutes);
    let (totals, previous) = pair(stats.all(), from_ms, previous_from_ms);
    let since = ask.now_ms - RATE_WINDOW_HOURS * HOUR_MS;
    let relevant = stats.open_ids().chain(stats.resolved_since(since)).filter_map(&ticket);
    KpiReport {
        tenant: ask.tenant.to_owned(),
        window: ask.window,
        utc_offset_minutes: ask.utc_offset_minutes,
        from_ms,
        to_ms: ask.now_ms,
        server_time: ask.now_ms,
        totals,
        previous,
        previous_from_ms,
        by: ask.by.map(|d| breakdown(stats, d, from_ms, previous_from_ms)),
        trend: trend(stats.all(), ask.now_ms, ask.utc_offset_minutes),
        forecast: forecast(relevant, ask.now_ms),
    }
}
