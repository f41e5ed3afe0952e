//! What one session may see: its filters and the tickets it has been shown. An event is
//! delivered when its ticket matches the filters now or was shown before (so a client also
//! learns that a ticket left its filter, e.g. on reassignment); events without a ticket
//! (resource gauges) always pass. Also the `snapshot` a view starts from ([`snapshot_msg`]),
//! for live sessions, replaying sessions and the time machine alike. Pure, over the projection.

use crate::projection::Projection;
use pantau_shared::event::Event;
use pantau_shared::protocol::{Filters, Kpis, ServerMsg, TenantInfo};
use pantau_shared::ticket::Ticket;
use pantau_shared::PROTOCOL_VERSION;
use std::collections::HashSet;

/// The `snapshot` of `projection` as `view` sees it at `at_ms` (Unix ms; also its
/// `server_time`): the matching tickets newest first, at most `max`, counts over every match at
/// that instant, the gauges. The view now knows those tickets as shown.
pub fn snapshot_msg(projection: &Projection, tenant: TenantInfo, view: &mut View, at_ms: i64, max: usize) -> ServerMsg {
    let mut tickets: Vec<&Ticket> = projection.tickets().filter(|t| view.filters.matches(t)).collect();
    let at = chrono::DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
    let kpis = Kpis::of(tickets.iter().copied(), at);
    view.reset(tickets.iter().map(|t| t.id.as_str()));
    tickets.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
    tickets.truncate(max);
    ServerMsg::Snapshot {
        v: PROTOCOL_VERSION,
        cursor: projection.cursor(),
        server_time: at_ms,
        tenant: Box::new(tenant),
        tickets: tickets.into_iter().cloned().collect(),
        kpis,
        gauges: projection.gauges().cloned().collect(),
    }
}

/// A session's filters and the tickets it has seen.
#[derive(Debug, Default)]
pub struct View {
    pub filters: Filters,
    shown: HashSet<String>,
}

impl View {
    pub fn new(filters: Filters) -> Self {
        View {
            filters,
            shown: HashSet::new(),
        }
    }

    /// Whether everything passes (the shared frames can be sent as they are).
    pub fn is_unfiltered(&self) -> bool {
        self.filters.is_empty()
    }

    /// Remember the tickets a snapshot showed.
    pub fn reset<'a>(&mut self, shown: impl IntoIterator<Item = &'a str>) {
        self.shown = shown.into_iter().map(str::to_owned).collect();
    }

    /// Whether `event` goes to this session, updating what it has been shown.
    pub fn admit(&mut self, projection: &Projection, event: &Event) -> bool {
        if self.is_unfiltered() {
            return true;
        }
        let Some(id) = &event.ticket else { return true };
        let matches = projection.ticket(id).is_some_and(|t| self.filters.matches(t));
        let was_shown = if matches {
            !self.shown.insert(id.clone())
        } else {
            self.shown.remove(id)
        };
        matches || was_shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pantau_shared::cursor::Cursor;
    use pantau_shared::event::{Assignment, EventBody};
    use pantau_shared::fixtures::{event, report, report_mut};
    use std::sync::Arc;

    fn agency_report(ticket: &str, agency: &str) -> Event {
        let mut e = report(ticket, "sampah", "2026-11-23T02:00:00Z");
        report_mut(&mut e).agency = Some(agency.into());
        e
    }

    fn assign(ticket: &str, agency: &str) -> Event {
        let body = EventBody::TicketAssigned(Assignment {
            agency: agency.into(),
            officer: None,
            reason: None,
        });
        event(ticket, "2026-11-23T02:05:00Z", body)
    }

    /// A filtered view admits events of matching tickets, and one more event of a ticket
    /// that leaves its filter (so the client learns it left) — then nothing of it.
    #[test]
    fn a_ticket_leaving_the_filter_is_announced_once() {
        let mut projection = Projection::new(Arc::default());
        let mut view = View::new(Filters {
            agency: Some("dlh".into()),
            ..Filters::default()
        });
        let apply = |n: u64, e: &Event, projection: &mut Projection| {
            projection.apply(Cursor { ms: n, seq: 0 }, e);
        };
        let own = agency_report("TGR-1", "dlh");
        let other = agency_report("TGR-2", "pupr");
        apply(1, &own, &mut projection);
        apply(2, &other, &mut projection);
        assert!(view.admit(&projection, &own));
        assert!(!view.admit(&projection, &other));
        let away = assign("TGR-1", "pupr");
        apply(3, &away, &mut projection);
        assert!(view.admit(&projection, &away), "the client must learn the ticket left");
        let again = assign("TGR-1", "bpbd");
        apply(4, &again, &mut projection);
        assert!(
            !view.admit(&projection, &again),
            "after that it is none of its business"
        );
    }

    /// Unfiltered views admit everything; tenant-wide events pass every filter; a snapshot
    /// resets what was shown.
    #[test]
    fn unfiltered_and_tenant_wide_events_pass() {
        let mut projection = Projection::new(Arc::default());
        let e = agency_report("TGR-1", "pupr");
        projection.apply(Cursor { ms: 1, seq: 0 }, &e);
        assert!(View::default().admit(&projection, &e));
        let mut filtered = View::new(Filters {
            agency: Some("dlh".into()),
            ..Filters::default()
        });
        let mut gauge = e.clone();
        gauge.ticket = None;
        assert!(filtered.admit(&projection, &gauge));
        filtered.reset(["TGR-1"]);
        let away = assign("TGR-1", "bpbd");
        projection.apply(Cursor { ms: 2, seq: 0 }, &away);
        assert!(
            filtered.admit(&projection, &away),
            "shown by the snapshot, so told it left"
        );
    }
}
