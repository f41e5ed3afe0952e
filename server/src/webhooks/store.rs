//! The outbox's Redis commands, and nothing else: the consumer group `webhooks` on a
//! tenant's event stream (create, read own pending and new entries, claim from dead
//! consumers, keep in-flight entries ours, acknowledge) and the capped delivery log.

use crate::store::{decode_entry, deliveries_key, stream_key, StoreError, EVENT_FIELD};
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use redis::aio::ConnectionLike;
use redis::streams::{StreamAutoClaimReply, StreamId, StreamRangeReply, StreamReadReply};
use serde::Serialize;

/// The consumer group every Pantau process delivers webhooks from.
pub const GROUP: &str = "webhooks";
/// Delivery attempts the log keeps (about; `MAXLEN ~`).
pub const LOG_CAP: usize = 10_000;
/// Entries one read or claim takes at most.
pub const BATCH: usize = 100;

/// A stream entry handed to the outbox: its id and, if it decodes, its event.
pub struct Entry {
    pub id: String,
    pub event: Result<(Cursor, Event), StoreError>,
}

fn entries(ids: Vec<StreamId>) -> Vec<Entry> {
    ids.into_iter()
        .map(|e| Entry {
            event: decode_entry(&e.id, e.get(EVENT_FIELD)),
            id: e.id,
        })
        .collect()
}

/// Create the group at the stream's end (`$`, so history is not replayed to receivers);
/// an existing group is left as it is.
pub async fn ensure_group(conn: &mut impl ConnectionLike, tenant: &str) -> Result<(), StoreError> {
    let created: Result<(), redis::RedisError> = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg(stream_key(tenant))
        .arg(GROUP)
        .arg("$")
        .arg("MKSTREAM")
        .query_async(conn)
        .await;
    match created {
        Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
        other => Ok(other?),
    }
}

/// `XREADGROUP` for `consumer`: after `from` in its own pending list (`from` an id), or new
/// entries (`from` = `>`, waiting up to `block_ms`).
pub async fn read(
    conn: &mut impl ConnectionLike,
    tenant: &str,
    consumer: &str,
    from: &str,
    block_ms: Option<u64>,
) -> Result<Vec<Entry>, StoreError> {
    let mut cmd = redis::cmd("XREADGROUP");
    cmd.arg("GROUP").arg(GROUP).arg(consumer).arg("COUNT").arg(BATCH);
    if let Some(ms) = block_ms {
        cmd.arg("BLOCK").arg(ms);
    }
    cmd.arg("STREAMS").arg(stream_key(tenant)).arg(from);
    let reply: Option<StreamReadReply> = cmd.query_async(conn).await?;
    Ok(entries(
        reply
            .map(|r| r.keys.into_iter().flat_map(|k| k.ids).collect())
            .unwrap_or_default(),
    ))
}

/// `XAUTOCLAIM` entries idle for `min_idle_ms` (their consumer died) from `start`: the
/// cursor for the next call (`0-0` when done), the entries, and ids no longer in the stream.
pub async fn autoclaim(
    conn: &mut impl ConnectionLike,
    tenant: &str,
    consumer: &str,
    min_idle_ms: u64,
    start: &str,
) -> Result<(String, Vec<Entry>, Vec<String>), StoreError> {
    let reply: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
        .arg(stream_key(tenant))
        .arg(GROUP)
        .arg(consumer)
        .arg(min_idle_ms)
        .arg(start)
        .arg("COUNT")
        .arg(BATCH)
        .query_async(conn)
        .await?;
    Ok((reply.next_stream_id, entries(reply.claimed), reply.deleted_ids))
}

/// Reset the idle time of entries still being delivered, so no other process claims them.
pub async fn touch(
    conn: &mut impl ConnectionLike,
    tenant: &str,
    consumer: &str,
    ids: &[String],
) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let _: redis::Value = redis::cmd("XCLAIM")
        .arg(stream_key(tenant))
        .arg(GROUP)
        .arg(consumer)
        .arg(0)
        .arg(ids)
        .arg("JUSTID")
        .query_async(conn)
        .await?;
    Ok(())
}

/// Acknowledge entries every webhook is done with.
pub async fn ack(conn: &mut impl ConnectionLike, tenant: &str, ids: &[String]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let _: u64 = redis::cmd("XACK")
        .arg(stream_key(tenant))
        .arg(GROUP)
        .arg(ids)
        .query_async(conn)
        .await?;
    Ok(())
}

/// One delivery attempt, as the log keeps it.
#[derive(Clone, Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Attempt {
    /// The log entry's id (empty before it is written).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub log_id: String,
    /// The event's id (the receiver's idempotency key).
    pub event: String,
    pub webhook: String,
    pub url: String,
    /// 1 for the first try.
    pub attempt: u32,
    /// The HTTP status, when the receiver answered.
    pub status: Option<u16>,
    /// Why no answer came (connection refused, timeout), if so.
    pub error: Option<String>,
    /// RFC 3339 UTC.
    pub at: String,
    /// `delivered`, `retrying` or `gave_up`.
    pub outcome: String,
}

/// Append an attempt to the tenant's delivery log (capped at about [`LOG_CAP`]).
pub async fn log(conn: &mut impl ConnectionLike, tenant: &str, a: &Attempt) -> Result<(), StoreError> {
    let mut cmd = redis::cmd("XADD");
    cmd.arg(deliveries_key(tenant))
        .arg("MAXLEN")
        .arg("~")
        .arg(LOG_CAP)
        .arg("*");
    cmd.arg("event").arg(&a.event).arg("webhook").arg(&a.webhook);
    cmd.arg("url").arg(&a.url).arg("attempt").arg(a.attempt);
    if let Some(status) = a.status {
        cmd.arg("status").arg(status);
    }
    if let Some(error) = &a.error {
        cmd.arg("error").arg(error);
    }
    cmd.arg("at").arg(&a.at).arg("outcome").arg(&a.outcome);
    let _: String = cmd.query_async(conn).await?;
    Ok(())
}

/// The latest `limit` attempts, newest first.
pub async fn deliveries(
    conn: &mut impl ConnectionLike,
    tenant: &str,
    limit: usize,
) -> Result<Vec<Attempt>, StoreError> {
    let reply: StreamRangeReply = redis::cmd("XREVRANGE")
        .arg(deliveries_key(tenant))
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(limit.max(1))
        .query_async(conn)
        .await?;
    Ok(reply
        .ids
        .into_iter()
        .map(|e| {
            let text = |field: &str| e.get::<String>(field).unwrap_or_default();
            Attempt {
                event: text("event"),
                webhook: text("webhook"),
                url: text("url"),
                attempt: e.get("attempt").unwrap_or_default(),
                status: e.get("status"),
                error: e.get("error"),
                at: text("at"),
                outcome: text("outcome"),
                log_id: e.id,
            }
        })
        .collect())
}
