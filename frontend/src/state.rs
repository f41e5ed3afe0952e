//! What the wall knows, as signals fed by the socket, plus the pure rules that update them
//! (kept free of the DOM so they are tested natively). Tickets are folded from the events
//! with the same code the server uses (`pantau_shared::ticket`), so wall and server agree.

use leptos::prelude::*;
use pantau_shared::cursor::Cursor;
use pantau_shared::event::{Event, EventBody};
use pantau_shared::protocol::{Gauge, LinkState, ServerMsg, TenantInfo};
use pantau_shared::sla::SlaConfig;
use pantau_shared::ticket::Ticket;
use std::collections::{BTreeMap, HashMap};

/// Newest tickets listed on screen.
pub const MAX_LISTED: usize = 50;

/// The socket's state as shown to operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnStatus {
    /// First connection not yet up.
    Connecting,
    /// Subscribed; data is current.
    Live,
    /// Connected, but the server cannot reach its event store: data may be stale.
    Degraded,
    /// Lost; retrying. Data on screen may be stale.
    Reconnecting,
}

impl ConnStatus {
    /// Value of the indicator's `data-state` attribute.
    pub fn code(self) -> &'static str {
        match self {
            ConnStatus::Connecting => "connecting",
            ConnStatus::Live => "live",
            ConnStatus::Degraded => "degraded",
            ConnStatus::Reconnecting => "reconnecting",
        }
    }
}

/// What the socket must do after a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    /// A `deltas` frame did not continue from our cursor: subscribe again from the cursor.
    Resubscribe,
}

/// The tickets on a wall and the stream position they reflect.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Board {
    pub tickets: HashMap<String, Ticket>,
    /// Last stream id applied (`None` until a snapshot arrived, or after a resync).
    pub cursor: Option<Cursor>,
    /// Reports that arrived while this screen watched.
    pub arrived: u64,
    /// The tenant's SLA rules: deadlines are recomputed here exactly as on the server.
    pub sla: SlaConfig,
    /// Resource gauges by `kind/facility/unit`.
    pub gauges: BTreeMap<String, Gauge>,
}

impl Board {
    /// Replace everything with a snapshot.
    pub fn reset(&mut self, cursor: Cursor, tickets: Vec<Ticket>, sla: SlaConfig, gauges: Vec<Gauge>) {
        self.sla = sla;
        self.gauges = gauges.into_iter().map(|g| (Gauge::key(&g.resource), g)).collect();
        self.tickets = tickets.into_iter().map(|t| (t.id.clone(), t)).collect();
        self.cursor = Some(cursor);
    }

    /// Apply `deltas`; `Next::Resubscribe` (and no change) if they do not continue ours.
    pub fn apply(&mut self, from: Cursor, to: Cursor, events: &[Event]) -> Next {
        if self.cursor != Some(from) {
            return Next::Resubscribe;
        }
        for e in events {
            match (&e.body, &e.ticket) {
                (EventBody::ReportReceived(_), Some(id)) => {
                    if let Some(mut t) = Ticket::open(e) {
                        t.refresh_sla(&self.sla);
                        self.arrived += 1;
                        self.tickets.insert(id.clone(), t);
                    }
                }
                (_, Some(id)) => {
                    if let Some(t) = self.tickets.get_mut(id) {
                        t.apply(e);
                        t.refresh_sla(&self.sla);
                    }
                }
                (EventBody::ResourceUpdated(r), None) => {
                    self.gauges.insert(
                        Gauge::key(r),
                        Gauge {
                            resource: r.clone(),
                            reported_at: e.at.clone(),
                        },
                    );
                }
                (_, None) => {}
            }
        }
        self.cursor = Some(to);
        Next::Continue
    }

    /// The newest `n` tickets, newest first.
    pub fn newest(&self, n: usize) -> Vec<Ticket> {
        let mut all: Vec<&Ticket> = self.tickets.values().collect();
        all.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
        all.into_iter().take(n).cloned().collect()
    }
}

/// Signals of the wall. `Copy`: signals are handles.
#[derive(Clone, Copy)]
pub struct WallState {
    pub conn: RwSignal<ConnStatus>,
    pub tenant: RwSignal<Option<TenantInfo>>,
    pub board: RwSignal<Board>,
    /// Server clock minus this browser's clock, ms.
    pub clock_offset_ms: RwSignal<f64>,
}

impl WallState {
    pub fn new() -> Self {
        WallState {
            conn: RwSignal::new(ConnStatus::Connecting),
            tenant: RwSignal::new(None),
            board: RwSignal::new(Board::default()),
            clock_offset_ms: RwSignal::new(0.0),
        }
    }

    /// The cursor to resume from after a reconnect.
    pub fn cursor(&self) -> Option<Cursor> {
        self.board.with_untracked(|b| b.cursor)
    }

    /// Apply one server message; `local_now_ms` is this browser's clock when it arrived.
    pub fn apply(&self, msg: ServerMsg, local_now_ms: f64) -> Next {
        match msg {
            ServerMsg::Snapshot {
                server_time,
                tenant,
                tickets,
                cursor,
                gauges,
                ..
            } => {
                self.clock_offset_ms.set(server_time as f64 - local_now_ms);
                let sla = tenant.sla.clone();
                self.tenant.set(Some(*tenant));
                self.board.update(|b| b.reset(cursor, tickets, sla, gauges));
                self.conn.set(ConnStatus::Live);
            }
            ServerMsg::Deltas {
                server_time,
                from,
                to,
                events,
                ..
            } => {
                self.clock_offset_ms.set(server_time as f64 - local_now_ms);
                let mut next = Next::Continue;
                self.board.update(|b| next = b.apply(from, to, &events));
                if self.conn.get_untracked() != ConnStatus::Degraded {
                    self.conn.set(ConnStatus::Live);
                }
                return next;
            }
            ServerMsg::Resumed {
                server_time, cursor, ..
            } => {
                self.clock_offset_ms.set(server_time as f64 - local_now_ms);
                if self.cursor() != Some(cursor) {
                    return Next::Resubscribe;
                }
                self.conn.set(ConnStatus::Live);
            }
            ServerMsg::Resync { .. } => self.board.update(|b| b.cursor = None),
            ServerMsg::Status { state, server_time, .. } => {
                self.clock_offset_ms.set(server_time as f64 - local_now_ms);
                self.conn.set(match state {
                    LinkState::Ok => ConnStatus::Live,
                    LinkState::Degraded => ConnStatus::Degraded,
                });
            }
            ServerMsg::Heartbeat { server_time, .. } | ServerMsg::Pong { server_time, .. } => {
                self.clock_offset_ms.set(server_time as f64 - local_now_ms);
            }
            ServerMsg::Error { code, message, .. } => {
                leptos::logging::warn!("server error {code}: {message}");
            }
        }
        Next::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pantau_shared::event::{Assignment, Priority, Report, TicketStatus};

    fn c(ms: u64) -> Cursor {
        Cursor { ms, seq: 0 }
    }

    fn report(id: &str, category: &str, at: &str) -> Event {
        Event {
            v: 1,
            id: format!("e-{id}"),
            tenant: "tangerang".into(),
            ticket: Some(id.into()),
            at: at.into(),
            actor: None,
            body: EventBody::ReportReceived(Report {
                category: category.into(),
                description: "x".into(),
                lat: 0.0,
                lon: 0.0,
                address: None,
                channel: None,
                media_urls: vec![],
                kecamatan: None,
                kelurahan: None,
                agency: Some("dlh".into()),
                priority: Priority::Medium,
            }),
        }
    }

    /// Deltas that continue the cursor open and update tickets; others ask to resubscribe
    /// and change nothing.
    #[test]
    fn applies_continuous_deltas_and_detects_gaps() {
        let mut b = Board::default();
        b.reset(c(1), vec![], SlaConfig::default(), vec![]);
        let e1 = report("TGR-1", "sampah", "2026-11-23T03:00:00Z");
        assert_eq!(b.apply(c(1), c(2), &[e1]), Next::Continue);
        let mut assign = report("TGR-1", "sampah", "2026-11-23T03:01:00Z");
        assign.body = EventBody::TicketAssigned(Assignment {
            agency: "pupr".into(),
            officer: None,
            reason: None,
        });
        assert_eq!(b.apply(c(2), c(3), &[assign]), Next::Continue);
        assert_eq!(b.tickets["TGR-1"].status, TicketStatus::Assigned);
        assert_eq!((b.arrived, b.cursor), (1, Some(c(3))));
        let before = b.clone();
        assert_eq!(
            b.apply(c(5), c(6), &[report("TGR-2", "banjir", "2026-11-23T03:02:00Z")]),
            Next::Resubscribe
        );
        assert_eq!(b, before);
    }

    /// The list is newest first and capped.
    #[test]
    fn lists_newest_first() {
        let mut b = Board::default();
        b.reset(c(0), vec![], SlaConfig::default(), vec![]);
        let events = [
            report("TGR-1", "sampah", "2026-11-23T03:00:00Z"),
            report("TGR-2", "banjir", "2026-11-23T03:01:00Z"),
            report("TGR-3", "sampah", "2026-11-23T03:02:00Z"),
        ];
        b.apply(c(0), c(1), &events);
        let ids: Vec<_> = b.newest(2).into_iter().map(|t| t.id).collect();
        assert_eq!(ids, ["TGR-3", "TGR-2"]);
    }
}
