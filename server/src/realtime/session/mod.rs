//! One WebSocket session: wait for `subscribe`, start from a `snapshot` (or, with `since`,
//! replay the missed events), then forward the tenant's frames. Generic over the socket's
//! sink and stream so it can be driven by channels in tests.
//!
//! Gap-freedom: the session subscribes to the hub *before* reading the projection's cursor,
//! so every entry is either covered by the snapshot/replay or arrives in a frame afterwards;
//! frames (or parts of one) at or before the cursor are dropped. A frame that does not
//! continue from the session's cursor, a full ring buffer (`Lagged`), or a replay that is
//! impossible or too long all end in `resync` and a fresh snapshot — never a silent skip.
//!
//! Its dependencies are narrow ([`Deps`]): the tenants, the hub, the live projections, a
//! [`ReplaySource`] and its [`Limits`] — so `tests.rs` drives it with channels, an
//! in-memory log and paused time, without Redis. A subscription with `replay` is served by
//! [`replay`] instead: the past played forward.

use crate::realtime::hub::{deltas_text, now_ms, text_of, Frame};
use crate::realtime::liveness::{Due, Liveness};
use crate::realtime::view::View;
use crate::shutdown::Shutdown;
use axum::extract::ws::{Message, Utf8Bytes};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use pantau_shared::cursor::Cursor;
use pantau_shared::protocol::{Filters, LinkState, ReplayStart, ServerMsg};
use pantau_shared::PROTOCOL_VERSION;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;
use tracing::Instrument;

mod client;
mod deps;
mod replay;
mod start;
#[cfg(test)]
mod tests;

use client::{handle_client, Request};
pub use deps::{Credentials, Deps, Gate, Limits, ReplaySource};
use start::{resume, start_from_snapshot};

/// How long a new connection may take to send `subscribe`.
const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest a subscription waits for a tailer still catching up after start (Redis may be
/// down: then it starts from what the projection has, marked degraded).
const CATCH_UP_WAIT: Duration = Duration::from_secs(10);

/// The socket went away (or must be closed).
struct Closed;

/// A subscription request.
struct Subscription {
    tenant: String,
    since: Option<Cursor>,
    filters: Filters,
    /// What admitted it (checked again while it lasts).
    credentials: Credentials,
    /// Replay mode: play the past from this instant instead of following live.
    replay: Option<ReplayStart>,
    /// The replay an admin had put this screen in when the subscription started (see
    /// [`Gate::directive`]); a different one found at a recheck switches the session.
    directive: Option<ReplayStart>,
    /// Snapshots go as binary frames of raw deflate (`compress: "deflate-raw"`).
    compress: bool,
}

/// What a credentials check while watching found.
enum Check {
    /// Still valid, nothing changed.
    Valid,
    /// Signed out or revoked: tell the client and close.
    Revoked,
    /// An admin put the screen in (another) replay, or back to live.
    Directed(Option<ReplayStart>),
}

/// Check `sub`'s credentials again (every [`Limits::recheck`]); a store that cannot answer
/// keeps the session as it is.
async fn check<P: Gate>(deps: &Deps<'_, P>, credentials: &Credentials, directive: Option<ReplayStart>) -> Check {
    if let Ok(None) = deps.backend.admit(credentials).await {
        return Check::Revoked;
    }
    match deps.backend.directive(credentials).await {
        Ok(found) if found != directive => Check::Directed(found),
        _ => Check::Valid,
    }
}

fn error_msg(code: &str, message: impl Into<String>) -> Utf8Bytes {
    text_of(&ServerMsg::Error {
        v: PROTOCOL_VERSION,
        code: code.into(),
        message: message.into(),
    })
}

/// The socket's sink with the send timeout and liveness bookkeeping.
struct Out<'a, S> {
    sink: &'a mut S,
    timeout: Duration,
    liveness: Liveness,
}

impl<S: Sink<Message> + Unpin> Out<'_, S> {
    async fn send(&mut self, text: Utf8Bytes) -> Result<(), Closed> {
        crate::metrics::frame_sent(text.len());
        self.raw(Message::Text(text)).await?;
        self.liveness.sent(Instant::now());
        Ok(())
    }

    /// A snapshot: as text, or (`compress`) as a binary frame of raw deflate.
    async fn snapshot(&mut self, text: Utf8Bytes, compress: bool) -> Result<(), Closed> {
        if compress {
            self.deflated(crate::realtime::shared_snapshot::deflate(text.as_str()))
                .await
        } else {
            self.send(text).await
        }
    }

    /// An already deflated snapshot, as a binary frame.
    async fn deflated(&mut self, packed: bytes::Bytes) -> Result<(), Closed> {
        crate::metrics::frame_sent(packed.len());
        self.raw(Message::Binary(packed)).await?;
        self.liveness.sent(Instant::now());
        Ok(())
    }

    async fn raw(&mut self, msg: Message) -> Result<(), Closed> {
        match tokio::time::timeout(self.timeout, self.sink.send(msg)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Closed),
            Err(_) => {
                crate::metrics::slow_client_dropped();
                Err(Closed)
            }
        }
    }
}

/// Drive one session until the client leaves, goes silent, or the server shuts down.
pub async fn run<S, R, P>(deps: &Deps<'_, P>, mut sink: S, mut stream: R, mut shutdown: Shutdown)
where
    S: Sink<Message> + Unpin,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
    P: ReplaySource + Gate,
{
    let _open = crate::metrics::SessionOpen::new();
    let limits = deps.limits;
    let liveness = Liveness::new(Instant::now(), limits.ping, limits.idle_timeout);
    let mut out = Out {
        sink: &mut sink,
        timeout: limits.send_timeout,
        liveness,
    };
    let mut next = loop {
        let msg = tokio::select! {
            _ = shutdown.wait() => return,
            m = tokio::time::timeout(SUBSCRIBE_TIMEOUT, stream.next()) => m,
        };
        let Ok(msg) = msg else {
            let _ = out.send(error_msg("subscribe_timeout", "send subscribe first")).await;
            return;
        };
        match handle_client(deps, &mut out, msg).await {
            Ok(Request::Subscribe(s)) => break *s,
            Ok(Request::Nothing | Request::Control { .. }) => continue,
            Ok(Request::Hangup) | Err(Closed) => return,
        }
    };
    loop {
        let span = tracing::info_span!("ws_subscription", tenant = %next.tenant, filtered = !next.filters.is_empty());
        match serve(deps, next, &mut out, &mut stream, &mut shutdown)
            .instrument(span)
            .await
        {
            Ok(Some(s)) => next = s,
            Ok(None) | Err(Closed) => break,
        }
    }
    let _ = out.raw(Message::Close(None)).await;
}

/// Serve one subscription. Returns the next one on a re-subscribe, `None` when done.
async fn serve<S, R, P>(
    deps: &Deps<'_, P>,
    sub: Subscription,
    out: &mut Out<'_, S>,
    stream: &mut R,
    shutdown: &mut Shutdown,
) -> Result<Option<Subscription>, Closed>
where
    S: Sink<Message> + Unpin,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
    P: ReplaySource + Gate,
{
    if let Some(start) = sub.replay {
        // Boxed, like every rarely taken await below: a future is as large as its largest
        // state, and an idle session (most of a room's) would otherwise carry the replay's,
        // the snapshot's and the credentials check's state for nothing (BENCHMARKS.md §12).
        return Box::pin(replay::serve(deps, sub, start, out, stream, shutdown)).await;
    }
    let mut recheck = tokio::time::interval_at(Instant::now() + deps.limits.recheck, deps.limits.recheck);
    let tenant = sub.tenant.as_str();
    let channel = deps.hub.channel(tenant).expect("only known tenants are subscribed");
    let live = deps.live.get(tenant).expect("live state for every tenant");
    let mut view = View::new(sub.filters.clone());
    let mut since = sub.since;
    let mut directive = sub.directive;
    // Whether the next snapshot may be a shared one (not after one could not be followed).
    let mut share = true;
    'start: loop {
        tokio::select! {
            _ = shutdown.wait() => return Ok(None),
            _ = live.wait_caught_up(CATCH_UP_WAIT) => {}
        }
        let mut frames = channel.subscribe();
        // `cursor`: entries handled so far; `client`: the last `to` the client was sent.
        let (mut cursor, mut client) = match since.take() {
            Some(since) => match Box::pin(resume(deps, live, tenant, since, &mut view, out)).await? {
                Ok((head, client)) => {
                    let msg = ServerMsg::Resumed {
                        v: PROTOCOL_VERSION,
                        cursor: client,
                        server_time: now_ms(),
                    };
                    out.send(text_of(&msg)).await?;
                    (head, client)
                }
                Err(reason) => {
                    tracing::info!(%since, reason, "cannot resume; resync");
                    crate::metrics::resync(reason);
                    out.send(text_of(&ServerMsg::Resync {
                        v: PROTOCOL_VERSION,
                        reason: reason.into(),
                    }))
                    .await?;
                    continue 'start;
                }
            },
            None => match Box::pin(start_from_snapshot(
                deps,
                live,
                tenant,
                &mut view,
                out,
                share,
                sub.compress,
            ))
            .await?
            {
                Ok(cursors) => cursors,
                Err(reason) => {
                    // The entries after a shared snapshot could not be read: a fresh one.
                    tracing::info!(reason, "shared snapshot not followed; resync");
                    crate::metrics::resync(reason);
                    out.send(text_of(&ServerMsg::Resync {
                        v: PROTOCOL_VERSION,
                        reason: reason.into(),
                    }))
                    .await?;
                    share = false;
                    continue 'start;
                }
            },
        };
        if live.is_degraded() {
            out.send(text_of(&ServerMsg::Status {
                v: PROTOCOL_VERSION,
                state: LinkState::Degraded,
                reason: Some("event store unreachable".into()),
                server_time: now_ms(),
            }))
            .await?;
        }
        loop {
            let deadline = out.liveness.next_deadline();
            tokio::select! {
                _ = shutdown.wait() => return Ok(None),
                _ = recheck.tick() => match Box::pin(check(deps, &sub.credentials, directive)).await {
                    Check::Valid => {}
                    Check::Revoked => {
                        tracing::info!("credentials no longer valid; closing");
                        out.send(error_msg("revoked", "signed out or revoked")).await?;
                        return Ok(None);
                    }
                    Check::Directed(Some(start)) => {
                        tracing::info!(from = start.from, speed = start.speed, "screen put in replay");
                        return Ok(Some(Subscription { since: None, replay: Some(start), directive: Some(start), ..sub }));
                    }
                    // Back to live while already live: only remember it.
                    Check::Directed(None) => directive = None,
                },
                frame = frames.recv() => match frame {
                    Ok(frame) => match &*frame {
                        Frame::Status { text, .. } => out.send(text.clone()).await?,
                        Frame::Deltas { to, .. } if *to <= cursor => {}
                        Frame::Deltas { from, to, events, text } => {
                            if *from > cursor {
                                tracing::warn!(%from, %cursor, "frame does not continue the session; resync");
                                crate::metrics::resync("gap");
                                out.send(text_of(&ServerMsg::Resync { v: PROTOCOL_VERSION, reason: "gap".into() })).await?;
                                continue 'start;
                            }
                            let message = if view.is_unfiltered() && *from == cursor && client == cursor {
                                Some(text.clone())
                            } else {
                                let projection = live.read();
                                let visible: Vec<_> = events
                                    .iter()
                                    .filter(|(c, e)| *c > cursor && view.admit(&projection, e))
                                    .map(|(_, e)| e)
                                    .collect();
                                (!visible.is_empty()).then(|| deltas_text(client, *to, visible.into_iter()))
                            };
                            cursor = *to;
                            if let Some(message) = message {
                                out.send(message).await?;
                                client = cursor;
                            }
                        }
                    },
                    Err(RecvError::Lagged(skipped)) => {
                        tracing::info!(skipped_frames = skipped, "session fell behind; resync");
                        crate::metrics::resync("lagged");
                        out.send(text_of(&ServerMsg::Resync { v: PROTOCOL_VERSION, reason: "lagged".into() })).await?;
                        continue 'start;
                    }
                    Err(RecvError::Closed) => return Ok(None),
                },
                msg = stream.next() => match Box::pin(handle_client(deps, out, msg)).await? {
                    Request::Subscribe(next) => return Ok(Some(*next)),
                    // Steering a replay means nothing to a live session.
                    Request::Nothing | Request::Control { .. } => {}
                    Request::Hangup => return Ok(None),
                },
                _ = tokio::time::sleep_until(deadline) => match out.liveness.poll(Instant::now()) {
                    Some(Due::Close) => {
                        tracing::info!("client silent; closing");
                        return Ok(None);
                    }
                    Some(Due::Ping) => out.raw(Message::Ping(Default::default())).await?,
                    Some(Due::Heartbeat) => {
                        out.send(text_of(&ServerMsg::Heartbeat { v: PROTOCOL_VERSION, server_time: now_ms() })).await?
                    }
                    None => {}
                },
            }
        }
    }
}
