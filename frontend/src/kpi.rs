//! The wall's headline numbers: the shared definition ([`pantau_shared::kpi`], the one the
//! server's snapshots use) counted over the tickets the panel shows, at the server's time,
//! in the tenant's day. Pure.

use crate::panel::Panel;
use crate::state::{Board, Entry};
use pantau_shared::kpi::{Counted, Instants, Kpis};
use pantau_shared::ticket::Ticket;

impl Counted for &Entry {
    fn ticket(&self) -> &Ticket {
        &self.ticket
    }

    fn instants(&self) -> Instants {
        self.at
    }
}

/// The numbers of the tickets `panel` shows at `now_ms` (server clock) for a tenant
/// `offset_minutes` east of UTC.
pub fn compute(board: &Board, panel: &Panel, now_ms: f64, offset_minutes: i32) -> Kpis {
    let now = chrono::DateTime::from_timestamp_millis(now_ms as i64).unwrap_or_default();
    Kpis::of_day(board.entries().filter(|e| panel.admits(&e.ticket)), now, offset_minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts follow the panel: an agency's panel counts only its own tickets.
    #[test]
    fn counts_follow_the_panel() {
        use pantau_shared::cursor::Cursor;
        use pantau_shared::fixtures::{report, report_mut};
        let mut board = Board::default();
        let c = |ms| Cursor { ms, seq: 0 };
        board.reset(c(0), vec![], Default::default(), vec![]);
        let mut road = report("TGR-2", "jalan_rusak", "2026-11-23T02:00:00Z");
        report_mut(&mut road).agency = Some("pupr".into());
        board.apply(c(0), c(1), &[report("TGR-1", "sampah", "2026-11-23T01:00:00Z"), road]);
        let now = 1_795_402_800_000.0; // 10:00 WIB the same day
        let new_today = |k: &Kpis| k.today.as_ref().map_or(0, |t| t.new);
        let all = compute(&board, &Panel::All, now, 420);
        assert_eq!((all.open, new_today(&all)), (2, 2));
        let loads: Vec<_> = all.agencies_by_load().into_iter().map(|l| (l.agency, l.open)).collect();
        assert_eq!(loads, vec![("dlh".to_owned(), 1), ("pupr".to_owned(), 1)]);
        let pupr = compute(&board, &Panel::Agency("pupr".into()), now, 420);
        assert_eq!((pupr.open, new_today(&pupr)), (1, 1));
        assert_eq!(pupr.open_by_agency.keys().collect::<Vec<_>>(), ["pupr"]);
    }
}
