//! What the wall knows, as signals fed by the socket, plus the pure rules that update them
//! (kept free of the DOM so they are tested natively). Tickets are folded from the events
//! with the same code the server uses (`pantau_shared::ticket`), so wall and server agree.

use crate::panel::Panel;
use leptos::prelude::*;
use pantau_shared::cursor::Cursor;
use pantau_shared::event::{Event, EventBody};
use pantau_shared::kpi::Instants;
use pantau_shared::protocol::{Gauge, LinkState, ServerMsg, TenantInfo};
use pantau_shared::sla::SlaConfig;
use pantau_shared::ticket::Ticket;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// Newest tickets listed on screen.
pub const MAX_LISTED: usize = 50;

/// Tickets the board may grow by before [`Board::forget_settled`] looks at it again.
pub const FORGET_SLACK: usize = 256;

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

/// FNV-1a for the maps keyed by ticket id: the views look up every ticket several times a
/// second, and the standard SipHash showed at the top of the wall's CPU profile. (Ids come
/// from our own server, so hash flooding is not a concern here.)
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A map keyed by ticket id.
pub type ById<V> = HashMap<String, V, BuildHasherDefault<Fnv>>;

/// A ticket on the board with its parsed instants (kept together: the views read both for
/// every ticket, and a second map meant a second hash lookup each time).
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub ticket: Ticket,
    /// Its instants, parsed once when the ticket changes (the wall reads them for every
    /// ticket several times a second).
    pub at: Instants,
}

impl Entry {
    fn new(ticket: Ticket) -> Entry {
        Entry {
            at: Instants::of(&ticket),
            ticket,
        }
    }
}

/// The tickets on a wall and the stream position they reflect.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Board {
    tickets: ById<Entry>,
    /// Last stream id applied (`None` until a snapshot arrived, or after a resync).
    pub cursor: Option<Cursor>,
    /// Reports that arrived while this screen watched.
    pub arrived: u64,
    /// The tenant's SLA rules: deadlines are recomputed here exactly as on the server.
    pub sla: SlaConfig,
    /// Resource gauges by `kind/facility/unit`.
    pub gauges: BTreeMap<String, Gauge>,
    /// Ids of tickets opened or changed by deltas since a view last took them — kept only
    /// when a view asks (`Some`: the console marks changed rows); the wall leaves it `None`.
    pub touched: Option<Vec<String>>,
    /// Tickets held after [`Board::forget_settled`] last looked (it waits for growth).
    settled_check: usize,
}

impl Board {
    /// Replace everything with a snapshot.
    pub fn reset(&mut self, cursor: Cursor, tickets: Vec<Ticket>, sla: SlaConfig, gauges: Vec<Gauge>) {
        self.sla = sla;
        self.gauges = gauges.into_iter().map(|g| (Gauge::key(&g.resource), g)).collect();
        self.tickets = tickets.into_iter().map(|t| (t.id.clone(), Entry::new(t))).collect();
        self.cursor = Some(cursor);
        self.settled_check = 0;
        if let Some(touched) = &mut self.touched {
            touched.clear();
        }
    }

    /// Forget tickets no view of the wall needs any more, once the board has grown by
    /// [`FORGET_SLACK`] since it last looked: closed or rejected (final: no event changes
    /// their status again), with no instant in the day that began at `since_ms` (so no
    /// count of today's), and not among the `keep` newest of the city or of their agency
    /// (what each panel's newest list shows). A wall runs for weeks, and it kept every
    /// ticket it ever saw. Returns how many were forgotten.
    pub fn forget_settled(&mut self, since_ms: i64, keep: usize) -> usize {
        if self.tickets.len() < self.settled_check + FORGET_SLACK {
            return 0;
        }
        let mut newest: Vec<(i64, &str, Option<&str>)> = self
            .entries()
            .map(|e| {
                (
                    e.at.created.unwrap_or(0),
                    e.ticket.id.as_str(),
                    e.ticket.agency.as_deref(),
                )
            })
            .collect();
        newest.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(a.1)));
        let mut listed: HashMap<Option<&str>, usize> = HashMap::new();
        let mut shown = std::collections::HashSet::new();
        for (i, (_, id, agency)) in newest.into_iter().enumerate() {
            let n = listed.entry(agency).or_default();
            *n += 1;
            if i < keep || *n <= keep {
                shown.insert(id);
            }
        }
        let forget: Vec<String> = self
            .entries()
            .filter(|e| {
                let at = [e.at.created, e.at.first_assigned, e.at.resolved];
                e.ticket.status.is_final()
                    && at.into_iter().flatten().all(|ms| ms < since_ms)
                    && !shown.contains(e.ticket.id.as_str())
            })
            .map(|e| e.ticket.id.clone())
            .collect();
        for id in &forget {
            self.tickets.remove(id);
        }
        self.settled_check = self.tickets.len();
        forget.len()
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
                        self.tickets.insert(id.clone(), Entry::new(t));
                        if let Some(touched) = &mut self.touched {
                            touched.push(id.clone());
                        }
                    }
                }
                (_, Some(id)) => {
                    if let Some(entry) = self.tickets.get_mut(id) {
                        entry.ticket.apply(e);
                        if let Some(touched) = &mut self.touched {
                            touched.push(id.clone());
                        }
                        entry.ticket.refresh_sla(&self.sla);
                        entry.at = Instants::of(&entry.ticket);
                    }
                    if let Some(primary) = e.body.primary().and_then(|p| self.tickets.get_mut(p)) {
                        primary.ticket.link(id, &e.body);
                        if let Some(touched) = &mut self.touched {
                            touched.push(primary.ticket.id.clone());
                        }
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

    /// Every ticket on the board.
    pub fn tickets(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets.values().map(|e| &e.ticket)
    }

    /// One ticket with its parsed instants.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.tickets.get(id)
    }

    /// Every ticket with its parsed instants.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.tickets.values()
    }

    /// The newest `n` tickets the panel shows, newest first (only those `n` are sorted).
    pub fn newest(&self, n: usize, panel: &Panel) -> Vec<Ticket> {
        let mut all: Vec<(i64, &Ticket)> = self
            .entries()
            .filter(|e| panel.admits(&e.ticket))
            .map(|e| (e.at.created.unwrap_or(0), &e.ticket))
            .collect();
        let order = |a: &(i64, &Ticket), b: &(i64, &Ticket)| b.0.cmp(&a.0).then_with(|| b.1.id.cmp(&a.1.id));
        if all.len() > n {
            all.select_nth_unstable_by(n, order);
            all.truncate(n);
        }
        all.sort_by(order);
        all.into_iter().map(|(_, t)| t.clone()).collect()
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
    /// The panel on screen (every view shows only the tickets it admits).
    pub panel: RwSignal<Panel>,
    /// Deltas applied to `board` since views were last told (see [`WallState::publish`]).
    pub unpublished: StoredValue<bool>,
    /// The replay on screen (`None`: live), as the server last told it.
    pub replay: RwSignal<Option<ReplayView>>,
}

/// A replaying session's clock as the server reports it (see `ServerMsg::Replay`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReplayView {
    /// The replayed instant, Unix ms.
    pub at: i64,
    /// Replayed seconds per real second.
    pub speed: f64,
    pub paused: bool,
}

impl WallState {
    pub fn new() -> Self {
        WallState {
            conn: RwSignal::new(ConnStatus::Connecting),
            tenant: RwSignal::new(None),
            board: RwSignal::new(Board::default()),
            clock_offset_ms: RwSignal::new(0.0),
            panel: RwSignal::new(Panel::All),
            unpublished: StoredValue::new(false),
            replay: RwSignal::new(None),
        }
    }

    /// Tell the views about deltas applied since the last call. Deltas change the board
    /// without notifying (they arrive up to ten times a second, each recomputing KPIs, lists
    /// and the map over every ticket); the wall calls this twice a second instead.
    pub fn publish(&self) {
        if self.unpublished.get_value() {
            self.unpublished.set_value(false);
            self.board.notify();
        }
    }

    /// Take a new clock offset measurement (only a real change re-renders the clocks).
    fn measure_offset(&self, measured: f64) {
        if let Some(offset) = crate::time::next_offset(self.clock_offset_ms.get_untracked(), measured) {
            self.clock_offset_ms.set(offset);
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
                self.measure_offset(server_time as f64 - local_now_ms);
                let mut next = Next::Continue;
                self.board.update_untracked(|b| next = b.apply(from, to, &events));
                self.unpublished.set_value(true);
                if self.conn.get_untracked() != ConnStatus::Degraded {
                    self.conn.set(ConnStatus::Live);
                }
                return next;
            }
            ServerMsg::Resumed {
                server_time, cursor, ..
            } => {
                self.measure_offset(server_time as f64 - local_now_ms);
                if self.cursor() != Some(cursor) {
                    return Next::Resubscribe;
                }
                self.conn.set(ConnStatus::Live);
            }
            ServerMsg::Resync { .. } => self.board.update(|b| b.cursor = None),
            ServerMsg::Status { state, server_time, .. } => {
                self.measure_offset(server_time as f64 - local_now_ms);
                self.conn.set(match state {
                    LinkState::Ok => ConnStatus::Live,
                    LinkState::Degraded => ConnStatus::Degraded,
                });
            }
            ServerMsg::Heartbeat { server_time, .. } | ServerMsg::Pong { server_time, .. } => {
                self.measure_offset(server_time as f64 - local_now_ms);
            }
            ServerMsg::Error { code, message, .. } => {
                leptos::logging::warn!("server error {code}: {message}");
            }
            // A replaying session's clock: clocks and countdowns follow the replayed instant.
            ServerMsg::Replay {
                at,
                speed,
                paused,
                live,
                ..
            } => {
                if live {
                    self.replay.set(None);
                } else {
                    self.clock_offset_ms.set(at as f64 - local_now_ms);
                    let view = Some(ReplayView { at, speed, paused });
                    if self.replay.get_untracked() != view {
                        self.replay.set(view);
                    }
                }
            }
        }
        Next::Continue
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
