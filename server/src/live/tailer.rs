//! The tailer: one task per tenant per process. On start it loads the latest projection
//! snapshot and replays the stream after it (catch-up, pipelined by
//! [`crate::store::catch_up`]), then follows new entries with a blocking `XREAD` on a
//! connection of its own. Each batch is applied to the projection, then handed on as
//! [`Tailed::Batch`]. It never skips: after a Redis error it backs off exponentially and
//! resumes from the last entry it applied. Snapshots are stored by
//! [`super::snapshot_rule`].

use super::snapshot_rule::snapshot_due;
use super::{LiveTenant, Tailed, TailingGuard};
use crate::shutdown::Shutdown;
use crate::store::catch_up::CatchUp;
use crate::store::{follow, history, snapshot, stream_key, RedisClient, StoreError};
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use pantau_shared::protocol::LinkState;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tracing::Instrument;

/// Backoff bounds after a Redis error.
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// Run until shutdown (or until nobody takes its output), keeping `live`'s projection
/// current and sending what it applied to `out`.
pub async fn run(
    client: RedisClient,
    tenant: String,
    live: Arc<LiveTenant>,
    out: mpsc::Sender<Tailed>,
    shutdown: Shutdown,
) {
    let span = tracing::info_span!("tailer", tenant = %tenant);
    run_inner(client, tenant, live, out, shutdown).instrument(span).await
}

async fn run_inner(
    client: RedisClient,
    tenant: String,
    live: Arc<LiveTenant>,
    out: mpsc::Sender<Tailed>,
    mut shutdown: Shutdown,
) {
    let _tailing = TailingGuard::new(&live);
    let stop = shutdown.clone();
    let mut tailer = Tailer {
        client: &client,
        tenant: &tenant,
        live: &live,
        out: &out,
        loaded: false,
    };
    let mut backoff = BACKOFF_MIN;
    loop {
        let result = tokio::select! {
            _ = shutdown.wait() => return,
            r = tailer.tail_once(&stop) => r,
        };
        match result {
            Ok(()) => return,
            Err(e) => {
                crate::metrics::redis_error("tail");
                tracing::warn!(error = %e, backoff_ms = backoff.as_millis() as u64, "tailer lost redis; retrying");
                if live.set_degraded(true) {
                    let reason = Some("event store unreachable".to_owned());
                    let _ = out.send(Tailed::Link(LinkState::Degraded, reason)).await;
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

/// One tailer's borrowed context.
struct Tailer<'a> {
    client: &'a RedisClient,
    tenant: &'a str,
    live: &'a LiveTenant,
    out: &'a mpsc::Sender<Tailed>,
    /// Whether the stored snapshot was looked at (once per process).
    loaded: bool,
}

/// Why reading stopped without an error.
struct Unheard;

impl Tailer<'_> {
    /// Apply a batch under one write lock and hand it on; `Err` when nobody listens.
    async fn apply(&self, from: Cursor, to: Cursor, events: Vec<(Cursor, Event)>) -> Result<(), Unheard> {
        self.live.write().apply_batch(&events);
        crate::metrics::projection_applied(self.tenant, to.ms);
        self.out
            .send(Tailed::Batch { from, to, events })
            .await
            .map_err(|_| Unheard)
    }

    /// Connect and read until shutdown (Ok) or a Redis error (Err).
    async fn tail_once(&mut self, shutdown: &Shutdown) -> Result<(), StoreError> {
        let (live, tenant) = (self.live, self.tenant);
        let mut conn = follow::connect(self.client).await?;
        if !self.loaded && self.live.read().applied() == 0 {
            let t0 = Instant::now();
            if let Some(mut p) = snapshot::load(&mut conn, tenant).await? {
                p.set_sla(live.sla.clone());
                tracing::info!(cursor = %p.cursor(), entries = p.applied(), load_ms = t0.elapsed().as_millis() as u64, "loaded projection snapshot");
                *live.write() = p;
            }
        }
        self.loaded = true;
        if live.set_degraded(false) {
            tracing::info!("redis is back");
            let _ = self.out.send(Tailed::Link(LinkState::Ok, None)).await;
        }
        let mut from = live.read().cursor();
        tracing::info!(from = %from, "tailing");
        let catch_up = Instant::now();
        let mut since_snapshot = 0u64;
        let mut since_history = 0u64;
        let mut last_snapshot = Instant::now();
        if !live.caught_up() {
            // The bulk of a long stream, pipelined (see `catch_up`); the loop below reads the rest.
            let mut batches = CatchUp::start(&conn, &stream_key(tenant), from);
            while let Some(events) = batches.next().await {
                let events = events?;
                let to = events.last().map(|(c, _)| *c).expect("batches are never empty");
                since_snapshot += events.len() as u64;
                if self.apply(from, to, events).await.is_err() {
                    return Ok(());
                }
                from = to;
            }
        }
        // Catch up without blocking (so readiness is known as soon as the tail is reached),
        // then follow with a blocking read.
        while !shutdown.is_triggered() {
            let read = follow::read_after(&mut conn, tenant, from, live.caught_up()).await?;
            crate::metrics::at_head_if(read.read == 0, tenant);
            if let Some(&(to, _)) = read.events.last() {
                since_snapshot += read.events.len() as u64;
                if self.apply(from, to, read.events).await.is_err() {
                    return Ok(());
                }
                from = to;
            }
            if read.read < follow::BATCH && live.mark_ready() {
                crate::metrics::caught_up(tenant, catch_up);
                let p = live.read();
                tracing::info!(cursor = %p.cursor(), entries = p.applied(), catch_up_ms = catch_up.elapsed().as_millis() as u64, "projection caught up");
            }
            // The ticket count matters only once `snapshot_every` entries have passed (this
            // runs after every batch on the ingest path: no lock taken for nothing).
            let tickets = if since_snapshot >= live.snapshot_every {
                live.read().ticket_count() as u64
            } else {
                0
            };
            let due = snapshot_due(since_snapshot, live.snapshot_every, tickets, last_snapshot.elapsed());
            if due && live.caught_up() {
                let (cursor, json) = {
                    let p = live.read();
                    (
                        p.cursor().to_string(),
                        serde_json::to_vec(&*p).expect("projections serialise"),
                    )
                };
                let bytes = json.len();
                since_history += since_snapshot;
                if live.history_every > 0 && since_history >= live.history_every {
                    let at = live.read().cursor();
                    history::save(&mut conn, tenant, at, &json, live.history_keep).await?;
                    tracing::info!(%cursor, bytes, "projection snapshot kept for the time machine");
                    since_history = 0;
                }
                let written = snapshot::save(&mut conn, tenant, &cursor, json).await?;
                tracing::info!(%cursor, bytes, written, "projection snapshot");
                since_snapshot = 0;
                last_snapshot = Instant::now();
            }
        }
        Ok(())
    }
}
