//! The append script: one Lua call appends a whole batch of one tenant's events, in order,
//! each atomic and idempotent on its own: deduplicated by event id, a command's ticket
//! version and status transition checked, a new report numbered — so an event is written
//! whole or not at all, a retry returns the original entry and writes nothing, and an
//! invalid status move is refused here, where no second process can slip past it (each
//! process's projection may lag the stream by a few milliseconds).
//!
//! Per event the script costs one `XADD` plus a field in a few multi-field commands: the
//! batch's ids are looked up with one `HMGET` per dedupe day bucket, new reports numbered
//! with one `INCRBY`, and the versions, statuses and dedupe records written with one `HSET`
//! each at the end. (It used to be one script call per event, each with its own `GET`,
//! `INCR`, `HSET`×2 and `SET EX` — six Redis operations for one event; see BENCHMARKS.md.)
//!
//! **Dedupe**: an appended id is recorded as `"stream_id ticket version"` in the hash of the
//! UTC day it was appended (`dedupe_day:<day>`, expiring 8 days after that day began) and
//! looked up in the last [`DEDUPE_DAYS`] buckets, so it is remembered at least
//! [`DEDUPE_TTL_SECS`]. A tenant written before the buckets (a stream, no `dedupe_format`
//! marker) also has its old per-id keys (`dedupe:<id>`, 7-day TTL) looked up while the
//! `dedupe_legacy` flag lives (7 days from the first batch after the upgrade).
//!
//! The script is declared with `#!lua` so Redis checks memory once, before it starts: a
//! batch is not cut short by `maxmemory` halfway (which would leave appended entries
//! without their dedupe records).
//!
//! KEYS: stream, ticket counter, ticket versions hash, ticket statuses hash, dedupe format
//! marker, legacy-dedupe flag, then the dedupe day buckets, today's first (all of one
//! tenant, so one Cluster slot).
//! ARGV: ticket prefix, dedupe TTL seconds, when today's bucket expires (Unix s), stream
//! field, the old per-id dedupe key prefix; then nine per event: id, JSON, mode (`open`
//! numbers a new ticket into the JSON's `"ticket":null`; `ticket` appends to an existing
//! ticket; `tenant` is a tenant-wide event), ticket number, expected version (`""` for
//! none), the statuses the ticket may be in (`",a,b,"`; `""`: no check), the status it
//! moves to (`""`: none), the status it must be in for that move to apply (`""`: any), and
//! the status the writer's projection knows (`""`: none) — used only for a ticket opened
//! before the script kept statuses, which then gets one recorded.
//! Returns one `{status, stream_id, ticket, version, current_status}` per event: status 1
//! appended, 0 duplicate, -1 version conflict (version = current), -2 no such ticket, -3
//! invalid transition (current_status says from where), -4 no ticket placeholder.

use super::{statuses_key, stream_key, ticket_seq_key, versions_key, StoreError, DEDUPE_TTL_SECS, EVENT_FIELD};
use pantau_shared::cursor::Cursor;
use pantau_shared::event::{Event, EventBody, TicketStatus};
use redis::aio::ConnectionLike;
use std::sync::LazyLock;

static APPEND: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(include_str!("append.lua")));

/// Day buckets a dedupe lookup reads: today and the 7 days before.
pub const DEDUPE_DAYS: u64 = DEDUPE_TTL_SECS / 86_400 + 1;

/// Events in one script call at most: bounds how long one call holds Redis (and Lua's
/// `unpack` of the batch's ids). A longer list is sent as several calls in one pipeline.
pub const MAX_SCRIPT_EVENTS: usize = 1_000;

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

/// One event as the script's nine arguments, owned (so a request can hand it to
/// [`super::group_commit`] and the JSON is serialised on the request's task).
#[derive(Debug, Clone)]
pub struct Prepared {
    id: String,
    json: String,
    mode: &'static str,
    ticket: String,
    expected: String,
    allowed_from: String,
    set: &'static str,
    only_from: &'static str,
    hint: &'static str,
}

impl Prepared {
    /// The script's arguments for `append` (refused when a new report names a ticket).
    pub fn new(append: &ToAppend<'_>) -> Result<Prepared, StoreError> {
        let event = append.event;
        let (mode, ticket) = match (&event.ticket, event.body.opens_ticket()) {
            (None, true) => ("open", ""),
            (Some(t), false) => ("ticket", t.as_str()),
            (None, false) => ("tenant", ""),
            (Some(_), true) => return Err(StoreError::Rejected("a new report cannot name a ticket".into())),
        };
        let rule = StatusRule::of(&event.body, append.validation);
        Ok(Prepared {
            id: event.id.clone(),
            json: serde_json::to_string(event).expect("events always serialise"),
            mode,
            ticket: ticket.to_owned(),
            expected: append.expected_version.map(|v| v.to_string()).unwrap_or_default(),
            allowed_from: rule.allowed_from,
            set: rule.set.map(TicketStatus::as_str).unwrap_or_default(),
            only_from: rule.only_from.map(TicketStatus::as_str).unwrap_or_default(),
            hint: append.status_hint.map(TicketStatus::as_str).unwrap_or_default(),
        })
    }
}

/// Append one tenant's prepared events, in order: one script call per
/// [`MAX_SCRIPT_EVENTS`], all in one pipeline. The outer error is a Redis failure: some of
/// the events may have been written, and a retry with the same ids is safe. The inner
/// results are per event.
pub async fn append_prepared<C: ConnectionLike + Send>(
    conn: &mut C,
    tenant: &str,
    ticket_prefix: &str,
    events: &[&Prepared],
) -> Result<Vec<Result<Appended, StoreError>>, StoreError> {
    if events.is_empty() {
        return Ok(vec![]);
    }
    let keys = ScriptKeys::of(tenant, chrono::Utc::now().timestamp());
    let mut pipe = redis::pipe();
    for chunk in events.chunks(MAX_SCRIPT_EVENTS) {
        pipe.add_command(keys.call(ticket_prefix, chunk));
    }
    let _timer = crate::metrics::AppendTimer::start();
    let replies: Vec<Vec<Reply>> = match pipe.query_async(conn).await {
        Err(e) if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) => {
            // Redis restarted and forgot the script: load it and send again (idempotent).
            preload(conn).await?;
            pipe.query_async(conn).await?
        }
        other => other.inspect_err(|_| crate::metrics::redis_error("append"))?,
    };
    let replies: Vec<Reply> = replies.into_iter().flatten().collect();
    if replies.len() != events.len() {
        return Err(StoreError::Rejected(format!(
            "append script answered {} of {} events",
            replies.len(),
            events.len()
        )));
    }
    Ok(replies.into_iter().zip(events).map(|(r, e)| reply(r, e)).collect())
}

/// A tenant's keys as the script takes them, for calls made at one instant.
struct ScriptKeys {
    keys: Vec<String>,
    /// When today's dedupe bucket expires (Unix s).
    today_expires: i64,
    legacy_prefix: String,
}

impl ScriptKeys {
    fn of(tenant: &str, now_secs: i64) -> ScriptKeys {
        let today = now_secs.div_euclid(86_400);
        let mut keys = vec![
            stream_key(tenant),
            ticket_seq_key(tenant),
            versions_key(tenant),
            statuses_key(tenant),
            format!("pantau:{{{tenant}}}:dedupe_format"),
            format!("pantau:{{{tenant}}}:dedupe_legacy"),
        ];
        keys.extend((0..DEDUPE_DAYS as i64).map(|back| format!("pantau:{{{tenant}}}:dedupe_day:{}", today - back)));
        ScriptKeys {
            keys,
            today_expires: (today + DEDUPE_DAYS as i64) * 86_400,
            legacy_prefix: format!("pantau:{{{tenant}}}:dedupe:"),
        }
    }

    /// The `EVALSHA` appending `events`.
    fn call(&self, ticket_prefix: &str, events: &[&Prepared]) -> redis::Cmd {
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(APPEND.get_hash()).arg(self.keys.len()).arg(&self.keys);
        cmd.arg(ticket_prefix)
            .arg(DEDUPE_TTL_SECS)
            .arg(self.today_expires)
            .arg(EVENT_FIELD)
            .arg(&self.legacy_prefix);
        for e in events {
            cmd.arg(&e.id)
                .arg(&e.json)
                .arg(e.mode)
                .arg(&e.ticket)
                .arg(&e.expected)
                .arg(&e.allowed_from)
                .arg(e.set)
                .arg(e.only_from)
                .arg(e.hint);
        }
        cmd
    }
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
fn reply((status, sid, ticket, version, current): Reply, event: &Prepared) -> Result<Appended, StoreError> {
    match status {
        -4 => return Err(StoreError::Rejected("event JSON has no ticket placeholder".into())),
        -3 => {
            return Err(StoreError::InvalidTransition {
                ticket,
                from: current,
                to: if event.set.is_empty() { "?" } else { event.set }.to_owned(),
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
