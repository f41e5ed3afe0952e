//! The server killed with `SIGKILL` again and again under sustained ingest (issue 15, item 1):
//! several clients post single reports and NDJSON batches with their own event ids and,
//! on a connection error or a 5xx, retry the same ids until the server is back on the same
//! port; a WebSocket client follows the stream and, when its socket drops, resumes with its
//! last cursor. Redis is a separate process and survives every kill.
//!
//! Afterwards every acknowledged (2xx) event is in the stream exactly once (read with XRANGE
//! directly), nothing is stored that was not sent, and the socket client holds exactly the
//! stream: every event once, in stream order. A `resync` is allowed only when the client fell
//! behind (never `unknown_cursor` or `gap`: a restarted server must not lose its place), and
//! its snapshot plus the deltas after it must add up to the stream. It prints `soak:` figures (sent,
//! acknowledged, stored, delivered) with `--nocapture`.
//!
//! Quick by default (4 kills, a few seconds apart); `PANTAU_SOAK=1` runs the same code with
//! 30 kills over `PANTAU_SOAK_SECS` (150 s unless set).

use pantau_e2e::follow::Follower;
use pantau_e2e::{report, stream_key, Pantau, RedisServer};
use pantau_shared::cursor::Cursor;
use redis::streams::StreamRangeReply;
use redis::AsyncCommands;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TENANT: &str = "tangerang";
/// Concurrent ingest clients.
const CLIENTS: usize = 4;
/// Extra `serve` flags: projection snapshots often, so restarts load one and replay only the
/// tail; a socket snapshot (after a resync) holds every ticket, so it can be checked whole.
const SERVE_FLAGS: &[&str] = &["--snapshot-every", "500", "--snapshot-max-tickets", "1000000"];
/// How long one event (or batch) may go unacknowledged before the test calls it a hang.
const ACK_WITHIN: Duration = Duration::from_secs(60);
/// How long the socket client may take to reach the stream's end once ingest stopped.
const DELIVER_WITHIN: Duration = Duration::from_secs(120);

/// How hard this run is: the quick version in scripts/test, the long one with PANTAU_SOAK=1.
struct Plan {
    kills: usize,
    /// Mean time between kills (each one is jittered by ±50%).
    every: Duration,
}

impl Plan {
    fn from_env() -> Plan {
        if std::env::var("PANTAU_SOAK").is_ok_and(|v| v == "1") {
            let secs: u64 = std::env::var("PANTAU_SOAK_SECS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(150);
            let kills = 30;
            Plan {
                kills,
                every: Duration::from_millis(secs * 1000 / kills as u64),
            }
        } else {
            Plan {
                kills: 4,
                every: Duration::from_secs(4),
            }
        }
    }

    /// The wait before kill `k`: 50–150% of the mean, so kills land in different phases
    /// (mid-batch, mid-catch-up, mid-snapshot).
    fn wait_before(&self, k: usize) -> Duration {
        let percent = 50 + (k as u64 * 37) % 101;
        self.every * percent as u32 / 100
    }
}

/// What the ingest clients did, shared by all of them.
#[derive(Default)]
struct Ledger {
    /// Every event id posted at least once.
    sent: HashSet<String>,
    /// Every event id that got a 2xx naming it.
    acknowledged: HashSet<String>,
    /// HTTP requests made (first tries and retries).
    requests: usize,
    /// Requests that failed (no answer, or a 5xx) and were sent again.
    retries: usize,
    /// Acknowledged events the server said were duplicates (the write had landed before
    /// the kill cut its answer off).
    duplicates: usize,
}

/// The event id of client `client`'s event `n`.
fn event_id(client: usize, n: usize) -> String {
    format!("0193a5c0-0000-7000-8{client:03x}-{n:012x}")
}

/// One ingest client: singles and NDJSON batches of 2–20 until `stop`, each retried with the
/// same ids until acknowledged. `Err` on a refusal or when an event is not acknowledged
/// within [`ACK_WITHIN`].
async fn ingest(
    client: usize,
    base: String,
    key: String,
    stop: Arc<AtomicBool>,
    ledger: Arc<Mutex<Ledger>>,
) -> Result<(), String> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client");
    let url = format!("{base}/api/v1/{TENANT}/events");
    let mut next = 0;
    let mut round = 0usize;
    while !stop.load(Ordering::SeqCst) {
        let size = if round.is_multiple_of(3) {
            1
        } else {
            2 + (round * 7) % 19
        };
        round += 1;
        let ids: Vec<String> = (0..size)
            .map(|_| {
                next += 1;
                event_id(client, next)
            })
            .collect();
        let lines: Vec<String> = ids
            .iter()
            .map(|id| {
                let mut event = report(&format!("klien {client} laporan {id}"));
                event["id"] = id.as_str().into();
                event.to_string()
            })
            .collect();
        let (content_type, body) = match size {
            1 => ("application/json", lines[0].clone()),
            _ => ("application/x-ndjson", lines.join("\n") + "\n"),
        };
        ledger.lock().unwrap().sent.extend(ids.iter().cloned());
        let started = Instant::now();
        let answer = loop {
            ledger.lock().unwrap().requests += 1;
            let sent = http
                .post(&url)
                .bearer_auth(&key)
                .header("content-type", content_type)
                .body(body.clone())
                .send()
                .await;
            let failure = match sent {
                Ok(response) if response.status().is_success() => {
                    let status = response.status().as_u16();
                    match response.json::<serde_json::Value>().await {
                        Ok(answer) if status == 202 => break answer,
                        Ok(answer) => return Err(format!("client {client}: {status} {answer}")),
                        Err(e) => format!("a 2xx whose body broke off: {e}"),
                    }
                }
                Ok(response) if response.status().is_server_error() => format!("{}", response.status()),
                Ok(response) => {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    return Err(format!("client {client}: refused {status} {text}"));
                }
                Err(e) => format!("no answer: {e}"),
            };
            if started.elapsed() > ACK_WITHIN {
                return Err(format!(
                    "client {client}: {ids:?} not acknowledged within {ACK_WITHIN:?}; last: {failure}"
                ));
            }
            ledger.lock().unwrap().retries += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let accepted = answer["accepted"].as_array().cloned().unwrap_or_default();
        let named: Vec<&str> = accepted.iter().filter_map(|a| a["id"].as_str()).collect();
        if named != ids {
            return Err(format!("client {client}: acknowledged {named:?}, sent {ids:?}"));
        }
        {
            let mut ledger = ledger.lock().unwrap();
            ledger.acknowledged.extend(ids);
            ledger.duplicates += accepted.iter().filter(|a| a["duplicate"] == true).count();
        }
        // Sustained, not flat out: the two cores are shared.
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    Ok(())
}

/// SIGKILL, nothing gentler.
fn kill_9(pid: u32) {
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success());
    assert!(killed, "kill -9 {pid}");
}

/// Each stored entry: its stream id, event id and ticket — read with XRANGE directly, in
/// pages (the long run's stream is too long for one answer within the client's timeout).
async fn stored(redis: &RedisServer) -> Vec<(Cursor, String, String)> {
    let client = redis::Client::open(redis.url.as_str()).expect("a Redis URL");
    let mut conn = client.get_multiplexed_async_connection().await.expect("Redis answers");
    conn.set_response_timeout(Duration::from_secs(60));
    let mut entries = Vec::new();
    let mut start = "-".to_owned();
    loop {
        let page: StreamRangeReply = conn
            .xrange_count(stream_key(TENANT), &start, "+", 10_000)
            .await
            .expect("XRANGE answers");
        let Some(last) = page.ids.last() else { break };
        start = format!("({}", last.id);
        for entry in page.ids {
            let json: String = entry.get("event").expect("every entry has an event");
            let event: serde_json::Value = serde_json::from_str(&json).expect("stored events are JSON");
            let text = |f: &str| event[f].as_str().unwrap_or_default().to_owned();
            entries.push((
                entry.id.parse().expect("stream ids are cursors"),
                text("id"),
                text("ticket"),
            ));
        }
    }
    entries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_events_survive_repeated_kill_9_of_the_server() {
    let plan = Plan::from_env();
    let redis = RedisServer::start().await;
    let port = pantau_e2e::free_port();
    let mut pantau = Pantau::start_on(&redis, port, SERVE_FLAGS).await;
    pantau.wait_ready().await;
    let key = pantau.ingest_key(TENANT).await.expect("the tenant exists");

    // The wall-like client, from a snapshot of the empty stream taken before any ingest.
    let follower = Follower::start(&pantau.ws_url, &pantau.admin, TENANT);
    pantau_e2e::eventually("the socket client's snapshot", || async {
        (follower.state().snapshots == 1).then_some(())
    })
    .await;

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let stop_ingest = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            tokio::spawn(ingest(
                c,
                pantau.base.clone(),
                key.clone(),
                stop_ingest.clone(),
                ledger.clone(),
            ))
        })
        .collect();

    let mut slowest_restart = Duration::ZERO;
    for k in 0..plan.kills {
        tokio::time::sleep(plan.wait_before(k)).await;
        kill_9(pantau.pid());
        drop(pantau); // reaps it
        let restarting = Instant::now();
        pantau = Pantau::start_on(&redis, port, SERVE_FLAGS).await;
        slowest_restart = slowest_restart.max(restarting.elapsed());
    }
    // A last stretch of ingest on the final server, then stop and let every client finish
    // its event in flight.
    tokio::time::sleep(plan.every / 2).await;
    stop_ingest.store(true, Ordering::SeqCst);
    for client in clients {
        client
            .await
            .expect("the client task ran")
            .unwrap_or_else(|e| panic!("{e}"));
    }
    pantau.wait_ready().await;

    let stream = stored(&redis).await;
    let head = stream.last().map(|(c, _, _)| *c).unwrap_or_default();
    let deadline = Instant::now() + DELIVER_WITHIN;
    while follower.state().cursor < head {
        assert!(Instant::now() < deadline, "the socket client did not reach {head}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let follower = follower.stop();
    let ledger = ledger.lock().unwrap();
    println!("soak: server kills (SIGKILL): {}", plan.kills);
    println!("soak: slowest restart to answering: {} ms", slowest_restart.as_millis());
    println!("soak: events sent: {}", ledger.sent.len());
    println!(
        "soak: HTTP requests: {} ({} retried after no answer or a 5xx)",
        ledger.requests, ledger.retries
    );
    println!("soak: events acknowledged (2xx): {}", ledger.acknowledged.len());
    println!(
        "soak: acknowledged as duplicates (written before the kill): {}",
        ledger.duplicates
    );
    println!("soak: events stored: {}", stream.len());
    println!("soak: events delivered to the socket client: {}", follower.delivered);
    println!("soak: socket reconnects: {}", follower.reconnects);
    println!(
        "soak: socket resyncs: {} {:?}",
        follower.resyncs.len(),
        follower.resyncs
    );

    // The stream: every acknowledged event exactly once, nothing that was not sent.
    let mut copies: HashMap<&str, usize> = HashMap::new();
    for (_, id, _) in &stream {
        *copies.entry(id.as_str()).or_default() += 1;
    }
    let missing: Vec<_> = ledger
        .acknowledged
        .iter()
        .filter(|id| !copies.contains_key(id.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged events are not stored: {missing:.5?}",
        missing.len()
    );
    let doubled: Vec<_> = copies.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        doubled.is_empty(),
        "{} events stored more than once: {doubled:.5?}",
        doubled.len()
    );
    let unknown: Vec<_> = copies.keys().filter(|id| !ledger.sent.contains(**id)).collect();
    assert!(unknown.is_empty(), "stored but never sent: {unknown:.5?}");
    assert_eq!(
        ledger.acknowledged.len(),
        ledger.sent.len(),
        "every client finished its event in flight"
    );

    // The socket client: its last snapshot and the deltas after it are the stream. A resync
    // is allowed when the client fell behind, never because a restarted server lost its
    // place (its cursor looked unknown, or its frames did not continue).
    assert!(follower.violations.is_empty(), "{:?}", follower.violations);
    let lost: Vec<_> = follower
        .resyncs
        .iter()
        .filter(|r| matches!(r.as_str(), "unknown_cursor" | "gap"))
        .collect();
    assert!(
        lost.is_empty(),
        "a reconnecting client could not resume with its cursor: {lost:?}"
    );
    let (before, after): (Vec<_>, Vec<_>) = stream.iter().partition(|(c, _, _)| *c <= follower.base);
    let tickets: HashSet<String> = before.iter().map(|(_, _, t)| t.clone()).collect();
    assert_eq!(
        tickets, follower.base_tickets,
        "the snapshot holds the stream up to its cursor"
    );
    let expected: Vec<&str> = after.iter().map(|(_, id, _)| id.as_str()).collect();
    let got: Vec<&str> = follower.events.iter().map(String::as_str).collect();
    if let Some(i) = got.iter().zip(&expected).position(|(g, e)| g != e) {
        panic!(
            "the socket's event {i} is {} where the stream has {}",
            got[i], expected[i]
        );
    }
    assert_eq!(
        got.len(),
        expected.len(),
        "the socket client got every event exactly once"
    );
}
