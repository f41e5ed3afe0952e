//! Hold many idle WebSocket subscriptions open against a running `pantau serve` and report
//! the server's memory per connection: RSS growth of the server process plus the kernel's
//! TCP socket memory (from /proc/net/sockstat, split between the two ends of each socket).
//!
//! `cargo run --release -p pantau-e2e --example idle_connections -- <ws-url> <server-pid> <count>`
//! (raise `ulimit -n` first). Stops by itself after measuring.

use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

fn rss_kib(pid: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("server pid");
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .parse()
        .unwrap()
}

fn tcp_mem_pages() -> u64 {
    let sockstat = std::fs::read_to_string("/proc/net/sockstat").unwrap();
    let tcp = sockstat.lines().find(|l| l.starts_with("TCP:")).unwrap();
    let fields: Vec<&str> = tcp.split_whitespace().collect();
    let i = fields.iter().position(|f| *f == "mem").unwrap();
    fields[i + 1].parse().unwrap()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (url, pid, count) = (args[1].clone(), args[2].clone(), args[3].parse::<usize>().unwrap());
    let rss0 = rss_kib(&pid);
    let mem0 = tcp_mem_pages();
    let mut sockets = Vec::with_capacity(count);
    let mut failed = 0;
    for i in 0..count {
        match tokio_tungstenite::connect_async(url.as_str()).await {
            Ok((mut ws, _)) => {
                ws.send(Message::text(r#"{"type":"subscribe","tenant":"tangerang"}"#))
                    .await
                    .unwrap();
                let _snapshot = ws.next().await;
                sockets.push(ws);
            }
            Err(e) => {
                failed += 1;
                if failed == 1 {
                    eprintln!("connection {i} failed: {e}");
                }
            }
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let held = sockets.len() as u64;
    let rss = rss_kib(&pid) - rss0;
    let mem = tcp_mem_pages().saturating_sub(mem0) * 4;
    let per_conn = (rss * 1024 + mem * 1024 / 2) / held.max(1);
    println!("held {held} idle subscriptions ({failed} failed)");
    println!(
        "server RSS growth {rss} KiB = {} bytes/connection",
        rss * 1024 / held.max(1)
    );
    println!(
        "kernel TCP memory growth {mem} KiB (both ends) = {} bytes/connection (server half)",
        mem * 1024 / 2 / held.max(1)
    );
    println!(
        "total ≈ {per_conn} bytes/connection ≈ {} connections per GiB",
        (1u64 << 30) / per_conn.max(1)
    );
}
