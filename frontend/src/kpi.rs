//! The wall's headline numbers, computed from the tickets on the board at the server's
//! time, in the tenant's day (local midnight). Pure.

use crate::panel::Panel;
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

fn breached(t: &Ticket, now: chrono::DateTime<chrono::Utc>) -> bool {
    t.sla
        .as_ref()
        .is_some_and(|s| s.response.state(now) == SlaState::Breached || s.resolution.state(now) == SlaState::Breached)
}

/// The numbers of the tickets `panel` shows at `now_ms` (server clock) for a tenant
/// `offset_minutes` east of UTC.
pub fn compute(board: &Board, panel: &Panel, now_ms: f64, offset_minutes: i32) -> WallKpis {
    let today = day_start_ms(now_ms, offset_minutes);
    let now = chrono::DateTime::from_timestamp_millis(now_ms as i64).unwrap_or_default();
    let mut k = WallKpis::default();
    let (mut met, mut judged) = (0usize, 0usize);
    let mut responses = Vec::new();
    let mut agencies: BTreeMap<&str, usize> = BTreeMap::new();
    for (t, times) in board
        .entries()
        .map(|e| (&e.ticket, e.times))
        .filter(|(t, _)| panel.admits(t))
    {
        if times.created.is_some_and(|c| c >= today) {
            k.new_today += 1;
        }
        if t.status.is_open() {
            k.open += 1;
            *agencies.entry(t.agency.as_deref().unwrap_or("-")).or_default() += 1;
            k.breached_now += usize::from(breached(t, now));
        }
        if let Some(resolved) = times.resolved.filter(|r| *r >= today) {
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
        if let (Some(a), Some(c)) = (times.first_assigned, times.created) {
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
    k.open_by_agency = agencies.into_iter().map(|(a, n)| (a.to_owned(), n)).collect();
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

    /// Counts follow the panel: an agency's panel counts only its own tickets.
    #[test]
    fn counts_follow_the_panel() {
        use crate::fixtures::report;
        use pantau_shared::cursor::Cursor;
        let mut board = Board::default();
        let c = |ms| Cursor { ms, seq: 0 };
        board.reset(c(0), vec![], Default::default(), vec![]);
        let mut road = report("TGR-2", "jalan_rusak", "2026-11-23T02:00:00Z");
        if let pantau_shared::event::EventBody::ReportReceived(r) = &mut road.body {
            r.agency = Some("pupr".into());
        }
        board.apply(c(0), c(1), &[report("TGR-1", "sampah", "2026-11-23T01:00:00Z"), road]);
        let now = 1_795_402_800_000.0; // 10:00 WIB the same day
        let all = compute(&board, &Panel::All, now, 420);
        assert_eq!((all.open, all.new_today), (2, 2));
        assert_eq!(all.open_by_agency, vec![("dlh".to_owned(), 1), ("pupr".to_owned(), 1)]);
        let pupr = compute(&board, &Panel::Agency("pupr".into()), now, 420);
        assert_eq!((pupr.open, pupr.new_today), (1, 1));
        assert_eq!(pupr.open_by_agency, vec![("pupr".to_owned(), 1)]);
    }
}
