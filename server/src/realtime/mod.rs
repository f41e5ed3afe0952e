//! Realtime: the per-tenant publisher (coalescing) and hub (fan-out) that feed WebSocket
//! sessions, the session logic (snapshot or resume, deltas, filters, resync), and the
//! socket's liveness rules (pings, heartbeats, idle close).

pub mod hub;
pub mod liveness;
pub mod publish;
pub mod replay_clock;
pub mod session;
pub mod view;
