//! One WebSocket session: wait for `subscribe`, send a `snapshot`, then forward the tenant's
//! frames after the snapshot's cursor. Generic over the socket's sink and stream so it can be
//! driven by channels in unit tests.
//!
//! Gap-freedom: the session subscribes to the hub *before* reading the snapshot, so every
//! entry is either in the snapshot or in a frame received afterwards; frames (or parts of a
//! frame) at or before the snapshot cursor are dropped.

use crate::realtime::hub::now_ms;
use crate::shutdown::Shutdown;
use crate::state::AppState;
use axum::extract::ws::{Message, Utf8Bytes};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use pantau_shared::protocol::{ClientMsg, ServerMsg};
use pantau_shared::PROTOCOL_VERSION;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tracing::Instrument;

/// How long a new connection may take to send `subscribe`.
const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(30);
/// Pause before retrying a snapshot when Redis is unavailable.
const SNAPSHOT_RETRY: Duration = Duration::from_secs(1);

/// Why a session ended early (the socket went away).
struct Closed;

fn text(msg: &ServerMsg) -> Message {
    Message::Text(Utf8Bytes::from(
        serde_json::to_string(msg).expect("server messages always serialise"),
    ))
}

fn error_msg(code: &str, message: impl Into<String>) -> ServerMsg {
    ServerMsg::Error {
        v: PROTOCOL_VERSION,
        code: code.into(),
        message: message.into(),
    }
}

async fn send<S: Sink<Message> + Unpin>(sink: &mut S, msg: Message) -> Result<(), Closed> {
    sink.send(msg).await.map_err(|_| Closed)
}

/// What a client message asks of the session.
enum Request {
    Switch(String),
    Nothing,
    Hangup,
}

/// Answer pings and bad input in place; report subscriptions and hang-ups.
async fn handle_client<S: Sink<Message> + Unpin>(
    state: &AppState,
    sink: &mut S,
    msg: Option<Result<Message, axum::Error>>,
) -> Result<Request, Closed> {
    let raw = match msg {
        Some(Ok(Message::Text(t))) => t,
        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(Request::Hangup),
        Some(Ok(_)) => return Ok(Request::Nothing),
    };
    match serde_json::from_str::<ClientMsg>(raw.as_str()) {
        Ok(ClientMsg::Ping) => {
            send(
                sink,
                text(&ServerMsg::Pong {
                    v: PROTOCOL_VERSION,
                    server_time: now_ms(),
                }),
            )
            .await?;
            Ok(Request::Nothing)
        }
        Ok(ClientMsg::Subscribe { tenant }) if state.hub.channel(&tenant).is_some() => Ok(Request::Switch(tenant)),
        Ok(ClientMsg::Subscribe { tenant }) => {
            send(
                sink,
                text(&error_msg("unknown_tenant", format!("unknown tenant {tenant:?}"))),
            )
            .await?;
            Ok(Request::Nothing)
        }
        Err(e) => {
            send(sink, text(&error_msg("bad_message", e.to_string()))).await?;
            Ok(Request::Nothing)
        }
    }
}

/// Drive one session until the client leaves or the server shuts down.
pub async fn run<S, R>(state: Arc<AppState>, mut sink: S, mut stream: R, mut shutdown: Shutdown)
where
    S: Sink<Message> + Unpin,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    // Wait for the first valid subscription.
    let mut tenant = loop {
        let next = tokio::select! {
            _ = shutdown.wait() => return,
            n = tokio::time::timeout(SUBSCRIBE_TIMEOUT, stream.next()) => n,
        };
        let Ok(msg) = next else {
            let _ = send(&mut sink, text(&error_msg("subscribe_timeout", "send subscribe first"))).await;
            return;
        };
        match handle_client(&state, &mut sink, msg).await {
            Ok(Request::Switch(t)) => break t,
            Ok(Request::Nothing) => continue,
            Ok(Request::Hangup) | Err(Closed) => return,
        }
    };
    loop {
        let span = tracing::info_span!("ws_subscription", tenant = %tenant);
        let served = serve_tenant(&state, &tenant, &mut sink, &mut stream, &mut shutdown);
        match served.instrument(span).await {
            Ok(Some(next)) => tenant = next,
            Ok(None) | Err(Closed) => break,
        }
    }
    let _ = sink.send(Message::Close(None)).await;
}

/// Serve one tenant: snapshot then deltas. Returns the next tenant on a re-subscribe, `None`
/// when the session should end.
async fn serve_tenant<S, R>(
    state: &AppState,
    tenant: &str,
    sink: &mut S,
    stream: &mut R,
    shutdown: &mut Shutdown,
) -> Result<Option<String>, Closed>
where
    S: Sink<Message> + Unpin,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let channel = state.hub.channel(tenant).expect("only known tenants are subscribed");
    let info = state.tenants.get(tenant).expect("hub and tenants agree").info();
    let live = state.live(tenant).expect("live state for every tenant");
    'snapshot: loop {
        let mut frames = channel.subscribe();
        // The snapshot is the projection's position; recent events are read up to it, so
        // frames after it continue exactly where it ends.
        let (mut cursor, total) = {
            let projection = live.projection.read().expect("projection lock");
            (projection.cursor(), projection.tickets().count() as u64)
        };
        let recent = match state.store.recent(tenant, cursor, state.config.snapshot_recent).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "snapshot failed");
                send(
                    sink,
                    text(&error_msg("store_unavailable", "event store unavailable; retrying")),
                )
                .await?;
                tokio::select! {
                    _ = shutdown.wait() => return Ok(None),
                    _ = tokio::time::sleep(SNAPSHOT_RETRY) => continue 'snapshot,
                }
            }
        };
        let snapshot = ServerMsg::Snapshot {
            v: PROTOCOL_VERSION,
            cursor,
            server_time: now_ms(),
            tenant: info.clone(),
            total,
            recent,
        };
        send(sink, text(&snapshot)).await?;
        loop {
            tokio::select! {
                _ = shutdown.wait() => return Ok(None),
                frame = frames.recv() => match frame {
                    Ok(f) if f.to <= cursor => {}
                    Ok(f) => {
                        let bytes = if f.from >= cursor { f.text.clone() } else { f.after(cursor) };
                        send(sink, Message::Text(bytes)).await?;
                        cursor = f.to;
                    }
                    Err(RecvError::Lagged(skipped)) => {
                        tracing::info!(skipped_frames = skipped, "session fell behind; resync");
                        let resync = ServerMsg::Resync { v: PROTOCOL_VERSION, reason: "lagged".into() };
                        send(sink, text(&resync)).await?;
                        continue 'snapshot;
                    }
                    Err(RecvError::Closed) => return Ok(None),
                },
                msg = stream.next() => match handle_client(state, sink, msg).await? {
                    Request::Switch(next) => return Ok(Some(next)),
                    Request::Nothing => {}
                    Request::Hangup => return Ok(None),
                },
            }
        }
    }
}
