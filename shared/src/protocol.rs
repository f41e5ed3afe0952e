//! The WebSocket protocol at `/ws`: JSON text frames tagged by `type`.
//!
//! Client → server: `subscribe {tenant}`, `ping`. Server → client: `snapshot` (the state to
//! start from and its `cursor`), `deltas` (events after the cursor, in stream order),
//! `resync` (the server dropped this client's backlog; a fresh `snapshot` follows),
//! `error`, `pong`. Times are `server_time` in Unix milliseconds so clients can measure
//! their clock offset. Resume with `since` and filters arrive with the realtime issue.

use crate::cursor::Cursor;
use crate::event::Event;
use serde::{Deserialize, Serialize};

/// Messages a client sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    /// Start (or switch) the session to one tenant's events.
    Subscribe {
        /// Tenant id, e.g. `tangerang`.
        tenant: String,
    },
    /// Liveness probe; answered with `pong`.
    Ping,
}

/// What a wall needs to know about its tenant to label and localise itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantInfo {
    /// Tenant id (`tangerang`).
    pub id: String,
    /// Display name (`Kota Tangerang`).
    pub name: String,
    /// IANA time zone (`Asia/Jakarta`).
    pub time_zone: String,
    /// The zone's Indonesian abbreviation (`WIB`, `WITA`, `WIT`).
    pub zone_label: String,
    /// Offset from UTC in minutes (Indonesia has no daylight saving time).
    pub utc_offset_minutes: i32,
}

/// Messages the server sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// The state to start from; `deltas` continue after `cursor`.
    Snapshot {
        v: u32,
        /// Stream id of the last event included (`0-0` for an empty stream).
        cursor: Cursor,
        /// Server clock, Unix ms.
        server_time: i64,
        /// The tenant subscribed to.
        tenant: TenantInfo,
        /// Number of tickets (reports) of the tenant up to `cursor`.
        total: u64,
        /// The newest events (of every type) up to `cursor`, newest first.
        recent: Vec<Event>,
    },
    /// Events after `from` up to and including `to`, oldest first.
    Deltas {
        v: u32,
        from: Cursor,
        to: Cursor,
        server_time: i64,
        events: Vec<Event>,
    },
    /// The server could not keep this client up to date; a fresh `snapshot` follows.
    Resync { v: u32, reason: String },
    /// A request could not be served.
    Error { v: u32, code: String, message: String },
    /// Answer to `ping`.
    Pong { v: u32, server_time: i64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Client messages use the documented wire shape.
    #[test]
    fn client_messages_parse_from_documented_json() {
        let m: ClientMsg = serde_json::from_str(r#"{"type":"subscribe","tenant":"tangerang"}"#).unwrap();
        assert_eq!(
            m,
            ClientMsg::Subscribe {
                tenant: "tangerang".into()
            }
        );
        let p: ClientMsg = serde_json::from_str(r#"{"type":"ping"}"#).unwrap();
        assert_eq!(p, ClientMsg::Ping);
    }

    /// Server messages carry their tag and cursor as strings.
    #[test]
    fn server_messages_serialise_with_tag() {
        let m = ServerMsg::Deltas {
            v: 1,
            from: Cursor { ms: 1, seq: 0 },
            to: Cursor { ms: 2, seq: 3 },
            server_time: 5,
            events: vec![],
        };
        let json = serde_json::to_string(&m).unwrap();
        assert!(
            json.starts_with(r#"{"type":"deltas","v":1,"from":"1-0","to":"2-3""#),
            "{json}"
        );
    }
}
