//! Wire types of the executive view: the reply of `GET /api/v1/{tenant}/kpis` ([`KpiReport`])
//! and the breach forecast ([`Forecast`], computed by [`crate::forecast`]). Pure data: the
//! server fills them from its incremental statistics, the `/kpi` page and the wall's
//! forecast panel draw them.
//!
//! All instants are Unix milliseconds (UTC); "local" days and hours are the tenant's (fixed
//! UTC offset, Indonesia has no DST). Durations are minutes (`f64`). A ratio that has no
//! denominator (nothing judged, nothing resolved) is `None`, never `0` or `NaN`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The period a report covers, in whole local days ending now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Window {
    /// Local midnight to now.
    #[default]
    #[serde(rename = "today")]
    Today,
    /// The last 7 local days including today (6 whole days before today's midnight, to now).
    #[serde(rename = "7d")]
    Days7,
    /// The last 30 local days including today.
    #[serde(rename = "30d")]
    Days30,
}

impl Window {
    /// Every window, shortest first.
    pub const ALL: [Window; 3] = [Window::Today, Window::Days7, Window::Days30];

    /// Wire name (`today`, `7d`, `30d`), as in the `window` query parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Window::Today => "today",
            Window::Days7 => "7d",
            Window::Days30 => "30d",
        }
    }

    /// Number of local days the window spans (today counts as one).
    pub fn days(self) -> i64 {
        match self {
            Window::Today => 1,
            Window::Days7 => 7,
            Window::Days30 => 30,
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Window {
    type Err = ();

    /// Parse a wire name (`today`, `7d`, `30d`).
    fn from_str(s: &str) -> Result<Self, ()> {
        Window::ALL.into_iter().find(|w| w.as_str() == s).ok_or(())
    }
}

/// What a breakdown groups tickets by (their current value of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Responsible agency (OPD) code; `-` when not routed.
    Agency,
    /// Category code (`sampah`, `banjir`, ...).
    Category,
    /// Kecamatan code (label: its name); `-` when not placed.
    Kecamatan,
    /// Intake channel (`whatsapp`, `web`, ...); `-` when not given.
    Channel,
}

impl Dimension {
    /// Every dimension.
    pub const ALL: [Dimension; 4] = [
        Dimension::Agency,
        Dimension::Category,
        Dimension::Kecamatan,
        Dimension::Channel,
    ];

    /// Wire name, as in the `by` query parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Agency => "agency",
            Dimension::Category => "category",
            Dimension::Kecamatan => "kecamatan",
            Dimension::Channel => "channel",
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dimension {
    type Err = ();

    /// Parse a wire name (`agency`, `category`, `kecamatan`, `channel`).
    fn from_str(s: &str) -> Result<Self, ()> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s).ok_or(())
    }
}

/// The key used for a ticket with no value in a dimension (not routed, not placed, ...).
pub const NONE_KEY: &str = "-";

/// Median and 90th percentile of a set of durations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Spread {
    /// Number of durations measured.
    pub count: u64,
    /// Median, minutes (mean of the two middle values for an even count); `None` when empty.
    pub median: Option<f64>,
    /// 90th percentile, minutes (nearest rank: the value at rank ⌈0.9·n⌉); `None` when empty.
    pub p90: Option<f64>,
}

/// The numbers of one period over one set of tickets (all, or one breakdown row).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KpiSet {
    /// Reports created in the period.
    pub intake: u64,
    /// Tickets open (not resolved, closed or rejected) at the end of the period.
    pub backlog: u64,
    /// Tickets whose latest resolution falls in the period.
    pub resolved: u64,
    /// Tickets rejected in the period (by their last update).
    pub rejected: u64,
    /// Tickets whose latest reopening falls in the period.
    pub reopened: u64,
    /// Response targets judged in the period: met by a first assignment, or breached.
    pub response_judged: u64,
    /// Of those, met (first assignment at or before the deadline).
    pub response_met: u64,
    /// `response_met / response_judged`, 0..=1; `None` when nothing was judged.
    pub response_compliance: Option<f64>,
    /// Resolution targets judged in the period: met by a resolution, or breached.
    pub resolution_judged: u64,
    /// Of those, met (resolved at or before the deadline).
    pub resolution_met: u64,
    /// `resolution_met / resolution_judged`, 0..=1; `None` when nothing was judged.
    pub resolution_compliance: Option<f64>,
    /// Report to first assignment, wall-clock minutes, over first assignments in the period.
    pub response_wall: Spread,
    /// The same in business minutes (the ticket's SLA calendar, pauses excluded).
    pub response_business: Spread,
    /// Report to latest resolution, wall-clock minutes, over resolutions in the period.
    pub resolution_wall: Spread,
    /// The same in business minutes (the ticket's SLA calendar, pauses excluded).
    pub resolution_business: Spread,
    /// `reopened / resolved`, 0..; `None` when nothing was resolved.
    pub reopen_rate: Option<f64>,
    /// Follow-ups the validator refused ("TL ditolak") on tickets last updated in the
    /// period (a ticket counts each of its refusals).
    #[serde(default)]
    pub follow_ups_refused: u64,
}

/// One row of a breakdown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreakdownRow {
    /// The dimension's value (agency code, category, kecamatan code, channel; [`NONE_KEY`]).
    pub key: String,
    /// A human name for the key where one is known (the kecamatan's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The period's numbers of the tickets with this key.
    pub kpis: KpiSet,
    /// The previous period's numbers of the same tickets (for change arrows per row).
    pub previous: KpiSet,
}

/// The numbers split by one dimension.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breakdown {
    pub dimension: Dimension,
    /// One row per key seen in the current or the previous period, ordered by key.
    pub rows: Vec<BreakdownRow>,
}

/// One bar of a trend chart.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bucket {
    /// Start of the hour or day (local boundary), Unix ms.
    pub start_ms: i64,
    /// Reports created in the bucket.
    pub intake: u64,
    /// Latest resolutions in the bucket.
    pub resolved: u64,
    /// Open tickets at the end of the bucket (at `server_time` for the current bucket).
    pub backlog: u64,
    /// Resolution compliance over targets judged in the bucket; `None` when none.
    pub resolution_compliance: Option<f64>,
    /// Response compliance over targets judged in the bucket; `None` when none.
    pub response_compliance: Option<f64>,
}

/// Trend series, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trend {
    /// Today's local hours from midnight up to and including the current hour.
    pub hourly: Vec<Bucket>,
    /// The last 30 local days including today.
    pub daily: Vec<Bucket>,
}

/// The forecast for one agency's open tickets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyForecast {
    /// Agency code ([`NONE_KEY`] for tickets not routed).
    pub agency: String,
    /// Open tickets now.
    pub open: u64,
    /// Open tickets whose resolution deadline has already passed.
    pub overdue: u64,
    /// Resolutions in the last 24 hours divided by 24 (tickets per hour).
    pub resolution_rate_per_hour: f64,
    /// Open tickets forecast to breach their resolution deadline within 1 hour from now.
    pub breach_1h: u64,
    /// ... within 4 hours (includes those within 1 hour).
    pub breach_4h: u64,
    /// ... within 24 hours (includes those within 4 hours).
    pub breach_24h: u64,
}

/// A ticket forecast to breach within 24 hours.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AtRisk {
    /// Ticket number.
    pub ticket: String,
    /// Agency code ([`NONE_KEY`] if not routed).
    pub agency: String,
    pub category: String,
    /// Kecamatan name, if placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kecamatan: Option<String>,
    /// Resolution deadline, Unix ms.
    pub deadline_ms: i64,
    /// Minutes from the forecast's `now` to the deadline.
    pub minutes_left: f64,
    /// 1-based position in its agency's queue (open tickets in deadline order, overdue first).
    pub queue_position: u64,
}

/// Breach forecast: see [`crate::forecast`] for the model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Forecast {
    /// The instant forecast from, Unix ms.
    pub now_ms: i64,
    /// One entry per agency with open tickets, most `breach_24h` first (ties by code).
    pub per_agency: Vec<AgencyForecast>,
    /// Tickets forecast to breach within 24 hours, earliest deadline first, at most 20.
    pub at_risk: Vec<AtRisk>,
}

/// The reply of `GET /api/v1/{tenant}/kpis?window=…&by=…`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KpiReport {
    /// Tenant slug.
    pub tenant: String,
    pub window: Window,
    /// The tenant's offset from UTC, minutes (WIB 420, WITA 480, WIT 540).
    pub utc_offset_minutes: i32,
    /// Start of the window (a local midnight), Unix ms.
    pub from_ms: i64,
    /// End of the window (now), Unix ms.
    pub to_ms: i64,
    /// The server's clock when the report was made, Unix ms (equals `to_ms`).
    pub server_time: i64,
    /// The window's numbers over all tickets.
    pub totals: KpiSet,
    /// The same number of whole local days just before `from_ms`, for change arrows.
    pub previous: KpiSet,
    /// Start of the previous period, Unix ms (it ends at `from_ms`).
    pub previous_from_ms: i64,
    /// The numbers per key of the `by` dimension, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Breakdown>,
    /// Hourly (today) and daily (30 days) series over all tickets.
    pub trend: Trend,
    /// Breach forecast for the open tickets at `server_time`.
    pub forecast: Forecast,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Window and dimension wire names round-trip through serde and `FromStr`.
    #[test]
    fn names_round_trip() {
        for w in Window::ALL {
            assert_eq!(w.as_str().parse::<Window>(), Ok(w));
            assert_eq!(serde_json::to_string(&w).unwrap(), format!("\"{w}\""));
        }
        for d in Dimension::ALL {
            assert_eq!(d.as_str().parse::<Dimension>(), Ok(d));
            assert_eq!(serde_json::to_string(&d).unwrap(), format!("\"{d}\""));
        }
        assert!("week".parse::<Window>().is_err());
        assert!("officer".parse::<Dimension>().is_err());
    }
}
