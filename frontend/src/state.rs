//! What the wall knows, as signals fed by the socket, plus the pure rules that update them
//! (kept free of the DOM so they are tested natively).

use leptos::prelude::*;
use pantau_shared::event::{Event, EventBody};
use pantau_shared::protocol::{ServerMsg, TenantInfo};

/// Newest reports kept on screen.
pub const MAX_RECENT: usize = 50;

/// The socket's state as shown to operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnStatus {
    /// First connection not yet up.
    Connecting,
    /// Subscribed; data is current.
    Live,
    /// Lost; retrying. Data on screen may be stale.
    Reconnecting,
}

impl ConnStatus {
    /// Value of the indicator's `data-state` attribute.
    pub fn code(self) -> &'static str {
        match self {
            ConnStatus::Connecting => "connecting",
            ConnStatus::Live => "live",
            ConnStatus::Reconnecting => "reconnecting",
        }
    }
}

/// Signals of the wall. `Copy`: signals are handles.
#[derive(Clone, Copy)]
pub struct WallState {
    pub conn: RwSignal<ConnStatus>,
    pub tenant: RwSignal<Option<TenantInfo>>,
    /// Reports in the tenant's stream.
    pub total: RwSignal<u64>,
    /// Reports that arrived while this screen watched (since the last snapshot).
    pub arrived: RwSignal<u64>,
    /// Newest first.
    pub recent: RwSignal<Vec<Event>>,
    /// Server clock minus this browser's clock, ms.
    pub clock_offset_ms: RwSignal<f64>,
}

impl WallState {
    pub fn new() -> Self {
        WallState {
            conn: RwSignal::new(ConnStatus::Connecting),
            tenant: RwSignal::new(None),
            total: RwSignal::new(0),
            arrived: RwSignal::new(0),
            recent: RwSignal::new(Vec::new()),
            clock_offset_ms: RwSignal::new(0.0),
        }
    }

    /// Apply one server message; `local_now_ms` is this browser's clock when it arrived.
    pub fn apply(&self, msg: ServerMsg, local_now_ms: f64) {
        match msg {
            ServerMsg::Snapshot {
                server_time,
                tenant,
                total,
                recent,
                ..
            } => {
                self.clock_offset_ms.set(server_time as f64 - local_now_ms);
                self.tenant.set(Some(tenant));
                self.total.set(total);
                self.arrived.set(0);
                self.recent
                    .set(recent.into_iter().filter(is_report).take(MAX_RECENT).collect());
                self.conn.set(ConnStatus::Live);
            }
            ServerMsg::Deltas {
                server_time, events, ..
            } => {
                self.clock_offset_ms.set(server_time as f64 - local_now_ms);
                let reports: Vec<Event> = events.into_iter().filter(is_report).collect();
                let n = reports.len() as u64;
                self.total.update(|t| *t += n);
                self.arrived.update(|a| *a += n);
                self.recent.update(|r| prepend_newest(r, reports, MAX_RECENT));
            }
            ServerMsg::Resync { .. } => self.conn.set(ConnStatus::Reconnecting),
            ServerMsg::Error { code, message, .. } => {
                leptos::logging::warn!("server error {code}: {message}");
            }
            ServerMsg::Pong { .. } => {}
        }
    }
}

/// Whether the event is a citizen report (the wall lists only those so far).
fn is_report(e: &Event) -> bool {
    matches!(e.body, EventBody::ReportReceived(_))
}

/// Put `events` (oldest first) in front of `recent` (newest first), keeping at most `cap`.
pub fn prepend_newest(recent: &mut Vec<Event>, events: Vec<Event>, cap: usize) {
    let mut merged: Vec<Event> = events.into_iter().rev().collect();
    merged.append(recent);
    merged.truncate(cap);
    *recent = merged;
}

/// Count of each category among `events`, largest first (ties by code).
pub fn category_counts(events: &[Event]) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for e in events {
        let EventBody::ReportReceived(r) = &e.body else {
            continue;
        };
        match counts.iter_mut().find(|(c, _)| *c == r.category) {
            Some((_, n)) => *n += 1,
            None => counts.push((r.category.clone(), 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use pantau_shared::event::Report;

    fn ev(id: &str, category: &str) -> Event {
        Event {
            v: 1,
            id: id.into(),
            tenant: "tangerang".into(),
            ticket: Some(format!("TGR-{id}")),
            at: "2026-11-23T03:00:00Z".into(),
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
                agency: None,
                priority: Default::default(),
            }),
        }
    }

    /// New events go on top, newest first, and the list never exceeds its cap.
    #[test]
    fn prepends_newest_first_and_caps() {
        let mut recent = vec![ev("2", "sampah"), ev("1", "sampah")];
        prepend_newest(&mut recent, vec![ev("3", "banjir"), ev("4", "banjir")], 3);
        let ids: Vec<_> = recent.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["4", "3", "2"]);
    }

    /// Categories are counted and ordered by count, then code.
    #[test]
    fn counts_categories() {
        let events = [ev("1", "sampah"), ev("2", "banjir"), ev("3", "sampah"), ev("4", "air")];
        assert_eq!(
            category_counts(&events),
            vec![
                ("sampah".to_string(), 2),
                ("air".to_string(), 1),
                ("banjir".to_string(), 1)
            ]
        );
    }
}
