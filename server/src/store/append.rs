//! The append script: one Lua call that deduplicates by event id, checks the ticket's
//! version and status transition for commands, numbers a new ticket for reports, and XADDs
//! — so an event is written whole or not at all, a retry returns the original entry and
//! writes nothing, and an invalid status move is refused here, where no second process can
//! slip past it (each process's projection may lag the stream by a few milliseconds).
//!
//! KEYS: stream, ticket counter, dedupe key of this event id, ticket versions hash, ticket
//! statuses hash (all of one tenant, so one Cluster slot).
//! ARGV: event JSON, ticket prefix, dedupe TTL seconds, stream field, mode (`open` numbers a
//! new ticket into the JSON's `"ticket":null`; `ticket` appends to an existing ticket;
//! `tenant` is a tenant-wide event), ticket number, expected version (`""` for none), the
//! statuses the ticket may be in (`",a,b,"`; `""`: no check), the status it moves to (`""`:
//! none), the status it must be in for that move to apply (`""`: any), and the status the
//! writer's projection knows (`""`: none) — used only for a ticket opened before the script
//! kept statuses, which then gets one recorded.
//! Returns `{status, stream_id, ticket, version, current_status}`: status 1 appended,
//! 0 duplicate, -1 version conflict (version = current), -2 no such ticket, -3 invalid
//! transition (current_status says from where).

use super::{
    dedupe_key, statuses_key, stream_key, ticket_seq_key, versions_key, StoreError, DEDUPE_TTL_SECS, EVENT_FIELD,
};
use pantau_shared::cursor::Cursor;
use pantau_shared::event::{Event, EventBody, TicketStatus};
use redis::aio::ConnectionLike;
use std::sync::LazyLock;

const SCRIPT: &str = r#"
local prev = redis.call('GET', KEYS[3])
if prev then
  local sid, ticket, version = string.match(prev, '^(%S+) (%S+) (%d+)$')
  return {0, sid, ticket, tonumber(version), ''}
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
  redis.call('HSET', KEYS[5], ticket, 'received')
elseif mode == 'ticket' then
  ticket = ARGV[6]
  local current = tonumber(redis.call('HGET', KEYS[4], ticket) or '0')
  if current == 0 then
    return {-2, '', ticket, 0, ''}
  end
  if ARGV[7] ~= '' and tonumber(ARGV[7]) ~= current then
    return {-1, '', ticket, current, ''}
  end
  local status = redis.call('HGET', KEYS[5], ticket)
  if not status and ARGV[11] ~= '' then
    status = ARGV[11]
  end
  if ARGV[8] ~= '' and status and not string.find(ARGV[8], ',' .. status .. ',', 1, true) then
    return {-3, '', ticket, current, status}
  end
  if ARGV[9] ~= '' and (ARGV[10] == '' or ARGV[10] == status) then
    redis.call('HSET', KEYS[5], ticket, ARGV[9])
  end
  version = current + 1
end
local sid = redis.call('XADD', KEYS[1], '*', ARGV[4], json)
if version > 0 then
  redis.call('HSET', KEYS[4], ticket, version)
end
redis.call('SET', KEYS[3], sid .. ' ' .. ticket .. ' ' .. version, 'EX', ARGV[3])
return {1, sid, ticket, version, ''}
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

/// One event to append, with what its sender expects of its ticket.
#[derive(Clone, Copy, Debug)]
pub struct ToAppend<'a> {
    pub event: &'a Event,
    /// Append only if the ticket is at this version.
    pub expected_version: Option<u64>,
    /// The ticket's status as the writer's projection knows it: the script's fallback for
    /// tickets opened before it kept statuses.
    pub status_hint: Option<TicketStatus>,
    /// The tenant validates follow-ups: only `ticket.validated` closes a ticket, so a
    /// `ticket.status_changed` to `closed` is refused from every status.
    pub validation: bool,
}

impl<'a> ToAppend<'a> {
    /// An event with no expectations (tenant-wide events, SLA marks).
    pub fn plain(event: &'a Event) -> Self {
        ToAppend {
            event,
            expected_version: None,
            status_hint: None,
            validation: false,
        }
    }
}

/// Append `event` to its tenant's stream. A `report.received` (ticket `None`) gets a new
/// ticket number; an event with a ticket needs the ticket to exist and, with
/// `expected_version`, to be at that version; a status move must be allowed from the
/// ticket's status.
pub async fn append<C: ConnectionLike + Send>(
    conn: &mut C,
    ticket_prefix: &str,
    event: ToAppend<'_>,
) -> Result<Appended, StoreError> {
    let mut results = append_many(conn, ticket_prefix, &[event]).await?;
    results.pop().expect("one result per event")
}

/// Append several events in one pipeline, in order (each one atomic and idempotent on its
/// own). The outer error is a Redis failure: some of the events may have been written, and
/// a retry with the same ids is safe. The inner results are per event.
pub async fn append_many<C: ConnectionLike + Send>(
    conn: &mut C,
    ticket_prefix: &str,
    events: &[ToAppend<'_>],
) -> Result<Vec<Result<Appended, StoreError>>, StoreError> {
    if events.is_empty() {
        return Ok(vec![]);
    }
    let mut pipe = redis::pipe();
    for event in events {
        pipe.add_command(command(ticket_prefix, event)?);
    }
    let _timer = crate::metrics::AppendTimer::start();
    let replies: Vec<Reply> = match pipe.query_async(conn).await {
        Err(e) if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) => {
            // Redis restarted and forgot the script: load it and send again (idempotent).
            preload(conn).await?;
            pipe.query_async(conn).await?
        }
        other => other.inspect_err(|_| crate::metrics::redis_error("append"))?,
    };
    Ok(replies
        .into_iter()
        .zip(events)
        .map(|(r, e)| reply(r, e.event))
        .collect())
}

/// The `EVALSHA` of one append.
fn command(ticket_prefix: &str, append: &ToAppend<'_>) -> Result<redis::Cmd, StoreError> {
    let (event, expected_version) = (append.event, append.expected_version);
    let json = serde_json::to_string(event).expect("events always serialise");
    let (mode, ticket) = match (&event.ticket, event.body.opens_ticket()) {
        (None, true) => ("open", ""),
        (Some(t), false) => ("ticket", t.as_str()),
        (None, false) => ("tenant", ""),
        (Some(_), true) => return Err(StoreError::Rejected("a new report cannot name a ticket".into())),
    };
    let rule = StatusRule::of(&event.body, append.validation);
    let mut cmd = redis::cmd("EVALSHA");
    cmd.arg(APPEND.get_hash())
        .arg(5)
        .arg(stream_key(&event.tenant))
        .arg(ticket_seq_key(&event.tenant))
        .arg(dedupe_key(&event.tenant, &event.id))
        .arg(versions_key(&event.tenant))
        .arg(statuses_key(&event.tenant))
        .arg(json)
        .arg(ticket_prefix)
        .arg(DEDUPE_TTL_SECS)
        .arg(EVENT_FIELD)
        .arg(mode)
        .arg(ticket)
        .arg(expected_version.map(|v| v.to_string()).unwrap_or_default())
        .arg(rule.allowed_from)
        .arg(rule.set.map(TicketStatus::as_str).unwrap_or_default())
        .arg(rule.only_from.map(TicketStatus::as_str).unwrap_or_default())
        .arg(append.status_hint.map(TicketStatus::as_str).unwrap_or_default());
    Ok(cmd)
}

/// How an event moves its ticket's status, as the script checks and records it (the same
/// rules as [`pantau_shared::ticket::Ticket::apply`] and [`TicketStatus::can_move_to`]).
#[derive(Debug, Default, PartialEq)]
struct StatusRule {
    /// `",a,b,"`: the statuses the move is allowed from (empty: any).
    allowed_from: String,
    /// The status the ticket is in afterwards.
    set: Option<TicketStatus>,
    /// Apply `set` only from this status (an assignment moves `received` on, nothing else).
    only_from: Option<TicketStatus>,
}

impl StatusRule {
    fn of(body: &EventBody, validation: bool) -> StatusRule {
        use TicketStatus::*;
        match body {
            EventBody::StatusChanged(change) if validation && change.status == Closed => StatusRule::from(&[], Closed),
            EventBody::StatusChanged(change) => {
                let allowed: Vec<&str> = TicketStatus::ALL
                    .iter()
                    .filter(|s| s.can_move_to(change.status))
                    .map(|s| s.as_str())
                    .collect();
                StatusRule {
                    allowed_from: format!(",{},", allowed.join(",")),
                    set: Some(change.status),
                    only_from: None,
                }
            }
            EventBody::TicketAssigned(_) => StatusRule {
                set: Some(TicketStatus::Assigned),
                only_from: Some(TicketStatus::Received),
                ..StatusRule::default()
            },
            EventBody::Verified(_) => StatusRule::from(&[Received, PendingCitizen], Assigned),
            EventBody::Validated(v) => StatusRule::from(&[Resolved], if v.accepted { Closed } else { InProgress }),
            EventBody::Merged(_) => StatusRule::from(&[Received, Assigned, InProgress, PendingCitizen], Merged),
            EventBody::Unmerged(u) => StatusRule::from(&[Merged], u.restore),
            _ => StatusRule::default(),
        }
    }
}

impl StatusRule {
    /// A move to `to`, allowed only from `from`.
    fn from(from: &[TicketStatus], to: TicketStatus) -> StatusRule {
        let names: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
        StatusRule {
            allowed_from: format!(",{},", names.join(",")),
            set: Some(to),
            only_from: None,
        }
    }
}

/// The script's reply: status, stream id, ticket, version, current status.
type Reply = (i64, String, String, u64, String);

/// One script reply as a result.
fn reply((status, sid, ticket, version, current): Reply, event: &Event) -> Result<Appended, StoreError> {
    match status {
        -3 => {
            let to = StatusRule::of(&event.body, false)
                .set
                .map(TicketStatus::as_str)
                .unwrap_or("?");
            return Err(StoreError::InvalidTransition {
                ticket,
                from: current,
                to: to.to_owned(),
            });
        }
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

#[cfg(test)]
mod tests {
    use super::StatusRule;
    use pantau_shared::event::{EventBody, Merge, StatusChange, TicketStatus, Unmerge, Validation, Verification};

    fn change(status: TicketStatus) -> EventBody {
        EventBody::StatusChanged(StatusChange {
            status,
            note: None,
            reason: None,
        })
    }

    /// With validation, no status change closes a ticket; without, a resolved one may.
    #[test]
    fn closing_needs_validation_when_the_tenant_validates() {
        assert_eq!(StatusRule::of(&change(TicketStatus::Closed), true).allowed_from, ",,");
        assert_eq!(
            StatusRule::of(&change(TicketStatus::Closed), false).allowed_from,
            ",resolved,"
        );
        let accepted = EventBody::Validated(Validation {
            accepted: true,
            reason: None,
            site_check: false,
        });
        let rule = StatusRule::of(&accepted, true);
        assert_eq!(
            (rule.allowed_from.as_str(), rule.set),
            (",resolved,", Some(TicketStatus::Closed))
        );
    }

    /// The workflow's moves, each from where the state machine allows it.
    #[test]
    fn workflow_moves() {
        let verify = EventBody::Verified(Verification {
            agency: "dlh".into(),
            officer: None,
            tier: None,
            note: None,
        });
        let refused = EventBody::Validated(Validation {
            accepted: false,
            reason: Some("x".into()),
            site_check: false,
        });
        let merge = EventBody::Merged(Merge {
            primary: "T-2".into(),
            reporters: 1,
        });
        let unmerge = EventBody::Unmerged(Unmerge {
            primary: "T-2".into(),
            restore: TicketStatus::InProgress,
        });
        let rules = [verify, refused, merge, unmerge].map(|b| {
            let r = StatusRule::of(&b, true);
            (r.allowed_from, r.set)
        });
        use TicketStatus::*;
        assert_eq!(
            rules,
            [
                (",received,pending_citizen,".into(), Some(Assigned)),
                (",resolved,".into(), Some(InProgress)),
                (",received,assigned,in_progress,pending_citizen,".into(), Some(Merged)),
                (",merged,".into(), Some(InProgress)),
            ]
        );
        assert_eq!(
            StatusRule::of(&change(Merged), false).allowed_from,
            ",,",
            "only a merge makes one"
        );
    }
}
