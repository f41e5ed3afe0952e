//! Steps 1 and 2, ingest throughput: events acknowledged per second by
//! `POST /api/v1/tangerang/events`, batched (NDJSON, 100 events a request) and one event a
//! request from many concurrent clients, against `redis-benchmark` running XADD with the
//! same payload on the same Redis (`-P 16`, and unpipelined `-c 50`). Context rows give the
//! CPU time the server and Redis spend per event in each load, and Redis' per XADD in the
//! baseline: on two shared cores they are what caps the ratio.

use crate::baseline::redis_benchmark_xadd;
use crate::clients::{stamped_post, tangerang_key};
use crate::report::{Row, Target};
use crate::sys::CpuMeter;
use pantau_e2e::{stream_key, Pantau, RedisServer};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long each load runs.
const RUN: Duration = Duration::from_secs(10);
/// Events per batched request.
const BATCH: usize = 100;
/// Concurrent batch posters.
const BATCH_CLIENTS: usize = 8;
/// Concurrent single-event posters (as many as redis-benchmark's clients).
const SINGLE_CLIENTS: usize = 50;

pub async fn run() -> anyhow::Result<Vec<Row>> {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    pantau.wait_ready().await;

    let redis_pid = redis_pid(&redis).await?;
    let batched = post_for(&pantau, redis_pid, BATCH_CLIENTS, BATCH).await?;
    let single = post_for(&pantau, redis_pid, SINGLE_CLIENTS, 1).await?;
    println!(
        "  pantau: batched {:.0} events/s, single {:.0} events/s",
        batched.per_second, single.per_second
    );

    let payload = stored_event(&redis).await?;
    let redis_cpu = CpuMeter::start(redis_pid);
    let pipelined = redis_benchmark_xadd(&redis.url, 50, 16, 2_000_000, &payload)?;
    let xadd_us = redis_cpu.stop().0 * 1e6 / 2_000_000.0;
    let unpipelined = redis_benchmark_xadd(&redis.url, 50, 1, 300_000, &payload)?;
    println!("  redis-benchmark XADD: -P 16 {pipelined:.0}/s, -c 50 {unpipelined:.0}/s");
    let (batched_cpu, single_cpu) = (batched, single);
    let (batched, single) = (batched_cpu.per_second, single_cpu.per_second);
    Ok(vec![
        Row::compared(
            "ingest",
            "batched (100/request), events/s vs redis-benchmark -P 16 XADD",
            batched,
            pipelined,
            Target::MinRatio(0.5),
        ),
        Row::compared(
            "ingest",
            "single-event requests (50 clients), events/s vs redis-benchmark -c 50 XADD",
            single,
            unpipelined,
            Target::MinRatio(1.0),
        ),
        Row::alone(
            "ingest",
            "server CPU µs per event, batched",
            batched_cpu.server_us,
            Target::None,
        ),
        Row::alone(
            "ingest",
            "Redis CPU µs per event, batched",
            batched_cpu.redis_us,
            Target::None,
        ),
        Row::alone(
            "ingest",
            "server CPU µs per event, single",
            single_cpu.server_us,
            Target::None,
        ),
        Row::alone(
            "ingest",
            "Redis CPU µs per event, single",
            single_cpu.redis_us,
            Target::None,
        ),
        Row::alone(
            "ingest",
            "Redis CPU µs per XADD, redis-benchmark -P 16",
            xadd_us,
            Target::None,
        ),
    ])
}

/// What one load achieved, and what it cost.
struct Load {
    per_second: f64,
    /// CPU time per acknowledged event (µs).
    server_us: f64,
    redis_us: f64,
}

/// The pid of the redis-server (from `INFO server`).
async fn redis_pid(redis: &RedisServer) -> anyhow::Result<u32> {
    let info: String = redis::cmd("INFO")
        .arg("server")
        .query_async(&mut redis.conn().await)
        .await?;
    info.lines()
        .find_map(|l| l.strip_prefix("process_id:"))
        .and_then(|p| p.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("INFO server names no process_id"))
}

/// One event as Pantau stored it (the baseline writes the same bytes).
async fn stored_event(redis: &RedisServer) -> anyhow::Result<String> {
    let range: redis::streams::StreamRangeReply = redis::cmd("XREVRANGE")
        .arg(stream_key("tangerang"))
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query_async(&mut redis.conn().await)
        .await?;
    range
        .ids
        .first()
        .and_then(|e| e.get::<String>("event"))
        .ok_or_else(|| anyhow::anyhow!("the stream holds no event"))
}

/// Events per second acknowledged (202) while `clients` posters send `per_request` events
/// a request for [`RUN`].
async fn post_for(pantau: &Pantau, redis_pid: u32, clients: usize, per_request: usize) -> anyhow::Result<Load> {
    let http = pantau.http.clone();
    let url = pantau.url("/api/v1/tangerang/events");
    let key = tangerang_key(pantau).await;
    let accepted = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let (server_cpu, redis_cpu) = (CpuMeter::start(pantau.pid()), CpuMeter::start(redis_pid));
    let start = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (http, url, key) = (http.clone(), url.clone(), key.clone());
            let (accepted, failed) = (accepted.clone(), failed.clone());
            tokio::spawn(async move {
                while start.elapsed() < RUN {
                    let request = stamped_post(&http, &url, &key, per_request);
                    match request.send().await {
                        Ok(r) if r.status() == 202 => {
                            let _ = r.bytes().await;
                            accepted.fetch_add(per_request as u64, Ordering::Relaxed);
                        }
                        _ => {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.await?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let (server_s, redis_s) = (server_cpu.stop().0, redis_cpu.stop().0);
    let failed = failed.load(Ordering::Relaxed);
    anyhow::ensure!(failed == 0, "{failed} ingest requests failed");
    let accepted = accepted.load(Ordering::Relaxed) as f64;
    Ok(Load {
        per_second: accepted / elapsed,
        server_us: server_s * 1e6 / accepted.max(1.0),
        redis_us: redis_s * 1e6 / accepted.max(1.0),
    })
}
