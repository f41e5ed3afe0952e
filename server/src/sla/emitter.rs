//! The one task (per deployment) that appends due SLA events and alerts: every tick each process tries
//! to take or renew the SLA lease; the holder computes what is due in every tenant and
//! appends it through the idempotent append (deterministic ids), so a failover — or the
//! projection lagging behind its own appends — never writes an event twice. A new holder
//! emits what fell due while nobody held the lease: late, but once. A tenant whose
//! projection is still catching up is skipped: its state is the past, not the present.

use crate::shutdown::Shutdown;
use crate::sla::alerts::due_alerts;
use crate::sla::due::due_events;
use crate::state::AppState;
use crate::store::ToAppend;
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

/// The lease key (one SLA emitter for the whole deployment).
pub const LEASE_KEY: &str = "pantau:sla_leader";

/// Run until shutdown. `holder` names this process in the lease.
pub async fn run(state: Arc<AppState>, holder: String, shutdown: Shutdown) {
    let span = tracing::info_span!("sla_emitter", %holder);
    run_inner(state, holder, shutdown).instrument(span).await
}

async fn run_inner(state: Arc<AppState>, holder: String, mut shutdown: Shutdown) {
    let tick = Duration::from_millis(state.config.sla_tick_ms.max(10));
    let ttl_ms = state.config.sla_lease_ms.max(100);
    let mut ticker = tokio::time::interval(tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut leading = false;
    loop {
        tokio::select! {
            _ = shutdown.wait() => break,
            _ = ticker.tick() => {}
        }
        match state.store.hold_lease(LEASE_KEY, &holder, ttl_ms).await {
            Ok(held) => {
                if held != leading {
                    tracing::info!(leading = held, "SLA lease changed hands");
                    leading = held;
                }
            }
            Err(e) => {
                crate::metrics::redis_error("lease");
                tracing::warn!(error = %e, "cannot reach the SLA lease");
                leading = false;
            }
        }
        if !leading {
            continue;
        }
        let now = chrono::Utc::now();
        for tenant in state.tenants.iter() {
            let live = state.live(tenant);
            if !live.caught_up() {
                // Mid catch-up the projection is the past: a ticket resolved later in the
                // stream would look overdue. (Scanning it would also hold up the replay.)
                continue;
            }
            let due = {
                let projection = live.read();
                let mut due = due_events(&tenant.id, &projection, now);
                due.extend(due_alerts(&tenant.id, &projection, &tenant.ping_pong, now));
                due
            };
            if due.is_empty() {
                continue;
            }
            let batch: Vec<_> = due.iter().map(ToAppend::plain).collect();
            match state.store.append_many(&tenant.ticket_prefix, &batch).await {
                Ok(results) => {
                    crate::metrics::sla_emitted(&due, &results);
                    let written = results.iter().filter(|r| r.as_ref().is_ok_and(|a| a.is_new)).count();
                    if written > 0 {
                        tracing::info!(tenant = %tenant.id, written, "SLA events emitted");
                    }
                }
                Err(e) => tracing::warn!(tenant = %tenant.id, error = %e, "cannot append SLA events"),
            }
        }
    }
    if leading {
        let _ = state.store.release_lease(LEASE_KEY, &holder).await;
    }
}
