//! The real `pantau serve` on a free port, and its HTTP API through one `reqwest::Client`
//! per server (built once, its connections reused by every call).

use crate::{eventually, free_port, workspace_root, Proc, RedisServer};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// The real `pantau serve`, on a free port, against the given Redis.
pub struct Pantau {
    proc: Proc,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// `ws://127.0.0.1:<port>/ws`.
    pub ws_url: String,
    /// The HTTP client every request to this server goes through: one connection pool per
    /// server, never one client per request. (Not one for the whole test binary: each test
    /// has its own runtime, and a pooled connection dies with the runtime that opened it.)
    pub http: reqwest::Client,
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
            http: reqwest::Client::new(),
        };
        eventually("pantau to answer /healthz", || async {
            let response = pantau.http.get(pantau.url("/healthz")).send().await.ok()?;
            response.status().is_success().then_some(())
        })
        .await;
        pantau
    }

    /// The absolute URL of `path` (from the server root).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET `path`; the status and the JSON answer.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        json_answer(self.http.get(self.url(path))).await
    }

    /// GET `path`; the status and the answer as text (XML, say).
    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.http.get(self.url(path)).send().await.expect("server answers");
        (
            response.status().as_u16(),
            response.text().await.expect("a text answer"),
        )
    }

    /// POST `body` as JSON to `path`; the status and the JSON answer.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.post_raw(path, body.to_string()).await
    }

    /// POST `body` as it is, labelled JSON (malformed or oversized on purpose, say).
    pub async fn post_raw(&self, path: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
        let request = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json");
        json_answer(request.body(body)).await
    }

    /// POST `event` to `tenant`'s ingest endpoint; the status and the JSON answer.
    pub async fn post_event(&self, tenant: &str, event: &Value) -> (u16, Value) {
        self.post(&events_path(tenant), event).await
    }

    /// POST an NDJSON batch of events; the status and the JSON answer.
    pub async fn post_batch(&self, tenant: &str, ndjson: String) -> (u16, Value) {
        let request = self
            .http
            .post(self.url(&events_path(tenant)))
            .header("content-type", "application/x-ndjson");
        json_answer(request.body(ndjson)).await
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
}

/// `tenant`'s ingest endpoint.
fn events_path(tenant: &str) -> String {
    format!("/api/v1/{tenant}/events")
}

/// Send `request`; the status and the JSON answer.
async fn json_answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("server answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("every answer is JSON"))
}
