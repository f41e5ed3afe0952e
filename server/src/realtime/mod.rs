//! Realtime: the per-tenant publisher (coalescing) and hub (fan-out) that feed WebSocket
//! sessions, the session logic (snapshot or resume, deltas, filters, resync), and the
//! socket's liveness rules (pings, heartbeats, idle close), and the snapshot sessions that
//! subscribe together share ([`shared_snapshot`]).

pub mod hub;
pub mod liveness;
pub mod publish;
pub mod replay_clock;
pub mod session;
pub mod shared_snapshot;
pub mod view;
