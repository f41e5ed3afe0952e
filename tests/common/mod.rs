//! Shared harness for the end-to-end tests: a real `redis-server` on a free port, the real
//! `pantau` binary, real WebSocket and HTTP clients. Every process is killed on drop.
//!
//! The binary is `$PANTAU_BIN` or `target/debug/pantau` (scripts/test builds it first); the
//! frontend is `dist/` at the workspace root (scripts/test runs `trunk build` first).

use futures_util::{SinkExt, StreamExt};
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

/// A private redis-server (no persistence) on a free port.
pub struct RedisServer {
    _proc: Proc,
    pub url: String,
}

impl RedisServer {
    pub async fn start() -> RedisServer {
        let port = free_port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/setup installs it)");
        let server = RedisServer {
            _proc: Proc(child),
            url: format!("redis://127.0.0.1:{port}"),
        };
        let client = redis::Client::open(server.url.as_str()).unwrap();
        eventually("redis-server to answer", || {
            let client = client.clone();
            async move {
                let mut conn = client.get_multiplexed_async_connection().await.ok()?;
                redis::cmd("PING").query_async::<String>(&mut conn).await.ok()
            }
        })
        .await;
        server
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

/// The real `pantau serve`, on a free port, against the given Redis.
pub struct Pantau {
    _proc: Proc,
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
        let root = workspace_root();
        let bin = std::env::var_os("PANTAU_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target/debug/pantau"));
        let port = free_port();
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
            .env("RUST_LOG", "warn")
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {} (build it first: cargo build -p pantau-server): {e}",
                    bin.display()
                )
            });
        let pantau = Pantau {
            _proc: Proc(child),
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
        let mut client = WsClient::connect(url).await;
        client.send(&ClientMsg::Subscribe { tenant: tenant.into() }).await;
        let first = client.next().await;
        (client, first)
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
