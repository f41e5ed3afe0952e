//! Projection snapshots kept at intervals, for the time machine: any past instant is
//! rebuilt from the nearest snapshot at or before it plus the stream up to it. Each is the
//! projection's JSON, deflated (JSON of tickets shrinks about eightfold), under
//! `pantau:{tenant}:history:<cursor>`, indexed by a sorted set scored by the cursor's
//! milliseconds; the oldest are dropped beyond a count. The stream is never trimmed, so an
//! instant before every kept snapshot still rebuilds — from the start.

use super::StoreError;
use crate::projection::Projection;
use pantau_shared::cursor::Cursor;
use redis::aio::ConnectionLike;
use std::io::{Read, Write};

/// The index of a tenant's kept snapshots (score: cursor milliseconds; member: cursor).
pub fn index_key(tenant: &str) -> String {
    format!("pantau:{{{tenant}}}:history")
}

/// One kept snapshot.
pub fn snapshot_key(tenant: &str, cursor: &str) -> String {
    format!("pantau:{{{tenant}}}:history:{cursor}")
}

/// The cursor of the newest kept snapshot, if any.
pub async fn newest<C: ConnectionLike + Send>(conn: &mut C, tenant: &str) -> Result<Option<Cursor>, StoreError> {
    let newest: Vec<String> = redis::cmd("ZRANGE")
        .arg(index_key(tenant))
        .arg(-1)
        .arg(-1)
        .query_async(conn)
        .await?;
    Ok(newest.first().and_then(|c| c.parse().ok()))
}

/// Keep `json` (a serialised projection at `cursor`), dropping the oldest beyond `keep`.
pub async fn save<C: ConnectionLike + Send>(
    conn: &mut C,
    tenant: &str,
    cursor: Cursor,
    json: &[u8],
    keep: usize,
) -> Result<(), StoreError> {
    let mut deflater = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    deflater.write_all(json).expect("writing to memory");
    let packed = deflater.finish().expect("writing to memory");
    let index = index_key(tenant);
    let member = cursor.to_string();
    let _: () = redis::pipe()
        .atomic()
        .cmd("SET")
        .arg(snapshot_key(tenant, &member))
        .arg(packed)
        .ignore()
        .cmd("ZADD")
        .arg(&index)
        .arg(cursor.ms)
        .arg(&member)
        .ignore()
        .query_async(conn)
        .await?;
    let count: usize = redis::cmd("ZCARD").arg(&index).query_async(conn).await?;
    if count > keep {
        let old: Vec<String> = redis::cmd("ZRANGE")
            .arg(&index)
            .arg(0)
            .arg(count - keep - 1)
            .query_async(conn)
            .await?;
        let mut pipe = redis::pipe();
        for c in &old {
            pipe.cmd("DEL").arg(snapshot_key(tenant, c)).ignore();
            pipe.cmd("ZREM").arg(&index).arg(c).ignore();
        }
        let _: () = pipe.query_async(conn).await?;
    }
    Ok(())
}

/// The newest kept snapshot whose cursor lies at or before `at_ms`, decoded (an unreadable
/// one counts as none: the stream is the truth).
pub async fn at_or_before<C: ConnectionLike + Send>(
    conn: &mut C,
    tenant: &str,
    at_ms: u64,
) -> Result<Option<Projection>, StoreError> {
    let found: Vec<String> = redis::cmd("ZREVRANGEBYSCORE")
        .arg(index_key(tenant))
        .arg(at_ms)
        .arg("-inf")
        .arg("LIMIT")
        .arg(0)
        .arg(1)
        .query_async(conn)
        .await?;
    let Some(cursor) = found.first() else { return Ok(None) };
    let packed: Option<Vec<u8>> = redis::cmd("GET")
        .arg(snapshot_key(tenant, cursor))
        .query_async(conn)
        .await?;
    let Some(packed) = packed else { return Ok(None) };
    let mut json = Vec::new();
    if let Err(e) = flate2::read::DeflateDecoder::new(&packed[..]).read_to_end(&mut json) {
        tracing::warn!(error = %e, %cursor, "ignoring an unreadable history snapshot");
        return Ok(None);
    }
    Ok(serde_json::from_slice(&json)
        .map_err(|e| tracing::warn!(error = %e, %cursor, "ignoring an unreadable history snapshot"))
        .ok())
}

impl super::Store {
    /// The newest kept snapshot at or before `at_ms` (see [`at_or_before`]).
    pub async fn history_at_or_before(&self, tenant: &str, at_ms: u64) -> Result<Option<Projection>, StoreError> {
        let result = at_or_before(&mut self.conn()?, tenant, at_ms).await;
        self.observed(result)
    }
}
