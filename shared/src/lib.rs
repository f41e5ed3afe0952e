//! Pantau's wire types, shared by the server (native) and the wall display (wasm32).
//!
//! Nothing here does I/O or depends on tokio/axum, so it compiles for both targets.
//!
//! # Layout
//! - [`auth`]: sign-in, session and wall-screen pairing bodies of the HTTP API.
//! - [`event`]: the events held in the Redis Stream (`pantau:{tenant}:events`), one per entry.
//! - [`protocol`]: WebSocket messages between server and clients (`ClientMsg`, `ServerMsg`).
//! - [`ticket`]: a ticket's state folded from its events (pure; used by server and wall).
//! - [`sla`]: SLA deadline math over business calendars (pure; server and wall agree).
//! - [`cursor`]: stream ids (`<ms>-<seq>`) as ordered cursors.
//! - [`decode`]: a client's one-pass decoder of server messages (no buffering of tagged enums).
//! - [`kpi`]: the headline numbers, defined once for snapshots, `/sla` and the wall (pure).
//! - [`alerts`]: when a ticket is flagged (ping-pong between agencies), pure.
//! - [`workload`]: open, warning, breached, resolved today per agency and officer (pure).
//! - [`stats`]: wire types of the executive view (`GET /api/v1/{tenant}/kpis`, forecast).
//! - [`forecast`]: the breach forecast over open tickets (pure; server and wall agree).
//! - `fixtures`: sample events for every crate's tests (feature `fixtures`).
//!
//! Every message and event carries `v` (the protocol/event version, [`PROTOCOL_VERSION`]).

pub mod alerts;
pub mod auth;
pub mod cursor;
pub mod decode;
pub mod event;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod forecast;
pub mod kpi;
pub mod protocol;
pub mod sla;
pub mod stats;
pub mod ticket;
pub mod workload;

/// Version of the event schema and the WebSocket protocol carried in every `v` field.
pub const PROTOCOL_VERSION: u32 = 1;
