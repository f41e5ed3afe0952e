//! Realtime: the per-tenant hub that fans frames out to WebSocket sessions, and the session
//! logic itself (snapshot, then deltas; resync when a session falls behind).

pub mod hub;
pub mod session;
