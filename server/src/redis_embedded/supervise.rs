//! Keeping the private redis-server alive: wait for the child, and when it exits before
//! it was asked to stop, log its status and start it again (same port, same data
//! directory) after a backoff — doubling from [`BACKOFF_MIN`] to [`BACKOFF_MAX`], back to
//! the minimum once a child has run for [`STEADY`]. Redis replays its AOF on start, so
//! everything it acknowledged is back; Pantau's connection managers reconnect by
//! themselves.

use super::{stop_child, Spec};
use crate::live::supervise::{BACKOFF_MAX, BACKOFF_MIN, STEADY};
use crate::shutdown::Shutdown;
use tokio::process::Child;
use tokio::time::Instant;

/// Supervise `child` (started from `spec`) until `stop` fires, then stop it.
pub(super) async fn run(spec: Spec, mut child: Child, mut stop: Shutdown) {
    let url = spec.url();
    let mut backoff = BACKOFF_MIN;
    let mut restarts: u32 = 0;
    loop {
        let up_since = Instant::now();
        let exited = tokio::select! {
            exited = child.wait() => exited,
            _ = stop.wait() => return stop_child(&url, child).await,
        };
        match exited {
            Ok(status) => tracing::error!(%status, %url, "private redis-server exited"),
            Err(e) => {
                tracing::error!(error = %e, %url, "cannot wait for private redis-server; killing it");
                let _ = child.start_kill();
            }
        }
        if up_since.elapsed() >= STEADY {
            backoff = BACKOFF_MIN;
        }
        child = loop {
            tracing::warn!(restart_in_ms = backoff.as_millis() as u64, %url, "restarting private redis-server");
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = stop.wait() => return,
            }
            backoff = (backoff * 2).min(BACKOFF_MAX);
            // Dropping a half-started child on stop kills it (`kill_on_drop`).
            let launched = tokio::select! {
                launched = spec.launch() => launched,
                _ = stop.wait() => return,
            };
            match launched {
                Ok(child) => break child,
                Err(e) => tracing::error!(error = %e, %url, "cannot restart private redis-server"),
            }
        };
        restarts += 1;
        tracing::info!(restarts, %url, "private redis-server restarted");
    }
}
