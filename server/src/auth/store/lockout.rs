//! Sign-in lockout: failed attempts per name are counted in Redis (so every process sees
//! them); after [`MAX_FAILURES`] within [`WINDOW_SECS`] the name is locked for the rest of
//! the window. A success clears the count.

use super::{realm, AuthError, AuthStore};
use redis::AsyncCommands;

/// Failures that lock a name.
pub const MAX_FAILURES: u64 = 5;
/// How long failures are remembered, and so how long a lockout lasts at most, seconds.
pub const WINDOW_SECS: u64 = 15 * 60;

fn failures_key(tenant: Option<&str>, name: &str) -> String {
    format!("pantau:{{{}}}:signin_failures:{name}", realm(tenant))
}

impl AuthStore {
    /// Seconds until `name` may try again, if it is locked out.
    pub async fn locked_out(&self, tenant: Option<&str>, name: &str) -> Result<Option<u64>, AuthError> {
        let key = failures_key(tenant, name);
        let failures: Option<u64> = self.conn().get(&key).await?;
        if failures.unwrap_or(0) < MAX_FAILURES {
            return Ok(None);
        }
        let ttl: i64 = self.conn().ttl(&key).await?;
        Ok(Some(ttl.max(1) as u64))
    }

    /// Count a failed sign-in (the window starts at the first failure).
    pub async fn record_failure(&self, tenant: Option<&str>, name: &str) -> Result<(), AuthError> {
        if !crate::auth::actor::valid_name(name) {
            // No such user can exist: nothing to lock, and no key for an arbitrary string.
            return Ok(());
        }
        let key = failures_key(tenant, name);
        let count: u64 = self.conn().incr(&key, 1).await?;
        if count == 1 {
            let _: () = self.conn().expire(&key, WINDOW_SECS as i64).await?;
        }
        Ok(())
    }

    /// Forget the failures of `name` (after a successful sign-in).
    pub async fn clear_failures(&self, tenant: Option<&str>, name: &str) -> Result<(), AuthError> {
        let _: () = self.conn().del(failures_key(tenant, name)).await?;
        Ok(())
    }
}
