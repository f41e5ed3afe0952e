//! Step 4, fan-out: 10,000 subscribed clients while single events are posted at a steady
//! rate; deliveries (one event arriving at one client) per second of server CPU time, so the
//! figure is per core whatever else shares the machine. Pantau runs with `--coalesce-ms 0`
//! so each event is its own frame, like the baseline's messages: a minimal tokio-tungstenite
//! server (another process) that sends every message it gets to every client, here a real
//! one-event `deltas` frame captured from Pantau.

use crate::baseline::{broadcast_steadily, BroadcastServer};
use crate::clients::{connect_many, spawn_readers, stamped_report, tangerang_key, Seen, Ws};
use crate::report::{Row, Target};
use crate::sys::CpuMeter;
use futures_util::StreamExt;
use pantau_e2e::{Pantau, RedisServer};
use std::time::Duration;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

/// Subscribers.
const CLIENTS: usize = 10_000;
/// Events (messages) per second sent to them.
const RATE: u64 = 20;
const RUN: Duration = Duration::from_secs(10);
const DRAIN: Duration = Duration::from_secs(2);

pub async fn run() -> anyhow::Result<Vec<Row>> {
    let (pantau_rate, frame) = measure_pantau().await?;
    let baseline_rate = measure_baseline(&frame).await?;
    Ok(vec![Row::compared(
        "fanout",
        &format!("deliveries/s per server core, {CLIENTS} subscribers, vs tokio-tungstenite broadcast"),
        pantau_rate,
        baseline_rate,
        Target::MinRatio(0.5),
    )])
}

/// Pantau's deliveries per CPU second, and one of its one-event `deltas` frames.
async fn measure_pantau() -> anyhow::Result<(f64, String)> {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start_with(&redis, &["--coalesce-ms", "0"]).await;
    pantau.wait_ready().await;
    let cookie = pantau.admin.cookie();
    let mut probe = connect_many(&pantau.ws_url, Some(&cookie), 1, 1, true)
        .await
        .pop()
        .expect("one socket");
    let http = pantau.http.clone();
    let url = pantau.url("/api/v1/tangerang/events");
    let key = tangerang_key(&pantau).await;
    let post = |http: reqwest::Client| {
        let (url, key) = (url.clone(), key.clone());
        async move {
            http.post(url)
                .bearer_auth(key)
                .header("content-type", "application/json")
                .body(stamped_report())
                .send()
                .await
        }
    };
    post(http.clone()).await?;
    let frame = next_deltas(&mut probe).await?;
    drop(probe);
    let sockets = connect_many(&pantau.ws_url, Some(&cookie), CLIENTS, 200, true).await;
    let clients = sockets.len();

    let (stop_tx, stop) = watch::channel(false);
    let readers = spawn_readers(sockets, &stop, false);
    let cpu = CpuMeter::start(pantau.pid());
    let mut tick = tokio::time::interval(Duration::from_secs(1) / RATE as u32);
    let mut posts = Vec::new();
    for _ in 0..RATE * RUN.as_secs() {
        tick.tick().await;
        posts.push(tokio::spawn(post(http.clone())));
    }
    for p in posts {
        p.await??;
    }
    tokio::time::sleep(DRAIN).await;
    let (cpu_s, wall_s) = cpu.stop();
    stop_tx.send(true)?;
    let seen = readers.await?;
    Ok((per_core("pantau", clients, &seen, cpu_s, wall_s), frame))
}

/// The baseline's deliveries per CPU second, broadcasting `frame`.
async fn measure_baseline(frame: &str) -> anyhow::Result<f64> {
    let server = BroadcastServer::start().await?;
    let sockets = connect_many(&server.url, None, CLIENTS, 200, false).await;
    let clients = sockets.len();
    let (stop_tx, stop) = watch::channel(false);
    let readers = spawn_readers(sockets, &stop, false);
    let cpu = CpuMeter::start(server.pid());
    let tick = Duration::from_secs(1) / RATE as u32;
    broadcast_steadily(&server.url, tick, RATE * RUN.as_secs(), || frame.to_owned()).await?;
    tokio::time::sleep(DRAIN).await;
    let (cpu_s, wall_s) = cpu.stop();
    stop_tx.send(true)?;
    let seen = readers.await?;
    Ok(per_core("baseline", clients, &seen, cpu_s, wall_s))
}

/// Print what was seen and return deliveries per CPU second.
fn per_core(who: &str, clients: usize, seen: &Seen, cpu_s: f64, wall_s: f64) -> f64 {
    let rate = seen.events as f64 / cpu_s.max(0.01);
    println!(
        "  {who}: {clients} clients, {} deliveries ({} expected), {} resyncs, {cpu_s:.2} CPU s in {wall_s:.1} s → {rate:.0} deliveries per core-second",
        seen.events,
        RATE * RUN.as_secs() * clients as u64,
        seen.resyncs
    );
    rate
}

/// The next `deltas` frame's text.
async fn next_deltas(ws: &mut Ws) -> anyhow::Result<String> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await? {
            Some(Ok(Message::Text(t))) if t.as_str().contains(r#""deltas""#) => return Ok(t.as_str().to_owned()),
            Some(Ok(_)) => {}
            other => anyhow::bail!("no deltas frame: {other:?}"),
        }
    }
}
