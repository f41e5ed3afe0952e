//! Shared harness for the end-to-end tests: a real `redis-server` on a free port, the real
//! `pantau` binary, real WebSocket and HTTP clients, headless Chromium. Every process is
//! killed on drop.
//!
//! The binary is `$PANTAU_BIN` or `target/debug/pantau` (scripts/test builds it first); the
//! frontend is `dist/` at the workspace root (scripts/test runs `trunk build` first). Its log
//! filter is `$PANTAU_LOG` or `warn`.
//!
//! Every request authenticates as the server now demands: the harness adds a superadmin and
//! ingest keys with the binary's own CLI (`pantau user add`, `pantau key add`), signs in once
//! per server, and sends that session (reads, commands, sockets, the browser) or a tenant's
//! key (events) unless a test asks for other [`Credentials`].
//!
//! # Layout
//! - [`auth`]: a signed-in [`Session`] and the [`Credentials`] a request is sent with.
//! - [`cluster`]: a private three-master Redis Cluster ([`RedisCluster`]).
//! - [`cli`]: `pantau user …` / `pantau key …` against the test Redis ([`cli::Cli`]).
//! - `redis`: a private `redis-server` ([`RedisServer`]) and Pantau's key names ([`stream_key`]).
//! - [`pantau`]: the real binary ([`Pantau`]) and its HTTP API through one `reqwest::Client`.
//! - [`ws`]: a WebSocket client speaking Pantau's protocol ([`WsClient`]).
//! - [`follow`]: a socket client that follows a tenant across server restarts, resuming
//!   with its cursor ([`follow::Follower`]).
//! - [`fixtures`]: report bodies as clients post them ([`report`], [`report_batch`]).
//! - [`browser`]: headless Chromium showing the wall ([`browser::open_wall`]).

pub mod auth;
pub mod browser;
pub mod cli;
pub mod cluster;
pub mod fixtures;
pub mod follow;
pub mod pantau;
pub mod redis;
pub mod ws;

pub use self::redis::{stream_key, tenant_key, RedisServer};
pub use auth::{Credentials, Session};
pub use cluster::RedisCluster;
pub use fixtures::{dated_report, report, report_batch, report_in};
pub use pantau::Pantau;
pub use ws::{subscribe_msg, WsClient};

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

/// How long a test waits for something that should happen promptly.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_owned()
}

/// A TCP port nobody listens on right now, below the kernel's ephemeral range.
///
/// A port from `bind(0)` lies in the ephemeral range, which every outgoing connection also
/// draws its local port from: once a test kills a server, a client reconnecting anywhere on
/// the machine may take the dead server's port as its own, and the restarted server can no
/// longer bind it (a cluster master restarted on its port timed out that way in CI). Ports
/// below the range are only ever taken by listeners. Each port is handed out once per
/// process, so tests running side by side never get the same one.
pub fn free_port() -> u16 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    const LOW: u32 = 12_000;
    let high = ephemeral_low().clamp(LOW + 2_000, 32_768);
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_usize(given.len());
        let port = (LOW + (hasher.finish() % u64::from(high - LOW)) as u32) as u16;
        if !given.contains(&port) && std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            given.push(port);
            return port;
        }
    }
}

/// The first port of the kernel's ephemeral range (`ip_local_port_range`; 32768 if unknown).
fn ephemeral_low() -> u32 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse().ok())
        .unwrap_or(32_768)
}

/// Poll `check` every 50 ms until it returns `Some`, or panic after [`PATIENCE`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A child process killed when dropped — with its whole process group when it leads one
/// ([`Proc::group`]).
pub struct Proc(pub Child, pub bool);

impl Proc {
    /// A child started with `process_group(0)`: dropping it kills everything it started.
    pub fn group(child: Child) -> Proc {
        Proc(child, true)
    }
}

impl From<Child> for Proc {
    fn from(child: Child) -> Proc {
        Proc(child, false)
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.1 {
            // `kill -KILL -<pgid>` signals the group the child leads.
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.0.id())])
                .stderr(std::process::Stdio::null())
                .status();
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
