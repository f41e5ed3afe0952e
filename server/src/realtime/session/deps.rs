//! What a session depends on, kept narrow so sessions run without Redis in tests: the
//! tenants, the hub, the live projections, a backend that replays missed entries
//! ([`ReplaySource`]) and checks credentials ([`Gate`]), and its [`Limits`].

use crate::auth::store::SessionToken;
use crate::auth::Principal;
use crate::config::ServeConfig;
use crate::live::LiveTenant;
use crate::projection::Projection;
use crate::realtime::hub::Hub;
use crate::store::{Store, StoreError};
use crate::tenant::{Tenant, Tenants};
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use pantau_shared::protocol::ReplayStart;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How often credentials are checked again (a revoked screen is closed within this).
pub const RECHECK: Duration = Duration::from_secs(5);

/// Where a resuming session reads the entries it missed: the event store in the server,
/// an in-memory log in tests.
pub trait ReplaySource: Sync {
    /// Up to `count` entries of `tenant` after `after` (exclusive) up to `until`
    /// (inclusive), oldest first.
    fn range_after(
        &self,
        tenant: &str,
        after: Cursor,
        until: Cursor,
        count: usize,
    ) -> impl Future<Output = Result<Vec<(Cursor, Event)>, StoreError>> + Send;

    /// The tenant's projection at `at_ms` (a replay's start): by default folded from the
    /// stream's start; the store starts from a kept snapshot ([`crate::time_machine`]).
    fn state_at(&self, tenant: &Tenant, at_ms: i64) -> impl Future<Output = Result<Projection, StoreError>> + Send {
        async move {
            let mut projection = Projection::new(tenant.sla.clone());
            let until = Cursor {
                ms: u64::try_from(at_ms).unwrap_or(0),
                seq: u64::MAX,
            };
            loop {
                let page = self.range_after(&tenant.id, projection.cursor(), until, 10_000).await?;
                let last = page.len() < 10_000;
                projection.apply_batch(&page);
                if last {
                    return Ok(projection);
                }
            }
        }
    }
}

impl ReplaySource for Store {
    async fn state_at(&self, tenant: &Tenant, at_ms: i64) -> Result<Projection, StoreError> {
        let at = chrono::DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
        Ok(crate::time_machine::state_at(self, tenant, at).await?.0)
    }

    fn range_after(
        &self,
        tenant: &str,
        after: Cursor,
        until: Cursor,
        count: usize,
    ) -> impl Future<Output = Result<Vec<(Cursor, Event)>, StoreError>> + Send {
        Store::range_after(self, tenant, after, until, count)
    }
}

/// What a socket presents: the signed-in browser's session cookie (at the upgrade), or a
/// paired screen's display token (in its `subscribe`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    Session(SessionToken),
    Display(String),
}

/// Who credentials belong to, asked at `subscribe` and again every [`Limits::recheck`] so a
/// signed-out user or a revoked screen is cut off within seconds.
pub trait Gate: Sync {
    /// `Ok(None)`: not (or no longer) valid. `Err`: cannot tell now (Redis down) — the
    /// session keeps what it had rather than dropping every wall at once.
    fn admit(&self, credentials: &Credentials) -> impl Future<Output = Result<Option<Principal>, ()>> + Send;

    /// The replay an admin has put this paired screen in (training), asked with `admit`:
    /// `Ok(None)` for people and for screens following live. `Err`: cannot tell now.
    fn directive(&self, credentials: &Credentials) -> impl Future<Output = Result<Option<ReplayStart>, ()>> + Send {
        let _ = credentials;
        std::future::ready(Ok(None))
    }
}

/// A session's limits, from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// WebSocket ping interval (also the idle `heartbeat` interval).
    pub ping: Duration,
    /// Close a socket silent this long.
    pub idle_timeout: Duration,
    /// Close a socket that cannot take a message this long.
    pub send_timeout: Duration,
    /// Most tickets in a snapshot.
    pub snapshot_max_tickets: usize,
    /// Most entries replayed before a resync instead.
    pub max_replay: usize,
    /// How often a subscribed socket's credentials are checked again.
    pub recheck: Duration,
    /// How long an unfiltered snapshot is shared with sessions subscribing after it
    /// (zero: each builds its own).
    pub snapshot_share: Duration,
}

impl Limits {
    pub fn of(config: &ServeConfig) -> Limits {
        Limits {
            ping: Duration::from_secs(config.ping_secs),
            idle_timeout: Duration::from_secs(config.idle_timeout_secs),
            send_timeout: Duration::from_secs(config.send_timeout_secs),
            snapshot_max_tickets: config.snapshot_max_tickets,
            max_replay: config.max_replay,
            recheck: RECHECK,
            snapshot_share: Duration::from_millis(config.snapshot_share_ms),
        }
    }
}

/// What a session needs of the server, and nothing more.
pub struct Deps<'a, P> {
    /// The tenants that may be subscribed to (their info goes into snapshots).
    pub tenants: &'a Tenants,
    /// Their fan-out channels.
    pub hub: &'a Hub,
    /// Their projections.
    pub live: &'a HashMap<String, Arc<LiveTenant>>,
    /// Where missed entries are read on resume, and who credentials belong to.
    pub backend: &'a P,
    pub limits: Limits,
    /// The credentials the upgrade request carried (a signed-in browser's cookie).
    pub cookie: Option<Credentials>,
}
