//! The wall's headline numbers, computed from the tickets on the board at the server's
//! time, in the tenant's day (local midnight). Pure.

use crate::state::Board;
use pantau_shared::sla::SlaState;
use pantau_shared::ticket::Ticket;
use std::collections::BTreeMap;

const DAY_MS: f64 = 86_400_000.0;

/// Local midnight (as UTC ms) of the day containing `now_ms` in a zone `offset_minutes` east.
pub fn day_start_ms(now_ms: f64, offset_minutes: i32) -> f64 {
    let offset = f64::from(offset_minutes) * 60_000.0;
    ((now_ms + offset) / DAY_MS).floor() * DAY_MS - offset
}

/// Headline numbers of the wall.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WallKpis {
    pub open: usize,
    pub new_today: usize,
    pub resolved_today: usize,
    /// Open tickets with a breached target.
    pub breached_now: usize,
    /// Share of today's resolutions within their resolution target.
    pub compliance_today: Option<f64>,
    /// Median minutes from report to first assignment, over tickets assigned today.
    pub median_response_minutes: Option<f64>,
    /// Open tickets per agency, most first.
    pub open_by_agency: Vec<(String, usize)>,
}

fn ms(s: &str) -> Option<f64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.timestamp_millis() as f64)
}

fn breached(t: &Ticket, now: chrono::DateTime<chrono::Utc>) -> bool {
    t.sla
        .as_ref()
        .is_some_and(|s| s.response.state(now) == SlaState::Breached || s.resolution.state(now) == SlaState::Breached)
}

/// The numbers at `now_ms` (server clock) for a tenant `offset_minutes` east of UTC.
pub fn compute(board: &Board, now_ms: f64, offset_minutes: i32) -> WallKpis {
    let today = day_start_ms(now_ms, offset_minutes);
    let now = chrono::DateTime::from_timestamp_millis(now_ms as i64).unwrap_or_default();
    let mut k = WallKpis::default();
    let (mut met, mut judged) = (0usize, 0usize);
    let mut responses = Vec::new();
    let mut agencies: BTreeMap<String, usize> = BTreeMap::new();
    for t in board.tickets.values() {
        if ms(&t.created_at).is_some_and(|c| c >= today) {
            k.new_today += 1;
        }
        if t.status.is_open() {
            k.open += 1;
            *agencies
                .entry(t.agency.clone().unwrap_or_else(|| "-".into()))
                .or_default() += 1;
            k.breached_now += usize::from(breached(t, now));
        }
        if let Some(resolved) = t.resolved_at.as_deref().and_then(ms).filter(|r| *r >= today) {
            k.resolved_today += 1;
            if let Some(sla) = &t.sla {
                judged += 1;
                met += usize::from(
                    sla.resolution
                        .deadline
                        .is_none_or(|d| resolved <= d.timestamp_millis() as f64),
                );
            }
        }
        if let (Some(a), Some(c)) = (t.first_assigned_at.as_deref().and_then(ms), ms(&t.created_at)) {
            if a >= today {
                responses.push((a - c) / 60_000.0);
            }
        }
    }
    k.compliance_today = (judged > 0).then(|| met as f64 / judged as f64);
    responses.sort_by(f64::total_cmp);
    k.median_response_minutes = match responses.len() {
        0 => None,
        n if n % 2 == 1 => Some(responses[n / 2]),
        n => Some((responses[n / 2 - 1] + responses[n / 2]) / 2.0),
    };
    k.open_by_agency = agencies.into_iter().collect();
    k.open_by_agency
        .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Local midnight in WIB is 17:00 UTC the day before.
    #[test]
    fn day_starts_at_local_midnight() {
        let now = 1_795_402_800_000.0; // 2026-11-23T03:00:00Z = 10:00 WIB
        let start = day_start_ms(now, 420);
        assert_eq!(start, 1_795_402_800_000.0 - 10.0 * 3_600_000.0);
        assert_eq!(day_start_ms(start, 420), start);
    }
}
