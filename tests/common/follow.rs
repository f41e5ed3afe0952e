//! A socket client that follows one tenant's stream across server restarts, as a wall does:
//! whenever its socket drops it reconnects (retrying while nobody listens) and subscribes
//! again with `since` = the last cursor it applied. It records what it holds — the last
//! snapshot it started from and every event after it — so a test can compare that with the
//! stream, and counts reconnects, resyncs and protocol violations.

use crate::auth::Session;
use futures_util::{SinkExt, StreamExt};
use pantau_shared::cursor::Cursor;
use pantau_shared::protocol::{ClientMsg, ServerMsg};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

/// A socket silent this long is taken for dead (heartbeats come every ping interval, 15 s).
const SILENT_FOR: Duration = Duration::from_secs(30);

/// What the following client holds and saw.
#[derive(Debug, Default)]
pub struct Followed {
    /// The cursor of the latest snapshot.
    pub base: Cursor,
    /// The ticket ids of that snapshot.
    pub base_tickets: HashSet<String>,
    /// The ids of the events received since that snapshot, in the order received.
    pub events: Vec<String>,
    /// The last `to` (or snapshot cursor) applied: where a reconnect resumes.
    pub cursor: Cursor,
    /// Events received in `deltas` over the whole run, resyncs or not.
    pub delivered: usize,
    /// Snapshots received (the first, and one after each resync).
    pub snapshots: usize,
    /// Sockets opened after the first.
    pub reconnects: usize,
    /// The reason of every `resync` received.
    pub resyncs: Vec<String>,
    /// Protocol violations: a frame that does not continue the cursor, a `resumed` at
    /// another cursor, an `error`.
    pub violations: Vec<String>,
}

impl Followed {
    fn apply(&mut self, msg: ServerMsg) {
        match msg {
            ServerMsg::Snapshot { cursor, tickets, .. } => {
                self.snapshots += 1;
                self.base = cursor;
                self.base_tickets = tickets.into_iter().map(|t| t.id).collect();
                self.events.clear();
                self.cursor = cursor;
            }
            ServerMsg::Deltas { from, to, events, .. } => {
                if from != self.cursor {
                    let at = self.cursor;
                    self.violations.push(format!("deltas from {from} after {at}"));
                }
                self.delivered += events.len();
                self.events.extend(events.into_iter().map(|e| e.id));
                self.cursor = to;
            }
            ServerMsg::Resumed { cursor, .. } if cursor != self.cursor => {
                let at = self.cursor;
                self.violations
                    .push(format!("resumed at {cursor}, the client is at {at}"));
            }
            ServerMsg::Resync { reason, .. } => self.resyncs.push(reason),
            ServerMsg::Error { code, message, .. } => self.violations.push(format!("error {code}: {message}")),
            _ => {}
        }
    }
}

/// The following client, running as a task until [`Follower::stop`].
pub struct Follower {
    state: Arc<Mutex<Followed>>,
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Follower {
    /// Follow `tenant` over `ws_url` (`ws://…/ws`) as `session`, from a snapshot.
    pub fn start(ws_url: &str, session: &Session, tenant: &str) -> Follower {
        let state = Arc::new(Mutex::new(Followed::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn(follow(
            ws_url.to_owned(),
            session.cookie(),
            tenant.to_owned(),
            stop.clone(),
            state.clone(),
        ));
        Follower { state, stop, task }
    }

    /// What it holds now.
    pub fn state(&self) -> MutexGuard<'_, Followed> {
        self.state.lock().unwrap()
    }

    /// Stop following; what it held.
    pub fn stop(self) -> Followed {
        self.stop.store(true, Ordering::SeqCst);
        self.task.abort();
        std::mem::take(&mut *self.state.lock().unwrap())
    }
}

async fn follow(ws_url: String, cookie: String, tenant: String, stop: Arc<AtomicBool>, state: Arc<Mutex<Followed>>) {
    let mut first = true;
    let mut since: Option<Cursor> = None;
    while !stop.load(Ordering::SeqCst) {
        let mut request = ws_url.as_str().into_client_request().expect("a WebSocket URL");
        let header = HeaderValue::from_str(&cookie).expect("cookies are ASCII");
        request.headers_mut().insert("cookie", header);
        let Ok((mut socket, _)) = tokio_tungstenite::connect_async(request).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        if !first {
            state.lock().unwrap().reconnects += 1;
        }
        first = false;
        let subscribe = ClientMsg::Subscribe {
            tenant: tenant.clone(),
            since,
            filters: Default::default(),
            token: None,
        };
        let text = serde_json::to_string(&subscribe).expect("messages serialise");
        if socket.send(Message::text(text)).await.is_err() {
            continue;
        }
        while let Ok(Some(Ok(frame))) = tokio::time::timeout(SILENT_FOR, socket.next()).await {
            let Message::Text(text) = frame else { continue };
            let msg: ServerMsg = serde_json::from_str(text.as_str()).expect("valid server message");
            let mut s = state.lock().unwrap();
            s.apply(msg);
            since = Some(s.cursor);
        }
    }
}
