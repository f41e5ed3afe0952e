//! Sessions driven by channels, an in-memory log and paused time — no Redis, no sockets:
//! snapshot, live deltas, resume, every resync reason, filters, heartbeats and closing;
//! credentials in `auth.rs`.

mod auth;
mod fuzz;

use super::*;
use crate::live::LiveTenant;
use crate::realtime::hub::Hub;
use crate::store::StoreError;
use crate::tenant::{test_tenants, Tenants};
use pantau_shared::event::Event;
use pantau_shared::fixtures::{report, report_mut};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::sync::{LazyLock, Mutex};
use tokio::sync::mpsc;

static TENANTS: LazyLock<Tenants> = LazyLock::new(test_tenants);

fn c(ms: u64) -> Cursor {
    Cursor { ms, seq: 0 }
}

/// The stream as a vector; `failing` makes every read fail as if Redis were down.
#[derive(Default)]
struct MemLog {
    entries: Mutex<Vec<(Cursor, Event)>>,
    failing: AtomicBool,
    /// Display tokens are no longer valid.
    revoked: AtomicBool,
    /// The replay an admin put screens in.
    directive: Mutex<Option<ReplayStart>>,
}

impl Gate for MemLog {
    /// Any session cookie is an operator of Tangerang; display token `screen-<id>` is a
    /// screen of Tangerang unless revoked; anything else is invalid.
    async fn admit(&self, credentials: &Credentials) -> Result<Option<crate::auth::Principal>, ()> {
        use crate::auth::{Principal, Role};
        Ok(match credentials {
            Credentials::Session(_) => Some(Principal::User {
                tenant: Some("tangerang".into()),
                name: "ani".into(),
                role: Role::Operator,
            }),
            Credentials::Display(token) => token
                .strip_prefix("screen-")
                .filter(|_| !self.revoked.load(Ordering::SeqCst))
                .map(|id| Principal::Screen {
                    tenant: "tangerang".into(),
                    id: id.into(),
                }),
        })
    }

    async fn directive(&self, credentials: &Credentials) -> Result<Option<ReplayStart>, ()> {
        Ok(match credentials {
            Credentials::Display(_) => *self.directive.lock().unwrap(),
            Credentials::Session(_) => None,
        })
    }
}

impl ReplaySource for MemLog {
    fn range_after(
        &self,
        _tenant: &str,
        after: Cursor,
        until: Cursor,
        count: usize,
    ) -> impl Future<Output = Result<Vec<(Cursor, Event)>, StoreError>> + Send {
        let result = if self.failing.load(Ordering::SeqCst) {
            Err(StoreError::Rejected("redis is down".into()))
        } else {
            let entries = self.entries.lock().unwrap();
            Ok(entries
                .iter()
                .filter(|(c, _)| *c > after && *c <= until)
                .take(count)
                .cloned()
                .collect())
        };
        std::future::ready(result)
    }
}

/// One tenant's server side as a session sees it.
struct Server {
    hub: Hub,
    live: HashMap<String, Arc<LiveTenant>>,
    log: MemLog,
    limits: Limits,
}

impl Server {
    fn new(capacity: usize) -> Arc<Server> {
        Server::with_share(capacity, Duration::ZERO)
    }

    /// A server whose unfiltered snapshots are shared for `share`.
    fn with_share(capacity: usize, share: Duration) -> Arc<Server> {
        let tgr = TENANTS.get("tangerang").unwrap();
        Arc::new(Server {
            hub: Hub::new(["tangerang"], capacity),
            live: HashMap::from([("tangerang".to_owned(), Arc::new(LiveTenant::new(tgr.sla.clone(), 100)))]),
            log: MemLog::default(),
            limits: Limits {
                ping: Duration::from_secs(15),
                idle_timeout: Duration::from_secs(45),
                send_timeout: Duration::from_secs(5),
                snapshot_max_tickets: 100,
                max_replay: 1_000,
                recheck: Duration::from_secs(5),
                snapshot_share: share,
            },
        })
    }

    /// Tickets `TGR-{n}` for `ns`, each at stream position `n`: logged and applied.
    fn append(&self, ns: impl IntoIterator<Item = u64>, agency: &str) -> Vec<(Cursor, Event)> {
        let batch: Vec<_> = ns
            .into_iter()
            .map(|n| {
                let mut e = report(&format!("TGR-{n}"), "sampah", "2026-11-23T02:00:00Z");
                e.id = format!("e-{n}");
                report_mut(&mut e).agency = Some(agency.into());
                (c(n), e)
            })
            .collect();
        self.live["tangerang"].write().apply_batch(&batch);
        self.log.entries.lock().unwrap().extend(batch.iter().cloned());
        batch
    }

    fn publish(&self, batch: Vec<(Cursor, Event)>, from: Cursor) {
        let to = batch.last().unwrap().0;
        self.hub
            .channel("tangerang")
            .unwrap()
            .publish(Frame::deltas(from, to, batch));
    }
}

/// The client's end: what it sends and what it receives.
struct Client {
    tx: mpsc::UnboundedSender<Result<Message, axum::Error>>,
    rx: mpsc::UnboundedReceiver<Message>,
    session: tokio::task::JoinHandle<()>,
    _stop: crate::shutdown::Trigger,
}

impl Client {
    fn connect(server: &Arc<Server>) -> Client {
        let (tx, stream_rx) = mpsc::unbounded_channel();
        let (sink_tx, rx) = mpsc::unbounded_channel();
        let (trigger, stop) = crate::shutdown::channel();
        let server = server.clone();
        let session = tokio::spawn(async move {
            let sink = Box::pin(futures_util::sink::unfold(sink_tx, |tx, msg: Message| async move {
                tx.send(msg).map_err(|_| ())?;
                Ok::<_, ()>(tx)
            }));
            let stream = Box::pin(futures_util::stream::unfold(stream_rx, |mut rx| async move {
                rx.recv().await.map(|m| (m, rx))
            }));
            let deps = Deps {
                tenants: &TENANTS,
                hub: &server.hub,
                live: &server.live,
                backend: &server.log,
                limits: server.limits,
                cookie: None,
            };
            run(&deps, sink, stream, stop).await;
        });
        Client {
            tx,
            rx,
            session,
            _stop: trigger,
        }
    }

    fn send(&self, msg: serde_json::Value) {
        self.tx.send(Ok(Message::Text(msg.to_string().into()))).unwrap();
    }

    /// Subscribe to Tangerang as paired screen `screen-1`.
    fn subscribe(&self, since: Option<Cursor>, filters: serde_json::Value) {
        self.send(serde_json::json!({
            "type": "subscribe", "v": 1, "tenant": "tangerang", "since": since, "filters": filters,
            "token": "screen-1",
        }));
    }

    /// The next frame (pings and closes included).
    async fn frame(&mut self) -> Message {
        tokio::time::timeout(Duration::from_secs(600), self.rx.recv())
            .await
            .expect("a frame in time")
            .expect("session open")
    }

    /// The next server message.
    async fn msg(&mut self) -> ServerMsg {
        match self.frame().await {
            Message::Text(t) => serde_json::from_str(t.as_str()).unwrap(),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

fn ticket_ids(events: &[Event]) -> Vec<&str> {
    events.iter().filter_map(|e| e.ticket.as_deref()).collect()
}

/// A fresh subscription starts from a snapshot at the projection's cursor; frames after it
/// arrive as deltas, and frames the snapshot already covers are not sent again.
#[tokio::test(start_paused = true)]
async fn snapshot_then_live_deltas() {
    let server = Server::new(16);
    server.append(1..=2, "dlh");
    let mut client = Client::connect(&server);
    client.subscribe(None, serde_json::json!({}));
    let ServerMsg::Snapshot { cursor, tickets, .. } = client.msg().await else {
        panic!("snapshot first")
    };
    assert_eq!((cursor, tickets.len()), (c(2), 2));
    server.publish(server.log.entries.lock().unwrap()[..2].to_vec(), c(0));
    let batch = server.append([3], "dlh");
    server.publish(batch, c(2));
    let ServerMsg::Deltas { from, to, events, .. } = client.msg().await else {
        panic!("deltas")
    };
    assert_eq!((from, to, ticket_ids(&events)), (c(2), c(3), vec!["TGR-3"]));
}

/// Sessions subscribing together share one snapshot: the second gets the first's (its
/// cursor behind the projection's) and then the entries after it as deltas — nothing
/// skipped; filtered sessions and sessions after the sharing window get their own.
#[tokio::test(start_paused = true)]
async fn a_shared_snapshot_is_followed_by_what_came_after_it() {
    let server = Server::with_share(16, Duration::from_secs(1));
    server.append(1..=2, "dlh");
    let mut first = Client::connect(&server);
    first.subscribe(None, serde_json::json!({}));
    let ServerMsg::Snapshot { cursor, .. } = first.msg().await else {
        panic!("snapshot")
    };
    assert_eq!(cursor, c(2));
    let batch = server.append(3..=4, "dlh");
    server.publish(batch, c(2));
    let mut second = Client::connect(&server);
    second.subscribe(None, serde_json::json!({}));
    let ServerMsg::Snapshot { cursor, tickets, .. } = second.msg().await else {
        panic!("the shared snapshot")
    };
    assert_eq!((cursor, tickets.len()), (c(2), 2), "the first session's snapshot");
    let ServerMsg::Deltas { from, to, events, .. } = second.msg().await else {
        panic!("what came after it")
    };
    assert_eq!((from, to, ticket_ids(&events)), (c(2), c(4), vec!["TGR-3", "TGR-4"]));
    let batch = server.append([5], "dlh");
    server.publish(batch, c(4));
    let ServerMsg::Deltas { from, to, .. } = second.msg().await else {
        panic!("live deltas")
    };
    assert_eq!((from, to), (c(4), c(5)));

    let mut filtered = Client::connect(&server);
    filtered.subscribe(None, serde_json::json!({ "agency": "dlh" }));
    let ServerMsg::Snapshot { cursor, .. } = filtered.msg().await else {
        panic!("own snapshot")
    };
    assert_eq!(cursor, c(5), "a filtered session builds its own");
    tokio::time::advance(Duration::from_millis(1_100)).await;
    let mut later = Client::connect(&server);
    later.subscribe(None, serde_json::json!({}));
    let ServerMsg::Snapshot { cursor, .. } = later.msg().await else {
        panic!("a new snapshot")
    };
    assert_eq!(cursor, c(5), "after the window a new one is built");
}

/// A subscription asking for compressed snapshots gets its snapshot as a binary frame of
/// raw deflate (shared or not), which inflates to the same snapshot; deltas stay text. An
/// unknown compression is refused.
#[tokio::test(start_paused = true)]
async fn compressed_snapshots_come_deflated() {
    use std::io::Read;
    for share in [Duration::ZERO, Duration::from_secs(1)] {
        let server = Server::with_share(16, share);
        server.append(1..=3, "dlh");
        let mut client = Client::connect(&server);
        client.send(serde_json::json!({
            "type": "subscribe", "v": 1, "tenant": "tangerang", "token": "screen-1", "compress": "gzip",
        }));
        let ServerMsg::Error { code, .. } = client.msg().await else {
            panic!("refused")
        };
        assert_eq!(code, "bad_message");
        client.send(serde_json::json!({
            "type": "subscribe", "v": 1, "tenant": "tangerang", "token": "screen-1", "compress": "deflate-raw",
        }));
        let Message::Binary(packed) = client.frame().await else {
            panic!("a binary snapshot")
        };
        let mut text = String::new();
        flate2::read::DeflateDecoder::new(&packed[..])
            .read_to_string(&mut text)
            .unwrap();
        let ServerMsg::Snapshot { cursor, tickets, .. } = serde_json::from_str(&text).unwrap() else {
            panic!("a snapshot inside")
        };
        assert_eq!((cursor, tickets.len()), (c(3), 3));
        server.publish(server.log.entries.lock().unwrap()[..3].to_vec(), c(0));
        let batch = server.append([4], "dlh");
        server.publish(batch, c(3));
        let ServerMsg::Deltas { from, to, .. } = client.msg().await else {
            panic!("text deltas")
        };
        assert_eq!((from, to), (c(3), c(4)));
    }
}

/// With `since`, the missed entries are replayed in order, then `resumed` names the cursor.
#[tokio::test(start_paused = true)]
async fn resume_replays_what_was_missed() {
    let server = Server::new(16);
    server.append(1..=5, "dlh");
    let mut client = Client::connect(&server);
    client.subscribe(Some(c(2)), serde_json::json!({}));
    let ServerMsg::Deltas { from, to, events, .. } = client.msg().await else {
        panic!("replayed deltas")
    };
    assert_eq!((from, to), (c(2), c(5)));
    assert_eq!(ticket_ids(&events), vec!["TGR-3", "TGR-4", "TGR-5"]);
    let ServerMsg::Resumed { cursor, .. } = client.msg().await else {
        panic!("resumed")
    };
    assert_eq!(cursor, c(5));
}

/// Every way a resume can fail ends in `resync` with its reason, then a fresh snapshot.
#[tokio::test(start_paused = true)]
async fn impossible_resumes_resync() {
    let server = Server::new(16);
    server.append(1..=5, "dlh");
    for (since, reason) in [(c(9), "unknown_cursor"), (c(0), "gap_too_large")] {
        let mut limited = Arc::try_unwrap(Server::new(16)).ok().unwrap();
        limited.limits.max_replay = 3;
        let limited = Arc::new(limited);
        limited.append(1..=5, "dlh");
        let mut client = Client::connect(&limited);
        client.subscribe(Some(since), serde_json::json!({}));
        let ServerMsg::Resync { reason: got, .. } = client.msg().await else {
            panic!("resync")
        };
        assert_eq!(got, reason);
        let ServerMsg::Snapshot { cursor, .. } = client.msg().await else {
            panic!("then a snapshot")
        };
        assert_eq!(cursor, c(5));
    }
    server.log.failing.store(true, Ordering::SeqCst);
    let mut client = Client::connect(&server);
    client.subscribe(Some(c(1)), serde_json::json!({}));
    let ServerMsg::Resync { reason, .. } = client.msg().await else {
        panic!("resync")
    };
    assert_eq!(reason, "store_unavailable");
    assert!(matches!(client.msg().await, ServerMsg::Snapshot { .. }));
}

/// A frame that does not continue from the session's cursor is a gap: resync, snapshot.
#[tokio::test(start_paused = true)]
async fn a_gap_in_the_frames_resyncs() {
    let server = Server::new(16);
    server.append(1..=2, "dlh");
    let mut client = Client::connect(&server);
    client.subscribe(None, serde_json::json!({}));
    assert!(matches!(client.msg().await, ServerMsg::Snapshot { .. }));
    let batch = server.append(4..=4, "dlh");
    server.publish(batch, c(3));
    let ServerMsg::Resync { reason, .. } = client.msg().await else {
        panic!("resync")
    };
    assert_eq!(reason, "gap");
    let ServerMsg::Snapshot { cursor, .. } = client.msg().await else {
        panic!("snapshot")
    };
    assert_eq!(cursor, c(4));
}

/// A session further behind than the hub's buffer is told `lagged` and starts over from a
/// snapshot, without slowing the publisher.
#[tokio::test(start_paused = true)]
async fn a_lagging_session_resyncs() {
    let server = Server::new(2);
    let mut client = Client::connect(&server);
    client.subscribe(None, serde_json::json!({}));
    assert!(matches!(client.msg().await, ServerMsg::Snapshot { .. }));
    for n in 1..=5 {
        let batch = server.append([n], "dlh");
        server.publish(batch, c(n - 1));
    }
    let ServerMsg::Resync { reason, .. } = client.msg().await else {
        panic!("resync")
    };
    assert_eq!(reason, "lagged");
    let ServerMsg::Snapshot { cursor, tickets, .. } = client.msg().await else {
        panic!("snapshot")
    };
    assert_eq!((cursor, tickets.len()), (c(5), 5));
}

/// A filtered session sees only its agency's tickets, in the snapshot and in deltas.
#[tokio::test(start_paused = true)]
async fn filters_apply_to_snapshot_and_deltas() {
    let server = Server::new(16);
    server.append([1], "dlh");
    server.append([2], "pupr");
    let mut client = Client::connect(&server);
    client.subscribe(None, serde_json::json!({ "agency": "pupr" }));
    let ServerMsg::Snapshot { tickets, .. } = client.msg().await else {
        panic!("snapshot")
    };
    assert_eq!(tickets.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), vec!["TGR-2"]);
    let mut batch = server.append([3], "dlh");
    batch.extend(server.append([4], "pupr"));
    server.publish(batch, c(2));
    let ServerMsg::Deltas { from, to, events, .. } = client.msg().await else {
        panic!("deltas")
    };
    assert_eq!((from, to, ticket_ids(&events)), (c(2), c(4), vec!["TGR-4"]));
}

/// A quiet session gets a ping and a `heartbeat` every interval; a client that says nothing
/// at all is closed after the idle timeout; a ping is answered with `pong`.
#[tokio::test(start_paused = true)]
async fn heartbeats_pings_and_idle_close() {
    let server = Server::new(16);
    let mut client = Client::connect(&server);
    client.subscribe(None, serde_json::json!({}));
    assert!(matches!(client.msg().await, ServerMsg::Snapshot { .. }));
    client.send(serde_json::json!({ "type": "ping" }));
    assert!(matches!(client.msg().await, ServerMsg::Pong { .. }));
    let t0 = Instant::now();
    assert!(matches!(client.frame().await, Message::Ping(_)));
    assert!(matches!(client.msg().await, ServerMsg::Heartbeat { .. }));
    assert_eq!(t0.elapsed(), Duration::from_secs(15));
    let mut pings = 1;
    loop {
        match client.frame().await {
            Message::Ping(_) => pings += 1,
            Message::Close(_) => break,
            Message::Text(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(pings, 2, "pinged at 15 s and 30 s, closed at 45 s");
    assert_eq!(t0.elapsed(), Duration::from_secs(45));
    client.session.await.unwrap();
}

/// An unknown tenant or a message that is not the protocol gets an `error`, and the
/// session still takes a valid subscription afterwards.
#[tokio::test(start_paused = true)]
async fn bad_subscriptions_are_answered() {
    let server = Server::new(16);
    let mut client = Client::connect(&server);
    client.send(serde_json::json!({ "type": "subscribe", "v": 1, "tenant": "atlantis", "token": "screen-1" }));
    let ServerMsg::Error { code, .. } = client.msg().await else {
        panic!("error")
    };
    assert_eq!(code, "unknown_tenant");
    client.send(serde_json::json!({ "type": "dance" }));
    let ServerMsg::Error { code, .. } = client.msg().await else {
        panic!("error")
    };
    assert_eq!(code, "bad_message");
    client.subscribe(None, serde_json::json!({}));
    assert!(matches!(client.msg().await, ServerMsg::Snapshot { .. }));
}
