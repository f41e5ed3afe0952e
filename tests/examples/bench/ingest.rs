//! Steps 1 and 2, ingest throughput: events acknowledged per second by
//! `POST /api/v1/tangerang/events`, batched (NDJSON, 100 events a request) and one event a
//! request from many concurrent clients, against `redis-benchmark` running XADD with the
//! same payload on the same Redis (`-P 16`, and unpipelined `-c 50`).

use crate::baseline::redis_benchmark_xadd;
use crate::clients::{stamped_post, tangerang_key};
use crate::report::{Row, Target};
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

    let batched = post_for(&pantau, BATCH_CLIENTS, BATCH).await?;
    let single = post_for(&pantau, SINGLE_CLIENTS, 1).await?;
    println!("  pantau: batched {batched:.0} events/s, single {single:.0} events/s");

    let payload = stored_event(&redis).await?;
    let pipelined = redis_benchmark_xadd(&redis.url, 50, 16, 2_000_000, &payload)?;
    let unpipelined = redis_benchmark_xadd(&redis.url, 50, 1, 300_000, &payload)?;
    println!("  redis-benchmark XADD: -P 16 {pipelined:.0}/s, -c 50 {unpipelined:.0}/s");
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
    ])
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
async fn post_for(pantau: &Pantau, clients: usize, per_request: usize) -> anyhow::Result<f64> {
    let http = pantau.http.clone();
    let url = pantau.url("/api/v1/tangerang/events");
    let key = tangerang_key(pantau).await;
    let accepted = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
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
    let failed = failed.load(Ordering::Relaxed);
    anyhow::ensure!(failed == 0, "{failed} ingest requests failed");
    Ok(accepted.load(Ordering::Relaxed) as f64 / elapsed)
}
