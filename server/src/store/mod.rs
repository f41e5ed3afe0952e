//! Redis, the source of truth. Every key of a tenant carries the hash tag `{tenant}` so a
//! Redis Cluster keeps a tenant on one slot (scripts touch several keys of one tenant).
//!
//! Only Redis commands live here: no projection lock, no sockets, no tasks of its own
//! beyond the catch-up reader, the health probe and the group committers.
//!
//! - [`append`]: the atomic, idempotent append script (versions and status moves checked),
//!   one call per batch.
//! - [`group_commit`]: concurrent appends to one tenant share one script call.
//! - [`follow`]: `XREAD` after a cursor on a connection for blocking reads.
//! - [`catch_up`]: the pipelined read of a long stream when a tailer starts.
//! - [`snapshot`]: projection snapshots.
//! - [`history`]: snapshots kept at intervals, for the time machine.
//! - [`lease`]: the SLA emitter's lease.
//! - [`health`]: whether Redis is reachable, so calls fail at once while it is not.
//! - [`conn`]: one server or a Redis Cluster, chosen by the URL ([`RedisConn`]).
//! - [`Store`]: the shared handle (ranges, events by id, appends, ping).

pub mod append;
pub mod catch_up;
pub mod conn;
pub mod follow;
pub mod group_commit;
pub mod health;
pub mod history;
pub mod lease;
pub mod snapshot;

use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use redis::streams::StreamRangeReply;
use std::sync::Arc;
use std::time::Duration;

pub use append::{Appended, ToAppend};
pub use conn::{RedisClient, RedisConn};

/// The stream field holding the event's JSON.
pub const EVENT_FIELD: &str = "event";

/// How long [`Store::connect`] keeps trying to reach Redis at start.
pub const CONNECT_PATIENCE: Duration = Duration::from_secs(6);

/// How long an event id is remembered for deduplication (7 days).
pub const DEDUPE_TTL_SECS: u64 = 7 * 24 * 3600;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("stream entry {id} is not a valid event: {reason}")]
    Corrupt { id: String, reason: String },
    /// The ticket is not at the version the command expected.
    #[error("ticket {ticket} is at version {current}")]
    VersionConflict { ticket: String, current: u64 },
    /// The command names a ticket that does not exist.
    #[error("no ticket {0}")]
    NoSuchTicket(String),
    /// The ticket's status does not allow the move.
    #[error("ticket {ticket} cannot move from {from} to {to}")]
    InvalidTransition { ticket: String, from: String, to: String },
    /// The event cannot be appended as it is.
    #[error("{0}")]
    Rejected(String),
    /// Redis is known to be unreachable; nothing was sent (see [`health`]).
    #[error("redis is unreachable")]
    Unavailable,
}

/// The stream of a tenant's events.
pub fn stream_key(tenant: &str) -> String {
    format!("pantau:{{{tenant}}}:events")
}

/// The counter numbering a tenant's tickets.
pub fn ticket_seq_key(tenant: &str) -> String {
    format!("pantau:{{{tenant}}}:ticket_seq")
}

/// Each ticket's current version (number of its events), kept by the append script.
pub fn versions_key(tenant: &str) -> String {
    format!("pantau:{{{tenant}}}:versions")
}

/// Each ticket's current status, kept by the append script so it can refuse an invalid move.
pub fn statuses_key(tenant: &str) -> String {
    format!("pantau:{{{tenant}}}:statuses")
}

/// The capped log of outbound webhook delivery attempts (see [`crate::webhooks`]).
pub fn deliveries_key(tenant: &str) -> String {
    format!("pantau:{{{tenant}}}:deliveries")
}

/// A stream entry decoded: its id and its event.
pub fn decode_entry(id: &str, raw: Option<String>) -> Result<(Cursor, Event), StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        id: id.to_owned(),
        reason,
    };
    let cursor: Cursor = id
        .parse()
        .map_err(|e: pantau_shared::cursor::InvalidCursor| corrupt(e.to_string()))?;
    let json = raw.ok_or_else(|| corrupt(format!("no `{EVENT_FIELD}` field")))?;
    let event = read_event(json.as_bytes()).map_err(|e| corrupt(e.to_string()))?;
    Ok((cursor, event))
}

/// A stored event's JSON decoded: in one pass when it is in the order Pantau writes
/// (`pantau_shared::decode::event`; half the work of serde's derived decoder, which buffers the
/// tagged body), else by the derived decoder, which takes any order.
pub fn read_event(json: &[u8]) -> serde_json::Result<Event> {
    pantau_shared::decode::event(json).or_else(|_| serde_json::from_slice(json))
}

/// Shared handle to Redis for request handlers (auto-reconnecting, multiplexed).
#[derive(Clone)]
pub struct Store {
    conn: RedisConn,
    client: RedisClient,
    health: Arc<health::Health>,
    commits: Arc<group_commit::GroupCommit>,
}

impl Store {
    /// Connect (a few attempts over about [`CONNECT_PATIENCE`]) and start the health probe.
    ///
    /// Reconnecting later is quick on purpose (3 attempts at most 250 ms apart): a command
    /// waits for a reconnect in progress, and the default (6 attempts with backoff) held a
    /// request 5–9 s while Redis was down. The [`health`] flag answers before that anyway.
    /// A `redis+cluster://` URL connects to a Redis Cluster (see [`conn`]).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = RedisClient::open(url)?;
        let started = std::time::Instant::now();
        let mut conn = loop {
            match client.shared(Duration::from_secs(1), Duration::from_secs(2)).await {
                Ok(conn) => break conn,
                Err(e) if started.elapsed() < CONNECT_PATIENCE => {
                    tracing::warn!(error = %e, "redis not reachable yet; retrying");
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => return Err(e.into()),
            }
        };
        append::preload(&mut conn).await?;
        let health = health::Health::new();
        tokio::spawn(health::probe(Arc::downgrade(&health), conn.clone()));
        let commits = Arc::new(group_commit::GroupCommit::new(conn.clone(), health.clone()));
        Ok(Store {
            conn,
            client,
            health,
            commits,
        })
    }

    /// Whether Redis is reachable as far as the store knows (see [`health`]).
    pub fn is_up(&self) -> bool {
        self.health.is_up()
    }

    /// The connection for one call, or `Unavailable` at once while Redis is down.
    fn conn(&self) -> Result<RedisConn, StoreError> {
        self.health.check()?;
        Ok(self.conn.clone())
    }

    /// `result`, after taking the health flag down if it failed on the connection.
    fn observed<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        self.health.observe(&result);
        result
    }

    /// The shared connection, for other record keepers on the same Redis (auth).
    pub fn connection(&self) -> RedisConn {
        self.conn.clone()
    }

    /// The client, for tasks that need a connection of their own (blocking reads).
    pub fn client(&self) -> &RedisClient {
        &self.client
    }

    /// Append one validated event (see [`append_many`](Store::append_many)).
    pub async fn append(&self, ticket_prefix: &str, event: ToAppend<'_>) -> Result<Appended, StoreError> {
        let mut results = self.append_many(ticket_prefix, &[event]).await?;
        results.pop().expect("one result per event")
    }

    /// Up to `count` entries after `after` (exclusive) up to `until` (inclusive), oldest first.
    pub async fn range_after(
        &self,
        tenant: &str,
        after: Cursor,
        until: Cursor,
        count: usize,
    ) -> Result<Vec<(Cursor, Event)>, StoreError> {
        self.xrange(tenant, format!("({after}"), until.to_string(), count).await
    }

    /// Up to `count` events appended between two Unix-ms times (inclusive), oldest first.
    pub async fn events_between(
        &self,
        tenant: &str,
        from_ms: i64,
        to_ms: i64,
        count: usize,
    ) -> Result<Vec<Event>, StoreError> {
        let entries = self
            .xrange(tenant, from_ms.max(0).to_string(), to_ms.max(0).to_string(), count)
            .await?;
        Ok(entries.into_iter().map(|(_, e)| e).collect())
    }

    /// Up to `count` decoded entries of `tenant`'s stream between two `XRANGE` bounds.
    async fn xrange(
        &self,
        tenant: &str,
        start: String,
        end: String,
        count: usize,
    ) -> Result<Vec<(Cursor, Event)>, StoreError> {
        let range = redis::cmd("XRANGE")
            .arg(stream_key(tenant))
            .arg(start)
            .arg(end)
            .arg("COUNT")
            .arg(count.max(1))
            .query_async::<StreamRangeReply>(&mut self.conn()?)
            .await;
        let range = self.observed(range.map_err(StoreError::from))?;
        range
            .ids
            .iter()
            .map(|entry| decode_entry(&entry.id, entry.get(EVENT_FIELD)))
            .collect()
    }

    /// The events at these stream ids, in the given order (one pipelined round trip).
    pub async fn events(&self, tenant: &str, ids: &[Cursor]) -> Result<Vec<Event>, StoreError> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let key = stream_key(tenant);
        let mut pipe = redis::pipe();
        for id in ids {
            pipe.cmd("XRANGE").arg(&key).arg(id.to_string()).arg(id.to_string());
        }
        let ranges = pipe.query_async::<Vec<StreamRangeReply>>(&mut self.conn()?).await;
        let ranges = self.observed(ranges.map_err(StoreError::from))?;
        let mut events = Vec::with_capacity(ids.len());
        for entry in ranges.iter().flat_map(|r| r.ids.iter()) {
            events.push(decode_entry(&entry.id, entry.get(EVENT_FIELD))?.1);
        }
        Ok(events)
    }

    /// Append events of one tenant, in order, each atomic and idempotent on its own, in
    /// that tenant's next group commit (see [`append`] and [`group_commit`]). The outer error
    /// is a Redis failure (some may have been written; a retry with the same ids is safe) or
    /// a refusal of the whole list (a report naming a ticket, two tenants); inner ones are
    /// per event.
    pub async fn append_many(
        &self,
        ticket_prefix: &str,
        events: &[ToAppend<'_>],
    ) -> Result<Vec<Result<Appended, StoreError>>, StoreError> {
        let Some(first) = events.first() else {
            return Ok(vec![]);
        };
        let tenant = first.event.tenant.as_str();
        if events.iter().any(|e| e.event.tenant != tenant) {
            return Err(StoreError::Rejected("one append holds one tenant's events".into()));
        }
        let prepared = events
            .iter()
            .map(append::Prepared::new)
            .collect::<Result<Vec<_>, _>>()?;
        self.health.check()?;
        self.commits.append(tenant, ticket_prefix, prepared).await
    }

    /// Take or renew a lease (see [`lease`]).
    pub async fn hold_lease(&self, key: &str, holder: &str, ttl_ms: u64) -> Result<bool, StoreError> {
        lease::hold(&mut self.conn.clone(), key, holder, ttl_ms).await
    }

    /// Give a lease up if held.
    pub async fn release_lease(&self, key: &str, holder: &str) -> Result<(), StoreError> {
        lease::release(&mut self.conn.clone(), key, holder).await
    }

    /// Liveness of Redis (`Unavailable` at once while it is known to be down).
    pub async fn ping(&self) -> Result<(), StoreError> {
        let pong = redis::cmd("PING").query_async::<String>(&mut self.conn()?).await;
        self.observed(pong.map_err(StoreError::from)).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::decode_entry;
    use pantau_shared::event::EventBody;

    /// An entry in Pantau's own order and one written otherwise (type first) both decode;
    /// what is not an event is reported as corrupt with its id.
    #[test]
    fn entries_decode_in_any_field_order() {
        let ours = r#"{"v":1,"id":"e1","tenant":"tangerang","ticket":"TGR-000001","at":"2026-12-02T08:00:00Z","type":"ticket.commented","text":"ok"}"#;
        let theirs = r#"{"type":"ticket.commented","text":"ok","at":"2026-12-02T08:00:00Z","ticket":"TGR-000001","tenant":"tangerang","id":"e1","v":1}"#;
        let (_, a) = decode_entry("5-0", Some(ours.into())).unwrap();
        let (_, b) = decode_entry("5-1", Some(theirs.into())).unwrap();
        assert_eq!(a, b);
        assert!(matches!(a.body, EventBody::Commented(ref c) if c.text == "ok"));
        let err = decode_entry("5-2", Some(r#"{"v":1}"#.into())).unwrap_err();
        assert!(err.to_string().contains("5-2"), "{err}");
    }
}
