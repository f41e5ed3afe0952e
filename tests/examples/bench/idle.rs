//! Step 5, idle connections per GiB: as many idle subscribed walls as the open-file limit
//! allows, and the server's memory per connection — its RSS growth plus its half of the
//! kernel's TCP socket memory growth (`/proc/net/sockstat` counts both ends, and both ends
//! are on this machine).

use crate::clients::connect_many;
use crate::report::{Row, Target};
use crate::sys::{open_files_limit, rss_bytes, tcp_mem_bytes};
use pantau_e2e::{Pantau, RedisServer};
use std::time::Duration;

/// Files kept free for everything else the two processes open.
const SPARE_FILES: u64 = 200;
/// Never try more than this many (the scale is tens of thousands).
const MOST: u64 = 100_000;

pub async fn run() -> anyhow::Result<Vec<Row>> {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    pantau.wait_ready().await;
    let want = (open_files_limit().saturating_sub(SPARE_FILES)).min(MOST) as usize;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss0 = rss_bytes(pantau.pid());
    let tcp0 = tcp_mem_bytes();
    let sockets = connect_many(&pantau.ws_url, Some(&pantau.admin.cookie()), want, 100, true).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let held = sockets.len() as u64;
    anyhow::ensure!(held > 0, "no connection held");
    let rss = rss_bytes(pantau.pid()).saturating_sub(rss0);
    let tcp = tcp_mem_bytes().saturating_sub(tcp0) / 2;
    let per_conn = (rss + tcp) as f64 / held as f64;
    let per_gib = (1u64 << 30) as f64 / per_conn.max(1.0);
    println!(
        "  held {held} of {want} idle subscriptions; RSS +{} KiB, kernel TCP (server half) +{} KiB → {per_conn:.0} bytes each",
        rss / 1024,
        tcp / 1024
    );
    drop(sockets);
    Ok(vec![
        Row::alone(
            "idle",
            "idle subscriptions held (open-file limit)",
            held as f64,
            Target::None,
        ),
        Row::alone(
            "idle",
            "server bytes per idle subscription (RSS + kernel TCP)",
            per_conn,
            Target::None,
        ),
        Row::alone("idle", "idle subscriptions per GiB", per_gib, Target::AtLeast(50_000.0)),
    ])
}
