//! Hostile input through the real server (issue 15, fuzzing): the committed corpora under
//! `tests/data/fuzz/` and seeded mutations of them, sent over HTTP to the events endpoint
//! (JSON and NDJSON), Open311 `requests` and `servicerequestupdates` (form-encoded and JSON,
//! answered as `.json` and `.xml`), and as WebSocket frames. Every answer is a 2xx for what
//! is valid, else a 4xx in the route's error format — `{"error":{code,message,field}}` for
//! the API (the field named on a 422), the spec's `[{code,description}]` or `<errors>` for
//! Open311 — never a 5xx; a refused request writes nothing to the tenant's stream (its
//! length on the real Redis before and after; only Pantau's own SLA marks may appear);
//! the server stays up. `ok-*` corpus files must pass, `bad-*` ones must be refused.
//!
//! Quick by default (the corpus plus [`QUICK_MUTATIONS`] mutations per target); with
//! `PANTAU_SOAK=1` each target mutates for `PANTAU_SOAK_SECS` (default 60) seconds and
//! prints `soak:` figures. `PANTAU_FUZZ_SEED` picks the mutations (printed on every run).

#[path = "fuzz_http/mutate.rs"]
mod mutate;

use futures_util::{SinkExt, StreamExt};
use mutate::Rng;
use pantau_e2e::{report, workspace_root, Credentials, Pantau, RedisServer, PATIENCE};
use pantau_shared::protocol::ServerMsg;
use reqwest::Method;
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

/// Mutations per target in the quick version.
const QUICK_MUTATIONS: usize = 60;
const TENANT: &str = "tangerang";
const EVENT_FIELDS: &[&str] = &[
    "id",
    "type",
    "at",
    "ticket",
    "expected_version",
    "category",
    "description",
    "lat",
    "lon",
    "address",
    "media_urls",
    "priority",
    "agency",
    "officer",
    "reason",
    "status",
    "reporter",
    "accepted",
    "primary",
    "text",
    "kind",
    "facility",
    "capacity",
];
const REQUEST_PARAMS: &[&str] = &[
    "service_code",
    "lat",
    "long",
    "description",
    "address_string",
    "media_url",
    "email",
];
const UPDATE_PARAMS: &[&str] = &[
    "service_request_id",
    "update_id",
    "status",
    "external_status_code",
    "description",
    "media_url",
    "updated_datetime",
];
const WS_FIELDS: &[&str] = &["type", "tenant", "since", "filters", "token", "agency", "bbox"];
/// The `error` codes a WebSocket session may answer a client with.
const WS_ERROR_CODES: &[&str] = &["bad_message", "unknown_tenant", "unauthorized", "forbidden", "revoked"];

/// The corpus of `target`: `(file name, bytes)`, sorted.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = workspace_root().join("tests/data/fuzz").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "corpus {target}");
    files
}

/// How long each target mutates: `None` for the quick version.
fn soak_budget() -> Option<Duration> {
    (std::env::var("PANTAU_SOAK").ok().as_deref() == Some("1")).then(|| {
        let secs = std::env::var("PANTAU_SOAK_SECS").ok().and_then(|s| s.parse().ok());
        Duration::from_secs(secs.unwrap_or(60))
    })
}

fn rng(target: &str) -> Rng {
    let seed = std::env::var("PANTAU_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    println!("{target}: PANTAU_FUZZ_SEED={seed}");
    Rng::new(seed ^ target.len() as u64)
}

/// A server with a generous key rate (the test is about input, not limits) and two tickets.
struct Rig {
    redis: RedisServer,
    pantau: Pantau,
    key: String,
    tickets: Vec<String>,
}

/// What the server made of one request.
struct Answer {
    status: u16,
    body: String,
}

impl Rig {
    async fn start() -> Rig {
        let redis = RedisServer::start().await;
        let pantau = Pantau::start_with(&redis, &["--key-rate", "1000000", "--key-burst", "1000000"]).await;
        let key = pantau.ingest_key(TENANT).await.expect("an ingest key");
        let mut tickets = Vec::new();
        for description in ["fuzz target A", "fuzz target B"] {
            let (status, body) = pantau.post_event(TENANT, &report(description)).await;
            assert_eq!(status, 202, "{body}");
            tickets.push(body["accepted"][0]["ticket"].as_str().unwrap().to_owned());
        }
        Rig {
            redis,
            pantau,
            key,
            tickets,
        }
    }

    /// The corpus's placeholder ticket ids replaced by the real ones.
    fn with_tickets(&self, body: &[u8]) -> Vec<u8> {
        let text = String::from_utf8_lossy(body);
        if !text.contains("TGR-00000") {
            return body.to_vec();
        }
        let replaced = text
            .replace("TGR-000001", &self.tickets[0])
            .replace("TGR-000002", &self.tickets[1]);
        // Keep invalid bytes invalid: only substitute in bodies that were UTF-8.
        if std::str::from_utf8(body).is_ok() {
            replaced.into_bytes()
        } else {
            body.to_vec()
        }
    }

    /// POST `body` and check the stream: a refusal (any non-2xx) must not have written
    /// anything but Pantau's own marks.
    async fn post(&self, path: &str, content_type: &str, body: Vec<u8>, key: bool) -> Answer {
        let credentials = if key {
            Credentials::Key(&self.key)
        } else {
            Credentials::Nobody
        };
        let before = self.redis.stream_len(TENANT).await;
        let response = self
            .pantau
            .request(Method::POST, path, credentials)
            .header("content-type", content_type)
            .body(body.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("the server answers {path}: {e}"));
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        assert!(
            status < 500,
            "{path} answered {status}: {text}\nrequest: {:?}",
            String::from_utf8_lossy(&body)
        );
        if !(200..300).contains(&status) {
            let written: Vec<Value> = self.redis.stream_events(TENANT).await[before..]
                .iter()
                .map(|(_, e)| e.clone())
                .filter(|e| {
                    !e["type"]
                        .as_str()
                        .is_some_and(|t| t.starts_with("sla.") || t.starts_with("alert."))
                })
                .collect();
            assert!(written.is_empty(), "refused with {status} yet wrote {written:?}");
        }
        Answer { status, body: text }
    }

    /// The server still answers and still ingests.
    async fn still_up(&self) {
        let (status, _) = self.pantau.get_as(Credentials::Nobody, "/healthz").await;
        assert_eq!(status, 200);
        let (status, body) = self.pantau.post_event(TENANT, &report("after the fuzzing")).await;
        assert_eq!(status, 202, "{body}");
    }
}

/// An API answer: 2xx with `accepted`, or a 4xx with the one error body (a 422 names its
/// field). Returns whether it was accepted.
fn check_api(answer: &Answer, what: &str) -> bool {
    let body: Value =
        serde_json::from_str(&answer.body).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", answer.body));
    if (200..300).contains(&answer.status) {
        assert!(body["accepted"].is_array(), "{what}: {body}");
        return true;
    }
    assert!((400..500).contains(&answer.status), "{what}: {}", answer.status);
    let error = &body["error"];
    assert!(error["code"].as_str().is_some_and(|c| !c.is_empty()), "{what}: {body}");
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: {body}"
    );
    if answer.status == 422 {
        assert!(
            error["field"].as_str().is_some_and(|f| !f.is_empty()),
            "{what}: no field in {body}"
        );
    }
    false
}

/// An Open311 answer in the format asked for: 2xx with a document, or the spec's error
/// list whose code is the status. Returns whether it was accepted.
fn check_open311(answer: &Answer, xml: bool, what: &str) -> bool {
    let ok = (200..300).contains(&answer.status);
    assert!(ok || (400..500).contains(&answer.status), "{what}: {}", answer.status);
    if xml {
        assert!(answer.body.starts_with("<?xml"), "{what}: {}", answer.body);
        if !ok {
            let code = format!("<code>{}</code>", answer.status);
            assert!(
                answer.body.contains("<errors><error>") && answer.body.contains(&code),
                "{what}: {}",
                answer.body
            );
            assert!(answer.body.contains("<description>"), "{what}: {}", answer.body);
        }
    } else {
        let body: Value = serde_json::from_str(&answer.body).unwrap_or_else(|e| panic!("{what}: {e}: {}", answer.body));
        let first = &body[0];
        if !ok {
            assert_eq!(first["code"].as_u64(), Some(u64::from(answer.status)), "{what}: {body}");
            assert!(
                first["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{what}: {body}"
            );
        }
    }
    ok
}

/// Figures of one target.
#[derive(Default)]
struct Tally {
    sent: usize,
    accepted: usize,
}

impl Tally {
    fn add(&mut self, accepted: bool) {
        self.sent += 1;
        self.accepted += usize::from(accepted);
    }

    fn print(&self, target: &str, started: Instant) {
        println!("soak: fuzz_http_{target}_requests {}", self.sent);
        println!("soak: fuzz_http_{target}_accepted {}", self.accepted);
        println!("soak: fuzz_http_{target}_refused {}", self.sent - self.accepted);
        println!(
            "soak: fuzz_http_{target}_seconds {:.1}",
            started.elapsed().as_secs_f64()
        );
    }
}

/// Drive `send` over the corpus (checking `ok-`/`bad-`), then over mutations of its
/// seeds for the budget.
async fn drive<F, Fut>(target: &str, seeds_from: &str, mutate: impl Fn(&mut Rng, &[u8]) -> Vec<u8>, send: F)
where
    F: Fn(String, Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    let mut tally = Tally::default();
    let files = corpus(seeds_from);
    for (name, bytes) in &files {
        let accepted = send(name.clone(), bytes.clone()).await;
        if name.starts_with("bad-") {
            assert!(!accepted, "{target}: {name} was accepted");
        }
        tally.add(accepted);
    }
    let mut rng = rng(target);
    let seeds: Vec<_> = files.iter().filter(|(n, _)| n.starts_with("ok-")).collect();
    let budget = soak_budget();
    let mut n = 0usize;
    while budget.map_or(n < QUICK_MUTATIONS, |b| started.elapsed() < b) {
        let (name, seed) = rng.pick(&seeds);
        let body = mutate(&mut rng, seed);
        tally.add(send(format!("mutation {n} of {name}"), body).await);
        n += 1;
    }
    tally.print(target, started);
}

/// Single events: the corpus, then mutations of its valid events.
#[tokio::test]
async fn hostile_events_are_refused_without_writing() {
    let rig = Rig::start().await;
    let path = format!("/api/v1/{TENANT}/events");
    let (rig, path) = (&rig, path.as_str());
    let send = move |name: String, body: Vec<u8>| async move {
        {
            let answer = rig.post(path, "application/json", rig.with_tickets(&body), true).await;
            let accepted = check_api(&answer, &name);
            // Reports and gauges do not depend on a ticket's state: the valid ones pass.
            let stateless = !String::from_utf8_lossy(&body).contains("\"ticket\"");
            if name.starts_with("ok-") && stateless {
                assert!(accepted, "{name}: {} {}", answer.status, answer.body);
            }
            accepted
        }
    };
    drive(
        "events",
        "event_json",
        |rng, seed| mutate::json(rng, seed, EVENT_FIELDS),
        send,
    )
    .await;
    rig.still_up().await;
}

/// NDJSON batches: the corpus, then batches of mutated lines joined by `\n` or `\r\n`.
#[tokio::test]
async fn hostile_batches_are_refused_without_writing() {
    let rig = Rig::start().await;
    let path = format!("/api/v1/{TENANT}/events");
    let lines: Vec<Vec<u8>> = corpus("event_json")
        .into_iter()
        .filter(|(n, _)| n.starts_with("ok-report"))
        .map(|(_, b)| b)
        .collect();
    let (rig, path) = (&rig, path.as_str());
    let send = move |name: String, body: Vec<u8>| async move {
        {
            let answer = rig.post(path, "application/x-ndjson", body, true).await;
            let accepted = check_api(&answer, &name);
            if name.starts_with("ok-") {
                assert!(accepted, "{name}: {} {}", answer.status, answer.body);
            }
            accepted
        }
    };
    let mutate = |rng: &mut Rng, seed: &[u8]| {
        let mut batch: Vec<Vec<u8>> = seed.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
        let i = rng.below(batch.len());
        batch[i] = match rng.below(3) {
            0 => mutate::json(rng, rng_line(&lines, i), EVENT_FIELDS),
            1 => mutate::bytes(rng, batch[i].clone()),
            _ => mutate::json(rng, &batch[i], EVENT_FIELDS),
        };
        let separator: &[u8] = if rng.below(2) == 0 { b"\n" } else { b"\r\n" };
        batch.join(separator)
    };
    drive("ndjson", "ndjson", mutate, send).await;
    rig.still_up().await;
}

fn rng_line(lines: &[Vec<u8>], i: usize) -> &[u8] {
    &lines[i % lines.len()]
}

/// Open311 `POST requests` (form and JSON bodies), answered as `.json` and `.xml`.
#[tokio::test]
async fn hostile_open311_requests_are_refused_without_writing() {
    let rig = Rig::start().await;
    open311("open311_requests", "open311_form", "requests", REQUEST_PARAMS, &rig).await;
    rig.still_up().await;
}

/// Open311 `POST servicerequestupdates` from an agency system, as `.json` and `.xml`.
#[tokio::test]
async fn hostile_open311_updates_are_refused_without_writing() {
    let rig = Rig::start().await;
    open311(
        "open311_updates",
        "open311_updates",
        "servicerequestupdates",
        UPDATE_PARAMS,
        &rig,
    )
    .await;
    rig.still_up().await;
}

async fn open311(target: &str, corpus_name: &str, document: &str, params: &'static [&'static str], rig: &Rig) {
    let flip = std::sync::atomic::AtomicBool::new(false);
    let send = |name: String, body: Vec<u8>| {
        let xml = flip.fetch_xor(true, std::sync::atomic::Ordering::Relaxed);
        async move {
            let ext = if xml { "xml" } else { "json" };
            let path = format!("/open311/v2/{TENANT}/{document}.{ext}");
            let json = body.first() == Some(&b'{') || name.ends_with(".json");
            let content_type = if json {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            };
            let answer = rig.post(&path, content_type, rig.with_tickets(&body), false).await;
            check_open311(&answer, xml, &name)
        }
    };
    let mutate = |rng: &mut Rng, seed: &[u8]| {
        if seed.first() == Some(&b'{') {
            mutate::json(rng, seed, params)
        } else {
            mutate::form(rng, seed, params)
        }
    };
    drive(target, corpus_name, mutate, send).await;
}

/// WebSocket frames from a signed-in browser: after each, a `ping` still gets its `pong`;
/// an oversized frame closes that socket only; nothing is written to the stream.
#[tokio::test]
async fn hostile_websocket_frames_are_answered_and_survived() {
    let rig = Rig::start().await;
    let before = rig.redis.stream_len(TENANT).await;
    let mut ws = connect(&rig).await;
    let started = Instant::now();
    let mut tally = Tally::default();
    let files = corpus("ws");
    for (name, bytes) in &files {
        let refused = exchange(&mut ws, String::from_utf8_lossy(bytes).into_owned(), name).await;
        assert_eq!(refused, name.starts_with("bad-"), "{name}");
        tally.add(!refused);
    }
    let mut rng = rng("ws");
    let seeds: Vec<_> = files.iter().filter(|(n, _)| n.starts_with("ok-")).collect();
    let budget = soak_budget();
    let mut n = 0usize;
    while budget.map_or(n < QUICK_MUTATIONS * 2, |b| started.elapsed() < b) {
        let (name, seed) = rng.pick(&seeds);
        let text = String::from_utf8_lossy(&mutate::json(&mut rng, seed, WS_FIELDS)).into_owned();
        tally.add(!exchange(&mut ws, text, &format!("mutation {n} of {name}")).await);
        n += 1;
    }
    tally.print("ws", started);
    // Beyond the message limit (64 KiB): that socket is closed, the server goes on.
    ws.send(Message::text("x".repeat(70 * 1024))).await.expect("send");
    let closed = tokio::time::timeout(PATIENCE, async {
        while let Some(Ok(frame)) = ws.next().await {
            if let Message::Close(_) = frame {
                break;
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "an oversized frame closes the socket");
    let mut again = connect(&rig).await;
    assert!(
        !exchange(
            &mut again,
            r#"{"type":"subscribe","tenant":"tangerang"}"#.into(),
            "after"
        )
        .await
    );
    assert_eq!(rig.redis.stream_len(TENANT).await, before, "sockets write nothing");
    rig.still_up().await;
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A socket upgraded with the superadmin's cookie.
async fn connect(rig: &Rig) -> Socket {
    let mut request = rig.pantau.ws_url.as_str().into_client_request().unwrap();
    let cookie = HeaderValue::from_str(&rig.pantau.admin.cookie()).unwrap();
    request.headers_mut().insert("cookie", cookie);
    tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket connects")
        .0
}

/// Send `text`, then a ping; read up to the pong. Whether an `error` came before it.
async fn exchange(ws: &mut Socket, text: String, what: &str) -> bool {
    ws.send(Message::text(text.clone())).await.expect("send");
    ws.send(Message::text(r#"{"type":"ping"}"#)).await.expect("send ping");
    let mut refused = false;
    loop {
        let frame = tokio::time::timeout(PATIENCE, ws.next())
            .await
            .unwrap_or_else(|_| panic!("{what}: no pong in time after {text:?}"));
        match frame {
            Some(Ok(Message::Text(t))) => match serde_json::from_str::<ServerMsg>(t.as_str()) {
                Ok(ServerMsg::Pong { .. }) => return refused,
                Ok(ServerMsg::Error { code, .. }) => {
                    assert!(WS_ERROR_CODES.contains(&code.as_str()), "{what}: error {code}");
                    refused = true;
                }
                Ok(_) => {}
                Err(e) => panic!("{what}: not a server message ({e}): {t}"),
            },
            Some(Ok(Message::Close(c))) => panic!("{what}: the server closed the socket ({c:?}) after {text:?}"),
            Some(Ok(_)) => {}
            other => panic!("{what}: socket ended ({other:?}) after {text:?}"),
        }
    }
}
