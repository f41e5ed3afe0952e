//! The live layer between the store and realtime: each tenant's projection kept current in
//! this process by its tailer, the rule for when to store a snapshot, and the supervisor
//! that restarts a task that stops. `store/` only speaks Redis; realtime consumes what the
//! tailer emits ([`Tailed`]) and never the other way round.
//!
//! - [`tailer`]: load the snapshot, catch up, follow the stream, apply, emit [`Tailed`].
//! - [`snapshot_rule`]: when a snapshot is due (pure).
//! - [`supervise`]: run a task again, with backoff, when it exits or panics.

pub mod snapshot_rule;
pub mod supervise;
pub mod tailer;

use crate::projection::Projection;
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use pantau_shared::protocol::LinkState;
use pantau_shared::sla::SlaConfig;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;
use tokio::sync::Notify;

/// What a tailer hands on (to the realtime publisher), in stream order.
#[derive(Debug)]
pub enum Tailed {
    /// Entries after `from` up to `to`, already applied to the projection.
    Batch {
        from: Cursor,
        to: Cursor,
        events: Vec<(Cursor, Event)>,
    },
    /// The link to Redis changed (with a reason for people when it is degraded).
    Link(LinkState, Option<String>),
}

/// One tenant's live state in this process, kept by its tailer.
pub struct LiveTenant {
    /// The tenant's SLA rules (the projection computes targets with them).
    pub sla: Arc<SlaConfig>,
    /// Stream entries between two stored snapshots.
    pub snapshot_every: u64,
    /// Stream entries between two snapshots kept for the time machine (0: keep none), and
    /// how many are kept.
    pub history_every: u64,
    pub history_keep: usize,
    /// Everything derived from the stream so far; reached only through [`LiveTenant::read`]
    /// and [`LiveTenant::write`].
    projection: RwLock<Projection>,
    /// Set once the tailer has caught up with the stream after start.
    ready: AtomicBool,
    /// Set while a tailer task runs (cleared when it stops, even by a panic).
    tailing: AtomicBool,
    /// Set while the tailer cannot reach Redis (the projection may be stale).
    degraded: AtomicBool,
    /// Wakes [`LiveTenant::wait_caught_up`] when `ready` is set or the tailer stops.
    changed: Notify,
}

impl LiveTenant {
    /// An empty projection under these SLA rules.
    pub fn new(sla: Arc<SlaConfig>, snapshot_every: u64) -> Self {
        LiveTenant {
            projection: RwLock::new(Projection::new(sla.clone())),
            sla,
            snapshot_every: snapshot_every.max(1),
            history_every: 0,
            history_keep: 0,
            ready: AtomicBool::new(false),
            tailing: AtomicBool::new(false),
            degraded: AtomicBool::new(false),
            changed: Notify::new(),
        }
    }

    /// Keep a snapshot for the time machine every `every` entries (at a stored snapshot),
    /// `keep` of them at most.
    pub fn with_history(mut self, every: u64, keep: usize) -> Self {
        self.history_every = every;
        self.history_keep = keep;
        self
    }

    /// The projection, for reading. A panic under the lock does not poison it for good: the
    /// tailer that panicked is restarted from the projection's cursor, so readers go on.
    pub fn read(&self) -> RwLockReadGuard<'_, Projection> {
        self.projection.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The projection, for the tailer to change.
    pub fn write(&self) -> RwLockWriteGuard<'_, Projection> {
        self.projection.write().unwrap_or_else(|poisoned| {
            self.projection.clear_poison();
            poisoned.into_inner()
        })
    }

    /// Caught up and followed by a running tailer: what `/readyz` and the SLA emitter ask.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst) && self.tailing.load(Ordering::SeqCst)
    }

    /// Whether the tailer has caught up once (sessions and SLA may trust the present).
    pub fn caught_up(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// Whether the tailer currently cannot reach Redis.
    pub fn is_degraded(&self) -> bool {
        self.degraded.load(Ordering::SeqCst)
    }

    /// Mark caught up; true the first time.
    fn mark_ready(&self) -> bool {
        let first = !self.ready.swap(true, Ordering::SeqCst);
        self.changed.notify_waiters();
        first
    }

    /// Wait, at most `bound`, while a tailer runs that has not caught up since start: a
    /// socket that connects right after a restart then starts from the stream's present —
    /// not from an empty or half-replayed projection, where its resume cursor would look
    /// unknown and a snapshot would show nothing. At once when caught up or no tailer runs.
    pub async fn wait_caught_up(&self, bound: Duration) {
        let _ = tokio::time::timeout(bound, async {
            loop {
                let changed = self.changed.notified();
                if self.caught_up() || !self.tailing.load(Ordering::SeqCst) {
                    return;
                }
                changed.await;
            }
        })
        .await;
    }

    /// Record the link's state; true when it changed.
    fn set_degraded(&self, degraded: bool) -> bool {
        self.degraded.swap(degraded, Ordering::SeqCst) != degraded
    }
}

/// Marks a tenant as tailed while alive; dropping it (a return or a panic) clears the mark.
pub struct TailingGuard<'a>(&'a LiveTenant);

impl<'a> TailingGuard<'a> {
    pub fn new(live: &'a LiveTenant) -> Self {
        live.tailing.store(true, Ordering::SeqCst);
        TailingGuard(live)
    }
}

impl Drop for TailingGuard<'_> {
    fn drop(&mut self) {
        self.0.tailing.store(false, Ordering::SeqCst);
        self.0.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panic while the projection is held does not make it unusable, and readiness needs
    /// a running tailer.
    #[test]
    fn a_panic_under_the_lock_does_not_poison_the_tenant() {
        let live = Arc::new(LiveTenant::new(Arc::default(), 10));
        let l = live.clone();
        let panicked = std::thread::spawn(move || {
            let _guard = l.write();
            panic!("boom under the lock");
        })
        .join();
        assert!(panicked.is_err());
        assert_eq!(live.read().ticket_count(), 0);
        assert_eq!(live.write().ticket_count(), 0);
        assert!(live.mark_ready());
        assert!(!live.is_ready(), "no tailer runs");
        {
            let _tailing = TailingGuard::new(&live);
            assert!(live.is_ready());
        }
        assert!(!live.is_ready(), "the guard's drop clears the mark");
    }

    /// A session waits for a running tailer's first catch-up (and no longer than its
    /// bound), but not at all when no tailer runs or it has caught up.
    #[tokio::test(start_paused = true)]
    async fn waiting_for_the_first_catch_up() {
        let live = Arc::new(LiveTenant::new(Arc::default(), 10));
        let bound = Duration::from_secs(10);
        let t0 = tokio::time::Instant::now();
        live.wait_caught_up(bound).await;
        assert_eq!(t0.elapsed(), Duration::ZERO, "no tailer runs: nothing to wait for");

        let tailing = TailingGuard::new(&live);
        live.wait_caught_up(bound).await;
        assert_eq!(t0.elapsed(), bound, "a tailer that never catches up: the bound");

        let waiter = tokio::spawn({
            let live = live.clone();
            async move { live.wait_caught_up(bound).await }
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiter.is_finished());
        assert!(live.mark_ready());
        waiter.await.unwrap();
        assert_eq!(t0.elapsed(), bound + Duration::from_secs(1), "woken by the catch-up");
        drop(tailing);
    }
}
