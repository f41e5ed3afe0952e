//! The append script: one Lua call that deduplicates by event id, numbers a new ticket and
//! XADDs, so an event is written whole or not at all and a retry returns the original.
//!
//! KEYS: stream, ticket counter, dedupe key of this event id (all of one tenant).
//! ARGV: event JSON with `"ticket":null`, ticket prefix, dedupe TTL seconds.
//! Returns `{is_new, stream_id, ticket}`.

use super::{dedupe_key, stream_key, ticket_seq_key, StoreError, DEDUPE_TTL_SECS, EVENT_FIELD};
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use redis::aio::ConnectionLike;
use std::sync::LazyLock;

const SCRIPT: &str = r#"
local prev = redis.call('GET', KEYS[3])
if prev then
  local sp = string.find(prev, ' ', 1, true)
  return {0, string.sub(prev, 1, sp - 1), string.sub(prev, sp + 1)}
end
local n = redis.call('INCR', KEYS[2])
local ticket = string.format('%s-%06d', ARGV[2], n)
local json, hits = string.gsub(ARGV[1], '"ticket":null', '"ticket":"' .. ticket .. '"', 1)
if hits ~= 1 then
  return redis.error_reply('event JSON has no ticket placeholder')
end
local sid = redis.call('XADD', KEYS[1], '*', ARGV[4], json)
redis.call('SET', KEYS[3], sid .. ' ' .. ticket, 'EX', ARGV[3])
return {1, sid, ticket}
"#;

static APPEND: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(SCRIPT));

/// Where an event landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Stream id of the entry.
    pub stream_id: Cursor,
    /// The ticket the event belongs to.
    pub ticket: String,
    /// False when the id had been appended before and nothing was written now.
    pub is_new: bool,
}

/// Append `event` (whose `ticket` is `None`) to its tenant's stream.
pub async fn append<C: ConnectionLike + Send>(
    conn: &mut C,
    ticket_prefix: &str,
    event: &Event,
) -> Result<Appended, StoreError> {
    let json = serde_json::to_string(event).expect("events always serialise");
    let (is_new, sid, ticket): (i64, String, String) = APPEND
        .key(stream_key(&event.tenant))
        .key(ticket_seq_key(&event.tenant))
        .key(dedupe_key(&event.tenant, &event.id))
        .arg(json)
        .arg(ticket_prefix)
        .arg(DEDUPE_TTL_SECS)
        .arg(EVENT_FIELD)
        .invoke_async(conn)
        .await?;
    let stream_id = sid.parse().map_err(|_| StoreError::Corrupt {
        id: sid.clone(),
        reason: "XADD returned a bad id".into(),
    })?;
    Ok(Appended {
        stream_id,
        ticket,
        is_new: is_new == 1,
    })
}
