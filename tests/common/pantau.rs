//! The real `pantau serve` on a free port, and its HTTP API through one `reqwest::Client`
//! per server (built once, its connections reused by every call).
//!
//! Every server starts with a superadmin (`pantau user add --role superadmin`, through the
//! real CLI) signed in: [`Pantau::admin`]. Reads and ticket commands go as that session by
//! default, events as an ingest key of their tenant (`pantau key add`, made on first use);
//! the `_as` variants send whatever [`Credentials`] a test needs, including none.

use crate::auth::{Credentials, Session, PASSWORD};
use crate::cli::{pantau_bin, Cli};
use crate::{eventually, free_port, workspace_root, Proc, RedisServer};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

/// The superadmin every test server signs in as.
pub const ROOT: &str = "e2e-root";

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
    /// The administration commands against this server's Redis and configuration.
    pub cli: Cli,
    /// The superadmin's session: what reads and ticket commands send by default.
    pub admin: Session,
    /// The tenants the server has (from `GET /api/v1/tenants`).
    pub tenants: Vec<String>,
    /// Ingest key secrets by tenant, made with `pantau key add` when first needed.
    keys: tokio::sync::Mutex<HashMap<String, String>>,
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
        let proc = spawn_serve(port, &["--redis-url", &redis.url], extra);
        Pantau::attach(proc, port, &redis.url, extra).await
    }

    /// Start WITHOUT a Redis URL, so `pantau serve` runs its own redis-server with its data
    /// under `data_dir`; the harness's CLI talks to that one (found with [`embedded_redis`]).
    pub async fn start_embedded(data_dir: &Path, extra: &[&str]) -> Pantau {
        let port = free_port();
        let dir = data_dir.to_str().expect("a UTF-8 data directory");
        let proc = spawn_serve(port, &["--data-dir", dir], extra);
        let pid = proc.0.id();
        let redis_url = eventually("pantau's private redis-server", || async {
            embedded_redis(pid).map(|(_, port)| format!("redis://127.0.0.1:{port}"))
        })
        .await;
        Pantau::attach(proc, port, &redis_url, extra).await
    }

    /// Wait for the server `proc` on `port` to answer, add the superadmin through the CLI
    /// against `redis_url`, and sign in.
    async fn attach(proc: Proc, port: u16, redis_url: &str, extra: &[&str]) -> Pantau {
        // The CLI reads the same configuration as the server (the last `--config-dir` wins).
        let mut cli = Cli::new(redis_url);
        if let Some(dir) = extra.windows(2).rev().find(|w| w[0] == "--config-dir") {
            cli = cli.with_config_dir(&PathBuf::from(dir[1]));
        }
        let added = cli.user_add(None, ROOT, "superadmin", PASSWORD).await;
        assert!(
            added.ok || added.err.contains("already exists"),
            "pantau user add {ROOT}: {}",
            added.err
        );
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        eventually("pantau to answer /healthz", || async {
            let response = http.get(format!("{base}/healthz")).send().await.ok()?;
            response.status().is_success().then_some(())
        })
        .await;
        let tenants: Value = http
            .get(format!("{base}/api/v1/tenants"))
            .send()
            .await
            .expect("server answers")
            .json()
            .await
            .expect("the tenant list is JSON");
        let tenants = tenants
            .as_array()
            .expect("a list of tenants")
            .iter()
            .map(|t| t["id"].as_str().expect("tenants have ids").to_owned())
            .collect();
        let admin = sign_in(&http, &base, None, ROOT, PASSWORD).await;
        Pantau {
            proc,
            ws_url: format!("ws://127.0.0.1:{port}/ws"),
            base,
            http,
            cli,
            admin,
            tenants,
            keys: Default::default(),
        }
    }

    /// The absolute URL of `path` (from the server root).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A `method` request to `path` sent as `credentials`.
    pub fn request(&self, method: Method, path: &str, credentials: Credentials<'_>) -> reqwest::RequestBuilder {
        let request = self.http.request(method.clone(), self.url(path));
        credentials.apply(&method, request)
    }

    /// `POST /api/v1/session`, as it came back (for tests of refusals and lockout).
    pub async fn sign_in_response(&self, tenant: Option<&str>, name: &str, password: &str) -> reqwest::Response {
        sign_in_request(&self.http, &self.base, tenant, name, password)
            .send()
            .await
            .expect("server answers")
    }

    /// Sign in; panics unless it succeeds.
    pub async fn sign_in(&self, tenant: Option<&str>, name: &str, password: &str) -> Session {
        sign_in(&self.http, &self.base, tenant, name, password).await
    }

    /// A new user of `tenant` with `role` (through `pantau user add`), signed in.
    pub async fn user(&self, tenant: &str, role: &str) -> Session {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let name = format!("{role}-{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let added = self.cli.user_add(Some(tenant), &name, role, PASSWORD).await;
        assert!(added.ok, "pantau user add {name}: {}", added.err);
        self.sign_in(Some(tenant), &name, PASSWORD).await
    }

    /// The ingest key of `tenant` the harness posts events with (made on first use); `None`
    /// for a tenant the server does not have (its refusal does not depend on credentials).
    pub async fn ingest_key(&self, tenant: &str) -> Option<String> {
        if !self.tenants.iter().any(|t| t == tenant) {
            return None;
        }
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let mut keys = self.keys.lock().await;
        if let Some(secret) = keys.get(tenant) {
            return Some(secret.clone());
        }
        let name = format!("e2e-ingest-{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let secret = self.cli.key_add(tenant, &name, &[]).await;
        keys.insert(tenant.to_owned(), secret.clone());
        Some(secret)
    }

    /// A `method` request to `path` with the default credentials: the tenant's ingest key
    /// for its events endpoint, the superadmin's session for everything else.
    pub async fn default_request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let key = match events_tenant(path) {
            Some(tenant) => self.ingest_key(tenant).await,
            None => None,
        };
        match &key {
            Some(secret) => self.request(method, path, Credentials::Key(secret)),
            None => self.request(method, path, Credentials::User(&self.admin)),
        }
    }

    /// GET `path` as the superadmin; the status and the JSON answer.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        json_answer(self.default_request(Method::GET, path).await).await
    }

    /// GET `path` as `credentials`; the status and the JSON answer.
    pub async fn get_as(&self, credentials: Credentials<'_>, path: &str) -> (u16, Value) {
        json_answer(self.request(Method::GET, path, credentials)).await
    }

    /// GET `path`; the status and the answer as text (XML, say).
    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self
            .default_request(Method::GET, path)
            .await
            .send()
            .await
            .expect("server answers");
        (
            response.status().as_u16(),
            response.text().await.expect("a text answer"),
        )
    }

    /// POST `body` as JSON to `path` with the default credentials; the status and the JSON
    /// answer.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.post_raw(path, body.to_string()).await
    }

    /// POST `body` as JSON to `path` as `credentials`.
    pub async fn post_as(&self, credentials: Credentials<'_>, path: &str, body: &Value) -> (u16, Value) {
        let request = self.request(Method::POST, path, credentials);
        json_answer(
            request
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    /// PUT `body` as JSON with `credentials`; the status and the JSON answer.
    pub async fn put_as(&self, credentials: Credentials<'_>, path: &str, body: &Value) -> (u16, Value) {
        let request = self.request(Method::PUT, path, credentials);
        json_answer(
            request
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    /// POST `body` as it is, labelled JSON (malformed or oversized on purpose, say).
    pub async fn post_raw(&self, path: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
        let request = self.default_request(Method::POST, path).await;
        json_answer(request.header("content-type", "application/json").body(body)).await
    }

    /// POST `event` to `tenant`'s ingest endpoint; the status and the JSON answer.
    pub async fn post_event(&self, tenant: &str, event: &Value) -> (u16, Value) {
        self.post(&events_path(tenant), event).await
    }

    /// POST `event` to `tenant`'s ingest endpoint as `credentials`.
    pub async fn post_event_as(&self, credentials: Credentials<'_>, tenant: &str, event: &Value) -> (u16, Value) {
        self.post_as(credentials, &events_path(tenant), event).await
    }

    /// POST an NDJSON batch of events; the status and the JSON answer.
    pub async fn post_batch(&self, tenant: &str, ndjson: String) -> (u16, Value) {
        let request = self.default_request(Method::POST, &events_path(tenant)).await;
        json_answer(request.header("content-type", "application/x-ndjson").body(ndjson)).await
    }

    /// DELETE `path` as `credentials`; the status (the answer may have no body).
    pub async fn delete_as(&self, credentials: Credentials<'_>, path: &str) -> u16 {
        let response = self
            .request(Method::DELETE, path, credentials)
            .send()
            .await
            .expect("server answers");
        response.status().as_u16()
    }

    /// Wait until `/readyz` says every projection has caught up.
    pub async fn wait_ready(&self) {
        eventually("pantau to be ready", || async {
            (self.get_as(Credentials::Nobody, "/readyz").await.0 == 200).then_some(())
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

/// Spawn `pantau serve` on `port` with the harness's paths, the `redis` arguments
/// (`--redis-url …`, or `--data-dir …` for its private Redis), and `extra`.
fn spawn_serve(port: u16, redis: &[&str], extra: &[&str]) -> Proc {
    let root = workspace_root();
    let bin = pantau_bin();
    let child = Command::new(&bin)
        .arg("serve")
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .args(redis)
        .arg("--dist-dir")
        .arg(root.join("dist"))
        .arg("--assets-dir")
        .arg(root.join("assets"))
        .arg("--config-dir")
        .arg(root.join("config"))
        // Tests and benchmarks load one key hard; the rate limit has its own test
        // (server/tests/authz.rs), and `extra` may set it again (the last flag wins).
        .args(["--key-rate", "1e9", "--key-burst", "1e9"])
        .args(extra)
        // Only the arguments above choose the Redis (`--redis-url` wins over it anyway).
        .env_remove("REDIS_URL")
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
    Proc::from(child)
}

/// Pantau's private redis-server (a `redis-server` child of process `pantau_pid`): its
/// process id and port, read from `/proc` (Redis rewrites its command line to
/// `redis-server 127.0.0.1:<port>`; the original `--port <port>` is read too).
pub fn embedded_redis(pantau_pid: u32) -> Option<(u32, u16)> {
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`; comm may hold spaces, so split after the last ')'.
        let Some((head, tail)) = stat.rsplit_once(')') else {
            continue;
        };
        let comm = head.split_once('(').map(|(_, c)| c).unwrap_or_default();
        let mut fields = tail.split_whitespace();
        let (state, ppid) = (fields.next(), fields.next());
        if comm != "redis-server" || state == Some("Z") || ppid != Some(&pantau_pid.to_string()) {
            continue;
        }
        let cmdline = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let words: Vec<&str> = cmdline.split(['\0', ' ']).filter(|w| !w.is_empty()).collect();
        let port = words
            .windows(2)
            .find(|w| w[0] == "--port")
            .map(|w| w[1])
            .or_else(|| words.iter().find_map(|w| w.strip_prefix("127.0.0.1:")))
            .and_then(|p| p.parse().ok());
        if let Some(port) = port {
            return Some((pid, port));
        }
    }
    None
}

/// `tenant`'s ingest endpoint.
fn events_path(tenant: &str) -> String {
    format!("/api/v1/{tenant}/events")
}

/// The tenant of `/api/v1/{tenant}/events`, if `path` is an ingest endpoint.
fn events_tenant(path: &str) -> Option<&str> {
    let path = path.split('?').next()?;
    path.strip_prefix("/api/v1/")?.strip_suffix("/events")
}

fn sign_in_request(
    http: &reqwest::Client,
    base: &str,
    tenant: Option<&str>,
    name: &str,
    password: &str,
) -> reqwest::RequestBuilder {
    http.post(format!("{base}/api/v1/session"))
        .json(&json!({"tenant": tenant, "name": name, "password": password}))
}

async fn sign_in(http: &reqwest::Client, base: &str, tenant: Option<&str>, name: &str, password: &str) -> Session {
    let response = sign_in_request(http, base, tenant, name, password)
        .send()
        .await
        .expect("server answers");
    Session::from_response(response).await
}

/// Send `request`; the status and the JSON answer.
async fn json_answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("server answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("every answer is JSON"))
}
