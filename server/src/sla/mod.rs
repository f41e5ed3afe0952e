//! SLA: the deadline math itself is `pantau_shared::sla` (pure, shared with the wall) and
//! targets are part of every ticket in the projection. Here:
//! - [`policy`]: a tenant's calendars and policies built from its `[sla]` config (pure);
//! - [`standing`]: where a target stands at a moment, for the ticket API (pure);
//! - [`due`]: which warnings and breaches are due at a moment (pure);
//! - [`alerts`]: which `alert.raised` events (ping-pong between agencies) are due (pure);
//! - [`emitter`]: the task that, while holding the SLA lease, appends them exactly once.

pub mod alerts;
pub mod due;
pub mod emitter;
pub mod policy;
pub mod standing;
