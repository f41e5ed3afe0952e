//! The hub: one broadcast channel per tenant. The tailer publishes each batch of stream
//! entries once, serialised once; every session of that tenant receives the same bytes
//! (`Utf8Bytes` is reference counted). A session that falls more than the channel's capacity
//! behind is told by the channel (`Lagged`) and resyncs; it never slows the others.

use axum::extract::ws::Utf8Bytes;
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use pantau_shared::protocol::ServerMsg;
use pantau_shared::PROTOCOL_VERSION;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::broadcast;

/// A batch of consecutive stream entries, ready to send.
#[derive(Debug)]
pub struct Frame {
    /// Cursor before the first entry of the batch.
    pub from: Cursor,
    /// Cursor of the last entry.
    pub to: Cursor,
    /// The entries, oldest first (kept so a session can cut a batch at its snapshot cursor).
    pub events: Vec<(Cursor, Event)>,
    /// The `deltas` message, serialised once.
    pub text: Utf8Bytes,
}

impl Frame {
    /// Build the frame and its `deltas` message for entries after `from` up to `to`.
    pub fn deltas(from: Cursor, to: Cursor, events: Vec<(Cursor, Event)>) -> Frame {
        let text = deltas_text(from, to, events.iter().map(|(_, e)| e.clone()).collect());
        Frame { from, to, events, text }
    }

    /// The part of this frame after `cursor`, as its own message (rare: only the first
    /// frame a session receives can straddle its snapshot cursor).
    pub fn after(&self, cursor: Cursor) -> Utf8Bytes {
        let events = self
            .events
            .iter()
            .filter(|(c, _)| *c > cursor)
            .map(|(_, e)| e.clone())
            .collect();
        deltas_text(cursor, self.to, events)
    }
}

fn deltas_text(from: Cursor, to: Cursor, events: Vec<Event>) -> Utf8Bytes {
    let msg = ServerMsg::Deltas {
        v: PROTOCOL_VERSION,
        from,
        to,
        server_time: now_ms(),
        events,
    };
    Utf8Bytes::from(serde_json::to_string(&msg).expect("server messages always serialise"))
}

/// Server clock in Unix milliseconds, as carried in `server_time`.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The sending side for one tenant.
#[derive(Clone)]
pub struct TenantChannel {
    tx: broadcast::Sender<Arc<Frame>>,
}

impl TenantChannel {
    /// Hand a frame to every current subscriber (none is fine).
    pub fn publish(&self, frame: Frame) {
        let _ = self.tx.send(Arc::new(frame));
    }

    /// Whether any session listens (frames for nobody are not even serialised).
    pub fn has_subscribers(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    /// Receive every frame published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Frame>> {
        self.tx.subscribe()
    }
}

/// All tenants' channels.
pub struct Hub {
    channels: HashMap<String, TenantChannel>,
}

impl Hub {
    /// One channel per tenant id, each buffering `capacity` frames.
    pub fn new<'a>(tenants: impl IntoIterator<Item = &'a str>, capacity: usize) -> Hub {
        let channels = tenants
            .into_iter()
            .map(|t| {
                (
                    t.to_owned(),
                    TenantChannel {
                        tx: broadcast::channel(capacity.max(1)).0,
                    },
                )
            })
            .collect();
        Hub { channels }
    }

    /// The channel of `tenant`, if it is served here.
    pub fn channel(&self, tenant: &str) -> Option<&TenantChannel> {
        self.channels.get(tenant)
    }
}
