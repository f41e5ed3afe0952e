//! Whether Redis is reachable, known without asking it: a flag the store checks before each
//! command so that, while Redis is down, callers get [`StoreError::Unavailable`] at once
//! instead of waiting on the connection's reconnect attempts.
//!
//! The flag goes down when a command fails on the connection (I/O, dropped, timed out) or a
//! probe fails; only the probe — a `PING` every [`PROBE_EVERY`] through the shared
//! connection, so that connection is reconnected and proven before writes use it again —
//! brings it back up. On a Redis Cluster that `PING` goes to every master, so one master
//! down takes the flag down for all tenants (a write could not tell in advance whose slot is
//! served).

use super::RedisConn;
use super::StoreError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// How often the probe pings.
pub const PROBE_EVERY: Duration = Duration::from_millis(250);
/// How long the probe waits for its `PING`.
const PROBE_TIMEOUT: Duration = Duration::from_millis(1_000);

/// The shared flag (one per [`super::Store`], shared by its clones).
#[derive(Debug)]
pub struct Health {
    up: AtomicBool,
}

impl Health {
    /// A flag that starts up (the store has just connected).
    pub fn new() -> Arc<Health> {
        Arc::new(Health {
            up: AtomicBool::new(true),
        })
    }

    /// Whether Redis answered the last probe and no command failed on the connection since.
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::SeqCst)
    }

    /// `Err(Unavailable)` while Redis is known to be down.
    pub fn check(&self) -> Result<(), StoreError> {
        if self.is_up() {
            Ok(())
        } else {
            Err(StoreError::Unavailable)
        }
    }

    /// Take the flag down if `result` failed on the connection (not on a refusal by a script).
    pub fn observe<T>(&self, result: &Result<T, StoreError>) {
        if let Err(StoreError::Redis(e)) = result {
            if connection_lost(e) {
                self.set(false);
            }
        }
    }

    fn set(&self, up: bool) {
        if self.up.swap(up, Ordering::SeqCst) != up {
            if up {
                tracing::info!("redis answers again; accepting writes");
            } else {
                tracing::warn!("redis unreachable; refusing writes until it answers");
            }
        }
    }
}

/// Whether the error means the connection, not the command, failed.
pub fn connection_lost(e: &redis::RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_timeout() || e.is_unrecoverable_error()
}

/// Ping through `conn` every [`PROBE_EVERY`] and set `health`; ends when the store is gone.
pub async fn probe(health: Weak<Health>, conn: RedisConn) {
    loop {
        tokio::time::sleep(PROBE_EVERY).await;
        let Some(health) = health.upgrade() else {
            return;
        };
        let mut conn = conn.clone();
        let cmd = redis::cmd("PING");
        let ping = cmd.query_async::<String>(&mut conn);
        let up = matches!(tokio::time::timeout(PROBE_TIMEOUT, ping).await, Ok(Ok(_)));
        health.set(up);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io_error(kind: std::io::ErrorKind) -> StoreError {
        StoreError::Redis(std::io::Error::from(kind).into())
    }

    #[test]
    fn a_connection_failure_takes_the_flag_down_a_refusal_does_not() {
        let health = Health::new();
        assert!(health.check().is_ok());
        health.observe::<()>(&Err(StoreError::Rejected("no".into())));
        health.observe::<()>(&Err(StoreError::NoSuchTicket("TGR-1".into())));
        assert!(health.is_up());
        health.observe::<()>(&Err(io_error(std::io::ErrorKind::ConnectionRefused)));
        assert!(!health.is_up());
        assert!(matches!(health.check(), Err(StoreError::Unavailable)));
        health.set(true);
        assert!(health.check().is_ok());
        health.observe::<()>(&Err(io_error(std::io::ErrorKind::UnexpectedEof)));
        assert!(!health.is_up());
    }
}
