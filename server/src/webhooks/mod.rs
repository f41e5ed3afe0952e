//! Outbound webhooks: agency systems (a DLH or PUPR work-order system, say) are told about
//! ticket events of their tenant — assignment, verification, status, validation, merges,
//! comments, as each webhook's config asks (see [`crate::tenant::webhooks`]).
//!
//! # The outbox
//! The tenant's event stream *is* the outbox: a Redis Stream consumer group `webhooks` on
//! `pantau:{tenant}:events`, created at the stream's end (`$`) the first time, so a new
//! deployment does not replay history to receivers. Each process runs one worker per tenant
//! with webhooks, as consumer `<host>/<listen address>` (stable across restarts). On start it
//! re-reads its own pending entries (`XREADGROUP … 0`), claims entries idle for more than
//! 60 s from consumers that died (`XAUTOCLAIM`), then follows new ones (`XREADGROUP … >`).
//! An entry is acknowledged (`XACK`) only when every webhook that wants it has delivered or
//! given up; while delivering, its idle time is reset every 20 s so no other process takes it.
//!
//! # At least once, deduplicated by event id
//! A crash between a 2xx and the `XACK` delivers again after the restart: delivery is at
//! least once. Every request carries `X-Pantau-Event-Id` (the event's id, unique in the
//! tenant): receivers keep the ids they have processed and ignore repeats. Requests are
//! signed: `X-Pantau-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
//!
//! # Retries
//! A non-2xx answer, a refused connection or a timeout ([`DELIVERY_TIMEOUT`]) is tried again
//! after `backoff_ms` (default 1 s), doubling each time up to 5 min, until `max_attempts`
//! (default 12, about 20 minutes in all); then it is given up. Each webhook has its own
//! queue, so a receiver that is down delays only itself; each tenant has its own worker.
//! After a restart, an entry still pending starts again from attempt 1. Every attempt is
//! appended to `pantau:{tenant}:deliveries` (capped at about 10,000), read by
//! `GET /api/v1/{tenant}/webhooks/deliveries`.
//!
//! - [`sign`]: the signature (pure).
//! - [`plan`]: the body, the agency an event names, the backoff schedule (pure).
//! - [`store`]: the group's and the log's Redis commands.
//! - [`deliver`]: one webhook's queue: signed POSTs, retries, the log.
//! - [`worker`]: one tenant's reader, dispatch and acknowledgements.

pub mod deliver;
pub mod plan;
pub mod sign;
pub mod store;
pub mod worker;

use crate::live::supervise::supervise;
use crate::live::LiveTenant;
use crate::shutdown::Shutdown;
use crate::state::AppState;
use crate::tenant::Tenant;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

/// How long one delivery attempt may take (connect, send, answer).
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// What a tenant's worker needs.
pub struct Outbox {
    pub tenant: Arc<Tenant>,
    /// The projection, for the agency of a ticket an event does not route.
    pub live: Arc<LiveTenant>,
    /// For the worker's own connection (blocking reads).
    pub redis: crate::store::RedisClient,
    /// The shared connection (acks, claims, the log).
    pub conn: crate::store::RedisConn,
    pub http: reqwest::Client,
    /// This process's consumer name in the group.
    pub consumer: String,
}

/// The consumer name of the process listening on `addr`: the host and the address, the same
/// after a restart so the process takes back its own pending entries at once.
pub fn consumer_name(addr: SocketAddr) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "pantau".to_owned());
    format!("{host}/{addr}")
}

/// Start a supervised worker for every tenant with webhooks. The groups are made first, so
/// no event appended once the server listens is missed on a first start.
pub async fn start(
    state: &Arc<AppState>,
    addr: SocketAddr,
    shutdown: &Shutdown,
    tasks: &mut JoinSet<()>,
) -> anyhow::Result<()> {
    if state.tenants.iter().all(|t| t.webhooks.is_empty()) {
        return Ok(());
    }
    let http = reqwest::Client::builder()
        .timeout(DELIVERY_TIMEOUT)
        .user_agent(concat!("Pantau-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()?;
    for tenant in state.tenants.iter().filter(|t| !t.webhooks.is_empty()) {
        store::ensure_group(&mut state.store.connection(), &tenant.id).await?;
        let outbox = Arc::new(Outbox {
            tenant: tenant.clone(),
            live: state.live_handle(tenant).clone(),
            redis: state.store.client().clone(),
            conn: state.store.connection(),
            http: http.clone(),
            consumer: consumer_name(addr),
        });
        let (name, stop) = (tenant.id.clone(), shutdown.clone());
        tasks.spawn(async move {
            let task_stop = stop.clone();
            supervise("webhooks", &name, stop, move || {
                let (outbox, stop) = (outbox.clone(), task_stop.clone());
                async move {
                    if let Err(e) = worker::run(&outbox, stop).await {
                        tracing::error!(tenant = %outbox.tenant.id, error = %e, "webhook worker stopped");
                    }
                }
            })
            .await;
        });
    }
    Ok(())
}
