//! Keeping a background task alive: run it, and when it exits or panics before shutdown,
//! log that once and start it again after a backoff (doubling from [`BACKOFF_MIN`] to
//! [`BACKOFF_MAX`], back to the minimum once a run lasted [`STEADY`]).

use crate::shutdown::Shutdown;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// First wait before a restart.
pub const BACKOFF_MIN: Duration = Duration::from_millis(200);
/// Longest wait before a restart.
pub const BACKOFF_MAX: Duration = Duration::from_secs(10);
/// A run this long counts as healthy: the next failure waits [`BACKOFF_MIN`] again.
pub const STEADY: Duration = Duration::from_secs(30);

/// Run `start()` until shutdown, starting it again whenever it stops on its own. `name`
/// and `tenant` label the log lines. Returns how many times it was restarted.
pub async fn supervise<F, Fut>(name: &'static str, tenant: &str, mut shutdown: Shutdown, mut start: F) -> u32
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut backoff = BACKOFF_MIN;
    let mut restarts = 0;
    loop {
        let began = Instant::now();
        let mut task = tokio::spawn(start());
        let outcome = tokio::select! {
            outcome = &mut task => outcome,
            _ = shutdown.wait() => {
                // The task sees the same shutdown; give it the chance to finish cleanly.
                let _ = task.await;
                return restarts;
            }
        };
        if shutdown.is_triggered() {
            return restarts;
        }
        if began.elapsed() >= STEADY {
            backoff = BACKOFF_MIN;
        }
        match outcome {
            Ok(()) => {
                tracing::error!(task = name, %tenant, restart_in_ms = backoff.as_millis() as u64, "task exited; restarting")
            }
            Err(e) => {
                tracing::error!(task = name, %tenant, error = %e, restart_in_ms = backoff.as_millis() as u64, "task failed; restarting")
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = shutdown.wait() => return restarts,
        }
        restarts += 1;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shutdown;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    /// A task that panics, then exits, is started again each time with a growing backoff;
    /// a third run that lasts is left alone until shutdown, which ends the supervisor.
    #[tokio::test(start_paused = true)]
    async fn restarts_a_task_that_panics_or_exits() {
        let (trigger, stop) = shutdown::channel();
        let runs = Arc::new(AtomicU32::new(0));
        let counter = runs.clone();
        let mut task_stop = stop.clone();
        let for_tasks = stop.clone();
        let supervisor = tokio::spawn(supervise("test", "t", stop, move || {
            let run = counter.fetch_add(1, Ordering::SeqCst);
            let mut task_stop = for_tasks.clone();
            async move {
                match run {
                    0 => panic!("first run fails"),
                    1 => {}
                    _ => task_stop.wait().await,
                }
            }
        }));
        let t0 = Instant::now();
        while runs.load(Ordering::SeqCst) < 3 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let waited = t0.elapsed();
        assert!(
            waited >= BACKOFF_MIN * 3 && waited < BACKOFF_MIN * 4,
            "backoff {BACKOFF_MIN:?} then twice that, waited {waited:?}"
        );
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 3, "a running task is not restarted");
        trigger.fire();
        task_stop.wait().await;
        assert_eq!(supervisor.await.unwrap(), 2);
    }
}
