//! Projection snapshots in Redis, so a starting process replays only the stream's tail.
//! Any process may write one (they are deterministic); a snapshot never replaces a newer one.
//! The stream is not trimmed, so no event is ever lost that no snapshot covers.

use super::StoreError;
use crate::projection::Projection;
use redis::aio::ConnectionLike;
use std::sync::LazyLock;

/// The tenant's latest projection snapshot (JSON).
pub fn snapshot_key(tenant: &str) -> String {
    format!("pantau:{{{tenant}}}:projection")
}

/// The stream id the snapshot covers, kept beside it for the newer-than check.
pub fn snapshot_cursor_key(tenant: &str) -> String {
    format!("pantau:{{{tenant}}}:projection_cursor")
}

/// Write ARGV[2] (the snapshot) under KEYS[1] unless KEYS[2] holds a cursor newer than ARGV[1].
const SAVE: &str = r#"
local function parse(c)
  local ms, seq = string.match(c, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local old = redis.call('GET', KEYS[2])
if old then
  local oms, oseq = parse(old)
  local nms, nseq = parse(ARGV[1])
  if oms > nms or (oms == nms and oseq >= nseq) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[1])
return 1
"#;

static SAVE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(SAVE));

/// The stored snapshot, if any (an unreadable one is ignored: the stream is the truth).
pub async fn load<C: ConnectionLike + Send>(conn: &mut C, tenant: &str) -> Result<Option<Projection>, StoreError> {
    let t0 = std::time::Instant::now();
    let raw: Option<Vec<u8>> = redis::cmd("GET").arg(snapshot_key(tenant)).query_async(conn).await?;
    let read_ms = t0.elapsed().as_millis() as u64;
    Ok(raw.and_then(|bytes| match serde_json::from_slice(&bytes) {
        Ok(p) => {
            let decode_ms = t0.elapsed().as_millis() as u64 - read_ms;
            tracing::info!(bytes = bytes.len(), read_ms, decode_ms, "read projection snapshot");
            Some(p)
        }
        Err(e) => {
            tracing::warn!(error = %e, "ignoring unreadable projection snapshot; rebuilding from the stream");
            None
        }
    }))
}

/// Store `json` (a serialised projection at `cursor`) unless a newer one is stored.
pub async fn save<C: ConnectionLike + Send>(
    conn: &mut C,
    tenant: &str,
    cursor: &str,
    json: Vec<u8>,
) -> Result<bool, StoreError> {
    let written: i64 = SAVE_SCRIPT
        .key(snapshot_key(tenant))
        .key(snapshot_cursor_key(tenant))
        .arg(cursor)
        .arg(json)
        .invoke_async(conn)
        .await?;
    Ok(written == 1)
}
