//! The state every handler and session shares.

use crate::auth::rate::RateLimiter;
use crate::auth::store::{AuthStore, SessionLimits};
use crate::config::ServeConfig;
use crate::live::LiveTenant;
use crate::media::disk::DiskStore;
use crate::media::MediaStore;
use crate::realtime::hub::Hub;
use crate::shutdown::Shutdown;
use crate::store::Store;
use crate::tenant::{Tenant, Tenants};
use std::collections::HashMap;
use std::sync::Arc;

/// Shared by all requests (behind an `Arc`).
pub struct AppState {
    /// The configuration `serve` was started with.
    pub config: ServeConfig,
    /// The tenants served.
    pub tenants: Tenants,
    /// Redis: the event log.
    pub store: Store,
    /// Redis: users, sessions, API keys.
    pub auth: AuthStore,
    /// Ingest rate limits per API key.
    pub key_limits: RateLimiter,
    /// Per-tenant fan-out to WebSocket sessions.
    pub hub: Hub,
    /// Per-tenant projections.
    pub live: HashMap<String, Arc<LiveTenant>>,
    /// Flipped on SIGINT/SIGTERM; sessions close when it is.
    pub shutdown: Shutdown,
    /// Photo evidence (`--media-dir`, default `<data-dir>/media`).
    pub media: Arc<dyn MediaStore>,
}

impl AppState {
    /// The state for these tenants: an empty live projection and a fan-out channel each.
    pub fn new(config: ServeConfig, tenants: Tenants, store: Store, shutdown: Shutdown) -> AppState {
        let live = tenants
            .iter()
            .map(|t| {
                (
                    t.id.clone(),
                    Arc::new(
                        LiveTenant::new(t.sla.clone(), config.snapshot_every)
                            .with_history(config.history_every, config.history_keep),
                    ),
                )
            })
            .collect();
        let hub = Hub::new(tenants.iter().map(|t| t.id.as_str()), config.fanout_capacity);
        let limits = SessionLimits {
            idle: std::time::Duration::from_secs(config.session_idle_secs),
            absolute: std::time::Duration::from_secs(config.session_absolute_secs),
        };
        let auth = AuthStore::new(store.connection(), limits);
        let media_dir = config
            .media_dir
            .clone()
            .unwrap_or_else(|| config.data_dir.join("media"));
        AppState {
            media: Arc::new(DiskStore::new(media_dir)),
            key_limits: RateLimiter::new(config.key_rate, config.key_burst),
            config,
            tenants,
            auth,
            store,
            hub,
            live,
            shutdown,
        }
    }

    /// The live state of a served tenant (every tenant has one from start-up on).
    pub fn live(&self, tenant: &Tenant) -> &LiveTenant {
        self.live_handle(tenant)
    }

    /// [`AppState::live`] as a shared handle, for work that outlives the request's borrow
    /// (a streamed export, a tailer).
    pub fn live_handle(&self, tenant: &Tenant) -> &Arc<LiveTenant> {
        self.live.get(&tenant.id).expect("live state for every tenant")
    }
}
