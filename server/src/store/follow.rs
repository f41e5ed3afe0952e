//! Following a stream: a connection of its own for blocking reads, and `XREAD` of the
//! entries after a cursor, decoded. The tailer ([`crate::live::tailer`]) drives it.

use super::{decode_entry, stream_key, RedisClient, RedisConn, StoreError, EVENT_FIELD};
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use redis::streams::{StreamReadOptions, StreamReadReply};
use redis::AsyncCommands;
use std::time::Duration;

/// How long one blocking `XREAD` waits for entries.
pub const BLOCK_MS: usize = 5_000;
/// Most entries taken per read (one frame).
pub const BATCH: usize = 1_000;

/// A connection for blocking reads: no response timeout shorter than the block.
pub async fn connect(client: &RedisClient) -> Result<RedisConn, StoreError> {
    let response = Duration::from_millis(BLOCK_MS as u64 + 5_000);
    Ok(client.blocking(Duration::from_secs(2), response).await?)
}

/// What one read returned.
pub struct Read {
    /// Entries read, including undecodable ones (fewer than [`BATCH`]: the tail is reached).
    pub read: usize,
    /// The decoded entries, oldest first.
    pub events: Vec<(Cursor, Event)>,
}

/// Up to [`BATCH`] entries of `tenant`'s stream after `from`; with `block`, wait up to
/// [`BLOCK_MS`] for one. An undecodable entry is skipped loudly rather than wedging every
/// wall on it.
pub async fn read_after(conn: &mut RedisConn, tenant: &str, from: Cursor, block: bool) -> Result<Read, StoreError> {
    let mut options = StreamReadOptions::default().count(BATCH);
    if block {
        options = options.block(BLOCK_MS);
    }
    let reply: Option<StreamReadReply> = conn
        .xread_options(&[stream_key(tenant)], &[from.to_string()], &options)
        .await?;
    let entries: Vec<_> = reply
        .map(|r| r.keys.into_iter().flat_map(|k| k.ids).collect())
        .unwrap_or_default();
    let read = entries.len();
    let mut events = Vec::with_capacity(read);
    for entry in entries {
        match decode_entry(&entry.id, entry.get(EVENT_FIELD)) {
            Ok(pair) => events.push(pair),
            Err(e) => tracing::error!(error = %e, "skipping undecodable stream entry"),
        }
    }
    Ok(Read { read, events })
}
