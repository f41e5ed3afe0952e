//! The time machine end to end (issue 16, item 3): `GET /api/v1/{tenant}/state?at=T` rebuilds
//! the tenant's whole state at a past instant from the nearest kept snapshot and the stream up
//! to T. The test records the live projection (every ticket, whole) at several instants while
//! it writes — reports, assignments, status moves, with kept snapshots every 40 entries — and
//! later asks for each instant: the rebuilt tickets equal the recorded ones exactly. An event
//! appended after T but dated before it is not part of T; a future or missing `at` is refused.

use pantau_e2e::{eventually, report, Pantau, RedisServer};
use serde_json::{json, Value};

/// Every ticket of the live projection, newest first, once it has applied `count` tickets'
/// worth of `versions` (the sum of versions, so status moves are in).
async fn live_tickets(pantau: &Pantau, versions: u64) -> Vec<Value> {
    eventually("the projection to apply every event", || async move {
        let (status, body) = pantau.get("/api/v1/tangerang/tickets?limit=100000").await;
        assert_eq!(status, 200, "{body}");
        let tickets = body["tickets"].as_array().cloned().unwrap_or_default();
        let sum: u64 = tickets.iter().map(|t| t["version"].as_u64().unwrap()).sum();
        (sum == versions).then_some(tickets)
    })
    .await
}

/// The same order the state answer uses: newest first, then by id.
fn ordered(mut tickets: Vec<Value>) -> Vec<Value> {
    tickets.sort_by(|a, b| {
        b["created_at"]
            .as_str()
            .cmp(&a["created_at"].as_str())
            .then_with(|| b["id"].as_str().cmp(&a["id"].as_str()))
    });
    tickets
}

/// Post `n` reports; their tickets.
async fn reports(pantau: &Pantau, n: usize, label: &str) -> Vec<String> {
    let mut tickets = Vec::new();
    for i in 0..n {
        let (status, body) = pantau.post_event("tangerang", &report(&format!("{label} {i}"))).await;
        assert_eq!(status, 202, "{body}");
        tickets.push(body["accepted"][0]["ticket"].as_str().unwrap().to_owned());
    }
    tickets
}

async fn post(pantau: &Pantau, event: Value) {
    let (status, body) = pantau.post_event("tangerang", &event).await;
    assert_eq!(status, 202, "{event} → {body}");
}

/// Now, after a pause so that nothing appended next shares its millisecond.
async fn instant() -> chrono::DateTime<chrono::Utc> {
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let now = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    now
}

#[tokio::test]
async fn any_past_instant_rebuilds_to_what_was_live_then() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start_with(&redis, &["--snapshot-every", "10", "--history-every", "40"]).await;

    // Nothing yet: the state before the first event is empty.
    let t0 = instant().await;
    let first = reports(&pantau, 60, "Sampah tahap satu").await;
    let mut versions = 60;
    let live1 = live_tickets(&pantau, versions).await;
    let t1 = instant().await;

    for ticket in &first[..30] {
        post(
            &pantau,
            json!({"type": "ticket.assigned", "ticket": ticket, "agency": "dlh"}),
        )
        .await;
        post(
            &pantau,
            json!({"type": "ticket.status_changed", "ticket": ticket, "status": "in_progress"}),
        )
        .await;
    }
    versions += 60;
    reports(&pantau, 40, "Sampah tahap dua").await;
    versions += 40;
    let live2 = live_tickets(&pantau, versions).await;
    let t2 = instant().await;

    for ticket in &first[..10] {
        post(
            &pantau,
            json!({"type": "ticket.status_changed", "ticket": ticket, "status": "resolved"}),
        )
        .await;
    }
    // Dated before t1 but appended now: part of the present, not of t1.
    let mut late = report("Laporan susulan");
    late["at"] = (t1 - chrono::Duration::seconds(1)).to_rfc3339().into();
    post(&pantau, late).await;
    versions += 11;
    let live3 = live_tickets(&pantau, versions).await;
    let t3 = instant().await;

    for (at, live, label) in [(t1, &live1, "t1"), (t2, &live2, "t2"), (t3, &live3, "t3")] {
        let path = format!("/api/v1/tangerang/state?at={}", urlencode(&at.to_rfc3339()));
        let (status, body) = pantau.get(&path).await;
        assert_eq!(status, 200, "{label}: {body}");
        assert_eq!(body["type"], "snapshot");
        assert_eq!(body["server_time"].as_i64(), Some(at.timestamp_millis()));
        let rebuilt = body["tickets"].as_array().cloned().unwrap();
        assert_eq!(rebuilt.len(), live.len(), "{label}");
        assert_eq!(rebuilt, ordered(live.clone()), "{label}: the whole projection");
        assert_eq!(
            body["kpis"]["open"],
            json!(live.iter().filter(|t| t["status"] != "resolved").count()),
            "{label}"
        );
        if label == "t3" {
            assert!(
                body["rebuilt"]["from_snapshot"].is_string(),
                "a kept snapshot was used: {}",
                body["rebuilt"]
            );
            assert!(
                body["rebuilt"]["entries"].as_u64().unwrap() < versions,
                "{}",
                body["rebuilt"]
            );
        }
    }

    let (status, body) = pantau
        .get(&format!("/api/v1/tangerang/state?at={}", urlencode(&t0.to_rfc3339())))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tickets"], json!([]));

    let future = chrono::Utc::now() + chrono::Duration::hours(1);
    for path in [
        format!("/api/v1/tangerang/state?at={}", urlencode(&future.to_rfc3339())),
        "/api/v1/tangerang/state".to_owned(),
        "/api/v1/tangerang/state?at=kemarin".to_owned(),
    ] {
        let (status, body) = pantau.get(&path).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert_eq!(body["error"]["field"], "at", "{path}: {body}");
    }
}

fn urlencode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}

/// The socket's replay mode: subscribe with `replay` from a past instant and get the state
/// then (the same tickets as `GET /state`), the stream played forward with the replayed
/// instant as `server_time`, pause (the clock stands still), seek (a fresh snapshot of that
/// instant), and — at top speed — the hand-over to live once the present is reached.
#[tokio::test]
async fn the_socket_plays_the_past_forward_pauses_seeks_and_returns_to_live() {
    use pantau_shared::protocol::ServerMsg;
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let first = reports(&pantau, 20, "Banjir tahap satu").await;
    let live1 = live_tickets(&pantau, 20).await;
    let t1 = instant().await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for ticket in &first[..5] {
        post(
            &pantau,
            json!({"type": "ticket.assigned", "ticket": ticket, "agency": "bpbd"}),
        )
        .await;
    }
    reports(&pantau, 10, "Banjir tahap dua").await;
    let live2 = live_tickets(&pantau, 35).await;
    let t2 = instant().await;

    let mut ws = pantau_e2e::WsClient::connect(&pantau.ws_url, Some(&pantau.admin)).await;
    ws.send_json(
        &json!({"type": "subscribe", "tenant": "tangerang", "replay": {"from": t1.timestamp_millis(), "speed": 1}}),
    )
    .await;
    let ServerMsg::Snapshot {
        server_time, tickets, ..
    } = ws.next().await
    else {
        panic!("a snapshot first")
    };
    assert_eq!(server_time, t1.timestamp_millis());
    assert_eq!(serde_json::to_value(&tickets).unwrap(), json!(ordered(live1.clone())));
    let ServerMsg::Replay {
        at,
        paused: false,
        live: false,
        ..
    } = ws.next().await
    else {
        panic!("the replay clock")
    };
    assert_eq!(at, t1.timestamp_millis());

    // Pause: the clock stands still.
    ws.send_json(&json!({"type": "replay_control", "paused": true})).await;
    let paused_at = loop {
        if let ServerMsg::Replay { at, paused: true, .. } = ws.next().await {
            break at;
        }
    };
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    ws.send_json(&json!({"type": "ping"})).await;
    loop {
        match ws.next().await {
            ServerMsg::Pong { .. } => break,
            ServerMsg::Replay { at, .. } => assert_eq!(at, paused_at, "a paused clock does not move"),
            ServerMsg::Deltas { .. } => panic!("no events while paused"),
            _ => {}
        }
    }

    // Seek to t2: a fresh snapshot equal to the state then.
    ws.send_json(&json!({"type": "replay_control", "seek": t2.timestamp_millis()}))
        .await;
    let tickets = loop {
        if let ServerMsg::Snapshot {
            server_time, tickets, ..
        } = ws.next().await
        {
            assert_eq!(server_time, t2.timestamp_millis());
            break tickets;
        }
    };
    assert_eq!(serde_json::to_value(&tickets).unwrap(), json!(ordered(live2)));

    // Back to t1 and play at top speed: the assignments and the second reports arrive as
    // deltas, in order, dated by the replayed clock, then the session hands over to live.
    ws.send_json(&json!({"type": "replay_control", "seek": t1.timestamp_millis(), "paused": false, "speed": 1000}))
        .await;
    let mut events = Vec::new();
    let mut last_time = 0;
    loop {
        match ws.next().await {
            ServerMsg::Deltas {
                server_time,
                events: batch,
                ..
            } => {
                assert!(server_time >= last_time && server_time <= t2.timestamp_millis() + 60_000);
                last_time = server_time;
                events.extend(batch);
            }
            ServerMsg::Replay { live: true, .. } => break,
            _ => {}
        }
    }
    assert_eq!(events.len(), 15, "5 assignments and 10 reports");
    // Live again: a snapshot of the present follows.
    let ServerMsg::Snapshot { tickets, .. } = ws.next().await else {
        panic!("live snapshot")
    };
    assert_eq!(tickets.len(), 30);
}

/// The attribute `name` of the first element matching `css`, read fresh each time (the
/// wall re-renders as data arrives).
async fn attr(wall: &pantau_e2e::browser::Wall, css: &str, name: &str) -> Option<String> {
    let el = wall.find(fantoccini::Locator::Css(css)).await.ok()?;
    el.attr(name).await.ok()?
}

/// The tickets the urgent list shows, top first.
async fn urgent_tickets(wall: &pantau_e2e::browser::Wall) -> Vec<String> {
    let mut tickets = Vec::new();
    for item in wall
        .find_all(fantoccini::Locator::Css("[data-testid=urgent-item]"))
        .await
        .unwrap_or_default()
    {
        if let Ok(Some(t)) = item.attr("data-ticket").await {
            tickets.push(t);
        }
    }
    tickets
}

/// The wall's time machine in a real Chromium (item 4 and 5): a wall opened on the past
/// (`?replay=-1h`) says PUTAR ULANG in its header and its bar; paused and scrubbed to an
/// instant between two breached reports it shows the city as it was — one marker, only the
/// first report in the urgent list, the replayed time in WIB on the badge; "Kembali ke
/// LANGSUNG" brings back the live wall with both. Screenshot kept.
#[tokio::test]
async fn the_wall_scrubs_back_to_the_past_and_returns_to_live() {
    use pantau_e2e::browser::open_wall;
    use pantau_e2e::dated_report;
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    pantau.wait_ready().await;
    let first = dated_report("Banjir sejak semalam", "banjir", chrono::Duration::hours(20));
    let (status, body) = pantau.post_event("tangerang", &first).await;
    assert_eq!(status, 202, "{body}");
    let first = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let between = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let second = dated_report("Jalan berlubang besar", "jalan_rusak", chrono::Duration::hours(30));
    let (status, body) = pantau.post_event("tangerang", &second).await;
    assert_eq!(status, 202, "{body}");
    let second = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();

    let url = format!("{}/?tenant=tangerang&replay=-1h&speed=1", pantau.base);
    let wall = open_wall(&url, &pantau.admin, 1920, 1080).await;
    wall.wait_for("[data-testid=conn-status][data-state=replay]").await;
    wall.wait_for("[data-testid=replay-bar][data-replaying=true]").await;
    wall.wait_for("[data-testid=map][data-markers='0']").await;
    assert!(wall
        .text("[data-testid=replay-badge]")
        .await
        .starts_with("PUTAR ULANG "));

    // Pause, then scrub to the instant between the reports.
    wall.find(fantoccini::Locator::Css("[data-testid=replay-toggle]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    eventually("the replay to pause", || async {
        wall.text("[data-testid=replay-toggle]")
            .await
            .contains("Putar")
            .then_some(())
    })
    .await;
    let secs = between.timestamp();
    wall.execute(
        "const s = document.querySelector('[data-testid=replay-seek]'); s.value = arguments[0]; \
         s.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![json!(secs.to_string())],
    )
    .await
    .unwrap();
    let wib = chrono::DateTime::from_timestamp(secs, 0).unwrap() + chrono::Duration::hours(7);
    let badge = format!("PUTAR ULANG {} WIB", wib.format("%d-%m-%Y %H:%M:%S"));
    eventually("the badge to show the scrubbed instant", || async {
        (wall.text("[data-testid=replay-badge]").await == badge).then_some(())
    })
    .await;
    wall.wait_for("[data-testid=map][data-markers='1']").await;
    let past = eventually("the past's urgent list", || async {
        let tickets = urgent_tickets(&wall).await;
        (!tickets.is_empty()).then_some(tickets)
    })
    .await;
    assert_eq!(past, vec![first.clone()], "only the first report existed then");
    assert_eq!(
        attr(&wall, "[data-testid=urgent-item]", "data-breached")
            .await
            .as_deref(),
        Some("true"),
        "its countdown at the replayed instant is overdue"
    );
    assert_eq!(wall.text("[data-testid=kpi-open]").await, "1");
    wall.save_screenshot("wall-replay-1920x1080.png").await;

    // One click back to live: both reports.
    wall.find(fantoccini::Locator::Css("[data-testid=replay-live]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wall.wait_for("[data-testid=conn-status][data-state=live]").await;
    wall.wait_for("[data-testid=map][data-markers='2']").await;
    let live = eventually("both reports in the urgent list", || async {
        let tickets = urgent_tickets(&wall).await;
        (tickets.len() == 2).then_some(tickets)
    })
    .await;
    assert!(live.contains(&first) && live.contains(&second), "{live:?}");
    assert!(
        wall.find(fantoccini::Locator::Css(
            "[data-testid=replay-bar][data-replaying=true]"
        ))
        .await
        .is_err(),
        "the replay bar is gone"
    );
    wall.close().await;
}
