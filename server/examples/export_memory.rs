//! Memory benchmark (not a test): a 100,000-ticket `tickets.csv` and `tickets.geojson`
//! export, streamed by the real router in this process over a real redis-server, with the
//! process's resident memory sampled at every chunk. Prints the body size and the peak RSS
//! growth over the RSS before the request; streaming keeps the growth far below the body.
//!
//! `cargo run --release -p pantau-server --example export_memory [-- <tickets>]`

use axum::body::Body;
use axum::http::Request;
use clap::Parser;
use futures_util::StreamExt;
use pantau_e2e::RedisServer;
use pantau_server::auth::Role;
use pantau_server::config::{Cli, Command};
use pantau_server::state::AppState;
use pantau_shared::cursor::Cursor;
use pantau_shared::fixtures;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

/// Resident set size of this process, KiB (`VmRSS` of `/proc/self/status`).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn app(redis: &RedisServer) -> (Arc<AppState>, axum::Router) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let (config, assets) = (root.join("config"), root.join("assets"));
    let cli = Cli::parse_from([
        "pantau",
        "serve",
        "--redis-url",
        &redis.url,
        "--config-dir",
        config.to_str().expect("utf-8 path"),
        "--assets-dir",
        assets.to_str().expect("utf-8 path"),
    ]);
    let Command::Serve(config) = cli.command else {
        unreachable!("serve was parsed")
    };
    let tenants = pantau_server::tenant::Tenants::load(&config.config_dir, &config.assets_dir).expect("tenants");
    let store = pantau_server::store::Store::connect(&redis.url).await.expect("redis");
    let (_trigger, shutdown) = pantau_server::shutdown::channel();
    let state = Arc::new(AppState::new(config, tenants, store, shutdown));
    (state.clone(), pantau_server::http::app(state))
}

/// Sign in as a new executive of Tangerang; the session cookie.
async fn executive(state: &AppState, app: &axum::Router) -> String {
    let password = "correct horse battery";
    state
        .auth
        .add_user(Some("tangerang"), "bench-exec", Role::Executive, password)
        .await
        .expect("user added");
    let body = serde_json::json!({ "tenant": "tangerang", "name": "bench-exec", "password": password });
    let request = Request::post("/api/v1/session")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("answer");
    let cookie = response.headers()["set-cookie"].to_str().expect("cookie");
    cookie.split(';').next().unwrap_or_default().to_owned()
}

/// Stream `uri`'s body chunk by chunk; (bytes, peak RSS KiB seen while streaming).
async fn stream(app: &axum::Router, cookie: &str, uri: &str) -> (u64, u64) {
    let request = Request::get(uri)
        .header("cookie", cookie)
        .body(Body::empty())
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("answer");
    assert!(response.status().is_success(), "{uri}: {}", response.status());
    let mut body = response.into_body().into_data_stream();
    let (mut bytes, mut peak) = (0u64, rss_kib());
    while let Some(chunk) = body.next().await {
        bytes += chunk.expect("chunk").len() as u64;
        peak = peak.max(rss_kib());
    }
    (bytes, peak)
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let redis = RedisServer::start().await;
    let (state, app) = app(&redis).await;
    let cookie = executive(&state, &app).await;
    {
        let mut p = state.live["tangerang"].write();
        let at = chrono::Utc::now().to_rfc3339();
        let events: Vec<_> = (0..n)
            .map(|i| {
                let e = fixtures::report(&format!("TGR-{i:06}"), "sampah", &at);
                (Cursor { ms: 1, seq: i as u64 }, e)
            })
            .collect();
        for chunk in events.chunks(5_000) {
            p.apply_batch(chunk);
        }
    }
    println!("tickets: {n}");
    for uri in [
        "/api/v1/tangerang/export/tickets.csv",
        "/api/v1/tangerang/export/tickets.geojson",
    ] {
        let before = rss_kib();
        let (bytes, peak) = stream(&app, &cookie, uri).await;
        println!(
            "{uri}: body {:.1} MiB, RSS before {:.1} MiB, peak growth while streaming {:.1} MiB",
            bytes as f64 / 1_048_576.0,
            before as f64 / 1024.0,
            peak.saturating_sub(before) as f64 / 1024.0
        );
    }
}
