//! Step 12, projection memory: 1,000,000 tickets (a report and a status change each, JSON
//! exactly as Pantau stores it) written straight into a fresh Redis; `pantau serve` started
//! on it, and its resident memory once ready and settled, less that of the same server
//! ready on an empty stream, divided by the tickets. The peak (`VmHWM`, the catch-up's
//! buffers included) is context.

use crate::cold_start::templates;
use crate::report::{Row, Target};
use crate::sys::{peak_rss_bytes, rss_bytes};
use pantau_e2e::{stream_key, Pantau, RedisServer};
use std::time::{Duration, Instant};

/// Tickets in the stream.
pub const TICKETS: usize = 1_000_000;
/// XADDs per pipeline.
const PIPELINE: usize = 1_000;
/// How long a ready server is left to settle (its first snapshot stored) before measuring.
const SETTLE: Duration = Duration::from_secs(5);

pub async fn run() -> anyhow::Result<Vec<Row>> {
    let empty = {
        let redis = RedisServer::start().await;
        let pantau = Pantau::start(&redis).await;
        pantau.wait_ready().await;
        tokio::time::sleep(SETTLE).await;
        rss_bytes(pantau.pid())
    };

    let redis = RedisServer::start().await;
    let templates = templates(&redis).await?;
    let t0 = Instant::now();
    fill(&redis, &templates[0], &templates[2]).await?;
    println!("  wrote {TICKETS} tickets in {:.1} s", t0.elapsed().as_secs_f64());
    let pantau = Pantau::start(&redis).await;
    let ready = pantau.url("/readyz");
    while !pantau.http.get(&ready).send().await.is_ok_and(|r| r.status() == 200) {
        anyhow::ensure!(t0.elapsed() < Duration::from_secs(240), "not ready in time");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(SETTLE).await;
    let full = rss_bytes(pantau.pid());
    let peak = peak_rss_bytes(pantau.pid());
    let per_ticket = full.saturating_sub(empty) as f64 / TICKETS as f64;
    println!(
        "  RSS empty {:.1} MB, with {TICKETS} tickets {:.1} MB (peak {:.1} MB): {per_ticket:.0} B per ticket",
        empty as f64 / 1e6,
        full as f64 / 1e6,
        peak as f64 / 1e6
    );
    Ok(vec![
        Row::alone(
            "memory",
            "server RSS bytes per ticket at 1M tickets (less an empty server)",
            per_ticket,
            Target::AtMost(1024.0),
        ),
        Row::alone("memory", "server RSS MB at 1M tickets", full as f64 / 1e6, Target::None),
        Row::alone(
            "memory",
            "server peak RSS MB while catching up",
            peak as f64 / 1e6,
            Target::None,
        ),
    ])
}

/// Write [`TICKETS`] tickets: each a report, then a status change to `in_progress`.
async fn fill(redis: &RedisServer, report: &str, status: &str) -> anyhow::Result<()> {
    let ids = [report, status].map(|t| {
        let v: serde_json::Value = serde_json::from_str(t).expect("stored JSON");
        v["id"].as_str().expect("an id").to_owned()
    });
    let stream = stream_key("tangerang");
    let mut conn = redis.conn().await;
    let mut pipe = redis::pipe();
    for i in 0..TICKETS {
        let ticket = format!("TGR-{:07}", i + 1);
        for (n, (template, old_id)) in [(report, &ids[0]), (status, &ids[1])].into_iter().enumerate() {
            let id = format!("0193a5c0-0000-7000-8000-{:012x}", i * 2 + n);
            let json = template
                .replacen(old_id.as_str(), &id, 1)
                .replacen("TGR-000001", &ticket, 1);
            pipe.cmd("XADD").arg(&stream).arg("*").arg("event").arg(json).ignore();
        }
        if (i + 1) % PIPELINE == 0 || i + 1 == TICKETS {
            pipe.exec_async(&mut conn).await?;
            pipe = redis::pipe();
        }
    }
    let len = redis.stream_len("tangerang").await;
    anyhow::ensure!(len == TICKETS * 2, "stream holds {len} entries");
    Ok(())
}
