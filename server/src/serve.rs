//! `pantau serve`: Redis (given or private), the tailers, the HTTP server, the optional demo
//! feed, and an orderly shutdown of all of them on SIGINT/SIGTERM.

use crate::config::ServeConfig;
use crate::http;
use crate::live::supervise::supervise;
use crate::live::{tailer, LiveTenant};
use crate::realtime::hub::TenantChannel;
use crate::realtime::publish;
use crate::redis_embedded::EmbeddedRedis;
use crate::shutdown::{self, Shutdown};
use crate::simulate;
use crate::sla;
use crate::state::AppState;
use crate::store::Store;
use crate::tenant::Tenants;
use anyhow::Context;
use axum::serve::ListenerExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Batches queued between a tailer and its publisher.
const PUBLISH_QUEUE: usize = 64;

/// One tenant's pipeline: its tailer feeding its publisher. Either stopping ends both (the
/// supervisor starts them again; sessions see the gap and resync).
async fn tenant_pipeline(
    client: crate::store::RedisClient,
    tenant: String,
    live: Arc<LiveTenant>,
    channel: TenantChannel,
    coalesce: Duration,
    shutdown: Shutdown,
) {
    let (out, batches) = mpsc::channel(PUBLISH_QUEUE);
    let publisher = tokio::spawn(publish::run(batches, channel, coalesce));
    tailer::run(client, tenant, live, out, shutdown).await;
    if let Err(e) = publisher.await {
        tracing::error!(error = %e, "publisher failed");
    }
}

/// How long background tasks get to finish after the HTTP server has stopped.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// The `api_keys` of the tenants' config files become keys in Redis (once: a name already
/// taken is left as it is, so a key revoked in Redis stays revoked).
async fn seed_config_keys(state: &AppState) -> anyhow::Result<()> {
    for tenant in state.tenants.iter() {
        for key in &tenant.api_keys {
            let added = state
                .auth
                .seed_key(&tenant.id, &key.source, &key.sha256)
                .await
                .with_context(|| format!("cannot seed API key {} of {}", key.source, tenant.id))?;
            if added {
                tracing::info!(tenant = %tenant.id, key = %key.source, "API key seeded from config");
            }
        }
    }
    Ok(())
}

pub async fn run(config: ServeConfig) -> anyhow::Result<()> {
    crate::metrics::install(); // before any task records a metric
    let (trigger, shutdown) = shutdown::channel();
    let trigger = Arc::new(trigger);
    let on_signal = trigger.clone();
    tokio::spawn(async move {
        shutdown::signal().await;
        tracing::info!("shutdown signal received");
        on_signal.fire();
    });
    let embedded = match &config.redis_url {
        Some(_) => None,
        None => Some(EmbeddedRedis::start(&config.redis_server_bin, &config.data_dir.join("redis")).await?),
    };
    let url = match (&config.redis_url, &embedded) {
        (Some(url), _) => url.clone(),
        (None, Some(e)) => e.url().to_owned(),
        (None, None) => unreachable!("embedded redis starts when no URL is given"),
    };
    let result = serve(config, &url, shutdown, &trigger).await;
    trigger.fire();
    if let Some(redis) = embedded {
        redis.stop().await;
    }
    result
}

async fn serve(
    config: ServeConfig,
    redis_url: &str,
    shutdown: Shutdown,
    trigger: &shutdown::Trigger,
) -> anyhow::Result<()> {
    let store = Store::connect(redis_url)
        .await
        .with_context(|| format!("cannot connect to Redis at {redis_url}"))?;
    let tenants = Tenants::load(&config.config_dir, &config.assets_dir)
        .with_context(|| format!("cannot load tenants from {}", config.config_dir.display()))?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", config.addr))?;
    let addr = listener.local_addr()?;
    let state = Arc::new(AppState::new(config, tenants, store, shutdown.clone()));

    let mut tasks = JoinSet::new();
    for tenant in state.tenants.iter() {
        let channel = state.hub.channel(&tenant.id).expect("hub has every tenant").clone();
        let live = state.live_handle(tenant).clone();
        let client = state.store.client().clone();
        let coalesce = Duration::from_millis(state.config.coalesce_ms);
        let (id, stop) = (tenant.id.clone(), shutdown.clone());
        let start = move || {
            tenant_pipeline(
                client.clone(),
                id.clone(),
                live.clone(),
                channel.clone(),
                coalesce,
                stop.clone(),
            )
        };
        let (name, stop) = (tenant.id.clone(), shutdown.clone());
        tasks.spawn(async move {
            supervise("tailer", &name, stop, start).await;
        });
    }
    let holder = format!("{addr}/{}", uuid::Uuid::now_v7());
    let (emitter_state, emitter_stop) = (state.clone(), shutdown.clone());
    let stop = shutdown.clone();
    tasks.spawn(async move {
        supervise("sla_emitter", "-", stop, move || {
            sla::emitter::run(emitter_state.clone(), holder.clone(), emitter_stop.clone())
        })
        .await;
    });
    crate::webhooks::start(&state, addr, &shutdown, &mut tasks)
        .await
        .context("cannot start the webhook workers")?;
    seed_config_keys(&state).await?;
    if state.config.demo_users {
        crate::demo::set_up(&state, &format!("http://{addr}"))
            .await
            .context("cannot set up the demo users and screens")?;
    }
    if state.config.demo_rate > 0.0 {
        for tenant in state.tenants.iter() {
            let key = state
                .auth
                .demo_feed_key(&tenant.id)
                .await
                .context("cannot set up the demo feed's API key")?;
            let feed = simulate::feed(
                tenant.clone(),
                format!("http://{addr}"),
                key,
                state.config.demo_rate,
                None,
                shutdown.clone(),
            );
            tasks.spawn(async move {
                if let Err(e) = feed.await {
                    tracing::error!(error = %e, "demo feed stopped");
                }
            });
        }
    }

    tracing::info!(%addr, "Pantau is listening on http://{addr}");
    let send_buffer = state.config.socket_send_buffer;
    let listener = listener.tap_io(move |tcp: &mut tokio::net::TcpStream| {
        // Deltas are small and latency-bound: no Nagle delay.
        let _ = tcp.set_nodelay(true);
        if send_buffer > 0 {
            let _ = socket2::SockRef::from(&*tcp).set_send_buffer_size(send_buffer);
        }
    });
    let settings = crate::accept::Settings::from_config(&state.config);
    crate::accept::serve(listener, http::app(state.clone()), settings, shutdown.clone()).await;
    trigger.fire();
    if tokio::time::timeout(DRAIN_TIMEOUT, async { while tasks.join_next().await.is_some() {} })
        .await
        .is_err()
    {
        tracing::warn!("background tasks did not stop in time");
    }
    Ok(())
}
