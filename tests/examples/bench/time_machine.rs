//! Step 10, the time machine: 1,000,000 events (cold start's shape: 250,000 tickets) written
//! into Redis while a server tails them and keeps a snapshot every 50,000 entries, then
//! `GET /state?at=` at instants spread over the history — the server's own rebuild time
//! (`rebuilt.ms`) — against the baseline in the same run: the same instants rebuilt from the
//! stream's start (the kept snapshots deleted).

use crate::cold_start::{fill, templates, EVENTS};
use crate::report::{Row, Target};
use pantau_e2e::{tenant_key, Pantau, RedisServer};
use std::time::{Duration, Instant};

/// Instants asked for, spread evenly over the history.
const INSTANTS: usize = 6;

pub async fn run() -> anyhow::Result<Vec<Row>> {
    let redis = RedisServer::start().await;
    let templates = templates(&redis).await?;
    let pantau = Pantau::start_with(&redis, &["--history-every", "50000"]).await;
    pantau.wait_ready().await;
    let t0 = chrono::Utc::now();
    fill(&redis, &templates).await?;
    let t1 = chrono::Utc::now();
    println!(
        "  wrote {EVENTS} events in {:.1} s while the server tailed them",
        (t1 - t0).as_seconds_f64()
    );
    let waited = Instant::now();
    loop {
        let (_, body) = pantau.get("/api/v1/tangerang/tickets?limit=1").await;
        if body["total"].as_u64() == Some((EVENTS / 4) as u64) {
            break;
        }
        anyhow::ensure!(
            waited.elapsed() < Duration::from_secs(300),
            "the projection did not catch up"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut conn = redis.conn().await;
    let kept: usize = redis::cmd("ZCARD")
        .arg(tenant_key("tangerang", "history"))
        .query_async(&mut conn)
        .await?;
    println!("  {kept} snapshots kept");
    let instants: Vec<_> = (1..=INSTANTS)
        .map(|i| t0 + (t1 - t0) * i as i32 / INSTANTS as i32)
        .collect();
    let with = rebuild_ms(&pantau, &instants).await?;
    redis::cmd("DEL")
        .arg(tenant_key("tangerang", "history"))
        .exec_async(&mut conn)
        .await?;
    let without = rebuild_ms(&pantau, &instants).await?;
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let max = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    println!("  rebuild ms with kept snapshots: {with:?}");
    println!("  rebuild ms from the stream's start: {without:?}");
    Ok(vec![
        Row::compared(
            "time_machine",
            "s to rebuild a past instant of 1M events (median; baseline: from the start)",
            median(with.clone()) / 1000.0,
            median(without.clone()) / 1000.0,
            Target::AtMost(1.0),
        ),
        Row::compared(
            "time_machine",
            "s to rebuild, worst instant (baseline: from the start)",
            max(&with) / 1000.0,
            max(&without) / 1000.0,
            Target::None,
        ),
    ])
}

/// The server's rebuild time (`rebuilt.ms`) of each instant.
async fn rebuild_ms(pantau: &Pantau, instants: &[chrono::DateTime<chrono::Utc>]) -> anyhow::Result<Vec<f64>> {
    let mut out = Vec::new();
    for at in instants {
        let at = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let (status, body) = pantau.get(&format!("/api/v1/tangerang/state?at={at}")).await;
        anyhow::ensure!(status == 200, "state at {at}: {status}");
        let ms = body["rebuilt"]["ms"].as_f64().unwrap_or(f64::NAN);
        println!(
            "    {at}: {ms:.0} ms, from {}, {} entries",
            body["rebuilt"]["from_snapshot"], body["rebuilt"]["entries"]
        );
        out.push(ms);
    }
    Ok(out)
}
