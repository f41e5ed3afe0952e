//! The append script: one Lua call that deduplicates by event id, checks the ticket's
//! version for commands, numbers a new ticket for reports, and XADDs — so an event is
//! written whole or not at all, and a retry returns the original entry and writes nothing.
//!
//! KEYS: stream, ticket counter, dedupe key of this event id, ticket versions hash (all of
//! one tenant, so one Cluster slot).
//! ARGV: event JSON, ticket prefix, dedupe TTL seconds, stream field, mode (`open` numbers a
//! new ticket into the JSON's `"ticket":null`; `ticket` appends to an existing ticket;
//! `tenant` is a tenant-wide event), ticket number, expected version (`""` for none).
//! Returns `{status, stream_id, ticket, version}`: status 1 appended, 0 duplicate,
//! -1 version conflict (version = current), -2 no such ticket.

use super::{dedupe_key, stream_key, ticket_seq_key, versions_key, StoreError, DEDUPE_TTL_SECS, EVENT_FIELD};
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use redis::aio::ConnectionLike;
use std::sync::LazyLock;

const SCRIPT: &str = r#"
local prev = redis.call('GET', KEYS[3])
if prev then
  local sid, ticket, version = string.match(prev, '^(%S+) (%S+) (%d+)$')
  return {0, sid, ticket, tonumber(version)}
end
local mode = ARGV[5]
local ticket = '-'
local version = 0
local json = ARGV[1]
if mode == 'open' then
  local n = redis.call('INCR', KEYS[2])
  ticket = string.format('%s-%06d', ARGV[2], n)
  local hits
  json, hits = string.gsub(json, '"ticket":null', '"ticket":"' .. ticket .. '"', 1)
  if hits ~= 1 then
    return redis.error_reply('event JSON has no ticket placeholder')
  end
  version = 1
elseif mode == 'ticket' then
  ticket = ARGV[6]
  local current = tonumber(redis.call('HGET', KEYS[4], ticket) or '0')
  if current == 0 then
    return {-2, '', ticket, 0}
  end
  if ARGV[7] ~= '' and tonumber(ARGV[7]) ~= current then
    return {-1, '', ticket, current}
  end
  version = current + 1
end
local sid = redis.call('XADD', KEYS[1], '*', ARGV[4], json)
if version > 0 then
  redis.call('HSET', KEYS[4], ticket, version)
end
redis.call('SET', KEYS[3], sid .. ' ' .. ticket .. ' ' .. version, 'EX', ARGV[3])
return {1, sid, ticket, version}
"#;

static APPEND: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(SCRIPT));

/// Where an event landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Stream id of the entry.
    pub stream_id: Cursor,
    /// The ticket the event belongs to (`None` for tenant-wide events).
    pub ticket: Option<String>,
    /// The ticket's version after this event (0 for tenant-wide events).
    pub version: u64,
    /// False when the id had been appended before and nothing was written now.
    pub is_new: bool,
}

/// Append `event` to its tenant's stream. A `report.received` (ticket `None`) gets a new
/// ticket number; an event with a ticket needs the ticket to exist and, with
/// `expected_version`, to be at that version.
pub async fn append<C: ConnectionLike + Send>(
    conn: &mut C,
    ticket_prefix: &str,
    event: &Event,
    expected_version: Option<u64>,
) -> Result<Appended, StoreError> {
    let json = serde_json::to_string(event).expect("events always serialise");
    let (mode, ticket) = match (&event.ticket, event.body.opens_ticket()) {
        (None, true) => ("open", ""),
        (Some(t), false) => ("ticket", t.as_str()),
        (None, false) => ("tenant", ""),
        (Some(_), true) => return Err(StoreError::Rejected("a new report cannot name a ticket".into())),
    };
    let (status, sid, ticket, version): (i64, String, String, u64) = APPEND
        .key(stream_key(&event.tenant))
        .key(ticket_seq_key(&event.tenant))
        .key(dedupe_key(&event.tenant, &event.id))
        .key(versions_key(&event.tenant))
        .arg(json)
        .arg(ticket_prefix)
        .arg(DEDUPE_TTL_SECS)
        .arg(EVENT_FIELD)
        .arg(mode)
        .arg(ticket)
        .arg(expected_version.map(|v| v.to_string()).unwrap_or_default())
        .invoke_async(conn)
        .await?;
    match status {
        -1 => {
            return Err(StoreError::VersionConflict {
                ticket,
                current: version,
            })
        }
        -2 => return Err(StoreError::NoSuchTicket(ticket)),
        _ => {}
    }
    let stream_id = sid.parse().map_err(|_| StoreError::Corrupt {
        id: sid.clone(),
        reason: "XADD returned a bad id".into(),
    })?;
    let ticket = (ticket != "-").then_some(ticket);
    Ok(Appended {
        stream_id,
        ticket,
        version,
        is_new: status == 1,
    })
}
