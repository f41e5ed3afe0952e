//! Group commit: concurrent appends to one tenant share one round trip. Each (tenant,
//! ticket prefix) has a committer task; a caller hands it its prepared events and waits.
//! The committer takes every job queued while its previous call was in flight (up to
//! [`MAX_GROUP_EVENTS`]) and appends them with one script call per
//! [`super::append::MAX_SCRIPT_EVENTS`] in one pipeline, then answers each caller with its
//! own results, in its own order. Nothing waits for company: an append to an idle tenant
//! goes out at once, so under light load the cost is one channel hop; under load, 50
//! single-event requests cost one round trip and one script call instead of fifty.
//!
//! A caller's answer still means its events are in Redis (or were refused, or Redis
//! failed — then every caller of that group gets the failure and may retry the same ids).
//! A caller that gives up waiting does not take its events back: like a request whose
//! response was lost, the events may be written, and a retry is answered as a duplicate.

use super::append::{self, Appended, Prepared};
use super::health::Health;
use super::{RedisConn, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

/// Events one group takes at most (a job is never split: one bigger than this goes alone).
pub const MAX_GROUP_EVENTS: usize = 2_000;

/// Per event: its result, or the failure of the whole call.
pub type Results = Result<Vec<Result<Appended, StoreError>>, StoreError>;

/// One caller's events and where to send its results.
struct Job {
    events: Vec<Prepared>,
    done: oneshot::Sender<Results>,
}

/// The committers of one store, one per (tenant, ticket prefix), started on first use. A
/// committer ends when its store's last handle is dropped.
pub struct GroupCommit {
    conn: RedisConn,
    health: Arc<Health>,
    queues: Mutex<HashMap<(String, String), mpsc::UnboundedSender<Job>>>,
}

impl GroupCommit {
    pub fn new(conn: RedisConn, health: Arc<Health>) -> GroupCommit {
        GroupCommit {
            conn,
            health,
            queues: Mutex::default(),
        }
    }

    /// Append `events` (all of `tenant`) in order, in the next group of that tenant.
    pub async fn append(&self, tenant: &str, ticket_prefix: &str, events: Vec<Prepared>) -> Results {
        if events.is_empty() {
            return Ok(vec![]);
        }
        let (done, answer) = oneshot::channel();
        self.queue(tenant, ticket_prefix)
            .send(Job { events, done })
            .map_err(|_| StoreError::Rejected("the store is shutting down".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Rejected("the store is shutting down".into()))?
    }

    /// The queue of (tenant, prefix), its committer started if it is not running.
    fn queue(&self, tenant: &str, ticket_prefix: &str) -> mpsc::UnboundedSender<Job> {
        let mut queues = self.queues.lock().expect("group commit queues");
        let key = (tenant.to_owned(), ticket_prefix.to_owned());
        if let Some(tx) = queues.get(&key).filter(|tx| !tx.is_closed()) {
            return tx.clone();
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let committer = Committer {
            conn: self.conn.clone(),
            health: self.health.clone(),
            tenant: key.0.clone(),
            ticket_prefix: key.1.clone(),
        };
        tokio::spawn(committer.run(rx));
        queues.insert(key, tx.clone());
        tx
    }
}

/// The task appending one (tenant, prefix)'s groups, one call in flight at a time.
struct Committer {
    conn: RedisConn,
    health: Arc<Health>,
    tenant: String,
    ticket_prefix: String,
}

impl Committer {
    async fn run(self, mut queue: mpsc::UnboundedReceiver<Job>) {
        while let Some(first) = queue.recv().await {
            let mut total = first.events.len();
            let mut jobs = vec![first];
            while total < MAX_GROUP_EVENTS {
                match queue.try_recv() {
                    Ok(job) => {
                        total += job.events.len();
                        jobs.push(job);
                    }
                    Err(_) => break,
                }
            }
            let results = self.commit(&jobs).await;
            answer(jobs, results);
        }
    }

    /// One group's pipeline (refused at once while Redis is known to be down).
    async fn commit(&self, jobs: &[Job]) -> Results {
        self.health.check()?;
        let events: Vec<&Prepared> = jobs.iter().flat_map(|j| j.events.iter()).collect();
        let span =
            tracing::debug_span!("group_commit", tenant = %self.tenant, jobs = jobs.len(), events = events.len());
        let mut conn = self.conn.clone();
        let results = append::append_prepared(&mut conn, &self.tenant, &self.ticket_prefix, &events)
            .instrument(span)
            .await;
        self.health.observe(&results);
        results
    }
}

/// Each job's own slice of the group's results (or a copy of the group's failure).
fn answer(jobs: Vec<Job>, results: Results) {
    match results {
        Ok(results) => {
            let mut results = results.into_iter();
            for job in jobs {
                let mine: Vec<_> = results.by_ref().take(job.events.len()).collect();
                // The caller may have stopped waiting (its request was dropped): fine.
                let _ = job.done.send(Ok(mine));
            }
        }
        Err(e) => {
            let copies: Vec<StoreError> = jobs.iter().skip(1).map(|_| copy_of(&e)).collect();
            for (job, failure) in jobs.into_iter().zip(std::iter::once(e).chain(copies)) {
                let _ = job.done.send(Err(failure));
            }
        }
    }
}

/// A group's failure for each caller after the first (Redis' error type is not `Clone`:
/// its copy keeps the message and still reads as a Redis failure).
fn copy_of(e: &StoreError) -> StoreError {
    match e {
        StoreError::Unavailable => StoreError::Unavailable,
        StoreError::Rejected(m) => StoreError::Rejected(m.clone()),
        StoreError::Corrupt { id, reason } => StoreError::Corrupt {
            id: id.clone(),
            reason: reason.clone(),
        },
        other => StoreError::Redis(std::io::Error::other(other.to_string()).into()),
    }
}
