//! Outbound webhooks end to end: the real binary, configured (through a copy of the tenant
//! config) to POST Tangerang's ticket events to a receiver this test runs. The receiver
//! checks every request's signature with the shared secret, as an agency system would, and
//! keeps the event ids it has processed (its idempotency key), so a repeat after a restart
//! shows up as a repeat and not as a second event.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use pantau_e2e::{eventually, free_port, report_in, stream_key, workspace_root, Credentials, Pantau, RedisServer};
use redis::AsyncCommands;
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

const SECRET: &str = "rahasia-bersama-uji";
const TICKETS: &str = "/api/v1/tangerang/tickets";
const DELIVERIES: &str = "/api/v1/tangerang/webhooks/deliveries";

/// Whether `header` (`t=…,v1=…`) is the HMAC-SHA256 of "<t>.<body>" under `secret`: what a
/// receiver's check looks like.
fn signature_ok(secret: &str, header: &str, body: &[u8]) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value),
            Some(("v1", value)) => v1 = Some(value),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    expected == v1
}

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    /// The path's last segment (which webhook sent it).
    hook: String,
    event_id: String,
    signed: bool,
    body: Value,
}

/// What the receiver has seen and how it answers.
#[derive(Default)]
struct Log {
    requests: Vec<Received>,
    /// Event ids processed, in order, each once (the receiver's dedupe).
    processed: Vec<String>,
    /// Statuses to answer next (then 200).
    script: VecDeque<u16>,
}

type Shared = Arc<Mutex<Log>>;

async fn receive(State(log): State<Shared>, Path(hook): Path<String>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let signed =
        signature_ok(SECRET, &header("x-pantau-signature"), &body) && header("content-type") == "application/json";
    let event_id = header("x-pantau-event-id");
    let mut log = log.lock().unwrap();
    log.requests.push(Received {
        hook,
        event_id: event_id.clone(),
        signed,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let status = log.script.pop_front().unwrap_or(200);
    if signed && status == 200 && !log.processed.contains(&event_id) {
        log.processed.push(event_id);
    }
    StatusCode::from_u16(status).unwrap()
}

/// A receiver on `port` (any free one if 0): its base URL and its log.
async fn receiver(port: u16, script: &[u16]) -> (String, Shared) {
    let log: Shared = Arc::new(Mutex::new(Log {
        script: script.iter().copied().collect(),
        ..Log::default()
    }));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/hooks/{hook}", post(receive))
        .with_state(log.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, log)
}

/// A copy of the configuration whose Tangerang has these `[[webhooks]]` (TOML).
fn config_with(name: &str, webhooks: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pantau-webhooks-{}-{name}", std::process::id()));
    std::fs::create_dir_all(dir.join("tenants")).unwrap();
    let root = workspace_root().join("config");
    std::fs::copy(root.join("holidays.toml"), dir.join("holidays.toml")).unwrap();
    let tenant = std::fs::read_to_string(root.join("tenants/tangerang.toml")).unwrap();
    std::fs::write(dir.join("tenants/tangerang.toml"), format!("{tenant}\n{webhooks}")).unwrap();
    dir
}

/// A webhook `id` posting to `<base>/hooks/<id>`, with extra TOML lines.
fn webhook(id: &str, base: &str, extra: &str) -> String {
    format!("[[webhooks]]\nid = \"{id}\"\nurl = \"{base}/hooks/{id}\"\nsecret = \"{SECRET}\"\n{extra}\n")
}

/// A new report (routed to DLH) assigned to `agency`: its ticket and the assignment's
/// event id.
async fn assigned_report(pantau: &Pantau, agency: &str) -> (String, String) {
    let (status, body) = pantau
        .post_event("tangerang", &report_in("sampah", "Sampah di selokan"))
        .await;
    assert_eq!(status, 202, "{body}");
    let ticket = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();
    let (status, body) = pantau
        .post(&format!("{TICKETS}/{ticket}/assign"), &json!({"agency": agency}))
        .await;
    assert_eq!(status, 202, "{body}");
    (ticket, body["id"].as_str().unwrap().to_owned())
}

/// Entries of Tangerang's stream the `webhooks` group has handed out and not acknowledged.
async fn pending(redis: &RedisServer) -> usize {
    let reply: redis::streams::StreamPendingReply = redis
        .conn()
        .await
        .xpending(stream_key("tangerang"), "webhooks")
        .await
        .unwrap();
    reply.count()
}

/// Wait until every entry handed out is acknowledged.
async fn all_acknowledged(redis: &RedisServer) {
    eventually("every entry acknowledged", || async {
        (pending(redis).await == 0).then_some(())
    })
    .await;
}

/// The delivery log's attempts for `event`, oldest first, once one says `outcome`.
async fn attempts_until(pantau: &Pantau, event: &str, outcome: &str) -> Vec<Value> {
    eventually(&format!("a {outcome} attempt for {event}"), || async {
        let (status, body) = pantau.get(&format!("{DELIVERIES}?limit=1000")).await;
        assert_eq!(status, 200, "{body}");
        let mut mine: Vec<Value> = body
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["event"] == event)
            .cloned()
            .collect();
        mine.reverse();
        mine.iter().any(|a| a["outcome"] == outcome).then_some(mine)
    })
    .await
}

/// An assignment reaches the webhook of its agency, signed, with the event id as header and
/// in the body; a status change reaches it too (the ticket's agency from the projection);
/// the other agency's webhook gets neither; a report is no default event; and what was in
/// the stream before webhooks were configured is not replayed.
#[tokio::test]
async fn assignment_reaches_the_agency_signed() {
    let redis = RedisServer::start().await;
    // History from before the webhooks existed.
    let plain = Pantau::start(&redis).await;
    let (_, old) = assigned_report(&plain, "pupr").await;
    drop(plain);

    let (base, log) = receiver(0, &[]).await;
    let hooks = [
        webhook("pupr-sim", &base, "agency = \"pupr\""),
        webhook("dishub-sim", &base, "agency = \"dishub\""),
    ]
    .concat();
    let config = config_with("signed", &hooks);
    let pantau = Pantau::start_with(&redis, &["--config-dir", config.to_str().unwrap()]).await;
    pantau.wait_ready().await;
    let (ticket, assigned) = assigned_report(&pantau, "pupr").await;
    let (status, body) = pantau
        .post(&format!("{TICKETS}/{ticket}/status"), &json!({"status": "in_progress"}))
        .await;
    assert_eq!(status, 202, "{body}");
    let started = body["id"].as_str().unwrap().to_owned();
    attempts_until(&pantau, &started, "delivered").await;

    let requests = log.lock().unwrap().requests.clone();
    let ids: Vec<&str> = requests.iter().map(|r| r.event_id.as_str()).collect();
    assert_eq!(ids, [assigned.as_str(), started.as_str()], "{requests:?}");
    for r in &requests {
        assert!(r.signed, "signature checks out: {r:?}");
        assert_eq!(r.hook, "pupr-sim");
        assert_eq!(r.body["id"], r.event_id.as_str());
        assert_eq!(r.body["event"]["id"], r.event_id.as_str());
        assert_eq!(r.body["tenant"], "tangerang");
        assert_eq!(r.body["ticket"], ticket.as_str());
    }
    assert_eq!(requests[0].body["type"], "ticket.assigned");
    assert_eq!(requests[0].body["event"]["agency"], "pupr");
    assert_eq!(requests[1].body["type"], "ticket.status_changed");
    assert!(!ids.contains(&old.as_str()), "history is not replayed");
    std::fs::remove_dir_all(&config).unwrap();
}

/// A receiver answering 500 twice, then 200, has the event on the third attempt; the log
/// shows attempts 1 and 2 retrying with their status and 3 delivered.
#[tokio::test]
async fn failures_are_retried_until_delivered() {
    let redis = RedisServer::start().await;
    let (base, log) = receiver(0, &[500, 500]).await;
    let config = config_with("retry", &webhook("all", &base, "backoff_ms = 50\nmax_attempts = 5"));
    let pantau = Pantau::start_with(&redis, &["--config-dir", config.to_str().unwrap()]).await;
    pantau.wait_ready().await;
    let (_, assigned) = assigned_report(&pantau, "pupr").await;
    let attempts = attempts_until(&pantau, &assigned, "delivered").await;
    let summary: Vec<(u64, u64, &str)> = attempts
        .iter()
        .map(|a| {
            (
                a["attempt"].as_u64().unwrap(),
                a["status"].as_u64().unwrap(),
                a["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [(1, 500, "retrying"), (2, 500, "retrying"), (3, 200, "delivered")]
    );
    assert!(attempts.iter().all(|a| a["webhook"] == "all"));
    all_acknowledged(&redis).await;
    let log = log.lock().unwrap();
    assert_eq!(log.requests.len(), 3);
    assert!(log.requests.iter().all(|r| r.event_id == assigned && r.signed));
    assert_eq!(log.processed, [assigned]);
    std::fs::remove_dir_all(&config).unwrap();
}

/// A receiver that keeps failing gets `max_attempts` tries, the last one logged `gave_up`,
/// and the entry is acknowledged (a restart does not start over).
#[tokio::test]
async fn a_failing_receiver_is_given_up() {
    let redis = RedisServer::start().await;
    let (base, log) = receiver(0, &[503; 10]).await;
    let config = config_with("give-up", &webhook("all", &base, "backoff_ms = 20\nmax_attempts = 3"));
    let pantau = Pantau::start_with(&redis, &["--config-dir", config.to_str().unwrap()]).await;
    pantau.wait_ready().await;
    let (_, assigned) = assigned_report(&pantau, "pupr").await;
    let attempts = attempts_until(&pantau, &assigned, "gave_up").await;
    let outcomes: Vec<(&Value, &Value)> = attempts.iter().map(|a| (&a["attempt"], &a["outcome"])).collect();
    assert_eq!(
        outcomes,
        [
            (&json!(1), &json!("retrying")),
            (&json!(2), &json!("retrying")),
            (&json!(3), &json!("gave_up"))
        ]
    );
    all_acknowledged(&redis).await;
    assert_eq!(log.lock().unwrap().requests.len(), 3);
    assert!(log.lock().unwrap().processed.is_empty());
    std::fs::remove_dir_all(&config).unwrap();
}

/// Two processes on one Redis share the group: every event is delivered, and by one of
/// them only (no request repeats an event id).
#[tokio::test]
async fn two_processes_deliver_each_event_once() {
    let redis = RedisServer::start().await;
    let (base, log) = receiver(0, &[]).await;
    let config = config_with("two", &webhook("all", &base, ""));
    let args = ["--config-dir", config.to_str().unwrap()];
    let a = Pantau::start_with(&redis, &args).await;
    let b = Pantau::start_with(&redis, &args).await;
    a.wait_ready().await;
    b.wait_ready().await;
    let mut expected = Vec::new();
    for (i, server) in [&a, &b, &a, &b, &a, &b].into_iter().enumerate() {
        let agency = if i % 2 == 0 { "pupr" } else { "dinkes" };
        expected.push(assigned_report(server, agency).await.1);
    }
    for id in &expected {
        attempts_until(&a, id, "delivered").await;
    }
    all_acknowledged(&redis).await;
    let log = log.lock().unwrap();
    let mut processed = log.processed.clone();
    processed.sort();
    expected.sort();
    assert_eq!(processed, expected);
    assert_eq!(log.requests.len(), expected.len(), "no event delivered twice");
    std::fs::remove_dir_all(&config).unwrap();
}

/// The server is killed while the receiver is down (the event read, its delivery failing);
/// restarted with the receiver up, it delivers the event from its pending list — and the
/// receiver has processed exactly the expected events, each once.
#[tokio::test]
async fn a_restart_loses_no_delivery() {
    let redis = RedisServer::start().await;
    let receiver_port = free_port();
    let base = format!("http://127.0.0.1:{receiver_port}");
    let config = config_with("restart", &webhook("all", &base, "backoff_ms = 200\nmax_attempts = 10"));
    let args = ["--config-dir", config.to_str().unwrap()];
    let port = free_port();
    let pantau = Pantau::start_on(&redis, port, &args).await;
    pantau.wait_ready().await;
    let (_, first) = assigned_report(&pantau, "pupr").await;
    let failed = attempts_until(&pantau, &first, "retrying").await;
    assert!(failed[0]["error"].is_string(), "nobody listens: {failed:?}");
    drop(pantau); // killed (SIGKILL) mid-retry: the entry stays pending

    let (_, log) = receiver(receiver_port, &[]).await;
    let pantau = Pantau::start_on(&redis, port, &args).await;
    pantau.wait_ready().await;
    attempts_until(&pantau, &first, "delivered").await;
    let (_, second) = assigned_report(&pantau, "dlh").await;
    attempts_until(&pantau, &second, "delivered").await;
    let log = log.lock().unwrap();
    assert_eq!(log.processed, [first, second]);
    assert!(log.requests.iter().all(|r| r.signed));
    std::fs::remove_dir_all(&config).unwrap();
}

/// The delivery log is for admins: an admin of the tenant reads it, a supervisor is
/// refused (403), no session is 401.
#[tokio::test]
async fn delivery_log_is_for_admins() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let admin = pantau.user("tangerang", "admin").await;
    let supervisor = pantau.user("tangerang", "supervisor").await;
    let (status, body) = pantau.get_as(Credentials::User(&admin), DELIVERIES).await;
    assert_eq!((status, body), (200, json!([])));
    let (status, body) = pantau.get_as(Credentials::User(&supervisor), DELIVERIES).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = pantau.get_as(Credentials::Nobody, DELIVERIES).await;
    assert_eq!(status, 401, "{body}");
}
