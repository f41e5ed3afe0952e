//! Pantau's backend: citizen reports come in over HTTP, are appended to a per-tenant Redis
//! Stream (the durable event log) and go out to wall displays over WebSockets.
//!
//! # Layout
//! - [`config`]: the command line and environment, one struct per command.
//! - [`telemetry`]: `tracing` subscriber set-up.
//! - [`time_machine`]: a tenant's state at any past instant (snapshot kept + stream).
//! - [`shutdown`]: SIGINT/SIGTERM to a watch channel every task selects on.
//! - [`error`]: `AppError`, the one place errors become HTTP status + JSON body.
//! - [`tenant`]: the tenants (regions) and their lookups; [`tenant::load`] reads and checks
//!   `config/tenants/*.toml`.
//! - [`validate`]: pure validation of an incoming event into a [`validate::Command`].
//! - [`write`]: the one write path: transition check, append, a typed [`write::Accepted`].
//! - [`open311`]: Open311 GeoReport v2 documents from tenants and tickets (pure).
//! - [`projection`]: the live state of a tenant folded from its stream (pure), and queries.
//! - [`store`]: Redis commands only: the append script, reads, snapshots, the lease.
//! - [`live`]: each tenant's projection kept current by its tailer, the snapshot rule, and
//!   the supervisor that restarts stopped tasks.
//! - [`realtime`]: the per-tenant publisher and hub, and the WebSocket session logic.
//! - [`auth`]: roles and their permission table, actors, passwords; users, sessions, keys in Redis.
//! - [`admin_cli`]: `pantau user …` and `pantau key …`, the auth records from the shell.
//! - [`http`]: the axum router: extractors, events, tickets, Open311, `/ws`, health, the
//!   built frontend.
//!
//! The layering rule: `http → write/validate → store`; `store` never imports `live` or
//! `realtime`; `live` never imports `realtime`; the core (`projection`, `sla` math,
//! `validate`, `open311`, `geo_area`) does no I/O.
//! - [`redis_embedded`]: a private `redis-server` when `REDIS_URL` is unset.
//! - [`serve`]: wires the above together for `pantau serve`.
//! - [`accept`]: the accept loop: connection limits (total, per address), header timeout,
//!   minimum request-body rate.
//! - [`sla`]: policies from config, a target's standing, which warnings/breaches are due,
//!   and the lease-holding task that emits them.
//! - [`demo`]: demo users per role and paired demo walls (`serve --demo-users`).
//! - [`replay`]: a real 311 history remapped onto a tenant (`pantau replay`).
//! - [`simulate`]: the simulated city (`pantau simulate`, `pantau serve --demo-rate`).
//! - [`geo_area`]: tenant kecamatan polygons from GeoJSON, random points inside them.
//! - [`stats`]: executive KPIs kept incrementally from the projection's ticket changes (pure).
//! - [`webhooks`]: outbound webhooks to agency systems: the outbox (a consumer group on each
//!   tenant's stream), signed deliveries with retries, the delivery log.
//! - [`media`]: photo evidence: the store behind a trait (disk now), type sniffing, EXIF
//!   time and position, the after-photo check (pure), thumbnails.
//! - [`metrics`]: Prometheus metrics, their one-line helpers and `GET /metrics`.
//! - [`duplicates`]: candidate duplicate reports and the merge/unmerge checks (pure).

pub mod accept;
pub mod admin_cli;
pub mod auth;
pub mod config;
pub mod demo;
pub mod duplicates;
pub mod error;
#[cfg(test)]
mod fuzzing;
pub mod geo_area;
pub mod http;
pub mod live;
pub mod media;
pub mod metrics;
pub mod open311;
pub mod projection;
pub mod realtime;
pub mod redis_embedded;
pub mod replay;
pub mod serve;
pub mod shutdown;
pub mod simulate;
pub mod sla;
pub mod state;
pub mod stats;
pub mod store;
pub mod telemetry;
pub mod tenant;
pub mod time_machine;
pub mod validate;
pub mod webhooks;
pub mod write;
