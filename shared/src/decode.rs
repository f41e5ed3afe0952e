//! Decoding a [`ServerMsg`] as Pantau's server writes it, in one pass: for the clients (the
//! browser's bundles), which read thousands of them.
//!
//! serde's derived decoder for an internally tagged enum (`ServerMsg`, and an [`Event`]'s
//! flattened [`EventBody`]) cannot know the variant until it has seen `type`, so it first
//! copies the whole object into a generic tree and then decodes that tree: every snapshot and
//! every batch of deltas is decoded twice, and every wire type's decoder is compiled twice
//! into the wasm (once for JSON, once for the tree: about a quarter of the wall's bundle,
//! BENCHMARKS.md §14). The server's own encoder (the derived `Serialize`) always writes `type`
//! first in a message, and an event's envelope (`v`, `id`, `tenant`, `ticket`, `at`, `actor`)
//! before its body's `type`; [`server_msg`] relies on that order and decodes straight into the
//! types. A message in another order is refused with an error naming it (no fallback: it
//! would bring the double decoder back into the bundle). Unknown fields are ignored and an
//! unknown event type is [`EventBody::Unknown`], as with the derived decoder; the unit tests
//! check both decoders agree on every message and event type.
//!
//! The server keeps the derived decoders (events posted by clients may order fields freely),
//! and must send what clients decode this way straight from the typed values: through a
//! `serde_json::Value` the keys would come out sorted.

use crate::cursor::Cursor;
use crate::event::{self, Event, EventBody};
use crate::protocol::{Gauge, Kpis, LinkState, ServerMsg, TenantInfo};
use crate::ticket::Ticket;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self as de, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// `text`, a message from the server, decoded.
pub fn server_msg(text: &str) -> serde_json::Result<ServerMsg> {
    let mut json = serde_json::Deserializer::from_str(text);
    let msg = json.deserialize_map(MsgVisitor)?;
    json.end()?;
    Ok(msg)
}

/// One event as Pantau writes it (its envelope before its body's `type`: a stream entry, an
/// event of `deltas`), decoded in one pass. The server falls back to the derived decoder when
/// this refuses an entry, so an entry in any other order still reads.
pub fn event(json: &[u8]) -> serde_json::Result<Event> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let event = de.deserialize_map(EventVisitor)?;
    de.end()?;
    Ok(event)
}

/// For `#[serde(deserialize_with = "pantau_shared::decode::events")]`: events as the server
/// writes them anywhere (a ticket's history), each decoded in one pass like those of `deltas`.
pub fn events<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Event>, D::Error> {
    Vec::<WireEvent>::deserialize(d).map(|events| events.into_iter().map(|e| e.0).collect())
}

/// The fields of each variant (the derived decoder of each runs on the rest of the object).
mod fields {
    use super::*;

    #[derive(Deserialize)]
    pub struct Snapshot {
        pub v: u32,
        pub cursor: Cursor,
        pub server_time: i64,
        pub tenant: Box<TenantInfo>,
        pub tickets: Vec<Ticket>,
        pub kpis: Kpis,
        #[serde(default)]
        pub gauges: Vec<Gauge>,
    }

    #[derive(Deserialize)]
    pub struct Deltas {
        pub v: u32,
        pub from: Cursor,
        pub to: Cursor,
        pub server_time: i64,
        pub events: Vec<WireEvent>,
    }

    #[derive(Deserialize)]
    pub struct Resumed {
        pub v: u32,
        pub cursor: Cursor,
        pub server_time: i64,
    }

    #[derive(Deserialize)]
    pub struct Resync {
        pub v: u32,
        pub reason: String,
    }

    #[derive(Deserialize)]
    pub struct Status {
        pub v: u32,
        pub state: LinkState,
        #[serde(default)]
        pub reason: Option<String>,
        pub server_time: i64,
    }

    /// `heartbeat` and `pong`.
    #[derive(Deserialize)]
    pub struct Clock {
        pub v: u32,
        pub server_time: i64,
    }

    #[derive(Deserialize)]
    pub struct Error {
        pub v: u32,
        pub code: String,
        pub message: String,
    }

    #[derive(Deserialize)]
    pub struct Replay {
        pub v: u32,
        pub at: i64,
        pub speed: f64,
        pub paused: bool,
        #[serde(default)]
        pub live: bool,
    }
}

/// The rest of the object `map` decoded as `T`.
fn rest<'de, T: Deserialize<'de>, A: MapAccess<'de>>(map: A) -> Result<T, A::Error> {
    T::deserialize(MapAccessDeserializer::new(map))
}

struct MsgVisitor;

impl<'de> Visitor<'de> for MsgVisitor {
    type Value = ServerMsg;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a server message with `type` first")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ServerMsg, A::Error> {
        match map.next_key::<Key>()? {
            Some(Key::Type) => {}
            _ => return Err(de::Error::custom("`type` must be a server message's first field")),
        }
        let tag: Tag = map.next_value()?;
        Ok(match tag {
            Tag::Snapshot => {
                let m: fields::Snapshot = rest(map)?;
                ServerMsg::Snapshot {
                    v: m.v,
                    cursor: m.cursor,
                    server_time: m.server_time,
                    tenant: m.tenant,
                    tickets: m.tickets,
                    kpis: m.kpis,
                    gauges: m.gauges,
                }
            }
            Tag::Deltas => {
                let m: fields::Deltas = rest(map)?;
                ServerMsg::Deltas {
                    v: m.v,
                    from: m.from,
                    to: m.to,
                    server_time: m.server_time,
                    events: m.events.into_iter().map(|e| e.0).collect(),
                }
            }
            Tag::Resumed => {
                let m: fields::Resumed = rest(map)?;
                ServerMsg::Resumed {
                    v: m.v,
                    cursor: m.cursor,
                    server_time: m.server_time,
                }
            }
            Tag::Resync => {
                let m: fields::Resync = rest(map)?;
                ServerMsg::Resync {
                    v: m.v,
                    reason: m.reason,
                }
            }
            Tag::Status => {
                let m: fields::Status = rest(map)?;
                ServerMsg::Status {
                    v: m.v,
                    state: m.state,
                    reason: m.reason,
                    server_time: m.server_time,
                }
            }
            Tag::Heartbeat => {
                let m: fields::Clock = rest(map)?;
                ServerMsg::Heartbeat {
                    v: m.v,
                    server_time: m.server_time,
                }
            }
            Tag::Pong => {
                let m: fields::Clock = rest(map)?;
                ServerMsg::Pong {
                    v: m.v,
                    server_time: m.server_time,
                }
            }
            Tag::Error => {
                let m: fields::Error = rest(map)?;
                ServerMsg::Error {
                    v: m.v,
                    code: m.code,
                    message: m.message,
                }
            }
            Tag::Replay => {
                let m: fields::Replay = rest(map)?;
                ServerMsg::Replay {
                    v: m.v,
                    at: m.at,
                    speed: m.speed,
                    paused: m.paused,
                    live: m.live,
                }
            }
        })
    }
}

/// A server message's `type`.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Tag {
    Snapshot,
    Deltas,
    Resumed,
    Resync,
    Status,
    Heartbeat,
    Error,
    Pong,
    Replay,
}

/// A field of an event's envelope, or its body's `type`.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Key {
    V,
    Id,
    Tenant,
    Ticket,
    At,
    Actor,
    Type,
    #[serde(other)]
    Other,
}

/// An event decoded envelope first, then its body by type.
struct WireEvent(Event);

impl<'de> Deserialize<'de> for WireEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<WireEvent, D::Error> {
        d.deserialize_map(EventVisitor).map(WireEvent)
    }
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = Event;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an event, its envelope before its type")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
        let (mut v, mut id, mut tenant, mut ticket, mut at, mut actor) = (None, None, None, None, None, None);
        loop {
            match map.next_key::<Key>()? {
                Some(Key::V) => v = Some(map.next_value()?),
                Some(Key::Id) => id = Some(map.next_value()?),
                Some(Key::Tenant) => tenant = Some(map.next_value()?),
                Some(Key::Ticket) => ticket = map.next_value()?,
                Some(Key::At) => at = Some(map.next_value()?),
                Some(Key::Actor) => actor = map.next_value()?,
                Some(Key::Other) => {
                    map.next_value::<IgnoredAny>()?;
                }
                Some(Key::Type) => {
                    let kind: String = map.next_value()?;
                    let body = body(&kind, map)?;
                    return Ok(Event {
                        v: v.ok_or_else(|| de::Error::missing_field("v"))?,
                        id: id.ok_or_else(|| de::Error::missing_field("id"))?,
                        tenant: tenant.ok_or_else(|| de::Error::missing_field("tenant"))?,
                        ticket,
                        at: at.ok_or_else(|| de::Error::missing_field("at"))?,
                        actor,
                        body,
                    });
                }
                None => return Err(de::Error::missing_field("type")),
            }
        }
    }
}

/// The rest of `map`: the body of an event of type `kind` (the names of [`EventBody::type_name`]).
fn body<'de, A: MapAccess<'de>>(kind: &str, map: A) -> Result<EventBody, A::Error> {
    Ok(match kind {
        "report.received" => EventBody::ReportReceived(rest(map)?),
        "ticket.assigned" => EventBody::TicketAssigned(rest(map)?),
        "ticket.status_changed" => EventBody::StatusChanged(rest(map)?),
        "ticket.commented" => EventBody::Commented(rest(map)?),
        "ticket.priority_changed" => EventBody::PriorityChanged(rest(map)?),
        "ticket.verified" => EventBody::Verified(rest::<event::Verification, _>(map)?),
        "ticket.validated" => EventBody::Validated(rest(map)?),
        "ticket.merged" => EventBody::Merged(rest(map)?),
        "ticket.unmerged" => EventBody::Unmerged(rest(map)?),
        "ticket.media_added" => EventBody::MediaAdded(rest(map)?),
        "sla.warning" => EventBody::SlaWarning(rest(map)?),
        "sla.breached" => EventBody::SlaBreached(rest(map)?),
        "alert.raised" => EventBody::AlertRaised(rest(map)?),
        "resource.updated" => EventBody::ResourceUpdated(rest(map)?),
        _ => {
            rest::<IgnoredAny, _>(map)?;
            EventBody::Unknown
        }
    })
}

#[cfg(test)]
mod tests;
