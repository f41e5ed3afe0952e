//! Sessions and credentials: refused without them, scoped to the screen's tenant, cut off
//! when revoked while watching.

use super::*;

/// Without credentials a subscription is refused (`unauthorized`); a screen may not watch
/// another tenant (`forbidden`); a screen revoked while watching is told and closed at the
/// next check.
#[tokio::test(start_paused = true)]
async fn credentials_are_checked_at_subscribe_and_while_watching() {
    let server = Server::new(16);
    let mut client = Client::connect(&server);
    client.send(serde_json::json!({ "type": "subscribe", "v": 1, "tenant": "tangerang" }));
    let ServerMsg::Error { code, .. } = client.msg().await else {
        panic!("error")
    };
    assert_eq!(code, "unauthorized");
    client.send(serde_json::json!({ "type": "subscribe", "v": 1, "tenant": "tangerang", "token": "bogus" }));
    let ServerMsg::Error { code, .. } = client.msg().await else {
        panic!("error")
    };
    assert_eq!(code, "revoked", "an unknown display token is treated as revoked");
    client.subscribe(None, serde_json::json!({}));
    assert!(matches!(client.msg().await, ServerMsg::Snapshot { .. }));
    let t0 = Instant::now();
    server.log.revoked.store(true, Ordering::SeqCst);
    let ServerMsg::Error { code, .. } = client.msg().await else {
        panic!("revoked")
    };
    assert_eq!(code, "revoked");
    assert!(t0.elapsed() <= Duration::from_secs(5), "cut off within one recheck");
    assert!(matches!(client.frame().await, Message::Close(_)));
}

/// A screen an admin puts in replay follows within a recheck: a snapshot of the chosen
/// instant and the replay's clock; taken back to live, it is told (`replay {live: true}`)
/// and gets the live state. A screen subscribing while directed starts in replay.
#[tokio::test(start_paused = true)]
async fn an_admin_moves_a_screen_into_replay_and_back() {
    let server = Server::new(16);
    server.append(1..=3, "dlh");
    server.append(10_000..=10_001, "dlh");
    let mut client = Client::connect(&server);
    client.subscribe(None, serde_json::json!({}));
    let ServerMsg::Snapshot { tickets, .. } = client.msg().await else {
        panic!("snapshot")
    };
    assert_eq!(tickets.len(), 5);
    *server.log.directive.lock().unwrap() = Some(ReplayStart { from: 5, speed: 1.0 });
    let t0 = Instant::now();
    let ServerMsg::Snapshot {
        tickets, server_time, ..
    } = client.msg().await
    else {
        panic!("the past's snapshot")
    };
    assert!(t0.elapsed() <= Duration::from_secs(5), "directed within one recheck");
    assert_eq!(tickets.len(), 3, "the state at ms 5: tickets 1–3 only");
    assert_eq!(server_time, 5);
    let ServerMsg::Replay { at: 5, live: false, .. } = client.msg().await else {
        panic!("the replay's clock")
    };
    *server.log.directive.lock().unwrap() = None;
    let live = loop {
        match client.msg().await {
            ServerMsg::Replay { live: true, .. } => break true,
            ServerMsg::Replay { live: false, .. } => continue,
            other => panic!("unexpected {other:?}"),
        }
    };
    assert!(live);
    let ServerMsg::Snapshot { tickets, .. } = client.msg().await else {
        panic!("the live snapshot")
    };
    assert_eq!(tickets.len(), 5, "live again");

    // Subscribing while directed starts in replay.
    *server.log.directive.lock().unwrap() = Some(ReplayStart { from: 2, speed: 1.0 });
    let mut other = Client::connect(&server);
    other.subscribe(None, serde_json::json!({}));
    let ServerMsg::Snapshot {
        tickets,
        server_time: 2,
        ..
    } = other.msg().await
    else {
        panic!("the past's snapshot")
    };
    assert_eq!(tickets.len(), 2);
}
