//! A session in replay mode (see [`pantau_shared::protocol::ReplayStart`]): the tenant's
//! state at the chosen instant, then the stream played forward from it at the chosen speed,
//! with the replayed instant as every frame's `server_time` and a `replay` message each
//! second; `replay_control` pauses, plays, seeks and changes speed. The session keeps the
//! replayed projection itself (its filters judge events against it, not the live one). When
//! the replayed instant reaches the present, it hands over to a live subscription.
//! Credentials are checked again as in a live session; a paired screen an admin moves to
//! another instant, or back to live, follows within a recheck.

use super::client::{handle_client, Request};
use super::{Check, Closed, Deps, Gate, Out, ReplaySource, Subscription};
use crate::realtime::hub::{now_ms, text_of};
use crate::realtime::liveness::Due;
use crate::realtime::replay_clock::ReplayClock;
use crate::realtime::view::{snapshot_msg, View};
use crate::shutdown::Shutdown;
use axum::extract::ws::Message;
use futures_util::{Sink, Stream, StreamExt};
use pantau_shared::cursor::Cursor;
use pantau_shared::protocol::{ReplayStart, ServerMsg};
use pantau_shared::PROTOCOL_VERSION;
use std::time::Duration;
use tokio::time::Instant;

/// How often the replayed stream is read forward.
const TICK: Duration = Duration::from_millis(200);
/// How often the replay's clock is sent when nothing else is.
const CLOCK_EVERY: Duration = Duration::from_secs(1);
/// Entries read per tick at most (a fast replay catches up over several ticks).
const CHUNK: usize = 2_000;

fn clock_msg(clock: &ReplayClock, at: i64, live: bool) -> ServerMsg {
    ServerMsg::Replay {
        v: PROTOCOL_VERSION,
        at,
        speed: clock.speed(),
        paused: clock.paused(),
        live,
    }
}

/// Serve `sub` in replay mode from `start`. Returns the next subscription (a re-subscribe,
/// or the live one once the replay reaches the present), `None` when done.
pub(super) async fn serve<S, R, P>(
    deps: &Deps<'_, P>,
    sub: Subscription,
    start: ReplayStart,
    out: &mut Out<'_, S>,
    stream: &mut R,
    shutdown: &mut Shutdown,
) -> Result<Option<Subscription>, Closed>
where
    S: Sink<Message> + Unpin,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
    P: ReplaySource + Gate,
{
    let tenant = deps
        .tenants
        .get(&sub.tenant)
        .expect("only known tenants are subscribed")
        .clone();
    let mut clock = ReplayClock::new(start.from.min(now_ms()), start.speed, Instant::now());
    let mut ticks = tokio::time::interval(TICK);
    let recheck = deps.limits.recheck;
    let mut recheck = tokio::time::interval_at(Instant::now() + recheck, recheck);
    let mut last_clock = Instant::now();
    'seek: loop {
        let at = clock.at(Instant::now());
        let mut projection = match deps.backend.state_at(&tenant, at).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "cannot rebuild the past state");
                out.send(super::error_msg(
                    "store_unavailable",
                    "cannot rebuild that instant now; retry",
                ))
                .await?;
                return Ok(None);
            }
        };
        let mut view = View::new(sub.filters.clone());
        let limit = deps.limits.snapshot_max_tickets;
        out.snapshot(
            text_of(&snapshot_msg(&projection, tenant.info(), &mut view, at, limit)),
            sub.compress,
        )
        .await?;
        let mut cursor = projection.cursor();
        let mut client = cursor;
        out.send(text_of(&clock_msg(&clock, at, false))).await?;
        loop {
            let deadline = out.liveness.next_deadline();
            tokio::select! {
                _ = shutdown.wait() => return Ok(None),
                _ = recheck.tick() => match super::check(deps, &sub.credentials, sub.directive).await {
                    Check::Valid => {}
                    Check::Revoked => {
                        tracing::info!("credentials no longer valid; closing");
                        out.send(super::error_msg("revoked", "signed out or revoked")).await?;
                        return Ok(None);
                    }
                    // An admin moved the screen to another instant, or back to live.
                    Check::Directed(directive) => {
                        if directive.is_none() {
                            out.send(text_of(&clock_msg(&clock, now_ms(), true))).await?;
                        }
                        tracing::info!(?directive, "screen directed");
                        return Ok(Some(Subscription { since: None, replay: directive, directive, ..sub }));
                    }
                },
                _ = ticks.tick() => {
                    let now = Instant::now();
                    let present = now_ms();
                    let at = clock.at(now).min(present);
                    let until = Cursor { ms: u64::try_from(at).unwrap_or(0), seq: u64::MAX };
                    let chunk = match deps.backend.range_after(&sub.tenant, cursor, until, CHUNK).await {
                        Ok(chunk) => chunk,
                        Err(e) => {
                            tracing::warn!(error = %e, "replay read failed; retrying");
                            continue;
                        }
                    };
                    let last_read = chunk.len();
                    if let Some(&(to, _)) = chunk.last() {
                        // Filters judge events against the state they produce (as live sessions do).
                        projection.apply_batch(&chunk);
                        let visible: Vec<_> = chunk
                            .iter()
                            .filter(|(_, e)| view.admit(&projection, e))
                            .map(|(_, e)| e.clone())
                            .collect();
                        cursor = to;
                        if !visible.is_empty() {
                            out.send(text_of(&ServerMsg::Deltas { v: PROTOCOL_VERSION, from: client, to, server_time: at, events: visible })).await?;
                            client = to;
                        }
                    }
                    if clock.at(now) >= present && last_read < CHUNK {
                        // Everything up to the present was sent: live from here, from a
                        // fresh snapshot.
                        out.send(text_of(&clock_msg(&clock, present, true))).await?;
                        return Ok(Some(Subscription { since: None, replay: None, ..sub }));
                    }
                    if now.duration_since(last_clock) >= CLOCK_EVERY {
                        out.send(text_of(&clock_msg(&clock, at, false))).await?;
                        last_clock = now;
                    }
                }
                msg = stream.next() => match handle_client(deps, out, msg).await? {
                    Request::Subscribe(next) => return Ok(Some(*next)),
                    Request::Control { paused, seek, speed } => {
                        let now = Instant::now();
                        if let Some(speed) = speed {
                            clock.set_speed(speed, now);
                        }
                        if let Some(paused) = paused {
                            clock.set_paused(paused, now);
                        }
                        if let Some(seek) = seek {
                            clock.seek(seek.min(now_ms()), now);
                            continue 'seek;
                        }
                        out.send(text_of(&clock_msg(&clock, clock.at(now), false))).await?;
                    }
                    Request::Nothing => {}
                    Request::Hangup => return Ok(None),
                },
                _ = tokio::time::sleep_until(deadline) => match out.liveness.poll(Instant::now()) {
                    Some(Due::Close) => return Ok(None),
                    Some(Due::Ping) => out.raw(Message::Ping(Default::default())).await?,
                    Some(Due::Heartbeat) => {
                        let at = clock.at(Instant::now());
                        out.send(text_of(&clock_msg(&clock, at, false))).await?
                    }
                    None => {}
                },
            }
        }
    }
}
