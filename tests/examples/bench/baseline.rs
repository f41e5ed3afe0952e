//! The baselines Pantau is compared with, measured in the same run on the same machine:
//! `redis-benchmark` running XADD, a raw XADD → XREAD BLOCK round trip, and a minimal
//! tokio-tungstenite broadcast server (run as a child process of the bench program, so its
//! CPU time is its own).

use crate::histogram::Histogram;
use futures_util::{SinkExt, StreamExt};
use pantau_e2e::{free_port, Proc};
use redis::AsyncCommands;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;

/// The argument that turns the bench program into the baseline broadcast server.
pub const BROADCAST_SERVER_ARG: &str = "broadcast-server";

/// The port in a `redis://127.0.0.1:<port>` URL.
pub fn redis_port(url: &str) -> String {
    url.rsplit(':').next().expect("url has a port").to_owned()
}

/// Requests per second of `redis-benchmark` running `XADD <key> * event <payload>`.
pub fn redis_benchmark_xadd(
    url: &str,
    clients: u32,
    pipeline: u32,
    requests: u64,
    payload: &str,
) -> anyhow::Result<f64> {
    let out = Command::new("redis-benchmark")
        .args(["-h", "127.0.0.1", "-p", &redis_port(url)])
        .args(["-c", &clients.to_string(), "-P", &pipeline.to_string()])
        .args(["-n", &requests.to_string(), "-q", "--csv"])
        .args(["XADD", "bench:xadd", "*", "event", payload])
        .stderr(Stdio::inherit())
        .output()?;
    anyhow::ensure!(out.status.success(), "redis-benchmark failed");
    let csv = String::from_utf8_lossy(&out.stdout);
    // Line 2: "<test>","<rps>",... ; the test name holds the payload, so take the field
    // after the last `","` run that precedes the latency columns: rps is the 7th from last.
    let line = csv
        .lines()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("no redis-benchmark result: {csv}"))?;
    let fields: Vec<&str> = line.rsplitn(8, ',').collect();
    let rps = fields
        .get(6)
        .map(|f| f.trim_matches('"'))
        .ok_or_else(|| anyhow::anyhow!("bad redis-benchmark line: {line}"))?;
    Ok(rps.parse()?)
}

/// Unix time in microseconds.
pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_micros() as u64
}

/// Round trips of `XADD` on one connection to a reader blocked in `XREAD BLOCK` on another,
/// `n` times one after the other.
pub async fn xread_round_trips(url: &str, n: usize) -> anyhow::Result<Histogram> {
    let client = redis::Client::open(url)?;
    let mut writer = client.get_multiplexed_async_connection().await?;
    let config = redis::AsyncConnectionConfig::new().set_response_timeout(Some(Duration::from_secs(10)));
    let mut reader = client.get_multiplexed_async_connection_with_config(&config).await?;
    let key = "bench:roundtrip";
    let mut last: String = "$".into();
    let mut histogram = Histogram::default();
    for _ in 0..n {
        let opts = redis::streams::StreamReadOptions::default().block(5_000).count(1);
        let from = last.clone();
        let read = tokio::spawn({
            let mut reader = reader.clone();
            async move {
                let reply: redis::streams::StreamReadReply = reader.xread_options(&[key], &[from], &opts).await?;
                Ok::<_, redis::RedisError>((now_us(), reply))
            }
        });
        // Give the reader time to block before writing.
        tokio::time::sleep(Duration::from_micros(300)).await;
        let sent = now_us();
        let id: String = writer.xadd(key, "*", &[("event", sent.to_string())]).await?;
        let (arrived, _) = read.await??;
        histogram.record(arrived.saturating_sub(sent));
        last = id;
    }
    let _: () = reader.del(key).await?;
    Ok(histogram)
}

/// A running baseline broadcast server.
pub struct BroadcastServer {
    proc: Proc,
    pub url: String,
}

impl BroadcastServer {
    /// Start this program as the broadcast server on a free port, and wait until it accepts.
    pub async fn start() -> anyhow::Result<BroadcastServer> {
        let port = free_port();
        let child = Command::new(std::env::current_exe()?)
            .args([BROADCAST_SERVER_ARG, &port.to_string()])
            .spawn()?;
        let server = BroadcastServer {
            proc: Proc::from(child),
            url: format!("ws://127.0.0.1:{port}/"),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            anyhow::ensure!(Instant::now() < deadline, "broadcast server did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.proc.0.id()
    }
}

/// Send `count` messages made by `text`, one per `tick`, through the broadcast server at
/// `url` (draining the copies it sends back, so the publisher never holds the server up).
pub async fn broadcast_steadily(
    url: &str,
    tick: Duration,
    count: u64,
    text: impl Fn() -> String,
) -> anyhow::Result<()> {
    let (publisher, _) = tokio_tungstenite::connect_async(url).await?;
    let (mut sink, mut own) = publisher.split();
    let mut interval = tokio::time::interval(tick);
    let send = async {
        for _ in 0..count {
            interval.tick().await;
            sink.send(Message::text(text())).await?;
        }
        Ok::<_, anyhow::Error>(())
    };
    tokio::pin!(send);
    loop {
        tokio::select! {
            done = &mut send => return done,
            _ = own.next() => {}
        }
    }
}

/// The baseline: every text message any client sends goes to every connected client.
/// Encodes nothing itself (the payload is shared, reference counted, like Pantau's frames).
pub fn serve_broadcast(port: u16) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let (tx, _) = broadcast::channel::<Message>(1024);
        loop {
            let (tcp, _) = listener.accept().await?;
            // As Pantau does: small frames go out at once, not held back by Nagle.
            tcp.set_nodelay(true)?;
            let tx = tx.clone();
            tokio::spawn(async move {
                let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                let (mut sink, mut stream) = ws.split();
                let mut rx = tx.subscribe();
                loop {
                    tokio::select! {
                        incoming = stream.next() => match incoming {
                            Some(Ok(m @ Message::Text(_))) => { let _ = tx.send(m); }
                            Some(Ok(_)) => {}
                            _ => return,
                        },
                        out = rx.recv() => match out {
                            Ok(m) => if sink.send(m).await.is_err() { return },
                            Err(broadcast::error::RecvError::Lagged(_)) => {}
                            Err(broadcast::error::RecvError::Closed) => return,
                        },
                    }
                }
            });
        }
    })
}
