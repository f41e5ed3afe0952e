//! The hub: one broadcast channel per tenant. The publisher sends each coalesced batch of
//! stream entries once, serialised once; every session of that tenant receives the same
//! bytes (`Utf8Bytes` is reference counted). The channel's ring buffer is every session's
//! bounded queue: a session more than its capacity behind is told (`Lagged`) and resyncs,
//! and never slows the publisher or the other sessions.

use super::shared_snapshot::SharedSnapshot;
use axum::extract::ws::Utf8Bytes;
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use pantau_shared::protocol::{LinkState, ServerMsg};
use pantau_shared::PROTOCOL_VERSION;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::broadcast;

/// What the sessions of a tenant receive.
#[derive(Debug)]
pub enum Frame {
    /// Consecutive stream entries after `from` up to `to`.
    Deltas {
        from: Cursor,
        to: Cursor,
        /// The entries, oldest first (kept so filtered sessions and sessions whose cursor
        /// falls inside the batch can cut their own message).
        events: Vec<(Cursor, Event)>,
        /// The `deltas` message, serialised once.
        text: Utf8Bytes,
    },
    /// The link to the event store changed.
    Status { state: LinkState, text: Utf8Bytes },
}

impl Frame {
    /// Build the frame and its `deltas` message for entries after `from` up to `to`.
    pub fn deltas(from: Cursor, to: Cursor, events: Vec<(Cursor, Event)>) -> Frame {
        let text = deltas_text(from, to, events.iter().map(|(_, e)| e));
        Frame::Deltas { from, to, events, text }
    }

    /// A `status` frame.
    pub fn status(state: LinkState, reason: Option<String>) -> Frame {
        let msg = ServerMsg::Status {
            v: PROTOCOL_VERSION,
            state,
            reason,
            server_time: now_ms(),
        };
        Frame::Status {
            state,
            text: text_of(&msg),
        }
    }
}

/// A `deltas` message for these events.
pub fn deltas_text<'a>(from: Cursor, to: Cursor, events: impl Iterator<Item = &'a Event>) -> Utf8Bytes {
    let msg = ServerMsg::Deltas {
        v: PROTOCOL_VERSION,
        from,
        to,
        server_time: now_ms(),
        events: events.cloned().collect(),
    };
    text_of(&msg)
}

/// A server message as a text frame's payload.
pub fn text_of(msg: &ServerMsg) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(msg).expect("server messages always serialise"))
}

/// Server clock in Unix milliseconds, as carried in `server_time`.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The sending side for one tenant.
#[derive(Clone)]
pub struct TenantChannel {
    tx: broadcast::Sender<Arc<Frame>>,
    /// The tenant's id (the backlog gauge's label).
    tenant: Arc<str>,
    /// The unfiltered snapshot sessions subscribing together share.
    pub snapshot: Arc<SharedSnapshot>,
}

impl TenantChannel {
    /// Hand a frame to every current subscriber (none is fine).
    pub fn publish(&self, frame: Frame) {
        let _ = self.tx.send(Arc::new(frame));
        crate::metrics::fanout_backlog(&self.tenant, self.tx.len());
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
                        tenant: t.into(),
                        snapshot: Arc::default(),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Each tenant has its own channel: a frame reaches every subscriber of its tenant as
    /// the same serialised bytes, and no subscriber of another tenant.
    #[tokio::test]
    async fn frames_reach_their_tenant_only_serialised_once() {
        let hub = Hub::new(["tangerang", "banjar"], 4);
        assert!(hub.channel("atlantis").is_none());
        let tgr = hub.channel("tangerang").unwrap();
        assert!(!tgr.has_subscribers());
        let (mut a, mut b) = (tgr.subscribe(), tgr.subscribe());
        let mut other = hub.channel("banjar").unwrap().subscribe();
        assert!(tgr.has_subscribers());
        let c = |ms| Cursor { ms, seq: 0 };
        tgr.publish(Frame::deltas(c(0), c(1), vec![]));
        let (fa, fb) = (a.recv().await.unwrap(), b.recv().await.unwrap());
        assert!(Arc::ptr_eq(&fa, &fb), "one frame shared by every session");
        let Frame::Deltas { text, .. } = &*fa else {
            panic!("deltas")
        };
        let msg: ServerMsg = serde_json::from_str(text.as_str()).unwrap();
        assert!(matches!(msg, ServerMsg::Deltas { from, to, .. } if from == c(0) && to == c(1)));
        assert!(other.try_recv().is_err(), "banjar hears nothing of tangerang");
    }

    /// A subscriber more than the capacity behind is told how many frames it lost.
    #[tokio::test]
    async fn a_slow_subscriber_learns_it_lagged() {
        let hub = Hub::new(["t"], 2);
        let channel = hub.channel("t").unwrap();
        let mut slow = channel.subscribe();
        for _ in 0..5 {
            channel.publish(Frame::status(LinkState::Ok, None));
        }
        assert!(matches!(slow.recv().await, Err(broadcast::error::RecvError::Lagged(3))));
    }
}
