//! Realtime delivery with real WebSocket clients against the real binary and Redis:
//! delivery and tenant isolation, gap-free resume after 1,000 missed events, a client that
//! never reads not holding back 50 others, filters, two server processes on one Redis, and
//! Redis stopped and restarted under a connected wall.

use pantau_e2e::{eventually, report, report_batch, report_in, Pantau, RedisServer, WsClient};
use pantau_shared::cursor::Cursor;
use pantau_shared::event::EventBody;
use pantau_shared::protocol::{ClientMsg, Filters, LinkState, ServerMsg};
use serde_json::json;
use std::time::Duration;

fn deltas(msg: ServerMsg) -> Vec<pantau_shared::event::Event> {
    match msg {
        ServerMsg::Deltas { events, .. } => events,
        other => panic!("expected deltas, got {other:?}"),
    }
}

/// Same ids in the same order; on failure names the first difference (not 2,000 ids).
fn assert_same_ids(got: &[String], expected: &[String]) {
    if let Some(i) = got.iter().zip(expected).position(|(g, e)| g != e) {
        panic!("event {i} differs: got {} expected {}", got[i], expected[i]);
    }
    assert_eq!(got.len(), expected.len(), "every event exactly once");
}

fn snapshot_cursor(msg: &ServerMsg) -> Cursor {
    match msg {
        ServerMsg::Snapshot { cursor, .. } => *cursor,
        other => panic!("expected snapshot, got {other:?}"),
    }
}

fn subscribe(tenant: &str, since: Option<Cursor>, filters: Filters) -> ClientMsg {
    ClientMsg::Subscribe {
        tenant: tenant.into(),
        since,
        filters,
        token: None,
    }
}

/// A client subscribed before the POST receives the event, with its ticket, via the tailer.
#[tokio::test]
async fn subscriber_receives_posted_event() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (mut client, first) = pantau.subscribe("tangerang").await;
    match first {
        ServerMsg::Snapshot {
            tickets, tenant, kpis, ..
        } => {
            assert!(tickets.is_empty());
            assert_eq!(kpis.total, 0);
            assert_eq!(tenant.zone_label, "WIB");
        }
        other => panic!("expected snapshot, got {other:?}"),
    }
    let (status, body) = pantau
        .post_event("tangerang", &report("Jalan berlubang di Jl. Hasyim Ashari"))
        .await;
    assert_eq!(status, 202);
    let events = deltas(client.next().await);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].id, body["accepted"][0]["id"].as_str().unwrap());
    assert_eq!(events[0].ticket.as_deref(), Some("TGR-000001"));
    let EventBody::ReportReceived(r) = &events[0].body else {
        panic!("expected a report")
    };
    assert_eq!(r.description, "Jalan berlubang di Jl. Hasyim Ashari");
}

/// Tenants never see each other's events.
#[tokio::test]
async fn tenants_are_isolated() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (mut banjar, _) = pantau.subscribe("banjar").await;
    let (mut tangerang, _) = pantau.subscribe("tangerang").await;
    pantau.post_event("tangerang", &report("di Tangerang")).await;
    let mut banjar_report = report("di Martapura");
    banjar_report["lat"] = (-3.41).into();
    banjar_report["lon"] = 114.85.into();
    let (status, body) = pantau.post_event("banjar", &banjar_report).await;
    assert_eq!(status, 202, "{body}");

    let seen = deltas(banjar.next().await);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].tenant, "banjar");
    assert_eq!(seen[0].ticket.as_deref(), Some("BJR-000001"));
    let seen = deltas(tangerang.next().await);
    assert!(seen.iter().all(|e| e.tenant == "tangerang"));
    assert!(banjar.next_within(Duration::from_millis(300)).await.is_none());
}

/// A client that reconnects with its cursor after 1,000 events were ingested receives all
/// 1,000, exactly once and in order, as deltas continuing from its cursor — then live ones.
#[tokio::test]
async fn resume_replays_every_missed_event_once_in_order() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    pantau.post_event("tangerang", &report("sebelum")).await;
    let (mut client, first) = pantau.subscribe("tangerang").await;
    let mut cursor = snapshot_cursor(&first);
    if cursor == Cursor::ZERO {
        // The report may have reached the stream but not yet this process's projection.
        cursor = client.collect_events(cursor, 1).await.1;
    }
    drop(client);

    let mut posted = Vec::new();
    for batch in 0..10 {
        let (body, ids) = report_batch(&format!("batch {batch}"), 100);
        let (status, answer) = pantau.post_batch("tangerang", body).await;
        assert_eq!(status, 202, "{answer}");
        posted.extend(ids);
    }

    let (mut client, first) = pantau
        .subscribe_with(subscribe("tangerang", Some(cursor), Filters::default()))
        .await;
    let mut events = deltas(first.clone());
    let ServerMsg::Deltas { from, to, .. } = first else {
        unreachable!()
    };
    assert_eq!(from, cursor, "the replay starts at the client's cursor");
    let (rest, last) = client.collect_events(to, 1000 - events.len()).await;
    events.extend(rest);
    let got: Vec<_> = events.iter().map(|e| e.id.clone()).collect();
    assert_same_ids(&got, &posted);

    let (_, live) = pantau.post_event("tangerang", &report("sesudah")).await;
    let (after, _) = client.collect_events(last, 1).await;
    assert_eq!(after[0].id, live["accepted"][0]["id"].as_str().unwrap());
}

/// A cursor the server never issued (from another Redis, say) gets resync and a snapshot.
#[tokio::test]
async fn unknown_cursor_gets_resync_and_snapshot() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let future = Cursor {
        ms: u64::MAX / 2,
        seq: 0,
    };
    let (mut client, first) = pantau
        .subscribe_with(subscribe("tangerang", Some(future), Filters::default()))
        .await;
    assert!(
        matches!(first, ServerMsg::Resync { ref reason, .. } if reason == "unknown_cursor"),
        "{first:?}"
    );
    assert!(matches!(client.next().await, ServerMsg::Snapshot { .. }));
}

/// A client that never reads does not stop 50 others from receiving every event in order;
/// when it finally reads, it is told `resync` and gets a fresh snapshot.
#[tokio::test]
async fn a_client_that_never_reads_does_not_hold_back_others() {
    let redis = RedisServer::start().await;
    let args = [
        "--fanout-capacity",
        "16",
        "--coalesce-ms",
        "0",
        "--socket-send-buffer",
        "16384",
    ];
    let pantau = Pantau::start_with(&redis, &args).await;
    let mut slow = WsClient::connect_small_buffer(&pantau.ws_url, Some(&pantau.admin)).await;
    slow.send(&subscribe("tangerang", None, Filters::default())).await;
    assert!(matches!(slow.next().await, ServerMsg::Snapshot { .. }));

    let mut readers = Vec::new();
    for _ in 0..50 {
        let (mut client, first) = pantau.subscribe("tangerang").await;
        let cursor = snapshot_cursor(&first);
        readers.push(tokio::spawn(async move {
            let (events, _) = client.collect_events(cursor, 2000).await;
            events.into_iter().map(|e| e.id).collect::<Vec<_>>()
        }));
    }
    let mut posted = Vec::new();
    for batch in 0..200 {
        let (body, ids) = report_batch(&format!("laporan panjang {batch} {}", "x".repeat(300)), 10);
        assert_eq!(pantau.post_batch("tangerang", body).await.0, 202);
        posted.extend(ids);
    }
    for reader in readers {
        assert_same_ids(&reader.await.unwrap(), &posted);
    }

    let mut saw_resync = false;
    loop {
        match slow.next().await {
            ServerMsg::Resync { reason, .. } => {
                assert_eq!(reason, "lagged");
                saw_resync = true;
            }
            ServerMsg::Snapshot { tickets, .. } if saw_resync => {
                assert_eq!(tickets.len(), 2000);
                break;
            }
            ServerMsg::Deltas { .. } | ServerMsg::Heartbeat { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// Filters deliver only matching tickets — and the event that moves a shown ticket out of
/// the filter, but nothing after it.
#[tokio::test]
async fn filters_deliver_only_matching_tickets() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let flood = report_in("banjir", "Banjir sepinggang");
    pantau.post_event("tangerang", &flood).await;
    pantau.post_event("tangerang", &report("Sampah")).await;
    let filters = Filters {
        agency: Some("bpbd".into()),
        ..Default::default()
    };
    let (mut client, first) = pantau.subscribe_with(subscribe("tangerang", None, filters)).await;
    let mut cursor = snapshot_cursor(&first);
    let ServerMsg::Snapshot { tickets, .. } = &first else {
        unreachable!()
    };
    if tickets.is_empty() {
        // Subscribed before the projection held the flood ticket: it arrives as a delta.
        let (events, c) = client.collect_events(cursor, 1).await;
        assert_eq!(events[0].ticket.as_deref(), Some("TGR-000001"));
        cursor = c;
    } else {
        assert_eq!(
            tickets.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
            ["TGR-000001"]
        );
    }

    pantau.post_event("tangerang", &report("Sampah lagi")).await;
    pantau.post_event("tangerang", &flood).await;
    let (events, cursor) = client.collect_events(cursor, 1).await;
    assert_eq!(
        events[0].ticket.as_deref(),
        Some("TGR-000004"),
        "the garbage report is not shown"
    );

    let t = "/api/v1/tangerang/tickets/TGR-000001";
    pantau.post(&format!("{t}/assign"), &json!({"agency": "pupr"})).await;
    let (events, cursor) = client.collect_events(cursor, 1).await;
    assert!(
        matches!(events[0].body, EventBody::TicketAssigned(_)),
        "the client learns the ticket left its filter"
    );
    pantau
        .post(&format!("{t}/comment"), &json!({"text": "bukan urusan BPBD"}))
        .await;
    pantau
        .post(
            &format!("{}/comment", "/api/v1/tangerang/tickets/TGR-000004"),
            &json!({"text": "tim berangkat"}),
        )
        .await;
    let (events, _) = client.collect_events(cursor, 1).await;
    assert_eq!(events[0].ticket.as_deref(), Some("TGR-000004"));
}

/// Two server processes on one Redis: an event ingested through A reaches a client of B,
/// and a client moving from A to B resumes with its cursor without a gap.
#[tokio::test]
async fn two_processes_share_one_redis() {
    let redis = RedisServer::start().await;
    let a = Pantau::start(&redis).await;
    let b = Pantau::start(&redis).await;
    let (mut on_b, first) = b.subscribe("tangerang").await;
    let (_, body) = a.post_event("tangerang", &report("lewat A")).await;
    let (events, _) = on_b.collect_events(snapshot_cursor(&first), 1).await;
    assert_eq!(events[0].id, body["accepted"][0]["id"].as_str().unwrap());

    let (mut on_a, first) = a.subscribe("tangerang").await;
    let cursor = snapshot_cursor(&first);
    let cursor = if cursor == Cursor::ZERO {
        on_a.collect_events(cursor, 1).await.1
    } else {
        cursor
    };
    drop(on_a);
    let (batch, ids) = report_batch("pindah", 20);
    assert_eq!(a.post_batch("tangerang", batch).await.0, 202);
    let (mut moved, first) = b
        .subscribe_with(subscribe("tangerang", Some(cursor), Filters::default()))
        .await;
    let mut events = deltas(first.clone());
    let ServerMsg::Deltas { from, to, .. } = first else {
        unreachable!()
    };
    assert_eq!(from, cursor);
    events.extend(moved.collect_events(to, 20 - events.len()).await.0);
    assert_same_ids(&events.iter().map(|e| e.id.clone()).collect::<Vec<_>>(), &ids);
}

/// Redis stopped under a connected wall: ingest answers 503 with Retry-After (never 2xx),
/// the socket says `degraded`; when Redis returns, everything recovers without a restart.
#[tokio::test]
async fn redis_outage_degrades_and_recovers() {
    let mut redis = RedisServer::start_persistent().await;
    let pantau = Pantau::start(&redis).await;
    let (_, body) = pantau.post_event("tangerang", &report("sebelum padam")).await;
    assert_eq!(body["accepted"][0]["ticket"], "TGR-000001");
    let (mut client, first) = pantau.subscribe("tangerang").await;
    let mut cursor = snapshot_cursor(&first);

    redis.stop();
    let response = pantau
        .default_request(reqwest::Method::POST, "/api/v1/tangerang/events")
        .await
        .body(report("saat padam").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "store_unavailable");
    loop {
        match client.next().await {
            ServerMsg::Status {
                state: LinkState::Degraded,
                ..
            } => break,
            ServerMsg::Deltas { to, .. } => cursor = to,
            ServerMsg::Heartbeat { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    redis.restart().await;
    let accepted = eventually("ingest to work again", || {
        let pantau = &pantau;
        async move {
            let (status, body) = pantau.post_event("tangerang", &report("setelah padam")).await;
            (status == 202).then_some(body)
        }
    })
    .await;
    assert_eq!(
        accepted["accepted"][0]["ticket"], "TGR-000002",
        "the first ticket survived the outage"
    );
    let mut back = false;
    let mut got = Vec::new();
    while !back || got.is_empty() {
        match client.next().await {
            ServerMsg::Status {
                state: LinkState::Ok, ..
            } => back = true,
            ServerMsg::Deltas { from, to, events, .. } => {
                assert_eq!(from, cursor);
                cursor = to;
                got.extend(events);
            }
            ServerMsg::Heartbeat { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(got[0].id, accepted["accepted"][0]["id"].as_str().unwrap());
}

/// Unknown tenants and garbage get an error message, pings get a pong.
#[tokio::test]
async fn protocol_errors_and_ping() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (mut client, first) = pantau.subscribe("atlantis").await;
    assert!(
        matches!(first, ServerMsg::Error { ref code, .. } if code == "unknown_tenant"),
        "{first:?}"
    );
    client.send(&ClientMsg::Ping).await;
    assert!(matches!(client.next().await, ServerMsg::Pong { .. }));
}
