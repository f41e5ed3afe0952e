//! How a live subscription starts: from a snapshot — shared by the sessions subscribing
//! together or its own, as text or deflated ([`SharedSnapshot`]) — or, with `since`, by
//! resuming: the entries after the client's cursor sent as `deltas` ([`resume`]), which also
//! brings a shared snapshot up to the projection.

use super::{Closed, Deps, Out, ReplaySource};
use crate::live::LiveTenant;
use crate::realtime::hub::{deltas_text, now_ms, text_of};
use crate::realtime::shared_snapshot::SharedSnapshot;
use crate::realtime::view::{snapshot_msg, View};
use axum::extract::ws::{Message, Utf8Bytes};
use futures_util::Sink;
use pantau_shared::cursor::Cursor;

/// Entries read per range while resuming.
const REPLAY_CHUNK: usize = 1_000;

/// A snapshot message for the view, and the cursor it ends at. Tickets newest first, capped.
pub(super) fn snapshot<P>(deps: &Deps<'_, P>, live: &LiveTenant, tenant: &str, view: &mut View) -> (Cursor, Utf8Bytes) {
    let info = deps.tenants.get(tenant).expect("hub and tenants agree").info();
    let projection = live.read();
    let msg = snapshot_msg(&projection, info, view, now_ms(), deps.limits.snapshot_max_tickets);
    (projection.cursor(), text_of(&msg))
}

/// Start a session from a snapshot: an unfiltered one is shared with the sessions that
/// subscribe within [`Limits::snapshot_share`] ([`SharedSnapshot`]); one that ends before
/// the projection's cursor is followed by the entries after it, as on a resume. Returns the
/// session's cursor and the client's, or why a fresh snapshot is needed.
pub(super) async fn start_from_snapshot<S: Sink<Message> + Unpin, P: ReplaySource>(
    deps: &Deps<'_, P>,
    live: &LiveTenant,
    tenant: &str,
    view: &mut View,
    out: &mut Out<'_, S>,
    share: bool,
    compress: bool,
) -> Result<Result<(Cursor, Cursor), &'static str>, Closed> {
    if !share || !view.is_unfiltered() {
        let (cursor, text) = snapshot(deps, live, tenant, view);
        out.snapshot(text, compress).await?;
        return Ok(Ok((cursor, cursor)));
    }
    let shared: &SharedSnapshot = &deps
        .hub
        .channel(tenant)
        .expect("only known tenants are subscribed")
        .snapshot;
    let applied = live.read().applied();
    let built = shared
        .get_or_build(deps.limits.snapshot_share, applied, || {
            let applied = live.read().applied();
            let (cursor, text) = snapshot(deps, live, tenant, view);
            (cursor, applied, text)
        })
        .await;
    if compress {
        out.deflated(built.deflated()).await?;
    } else {
        out.send(built.text.clone()).await?;
    }
    if built.cursor >= live.read().cursor() {
        return Ok(Ok((built.cursor, built.cursor)));
    }
    resume(deps, live, tenant, built.cursor, view, out).await
}

/// Replay the entries after `since` up to the projection's cursor as `deltas`; returns that
/// cursor and the last `to` the client was sent. `Ok(Err)` names why a snapshot is needed.
pub(super) async fn resume<S: Sink<Message> + Unpin, P: ReplaySource>(
    deps: &Deps<'_, P>,
    live: &LiveTenant,
    tenant: &str,
    since: Cursor,
    view: &mut View,
    out: &mut Out<'_, S>,
) -> Result<Result<(Cursor, Cursor), &'static str>, Closed> {
    let head = live.read().cursor();
    if since > head {
        return Ok(Err("unknown_cursor"));
    }
    let mut from = since;
    let mut client = since;
    let mut replayed = 0usize;
    while from < head {
        let chunk = match deps.backend.range_after(tenant, from, head, REPLAY_CHUNK).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "replay failed");
                return Ok(Err("store_unavailable"));
            }
        };
        let Some(&(to, _)) = chunk.last() else { break };
        replayed += chunk.len();
        if replayed > deps.limits.max_replay {
            return Ok(Err("gap_too_large"));
        }
        let text = {
            let projection = live.read();
            let events: Vec<_> = chunk
                .iter()
                .filter(|(_, e)| view.admit(&projection, e))
                .map(|(_, e)| e)
                .collect();
            (!events.is_empty()).then(|| deltas_text(client, to, events.into_iter()))
        };
        if let Some(text) = text {
            out.send(text).await?;
            client = to;
        }
        from = to;
    }
    Ok(Ok((head, client)))
}
