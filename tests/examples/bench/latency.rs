//! Step 3, ingest-to-client latency: one subscribed wall, then 1,000, while events are posted
//! at a steady rate (NDJSON batches on a fixed tick, each event stamped with its send time); every
//! client records when each event's frame arrived, and the quantiles are over all (client,
//! event) deliveries. Two loads: the issue's 10,000 events/s (10 M deliveries/s, far more than
//! two cores can carry, so it measures saturation) and 50 events/s, a load the machine
//! sustains (also to a single wall). The baselines: for one wall, a raw XADD → XREAD BLOCK
//! round trip on the same Redis (target p99 ≤ 5×); for 1,000 walls at 50 events/s, the bare
//! tokio-tungstenite broadcast server to the same number of clients at the same rate (the
//! floor any server fanning out here pays; target p99 ≤ 1×). At 10,000 events/s the rows are
//! context (saturation), but duplicates must still be zero.
//!
//! Pantau runs with `--coalesce-ms 0` here: the default 100 ms coalescing interval alone would
//! put p50 near 50 ms under constant load (it trades latency for fewer frames on purpose);
//! with 0 a frame goes out per stream read.

use crate::baseline::{broadcast_steadily, now_us, xread_round_trips, BroadcastServer};
use crate::clients::{connect_many, spawn_readers, stamped_post, tangerang_key, MARKER};
use crate::histogram::Histogram;
use crate::report::{Row, Target};
use pantau_e2e::{Pantau, RedisServer};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Subscribed clients.
const CLIENTS: usize = 1_000;
/// How long a load runs, and how long stragglers may take after it.
const RUN: Duration = Duration::from_secs(10);
const DRAIN: Duration = Duration::from_secs(2);

/// A steady load: `per_request` events every `tick`.
struct Load {
    per_request: usize,
    tick: Duration,
}

impl Load {
    fn rate(&self) -> f64 {
        self.per_request as f64 / self.tick.as_secs_f64()
    }
}

/// The loads measured, in order (the sustainable one first, on a server not yet saturated).
const LOADS: [Load; 2] = [
    Load {
        per_request: 1,
        tick: Duration::from_millis(20),
    },
    Load {
        per_request: 50,
        tick: Duration::from_millis(5),
    },
];

pub async fn run() -> anyhow::Result<Vec<Row>> {
    let redis = RedisServer::start().await;
    let raw = xread_round_trips(&redis.url, 2_000).await?;
    let r = |p: f64| raw.quantile_ms(p);
    println!(
        "  raw XADD→XREAD BLOCK p50 {:.3} p99 {:.3} p99.9 {:.3} ms",
        r(0.5),
        r(0.99),
        r(0.999)
    );
    let pantau = Pantau::start_with(&redis, &["--coalesce-ms", "0"]).await;
    pantau.wait_ready().await;
    let mut rows = Vec::new();
    let floor = broadcast_floor(&LOADS[0]).await?;
    let f = |p: f64| floor.quantile_ms(p);
    rows.push(Row::alone(
        "latency",
        &format!(
            "p99 ms of the tokio-tungstenite broadcast alone, {CLIENTS} clients, {:.0} msg/s (fan-out floor)",
            LOADS[0].rate()
        ),
        f(0.99),
        Target::None,
    ));
    {
        let load = &LOADS[0];
        let (latency, _, duplicates) = measure(&pantau, &redis, load, 1).await?;
        let q = |p: f64| latency.quantile_ms(p);
        let metric = |p: &str| {
            format!(
                "{p} ms, POST → frame at 1 client, {:.0} events/s, vs XADD→XREAD",
                load.rate()
            )
        };
        rows.extend([
            Row::compared("latency", &metric("p50"), q(0.5), r(0.5), Target::None),
            Row::compared("latency", &metric("p99"), q(0.99), r(0.99), Target::MaxRatio(5.0)),
            Row::alone(
                "latency",
                "duplicate deliveries at 1 client",
                duplicates as f64,
                Target::AtMost(0.0),
            ),
        ]);
    }
    for (n, load) in LOADS.iter().enumerate() {
        let (latency, expected, duplicates) = measure(&pantau, &redis, load, CLIENTS).await?;
        let q = |p: f64| latency.quantile_ms(p);
        let rate = load.rate();
        let metric = |p: &str| format!("{p} ms, POST → frame at {CLIENTS} clients, {rate:.0} events/s, vs XADD→XREAD");
        rows.extend([
            Row::compared("latency", &metric("p50"), q(0.5), r(0.5), Target::None),
            Row::compared("latency", &metric("p99"), q(0.99), r(0.99), Target::None),
        ]);
        if n == 0 {
            // The sustainable load: against the bare broadcast to as many clients at this rate.
            rows.extend([
                Row::compared(
                    "latency",
                    &format!("p99 ms at {CLIENTS} clients, {rate:.0} events/s, vs the bare broadcast at the same rate"),
                    q(0.99),
                    f(0.99),
                    Target::MaxRatio(1.0),
                ),
                Row::alone(
                    "latency",
                    &format!("p99 ms at {rate:.0} events/s (absolute)"),
                    q(0.99),
                    Target::AtMost(10.0),
                ),
            ]);
        }
        rows.extend([
            Row::compared("latency", &metric("p99.9"), q(0.999), r(0.999), Target::None),
            Row::alone(
                "latency",
                &format!("deliveries received / expected (events stored × clients) at {rate:.0} events/s"),
                latency.count() as f64 / expected.max(1) as f64,
                Target::None,
            ),
            Row::alone(
                "latency",
                &format!("duplicate deliveries at {rate:.0} events/s"),
                duplicates as f64,
                Target::AtMost(0.0),
            ),
        ]);
    }
    Ok(rows)
}

/// Run `load` against `clients` fresh subscribers: their latencies, the deliveries
/// expected (events the stream gained × clients: a POST that failed on the client's side,
/// say a connection cut under overload, may still have been stored and delivered) and the
/// duplicate deliveries.
async fn measure(
    pantau: &Pantau,
    redis: &RedisServer,
    load: &Load,
    clients: usize,
) -> anyhow::Result<(Histogram, u64, u64)> {
    let mut conn = redis::Client::open(redis.url.as_str())?
        .get_multiplexed_async_connection()
        .await?;
    let stream = pantau_e2e::stream_key("tangerang");
    let before: u64 = redis::cmd("XLEN").arg(&stream).query_async(&mut conn).await?;
    let sockets = connect_many(&pantau.ws_url, Some(&pantau.admin.cookie()), clients, 100, true).await;
    let clients = sockets.len() as u64;
    let (stop_tx, stop) = watch::channel(false);
    let readers = spawn_readers(sockets, &stop, true);
    let (accepted, failed) = post_steadily(pantau, load).await?;
    tokio::time::sleep(DRAIN).await;
    stop_tx.send(true)?;
    let seen = readers.await?;
    let after: u64 = redis::cmd("XLEN").arg(&stream).query_async(&mut conn).await?;
    let stored = after - before;
    let latency = seen.latency.unwrap_or_default();
    let q = |p: f64| latency.quantile_ms(p);
    println!(
        "  {:.0} events/s: {clients} clients, {accepted} events acknowledged, {failed} in POSTs that failed, {stored} stored; \
         {} of {} deliveries, {} duplicates, {} resyncs; p50 {:.2} p99 {:.2} p99.9 {:.2} ms",
        load.rate(),
        latency.count(),
        stored * clients,
        seen.duplicates,
        seen.resyncs,
        q(0.5),
        q(0.99),
        q(0.999)
    );
    Ok((latency, stored * clients, seen.duplicates))
}

/// The latency of the baseline broadcast server alone (no HTTP, no Redis, no JSON) to the
/// same number of clients on this machine: what fanning out over loopback costs by itself.
async fn broadcast_floor(load: &Load) -> anyhow::Result<Histogram> {
    let server = BroadcastServer::start().await?;
    let sockets = connect_many(&server.url, None, CLIENTS, 100, false).await;
    let (stop_tx, stop) = watch::channel(false);
    let readers = spawn_readers(sockets, &stop, true);
    let count = (RUN.as_secs_f64() * load.rate()) as u64;
    broadcast_steadily(&server.url, load.tick, count, || {
        format!(
            r#"{{"type":"deltas","events":[{{"description":"{MARKER}{}"}}]}}"#,
            now_us()
        )
    })
    .await?;
    tokio::time::sleep(DRAIN).await;
    stop_tx.send(true)?;
    let latency = readers.await?.latency.unwrap_or_default();
    let q = |p: f64| latency.quantile_ms(p);
    println!(
        "  broadcast server alone, {:.0} msg/s: {} deliveries; p50 {:.2} p99 {:.2} p99.9 {:.2} ms",
        load.rate(),
        latency.count(),
        q(0.5),
        q(0.99),
        q(0.999)
    );
    Ok(latency)
}

/// Post `load` for [`RUN`]; the events the server acknowledged, and those in POSTs that
/// got no 202 (refused, or cut off with their fate unknown).
async fn post_steadily(pantau: &Pantau, load: &Load) -> anyhow::Result<(u64, u64)> {
    let http = pantau.http.clone();
    let url = pantau.url("/api/v1/tangerang/events");
    let key = tangerang_key(pantau).await;
    let mut tick = tokio::time::interval(load.tick);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let start = Instant::now();
    let mut posts = Vec::new();
    let per_request = load.per_request;
    let mut posts_len = 0usize;
    while start.elapsed() < RUN {
        posts_len += 1;
        tick.tick().await;
        let request = stamped_post(&http, &url, &key, per_request);
        posts.push(tokio::spawn(async move {
            match request.send().await {
                Ok(r) if r.status() == 202 => per_request as u64,
                _ => 0,
            }
        }));
    }
    let mut accepted = 0;
    for p in posts {
        accepted += p.await?;
    }
    let failed = (load.per_request * posts_len) as u64 - accepted;
    Ok((accepted, failed))
}
