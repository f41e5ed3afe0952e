//! Realtime delivery with real WebSocket clients: a subscriber receives what is posted, only
//! for its own tenant, and a reconnecting client starts from a snapshot holding what it missed.

use pantau_e2e::{report, Pantau, RedisServer, WsClient};
use pantau_shared::event::EventBody;
use pantau_shared::protocol::{ClientMsg, ServerMsg};
use std::time::Duration;

fn deltas(msg: ServerMsg) -> Vec<pantau_shared::event::Event> {
    match msg {
        ServerMsg::Deltas { events, .. } => events,
        other => panic!("expected deltas, got {other:?}"),
    }
}

/// A client subscribed before the POST receives the event, with its ticket, via the tailer.
#[tokio::test]
async fn subscriber_receives_posted_event() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (mut client, first) = WsClient::subscribe(&pantau.ws_url, "tangerang").await;
    match first {
        ServerMsg::Snapshot {
            total, tenant, recent, ..
        } => {
            assert_eq!(total, 0);
            assert!(recent.is_empty());
            assert_eq!(tenant.zone_label, "WIB");
        }
        other => panic!("expected snapshot, got {other:?}"),
    }
    let (status, body) = pantau
        .post_event("tangerang", report("Jalan berlubang di Jl. Hasyim Ashari"))
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
    let (mut banjar, _) = WsClient::subscribe(&pantau.ws_url, "banjar").await;
    let (mut tangerang, _) = WsClient::subscribe(&pantau.ws_url, "tangerang").await;
    pantau.post_event("tangerang", report("di Tangerang")).await;
    let mut banjar_report: serde_json::Value = serde_json::from_str(&report("di Martapura")).unwrap();
    banjar_report["lat"] = (-3.41).into();
    banjar_report["lon"] = 114.85.into();
    pantau.post_event("banjar", banjar_report.to_string()).await;

    let seen = deltas(banjar.next().await);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].tenant, "banjar");
    assert_eq!(seen[0].ticket.as_deref(), Some("BJR-000001"));
    let seen = deltas(tangerang.next().await);
    assert!(seen.iter().all(|e| e.tenant == "tangerang"));
    assert!(banjar.next_within(Duration::from_millis(300)).await.is_none());
}

/// A client that reconnects gets a snapshot with every event posted while it was away.
#[tokio::test]
async fn reconnecting_client_gets_missed_events_in_snapshot() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (client, _) = WsClient::subscribe(&pantau.ws_url, "tangerang").await;
    drop(client);
    let mut ids = Vec::new();
    for i in 0..3 {
        let (_, body) = pantau.post_event("tangerang", report(&format!("laporan {i}"))).await;
        ids.push(body["accepted"][0]["id"].as_str().unwrap().to_owned());
    }
    let (_, first) = WsClient::subscribe(&pantau.ws_url, "tangerang").await;
    match first {
        ServerMsg::Snapshot {
            total, recent, cursor, ..
        } => {
            assert_eq!(total, 3);
            let got: Vec<_> = recent.iter().rev().map(|e| e.id.clone()).collect();
            assert_eq!(got, ids, "newest first, nothing missing");
            assert_ne!(cursor.to_string(), "0-0");
        }
        other => panic!("expected snapshot, got {other:?}"),
    }
}

/// Unknown tenants and garbage get an error message, pings get a pong.
#[tokio::test]
async fn protocol_errors_and_ping() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (mut client, first) = WsClient::subscribe(&pantau.ws_url, "atlantis").await;
    assert!(
        matches!(first, ServerMsg::Error { ref code, .. } if code == "unknown_tenant"),
        "{first:?}"
    );
    client.send(&ClientMsg::Ping).await;
    assert!(matches!(client.next().await, ServerMsg::Pong { .. }));
}
