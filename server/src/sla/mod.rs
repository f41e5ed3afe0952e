//! SLA emission: the deadline math itself is `pantau_shared::sla` (pure, shared with the
//! wall) and targets are part of every ticket in the projection. Here:
//! - [`due`]: which warnings and breaches are due at a moment (pure);
//! - [`emitter`]: the task that, while holding the SLA lease, appends them exactly once.

pub mod due;
pub mod emitter;
