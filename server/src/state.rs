//! The state every handler and session shares.

use crate::config::ServeConfig;
use crate::realtime::hub::Hub;
use crate::shutdown::Shutdown;
use crate::store::Store;
use crate::tenant::Tenants;

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
    /// Flipped on SIGINT/SIGTERM; sessions close when it is.
    pub shutdown: Shutdown,
}
