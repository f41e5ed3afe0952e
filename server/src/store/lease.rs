//! A lease in Redis: at most one holder at a time, taken with `SET NX PX` and renewed by
//! its holder only (a script compares the holder before extending or releasing). If the
//! holder dies, the lease expires and another process takes it.

use super::StoreError;
use redis::aio::ConnectionLike;
use std::sync::LazyLock;

/// KEYS[1] lease; ARGV holder, ttl ms. 1 if `holder` holds it now.
const HOLD: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
return 0
"#;

/// KEYS[1] lease; ARGV holder. Deletes it if `holder` holds it.
const RELEASE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

static HOLD_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(HOLD));
static RELEASE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(RELEASE));

/// Take or renew the lease for `ttl_ms`; whether `holder` holds it.
pub async fn hold<C: ConnectionLike + Send>(
    conn: &mut C,
    key: &str,
    holder: &str,
    ttl_ms: u64,
) -> Result<bool, StoreError> {
    let held: i64 = HOLD_SCRIPT.key(key).arg(holder).arg(ttl_ms).invoke_async(conn).await?;
    Ok(held == 1)
}

/// Give the lease up early (on shutdown), if `holder` holds it.
pub async fn release<C: ConnectionLike + Send>(conn: &mut C, key: &str, holder: &str) -> Result<(), StoreError> {
    let _: i64 = RELEASE_SCRIPT.key(key).arg(holder).invoke_async(conn).await?;
    Ok(())
}
