//! The tailer: one task per tenant per process. On start it loads the latest projection
//! snapshot and replays the stream after it (catch-up, pipelined by [`super::catch_up`]),
//! then follows new entries with `XREAD BLOCK` on a connection of its own. Each batch is
//! applied to the projection, then handed to the realtime hub serialised once. It never
//! skips: after a Redis error it backs off exponentially and resumes from the last entry it
//! applied. Every `snapshot_every` entries (at least as many as there are tickets, see
//! [`snapshot_due`]), or every [`SNAPSHOT_INTERVAL`], it stores a snapshot.

use super::catch_up::CatchUp;
use super::{decode_entry, snapshot, stream_key, StoreError, EVENT_FIELD};
use crate::realtime::publish::Publish;
use crate::shutdown::Shutdown;
use crate::state::LiveTenant;
use pantau_shared::protocol::LinkState;
use redis::streams::{StreamReadOptions, StreamReadReply};
use redis::AsyncCommands;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tracing::Instrument;

/// How long one `XREAD` blocks waiting for entries.
const BLOCK_MS: usize = 5_000;
/// Most entries taken per read (one frame).
const BATCH: usize = 1_000;
/// Backoff bounds after a Redis error.
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// A snapshot is stored at least this long after the last one, if anything changed.
pub const SNAPSHOT_INTERVAL: Duration = Duration::from_secs(60);

/// Whether to store a snapshot now: after `every` entries — or, once the projection holds
/// more tickets than that, after as many entries as it holds tickets (a snapshot serialises
/// every ticket, so snapshotting a large projection every `every` entries made ingest
/// quadratic: it was the top of the server's profile under load) — or after
/// [`SNAPSHOT_INTERVAL`] if anything changed.
fn snapshot_due(since: u64, every: u64, tickets: u64, elapsed: Duration) -> bool {
    since >= every.max(tickets) || (since > 0 && elapsed >= SNAPSHOT_INTERVAL)
}

/// Run until shutdown, keeping `live`'s projection current and publishing to `channel`.
pub async fn run(
    client: redis::Client,
    tenant: String,
    live: Arc<LiveTenant>,
    publisher: mpsc::Sender<Publish>,
    shutdown: Shutdown,
) {
    let span = tracing::info_span!("tailer", tenant = %tenant);
    run_inner(client, tenant, live, publisher, shutdown)
        .instrument(span)
        .await
}

async fn run_inner(
    client: redis::Client,
    tenant: String,
    live: Arc<LiveTenant>,
    publisher: mpsc::Sender<Publish>,
    mut shutdown: Shutdown,
) {
    let stop = shutdown.clone();
    let mut started = false;
    let mut backoff = BACKOFF_MIN;
    loop {
        let result = tokio::select! {
            _ = shutdown.wait() => return,
            r = tail_once(&client, &tenant, &live, &publisher, &mut started, &stop) => r,
        };
        match result {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %e, backoff_ms = backoff.as_millis() as u64, "tailer lost redis; retrying");
                if !live.degraded.swap(true, Ordering::SeqCst) {
                    let reason = Some("event store unreachable".to_owned());
                    let _ = publisher.send(Publish::Status(LinkState::Degraded, reason)).await;
                }
                tokio::select! {
                    _ = shutdown.wait() => return,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
        }
    }
}

/// Apply a batch under one write lock.
fn apply_all(live: &LiveTenant, events: &[(pantau_shared::cursor::Cursor, pantau_shared::event::Event)]) {
    live.projection.write().expect("projection lock").apply_batch(events);
}

/// Connect and read until shutdown (Ok) or a Redis error (Err).
async fn tail_once(
    client: &redis::Client,
    tenant: &str,
    live: &LiveTenant,
    publisher: &mpsc::Sender<Publish>,
    started: &mut bool,
    shutdown: &Shutdown,
) -> Result<(), StoreError> {
    // A blocking read needs its own connection and no response timeout shorter than the block.
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_millis(BLOCK_MS as u64 + 5_000)));
    let mut conn = client.get_multiplexed_async_connection_with_config(&config).await?;
    if !*started {
        let t0 = Instant::now();
        if let Some(mut p) = snapshot::load(&mut conn, tenant).await? {
            p.set_sla(live.sla.clone());
            tracing::info!(cursor = %p.cursor(), entries = p.applied(), load_ms = t0.elapsed().as_millis() as u64, "loaded projection snapshot");
            *live.projection.write().expect("projection lock") = p;
        }
        *started = true;
    }
    if live.degraded.swap(false, Ordering::SeqCst) {
        tracing::info!("redis is back");
        let _ = publisher.send(Publish::Status(LinkState::Ok, None)).await;
    }
    let key = stream_key(tenant);
    let mut from = live.projection.read().expect("projection lock").cursor();
    tracing::info!(from = %from, "tailing");
    let catch_up = Instant::now();
    let mut since_snapshot = 0u64;
    let mut last_snapshot = Instant::now();
    if !live.ready.load(Ordering::SeqCst) {
        // The bulk of a long stream, pipelined (see `catch_up`); the loop below reads the rest.
        let mut batches = CatchUp::start(&conn, &key, from);
        while let Some(events) = batches.next().await {
            let events = events?;
            let to = events.last().map(|(c, _)| *c).expect("batches are never empty");
            apply_all(live, &events);
            since_snapshot += events.len() as u64;
            if publisher.send(Publish::Batch { from, to, events }).await.is_err() {
                return Ok(());
            }
            from = to;
        }
    }
    // Catch up without blocking (so readiness is known as soon as the tail is reached), then
    // follow with a blocking read.
    let catch_up_options = StreamReadOptions::default().count(BATCH);
    let follow_options = StreamReadOptions::default().block(BLOCK_MS).count(BATCH);
    while !shutdown.is_triggered() {
        let options = if live.ready.load(Ordering::SeqCst) {
            &follow_options
        } else {
            &catch_up_options
        };
        let reply: Option<StreamReadReply> = conn.xread_options(&[&key], &[from.to_string()], options).await?;
        let entries: Vec<_> = reply
            .map(|r| r.keys.into_iter().flat_map(|k| k.ids).collect())
            .unwrap_or_default();
        let read = entries.len();
        let mut events = Vec::with_capacity(read);
        for entry in entries {
            match decode_entry(&entry.id, entry.get(EVENT_FIELD)) {
                Ok(pair) => events.push(pair),
                // Skip a corrupt entry loudly rather than wedging every wall on it.
                Err(e) => tracing::error!(error = %e, "skipping undecodable stream entry"),
            }
        }
        let to = events.last().map(|(c, _)| *c).unwrap_or(from);
        if !events.is_empty() {
            apply_all(live, &events);
            since_snapshot += events.len() as u64;
            if publisher.send(Publish::Batch { from, to, events }).await.is_err() {
                return Ok(());
            }
            from = to;
        }
        if read < BATCH && !live.ready.swap(true, Ordering::SeqCst) {
            let p = live.projection.read().expect("projection lock");
            tracing::info!(cursor = %p.cursor(), entries = p.applied(), catch_up_ms = catch_up.elapsed().as_millis() as u64, "projection caught up");
        }
        // The ticket count matters only once `snapshot_every` entries have passed (this runs
        // after every batch on the ingest path: no lock taken for nothing).
        let tickets = if since_snapshot >= live.snapshot_every {
            live.projection.read().expect("projection lock").ticket_count() as u64
        } else {
            0
        };
        let due = snapshot_due(since_snapshot, live.snapshot_every, tickets, last_snapshot.elapsed());
        if due && live.ready.load(Ordering::SeqCst) {
            let (cursor, json) = {
                let p = live.projection.read().expect("projection lock");
                (
                    p.cursor().to_string(),
                    serde_json::to_vec(&*p).expect("projections serialise"),
                )
            };
            let bytes = json.len();
            let written = snapshot::save(&mut conn, tenant, &cursor, json).await?;
            tracing::info!(%cursor, bytes, written, "projection snapshot");
            since_snapshot = 0;
            last_snapshot = Instant::now();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Snapshots follow the configured count while the projection is small, its size once
    /// it is large, and the interval whenever something changed.
    #[test]
    fn snapshots_are_amortised_over_the_projection_size() {
        let soon = Duration::from_secs(1);
        assert!(snapshot_due(10_000, 10_000, 500, soon));
        assert!(!snapshot_due(9_999, 10_000, 500, soon));
        assert!(
            !snapshot_due(10_000, 10_000, 150_000, soon),
            "a large projection waits longer"
        );
        assert!(snapshot_due(150_000, 10_000, 150_000, soon));
        assert!(snapshot_due(1, 10_000, 150_000, SNAPSHOT_INTERVAL));
        assert!(!snapshot_due(0, 10_000, 150_000, SNAPSHOT_INTERVAL), "nothing changed");
    }
}
