//! Shared harness for the end-to-end tests: a real `redis-server` on a free port, the real
//! `pantau` binary, real WebSocket and HTTP clients. Every process is killed on drop.
//!
//! The binary is `$PANTAU_BIN` or `target/debug/pantau` (scripts/test builds it first); the
//! frontend is `dist/` at the workspace root (scripts/test runs `trunk build` first). Its log
//! filter is `$PANTAU_LOG` or `warn`.

pub mod browser;

use futures_util::{SinkExt, StreamExt};
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use pantau_shared::protocol::{ClientMsg, ServerMsg};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for something that should happen promptly.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_owned()
}

/// A TCP port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
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

/// A child process killed when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A private redis-server on a free port: without persistence, or with AOF in a directory
/// so it can be stopped and started again with its data (outage tests).
pub struct RedisServer {
    proc: Option<Proc>,
    port: u16,
    dir: Option<PathBuf>,
    pub url: String,
}

impl RedisServer {
    pub async fn start() -> RedisServer {
        RedisServer::launch(free_port(), None).await
    }

    /// With AOF (`appendfsync always`) in a fresh temporary directory.
    pub async fn start_persistent() -> RedisServer {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("pantau-redis-{port}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        RedisServer::launch(port, Some(dir)).await
    }

    async fn launch(port: u16, dir: Option<PathBuf>) -> RedisServer {
        let mut server = RedisServer {
            proc: None,
            port,
            dir,
            url: format!("redis://127.0.0.1:{port}"),
        };
        server.spawn().await;
        server
    }

    async fn spawn(&mut self) {
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", ""]);
        match &self.dir {
            Some(dir) => cmd
                .args(["--appendonly", "yes", "--appendfsync", "always", "--dir"])
                .arg(dir),
            None => cmd.args(["--appendonly", "no"]),
        };
        let child = cmd
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/setup installs it)");
        self.proc = Some(Proc(child));
        let client = redis::Client::open(self.url.as_str()).unwrap();
        eventually("redis-server to answer", || {
            let client = client.clone();
            async move {
                let mut conn = client.get_multiplexed_async_connection().await.ok()?;
                redis::cmd("PING").query_async::<String>(&mut conn).await.ok()
            }
        })
        .await;
    }

    /// Stop the server (its data stays in its directory).
    pub fn stop(&mut self) {
        self.proc = None;
    }

    /// Start it again on the same port and directory.
    pub async fn restart(&mut self) {
        self.spawn().await;
    }

    /// A fresh connection.
    pub async fn conn(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url.as_str())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.proc = None;
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The real `pantau serve`, on a free port, against the given Redis.
pub struct Pantau {
    proc: Proc,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// `ws://127.0.0.1:<port>/ws`.
    pub ws_url: String,
}

impl Pantau {
    pub async fn start(redis: &RedisServer) -> Pantau {
        Pantau::start_with(redis, &[]).await
    }

    /// Start with extra `serve` arguments.
    pub async fn start_with(redis: &RedisServer, extra: &[&str]) -> Pantau {
        Pantau::start_on(redis, free_port(), extra).await
    }

    /// Start on a given port (to restart a server where its clients expect it).
    pub async fn start_on(redis: &RedisServer, port: u16, extra: &[&str]) -> Pantau {
        let root = workspace_root();
        let bin = std::env::var_os("PANTAU_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target/debug/pantau"));
        let child = Command::new(&bin)
            .arg("serve")
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .args(["--redis-url", &redis.url])
            .arg("--dist-dir")
            .arg(root.join("dist"))
            .arg("--assets-dir")
            .arg(root.join("assets"))
            .arg("--config-dir")
            .arg(root.join("config"))
            .args(extra)
            .env(
                "RUST_LOG",
                std::env::var("PANTAU_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {} (build it first: cargo build -p pantau-server): {e}",
                    bin.display()
                )
            });
        let pantau = Pantau {
            proc: Proc(child),
            base: format!("http://127.0.0.1:{port}"),
            ws_url: format!("ws://127.0.0.1:{port}/ws"),
        };
        let health = format!("{}/healthz", pantau.base);
        eventually("pantau to answer /healthz", || {
            let health = health.clone();
            async move { reqwest::get(&health).await.ok().filter(|r| r.status().is_success()) }
        })
        .await;
        pantau
    }

    /// POST `body` as an event of `tenant`; the status and the JSON answer.
    pub async fn post_event(&self, tenant: &str, body: impl Into<reqwest::Body>) -> (u16, serde_json::Value) {
        self.post(&format!("/api/v1/{tenant}/events"), body).await
    }

    /// GET `path` (from the server root); the status and the JSON answer.
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let response = reqwest::get(format!("{}{path}", self.base))
            .await
            .expect("server answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("every answer is JSON"))
    }

    /// Wait until `/readyz` says every projection has caught up.
    pub async fn wait_ready(&self) {
        eventually("pantau to be ready", || async {
            (self.get("/readyz").await.0 == 200).then_some(())
        })
        .await;
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.proc.0.id()
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.base
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("base ends with the port")
    }

    /// POST an NDJSON batch of events; the status and the JSON answer.
    pub async fn post_batch(&self, tenant: &str, ndjson: String) -> (u16, serde_json::Value) {
        let response = reqwest::Client::new()
            .post(format!("{}/api/v1/{tenant}/events", self.base))
            .header("content-type", "application/x-ndjson")
            .body(ndjson)
            .send()
            .await
            .expect("server answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("every answer is JSON"))
    }

    /// POST a JSON `body` to `path`; the status and the JSON answer.
    pub async fn post(&self, path: &str, body: impl Into<reqwest::Body>) -> (u16, serde_json::Value) {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("server answers");
        let status = response.status().as_u16();
        let json = response.json().await.expect("every answer is JSON");
        (status, json)
    }
}

/// A valid report body with the given description.
pub fn report(description: &str) -> String {
    serde_json::json!({
        "type": "report.received",
        "category": "sampah",
        "description": description,
        "lat": -6.1888,
        "lon": 106.6406,
        "address": "Kec. Tangerang",
    })
    .to_string()
}

/// An NDJSON batch of `n` reports with fresh ids, and those ids in order.
pub fn report_batch(prefix: &str, n: usize) -> (String, Vec<String>) {
    let mut ids = Vec::with_capacity(n);
    let mut body = String::new();
    let seed = fresh_id_seed();
    for i in 0..n {
        let id = format!("0193a5c0-0000-7000-8000-{:012x}", seed + i as u64);
        let mut event: serde_json::Value = serde_json::from_str(&report(&format!("{prefix} {i}"))).unwrap();
        event["id"] = id.clone().into();
        body.push_str(&event.to_string());
        body.push('\n');
        ids.push(id);
    }
    (body, ids)
}

/// Start of a fresh block of ids, distinct across calls in one test process.
fn fresh_id_seed() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1 << 20);
    NEXT.fetch_add(1 << 20, Ordering::SeqCst)
}

/// A WebSocket client speaking Pantau's protocol.
pub struct WsClient(WebSocketStream<MaybeTlsStream<TcpStream>>);

impl WsClient {
    pub async fn connect(url: &str) -> WsClient {
        let (ws, _) = tokio_tungstenite::connect_async(url).await.expect("websocket connects");
        WsClient(ws)
    }

    pub async fn send(&mut self, msg: &ClientMsg) {
        self.0
            .send(Message::text(serde_json::to_string(msg).unwrap()))
            .await
            .expect("send");
    }

    /// Connect and subscribe to `tenant`; returns the client and its first message.
    pub async fn subscribe(url: &str, tenant: &str) -> (WsClient, ServerMsg) {
        WsClient::subscribe_with(
            url,
            ClientMsg::Subscribe {
                tenant: tenant.into(),
                since: None,
                filters: Default::default(),
            },
        )
        .await
    }

    /// Connect and send `subscribe`; returns the client and its first message.
    pub async fn subscribe_with(url: &str, subscribe: ClientMsg) -> (WsClient, ServerMsg) {
        let mut client = WsClient::connect(url).await;
        client.send(&subscribe).await;
        let first = client.next().await;
        (client, first)
    }

    /// Connect over a socket with a tiny receive buffer (a client that reads slowly or never).
    pub async fn connect_small_buffer(url: &str) -> WsClient {
        let addr = url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let tcp = socket.connect(addr).await.unwrap();
        let (ws, _) = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(tcp))
            .await
            .unwrap();
        WsClient(ws)
    }

    /// Read `deltas` until `n` events arrived; checks every frame continues the previous
    /// (`from` == last `to`, starting at `cursor`). Returns the events and the last cursor.
    pub async fn collect_events(&mut self, mut cursor: Cursor, n: usize) -> (Vec<Event>, Cursor) {
        let mut events = Vec::new();
        while events.len() < n {
            match self.next().await {
                ServerMsg::Deltas {
                    from,
                    to,
                    events: batch,
                    ..
                } => {
                    assert_eq!(from, cursor, "deltas must continue the previous frame");
                    cursor = to;
                    events.extend(batch);
                }
                ServerMsg::Heartbeat { .. } | ServerMsg::Pong { .. } | ServerMsg::Resumed { .. } => {}
                other => panic!("expected deltas, got {other:?}"),
            }
        }
        assert_eq!(events.len(), n, "no more than expected");
        (events, cursor)
    }

    /// The next server message; panics after [`PATIENCE`].
    pub async fn next(&mut self) -> ServerMsg {
        self.next_within(PATIENCE).await.expect("a server message in time")
    }

    /// The next server message, or `None` if none arrives within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<ServerMsg> {
        loop {
            let frame = tokio::time::timeout(wait, self.0.next()).await.ok()?;
            match frame.expect("socket open").expect("socket healthy") {
                Message::Text(t) => return Some(serde_json::from_str(t.as_str()).expect("valid server message")),
                Message::Close(_) => panic!("server closed the socket"),
                _ => continue,
            }
        }
    }
}
