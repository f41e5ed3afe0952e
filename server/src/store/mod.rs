//! Redis, the source of truth. Every key of a tenant carries the hash tag `{tenant}` so a
//! Redis Cluster keeps a tenant on one slot (scripts touch several keys of one tenant).
//!
//! - [`append`]: the atomic, idempotent append script.
//! - [`tail`]: one `XREAD BLOCK` loop per tenant feeding the realtime hub.
//! - reads for snapshots live here.

pub mod append;
pub mod tail;

use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use redis::aio::ConnectionManager;
use redis::streams::StreamRangeReply;
use std::time::Duration;

pub use append::Appended;

/// The stream field holding the event's JSON.
pub const EVENT_FIELD: &str = "event";

/// How long an event id is remembered for deduplication (7 days).
pub const DEDUPE_TTL_SECS: u64 = 7 * 24 * 3600;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("stream entry {id} is not a valid event: {reason}")]
    Corrupt { id: String, reason: String },
}

/// The stream of a tenant's events.
pub fn stream_key(tenant: &str) -> String {
    format!("pantau:{{{tenant}}}:events")
}

/// The counter numbering a tenant's tickets.
pub fn ticket_seq_key(tenant: &str) -> String {
    format!("pantau:{{{tenant}}}:ticket_seq")
}

/// Remembers that event `id` was appended (and where), for idempotent retries.
pub fn dedupe_key(tenant: &str, id: &str) -> String {
    format!("pantau:{{{tenant}}}:dedupe:{id}")
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
    let event = serde_json::from_str(&json).map_err(|e| corrupt(e.to_string()))?;
    Ok((cursor, event))
}

/// The newest events of a tenant and where they end.
#[derive(Debug, Clone)]
pub struct Recent {
    /// Id of the newest entry (`0-0` when the stream is empty).
    pub cursor: Cursor,
    /// Entries in the stream.
    pub total: u64,
    /// Newest first.
    pub events: Vec<Event>,
}

/// Shared handle to Redis for request handlers (auto-reconnecting, multiplexed).
#[derive(Clone)]
pub struct Store {
    conn: ConnectionManager,
    client: redis::Client,
}

impl Store {
    /// Connect; fails if Redis cannot be reached within the connection timeout.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)));
        let conn = client.get_connection_manager_with_config(config).await?;
        Ok(Store { conn, client })
    }

    /// The client, for tasks that need a connection of their own (blocking reads).
    pub fn client(&self) -> &redis::Client {
        &self.client
    }

    /// Append one validated event (see [`append`]).
    pub async fn append(&self, ticket_prefix: &str, event: &Event) -> Result<Appended, StoreError> {
        append::append(&mut self.conn.clone(), ticket_prefix, event).await
    }

    /// The newest `limit` events of `tenant`, with the stream length, read atomically.
    pub async fn recent(&self, tenant: &str, limit: usize) -> Result<Recent, StoreError> {
        let key = stream_key(tenant);
        let (total, range): (u64, StreamRangeReply) = redis::pipe()
            .atomic()
            .cmd("XLEN")
            .arg(&key)
            .cmd("XREVRANGE")
            .arg(&key)
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(limit.max(1))
            .query_async(&mut self.conn.clone())
            .await?;
        let mut cursor = Cursor::ZERO;
        let mut events = Vec::with_capacity(range.ids.len());
        for (i, entry) in range.ids.iter().enumerate() {
            let (c, e) = decode_entry(&entry.id, entry.get(EVENT_FIELD))?;
            if i == 0 {
                cursor = c;
            }
            if i < limit {
                events.push(e);
            }
        }
        Ok(Recent { cursor, total, events })
    }

    /// Liveness of Redis.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let _: String = redis::cmd("PING").query_async(&mut self.conn.clone()).await?;
        Ok(())
    }
}
