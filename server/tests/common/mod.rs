//! Shared by the server's integration tests: `http::app()` over a real redis-server (no
//! socket, no tailer), callers of every kind, and one request helper.

#![allow(dead_code)] // each test binary uses its own part

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use clap::Parser;
use pantau_e2e::RedisServer;
use pantau_server::auth::Role;
use pantau_server::config::{Cli, Command};
use pantau_server::shutdown;
use pantau_server::state::AppState;
use pantau_server::store::Store;
use pantau_server::tenant::Tenants;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery";

/// The state and the app over `redis`, with a 4 KiB body limit.
pub async fn app(redis: &RedisServer) -> (Arc<AppState>, axum::Router) {
    app_with(redis, &[]).await
}

/// [`app`] with more `serve` arguments.
pub async fn app_with(redis: &RedisServer, extra: &[&str]) -> (Arc<AppState>, axum::Router) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let config = root.join("config");
    let assets = root.join("assets");
    let mut args = vec![
        "pantau",
        "serve",
        "--redis-url",
        &redis.url,
        "--max-body-bytes",
        "4096",
        "--config-dir",
        config.to_str().unwrap(),
        "--assets-dir",
        assets.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let cli = Cli::parse_from(args);
    let Command::Serve(config) = cli.command else {
        unreachable!()
    };
    let tenants = Tenants::load(&config.config_dir, &config.assets_dir).unwrap();
    let store = Store::connect(&redis.url).await.unwrap();
    let (_trigger, shutdown) = shutdown::channel();
    let state = Arc::new(AppState::new(config, tenants, store, shutdown));
    (state.clone(), pantau_server::http::app(state))
}

/// A way of calling: nothing, a session (cookie + CSRF token), or an API key.
#[derive(Clone, Debug)]
pub enum Creds {
    None,
    Session { cookie: String, csrf: String },
    Key(String),
}

/// Add user `name` of `role` in `tenant` (`None`: superadmin) and sign in through the API.
pub async fn signed_in(state: &AppState, app: &axum::Router, tenant: Option<&str>, name: &str, role: Role) -> Creds {
    state.auth.add_user(tenant, name, role, PASSWORD).await.unwrap();
    let body = json!({ "tenant": tenant, "name": name, "password": PASSWORD });
    let request = Request::post("/api/v1/session")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "sign-in of {name}");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let me: Value = serde_json::from_slice(&bytes).unwrap();
    Creds::Session {
        cookie,
        csrf: me["csrf"].as_str().unwrap().to_owned(),
    }
}

/// A new API key `name` of `tenant`.
pub async fn key(state: &AppState, tenant: &str, name: &str, categories: &[&str]) -> Creds {
    let categories: Vec<String> = categories.iter().map(|c| c.to_string()).collect();
    Creds::Key(state.auth.add_key(tenant, name, &categories).await.unwrap().secret)
}

/// Send a JSON request with `creds`; the status and the JSON body (`Value::Null` if not
/// JSON).
pub async fn call(
    app: &axum::Router,
    creds: &Creds,
    method: Method,
    uri: &str,
    body: impl Into<Body>,
) -> (StatusCode, Value) {
    call_as(app, creds, method, uri, "application/json", body).await
}

/// [`call`] with another content type.
pub async fn call_as(
    app: &axum::Router,
    creds: &Creds,
    method: Method,
    uri: &str,
    content_type: &str,
    body: impl Into<Body>,
) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", content_type);
    match creds {
        Creds::None => {}
        Creds::Session { cookie, csrf } => request = request.header("cookie", cookie).header("x-csrf-token", csrf),
        Creds::Key(secret) => request = request.header("authorization", format!("Bearer {secret}")),
    }
    let response = app.clone().oneshot(request.body(body.into()).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}
