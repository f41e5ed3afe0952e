//! The WebSocket protocol at `/ws`: JSON text frames tagged by `type`, versioned by `v`.
//!
//! Client → server: `subscribe {tenant, since?, filters?, token?}` (also to re-subscribe), `ping`.
//! Server → client:
//! - `snapshot {cursor, server_time, tenant, tickets, kpis}`: the state to start from;
//! - `deltas {from, to, server_time, events}`: the events after `from` up to `to`, in stream
//!   order, coalesced (at most one frame per coalescing interval, default 100 ms). Each
//!   `from` equals the previous `to`; a client that sees otherwise must re-subscribe;
//! - `resumed {cursor}`: a resume (`since`) has replayed everything missed; live from here;
//! - `resync {reason}`: the server cannot continue this client's sequence (it fell behind,
//!   or its `since` is unknown or too old); a fresh `snapshot` follows;
//! - `status {state, reason}`: `degraded` while the event store is unreachable (data on
//!   screen is then stale), `ok` when it is back;
//! - `heartbeat {server_time}` when nothing else was sent for a while, so clients can tell a
//!   quiet server from a dead one; `pong {server_time}` answers `ping`; `error {code, message}`.
//!
//! Resume: a client that re-subscribes with `since` = the last `to` (or snapshot `cursor`) it
//! applied gets every event after it exactly once, in order, as `deltas` — or `resync` and a
//! snapshot when that is not possible. Times are Unix milliseconds.

use crate::cursor::Cursor;
use crate::event::Event;
/// The headline counts a snapshot carries (defined in [`crate::kpi`]).
pub use crate::kpi::Kpis;
use crate::sla::SlaConfig;
use crate::ticket::Ticket;
use serde::{Deserialize, Serialize};

/// Which tickets a session wants; every given field must match. Events without a ticket
/// (resource gauges) always pass.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Kecamatan code or name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kecamatan: Option<String>,
    /// `[min_lon, min_lat, max_lon, max_lat]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<[f64; 4]>,
}

impl Filters {
    /// No filter at all (the session gets the tenant's shared frames as they are).
    pub fn is_empty(&self) -> bool {
        self == &Filters::default()
    }

    /// Whether the ticket is of interest.
    pub fn matches(&self, t: &Ticket) -> bool {
        self.agency.as_deref().is_none_or(|a| t.agency.as_deref() == Some(a))
            && self.category.as_deref().is_none_or(|c| t.category == c)
            && self.kecamatan.as_deref().is_none_or(|k| {
                t.kecamatan
                    .as_ref()
                    .is_some_and(|p| p.code == k || p.name.eq_ignore_ascii_case(k))
            })
            && self
                .bbox
                .is_none_or(|[w, s, e, n]| (w..=e).contains(&t.lon) && (s..=n).contains(&t.lat))
    }
}

/// Messages a client sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    /// Start (or switch) the session to one tenant's events.
    Subscribe {
        /// Tenant id, e.g. `tangerang`.
        tenant: String,
        /// Resume after this cursor instead of starting from a snapshot.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<Cursor>,
        #[serde(default, skip_serializing_if = "Filters::is_empty")]
        filters: Filters,
        /// A paired wall screen's display token (`crate::auth::PairingPoll::Paired`); a
        /// signed-in browser sends none, its cookie authenticated the upgrade.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
    },
    /// Liveness probe; answered with `pong`.
    Ping,
    /// Steer a replaying session (see [`ReplayStart`]): any of pause/play, jump to an instant,
    /// change the speed. Ignored by a live session.
    ReplayControl {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        paused: Option<bool>,
        /// Jump to this instant (Unix ms): a fresh `snapshot` of the state then follows.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seek: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        speed: Option<f64>,
    },
}

/// Replay mode: a `subscribe` carrying `"replay": {"from": <Unix ms>, "speed": 60}` gets the
/// tenant's state at `from` (a `snapshot` whose `server_time` is that instant), then the
/// stream played forward from there at `speed` × real time (1–1000) as `deltas` whose
/// `server_time` is the replayed instant, with a `replay` message at the start, on every
/// change and each second — so clocks and countdowns show the replayed instant. Steered with
/// `replay_control`; once the replay reaches the present the session says `replay
/// {live: true}` and goes on live with a fresh `snapshot`. (`replay` is read beside
/// [`ClientMsg::Subscribe`], whose shape it leaves unchanged.)
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplayStart {
    /// The instant to start from, Unix ms.
    pub from: i64,
    /// Replayed seconds per real second (1–1000; default 60).
    #[serde(default = "default_replay_speed")]
    pub speed: f64,
}

fn default_replay_speed() -> f64 {
    60.0
}

/// `subscribe {…, "compress": "deflate-raw"}` (beside its fields, like `replay`): every
/// `snapshot` then comes as a **binary** frame holding the message's JSON compressed with raw
/// deflate (RFC 1951) — a 10,000-ticket snapshot shrinks about tenfold; all other messages
/// stay text. Browsers read it with `DecompressionStream("deflate-raw")`.
pub const COMPRESS_DEFLATE_RAW: &str = "deflate-raw";

/// The slowest and fastest replay.
pub const REPLAY_SPEEDS: std::ops::RangeInclusive<f64> = 1.0..=1000.0;

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
    /// The SLA rules, so walls compute the same deadlines as the server.
    #[serde(default)]
    pub sla: SlaConfig,
    /// Where the wall loads its map shapes (same origin).
    #[serde(default)]
    pub geo: GeoUrls,
    /// The agencies (OPD) tickets are routed to, with their names.
    #[serde(default)]
    pub agencies: Vec<AgencyInfo>,
    /// When a ticket bouncing between agencies is flagged (`alert.raised`, kind `ping_pong`).
    #[serde(default)]
    pub ping_pong: PingPongRule,
    /// Triage and validation steps of the complaint workflow.
    #[serde(default)]
    pub workflow: WorkflowRule,
}

/// The ping-pong alert's rule: at least `min_reassignments` changes of agency within the
/// last `window_minutes` (see [`crate::alerts::ping_pong`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PingPongRule {
    /// Changes of agency that make a ping-pong (0 turns the alert off).
    #[serde(default = "default_min_reassignments")]
    pub min_reassignments: u32,
    /// How far back changes count, minutes.
    #[serde(default = "default_window_minutes")]
    pub window_minutes: u32,
}

fn default_min_reassignments() -> u32 {
    3
}

fn default_window_minutes() -> u32 {
    1440
}

impl Default for PingPongRule {
    /// Three changes of agency within a day.
    fn default() -> Self {
        PingPongRule {
            min_reassignments: default_min_reassignments(),
            window_minutes: default_window_minutes(),
        }
    }
}

/// A tenant's complaint workflow (`[workflow]` in its config; both on by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowRule {
    /// New reports wait in the console's triage queue until an operator verifies them
    /// (`ticket.verified`: disposition to an agency), asks the citizen, or rejects them.
    /// Off: the console shows no triage step; a supervisor's first assignment routes a
    /// report (verification stays possible through the API).
    #[serde(default = "on")]
    pub verification: bool,
    /// A `resolved` ticket waits for a validator ("menunggu validasi"): only
    /// `ticket.validated` closes it or sends it back; a direct move to `closed` is refused.
    #[serde(default = "on")]
    pub validation: bool,
}

fn on() -> bool {
    true
}

impl Default for WorkflowRule {
    fn default() -> Self {
        WorkflowRule {
            verification: true,
            validation: true,
        }
    }
}

/// An officer of an agency, for the console's pickers (`ticket.assigned` names `id`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerInfo {
    /// Stable id within the tenant (`dlh-budi`).
    pub id: String,
    /// Full name (`Budi Santoso`).
    pub name: String,
}

/// An agency's code and names, for labels on the wall.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AgencyInfo {
    /// Short code (`dlh`); walls show it upper-cased as the familiar abbreviation.
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    /// Its officers, when the tenant lists them (an assignment may then only name these).
    #[serde(default)]
    pub officers: Vec<OfficerInfo>,
}

/// URLs of a tenant's GeoJSON shapes, served with the wall.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GeoUrls {
    /// Its kecamatan (shaded, labelled).
    pub kecamatan: String,
    /// Neighbouring regions (backdrop).
    pub context: String,
    /// The tenant's outline.
    pub outline: String,
    /// Raster base map under the shapes, only when the tenant configures one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiles: Option<TileLayer>,
}

/// A slippy-map raster layer (Web Mercator `{z}/{x}/{y}` tiles).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TileLayer {
    /// URL template with `{z}`, `{x}` and `{y}`, e.g. `https://tile.example/{z}/{x}/{y}.png`.
    pub url: String,
    /// Credit shown in the map's corner (tile licences require it).
    #[serde(default)]
    pub attribution: String,
    /// Highest zoom level the source serves.
    #[serde(default = "default_max_zoom")]
    pub max_zoom: u8,
}

fn default_max_zoom() -> u8 {
    18
}

/// A resource gauge (hospital beds, permits in process) and when its source last reported,
/// so a stale source is visible.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gauge {
    pub resource: crate::event::Resource,
    /// RFC 3339 UTC.
    pub reported_at: String,
}

impl Gauge {
    /// The key a newer report of the same gauge replaces: `kind/facility/unit`.
    pub fn key(r: &crate::event::Resource) -> String {
        format!("{}/{}/{}", r.kind, r.facility, r.unit.as_deref().unwrap_or(""))
    }
}

/// Health of the server's link to the event store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    Ok,
    Degraded,
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
        /// The tenant subscribed to (boxed: it carries the SLA rules).
        tenant: Box<TenantInfo>,
        /// The tickets matching the session's filters (newest first, capped).
        tickets: Vec<Ticket>,
        /// Counts over those tickets.
        kpis: Kpis,
        /// The tenant's resource gauges, latest report of each.
        #[serde(default)]
        gauges: Vec<Gauge>,
    },
    /// Events after `from` up to and including `to`, oldest first.
    Deltas {
        v: u32,
        from: Cursor,
        to: Cursor,
        server_time: i64,
        events: Vec<Event>,
    },
    /// A resume finished: every event up to `cursor` has been sent; live `deltas` follow.
    Resumed { v: u32, cursor: Cursor, server_time: i64 },
    /// The server could not keep this client up to date; a fresh `snapshot` follows.
    Resync { v: u32, reason: String },
    /// The server's link to the event store changed.
    Status {
        v: u32,
        state: LinkState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        server_time: i64,
    },
    /// Nothing to send lately; the server is alive.
    Heartbeat { v: u32, server_time: i64 },
    /// A request could not be served.
    Error { v: u32, code: String, message: String },
    /// Answer to `ping`.
    Pong { v: u32, server_time: i64 },
    /// A replaying session's clock (see [`ReplayStart`]): the replayed instant, the speed,
    /// whether paused, and `live` once the replay has reached the present.
    Replay {
        v: u32,
        at: i64,
        speed: f64,
        paused: bool,
        #[serde(default)]
        live: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Client messages use the documented wire shape; `since` and filters are optional.
    #[test]
    fn client_messages_parse_from_documented_json() {
        let m: ClientMsg = serde_json::from_str(r#"{"type":"subscribe","tenant":"tangerang"}"#).unwrap();
        assert_eq!(
            m,
            ClientMsg::Subscribe {
                tenant: "tangerang".into(),
                since: None,
                filters: Filters::default(),
                token: None,
            }
        );
        let m: ClientMsg = serde_json::from_str(
            r#"{"type":"subscribe","tenant":"t","since":"5-1","filters":{"agency":"dlh","bbox":[106.6,-6.3,106.7,-6.1]}}"#,
        )
        .unwrap();
        let ClientMsg::Subscribe { since, filters, .. } = m else {
            panic!()
        };
        assert_eq!(since, Some(Cursor { ms: 5, seq: 1 }));
        assert_eq!(filters.agency.as_deref(), Some("dlh"));
        let p: ClientMsg = serde_json::from_str(r#"{"type":"ping"}"#).unwrap();
        assert_eq!(p, ClientMsg::Ping);
    }

    /// Server messages carry their tag and cursors as strings.
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
