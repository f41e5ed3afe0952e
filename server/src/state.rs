//! The state every handler and session shares.

use crate::config::ServeConfig;
use crate::projection::Projection;
use crate::realtime::hub::Hub;
use crate::shutdown::Shutdown;
use crate::store::Store;
use crate::tenant::Tenants;
use pantau_shared::sla::SlaConfig;
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};

/// One tenant's live state in this process, kept by its tailer.
#[derive(Default)]
pub struct LiveTenant {
    /// The tenant's SLA rules (the projection computes targets with them).
    pub sla: Arc<SlaConfig>,
    /// Stream entries between two stored snapshots.
    pub snapshot_every: u64,
    /// Everything derived from the stream so far.
    pub projection: RwLock<Projection>,
    /// Set once the tailer has caught up with the stream after start.
    pub ready: AtomicBool,
    /// Set while the tailer cannot reach Redis (the projection may be stale).
    pub degraded: AtomicBool,
}

/// Shared by all requests (behind an `Arc`).
pub struct AppState {
    /// The configuration `serve` was started with.
    pub config: ServeConfig,
    /// The tenants served.
    pub tenants: Tenants,
    /// Redis.
    pub store: Store,
    /// Per-tenant fan-out to WebSocket sessions.
    pub hub: Hub,
    /// Per-tenant projections.
    pub live: HashMap<String, Arc<LiveTenant>>,
    /// Flipped on SIGINT/SIGTERM; sessions close when it is.
    pub shutdown: Shutdown,
}

impl AppState {
    /// The live state of a served tenant.
    pub fn live(&self, tenant: &str) -> Option<&Arc<LiveTenant>> {
        self.live.get(tenant)
    }
}
