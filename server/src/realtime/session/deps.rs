//! What a session depends on, kept narrow so sessions run without Redis in tests: the
//! tenants, the hub, the live projections, a [`ReplaySource`] and its [`Limits`].

use crate::config::ServeConfig;
use crate::live::LiveTenant;
use crate::realtime::hub::Hub;
use crate::store::{Store, StoreError};
use crate::tenant::Tenants;
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

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
}

impl ReplaySource for Store {
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
}

impl Limits {
    pub fn of(config: &ServeConfig) -> Limits {
        Limits {
            ping: Duration::from_secs(config.ping_secs),
            idle_timeout: Duration::from_secs(config.idle_timeout_secs),
            send_timeout: Duration::from_secs(config.send_timeout_secs),
            snapshot_max_tickets: config.snapshot_max_tickets,
            max_replay: config.max_replay,
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
    /// Where missed entries are read on resume.
    pub replay: &'a P,
    pub limits: Limits,
}
