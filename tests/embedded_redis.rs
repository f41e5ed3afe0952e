//! `pantau serve` without a Redis URL runs its own redis-server and heals it: the private
//! Redis is killed (`kill -9`) while reports stream in; Pantau reaps it, starts it again
//! on the same port and data directory, and everything recovers without a restart —
//! readiness, ingest (clients retry the same event ids on 503), the stream (every
//! acknowledged report exactly once, thanks to `appendfsync always` and dedupe by id) and
//! live sockets (a reconnecting wall resumes and gets the new reports).

use pantau_e2e::pantau::embedded_redis;
use pantau_e2e::{eventually, report, stream_key, Credentials, Pantau, WsClient, PATIENCE};
use pantau_shared::cursor::Cursor;
use pantau_shared::protocol::{ClientMsg, ServerMsg};
use redis::streams::StreamRangeReply;
use redis::AsyncCommands;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Reports the poster sends in all.
const TOTAL: usize = 60;
/// Acknowledged reports before the private Redis is killed.
const KILL_AFTER: usize = 20;

/// A fresh data directory, and on drop (also when a test fails) the end of every private
/// redis-server seen (they outlive a `pantau` killed by the harness) and of the directory.
struct DataDir {
    path: PathBuf,
    redis_pids: std::sync::Mutex<Vec<u32>>,
}

impl DataDir {
    fn new() -> DataDir {
        let path = std::env::temp_dir().join(format!("pantau-embedded-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        DataDir {
            path,
            redis_pids: Default::default(),
        }
    }

    /// The private redis-server of `pantau` (remembered for clean-up): pid and port.
    fn redis_of(&self, pantau: &Pantau) -> Option<(u32, u16)> {
        let found = embedded_redis(pantau.pid())?;
        self.redis_pids.lock().unwrap().push(found.0);
        Some(found)
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        for pid in self.redis_pids.lock().unwrap().iter() {
            signal(*pid, "-KILL");
        }
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn signal(pid: u32, sig: &str) -> bool {
    std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether process `pid` still exists (a zombie counts: it has not been reaped).
fn exists(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// The event id of report `i`.
fn event_id(i: usize) -> String {
    format!("0193a5c0-0000-7000-8000-{:012x}", 0xe3b0_0000 + i)
}

/// The ids of the events in `tenant`'s stream, and how often each occurs.
async fn stored_ids(redis_url: &str, tenant: &str) -> HashMap<String, usize> {
    let mut conn = redis::Client::open(redis_url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .expect("the private redis-server answers");
    let range: StreamRangeReply = conn.xrange_all(stream_key(tenant)).await.unwrap();
    let mut counts = HashMap::new();
    for entry in range.ids {
        let json: String = entry.get("event").expect("every entry has an event");
        let event: serde_json::Value = serde_json::from_str(&json).unwrap();
        *counts.entry(event["id"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn private_redis_is_restarted_after_kill_9() {
    let data = DataDir::new();
    let pantau = Pantau::start_embedded(&data.path, &[]).await;
    pantau.wait_ready().await;
    let (first_pid, port) = data.redis_of(&pantau).expect("pantau runs a private redis-server");
    let redis_url = format!("redis://127.0.0.1:{port}");
    let key = pantau.ingest_key("tangerang").await.expect("tangerang exists");

    // A wall subscribed before the kill (after a first report, so its cursor names an
    // entry): that cursor is where a reconnect resumes.
    let mut opening = report("sebelum");
    opening["id"] = event_id(TOTAL + 1).into();
    let (status, _) = pantau
        .post_event_as(Credentials::Key(&key), "tangerang", &opening)
        .await;
    assert_eq!(status, 202);
    let (wall, first) = pantau.subscribe("tangerang").await;
    let ServerMsg::Snapshot { cursor: before, .. } = first else {
        panic!("expected a snapshot, got {first:?}");
    };

    let sent = AtomicUsize::new(0);
    let acknowledged = AtomicUsize::new(0);
    let poster = async {
        let mut acked = Vec::new();
        let refusals = AtomicUsize::new(0);
        for i in 0..TOTAL {
            let mut event = report(&format!("laporan {i}"));
            event["id"] = event_id(i).into();
            // Retry the same id on 503 (as a client should), until Redis is back.
            eventually(&format!("report {i} to be acknowledged"), || async {
                sent.fetch_add(1, Ordering::SeqCst);
                let (status, body) = pantau.post_event_as(Credentials::Key(&key), "tangerang", &event).await;
                match status {
                    200..=299 => Some(()),
                    503 => {
                        refusals.fetch_add(1, Ordering::SeqCst);
                        None
                    }
                    other => panic!("report {i}: {other} {body}"),
                }
            })
            .await;
            acked.push(event_id(i));
            acknowledged.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        (acked, refusals.into_inner())
    };
    let killer = async {
        eventually("reports to be acknowledged", || async {
            (acknowledged.load(Ordering::SeqCst) >= KILL_AFTER).then_some(())
        })
        .await;
        assert!(signal(first_pid, "-KILL"), "kill -9 {first_pid}");
    };
    let ((acked, refusals), ()) = tokio::join!(poster, killer);

    // The dead child was reaped (no zombie) and a new one runs on the same port.
    eventually("the killed redis-server to be reaped", || async {
        (!exists(first_pid)).then_some(())
    })
    .await;
    let (second_pid, second_port) = eventually("a new private redis-server", || async {
        data.redis_of(&pantau).filter(|(pid, _)| *pid != first_pid)
    })
    .await;
    assert_eq!(second_port, port, "restarted on the same port");
    pantau.wait_ready().await;

    let stored = stored_ids(&redis_url, "tangerang").await;
    println!(
        "sent {} posts ({refusals} refused with 503), {} reports acknowledged, {} stored",
        sent.load(Ordering::SeqCst),
        acked.len(),
        stored.len()
    );
    assert_eq!(acked.len(), TOTAL, "every report was acknowledged in the end");
    for id in &acked {
        assert_eq!(stored.get(id), Some(&1), "acknowledged {id} is stored exactly once");
    }
    assert_eq!(stored.len(), TOTAL + 1, "nothing unacknowledged is stored");

    // A wall that reconnects resumes from its cursor and gets every report since, then
    // new reports live.
    drop(wall);
    let (mut wall, first) = pantau
        .subscribe_with(ClientMsg::Subscribe {
            tenant: "tangerang".into(),
            since: Some(before),
            filters: Default::default(),
            token: None,
        })
        .await;
    let (replayed, cursor) = collect(&mut wall, Some(first), before, TOTAL).await;
    assert_eq!(replayed, acked.iter().cloned().collect::<HashSet<_>>());
    let mut late = report("setelah pulih");
    late["id"] = event_id(TOTAL).into();
    let (status, _) = pantau.post_event_as(Credentials::Key(&key), "tangerang", &late).await;
    assert_eq!(status, 202);
    let (live, _) = collect(&mut wall, None, cursor, 1).await;
    assert_eq!(live, HashSet::from([event_id(TOTAL)]));

    // SIGTERM: Pantau stops its private Redis on the way out.
    drop(wall);
    assert!(signal(pantau.pid(), "-TERM"));
    eventually("the private redis-server to stop with pantau", || async {
        (!exists(second_pid)).then_some(())
    })
    .await;
}

/// Event ids from `deltas` (starting with `first`, if given) until `n` arrived; status,
/// heartbeat and `resumed` frames are skipped. Panics after [`PATIENCE`] without a delta.
async fn collect(
    wall: &mut WsClient,
    first: Option<ServerMsg>,
    mut cursor: Cursor,
    n: usize,
) -> (HashSet<String>, Cursor) {
    let mut ids = HashSet::new();
    let mut next = first;
    let mut last_delta = tokio::time::Instant::now();
    while ids.len() < n {
        assert!(
            last_delta.elapsed() < PATIENCE,
            "no deltas for {PATIENCE:?}; have {} of {n}",
            ids.len()
        );
        let msg = match next.take() {
            Some(msg) => msg,
            None => wall.next().await,
        };
        match msg {
            ServerMsg::Deltas { from, to, events, .. } => {
                assert_eq!(from, cursor, "deltas continue the previous frame");
                cursor = to;
                ids.extend(events.into_iter().map(|e| e.id));
                last_delta = tokio::time::Instant::now();
            }
            ServerMsg::Status { .. } | ServerMsg::Heartbeat { .. } | ServerMsg::Resumed { .. } => {}
            other => panic!("expected deltas, got {other:?}"),
        }
    }
    assert_eq!(ids.len(), n, "no more than expected");
    (ids, cursor)
}
