//! Step 6, cold start: 1,000,000 events written straight into a fresh Redis (pipelined XADD
//! of events shaped exactly as Pantau stores them: one report, then two comments and a
//! status change per ticket), then `pantau serve` started with no projection snapshot and
//! timed from spawn to `/readyz` 200 (projection rebuilt from the whole stream). Then the
//! same again once it has stored a snapshot, for the usual restart path.

use crate::report::{Row, Target};
use crate::sys::cpu_seconds;
use pantau_e2e::{report, stream_key, tenant_key, Pantau, RedisServer};
use serde_json::json;
use std::time::{Duration, Instant};

/// Events in the stream.
pub const EVENTS: usize = 1_000_000;
/// XADDs per pipeline.
const PIPELINE: usize = 1_000;
/// Longest wait for readiness.
const PATIENCE: Duration = Duration::from_secs(120);

pub async fn run() -> anyhow::Result<Vec<Row>> {
    let redis = RedisServer::start().await;
    let templates = templates(&redis).await?;
    let t0 = Instant::now();
    fill(&redis, &templates).await?;
    println!("  wrote {EVENTS} events in {:.1} s", t0.elapsed().as_secs_f64());

    let rebuild = time_to_ready(&redis).await?;
    println!("  rebuilt from the stream in {rebuild:.2} s");
    wait_for_snapshot(&redis).await?;
    let from_snapshot = time_to_ready(&redis).await?;
    println!("  ready from the stored snapshot in {from_snapshot:.2} s");
    Ok(vec![
        Row::alone(
            "cold_start",
            "s to ready, projection rebuilt from 1M events",
            rebuild,
            Target::AtMost(2.0),
        ),
        Row::alone(
            "cold_start",
            "s to ready from the stored snapshot (1M events)",
            from_snapshot,
            Target::AtMost(1.0),
        ),
    ])
}

/// A report, a comment and a status change as Pantau stored them (each with ticket
/// `TGR-000001` and its own id), posted through a short-lived server.
pub async fn templates(redis: &RedisServer) -> anyhow::Result<Vec<String>> {
    let pantau = Pantau::start(redis).await;
    pantau.wait_ready().await;
    let (status, _) = pantau.post_event("tangerang", &report("bench cold start")).await;
    anyhow::ensure!(status == 202, "report refused: {status}");
    let t = "/api/v1/tangerang/tickets/TGR-000001";
    let (status, _) = pantau
        .post(&format!("{t}/comment"), &json!({"text": "Tim menuju lokasi"}))
        .await;
    anyhow::ensure!(status == 202 || status == 200, "comment refused: {status}");
    let (status, _) = pantau
        .post(
            &format!("{t}/status"),
            &json!({"status": "in_progress", "note": "Ditangani"}),
        )
        .await;
    anyhow::ensure!(status == 202 || status == 200, "status change refused: {status}");
    drop(pantau);
    let mut conn = redis.conn().await;
    let range: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
        .arg(stream_key("tangerang"))
        .arg("-")
        .arg("+")
        .query_async(&mut conn)
        .await?;
    let events: Vec<String> = range.ids.iter().filter_map(|e| e.get("event")).collect();
    anyhow::ensure!(events.len() == 3, "expected 3 template events, found {}", events.len());
    redis::cmd("DEL")
        .arg(stream_key("tangerang"))
        .arg(tenant_key("tangerang", "projection"))
        .arg(tenant_key("tangerang", "projection_cursor"))
        .exec_async(&mut conn)
        .await?;
    Ok(events)
}

/// The id of a template event (to replace it).
fn id_of(json: &str) -> anyhow::Result<String> {
    let v: serde_json::Value = serde_json::from_str(json)?;
    v["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("event without id"))
}

/// Write [`EVENTS`] events: per ticket a report, a comment, a status change, a comment.
pub async fn fill(redis: &RedisServer, templates: &[String]) -> anyhow::Result<()> {
    let ids: Vec<String> = templates.iter().map(|t| id_of(t)).collect::<Result<_, _>>()?;
    let [report, comment, status] = [0, 1, 2].map(|i| (templates[i].as_str(), ids[i].as_str()));
    let stream = stream_key("tangerang");
    let mut conn = redis.conn().await;
    let mut pipe = redis::pipe();
    for i in 0..EVENTS {
        let (template, old_id) = match i % 4 {
            0 => report,
            2 => status,
            _ => comment,
        };
        let ticket = format!("TGR-{:06}", i / 4 + 1);
        let id = format!("0193a5c0-0000-7000-8000-{i:012x}");
        let json = template.replacen(old_id, &id, 1).replacen("TGR-000001", &ticket, 1);
        pipe.cmd("XADD").arg(&stream).arg("*").arg("event").arg(json).ignore();
        if (i + 1) % PIPELINE == 0 || i + 1 == EVENTS {
            pipe.exec_async(&mut conn).await?;
            pipe = redis::pipe();
        }
    }
    let len = redis.stream_len("tangerang").await;
    anyhow::ensure!(len == EVENTS, "stream holds {len} entries");
    Ok(())
}

/// Seconds from spawning `pantau serve` to `/readyz` answering 200.
async fn time_to_ready(redis: &RedisServer) -> anyhow::Result<f64> {
    let t0 = Instant::now();
    let pantau = Pantau::start(redis).await;
    let ready = pantau.url("/readyz");
    loop {
        if pantau.http.get(&ready).send().await.is_ok_and(|r| r.status() == 200) {
            let wall = t0.elapsed().as_secs_f64();
            println!("  server CPU time until ready: {:.2} s", cpu_seconds(pantau.pid()));
            return Ok(wall);
        }
        anyhow::ensure!(t0.elapsed() < PATIENCE, "not ready after {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Wait until a server has stored a projection snapshot of the whole stream.
async fn wait_for_snapshot(redis: &RedisServer) -> anyhow::Result<()> {
    let pantau = Pantau::start(redis).await;
    let mut conn = redis.conn().await;
    let t0 = Instant::now();
    loop {
        // Storing a snapshot this large keeps Redis busy for a while: a timeout means "not yet".
        let cursor: Option<String> = redis::cmd("GET")
            .arg(tenant_key("tangerang", "projection_cursor"))
            .query_async(&mut conn)
            .await
            .unwrap_or_default();
        if cursor.is_some() {
            drop(pantau);
            return Ok(());
        }
        anyhow::ensure!(t0.elapsed() < PATIENCE, "no snapshot stored after {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
