//! A tenant's outbox reader: joins the `webhooks` group, takes back its own pending entries,
//! claims those of dead consumers, then follows new entries — handing each to the delivery
//! tasks of the webhooks that want it and acknowledging it once all of them are done.

use super::deliver::{self, Job};
use super::store::{self, Entry};
use super::{plan, Outbox};
use crate::shutdown::Shutdown;
use crate::store::StoreError;
use bytes::Bytes;
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// How long one blocking read waits for new entries (also the longest an ack waits).
const BLOCK_MS: u64 = 1_000;
/// An entry pending this long belongs to a consumer that died: claim it.
pub const CLAIM_IDLE_MS: u64 = 60_000;
/// How often in-flight entries are marked ours and dead consumers' entries claimed.
const MAINTENANCE: Duration = Duration::from_secs(20);
/// Jobs queued for one webhook before the reader waits for it.
const QUEUE: usize = 1_024;

/// Why the worker stopped before shutdown (the supervisor starts it again).
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a delivery task stopped")]
    DeliveryStopped,
}

/// The worker's state while it runs.
struct Worker<'a> {
    outbox: &'a Outbox,
    conn: crate::store::RedisConn,
    /// One queue per webhook of the tenant, in config order.
    queues: Vec<mpsc::Sender<Job>>,
    /// Entries handed out, with the number of webhooks not yet done with each.
    in_flight: HashMap<String, usize>,
    shutdown: Shutdown,
}

/// Run until shutdown (`Ok`) or a Redis failure.
pub async fn run(outbox: &Outbox, shutdown: Shutdown) -> Result<(), WorkerError> {
    let tenant = outbox.tenant.id.as_str();
    let mut conn = outbox.conn.clone();
    store::ensure_group(&mut conn, tenant).await?;
    let mut reader = crate::store::follow::connect(&outbox.redis).await?;
    let (done_tx, mut done_rx) = mpsc::unbounded_channel();
    // Dropped with the worker: a restarted worker re-delivers what these were doing.
    let mut tasks = JoinSet::new();
    let queues = outbox
        .tenant
        .webhooks
        .iter()
        .map(|hook| {
            let (tx, rx) = mpsc::channel(QUEUE);
            tasks.spawn(deliver::run(
                hook.clone(),
                tenant.to_owned(),
                outbox.http.clone(),
                conn.clone(),
                rx,
                done_tx.clone(),
                shutdown.clone(),
            ));
            tx
        })
        .collect();
    let mut worker = Worker {
        outbox,
        conn,
        queues,
        in_flight: HashMap::new(),
        shutdown: shutdown.clone(),
    };

    // What this consumer had read before it stopped, then what dead consumers left.
    let mut from = "0".to_owned();
    loop {
        let batch = store::read(&mut reader, tenant, &outbox.consumer, &from, None).await?;
        let Some(last) = batch.last() else { break };
        from = last.id.clone();
        worker.dispatch(batch).await?;
    }
    worker.claim_abandoned().await?;

    let mut last_maintenance = Instant::now();
    let mut stop = shutdown.clone();
    loop {
        let mut finished = Vec::new();
        while let Ok(entry) = done_rx.try_recv() {
            if let Some(left) = worker.in_flight.get_mut(&entry) {
                *left -= 1;
                if *left == 0 {
                    worker.in_flight.remove(&entry);
                    finished.push(entry);
                }
            }
        }
        store::ack(&mut worker.conn, tenant, &finished).await?;
        if tasks.try_join_next().is_some() && !stop.is_triggered() {
            return Err(WorkerError::DeliveryStopped);
        }
        if last_maintenance.elapsed() >= MAINTENANCE {
            let ids: Vec<String> = worker.in_flight.keys().cloned().collect();
            store::touch(&mut worker.conn, tenant, &outbox.consumer, &ids).await?;
            worker.claim_abandoned().await?;
            last_maintenance = Instant::now();
        }
        let batch = tokio::select! {
            batch = store::read(&mut reader, tenant, &outbox.consumer, ">", Some(BLOCK_MS)) => batch?,
            _ = stop.wait() => return Ok(()),
        };
        worker.dispatch(batch).await?;
    }
}

impl Worker<'_> {
    /// Claim entries idle longer than [`CLAIM_IDLE_MS`] (their consumer died) and deliver them.
    async fn claim_abandoned(&mut self) -> Result<(), WorkerError> {
        let tenant = self.outbox.tenant.id.as_str();
        let mut start = "0-0".to_owned();
        loop {
            let (next, entries, deleted) =
                store::autoclaim(&mut self.conn, tenant, &self.outbox.consumer, CLAIM_IDLE_MS, &start).await?;
            store::ack(&mut self.conn, tenant, &deleted).await?;
            self.dispatch(entries).await?;
            if next == "0-0" || next == start {
                return Ok(());
            }
            start = next;
        }
    }

    /// Queue each entry for the webhooks that want it; acknowledge at once those no
    /// webhook wants (or that do not decode).
    async fn dispatch(&mut self, batch: Vec<Entry>) -> Result<(), WorkerError> {
        let tenant = self.outbox.tenant.id.clone();
        let mut unwanted = Vec::new();
        for entry in batch {
            if self.in_flight.contains_key(&entry.id) {
                continue;
            }
            let (cursor, event) = match entry.event {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::error!(%tenant, error = %e, "webhooks skip an undecodable stream entry");
                    unwanted.push(entry.id);
                    continue;
                }
            };
            let targets = self.targets(cursor, &event).await;
            if targets.is_empty() {
                unwanted.push(entry.id);
                continue;
            }
            let body = Bytes::from(plan::body(&event));
            self.in_flight.insert(entry.id.clone(), targets.len());
            for i in targets {
                let job = Job {
                    entry: entry.id.clone(),
                    event_id: event.id.clone(),
                    body: body.clone(),
                };
                let mut stop = self.shutdown.clone();
                tokio::select! {
                    sent = self.queues[i].send(job) => sent.map_err(|_| WorkerError::DeliveryStopped)?,
                    _ = stop.wait() => return Ok(()),
                }
            }
        }
        store::ack(&mut self.conn, &tenant, &unwanted).await?;
        Ok(())
    }

    /// The webhooks (indexes) that want `event`. The ticket's agency is the event's own for
    /// an assignment or verification, else the projection's once it has applied the entry.
    async fn targets(&self, cursor: Cursor, event: &Event) -> Vec<usize> {
        let hooks = &self.outbox.tenant.webhooks;
        let kind = event.body.type_name();
        let wanting: Vec<usize> = (0..hooks.len()).filter(|&i| hooks[i].wants_type(kind)).collect();
        let needs_agency = wanting.iter().any(|&i| hooks[i].agency.is_some());
        let agency = match plan::event_agency(&event.body) {
            Some(a) => Some(a.to_owned()),
            None if needs_agency => self.ticket_agency(cursor, event.ticket.as_deref()).await,
            None => None,
        };
        wanting
            .into_iter()
            .filter(|&i| hooks[i].wants(kind, agency.as_deref()))
            .collect()
    }

    /// The ticket's agency in the projection, once the projection has applied `cursor`
    /// (after a restart the tailer may still be catching up).
    async fn ticket_agency(&self, cursor: Cursor, ticket: Option<&str>) -> Option<String> {
        let mut stop = self.shutdown.clone();
        loop {
            {
                let projection = self.outbox.live.read();
                if projection.cursor() >= cursor {
                    return ticket.and_then(|t| projection.ticket(t)).and_then(|t| t.agency.clone());
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                _ = stop.wait() => return None,
            }
        }
    }
}
