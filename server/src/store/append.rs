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

/// Load the script into Redis' cache, so pipelined appends do not each miss it once.
pub async fn preload<C: ConnectionLike + Send>(conn: &mut C) -> Result<(), StoreError> {
    APPEND.load_async(conn).await?;
    Ok(())
}

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
    let mut results = append_many(conn, ticket_prefix, &[(event, expected_version)]).await?;
    results.pop().expect("one result per event")
}

/// Append several events in one pipeline, in order (each one atomic and idempotent on its
/// own). The outer error is a Redis failure: some of the events may have been written, and
/// a retry with the same ids is safe. The inner results are per event.
pub async fn append_many<C: ConnectionLike + Send>(
    conn: &mut C,
    ticket_prefix: &str,
    events: &[(&Event, Option<u64>)],
) -> Result<Vec<Result<Appended, StoreError>>, StoreError> {
    if events.is_empty() {
        return Ok(vec![]);
    }
    let mut pipe = redis::pipe();
    for (event, expected_version) in events {
        pipe.add_command(command(ticket_prefix, event, *expected_version)?);
    }
    let replies: Vec<(i64, String, String, u64)> = match pipe.query_async(conn).await {
        Err(e) if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) => {
            // Redis restarted and forgot the script: load it and send again (idempotent).
            preload(conn).await?;
            pipe.query_async(conn).await?
        }
        other => other?,
    };
    Ok(replies.into_iter().map(reply).collect())
}

/// The `EVALSHA` of one append.
fn command(ticket_prefix: &str, event: &Event, expected_version: Option<u64>) -> Result<redis::Cmd, StoreError> {
    let json = serde_json::to_string(event).expect("events always serialise");
    let (mode, ticket) = match (&event.ticket, event.body.opens_ticket()) {
        (None, true) => ("open", ""),
        (Some(t), false) => ("ticket", t.as_str()),
        (None, false) => ("tenant", ""),
        (Some(_), true) => return Err(StoreError::Rejected("a new report cannot name a ticket".into())),
    };
    let mut cmd = redis::cmd("EVALSHA");
    cmd.arg(APPEND.get_hash())
        .arg(4)
        .arg(stream_key(&event.tenant))
        .arg(ticket_seq_key(&event.tenant))
        .arg(dedupe_key(&event.tenant, &event.id))
        .arg(versions_key(&event.tenant))
        .arg(json)
        .arg(ticket_prefix)
        .arg(DEDUPE_TTL_SECS)
        .arg(EVENT_FIELD)
        .arg(mode)
        .arg(ticket)
        .arg(expected_version.map(|v| v.to_string()).unwrap_or_default());
    Ok(cmd)
}

/// One script reply as a result.
fn reply((status, sid, ticket, version): (i64, String, String, u64)) -> Result<Appended, StoreError> {
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
