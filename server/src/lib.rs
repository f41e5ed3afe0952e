//! Pantau's backend: citizen reports come in over HTTP, are appended to a per-tenant Redis
//! Stream (the durable event log) and go out to wall displays over WebSockets.
//!
//! # Layout
//! - [`config`]: the command line and environment, one struct per command.
//! - [`telemetry`]: `tracing` subscriber set-up.
//! - [`shutdown`]: SIGINT/SIGTERM to a watch channel every task selects on.
//! - [`error`]: `AppError`, the one place errors become HTTP status + JSON body.
//! - [`tenant`]: the tenants (regions) from `config/tenants/*.toml`: agencies, categories, areas.
//! - [`ingest`]: pure validation of an incoming event into a stream [`pantau_shared::event::Event`].
//! - [`open311`]: Open311 GeoReport v2 documents from tenants and tickets (pure).
//! - [`projection`]: the live state of a tenant folded from its stream (pure), and queries.
//! - [`store`]: Redis: atomic idempotent append, projection snapshots, the per-tenant tailer.
//! - [`realtime`]: the per-tenant fan-out hub and the WebSocket session logic.
//! - [`http`]: the axum router: ingest, `/ws`, health, the built frontend.
//! - [`redis_embedded`]: a private `redis-server` when `REDIS_URL` is unset.
//! - [`serve`]: wires the above together for `pantau serve`.
//! - [`sla`]: which SLA warnings/breaches are due, and the lease-holding task that emits them.
//! - [`simulate`]: the demo feed (`pantau simulate`, `pantau serve --demo-rate`).
//! - [`geo_area`]: tenant kecamatan polygons from GeoJSON, random points inside them.

pub mod config;
pub mod error;
pub mod geo_area;
pub mod http;
pub mod ingest;
pub mod open311;
pub mod projection;
pub mod realtime;
pub mod redis_embedded;
pub mod serve;
pub mod shutdown;
pub mod simulate;
pub mod sla;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod tenant;
