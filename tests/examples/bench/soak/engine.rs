//! The soak (issue 15, item 6): many subscribed WebSocket clients while events are ingested
//! at a steady rate for minutes, on a real Redis and the real server. Every window (a minute
//! in the long run) it prints `soak:` lines — the server's RSS, POST → frame latency
//! quantiles, events sent and acknowledged, frames and deliveries, resyncs and what
//! `/metrics` says about lag and backlog; at the end it checks, per client, that every
//! stored event arrived exactly once and in the stream's order.
//!
//! The same code runs as the bench step `soak` (`bench soak --secs 600`: 1,000 clients,
//! 2,000 events/s; `../soak.rs`) and as the quick e2e test `tests/soak.rs`, which both
//! include this file with `#[path]` (so it only uses the crate-root modules `histogram`
//! and `sys`).
//!
//! The events are `resource.updated` gauges over a fixed set of wards by default, so the
//! server's state is bounded and any RSS growth is a leak or a queue; `--kind report`
//! posts reports instead (each one a new ticket: the projection grows by design).
//!
//! # Layout
//! - [`load`]: the poster (NDJSON batches on a fixed tick, bounded in flight).
//! - [`client`]: the subscribers and what each one checks.
//! - [`watch`]: RSS and `/metrics` samples, and the per-window lines.
//! - [`verify`]: the stream as stored, and the per-client verdict.

// Explicit paths: this file is included by the bench (`soak.rs`) and by `tests/soak.rs`.
#[path = "client.rs"]
mod client;
#[path = "load.rs"]
mod load;
#[path = "verify.rs"]
mod verify;
#[path = "watch.rs"]
mod watch;

use pantau_e2e::{Pantau, RedisServer};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch as signal;

pub use load::Kind;
pub use verify::Verdict;

/// How long the soak runs and how hard.
#[derive(Clone, Debug)]
pub struct Params {
    /// Subscribed WebSocket clients.
    pub clients: usize,
    /// Events per second posted (all tenants together).
    pub rate: f64,
    /// Events per request (NDJSON when more than one).
    pub per_request: usize,
    /// How long events are posted.
    pub run: Duration,
    /// Length of one reporting window.
    pub window: Duration,
    /// RSS before this is warm-up (not judged).
    pub warm_up: Duration,
    /// Tenants used (the first `tenants` of the demo config), clients and events spread
    /// round-robin; with one, every client gets every event.
    pub tenants: usize,
    /// What is posted.
    pub kind: Kind,
}

impl Params {
    /// The soak: 1,000 clients, 2,000 events/s, 10 minutes (one-minute windows).
    pub fn long(secs: u64) -> Params {
        let run = Duration::from_secs(secs);
        Params {
            clients: 1_000,
            rate: 2_000.0,
            per_request: 20,
            run,
            window: Duration::from_secs(60).min(run),
            // Warm-up covers the fan-out ring filling: it keeps the last 1,024 frames
            // (`PANTAU_FANOUT_CAPACITY`), about 100 s of frames at 10 a second, and its memory
            // grows until then by design.
            warm_up: Duration::from_secs(150).min(run / 3),
            tenants: 1,
            kind: Kind::Gauge,
        }
    }

    /// The quick version for `scripts/test`.
    #[allow(dead_code)] // the bench runs only the long one
    pub fn quick() -> Params {
        Params {
            clients: 100,
            rate: 200.0,
            per_request: 10,
            run: Duration::from_secs(20),
            window: Duration::from_secs(5),
            warm_up: Duration::from_secs(5),
            tenants: 1,
            kind: Kind::Gauge,
        }
    }

    /// Override from `--secs`, `--clients`, `--rate`, `--per-request`, `--tenants`,
    /// `--window`, `--kind gauge|report` in `args`.
    pub fn with_args(mut self, args: &[String]) -> anyhow::Result<Params> {
        let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1));
        if let Some(secs) = value("--secs") {
            let p = Params::long(secs.parse()?);
            (self.run, self.window, self.warm_up) = (p.run, p.window, p.warm_up);
        }
        if let Some(v) = value("--clients") {
            self.clients = v.parse()?;
        }
        if let Some(v) = value("--rate") {
            self.rate = v.parse()?;
        }
        if let Some(v) = value("--per-request") {
            self.per_request = v.parse::<usize>()?.max(1);
        }
        if let Some(v) = value("--tenants") {
            self.tenants = v.parse::<usize>()?.max(1);
        }
        if let Some(v) = value("--window") {
            self.window = Duration::from_secs(v.parse::<u64>()?.max(1));
        }
        if let Some(v) = value("--kind") {
            self.kind = Kind::parse(v).ok_or_else(|| anyhow::anyhow!("--kind gauge|report"))?;
        }
        Ok(self)
    }

    /// An upper bound on the whole soak: connecting, posting, draining, verifying.
    pub fn limit(&self) -> Duration {
        self.run + Duration::from_secs(240)
    }
}

/// What a soak measured.
pub struct Outcome {
    pub params: Params,
    /// Clients subscribed (fewer than asked when the open-file limit stopped them).
    pub held: usize,
    pub load: load::Totals,
    pub verdict: Verdict,
    pub rss: watch::RssSummary,
    /// POST → frame latency over the whole run, ms: p50, p99, p99.9.
    pub latency_ms: (f64, f64, f64),
    /// Server CPU seconds over the posting time, and that time.
    pub server_cpu_s: f64,
    pub wall_s: f64,
}

/// Extra `serve` arguments: the ingest keys' rate limit out of the way (the soak posts
/// far more than one source system's 500 events/s through one key); otherwise defaults.
const SERVE_ARGS: &[&str] = &["--key-rate", "1000000", "--key-burst", "1000000"];

/// How long deliveries may keep arriving after the last POST before the count is taken.
const DRAIN_MAX: Duration = Duration::from_secs(60);
/// The drain ends early once nothing new arrived for this long.
const DRAIN_QUIET: Duration = Duration::from_secs(5);

/// Run a soak on a fresh Redis and server.
pub async fn soak(params: Params) -> anyhow::Result<Outcome> {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start_with(&redis, SERVE_ARGS).await;
    pantau.wait_ready().await;
    anyhow::ensure!(
        pantau.tenants.len() >= params.tenants,
        "the server has {} tenants",
        pantau.tenants.len()
    );
    let tenants: Vec<String> = pantau.tenants[..params.tenants].to_vec();
    let mut keys = Vec::new();
    for t in &tenants {
        keys.push(pantau.ingest_key(t).await.expect("a configured tenant"));
    }
    println!(
        "soak: {} clients on {:?}, {} {} events/s ({} a request) for {} s, windows of {} s",
        params.clients,
        tenants,
        params.rate,
        params.kind.name(),
        params.per_request,
        params.run.as_secs(),
        params.window.as_secs()
    );
    let connecting = Instant::now();
    let sockets = client::connect_all(&pantau, &tenants, params.clients, 100).await;
    let held = sockets.len();
    println!(
        "soak: {held} of {} clients subscribed in {:.1} s",
        params.clients,
        connecting.elapsed().as_secs_f64()
    );
    anyhow::ensure!(held > 0, "no client could subscribe");

    let capacity = (params.rate * params.run.as_secs_f64() * 1.1) as usize + 10 * params.per_request + 1_000;
    let sent_at = load::SentTimes::new(capacity);
    let start = Instant::now();
    let live = Arc::new(client::Live::new(params.run, params.window));
    let (stop_tx, stop) = signal::channel(false);
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|s| tokio::spawn(client::read(s, sent_at.clone(), live.clone(), start, stop.clone())))
        .collect();
    let totals = load::Totals::new(tenants.len());
    let watcher = watch::Watcher::new(&pantau, params.clone(), start, live.clone(), totals.clone());
    let reporter = {
        let mut w = watcher.clone();
        let stop = stop.clone();
        tokio::spawn(async move { w.report_windows(stop).await })
    };
    let cpu0 = crate::sys::cpu_seconds(pantau.pid());
    let poster = load::Poster {
        http: pantau.http.clone(),
        urls: tenants
            .iter()
            .map(|t| pantau.url(&format!("/api/v1/{t}/events")))
            .collect(),
        keys,
        params: params.clone(),
        sent_at: sent_at.clone(),
        totals: totals.clone(),
    };
    poster.run().await;
    let server_cpu_s = crate::sys::cpu_seconds(pantau.pid()) - cpu0;
    let wall_s = start.elapsed().as_secs_f64();

    // Drain: until every acknowledged event reached every client, or nothing moves.
    let expected =
        |live: &client::Live| -> u64 { (0..tenants.len()).map(|t| totals.acked(t) * live.clients_of(t)).sum() };
    let drain_start = Instant::now();
    let mut last = (live.deliveries(), Instant::now());
    while drain_start.elapsed() < DRAIN_MAX && live.deliveries() < expected(&live) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = live.deliveries();
        if now != last.0 {
            last = (now, Instant::now());
        } else if last.1.elapsed() > DRAIN_QUIET {
            break;
        }
    }
    println!("soak: drained in {:.1} s", drain_start.elapsed().as_secs_f64());
    stop_tx.send(true)?;
    let _ = reporter.await;
    let mut ends = Vec::with_capacity(readers.len());
    for r in readers {
        ends.push(r.await?);
    }
    let stored = verify::read_streams(&redis, &tenants, capacity).await?;
    let verdict = verify::judge(&ends, &stored);
    let rss = watcher.rss_summary();
    let all = live.all_latency();
    let q = |p: f64| all.quantile_ms(p);
    let outcome = Outcome {
        params,
        held,
        load: totals,
        verdict,
        rss,
        latency_ms: (q(0.5), q(0.99), q(0.999)),
        server_cpu_s,
        wall_s,
    };
    watcher.print_summary(&outcome).await;
    Ok(outcome)
}
